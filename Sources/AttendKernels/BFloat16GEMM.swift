// bfloat16 GEMM (AVX512-BF16): C = alpha·op(A)·op(B) + beta·C with fp32 inputs and outputs,
// the operands rounded to bfloat16 (nearest, ties to even) as they are packed and the products
// summed in fp32 by `vdpbf16ps` — the arithmetic of PyTorch's CPU bf16 autocast for matrix
// products, with fp32 master weights kept by the caller.
//
// The loop nest is the fp32 GEMM's (GEMM.swift) with a 12×32 tile of 24 fp32 accumulators; each
// `vdpbf16ps` takes a pair of K steps, so a packed B micro-panel holds ⌈KC/2⌉ rows of 32 bfloat16
// pairs (half the bytes of fp32) and A strips hold 12 pairs per K pair. The kernels are C with
// compiler intrinsics (Sources/CAttendKernels); they run only where the CPU reports AVX512-BF16,
// and `gemmBFloat16` falls back to the fp32 `gemm` elsewhere.

import CAttendKernels
import Foundation

/// The arithmetic of matrix products: fp32 throughout, or bfloat16 operands with fp32 accumulation.
public enum MatrixPrecision: String, Sendable, CaseIterable, Codable {
    /// Operands and accumulation in fp32 (the `gemm` kernels).
    case fp32
    /// Operands rounded to bfloat16 (nearest, ties to even) and products summed in fp32 (`vdpbf16ps`);
    /// runs only where `BFloat16Support.available`, and falls back to fp32 elsewhere.
    case bf16
}

/// Whether this CPU runs the bfloat16 kernels, and the process-wide precision that training's
/// linear layers use.
public enum BFloat16Support {
    /// True when the CPU reports AVX512-BF16 and the OS saves AVX-512 state (cpuid/xgetbv), unless
    /// `ATTEND_BF16=off` is set (to exercise the fallback on a CPU that has it).
    public static let available: Bool = {
        if ProcessInfo.processInfo.environment["ATTEND_BF16"] == "off" { return false }
        return attend_has_avx512bf16() != 0
    }()

    /// The precision a request for `precision` gets on this CPU, and the one-line notice to print
    /// when bfloat16 was asked for but is unavailable (nil otherwise).
    public static func resolve(_ precision: MatrixPrecision, available: Bool = available)
        -> (precision: MatrixPrecision, notice: String?) {
        if precision == .bf16 && !available {
            return (.fp32, "notice: this CPU has no AVX512-BF16 (vdpbf16ps); matrix products run in fp32")
        }
        return (precision, nil)
    }
}

/// Measures the bfloat16 dot-product peak in GFLOP/s with a `vdpbf16ps`-only register loop (16
/// independent chains; one instruction is 32 multiply–adds, 64 flops), on `threads` threads for
/// about `seconds` seconds — the ceiling `gemmBFloat16` efficiency is quoted against, as
/// `measureFMAPeak` is for fp32. Returns nil where the CPU lacks AVX512-BF16.
public func measureBFloat16Peak(threads: Int, seconds: Double = 0.5) -> Double? {
    guard BFloat16Support.available else { return nil }
    let workers = max(1, threads)
    let rates = UnsafeMutablePointer<Double>.allocate(capacity: workers)
    rates.initialize(repeating: 0, count: workers)
    defer { rates.deallocate() }
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        let state = UnsafeMutablePointer<Float>.allocate(capacity: 18 * 16)
        defer { state.deallocate() }
        for i in 0..<(16 * 16) { state[i] = Float(i % 7) * 1e-3 + Float(w) }
        // Operands: bfloat16 pairs of values near 1e-3 and -1e-3, so the chains neither overflow
        // nor settle into denormals.
        let x = UInt32(bfloat16Bits(1e-3)) | UInt32(bfloat16Bits(2e-3)) << 16
        let y = UInt32(bfloat16Bits(-1e-3)) | UInt32(bfloat16Bits(1e-3)) << 16
        for i in 0..<16 {
            state[16 * 16 + i] = Float(bitPattern: x)
            state[17 * 16 + i] = Float(bitPattern: y)
        }
        let iterations = 1 << 16
        let flopsPerBurst = Double(iterations) * 16 * 64
        let start = DispatchTime.now().uptimeNanoseconds
        var best = 0.0
        while true {
            let t0 = DispatchTime.now().uptimeNanoseconds
            attend_bf16_dot_burst(state, iterations)
            let t1 = DispatchTime.now().uptimeNanoseconds
            let dt = Double(t1 &- t0) * 1e-9
            if dt > 0 { best = max(best, flopsPerBurst / dt) }
            if Double(t1 &- start) * 1e-9 >= max(0.001, seconds) { break }
        }
        rates[w] = best
    }
    var total = 0.0
    for w in 0..<workers { total += rates[w] }
    return total / 1e9
}

