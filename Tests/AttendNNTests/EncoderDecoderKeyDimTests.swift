import AttendData
import AttendModels
import AttendNN
import AttendTensor
import AttendTestSupport
import Foundation
import Testing

/// A tiny encoder–decoder (width 16, 2 heads: d_v = 8) with query/key width `keyDim` and the given
/// absolute positions, one kind per role.
func tinyKeyDimModel(keyDim: Int?, positions: AbsolutePositions = .sinusoidal, encoder: AttentionKind = .softmax,
                     decoder: AttentionKind = .softmax, cross: AttentionKind = .softmax, placement: NormPlacement = .post,
                     seed: UInt64 = 3) throws -> EncoderDecoder {
    var config = EncoderDecoderConfig(vocabSize: 13, maxLength: 16, modelDim: 16, numHeads: 2, numEncoderLayers: 2,
                                      numDecoderLayers: 2, hiddenDim: 32, dropout: 0, normPlacement: placement,
                                      encoderAttention: encoder, decoderAttention: decoder, crossAttention: cross)
    config.keyDim = keyDim
    config.positions = positions
    var rng = RandomGenerator(seed: seed)
    return try EncoderDecoder(config, rng: &rng)
}

@Suite("Encoder–decoder: key width d_k and learned positions (Table 3 rows (B) and (E))")
struct EncoderDecoderKeyDimTests {
    let inference = ForwardContext(training: false)
    let examples = [TranslationExample(source: [4, 5, 6, 7, 8], target: [9, 10, 11, 12]),
                    TranslationExample(source: [5, 6], target: [7, 8, 9])]
    var batch: TranslationBatch { TranslationBatch(examples, padID: 0, bosID: 1, eosID: 2) }

    func shapes(_ m: EncoderDecoder) -> [String: [Int]] {
        Dictionary(uniqueKeysWithValues: m.namedParameters().map { ($0.name, $0.tensor.shape) })
    }

