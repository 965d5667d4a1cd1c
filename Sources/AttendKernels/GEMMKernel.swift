// The GEMM micro-kernels: one MR×NR register tile of C updated from K steps of
// rank-1 products, plus the tile write-back that applies alpha and beta.
//
// The tile is 12 rows × 32 columns held in 24 `SIMD16<Float>` accumulators (AVX-512 has
// 32 vector registers: 24 accumulators + 2 B vectors + 1 broadcast A value). Each K step
// loads two B vectors, broadcasts 12 A values and issues 24 FMAs, so the FMA ports, not the
// loads, are the bottleneck (~95 % of the FMA peak with operands in L1).
//
// The accumulators are 24 named locals on purpose: an `InlineArray` tile is kept in registers
// only while every index is a constant after unrolling; one variable index (as in an edge
// loop) makes LLVM copy the whole 1.5 KB array per access. This is the BLIS/GotoBLAS structure (Van Zee & van de Geijn,
// "BLIS: A Framework for Rapidly Instantiating BLAS Functionality", 2015).

/// Rows of C in one register tile (A values broadcast per K step).
let gemmMR = 12
/// Columns of C in one register tile (two SIMD16 vectors of packed B per K step).
let gemmNR = 32

/// Loads 16 floats from any (unaligned) address.
@inline(__always)
func gemmLoad(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

/// Stores 16 floats to any (unaligned) address.
@inline(__always)
func gemmStore(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// Tile update with A in "column panel" layout: A(i, p) = a[p·aStep + i] for i < 12.
///
/// Serves packed A strips (`aStep == 12`) and transposed A read in place (`aStep == lda`).
/// `b` is a packed KC×32 B micro-panel. C(i, j) for i < mr, j < nr becomes
/// alpha·(A·B)(i, j) + beta·C(i, j); `beta == 0` never reads C. Partial tiles go through
/// `tile`, a 12×32 scratch block.
func gemmKernelColumnA(_ kc: Int, _ a: UnsafePointer<Float>, _ aStep: Int,
                       _ b: UnsafePointer<Float>,
                       _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                       _ alpha: Float, _ beta: Float, _ mr: Int, _ nr: Int,
                       _ tile: UnsafeMutablePointer<Float>) {
    var c0a = SIMD16<Float>(), c0b = SIMD16<Float>()
    var c1a = SIMD16<Float>(), c1b = SIMD16<Float>()
    var c2a = SIMD16<Float>(), c2b = SIMD16<Float>()
    var c3a = SIMD16<Float>(), c3b = SIMD16<Float>()
    var c4a = SIMD16<Float>(), c4b = SIMD16<Float>()
    var c5a = SIMD16<Float>(), c5b = SIMD16<Float>()
    var c6a = SIMD16<Float>(), c6b = SIMD16<Float>()
    var c7a = SIMD16<Float>(), c7b = SIMD16<Float>()
    var c8a = SIMD16<Float>(), c8b = SIMD16<Float>()
    var c9a = SIMD16<Float>(), c9b = SIMD16<Float>()
    var c10a = SIMD16<Float>(), c10b = SIMD16<Float>()
    var c11a = SIMD16<Float>(), c11b = SIMD16<Float>()
    var pa = a
    var pb = b
    for _ in 0..<kc {
        let b0 = gemmLoad(pb)
        let b1 = gemmLoad(pb + 16)
        fma2(&c0a, &c0b, pa[0], b0, b1)
        fma2(&c1a, &c1b, pa[1], b0, b1)
        fma2(&c2a, &c2b, pa[2], b0, b1)
        fma2(&c3a, &c3b, pa[3], b0, b1)
        fma2(&c4a, &c4b, pa[4], b0, b1)
        fma2(&c5a, &c5b, pa[5], b0, b1)
        fma2(&c6a, &c6b, pa[6], b0, b1)
        fma2(&c7a, &c7b, pa[7], b0, b1)
        fma2(&c8a, &c8b, pa[8], b0, b1)
        fma2(&c9a, &c9b, pa[9], b0, b1)
        fma2(&c10a, &c10b, pa[10], b0, b1)
        fma2(&c11a, &c11b, pa[11], b0, b1)
        pa += aStep
        pb += 32
    }
    if mr != 12 || nr != 32 {
        storeRow(c0a, c0b, tile + 0, 1, 0)
        storeRow(c1a, c1b, tile + 32, 1, 0)
        storeRow(c2a, c2b, tile + 64, 1, 0)
        storeRow(c3a, c3b, tile + 96, 1, 0)
        storeRow(c4a, c4b, tile + 128, 1, 0)
        storeRow(c5a, c5b, tile + 160, 1, 0)
        storeRow(c6a, c6b, tile + 192, 1, 0)
        storeRow(c7a, c7b, tile + 224, 1, 0)
        storeRow(c8a, c8b, tile + 256, 1, 0)
        storeRow(c9a, c9b, tile + 288, 1, 0)
        storeRow(c10a, c10b, tile + 320, 1, 0)
        storeRow(c11a, c11b, tile + 352, 1, 0)
        storeTileEdge(tile, c, ldc, alpha, beta, mr, nr)
        return
    }
    storeRow(c0a, c0b, c, alpha, beta)
    storeRow(c1a, c1b, c + 1 * ldc, alpha, beta)
    storeRow(c2a, c2b, c + 2 * ldc, alpha, beta)
    storeRow(c3a, c3b, c + 3 * ldc, alpha, beta)
    storeRow(c4a, c4b, c + 4 * ldc, alpha, beta)
    storeRow(c5a, c5b, c + 5 * ldc, alpha, beta)
    storeRow(c6a, c6b, c + 6 * ldc, alpha, beta)
    storeRow(c7a, c7b, c + 7 * ldc, alpha, beta)
    storeRow(c8a, c8b, c + 8 * ldc, alpha, beta)
    storeRow(c9a, c9b, c + 9 * ldc, alpha, beta)
    storeRow(c10a, c10b, c + 10 * ldc, alpha, beta)
    storeRow(c11a, c11b, c + 11 * ldc, alpha, beta)
}

/// Tile update with A read in place from row-major storage: A(i, p) = a[i·lda + p], i < 12.
///
/// Used for untransposed A so that skinny products (small N) skip packing A entirely;
/// otherwise identical to `gemmKernelColumnA`.
func gemmKernelRowA(_ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int,
                    _ b: UnsafePointer<Float>,
                    _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                    _ alpha: Float, _ beta: Float, _ mr: Int, _ nr: Int,
                    _ tile: UnsafeMutablePointer<Float>) {
    var c0a = SIMD16<Float>(), c0b = SIMD16<Float>()
    var c1a = SIMD16<Float>(), c1b = SIMD16<Float>()
    var c2a = SIMD16<Float>(), c2b = SIMD16<Float>()
    var c3a = SIMD16<Float>(), c3b = SIMD16<Float>()
    var c4a = SIMD16<Float>(), c4b = SIMD16<Float>()
    var c5a = SIMD16<Float>(), c5b = SIMD16<Float>()
    var c6a = SIMD16<Float>(), c6b = SIMD16<Float>()
    var c7a = SIMD16<Float>(), c7b = SIMD16<Float>()
    var c8a = SIMD16<Float>(), c8b = SIMD16<Float>()
    var c9a = SIMD16<Float>(), c9b = SIMD16<Float>()
    var c10a = SIMD16<Float>(), c10b = SIMD16<Float>()
    var c11a = SIMD16<Float>(), c11b = SIMD16<Float>()
    var pa = a
    var pb = b
    for _ in 0..<kc {
        let b0 = gemmLoad(pb)
        let b1 = gemmLoad(pb + 16)
        fma2(&c0a, &c0b, pa[0], b0, b1)
        fma2(&c1a, &c1b, pa[lda], b0, b1)
        fma2(&c2a, &c2b, pa[2 * lda], b0, b1)
        fma2(&c3a, &c3b, pa[3 * lda], b0, b1)
        fma2(&c4a, &c4b, pa[4 * lda], b0, b1)
        fma2(&c5a, &c5b, pa[5 * lda], b0, b1)
        fma2(&c6a, &c6b, pa[6 * lda], b0, b1)
        fma2(&c7a, &c7b, pa[7 * lda], b0, b1)
        fma2(&c8a, &c8b, pa[8 * lda], b0, b1)
        fma2(&c9a, &c9b, pa[9 * lda], b0, b1)
        fma2(&c10a, &c10b, pa[10 * lda], b0, b1)
        fma2(&c11a, &c11b, pa[11 * lda], b0, b1)
        pa += 1
        pb += 32
    }
    if mr != 12 || nr != 32 {
        storeRow(c0a, c0b, tile + 0, 1, 0)
        storeRow(c1a, c1b, tile + 32, 1, 0)
        storeRow(c2a, c2b, tile + 64, 1, 0)
        storeRow(c3a, c3b, tile + 96, 1, 0)
        storeRow(c4a, c4b, tile + 128, 1, 0)
        storeRow(c5a, c5b, tile + 160, 1, 0)
        storeRow(c6a, c6b, tile + 192, 1, 0)
        storeRow(c7a, c7b, tile + 224, 1, 0)
        storeRow(c8a, c8b, tile + 256, 1, 0)
        storeRow(c9a, c9b, tile + 288, 1, 0)
        storeRow(c10a, c10b, tile + 320, 1, 0)
        storeRow(c11a, c11b, tile + 352, 1, 0)
        storeTileEdge(tile, c, ldc, alpha, beta, mr, nr)
        return
    }
    storeRow(c0a, c0b, c, alpha, beta)
    storeRow(c1a, c1b, c + 1 * ldc, alpha, beta)
    storeRow(c2a, c2b, c + 2 * ldc, alpha, beta)
    storeRow(c3a, c3b, c + 3 * ldc, alpha, beta)
    storeRow(c4a, c4b, c + 4 * ldc, alpha, beta)
    storeRow(c5a, c5b, c + 5 * ldc, alpha, beta)
    storeRow(c6a, c6b, c + 6 * ldc, alpha, beta)
    storeRow(c7a, c7b, c + 7 * ldc, alpha, beta)
    storeRow(c8a, c8b, c + 8 * ldc, alpha, beta)
    storeRow(c9a, c9b, c + 9 * ldc, alpha, beta)
    storeRow(c10a, c10b, c + 10 * ldc, alpha, beta)
    storeRow(c11a, c11b, c + 11 * ldc, alpha, beta)
}

/// One K step for one tile row: (lo, hi) += broadcast(a) · (b0, b1).
@inline(__always)
private func fma2(_ lo: inout SIMD16<Float>, _ hi: inout SIMD16<Float>, _ a: Float,
                  _ b0: SIMD16<Float>, _ b1: SIMD16<Float>) {
    let va = SIMD16<Float>(repeating: a)
    lo = lo.addingProduct(va, b0)
    hi = hi.addingProduct(va, b1)
}

/// Writes one 32-wide tile row: row = alpha·(lo, hi) + beta·row (`beta == 0` never reads row).
@inline(__always)
private func storeRow(_ lo: SIMD16<Float>, _ hi: SIMD16<Float>, _ row: UnsafeMutablePointer<Float>,
                      _ alpha: Float, _ beta: Float) {
    let va = SIMD16<Float>(repeating: alpha)
    if beta == 0 {
        if alpha == 1 {
            gemmStore(lo, row)
            gemmStore(hi, row + 16)
        } else {
            gemmStore(lo * va, row)
            gemmStore(hi * va, row + 16)
        }
    } else if beta == 1 {
        gemmStore(gemmLoad(row).addingProduct(lo, va), row)
        gemmStore(gemmLoad(row + 16).addingProduct(hi, va), row + 16)
    } else {
        let vb = SIMD16<Float>(repeating: beta)
        gemmStore((gemmLoad(row) * vb).addingProduct(lo, va), row)
        gemmStore((gemmLoad(row + 16) * vb).addingProduct(hi, va), row + 16)
    }
}

/// Partial-tile write-back (bottom and right edges of C) from a 12×32 block `tile` of
/// unscaled products: C(i, j) = alpha·tile(i, j) + beta·C(i, j) for i < mr, j < nr.
@inline(never)
private func storeTileEdge(_ tile: UnsafeMutablePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                           _ alpha: Float, _ beta: Float, _ mr: Int, _ nr: Int) {
    for i in 0..<mr {
        let row = c + i * ldc
        let src = tile + i * 32
        if beta == 0 {
            for j in 0..<nr { row[j] = alpha * src[j] }
        } else {
            for j in 0..<nr { row[j] = alpha * src[j] + beta * row[j] }
        }
    }
}
