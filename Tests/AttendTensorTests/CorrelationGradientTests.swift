import AttendTensor
import AttendTestSupport
import Testing

@Suite("Correlation attention gradients match central finite differences")
struct CorrelationGradientTests {
    @Test("causal correlation attention: queries, keys and values", arguments: [1, 3, 7, 64])
    func causalCorrelation(t: Int) {
        let q = randomTensor([1, 2, t, 4], seed: 30), k = randomTensor([1, 2, t, 4], seed: 31)
        let v = randomTensor([1, 2, t, 3], seed: 32)
        checkGradients([q, k, v], epsilon: 1e-2, tolerance: 2e-2) {
            Tensor.causalCorrelationAttention(queries: $0[0], keys: $0[1], values: $0[2])
        }
    }

    @Test("the N-D correlation is a constant: no gradient flows through it")
    func correlationIsDetached() {
        let a = randomTensor([2, 3, 4], seed: 33), v = randomTensor([2, 3, 4], seed: 34)
        a.requiresGrad = true
        v.requiresGrad = true
        Tape.current.reset()
        let c = Tensor.correlate(a, v)
        #expect(!c.requiresGrad)
        #expect(Tape.current.count == 0)
        a.requiresGrad = false
        v.requiresGrad = false
    }
}
