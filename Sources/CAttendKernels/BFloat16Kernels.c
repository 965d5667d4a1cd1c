// AVX512-BF16 kernels: the bfloat16 GEMM micro-kernel, its packing routines and the
// `vdpbf16ps` peak loop. See include/CAttendKernels.h for the contracts.
//
// vdpbf16ps (Intel SDM, "VDPBF16PS"): for each of 16 fp32 lanes l,
//   acc[l] += a[2l]·b[2l] + a[2l+1]·b[2l+1]   (bfloat16 products, fp32 accumulation)
// so both operands hold K in pairs: a lane of B is the pair (B(p, j), B(p+1, j)) and the
// broadcast of A is the pair (A(i, p), A(i, p+1)).
#include "CAttendKernels.h"
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#include <immintrin.h>

int attend_has_avx512bf16(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx)) return 0;
    if (!(ecx & (1u << 27))) return 0;                 // OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xE6) != 0xE6) return 0;                  // XMM, YMM, opmask, ZMM state enabled
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    if (!(ebx & (1u << 16))) return 0;                  // AVX512F
    if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) return 0;
    return (eax >> 5) & 1;                              // AVX512_BF16
}

#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,fma")))
#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,fma")))

int attend_has_avx512f(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27))) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xE6) != 0xE6) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return (ebx >> 16) & 1 && (ebx >> 30) & 1;  // AVX512F and AVX512BW
}


BF16_TARGET void attend_bf16_dot_burst(float *state, long iterations) {
    __m512bh x = (__m512bh)_mm512_loadu_ps(state + 16 * 16);
    __m512bh y = (__m512bh)_mm512_loadu_ps(state + 17 * 16);
    __m512 a0 = _mm512_loadu_ps(state + 0 * 16), a1 = _mm512_loadu_ps(state + 1 * 16);
    __m512 a2 = _mm512_loadu_ps(state + 2 * 16), a3 = _mm512_loadu_ps(state + 3 * 16);
    __m512 a4 = _mm512_loadu_ps(state + 4 * 16), a5 = _mm512_loadu_ps(state + 5 * 16);
    __m512 a6 = _mm512_loadu_ps(state + 6 * 16), a7 = _mm512_loadu_ps(state + 7 * 16);
    __m512 a8 = _mm512_loadu_ps(state + 8 * 16), a9 = _mm512_loadu_ps(state + 9 * 16);
    __m512 a10 = _mm512_loadu_ps(state + 10 * 16), a11 = _mm512_loadu_ps(state + 11 * 16);
    __m512 a12 = _mm512_loadu_ps(state + 12 * 16), a13 = _mm512_loadu_ps(state + 13 * 16);
    __m512 a14 = _mm512_loadu_ps(state + 14 * 16), a15 = _mm512_loadu_ps(state + 15 * 16);
    for (long i = 0; i < iterations; i++) {
        a0 = _mm512_dpbf16_ps(a0, x, y); a1 = _mm512_dpbf16_ps(a1, x, y);
        a2 = _mm512_dpbf16_ps(a2, x, y); a3 = _mm512_dpbf16_ps(a3, x, y);
        a4 = _mm512_dpbf16_ps(a4, x, y); a5 = _mm512_dpbf16_ps(a5, x, y);
        a6 = _mm512_dpbf16_ps(a6, x, y); a7 = _mm512_dpbf16_ps(a7, x, y);
        a8 = _mm512_dpbf16_ps(a8, x, y); a9 = _mm512_dpbf16_ps(a9, x, y);
        a10 = _mm512_dpbf16_ps(a10, x, y); a11 = _mm512_dpbf16_ps(a11, x, y);
        a12 = _mm512_dpbf16_ps(a12, x, y); a13 = _mm512_dpbf16_ps(a13, x, y);
        a14 = _mm512_dpbf16_ps(a14, x, y); a15 = _mm512_dpbf16_ps(a15, x, y);
    }
    _mm512_storeu_ps(state + 0 * 16, a0); _mm512_storeu_ps(state + 1 * 16, a1);
    _mm512_storeu_ps(state + 2 * 16, a2); _mm512_storeu_ps(state + 3 * 16, a3);
    _mm512_storeu_ps(state + 4 * 16, a4); _mm512_storeu_ps(state + 5 * 16, a5);
    _mm512_storeu_ps(state + 6 * 16, a6); _mm512_storeu_ps(state + 7 * 16, a7);
    _mm512_storeu_ps(state + 8 * 16, a8); _mm512_storeu_ps(state + 9 * 16, a9);
    _mm512_storeu_ps(state + 10 * 16, a10); _mm512_storeu_ps(state + 11 * 16, a11);
    _mm512_storeu_ps(state + 12 * 16, a12); _mm512_storeu_ps(state + 13 * 16, a13);
    _mm512_storeu_ps(state + 14 * 16, a14); _mm512_storeu_ps(state + 15 * 16, a15);
}

