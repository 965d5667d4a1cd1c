import AttendKernels

/// Which query–key pairs attention may use: an optional causal constraint and optional key padding.
public struct AttentionMask: Sendable, Equatable {
    /// Query i sees only keys j ≤ i + (S − T) (autoregressive; aligned to the end when S > T).
    public var causal: Bool
    /// Per batch element, the number of real (unpadded) keys; keys at or past it are ignored.
    public var keyLengths: [Int32]?

    /// A mask with the causal constraint on or off and, when `keyLengths` is given, key padding (one length per batch element).
    public init(causal: Bool, keyLengths: [Int32]? = nil) {
        self.causal = causal
        self.keyLengths = keyLengths
    }

    /// Every query sees every key.
    public static let none = AttentionMask(causal: false)
    /// Query t sees keys ≤ t.
    public static let causal = AttentionMask(causal: true)
    /// Every query sees the first `lengths[b]` keys of its batch element (source padding).
    public static func padding(_ lengths: [Int32]) -> AttentionMask { AttentionMask(causal: false, keyLengths: lengths) }
}

extension Tensor {
    /// softmax(Q·Kᵀ·scale + mask)·V per batch and head (Vaswani et al., 2017, eq. 1), materialising
    /// the probabilities for the backward pass.
    ///
    /// queries: [B, H, T, D]; keys: [B, H, S, D]; values: [B, H, S, Dv] → [B, H, T, Dv].
    /// `scale` defaults to 1/√D.
    public static func scaledDotProductAttention(queries q: Tensor, keys k: Tensor, values v: Tensor,
                                                 mask: AttentionMask, scale: Float? = nil) -> Tensor {
        precondition(mask.keyLengths == nil, "the materialising attention has no key padding; use flashAttention")
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
                              headDim: d, valueDim: dv, scale: sc, causal: mask.causal)
        if needsGrad(q, k, v) {
            out.record { g in
                let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape)
                let dvT = Tensor(uninitializedShape: v.shape)
                denseAttentionBackward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                                       probabilities: probs.pointer, dOutput: g.pointer,
                                       dQueries: dq.pointer, dKeys: dk.pointer, dValues: dvT.pointer,
                                       batchHeads: b * h, queryLength: t, keyLength: s, headDim: d, valueDim: dv, scale: sc)
                q.accumulateGrad(taking: dq)
                k.accumulateGrad(taking: dk)
                v.accumulateGrad(taking: dvT)
            }
        }
        return out
    }
}