    @Test("queries and keys get H·d_k rows in every role, values and outputs keep modelDim; unset keyDim keeps today's shapes")
    func parameterShapes() throws {
        let narrow = shapes(try tinyKeyDimModel(keyDim: 3))
        #expect(narrow["encoder.0.attention.qkv.weight"] == [2 * 2 * 3 + 16, 16])
        #expect(narrow["decoder.1.selfAttention.qkv.weight"] == [28, 16])
        #expect(narrow["decoder.0.crossAttention.query.weight"] == [6, 16])
        #expect(narrow["decoder.0.crossAttention.query.bias"] == [6])
        #expect(narrow["decoder.0.crossAttention.keyValue.weight"] == [6 + 16, 16])
        #expect(narrow["decoder.0.crossAttention.output.weight"] == [16, 16])
        #expect(narrow["encoder.1.attention.output.weight"] == [16, 16])
        let wide = shapes(try tinyKeyDimModel(keyDim: 12))
        #expect(wide["encoder.0.attention.qkv.weight"] == [64, 16] && wide["decoder.0.crossAttention.keyValue.weight"] == [40, 16])
        let plain = shapes(try tinyKeyDimModel(keyDim: nil))
        #expect(plain["encoder.0.attention.qkv.weight"] == [48, 16] && plain["decoder.0.crossAttention.query.weight"] == [16, 16])
        #expect(plain["decoder.0.crossAttention.keyValue.weight"] == [32, 16])
        #expect(!plain.keys.contains { $0.contains("Positions") })
        // keyDim = modelDim / numHeads spelled out is the default model, weight for weight and logit for logit.
        let a = try tinyKeyDimModel(keyDim: nil), b = try tinyKeyDimModel(keyDim: 8)
        for ((name, x), (_, y)) in zip(a.namedParameters(), b.namedParameters()) { #expect(x.scalars == y.scalars, "\(name)") }
        #expect(withoutGradients { a(batch, context: inference).scalars } == withoutGradients { b(batch, context: inference).scalars })
        // Per-layer d_k: the self-attentions and the cross-attention report it.
        let m = try tinyKeyDimModel(keyDim: 3)
        #expect(m.encoderBlocks[0].attention.keyDim == 3 && m.encoderBlocks[0].attention.valueDim == 8)
        #expect(m.decoderBlocks[1].selfAttention.keyDim == 3 && m.decoderBlocks[1].crossAttention.keyDim == 3)
    }

    @Test("a layer with d_k = 3, d_v = 2 computes softmax(Q·Kᵀ/√3)·V with [W_Q; W_K; W_V] stacked in qkv")
    func layerMath() throws {
        var rng = RandomGenerator(seed: 4)
        let (c, h, dk, dv, t) = (4, 2, 3, 2, 3)
        let layer = MultiHeadAttention(modelDim: c, numHeads: h, spec: AttentionSpec(), bias: true, outputStd: 0.3, keyDim: dk, rng: &rng)
        #expect(layer.qkv.weight.shape == [2 * h * dk + c, c] && layer.valueDim == dv)
        layer.qkv.bias!.copyValues(from: Tensor.uniform([2 * h * dk + c], low: -0.5, high: 0.5, rng: &rng))
        let x = randomTensor([1, t, c], seed: 9)
        let out = withoutGradients { layer(x, mask: AttentionMask(causal: false, keyLengths: nil)) }
        // Reference in Double: rows of the fused projection, per head scores scaled by 1/√d_k.
        let w = layer.qkv.weight.scalars.map(Double.init), bq = layer.qkv.bias!.scalars.map(Double.init)
        func projected(_ row: Int, _ pos: Int) -> Double {
            (0..<c).reduce(bq[row]) { $0 + w[row * c + $1] * Double(x[flat: pos * c + $1]) }
        }
        var mixed = [Double](repeating: 0, count: t * c)  // merged heads [T, C]
        for head in 0..<h {
            for i in 0..<t {
                let scores = (0..<t).map { j in
                    (0..<dk).reduce(0.0) { $0 + projected(head * dk + $1, i) * projected(h * dk + head * dk + $1, j) } / Double(dk).squareRoot()
                }
                let top = scores.max()!
                let z = scores.reduce(0) { $0 + exp($1 - top) }
                for j in 0..<t {
                    let p = exp(scores[j] - top) / z
                    for e in 0..<dv { mixed[i * c + head * dv + e] += p * projected(2 * h * dk + head * dv + e, j) }
                }
            }
        }
        let wo = layer.output.weight.scalars.map(Double.init), bo = layer.output.bias!.scalars.map(Double.init)
        var worst = 0.0
        for i in 0..<t {
            for r in 0..<c {
                let expected = (0..<c).reduce(bo[r]) { $0 + wo[r * c + $1] * mixed[i * c + $1] }
                worst = max(worst, abs(expected - Double(out[flat: i * c + r])))
            }
        }
        #expect(worst <= 1e-5, "largest difference \(worst)")
    }

    @Test("learned positions: one table per side [maxLength, modelDim], started N(0, ½) (not Xavier), and they move the output")
    func learnedTables() throws {
        let m = try tinyKeyDimModel(keyDim: nil, positions: .learned)
        let s = shapes(m)
        #expect(s["encoderPositions.weight"] == [16, 16] && s["decoderPositions.weight"] == [16, 16])
        #expect(m.positions == nil)
        for table in [m.encoderPositions!.weight, m.decoderPositions!.weight] {
            let values = table.scalars.map(Double.init)
            let mean = values.reduce(0, +) / Double(values.count)
            let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
            // N(0, ½): std 0.707 (256 draws: ±0.05); Xavier-uniform for [16, 16] would give 0.25, N(0, 1/C) 0.25.
            #expect(abs(std - 0.5.squareRoot()) < 0.1 && abs(mean) < 0.15, "std \(std), mean \(mean)")
        }
        #expect(m.encoderPositions!.weight.scalars != m.decoderPositions!.weight.scalars)
        // Swapping two source tokens changes the output (the encoder sees order through its table).
        var swapped = batch
        swapped.source.swapAt(1, 3)
        let a = withoutGradients { m(batch, context: inference).scalars }, b = withoutGradients { m(swapped, context: inference).scalars }
        #expect(zip(a, b).contains { abs($0 - $1) > 1e-4 })
        // Zeroing the decoder table changes the logits: it is added to the decoder input.
        m.decoderPositions!.weight.copyValues(from: Tensor.zeros([16, 16]))
        let c = withoutGradients { m(batch, context: inference).scalars }
        #expect(zip(a, c).contains { abs($0 - $1) > 1e-4 })
    }

    @Test("gradients with d_k ≠ d_v and learned positions match finite differences; unused position rows get none",
          arguments: [(3, AbsolutePositions.learned, NormPlacement.pre), (12, .learned, .post), (5, .sinusoidal, .post)])
    func gradient(keyDim: Int, positions: AbsolutePositions, placement: NormPlacement) throws {
        let m = try tinyKeyDimModel(keyDim: keyDim, positions: positions, placement: placement)
        let batch = self.batch
        m.loss(batch, smoothing: 0.1, context: inference).backward()
        let keyRows = 2 * keyDim  // H·d_k: the first key row of qkv, the first value row of keyValue
        let picks: [String: [Int]] = [
            "encoder.0.attention.qkv.weight": [0, keyRows * 16 + 3, 2 * keyRows * 16 + 5],        // W_Q, W_K, W_V
            "decoder.1.selfAttention.qkv.weight": [7, keyRows * 16 + 1, 2 * keyRows * 16 + 17],
            "decoder.0.crossAttention.query.weight": [0, keyRows * 16 - 1],
            "decoder.1.crossAttention.keyValue.weight": [2, keyRows * 16 + 4],                    // W_K, W_V
            "decoder.0.crossAttention.query.bias": [keyRows - 1],
            "encoderPositions.weight": [0, 2 * 16 + 5, 4 * 16 + 15],                               // source positions 0, 2, 4
            "decoderPositions.weight": [3, 16 + 8, 3 * 16 + 2],                                    // target positions 0, 1, 3
        ]
        var checked = 0
        for (name, p) in m.namedParameters() {
            guard let indices = picks[name] else { continue }
            let g = p.grad!.scalars
            for j in indices {
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
        #expect(checked == (positions == .learned ? 17 : 11))
        if positions == .learned {
            // Source length 6 (5 tokens + <eos>), target length 5: rows past them never enter the model.
            let encoderGrad = m.encoderPositions!.weight.grad!.scalars, decoderGrad = m.decoderPositions!.weight.grad!.scalars
            #expect((0..<(6 * 16)).contains { encoderGrad[$0] != 0 } && encoderGrad[(6 * 16)...].allSatisfy { $0 == 0 })
            #expect((0..<(5 * 16)).contains { decoderGrad[$0] != 0 } && decoderGrad[(5 * 16)...].allSatisfy { $0 == 0 })
        }
        m.zeroGradients()
    }

    @Test("incremental decoding (kernel step, KV cache or recurrent state, cross memory) equals the parallel form for d_k ≠ d_v and learned positions",
          arguments: EncoderDecoderConfig.sourceAttentionKinds)
    func stepEqualsParallel(kind: AttentionKind) throws {
        for (keyDim, positions, placement) in [(3, AbsolutePositions.sinusoidal, NormPlacement.post), (12, .learned, .pre),
                                               (nil, .learned, .post), (5, .learned, .post)] as [(Int?, AbsolutePositions, NormPlacement)] {
            for (enc, dec, cross) in [(kind, kind, kind), (AttentionKind.softmax, kind, AttentionKind.linear)] {
                let m = try tinyKeyDimModel(keyDim: keyDim, positions: positions, encoder: enc, decoder: dec, cross: cross, placement: placement)
                let deviation = try decodingDeviation(m)
                #expect(deviation <= 2e-4, "d_k \(String(describing: keyDim)) \(positions) \(enc)/\(dec)/\(cross): \(deviation)")
            }
        }
        // bf16 weights read through the wider/narrower projections stay close.
        let low = try decodingDeviation(try tinyKeyDimModel(keyDim: 3, positions: .learned, encoder: kind, decoder: kind, cross: kind),
                                        precision: .bfloat16)
        #expect(low > 0 && low <= 2e-2)
    }

    @Test("causal correlation decoder self-attention with d_k ≠ d_v: the step form equals the parallel form")
    func correlationDecoder() throws {
        for keyDim in [3, 12] {
            let m = try tinyKeyDimModel(keyDim: keyDim, positions: .learned, decoder: .correlation, placement: .pre)
            #expect(try decodingDeviation(m) <= 2e-4)
        }
    }

    @Test("greedy decoding picks the parallel forward's argmax at every position; beam 1 equals greedy (d_k 3, learned positions)",
          arguments: [UInt64(3), 4, 5])
    func greedyIsParallelArgmax(seed: UInt64) throws {
        let m = try tinyKeyDimModel(keyDim: 3, positions: .learned, seed: seed)
        let sources: [[Int32]] = [[4, 5, 6, 7], [8, 9], [10, 11, 12, 4, 5, 6]]
        let options = DecodingOptions(beamSize: 1, lengthPenalty: 0.6, maxExtraLength: 5)
        let greedy = m.greedyDecode(sources, options: options)
        #expect(greedy == m.beamSearch(sources, options: options))
        for (source, output) in zip(sources, greedy) {
            // Teacher-force <bos> + output through the parallel model: each output token (and the final
            // <eos>, unless the length limit stopped it) is the argmax of the row before it.
            let limit = min(source.count + options.maxExtraLength, 16)  // `outputLimit`: source tokens + extra, at most maxLength
            let example = TranslationExample(source: source, target: output)
            let one = TranslationBatch([example], padID: 0, bosID: 1, eosID: 2)
            let logits = withoutGradients { m(one, context: inference).scalars }
            let expected = output + (output.count < limit ? [2] : [])
            for (pos, token) in expected.enumerated() {
                let row = Array(logits[(pos * 13)..<((pos + 1) * 13)])
                let best = row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }!
                #expect(Int32(best) == token, "source \(source) position \(pos): parallel argmax \(best), decoded \(token)")
            }
        }
        // Beam 3 returns one hypothesis per source, unchanged by batching.
        let beams = m.beamSearch(sources, options: DecodingOptions(beamSize: 3, lengthPenalty: 0.6, maxExtraLength: 5))
        #expect(m.beamSearch([sources[1]], options: DecodingOptions(beamSize: 3, lengthPenalty: 0.6, maxExtraLength: 5))[0] == beams[1])
    }

    @Test("config.json: keyDim and learned positions round-trip; a config without keyDim decodes to nil (modelDim / numHeads)")
    func codable() throws {
        var c = EncoderDecoderConfig(vocabSize: 20)
        c.keyDim = 16
        c.positions = .learned
        let json = try JSONEncoder().encode(c)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains(#""keyDim":16"#) && text.contains(#""positions":"learned""#))
        #expect(try JSONDecoder().decode(EncoderDecoderConfig.self, from: json) == c)
        // Unset, the key is not written, and the old format (no keyDim, no positions) decodes to the defaults.
        let plain = String(decoding: try JSONEncoder().encode(EncoderDecoderConfig(vocabSize: 20)), as: UTF8.self)
        #expect(!plain.contains("keyDim"))
        let decoded = try JSONDecoder().decode(EncoderDecoderConfig.self, from: Data(OldConfigTests.encoderDecoder.utf8))
        #expect(decoded.keyDim == nil && decoded.effectiveKeyDim == 32 / 4)
        let first = #"{"vocabSize":8000,"maxLength":256,"modelDim":256,"numHeads":4,"numEncoderLayers":3,"numDecoderLayers":3,"hiddenDim":1024,"dropout":0.1,"bias":true,"normPlacement":"post","encoderAttention":"softmax","decoderAttention":"softmax","crossAttention":"softmax","activation":"relu","padID":0,"bosID":1,"eosID":2}"#
        let firstDecoded = try JSONDecoder().decode(EncoderDecoderConfig.self, from: Data(first.utf8))
        #expect(firstDecoded == EncoderDecoderConfig(vocabSize: 8000) && firstDecoded.keyDim == nil && firstDecoded.positions == .sinusoidal)
        #expect(firstDecoded.effectiveKeyDim == 64)
    }

    @Test("validation: a bad keyDim is refused naming keyDim and what to do; every role's kind accepts a key width")
    func validation() throws {
        func message(_ edit: (inout EncoderDecoderConfig) -> Void) -> String? {
            var c = EncoderDecoderConfig(vocabSize: 13, maxLength: 16, modelDim: 16, numHeads: 2)
            edit(&c)
            do { try c.validate(); return nil } catch { return "\(error)" }
        }
        for bad in [0, -4] {
            let text = message { $0.keyDim = bad }
            #expect(text?.contains("invalid keyDim") == true && text?.contains("positive") == true && text?.contains("\(bad)") == true,
                    "\(String(describing: text))")
        }
        let odd = message { $0.rotary = true; $0.keyDim = 3 }
        #expect(odd?.contains("invalid keyDim") == true && odd?.contains("even") == true && odd?.contains("--rotary false") == true,
                "\(String(describing: odd))")
        #expect(message { $0.rotary = true; $0.keyDim = 4 } == nil)
        #expect(message { $0.positions = .learned } == nil)
        #expect(message { $0.positions = .learned; $0.modelDim = 15; $0.numHeads = 3 } == nil)  // odd width: only sinusoids need it even
        for kind in EncoderDecoderConfig.sourceAttentionKinds {
            #expect(message { $0.keyDim = 5; $0.encoderAttention = kind; $0.crossAttention = kind; $0.decoderAttention = kind } == nil, "\(kind)")
        }
        #expect(message { $0.keyDim = 5; $0.decoderAttention = .correlation } == nil)
        // Dot-product-free self-attention has no keys: keyDim then shapes the cross-attention only.
        var free = EncoderDecoderConfig(vocabSize: 13, maxLength: 16, modelDim: 16, numHeads: 2, numEncoderLayers: 1, numDecoderLayers: 1,
                                        hiddenDim: 32, dropout: 0)
        free.positionBias = .alibi
        free.dotProduct = false
        free.keyDim = 3
        var rng = RandomGenerator(seed: 1)
        let m = try EncoderDecoder(free, rng: &rng)
        let s = shapes(m)
        #expect(s["encoder.0.attention.qkv.weight"] == [16, 16] && s["decoder.0.selfAttention.qkv.weight"] == [16, 16])
        #expect(s["decoder.0.crossAttention.query.weight"] == [6, 16] && s["decoder.0.crossAttention.keyValue.weight"] == [22, 16])
        #expect(m.encoderBlocks[0].attention.keyDim == 0)
        #expect(try decodingDeviation(m) <= 2e-4)
        // The model refuses what the config refuses.
        var bad = EncoderDecoderConfig(vocabSize: 13, maxLength: 16, modelDim: 16, numHeads: 2)
        bad.keyDim = 0
        #expect(throws: ConfigError.invalid(field: "keyDim", message: "must be a positive integer (the query/key width per head, the paper's d_k), got 0; leave it out (--key-dim not given) for modelDim / numHeads")) {
            _ = try EncoderDecoder(bad, rng: &rng)
        }
    }
}