/// bfloat16 bits of x, round to nearest even; NaN stays a quiet NaN (as `bfloat16Bits` in Swift).
static inline uint16_t bf16_round(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((u >> 16) | 0x0040);
    u += 0x7FFFu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

/// 16 floats → 16 bfloat16 (round to nearest even, as `bf16_round`), with AVX-512F integer ops
/// so that this file needs BF16 only in the kernel: identical to `vcvtneps2bf16` for non-NaN input.
AVX512_TARGET static inline __m256i bf16_round16(__m512 x) {
    __m512i u = _mm512_castps_si512(x);
    __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
    __m512i r = _mm512_add_epi32(u, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7FFF)));
    __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    r = _mm512_mask_or_epi32(r, nan, u, _mm512_set1_epi32(0x00400000));
    return _mm512_cvtepi32_epi16(_mm512_srli_epi32(r, 16));
}

/// In-register transpose of a 16×16 block of 32-bit words: on return r[x] holds column x.
AVX512_TARGET static inline void transpose16(__m512i r[16]) {
    __m512i t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        r[4 * i] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
        r[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
        r[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
        r[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
    }
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 4; j++) {
            t[8 * i + j] = _mm512_shuffle_i32x4(r[8 * i + j], r[8 * i + 4 + j], 0x88);
            t[8 * i + 4 + j] = _mm512_shuffle_i32x4(r[8 * i + j], r[8 * i + 4 + j], 0xdd);
        }
    }
    for (int j = 0; j < 8; j++) {
        r[j] = _mm512_shuffle_i32x4(t[j], t[8 + j], 0x88);
        r[8 + j] = _mm512_shuffle_i32x4(t[j], t[8 + j], 0xdd);
    }
}

/// Mask of the low n of 16 lanes (n clamped to 0…16).
static inline __mmask16 low_lanes(long n) {
    return n <= 0 ? 0 : n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u);
}

/// Transposes `words`-wide rows into a column layout: for each block of 16 source rows
/// (r0 < width) and 16 words, dst[(w)·width + r] = word w of source row r. `row_words(r, w0, mask)`
/// supplies the 16 words w0… of source row r (zero where the mask is clear); rows ≥ `rows`
/// are zero. Shared by the fp32 and bfloat16 packers.
#define TRANSPOSE_PACK(width, rows, words, dst32, ROW_WORDS)                                   \
    for (long r0 = 0; r0 < (width); r0 += 16) {                                               \
        __mmask16 lanes = low_lanes((width) - r0);                                            \
        long valid = (rows) - r0;                                                             \
        for (long w0 = 0; w0 < (words); w0 += 16) {                                           \
            long count = (words) - w0 < 16 ? (words) - w0 : 16;                               \
            __m512i r[16];                                                                    \
            for (long i = 0; i < 16; i++) {                                                   \
                r[i] = i < valid ? ROW_WORDS(r0 + i, w0, count) : _mm512_setzero_si512();     \
            }                                                                                 \
            transpose16(r);                                                                   \
            for (long x = 0; x < count; x++) {                                                \
                _mm512_mask_storeu_epi32((void *)((dst32) + (w0 + x) * (width) + r0), lanes, r[x]); \
            }                                                                                 \
        }                                                                                     \
    }

