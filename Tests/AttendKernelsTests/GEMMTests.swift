import AttendKernels
import Testing

/// Tiny deterministic generator (SplitMix64) so every run sees the same matrices.
private struct GEMMTestRNG {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    mutating func nextFloat() -> Float {
        Float(next() >> 40) / Float(1 << 23) - 1
    }

    mutating func fill(_ count: Int) -> [Float] {
        (0..<count).map { _ in nextFloat() }
    }
}

/// One GEMM problem: sizes, transposes, scalars and padded leading dimensions.
struct GEMMCase: CustomTestStringConvertible, Sendable {
    var m: Int, n: Int, k: Int
    var transA: Bool, transB: Bool
    var alpha: Float = 1, beta: Float = 0
    /// Extra elements added to each minimal leading dimension.
    var pad: Int = 0

    var testDescription: String {
        "\(transA ? "T" : "N")\(transB ? "T" : "N") \(m)×\(n)×\(k) α=\(alpha) β=\(beta) pad=\(pad)"
    }

    var lda: Int { (transA ? m : k) + pad }
    var ldb: Int { (transB ? k : n) + pad }
    var ldc: Int { n + pad }
    var aCount: Int { max(1, (transA ? k : m) * lda) }
    var bCount: Int { max(1, (transB ? n : k) * ldb) }
    var cCount: Int { max(1, m * ldc) }
}

/// Largest |x − ref| / (1 + |ref|) over the m×n block of C (padding excluded).
private func maxRelativeError(_ x: [Float], _ ref: [Float], m: Int, n: Int, ldc: Int) -> Float {
    var worst: Float = 0
    for i in 0..<m {
        for j in 0..<n {
            let r = ref[i * ldc + j]
            let e = abs(x[i * ldc + j] - r) / (1 + abs(r))
            worst = max(worst, e.isNaN ? .infinity : e)
        }
    }
    return worst
}

/// Tolerance for fp32 dot products of length k with entries in [-1, 1].
private func tolerance(k: Int) -> Float {
    1e-5 * Float(max(k, 1)).squareRoot() * 4
}

/// Runs `gemm` and `gemmReference` on the same inputs; returns the relative error and
/// whether the padding columns of C were left untouched.
private func compareWithReference(_ t: GEMMCase, threads: Int, seed: UInt64,
                                  parameters: GEMMParameters = .current) -> (error: Float, paddingIntact: Bool) {
    var rng = GEMMTestRNG(state: seed)
    let a = rng.fill(t.aCount)
    let b = rng.fill(t.bCount)
    var c0 = rng.fill(t.cCount)
    if t.beta == 0 {
        // beta == 0 must overwrite C without reading it: garbage must not leak through.
        for i in 0..<t.m { for j in 0..<t.n { c0[i * t.ldc + j] = .nan } }
    }
    var fast = c0
    var ref = c0
    if t.beta == 0 { for i in 0..<t.m { for j in 0..<t.n { ref[i * t.ldc + j] = 0 } } }
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            fast.withUnsafeMutableBufferPointer { pc in
                gemm(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k, alpha: t.alpha,
                     a: pa.baseAddress!, lda: t.lda, b: pb.baseAddress!, ldb: t.ldb,
                     beta: t.beta, c: pc.baseAddress!, ldc: t.ldc, threads: threads, parameters: parameters)
            }
            ref.withUnsafeMutableBufferPointer { pc in
                gemmReference(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k, alpha: t.alpha,
                              a: pa.baseAddress!, lda: t.lda, b: pb.baseAddress!, ldb: t.ldb,
                              beta: t.beta, c: pc.baseAddress!, ldc: t.ldc)
            }
        }
    }
    var intact = true
    for i in 0..<t.m {
        for j in t.n..<t.ldc where fast[i * t.ldc + j].bitPattern != c0[i * t.ldc + j].bitPattern {
            intact = false
        }
    }
    return (maxRelativeError(fast, ref, m: t.m, n: t.n, ldc: t.ldc), intact)
}

private let gemmShapes: [(Int, Int, Int)] = [(1, 1, 1), (7, 13, 5), (129, 65, 33), (64, 64, 64), (200, 300, 17), (1, 300, 257), (3, 70, 40), (4, 130, 33), (2, 1023, 129)]
private let transposes: [(Bool, Bool)] = [(false, false), (false, true), (true, false), (true, true)]

private let basicCases: [GEMMCase] = gemmShapes.flatMap { s in
    transposes.map { t in GEMMCase(m: s.0, n: s.1, k: s.2, transA: t.0, transB: t.1) }
}

