/* lstmkit.engine._fastrnn: the compiled time loops of the fused recurrent kernels.
 *
 * Optional: recurrent.py uses it when it imports (unless LSTMKIT_NO_EXTENSION is set or
 * use_extension(False)), and runs its NumPy loops otherwise. One call runs a whole sequence,
 * forward or backward (BPTT), of an LSTM, GRU or SimpleRNN with built-in element-wise
 * activations: per step the GEMM [x_t | h_{t-1}]·[K; R] (input projection and recurrent term
 * at once), one fused pass over the step's element-wise work and, backward, the GEMMs of dh,
 * dx and the weight gradients. Python allocates the arrays; see recurrent.py for the math and
 * _fastrnn_loops.h for the layouts. The GIL is released during a call.
 *
 * GEMMs: a register-blocked micro-kernel on weights packed once per call (small and medium
 * shapes, where BLAS's per-call packing and overhead dominate), or the BLAS NumPy uses,
 * located at run time (blas_init) among the libraries already loaded and checked on a small
 * product; without one, the micro-kernel does everything.
 *
 * Threads: a call with enough work is split into chunks of batch rows (independent through
 * the whole sequence) run on POSIX threads; see run_job.
 *
 * Code generation: the kernels are compiled twice, for the baseline target and, on x86-64
 * with GCC or clang, for AVX2+FMA; the second set is used when the CPU has them (runtime
 * dispatch, no -march flag: the module runs on any x86-64).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#define FASTRNN_DL 1
#endif
#if defined(__linux__)
#include <link.h>
#endif

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define FASTRNN_X86 1
#endif

enum { ACT_LINEAR = 0, ACT_TANH = 1, ACT_SIGMOID = 2, ACT_HARD_SIGMOID = 3, ACT_RELU = 4 };

/* Per-step watch of a call whose GEMMs run on BLAS's threads (see run_job). */
typedef struct {
    int64_t last, min_step, ref; /* ref: the fastest step of earlier calls of this shape */
    int steps, slow_run, tripped;
} step_watch;
static void watch_step(step_watch *w);

/* B rows of a batch whose full size (the row stride of [T, B, ...] buffers and of M) is Bs;
 * the pointers are offset to the first row. */
typedef struct {
    Py_ssize_t B, Bs, T, U, I;
    int act, rec, keep, reset_after, go_backwards;
    const void *x, *W, *b, *brec, *dm, *M, *rdm;
    void *A, *H, *C, *S, *out;
    step_watch *watch;
} fwd_args;

typedef struct {
    Py_ssize_t B, Bs, T, U, I;
    int act, rec, reset_after, go_backwards;
    const void *x, *W, *dm, *A, *H, *C, *S, *M, *rdm, *dY;
    void *dh, *dc, *dW, *db, *dX;
    step_watch *watch;
} bwd_args;

typedef struct {
    int (*lstm_fwd)(const fwd_args *);
    int (*lstm_bwd)(const bwd_args *);
    int (*gru_fwd)(const fwd_args *);
    int (*gru_bwd)(const bwd_args *);
    int (*rnn_fwd)(const fwd_args *);
    int (*rnn_bwd)(const bwd_args *);
    void (*math_n)(int, const void *, void *, Py_ssize_t);
    int (*gemm_test)(int, int, Py_ssize_t, Py_ssize_t, Py_ssize_t, const void *, Py_ssize_t,
                     const void *, Py_ssize_t, void *, Py_ssize_t, int, Py_ssize_t);
} kernel_set;

/* ---- BLAS found at run time ------------------------------------------------------------ */
enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };
typedef void (*sgemm64_fn)(int, int, int, int64_t, int64_t, int64_t, float, const float *,
                           int64_t, const float *, int64_t, float, float *, int64_t);
typedef void (*dgemm64_fn)(int, int, int, int64_t, int64_t, int64_t, double, const double *,
                           int64_t, const double *, int64_t, double, double *, int64_t);
typedef void (*sgemm32_fn)(int, int, int, int, int, int, float, const float *, int,
                           const float *, int, float, float *, int);
typedef void (*dgemm32_fn)(int, int, int, int, int, int, double, const double *, int,
                           const double *, int, double, double *, int);

static void *g_sgemm = NULL, *g_dgemm = NULL;
static int g_ilp64 = 0;
static char g_blas_desc[600] = "";
/* OpenBLAS's thread count (when found beside its gemm): calls that split their batch over our
 * threads run BLAS on one thread each (see run_job). */
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
static set_threads_fn g_blas_set_threads = NULL;
static get_threads_fn g_blas_get_threads = NULL;

/* Options: gemm 0 auto, 1 always the micro-kernel, 2 BLAS whenever found; isa 0 baseline,
 * 1 AVX2+FMA (only settable when supported). */
static int g_gemm_mode = 0;
static int g_isa = 0, g_have_avx2 = 0;
/* auto: the micro-kernel when the packed weight fits this many bytes (it streams from L2;
 * measured here: on par with or ahead of OpenBLAS below, behind above, where BLAS's cache
 * blocking and threads win). */
static Py_ssize_t g_pack_limit = 640 * 1024;
/* bytes of pre-activations per row block of a forward step (0: no blocking); see row_block */
static Py_ssize_t g_row_block_bytes = 64 * 1024;

static int use_packed(size_t itemsize, Py_ssize_t M, Py_ssize_t N, Py_ssize_t K) {
    (void)M;
    if (g_sgemm == NULL || g_gemm_mode == 1)
        return 1;
    if (g_gemm_mode == 2)
        return 0;
    return (Py_ssize_t)itemsize * N * K <= g_pack_limit;
}

static void blas_gemm_f(int transa, int transb, Py_ssize_t M, Py_ssize_t N, Py_ssize_t K,
                        const float *A, Py_ssize_t lda, const float *W, Py_ssize_t ldw,
                        float beta, float *C, Py_ssize_t ldc) {
    const int ta = transa ? CBLAS_TRANS : CBLAS_NO_TRANS, tb = transb ? CBLAS_TRANS : CBLAS_NO_TRANS;
    if (g_ilp64)
        ((sgemm64_fn)g_sgemm)(CBLAS_ROW_MAJOR, ta, tb, M, N, K, 1.0f, A, lda, W, ldw, beta, C,
                              ldc);
    else
        ((sgemm32_fn)g_sgemm)(CBLAS_ROW_MAJOR, ta, tb, (int)M, (int)N, (int)K, 1.0f, A, (int)lda,
                              W, (int)ldw, beta, C, (int)ldc);
}

