import AttendKernels
import AttendTensor

/// A [rows, cols] fp32 matrix rounded to bfloat16.
///
/// Kept packed as bfloat16 for `gemvBFloat16` when few rows multiply it per step (there the weight
/// stream is the cost, so half the bytes is up to half the time); kept as the rounded values in fp32
/// for the blocked GEMM when many do (from `packedRowLimit` rows on, the product is compute-bound and
/// the GEMM's register blocking wins). Either way the product is the same rounded matrix's.
public final class BFloat16Matrix {
    /// Number of rows of the matrix.
    public let rows: Int
    /// Number of columns of the matrix.
    public let cols: Int
    /// Most rows of x per product for which the packed bfloat16 form is used.
    public static let packedRowLimit = 4
    private let packed: UnsafeMutablePointer<UInt16>?
    private let widened: UnsafeMutablePointer<Float>?

    /// Rounds `matrix` (rank 2) to bfloat16, stored for products of `batch` rows.
    public init(_ matrix: Tensor, batch: Int) {
        precondition(matrix.rank == 2, "BFloat16Matrix expects a matrix, got \(matrix.shape)")
        rows = matrix.shape[0]
        cols = matrix.shape[1]
        let n = rows * cols
        if batch <= Self.packedRowLimit {
            let bits = UnsafeMutablePointer<UInt16>.allocate(capacity: n)
            packBFloat16Rows(matrix.pointer, rows: rows, cols: cols, into: bits)
            (packed, widened) = (bits, nil)
        } else {
            let values = UnsafeMutablePointer<Float>.allocate(capacity: n)
            for i in 0..<n { values[i] = floatFromBFloat16(bfloat16Bits(matrix.pointer[i])) }
            (packed, widened) = (nil, values)
        }
    }

    deinit { packed?.deallocate(); widened?.deallocate() }

    /// y = x·Wᵀ (+ y when `accumulate`) for `count` rows of x [count, cols] → y [count, rows].
    public func multiply(_ x: UnsafePointer<Float>, rows count: Int, into y: UnsafeMutablePointer<Float>, accumulate: Bool) {
        if let packed {
            gemvBFloat16(m: count, n: rows, k: cols, a: x, lda: cols, b: packed, beta: accumulate ? 1 : 0, c: y, ldc: rows)
        } else {
            gemm(transA: false, transB: true, m: count, n: rows, k: cols, a: x, lda: cols, b: widened!, ldb: cols,
                 beta: accumulate ? 1 : 0, c: y, ldc: rows)
        }
    }
}
