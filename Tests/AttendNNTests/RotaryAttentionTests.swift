import AttendData
import AttendModels
import AttendNN
import AttendTensor
import AttendTestSupport
import Foundation
import Testing

/// Kinds rotary embeddings compose with: softmax and every linear kind.
let rotaryKinds = AttentionKind.allCases.filter(\.acceptsRotary)

@Suite("Rotary position embeddings (RoPE)")
struct RotaryAttentionTests {
    @Test("recurrent form equals the causal parallel form with rotary embeddings", arguments: rotaryKinds)
    func recurrentEqualsParallel(kind: AttentionKind) {
        let m = AttentionSpec(kind: kind, rotary: true).makeMechanism()
        #expect(recurrentDeviation(m, b: 2, h: 3, t: 9, keyDim: 4, valueDim: 4) <= 1e-4)
        #expect(recurrentDeviation(m, b: 1, h: 2, t: 70, keyDim: 16, valueDim: 16) <= 1e-4)
    }

    @Test("rotary changes the output (positions reach the scores) and is the identity for a single position", arguments: rotaryKinds)
    func rotaryMatters(kind: AttentionKind) {
        let q = uniform([1, 2, 6, 4], 1), k = uniform([1, 2, 6, 4], 2), v = uniform([1, 2, 6, 4], 3)
        let plain = AttentionSpec(kind: kind).makeMechanism(), rotary = AttentionSpec(kind: kind, rotary: true).makeMechanism()
        let a = withoutGradients { plain.callAsFunction(queries: q, keys: k, values: v, mask: .causal) }
        let b = withoutGradients { rotary.callAsFunction(queries: q, keys: k, values: v, mask: .causal) }
        // Row 0 sees only position 0, where the rotation is the identity.
        for i in 0..<4 { #expect(abs(a[flat: i] - b[flat: i]) <= 1e-6) }
        #expect((0..<a.count).contains { abs(a[flat: $0] - b[flat: $0]) > 1e-3 })
    }

    @Test("softmax with rotary is softmax attention over the rotated queries and keys")
    func softmaxComposition() {
        let q = uniform([2, 2, 5, 8], 4), k = uniform([2, 2, 7, 8], 5), v = uniform([2, 2, 7, 8], 6)
        let mask = AttentionMask.padding([7, 5])
        let rotary = AttentionSpec(rotary: true).makeMechanism(), plain = AttentionSpec().makeMechanism()
        let out = withoutGradients { rotary.callAsFunction(queries: q, keys: k, values: v, mask: mask) }
        // Queries sit at the last 5 of the 7 key positions.
        let reference = withoutGradients {
            plain.callAsFunction(queries: q.rotated(positionOffset: 2), keys: k.rotated(), values: v, mask: mask)
        }
        for i in 0..<out.count { #expect(abs(out[flat: i] - reference[flat: i]) <= 1e-6) }
    }

    /// Linear attention ignores a key whose features are zero (φ_relu(k) = 0 for k ≤ 0), so prepending
    /// such positions shifts every real position by P without adding anything: with rotary weights
    /// that depend only on offsets, the outputs of the real positions must not change.
    @Test("linear attention with rotary depends on positions only through offsets: shifting the sequence changes nothing")
    func linearShiftInvariance() {
        let (t, p, d) = (6, 5, 4)
        let q = uniform([1, 2, t, d], 7), v = uniform([1, 2, t, d], 9)
        var rng = RandomGenerator(seed: 8)
        let k = Tensor.uniform([1, 2, t, d], low: 0.1, high: 1, rng: &rng)  // φ_relu(k) > 0
        func prefixed(_ x: Tensor, fill: Float) -> Tensor {
            Tensor.concatenate([Tensor(repeating: fill, shape: [1, 2, p, d]), x], along: 2)
        }
        let m = AttentionSpec(kind: .linearRelu, rotary: true).makeMechanism()
        let base = withoutGradients { m.callAsFunction(queries: q, keys: k, values: v, mask: .causal) }
        let shifted = withoutGradients {
            m.callAsFunction(queries: prefixed(q, fill: 0.5), keys: prefixed(k, fill: -1), values: prefixed(v, fill: 3), mask: .causal)
        }
        let tail = shifted.sliced(p..<(p + t), along: 2)
        for i in 0..<base.count { #expect(abs(base[flat: i] - tail[flat: i]) <= 1e-5) }
        // Without the relative property (rotation before the feature map would break it) the test
        // has teeth: rotating the keys by one more position does change the output.
        let moved = withoutGradients {
            Tensor.linearAttention(queries: q.relu().rotated(positionOffset: 0), keys: k.relu().rotated(positionOffset: 1),
                                   normalizerQueries: q.relu(), normalizerKeys: k.relu(), values: v, causal: true)
        }
        #expect((0..<base.count).contains { abs(base[flat: $0] - moved[flat: $0]) > 1e-3 })
    }

    @Test("decoder-only model with rotary and no position table: generation steps give the parallel logits",
          arguments: rotaryKinds, [NormPlacement.pre, .post])
    func decoderOnlyStepper(kind: AttentionKind, placement: NormPlacement) throws {
        var config = ModelConfig(vocabSize: 11, contextLength: 8, modelDim: 16, numHeads: 4, numLayers: 2, normPlacement: placement,
                                 attention: kind)
        config.rotary = true
        config.positions = .none
        var rng = RandomGenerator(seed: 5)
        let m = try DecoderOnly(config, rng: &rng)
        #expect(try stepperDeviation(m, tokens: [[1, 2, 3, 4, 5, 6, 7, 8], [8, 3, 3, 0, 10, 2, 1, 9]]) <= 1e-4)
    }

    @Test("whole-model gradient with rotary matches finite differences", arguments: [AttentionKind.softmax, .linear])
    func modelGradient(kind: AttentionKind) throws {
        var config = ModelConfig(vocabSize: 7, contextLength: 4, modelDim: 8, numHeads: 2, numLayers: 1, attention: kind)
        config.rotary = true
        var rng = RandomGenerator(seed: 9)
        let m = try DecoderOnly(config, rng: &rng)
        let ids: [Int32] = [1, 2, 3, 4, 5, 6, 0, 1], targets: [Int32] = [2, 3, 4, 5, 6, 0, 1, 2]
        expectModelGradientMatchesFiniteDifferences(m, inputs: ids, targets: targets,
                                                    include: { $0.hasSuffix("attention.qkv.weight") },
                                                    indices: { Array(stride(from: 0, to: $0, by: 37)) })
    }

    @Test("encoder–decoder with rotary (no sinusoids): incremental decoding equals the parallel form; beam 1 equals greedy",
          arguments: rotaryKinds)
    func encoderDecoder(kind: AttentionKind) throws {
        var config = EncoderDecoderConfig(vocabSize: 13, maxLength: 16, modelDim: 16, numHeads: 2, numEncoderLayers: 2,
                                          numDecoderLayers: 2, hiddenDim: 32, dropout: 0, encoderAttention: kind,
                                          decoderAttention: kind, crossAttention: kind)
        config.rotary = true
        config.positions = .none
        var rng = RandomGenerator(seed: 3)
        let m = try EncoderDecoder(config, rng: &rng)
        #expect(try decodingDeviation(m) <= 2e-4)
        let sources: [[Int32]] = [[4, 5, 6, 7], [8, 9], [10, 11, 12, 4, 5, 6]]
        let options = DecodingOptions(beamSize: 1, lengthPenalty: 0.6, maxExtraLength: 5)
        #expect(m.greedyDecode(sources, options: options) == m.beamSearch(sources, options: options))
        // The encoder is not blind to order without sinusoids: swapping two source tokens changes the output.
        let batch = TranslationBatch([TranslationExample(source: [4, 5, 6], target: [7, 8])], padID: 0, bosID: 1, eosID: 2)
        var swapped = batch
        swapped.source.swapAt(0, 2)
        let a = withoutGradients { m(batch, context: ForwardContext(training: false)).scalars }
        let b = withoutGradients { m(swapped, context: ForwardContext(training: false)).scalars }
        #expect(zip(a, b).contains { abs($0 - $1) > 1e-4 })
    }

    @Test("the spec refuses rotary where it cannot work, naming what to do")
    func validation() {
        func message(_ spec: AttentionSpec, _ use: AttentionUse = .languageModel, headDim: Int = 4) -> String? {
            do { try spec.validate(as: use, headDim: headDim); return nil } catch { return "\(error)" }
        }
        #expect(message(AttentionSpec(kind: .correlation, rotary: true))?.contains("--rotary false") == true)
        #expect(message(AttentionSpec(rotary: true), .cross)?.contains("self-attention only") == true)
        #expect(message(AttentionSpec(rotary: true), headDim: 5)?.contains("must be even") == true)
        #expect(message(AttentionSpec(kind: .linearFavor, favorFeatures: 7, rotary: true))?.contains("FAVOR+ feature count") == true)
        #expect(message(AttentionSpec(positionBias: .alibi, dotProduct: false, rotary: true))?.contains("--dot-product true") == true)
        #expect(message(AttentionSpec(kind: .linearFavor, favorFeatures: 8, rotary: true), headDim: 5) == nil)
        var config = ModelConfig(vocabSize: 5, contextLength: 4, modelDim: 10, numHeads: 2, numLayers: 1)
        config.rotary = true
        #expect(throws: ConfigError.invalid(field: "rotary", message: "rotary embeddings rotate pairs of channels, so the head width (modelDim / numHeads) must be even, got 5")) {
            try config.validate()
        }
    }
}

/// Largest |incremental decoding logits − parallel logits| over a two-sentence batch.
func decodingDeviation(_ m: EncoderDecoder, precision: WeightPrecision = .float32) throws -> Float {
    let examples = [TranslationExample(source: [4, 5, 6, 7, 8], target: [9, 10, 11, 12]), TranslationExample(source: [5, 6], target: [7, 8, 9])]
    let batch = TranslationBatch(examples, padID: 0, bosID: 1, eosID: 2)
    let inference = ForwardContext(training: false)
    let parallel = withoutGradients { m(batch, context: inference).scalars }
    let memory = withoutGradients {
        m.encode(source: batch.source, batch: 2, length: batch.sourceLength, sourceLengths: batch.sourceLengths, context: inference)
    }
    let decoder = m.makeDecoder(memory: memory, sourceLengths: batch.sourceLengths, precision: precision)
    let (t, v) = (batch.targetLength, m.config.vocabSize)
    var worst: Float = 0
    for pos in 0..<t {
        let out = decoder.step([batch.targetInput[pos], batch.targetInput[t + pos]]).scalars
        for b in 0..<2 { for c in 0..<v { worst = max(worst, abs(parallel[(b * t + pos) * v + c] - out[b * v + c])) } }
    }
    return worst
}
