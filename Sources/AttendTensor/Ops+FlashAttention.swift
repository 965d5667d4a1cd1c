import AttendKernels
import Foundation

/// Fused (flash) softmax attention, with or without an additive score bias.
extension Tensor {
    /// Fused softmax attention (Vaswani et al., 2017, eq. 1) that never materialises the T×S score
    /// matrix: online softmax over key tiles forward, recomputation from the saved log-sum-exp
    /// backward (FlashAttention-2, Dao 2023), so memory grows linearly in T. Supports causal and
    /// key-padding masks; a query that sees no key outputs zeros.
    ///
    /// queries: [B, H, T, D]; keys: [B, H, S, D]; values: [B, H, S, Dv] → [B, H, T, Dv].
    public static func flashAttention(queries q: Tensor, keys k: Tensor, values v: Tensor,
                                      mask: AttentionMask, scale: Float? = nil) -> Tensor {
        flashAttention(queries: q, keys: k, values: v, bias: nil, mask: mask, scale: scale)
    }

    /// Fused softmax attention with an additive per-head score bias, softmax(scale·Q·Kᵀ + R + mask)·V
    /// — the relative-position attention of T5 (Raffel et al., 2020), ALiBi (Press et al., 2022) and
    /// Wang & E (NeurIPS 2024).
    ///
    /// queries: [B, H, T, D]; keys: [B, H, S, D]; values: [B, H, S, Dv] → [B, H, T, Dv]. The bias is
    /// shared by the batch, in either layout: R [H, T, S] (any bias; row i belongs to query i, which
    /// sits at position i + S − T when S > T), or R [H, T + S − 1] for a bias that depends only on the
    /// lag ℓ = (i + S − T) − j, entry ℓ + T − 1 (`AttentionBiasLayout.byLag`: O(T + S) memory per head).
    /// Causal and key-padding masks work as in `flashAttention(queries:keys:values:mask:scale:)`.
    /// D may be 0 ("dot-product-free" attention: the scores are the bias alone). `scale` defaults to
    /// 1/√D (0 when D = 0). Gradients flow to Q, K, V and to R (dR = Σ_batch dS, by lag also summed
    /// along diagonals). Memory: the flash kernels' O(T) per head plus R and dR (one more dR-sized
    /// buffer per extra thread), independent of the batch size.
    /// With `bias` nil this is `flashAttention(queries:keys:values:mask:scale:)` (that op calls this one).
    public static func flashAttention(queries q: Tensor, keys k: Tensor, values v: Tensor, bias: Tensor?,
                                      mask: AttentionMask, scale: Float? = nil) -> Tensor {
        precondition(q.rank == 4 && k.rank == 4 && v.rank == 4, "attention expects [B, H, T, D] tensors")
        let (b, h, t, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let s = k.shape[2], dv = v.shape[3]
        precondition(k.shape == [b, h, s, d] && v.shape == [b, h, s, dv],
                     "attention shapes differ: q \(q.shape), k \(k.shape), v \(v.shape)")
        if let bias {
            precondition(bias.shape == [h, t, s] || bias.shape == [h, t + s - 1],
                         "attention bias must be [H, T, S] = [\(h), \(t), \(s)] or by lag [H, T + S − 1] = [\(h), \(t + s - 1)], got \(bias.shape)")
        }
        let layout: AttentionBiasLayout = bias?.rank == 2 ? .byLag : .full
        if let lengths = mask.keyLengths { precondition(lengths.count == b, "keyLengths needs one entry per batch element") }
        let lengths = mask.keyLengths
        func withLengths<R>(_ body: (UnsafePointer<Int32>?) -> R) -> R {
            if let lengths { return lengths.withUnsafeBufferPointer { body($0.baseAddress!) } }
            return body(nil)
        }
        let sc = scale ?? (d == 0 ? 0 : 1 / Float(d).squareRoot())
        let out = Tensor(uninitializedShape: [b, h, t, dv])
        let lse = Tensor(uninitializedShape: [b * h, t])
        withLengths { kl in
            flashAttentionForward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                                  logSumExp: lse.pointer, batchHeads: b * h, queryLength: t, keyLength: s,
                                  headDim: d, valueDim: dv, scale: sc, causal: mask.causal, keyLengths: kl,
                                  headsPerBatch: h, bias: bias?.pointer, biasLayout: layout)
        }
        if needsGrad(q, k, v) || bias.map({ needsGrad($0) }) == true {
            out.record { g in
                let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape)
                let dvT = Tensor(uninitializedShape: v.shape)
                let dBias = bias.flatMap { $0.requiresGrad ? Tensor(uninitializedShape: $0.shape) : nil }
                withLengths { kl in
                    flashAttentionBackward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                                           logSumExp: lse.pointer, dOutput: g.pointer, dQueries: dq.pointer,
                                           dKeys: dk.pointer, dValues: dvT.pointer, batchHeads: b * h, queryLength: t,
                                           keyLength: s, headDim: d, valueDim: dv, scale: sc, causal: mask.causal,
                                           keyLengths: kl, headsPerBatch: h, bias: bias?.pointer, dBias: dBias?.pointer,
                                           biasLayout: layout)
                }
                q.accumulateGrad(taking: dq)
                k.accumulateGrad(taking: dk)
                v.accumulateGrad(taking: dvT)
                if let bias, let dBias { bias.accumulateGrad(taking: dBias) }
            }
        }
        return out
    }
}