static void blas_gemm_d(int transa, int transb, Py_ssize_t M, Py_ssize_t N, Py_ssize_t K,
                        const double *A, Py_ssize_t lda, const double *W, Py_ssize_t ldw,
                        double beta, double *C, Py_ssize_t ldc) {
    const int ta = transa ? CBLAS_TRANS : CBLAS_NO_TRANS, tb = transb ? CBLAS_TRANS : CBLAS_NO_TRANS;
    if (g_ilp64)
        ((dgemm64_fn)g_dgemm)(CBLAS_ROW_MAJOR, ta, tb, M, N, K, 1.0, A, lda, W, ldw, beta, C,
                              ldc);
    else
        ((dgemm32_fn)g_dgemm)(CBLAS_ROW_MAJOR, ta, tb, (int)M, (int)N, (int)K, 1.0, A, (int)lda,
                              W, (int)ldw, beta, C, (int)ldc);
}

/* ---- kernel instantiations --------------------------------------------------------------- */
/* baseline: 128-bit float chunks (SSE2 on x86-64) */
#define CT float
#define CW 4
#define CSUF f4_base
#define CFAST 1
#include "fastrnn_cell.h"
#undef CW
#undef CSUF
#define CW 1
#define CSUF f1_base
#include "fastrnn_cell.h"
#undef CT
#undef CW
#undef CSUF
#undef CFAST
#define CT double
#define CW 1
#define CSUF d1_base
#define CFAST 0
#include "fastrnn_cell.h"
#undef CT
#undef CW
#undef CSUF
#undef CFAST

#define LT float
#define LSUF f_base
#define LVEC f4_base
#define LSCAL f1_base
#define LVW 4
#define LBLAS blas_gemm_f
#include "fastrnn_loops.h"
#undef LT
#undef LSUF
#undef LVEC
#undef LSCAL
#undef LVW
#undef LBLAS
#define LT double
#define LSUF d_base
#define LVEC d1_base
#define LSCAL d1_base
#define LVW 1
#define LBLAS blas_gemm_d
#include "fastrnn_loops.h"
#undef LT
#undef LSUF
#undef LVEC
#undef LSCAL
#undef LVW
#undef LBLAS

#ifdef FASTRNN_X86
#ifdef __clang__
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
#define CT float
#define CW 8
#define CSUF f8_avx2
#define CFAST 1
#include "fastrnn_cell.h"
#undef CW
#undef CSUF
#define CW 1
#define CSUF f1_avx2
#include "fastrnn_cell.h"
#undef CT
#undef CW
#undef CSUF
#undef CFAST
#define CT double
#define CW 1
#define CSUF d1_avx2
#define CFAST 0
#include "fastrnn_cell.h"
#undef CT
#undef CW
#undef CSUF
#undef CFAST

#define LT float
#define LSUF f_avx2
#define LVEC f8_avx2
#define LSCAL f1_avx2
#define LVW 8
#define LBLAS blas_gemm_f
#include "fastrnn_loops.h"
#undef LT
#undef LSUF
#undef LVEC
#undef LSCAL
#undef LVW
#undef LBLAS
#define LT double
#define LSUF d_avx2
#define LVEC d1_avx2
#define LSCAL d1_avx2
#define LVW 1
#define LBLAS blas_gemm_d
#include "fastrnn_loops.h"
#undef LT
#undef LSUF
#undef LVEC
#undef LSCAL
#undef LVW
#undef LBLAS
#ifdef __clang__
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif /* FASTRNN_X86 */

static const kernel_set *kernels_for(int dbl) {
#ifdef FASTRNN_X86
    if (g_isa == 1)
        return dbl ? &kernels_d_avx2 : &kernels_f_avx2;
#endif
    return dbl ? &kernels_d_base : &kernels_f_base;
}

/* ---- BLAS lookup ----------------------------------------------------------------------- */
typedef struct {
    const char *s, *d;
    int ilp64;
    int plain; /* an unsuffixed cblas name: accepted only from a library named like a BLAS */
} blas_names;

static const blas_names k_names[] = {
    {"scipy_cblas_sgemm64_", "scipy_cblas_dgemm64_", 1, 0},
    {"cblas_sgemm64_", "cblas_dgemm64_", 1, 0},
    {"scipy_cblas_sgemm", "scipy_cblas_dgemm", 0, 0},
    {"cblas_sgemm", "cblas_dgemm", 0, 1},
};

/* A product whose result is exact in floating point, with a transposed operand and beta = 1. */
static int blas_selftest(void) {
    float Af[3 * 5], Wf[4 * 5], Cf[3 * 4];
    double Ad[3 * 5], Wd[4 * 5], Cd[3 * 4];
    for (int i = 0; i < 15; i++) {
        Af[i] = (float)(i % 7 - 3);
        Ad[i] = Af[i];
    }
    for (int i = 0; i < 20; i++) {
        Wf[i] = (float)(i % 5 - 2);
        Wd[i] = Wf[i];
    }
    for (int i = 0; i < 12; i++) {
        Cf[i] = (float)i;
        Cd[i] = (double)i;
    }
    /* C[3,4] += A[3,5] · W^T with W [4,5] */
    blas_gemm_f(0, 1, 3, 4, 5, Af, 5, Wf, 5, 1.0f, Cf, 4);
    blas_gemm_d(0, 1, 3, 4, 5, Ad, 5, Wd, 5, 1.0, Cd, 4);
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 4; j++) {
            double want = i * 4 + j;
            for (int k = 0; k < 5; k++)
                want += (double)Af[i * 5 + k] * Wf[j * 5 + k];
            if (Cf[i * 4 + j] != (float)want || Cd[i * 4 + j] != want)
                return 0;
        }
    }
    return 1;
}

#ifdef FASTRNN_DL
static int try_handle(void *h, const char *where, int named_blas) {
    for (size_t k = 0; k < sizeof k_names / sizeof k_names[0]; k++) {
        if (k_names[k].plain && !named_blas)
            continue;
        void *s = dlsym(h, k_names[k].s), *d = dlsym(h, k_names[k].d);
        if (!s || !d)
            continue;
        g_sgemm = s;
        g_dgemm = d;
        g_ilp64 = k_names[k].ilp64;
        if (blas_selftest()) {
            snprintf(g_blas_desc, sizeof g_blas_desc, "%s (%s)", k_names[k].s, where);
            static const char *const thread_names[][2] = {
                {"scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"},
                {"openblas_set_num_threads64_", "openblas_get_num_threads64_"},
                {"scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"},
                {"openblas_set_num_threads", "openblas_get_num_threads"},
            };
            for (size_t i = 0; i < sizeof thread_names / sizeof thread_names[0]; i++) {
                void *st = dlsym(h, thread_names[i][0]), *gt = dlsym(h, thread_names[i][1]);
                if (st && gt) {
                    g_blas_set_threads = (set_threads_fn)st;
                    g_blas_get_threads = (get_threads_fn)gt;
                    break;
                }
            }
            return 1;
        }
        g_sgemm = g_dgemm = NULL;
    }
    return 0;
}

