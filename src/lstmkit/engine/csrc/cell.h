/* Element-wise cell math of the fused recurrent kernels, for CW lanes of type CT.
 *
 * Included by isa_set.h once per (ISA, scalar type, lane count) with these macros defined:
 *   CT    float or double
 *   CW    lanes per chunk (4 or 8 for float vectors, 1 for scalar tails and for double)
 *   CSUF  name suffix of this instantiation
 *   CFAST 1: tanh is the vectorisable Cephes-style approximation below (float);
 *         0: tanh is libm's (double, CW == 1 only)
 * Every chunk function works on CW consecutive units of one batch row; the caller passes
 * pointers already offset to the first unit of the chunk. Gate blocks of a row are U apart.
 *
 * The math mirrors the NumPy loops of lstmkit.engine.rnn operation by operation (sigmoid is
 * 0.5*tanh(0.5*z) + 0.5, hardSigmoid clip(0.2*z + 0.5, 0, 1), derivatives from outputs),
 * so the two paths agree to rounding.
 */

#define C_CAT2_(a, b) a##_##b
#define C_CAT2(a, b) C_CAT2_(a, b)
#define CF(name) C_CAT2(name, CSUF)
#define CINL static inline __attribute__((always_inline))

#if CW == 1
typedef CT CF(vt);
#define CV_LOAD(p) (*(p))
#define CV_STORE(p, v) (*(p) = (v))
#else
typedef CT CF(vt) __attribute__((vector_size(CW * sizeof(CT))));
#endif
typedef CF(vt) CF(V);

#if CW != 1
CINL CF(V) CF(vload)(const CT *p) {
    CF(V) v;
    memcpy(&v, p, sizeof v);
    return v;
}
CINL void CF(vstore)(CT *p, CF(V) v) { memcpy(p, &v, sizeof v); }
#define CV_LOAD(p) CF(vload)(p)
#define CV_STORE(p, v) CF(vstore)((p), (v))
#endif

/* Lane-wise select: m ? a : b (m a comparison result). */
#if CW == 1
#define CV_SEL(m, a, b) ((m) ? (a) : (b))
#define CV_SET1(c) ((CT)(c))
#else
#if CFAST
typedef int32_t CF(vi) __attribute__((vector_size(CW * 4)));
#else
typedef int64_t CF(vi) __attribute__((vector_size(CW * 8)));
#endif
#define CV_SEL(m, a, b) \
    ((CF(V))((((CF(vi))(a)) & (CF(vi))(m)) | (((CF(vi))(b)) & ~(CF(vi))(m))))
#define CV_SET1(c) (((CF(V)){0}) + (CT)(c))
#endif

/* ---- tanh and sigmoid ------------------------------------------------------------------ */
#if CFAST
/* Branch-free float32 tanh and sigmoid, about 2 ulp (tests check them against NumPy on dense
 * grids). Range reduction as Cephes expf (S. L. Moshier): y = n*ln2 + r, |r| <= ln2/2, with
 * ln2 split in two; 2^n built in the exponent bits. NaN propagates; +-inf saturate. */
#if CW == 1
#define CV_ABS(x) fabsf(x)
#define CV_SIGNOF(t, x) copysignf((t), (x))
#else
#define CV_ABS(x) ((CF(V))((CF(vi))(x) & 0x7fffffff))
#define CV_SIGNOF(t, x) ((CF(V))((CF(vi))(t) | ((CF(vi))(x) & INT32_MIN)))
#endif

/* y = n*ln2 + r: returns r, sets *scale = 2^n; fx is y*log2(e) -+ 0.5 (rounded by truncation) */
CINL CF(V) CF(reduce)(CF(V) y, CF(V) fx, CF(V) * scale) {
#if CW == 1
    int32_t n = (int32_t)fx;
    float fn = (float)n;
    int32_t bits = (n + 127) << 23;
#else
    CF(vi) n = __builtin_convertvector(fx, CF(vi));
    CF(V) fn = __builtin_convertvector(n, CF(V));
    CF(vi) bits = (n + 127) << 23;
#endif
    memcpy(scale, &bits, sizeof *scale);
    CF(V) r = y - fn * 0.693359375f;
    return r + fn * 2.12194440e-4f;
}

