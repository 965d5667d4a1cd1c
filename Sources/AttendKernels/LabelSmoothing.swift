// Label-smoothed cross-entropy from logits, fused with log-softmax and its gradient.
import Foundation

/// Mean label-smoothed cross-entropy (Szegedy et al., 2016; Vaswani et al., 2017, §5.4) of integer
/// targets under softmax(logits), fused with its gradient — PyTorch's
/// `F.cross_entropy(logits, t, label_smoothing: ε, ignore_index: <any negative>)`.
///
/// The target distribution puts 1 − ε on t_r and ε/V on every class (t_r included), so per row
/// loss_r = (1 − ε)·(−log p[t_r]) + (ε/V)·Σ_c −log p[c], with log p = x − m − log Σ e^(x − m).
/// The mean runs over the N rows with t_r ≥ 0; rows with t_r < 0 are ignored. When `dLogits` is
/// non-nil it is overwritten with ∂loss/∂logits = (p − q)/N, q = (1 − ε)·onehot(t_r) + ε/V
/// (zero for ignored rows). logits and dLogits are rows×cols; they may alias. Returns 0 when
/// every row is ignored. Row losses are summed serially in Double (thread-count independent).
public func labelSmoothedCrossEntropy(logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
                                      rows: Int, cols: Int, smoothing: Float,
                                      dLogits: UnsafeMutablePointer<Float>?) -> Float {
    let count = crossEntropyCount(targets, rows: rows, cols: cols)
    let invCount: Float = count > 0 ? 1 / Float(count) : 0
    let uniform = smoothing / Float(cols)
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
            let total = rowSum(xr, cols)  // read before dLogits (which may alias) is written
            let dr = dLogits.map { $0 + r * cols }
            let s = rowSumExp(xr, cols, minus: m, store: dr)
            let logZ = Foundation.log(s) + m
            // −log p[t] = logZ − x[t];  Σ_c −log p[c] = V·logZ − Σ_c x[c]
            let nll = logZ - target
            let smooth = Float(cols) * logZ - total
            rowLoss[r] = (1 - smoothing) * nll + uniform * smooth
            if let dr {
                // dz = (p − (1 − ε)·onehot − ε/V)/N
                rowScale(dr, cols, by: invCount / s)
                rowAdd(dr, cols, -uniform * invCount)
                dr[t] -= (1 - smoothing) * invCount
            }
        }
    }
    if count == 0 { return 0 }
    var sum: Double = 0
    for r in 0..<rows { sum += Double(rowLoss[r]) }
    return Float(sum / Double(count))
}

/// Scalar Double twin of `labelSmoothedCrossEntropy` (same contract), the reference for tests.
public func labelSmoothedCrossEntropyReference(logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
                                               rows: Int, cols: Int, smoothing: Float,
                                               dLogits: UnsafeMutablePointer<Float>?) -> Float {
    var count = 0
    for r in 0..<rows where targets[r] >= 0 { count += 1 }
    let eps = Double(smoothing), v = Double(cols)
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
        let logZ = Foundation.log(s) + m
        for c in 0..<cols {
            let q = (c == t ? 1 - eps : 0) + eps / v
            total += q * (logZ - Double(logits[r * cols + c]))
            if let dLogits {
                let p = Foundation.exp(Double(logits[r * cols + c]) - logZ)
                dLogits[r * cols + c] = Float((p - q) / Double(count))
            }
        }
    }
    return count > 0 ? Float(total / Double(count)) : 0
}

/// Σ_c x[c] over a row.
@inline(__always)
func rowSum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>()
    var i = 0
    while i + 16 <= n { acc += PointwiseLanes.load(x + i); i += 16 }
    var s = PointwiseLanes.sum(acc)
    while i < n { s += x[i]; i += 1 }
    return s
}

/// Adds a scalar to every element of a row in place.
@inline(__always)
func rowAdd(_ y: UnsafeMutablePointer<Float>, _ n: Int, _ a: Float) {
    let va = SIMD16<Float>(repeating: a)
    var i = 0
    while i + 16 <= n { PointwiseLanes.store(PointwiseLanes.load(y + i) + va, y + i); i += 16 }
    while i < n { y[i] += a; i += 1 }
}