static int looks_like_blas(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strstr(base, "blas") != NULL || strstr(base, "BLAS") != NULL ||
           strstr(base, "mkl_rt") != NULL || strstr(base, "Accelerate") != NULL;
}

static int try_path(const char *path) {
    /* Only libraries that are already loaded (NumPy's): never load a new one. */
    void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD | RTLD_LOCAL);
    if (!h)
        return 0;
    if (try_handle(h, path, looks_like_blas(path)))
        return 1; /* the handle stays open: the pointers must stay valid */
    dlclose(h);
    return 0;
}

#ifdef __linux__
static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0')
        return 0;
    return try_path(info->dlpi_name);
}
#endif
#endif /* FASTRNN_DL */

static PyObject *py_blas_init(PyObject *self, PyObject *args) {
    PyObject *paths;
    (void)self;
    if (!PyArg_ParseTuple(args, "O", &paths))
        return NULL;
    if (g_sgemm == NULL) {
#ifdef FASTRNN_DL
        PyObject *seq = PySequence_Fast(paths, "blas_init: paths must be a sequence");
        if (!seq)
            return NULL;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq) && g_sgemm == NULL; i++) {
            const char *p = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i));
            if (!p) {
                Py_DECREF(seq);
                return NULL;
            }
            try_path(p);
        }
        Py_DECREF(seq);
#ifdef __linux__
        if (g_sgemm == NULL)
            dl_iterate_phdr(phdr_cb, NULL);
#endif
#endif
    }
    if (g_sgemm == NULL)
        Py_RETURN_NONE;
    return PyUnicode_FromString(g_blas_desc);
}

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

/* ---- batch-parallel runs -------------------------------------------------------------------
 * The recurrence of one batch row never reads another row, so a call can be cut into chunks
 * of rows that run with no synchronisation until the end: each thread takes a chunk (atomic
 * counter; one chunk per thread: the largest GEMMs) and runs the whole sequence on it; the
 * weight gradients of each thread go to its own buffer, summed at the end. A thread that the
 * OS has not started yet takes no chunk (the calling thread then does more). Calls are split
 * when there is enough work, with at least g_min_chunk_rows rows per chunk, and when their
 * GEMMs use the micro-kernel or a BLAS whose thread count is known (then kept at one thread;
 * other BLAS calls run BLAS's own threads). */
#define MAX_THREADS 64
static int g_threads = 1;
static Py_ssize_t g_min_chunk_rows = 8;
/* Multiply-adds of one direction of a call below which one thread does it all (the hand-over
 * to a spinning worker and the smaller GEMMs cost more than they give), and below which a
 * call does not wait for a sleeping worker to wake up (it runs alone and wakes the worker for
 * the next call). */
static Py_ssize_t g_min_parallel_work = 1000000;
static Py_ssize_t g_cold_parallel_work = 20000000;
/* Contention: when the calling thread waited long for the others at the end of two parallel
 * calls in a row (a helper ran 1.5x slower or was descheduled: another process holds its core;
 * one such call alone is often a hiccup of a virtual machine's core), the following calls run
 * on one thread until g_solo_until; the back-off doubles while contention persists (0.05 s to
 * 1 s) and resets after a parallel call that went well. */
static int64_t g_solo_until = 0; /* monotonic ns */
static double g_backoff = 0.05;
static int g_lagged = 0; /* parallel calls in a row where the caller waited long */
static int g_adaptive = 1;

static pthread_mutex_t g_blas_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_blas_owners = 0, g_blas_saved_threads = 1;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int solo_now(void) {
    return g_adaptive && now_ns() < __atomic_load_n(&g_solo_until, __ATOMIC_RELAXED);
}

static void contention_seen(int64_t now) {
    __atomic_store_n(&g_solo_until, now + (int64_t)(g_backoff * 1e9), __ATOMIC_RELAXED);
    g_backoff = g_backoff * 2 > 1.0 ? 1.0 : g_backoff * 2;
}

/* BLAS on one thread while at least one call holds it so (counted: concurrent calls). */
static void blas_one_thread_acquire(void) {
    pthread_mutex_lock(&g_blas_lock);
    if (g_blas_owners++ == 0) {
        g_blas_saved_threads = g_blas_get_threads();
        g_blas_set_threads(1);
    }
    pthread_mutex_unlock(&g_blas_lock);
}

static void blas_one_thread_release(void) {
    pthread_mutex_lock(&g_blas_lock);
    if (--g_blas_owners == 0)
        g_blas_set_threads(g_blas_saved_threads);
    pthread_mutex_unlock(&g_blas_lock);
}

/* Called at the start of every step: three steps in a row 3x slower than the fastest one of
 * this call or of earlier calls of the same shape (and over 0.3 ms) mean BLAS's threads wait
 * for a core that another process holds; the rest of the call then runs BLAS on one thread,
 * and the next calls too for a while. */
static void watch_step(step_watch *w) {
    const int64_t now = now_ns();
    if (w->steps++ > 0) {
        const int64_t d = now - w->last;
        int64_t best = w->min_step;
        if (w->ref > 0 && (w->steps == 2 || w->ref < best))
            best = w->ref;
        const int slow = (w->steps > 3 || w->ref > 0) && d > 3 * best && d > 300000;
        w->slow_run = slow ? w->slow_run + 1 : 0;
        if (w->slow_run >= 3 && !w->tripped) {
            w->tripped = 1;
            blas_one_thread_acquire();
            if (g_adaptive)
                contention_seen(now);
        }
        if (w->steps == 2 || d < w->min_step)
            w->min_step = d;
    }
    w->last = now;
}

/* The fastest step seen per call shape (a few recent shapes). */
#define N_STEP_REFS 16
static struct {
    Py_ssize_t key[6];
    int64_t best;
} g_step_refs[N_STEP_REFS];
static int g_step_ref_next = 0;
static pthread_mutex_t g_step_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t step_ref(const Py_ssize_t key[6], int64_t update) {
    int64_t best = 0;
    pthread_mutex_lock(&g_step_lock);
    int hit = -1;
    for (int i = 0; i < N_STEP_REFS && hit < 0; i++)
        if (g_step_refs[i].best > 0 && memcmp(g_step_refs[i].key, key, 6 * sizeof *key) == 0)
            hit = i;
    if (update > 0) {
        if (hit < 0) {
            hit = g_step_ref_next;
            g_step_ref_next = (g_step_ref_next + 1) % N_STEP_REFS;
            memcpy(g_step_refs[hit].key, key, 6 * sizeof *key);
            g_step_refs[hit].best = update;
        } else if (update < g_step_refs[hit].best) {
            g_step_refs[hit].best = update;
        }
    }
    if (hit >= 0)
        best = g_step_refs[hit].best;
    pthread_mutex_unlock(&g_step_lock);
    return best;
}

