// Single-precision GEMM: packed panels, a 12×32 SIMD register-blocked micro-kernel
// (GEMMKernel.swift), cache blocking and both cores via `DispatchQueue.concurrentPerform`.
//
// Loop nest (Goto & van de Geijn, "Anatomy of High-Performance Matrix Multiplication",
// ACM TOMS 2008; BLIS ordering for AVX-512):
//
//   for jc in N by NC                      B block KC×NC packed once, reused by every row strip
//     for pc in K by KC                    (lives in L2: KC·NC·4 bytes ≈ 1.5 MB)
//       pack B[pc, jc] into 32-wide panels
//       for ir in M by 12                  A strip 12×KC (in L1, packed or read in place)
//         for jr in NC by 32               B micro-panel streams from L2
//           micro-kernel: C[ir, jr] (12×32) += A strip · B panel
//
// Threads split C into disjoint column or row ranges, each run by the serial nest with its
// own thread-local packing buffer (GEMMPack.swift).

import Dispatch

/// Depth of one packed block (the K extent of a micro-panel).
nonisolated(unsafe) var gemmKC = 384
/// Width of one packed B block (multiple of 32).
nonisolated(unsafe) var gemmNC = 1024
/// Read untransposed A in place (no packing) when true.
nonisolated(unsafe) var gemmDirectRowA = true
/// Read transposed A in place (no packing) when true.
nonisolated(unsafe) var gemmDirectColumnA = false
/// Below this many flops per worker, `gemm` does not add a thread.
nonisolated(unsafe) var gemmMinFlopsPerThread = 1 << 19
/// Tuning override: 0 automatic split, 1 by columns, 2 by rows.
nonisolated(unsafe) var gemmSplitMode = 0

/// C = alpha · op(A) · op(B) + beta · C, row-major fp32.
///
/// op(A) is M×K: A is stored M×K (lda ≥ K) when `transA` is false, K×M (lda ≥ M) when true.
/// op(B) is K×N: B is stored K×N (ldb ≥ N) when `transB` is false, N×K (ldb ≥ K) when true.
/// `beta == 0` overwrites C without reading it.
public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                 alpha: Float = 1,
                 a: UnsafePointer<Float>, lda: Int,
                 b: UnsafePointer<Float>, ldb: Int,
                 beta: Float = 0,
                 c: UnsafeMutablePointer<Float>, ldc: Int,
                 threads: Int = Threading.count) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
    precondition(lda >= max(1, transA ? m : k) && ldb >= max(1, transB ? k : n) && ldc >= max(1, n),
                 "gemm: leading dimension too small (lda \(lda), ldb \(ldb), ldc \(ldc))")
    if m == 0 || n == 0 { return }
    if k == 0 || alpha == 0 {
        gemmScale(c, ldc: ldc, rows: m, cols: n, by: beta)
        return
    }
    let flops = 2 * m * n * k
    let workers = min(max(1, threads), max(1, flops / gemmMinFlopsPerThread))
    if workers <= 1 {
        gemmSerial(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                   a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        return
    }
    let split = gemmSplit(transA: transA, transB: transB, m: m, n: n, k: k, workers: workers)
    if split.byColumns {
        let panels = (n + gemmNR - 1) / gemmNR
        let parts = min(workers, panels)
        DispatchQueue.concurrentPerform(iterations: parts) { w in
            let j0 = min(n, panels * w / parts * gemmNR)
            let j1 = min(n, panels * (w + 1) / parts * gemmNR)
            if j0 >= j1 { return }
            gemmSerial(transA: transA, transB: transB, m: m, n: j1 - j0, k: k, alpha: alpha,
                       a: a, lda: lda, b: transB ? b + j0 * ldb : b + j0, ldb: ldb,
                       beta: beta, c: c + j0, ldc: ldc)
        }
    } else {
        let strips = (m + gemmMR - 1) / gemmMR
        let parts = min(workers, strips)
        DispatchQueue.concurrentPerform(iterations: parts) { w in
            let i0 = min(m, strips * w / parts * gemmMR)
            let i1 = min(m, strips * (w + 1) / parts * gemmMR)
            if i0 >= i1 { return }
            gemmSerial(transA: transA, transB: transB, m: i1 - i0, n: n, k: k, alpha: alpha,
                       a: transA ? a + i0 : a + i0 * lda, lda: lda, b: b, ldb: ldb,
                       beta: beta, c: c + i0 * ldc, ldc: ldc)
        }
    }
}

/// Plain triple-loop GEMM with the same contract as `gemm`; the tests' reference.
public func gemmReference(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                          alpha: Float = 1,
                          a: UnsafePointer<Float>, lda: Int,
                          b: UnsafePointer<Float>, ldb: Int,
                          beta: Float = 0,
                          c: UnsafeMutablePointer<Float>, ldc: Int) {
    for i in 0..<m {
        for j in 0..<n {
            var s: Float = 0
            for p in 0..<k {
                let av = transA ? a[p * lda + i] : a[i * lda + p]
                let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                s += av * bv
            }
            let old = beta == 0 ? 0 : beta * c[i * ldc + j]
            c[i * ldc + j] = alpha * s + old
        }
    }
}

