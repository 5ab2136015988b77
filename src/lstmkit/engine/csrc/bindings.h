/* The Python functions of _fastrnn (included by fastrnn.c; the method table is there).
 *
 *   argument handling  buffers of the call's type and size (get_buf), size checks
 *   kernel bindings    lstm_fwd ... rnn_bwd: one table of arguments each, one parser
 *   for tests          gemm, activation, pool_stats
 *   options            the run-time options (ISA, GEMM choice, threads, ...)
 */

/* ---- argument handling ------------------------------------------------------------------ */
typedef struct {
    Py_buffer v[24];
    int n;
} bufs;

static void bufs_release(bufs *bs) {
    for (int i = 0; i < bs->n; i++)
        PyBuffer_Release(&bs->v[i]);
    bs->n = 0;
}

/* A C-contiguous float32/float64 buffer of exactly n items (or None when optional). */
static int get_buf(bufs *bs, PyObject *obj, int dbl, Py_ssize_t n, int writable, int optional,
                   const char *name, void **out) {
    *out = NULL;
    if (obj == Py_None) {
        if (optional)
            return 0;
        PyErr_Format(PyExc_TypeError, "_fastrnn: %s must not be None", name);
        return -1;
    }
    Py_buffer *v = &bs->v[bs->n];
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, v, flags) < 0)
        return -1;
    bs->n++;
    const char *fmt = v->format ? v->format : "B";
    size_t fl = strlen(fmt);
    char want = dbl ? 'd' : 'f';
    if (fl == 0 || fmt[fl - 1] != want || (fl == 2 && fmt[0] != '=' && fmt[0] != '<' &&
                                            fmt[0] != '@') || fl > 2 ||
        v->itemsize != (dbl ? 8 : 4)) {
        PyErr_Format(PyExc_TypeError, "_fastrnn: %s must be %s, got format '%s'", name,
                     dbl ? "float64" : "float32", fmt);
        return -1;
    }
    if (v->len != n * v->itemsize) {
        PyErr_Format(PyExc_ValueError, "_fastrnn: %s must have %zd items, got %zd", name, n,
                     (Py_ssize_t)(v->len / v->itemsize));
        return -1;
    }
    *out = v->buf;
    return 0;
}

static int check_dims(Py_ssize_t B, Py_ssize_t T, Py_ssize_t U, Py_ssize_t I, int act, int rec) {
    const Py_ssize_t big = (Py_ssize_t)1 << 30;
    if (B < 1 || T < 1 || U < 1 || I < 0 || B > big || T > big || U > big / 4 || I > big) {
        PyErr_SetString(PyExc_ValueError, "_fastrnn: bad sizes");
        return -1;
    }
    if (act < 0 || act > ACT_RELU || rec < 0 || rec > ACT_RELU) {
        PyErr_SetString(PyExc_ValueError, "_fastrnn: bad activation code");
        return -1;
    }
    return 0;
}

