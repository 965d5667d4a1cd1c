// Row-wise softmax, its backward, and log-softmax over the last dimension.
import Foundation

/// Element-operations per element used to decide whether to thread a row-wise kernel.
let rowWorkPerElement = 8

/// Largest element of a row (NaN-insensitive; NaN is caught later because e^NaN = NaN).
@inline(__always)
func rowMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var vm = SIMD16<Float>(repeating: -.infinity)
    var i = 0
    while i + 16 <= n {
        // (`pointwiseMax` of two variables is scalarised; this select becomes one vmaxps.)
        let v = PointwiseLanes.load(x + i)
        vm = vm.replacing(with: v, where: v .> vm)
        i += 16
    }
    var m = PointwiseLanes.max(vm)
    while i < n { if x[i] > m { m = x[i] }; i += 1 }
    return m
}

/// Σ_c e^(x[c] − m) over a row; when `store` is non-nil also writes each e^(x[c] − m) there.
@inline(__always)
func rowSumExp(_ x: UnsafePointer<Float>, _ n: Int, minus m: Float,
               store: UnsafeMutablePointer<Float>?) -> Float {
    let vm = SIMD16<Float>(repeating: m)
    var acc = SIMD16<Float>()
    var i = 0
    while i + 16 <= n {
        let e = fastExp(PointwiseLanes.load(x + i) - vm)
        if let store { PointwiseLanes.store(e, store + i) }
        acc += e
        i += 16
    }
    if i < n {
        // Padding with −∞ makes the unused lanes e^(−∞) = 0.
        let e = fastExp(PointwiseLanes.loadPartial(x + i, n - i, pad: -.infinity) - vm)
        if let store { PointwiseLanes.storePartial(e, store + i, n - i) }
        acc += e
    }
    return PointwiseLanes.sum(acc)
}

/// Multiplies a row by a scalar in place.
@inline(__always)
func rowScale(_ y: UnsafeMutablePointer<Float>, _ n: Int, by s: Float) {
    let vs = SIMD16<Float>(repeating: s)
    var i = 0
    while i + 16 <= n { PointwiseLanes.store(PointwiseLanes.load(y + i) * vs, y + i); i += 16 }
    while i < n { y[i] *= s; i += 1 }
}

/// Numerically stable softmax over each row of a matrix.
///
/// y[r, c] = e^(x[r, c] − m_r) / Σ_c′ e^(x[r, c′] − m_r), m_r = max_c x[r, c]; x and y are
/// rows×cols row-major and y may alias x. A row of all −∞ gives NaN, as in PyTorch.
public func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    parallelChunks(rows, work: rows * cols * rowWorkPerElement) { range in
        for r in range {
            let xr = x + r * cols, yr = y + r * cols
            let m = rowMax(xr, cols)
            let s = rowSumExp(xr, cols, minus: m, store: yr)
            rowScale(yr, cols, by: 1 / s)
        }
    }
}

/// Scalar Double softmax over rows; the reference for `softmaxRows`.
///
/// y[r, c] = e^(x[r, c] − m_r) / Σ_c′ e^(x[r, c′] − m_r); rows×cols.
public func softmaxRowsReference(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    for r in 0..<rows {
        var m = -Double.infinity
        for c in 0..<cols { m = max(m, Double(x[r * cols + c])) }
        var s: Double = 0
        for c in 0..<cols { s += Foundation.exp(Double(x[r * cols + c]) - m) }
        for c in 0..<cols { y[r * cols + c] = Float(Foundation.exp(Double(x[r * cols + c]) - m) / s) }
    }
}

/// Backward of `softmaxRows` given its output y.
///
/// dx[r, c] = y[r, c]·(dy[r, c] − Σ_c′ dy[r, c′]·y[r, c′]), differentiating y = softmax(x) row-wise;
/// all rows×cols. dx is overwritten and may alias dy.
public func softmaxRowsBackward(y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    parallelChunks(rows, work: rows * cols * rowWorkPerElement) { range in
        for r in range {
            let yr = y + r * cols, dyr = dy + r * cols, dxr = dx + r * cols
            var acc = SIMD16<Float>()
            var c = 0
            while c + 16 <= cols { acc = acc.addingProduct(PointwiseLanes.load(dyr + c), PointwiseLanes.load(yr + c)); c += 16 }
            var dot = PointwiseLanes.sum(acc)
            while c < cols { dot += dyr[c] * yr[c]; c += 1 }
            let vd = SIMD16<Float>(repeating: dot)
            c = 0
            while c + 16 <= cols {
                PointwiseLanes.store(PointwiseLanes.load(yr + c) * (PointwiseLanes.load(dyr + c) - vd), dxr + c)
                c += 16
            }
            while c < cols { dxr[c] = yr[c] * (dyr[c] - dot); c += 1 }
        }
    }
}

/// Scalar Double softmax backward; the reference for `softmaxRowsBackward`.
///
/// dx[r, c] = y[r, c]·(dy[r, c] − Σ_c′ dy[r, c′]·y[r, c′]); rows×cols.
public func softmaxRowsBackwardReference(y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                         dx: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    for r in 0..<rows {
        var dot: Double = 0
        for c in 0..<cols { dot += Double(dy[r * cols + c]) * Double(y[r * cols + c]) }
        for c in 0..<cols {
            dx[r * cols + c] = Float(Double(y[r * cols + c]) * (Double(dy[r * cols + c]) - dot))
        }
    }
}

/// Numerically stable log-softmax over each row of a matrix.
///
/// y[r, c] = (x[r, c] − m_r) − log Σ_c′ e^(x[r, c′] − m_r), m_r = max_c x[r, c]; rows×cols,
/// y may alias x.
public func logSoftmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    parallelChunks(rows, work: rows * cols * rowWorkPerElement) { range in
        for r in range {
            let xr = x + r * cols, yr = y + r * cols
            let m = rowMax(xr, cols)
            let logSum = Foundation.log(rowSumExp(xr, cols, minus: m, store: nil))
            // (x − m) − log s, not x − (m + log s): x − m is exact near the max, so large
            // inputs keep their small log-probabilities accurate.
            let vm = SIMD16<Float>(repeating: m), vl = SIMD16<Float>(repeating: logSum)
            var c = 0
            while c + 16 <= cols { PointwiseLanes.store((PointwiseLanes.load(xr + c) - vm) - vl, yr + c); c += 16 }
            while c < cols { yr[c] = (xr[c] - m) - logSum; c += 1 }
        }
    }
}

/// Scalar Double log-softmax over rows; the reference for `logSoftmaxRows`.
///
/// y[r, c] = x[r, c] − m_r − log Σ_c′ e^(x[r, c′] − m_r); rows×cols.
public func logSoftmaxRowsReference(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    for r in 0..<rows {
        var m = -Double.infinity
        for c in 0..<cols { m = max(m, Double(x[r * cols + c])) }
        var s: Double = 0
        for c in 0..<cols { s += Foundation.exp(Double(x[r * cols + c]) - m) }
        let lse = m + Foundation.log(s)
        for c in 0..<cols { y[r * cols + c] = Float(Double(x[r * cols + c]) - lse) }
    }
}