private let scalarCases: [GEMMCase] = transposes.flatMap { t in
    [
        GEMMCase(m: 129, n: 65, k: 33, transA: t.0, transB: t.1, alpha: 0.5, beta: 1),
        GEMMCase(m: 37, n: 70, k: 45, transA: t.0, transB: t.1, alpha: -1.5, beta: 0.25),
        GEMMCase(m: 25, n: 33, k: 9, transA: t.0, transB: t.1, alpha: 2, beta: 0),
        GEMMCase(m: 64, n: 64, k: 64, transA: t.0, transB: t.1, alpha: 1, beta: 1),
    ]
}

private let paddedCases: [GEMMCase] = transposes.flatMap { t in
    [
        GEMMCase(m: 129, n: 65, k: 33, transA: t.0, transB: t.1, alpha: 1, beta: 0, pad: 3),
        GEMMCase(m: 50, n: 40, k: 30, transA: t.0, transB: t.1, alpha: 0.75, beta: 1, pad: 17),
        // Over 2 Mflop: the multi-threaded chunked path with scalars and padding.
        GEMMCase(m: 150, n: 100, k: 70, transA: t.0, transB: t.1, alpha: -0.5, beta: 0.25, pad: 5),
    ]
}

/// Deep K crosses several packed K blocks; wide N crosses several packed N blocks.
private let blockingCases: [GEMMCase] = [
    GEMMCase(m: 30, n: 40, k: 1000, transA: false, transB: false, alpha: 1, beta: 1),
    GEMMCase(m: 30, n: 40, k: 1000, transA: true, transB: true, alpha: 0.5, beta: 0),
    GEMMCase(m: 13, n: 1100, k: 20, transA: false, transB: true, alpha: 1, beta: 0.5),
    GEMMCase(m: 13, n: 1100, k: 20, transA: true, transB: false, alpha: 1, beta: 0),
]

/// The CPU classes seen on this project's machines, plus a small-cache laptop core.
let sampleCPUs: [CPUInfo] = [
    CPUInfo(modelName: "Intel Xeon (Sapphire Rapids class)", vendor: "GenuineIntel", family: 6, model: 143,
            l1d: .init(bytes: 48 * 1024, ways: 12), l2: .init(bytes: 2048 * 1024, ways: 16)),
    CPUInfo(modelName: "AMD EPYC (Zen 4 class)", vendor: "AuthenticAMD", family: 25, model: 17,
            l1d: .init(bytes: 32 * 1024, ways: 8), l2: .init(bytes: 1024 * 1024, ways: 8)),
    CPUInfo(modelName: "AMD EPYC (Zen 5 class)", vendor: "AuthenticAMD", family: 26, model: 2,
            l1d: .init(bytes: 48 * 1024, ways: 12), l2: .init(bytes: 1024 * 1024, ways: 16)),
    CPUInfo(modelName: "small laptop core", vendor: "GenuineIntel", family: 6, model: 78,
            l1d: .init(bytes: 16 * 1024, ways: 4), l2: .init(bytes: 256 * 1024, ways: 4)),
]

/// Every blocking the code can run with: the ones chosen for each CPU class and forced sets
/// with tiny blocks (many K and N blocks on small shapes) in both A layouts.
let parameterSets: [GEMMParameters] = sampleCPUs.map { GEMMParameters.chosen(for: $0) } + [
    GEMMParameters(kc: 16, nc: 32, readsAInPlace: true, source: "forced"),
    GEMMParameters(kc: 16, nc: 32, readsAInPlace: false, source: "forced"),
    GEMMParameters(kc: 100, nc: 64, readsAInPlace: false, source: "forced"),
    GEMMParameters(kc: 256, nc: 1024, readsAInPlace: true, source: "forced"),
    GEMMParameters(kc: 7, nc: 96, readsAInPlace: true, source: "forced"),
]

/// Odd shapes (ragged strips and panels) that cross several blocks under the tiny forced sets;
/// the last is above the 2-Mflop threshold, so two threads take the shared-panel path.
private let parameterCases: [GEMMCase] = transposes.flatMap { t in
    [
        GEMMCase(m: 29, n: 65, k: 33, transA: t.0, transB: t.1, alpha: 1, beta: 0),
        GEMMCase(m: 13, n: 97, k: 71, transA: t.0, transB: t.1, alpha: -0.5, beta: 1, pad: 3),
        GEMMCase(m: 150, n: 100, k: 70, transA: t.0, transB: t.1, alpha: 0.75, beta: 0.25, pad: 1),
    ]
}