typedef struct {
    const kernel_set *ks;
    int kind, bwd;
    size_t item;
    Py_ssize_t ng; /* gates: the columns of A are ng*U */
    const fwd_args *fa;
    const bwd_args *ba;
    Py_ssize_t nchunks;
    int nthreads;    /* threads that may take chunks (tid < nthreads) */
    Py_ssize_t next; /* atomic: the next chunk to take */
    Py_ssize_t done; /* atomic: chunks finished */
    int rc;          /* atomic or */
    void *dW[MAX_THREADS], *db[MAX_THREADS];
} job_t;

#define OFF(p, n) ((p) ? (void *)((char *)(p) + (size_t)(n)*item) : NULL)

static void run_chunk(job_t *j, Py_ssize_t c, int tid) {
    const size_t item = j->item;
    int rc;
    if (!j->bwd) {
        fwd_args a = *j->fa;
        const Py_ssize_t B = a.B, T = a.T, U = a.U, I = a.I, G = j->ng * U;
        const Py_ssize_t b0 = c * B / j->nchunks, b1 = (c + 1) * B / j->nchunks;
        a.B = b1 - b0;
        a.Bs = B;
        a.x = OFF(a.x, b0 * T * I), a.dm = OFF(a.dm, b0 * I), a.M = OFF(a.M, b0);
        a.rdm = OFF(a.rdm, b0 * U), a.A = OFF(a.A, b0 * G), a.H = OFF(a.H, b0 * U);
        a.C = OFF(a.C, b0 * U), a.S = OFF(a.S, b0 * (j->kind == 1 ? G : U));
        a.out = OFF(a.out, b0 * T * U);
        rc = j->kind == 0 ? j->ks->lstm_fwd(&a) : j->kind == 1 ? j->ks->gru_fwd(&a)
                                                               : j->ks->rnn_fwd(&a);
    } else {
        bwd_args a = *j->ba;
        const Py_ssize_t B = a.B, T = a.T, U = a.U, I = a.I, G = j->ng * U;
        const Py_ssize_t b0 = c * B / j->nchunks, b1 = (c + 1) * B / j->nchunks;
        a.B = b1 - b0;
        a.Bs = B;
        a.x = OFF(a.x, b0 * T * I), a.dm = OFF(a.dm, b0 * I), a.M = OFF(a.M, b0);
        a.rdm = OFF(a.rdm, b0 * U), a.A = OFF(a.A, b0 * G), a.H = OFF(a.H, b0 * U);
        a.C = OFF(a.C, b0 * U), a.S = OFF(a.S, b0 * (j->kind == 1 ? G : U));
        a.dY = OFF(a.dY, b0 * T * U), a.dh = OFF(a.dh, b0 * U), a.dc = OFF(a.dc, b0 * U);
        a.dX = OFF(a.dX, b0 * T * I);
        a.dW = j->dW[tid], a.db = j->db[tid];
        rc = j->kind == 0 ? j->ks->lstm_bwd(&a) : j->kind == 1 ? j->ks->gru_bwd(&a)
                                                               : j->ks->rnn_bwd(&a);
    }
    if (rc)
        __atomic_store_n(&j->rc, rc, __ATOMIC_RELAXED);
}

static void work_loop(job_t *j, int tid) {
    for (;;) {
        Py_ssize_t c = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
        if (c >= j->nchunks)
            break;
        run_chunk(j, c, tid);
        __atomic_add_fetch(&j->done, 1, __ATOMIC_SEQ_CST);
    }
}

/* ---- the worker pool ----------------------------------------------------------------------
 * Threads that live from the first split call to the end of the process, so that a split
 * costs a hand-over of a few microseconds, not a thread start (tens of microseconds: more than
 * a small model's whole call). After a job a worker spins for g_spin_ns (the next call of a
 * training loop comes within a fraction of a millisecond), then sleeps on a condition variable.
 * One call uses the pool at a time (`owner`); a concurrent call runs on its own thread.
 * Protocol (sequentially consistent atomics throughout):
 *   caller: job = &j; gen++; wake sleepers; work_loop; wait until every chunk is done;
 *           job = NULL; wait until active == 0 (j lives on the caller's stack)
 *   worker: wait until gen changes; active++; j = job; if j: work_loop; active--
 * A worker that enters late finds no chunk left (or job == NULL) and leaves at once; one that
 * never wakes (its core busy) costs nothing: the caller takes the chunks itself. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int nworkers;     /* started (under lock) */
    job_t *job;       /* atomic */
    uint64_t gen;     /* atomic */
    int sleepers;     /* atomic */
    int active;       /* atomic */
    int owner;        /* atomic: a call is using the pool */
} g_pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL, 0, 0, 0, 0};
static int64_t g_spin_ns = 2000000;
static int64_t g_pool_calls = 0, g_cold_calls = 0; /* atomic: calls run on the pool, cold */

#define SC __ATOMIC_SEQ_CST
static int64_t now_ns(void);

static inline void cpu_relax(void) {
#ifdef FASTRNN_X86
    __builtin_ia32_pause();
#endif
}

static void *pool_worker(void *p) {
    const int tid = (int)(intptr_t)p;
    uint64_t seen = __atomic_load_n(&g_pool.gen, SC);
    for (;;) {
        uint64_t g = __atomic_load_n(&g_pool.gen, SC);
        if (g == seen) {
            const int64_t until = now_ns() + __atomic_load_n(&g_spin_ns, __ATOMIC_RELAXED);
            for (int k = 1; (g = __atomic_load_n(&g_pool.gen, SC)) == seen; k++) {
                cpu_relax();
                if (k % 256 == 0 && now_ns() > until)
                    break;
            }
            if (g == seen) {
                pthread_mutex_lock(&g_pool.lock);
                __atomic_add_fetch(&g_pool.sleepers, 1, SC);
                while ((g = __atomic_load_n(&g_pool.gen, SC)) == seen)
                    pthread_cond_wait(&g_pool.wake, &g_pool.lock);
                __atomic_sub_fetch(&g_pool.sleepers, 1, SC);
                pthread_mutex_unlock(&g_pool.lock);
            }
        }
        seen = g;
        __atomic_add_fetch(&g_pool.active, 1, SC);
        job_t *j = __atomic_load_n(&g_pool.job, SC);
        if (j && tid < j->nthreads)
            work_loop(j, tid);
        __atomic_sub_fetch(&g_pool.active, 1, SC);
    }
    return NULL;
}