static PyObject *finish_call(int rc, bufs *bs) {
    bufs_release(bs);
    if (rc)
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

/* ---- the six kernel bindings, described by a table -----------------------------------------
 * lstm_fwd ... rnn_bwd take positional arguments only: the type flag dbl, the sizes B, T, U, I,
 * the activation codes and flags, then the arrays. Each function is one call_spec, the list of
 * its arguments (arg_spec): a flag, size or int (converted as PyArg_ParseTuple's 'p', 'n' and
 * 'i' would), or an array: a C-contiguous buffer of the call's type (float32, or float64 when
 * dbl) whose item count is the product of its shape, up to three symbolic sizes (dim_t)
 * evaluated on the call's sizes; read-only or written (A_OUT), None accepted (A_OPT) or, for
 * ZH, only without reset_after. One parser (kernel_call) fills the loops' fwd_args or bwd_args
 * through the fields' offsets, checks in signature order (the count of arguments, the flags
 * and sizes, check_dims, then each array) and runs run_job with the GIL released.
 *
 * Arguments shared by every loop (see lstmkit.engine.rnn and kernels.h for the layouts):
 *   x [B, T, I]; W = [K; R] [I+U, G]; dm [B, I] or None; M [T, B] step mask (processing
 *   order) or None; rdm [B, U] or None; H [T+1, B, U] with H[0] = h0.
 * Forward: A [T (keep) or 1, B, G] receives the gate activations; out [B, T, U] or None.
 * Backward: dY [B, T, U] or None; dh (and dc) [B, U]: gradients of the final states in, of
 *   the initial states out; dW [I+U, G], db [G] ([2, G] for GRU reset_after) and
 *   dX [B, T, I] are written when not None. */

/* Symbolic sizes of array shapes: 1, B, T, T+1, U, I, I+U, G (the gate columns: 4U LSTM, 3U
 * GRU, U SimpleRNN), T or 1 (per-step buffers of a forward kept over time, or of one step),
 * 2 or 1 (bias rows of a GRU with reset_after, or not). */
typedef enum { D_1 = 0, D_B, D_T, D_T1, D_U, D_I, D_IU, D_G, D_NK, D_NB, D_COUNT } dim_t;

enum { K_P, K_N, K_I, K_ARRAY };              /* arg_spec.kind: 'p', 'n', 'i', array */
enum { A_IN = 0, A_OUT = 1, A_OPT = 2, A_OPT_UNLESS_RA = 4, A_NEEDS_RA = 8 }; /* .flags */

typedef struct {
    int dbl;
    fwd_args f;
    bwd_args b;
} call_args;

typedef struct {
    unsigned char kind, flags;
    const char *name;           /* as the error messages say it */
    size_t off;                 /* of the field in call_args */
    unsigned char shape[3];     /* dim_t factors of the item count (unused: D_1) */
} arg_spec;

typedef struct {
    const char *name;
    int cell; /* run_job's kind: 0 LSTM, 1 GRU, 2 SimpleRNN */
    int bwd;  /* fills call_args.b (else .f) */
    const arg_spec *args;
    int nargs;
} call_spec;

/* s: f (fwd_args) or b (bwd_args) */
#define ARG_P(s, name) {K_P, 0, #name, offsetof(call_args, s.name), {D_1}}
#define ARG_N(s, name) {K_N, 0, #name, offsetof(call_args, s.name), {D_1}}
#define ARG_I(s, name) {K_I, 0, #name, offsetof(call_args, s.name), {D_1}}
#define ARR_AS(s, name, field, flags, ...)                                                   \
    {K_ARRAY, flags, #name, offsetof(call_args, s.field), {__VA_ARGS__}}
#define ARR(s, name, flags, ...) ARR_AS(s, name, name, flags, __VA_ARGS__)
#define ARGS_HEAD(s)                                                                          \
    {K_P, 0, "dbl", offsetof(call_args, dbl), {D_1}}, ARG_N(s, B), ARG_N(s, T), ARG_N(s, U),  \
        ARG_N(s, I), ARG_I(s, act)

/* lstm_fwd(dbl, B, T, U, I, act, rec, keep, go_backwards, x, W, b, dm, A, H, C, S, M, rdm, out)
 *   C [T+1, B, U] cell states (C[0] = c0); S [T or 1, B, U] act(c~). */
static const arg_spec lstm_fwd_args[] = {
    ARGS_HEAD(f), ARG_I(f, rec), ARG_P(f, keep), ARG_P(f, go_backwards),
    ARR(f, x, A_IN, D_B, D_T, D_I),
    ARR(f, W, A_IN, D_IU, D_G),
    ARR(f, b, A_IN | A_OPT, D_G),
    ARR(f, dm, A_IN | A_OPT, D_B, D_I),
    ARR(f, A, A_OUT, D_NK, D_B, D_G),
    ARR(f, H, A_OUT, D_T1, D_B, D_U),
    ARR(f, C, A_OUT, D_T1, D_B, D_U),
    ARR(f, S, A_OUT, D_NK, D_B, D_U),
    ARR(f, M, A_IN | A_OPT, D_T, D_B),
    ARR(f, rdm, A_IN | A_OPT, D_B, D_U),
    ARR(f, out, A_OUT | A_OPT, D_B, D_T, D_U),
};

/* lstm_bwd(dbl, B, T, U, I, act, rec, go_backwards, x, W, dm, A, H, C, S, M, rdm, dY, dh, dc,
 *          dW, db, dX) */
static const arg_spec lstm_bwd_args[] = {
    ARGS_HEAD(b), ARG_I(b, rec), ARG_P(b, go_backwards),
    ARR(b, x, A_IN, D_B, D_T, D_I),
    ARR(b, W, A_IN, D_IU, D_G),
    ARR(b, dm, A_IN | A_OPT, D_B, D_I),
    ARR(b, A, A_IN, D_T, D_B, D_G),
    ARR(b, H, A_IN, D_T1, D_B, D_U),
    ARR(b, C, A_IN, D_T1, D_B, D_U),
    ARR(b, S, A_IN, D_T, D_B, D_U),
    ARR(b, M, A_IN | A_OPT, D_T, D_B),
    ARR(b, rdm, A_IN | A_OPT, D_B, D_U),
    ARR(b, dY, A_IN | A_OPT, D_B, D_T, D_U),
    ARR(b, dh, A_OUT, D_B, D_U),
    ARR(b, dc, A_OUT, D_B, D_U),
    ARR(b, dW, A_OUT | A_OPT, D_IU, D_G),
    ARR(b, db, A_OUT | A_OPT, D_G),
    ARR(b, dX, A_OUT | A_OPT, D_B, D_T, D_I),
};

/* gru_fwd(dbl, B, T, U, I, act, rec, reset_after, keep, go_backwards, x, W, b, brec, dm, A, H,
 *         ZH, M, rdm, out)
 *   b [G] input-side bias, brec [G] recurrent bias (reset_after only) or None;
 *   ZH [T or 1, B, G]: zh = hd·R + brec (reset_after) or None. */
static const arg_spec gru_fwd_args[] = {
    ARGS_HEAD(f), ARG_I(f, rec), ARG_P(f, reset_after), ARG_P(f, keep), ARG_P(f, go_backwards),
    ARR(f, x, A_IN, D_B, D_T, D_I),
    ARR(f, W, A_IN, D_IU, D_G),
    ARR(f, b, A_IN | A_OPT, D_G),
    ARR(f, brec, A_IN | A_OPT | A_NEEDS_RA, D_G),
    ARR(f, dm, A_IN | A_OPT, D_B, D_I),
    ARR(f, A, A_OUT, D_NK, D_B, D_G),
    ARR(f, H, A_OUT, D_T1, D_B, D_U),
    ARR_AS(f, ZH, S, A_OUT | A_OPT_UNLESS_RA, D_NK, D_B, D_G),
    ARR(f, M, A_IN | A_OPT, D_T, D_B),
    ARR(f, rdm, A_IN | A_OPT, D_B, D_U),
    ARR(f, out, A_OUT | A_OPT, D_B, D_T, D_U),
};

/* gru_bwd(dbl, B, T, U, I, act, rec, reset_after, go_backwards, x, W, dm, A, H, ZH, M, rdm, dY,
 *         dh, dW, db, dX) */
static const arg_spec gru_bwd_args[] = {
    ARGS_HEAD(b), ARG_I(b, rec), ARG_P(b, reset_after), ARG_P(b, go_backwards),
    ARR(b, x, A_IN, D_B, D_T, D_I),
    ARR(b, W, A_IN, D_IU, D_G),
    ARR(b, dm, A_IN | A_OPT, D_B, D_I),
    ARR(b, A, A_IN, D_T, D_B, D_G),
    ARR(b, H, A_IN, D_T1, D_B, D_U),
    ARR_AS(b, ZH, S, A_IN | A_OPT_UNLESS_RA, D_T, D_B, D_G),
    ARR(b, M, A_IN | A_OPT, D_T, D_B),
    ARR(b, rdm, A_IN | A_OPT, D_B, D_U),
    ARR(b, dY, A_IN | A_OPT, D_B, D_T, D_U),
    ARR(b, dh, A_OUT, D_B, D_U),
    ARR(b, dW, A_OUT | A_OPT, D_IU, D_G),
    ARR(b, db, A_OUT | A_OPT, D_NB, D_G),
    ARR(b, dX, A_OUT | A_OPT, D_B, D_T, D_I),
};

/* rnn_fwd(dbl, B, T, U, I, act, keep, go_backwards, x, W, b, dm, A, H, M, rdm, out)
 *   A [T or 1, B, U] receives h~ = act(z). */
static const arg_spec rnn_fwd_args[] = {
    ARGS_HEAD(f), ARG_P(f, keep), ARG_P(f, go_backwards),
    ARR(f, x, A_IN, D_B, D_T, D_I),
    ARR(f, W, A_IN, D_IU, D_G),
    ARR(f, b, A_IN | A_OPT, D_G),
    ARR(f, dm, A_IN | A_OPT, D_B, D_I),
    ARR(f, A, A_OUT, D_NK, D_B, D_G),
    ARR(f, H, A_OUT, D_T1, D_B, D_U),
    ARR(f, M, A_IN | A_OPT, D_T, D_B),
    ARR(f, rdm, A_IN | A_OPT, D_B, D_U),
    ARR(f, out, A_OUT | A_OPT, D_B, D_T, D_U),
};

/* rnn_bwd(dbl, B, T, U, I, act, go_backwards, x, W, dm, A, H, M, rdm, dY, dh, dW, db, dX) */
static const arg_spec rnn_bwd_args[] = {
    ARGS_HEAD(b), ARG_P(b, go_backwards),
    ARR(b, x, A_IN, D_B, D_T, D_I),
    ARR(b, W, A_IN, D_IU, D_G),
    ARR(b, dm, A_IN | A_OPT, D_B, D_I),
    ARR(b, A, A_IN, D_T, D_B, D_G),
    ARR(b, H, A_IN, D_T1, D_B, D_U),
    ARR(b, M, A_IN | A_OPT, D_T, D_B),
    ARR(b, rdm, A_IN | A_OPT, D_B, D_U),
    ARR(b, dY, A_IN | A_OPT, D_B, D_T, D_U),
    ARR(b, dh, A_OUT, D_B, D_U),
    ARR(b, dW, A_OUT | A_OPT, D_IU, D_G),
    ARR(b, db, A_OUT | A_OPT, D_G),
    ARR(b, dX, A_OUT | A_OPT, D_B, D_T, D_I),
};

#define CALL_SPEC(name, cell, bwd)                                                            \
    {#name, cell, bwd, name##_args, (int)(sizeof name##_args / sizeof name##_args[0])}
static const call_spec k_lstm_fwd = CALL_SPEC(lstm_fwd, 0, 0);
static const call_spec k_lstm_bwd = CALL_SPEC(lstm_bwd, 0, 1);
static const call_spec k_gru_fwd = CALL_SPEC(gru_fwd, 1, 0);
static const call_spec k_gru_bwd = CALL_SPEC(gru_bwd, 1, 1);
static const call_spec k_rnn_fwd = CALL_SPEC(rnn_fwd, 2, 0);
static const call_spec k_rnn_bwd = CALL_SPEC(rnn_bwd, 2, 1);

/* A flag, size or int argument into *out (int, Py_ssize_t, int), as PyArg_ParseTuple's 'p', 'n'
 * and 'i' convert them (the same errors). */
static int parse_scalar(int kind, PyObject *obj, void *out) {
    if (kind == K_P) {
        const int v = PyObject_IsTrue(obj);
        if (v < 0)
            return -1;
        *(int *)out = v;
    } else if (kind == K_N) {
        Py_ssize_t v = -1;
        PyObject *iobj = PyNumber_Index(obj);
        if (iobj != NULL) {
            v = PyLong_AsSsize_t(iobj);
            Py_DECREF(iobj);
        }
        if (v == -1 && PyErr_Occurred())
            return -1;
        *(Py_ssize_t *)out = v;
    } else {
        const long v = PyLong_AsLong(obj);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (v > INT_MAX || v < INT_MIN) {
            PyErr_SetString(PyExc_OverflowError, v > INT_MAX
                                                     ? "signed integer is greater than maximum"
                                                     : "signed integer is less than minimum");
            return -1;
        }
        *(int *)out = (int)v;
    }
    return 0;
}

static PyObject *kernel_call(const call_spec *cs, PyObject *args) {
    const Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    if (nargs != cs->nargs) {
        PyErr_Format(PyExc_TypeError, "%s() takes exactly %d arguments (%zd given)", cs->name,
                     cs->nargs, nargs);
        return NULL;
    }
    call_args c;
    memset(&c, 0, sizeof c);
    char *const base = (char *)&c;
    for (int i = 0; i < cs->nargs; i++) /* flags and sizes (they come before the arrays) */
        if (cs->args[i].kind != K_ARRAY &&
            parse_scalar(cs->args[i].kind, PyTuple_GET_ITEM(args, i), base + cs->args[i].off))
            return NULL;
    fwd_args *fa = cs->bwd ? NULL : &c.f;
    bwd_args *ba = cs->bwd ? &c.b : NULL;
    const Py_ssize_t B = ba ? ba->B : fa->B, T = ba ? ba->T : fa->T, U = ba ? ba->U : fa->U,
                     I = ba ? ba->I : fa->I;
    const int ra = ba ? ba->reset_after : fa->reset_after, keep = ba ? 1 : fa->keep;
    if (check_dims(B, T, U, I, ba ? ba->act : fa->act, ba ? ba->rec : fa->rec))
        return NULL;
    if (ba)
        ba->Bs = B;
    else
        fa->Bs = B;
    const Py_ssize_t ng = cs->cell == 0 ? 4 : cs->cell == 1 ? 3 : 1;
    Py_ssize_t dim[D_COUNT];
    dim[D_1] = 1, dim[D_B] = B, dim[D_T] = T, dim[D_T1] = T + 1, dim[D_U] = U, dim[D_I] = I;
    dim[D_IU] = I + U, dim[D_G] = ng * U, dim[D_NK] = keep ? T : 1, dim[D_NB] = ra ? 2 : 1;
    bufs bs = {.n = 0};
    for (int i = 0; i < cs->nargs; i++) {
        const arg_spec *s = &cs->args[i];
        if (s->kind != K_ARRAY)
            continue;
        const int fl = s->flags, optional = (fl & A_OPT) || ((fl & A_OPT_UNLESS_RA) && !ra);
        Py_ssize_t n = 1;
        for (int k = 0; k < 3 && n >= 0; k++) /* -1: more than any buffer can hold */
            if (__builtin_mul_overflow(n, dim[s->shape[k]], &n) || n > PY_SSIZE_T_MAX / 8)
                n = -1;
        if (n < 0) {
            bufs_release(&bs);
            PyErr_SetString(PyExc_ValueError, "_fastrnn: bad sizes");
            return NULL;
        }
        if (get_buf(&bs, PyTuple_GET_ITEM(args, i), c.dbl, n, fl & A_OUT, optional, s->name,
                    (void **)(base + s->off))) {
            bufs_release(&bs);
            return NULL;
        }
    }
    for (int i = 0; i < cs->nargs; i++) {
        const arg_spec *s = &cs->args[i];
        if ((s->flags & A_NEEDS_RA) && !ra && *(void **)(base + s->off) != NULL) {
            bufs_release(&bs);
            PyErr_Format(PyExc_ValueError, "_fastrnn: %s needs reset_after", s->name);
            return NULL;
        }
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS;
    rc = run_job(cs->cell, fa, ba, c.dbl);
    Py_END_ALLOW_THREADS;
    return finish_call(rc, &bs);
}

#define BINDING(name)                                                                         \
    static PyObject *py_##name(PyObject *self, PyObject *args) {                              \
        (void)self;                                                                           \
        return kernel_call(&k_##name, args);                                                  \
    }
BINDING(lstm_fwd)
BINDING(lstm_bwd)
BINDING(gru_fwd)
BINDING(gru_bwd)
BINDING(rnn_fwd)
BINDING(rnn_bwd)

/* gemm(dbl, at, wt, M, N, K, A, lda, W, ldw, C, ldc, accumulate, reps=1): C = op(A)·op(W)
 * (+ C) with the loops' GEMM (micro-kernel or BLAS per the options), W prepared once and the
 * product run reps times; for tests and measurements. */
static PyObject *py_gemm(PyObject *self, PyObject *args) {
    int dbl, at, wt, accumulate;
    Py_ssize_t M, N, K, lda, ldw, ldc, reps = 1;
    PyObject *oA, *oW, *oC;
    (void)self;
    if (!PyArg_ParseTuple(args, "pppnnnOnOnOnp|n", &dbl, &at, &wt, &M, &N, &K, &oA, &lda, &oW,
                          &ldw, &oC, &ldc, &accumulate, &reps))
        return NULL;
    if (M < 1 || N < 1 || K < 1 || lda < (at ? M : K) || ldw < (wt ? K : N) || ldc < N) {
        PyErr_SetString(PyExc_ValueError, "_fastrnn.gemm: bad sizes");
        return NULL;
    }
    bufs bs = {.n = 0};
    void *A, *W, *C;
    if (get_buf(&bs, oA, dbl, ((at ? K : M) - 1) * lda + (at ? M : K), 0, 0, "A", &A) ||
        get_buf(&bs, oW, dbl, ((wt ? N : K) - 1) * ldw + (wt ? K : N), 0, 0, "W", &W) ||
        get_buf(&bs, oC, dbl, (M - 1) * ldc + N, 1, 0, "C", &C)) {
        bufs_release(&bs);
        return NULL;
    }
    int rc = kernels_for(dbl)->gemm_test(at, wt, M, N, K, A, lda, W, ldw, C, ldc, accumulate,
                                         reps);
    return finish_call(rc, &bs);
}

/* activation(dbl, kind, x, y): y = the loops' activation `kind` (ACT_*) of x (flat buffers
 * of equal size), for tests. */
static PyObject *py_activation(PyObject *self, PyObject *args) {
    int dbl, kind;
    PyObject *ox, *oy;
    (void)self;
    if (!PyArg_ParseTuple(args, "piOO", &dbl, &kind, &ox, &oy))
        return NULL;
    if (kind < 0 || kind > ACT_RELU) {
        PyErr_SetString(PyExc_ValueError, "_fastrnn: bad activation code");
        return NULL;
    }
    Py_buffer probe;
    if (PyObject_GetBuffer(ox, &probe, PyBUF_C_CONTIGUOUS) < 0)
        return NULL;
    Py_ssize_t n = probe.len / (dbl ? 8 : 4);
    PyBuffer_Release(&probe);
    bufs bs = {.n = 0};
    void *x, *y;
    if (get_buf(&bs, ox, dbl, n, 0, 0, "x", &x) || get_buf(&bs, oy, dbl, n, 1, 0, "y", &y)) {
        bufs_release(&bs);
        return NULL;
    }
    kernels_for(dbl)->math_n(kind, x, y, n);
    bufs_release(&bs);
    Py_RETURN_NONE;
}

/* set_options(isa=None, gemm=None, pack_limit=None); returns the current options. */
static PyObject *py_options(PyObject *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"isa",           "gemm",           "pack_limit",
                            "threads",       "min_parallel_work", "min_chunk_rows",
                            "adaptive",      "row_block_bytes", "cold_parallel_work",
                            "spin_us",       "deterministic",  "assume_contention_us",
                            NULL};
    const char *isa = NULL, *gemm = NULL;
    Py_ssize_t pack_limit = -1, threads = -1, min_work = -1, min_rows = -1, row_block = -1;
    Py_ssize_t cold_work = -1, spin_us = -1;
    Py_ssize_t assume_us = -1;
    int adaptive = -1, deterministic = -1;
    (void)self;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|zznnnninnnin", names, &isa, &gemm,
                                     &pack_limit, &threads, &min_work, &min_rows, &adaptive,
                                     &row_block, &cold_work, &spin_us, &deterministic,
                                     &assume_us))
        return NULL;
    if (deterministic >= 0)
        g_deterministic = deterministic != 0;
    if (cold_work >= 0)
        g_cold_parallel_work = cold_work;
    if (spin_us >= 0)
        __atomic_store_n(&g_spin_ns, (int64_t)spin_us * 1000, __ATOMIC_RELAXED);
    if (row_block >= 0)
        g_row_block_bytes = row_block;
    if (adaptive >= 0) {
        g_adaptive = adaptive != 0;
        g_solo_until = 0;
        g_backoff = 0.05;
        g_lagged = 0;
    }
    if (assume_us >= 0) /* tests: the next calls run as after contention (one thread) */
        __atomic_store_n(&g_solo_until, now_ns() + (int64_t)assume_us * 1000, __ATOMIC_RELAXED);
    if (min_rows >= 0)
        g_min_chunk_rows = min_rows < 1 ? 1 : min_rows;
    if (threads >= 0)
        g_threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : (int)threads;
    if (min_work >= 0)
        g_min_parallel_work = min_work;
    if (isa) {
        const int level = isa_level(isa);
        if (level < 0) {
            PyErr_SetString(PyExc_ValueError,
                            "_fastrnn: isa is 'baseline', 'avx2', 'avx512' or 'best'");
            return NULL;
        }
        if (level == 3) { /* best: the widest, within LSTMKIT_ISA's cap */
            g_isa = best_isa();
        } else if (level > max_isa()) {
            PyErr_Format(PyExc_ValueError, "_fastrnn: this CPU has no %s",
                         level == 2 ? "AVX-512 (F, VL, BW, DQ)" : "AVX2+FMA");
            return NULL;
        } else {
            g_isa = level;
        }
    }
    if (gemm) {
        if (strcmp(gemm, "auto") == 0)
            g_gemm_mode = 0;
        else if (strcmp(gemm, "packed") == 0)
            g_gemm_mode = 1;
        else if (strcmp(gemm, "blas") == 0)
            g_gemm_mode = 2;
        else {
            PyErr_SetString(PyExc_ValueError, "_fastrnn: gemm is 'auto', 'packed' or 'blas'");
            return NULL;
        }
    }
    if (pack_limit >= 0)
        g_pack_limit = pack_limit;
    static const char *gemm_names[] = {"auto", "packed", "blas"};
    static const char *isa_names[] = {"baseline", "avx2", "avx512"};
    return Py_BuildValue("{s:s,s:s,s:n,s:i,s:n,s:n,s:L,s:n,s:O,s:O,s:n,s:O,s:O,s:s}", "isa",
                         isa_names[g_isa], "gemm", gemm_names[g_gemm_mode],
                         "pack_limit", g_pack_limit, "threads", g_threads, "min_parallel_work",
                         g_min_parallel_work, "cold_parallel_work", g_cold_parallel_work,
                         "spin_us", (long long)(g_spin_ns / 1000), "min_chunk_rows",
                         g_min_chunk_rows, "adaptive",
                         g_adaptive ? Py_True : Py_False, "deterministic",
                         g_deterministic ? Py_True : Py_False, "row_block_bytes", g_row_block_bytes,
                         "avx2_available", g_have_avx2 ? Py_True : Py_False,
                         "avx512_available", g_have_avx512 ? Py_True : Py_False, "blas",
                         g_sgemm ? g_blas_desc : "");
}

/* pool_stats(): the worker pool's threads and the calls it ran (for tests). */
static PyObject *py_pool_stats(PyObject *self, PyObject *args) {
    (void)self;
    (void)args;
    pthread_mutex_lock(&g_pool.lock);
    const int workers = g_pool.nworkers;
    pthread_mutex_unlock(&g_pool.lock);
    return Py_BuildValue("{s:i,s:L,s:L}", "workers", workers, "parallel_calls",
                         (long long)__atomic_load_n(&g_pool_calls, __ATOMIC_RELAXED),
                         "cold_calls", (long long)__atomic_load_n(&g_cold_calls, __ATOMIC_RELAXED));
}
