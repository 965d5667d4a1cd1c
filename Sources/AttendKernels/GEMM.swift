// Single-precision GEMM: packed panels, a 12×32 SIMD register-blocked micro-kernel
// (GEMMKernel.swift), cache blocking, and both cores via `DispatchQueue.concurrentPerform`.
//
// Loop nest (Goto & van de Geijn, "Anatomy of High-Performance Matrix Multiplication",
// ACM TOMS 2008, in the BLIS ordering used for AVX-512):
//
//   for jc in N by NC                    B block KC×NC packed once, reused by every row strip
//     for pc in K by KC                  (stays in L2: 384·1024·4 bytes = 1.5 MB)
//       pack B[pc, jc] into 32-wide panels
//       for ir in M by 12                A strip 12×KC (L1): read in place, or packed
//         for jr in NC by 32             B micro-panel streams from L2
//           micro-kernel: C[ir, jr] (12×32) = alpha·A strip·B panel + beta·C
//
// Untransposed A is read in place (12 row pointers), which saves the packing pass that
// would otherwise cost a quarter of the run time when N is small; transposed A is copied
// 12 columns at a time into an L1 strip. Packing B absorbs transB.
//
// Threads: all of op(B) is packed once (in parallel), then C is cut into ~8 chunks per
// worker that workers claim dynamically (GEMMParallel below); very large operands fall
// back to one C range per worker, each with its own packed blocks.

import Dispatch

/// Depth of one packed block (the K extent of a micro-panel).
nonisolated(unsafe) var gemmKC = 384
/// Width of one packed B block (multiple of 32).
nonisolated(unsafe) var gemmNC = 1024
/// Below this many flops per worker, `gemm` does not add a thread.
nonisolated(unsafe) var gemmMinFlopsPerThread = 1 << 19
/// Tuning override: 0 automatic, 1 static by columns, 2 static by rows.
nonisolated(unsafe) var gemmSplitMode = 0
/// Pack B in parallel in the shared-panel path.
nonisolated(unsafe) var gemmParallelPack = true
/// Chunks per worker in the shared-panel path.
nonisolated(unsafe) var gemmChunksPerWorker = 8
nonisolated(unsafe) var gemmChunkOrder = 0
/// Minimum flops per chunk in the shared-panel path.
nonisolated(unsafe) var gemmMinFlopsPerChunk = 1 << 18

/// Largest packed op(B), in floats, that the shared-panel parallel path holds at once.
let gemmSharedPackLimit = 1 << 22

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
    let op = GEMMOperands(transA: transA, transB: transB, alpha: alpha, a: a, lda: lda,
                          b: b, ldb: ldb, c: c, ldc: ldc)
    let workers = min(max(1, threads), max(1, 2 * m * n * k / gemmMinFlopsPerThread))
    let packedFloats = k * ((n + gemmNR - 1) / gemmNR * gemmNR)
    if workers <= 1 {
        gemmSerial(op, m: m, n: n, k: k, beta: beta)
    } else if packedFloats <= gemmSharedPackLimit && gemmSplitMode == 0 {
        gemmSharedParallel(op, m: m, n: n, k: k, beta: beta, workers: workers)
    } else {
        gemmStaticParallel(op, m: m, n: n, k: k, beta: beta, workers: workers)
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
/// Many small matrices (e.g. attention heads) run whole single-threaded GEMMs in parallel,
/// claimed dynamically in small batch ranges; a batch too short to share out evenly runs
/// its GEMMs one after another, each split across threads; tiny work stays on one thread.
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
    let workers = min(max(1, threads), max(1, each * batch / gemmMinFlopsPerThread))
    let one = { (i: Int, threads: Int) in
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
             a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, beta: beta,
             c: c + i * strideC, ldc: ldc, threads: threads)
    }
    if workers <= 1 {
        for i in 0..<batch { one(i, 1) }
        return
    }
    // A batch shorter than a few GEMMs per worker balances badly over the batch; split
    // inside each GEMM instead when each one is big enough to be worth splitting.
    if batch < 4 * workers && batch % workers != 0 && each >= 2 * gemmMinFlopsPerThread {
        for i in 0..<batch { one(i, workers) }
        return
    }
    let chunks = min(batch, 8 * workers)
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        for i in (batch * chunk / chunks)..<(batch * (chunk + 1) / chunks) { one(i, 1) }
    }
}

// MARK: - Internals

