// Single-precision GEMM: packed panels, a 12×32 SIMD register-blocked micro-kernel
// (GEMMKernel.swift), cache blocking, and both cores through the module's worker pool
// (`concurrentPerform` in Parallel.swift).
//
// Loop nest (Goto & van de Geijn, "Anatomy of High-Performance Matrix Multiplication",
// ACM TOMS 2008, in the BLIS ordering used for AVX-512); KC and NC come from the CPU's caches
// (`GEMMParameters`, chosen at start-up or forced with ATTEND_GEMM):
//
//   for jc in N by NC                    B block KC×NC packed once, reused by every row strip
//     for pc in K by KC                  (stays in L2: at most half of it)
//       pack B[pc, jc] into 32-wide panels
//       for ir in M by 12                A strip 12×KC (L1): packed, or read in place
//         for jr in NC by 32             B micro-panel streams through L1 from L2
//           micro-kernel: C[ir, jr] (12×32) = alpha·A strip·B panel + beta·C
//
// Transposed A is always packed 12 columns at a time into an L1 strip. Untransposed A is read
// in place (12 row pointers, no packing pass) only where that was measured to pay (Intel's
// 12-way 48 KiB L1d); elsewhere it is packed too — on the AMD Zen 4 class the in-place kernel
// ran at 65 % of the FMA peak and the packed one at 85–96 %. Packing B absorbs transB, so one
// micro-kernel serves NN/NT/TN/TT.
//
// Threads (`gemmSharedParallel`): op(B) and, when packed, op(A) are packed once and shared, and
// C is cut into about 8 chunks per worker that threads claim dynamically, so a worker that starts
// late or runs slow (a busy sibling vCPU) costs only its own share. Operands too large to pack
// whole fall back to one C range per worker (`gemmStaticParallel`).