/// `batch` independent GEMMs; matrix `i` of A, B, C starts at `i * strideA` (etc.).
///
/// Small matrices (e.g. attention heads) run whole GEMMs in parallel, one batch range per
/// thread; a few large ones are each split across threads; tiny work stays on one thread.
public func gemmBatched(batch: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                        alpha: Float = 1,
                        a: UnsafePointer<Float>, lda: Int, strideA: Int,
                        b: UnsafePointer<Float>, ldb: Int, strideB: Int,
                        beta: Float = 0,
                        c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int,
                        threads: Int = Threading.count) {
    precondition(batch >= 0, "gemmBatched: negative batch \(batch)")
    if batch == 0 || m == 0 || n == 0 { return }
    let each = 2 * m * n * max(k, 1)
    let workers = min(max(1, threads), batch, max(1, each * batch / gemmMinFlopsPerThread))
    // Splitting inside each GEMM wins when the batch does not divide evenly over the
    // workers and every GEMM is big enough to split on its own.
    let inside = workers < max(1, threads) || (batch % workers != 0 && batch < 4 * workers)
    if workers <= 1 || (inside && each >= 2 * gemmMinFlopsPerThread) {
        for i in 0..<batch {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                 a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, beta: beta,
                 c: c + i * strideC, ldc: ldc, threads: workers <= 1 ? 1 : threads)
        }
        return
    }
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        for i in (batch * w / workers)..<(batch * (w + 1) / workers) {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                 a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, beta: beta,
                 c: c + i * strideC, ldc: ldc, threads: 1)
        }
    }
}

// MARK: - Internals

/// How `gemm` divides C among workers: by 32-column panels or by 12-row strips.
struct GEMMSplit {
    var byColumns: Bool
}

/// Picks the split with the smaller estimated per-worker cost (padded tile work plus the
/// packing each worker repeats), in units of one FMA lane.
func gemmSplit(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, workers: Int) -> GEMMSplit {
    let tilesM = (m + gemmMR - 1) / gemmMR
    let tilesN = (n + gemmNR - 1) / gemmNR
    let tileWork = gemmMR * gemmNR * k
    // One packed element costs about one cycle, i.e. 32 FMA lanes; transposed packing twice that.
    let packB = n * k * (transB ? 64 : 32)
    let packA = gemmPacksA(transA: transA, n: n) ? m * k * (transA ? 32 : 64) : 0
    let byColumns = ((tilesN + workers - 1) / workers) * tilesM * tileWork + packA + packB / workers
    let byRows = ((tilesM + workers - 1) / workers) * tilesN * tileWork + packA / workers + packB
    if gemmSplitMode != 0 { return GEMMSplit(byColumns: gemmSplitMode == 1) }
    return GEMMSplit(byColumns: byColumns <= byRows)
}

/// Whether the serial nest packs A strips (rather than reading A in place).
@inline(__always)
func gemmPacksA(transA: Bool, n: Int) -> Bool {
    transA ? !gemmDirectColumnA : !gemmDirectRowA
}

/// Single-threaded blocked GEMM; expects m, n, k > 0 and alpha ≠ 0.
func gemmSerial(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    // Equal-sized blocks: K = 400 becomes 2×200, not 384 + 16.
    let kBlocks = (k + gemmKC - 1) / gemmKC
    let kcMax = (k + kBlocks - 1) / kBlocks
    let nBlocks = (n + gemmNC - 1) / gemmNC
    let ncMax = ((n + nBlocks - 1) / nBlocks + gemmNR - 1) / gemmNR * gemmNR
    let bFloats = kcMax * ncMax
    let scratch = gemmScratch(floats: bFloats + gemmMR * kcMax + gemmMR * gemmNR)
    let packedB = scratch
    let packedA = scratch + bFloats
    let tile = packedA + gemmMR * kcMax
    let packsA = gemmPacksA(transA: transA, n: n)

    var jc = 0
    while jc < n {
        let nc = min(ncMax, n - jc)
        var pc = 0
        while pc < k {
            let kc = min(kcMax, k - pc)
            gemmPackB(transB: transB, b, ldb, pc: pc, kc: kc, jc: jc, nc: nc, into: packedB)
            let betaBlock: Float = pc == 0 ? beta : 1
            var ir = 0
            while ir < m {
                let mr = min(gemmMR, m - ir)
                let cStrip = c + ir * ldc + jc
                if mr == gemmMR && !transA && !packsA {
                    let aStrip = a + ir * lda + pc
                    var j0 = 0
                    while j0 < nc {
                        gemmKernelRowA(kc, aStrip, lda, packedB + j0 * kc, cStrip + j0, ldc,
                                       alpha, betaBlock, mr, min(gemmNR, nc - j0), tile)
                        j0 += gemmNR
                    }
                } else {
                    let aStrip: UnsafePointer<Float>
                    let aStep: Int
                    if mr == gemmMR && transA && !packsA {
                        aStrip = a + pc * lda + ir
                        aStep = lda
                    } else {
                        gemmPackA(transA: transA, a, lda, ir: ir, mr: mr, pc: pc, kc: kc, into: packedA)
                        aStrip = UnsafePointer(packedA)
                        aStep = gemmMR
                    }
                    var j0 = 0
                    while j0 < nc {
                        gemmKernelColumnA(kc, aStrip, aStep, packedB + j0 * kc, cStrip + j0, ldc,
                                          alpha, betaBlock, mr, min(gemmNR, nc - j0), tile)
                        j0 += gemmNR
                    }
                }
                ir += gemmMR
            }
            pc += kc
        }
        jc += nc
    }
}

/// C = beta · C over an m×n block (beta == 0 writes zeros without reading C).
func gemmScale(_ c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int, by beta: Float) {
    if beta == 1 { return }
    for i in 0..<rows {
        let row = c + i * ldc
        if beta == 0 {
            row.update(repeating: 0, count: cols)
        } else {
            for j in 0..<cols { row[j] *= beta }
        }
    }
}
