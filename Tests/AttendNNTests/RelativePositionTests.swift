import AttendModels
import AttendNN
import AttendTensor
import AttendTestSupport
import Foundation
import Testing

/// Every bias that works under a causal mask (what a decoder uses).
let causalPositionBiases = PositionBias.allCases.filter { $0 != .none && !$0.isBidirectionalOnly }

@Suite("Relative positions and dot-product-free attention")
struct RelativePositionTests {
    func random(_ shape: [Int], _ seed: UInt64) -> Tensor { randomTensor(shape, seed: seed) }

    /// A bias with non-trivial parameters (T5 tables start at zero; give them random values).
    func bias(_ kind: PositionBias, heads: Int, buckets: Int = 8, maxDistance: Int = 20) -> RelativePositionBias {
        let b = RelativePositionBias(kind: kind, numHeads: heads, buckets: buckets, maxDistance: maxDistance)
        if let w = b.weight {
            let r = random(w.shape, 77)
            for i in 0..<w.count { w[flat: i] += r[flat: i] }
        }
        return b
    }

    @Test("T5 buckets match the reference PyTorch code (fixture) and hand-computed values")
    func t5Buckets() {
        for c in t5BucketFixture {
            let ours = t5BucketFixtureOffsets.map {
                RelativePositionBias.bucket(relativePosition: $0, bidirectional: c.bidirectional, buckets: c.buckets, maxDistance: c.maxDistance)
            }
            #expect(ours == c.expected, "bidirectional \(c.bidirectional), \(c.buckets) buckets, max distance \(c.maxDistance)")
        }
        func causal(_ offset: Int) -> Int { RelativePositionBias.bucket(relativePosition: offset, bidirectional: false, buckets: 32, maxDistance: 128) }
        func both(_ offset: Int) -> Int { RelativePositionBias.bucket(relativePosition: offset, bidirectional: true, buckets: 32, maxDistance: 128) }
        // Causal, 32 buckets: lags 0…15 exact; lag 20 → 16 + ⌊ln(20/16)/ln(128/16)·16⌋ = 16 + ⌊1.717⌋ = 17;
        // lag 64 → 16 + ⌊ln 4/ln 8·16⌋ = 16 + ⌊10.67⌋ = 26; lag ≥ 128 → 31; keys after the query → 0.
        #expect([0, -1, -15, -16, -20, -64, -127, -128, -1000, 5].map(causal) == [0, 1, 15, 16, 17, 26, 31, 31, 31, 0])
        // Bidirectional: 16 buckets per sign, 8 exact; keys after the query (offset > 0) add 16.
        // Lag 10 → 8 + ⌊ln(10/8)/ln(16)·8⌋ = 8 + ⌊0.644⌋ = 8.
        #expect([0, -1, 1, -7, 7, -10, 10, -200, 200].map(both) == [0, 1, 17, 7, 23, 8, 24, 15, 31])
    }

    @Test("lag convention: τ = t − s + 1, so the current token has log-type bias 0 and lin-type bias −p")
    func lagConvention() {
        let log = RelativePositionBias(kind: .logType, numHeads: 2)  // p_h = exp(0) = 1 at start
        let r = withoutGradients { log(queryLength: 4, keyLength: 4) }
        #expect(r[flat: 3 * 4 + 3] == 0)  // head 0, t = s = 3: τ = 1, −log 1 = 0
        #expect(abs(r[flat: 3 * 4 + 1] - -Foundation.log(Float(3))) < 1e-6)  // t = 3, s = 1: τ = 3
        let lin = RelativePositionBias(kind: .linType, numHeads: 4)
        let slopes = RelativePositionBias.alibiSlopes(numHeads: 4)
        let rl = withoutGradients { lin(queryLength: 3, keyLength: 3) }
        #expect(abs(rl[flat: (1 * 3 + 2) * 3 + 2] - -slopes[1]) < 1e-6)  // head 1, τ = 1: −p_1 (starts at the ALiBi slope)
        #expect(abs(rl[flat: (1 * 3 + 2) * 3 + 0] - -3 * slopes[1]) < 1e-6)  // τ = 3
        // ALiBi: −m_h·(t − s), slopes 2^(−8h/H): for 8 heads 1/2, 1/4, …, 1/256.
        #expect(RelativePositionBias.alibiSlopes(numHeads: 8) == (1...8).map { Float(1) / Float(1 << $0) })
        let alibi = RelativePositionBias(kind: .alibi, numHeads: 8)
        let ra = alibi(queryLength: 2, keyLength: 5)  // queries at positions 3 and 4
        #expect(ra[flat: 1 * 5 + 0] == -0.5 * 4 && ra[flat: 1 * 5 + 4] == 0)
        #expect(alibi.parameters.isEmpty && log.parameters.map(\.name) == ["logScale"])
    }