/* tanh(x) = sign(x) * E/(E + 2), E = expm1(2|x|) = 2^n*expm1(r) + (2^n - 1). */
CINL CF(V) CF(vtanh)(CF(V) x) {
    CF(V) y = CV_ABS(x);
    y = y + y;
    y = CV_SEL(y > 40.0f, CV_SET1(40.0f), y); /* tanh = 1 beyond; NaN stays NaN */
    CF(V) scale;
    CF(V) r = CF(reduce)(y, y * 1.44269504088896341f + 0.5f, &scale);
    CF(V) p = CV_SET1(1.9841269841e-4f); /* expm1(r) = r + r^2*(1/2 + r/6 + ... + r^5/7!) */
    p = p * r + 1.3888888889e-3f;
    p = p * r + 8.3333333333e-3f;
    p = p * r + 4.1666666667e-2f;
    p = p * r + 1.6666666667e-1f;
    p = p * r + 0.5f;
    CF(V) em = (r * r) * p + r;
    CF(V) e = scale * em + (scale - 1.0f);
    return CV_SIGNOF(e / (e + 2.0f), x);
}

/* sigmoid(x) = 1/(1 + e), e = exp(-x) (Cephes polynomial), accurate relatively on both sides
 * (for x << 0, sigmoid ~ 1/e); -x is clamped to [-87.3, 88.7] (so 2^n stays a normal number),
 * where sigmoid is 1 or below 4e-39. */
CINL CF(V) CF(vsigmoid)(CF(V) x) {
    CF(V) y = -x;
    y = CV_SEL(y > 88.7f, CV_SET1(88.7f), y); /* NaN stays NaN */
    y = CV_SEL(y < -87.3f, CV_SET1(-87.3f), y);
    CF(V) scale;
    CF(V) r = CF(reduce)(y, y * 1.44269504088896341f + CV_SEL(y < 0.0f, CV_SET1(-0.5f), CV_SET1(0.5f)), &scale);
    CF(V) p = CV_SET1(1.9875691500E-4f);
    p = p * r + 1.3981999507E-3f;
    p = p * r + 8.3334519073E-3f;
    p = p * r + 4.1665795894E-2f;
    p = p * r + 1.6666665459E-1f;
    p = p * r + 5.0000001201E-1f;
    CF(V) e = ((r * r) * p + r + 1.0f) * scale;
    return 1.0f / (e + 1.0f);
}
#undef CV_ABS
#undef CV_SIGNOF
#else
CINL CF(V) CF(vtanh)(CF(V) x) { return tanh(x); }
CINL CF(V) CF(vsigmoid)(CF(V) x) { /* 1/(1 + e^-x), or e^x/(1 + e^x) for x < 0: libm's exp */
    CT e = exp(-fabs(x));
    return (x < 0 ? e : (CT)1) / ((CT)1 + e);
}
#endif

/* ---- activations (codes act_t of fastrnn.c) ------------------------------------------- */
CINL CF(V) CF(act)(int kind, CF(V) x) {
    const CF(V) zero = CV_SET1(0), one = CV_SET1(1);
    switch (kind) {
    case ACT_TANH:
        return CF(vtanh)(x);
    case ACT_SIGMOID:
        return CF(vsigmoid)(x);
    case ACT_HARD_SIGMOID: {
        CF(V) v = (CT)0.2 * x + (CT)0.5;
        v = CV_SEL(v < zero, zero, v);
        return CV_SEL(v > one, one, v);
    }
    case ACT_RELU:
        return CV_SEL(x < zero, zero, x);
    default:
        return x;
    }
}

/* act'(z) from y = act(z) */
CINL CF(V) CF(dact)(int kind, CF(V) y) {
    const CF(V) zero = CV_SET1(0), one = CV_SET1(1);
    switch (kind) {
    case ACT_TANH:
        return one - y * y;
    case ACT_SIGMOID:
        return (one - y) * y;
    case ACT_HARD_SIGMOID:
        return CV_SEL(y > zero, CV_SEL(y < one, CV_SET1(0.2), zero), zero);
    case ACT_RELU:
        return CV_SEL(y > zero, one, zero);
    default:
        return one;
    }
}

/* ---- LSTM (gate blocks i, f, c, o as TF.js) ------------------------------------------- */
/* Forward after the recurrent GEMM, in two passes over a row (independent work in flight:
 * the activations' dependency chains are long): z's pre-activations become the gate
 * activations; then the cell. */
CINL void CF(lstm_gates)(CT *z, Py_ssize_t U, int act, int rec) {
    CV_STORE(z, CF(act)(rec, CV_LOAD(z)));
    CV_STORE(z + U, CF(act)(rec, CV_LOAD(z + U)));
    CV_STORE(z + 2 * U, CF(act)(act, CV_LOAD(z + 2 * U)));
    CV_STORE(z + 3 * U, CF(act)(rec, CV_LOAD(z + 3 * U)));
}

