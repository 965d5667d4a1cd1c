// Elementwise kernels on flat Float buffers, plus the SIMD16 load/store and horizontal-reduction
// helpers that the other pointwise kernels (softmax, norms, activations, AdamW) share.

// MARK: - Shared SIMD16 helpers (internal)

/// Unaligned SIMD16 loads/stores, partial (tail) loads/stores and horizontal reductions.
///
/// Kept in a namespace so their names cannot collide with helpers in other kernel files.
enum PointwiseLanes {
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// Loads the first `n` (< 16) floats at `p`; the other lanes are `pad`.
    @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Float>, _ n: Int, pad: Float) -> SIMD16<Float> {
        var v = SIMD16<Float>(repeating: pad)
        for i in 0..<n { v[i] = p[i] }
        return v
    }

    /// Stores the first `n` (< 16) lanes of `v` at `p`.
    @inline(__always)
    static func storePartial(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { p[i] = v[i] }
    }

    /// Σ of the 16 lanes, by halving (no scalarised stdlib `.sum()`).
    @inline(__always)
    static func sum(_ v: SIMD16<Float>) -> Float {
        let a = v.lowHalf + v.highHalf
        let b = a.lowHalf + a.highHalf
        let c = b.lowHalf + b.highHalf
        return c[0] + c[1]
    }

    /// max of the 16 lanes (once per row, so a scalar loop is fine).
    @inline(__always)
    static func max(_ v: SIMD16<Float>) -> Float {
        var m = v[0]
        for i in 1..<16 where v[i] > m { m = v[i] }
        return m
    }
}

/// Element-operations below which the elementwise kernels stay on one thread.
let elementwiseParallelWork = 4

// MARK: - Elementwise kernels

/// Elementwise sum of two vectors.
///
/// out[i] = a[i] + b[i] for i in 0..<n. `out` may alias `a` or `b`.
public func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                _ out: UnsafeMutablePointer<Float>, count n: Int) {
    parallelChunks(n, work: n * elementwiseParallelWork) { range in
        var i = range.lowerBound
        let end = range.upperBound
        while i + 16 <= end {
            PointwiseLanes.store(PointwiseLanes.load(a + i) + PointwiseLanes.load(b + i), out + i)
            i += 16
        }
        while i < end { out[i] = a[i] + b[i]; i += 1 }
    }
}

/// Elementwise (Hadamard) product of two vectors.
///
/// out[i] = a[i] · b[i] for i in 0..<n. `out` may alias `a` or `b`.
public func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                     _ out: UnsafeMutablePointer<Float>, count n: Int) {
    parallelChunks(n, work: n * elementwiseParallelWork) { range in
        var i = range.lowerBound
        let end = range.upperBound
        while i + 16 <= end {
            PointwiseLanes.store(PointwiseLanes.load(a + i) * PointwiseLanes.load(b + i), out + i)
            i += 16
        }
        while i < end { out[i] = a[i] * b[i]; i += 1 }
    }
}

/// Multiplies a vector by a scalar.
///
/// out[i] = s · a[i] for i in 0..<n. `out` may alias `a`.
public func scale(_ a: UnsafePointer<Float>, by s: Float,
                  _ out: UnsafeMutablePointer<Float>, count n: Int) {
    let vs = SIMD16<Float>(repeating: s)
    parallelChunks(n, work: n * elementwiseParallelWork) { range in
        var i = range.lowerBound
        let end = range.upperBound
        while i + 16 <= end {
            PointwiseLanes.store(PointwiseLanes.load(a + i) * vs, out + i)
            i += 16
        }
        while i < end { out[i] = a[i] * s; i += 1 }
    }
}

/// Adds a scaled vector to another in place (BLAS `saxpy`).
///
/// y[i] += α · x[i] for i in 0..<n (fused multiply-add).
public func axpy(_ alpha: Float, _ x: UnsafePointer<Float>,
                 _ y: UnsafeMutablePointer<Float>, count n: Int) {
    let va = SIMD16<Float>(repeating: alpha)
    parallelChunks(n, work: n * elementwiseParallelWork) { range in
        var i = range.lowerBound
        let end = range.upperBound
        while i + 16 <= end {
            PointwiseLanes.store(PointwiseLanes.load(y + i).addingProduct(va, PointwiseLanes.load(x + i)), y + i)
            i += 16
        }
        while i < end { y[i] = y[i].addingProduct(alpha, x[i]); i += 1 }
    }
}

/// Adds a bias vector to every row of a matrix.
///
/// out[r, c] = x[r, c] + bias[c]; x and out are rows×cols row-major, bias has cols entries.
/// `out` may alias `x`.
public func addRowBias(_ x: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                       _ out: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    parallelChunks(rows, work: rows * cols * elementwiseParallelWork) { range in
        for r in range {
            let xr = x + r * cols
            let outr = out + r * cols
            var c = 0
            while c + 16 <= cols {
                PointwiseLanes.store(PointwiseLanes.load(xr + c) + PointwiseLanes.load(bias + c), outr + c)
                c += 16
            }
            while c < cols { outr[c] = xr[c] + bias[c]; c += 1 }
        }
    }
}

/// Σ a[i]·b[i] over `count` floats with SIMD16 FMAs and a halving horizontal sum.
@inline(__always)
func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var acc = SIMD16<Float>()
    var i = 0
    while i + 16 <= count {
        acc = acc.addingProduct(UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self),
                                UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self))
        i += 16
    }
    let a8 = acc.lowHalf + acc.highHalf, a4 = a8.lowHalf + a8.highHalf, a2 = a4.lowHalf + a4.highHalf
    var s = a2[0] + a2[1]
    while i < count { s += a[i] * b[i]; i += 1 }
    return s
}