    @Test("every causal position bias, with and without the dot product: the recurrent form equals the parallel form",
          arguments: causalPositionBiases, [true, false])
    func recurrentEqualsParallel(kind: PositionBias, dotProduct: Bool) {
        let (b, h, t, dv) = (2, 3, 70, 8)
        let d = dotProduct ? 8 : 0
        let mechanism = RelativePositionAttention(bias: bias(kind, heads: h))
        let q = random([b, h, t, d], 1), k = random([b, h, t, d], 2), v = random([b, h, t, dv], 3)
        let parallel = withoutGradients { mechanism(queries: q, keys: k, values: v, mask: .causal) }
        var state = mechanism.initialState(batch: b, heads: h, keyDim: d, valueDim: dv)
        var worst: Float = 0
        for step in 0..<t {
            func row(_ x: Tensor) -> Tensor {
                let w = x.shape[3], r = Tensor(uninitializedShape: [b, h, w])
                for i in 0..<(b * h) { (r.pointer + i * w).update(from: x.pointer + (i * t + step) * w, count: w) }
                return r
            }
            let out = withoutGradients { mechanism.step(query: row(q), key: row(k), value: row(v), state: &state) }
            let expected = row(parallel)
            for i in 0..<out.count { worst = max(worst, abs(out[flat: i] - expected[flat: i])) }
        }
        #expect(worst <= 1e-4)
    }

    @Test("every causal position bias: changing position t+1 never changes outputs at ≤ t", arguments: causalPositionBiases)
    func causality(kind: PositionBias) {
        let (b, h, t, d) = (1, 2, 12, 4)
        let mechanism = RelativePositionAttention(bias: bias(kind, heads: h))
        let q = random([b, h, t, d], 1), k = random([b, h, t, d], 2), v = random([b, h, t, d], 3)
        let base = withoutGradients { mechanism(queries: q, keys: k, values: v, mask: .causal) }
        for x in [q, k, v] { for i in 0..<(b * h) { for c in 0..<d { x[flat: (i * t + 7) * d + c] += 0.5 } } }
        let changed = withoutGradients { mechanism(queries: q, keys: k, values: v, mask: .causal) }
        for i in 0..<(b * h) {
            for s in 0..<t {
                let same = (0..<d).allSatisfy { base[flat: (i * t + s) * d + $0] == changed[flat: (i * t + s) * d + $0] }
                #expect(same == (s < 7), "head \(i) position \(s)")
            }
        }
    }

    func config(_ kind: PositionBias, dotProduct: Bool, positions: AbsolutePositions = .none) -> ModelConfig {
        var c = ModelConfig(vocabSize: 11, contextLength: 8, modelDim: 16, numHeads: 4, numLayers: 2)
        c.positionBias = kind
        c.positionBuckets = 8
        c.positionMaxDistance = 20
        c.dotProduct = dotProduct
        c.positions = positions
        return c
    }

    @Test("decoder-only model with a position bias: generation steps give the parallel logits",
          arguments: causalPositionBiases, [true, false])
    func recurrentModel(kind: PositionBias, dotProduct: Bool) throws {
        var rng = RandomGenerator(seed: 5)
        let m = try DecoderOnly(config(kind, dotProduct: dotProduct), rng: &rng)
        for (_, p) in m.namedParameters() where p.rank == 2 && p.shape[1] == 8 { p.copyValues(from: random(p.shape, 9)) }  // T5 tables
        #expect(m.positionEmbedding == nil)
        #expect(try stepperDeviation(m, tokens: [[1, 2, 3, 4, 5, 6, 7, 8], [8, 3, 3, 0, 10, 2, 1, 9]]) <= 1e-4)
    }