CINL void CF(lstm_fwd)(CT *z, Py_ssize_t U, const CT *cp, CT *cn, CT *s, const CT *hp,
                                CT *hn, CT *out, int act, int rec, int has_mask, CT m, CT mc) {
    (void)rec;
    CF(V) i = CV_LOAD(z), f = CV_LOAD(z + U), g = CV_LOAD(z + 2 * U), o = CV_LOAD(z + 3 * U);
    CF(V) cprev = CV_LOAD(cp);
    CF(V) c = f * cprev;
    c = c + i * g;
    CF(V) sv = CF(act)(act, c);
    CV_STORE(s, sv);
    CF(V) h = o * sv;
    if (has_mask) {
        h = h * m + CV_LOAD(hp) * mc;
        c = c * m + cprev * mc;
    }
    CV_STORE(cn, c);
    CV_STORE(hn, h);
    if (out)
        CV_STORE(out, h);
}

/* A state gradient v split by the step's mask: *through = v*m (into this step), *carry = v*mc
 * (past the step, to the previous state); without a mask all of it goes through. */
CINL void CF(mask_split)(CF(V) v, int has_mask, CT m, CT mc, CF(V) * through, CF(V) * carry) {
    *through = v;
    *carry = CV_SET1(0);
    if (has_mask) {
        *through = v * m;
        *carry = v * mc;
    }
}

/* Backward before the recurrent GEMM: dh, dc hold d(h_t), d(c_t) and become the mask carries
 * (zero without a mask); dz receives the pre-activation gradients of the step. */
CINL void CF(lstm_bwd)(const CT *a, Py_ssize_t U, const CT *s, const CT *cp, CT *dh,
                                CT *dc, const CT *dy, CT *dz, int act, int rec, int has_mask,
                                CT m, CT mc) {
    CF(V) dhv = CV_LOAD(dh);
    if (dy)
        dhv = dhv + CV_LOAD(dy);
    CF(V) dht, dhc, dct, dcc;
    CF(mask_split)(dhv, has_mask, m, mc, &dht, &dhc);
    CF(mask_split)(CV_LOAD(dc), has_mask, m, mc, &dct, &dcc);
    CF(V) i = CV_LOAD(a), f = CV_LOAD(a + U), g = CV_LOAD(a + 2 * U), o = CV_LOAD(a + 3 * U);
    CF(V) sv = CV_LOAD(s);
    dct = dct + dht * (o * CF(dact)(act, sv));
    CV_STORE(dz + 3 * U, dht * (sv * CF(dact)(rec, o)));
    CV_STORE(dz, dct * (g * CF(dact)(rec, i)));
    CV_STORE(dz + U, dct * (CV_LOAD(cp) * CF(dact)(rec, f)));
    CV_STORE(dz + 2 * U, dct * (i * CF(dact)(act, g)));
    CV_STORE(dc, dct * f + dcc);
    CV_STORE(dh, dhc);
}

/* ---- GRU (gate blocks z, r, h) -------------------------------------------------------- */
/* reset_after=False, after the [z, r] GEMM: activations in place, q = r * hd. */
CINL void CF(gru_fwd1)(CT *zr, Py_ssize_t U, const CT *hd, CT *q, int rec) {
    CF(V) z = CF(act)(rec, CV_LOAD(zr));
    CF(V) r = CF(act)(rec, CV_LOAD(zr + U));
    CV_STORE(zr, z);
    CV_STORE(zr + U, r);
    CV_STORE(q, r * CV_LOAD(hd));
}

/* reset_after=True: zh = hd·R (+ b_rec) in place; z, r, hh into a (the input projections). */
CINL void CF(gru_fwd_ra)(CT *a, Py_ssize_t U, CT *zh, const CT *brec, int rec,
                                  int act) {
    CF(V) zhz = CV_LOAD(zh), zhr = CV_LOAD(zh + U), zhh = CV_LOAD(zh + 2 * U);
    if (brec) {
        zhz = zhz + CV_LOAD(brec);
        zhr = zhr + CV_LOAD(brec + U);
        zhh = zhh + CV_LOAD(brec + 2 * U);
        CV_STORE(zh, zhz);
        CV_STORE(zh + U, zhr);
        CV_STORE(zh + 2 * U, zhh);
    }
    CF(V) z = CF(act)(rec, CV_LOAD(a) + zhz);
    CF(V) r = CF(act)(rec, CV_LOAD(a + U) + zhr);
    CF(V) hh = CF(act)(act, CV_LOAD(a + 2 * U) + r * zhh);
    CV_STORE(a, z);
    CV_STORE(a + U, r);
    CV_STORE(a + 2 * U, hh);
}

/* Both modes, last part: hh = act(zh) (reset_after=False only: ah holds the pre-activation),
 * h~ = hh + z*(hd - hh), then the mask blend with h_{t-1}. */
