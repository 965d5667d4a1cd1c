import AttendTensor
import AttendTestSupport
import Testing

@Suite("Rotary position embeddings and split-feature linear attention (ops)")
struct RotaryOpTests {
    /// ⟨a, b⟩ over the last dimension of two [1, 1, 1, D] tensors.
    func dot(_ a: Tensor, _ b: Tensor) -> Float { (0..<a.count).reduce(0) { $0 + a[flat: $1] * b[flat: $1] } }

    @Test("a rotated query·key score depends on the positions only through their offset")
    func scoresAreRelative() {
        let q = randomTensor([1, 1, 1, 8], seed: 1), k = randomTensor([1, 1, 1, 8], seed: 2)
        func score(_ m: Int, _ n: Int) -> Float { dot(q.rotated(positionOffset: m), k.rotated(positionOffset: n)) }
        for (m, n) in [(3, 1), (1, 3), (0, 0), (7, 2)] {
            for shift in [1, 5, 40] {
                #expect(abs(score(m, n) - score(m + shift, n + shift)) <= 1e-5, "offset \(m - n), shift \(shift)")
            }
        }
        // …and it does depend on the offset (otherwise the test above would hold trivially).
        #expect(abs(score(3, 1) - score(3, 2)) > 1e-2)
        #expect(abs(score(0, 0) - dot(q, k)) <= 1e-6)  // offset 0 is the plain dot product
    }

    @Test("rotation keeps norms and position 0 is the identity")
    func rotationIsOrthogonal() {
        let x = randomTensor([2, 3, 5, 6], seed: 3)
        let first = randomTensor([2, 3, 1, 6], seed: 3)
        #expect(first.rotated().scalars == first.scalars)  // row t sits at position t: one row at position 0
        #expect(x.rotated().scalars != x.scalars)
        let y = x.rotated(positionOffset: 11)
        for r in 0..<(2 * 3 * 5) {
            let nx = (0..<6).reduce(Float(0)) { $0 + x[flat: r * 6 + $1] * x[flat: r * 6 + $1] }
            let ny = (0..<6).reduce(Float(0)) { $0 + y[flat: r * 6 + $1] * y[flat: r * 6 + $1] }
            #expect(abs(nx - ny) <= 1e-5 * max(1, nx))
        }
    }

    @Test("gradient of the rotation matches finite differences")
    func rotationGradient() {
        checkGradients([randomTensor([2, 2, 5, 4], seed: 4)]) { $0[0].rotated(positionOffset: 3) }
    }

    @Test("with the same features in numerator and normaliser it is linear attention", arguments: [true, false])
    func sameFeaturesIsLinearAttention(causal: Bool) {
        let q = randomTensor([2, 2, 6, 4], seed: 5).eluPlusOne(), k = randomTensor([2, 2, 6, 4], seed: 6).eluPlusOne()
        let v = randomTensor([2, 2, 6, 3], seed: 7)
        let reference = Tensor.linearAttention(queries: q, keys: k, values: v, causal: causal)
        let split = Tensor.linearAttention(queries: q, keys: k, normalizerQueries: q, normalizerKeys: k, values: v, causal: causal)
        for i in 0..<reference.count { #expect(abs(reference[flat: i] - split[flat: i]) <= 1e-5 * max(1, abs(reference[flat: i]))) }
    }

    @Test("split-feature linear attention equals its definition computed naively", arguments: [true, false])
    func naive(causal: Bool) {
        let (t, m, dv) = (5, 4, 3)
        let a = randomTensor([1, 1, t, m], seed: 8), b = randomTensor([1, 1, t, m], seed: 9)
        let c = randomTensor([1, 1, t, m], seed: 10).eluPlusOne(), e = randomTensor([1, 1, t, m], seed: 11).eluPlusOne()
        let v = randomTensor([1, 1, t, dv], seed: 12)
        let out = Tensor.linearAttention(queries: a, keys: b, normalizerQueries: c, normalizerKeys: e, values: v, causal: causal)
        for i in 0..<t {
            var den: Float = 1e-6
            var num = [Float](repeating: 0, count: dv)
            for j in 0..<(causal ? i + 1 : t) {
                let w = (0..<m).reduce(Float(0)) { $0 + a[flat: i * m + $1] * b[flat: j * m + $1] }
                den += (0..<m).reduce(Float(0)) { $0 + c[flat: i * m + $1] * e[flat: j * m + $1] }
                for col in 0..<dv { num[col] += w * v[flat: j * dv + col] }
            }
            for col in 0..<dv { #expect(abs(out[flat: i * dv + col] - num[col] / den) <= 1e-5 * max(1, abs(num[col] / den))) }
        }
    }

    @Test("gradient of split-feature linear attention matches finite differences", arguments: [true, false])
    func splitGradient(causal: Bool) {
        let a = randomTensor([1, 2, 5, 4], seed: 13), b = randomTensor([1, 2, 5, 4], seed: 14)
        let c = randomTensor([1, 2, 5, 4], seed: 15), e = randomTensor([1, 2, 5, 4], seed: 16)
        let v = randomTensor([1, 2, 5, 3], seed: 17)
        // Positive normaliser features (as φ gives them) keep the denominator away from zero.
        checkGradients([a, b, c, e, v], epsilon: 1e-3) { x in
            Tensor.linearAttention(queries: x[0], keys: x[1], normalizerQueries: x[2].eluPlusOne(), normalizerKeys: x[3].eluPlusOne(),
                                   values: x[4], causal: causal)
        }
    }
}
