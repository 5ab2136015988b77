/* lstmkit.engine._fastrnn: the compiled time loops of the fused recurrent kernels.
 *
 * Optional: lstmkit.engine.native loads it (unless LSTMKIT_NO_EXTENSION is set or
 * use_extension(False)) and lstmkit.engine.rnn runs its NumPy loops otherwise. One call runs a
 * whole sequence, forward or backward (BPTT), of an LSTM, GRU or SimpleRNN with built-in
 * element-wise activations: per step the GEMM [x_t | h_{t-1}]·[K; R] (input projection and
 * recurrent term at once), one fused pass over the step's element-wise work and, backward, the
 * GEMMs of dh, dx and the weight gradients. Python allocates the arrays; see lstmkit.engine.rnn
 * (MATH.md) for the math and kernels.h for the layouts. The GIL is released during a call.
 *
 * GEMMs: a register-blocked micro-kernel on weights packed once per call (small and medium
 * shapes, where BLAS's per-call packing and overhead dominate), or the BLAS NumPy uses,
 * located at run time (blas_init) among the libraries already loaded and checked on a small
 * product; without one, the micro-kernel does everything.
 *
 * Threads: a call with enough work is split into chunks of batch rows (independent through
 * the whole sequence) run on POSIX threads; see run_job.
 *
 * Code generation: the kernels are compiled three times, for the baseline target and, on
 * x86-64 with GCC or clang, for AVX2+FMA and for AVX-512 (F, VL, BW, DQ); the widest set the
 * CPU has is used (runtime dispatch, no -march flag: the module runs on any x86-64), unless
 * LSTMKIT_ISA (baseline, avx2, avx512) caps it.
 *
 * One translation unit (every function static, the kernels inlined into their loops); this
 * file holds the shared types, the instantiations and the module, and includes in order:
 *   blas.h      BLAS located at run time (dlopen), the ?gemm wrappers, blas_init, use_packed
 *   isa_set.h   one ISA's set: the cell math and the kernels for float and double, via
 *   kernels.h   one instantiation of the kernels per (type, ISA), including
 *     gemm.h      the packed-panel micro-kernel and the GEMM entry points of the loops
 *     steps.h     per-step helpers and element-wise passes over a step's rows
 *     loops.h     the time loops of LSTM, GRU and SimpleRNN, forward and backward
 *   cell.h      element-wise cell math per chunk of units (one instantiation per lane count)
 *   pool.h      run_job: batch chunks on the persistent worker pool, BLAS's threads watched
 *   bindings.h  the Python functions; lstm_fwd ... rnn_bwd from a table of their arguments
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
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

/* The activation codes of the loops (the `code` of lstmkit.engine.rnn.activations). */
typedef enum {
    ACT_LINEAR = 0,
    ACT_TANH = 1,
    ACT_SIGMOID = 2,
    ACT_HARD_SIGMOID = 3,
    ACT_RELU = 4
} act_t;

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

/* Options of the kernels: isa 0 baseline, 1 AVX2+FMA, 2 AVX-512 (each only settable when the
 * CPU and the OS support it; LSTMKIT_ISA caps the level at import); the GEMM choice is in
 * blas.h, the threads in pool.h. */
static int g_isa = 0, g_have_avx2 = 0, g_have_avx512 = 0;
#ifndef LSTMKIT_AVX512_MR
#define LSTMKIT_AVX512_MR 8 /* rows per GEMM micro-tile of the AVX-512 set */
#endif

/* 'baseline' 0, 'avx2' 1, 'avx512' 2, 'best' (and "") the CPU's widest; -1: not a level */
static int isa_level(const char *name) {
    if (strcmp(name, "baseline") == 0)
        return 0;
    if (strcmp(name, "avx2") == 0)
        return 1;
    if (strcmp(name, "avx512") == 0)
        return 2;
    if (strcmp(name, "best") == 0 || name[0] == 0)
        return 3;
    return -1;
}

/* The widest level the CPU (and the OS's saved register state) supports. */
static int max_isa(void) { return g_have_avx512 ? 2 : g_have_avx2 ? 1 : 0; }

/* The level a call runs at by default (and for 'best'): AVX2 at most, as AVX-512 is opt-in
 * (LSTMKIT_ISA=avx512 or options(isa='avx512')) until its set has been measured on an AVX-512
 * host (issue 15); LSTMKIT_ISA (read at import) also caps it lower. An unknown value caps
 * nothing here: lstmkit.engine.native refuses it with the known names. */
static int best_isa(void) {
    const char *want = getenv("LSTMKIT_ISA");
    const int level = want ? isa_level(want) : 3;
    const int best = max_isa();
    if (level == 2 && best == 2)
        return 2;
    const int safe = best < 1 ? best : 1;
    return level >= 0 && level < safe ? level : safe;
}
/* bytes of pre-activations per row block of a forward step (0: no blocking); see row_block */
static Py_ssize_t g_row_block_bytes = 64 * 1024;

#include "blas.h"


/* ---- kernel instantiations --------------------------------------------------------------- */
/* baseline: 128-bit float chunks (SSE2 on x86-64) */
#define ISA base
#define ISA_FW 4
#include "isa_set.h"

#ifdef FASTRNN_X86
#ifdef __clang__
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
#define ISA avx2
#define ISA_FW 8
#include "isa_set.h"
#ifdef __clang__
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

/* AVX-512 (F, VL, BW, DQ): 512-bit float chunks, a 2 x 16-lane GEMM panel, taller micro-tiles
 * (32 vector registers); double as in the AVX2 set, on the wider registers. */
#ifdef LSTMKIT_WIDE_ON_AVX2
/* A test build (-DLSTMKIT_WIDE_ON_AVX2): the same wide set compiled for AVX2 (each 512-bit
 * vector operation becomes two 256-bit ones) and offered as 'avx512' on AVX2 hosts, so the
 * set's logic (16-lane chunks, 32-wide panels, taller tiles and their tails) is tested on
 * machines without AVX-512. */
#ifdef __clang__
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
#else
#ifdef __clang__
#pragma clang attribute push(                                                             \
    __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")
#endif
#endif
#define ISA avx512
#define ISA_FW 16
#define ISA_VB 64
#define ISA_MR LSTMKIT_AVX512_MR
#include "isa_set.h"
#ifdef __clang__
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif /* FASTRNN_X86 */

static const kernel_set *kernels_for(int dbl) {
#ifdef FASTRNN_X86
    if (g_isa == 2)
        return dbl ? &kernels_d_avx512 : &kernels_f_avx512;
    if (g_isa == 1)
        return dbl ? &kernels_d_avx2 : &kernels_f_avx2;
#endif
    return dbl ? &kernels_d_base : &kernels_f_base;
}

#include "pool.h"

#include "bindings.h"

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
    g_have_avx512 = g_have_avx2 && __builtin_cpu_supports("avx512f") &&
                    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
                    __builtin_cpu_supports("avx512dq");
#ifdef LSTMKIT_WIDE_ON_AVX2
    g_have_avx512 = g_have_avx2;
#endif
#endif
    g_isa = best_isa();
    pthread_atfork(NULL, NULL, pool_after_fork_child);
    return PyModule_Create(&moddef);
}