/* Take the pool for a call wanting nt threads (itself included); returns the threads it may
 * use (1: the pool is busy or no worker could start). */
static int pool_acquire(int nt) {
    int expected = 0;
    if (!__atomic_compare_exchange_n(&g_pool.owner, &expected, 1, 0, SC, SC))
        return 1;
    pthread_mutex_lock(&g_pool.lock);
    while (g_pool.nworkers < nt - 1) {
        pthread_t th;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        const int rc = pthread_create(&th, &attr, pool_worker,
                                      (void *)(intptr_t)(g_pool.nworkers + 1));
        pthread_attr_destroy(&attr);
        if (rc != 0)
            break;
        g_pool.nworkers++;
    }
    const int have = g_pool.nworkers + 1;
    pthread_mutex_unlock(&g_pool.lock);
    if (have == 1)
        __atomic_store_n(&g_pool.owner, 0, SC);
    return have < nt ? have : nt;
}

static void pool_release(void) { __atomic_store_n(&g_pool.owner, 0, SC); }

static void pool_wake(void) {
    if (__atomic_load_n(&g_pool.sleepers, SC) > 0) {
        pthread_mutex_lock(&g_pool.lock);
        pthread_cond_broadcast(&g_pool.wake);
        pthread_mutex_unlock(&g_pool.lock);
    }
}

/* Whether a worker is asleep; if so it is woken with no job, so that it spins for the next
 * call (a worker woken from sleep can start a millisecond late, longer than a small call). */
static int pool_cold(void) {
    if (__atomic_load_n(&g_pool.sleepers, SC) == 0)
        return 0;
    __atomic_add_fetch(&g_pool.gen, 1, SC); /* job is NULL: the workers only wake up */
    pool_wake();
    __atomic_add_fetch(&g_cold_calls, 1, __ATOMIC_RELAXED);
    return 1;
}

/* Run job j (j->nthreads > 1) on the pool and the calling thread, then release the pool;
 * returns when the calling thread had finished the chunks it took (now_ns). */
static int64_t pool_run(job_t *j) {
    __atomic_add_fetch(&g_pool_calls, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&g_pool.job, j, SC);
    __atomic_add_fetch(&g_pool.gen, 1, SC);
    pool_wake();
    work_loop(j, 0);
    const int64_t mine = now_ns();
    for (int k = 1; __atomic_load_n(&j->done, SC) < j->nchunks; k++) {
        cpu_relax();
        if (k % 1024 == 0)
            sched_yield(); /* a helper may share this core */
    }
    __atomic_store_n(&g_pool.job, NULL, SC);
    while (__atomic_load_n(&g_pool.active, SC) > 0)
        sched_yield();
    pool_release();
    return mine;
}

/* In a child process after fork() the workers do not exist. */
static void pool_after_fork_child(void) {
    pthread_mutex_init(&g_pool.lock, NULL);
    pthread_cond_init(&g_pool.wake, NULL);
    g_pool.nworkers = 0;
    g_pool.job = NULL;
    g_pool.sleepers = 0;
    g_pool.active = 0;
    g_pool.owner = 0;
}

/* Whether a call of B rows and `work` multiply-adds per direction is split over our threads
 * (before contention is considered): with a micro-kernel GEMM, or a BLAS one whose thread
 * count we control. */
static int splittable(Py_ssize_t B, Py_ssize_t work, int packed) {
    return g_threads > 1 && (packed || g_blas_set_threads != NULL) &&
           work >= g_min_parallel_work && B / g_min_chunk_rows >= 2;
}

/* Threads and chunks for a splittable call of B rows. */
static int plan_threads(Py_ssize_t B, Py_ssize_t *nchunks) {
    int nt = g_threads;
    Py_ssize_t maxc = B / g_min_chunk_rows;
    if (solo_now()) {
        *nchunks = 1;
        return 1;
    }
    if (nt > MAX_THREADS)
        nt = MAX_THREADS;
    if (nt > maxc)
        nt = (int)maxc;
    *nchunks = nt; /* one chunk per thread: the largest GEMMs (a lagging core: see g_backoff) */
    return nt;
}

