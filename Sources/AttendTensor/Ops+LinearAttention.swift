import AttendKernels
import Foundation

/// Linear attention ops (Katharopoulos et al., 2020, "Transformers are RNNs").
extension Tensor {
    /// The feature map φ(x) = elu(x) + 1 (x + 1 for x > 0, eˣ otherwise), positive everywhere.
    public func eluPlusOne() -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        eluPlusOneForward(pointer, out.pointer, count: count)
        if Tensor.needsGrad(self) {
            out.record { g in
                // φ'(x) = 1 for x > 0, eˣ = φ(x) otherwise
                let dx = Tensor(uninitializedShape: self.shape)
                eluPlusOneBackward(y: out.pointer, dy: g.pointer, dx: dx.pointer, count: self.count)
                self.accumulateGrad(taking: dx)
            }
        }
        return out
    }

    /// Linear attention V'_i = φQ_iᵀ Σ_j φK_j V_jᵀ / (φQ_i · Σ_j φK_j + ε) on feature-mapped inputs
    /// (eq. 4–6); causal sums run over j ≤ i as a prefix scan (eq. 8–9) with O(M·Dv) state per head
    /// and the memory-efficient backward of Algorithm 1.
    ///
    /// queries φQ: [B, H, T, M]; keys φK: [B, H, S, M]; values: [B, H, S, Dv] → [B, H, T, Dv].
    /// Causal requires S = T.
    public static func linearAttention(queries q: Tensor, keys k: Tensor, values v: Tensor, causal: Bool,
                                       epsilon: Float = 1e-6) -> Tensor {
        precondition(q.rank == 4 && k.rank == 4 && v.rank == 4, "linear attention expects [B, H, T, D] tensors")
        let (b, h, t, m) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let s = k.shape[2], dv = v.shape[3]
        precondition(k.shape == [b, h, s, m] && v.shape == [b, h, s, dv],
                     "linear attention shapes differ: q \(q.shape), k \(k.shape), v \(v.shape)")
        precondition(!causal || s == t, "causal linear attention needs as many keys as queries")
        let out = Tensor(uninitializedShape: [b, h, t, dv])
        let normalizer = Tensor(uninitializedShape: [b * h, t])
        if causal {
            causalLinearAttentionForward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                                         normalizer: normalizer.pointer, batchHeads: b * h, length: t,
                                         featureDim: m, valueDim: dv, epsilon: epsilon)
        } else {
            linearAttentionForward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                                   normalizer: normalizer.pointer, batchHeads: b * h, queryLength: t, keyLength: s,
                                   featureDim: m, valueDim: dv, epsilon: epsilon)
        }
        if needsGrad(q, k, v) {
            out.record { g in
                let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape)
                let dvT = Tensor(uninitializedShape: v.shape)
                if causal {
                    causalLinearAttentionBackward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                                                  normalizer: normalizer.pointer, dOutput: g.pointer,
                                                  dQueries: dq.pointer, dKeys: dk.pointer, dValues: dvT.pointer,
                                                  batchHeads: b * h, length: t, featureDim: m, valueDim: dv, epsilon: epsilon)
                } else {
                    linearAttentionBackward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                                            normalizer: normalizer.pointer, dOutput: g.pointer,
                                            dQueries: dq.pointer, dKeys: dk.pointer, dValues: dvT.pointer,
                                            batchHeads: b * h, queryLength: t, keyLength: s, featureDim: m,
                                            valueDim: dv, epsilon: epsilon)
                }
                q.accumulateGrad(taking: dq)
                k.accumulateGrad(taking: dk)
                v.accumulateGrad(taking: dvT)
            }
        }
        return out
    }
}

extension Tensor {
    /// FAVOR+ positive random features (Choromanski et al., 2021, "Rethinking Attention with
    /// Performers"): φ(x)_i = exp(ω_iᵀz − |z|²/2)/√m with z = x·D^(−1/4), so that E[φ(q)ᵀφ(k)] =
    /// exp(qᵀk/√D), the softmax kernel. `projection` holds the m random directions ω [m, D] (not trained).
    ///
    /// x: [..., D] → [..., m]. No max-subtraction stabiliser, so the parallel and recurrent forms stay
    /// identical; inputs of unit scale keep the exponent small.
    public func favorFeatures(projection w: Tensor) -> Tensor {
        precondition(w.rank == 2 && w.shape[1] == shape.last, "FAVOR+ projection must be [m, \(shape.last ?? 0)], got \(w.shape)")
        let (m, d) = (w.shape[0], w.shape[1])
        let rows = count / max(d, 1)
        let scaleIn = 1 / Float(d).squareRoot().squareRoot(), scaleOut = 1 / Float(m).squareRoot()
        let z = Tensor(uninitializedShape: [rows, d])
        AttendKernels.scale(pointer, by: scaleIn, z.pointer, count: count)
        let out = Tensor(uninitializedShape: Array(shape.dropLast()) + [m])
        // u = z·Wᵀ, then y = exp(u − |z|²/2)/√m
        gemm(transA: false, transB: true, m: rows, n: m, k: d, a: z.pointer, lda: d, b: w.pointer, ldb: d, c: out.pointer, ldc: m)
        for r in 0..<rows {
            let half = 0.5 * sumOfSquares(z.pointer + r * d, count: d)
            let row = out.pointer + r * m
            for i in 0..<m { row[i] = Foundation.exp(row[i] - half) * scaleOut }
        }
        if Tensor.needsGrad(self) {
            out.record { g in
                // y_i = exp(ω_iᵀz − |z|²/2)/√m  →  dz = (g⊙y)·W − z·Σ_i (g⊙y)_i;  dx = D^(−1/4)·dz
                let a = Tensor(uninitializedShape: [rows, m])
                multiply(g.pointer, out.pointer, a.pointer, count: rows * m)
                let dx = Tensor(uninitializedShape: self.shape)
                gemm(transA: false, transB: false, m: rows, n: d, k: m, a: a.pointer, lda: m, b: w.pointer, ldb: d,
                     c: dx.pointer, ldc: d)
                for r in 0..<rows {
                    let total = AttendKernels.sum(a.pointer + r * m, count: m)
                    axpy(-total, z.pointer + r * d, dx.pointer + r * d, count: d)
                }
                AttendKernels.scale(dx.pointer, by: scaleIn, dx.pointer, count: dx.count)
                self.accumulateGrad(taking: dx)
            }
        }
        return out
    }
}