CINL void CF(gru_fwd2)(CT *ah, Py_ssize_t U, const CT *hd, const CT *hp, CT *hn,
                                CT *out, int act, int apply_act, int has_mask, CT m, CT mc) {
    CF(V) hh = CV_LOAD(ah);
    if (apply_act) {
        hh = CF(act)(act, hh);
        CV_STORE(ah, hh);
    }
    CF(V) z = CV_LOAD(ah - 2 * U);
    CF(V) h = hh + z * (CV_LOAD(hd) - hh);
    if (has_mask)
        h = h * m + CV_LOAD(hp) * mc;
    CV_STORE(hn, h);
    if (out)
        CV_STORE(out, h);
}

/* Backward, first part (both modes). dh -> mask carry; dhd = dh~ * z.
 * reset_after=False: dz gets dz_z and dz_h (dz_r after the dq GEMM).
 * reset_after=True: dz gets G = [dz_z, dz_r, dz_h*r] (the gradient of zh) with
 * dz_r = dz_h*zh_h*rec'(r); dzin gets [dz_z, dz_r, dz_h] (of the input projections). */
CINL void CF(gru_bwd1)(const CT *a, Py_ssize_t U, const CT *hd, const CT *zhh, CT *dh,
                                const CT *dy, CT *dz, CT *dzin, CT *dhd, int act, int rec,
                                int has_mask, CT m, CT mc) {
    CF(V) dhv = CV_LOAD(dh);
    if (dy)
        dhv = dhv + CV_LOAD(dy);
    CF(V) dht, dhc;
    CF(mask_split)(dhv, has_mask, m, mc, &dht, &dhc);
    CF(V) z = CV_LOAD(a), hh = CV_LOAD(a + 2 * U);
    CF(V) dzz = dht * ((CV_LOAD(hd) - hh) * CF(dact)(rec, z));
    CV_STORE(dz, dzz);
    CF(V) dzh = dht * (((CT)1 - z) * CF(dact)(act, hh));
    if (zhh) {
        CF(V) r = CV_LOAD(a + U);
        CF(V) dzr = dzh * (CV_LOAD(zhh) * CF(dact)(rec, r));
        CV_STORE(dz + U, dzr);
        CV_STORE(dz + 2 * U, dzh * r);
        CV_STORE(dzin, dzz);
        CV_STORE(dzin + U, dzr);
        CV_STORE(dzin + 2 * U, dzh);
    } else {
        CV_STORE(dz + 2 * U, dzh);
    }
    CV_STORE(dhd, dht * z);
    CV_STORE(dh, dhc);
}

/* reset_after=False, after dq = dz_h·R_h^T: dz_r = dq*hd*rec'(r); dhd += dq*r. */
CINL void CF(gru_bwd2)(const CT *r_, const CT *dq, const CT *hd, CT *dzr, CT *dhd,
                                int rec) {
    CF(V) r = CV_LOAD(r_), dqv = CV_LOAD(dq);
    CV_STORE(dzr, dqv * (CV_LOAD(hd) * CF(dact)(rec, r)));
    CV_STORE(dhd, CV_LOAD(dhd) + dqv * r);
}

/* ---- SimpleRNN ------------------------------------------------------------------------ */
CINL void CF(rnn_fwd)(CT *z, const CT *hp, CT *hn, CT *out, int act, int has_mask,
                               CT m, CT mc) {
    CF(V) h = CF(act)(act, CV_LOAD(z));
    CV_STORE(z, h);
    if (has_mask)
        h = h * m + CV_LOAD(hp) * mc;
    CV_STORE(hn, h);
    if (out)
        CV_STORE(out, h);
}

CINL void CF(rnn_bwd)(const CT *ht, CT *dh, const CT *dy, CT *dz, int act, int has_mask,
                               CT m, CT mc) {
    CF(V) dhv = CV_LOAD(dh);
    if (dy)
        dhv = dhv + CV_LOAD(dy);
    CF(V) dht, dhc;
    CF(mask_split)(dhv, has_mask, m, mc, &dht, &dhc);
    CV_STORE(dz, dht * CF(dact)(act, CV_LOAD(ht)));
    CV_STORE(dh, dhc);
}

/* tanh or sigmoid of CW values (tests compare them with NumPy). */
CINL void CF(math_n)(int kind, const CT *x, CT *y) {
    CV_STORE(y, CF(act)(kind, CV_LOAD(x)));
}

#undef CV_LOAD
#undef CV_STORE
#undef CV_SEL
#undef CV_SET1
#undef CF
#undef CINL
