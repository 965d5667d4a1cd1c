import AttendKernels

/// Which query–key pairs attention may use.
public enum AttentionMask: Sendable, Equatable {
    /// Every query sees every key.
    case none
    /// Query t sees keys ≤ t (autoregressive decoding).
    case causal
}

extension Tensor {
    /// softmax(Q·Kᵀ·scale + mask)·V per batch and head (Vaswani et al., 2017, eq. 1), materialising
    /// the probabilities for the backward pass.
    ///
    /// queries: [B, H, T, D]; keys: [B, H, S, D]; values: [B, H, S, Dv] → [B, H, T, Dv].
    /// `scale` defaults to 1/√D.
    public static func scaledDotProductAttention(queries q: Tensor, keys k: Tensor, values v: Tensor,
                                                 mask: AttentionMask, scale: Float? = nil) -> Tensor {
        precondition(q.rank == 4 && k.rank == 4 && v.rank == 4, "attention expects [B, H, T, D] tensors")
        let (b, h, t, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let s = k.shape[2], dv = v.shape[3]
        precondition(k.shape == [b, h, s, d] && v.shape == [b, h, s, dv],
                     "attention shapes differ: q \(q.shape), k \(k.shape), v \(v.shape)")
        let sc = scale ?? 1 / Float(d).squareRoot()
        let out = Tensor(uninitializedShape: [b, h, t, dv])
        let probs = Tensor(uninitializedShape: [b * h, t, s])
        denseAttentionForward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                              probabilities: probs.pointer, batchHeads: b * h, queryLength: t, keyLength: s,
                              headDim: d, valueDim: dv, scale: sc, causal: mask == .causal)
        if needsGrad(q, k, v) {
            out.record { g in
                let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape)
                let dvT = Tensor(uninitializedShape: v.shape)
                denseAttentionBackward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                                       probabilities: probs.pointer, dOutput: g.pointer,
                                       dQueries: dq.pointer, dKeys: dk.pointer, dValues: dvT.pointer,
                                       batchHeads: b * h, queryLength: t, keyLength: s, headDim: d, valueDim: dv, scale: sc)
                q.accumulateGrad(dq.pointer)
                k.accumulateGrad(dk.pointer)
                v.accumulateGrad(dvT.pointer)
            }
        }
        return out
    }
}
