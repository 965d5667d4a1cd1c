import AttendNN
import AttendTensor
import Testing

@Suite("Attention mechanisms")
struct AttentionMechanismTests {
    func random(_ shape: [Int], _ seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor.uniform(shape, low: -1, high: 1, rng: &rng)
    }

    /// Runs the parallel causal form and the recurrent form step by step; returns the max difference.
    func recurrentDiscrepancy(_ mechanism: some AttentionMechanism, b: Int, h: Int, t: Int, d: Int) -> Float {
        let q = random([b, h, t, d], 1), k = random([b, h, t, d], 2), v = random([b, h, t, d], 3)
        let parallel = withoutGradients { mechanism(queries: q, keys: k, values: v, mask: .causal) }
        var state = mechanism.initialState(batch: b, heads: h, keyDim: d, valueDim: d)
        var maxDiff: Float = 0
        for step in 0..<t {
            func row(_ x: Tensor) -> Tensor {
                let r = Tensor(uninitializedShape: [b, h, d])
                for i in 0..<(b * h) { (r.pointer + i * d).update(from: x.pointer + (i * t + step) * d, count: d) }
                return r
            }
            let out = withoutGradients { mechanism.step(query: row(q), key: row(k), value: row(v), state: &state) }
            let expected = row(parallel)
            for i in 0..<out.count { maxDiff = max(maxDiff, abs(out[flat: i] - expected[flat: i])) }
        }
        return maxDiff
    }

    @Test("every kind: the recurrent form equals the causal parallel form", arguments: AttentionKind.allCases)
    func recurrentEqualsParallel(kind: AttentionKind) {
        #expect(recurrentDiscrepancy(kind.mechanism, b: 2, h: 3, t: 9, d: 4) <= 1e-4)
        #expect(recurrentDiscrepancy(kind.mechanism, b: 1, h: 2, t: 70, d: 16) <= 1e-4)
    }

    @Test("every kind: changing the input at t+1 never changes outputs at ≤ t", arguments: AttentionKind.allCases)
    func causality(kind: AttentionKind) {
        let (b, h, t, d) = (1, 2, 12, 4)
        let q = random([b, h, t, d], 1), k = random([b, h, t, d], 2), v = random([b, h, t, d], 3)
        let base = withoutGradients { kind.mechanism(queries: q, keys: k, values: v, mask: .causal) }
        for x in [q, k, v] {
            for i in 0..<(b * h) { for c in 0..<d { x[flat: (i * t + 7) * d + c] += 0.5 } }
        }
        let changed = withoutGradients { kind.mechanism(queries: q, keys: k, values: v, mask: .causal) }
        for i in 0..<(b * h) {
            for s in 0..<t {
                let same = (0..<d).allSatisfy { base[flat: (i * t + s) * d + $0] == changed[flat: (i * t + s) * d + $0] }
                #expect(same == (s < 7), "head \(i) position \(s)")
            }
        }
    }
}
