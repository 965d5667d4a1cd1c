// Fused softmax + cross-entropy from logits, with its gradient, in one pass per row.
import Foundation

/// Number of rows whose target is not ignored (< 0); traps on a target ≥ cols.
@inline(__always)
func crossEntropyCount(_ targets: UnsafePointer<Int32>, rows: Int, cols: Int) -> Int {
    var count = 0
    for r in 0..<rows {
        let t = Int(targets[r])
        precondition(t < cols, "crossEntropy: target \(t) in row \(r) is out of range 0..<\(cols)")
        if t >= 0 { count += 1 }
    }
    return count
}

/// Mean cross-entropy of integer targets under softmax(logits), fused with its gradient.
///
/// loss = (1/N) Σ_{r: t_r ≥ 0} −log softmax(logits[r, :])[t_r], N = number of rows with t_r ≥ 0;
/// rows with t_r < 0 are ignored (PyTorch's `ignore_index`, for any negative value). When
/// `dLogits` is non-nil it is overwritten with ∂loss/∂logits:
/// dLogits[r, :] = (softmax(logits[r, :]) − onehot(t_r)) / N, and zero for ignored rows.
/// logits and dLogits are rows×cols (they may alias: logits are read before dLogits is written),
/// targets has rows entries in −∞..<cols. If every row is ignored the loss is 0 (PyTorch: NaN)
/// and dLogits is all zero. Per-row losses are summed serially in Double, so the result does not
/// depend on the thread count.
public func crossEntropy(logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
                         rows: Int, cols: Int, dLogits: UnsafeMutablePointer<Float>?) -> Float {
    let count = crossEntropyCount(targets, rows: rows, cols: cols)
    let invCount: Float = count > 0 ? 1 / Float(count) : 0
    let rowLoss = UnsafeMutablePointer<Float>.allocate(capacity: max(rows, 1))
    defer { rowLoss.deallocate() }
    parallelChunks(rows, work: rows * cols * rowWorkPerElement) { range in
        for r in range {
            let xr = logits + r * cols
            let t = Int(targets[r])
            if t < 0 {
                rowLoss[r] = 0
                if let dLogits { (dLogits + r * cols).update(repeating: 0, count: cols) }
                continue
            }
            let m = rowMax(xr, cols)
            let target = xr[t]
            let dr = dLogits.map { $0 + r * cols }
            let s = rowSumExp(xr, cols, minus: m, store: dr)
            // −log softmax[t] = log Σ e^(x − m) + m − x[t]
            rowLoss[r] = Foundation.log(s) + (m - target)
            if let dr {
                rowScale(dr, cols, by: invCount / s)
                dr[t] -= invCount
            }
        }
    }
    if count == 0 { return 0 }
    var total: Double = 0
    for r in 0..<rows { total += Double(rowLoss[r]) }
    return Float(total / Double(count))
}

/// Scalar Double cross-entropy from logits; the reference for `crossEntropy`.
///
/// Same contract: mean over rows with t_r ≥ 0 of log Σ_c e^(x[r, c]) − x[r, t_r], and optionally
/// dLogits[r, :] = (softmax(x[r, :]) − onehot(t_r)) / N (zero for ignored rows); rows×cols.
public func crossEntropyReference(logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
                                  rows: Int, cols: Int, dLogits: UnsafeMutablePointer<Float>?) -> Float {
    var count = 0
    for r in 0..<rows where targets[r] >= 0 { count += 1 }
    var total: Double = 0
    for r in 0..<rows {
        let t = Int(targets[r])
        if t < 0 {
            if let dLogits { for c in 0..<cols { dLogits[r * cols + c] = 0 } }
            continue
        }
        var m = -Double.infinity
        for c in 0..<cols { m = max(m, Double(logits[r * cols + c])) }
        var s: Double = 0
        for c in 0..<cols { s += Foundation.exp(Double(logits[r * cols + c]) - m) }
        total += Foundation.log(s) + m - Double(logits[r * cols + t])
        if let dLogits {
            for c in 0..<cols {
                let p = Foundation.exp(Double(logits[r * cols + c]) - m) / s
                dLogits[r * cols + c] = Float((p - (c == t ? 1 : 0)) / Double(count))
            }
        }
    }
    return count > 0 ? Float(total / Double(count)) : 0
}
