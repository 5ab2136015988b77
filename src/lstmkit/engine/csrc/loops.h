/* The time loops of the kernels, for one scalar type and ISA (included by kernels.h): one
 * call runs a whole sequence (or the row chunk of one thread, see pool.h) of an LSTM, a GRU
 * or a SimpleRNN, forward or backward; then the test entries and the kernel_set.
 */

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
