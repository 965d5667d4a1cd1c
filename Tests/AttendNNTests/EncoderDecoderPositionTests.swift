import AttendData
import AttendModels
import AttendNN
import AttendTensor
import Foundation
import Testing

/// The position biases a configuration may name (t5-bidirectional is implied by t5 in the encoder).
let encoderDecoderPositionBiases: [PositionBias] = [.t5, .logType, .linType, .alibi]

/// A tiny encoder–decoder with a relative-position bias in both self-attentions; the learned bias
/// parameters are set to seeded random values (T5 tables start at zero, which would hide bugs).
func tinyPositionModel(_ kind: PositionBias, dotProduct: Bool = true, positions: AbsolutePositions = .none,
                       placement: NormPlacement = .post, cross: AttentionKind = .softmax, seed: UInt64 = 3) throws -> EncoderDecoder {
    var config = EncoderDecoderConfig(vocabSize: 13, maxLength: 16, modelDim: 16, numHeads: 2, numEncoderLayers: 2,
                                      numDecoderLayers: 2, hiddenDim: 32, dropout: 0, normPlacement: placement,
                                      crossAttention: cross)
    config.positionBias = kind
    config.positionBuckets = 8
    config.positionMaxDistance = 12
    config.dotProduct = dotProduct
    config.positions = positions
    var rng = RandomGenerator(seed: seed)
    let m = try EncoderDecoder(config, rng: &rng)
    var draw = RandomGenerator(seed: seed &+ 100)
    for (name, p) in m.namedParameters() where name.contains(".positionBias.") {
        p.copyValues(from: Tensor.uniform(p.shape, low: -1, high: 1, rng: &draw))
    }
    return m
}

@Suite("Encoder–decoder with relative positions")
struct EncoderDecoderPositionTests {
    let inference = ForwardContext(training: false)
    let examples = [TranslationExample(source: [4, 5, 6, 7, 8, 9, 10], target: [9, 10, 11, 12, 4]),
                    TranslationExample(source: [5, 6], target: [7, 8, 9])]
    var batch: TranslationBatch { TranslationBatch(examples, padID: 0, bosID: 1, eosID: 2) }

    func logits(_ m: EncoderDecoder, _ batch: TranslationBatch) -> [Float] { withoutGradients { m(batch, context: inference).scalars } }