/// 16 fp32 words of row r starting at column w0 (masked to `count`), for the fp32 packer.
#define F32_ROW(r, w0, count) _mm512_maskz_loadu_epi32(low_lanes(count), (const void *)(src + (r) * ld + (w0)))

AVX512_TARGET void attend_pack_transposed_f32(const float *src, long ld, long rows, long width, long kc, float *dst) {
    uint32_t *dst32 = (uint32_t *)dst;
    TRANSPOSE_PACK(width, rows, kc, dst32, F32_ROW)
}

/// The 16 bfloat16 pairs (32 values from column 2·w0, masked to the K extent) of a row that is
/// contiguous in K, rounded to nearest even: one 32-bit word per pair.
AVX512_TARGET static inline __m512i bf16_pairs(const float *row, long w0, long kc) {
    long p = 2 * w0;
    __m256i lo = bf16_round16(_mm512_maskz_loadu_ps(low_lanes(kc - p), row + p));
    __m256i hi = bf16_round16(_mm512_maskz_loadu_ps(low_lanes(kc - p - 16), row + p + 16));
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

/// The vpermw index that turns (x[0..<16], y[0..<16]) into (x0, y0, x1, y1, …, x15, y15).
AVX512_TARGET static inline __m512i interleave_index(void) {
    return _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                            23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
}

AVX512_TARGET void attend_bf16_pack_a(int transA, const float *a, long lda, long i0, long mr, long p0,
                                    long kc, uint16_t *dst) {
    long kp = (kc + 1) / 2;
    if (!transA) {
        // Row i of A is contiguous in p: its bfloat16 pairs are consecutive 32-bit words, and a
        // 16×16 word transpose puts them in strip order.
        uint32_t *d32 = (uint32_t *)dst;
        const float *base = a + i0 * lda + p0;
#define A_ROW(r, w0, count) bf16_pairs(base + (r) * lda, (w0), kc)
        TRANSPOSE_PACK(ATTEND_BF16_MR, mr, kp, d32, A_ROW)
#undef A_ROW
    } else {
        // Row p of the stored A holds op(A)(·, p) contiguously: rows p and p+1 interleave.
        const __m512i idx = interleave_index();
        const __mmask16 rows = (__mmask16)((1u << mr) - 1u);
        for (long t = 0; t < kp; t++) {
            const float *r0 = a + (p0 + 2 * t) * lda + i0;
            __m256i lo = bf16_round16(_mm512_maskz_loadu_ps(rows, r0));
            __m256i hi = 2 * t + 1 < kc ? bf16_round16(_mm512_maskz_loadu_ps(rows, r0 + lda)) : _mm256_setzero_si256();
            __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
            _mm512_mask_storeu_epi32((void *)(dst + t * 2 * ATTEND_BF16_MR), (__mmask16)0x0FFF,
                                     _mm512_permutexvar_epi16(idx, both));
        }
    }
}

AVX512_TARGET void attend_bf16_pack_b(int transB, const float *b, long ldb, long p0, long kc, long j0,
                                    long nc, uint16_t *dst) {
    long kp = (kc + 1) / 2;
    for (long q = 0; q * ATTEND_BF16_NR < nc; q++) {
        long cols = nc - q * ATTEND_BF16_NR;
        if (cols > ATTEND_BF16_NR) cols = ATTEND_BF16_NR;
        uint16_t *panel = dst + q * kp * 2 * ATTEND_BF16_NR;
        long jq = j0 + q * ATTEND_BF16_NR;
        if (!transB) {
            // Rows p and p+1 of B are contiguous in j: round 16 columns of each, interleave.
            const __m512i idx = interleave_index();
            for (long t = 0; t < kp; t++) {
                const float *r0 = b + (p0 + 2 * t) * ldb + jq;
                int odd = 2 * t + 1 < kc;
                const float *r1 = r0 + ldb;
                uint16_t *d = panel + t * 2 * ATTEND_BF16_NR;
                if (cols == ATTEND_BF16_NR) {
                    for (long h = 0; h < 2; h++) {
                        __m256i lo = bf16_round16(_mm512_loadu_ps(r0 + 16 * h));
                        __m256i hi = odd ? bf16_round16(_mm512_loadu_ps(r1 + 16 * h)) : _mm256_setzero_si256();
                        __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
                        _mm512_storeu_si512((void *)(d + 32 * h), _mm512_permutexvar_epi16(idx, both));
                    }
                } else {
                    for (long j = 0; j < ATTEND_BF16_NR; j++) {
                        d[2 * j] = j < cols ? bf16_round(r0[j]) : 0;
                        d[2 * j + 1] = (j < cols && odd) ? bf16_round(r1[j]) : 0;
                    }
                }
            }
        } else {
            // Column j of op(B) is row j of the stored B, contiguous in p: its pairs are words,
            // transposed 16×16 into the panel.
            uint32_t *d32 = (uint32_t *)panel;
            const float *base = b + jq * ldb + p0;
#define B_ROW(r, w0, count) bf16_pairs(base + (r) * ldb, (w0), kc)
            TRANSPOSE_PACK(ATTEND_BF16_NR, cols, kp, d32, B_ROW)
#undef B_ROW
        }
    }
}

/// Writes one 32-wide row of the tile: row = alpha·(lo, hi) + beta·row (beta == 0: no read).
BF16_TARGET static inline void store_row(__m512 lo, __m512 hi, float *row, float alpha, float beta) {
    __m512 va = _mm512_set1_ps(alpha);
    if (beta == 0) {
        _mm512_storeu_ps(row, _mm512_mul_ps(lo, va));
        _mm512_storeu_ps(row + 16, _mm512_mul_ps(hi, va));
    } else {
        __m512 vb = _mm512_set1_ps(beta);
        _mm512_storeu_ps(row, _mm512_fmadd_ps(lo, va, _mm512_mul_ps(_mm512_loadu_ps(row), vb)));
        _mm512_storeu_ps(row + 16, _mm512_fmadd_ps(hi, va, _mm512_mul_ps(_mm512_loadu_ps(row + 16), vb)));
    }
}

#define DP_ROW(r)                                                                  \
    {                                                                              \
        __m512bh va = (__m512bh)_mm512_set1_epi32((int)pa[r]);                     \
        c##r##a = _mm512_dpbf16_ps(c##r##a, va, b0);                               \
        c##r##b = _mm512_dpbf16_ps(c##r##b, va, b1);                               \
    }

BF16_TARGET void attend_bf16_kernel(long kp, const uint16_t *a, const uint16_t *b, float *c, long ldc,
                                    float alpha, float beta, long mr, long nr) {
    __m512 c0a = _mm512_setzero_ps(), c0b = _mm512_setzero_ps();
    __m512 c1a = _mm512_setzero_ps(), c1b = _mm512_setzero_ps();
    __m512 c2a = _mm512_setzero_ps(), c2b = _mm512_setzero_ps();
    __m512 c3a = _mm512_setzero_ps(), c3b = _mm512_setzero_ps();
    __m512 c4a = _mm512_setzero_ps(), c4b = _mm512_setzero_ps();
    __m512 c5a = _mm512_setzero_ps(), c5b = _mm512_setzero_ps();
    __m512 c6a = _mm512_setzero_ps(), c6b = _mm512_setzero_ps();
    __m512 c7a = _mm512_setzero_ps(), c7b = _mm512_setzero_ps();
    __m512 c8a = _mm512_setzero_ps(), c8b = _mm512_setzero_ps();
    __m512 c9a = _mm512_setzero_ps(), c9b = _mm512_setzero_ps();
    __m512 c10a = _mm512_setzero_ps(), c10b = _mm512_setzero_ps();
    __m512 c11a = _mm512_setzero_ps(), c11b = _mm512_setzero_ps();
    const uint32_t *pa = (const uint32_t *)a;
    const uint16_t *pb = b;
    for (long t = 0; t < kp; t++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512((const void *)pb);
        __m512bh b1 = (__m512bh)_mm512_loadu_si512((const void *)(pb + 32));
        DP_ROW(0) DP_ROW(1) DP_ROW(2) DP_ROW(3) DP_ROW(4) DP_ROW(5)
        DP_ROW(6) DP_ROW(7) DP_ROW(8) DP_ROW(9) DP_ROW(10) DP_ROW(11)
        pa += ATTEND_BF16_MR;
        pb += 2 * ATTEND_BF16_NR;
    }
    if (mr == ATTEND_BF16_MR && nr == ATTEND_BF16_NR) {
        store_row(c0a, c0b, c + 0 * ldc, alpha, beta); store_row(c1a, c1b, c + 1 * ldc, alpha, beta);
        store_row(c2a, c2b, c + 2 * ldc, alpha, beta); store_row(c3a, c3b, c + 3 * ldc, alpha, beta);
        store_row(c4a, c4b, c + 4 * ldc, alpha, beta); store_row(c5a, c5b, c + 5 * ldc, alpha, beta);
        store_row(c6a, c6b, c + 6 * ldc, alpha, beta); store_row(c7a, c7b, c + 7 * ldc, alpha, beta);
        store_row(c8a, c8b, c + 8 * ldc, alpha, beta); store_row(c9a, c9b, c + 9 * ldc, alpha, beta);
        store_row(c10a, c10b, c + 10 * ldc, alpha, beta); store_row(c11a, c11b, c + 11 * ldc, alpha, beta);
        return;
    }
    // Partial tile: spill to a local 12×32 block, then write the mr×nr corner.
    float tile[ATTEND_BF16_MR * ATTEND_BF16_NR] __attribute__((aligned(64)));
    store_row(c0a, c0b, tile + 0 * 32, 1, 0); store_row(c1a, c1b, tile + 1 * 32, 1, 0);
    store_row(c2a, c2b, tile + 2 * 32, 1, 0); store_row(c3a, c3b, tile + 3 * 32, 1, 0);
    store_row(c4a, c4b, tile + 4 * 32, 1, 0); store_row(c5a, c5b, tile + 5 * 32, 1, 0);
    store_row(c6a, c6b, tile + 6 * 32, 1, 0); store_row(c7a, c7b, tile + 7 * 32, 1, 0);
    store_row(c8a, c8b, tile + 8 * 32, 1, 0); store_row(c9a, c9b, tile + 9 * 32, 1, 0);
    store_row(c10a, c10b, tile + 10 * 32, 1, 0); store_row(c11a, c11b, tile + 11 * 32, 1, 0);
    for (long i = 0; i < mr; i++) {
        float *row = c + i * ldc;
        const float *src = tile + i * 32;
        if (beta == 0) {
            for (long j = 0; j < nr; j++) row[j] = alpha * src[j];
        } else {
            for (long j = 0; j < nr; j++) row[j] = alpha * src[j] + beta * row[j];
        }
    }
}

#else  // not x86-64: no bfloat16 kernels; callers see attend_has_avx512bf16() == 0.

int attend_has_avx512bf16(void) { return 0; }
int attend_has_avx512f(void) { return 0; }
void attend_pack_transposed_f32(const float *src, long ld, long rows, long width, long kc, float *dst) {
    (void)src; (void)ld; (void)rows; (void)width; (void)kc; (void)dst;
}
void attend_bf16_dot_burst(float *state, long iterations) { (void)state; (void)iterations; }
void attend_bf16_pack_a(int transA, const float *a, long lda, long i0, long mr, long p0, long kc,
                        uint16_t *dst) {
    (void)transA; (void)a; (void)lda; (void)i0; (void)mr; (void)p0; (void)kc; (void)dst;
}
void attend_bf16_pack_b(int transB, const float *b, long ldb, long p0, long kc, long j0, long nc,
                        uint16_t *dst) {
    (void)transB; (void)b; (void)ldb; (void)p0; (void)kc; (void)j0; (void)nc; (void)dst;
}
void attend_bf16_kernel(long kp, const uint16_t *a, const uint16_t *b, float *c, long ldc,
                        float alpha, float beta, long mr, long nr) {
    (void)kp; (void)a; (void)b; (void)c; (void)ldc; (void)alpha; (void)beta; (void)mr; (void)nr;
}

#endif
