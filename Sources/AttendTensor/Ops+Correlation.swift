import AttendKernels

/// Correlation ops for correlation attention (after Leviathan's "correlation score", Y. Srivastava,
/// github.com/yash-srivastava19/attention-free-revolution).
extension Tensor {
    /// N-dimensional cross-correlation of two equally shaped tensors in 'same' mode, with the
    /// semantics of `scipy.signal.correlate(a, v, mode='same')`; a constant (no gradient flows
    /// through it, like `.detach()` in the published code).
    ///
    /// out[i] = Σ_n a[i + n − ⌊N/2⌋]·v[n] over every multi-index n (per axis, N is that axis'
    /// extent; a is zero outside its bounds). a, v: any equal shape → the same shape. Computed with
    /// 2-D FFTs over the last two axes (the leading axes summed in the frequency domain) unless the
    /// direct sum is cheaper.
    public static func correlate(_ a: Tensor, _ v: Tensor) -> Tensor {
        precondition(a.shape == v.shape, "correlate expects equal shapes, got \(a.shape) and \(v.shape)")
        let out = Tensor(uninitializedShape: a.shape)
        if a.count == 0 { return out }
        correlateSame(a.pointer, v.pointer, out.pointer, shape: a.rank == 0 ? [1] : a.shape)
        return out
    }

    /// Causal correlation attention: softmax over s ≤ t of κ_s·S(t, s), times V, where
    /// S(t, s) = Σ_{m=0}^{s} q_{t−m}·k_{s−m} is the cross-correlation of Q and K at lag t − s
    /// restricted to positions ≤ t, and κ_s = 1/√(D·(s + 1)) (S(t, s) has s + 1 terms).
    ///
    /// queries, keys: [B, H, T, D]; values: [B, H, T, Dv] → [B, H, T, Dv]. Exact gradients for all
    /// three inputs. O(T²·(D + Dv)) time; saves one score row per 64 rows (O(T²/64) per head) and
    /// recomputes the rest in the backward pass, so the T×T matrix is never held.
    public static func causalCorrelationAttention(queries q: Tensor, keys k: Tensor, values v: Tensor) -> Tensor {
        precondition(q.rank == 4 && k.rank == 4 && v.rank == 4, "correlation attention expects [B, H, T, D] tensors")
        let (b, h, t, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let dv = v.shape[3]
        precondition(k.shape == q.shape && v.shape == [b, h, t, dv],
                     "correlation attention needs equally long queries, keys and values: q \(q.shape), k \(k.shape), v \(v.shape)")
        let out = Tensor(uninitializedShape: [b, h, t, dv])
        let checkpoints = Tensor(uninitializedShape: [b * h, causalCorrelationCheckpointCount(length: t)])
        causalCorrelationAttentionForward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                                          checkpoints: checkpoints.pointer, batchHeads: b * h, length: t, headDim: d, valueDim: dv)
        if needsGrad(q, k, v) {
            out.record { g in
                let dq = Tensor(uninitializedShape: q.shape), dk = Tensor(uninitializedShape: k.shape)
                let dvT = Tensor(uninitializedShape: v.shape)
                causalCorrelationAttentionBackward(queries: q.pointer, keys: k.pointer, values: v.pointer, output: out.pointer,
                                                   checkpoints: checkpoints.pointer, dOutput: g.pointer, dQueries: dq.pointer,
                                                   dKeys: dk.pointer, dValues: dvT.pointer, batchHeads: b * h, length: t,
                                                   headDim: d, valueDim: dv)
                q.accumulateGrad(taking: dq)
                k.accumulateGrad(taking: dk)
                v.accumulateGrad(taking: dvT)
            }
        }
        return out
    }
}
