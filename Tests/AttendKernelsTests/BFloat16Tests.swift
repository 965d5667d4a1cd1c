import AttendKernels
import Testing

@Suite("bfloat16 weights")
struct BFloat16Tests {
    @Test("rounding to bfloat16 is round-to-nearest-even and keeps specials")
    func rounding() {
        #expect(bfloat16Bits(1) == 0x3F80)
        #expect(bfloat16Bits(-2) == 0xC000)
        #expect(bfloat16Bits(0) == 0 && bfloat16Bits(-0.0) == 0x8000)
        // 1 + 2⁻⁸ lies halfway between 1 and 1 + 2⁻⁷: ties go to the even mantissa (1).
        #expect(bfloat16Bits(1 + 0x1p-8) == 0x3F80)
        // 1 + 3·2⁻⁸ lies halfway between 1 + 2⁻⁷ (odd) and 1 + 2⁻⁶ (even): rounds up.
        #expect(bfloat16Bits(1 + 3 * 0x1p-8) == 0x3F82)
        #expect(bfloat16Bits(1 + 0x1p-8 + 0x1p-12) == 0x3F81)  // above halfway: up
        #expect(bfloat16Bits(.infinity) == 0x7F80 && bfloat16Bits(-.infinity) == 0xFF80)
        #expect(floatFromBFloat16(bfloat16Bits(.nan)).isNaN)
        #expect(floatFromBFloat16(bfloat16Bits(.greatestFiniteMagnitude)) == .infinity)
        // Relative error at most 2⁻⁸ (half a unit in the 8-bit significand) for normal numbers.
        var worst: Float = 0
        for i in 1...2000 {
            let x = Float(i) * 0.7316 - 700
            worst = max(worst, abs(floatFromBFloat16(bfloat16Bits(x)) - x) / abs(x))
        }
        #expect(worst <= 0x1p-8)
    }

    @Test("packed rows hold every value, in and past the 32-column blocks", arguments: [1, 31, 32, 45, 96])
    func packing(cols: Int) {
        let rows = 3
        let x = (0..<rows * cols).map { Float($0 % 64) * 0.25 - 7 }  // exact in bfloat16, distinct within 64 columns
        var packed = [UInt16](repeating: 0, count: rows * cols)
        packBFloat16Rows(x, rows: rows, cols: cols, into: &packed)
        for r in 0..<rows {
            for c in 0..<cols { #expect(packedBFloat16Value(packed, cols: cols, row: r, col: c) == x[r * cols + c]) }
        }
    }

    @Test("the bfloat16 matrix–vector product equals fp32 GEMM on the rounded matrix",
          arguments: [(1, 5, 7), (1, 67, 32), (2, 9, 50), (3, 64, 96), (4, 13, 256), (1, 300, 1024), (19, 21, 64)], [Float(0), 1])
    func product(shape: (Int, Int, Int), beta: Float) {
        let (m, n, k) = shape
        let a = (0..<m * k).map { i in Float((i * 37) % 101) / 50 - 1 }
        let w = (0..<n * k).map { i in Float((i * 53) % 97) / 48 - 1 }
        var packed = [UInt16](repeating: 0, count: n * k)
        packBFloat16Rows(w, rows: n, cols: k, into: &packed)
        let rounded = (0..<n * k).map { floatFromBFloat16(bfloat16Bits(w[$0])) }
        let start = (0..<m * n).map { Float($0 % 5) - 2 }
        var expected = start, got = start
        gemm(transA: false, transB: true, m: m, n: n, k: k, a: a, lda: k, b: rounded, ldb: k, beta: beta, c: &expected, ldc: n)
        gemvBFloat16(m: m, n: n, k: k, a: a, lda: k, b: packed, beta: beta, c: &got, ldc: n)
        var worst: Float = 0
        for i in 0..<m * n { worst = max(worst, abs(got[i] - expected[i]) / max(1, abs(expected[i]))) }
        #expect(worst <= 1e-5, "m \(m) n \(n) k \(k) beta \(beta)")
        // And the rounding is real: the product differs from the fp32 weights' product.
        var exact = start
        gemm(transA: false, transB: true, m: m, n: n, k: k, a: a, lda: k, b: w, ldb: k, beta: beta, c: &exact, ldc: n)
        #expect(zip(exact, got).contains { $0 != $1 })
    }
}