/// C = alpha · op(A) · op(B) + beta · C in bfloat16 arithmetic: op(A) and op(B) rounded to bfloat16
/// (nearest, ties to even), products summed in fp32; the same contract as `gemm` otherwise (BLAS
/// semantics for beta, k == 0 and alpha == 0; row-major; leading dimensions).
///
/// Error: each product of rounded operands is exact in fp32, so against the fp32 product of the
/// unrounded matrices the error is at most about 2·2⁻⁸·Σ_p |A(i,p)|·|B(p,j)| (two roundings of
/// relative error ≤ 2⁻⁹) plus fp32 summation error. On a CPU without AVX512-BF16 it runs the fp32
/// `gemm` (results then carry fp32 error only).
public func gemmBFloat16(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                         alpha: Float = 1,
                         a: UnsafePointer<Float>, lda: Int,
                         b: UnsafePointer<Float>, ldb: Int,
                         beta: Float = 0,
                         c: UnsafeMutablePointer<Float>, ldc: Int,
                         threads: Int = Threading.count,
                         parameters: GEMMParameters = .current) {
    guard BFloat16Support.available else {
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
             beta: beta, c: c, ldc: ldc, threads: threads, parameters: parameters)
        return
    }
    if gemmHandledTrivially("gemmBFloat16", transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                            lda: lda, ldb: ldb, beta: beta, c: c, ldc: ldc) { return }
    let op = GEMMOperands(transA: transA, transB: transB, alpha: alpha, a: a, lda: lda,
                          b: b, ldb: ldb, c: c, ldc: ldc, kc: parameters.kc, nc: parameters.nc,
                          readsAInPlace: false)
    let nested = WorkerPool.isWorkerOrBusy  // nested regions run serially: take the serial path
    let workers = nested ? 1 : min(max(1, threads), max(1, 2 * m * n * k / gemmMinFlopsPerThread))
    if workers <= 1 {
        bf16Serial(op, m: m, n: n, k: k, beta: beta)
    } else {
        bf16Parallel(op, m: m, n: n, k: k, beta: beta, workers: workers)
    }
}

// MARK: - Internals

/// Halves (UInt16 values) in one packed bfloat16 block of `pairs` K pairs and `width` columns or rows.
@inline(__always)
private func bf16Halves(pairs: Int, width: Int) -> Int { pairs * 2 * width }

/// A per-thread scratch slot viewed as bfloat16 halves.
@inline(__always)
private func bf16Scratch(_ slot: GEMMScratchSlot, halves: Int) -> UnsafeMutablePointer<UInt16> {
    UnsafeMutableRawPointer(gemmScratch(slot, floats: (halves + 1) / 2)).assumingMemoryBound(to: UInt16.self)
}

/// Runs the tiles of C[rows, cols] for one packed K block (`kc` deep): A strips from `packedA`
/// (strip s of the block at `packedA + s·12·2·⌈kc/2⌉`, indexed from row 0 of the operand) and
/// B panels from `packedB` (the panel holding column `cols.lowerBound` first).
private func bf16MacroKernel(_ op: GEMMOperands, rows: Range<Int>, cols: Range<Int>, kc: Int, beta: Float,
                             packedA: UnsafePointer<UInt16>, packedB: UnsafePointer<UInt16>) {
    let kp = (kc + 1) / 2
    let stripHalves = bf16Halves(pairs: kp, width: gemmMR)
    let panelHalves = bf16Halves(pairs: kp, width: gemmNR)
    var ir = rows.lowerBound
    while ir < rows.upperBound {
        let mr = min(gemmMR, rows.upperBound - ir)
        let strip = packedA + ir / gemmMR * stripHalves
        var panel = packedB
        var j = cols.lowerBound
        while j < cols.upperBound {
            attend_bf16_kernel(kp, strip, panel, op.c + ir * op.ldc + j, op.ldc, op.alpha, beta,
                               mr, min(gemmNR, cols.upperBound - j))
            panel += panelHalves
            j += gemmNR
        }
        ir += gemmMR
    }
}

/// Packs the strips of op(A)[rows, pc..<pc+kc] into `dst` (strip of row ir at `dst + ir/12·stride`).
private func bf16PackStrips(_ op: GEMMOperands, rows: Range<Int>, pc: Int, kc: Int, into dst: UnsafeMutablePointer<UInt16>) {
    let stripHalves = bf16Halves(pairs: (kc + 1) / 2, width: gemmMR)
    var ir = rows.lowerBound
    while ir < rows.upperBound {
        attend_bf16_pack_a(op.transA ? 1 : 0, op.a, op.lda, ir, min(gemmMR, rows.upperBound - ir), pc, kc,
                           dst + ir / gemmMR * stripHalves)
        ir += gemmMR
    }
}

