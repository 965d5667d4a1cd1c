// Reductions over flat buffers and over the rows of a matrix.

/// Elements summed in Float SIMD lanes before the block total is added to a Double.
let reductionBlock = 4096

/// Sum of a vector, accurate to about Float precision for any length.
///
/// Σ_i x[i] for i in 0..<n: blocks of 4096 are summed in four SIMD16 Float accumulators and the
/// block totals in Double, so the error grows with the block size, not with n.
public func sum(_ x: UnsafePointer<Float>, count n: Int) -> Float {
    var total: Double = 0
    var start = 0
    while start < n {
        let end = min(n, start + reductionBlock)
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var i = start
        while i + 64 <= end {
            s0 += PointwiseLanes.load(x + i)
            s1 += PointwiseLanes.load(x + i + 16)
            s2 += PointwiseLanes.load(x + i + 32)
            s3 += PointwiseLanes.load(x + i + 48)
            i += 64
        }
        while i + 16 <= end { s0 += PointwiseLanes.load(x + i); i += 16 }
        var block = Double(PointwiseLanes.sum((s0 + s1) + (s2 + s3)))
        while i < end { block += Double(x[i]); i += 1 }
        total += block
        start = end
    }
    return Float(total)
}

/// Plain Double-accumulated sum; the reference for `sum`.
///
/// Σ_i x[i] for i in 0..<n.
public func sumReference(_ x: UnsafePointer<Float>, count n: Int) -> Float {
    var s: Double = 0
    for i in 0..<n { s += Double(x[i]) }
    return Float(s)
}

/// Sum of squares of a vector (squared L2 norm), accumulated like `sum`.
///
/// Σ_i x[i]² for i in 0..<n.
public func sumOfSquares(_ x: UnsafePointer<Float>, count n: Int) -> Float {
    var total: Double = 0
    var start = 0
    while start < n {
        let end = min(n, start + reductionBlock)
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var i = start
        while i + 64 <= end {
            let a = PointwiseLanes.load(x + i), b = PointwiseLanes.load(x + i + 16)
            let c = PointwiseLanes.load(x + i + 32), d = PointwiseLanes.load(x + i + 48)
            s0 = s0.addingProduct(a, a)
            s1 = s1.addingProduct(b, b)
            s2 = s2.addingProduct(c, c)
            s3 = s3.addingProduct(d, d)
            i += 64
        }
        while i + 16 <= end { let a = PointwiseLanes.load(x + i); s0 = s0.addingProduct(a, a); i += 16 }
        var block = Double(PointwiseLanes.sum((s0 + s1) + (s2 + s3)))
        while i < end { block += Double(x[i]) * Double(x[i]); i += 1 }
        total += block
        start = end
    }
    return Float(total)
}

/// Plain Double-accumulated sum of squares; the reference for `sumOfSquares`.
///
/// Σ_i x[i]² for i in 0..<n.
public func sumOfSquaresReference(_ x: UnsafePointer<Float>, count n: Int) -> Float {
    var s: Double = 0
    for i in 0..<n { s += Double(x[i]) * Double(x[i]) }
    return Float(s)
}

/// Adds the column sums of a matrix to a vector (the bias gradient of `addRowBias`).
///
/// out[c] += Σ_r x[r, c]; x is rows×cols row-major, out has cols entries. Columns are split
/// over threads in blocks of 64, so there are no races and the result does not depend on the
/// thread count.
public func accumulateColumnSums(_ x: UnsafePointer<Float>, rows: Int, cols: Int,
                                 into out: UnsafeMutablePointer<Float>) {
    let blockCols = 64
    let blocks = (cols + blockCols - 1) / blockCols
    parallelChunks(blocks, work: rows * cols) { blockRange in
        for block in blockRange {
            let c0 = block * blockCols
            let width = min(blockCols, cols - c0)
            if width == blockCols {
                var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
                for r in 0..<rows {
                    let p = x + r * cols + c0
                    s0 += PointwiseLanes.load(p)
                    s1 += PointwiseLanes.load(p + 16)
                    s2 += PointwiseLanes.load(p + 32)
                    s3 += PointwiseLanes.load(p + 48)
                }
                PointwiseLanes.store(PointwiseLanes.load(out + c0) + s0, out + c0)
                PointwiseLanes.store(PointwiseLanes.load(out + c0 + 16) + s1, out + c0 + 16)
                PointwiseLanes.store(PointwiseLanes.load(out + c0 + 32) + s2, out + c0 + 32)
                PointwiseLanes.store(PointwiseLanes.load(out + c0 + 48) + s3, out + c0 + 48)
            } else {
                // Last, narrower block: one SIMD16 stripe at a time, the ragged end padded.
                var c = c0
                while c < c0 + width {
                    let lanes = min(16, c0 + width - c)
                    var s = SIMD16<Float>()
                    if lanes == 16 {
                        for r in 0..<rows { s += PointwiseLanes.load(x + r * cols + c) }
                        PointwiseLanes.store(PointwiseLanes.load(out + c) + s, out + c)
                    } else {
                        for r in 0..<rows { s += PointwiseLanes.loadPartial(x + r * cols + c, lanes, pad: 0) }
                        PointwiseLanes.storePartial(PointwiseLanes.loadPartial(out + c, lanes, pad: 0) + s, out + c, lanes)
                    }
                    c += lanes
                }
            }
        }
    }
}

/// Plain Double-accumulated column sums; the reference for `accumulateColumnSums`.
///
/// out[c] += Σ_r x[r, c]; x is rows×cols row-major.
public func accumulateColumnSumsReference(_ x: UnsafePointer<Float>, rows: Int, cols: Int,
                                          into out: UnsafeMutablePointer<Float>) {
    for c in 0..<cols {
        var s: Double = 0
        for r in 0..<rows { s += Double(x[r * cols + c]) }
        out[c] = Float(Double(out[c]) + s)
    }
}