    @Test("parameter names and shapes: dot-product-free layers project only values; the bias has its own parameters")
    func parameters() throws {
        var rng = RandomGenerator(seed: 1)
        let m = try DecoderOnly(config(.t5, dotProduct: false), rng: &rng)
        let shapes = Dictionary(uniqueKeysWithValues: m.namedParameters().map { ($0.name, $0.tensor.shape) })
        #expect(shapes["blocks.0.attention.qkv.weight"] == [16, 16])
        #expect(shapes["blocks.1.attention.positionBias.table"] == [4, 8])
        #expect(shapes["positionEmbedding.weight"] == nil)
        #expect(!m.decayedParameterNames().contains("blocks.1.attention.positionBias.table"))
        #expect(m.decayedParameterNames().contains("blocks.1.attention.qkv.weight"))
        let log = try DecoderOnly(config(.logType, dotProduct: true, positions: .learned), rng: &rng)
        let logShapes = Dictionary(uniqueKeysWithValues: log.namedParameters().map { ($0.name, $0.tensor.shape) })
        #expect(logShapes["blocks.0.attention.qkv.weight"] == [48, 16])
        #expect(logShapes["blocks.0.attention.positionBias.logScale"] == [4])
        #expect(logShapes["positionEmbedding.weight"] == [8, 16])
    }

    @Test("whole-model gradient with a position bias matches finite differences", arguments: [PositionBias.t5, .logType, .linType])
    func modelGradient(kind: PositionBias) throws {
        var rng = RandomGenerator(seed: 3)
        let m = try DecoderOnly(config(kind, dotProduct: kind != .t5), rng: &rng)
        for (_, p) in m.namedParameters() where p.rank == 2 && p.shape[1] == 8 { p.copyValues(from: random(p.shape, 9)) }
        let ids: [Int32] = [1, 5, 2, 7, 3, 0, 4, 4], targets: [Int32] = [5, 2, 7, 3, 0, 4, 4, 9]
        expectModelGradientMatchesFiniteDifferences(m, inputs: ids, targets: targets,
                                                    include: { $0.contains("positionBias") || $0.contains("qkv") },
                                                    indices: { [0, $0 / 2, $0 - 1] })
    }

    @Test("config: old config.json files without the new keys still load, new keys round-trip")
    func codable() throws {
        let old = #"{"vocabSize":65,"contextLength":64,"modelDim":128,"numHeads":4,"numLayers":4,"hiddenDim":512,"dropout":0,"bias":false,"tieWeights":true,"normPlacement":"pre","attention":"softmax","activation":"gelu"}"#
        let decoded = try JSONDecoder().decode(ModelConfig.self, from: Data(old.utf8))
        #expect(decoded == ModelConfig(vocabSize: 65, contextLength: 64, modelDim: 128, numHeads: 4, numLayers: 4))
        #expect(decoded.positionBias == .none && decoded.dotProduct && decoded.positions == .learned && decoded.favorFeatures == 64)
        var c = config(.linType, dotProduct: false)
        c.favorSeed = 9
        c.favorRedraw = true
        let json = try JSONEncoder().encode(c)
        #expect(String(decoding: json, as: UTF8.self).contains(#""positionBias":"lin-type""#))
        #expect(try JSONDecoder().decode(ModelConfig.self, from: json) == c)
    }

    @Test("config validation refuses impossible combinations with a message saying what to do")
    func validation() {
        func message(_ c: ModelConfig) -> String? {
            var rng = RandomGenerator(seed: 1)
            do { _ = try DecoderOnly(c, rng: &rng); return nil } catch { return "\(error)" }
        }
        var linear = config(.alibi, dotProduct: true)
        linear.attention = .linear
        #expect(message(linear)?.contains("--attention softmax") == true)
        #expect(message(config(.none, dotProduct: false))?.contains("--position-bias") == true)
        #expect(message(config(.t5Bidirectional, dotProduct: true))?.contains("use t5") == true)
        var buckets = config(.t5, dotProduct: true)
        buckets.positionMaxDistance = 3
        #expect(message(buckets)?.contains("positionMaxDistance") == true)
        #expect(message(config(.alibi, dotProduct: false)) == nil)
    }

    @Test("FAVOR+ settings reach the layer: feature count and seed change the output; redraw draws anew each pass")
    func favorSettings() {
        func layer(_ s: AttentionSpec) -> MultiHeadAttention {
            var rng = RandomGenerator(seed: 4)
            var spec = s
            spec.kind = .linearFavor
            return MultiHeadAttention(modelDim: 16, numHeads: 2, spec: spec, bias: false, outputStd: 0.02, rng: &rng)
        }
        let x = random([1, 5, 16], 6)
        func run(_ l: MultiHeadAttention) -> [Float] { withoutGradients { l(x, mask: .causal).scalars } }
        let base = layer(.init())
        #expect(run(base) == run(base))
        #expect(run(layer(.init())) == run(base))
        #expect(run(layer(.init(favorFeatures: 32))) != run(base))
        #expect(run(layer(.init(favorSeed: 3))) != run(base))
        let redraw = layer(.init(favorRedraw: true))
        #expect(run(redraw) != run(redraw))
    }
}
