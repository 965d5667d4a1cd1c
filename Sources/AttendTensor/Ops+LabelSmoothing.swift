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
        // L = mean Σ_c −q_c log softmax(z)_c with q = (1 − ε)·onehot + ε/V
        return fusedLoss(logits: logits, targets: targets) { t, dLogits in
            AttendKernels.labelSmoothedCrossEntropy(logits: logits.pointer, targets: t, rows: rows, cols: cols,
                                                    smoothing: smoothing, dLogits: dLogits)
        }
    }
}
