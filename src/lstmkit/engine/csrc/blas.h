/* The BLAS of the kernels (included by fastrnn.c): located at run time, never linked.
 *
 * blas_init looks for cblas_?gemm (ILP64 or LP64 names, SciPy-OpenBLAS's prefixed ones first)
 * among the libraries that are already loaded, those NumPy ships first (dlopen RTLD_NOLOAD:
 * no library is ever loaded here), and keeps the first pair that computes a small product
 * exactly (blas_selftest). With OpenBLAS its thread-count calls are kept too (pool.h runs BLAS
 * on one thread in calls split over our threads). Without a BLAS the micro-kernel of gemm.h
 * does every product. use_packed chooses between the two for a weight.
 */

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

/* Options: gemm 0 auto, 1 always the micro-kernel, 2 BLAS whenever found. */
static int g_gemm_mode = 0;
/* auto: the micro-kernel when the packed weight fits this many bytes (it streams from L2;
 * measured here: on par with or ahead of OpenBLAS below, behind above, where BLAS's cache
 * blocking and threads win). */
static Py_ssize_t g_pack_limit = 640 * 1024;

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
