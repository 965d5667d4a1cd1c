// Packing of GEMM operands into the contiguous panel layouts the micro-kernels read, and
// the per-thread scratch buffer that holds them.
//
// Packing absorbs the transposes: whatever the storage order of A and B, the kernels see
// B as KC×32 row-major micro-panels and A as KC×12 "column" strips, so one micro-kernel
// serves NN, NT, TN and TT.

import CAttendKernels

/// Whether the C packing routines (AVX512F/BW) can run here.
let gemmHasAVX512 = attend_has_avx512f() != 0

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
/// On AVX-512 CPUs this is 16×16 in-register transposes in C (`attend_pack_transposed_f32`:
/// LLVM merges permute rounds written in Swift into long scalarised shuffle chains, so the
/// intrinsics live in the C target); elsewhere each source row is read in 16-float vectors and
/// the lanes scattered (about 1.2 cycles per element).
func gemmPackTransposed(_ src: UnsafePointer<Float>, _ ld: Int, rows: Int, width: Int, kc: Int,
                        into dst: UnsafeMutablePointer<Float>) {
    if gemmHasAVX512 {
        attend_pack_transposed_f32(src, ld, rows, width, kc, dst)
        return
    }
    var p0 = 0
    while p0 + 16 <= kc {
        for r in 0..<rows {
            let v = gemmLoad(src + r * ld + p0)
            let d = dst + p0 * width + r
            for t in 0..<16 { d[t * width] = v[t] }
        }
        p0 += 16
    }
    if p0 < kc {
        for r in 0..<rows {
            let s = src + r * ld
            for p in p0..<kc { dst[p * width + r] = s[p] }
        }
    }
    if rows < width {
        for p in 0..<kc {
            let d = dst + p * width
            for r in rows..<width { d[r] = 0 }
        }
    }
}

/// Copies the strip op(A)[ir..<ir+mr, pc..<pc+kc] into `dst` as kc×12 floats
/// (dst[p·12 + i] = op(A)(ir+i, pc+p), rows mr..<12 zero).
///
/// op(A)(i, p) is a[i·lda + p] when `transA` is false and a[p·lda + i] when true.
func gemmPackA(transA: Bool, _ a: UnsafePointer<Float>, _ lda: Int,
               ir: Int, mr: Int, pc: Int, kc: Int, into dst: UnsafeMutablePointer<Float>) {
    if transA && mr == 12 {
        // 12 contiguous floats per k step: one 8-wide and one 4-wide vector copy.
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

/// The two per-thread packing buffers.
///
/// `.block` holds a packed B block (and, in serial GEMMs, the A strip and edge tile); in a
/// multi-threaded GEMM it holds the caller's shared packed B while the workers, the caller
/// included, use `.strip` for their A strips. Keeping them apart means a thread never
/// overwrites the shared panels it is reading.
enum GEMMScratchSlot {
    case block
    case strip
}

/// Makes the key of one per-thread buffer; the buffer is freed when its thread exits.
private func makeGEMMScratchKey() -> pthread_key_t {
    var key = pthread_key_t()
    let rc = pthread_key_create(&key) { raw in free(raw) }
    precondition(rc == 0, "pthread_key_create failed for the GEMM scratch buffer")
    return key
}

private let gemmBlockScratchKey = makeGEMMScratchKey()
private let gemmStripScratchKey = makeGEMMScratchKey()

/// The calling thread's buffer `slot`, 64-byte aligned, holding at least `floats` floats.
///
/// Layout: a 64-byte header holding the capacity in floats, then the floats. Each thread
/// owns its buffers, so concurrent `gemm` calls never share one. Grows (never shrinks) on
/// demand; after warm-up `gemm` performs no heap allocation.
func gemmScratch(_ slot: GEMMScratchSlot, floats: Int) -> UnsafeMutablePointer<Float> {
    let key = slot == .block ? gemmBlockScratchKey : gemmStripScratchKey
    let header = 64
    if let raw = pthread_getspecific(key) {
        if raw.load(as: Int.self) >= floats {
            return (raw + header).assumingMemoryBound(to: Float.self)
        }
        pthread_setspecific(key, nil)
        free(raw)
    }
    let capacity = max(floats, 16 * 1024)
    var fresh: UnsafeMutableRawPointer? = nil
    let rc = posix_memalign(&fresh, 64, header + capacity * MemoryLayout<Float>.stride)
    guard rc == 0, let raw = fresh else { fatalError("gemm: cannot allocate \(capacity) floats of packing scratch") }
    raw.storeBytes(of: capacity, as: Int.self)
    pthread_setspecific(key, raw)
    return (raw + header).bindMemory(to: Float.self, capacity: capacity)
}