    @Test("the encoder gets the bidirectional bias, the decoder the causal one, cross-attention none; T5 tables start at zero",
          arguments: encoderDecoderPositionBiases)
    func roles(kind: PositionBias) throws {
        var config = EncoderDecoderConfig(vocabSize: 13, maxLength: 16, modelDim: 16, numHeads: 2, numEncoderLayers: 1,
                                          numDecoderLayers: 1, hiddenDim: 32, dropout: 0)
        config.positionBias = kind
        config.positionBuckets = 8
        config.positionMaxDistance = 12
        config.dotProduct = false
        var rng = RandomGenerator(seed: 1)
        let m = try EncoderDecoder(config, rng: &rng)
        #expect(m.encoderBlocks[0].attention.positionBias?.kind == (kind == .t5 ? .t5Bidirectional : kind))
        #expect(m.decoderBlocks[0].selfAttention.positionBias?.kind == kind)
        let shapes = Dictionary(uniqueKeysWithValues: m.namedParameters().map { ($0.name, $0.tensor.shape) })
        #expect(shapes["encoder.0.attention.qkv.weight"] == [16, 16])        // values only
        #expect(shapes["decoder.0.selfAttention.qkv.weight"] == [16, 16])
        #expect(shapes["decoder.0.crossAttention.query.weight"] == [16, 16])  // cross keeps its dot product
        #expect(shapes["decoder.0.crossAttention.keyValue.weight"] == [32, 16])
        #expect(!shapes.keys.contains { $0.contains("crossAttention.positionBias") })
        switch kind {
        case .t5:
            #expect(shapes["encoder.0.attention.positionBias.table"] == [2, 8])
            #expect(shapes["decoder.0.selfAttention.positionBias.table"] == [2, 8])
            for (name, p) in m.namedParameters() where name.hasSuffix("positionBias.table") { #expect(p.scalars.allSatisfy { $0 == 0 }, "\(name)") }
        case .logType, .linType:
            #expect(shapes["encoder.0.attention.positionBias.logScale"] == [2])
            #expect(shapes["decoder.0.selfAttention.positionBias.logScale"] == [2])
        default:
            #expect(!shapes.keys.contains { $0.contains("positionBias") })
        }
        #expect(m.positions != nil)  // sinusoidal by default, also with a bias
    }

    @Test("incremental decoding (cache + bias row t) equals the parallel form within 1e-4",
          arguments: encoderDecoderPositionBiases, [true, false])
    func stepEqualsParallel(kind: PositionBias, dotProduct: Bool) throws {
        for (positions, placement) in [(AbsolutePositions.none, NormPlacement.post), (.sinusoidal, .pre)] {
            let m = try tinyPositionModel(kind, dotProduct: dotProduct, positions: positions, placement: placement)
            let batch = self.batch
            let parallel = logits(m, batch)
            let memory = withoutGradients {
                m.encode(source: batch.source, batch: 2, length: batch.sourceLength, sourceLengths: batch.sourceLengths, context: inference)
            }
            let decoder = m.makeDecoder(memory: memory, sourceLengths: batch.sourceLengths)
            let t = batch.targetLength, v = 13
            var worst: Float = 0
            for pos in 0..<t {
                let out = decoder.step([batch.targetInput[pos], batch.targetInput[t + pos]]).scalars
                for b in 0..<2 { for c in 0..<v { worst = max(worst, abs(parallel[(b * t + pos) * v + c] - out[b * v + c])) } }
            }
            #expect(worst <= 1e-4, "\(kind) dotProduct \(dotProduct) \(positions) \(placement): \(worst)")
        }
    }

    @Test("future target tokens cannot change earlier outputs", arguments: encoderDecoderPositionBiases)
    func causalDecoder(kind: PositionBias) throws {
        for dotProduct in [true, false] {
            let m = try tinyPositionModel(kind, dotProduct: dotProduct)
            let a = batch
            var b = a
            b.targetInput[3] = 4  // sentence 0, position 3
            let la = logits(m, a), lb = logits(m, b)
            let v = 13, t = a.targetLength
            for i in 0..<(3 * v) { #expect(la[i] == lb[i]) }
            #expect((3 * v..<t * v).contains { la[$0] != lb[$0] })
            for i in (t * v)..<(2 * t * v) { #expect(la[i] == lb[i]) }  // the other sentence is untouched
        }
    }

    @Test("padded source tokens cannot change any output; a sentence alone gives its batched logits",
          arguments: encoderDecoderPositionBiases)
    func sourcePadding(kind: PositionBias) throws {
        for (dotProduct, placement) in [(true, NormPlacement.post), (false, .pre)] {
            let m = try tinyPositionModel(kind, dotProduct: dotProduct, placement: placement)
            let a = batch
            var b = a
            let s = a.sourceLength
            for j in Int(a.sourceLengths[1])..<s { b.source[s + j] = Int32(4 + j) }  // overwrite sentence 1's padding
            let la = logits(m, a), lb = logits(m, b)
            for i in la.indices { #expect(abs(la[i] - lb[i]) <= 1e-6 * max(1, abs(la[i]))) }
            let alone = logits(m, TranslationBatch([examples[1]], padID: 0, bosID: 1, eosID: 2))
            let t = a.targetLength, v = 13
            for i in alone.indices { #expect(abs(alone[i] - la[t * v + i]) <= 1e-4 * max(1, abs(alone[i]))) }
        }
    }

    @Test("the encoder sees word order through the bias alone (no sinusoids): swapping two source tokens changes the output",
          arguments: encoderDecoderPositionBiases)
    func encoderOrder(kind: PositionBias) throws {
        let m = try tinyPositionModel(kind, dotProduct: false)
        let a = batch
        var b = a
        b.source.swapAt(1, 4)
        let la = logits(m, a), lb = logits(m, b)
        #expect(zip(la, lb).contains { abs($0 - $1) > 1e-5 })
    }

    @Test("beam search with beam 1 equals greedy decoding (cache reordering with the bias)", arguments: [PositionBias.t5, .linType])
    func beamOneIsGreedy(kind: PositionBias) throws {
        let m = try tinyPositionModel(kind, dotProduct: kind == .t5, seed: 5)
        let sources: [[Int32]] = [[4, 5, 6, 7], [8, 9], [10, 11, 12, 4, 5, 6], [7]]
        let options = DecodingOptions(beamSize: 1, lengthPenalty: 0.6, maxExtraLength: 5)
        let greedy = m.greedyDecode(sources, options: options)
        #expect(greedy == m.beamSearch(sources, options: options))
        #expect(m.greedyDecode([sources[2]], options: options)[0] == greedy[2])
        #expect(m.beamSearch(sources, options: DecodingOptions(beamSize: 3, lengthPenalty: 0.6, maxExtraLength: 5)).count == 4)
    }

    @Test("gradient of the bias parameters (and value projections) through the whole model matches finite differences",
          arguments: [PositionBias.t5, .logType, .linType, .alibi])
    func gradient(kind: PositionBias) throws {
        let m = try tinyPositionModel(kind, dotProduct: kind != .logType, placement: .pre)
        let batch = self.batch
        m.loss(batch, smoothing: 0.1, context: inference).backward()
        var checked = 0
        for (name, p) in m.namedParameters()
        where name.contains(".positionBias.") || name == "encoder.1.attention.qkv.weight" || name == "decoder.0.selfAttention.qkv.weight" {
            let g = p.grad!.scalars
            for j in Set([0, p.count / 2, p.count - 1]) {
                let saved = p[flat: j], eps: Float = 1e-2
                p[flat: j] = saved + eps
                let plus = withoutGradients { m.loss(batch, smoothing: 0.1, context: inference).item }
                p[flat: j] = saved - eps
                let minus = withoutGradients { m.loss(batch, smoothing: 0.1, context: inference).item }
                p[flat: j] = saved
                let numeric = (plus - minus) / (2 * eps)
                #expect(abs(g[j] - numeric) <= 2e-3 + 3e-2 * abs(numeric), "\(name)[\(j)]: \(g[j]) vs \(numeric)")
                checked += 1
            }
        }
        #expect(checked >= 6)
        // The bias parameters actually receive gradient in both stacks.
        if kind != .alibi {
            for (name, p) in m.namedParameters() where name.contains(".positionBias.") {
                #expect(p.grad!.scalars.contains { $0 != 0 }, "\(name) has no gradient")
            }
        }
        m.zeroGradients()
    }

    @Test("old configs without the new keys load with the paper's defaults; new keys round-trip")
    func codable() throws {
        let old = #"{"vocabSize":8000,"maxLength":256,"modelDim":256,"numHeads":4,"numEncoderLayers":3,"numDecoderLayers":3,"hiddenDim":1024,"dropout":0.1,"bias":true,"normPlacement":"post","encoderAttention":"softmax","decoderAttention":"softmax","crossAttention":"softmax","activation":"relu","padID":0,"bosID":1,"eosID":2}"#
        let decoded = try JSONDecoder().decode(EncoderDecoderConfig.self, from: Data(old.utf8))
        #expect(decoded == EncoderDecoderConfig(vocabSize: 8000))
        #expect(decoded.positions == .sinusoidal && decoded.positionBias == .none && decoded.dotProduct)
        #expect(decoded.positionBuckets == 32 && decoded.positionMaxDistance == 128)
        var c = EncoderDecoderConfig(vocabSize: 20)
        c.positions = .none
        c.positionBias = .t5
        c.positionBuckets = 16
        c.positionMaxDistance = 40
        c.dotProduct = false
        let json = try JSONEncoder().encode(c)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains(#""positionBias":"t5""#) && text.contains(#""positions":"none""#) && text.contains(#""dotProduct":false"#))
        #expect(try JSONDecoder().decode(EncoderDecoderConfig.self, from: json) == c)
    }

    @Test("validation refuses impossible combinations with a message naming the field and what to do")
    func validation() throws {
        func message(_ edit: (inout EncoderDecoderConfig) -> Void) -> String? {
            var c = EncoderDecoderConfig(vocabSize: 13, maxLength: 16, modelDim: 16, numHeads: 2)
            edit(&c)
            do { try c.validate(); return nil } catch { return "\(error)" }
        }
        #expect(message { $0.positionBias = .alibi; $0.encoderAttention = .linear }?.contains("--encoder-attention softmax") == true)
        #expect(message { $0.positionBias = .t5; $0.decoderAttention = .linearRelu }?.contains("--decoder-attention softmax") == true)
        #expect(message { $0.positionBias = .t5Bidirectional }?.contains("use t5") == true)
        #expect(message { $0.dotProduct = false }?.contains("invalid dotProduct") == true)
        #expect(message { $0.positions = .none }?.contains("--position-bias") == true)
        #expect(message { $0.positions = .learned } == nil)  // one learned table per side (Table 3 row (E))
        #expect(message { $0.positionBias = .t5; $0.positionMaxDistance = 3 }?.contains("positionMaxDistance") == true)
        #expect(message { $0.positionBias = .t5; $0.positionBuckets = 2 }?.contains("positionBuckets") == true)
        // Allowed: the bias with linear cross-attention (cross never carries one), odd width without sinusoids.
        #expect(message { $0.positionBias = .logType; $0.crossAttention = .linear } == nil)
        #expect(message { $0.positionBias = .alibi; $0.positions = .none; $0.dotProduct = false; $0.modelDim = 18; $0.numHeads = 3 } == nil)
        #expect(message { $0.modelDim = 15; $0.numHeads = 3 }?.contains("modelDim") == true)
        var rng = RandomGenerator(seed: 1)
        var bad = EncoderDecoderConfig(vocabSize: 13, maxLength: 16, modelDim: 16, numHeads: 2)
        bad.positionBias = .t5Bidirectional
        #expect(throws: ConfigError.self) { _ = try EncoderDecoder(bad, rng: &rng) }
        // The decoder-only model refuses sinusoidal positions (an encoder–decoder option).
        var lm = ModelConfig(vocabSize: 11, contextLength: 8, modelDim: 16, numHeads: 2, numLayers: 1)
        lm.positions = .sinusoidal
        do { try lm.validate(); Issue.record("sinusoidal accepted by the decoder-only model") } catch {
            #expect("\(error)".contains("learned or none"))
        }
    }
}