/// The arguments of one GEMM that stay fixed while it is cut into blocks and chunks.
struct GEMMOperands {
    var transA: Bool
    var transB: Bool
    var alpha: Float
    var a: UnsafePointer<Float>
    var lda: Int
    var b: UnsafePointer<Float>
    var ldb: Int
    var c: UnsafeMutablePointer<Float>
    var ldc: Int
}

/// K extent of the packed blocks for depth k: ⌈k / KC⌉ equal blocks (K = 400 → 2 × 200).
@inline(__always)
func gemmBlockDepth(_ k: Int) -> Int {
    let blocks = (k + gemmKC - 1) / gemmKC
    return (k + blocks - 1) / blocks
}

/// Updates C[rows, cols] from one packed K block: C = alpha·A[rows, pc..<pc+kc]·B + beta·C.
///
/// `packedB` points at the kc×32 panel holding column `cols.lowerBound` (a multiple of 32
/// away from the block's first column); consecutive panels follow. Untransposed A is read
/// in place; transposed A (and the ragged last strip) is packed 12 rows at a time into
/// `aScratch` (12·kc floats). `tile` is 12×32 floats for partial tiles.
func gemmMacroKernel(_ op: GEMMOperands, rows: Range<Int>, cols: Range<Int>, pc: Int, kc: Int,
                     beta: Float, packedB: UnsafePointer<Float>,
                     aScratch: UnsafeMutablePointer<Float>, tile: UnsafeMutablePointer<Float>) {
    var ir = rows.lowerBound
    while ir < rows.upperBound {
        let mr = min(gemmMR, rows.upperBound - ir)
        let cStrip = op.c + ir * op.ldc
        var j = cols.lowerBound
        var panel = packedB
        if mr == gemmMR && !op.transA {
            let aStrip = op.a + ir * op.lda + pc
            while j < cols.upperBound {
                gemmKernelRowA(kc, aStrip, op.lda, panel, cStrip + j, op.ldc,
                               op.alpha, beta, mr, min(gemmNR, cols.upperBound - j), tile)
                j += gemmNR
                panel += kc * gemmNR
            }
        } else {
            gemmPackA(transA: op.transA, op.a, op.lda, ir: ir, mr: mr, pc: pc, kc: kc, into: aScratch)
            while j < cols.upperBound {
                gemmKernelColumnA(kc, aScratch, gemmMR, panel, cStrip + j, op.ldc,
                                  op.alpha, beta, mr, min(gemmNR, cols.upperBound - j), tile)
                j += gemmNR
                panel += kc * gemmNR
            }
        }
        ir += gemmMR
    }
}

/// Single-threaded blocked GEMM on C[0..<m, 0..<n]; expects m, n, k > 0 and alpha ≠ 0.
///
/// Packs one KC×NC block of B at a time into this thread's scratch and sweeps all of M.
func gemmSerial(_ op: GEMMOperands, m: Int, n: Int, k: Int, beta: Float) {
    let kcMax = gemmBlockDepth(k)
    let nBlocks = (n + gemmNC - 1) / gemmNC
    let ncMax = ((n + nBlocks - 1) / nBlocks + gemmNR - 1) / gemmNR * gemmNR
    let bFloats = kcMax * ncMax
    let scratch = gemmScratch(.block, floats: bFloats + gemmMR * kcMax + gemmMR * gemmNR)
    let packedB = scratch
    let aScratch = scratch + bFloats
    let tile = aScratch + gemmMR * kcMax
    var jc = 0
    while jc < n {
        let nc = min(ncMax, n - jc)
        var pc = 0
        while pc < k {
            let kc = min(kcMax, k - pc)
            gemmPackB(transB: op.transB, op.b, op.ldb, pc: pc, kc: kc, jc: jc, nc: nc, into: packedB)
            gemmMacroKernel(op, rows: 0..<m, cols: jc..<(jc + nc), pc: pc, kc: kc,
                            beta: pc == 0 ? beta : 1, packedB: packedB, aScratch: aScratch, tile: tile)
            pc += kc
        }
        jc += nc
    }
}

