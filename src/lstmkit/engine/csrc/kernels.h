/* One instantiation of the kernels for a scalar type and an ISA: GEMM, per-step passes, loops.
 *
 * Included by isa_set.h once per (ISA, type) with these macros defined:
 *   LT     float or double
 *   LSUF   name suffix of this instantiation (e.g. f_avx2)
 *   LVEC   suffix of the cell-chunk functions of LVW lanes (cell.h)
 *   LSCAL  suffix of the one-lane cell-chunk functions
 *   LVW    lanes of the LVEC chunks
 *   LBLAS  the BLAS ?gemm wrapper of blas.h for LT
 *   LVB    (optional) bytes of the GEMM vectors: 32 (default) or 64 (AVX-512)
 *   LMR    (optional) rows per GEMM micro-tile: 6 (default) up to 12
 * It defines LF(kernels), the kernel_set of the instantiation, and undefines its own macros.
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
 *   gemm.h   C (+)= op(A)·W: the packed-panel micro-kernel, or BLAS (wmat, mm, mm_bias)
 *   steps.h  per-step helpers and the element-wise passes over a step's rows (cell.h per row)
 *   loops.h  the time loops of LSTM, GRU and SimpleRNN, forward and backward; kernel_set
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

#include "gemm.h"
#include "steps.h"
#include "loops.h"

#undef SRC
#undef MROW
#undef ACT_DISPATCH
#undef RINL
#undef MASK_M
#undef MK_TAIL
#undef MK_CASES_HI
#undef LVB
#undef LMR
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
