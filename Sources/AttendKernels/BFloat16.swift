// bfloat16 weight storage for generation: the top 16 bits of an IEEE fp32 number (8 exponent bits,
// 7 mantissa bits). Batch-1 generation streams every weight matrix from memory once per token, so
// halving the bytes per weight halves the dominant cost; arithmetic stays fp32 (each weight is widened
// exactly on load, products and sums are fp32).

/// The bfloat16 nearest to `x` (round to nearest, ties to even), as its bit pattern. NaN stays NaN.
@inlinable
public func bfloat16Bits(_ x: Float) -> UInt16 {
    let bits = x.bitPattern
    if x.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
    let rounding: UInt32 = 0x7FFF + ((bits >> 16) & 1)
    return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
}

/// The fp32 value of a bfloat16 bit pattern (exact).
@inlinable
public func floatFromBFloat16(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
}

/// Packs a [rows, cols] fp32 matrix as bfloat16 rows in the layout `gemvBFloat16` reads: within each
/// row, every block of 32 columns is stored as 16 32-bit words whose low half is column i and high half
/// column i + 16 (i < 16), so sixteen lanes widen to fp32 with one shift or one mask; the last
/// `cols % 32` columns follow in order. `packed` holds rows·cols values.
public func packBFloat16Rows(_ x: UnsafePointer<Float>, rows: Int, cols: Int, into packed: UnsafeMutablePointer<UInt16>) {
    for r in 0..<rows {
        let src = x + r * cols, dst = packed + r * cols
        var block = 0
        while block + 32 <= cols {
            for i in 0..<16 {
                dst[block + 2 * i] = bfloat16Bits(src[block + i])
                dst[block + 2 * i + 1] = bfloat16Bits(src[block + 16 + i])
            }
            block += 32
        }
        for c in block..<cols { dst[c] = bfloat16Bits(src[c]) }
    }
}

/// The fp32 value at (row, col) of a matrix packed by `packBFloat16Rows`.
public func packedBFloat16Value(_ packed: UnsafePointer<UInt16>, cols: Int, row: Int, col: Int) -> Float {
    let full = cols / 32 * 32
    if col >= full { return floatFromBFloat16(packed[row * cols + col]) }
    let block = col / 32 * 32, i = col - block
    let slot = i < 16 ? 2 * i : 2 * (i - 16) + 1
    return floatFromBFloat16(packed[row * cols + block + slot])
}

/// C = A · Bᵀ + beta · C for rows of A (fp32, m×k, row stride lda) and a bfloat16 weight matrix B (n×k,
/// packed by `packBFloat16Rows`) — `gemm(transA: false, transB: true, …)` with B widened exactly to fp32
/// on load. Threads split B's rows, as the fp32 matrix–vector path does; each group of four B rows is
/// read from memory once and reused from L1 for every row of A, so the kernel suits generation batches
/// (it is a matrix–vector product at m = 1, not a blocked GEMM).
public func gemvBFloat16(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                         b: UnsafePointer<UInt16>, beta: Float = 0,
                         c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int = Threading.count) {
    precondition(m >= 1 && n >= 0 && k >= 0 && lda >= k && ldc >= n,
                 "gemvBFloat16: bad shape m=\(m) n=\(n) k=\(k) (lda \(lda), ldc \(ldc))")
    @inline(__always) func finish(_ value: Float, _ i: Int, _ j: Int) {
        let out = c + i * ldc + j
        out.pointee = beta == 0 ? value : value + beta * out.pointee
    }
    // Memory-bound: B (2·n·k bytes) streams from memory, so split from ~64K weights, as in `gemmFewRows`.
    parallelChunks(n, work: max(2 * m * n * k, 4 * n * k), threads: threads) { range in
        var j = range.lowerBound
        while j + 4 <= range.upperBound {
            let b0 = b + j * k
            for i in 0..<m {
                let s = dotProducts4BFloat16(a + i * lda, b0, b0 + k, b0 + 2 * k, b0 + 3 * k, count: k)
                finish(s.0, i, j); finish(s.1, i, j + 1); finish(s.2, i, j + 2); finish(s.3, i, j + 3)
            }
            j += 4
        }
        while j < range.upperBound {
            let bj = b + j * k
            for i in 0..<m { finish(dotProducts4BFloat16(a + i * lda, bj, bj, bj, bj, count: k).0, i, j) }
            j += 1
        }
    }
}

/// Four dot products of fp32 `a` with packed bfloat16 rows `b0`…`b3` (each `count` long) in one pass over `a`.
@inline(__always)
func dotProducts4BFloat16(_ a: UnsafePointer<Float>, _ b0: UnsafePointer<UInt16>, _ b1: UnsafePointer<UInt16>,
                          _ b2: UnsafePointer<UInt16>, _ b3: UnsafePointer<UInt16>,
                          count: Int) -> (Float, Float, Float, Float) {
    @inline(__always) func words(_ p: UnsafePointer<UInt16>) -> SIMD16<UInt32> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt32>.self)
    }
    let high = SIMD16<UInt32>(repeating: 0xFFFF_0000)
    @inline(__always) func low16(_ w: SIMD16<UInt32>) -> SIMD16<Float> { unsafeBitCast(w &<< 16, to: SIMD16<Float>.self) }
    @inline(__always) func high16(_ w: SIMD16<UInt32>) -> SIMD16<Float> { unsafeBitCast(w & high, to: SIMD16<Float>.self) }
    var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>(), c3 = SIMD16<Float>()
    var p = 0
    while p + 32 <= count {
        let x0 = UnsafeRawPointer(a + p).loadUnaligned(as: SIMD16<Float>.self)
        let x1 = UnsafeRawPointer(a + p + 16).loadUnaligned(as: SIMD16<Float>.self)
        let w0 = words(b0 + p), w1 = words(b1 + p), w2 = words(b2 + p), w3 = words(b3 + p)
        c0 = c0.addingProduct(x0, low16(w0)).addingProduct(x1, high16(w0))
        c1 = c1.addingProduct(x0, low16(w1)).addingProduct(x1, high16(w1))
        c2 = c2.addingProduct(x0, low16(w2)).addingProduct(x1, high16(w2))
        c3 = c3.addingProduct(x0, low16(w3)).addingProduct(x1, high16(w3))
        p += 32
    }
    var s0 = PointwiseLanes.sum(c0), s1 = PointwiseLanes.sum(c1), s2 = PointwiseLanes.sum(c2), s3 = PointwiseLanes.sum(c3)
    while p < count {
        let x = a[p]
        s0 += x * floatFromBFloat16(b0[p]); s1 += x * floatFromBFloat16(b1[p])
        s2 += x * floatFromBFloat16(b2[p]); s3 += x * floatFromBFloat16(b3[p])
        p += 1
    }
    return (s0, s1, s2, s3)
}
