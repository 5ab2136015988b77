/* Time loops and GEMMs of the fused kernels, for one scalar type and ISA.
 *
 * Included by _fastrnn.c once per (ISA, type) with these macros defined:
 *   LT     float or double
 *   LSUF   name suffix of this instantiation (e.g. f_avx2)
 *   LVEC   suffix of the cell-chunk functions of LVW lanes (_fastrnn_cell.h)
 *   LSCAL  suffix of the one-lane cell-chunk functions
 *   LVW    lanes of the LVEC chunks
 *   LBLAS  the BLAS ?gemm wrapper of _fastrnn.c for LT
 *
 * Layout: x is read and dX written in the caller's [B, T, I] layout (step t of processing reads
 * time t, or T-1-t with go_backwards); every per-step quantity is a row-major [B, features]
 * block and the buffers over time are [T, B, features] (the output sequence: [B, T, U]).
 * W = [K; R] is the kernel stacked over the recurrent kernel, [I+U, G], so that one GEMM of
 * cat = [x_t*dm | h_{t-1}*rdm] ([B, I+U]) gives the input projection and the recurrent term.
 *
 * Backward, per step: the element-wise pass gives dz_t [B, G]; then dh_{t-1} = dz_t·R^T,
 * dX_t = dz_t·K^T (when wanted), dW += cat_t^T·dz_t and db += Σ_b dz_t, all while dz_t and
 * cat_t are in cache (dZ over time is never stored).
 *
 * GEMMs: C[M, N] (+)= op(A)·W with W a K x N view of a weight (or its transpose). Weights that
 * are small enough are packed once into NR-wide column panels and multiplied by a
 * register-blocked MR x NR micro-kernel (the dW update packs dz_t each step); larger ones go
 * to the BLAS numpy uses, when one was found.
 */

#define L_CAT2_(a, b) a##_##b
#define L_CAT2(a, b) L_CAT2_(a, b)
#define LF(name) L_CAT2(name, LSUF)
#define LV(name) L_CAT2(name, LVEC)
#define LS(name) L_CAT2(name, LSCAL)

/* j runs over the units of one row: LVW-lane chunks, then one-lane chunks for the rest. */
#define ROWLOOP(U, VCALL, SCALL)                                                            \
    do {                                                                                    \
        Py_ssize_t j = 0;                                                                   \
        for (; j + LVW <= (U); j += LVW) {                                                  \
            VCALL;                                                                          \
        }                                                                                   \
        for (; j < (U); j++) {                                                              \
            SCALL;                                                                          \
        }                                                                                   \
    } while (0)
#define PJ(p, off) ((p) ? (p) + (off) : NULL)

/* ---- GEMM ----------------------------------------------------------------------------- */
#define GVW ((int)(32 / sizeof(LT))) /* lanes of a 256-bit vector */
#define GNR (2 * GVW)                /* panel width */
#define GMR 6                        /* rows per micro-tile */
#define GKC 256                      /* K block */

