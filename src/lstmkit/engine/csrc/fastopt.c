/* lstmkit.engine._fastopt: one compiled call for an optimizer's update of all its variables.
 *
 * Optional, like _fastrnn: lstmkit.optimizers uses it (through lstmkit.engine.native) when it
 * loads and runs its NumPy code otherwise. The per-batch update of a small model is a few thousand numbers spread over
 * several arrays; in NumPy that is a dozen array operations per variable (~30 us each for
 * Adam), more than the arithmetic. Here one call walks every variable once.
 *
 * The results are bit-identical to the NumPy code: the same operations in the same order,
 * each rounded to the array's type (division and square root are exact-rounded in IEEE, and
 * this file is built with -ffp-contract=off so that no multiply-add is fused), with the
 * Python-float constants rounded to that type first, as NumPy does with a Python scalar.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>

/* A writable or read-only C-contiguous buffer of n items of `dbl ? double : float`. */
static int take(PyObject *obj, Py_buffer *v, int dbl, Py_ssize_t n, int writable,
                const char *what, Py_ssize_t k) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, v, flags) < 0)
        return -1;
    const char *fmt = v->format ? v->format : "B";
    char want = dbl ? 'd' : 'f';
    size_t fl = strlen(fmt);
    int ok = v->itemsize == (dbl ? 8 : 4) && fl >= 1 && fl <= 2 && fmt[fl - 1] == want &&
             (fl == 1 || fmt[0] == '=' || fmt[0] == '<' || fmt[0] == '@');
    if (!ok || (n >= 0 && v->len != n * v->itemsize)) {
        PyErr_Format(PyExc_ValueError,
                     "_fastopt: %s[%zd] must be a contiguous %s array%s", what, k,
                     dbl ? "float64" : "float32", n >= 0 ? " of the variable's size" : "");
        PyBuffer_Release(v);
        return -1;
    }
    return 0;
}

#define ADAM_LOOP(T, SQRT)                                                                  \
    do {                                                                                    \
        const T b1_ = (T)b1, c1_ = (T)c1, b2_ = (T)b2, c2_ = (T)c2;                         \
        const T o1_ = (T)omb1, o2_ = (T)omb2, eps_ = (T)eps, nlr_ = (T)nlr;                 \
        const T *w = (const T *)bw.buf, *g = (const T *)bg.buf;                             \
        T *m = (T *)bm.buf, *v = (T *)bv.buf, *out = (T *)bo.buf;                           \
        for (Py_ssize_t i = 0; i < n; i++) {                                                \
            const T mi = m[i] * b1_ + g[i] * c1_;                                           \
            const T vi = v[i] * b2_ + (g[i] * g[i]) * c2_;                                  \
            m[i] = mi;                                                                      \
            v[i] = vi;                                                                      \
            const T mhat = mi / o1_, vhat = vi / o2_;                                       \
            out[i] = mhat / (SQRT(vhat) + eps_) * nlr_ + w[i];                              \
        }                                                                                   \
    } while (0)

/* adam(dbl, values, grads, ms, vs, outs, beta1, 1-beta1, beta2, 1-beta2, 1-beta1^t, 1-beta2^t,
 * epsilon, -learning_rate): for every k, m, v updated in place and outs[k] = the new value
 * (TF.js's Adam: m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
 * w + m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) * -lr). The lists have equal lengths. */