/* Run a forward (fa) or backward (ba) call of a cell kind (0 LSTM, 1 GRU, 2 SimpleRNN). */
static int run_job(int kind, const fwd_args *fa, const bwd_args *ba, int dbl) {
    job_t j;
    memset(&j, 0, sizeof j);
    j.ks = kernels_for(dbl);
    j.kind = kind;
    j.bwd = ba != NULL;
    j.item = dbl ? 8 : 4;
    j.ng = kind == 0 ? 4 : kind == 1 ? 3 : 1;
    j.fa = fa;
    j.ba = ba;
    const Py_ssize_t B = ba ? ba->B : fa->B, T = ba ? ba->T : fa->T, U = ba ? ba->U : fa->U,
                     I = ba ? ba->I : fa->I, G = j.ng * U;
    const int packed = use_packed(j.item, B, G, I + U);
    const Py_ssize_t work = T * B * G * (I + U);
    const int split = splittable(B, work, packed);
    int nt = 1;
    j.nchunks = 1;
    /* BLAS GEMMs on a machine with several threads: BLAS's own threads (the fastest when the
     * cores are free), each step timed; after a stall (or while one was seen recently) BLAS
     * runs on one thread for the time of the call (other threads of the process see it too;
     * the count is restored when the last such call ends). */
    step_watch watch = {0, 0, 0, 0, 0, 0};
    const Py_ssize_t shape_key[6] = {kind * 2 + (ba != NULL), dbl, B, T, I, U};
    fwd_args fa_w;
    bwd_args ba_w;
    int own_blas = 0, pooled = 0;
    if (split && !packed && solo_now()) {
        own_blas = 1;
        blas_one_thread_acquire();
    } else if (split && !packed) {
        watch.ref = step_ref(shape_key, 0);
        if (ba) {
            ba_w = *ba;
            ba_w.watch = &watch;
            j.ba = &ba_w;
        } else {
            fa_w = *fa;
            fa_w.watch = &watch;
            j.fa = &fa_w;
        }
    } else if (split) {
        nt = plan_threads(B, &j.nchunks);
        if (nt > 1) {
            nt = pool_acquire(nt);
            pooled = nt > 1;
            if (pooled && work < g_cold_parallel_work && pool_cold()) {
                pool_release();
                pooled = 0;
                nt = 1;
            }
            if (!pooled)
                j.nchunks = 1;
        }
    }
    Py_ssize_t ndW = 0, ndb = 0;
    if (ba) {
        ndW = ba->dW ? (I + U) * G : 0;
        ndb = ba->db ? (kind == 1 && ba->reset_after ? 2 : 1) * G : 0;
        if (ndW)
            memset(ba->dW, 0, (size_t)ndW * j.item);
        if (ndb)
            memset(ba->db, 0, (size_t)ndb * j.item);
        j.dW[0] = ba->dW;
        j.db[0] = ba->db;
        for (int t = 1; t < nt; t++) {
            j.dW[t] = ndW ? calloc((size_t)ndW, j.item) : NULL;
            j.db[t] = ndb ? calloc((size_t)ndb, j.item) : NULL;
            if ((ndW && !j.dW[t]) || (ndb && !j.db[t])) {
                nt = t; /* fewer threads */
                free(j.dW[t]);
                free(j.db[t]);
                j.dW[t] = j.db[t] = NULL;
                break;
            }
        }
    }
    j.nthreads = nt;
    if (nt > 1) {
        const int64_t t0 = now_ns(), t1 = pool_run(&j), t2 = now_ns();
        if (t2 - t1 > (t1 - t0) / 2 + 100000) { /* waited: a helper ran >1.5x slower */
            if (++g_lagged >= 2)
                contention_seen(t2);
        } else {
            g_lagged = 0;
            g_backoff = 0.05;
        }
    } else {
        if (pooled)
            pool_release();
        work_loop(&j, 0);
    }
    if (own_blas || watch.tripped)
        blas_one_thread_release();
    if (watch.steps > 1 && !watch.tripped)
        step_ref(shape_key, watch.min_step);
    for (int t = 1; t < nt && ba; t++) {
        if (dbl) {
            double *o = (double *)ba->dW, *p = (double *)j.dW[t];
            for (Py_ssize_t i = 0; i < ndW; i++)
                o[i] += p[i];
            o = (double *)ba->db, p = (double *)j.db[t];
            for (Py_ssize_t i = 0; i < ndb; i++)
                o[i] += p[i];
        } else {
            float *o = (float *)ba->dW, *p = (float *)j.dW[t];
            for (Py_ssize_t i = 0; i < ndW; i++)
                o[i] += p[i];
            o = (float *)ba->db, p = (float *)j.db[t];
            for (Py_ssize_t i = 0; i < ndb; i++)
                o[i] += p[i];
        }
        free(j.dW[t]);
        free(j.db[t]);
    }
    return j.rc;
}

#define BUF(obj, n, w, opt, field) get_buf(&bs, obj, dbl, n, w, opt, #obj, (void **)&(field))
#define RUN(kind, fa, ba)                                                                    \
    do {                                                                                     \
        int rc;                                                                              \
        Py_BEGIN_ALLOW_THREADS;                                                              \
        rc = run_job(kind, fa, ba, dbl);                                                     \
        Py_END_ALLOW_THREADS;                                                                \
        return finish_call(rc, &bs);                                                         \
    } while (0)

/* Arguments shared by every loop (see recurrent.py for the layouts):
 *   x [B, T, I]; W = [K; R] [I+U, G]; dm [B, I] or None; M [T, B] step mask (processing
 *   order) or None; rdm [B, U] or None; H [T+1, B, U] with H[0] = h0.
 * Forward: A [T (keep) or 1, B, G] receives the gate activations; out [B, T, U] or None.
 * Backward: dY [B, T, U] or None; dh (and dc) [B, U]: gradients of the final states in, of
 *   the initial states out; dW [I+U, G], db [G] ([2, G] for GRU reset_after) and
 *   dX [B, T, I] are written when not None. */

/* lstm_fwd(dbl, B, T, U, I, act, rec, keep, go_backwards, x, W, b, dm, A, H, C, S, M, rdm, out)
 *   C [T+1, B, U] cell states (C[0] = c0); S [T or 1, B, U] act(c~). */
static PyObject *py_lstm_fwd(PyObject *self, PyObject *args) {
    int dbl;
    fwd_args a = {0};
    PyObject *x, *W, *b, *dm, *A, *H, *C, *S, *M, *rdm, *out;
    (void)self;
    if (!PyArg_ParseTuple(args, "pnnnniippOOOOOOOOOOO", &dbl, &a.B, &a.T, &a.U, &a.I, &a.act,
                          &a.rec, &a.keep, &a.go_backwards, &x, &W, &b, &dm, &A, &H, &C, &S, &M,
                          &rdm, &out))
        return NULL;
    if (check_dims(a.B, a.T, a.U, a.I, a.act, a.rec))
        return NULL;
    a.Bs = a.B;
    const Py_ssize_t B = a.B, T = a.T, U = a.U, I = a.I, G = 4 * U, nk = a.keep ? T : 1;
    bufs bs = {.n = 0};
    if (BUF(x, B * T * I, 0, 0, a.x) || BUF(W, (I + U) * G, 0, 0, a.W) ||
        BUF(b, G, 0, 1, a.b) || BUF(dm, B * I, 0, 1, a.dm) || BUF(A, nk * B * G, 1, 0, a.A) ||
        BUF(H, (T + 1) * B * U, 1, 0, a.H) || BUF(C, (T + 1) * B * U, 1, 0, a.C) ||
        BUF(S, nk * B * U, 1, 0, a.S) || BUF(M, T * B, 0, 1, a.M) ||
        BUF(rdm, B * U, 0, 1, a.rdm) || BUF(out, B * T * U, 1, 1, a.out)) {
        bufs_release(&bs);
        return NULL;
    }
    RUN(0, &a, NULL);
}

/* lstm_bwd(dbl, B, T, U, I, act, rec, go_backwards, x, W, dm, A, H, C, S, M, rdm, dY, dh, dc,
 *          dW, db, dX) */
