// Single-precision GEMM: packed panels, a 12×32 SIMD register-blocked micro-kernel
// (GEMMKernel.swift), cache blocking, and both cores through the module's worker pool
// (`concurrentPerform` in Parallel.swift).
//
// Loop nest (Goto & van de Geijn, "Anatomy of High-Performance Matrix Multiplication",
// ACM TOMS 2008, in the BLIS ordering used for AVX-512):
//
//   for jc in N by NC                    B block KC×NC packed once, reused by every row strip
//     for pc in K by KC                  (stays in L2: 256·1024·4 bytes = 1 MB)
//       pack B[pc, jc] into 32-wide panels
//       for ir in M by 12                A strip 12×KC (L1): read in place, or packed
//         for jr in NC by 32             B micro-panel (32 KB) streams through L1
//           micro-kernel: C[ir, jr] (12×32) = alpha·A strip·B panel + beta·C
//
// Untransposed A is read in place (12 row pointers), which saves a packing pass that costs
// up to a quarter of the run time when N is small; transposed A is copied 12 columns at a
// time into an L1 strip. Packing B absorbs transB, so one micro-kernel serves NN/NT/TN/TT.
//
// Threads (`gemmSharedParallel`): op(B) is packed once and shared, and C is cut into about
// 8 chunks per worker that threads claim dynamically, so a worker that starts late or runs
// slow (a busy sibling vCPU) costs only its own share. Operands too large to pack whole fall
// back to one C range per worker (`gemmStaticParallel`).

import Synchronization

/// Depth of one packed block (the K extent of a micro-panel): a 256×32 B micro-panel is
/// 32 KB, leaving room in the 48 KB L1 for the 12 KB A strip.
let gemmKC = 256
/// Width of one packed B block (multiple of 32): 256×1024 floats = 1 MB, half of L2.
let gemmNC = 1024
/// Flops per worker below which `gemm` adds no thread (2 workers from 2 Mflop, ~13 µs).
let gemmMinFlopsPerThread = 1 << 20
/// Target number of chunks per worker in the shared-panel parallel path.
let gemmChunksPerWorker = 8
/// Smallest chunk, in flops, in the shared-panel parallel path (~1.7 µs).
let gemmMinFlopsPerChunk = 1 << 18
/// Largest packed op(B), in floats (16 MB), that the shared-panel parallel path holds at once.
let gemmSharedPackLimit = 1 << 22

