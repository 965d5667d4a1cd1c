// bfloat16 matrix kernels that Swift cannot express: AVX512-BF16's `vdpbf16ps` (a dot product
// of bfloat16 pairs accumulated into fp32 lanes) is only reachable through compiler intrinsics.
// Everything here is compiled for any x86-64 (the AVX-512 code carries per-function target
// attributes) and chosen at run time: callers ask `attend_has_avx512bf16()` first.
#ifndef C_ATTEND_KERNELS_H
#define C_ATTEND_KERNELS_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the CPU executes AVX512-BF16 (cpuid leaf 7 subleaf 1, EAX bit 5) and the OS saves the
/// 512-bit register state (XCR0 bits 5–7); 0 otherwise (also on non-x86 builds).
int attend_has_avx512bf16(void);

/// 1 when the CPU executes AVX512F and AVX512BW and the OS saves their state; 0 otherwise.
int attend_has_avx512f(void);

/// dst[p·width + r] = src[r·ld + p] for r < rows, p < kc, and 0 for rows ≤ r < width (width ≤ 32):
/// the transposed copy of a rows×kc block into a kc×width panel, by 16×16 in-register transposes.
/// Requires AVX512F/BW.
void attend_pack_transposed_f32(const float *src, long ld, long rows, long width, long kc, float *dst);

/// Rows of C in the bfloat16 micro-tile (one broadcast bfloat16 pair of A per row and K pair).
#define ATTEND_BF16_MR 12
/// Columns of C in the bfloat16 micro-tile (two 16-lane fp32 accumulators per row).
#define ATTEND_BF16_NR 32

/// `iterations` rounds of 16 independent `vdpbf16ps` chains on state[0..<16] (16 floats each),
/// with the bfloat16 pairs in state[16] and state[17] as operands; writes the chains back. Each
/// instruction is 32 multiply–adds (64 flops). Requires AVX512-BF16.
void attend_bf16_dot_burst(float *state, long iterations);

/// Packs op(A)[i0..<i0+mr, p0..<p0+kc] (mr ≤ 12) as ⌈kc/2⌉ groups of 12 bfloat16 pairs:
/// dst[(p/2)·24 + 2i + (p%2)] = bf16(op(A)(i0+i, p0+p)), zero for rows ≥ mr and for the odd
/// K tail. op(A)(i, p) is a[i·lda + p] (transA == 0) or a[p·lda + i] (transA != 0).
/// Rounding is to nearest, ties to even.
void attend_bf16_pack_a(int transA, const float *a, long lda, long i0, long mr, long p0, long kc,
                        uint16_t *dst);

/// Packs op(B)[p0..<p0+kc, j0..<j0+nc] as ⌈nc/32⌉ panels of ⌈kc/2⌉ × 32 bfloat16 pairs:
/// panel q, pair row t, column j holds (op(B)(p0+2t, j0+32q+j), op(B)(p0+2t+1, j0+32q+j)), zero
/// past the right edge and the odd K tail. op(B)(p, j) is b[p·ldb + j] (transB == 0) or b[j·ldb + p].
void attend_bf16_pack_b(int transB, const float *b, long ldb, long p0, long kc, long j0, long nc,
                        uint16_t *dst);

/// C[0..<mr, 0..<nr] = alpha·(A·B) + beta·C for one packed A strip (kp pairs × 12) and one
/// packed B panel (kp pairs × 32); beta == 0 never reads C. Requires AVX512-BF16.
void attend_bf16_kernel(long kp, const uint16_t *a, const uint16_t *b, float *c, long ldc,
                        float alpha, float beta, long mr, long nr);

#ifdef __cplusplus
}
#endif

#endif
