/* The classifier's fit (bot/nlu/lbfgs.py): the steps numpy and scipy take, in C, with the same numbers bit for bit.

   csr_dense: the n-gram products, a sparse matrix in CSR form times a dense matrix. scipy's own loop (sparsetools csr_matvecs), vectorised: each y[i][c] is the sum of row i's entries, in their stored
   order, of a * x[j][c], each a product then a sum (built with -ffp-contract=off: no fused multiply-add). So the
   result is scipy's bit for bit (tests/bot/nlu/test_lbfgs.py), in about half the time: scipy's loop over the 26
   classes runs two numbers at a time, this one eight (AVX-512, chosen at run time), else four (AVX2), else the plain loop; one
   column (the binomial fit) with the row's sum in a register. */
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f"))) static void rows_avx512(int64_t rows, const int32_t *indptr, const int32_t *indices,
                                                            const double *data, const double *x, int64_t k, double *y) {
    const __mmask8 tail = (__mmask8)((1u << (k % 8)) - 1);
    for (int64_t i = 0; i < rows; i++) {
        double *out = y + i * k;
        for (int32_t p = indptr[i]; p < indptr[i + 1]; p++) {
            const __m512d a = _mm512_set1_pd(data[p]);
            const double *in = x + (int64_t)indices[p] * k;
            int64_t c = 0;
            for (; c + 8 <= k; c += 8)
                _mm512_storeu_pd(out + c, _mm512_add_pd(_mm512_loadu_pd(out + c), _mm512_mul_pd(a, _mm512_loadu_pd(in + c))));
            if (tail)
                _mm512_mask_storeu_pd(out + c, tail, _mm512_add_pd(_mm512_maskz_loadu_pd(tail, out + c),
                                                                   _mm512_mul_pd(a, _mm512_maskz_loadu_pd(tail, in + c))));
        }
    }
}

/* The same with AVX2 (four numbers at a time; session 29, for CPUs without AVX-512 such as AMD's Zen 3): a product,
   then a sum, each rounded as scipy's (-ffp-contract=off; the target has no FMA to fuse with). About 7 % less time than
   the plain loop on a product shaped like training's (found in review; the fit 63.3 -> 60.2 s in make train). */
__attribute__((target("avx2"))) static void rows_avx2(int64_t rows, const int32_t *indptr, const int32_t *indices,
                                                     const double *data, const double *x, int64_t k, double *y) {
    for (int64_t i = 0; i < rows; i++) {
        double *out = y + i * k;
        for (int32_t p = indptr[i]; p < indptr[i + 1]; p++) {
            const __m256d a = _mm256_set1_pd(data[p]);
            const double *in = x + (int64_t)indices[p] * k;
            int64_t c = 0;
            for (; c + 4 <= k; c += 4)
                _mm256_storeu_pd(out + c, _mm256_add_pd(_mm256_loadu_pd(out + c), _mm256_mul_pd(a, _mm256_loadu_pd(in + c))));
            for (; c < k; c++) out[c] += data[p] * in[c];
        }
    }
}
#endif

static void rows_plain(int64_t rows, const int32_t *indptr, const int32_t *indices, const double *data, const double *x,
                       int64_t k, double *y) {
    for (int64_t i = 0; i < rows; i++) {
        double *out = y + i * k;
        for (int32_t p = indptr[i]; p < indptr[i + 1]; p++) {
            const double a = data[p];
            const double *in = x + (int64_t)indices[p] * k;
            for (int64_t c = 0; c < k; c++) out[c] += a * in[c];
        }
    }
}

/* One column (the colleague model's binomial fit): scipy's loop for a vector (csr_matvec; csr_matvecs with one
   column sums the same way): the row's sum from 0, each product added in stored order, kept in a register instead of
   a load and store of y[i] for every entry. */
static void rows_one(int64_t rows, const int32_t *indptr, const int32_t *indices, const double *data, const double *x,
                     double *y) {
    for (int64_t i = 0; i < rows; i++) {
        double sum = 0.0;
        for (int32_t p = indptr[i]; p < indptr[i + 1]; p++) sum += data[p] * x[indices[p]];
        y[i] = sum;
    }
}
/* The plain loop alone (the tests compare it with scipy's on any CPU). */
void csr_dense_plain(int64_t rows, const int32_t *indptr, const int32_t *indices, const double *data, const double *x,
                     int64_t k, double *y) {
    memset(y, 0, sizeof(double) * (size_t)(rows * k));
    rows_plain(rows, indptr, indices, data, x, k, y);
}

#if defined(__x86_64__)
/* The AVX2 loop alone (the plain one without AVX2): the tests compare it with scipy's where AVX-512 would be chosen. */
void csr_dense_avx2(int64_t rows, const int32_t *indptr, const int32_t *indices, const double *data, const double *x,
                    int64_t k, double *y) {
    memset(y, 0, sizeof(double) * (size_t)(rows * k));
    if (__builtin_cpu_supports("avx2"))
        rows_avx2(rows, indptr, indices, data, x, k, y);
    else
        rows_plain(rows, indptr, indices, data, x, k, y);
}
#endif

/* y (rows x k, row-major) = A @ x, A given by indptr, indices, data; x (A's columns x k, row-major). */
void csr_dense(int64_t rows, const int32_t *indptr, const int32_t *indices, const double *data, const double *x,
               int64_t k, double *y) {
    if (k == 1) {
        rows_one(rows, indptr, indices, data, x, y);
        return;
    }
    memset(y, 0, sizeof(double) * (size_t)(rows * k));
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) {
        rows_avx512(rows, indptr, indices, data, x, k, y);
        return;
    }
    if (__builtin_cpu_supports("avx2")) {
        rows_avx2(rows, indptr, indices, data, x, k, y);
        return;
    }
#endif
    rows_plain(rows, indptr, indices, data, x, k, y);
}

/* add_scaled: y += a * x, each term a product then a sum, as numpy's `y += a * x` (and `y -= a * x` with -a: the
   negation is exact), in one pass over the arrays instead of numpy's three and without its 29 MB temporary (L-BFGS's
   two-loop recursion over 3.6 million coefficients). */
void add_scaled(int64_t n, double a, const double *x, double *y) {
    for (int64_t i = 0; i < n; i++) y[i] = y[i] + a * x[i];
}
