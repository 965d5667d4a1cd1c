import AttendNN
import AttendTensor
import Testing

@Suite("Attention mechanisms")
struct AttentionMechanismTests {
    func random(_ shape: [Int], _ seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor.uniform(shape, low: -1, high: 1, rng: &rng)
    }

    @Test("softmax attention: the recurrent (KV-cache) form equals the causal parallel form")
    func recurrentEqualsParallel() {
        let (b, h, t, d) = (2, 3, 9, 4)
        let q = random([b, h, t, d], 1), k = random([b, h, t, d], 2), v = random([b, h, t, d], 3)
        let mechanism = SoftmaxAttention()
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
        #expect(maxDiff <= 1e-5)
    }
}
