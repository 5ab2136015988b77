/* GEMMs of the kernels, for one scalar type and ISA (included by kernels.h).
 *
 * C[M, N] (+)= op(A)·W with W a K x N view of a weight (or its transpose). Weights that are
 * small enough (use_packed, blas.h) are packed once into NR-wide column panels and multiplied
 * by a register-blocked MR x NR micro-kernel (the dW update packs dz_t each step); larger ones
 * go to the BLAS numpy uses, when one was found.
 */

/* LVB: the instantiation's vector bytes (32: AVX2 and the baseline, 64: AVX-512); LMR: rows
 * per micro-tile (6 x 2 vectors of accumulators fit AVX2's 16 registers; AVX-512 has 32). */
#ifndef LVB
#define LVB 32
#endif
#ifndef LMR
#define LMR 6
#endif
#define GVW ((int)(LVB / sizeof(LT))) /* lanes of one vector */
#define GNR (2 * GVW)                 /* panel width */
#define GMR LMR                       /* rows per micro-tile */
#define GKC 256                       /* K block */

typedef LT LF(gv) __attribute__((vector_size(LVB)));
/* unaligned, aliasing access to LVB bytes of LT */
typedef LT LF(gvu) __attribute__((vector_size(LVB), aligned(sizeof(LT)), may_alias));
#define GLOAD(p) (*(const LF(gvu) *)(p))
#define GSTORE(p, v) (*(LF(gvu) *)(p) = (v))

typedef struct {
    const LT *W; /* source: W[k][n] = trans ? W[n*ld + k] : W[k*ld + n] */
    Py_ssize_t ld;
    int trans;
    Py_ssize_t K, N;
    LT *P; /* packed panels, or NULL: BLAS */
} LF(wmat);

/* acc = init + op(A)[mr rows, kc] · panel; at: A is transposed (element (r, k) at
 * A[k*lda + r]); init0, init1: the panel's start values (zero, or the bias row). */
static inline __attribute__((always_inline)) void
LF(mk)(const int mr, const int at, Py_ssize_t kc, const LT *A, Py_ssize_t lda, const LT *P,
       LT *C, Py_ssize_t ldc, Py_ssize_t nvalid, int accumulate, LF(gv) init0, LF(gv) init1) {
    LF(gv) acc0[GMR], acc1[GMR];
    for (int r = 0; r < GMR; r++) {
        acc0[r] = init0;
        acc1[r] = init1;
    }
#pragma GCC unroll 4
    for (Py_ssize_t k = 0; k < kc; k++) {
        const LF(gv) b0 = GLOAD(P + k * GNR), b1 = GLOAD(P + k * GNR + GVW);
        for (int r = 0; r < GMR; r++) {
            if (r < mr) {
                LT a = at ? A[k * lda + r] : A[r * lda + k];
                acc0[r] += a * b0;
                acc1[r] += a * b1;
            }
        }
    }
    for (int r = 0; r < GMR; r++) {
        if (r >= mr)
            break;
        LT *c = C + r * ldc;
        if (nvalid == GNR) {
            if (accumulate) {
                acc0[r] += GLOAD(c);
                acc1[r] += GLOAD(c + GVW);
            }
            GSTORE(c, acc0[r]);
            GSTORE(c + GVW, acc1[r]);
        } else {
            LT tmp[2 * LVB / sizeof(LT)];
            GSTORE(tmp, acc0[r]);
            GSTORE(tmp + GVW, acc1[r]);
            for (Py_ssize_t j = 0; j < nvalid; j++)
                c[j] = accumulate ? c[j] + tmp[j] : tmp[j];
        }
    }
}

#define MK_CASE(MR_, AT)                                                                     \
    case MR_:                                                                                \
        LF(mk)(MR_, AT, kc, Ai, lda, Pp, Cp + i * ldc, ldc, nvalid, acc, i0, i1);            \
        break;
/* the tail cases above 5 rows, for micro-tiles taller than 6 */
#if LMR > 8
#define MK_CASES_HI(AT)                                                                      \
    MK_CASE(11, AT) MK_CASE(10, AT) MK_CASE(9, AT) MK_CASE(8, AT) MK_CASE(7, AT) MK_CASE(6, AT)
#elif LMR > 6
#define MK_CASES_HI(AT) MK_CASE(7, AT) MK_CASE(6, AT)
#else
#define MK_CASES_HI(AT)
#endif
#define MK_TAIL(AT)                                                                          \
    switch (M - i) { /* the last M % GMR rows */                                            \
        MK_CASES_HI(AT)                                                                      \
        MK_CASE(5, AT)                                                                       \
        MK_CASE(4, AT)                                                                       \
        MK_CASE(3, AT)                                                                       \
        MK_CASE(2, AT)                                                                       \
        MK_CASE(1, AT)                                                                       \
    default:                                                                                 \
        break;                                                                               \
    }

