// Packing of GEMM operands into the contiguous panel layouts the micro-kernels read, and
// the per-thread scratch buffer that holds them.
//
// Packing absorbs the transposes: whatever the storage order of A and B, the kernels see
// B as KC×32 row-major micro-panels and A as KC×12 "column" strips, so one micro-kernel
// serves NN, NT, TN and TT.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Copies op(B)[pc..<pc+kc, jc..<jc+nc] into `dst` as ⌈nc/32⌉ micro-panels of kc×32 floats
/// (panel q holds columns jc+32q..<jc+32q+32, row-major, right edge zero-padded).
///
/// op(B)(p, j) is b[p·ldb + j] when `transB` is false and b[j·ldb + p] when true.
func gemmPackB(transB: Bool, _ b: UnsafePointer<Float>, _ ldb: Int,
           pc: Int, kc: Int, jc: Int, nc: Int, into dst: UnsafeMutablePointer<Float>) {
    var q = 0
    var j0 = 0
    while j0 < nc {
        let cols = min(32, nc - j0)
        let panel = dst + q * kc * 32
        if !transB {
            let src = b + pc * ldb + jc + j0
            if cols == 32 {
                for p in 0..<kc {
                    let s = src + p * ldb
                    gemmStore(gemmLoad(s), panel + p * 32)
                    gemmStore(gemmLoad(s + 16), panel + p * 32 + 16)
                }
            } else {
                for p in 0..<kc {
                    let s = src + p * ldb
                    let d = panel + p * 32
                    for j in 0..<cols { d[j] = s[j] }
                    for j in cols..<32 { d[j] = 0 }
                }
            }
        } else {
            // Column j of the panel is row jc+j0+j of the stored B, contiguous in p.
            let src = b + (jc + j0) * ldb + pc
            gemmPackTransposed(src, ldb, rows: cols, width: 32, kc: kc, into: panel)
        }
        q += 1
        j0 += 32
    }
}

/// Writes dst[p·width + r] = src[r·ld + p] for r < rows, p < kc, and zeros for
/// rows ≤ r < width: a transposed copy of a rows×kc block into a kc×width panel.
///
/// `width` is 12 or 32 and `rows ≤ width`. Full 16×16 blocks go through registers
/// (`GEMMTransposeBlock`); the last kc mod 16 columns are copied element by element.
func gemmPackTransposed(_ src: UnsafePointer<Float>, _ ld: Int, rows: Int, width: Int, kc: Int,
                        into dst: UnsafeMutablePointer<Float>) {
    var p0 = 0
    while p0 + 16 <= kc {
        var r0 = 0
        while r0 < width {
            var block = GEMMTransposeBlock(src + r0 * ld + p0, ld, rows: min(16, max(0, rows - r0)))
            block.transpose()
            let d = dst + p0 * width + r0
            if width - r0 >= 16 {
                block.store(d, ld: width)
            } else {
                block.store12(d, ld: width)
            }
            r0 += 16
        }
        p0 += 16
    }
    if p0 < kc {
        for p in p0..<kc {
            let d = dst + p * width
            for r in 0..<rows { d[r] = src[r * ld + p] }
            for r in rows..<width { d[r] = 0 }
        }
    }
}

/// A 16×16 block of floats in 16 vector registers, transposed in place with 64 two-source
/// permutes: four rounds of "unzip" map element (r, c) to (c, r) because each round rotates
/// the 4 row-index bits and the 4 column-index bits by one position.
struct GEMMTransposeBlock {
    var v0, v1, v2, v3, v4, v5, v6, v7: SIMD16<Float>
    var v8, v9, v10, v11, v12, v13, v14, v15: SIMD16<Float>

    /// Loads rows src + r·ld for r < rows (16 floats each); rows ≥ `rows` are zero.
    @inline(__always)
    init(_ src: UnsafePointer<Float>, _ ld: Int, rows: Int) {
        @inline(__always) func row(_ r: Int) -> SIMD16<Float> {
            r < rows ? gemmLoad(src + r * ld) : SIMD16<Float>()
        }
        v0 = row(0); v1 = row(1); v2 = row(2); v3 = row(3)
        v4 = row(4); v5 = row(5); v6 = row(6); v7 = row(7)
        v8 = row(8); v9 = row(9); v10 = row(10); v11 = row(11)
        v12 = row(12); v13 = row(13); v14 = row(14); v15 = row(15)
    }