typedef LT LF(gv) __attribute__((vector_size(32)));
/* unaligned, aliasing access to 32 bytes of LT */
typedef LT LF(gvu) __attribute__((vector_size(32), aligned(sizeof(LT)), may_alias));
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
            LT tmp[2 * 32 / sizeof(LT)];
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
#define MK_TAIL(AT)                                                                          \
    switch (M - i) { /* the last M % GMR rows */                                            \
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

/* ---- small helpers -------------------------------------------------------------------- */
/* cat[b] = [x[b, src]*dm[b] | hp[b]*rdm[b]] */
static void LF(build_cat)(LT *cat, const LT *x, Py_ssize_t src, Py_ssize_t T, Py_ssize_t B,
                          Py_ssize_t I, Py_ssize_t U, const LT *dm, const LT *hp, const LT *rdm) {
    const Py_ssize_t W = I + U;
    for (Py_ssize_t b = 0; b < B; b++) {
        LT *row = cat + b * W;
        const LT *xr = x + (b * T + src) * I;
        if (dm) {
            const LT *mr = dm + b * I;
            for (Py_ssize_t i = 0; i < I; i++)
                row[i] = xr[i] * mr[i];
        } else {
            for (Py_ssize_t i = 0; i < I; i++)
                row[i] = xr[i];
        }
        const LT *h = hp + b * U;
        if (rdm) {
            const LT *mr = rdm + b * U;
            for (Py_ssize_t u = 0; u < U; u++)
                row[I + u] = h[u] * mr[u];
        } else {
            for (Py_ssize_t u = 0; u < U; u++)
                row[I + u] = h[u];
        }
    }
}

/* db[n] += Σ_b dz[b, n] */
static void LF(colsum_add)(LT *db, const LT *dz, Py_ssize_t B, Py_ssize_t N, Py_ssize_t ld) {
    for (Py_ssize_t b = 0; b < B; b++) {
        const LT *r = dz + b * ld;
        for (Py_ssize_t n = 0; n < N; n++)
            db[n] += r[n];
    }
}

/* dh += dhd (* rdm) */
static void LF(add_dhd)(LT *dh, const LT *dhd, const LT *rdm, Py_ssize_t n) {
    if (rdm) {
        for (Py_ssize_t i = 0; i < n; i++)
            dh[i] += dhd[i] * rdm[i];
    } else {
        for (Py_ssize_t i = 0; i < n; i++)
            dh[i] += dhd[i];
    }
}

/* dX[:, src] = dz·K^T (* dm) */
static void LF(dx_step)(const LF(wmat) * wK, const LT *dz, Py_ssize_t ldz, LT *dX, Py_ssize_t src,
                        Py_ssize_t B, Py_ssize_t T, Py_ssize_t I, const LT *dm) {
    LT *d = dX + src * I;
    LF(mm)(wK, B, dz, ldz, 0, d, T * I, 0);
    if (dm)
        for (Py_ssize_t b = 0; b < B; b++)
            for (Py_ssize_t i = 0; i < I; i++)
                d[b * T * I + i] *= dm[b * I + i];
}

/* Rows per block of a forward step: the block of pre-activations the GEMM writes (about
 * g_row_block_bytes) is still in cache when the element-wise pass reads it. The whole batch
 * when the weights go to BLAS (its per-call overhead wants large products) or blocking is off. */
static Py_ssize_t LF(row_block)(const LF(wmat) * w, Py_ssize_t B, Py_ssize_t G) {
    if (!w->P || g_row_block_bytes <= 0)
        return B;
    Py_ssize_t rb = g_row_block_bytes / (G * (Py_ssize_t)sizeof(LT));
    rb -= rb % GMR;
    if (rb < 2 * GMR)
        rb = 2 * GMR;
    return rb < B ? rb : B;
}

/* One allocation for the per-step scratch of a call. */
static LT *LF(scratch)(Py_ssize_t n) {
    void *p = NULL;
    if (posix_memalign(&p, 64, (size_t)(n + 16) * sizeof(LT)) != 0)
        return NULL;
    return (LT *)p;
}

/* ---- per-step element-wise passes ------------------------------------------------------ */
/* BODY(act, rec) with the common activation pairs as compile-time constants, so that the
 * activation switches of the inlined cell code fold away. */
#define ACT_DISPATCH(ACTV, RECV, BODY)                                                       \
    do {                                                                                     \
        if ((ACTV) == ACT_TANH && (RECV) == ACT_SIGMOID)                                     \
            BODY(ACT_TANH, ACT_SIGMOID);                                                     \
        else if ((ACTV) == ACT_TANH && (RECV) == ACT_HARD_SIGMOID)                           \
            BODY(ACT_TANH, ACT_HARD_SIGMOID);                                                \
        else if ((ACTV) == ACT_TANH && (RECV) == ACT_TANH)                                   \
            BODY(ACT_TANH, ACT_TANH);                                                        \
        else                                                                                 \
            BODY((ACTV), (RECV));                                                            \
    } while (0)

#define RINL static inline __attribute__((always_inline))
#define MASK_M(t, b) (M ? M[(b)] : (LT)1) /* M: this step's row of the mask */

RINL void LF(lstm_fwd_rows)(const int act, const int rec, Py_ssize_t B, Py_ssize_t T,
                            Py_ssize_t U, Py_ssize_t t, LT *At, const LT *cp, LT *cn, LT *St,
                            const LT *hp, LT *hn, LT *out, const LT *M) {
    const Py_ssize_t G = 4 * U;
    for (Py_ssize_t b = 0; b < B; b++) {
        const LT m = MASK_M(t, b), mc = (LT)1 - m;
        const int hm = M != NULL;
        LT *z = At + b * G;
        const Py_ssize_t o = b * U;
        LT *orow = out ? out + (b * T + t) * U : NULL;
        ROWLOOP(U, LV(lstm_gates)(z + j, U, act, rec), LS(lstm_gates)(z + j, U, act, rec));
        ROWLOOP(U,
                LV(lstm_fwd)(z + j, U, cp + o + j, cn + o + j, St + o + j, hp + o + j, hn + o + j,
                             PJ(orow, j), act, rec, hm, m, mc),
                LS(lstm_fwd)(z + j, U, cp + o + j, cn + o + j, St + o + j, hp + o + j, hn + o + j,
                             PJ(orow, j), act, rec, hm, m, mc));
    }
}

RINL void LF(lstm_bwd_rows)(const int act, const int rec, Py_ssize_t B, Py_ssize_t T,
                            Py_ssize_t U, Py_ssize_t t, const LT *At, const LT *St, const LT *cp,
                            LT *dh, LT *dc, const LT *dY, LT *dz, const LT *M) {
    const Py_ssize_t G = 4 * U;
    for (Py_ssize_t b = 0; b < B; b++) {
        const LT m = MASK_M(t, b), mc = (LT)1 - m;
        const int hm = M != NULL;
        const Py_ssize_t o = b * U;
        const LT *dyrow = dY ? dY + (b * T + t) * U : NULL;
        const LT *ar = At + b * G;
        LT *dzr = dz + b * G;
        ROWLOOP(U,
                LV(lstm_bwd)(ar + j, U, St + o + j, cp + o + j, dh + o + j, dc + o + j,
                             PJ(dyrow, j), dzr + j, act, rec, hm, m, mc),
                LS(lstm_bwd)(ar + j, U, St + o + j, cp + o + j, dh + o + j, dc + o + j,
                             PJ(dyrow, j), dzr + j, act, rec, hm, m, mc));
    }
}

/* GRU reset_after=False, after the [z, r] GEMM; cat2 rows become [xd | q = r*hd]. */
RINL void LF(gru_fwd1_rows)(const int rec, Py_ssize_t B, Py_ssize_t U, Py_ssize_t I, LT *At,
                            const LT *cat, LT *cat2) {
    const Py_ssize_t G = 3 * U, IU = I + U;
    for (Py_ssize_t b = 0; b < B; b++) {
        const LT *hd = cat + b * IU + I;
        LT *zr = At + b * G, *c2 = cat2 + b * IU;
        memcpy(c2, cat + b * IU, (size_t)I * sizeof(LT));
        ROWLOOP(U, LV(gru_fwd1)(zr + j, U, hd + j, c2 + I + j, rec),
                LS(gru_fwd1)(zr + j, U, hd + j, c2 + I + j, rec));
    }
}

/* GRU, both modes: the candidate and h~ (ra: z, r and hh from zh first). */
RINL void LF(gru_fwd2_rows)(const int act, const int rec, const int ra, Py_ssize_t B,
                            Py_ssize_t T, Py_ssize_t U, Py_ssize_t I, Py_ssize_t t, LT *At,
                            LT *ZHt, const LT *cat, const LT *hp, LT *hn, LT *out, const LT *M) {
    const Py_ssize_t G = 3 * U, IU = I + U;
    for (Py_ssize_t b = 0; b < B; b++) {
        const LT m = MASK_M(t, b), mc = (LT)1 - m;
        const int hm = M != NULL;
        const Py_ssize_t o = b * U;
        const LT *hd = cat + b * IU + I;
        LT *ar = At + b * G, *zh = ra ? ZHt + b * G : NULL;
        LT *orow = out ? out + (b * T + t) * U : NULL;
        ROWLOOP(U,
                {
                    if (ra)
                        LV(gru_fwd_ra)(ar + j, U, zh + j, NULL, rec, act);
                    LV(gru_fwd2)(ar + 2 * U + j, U, hd + j, hp + o + j, hn + o + j, PJ(orow, j),
                                 act, !ra, hm, m, mc);
                },
                {
                    if (ra)
                        LS(gru_fwd_ra)(ar + j, U, zh + j, NULL, rec, act);
                    LS(gru_fwd2)(ar + 2 * U + j, U, hd + j, hp + o + j, hn + o + j, PJ(orow, j),
                                 act, !ra, hm, m, mc);
                });
    }
}

RINL void LF(gru_bwd1_rows)(const int act, const int rec, const int ra, Py_ssize_t B,
                            Py_ssize_t T, Py_ssize_t U, Py_ssize_t I, Py_ssize_t t,
                            const LT *At, const LT *ZHt, const LT *cat, LT *dh, const LT *dY,
                            LT *dz, LT *dzin, LT *dhd, const LT *M) {
    const Py_ssize_t G = 3 * U, IU = I + U;
    for (Py_ssize_t b = 0; b < B; b++) {
        const LT m = MASK_M(t, b), mc = (LT)1 - m;
        const int hm = M != NULL;
        const Py_ssize_t o = b * U;
        const LT *dyrow = dY ? dY + (b * T + t) * U : NULL;
        const LT *ar = At + b * G, *zhh = ra ? ZHt + b * G + 2 * U : NULL;
        const LT *hd = cat + b * IU + I;
        LT *dzr = dz + b * G, *dzi = ra ? dzin + b * G : NULL;
        ROWLOOP(U,
                LV(gru_bwd1)(ar + j, U, hd + j, PJ(zhh, j), dh + o + j, PJ(dyrow, j), dzr + j,
                             PJ(dzi, j), dhd + o + j, act, rec, hm, m, mc),
                LS(gru_bwd1)(ar + j, U, hd + j, PJ(zhh, j), dh + o + j, PJ(dyrow, j), dzr + j,
                             PJ(dzi, j), dhd + o + j, act, rec, hm, m, mc));
    }
}

RINL void LF(gru_bwd2_rows)(const int rec, Py_ssize_t B, Py_ssize_t U, Py_ssize_t I,
                            const LT *At, const LT *dq, const LT *cat, LT *dz, LT *dhd) {
    const Py_ssize_t G = 3 * U, IU = I + U;
    for (Py_ssize_t b = 0; b < B; b++) {
        const Py_ssize_t o = b * U;
        const LT *rr = At + b * G + U, *hd = cat + b * IU + I;
        LT *dzr = dz + b * G + U;
        ROWLOOP(U, LV(gru_bwd2)(rr + j, dq + o + j, hd + j, dzr + j, dhd + o + j, rec),
                LS(gru_bwd2)(rr + j, dq + o + j, hd + j, dzr + j, dhd + o + j, rec));
    }
}

RINL void LF(rnn_fwd_rows)(const int act, Py_ssize_t B, Py_ssize_t T, Py_ssize_t U,
                           Py_ssize_t t, LT *At, const LT *hp, LT *hn, LT *out, const LT *M) {
    for (Py_ssize_t b = 0; b < B; b++) {
        const LT m = MASK_M(t, b), mc = (LT)1 - m;
        const int hm = M != NULL;
        const Py_ssize_t o = b * U;
        LT *orow = out ? out + (b * T + t) * U : NULL;
        ROWLOOP(U,
                LV(rnn_fwd)(At + o + j, hp + o + j, hn + o + j, PJ(orow, j), act, hm, m, mc),
                LS(rnn_fwd)(At + o + j, hp + o + j, hn + o + j, PJ(orow, j), act, hm, m, mc));
    }
}

RINL void LF(rnn_bwd_rows)(const int act, Py_ssize_t B, Py_ssize_t T, Py_ssize_t U,
                           Py_ssize_t t, const LT *At, LT *dh, const LT *dY, LT *dz,
                           const LT *M) {
    for (Py_ssize_t b = 0; b < B; b++) {
        const LT m = MASK_M(t, b), mc = (LT)1 - m;
        const int hm = M != NULL;
        const Py_ssize_t o = b * U;
        const LT *dyrow = dY ? dY + (b * T + t) * U : NULL;
        ROWLOOP(U,
                LV(rnn_bwd)(At + o + j, dh + o + j, PJ(dyrow, j), dz + o + j, act, hm, m, mc),
                LS(rnn_bwd)(At + o + j, dh + o + j, PJ(dyrow, j), dz + o + j, act, hm, m, mc));
    }
}

#define SRC(t) (a->go_backwards ? a->T - 1 - (t) : (t))
#define MROW(t) (M ? M + (t) * Bs : NULL) /* step t's mask row (offset to the chunk) */

/* ---- LSTM ----------------------------------------------------------------------------- */
static int LF(lstm_fwd)(const fwd_args *a) {
    const Py_ssize_t B = a->B, T = a->T, U = a->U, I = a->I, G = 4 * U, IU = I + U;
    const Py_ssize_t Bs = a->Bs, BsU = Bs * U, BsG = Bs * G;
    const LT *x = (const LT *)a->x, *W = (const LT *)a->W, *bias = (const LT *)a->b,
             *dm = (const LT *)a->dm, *M = (const LT *)a->M, *rdm = (const LT *)a->rdm;
    LT *A = (LT *)a->A, *H = (LT *)a->H, *C = (LT *)a->C, *S = (LT *)a->S, *out = (LT *)a->out;
    const int act = a->act, rec = a->rec;
    LT *cat = LF(scratch)(B * IU);
    LF(wmat) w;
    if (!cat || LF(wprep)(&w, W, G, 0, IU, G, B)) {
        free(cat);
        return -1;
    }
    const Py_ssize_t rb = LF(row_block)(&w, B, G);
    for (Py_ssize_t t = 0; t < T; t++) {
        if (a->watch)
            watch_step(a->watch);
        const LT *hp = H + t * BsU, *cp = C + t * BsU;
        LT *hn = H + (t + 1) * BsU, *cn = C + (t + 1) * BsU;
        LT *At = A + (a->keep ? t * BsG : 0), *St = S + (a->keep ? t * BsU : 0);
        /* in blocks of rows: the GEMM's output block is still in cache for the element-wise
         * pass (rows are independent within a step) */
        for (Py_ssize_t r0 = 0; r0 < B; r0 += rb) {
            const Py_ssize_t n = B - r0 < rb ? B - r0 : rb;
            LT *Ar = At + r0 * G, *catr = cat + r0 * IU;
            LF(build_cat)(catr, x + r0 * T * I, SRC(t), T, n, I, U, PJ(dm, r0 * I), hp + r0 * U,
                          PJ(rdm, r0 * U));
            LF(mm_bias)(&w, n, catr, IU, Ar, G, bias);
            const LT *Mr = M ? MROW(t) + r0 : NULL;
            const Py_ssize_t o = r0 * U;
#define BODY(A_, R_)                                                                         \
    LF(lstm_fwd_rows)(A_, R_, n, T, U, t, Ar, cp + o, cn + o, St + o, hp + o, hn + o,            \
                      PJ(out, r0 * T * U), Mr)
            ACT_DISPATCH(act, rec, BODY);
#undef BODY
        }
    }
    LF(wfree)(&w);
    free(cat);
    return 0;
}

static int LF(lstm_bwd)(const bwd_args *a) {
    const Py_ssize_t B = a->B, T = a->T, U = a->U, I = a->I, G = 4 * U, BU = B * U, IU = I + U;
    const Py_ssize_t Bs = a->Bs, BsU = Bs * U, BsG = Bs * G;
    const LT *x = (const LT *)a->x, *W = (const LT *)a->W, *dm = (const LT *)a->dm,
             *A = (const LT *)a->A, *H = (const LT *)a->H, *C = (const LT *)a->C,
             *S = (const LT *)a->S, *M = (const LT *)a->M, *rdm = (const LT *)a->rdm,
             *dY = (const LT *)a->dY;
    LT *dh = (LT *)a->dh, *dc = (LT *)a->dc, *dW = (LT *)a->dW, *db = (LT *)a->db,
       *dX = (LT *)a->dX;
    const int act = a->act, rec = a->rec;
    /* The weight gradient d[K; R] += cat_t^T·dz_t is summed over nk steps at a time: one GEMM
     * with nk*B terms per output (about GKC) instead of nk GEMMs with B terms each. */
    const Py_ssize_t nk = dW ? (T < (GKC + B - 1) / B ? T : (GKC + B - 1) / B) : 1;
    LT *work = LF(scratch)(nk * B * IU + nk * B * G + BU);
    LT *cats = work, *dzs = cats + nk * B * IU, *dhd = dzs + nk * B * G;
    LF(wmat) wR, wK, wdz;
    wK.P = wdz.P = NULL;
    int fail = !work || LF(wprep)(&wR, W + I * G, G, 1, G, U, B) ||
               (dX && LF(wprep)(&wK, W, G, 1, G, I, B)) ||
               (dW && LF(wprep)(&wdz, NULL, G, 0, nk * B, G, IU));
    if (fail) {
        LF(wfree)(&wR);
        LF(wfree)(&wK);
        LF(wfree)(&wdz);
        free(work);
        return -1;
    }
    for (Py_ssize_t t = T - 1, k = 0; t >= 0; t--) {
        if (a->watch)
            watch_step(a->watch);
        const LT *At = A + t * BsG, *St = S + t * BsU, *cp = C + t * BsU;
        const int hm = M != NULL;
        LT *dz = dzs + k * B * G; /* this step's slot of the chunk */
#define BODY(A_, R_) LF(lstm_bwd_rows)(A_, R_, B, T, U, t, At, St, cp, dh, dc, dY, dz, MROW(t))
        ACT_DISPATCH(act, rec, BODY);
#undef BODY
        if (dW) {
            LF(build_cat)(cats + k * B * IU, x, SRC(t), T, B, I, U, dm, H + t * BsU, rdm);
            if (++k == nk || t == 0) { /* the chunk's k steps: [k*B, IU]^T·[k*B, G] */
                wdz.K = k * B;
                LF(wrepack)(&wdz, dzs);
                LF(mm)(&wdz, IU, cats, IU, 1, dW, G, 1);
                k = 0;
            }
        }
        if (db)
            LF(colsum_add)(db, dz, B, G, G);
        if (dX)
            LF(dx_step)(&wK, dz, G, dX, SRC(t), B, T, I, dm);
        if (!rdm) {
            LF(mm)(&wR, B, dz, G, 0, dh, U, hm); /* dh holds the mask carry (or 0) */
        } else {
            LF(mm)(&wR, B, dz, G, 0, dhd, U, 0);
            LF(add_dhd)(dh, dhd, rdm, BU);
        }
    }
    LF(wfree)(&wR);
    LF(wfree)(&wK);
    LF(wfree)(&wdz);
    free(work);
    return 0;
}

/* ---- GRU ------------------------------------------------------------------------------ */
static int LF(gru_fwd)(const fwd_args *a) {
    const Py_ssize_t B = a->B, T = a->T, U = a->U, I = a->I, G = 3 * U, IU = I + U;
    const Py_ssize_t Bs = a->Bs, BsU = Bs * U, BsG = Bs * G;
    const LT *x = (const LT *)a->x, *W = (const LT *)a->W, *bias = (const LT *)a->b,
             *brec = (const LT *)a->brec, *dm = (const LT *)a->dm, *M = (const LT *)a->M,
             *rdm = (const LT *)a->rdm;
    LT *A = (LT *)a->A, *H = (LT *)a->H, *ZH = (LT *)a->S, *out = (LT *)a->out;
    const int act = a->act, rec = a->rec, ra = a->reset_after;
    LT *work = LF(scratch)(2 * B * IU);
    LT *cat = work, *cat2 = work + B * IU;
    LF(wmat) w1, w2;
    w1.P = w2.P = NULL;
    int fail = !work;
    if (!ra) /* [xd | hd]·[K_zr; R_zr] and [xd | q]·[K_h; R_h] */
        fail = fail || LF(wprep)(&w1, W, G, 0, IU, 2 * U, B) ||
               LF(wprep)(&w2, W + 2 * U, G, 0, IU, U, B);
    else /* xd·K and hd·R */
        fail = fail || LF(wprep)(&w1, W, G, 0, I, G, B) || LF(wprep)(&w2, W + I * G, G, 0, U, G, B);
    if (fail) {
        LF(wfree)(&w1);
        LF(wfree)(&w2);
        free(work);
        return -1;
    }
    for (Py_ssize_t t = 0; t < T; t++) {
        if (a->watch)
            watch_step(a->watch);
        const LT *hp = H + t * BsU;
        LT *hn = H + (t + 1) * BsU;
        LT *At = A + (a->keep ? t * BsG : 0);
        LF(build_cat)(cat, x, SRC(t), T, B, I, U, dm, hp, rdm);
        LT *ZHt = ra ? ZH + (a->keep ? t * BsG : 0) : NULL;
        LF(mm_bias)(&w1, B, cat, IU, At, G, bias); /* [z, r] columns, or all three (ra) */
        if (!ra) {
#define BODY(A_, R_) LF(gru_fwd1_rows)(R_, B, U, I, At, cat, cat2)
            ACT_DISPATCH(act, rec, BODY);
#undef BODY
            LF(mm_bias)(&w2, B, cat2, IU, At + 2 * U, G, PJ(bias, 2 * U));
        } else {
            LF(mm_bias)(&w2, B, cat + I, IU, ZHt, G, brec);
        }
#define BODY(A_, R_) LF(gru_fwd2_rows)(A_, R_, ra, B, T, U, I, t, At, ZHt, cat, hp, hn, out, MROW(t))
        ACT_DISPATCH(act, rec, BODY);
#undef BODY
    }
    LF(wfree)(&w1);
    LF(wfree)(&w2);
    free(work);
    return 0;
}

static int LF(gru_bwd)(const bwd_args *a) {
    const Py_ssize_t B = a->B, T = a->T, U = a->U, I = a->I, G = 3 * U, BU = B * U, IU = I + U;
    const Py_ssize_t Bs = a->Bs, BsU = Bs * U, BsG = Bs * G;
    const LT *x = (const LT *)a->x, *W = (const LT *)a->W, *dm = (const LT *)a->dm,
             *A = (const LT *)a->A, *H = (const LT *)a->H, *ZH = (const LT *)a->S,
             *M = (const LT *)a->M, *rdm = (const LT *)a->rdm, *dY = (const LT *)a->dY;
    LT *dh = (LT *)a->dh, *dW = (LT *)a->dW, *db = (LT *)a->db, *dX = (LT *)a->dX;
    const int act = a->act, rec = a->rec, ra = a->reset_after;
    LT *work = LF(scratch)(2 * B * IU + 2 * B * G + 2 * BU);
    LT *cat = work, *cat2 = cat + B * IU, *dz = cat2 + B * IU, *dzin = dz + B * G,
       *dhd = dzin + B * G, *dq = dhd + BU;
    LF(wmat) wA, wB, wK, wd1, wd2;
    wA.P = wB.P = wK.P = wd1.P = wd2.P = NULL;
    int fail = !work;
    if (!ra) {
        fail = fail || LF(wprep)(&wA, W + I * G + 2 * U, G, 1, U, U, B) || /* dq = dz_h·R_h^T */
               LF(wprep)(&wB, W + I * G, G, 1, 2 * U, U, B) ||       /* dhd += dz_zr·R_zr^T */
               (dW && (LF(wprep)(&wd1, NULL, G, 0, B, 2 * U, IU) ||
                       LF(wprep)(&wd2, NULL, G, 0, B, U, IU)));
    } else {
        fail = fail || LF(wprep)(&wB, W + I * G, G, 1, G, U, B) || /* dhd += G·R^T */
               (dW && (LF(wprep)(&wd1, NULL, G, 0, B, G, I) ||
                       LF(wprep)(&wd2, NULL, G, 0, B, G, U)));
    }
    fail = fail || (dX && LF(wprep)(&wK, W, G, 1, G, I, B));
    if (fail) {
        LF(wfree)(&wA);
        LF(wfree)(&wB);
        LF(wfree)(&wK);
        LF(wfree)(&wd1);
        LF(wfree)(&wd2);
        free(work);
        return -1;
    }
    for (Py_ssize_t t = T - 1; t >= 0; t--) {
        if (a->watch)
            watch_step(a->watch);
        const LT *hp = H + t * BsU;
        LF(build_cat)(cat, x, SRC(t), T, B, I, U, dm, hp, rdm);
        const LT *At = A + t * BsG, *ZHt = ra ? ZH + t * BsG : NULL;
#define BODY(A_, R_)                                                                         \
    LF(gru_bwd1_rows)(A_, R_, ra, B, T, U, I, t, At, ZHt, cat, dh, dY, dz, dzin, dhd, MROW(t))
        ACT_DISPATCH(act, rec, BODY);
#undef BODY
        const LT *dzx = ra ? dzin : dz; /* gradient of the input projections */
        if (!ra) {
            LF(mm)(&wA, B, dz + 2 * U, G, 0, dq, U, 0);
#define BODY(A_, R_) LF(gru_bwd2_rows)(R_, B, U, I, At, dq, cat, dz, dhd)
            ACT_DISPATCH(act, rec, BODY);
#undef BODY
        }
        LF(mm)(&wB, B, dz, G, 0, dhd, U, 1);
        LF(add_dhd)(dh, dhd, rdm, BU);
        if (dW) {
            if (!ra) {
                /* q = r*hd beside xd for the h block */
                for (Py_ssize_t b = 0; b < B; b++) {
                    LT *c2 = cat2 + b * IU;
                    const LT *c = cat + b * IU, *rr = At + b * G + U;
                    memcpy(c2, c, (size_t)I * sizeof(LT));
                    for (Py_ssize_t u = 0; u < U; u++)
                        c2[I + u] = rr[u] * c[I + u];
                }
                LF(wrepack)(&wd1, dz);
                LF(mm)(&wd1, IU, cat, IU, 1, dW, G, 1);
                LF(wrepack)(&wd2, dz + 2 * U);
                LF(mm)(&wd2, IU, cat2, IU, 1, dW + 2 * U, G, 1);
            } else {
                LF(wrepack)(&wd1, dzin);
                LF(mm)(&wd1, I, cat, IU, 1, dW, G, 1);
                LF(wrepack)(&wd2, dz);
                LF(mm)(&wd2, U, cat + I, IU, 1, dW + I * G, G, 1);
            }
        }
        if (db) {
            LF(colsum_add)(db, dzx, B, G, G);
            if (ra)
                LF(colsum_add)(db + G, dz, B, G, G);
        }
        if (dX)
            LF(dx_step)(&wK, dzx, G, dX, SRC(t), B, T, I, dm);
    }
    LF(wfree)(&wA);
    LF(wfree)(&wB);
    LF(wfree)(&wK);
    LF(wfree)(&wd1);
    LF(wfree)(&wd2);
    free(work);
    return 0;
}

/* ---- SimpleRNN ------------------------------------------------------------------------ */
static int LF(rnn_fwd)(const fwd_args *a) {
    const Py_ssize_t B = a->B, T = a->T, U = a->U, I = a->I, IU = I + U;
    const Py_ssize_t Bs = a->Bs, BsU = Bs * U;
    const LT *x = (const LT *)a->x, *W = (const LT *)a->W, *bias = (const LT *)a->b,
             *dm = (const LT *)a->dm, *M = (const LT *)a->M, *rdm = (const LT *)a->rdm;
    LT *A = (LT *)a->A, *H = (LT *)a->H, *out = (LT *)a->out;
    const int act = a->act;
    LT *cat = LF(scratch)(B * IU);
    LF(wmat) w;
    if (!cat || LF(wprep)(&w, W, U, 0, IU, U, B)) {
        free(cat);
        return -1;
    }
    for (Py_ssize_t t = 0; t < T; t++) {
        if (a->watch)
            watch_step(a->watch);
        const LT *hp = H + t * BsU;
        LT *hn = H + (t + 1) * BsU;
        LT *At = A + (a->keep ? t * BsU : 0);
        LF(build_cat)(cat, x, SRC(t), T, B, I, U, dm, hp, rdm);
        LF(mm_bias)(&w, B, cat, IU, At, U, bias);
#define BODY(A_, R_) LF(rnn_fwd_rows)(A_, B, T, U, t, At, hp, hn, out, MROW(t))
        ACT_DISPATCH(act, act, BODY);
#undef BODY
    }
    LF(wfree)(&w);
    free(cat);
    return 0;
}

static int LF(rnn_bwd)(const bwd_args *a) {
    const Py_ssize_t B = a->B, T = a->T, U = a->U, I = a->I, BU = B * U, IU = I + U;
    const Py_ssize_t Bs = a->Bs, BsU = Bs * U;
    const LT *x = (const LT *)a->x, *W = (const LT *)a->W, *dm = (const LT *)a->dm,
             *A = (const LT *)a->A, *H = (const LT *)a->H, *M = (const LT *)a->M,
             *rdm = (const LT *)a->rdm, *dY = (const LT *)a->dY;
    LT *dh = (LT *)a->dh, *dW = (LT *)a->dW, *db = (LT *)a->db, *dX = (LT *)a->dX;
    const int act = a->act;
    LT *work = LF(scratch)(B * IU + 2 * BU);
    LT *cat = work, *dz = cat + B * IU, *dhd = dz + BU;
    LF(wmat) wR, wK, wdz;
    wK.P = wdz.P = NULL;
    int fail = !work || LF(wprep)(&wR, W + I * U, U, 1, U, U, B) ||
               (dX && LF(wprep)(&wK, W, U, 1, U, I, B)) ||
               (dW && LF(wprep)(&wdz, NULL, U, 0, B, U, IU));
    if (fail) {
        LF(wfree)(&wR);
        LF(wfree)(&wK);
        LF(wfree)(&wdz);
        free(work);
        return -1;
    }
    for (Py_ssize_t t = T - 1; t >= 0; t--) {
        if (a->watch)
            watch_step(a->watch);
        const int hm = M != NULL;
        const LT *At = A + t * BsU;
#define BODY(A_, R_) LF(rnn_bwd_rows)(A_, B, T, U, t, At, dh, dY, dz, MROW(t))
        ACT_DISPATCH(act, act, BODY);
#undef BODY
        if (dW) {
            LF(build_cat)(cat, x, SRC(t), T, B, I, U, dm, H + t * BsU, rdm);
            LF(wrepack)(&wdz, dz);
            LF(mm)(&wdz, IU, cat, IU, 1, dW, U, 1);
        }
        if (db)
            LF(colsum_add)(db, dz, B, U, U);
        if (dX)
            LF(dx_step)(&wK, dz, U, dX, SRC(t), B, T, I, dm);
        if (!rdm) {
            LF(mm)(&wR, B, dz, U, 0, dh, U, hm);
        } else {
            LF(mm)(&wR, B, dz, U, 0, dhd, U, 0);
            LF(add_dhd)(dh, dhd, rdm, BU);
        }
    }
    LF(wfree)(&wR);
    LF(wfree)(&wK);
    LF(wfree)(&wdz);
    free(work);
    return 0;
}

static void LF(math_n)(int kind, const void *xv, void *yv, Py_ssize_t n) {
    const LT *x = (const LT *)xv;
    LT *y = (LT *)yv;
    ROWLOOP(n, LV(math_n)(kind, x + j, y + j), LS(math_n)(kind, x + j, y + j));
}

/* GEMM entry for tests: C[M, N] = op(A)·op(W) (+ C), through the same code as the loops. */
static int LF(gemm_test)(int at, int wt, Py_ssize_t M, Py_ssize_t N, Py_ssize_t K, const void *A,
                         Py_ssize_t lda, const void *W, Py_ssize_t ldw, void *C, Py_ssize_t ldc,
                         int accumulate, Py_ssize_t reps) {
    LF(wmat) w;
    if (LF(wprep)(&w, (const LT *)W, ldw, wt, K, N, M))
        return -1;
    for (Py_ssize_t i = 0; i < reps; i++)
        LF(mm)(&w, M, (const LT *)A, lda, at, (LT *)C, ldc, accumulate);
    LF(wfree)(&w);
    return 0;
}

static const kernel_set LF(kernels) = {
    LF(lstm_fwd), LF(lstm_bwd), LF(gru_fwd),  LF(gru_bwd),
    LF(rnn_fwd),  LF(rnn_bwd),  LF(math_n), LF(gemm_test),
};

#undef SRC
#undef MROW
#undef ACT_DISPATCH
#undef RINL
#undef MASK_M
#undef MK_TAIL
#undef MK_CASE
#undef ROWLOOP
#undef PJ
#undef GVW
#undef GLOAD
#undef GSTORE
#undef GNR
#undef GMR
#undef GKC
#undef LF
#undef LV
#undef LS