@Suite("GEMM")
struct GEMMTests {
    @Test("every chosen and forced blocking matches the reference on odd shapes, all transposes, 1 and 2 threads",
          arguments: parameterSets)
    func blockingsMatchReference(_ parameters: GEMMParameters) {
        for t in parameterCases {
            for threads in [1, 2] {
                let r = compareWithReference(t, threads: threads, seed: 6, parameters: parameters)
                #expect(r.error <= tolerance(k: t.k), "\(parameters) \(t.testDescription) threads \(threads): error \(r.error)")
                #expect(r.paddingIntact, "\(parameters) \(t.testDescription) wrote outside the m×n block")
            }
        }
    }

    @Test("the blocking follows the caches: KC fills half of L1d with the A strip, NC half of L2; A is read in place only on 12-way Intel L1d")
    func chosenBlocking() {
        let chosen = sampleCPUs.map { GEMMParameters.chosen(for: $0) }
        #expect(chosen.map(\.kc) == [256, 256, 256, 160])
        #expect(chosen.map(\.nc) == [1024, 512, 512, 192])
        #expect(chosen.map(\.readsAInPlace) == [true, false, false, false])
    }

    @Test("ATTEND_GEMM values are parsed, and bad ones are refused with the accepted form")
    func parsesOverrides() throws {
        let base = GEMMParameters(kc: 256, nc: 512, readsAInPlace: false)
        let forced = try GEMMParameters.parse("kc=128, nc=1024,a=in-place", base: base)
        #expect(forced.kc == 128 && forced.nc == 1024 && forced.readsAInPlace && forced.source == "ATTEND_GEMM")
        let partial = try GEMMParameters.parse("nc=64", base: base)
        #expect(partial.kc == 256 && partial.nc == 64 && !partial.readsAInPlace)
        for bad in ["kc=0", "nc=100", "a=sideways", "mc=4", "kc"] {
            #expect(throws: GEMMParameterError.self, "\(bad)") { try GEMMParameters.parse(bad, base: base) }
            do { _ = try GEMMParameters.parse(bad, base: base) } catch {
                #expect("\(error)".contains("kc=N"), "the message for '\(bad)' shows the accepted form")
            }
        }
    }

    @Test("CPU facts are read from /proc/cpuinfo text and sysfs sizes")
    func parsesCPUInfo() {
        var info = CPUInfo(modelName: "?", l1d: .init(bytes: 1, ways: 1), l2: .init(bytes: 1, ways: 1), hasAVX512: false)
        info.parseProcCPUInfo("""
            processor\t: 0
            vendor_id\t: AuthenticAMD
            cpu family\t: 25
            model\t\t: 17
            model name\t: AMD EPYC
            flags\t\t: fpu avx2 avx512f avx512_bf16 fma
            processor\t: 1
            model name\t: something else
            """)
        #expect(info.modelName == "AMD EPYC" && info.vendor == "AuthenticAMD" && info.family == 25 && info.model == 17)
        #expect(info.hasAVX512 && info.hasAVX512BF16)
        #expect(info.identity == "AMD EPYC (AuthenticAMD family 25 model 17)")
        #expect(CPUInfo.parseSize("32K") == 32 * 1024 && CPUInfo.parseSize("1024K") == 1 << 20 && CPUInfo.parseSize("32M") == 32 << 20)
        #expect(CPUInfo.parseSize("") == nil && CPUInfo.parseSize("12") == 12)
    }

    @Test("gemm matches the reference for every shape and transpose, on 1 and 2 threads",
          arguments: basicCases, [1, 2])
    func matchesReference(_ t: GEMMCase, threads: Int) {
        let r = compareWithReference(t, threads: threads, seed: 1)
        #expect(r.error <= tolerance(k: t.k), "\(t.testDescription): error \(r.error)")
        #expect(r.paddingIntact)
    }

    @Test("alpha and beta scale the product and accumulate into C (beta 0 ignores NaN in C)",
          arguments: scalarCases, [1, 2])
    func alphaBeta(_ t: GEMMCase, threads: Int) {
        let r = compareWithReference(t, threads: threads, seed: 2)
        #expect(r.error <= tolerance(k: t.k), "\(t.testDescription): error \(r.error)")
    }

    @Test("leading dimensions larger than the minimum are honoured and padding is untouched",
          arguments: paddedCases, [1, 2])
    func leadingDimensions(_ t: GEMMCase, threads: Int) {
        let r = compareWithReference(t, threads: threads, seed: 3)
        #expect(r.error <= tolerance(k: t.k), "\(t.testDescription): error \(r.error)")
        #expect(r.paddingIntact, "\(t.testDescription) wrote outside the m×n block")
    }

