import AttendKernels
import Testing

/// Deterministic values in [-1, 1) (SplitMix64).
private func values(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed
    return (0..<count).map { _ in
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 23) - 1
    }
}

private func roundedToBFloat16(_ x: [Float]) -> [Float] { x.map { floatFromBFloat16(bfloat16Bits($0)) } }

/// One bf16 GEMM problem with padded leading dimensions.
struct BFloat16Case: CustomTestStringConvertible, Sendable {
    var m: Int, n: Int, k: Int
    var transA: Bool, transB: Bool
    var alpha: Float = 1, beta: Float = 0
    var pad = 0
    var testDescription: String { "\(transA ? "T" : "N")\(transB ? "T" : "N") \(m)×\(n)×\(k) α=\(alpha) β=\(beta) pad=\(pad)" }
    var lda: Int { (transA ? m : k) + pad }
    var ldb: Int { (transB ? k : n) + pad }
    var ldc: Int { n + pad }
}

private let transposes: [(Bool, Bool)] = [(false, false), (false, true), (true, false), (true, true)]
/// Odd K (a zero-padded last pair), ragged strips and panels, K beyond one block, and a size
/// above the threading threshold (two threads take the parallel path).
private let bf16Cases: [BFloat16Case] = transposes.flatMap { t in
    [
        BFloat16Case(m: 1, n: 1, k: 1, transA: t.0, transB: t.1),
        BFloat16Case(m: 29, n: 65, k: 33, transA: t.0, transB: t.1),
        BFloat16Case(m: 13, n: 97, k: 71, transA: t.0, transB: t.1, alpha: -0.5, beta: 1, pad: 3),
        BFloat16Case(m: 40, n: 32, k: 600, transA: t.0, transB: t.1, alpha: 2, beta: 0.25, pad: 1),
        BFloat16Case(m: 150, n: 100, k: 70, transA: t.0, transB: t.1, alpha: 0.75, beta: 0.5, pad: 2),
    ]
}

/// Runs `gemmBFloat16` and returns (its C, the reference C on bf16-rounded operands, the reference
/// C on the unrounded operands, Σ|A||B| per element).
private func run(_ t: BFloat16Case, threads: Int, parameters: GEMMParameters = .current)
    -> (fast: [Float], rounded: [Float], exact: [Float], magnitude: [Float]) {
    let a = values((t.transA ? t.k : t.m) * t.lda + 1, seed: 11)
    let b = values((t.transB ? t.n : t.k) * t.ldb + 1, seed: 12)
    let c0 = values(t.m * t.ldc, seed: 13)
    var fast = c0, rounded = c0, exact = c0
    var magnitude = [Float](repeating: 0, count: t.m * t.ldc)
    let ra = roundedToBFloat16(a), rb = roundedToBFloat16(b)
    let absA = a.map(abs), absB = b.map(abs)
    gemmBFloat16(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k, alpha: t.alpha, a: a, lda: t.lda,
                 b: b, ldb: t.ldb, beta: t.beta, c: &fast, ldc: t.ldc, threads: threads, parameters: parameters)
    gemmReference(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k, alpha: t.alpha, a: ra, lda: t.lda,
                  b: rb, ldb: t.ldb, beta: t.beta, c: &rounded, ldc: t.ldc)
    gemmReference(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k, alpha: t.alpha, a: a, lda: t.lda,
                  b: b, ldb: t.ldb, beta: t.beta, c: &exact, ldc: t.ldc)
    gemmReference(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k, alpha: abs(t.alpha), a: absA, lda: t.lda,
                  b: absB, ldb: t.ldb, beta: 0, c: &magnitude, ldc: t.ldc)
    return (fast, rounded, exact, magnitude)
}

@Suite("bfloat16 GEMM")
struct BFloat16GEMMTests {
    @Test("gemmBFloat16 equals the fp32 reference on bf16-rounded operands (fp32 summation error only), every transpose, 1 and 2 threads",
          arguments: bf16Cases, [1, 2])
    func matchesRoundedReference(_ t: BFloat16Case, threads: Int) {
        let r = run(t, threads: threads)
        var worst: Float = 0
        var paddingIntact = true
        let c0 = values(t.m * t.ldc, seed: 13)
        for i in 0..<t.m {
            for j in 0..<t.ldc {
                let x = i * t.ldc + j
                if j >= t.n { paddingIntact = paddingIntact && r.fast[x].bitPattern == c0[x].bitPattern; continue }
                worst = max(worst, abs(r.fast[x] - r.rounded[x]) / (1 + r.magnitude[x]))
            }
        }
        #expect(worst <= 2e-6, "\(t.testDescription): error \(worst) against the rounded-operand reference")
        #expect(paddingIntact, "\(t.testDescription) wrote outside the m×n block")
    }

