import Attend
import Testing

@Suite("The estimator takes attention costs from the mechanisms")
struct EstimatorTests {
    func runs(_ json: String) throws -> [RunSpec] { try Study.decodeScaleFile(json, file: "test.json").flatMap { $0.runs() } }

    @Test("attention-scaling forecasts are batch·T·(the mechanism's FLOPs per token)·3.5·(repeats + 1), for every kind")
    func attentionScaling() throws {
        let kinds = AttentionKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        let all = try runs(#"{"experiments": [{"name": "s", "task": "attention-scaling", "kinds": [\#(kinds)], "lengths": [64, 1024], "heads": 2, "headDim": 16, "repeats": 1}]}"#)
        let estimator = Estimator(peakGFLOPs: 1, baseBytes: 0)
        #expect(all.count == 2 * AttentionKind.allCases.count)
        for run in all {
            let cost = AttentionSpec(kind: run.kind).cost(length: run.int("length"), heads: 2, headDim: 16)
            let flops = estimator.estimate(run).flops
            #expect(abs(flops - Double(run.int("length")) * cost.flopsPerToken * 3.5 * 2) <= 1e-6 * flops, "\(run.kind) \(run.int("length"))")
        }
        // Quadratic kinds (correlation too, which the old kind == .softmax test counted as linear) grow
        // far faster with T than linear attention.
        func growth(_ kind: AttentionKind) -> Double {
            let pair = all.filter { $0.kind == kind }.map { estimator.estimate($0).flops }
            return pair[1] / pair[0]
        }
        #expect(growth(.softmax) > 15 * growth(.linear))
        #expect(growth(.correlation) > 15 * growth(.linear))
        #expect(abs(growth(.linear) - 16) < 1e-9)
    }

    @Test("generation forecasts read the cache size from the mechanism: a KV cache grows with the tokens, a recurrent state does not")
    func generationState() throws {
        let all = try runs(#"{"experiments": [{"name": "g", "task": "generation", "variants": [{"kind": "linear", "cache": "state"}, {"kind": "softmax", "cache": "state"}], "tokens": [64, 1024], "batches": [1], "model": {"numLayers": 2, "numHeads": 2, "modelDim": 32}, "window": 8, "measuredPrefixes": 2}]}"#)
        let estimator = Estimator(peakGFLOPs: 1, baseBytes: 0)
        func bytes(_ kind: AttentionKind, _ tokens: Int) -> Double {
            estimator.estimate(all.first { $0.kind == kind && $0.int("tokens") == tokens }!).bytes
        }
        // Parameter bytes grow with the position table (tokens + 1 rows of 32 floats); the rest is state.
        let table = Double(1024 - 64) * 32 * 4
        #expect(abs(bytes(.linear, 1024) - bytes(.linear, 64) - table) < 1)
        let cache = 2 * 2 * 2 * Double(1024 - 64) * 32 * 4  // layers · (K and V) · spare capacity · positions · width · 4 bytes
        #expect(abs(bytes(.softmax, 1024) - bytes(.softmax, 64) - table - cache) < 1)
    }
}

@Suite("The materialising softmax reference of attention-scaling")
struct MaterializedAttentionTests {
    @Test("materializedLengths adds softmax runs marked materialized, which hold the T×T probabilities")
    func memoryGrowth() throws {
        let e = try #require(try Study.decodeScaleFile(#"{"experiments": [{"name": "s", "task": "attention-scaling", "kinds": ["softmax", "linear"], "lengths": [128, 512], "materializedLengths": [128, 512], "heads": 2, "headDim": 16}]}"#, file: "t.json").first)
        let runs = e.runs()
        #expect(runs.count == 6)
        #expect(runs.filter { $0.parameters["implementation"] == "materialized" }.map(\.kind) == [.softmax, .softmax])
        #expect(runs.filter { $0.parameters["implementation"] == "fused" }.count == 4)
        func memory(_ materialized: Bool, _ t: Int) -> Double {
            AttentionTiming.forwardBackward(kind: .softmax, batch: 1, heads: 2, length: t, headDim: 16, repeats: 1, materialized: materialized).peakTensorBytes
        }
        // The materialising form holds the T×T probabilities: at least H·T² floats (the fused kernel holds
        // O(T): 0.27 MB at T = 512 here against 2.4 MB). Only lower bounds: the buffer pool's peak also
        // counts what tests running alongside allocate.
        #expect(memory(true, 512) >= 2 * 512 * 512 * 4)
        #expect(memory(true, 128) >= 2 * 128 * 128 * 4)
    }
}