static PyObject *py_lstm_bwd(PyObject *self, PyObject *args) {
    int dbl;
    bwd_args a = {0};
    PyObject *x, *W, *dm, *A, *H, *C, *S, *M, *rdm, *dY, *dh, *dc, *dW, *db, *dX;
    (void)self;
    if (!PyArg_ParseTuple(args, "pnnnniipOOOOOOOOOOOOOOO", &dbl, &a.B, &a.T, &a.U, &a.I, &a.act,
                          &a.rec, &a.go_backwards, &x, &W, &dm, &A, &H, &C, &S, &M, &rdm, &dY,
                          &dh, &dc, &dW, &db, &dX))
        return NULL;
    if (check_dims(a.B, a.T, a.U, a.I, a.act, a.rec))
        return NULL;
    a.Bs = a.B;
    const Py_ssize_t B = a.B, T = a.T, U = a.U, I = a.I, G = 4 * U;
    bufs bs = {.n = 0};
    if (BUF(x, B * T * I, 0, 0, a.x) || BUF(W, (I + U) * G, 0, 0, a.W) ||
        BUF(dm, B * I, 0, 1, a.dm) || BUF(A, T * B * G, 0, 0, a.A) ||
        BUF(H, (T + 1) * B * U, 0, 0, a.H) || BUF(C, (T + 1) * B * U, 0, 0, a.C) ||
        BUF(S, T * B * U, 0, 0, a.S) || BUF(M, T * B, 0, 1, a.M) ||
        BUF(rdm, B * U, 0, 1, a.rdm) || BUF(dY, B * T * U, 0, 1, a.dY) ||
        BUF(dh, B * U, 1, 0, a.dh) || BUF(dc, B * U, 1, 0, a.dc) ||
        BUF(dW, (I + U) * G, 1, 1, a.dW) || BUF(db, G, 1, 1, a.db) ||
        BUF(dX, B * T * I, 1, 1, a.dX)) {
        bufs_release(&bs);
        return NULL;
    }
    RUN(0, NULL, &a);
}

/* gru_fwd(dbl, B, T, U, I, act, rec, reset_after, keep, go_backwards, x, W, b, brec, dm, A, H,
 *         ZH, M, rdm, out)
 *   b [G] input-side bias, brec [G] recurrent bias (reset_after only) or None;
 *   ZH [T or 1, B, G]: zh = hd·R + brec (reset_after) or None. */
static PyObject *py_gru_fwd(PyObject *self, PyObject *args) {
    int dbl;
    fwd_args a = {0};
    PyObject *x, *W, *b, *brec, *dm, *A, *H, *ZH, *M, *rdm, *out;
    (void)self;
    if (!PyArg_ParseTuple(args, "pnnnniipppOOOOOOOOOOO", &dbl, &a.B, &a.T, &a.U, &a.I, &a.act,
                          &a.rec, &a.reset_after, &a.keep, &a.go_backwards, &x, &W, &b, &brec,
                          &dm, &A, &H, &ZH, &M, &rdm, &out))
        return NULL;
    if (check_dims(a.B, a.T, a.U, a.I, a.act, a.rec))
        return NULL;
    a.Bs = a.B;
    const Py_ssize_t B = a.B, T = a.T, U = a.U, I = a.I, G = 3 * U, nk = a.keep ? T : 1;
    const int ra = a.reset_after;
    bufs bs = {.n = 0};
    if (BUF(x, B * T * I, 0, 0, a.x) || BUF(W, (I + U) * G, 0, 0, a.W) ||
        BUF(b, G, 0, 1, a.b) || BUF(brec, G, 0, 1, a.brec) || BUF(dm, B * I, 0, 1, a.dm) ||
        BUF(A, nk * B * G, 1, 0, a.A) || BUF(H, (T + 1) * B * U, 1, 0, a.H) ||
        BUF(ZH, nk * B * G, 1, !ra, a.S) || BUF(M, T * B, 0, 1, a.M) ||
        BUF(rdm, B * U, 0, 1, a.rdm) || BUF(out, B * T * U, 1, 1, a.out)) {
        bufs_release(&bs);
        return NULL;
    }
    if (a.brec && !ra) {
        bufs_release(&bs);
        PyErr_SetString(PyExc_ValueError, "_fastrnn: brec needs reset_after");
        return NULL;
    }
    RUN(1, &a, NULL);
}

/* gru_bwd(dbl, B, T, U, I, act, rec, reset_after, go_backwards, x, W, dm, A, H, ZH, M, rdm, dY,
 *         dh, dW, db, dX) */
static PyObject *py_gru_bwd(PyObject *self, PyObject *args) {
    int dbl;
    bwd_args a = {0};
    PyObject *x, *W, *dm, *A, *H, *ZH, *M, *rdm, *dY, *dh, *dW, *db, *dX;
    (void)self;
    if (!PyArg_ParseTuple(args, "pnnnniippOOOOOOOOOOOOO", &dbl, &a.B, &a.T, &a.U, &a.I, &a.act,
                          &a.rec, &a.reset_after, &a.go_backwards, &x, &W, &dm, &A, &H, &ZH, &M,
                          &rdm, &dY, &dh, &dW, &db, &dX))
        return NULL;
    if (check_dims(a.B, a.T, a.U, a.I, a.act, a.rec))
        return NULL;
    a.Bs = a.B;
    const Py_ssize_t B = a.B, T = a.T, U = a.U, I = a.I, G = 3 * U;
    const int ra = a.reset_after;
    bufs bs = {.n = 0};
    if (BUF(x, B * T * I, 0, 0, a.x) || BUF(W, (I + U) * G, 0, 0, a.W) ||
        BUF(dm, B * I, 0, 1, a.dm) || BUF(A, T * B * G, 0, 0, a.A) ||
        BUF(H, (T + 1) * B * U, 0, 0, a.H) || BUF(ZH, T * B * G, 0, !ra, a.S) ||
        BUF(M, T * B, 0, 1, a.M) || BUF(rdm, B * U, 0, 1, a.rdm) ||
        BUF(dY, B * T * U, 0, 1, a.dY) || BUF(dh, B * U, 1, 0, a.dh) ||
        BUF(dW, (I + U) * G, 1, 1, a.dW) || BUF(db, (ra ? 2 : 1) * G, 1, 1, a.db) ||
        BUF(dX, B * T * I, 1, 1, a.dX)) {
        bufs_release(&bs);
        return NULL;
    }
    RUN(1, NULL, &a);
}

/* rnn_fwd(dbl, B, T, U, I, act, keep, go_backwards, x, W, b, dm, A, H, M, rdm, out)
 *   A [T or 1, B, U] receives h~ = act(z). */
