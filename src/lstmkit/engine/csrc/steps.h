/* Per-step work of the kernels, for one scalar type and ISA (included by kernels.h): the
 * helpers of a step (the GEMM operand cat, bias and state-gradient sums, dX, row blocks,
 * scratch) and the element-wise passes over a step's rows, each calling the chunk functions
 * of cell.h over the units of a row (LVW lanes, then one-lane tails).
 */

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
