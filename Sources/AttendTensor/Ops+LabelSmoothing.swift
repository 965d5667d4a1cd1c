import AttendKernels

extension Tensor {
    /// Mean label-smoothed cross-entropy of `logits` [..., V] against integer `targets` (one per
    /// row; any negative value = ignore, e.g. padding), fused with log-softmax: the target
    /// distribution is (1 − ε)·onehot + ε/V (Szegedy et al., 2016; Vaswani et al., 2017, §5.4),
    /// as PyTorch's `F.cross_entropy(..., label_smoothing: ε)`. Returns a scalar tensor of shape [].
    /// With `smoothing` 0 it equals `crossEntropy`.
    public static func labelSmoothedCrossEntropy(logits: Tensor, targets: [Int32], smoothing: Float) -> Tensor {
        let cols = logits.shape.last ?? 1, rows = logits.count / max(cols, 1)
        precondition(targets.count == rows, "labelSmoothedCrossEntropy: \(targets.count) targets for \(rows) rows")
        precondition(smoothing >= 0 && smoothing < 1, "label smoothing must be in [0, 1), got \(smoothing)")
        let recording = needsGrad(logits)
        let dLogits = recording ? Tensor(uninitializedShape: logits.shape) : nil
        let loss = targets.withUnsafeBufferPointer { t in
            AttendKernels.labelSmoothedCrossEntropy(logits: logits.pointer, targets: t.baseAddress!, rows: rows, cols: cols,
                                                    smoothing: smoothing, dLogits: dLogits?.pointer)
        }
        let out = Tensor(repeating: loss, shape: [])
        if recording, let dLogits {
            out.record { g in
                // L = mean Σ_c −q_c log softmax(z)_c  →  dz = (softmax(z) − q)/n · dL
                let s = g.pointer[0]
                if s != 1 { scale(dLogits.pointer, by: s, dLogits.pointer, count: dLogits.count) }
                logits.accumulateGrad(taking: dLogits)
            }
        }
        return out
    }
}