    @Test("K and N larger than one cache block are blocked correctly", arguments: blockingCases)
    func cacheBlocks(_ t: GEMMCase) {
        let r = compareWithReference(t, threads: 2, seed: 4)
        #expect(r.error <= tolerance(k: t.k), "\(t.testDescription): error \(r.error)")
    }

    @Test("K = 0 leaves beta·C (and zeros C when beta is 0)", arguments: [Float(0), 1, 0.5])
    func emptyK(beta: Float) {
        let m = 5, n = 7
        var c = (0..<(m * n)).map { Float($0) }
        let original = c
        if beta == 0 { c = [Float](repeating: .nan, count: m * n) }
        let dummy: [Float] = [0]
        c.withUnsafeMutableBufferPointer { pc in
            dummy.withUnsafeBufferPointer { d in
                gemm(transA: false, transB: false, m: m, n: n, k: 0, alpha: 1,
                     a: d.baseAddress!, lda: 1, b: d.baseAddress!, ldb: n,
                     beta: beta, c: pc.baseAddress!, ldc: n)
            }
        }
        for i in 0..<(m * n) { #expect(c[i] == beta * original[i]) }
    }

    @Test("empty M or N touches nothing")
    func emptyOutput() {
        var c: [Float] = [42]
        let x: [Float] = [1]
        c.withUnsafeMutableBufferPointer { pc in
            x.withUnsafeBufferPointer { p in
                gemm(transA: false, transB: false, m: 0, n: 1, k: 1, a: p.baseAddress!, lda: 1,
                     b: p.baseAddress!, ldb: 1, c: pc.baseAddress!, ldc: 1)
                gemm(transA: false, transB: false, m: 1, n: 0, k: 1, a: p.baseAddress!, lda: 1,
                     b: p.baseAddress!, ldb: 1, c: pc.baseAddress!, ldc: 1)
            }
        }
        #expect(c == [42])
    }

    @Test("gemmBatched equals a loop of reference GEMMs",
          arguments: [(48, 16, 16, 8), (3, 70, 40, 50), (2, 129, 65, 33), (5, 1, 1, 1)], transposes)
    func batched(_ shape: (Int, Int, Int, Int), _ trans: (Bool, Bool)) {
        let (batch, m, n, k) = shape
        let (transA, transB) = trans
        let lda = (transA ? m : k) + 1, ldb = (transB ? k : n) + 2, ldc = n + 3
        let strideA = (transA ? k : m) * lda + 5
        let strideB = (transB ? n : k) * ldb + 7
        let strideC = m * ldc + 11
        var rng = GEMMTestRNG(state: 5)
        let a = rng.fill(batch * strideA)
        let b = rng.fill(batch * strideB)
        let c0 = rng.fill(batch * strideC)
        for threads in [1, 2] {
            var fast = c0
            var ref = c0
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    fast.withUnsafeMutableBufferPointer { pc in
                        gemmBatched(batch: batch, transA: transA, transB: transB, m: m, n: n, k: k,
                                    alpha: 0.5, a: pa.baseAddress!, lda: lda, strideA: strideA,
                                    b: pb.baseAddress!, ldb: ldb, strideB: strideB, beta: 1,
                                    c: pc.baseAddress!, ldc: ldc, strideC: strideC, threads: threads)
                    }
                    ref.withUnsafeMutableBufferPointer { pc in
                        for i in 0..<batch {
                            gemmReference(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5,
                                          a: pa.baseAddress! + i * strideA, lda: lda,
                                          b: pb.baseAddress! + i * strideB, ldb: ldb, beta: 1,
                                          c: pc.baseAddress! + i * strideC, ldc: ldc)
                        }
                    }
                }
            }
            var worst: Float = 0
            for i in 0..<fast.count {
                worst = max(worst, abs(fast[i] - ref[i]) / (1 + abs(ref[i])))
            }
            #expect(worst <= tolerance(k: k), "batch \(batch) \(m)×\(n)×\(k) threads \(threads): error \(worst)")
        }
    }

    @Test("concurrent gemm calls from several threads do not share scratch", arguments: [1, 2])
    func concurrentCalls(threads: Int) async {
        let t = GEMMCase(m: 120, n: 100, k: 90, transA: false, transB: true, alpha: 1, beta: 0)
        await withTaskGroup(of: Float.self) { group in
            for seed in 0..<4 {
                group.addTask { compareWithReference(t, threads: threads, seed: UInt64(10 + seed)).error }
            }
            for await error in group {
                #expect(error <= tolerance(k: t.k))
            }
        }
    }

    @Test("measureFMAPeak reports a positive rate")
    func peakIsPositive() {
        #expect(measureFMAPeak(threads: 1, seconds: 0.01) > 0)
    }
}