    @Test("against the unrounded product the error stays within the bfloat16 bound 2·2⁻⁸·Σ|A||B|, and rounding is visible",
          arguments: [BFloat16Case(m: 37, n: 70, k: 129, transA: false, transB: true),
                      BFloat16Case(m: 64, n: 33, k: 64, transA: true, transB: false)])
    func withinBFloat16Bound(_ t: BFloat16Case) {
        let r = run(t, threads: 1)
        var worstRatio: Float = 0, largest: Float = 0
        for i in 0..<t.m {
            for j in 0..<t.n {
                let x = i * t.ldc + j
                let error = abs(r.fast[x] - r.exact[x])
                worstRatio = max(worstRatio, error / (2 * 0x1p-8 * r.magnitude[x] + 1e-6))
                largest = max(largest, error)
            }
        }
        #expect(worstRatio <= 1, "\(t.testDescription): error exceeds the bf16 bound (ratio \(worstRatio))")
        if BFloat16Support.available {
            #expect(largest > 1e-4, "\(t.testDescription): no rounding visible (largest error \(largest)); is this fp32?")
        }
    }

    @Test("every packing path rounds to nearest even exactly: A·I = bf16(A) for each transpose, ties included",
          arguments: transposes)
    func identityProductIsRounding(_ trans: (Bool, Bool)) {
        let (transA, transB) = trans
        let m = 13, k = 70  // k ≥ 64: the vector packing loops; k odd pairs at the tail
        var a = values(m * k, seed: 21)
        // ties (exactly halfway between two bfloat16 values) of both parities, a value just above a
        // tie, -0 and the smallest normal (infinities are left out: inf·0 in A·I is NaN)
        a[0] = Float(bitPattern: 0x3F80_8000)   // 1 + 2⁻⁸: tie, rounds down to even 1.0
        a[1] = Float(bitPattern: 0x3F81_8000)   // tie above an odd bfloat16: rounds up
        a[2] = Float(bitPattern: 0x3F80_8001)   // just above a tie: rounds up
        a[3] = -0.0
        a[5] = .leastNormalMagnitude
        let identity = (0..<(k * k)).map { Float($0 / k == $0 % k ? 1 : 0) }
        // op(A) = A stored m×k (or its transpose stored k×m)
        let stored = transA ? (0..<(k * m)).map { a[($0 % m) * k + $0 / m] } : a
        var c = [Float](repeating: .nan, count: m * k)
        gemmBFloat16(transA: transA, transB: transB, m: m, n: k, k: k, a: stored, lda: transA ? m : k,
                     b: identity, ldb: k, c: &c, ldc: k, threads: 1)
        guard BFloat16Support.available else { return }
        var mismatches = 0
        for x in 0..<(m * k) {
            let expected = floatFromBFloat16(bfloat16Bits(a[x]))
            if c[x] != expected { mismatches += 1 }
        }
        #expect(mismatches == 0, "\(mismatches) elements differ from bf16(A)")
        #expect(c[0] == 1.0 && c[1] == Float(bitPattern: 0x3F82_0000) && c[2] == Float(bitPattern: 0x3F81_0000))
    }

    @Test("forced blockings (odd KC, one-panel NC) give the same bf16 result as the chosen one")
    func forcedBlockings() {
        let t = BFloat16Case(m: 50, n: 70, k: 301, transA: false, transB: true, alpha: 1, beta: 0.5)
        let reference = run(t, threads: 1).fast
        for p in [GEMMParameters(kc: 7, nc: 32, readsAInPlace: false), GEMMParameters(kc: 100, nc: 64, readsAInPlace: true)] {
            for threads in [1, 2] {
                let r = run(t, threads: threads, parameters: p)
                var worst: Float = 0
                for x in 0..<reference.count { worst = max(worst, abs(r.fast[x] - reference[x]) / (1 + r.magnitude[x])) }
                #expect(worst <= 2e-6, "\(p) threads \(threads): \(worst)")
            }
        }
    }

    @Test("a CPU without AVX512-BF16 gets fp32 and a one-line notice; the peak is measured only where the instruction exists")
    func fallback() {
        let missing = BFloat16Support.resolve(.bf16, available: false)
        #expect(missing.precision == .fp32)
        #expect(missing.notice?.contains("AVX512-BF16") == true && missing.notice?.contains("\n") == false)
        #expect(BFloat16Support.resolve(.bf16, available: true) == (.bf16, nil))
        #expect(BFloat16Support.resolve(.fp32, available: false) == (.fp32, nil))
        let peak = measureBFloat16Peak(threads: 1, seconds: 0.01)
        #expect((peak != nil) == BFloat16Support.available)
        if let peak { #expect(peak > 0) }
    }
}