static PyObject *py_adam(PyObject *self, PyObject *args) {
    int dbl;
    PyObject *lw, *lg, *lm, *lv, *lo;
    double b1, c1, b2, c2, omb1, omb2, eps, nlr;
    (void)self;
    if (!PyArg_ParseTuple(args, "pO!O!O!O!O!dddddddd", &dbl, &PyList_Type, &lw, &PyList_Type,
                          &lg, &PyList_Type, &lm, &PyList_Type, &lv, &PyList_Type, &lo, &b1,
                          &c1, &b2, &c2, &omb1, &omb2, &eps, &nlr))
        return NULL;
    Py_ssize_t count = PyList_GET_SIZE(lw);
    if (PyList_GET_SIZE(lg) != count || PyList_GET_SIZE(lm) != count ||
        PyList_GET_SIZE(lv) != count || PyList_GET_SIZE(lo) != count) {
        PyErr_SetString(PyExc_ValueError, "_fastopt.adam: the lists differ in length");
        return NULL;
    }
    PyObject *lists[5] = {lw, lg, lm, lv, lo};
    static const char *names[5] = {"values", "grads", "ms", "vs", "outs"};
    for (Py_ssize_t k = 0; k < count; k++) {
        Py_buffer b[5];
        Py_ssize_t n = -1; /* the values' size, then required of the others */
        for (int j = 0; j < 5; j++) {
            if (take(PyList_GET_ITEM(lists[j], k), &b[j], dbl, n, j >= 2, names[j], k) < 0) {
                while (j-- > 0)
                    PyBuffer_Release(&b[j]);
                return NULL;
            }
            n = b[0].len / b[0].itemsize;
        }
        const Py_buffer bw = b[0], bg = b[1], bm = b[2], bv = b[3], bo = b[4];
        if (dbl)
            ADAM_LOOP(double, sqrt);
        else
            ADAM_LOOP(float, sqrtf);
        for (int j = 0; j < 5; j++)
            PyBuffer_Release(&b[j]);
    }
    Py_RETURN_NONE;
}

/* first_nonfinite(arrays): the index of the first array holding a NaN or an infinity, or -1.
 * Each item is a C-contiguous float32 or float64 array; one pass over all, no allocation (the
 * training steps check every updated weight and slot with it before keeping an update). */
static PyObject *py_first_nonfinite(PyObject *self, PyObject *arg) {
    (void)self;
    if (!PyList_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "_fastopt.first_nonfinite: expected a list of arrays");
        return NULL;
    }
    const Py_ssize_t count = PyList_GET_SIZE(arg);
    for (Py_ssize_t k = 0; k < count; k++) {
        Py_buffer b;
        if (PyObject_GetBuffer(PyList_GET_ITEM(arg, k), &b, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
            return NULL;
        const char *fmt = b.format ? b.format : "B";
        const char t = fmt[strlen(fmt) - 1];
        int bad = 0;
        /* the exponent bits all set: an infinity or a NaN (integer compares: vectorized) */
        if (t == 'f' && b.itemsize == 4) {
            const uint32_t *x = (const uint32_t *)b.buf;
            const Py_ssize_t n = b.len / 4;
            uint32_t any = 0;
            for (Py_ssize_t i = 0; i < n; i++)
                any |= (x[i] & 0x7f800000u) == 0x7f800000u;
            bad = any != 0;
        } else if (t == 'd' && b.itemsize == 8) {
            const uint64_t *x = (const uint64_t *)b.buf;
            const Py_ssize_t n = b.len / 8;
            uint64_t any = 0;
            for (Py_ssize_t i = 0; i < n; i++)
                any |= (x[i] & 0x7ff0000000000000ull) == 0x7ff0000000000000ull;
            bad = any != 0;
        } else {
            PyBuffer_Release(&b);
            PyErr_Format(PyExc_ValueError,
                         "_fastopt.first_nonfinite: arrays[%zd] must be float32 or float64", k);
            return NULL;
        }
        PyBuffer_Release(&b);
        if (bad)
            return PyLong_FromSsize_t(k);
    }
    return PyLong_FromLong(-1);
}

static PyMethodDef methods[] = {
    {"adam", py_adam, METH_VARARGS, "Adam's update of a list of variables."},
    {"first_nonfinite", py_first_nonfinite, METH_O,
     "The index of the first array holding a NaN or an infinity, or -1."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {
    PyModuleDef_HEAD_INIT, "_fastopt", "Compiled optimizer updates of lstmkit.", -1, methods,
    NULL,                  NULL,       NULL,                                     NULL,
};

PyMODINIT_FUNC PyInit__fastopt(void) { return PyModule_Create(&moddef); }
