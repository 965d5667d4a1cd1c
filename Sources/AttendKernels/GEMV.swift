/// Matrix products with very few rows of C (m ≤ 4): the generation-time shape, one token per
/// sequence times a weight matrix. Packing B would cost more than the product itself, so B is read
/// in place: for `transB` every C element is a SIMD dot product of an A row with a B row; otherwise
/// each C row accumulates A-weighted rows of B. Same contract as `gemm` (α, β, leading dimensions).
func gemmFewRows(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                 beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
    // A's row i as a contiguous vector (copied when A is transposed).
    let rows = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
    defer { rows.deallocate() }
    for i in 0..<m {
        for p in 0..<k { rows[i * k + p] = transA ? a[p * lda + i] : a[i * lda + p] }
    }
    @inline(__always) func finish(_ value: Float, _ i: Int, _ j: Int) {
        let out = c + i * ldc + j
        out.pointee = beta == 0 ? alpha * value : alpha * value + beta * out.pointee
    }
    if transB {
        // Four B rows per pass: four independent FMA chains hide the FMA latency, and each
        // 16-wide slice of A's row is loaded once for four rows of B.
        // Memory-bound: B (n·k floats) streams from L3, so the split pays from ~64K elements of B.
        parallelChunks(n, work: max(2 * m * n * k, 4 * n * k), threads: threads) { range in
            var j = range.lowerBound
            while j + 4 <= range.upperBound {
                let b0 = b + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb
                for i in 0..<m {
                    let s = dotProducts4(rows + i * k, b0, b1, b2, b3, count: k)
                    finish(s.0, i, j); finish(s.1, i, j + 1); finish(s.2, i, j + 2); finish(s.3, i, j + 3)
                }
                j += 4
            }
            while j < range.upperBound {
                let bj = b + j * ldb
                for i in 0..<m { finish(dotProduct(rows + i * k, bj, count: k), i, j) }
                j += 1
            }
        }
    } else {
        // Split the columns of C; each chunk accumulates over all k rows of B.
        let columnBlocks = (n + 63) / 64
        parallelChunks(columnBlocks, work: 2 * m * n * k, threads: threads) { range in
            let acc = UnsafeMutablePointer<Float>.allocate(capacity: 64 * m)
            defer { acc.deallocate() }
            for block in range {
                let j0 = block * 64, width = min(64, n - j0)
                acc.update(repeating: 0, count: 64 * m)
                for p in 0..<k {
                    let bp = b + p * ldb + j0
                    for i in 0..<m {
                        let s = rows[i * k + p]
                        if s == 0 { continue }
                        let row = acc + i * 64
                        var j = 0
                        let sv = SIMD16<Float>(repeating: s)
                        while j + 16 <= width {
                            let cur = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD16<Float>.self)
                            UnsafeMutableRawPointer(row + j).storeBytes(
                                of: cur.addingProduct(sv, UnsafeRawPointer(bp + j).loadUnaligned(as: SIMD16<Float>.self)),
                                as: SIMD16<Float>.self)
                            j += 16
                        }
                        while j < width { row[j] += s * bp[j]; j += 1 }
                    }
                }
                for i in 0..<m { for j in 0..<width { finish(acc[i * 64 + j], i, j0 + j) } }
            }
        }
    }
}

/// Four dot products of `a` with `b0`…`b3` (each `count` long) in one pass over `a`.
@inline(__always)
func dotProducts4(_ a: UnsafePointer<Float>, _ b0: UnsafePointer<Float>, _ b1: UnsafePointer<Float>,
                  _ b2: UnsafePointer<Float>, _ b3: UnsafePointer<Float>, count: Int) -> (Float, Float, Float, Float) {
    var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>(), c3 = SIMD16<Float>()
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }
    var p = 0
    while p + 16 <= count {
        let x = load(a + p)
        c0 = c0.addingProduct(x, load(b0 + p))
        c1 = c1.addingProduct(x, load(b1 + p))
        c2 = c2.addingProduct(x, load(b2 + p))
        c3 = c3.addingProduct(x, load(b3 + p))
        p += 16
    }
    var s0 = PointwiseLanes.sum(c0), s1 = PointwiseLanes.sum(c1), s2 = PointwiseLanes.sum(c2), s3 = PointwiseLanes.sum(c3)
    while p < count {
        let x = a[p]
        s0 += x * b0[p]; s1 += x * b1[p]; s2 += x * b2[p]; s3 += x * b3[p]
        p += 1
    }
    return (s0, s1, s2, s3)
}
