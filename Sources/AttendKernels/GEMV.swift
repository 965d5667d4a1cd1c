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
        parallelChunks(n, work: 2 * m * n * k, threads: threads) { range in
            for j in range {
                let bj = b + j * ldb
                for i in 0..<m {
                    finish(dotProduct(rows + i * k, bj, count: k), i, j)
                }
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