/// C = alpha · op(A) · op(B) + beta · C, row-major fp32.
///
/// op(A) is M×K: A is stored M×K (lda ≥ K) when `transA` is false, K×M (lda ≥ M) when true.
/// op(B) is K×N: B is stored K×N (ldb ≥ N) when `transB` is false, N×K (ldb ≥ K) when true.
/// `beta == 0` overwrites C without reading it; `k == 0` or `alpha == 0` leaves beta·C
/// (BLAS semantics). Runs on up to `threads` threads when the work is large enough.
public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                 alpha: Float = 1,
                 a: UnsafePointer<Float>, lda: Int,
                 b: UnsafePointer<Float>, ldb: Int,
                 beta: Float = 0,
                 c: UnsafeMutablePointer<Float>, ldc: Int,
                 threads: Int = Threading.count) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
    if m == 0 || n == 0 { return }
    precondition(ldc >= n && (k == 0 || (lda >= (transA ? m : k) && ldb >= (transB ? k : n))),
                 "gemm: leading dimension too small (lda \(lda), ldb \(ldb), ldc \(ldc))")
    if k == 0 || alpha == 0 {
        gemmScale(c, ldc: ldc, rows: m, cols: n, by: beta)
        return
    }
    if m <= 4 {  // generation-time shapes: reading B in place beats packing it
        gemmFewRows(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                    b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
        return
    }
    let op = GEMMOperands(transA: transA, transB: transB, alpha: alpha, a: a, lda: lda,
                          b: b, ldb: ldb, c: c, ldc: ldc)
    let workers = min(max(1, threads), max(1, 2 * m * n * k / gemmMinFlopsPerThread))
    let packedFloats = k * ((n + gemmNR - 1) / gemmNR * gemmNR)
    if workers <= 1 {
        gemmSerial(op, m: m, n: n, k: k, beta: beta)
    } else if packedFloats <= gemmSharedPackLimit {
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
/// claimed dynamically in small batch ranges; a short batch of big GEMMs runs them one
/// after another, each split across threads; tiny work stays on one thread.
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
    // A batch shorter than a few GEMMs per worker balances badly over the batch (one late
    // worker holds a whole GEMM); split inside each GEMM when each is worth splitting.
    if batch < 4 * workers && each >= 2 * gemmMinFlopsPerThread {
        for i in 0..<batch { one(i, workers) }
        return
    }
    let chunks = min(batch, 8 * workers)
    concurrentPerform(iterations: chunks) { chunk in
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

/// Multi-threaded GEMM: op(B) is packed once into the caller's scratch and shared, and C is
/// cut into row × column chunks that the workers claim dynamically.
///
/// Columns are split into `colParts` groups (at least one per worker when N allows); the
/// first chunk that needs a group packs it (all K blocks) while other threads pack other
/// groups or wait for that one, so packing is parallel and needs no separate phase. Expects
/// m, n, k > 0, alpha ≠ 0 and k·⌈n/32⌉·32 ≤ `gemmSharedPackLimit`.
func gemmSharedParallel(_ op: GEMMOperands, m: Int, n: Int, k: Int, beta: Float, workers: Int) {
    let kcMax = gemmBlockDepth(k)
    let kBlocks = (k + kcMax - 1) / kcMax
    let panels = (n + gemmNR - 1) / gemmNR
    let strips = (m + gemmMR - 1) / gemmMR
    let blockFloats = kcMax * panels * gemmNR

    // Chunk grid: colParts × rowParts, about gemmChunksPerWorker chunks per worker.
    let wanted = max(workers, min(gemmChunksPerWorker * workers, 2 * m * n * k / gemmMinFlopsPerChunk))
    let colParts = min(panels, workers)
    let stripsPerPart = max(1, (strips * colParts + wanted - 1) / wanted)
    let rowParts = (strips + stripsPerPart - 1) / stripsPerPart

    // Caller's scratch: one pack-state word per column group (own cache line), then panels.
    let stateStride = 16  // Ints per state word: 128 bytes apart, no false sharing
    let headerFloats = colParts * stateStride * 2
    let scratch = gemmScratch(.block, floats: headerFloats + kBlocks * blockFloats)
    let states = UnsafeMutableRawPointer(scratch).bindMemory(to: Atomic<Int>.self, capacity: colParts * stateStride)
    for g in 0..<colParts { (states + g * stateStride).initialize(to: Atomic(0)) }
    defer {
        for g in 0..<colParts { (states + g * stateStride).deinitialize(count: 1) }
        UnsafeMutableRawPointer(scratch).bindMemory(to: Float.self, capacity: headerFloats)
    }
    let packed = scratch + headerFloats

    concurrentPerform(iterations: rowParts * colParts) { chunk in
        let r = chunk / colParts
        let q = chunk % colParts
        let q0 = panels * q / colParts
        let q1 = panels * (q + 1) / colParts
        let j0 = q0 * gemmNR
        let j1 = min(n, q1 * gemmNR)

        // Pack column group q unless another thread has (0 = not started, 1 = packing, 2 = ready).
        let state = states + q * stateStride
        if state.pointee.load(ordering: .acquiring) != 2 {
            if state.pointee.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged {
                for bi in 0..<kBlocks {
                    let pc = bi * kcMax
                    let kc = min(kcMax, k - pc)
                    gemmPackB(transB: op.transB, op.b, op.ldb, pc: pc, kc: kc, jc: j0, nc: j1 - j0,
                              into: packed + bi * blockFloats + q0 * kc * gemmNR)
                }
                state.pointee.store(2, ordering: .releasing)
            } else {
                while state.pointee.load(ordering: .acquiring) != 2 {}  // the packer is running
            }
        }

        let i0 = r * stripsPerPart * gemmMR
        let i1 = min(m, i0 + stripsPerPart * gemmMR)
        let aScratch = gemmScratch(.strip, floats: gemmMR * kcMax + gemmMR * gemmNR)
        let tile = aScratch + gemmMR * kcMax
        for bi in 0..<kBlocks {
            let pc = bi * kcMax
            let kc = min(kcMax, k - pc)
            gemmMacroKernel(op, rows: i0..<i1, cols: j0..<j1, pc: pc, kc: kc, beta: bi == 0 ? beta : 1,
                            packedB: packed + bi * blockFloats + q0 * kc * gemmNR,
                            aScratch: aScratch, tile: tile)
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
    if panels >= 2 * workers || panels >= strips {
        let parts = min(workers, panels)
        concurrentPerform(iterations: parts) { w in
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
        concurrentPerform(iterations: parts) { w in
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