import Synchronization

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
                 threads: Int = Threading.count,
                 parameters: GEMMParameters = .current) {
    if gemmHandledTrivially("gemm", transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                            lda: lda, ldb: ldb, beta: beta, c: c, ldc: ldc) { return }
    if m <= 4 {  // generation-time shapes: reading B in place beats packing it
        gemmFewRows(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                    b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
        return
    }
    let op = GEMMOperands(transA: transA, transB: transB, alpha: alpha, a: a, lda: lda,
                          b: b, ldb: ldb, c: c, ldc: ldc, kc: parameters.kc, nc: parameters.nc,
                          readsAInPlace: parameters.readsAInPlace)
    // Inside a parallel job (a data-parallel training shard) nested regions run serially, so the
    // blocked serial path, whose packed blocks stay in cache, beats packing whole operands.
    let nested = WorkerPool.isWorkerOrBusy
    let workers = nested ? 1 : min(max(1, threads), max(1, 2 * m * n * k / gemmMinFlopsPerThread))
    let packedB = k * ((n + gemmNR - 1) / gemmNR * gemmNR)
    let packedA = op.packsA ? k * ((m + gemmMR - 1) / gemmMR * gemmMR) : 0
    if workers <= 1 {
        gemmSerial(op, m: m, n: n, k: k, beta: beta)
    } else if packedB <= gemmSharedPackLimit && packedA <= gemmSharedPackLimit {
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
    /// The blocking (`GEMMParameters` without its label, so copies carry no reference count).
    var kc: Int
    var nc: Int
    var readsAInPlace: Bool

    /// Whether A goes through packed 12-row strips (always when transposed).
    var packsA: Bool { transA || !readsAInPlace }

    /// K extent of the packed blocks for depth k: ⌈k / kc⌉ equal blocks (K = 400, kc 256 → 2 × 200).
    @inline(__always)
    func blockDepth(_ k: Int) -> Int {
        let blocks = (k + kc - 1) / kc
        return (k + blocks - 1) / blocks
    }
}

/// Updates C[rows, cols] from one packed K block: C = alpha·A[rows, pc..<pc+kc]·B + beta·C.
///
/// `packedB` points at the kc×32 panel holding column `cols.lowerBound` (a multiple of 32
/// away from the block's first column); consecutive panels follow. A comes from `packedA`
/// when given (the block's strips, strip s = rows s·12..<s·12+12 of the whole operand at
/// `packedA + s·12·kc`); otherwise untransposed A with `readsAInPlace` is read in place and
/// everything else is packed 12 rows at a time into `aScratch` (12·kc floats). `tile` is
/// 12×32 floats for partial tiles.
func gemmMacroKernel(_ op: GEMMOperands, rows: Range<Int>, cols: Range<Int>, pc: Int, kc: Int,
                     beta: Float, packedB: UnsafePointer<Float>, packedA: UnsafePointer<Float>?,
                     aScratch: UnsafeMutablePointer<Float>, tile: UnsafeMutablePointer<Float>) {
    var ir = rows.lowerBound
    while ir < rows.upperBound {
        let mr = min(gemmMR, rows.upperBound - ir)
        let cStrip = op.c + ir * op.ldc
        var j = cols.lowerBound
        var panel = packedB
        if packedA == nil && mr == gemmMR && !op.packsA {
            let aStrip = op.a + ir * op.lda + pc
            while j < cols.upperBound {
                gemmKernelRowA(kc, aStrip, op.lda, panel, cStrip + j, op.ldc,
                               op.alpha, beta, mr, min(gemmNR, cols.upperBound - j), tile)
                j += gemmNR
                panel += kc * gemmNR
            }
        } else {
            let strip: UnsafePointer<Float>
            if let packedA {
                strip = packedA + ir / gemmMR * gemmMR * kc
            } else {
                gemmPackA(transA: op.transA, op.a, op.lda, ir: ir, mr: mr, pc: pc, kc: kc, into: aScratch)
                strip = UnsafePointer(aScratch)
            }
            while j < cols.upperBound {
                gemmKernelColumnA(kc, strip, gemmMR, panel, cStrip + j, op.ldc,
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
    let kcMax = op.blockDepth(k)
    let nBlocks = (n + op.nc - 1) / op.nc
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
                            beta: pc == 0 ? beta : 1, packedB: packedB, packedA: nil,
                            aScratch: aScratch, tile: tile)
            pc += kc
        }
        jc += nc
    }
}

/// Multi-threaded GEMM: op(B) — and op(A) unless it is read in place — is packed once into the
/// caller's scratch and shared, and C is cut into row × column chunks that the workers claim
/// dynamically.
///
/// Columns are split into `colParts` parts and rows into `rowParts` parts; B is packed in column
/// groups (all K blocks each) by whichever chunks first need them, every thread packing the groups
/// nobody has claimed before waiting for the rest, so packing is parallel and needs no separate
/// phase; a chunk packs its own A strips. Expects m, n, k > 0, alpha ≠ 0 and both packed
/// operands within `gemmSharedPackLimit` floats.
func gemmSharedParallel(_ op: GEMMOperands, m: Int, n: Int, k: Int, beta: Float, workers: Int) {
    let kcMax = op.blockDepth(k)
    let kBlocks = (k + kcMax - 1) / kcMax
    let panels = (n + gemmNR - 1) / gemmNR
    let strips = (m + gemmMR - 1) / gemmMR
    let blockFloats = kcMax * panels * gemmNR
    let aBlockFloats = op.packsA ? kcMax * strips * gemmMR : 0

    // Chunk grid: colParts × rowParts, about gemmChunksPerWorker chunks per worker. With A read
    // in place, columns are split once per worker. With A packed and shared, C is split by rows
    // only: workers then pack different A parts at the same time (with column groups, both
    // threads would need the same A part at once and one would wait), and each A strip is swept
    // across all of C's columns while it sits in L1. Measured on the AMD Zen 4 class, two
    // threads: 1024³ 82 → 86 % of peak, 768×512×128 80 → 82 %.
    let wanted = max(workers, min(gemmChunksPerWorker * workers, 2 * m * n * k / gemmMinFlopsPerChunk))
    let colParts = op.packsA ? 1 : min(panels, workers)
    let stripsPerPart = max(1, (strips * colParts + wanted - 1) / wanted)
    let rowParts = (strips + stripsPerPart - 1) / stripsPerPart

    // B is packed in `packGroups` column groups (several per column part, so that all workers pack
    // B together even when C is split by rows only); each has a pack-state word on its own cache
    // line. With A packed, each row part belongs to exactly one chunk (colParts == 1), so the chunk
    // packs its own A strips.
    let groupsPerPart = max(1, min((panels + colParts - 1) / colParts, 2 * workers / colParts))
    let packGroups = colParts * groupsPerPart
    let stateStride = 16  // Ints per state word: 128 bytes apart, no false sharing
    let headerFloats = packGroups * stateStride * 2
    let scratch = gemmScratch(.block, floats: headerFloats + kBlocks * (blockFloats + aBlockFloats))
    let states = UnsafeMutableRawPointer(scratch).bindMemory(to: Atomic<Int>.self, capacity: packGroups * stateStride)
    for g in 0..<packGroups { (states + g * stateStride).initialize(to: Atomic(0)) }
    defer {
        for g in 0..<packGroups { (states + g * stateStride).deinitialize(count: 1) }
        UnsafeMutableRawPointer(scratch).bindMemory(to: Float.self, capacity: headerFloats)
    }
    let packed = scratch + headerFloats
    let packedA = packed + kBlocks * blockFloats

    concurrentPerform(iterations: rowParts * colParts) { chunk in
        let r = chunk / colParts
        let q = chunk % colParts
        let q0 = panels * q / colParts
        let q1 = panels * (q + 1) / colParts
        let j0 = q0 * gemmNR
        let j1 = min(n, q1 * gemmNR)
        let i0 = r * stripsPerPart * gemmMR
        let i1 = min(m, i0 + stripsPerPart * gemmMR)

        gemmPackShared(states + q * groupsPerPart * stateStride, count: groupsPerPart, stride: stateStride) { g in
            let g0 = q0 + (q1 - q0) * g / groupsPerPart
            let g1 = q0 + (q1 - q0) * (g + 1) / groupsPerPart
            if g0 >= g1 { return }
            for bi in 0..<kBlocks {
                let pc = bi * kcMax
                let kc = min(kcMax, k - pc)
                gemmPackB(transB: op.transB, op.b, op.ldb, pc: pc, kc: kc, jc: g0 * gemmNR,
                          nc: min(n, g1 * gemmNR) - g0 * gemmNR, into: packed + bi * blockFloats + g0 * kc * gemmNR)
            }
        }
        if op.packsA {
            for bi in 0..<kBlocks {
                let pc = bi * kcMax
                let kc = min(kcMax, k - pc)
                var ir = i0
                while ir < i1 {
                    gemmPackA(transA: op.transA, op.a, op.lda, ir: ir, mr: min(gemmMR, i1 - ir), pc: pc, kc: kc,
                              into: packedA + bi * aBlockFloats + ir * kc)
                    ir += gemmMR
                }
            }
        }

        let aScratch = gemmScratch(.strip, floats: gemmMR * kcMax + gemmMR * gemmNR)
        let tile = aScratch + gemmMR * kcMax
        for bi in 0..<kBlocks {
            let pc = bi * kcMax
            let kc = min(kcMax, k - pc)
            gemmMacroKernel(op, rows: i0..<i1, cols: j0..<j1, pc: pc, kc: kc, beta: bi == 0 ? beta : 1,
                            packedB: packed + bi * blockFloats + q0 * kc * gemmNR,
                            packedA: op.packsA ? UnsafePointer(packedA + bi * aBlockFloats) : nil,
                            aScratch: aScratch, tile: tile)
        }
    }
}

/// Makes sure `count` shared pieces are packed (state words `stride` apart: 0 = not started,
/// 1 = packing, 2 = ready): first packs every piece no other thread has claimed, then waits for
/// the pieces that others are still packing.
@inline(__always)
func gemmPackShared(_ states: UnsafeMutablePointer<Atomic<Int>>, count: Int, stride: Int, _ pack: (Int) -> Void) {
    for g in 0..<count {
        let state = states + g * stride
        if state.pointee.load(ordering: .acquiring) == 0,
           state.pointee.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged {
            pack(g)
            state.pointee.store(2, ordering: .releasing)
        }
    }
    for g in 0..<count {
        while (states + g * stride).pointee.load(ordering: .acquiring) != 2 {}  // another thread is packing it
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

/// Checks a GEMM's sizes (a bad one is a programmer error: it stops with `name` in the message)
/// and finishes the products with nothing to multiply; returns true when C is final (m or n is 0,
/// or k is 0 or alpha is 0, which leave beta·C).
@inline(__always)
func gemmHandledTrivially(_ name: StaticString, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                          lda: Int, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) -> Bool {
    precondition(m >= 0 && n >= 0 && k >= 0, "\(name): negative size m=\(m) n=\(n) k=\(k)")
    if m == 0 || n == 0 { return true }
    precondition(ldc >= n && (k == 0 || (lda >= (transA ? m : k) && ldb >= (transB ? k : n))),
                 "\(name): leading dimension too small (lda \(lda), ldb \(ldb), ldc \(ldc))")
    if k == 0 || alpha == 0 {
        gemmScale(c, ldc: ldc, rows: m, cols: n, by: beta)
        return true
    }
    return false
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