    @inline(__always)
    static func unzip(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> (SIMD16<Float>, SIMD16<Float>) {
        (SIMD16(lowHalf: x.evenHalf, highHalf: y.evenHalf), SIMD16(lowHalf: x.oddHalf, highHalf: y.oddHalf))
    }

    @inline(__always)
    mutating func round() {
        let (w0, w8) = Self.unzip(v0, v1)
        let (w1, w9) = Self.unzip(v2, v3)
        let (w2, w10) = Self.unzip(v4, v5)
        let (w3, w11) = Self.unzip(v6, v7)
        let (w4, w12) = Self.unzip(v8, v9)
        let (w5, w13) = Self.unzip(v10, v11)
        let (w6, w14) = Self.unzip(v12, v13)
        let (w7, w15) = Self.unzip(v14, v15)
        v0 = w0; v1 = w1; v2 = w2; v3 = w3; v4 = w4; v5 = w5; v6 = w6; v7 = w7
        v8 = w8; v9 = w9; v10 = w10; v11 = w11; v12 = w12; v13 = w13; v14 = w14; v15 = w15
    }

    @inline(__always)
    mutating func transpose() {
        round(); round(); round(); round()
    }

    /// Stores row r at dst + r·ld (16 floats each).
    @inline(__always)
    func store(_ dst: UnsafeMutablePointer<Float>, ld: Int) {
        gemmStore(v0, dst); gemmStore(v1, dst + ld); gemmStore(v2, dst + 2 * ld)
        gemmStore(v3, dst + 3 * ld); gemmStore(v4, dst + 4 * ld); gemmStore(v5, dst + 5 * ld)
        gemmStore(v6, dst + 6 * ld); gemmStore(v7, dst + 7 * ld); gemmStore(v8, dst + 8 * ld)
        gemmStore(v9, dst + 9 * ld); gemmStore(v10, dst + 10 * ld); gemmStore(v11, dst + 11 * ld)
        gemmStore(v12, dst + 12 * ld); gemmStore(v13, dst + 13 * ld); gemmStore(v14, dst + 14 * ld)
        gemmStore(v15, dst + 15 * ld)
    }

    /// Stores the first 12 floats of row r at dst + r·ld.
    @inline(__always)
    func store12(_ dst: UnsafeMutablePointer<Float>, ld: Int) {
        @inline(__always) func put(_ v: SIMD16<Float>, _ d: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(d).storeBytes(of: v.lowHalf, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(d + 8).storeBytes(of: v.highHalf.lowHalf, as: SIMD4<Float>.self)
        }
        put(v0, dst); put(v1, dst + ld); put(v2, dst + 2 * ld); put(v3, dst + 3 * ld)
        put(v4, dst + 4 * ld); put(v5, dst + 5 * ld); put(v6, dst + 6 * ld); put(v7, dst + 7 * ld)
        put(v8, dst + 8 * ld); put(v9, dst + 9 * ld); put(v10, dst + 10 * ld); put(v11, dst + 11 * ld)
        put(v12, dst + 12 * ld); put(v13, dst + 13 * ld); put(v14, dst + 14 * ld); put(v15, dst + 15 * ld)
    }
}

/// Copies the strip op(A)[ir..<ir+mr, pc..<pc+kc] into `dst` as kc×12 floats
/// (dst[p·12 + i] = op(A)(ir+i, pc+p), rows mr..<12 zero).
///
/// op(A)(i, p) is a[i·lda + p] when `transA` is false and a[p·lda + i] when true.
func gemmPackA(transA: Bool, _ a: UnsafePointer<Float>, _ lda: Int,
           ir: Int, mr: Int, pc: Int, kc: Int, into dst: UnsafeMutablePointer<Float>) {
    if transA && mr == 12 {
        let src = a + pc * lda + ir
        for p in 0..<kc {
            let s = UnsafeRawPointer(src + p * lda)
            let d = UnsafeMutableRawPointer(dst + p * 12)
            d.storeBytes(of: s.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: 32, as: SIMD4<Float>.self), toByteOffset: 32, as: SIMD4<Float>.self)
        }
    } else if transA {
        let src = a + pc * lda + ir
        for p in 0..<kc {
            let s = src + p * lda
            let d = dst + p * 12
            for i in 0..<mr { d[i] = s[i] }
            for i in mr..<12 { d[i] = 0 }
        }
    } else {
        gemmPackTransposed(a + ir * lda + pc, lda, rows: mr, width: 12, kc: kc, into: dst)
    }
}

// MARK: - Per-thread scratch

/// Key of the calling thread's packing buffer (a 64-byte header holding the capacity in
/// floats, then the floats). Each thread owns its buffer, so concurrent `gemm` calls never
/// share one; the buffer is freed when its thread exits.
private let gemmScratchKey: pthread_key_t = {
    var key = pthread_key_t()
    let rc = pthread_key_create(&key) { raw in free(raw) }
    precondition(rc == 0, "pthread_key_create failed for the GEMM scratch buffer")
    return key
}()

/// The calling thread's packing buffer, 64-byte aligned, holding at least `floats` floats.
///
/// Grows (never shrinks) on demand; after warm-up `gemm` performs no heap allocation.
func gemmScratch(floats: Int) -> UnsafeMutablePointer<Float> {
    let header = 64
    if let raw = pthread_getspecific(gemmScratchKey) {
        if raw.load(as: Int.self) >= floats {
            return (raw + header).assumingMemoryBound(to: Float.self)
        }
        pthread_setspecific(gemmScratchKey, nil)
        free(raw)
    }
    let capacity = max(floats, 16 * 1024)
    var fresh: UnsafeMutableRawPointer? = nil
    let rc = posix_memalign(&fresh, 64, header + capacity * MemoryLayout<Float>.stride)
    guard rc == 0, let raw = fresh else { fatalError("gemm: cannot allocate \(capacity) floats of packing scratch") }
    raw.storeBytes(of: capacity, as: Int.self)
    pthread_setspecific(gemmScratchKey, raw)
    return (raw + header).bindMemory(to: Float.self, capacity: capacity)
}
