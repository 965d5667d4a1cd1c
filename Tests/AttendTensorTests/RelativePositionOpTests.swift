import AttendTensor
import AttendTestSupport
import Foundation
import Testing

@Suite("Relative-position attention ops")
struct RelativePositionOpTests {
    @Test("biased flash attention: gradients to Q, K, V and the bias match finite differences",
          arguments: [(false, 4), (true, 4), (true, 0), (false, 0)])
    func biasedAttention(causal: Bool, headDim d: Int) {
        let (b, h, t, s) = (2, 2, 5, causal ? 5 : 6)
        let q = randomTensor([b, h, t, d], seed: 1), k = randomTensor([b, h, s, d], seed: 2)
        let v = randomTensor([b, h, s, 3], seed: 3), bias = randomTensor([h, t, s], seed: 4, scale: 2)
        let mask: AttentionMask = causal ? .causal : .none
        checkGradients([q, k, v, bias], epsilon: 1e-2, tolerance: 2e-2) { x in
            Tensor.flashAttention(queries: x[0], keys: x[1], values: x[2], bias: x[3], mask: mask)
        }
    }

    @Test("by-lag bias [H, T + S − 1]: gradients to Q, K, V and the lag vector match finite differences",
          arguments: [(false, 4), (true, 4), (true, 0)])
    func lagBias(causal: Bool, headDim d: Int) {
        let (b, h, t, s) = (2, 2, 5, causal ? 5 : 6)
        let q = randomTensor([b, h, t, d], seed: 11), k = randomTensor([b, h, s, d], seed: 12)
        let v = randomTensor([b, h, s, 3], seed: 13), bias = randomTensor([h, t + s - 1], seed: 14, scale: 2)
        let mask: AttentionMask = causal ? .causal : .none
        checkGradients([q, k, v, bias], epsilon: 1e-2, tolerance: 2e-2) { x in
            Tensor.flashAttention(queries: x[0], keys: x[1], values: x[2], bias: x[3], mask: mask)
        }
    }

    @Test("bucket table: gradient through gather and biased attention matches finite differences")
    func bucketTable() {
        let (b, h, t) = (2, 2, 6)
        let buckets: [Int32] = (0..<(t * t)).map { e in Int32(min(4, max(0, e / t - e % t))) }  // bucket = clamp(i − j)
        let q = randomTensor([b, h, t, 4], seed: 5), k = randomTensor([b, h, t, 4], seed: 6)
        let v = randomTensor([b, h, t, 3], seed: 7), table = randomTensor([h, 5], seed: 8)
        checkGradients([table, q]) { x in
            let r = Tensor.bucketedBias(table: x[0], buckets: buckets).reshaped([h, t, t])
            return Tensor.flashAttention(queries: x[1], keys: k, values: v, bias: r, mask: .causal)
        }
        let gathered = Tensor.bucketedBias(table: table, buckets: buckets)
        #expect(gathered[flat: (1 * t + 3) * t + 1] == table[flat: 1 * 5 + 2])  // head 1, i = 3, j = 1 → bucket 2
    }

    @Test("p_h = exp(ρ_h): gradient to ρ through the scaled bias and dot-product-free attention matches finite differences")
    func scaledBias() {
        let (b, h, t) = (2, 3, 7)
        let pattern: [Float] = (0..<(t * t)).map { e in -Float(max(0, e / t - e % t) + 1) }  // −τ, τ = i − j + 1
        let empty = Tensor.zeros([b, h, t, 0]), v = randomTensor([b, h, t, 4], seed: 9)
        let rho = randomTensor([h], seed: 10, scale: 0.5)
        checkGradients([rho, v]) { x in
            let r = Tensor.scaledBias(logScales: x[0], pattern: pattern).reshaped([h, t, t])
            return Tensor.flashAttention(queries: empty, keys: empty, values: x[1], bias: r, mask: .causal)
        }
        let r = Tensor.scaledBias(logScales: rho, pattern: pattern)
        #expect(abs(r[flat: (2 * t + 4) * t + 2] - (-3 * Foundation.exp(rho[flat: 2]))) < 1e-5)
    }
}