/// Single-threaded bfloat16 GEMM: one KC×NC block of B and the matching strips of A at a time.
private func bf16Serial(_ op: GEMMOperands, m: Int, n: Int, k: Int, beta: Float) {
    let kcMax = op.blockDepth(k)
    let kpMax = (kcMax + 1) / 2
    let nBlocks = (n + op.nc - 1) / op.nc
    let ncMax = ((n + nBlocks - 1) / nBlocks + gemmNR - 1) / gemmNR * gemmNR
    let strips = (m + gemmMR - 1) / gemmMR
    let bHalves = bf16Halves(pairs: kpMax, width: ncMax)
    let aHalves = bf16Halves(pairs: kpMax, width: strips * gemmMR)
    let scratch = bf16Scratch(.block, halves: bHalves + aHalves)
    let packedB = scratch, packedA = scratch + bHalves
    var pc = 0
    while pc < k {
        let kc = min(kcMax, k - pc)
        bf16PackStrips(op, rows: 0..<m, pc: pc, kc: kc, into: packedA)
        var jc = 0
        while jc < n {
            let nc = min(ncMax, n - jc)
            attend_bf16_pack_b(op.transB ? 1 : 0, op.b, op.ldb, pc, kc, jc, nc, packedB)
            bf16MacroKernel(op, rows: 0..<m, cols: jc..<(jc + nc), kc: kc, beta: pc == 0 ? beta : 1,
                            packedA: packedA, packedB: packedB)
            jc += nc
        }
        pc += kc
    }
}

/// Multi-threaded bfloat16 GEMM: all of op(A) and op(B) is packed first (split over the workers),
/// then row chunks of C are claimed dynamically, each sweeping every K block.
private func bf16Parallel(_ op: GEMMOperands, m: Int, n: Int, k: Int, beta: Float, workers: Int) {
    let kcMax = op.blockDepth(k)
    let kpMax = (kcMax + 1) / 2
    let kBlocks = (k + kcMax - 1) / kcMax
    let panels = (n + gemmNR - 1) / gemmNR
    let strips = (m + gemmMR - 1) / gemmMR
    let bBlock = bf16Halves(pairs: kpMax, width: panels * gemmNR)
    let aBlock = bf16Halves(pairs: kpMax, width: strips * gemmMR)
    let scratch = bf16Scratch(.block, halves: kBlocks * (bBlock + aBlock))
    let packedB = scratch, packedA = scratch + kBlocks * bBlock

    // Phase 1: pack. Tasks are (K block, B panel group) and (K block, A strip group).
    let groups = 2 * workers
    concurrentPerform(iterations: kBlocks * groups * 2) { task in
        let bi = task / (groups * 2), g = task % (groups * 2)
        let pc = bi * kcMax, kc = min(kcMax, k - pc)
        let kp = (kc + 1) / 2
        if g < groups {
            let q0 = panels * g / groups, q1 = panels * (g + 1) / groups
            if q0 < q1 {
                let j0 = q0 * gemmNR, j1 = min(n, q1 * gemmNR)
                attend_bf16_pack_b(op.transB ? 1 : 0, op.b, op.ldb, pc, kc, j0, j1 - j0,
                                   packedB + bi * bBlock + q0 * bf16Halves(pairs: kp, width: gemmNR))
            }
        } else {
            let s0 = strips * (g - groups) / groups, s1 = strips * (g - groups + 1) / groups
            if s0 < s1 {
                bf16PackStrips(op, rows: (s0 * gemmMR)..<min(m, s1 * gemmMR), pc: pc, kc: kc, into: packedA + bi * aBlock)
            }
        }
    }

    // Phase 2: compute, about 8 row chunks per worker.
    let chunks = min(strips, gemmChunksPerWorker * workers)
    concurrentPerform(iterations: chunks) { chunk in
        let i0 = strips * chunk / chunks * gemmMR, i1 = min(m, strips * (chunk + 1) / chunks * gemmMR)
        if i0 >= i1 { return }
        for bi in 0..<kBlocks {
            let pc = bi * kcMax, kc = min(kcMax, k - pc)
            bf16MacroKernel(op, rows: i0..<i1, cols: 0..<n, kc: kc, beta: bi == 0 ? beta : 1,
                            packedA: packedA + bi * aBlock, packedB: packedB + bi * bBlock)
        }
    }
}