/* C = op(A)·P (+ C when accumulate; else + bias per column when bias is not NULL). */
static void LF(gemm_packed)(Py_ssize_t M, Py_ssize_t N, Py_ssize_t K, const LT *A,
                            Py_ssize_t lda, int at, const LT *P, LT *C, Py_ssize_t ldc,
                            int accumulate, const LT *bias) {
    const Py_ssize_t npanel = (N + GNR - 1) / GNR;
    for (Py_ssize_t k0 = 0; k0 < K; k0 += GKC) {
        const Py_ssize_t kc = K - k0 < GKC ? K - k0 : GKC;
        const int acc = accumulate || k0 > 0;
        for (Py_ssize_t p = 0; p < npanel; p++) {
            const LT *Pp = P + p * K * GNR + k0 * GNR;
            const Py_ssize_t nvalid = N - p * GNR < GNR ? N - p * GNR : GNR;
            LT *Cp = C + p * GNR;
            LT binit[GNR] = {0}; /* the first K block starts from the bias */
            if (bias && !acc)
                for (Py_ssize_t j = 0; j < nvalid; j++)
                    binit[j] = bias[p * GNR + j];
            const LF(gv) i0 = GLOAD(binit), i1 = GLOAD(binit + GVW);
            Py_ssize_t i = 0;
            if (!at) {
                const LT *Ai = A + k0;
                for (; i + GMR <= M; i += GMR, Ai += GMR * lda)
                    LF(mk)(GMR, 0, kc, Ai, lda, Pp, Cp + i * ldc, ldc, nvalid, acc, i0, i1);
                MK_TAIL(0)
            } else {
                const LT *Ai = A + k0 * lda;
                for (; i + GMR <= M; i += GMR, Ai += GMR)
                    LF(mk)(GMR, 1, kc, Ai, lda, Pp, Cp + i * ldc, ldc, nvalid, acc, i0, i1);
                MK_TAIL(1)
            }
        }
    }
}

static void LF(pack)(LF(wmat) * w) {
    const Py_ssize_t K = w->K, N = w->N, ld = w->ld, npanel = (N + GNR - 1) / GNR;
    const LT *W = w->W;
    for (Py_ssize_t p = 0; p < npanel; p++) {
        LT *Pp = w->P + p * K * GNR;
        const Py_ssize_t n0 = p * GNR, nv = N - n0 < GNR ? N - n0 : GNR;
        if (!w->trans && nv == GNR) {
            for (Py_ssize_t k = 0; k < K; k++) {
                const LT *src = W + k * ld + n0;
                GSTORE(Pp + k * GNR, GLOAD(src));
                GSTORE(Pp + k * GNR + GVW, GLOAD(src + GVW));
            }
        } else if (!w->trans) {
            for (Py_ssize_t k = 0; k < K; k++) {
                const LT *src = W + k * ld + n0;
                LT *dst = Pp + k * GNR;
                Py_ssize_t c = 0;
                for (; c < nv; c++)
                    dst[c] = src[c];
                for (; c < GNR; c++)
                    dst[c] = 0;
            }
        } else {
            for (Py_ssize_t k = 0; k < K; k++) {
                LT *dst = Pp + k * GNR;
                Py_ssize_t c = 0;
                for (; c < nv; c++)
                    dst[c] = W[(n0 + c) * ld + k];
                for (; c < GNR; c++)
                    dst[c] = 0;
            }
        }
    }
}

/* Describe W for M-row products and pack it unless BLAS is the better choice (W may be NULL:
 * set later with wrepack). 0, or -1 (no memory). */
static int LF(wprep)(LF(wmat) * w, const LT *W, Py_ssize_t ld, int trans, Py_ssize_t K,
                     Py_ssize_t N, Py_ssize_t M) {
    w->W = W;
    w->ld = ld;
    w->trans = trans;
    w->K = K;
    w->N = N;
    w->P = NULL;
    if (K == 0 || N == 0 || !use_packed(sizeof(LT), M, N, K))
        return 0;
    const Py_ssize_t npanel = (N + GNR - 1) / GNR;
    void *mem = NULL;
    if (posix_memalign(&mem, 64, (size_t)(npanel * K * GNR) * sizeof(LT)) != 0)
        return -1;
    w->P = (LT *)mem;
    if (W)
        LF(pack)(w);
    return 0;
}

static inline void LF(wrepack)(LF(wmat) * w, const LT *W) {
    w->W = W;
    if (w->P)
        LF(pack)(w);
}

static void LF(wfree)(LF(wmat) * w) {
    free(w->P);
    w->P = NULL;
}

/* C[M, N] = op(A)·W (+ C when accumulate); op(A) = A [M, K] or, at, A^T with A [K, M]. */
static inline void LF(mm)(const LF(wmat) * w, Py_ssize_t M, const LT *A, Py_ssize_t lda, int at,
                          LT *C, Py_ssize_t ldc, int accumulate) {
    if (M == 0 || w->N == 0)
        return;
    if (w->K == 0) {
        if (!accumulate)
            for (Py_ssize_t i = 0; i < M; i++)
                memset(C + i * ldc, 0, (size_t)w->N * sizeof(LT));
        return;
    }
    if (w->P)
        LF(gemm_packed)(M, w->N, w->K, A, lda, at, w->P, C, ldc, accumulate, NULL);
    else
        LBLAS(at, w->trans, M, w->N, w->K, A, lda, w->W, w->ld, accumulate ? (LT)1 : (LT)0, C,
              ldc);
}

/* Every row of C [M, N] (ldc) = v. */
static void LF(fill_rows)(LT *C, Py_ssize_t M, Py_ssize_t N, Py_ssize_t ldc, const LT *v) {
    for (Py_ssize_t i = 0; i < M; i++)
        memcpy(C + i * ldc, v, (size_t)N * sizeof(LT));
}

/* C[M, N] = A·W + bias (each row; bias may be NULL: + 0). The micro-kernel starts its sums
 * from the bias; BLAS adds the product to rows filled with it. */
static inline void LF(mm_bias)(const LF(wmat) * w, Py_ssize_t M, const LT *A, Py_ssize_t lda,
                               LT *C, Py_ssize_t ldc, const LT *bias) {
    if (w->P && M > 0 && w->N > 0 && w->K > 0) {
        LF(gemm_packed)(M, w->N, w->K, A, lda, 0, w->P, C, ldc, 0, bias);
        return;
    }
    if (bias)
        LF(fill_rows)(C, M, w->N, ldc, bias);
    LF(mm)(w, M, A, lda, 0, C, ldc, bias != NULL);
}