static PyObject *py_rnn_fwd(PyObject *self, PyObject *args) {
    int dbl;
    fwd_args a = {0};
    PyObject *x, *W, *b, *dm, *A, *H, *M, *rdm, *out;
    (void)self;
    if (!PyArg_ParseTuple(args, "pnnnnippOOOOOOOOO", &dbl, &a.B, &a.T, &a.U, &a.I, &a.act,
                          &a.keep, &a.go_backwards, &x, &W, &b, &dm, &A, &H, &M, &rdm, &out))
        return NULL;
    if (check_dims(a.B, a.T, a.U, a.I, a.act, 0))
        return NULL;
    a.Bs = a.B;
    const Py_ssize_t B = a.B, T = a.T, U = a.U, I = a.I, nk = a.keep ? T : 1;
    bufs bs = {.n = 0};
    if (BUF(x, B * T * I, 0, 0, a.x) || BUF(W, (I + U) * U, 0, 0, a.W) ||
        BUF(b, U, 0, 1, a.b) || BUF(dm, B * I, 0, 1, a.dm) || BUF(A, nk * B * U, 1, 0, a.A) ||
        BUF(H, (T + 1) * B * U, 1, 0, a.H) || BUF(M, T * B, 0, 1, a.M) ||
        BUF(rdm, B * U, 0, 1, a.rdm) || BUF(out, B * T * U, 1, 1, a.out)) {
        bufs_release(&bs);
        return NULL;
    }
    RUN(2, &a, NULL);
}

/* rnn_bwd(dbl, B, T, U, I, act, go_backwards, x, W, dm, A, H, M, rdm, dY, dh, dW, db, dX) */
static PyObject *py_rnn_bwd(PyObject *self, PyObject *args) {
    int dbl;
    bwd_args a = {0};
    PyObject *x, *W, *dm, *A, *H, *M, *rdm, *dY, *dh, *dW, *db, *dX;
    (void)self;
    if (!PyArg_ParseTuple(args, "pnnnnipOOOOOOOOOOOO", &dbl, &a.B, &a.T, &a.U, &a.I, &a.act,
                          &a.go_backwards, &x, &W, &dm, &A, &H, &M, &rdm, &dY, &dh, &dW, &db,
                          &dX))
        return NULL;
    if (check_dims(a.B, a.T, a.U, a.I, a.act, 0))
        return NULL;
    a.Bs = a.B;
    const Py_ssize_t B = a.B, T = a.T, U = a.U, I = a.I;
    bufs bs = {.n = 0};
    if (BUF(x, B * T * I, 0, 0, a.x) || BUF(W, (I + U) * U, 0, 0, a.W) ||
        BUF(dm, B * I, 0, 1, a.dm) || BUF(A, T * B * U, 0, 0, a.A) ||
        BUF(H, (T + 1) * B * U, 0, 0, a.H) || BUF(M, T * B, 0, 1, a.M) ||
        BUF(rdm, B * U, 0, 1, a.rdm) || BUF(dY, B * T * U, 0, 1, a.dY) ||
        BUF(dh, B * U, 1, 0, a.dh) || BUF(dW, (I + U) * U, 1, 1, a.dW) ||
        BUF(db, U, 1, 1, a.db) || BUF(dX, B * T * I, 1, 1, a.dX)) {
        bufs_release(&bs);
        return NULL;
    }
    RUN(2, NULL, &a);
}

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
                            "spin_us",       NULL};
    const char *isa = NULL, *gemm = NULL;
    Py_ssize_t pack_limit = -1, threads = -1, min_work = -1, min_rows = -1, row_block = -1;
    Py_ssize_t cold_work = -1, spin_us = -1;
    int adaptive = -1;
    (void)self;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|zznnnninnn", names, &isa, &gemm, &pack_limit,
                                     &threads, &min_work, &min_rows, &adaptive, &row_block,
                                     &cold_work, &spin_us))
        return NULL;
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
    if (min_rows >= 0)
        g_min_chunk_rows = min_rows < 1 ? 1 : min_rows;
    if (threads >= 0)
        g_threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : (int)threads;
    if (min_work >= 0)
        g_min_parallel_work = min_work;
    if (isa) {
        if (strcmp(isa, "baseline") == 0) {
            g_isa = 0;
        } else if (strcmp(isa, "avx2") == 0) {
            if (!g_have_avx2) {
                PyErr_SetString(PyExc_ValueError, "_fastrnn: this CPU has no AVX2+FMA");
                return NULL;
            }
            g_isa = 1;
        } else if (strcmp(isa, "best") == 0) {
            g_isa = g_have_avx2;
        } else {
            PyErr_SetString(PyExc_ValueError, "_fastrnn: isa is 'baseline', 'avx2' or 'best'");
            return NULL;
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
    return Py_BuildValue("{s:s,s:s,s:n,s:i,s:n,s:n,s:n,s:L,s:O,s:n,s:O,s:s}", "isa",
                         g_isa ? "avx2" : "baseline", "gemm", gemm_names[g_gemm_mode],
                         "pack_limit", g_pack_limit, "threads", g_threads, "min_parallel_work",
                         g_min_parallel_work, "cold_parallel_work", g_cold_parallel_work,
                         "spin_us", (long long)(g_spin_ns / 1000), "min_chunk_rows",
                         g_min_chunk_rows, "adaptive",
                         g_adaptive ? Py_True : Py_False, "row_block_bytes", g_row_block_bytes,
                         "avx2_available", g_have_avx2 ? Py_True : Py_False, "blas",
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

static PyMethodDef methods[] = {
    {"pool_stats", py_pool_stats, METH_NOARGS, "The worker pool's threads and calls."},
    {"blas_init", py_blas_init, METH_VARARGS, "Locate a BLAS among these (loaded) libraries."},
    {"options", (PyCFunction)(void (*)(void))py_options, METH_VARARGS | METH_KEYWORDS,
     "Set/get options: isa ('baseline', 'avx2', 'best'), gemm ('auto', 'packed', 'blas')."},
    {"lstm_fwd", py_lstm_fwd, METH_VARARGS, "LSTM forward over a sequence."},
    {"lstm_bwd", py_lstm_bwd, METH_VARARGS, "LSTM BPTT over a sequence."},
    {"gru_fwd", py_gru_fwd, METH_VARARGS, "GRU forward over a sequence."},
    {"gru_bwd", py_gru_bwd, METH_VARARGS, "GRU BPTT over a sequence."},
    {"rnn_fwd", py_rnn_fwd, METH_VARARGS, "SimpleRNN forward over a sequence."},
    {"rnn_bwd", py_rnn_bwd, METH_VARARGS, "SimpleRNN BPTT over a sequence."},
    {"activation", py_activation, METH_VARARGS, "The loops' activations (for tests)."},
    {"gemm", py_gemm, METH_VARARGS, "The loops' GEMM (for tests)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {
    PyModuleDef_HEAD_INIT,
    "_fastrnn",
    "Compiled time loops of lstmkit's fused recurrent kernels.",
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC PyInit__fastrnn(void) {
#ifdef FASTRNN_X86
    __builtin_cpu_init();
    g_have_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    g_isa = g_have_avx2;
    pthread_atfork(NULL, NULL, pool_after_fork_child);
    return PyModule_Create(&moddef);
}
