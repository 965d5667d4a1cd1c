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
                eluPlusOneBackward(x: self.pointer, y: out.pointer, dy: g.pointer, dx: dx.pointer, count: self.count)
                self.accumulateGrad(dx.pointer)
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
                q.accumulateGrad(dq.pointer)
                k.accumulateGrad(dk.pointer)
                v.accumulateGrad(dvT.pointer)
            }
        }
        return out
    }
}