/// Multi-threaded GEMM: all of op(B) is packed once into the caller's scratch, then C is cut
/// into row × column chunks that the workers claim dynamically.
///
/// Dynamic claiming matters because a parked GCD worker needs tens of microseconds to
/// start: the calling thread keeps taking chunks meanwhile, so a late worker costs only its
/// missing share. Expects m, n, k > 0, alpha ≠ 0 and k·⌈n/32⌉·32 ≤ `gemmSharedPackLimit`.
func gemmSharedParallel(_ op: GEMMOperands, m: Int, n: Int, k: Int, beta: Float, workers: Int) {
    let kcMax = gemmBlockDepth(k)
    let kBlocks = (k + kcMax - 1) / kcMax
    let panels = (n + gemmNR - 1) / gemmNR
    let blockFloats = kcMax * panels * gemmNR
    let packed = gemmScratch(.block, floats: kBlocks * blockFloats)

    // Phase 1: pack B, one task per (K block, group of up to 4 panels).
    let panelsPerTask = 4
    let panelTasks = (panels + panelsPerTask - 1) / panelsPerTask
    let packTasks = kBlocks * panelTasks
    let packOne = { (t: Int) in
        let bi = t / panelTasks
        let q0 = (t % panelTasks) * panelsPerTask
        let pc = bi * kcMax
        let kc = min(kcMax, k - pc)
        let j0 = q0 * gemmNR
        gemmPackB(transB: op.transB, op.b, op.ldb, pc: pc, kc: kc, jc: j0,
                  nc: min(panelsPerTask * gemmNR, n - j0),
                  into: packed + bi * blockFloats + q0 * kc * gemmNR)
    }
    if gemmParallelPack && packTasks > 1 {
        DispatchQueue.concurrentPerform(iterations: packTasks) { packOne($0) }
    } else {
        for t in 0..<packTasks { packOne(t) }
    }

    // Phase 2: chunks of C (row strips × panel groups), each through all K blocks in order.
    let strips = (m + gemmMR - 1) / gemmMR
    let wanted = max(workers, min(gemmChunksPerWorker * workers, 2 * m * n * k / gemmMinFlopsPerChunk))
    let rowParts = min(strips, wanted)
    let colParts = min(panels, (wanted + rowParts - 1) / rowParts)
    DispatchQueue.concurrentPerform(iterations: rowParts * colParts) { chunk in
        let r = gemmChunkOrder == 0 ? chunk / colParts : chunk % rowParts
        let q = gemmChunkOrder == 0 ? chunk % colParts : chunk / rowParts
        let i0 = strips * r / rowParts * gemmMR
        let i1 = min(m, strips * (r + 1) / rowParts * gemmMR)
        let q0 = panels * q / colParts
        let j1 = min(n, panels * (q + 1) / colParts * gemmNR)
        let scratch = gemmScratch(.strip, floats: gemmMR * kcMax + gemmMR * gemmNR)
        let tile = scratch + gemmMR * kcMax
        for bi in 0..<kBlocks {
            let pc = bi * kcMax
            let kc = min(kcMax, k - pc)
            gemmMacroKernel(op, rows: i0..<i1, cols: (q0 * gemmNR)..<j1, pc: pc, kc: kc,
                            beta: bi == 0 ? beta : 1,
                            packedB: packed + bi * blockFloats + q0 * kc * gemmNR,
                            aScratch: scratch, tile: tile)
        }
    }
}

/// Multi-threaded GEMM for operands too large to pack whole: C is split into one column
/// range (or row range) per worker, each run by `gemmSerial` with its own scratch.
///
/// Splitting by columns repeats no B packing; rows are used when C is too narrow.
func gemmStaticParallel(_ op: GEMMOperands, m: Int, n: Int, k: Int, beta: Float, workers: Int) {
    let panels = (n + gemmNR - 1) / gemmNR
    let strips = (m + gemmMR - 1) / gemmMR
    let byColumns = gemmSplitMode == 2 ? false : (gemmSplitMode == 1 || panels >= 2 * workers || panels >= strips)
    if byColumns {
        let parts = min(workers, panels)
        DispatchQueue.concurrentPerform(iterations: parts) { w in
            let j0 = min(n, panels * w / parts * gemmNR)
            let j1 = min(n, panels * (w + 1) / parts * gemmNR)
            if j0 >= j1 { return }
            var part = op
            part.b = op.transB ? op.b + j0 * op.ldb : op.b + j0
            part.c = op.c + j0
            gemmSerial(part, m: m, n: j1 - j0, k: k, beta: beta)
        }
    } else {
        let parts = min(workers, strips)
        DispatchQueue.concurrentPerform(iterations: parts) { w in
            let i0 = min(m, strips * w / parts * gemmMR)
            let i1 = min(m, strips * (w + 1) / parts * gemmMR)
            if i0 >= i1 { return }
            var part = op
            part.a = op.transA ? op.a + i0 : op.a + i0 * op.lda
            part.c = op.c + i0 * op.ldc
            gemmSerial(part, m: i1 - i0, n: n, k: k, beta: beta)
        }
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
