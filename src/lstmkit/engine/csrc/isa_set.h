/* One ISA's set of kernels: the cell math (cell.h) for float in ISA_FW lanes and one lane and
 * for double in one lane, then the kernels (kernels.h) for float and double.
 *
 * Included by fastrnn.c once per ISA, inside that ISA's target pragma, with these defined:
 *   ISA     the name suffix of the set (base, avx2, avx512): kernels_f_<ISA>, kernels_d_<ISA>
 *   ISA_FW  float lanes of the vector chunks (4, 8, 16)
 *   ISA_VB  (optional) bytes of the GEMM vectors (kernels.h's LVB; default 32)
 *   ISA_MR  (optional) rows per GEMM micro-tile (kernels.h's LMR; default 6)
 * It undefines them at the end.
 */

#define ISA_NAME_(a, b, c) a##b##_##c
#define ISA_NAME(a, b, c) ISA_NAME_(a, b, c)
#define ISA_LSUF_(t, isa) t##_##isa
#define ISA_LSUF(t, isa) ISA_LSUF_(t, isa)

#define CT float
#define CW ISA_FW
#define CSUF ISA_NAME(f, ISA_FW, ISA)
#define CFAST 1
#include "cell.h"
#undef CW
#undef CSUF
#define CW 1
#define CSUF ISA_NAME(f, 1, ISA)
#include "cell.h"
#undef CT
#undef CW
#undef CSUF
#undef CFAST
#define CT double
#define CW 1
#define CSUF ISA_NAME(d, 1, ISA)
#define CFAST 0
#include "cell.h"
#undef CT
#undef CW
#undef CSUF
#undef CFAST

#define LT float
#define LSUF ISA_LSUF(f, ISA)
#define LVEC ISA_NAME(f, ISA_FW, ISA)
#define LSCAL ISA_NAME(f, 1, ISA)
#define LVW ISA_FW
#ifdef ISA_VB
#define LVB ISA_VB
#endif
#ifdef ISA_MR
#define LMR ISA_MR
#endif
#define LBLAS blas_gemm_f
#include "kernels.h"
#undef LT
#undef LSUF
#undef LVEC
#undef LSCAL
#undef LVW
#undef LBLAS
#define LT double
#define LSUF ISA_LSUF(d, ISA)
#define LVEC ISA_NAME(d, 1, ISA)
#define LSCAL ISA_NAME(d, 1, ISA)
#define LVW 1
#ifdef ISA_VB
#define LVB ISA_VB
#endif
#ifdef ISA_MR
#define LMR ISA_MR
#endif
#define LBLAS blas_gemm_d
#include "kernels.h"
#undef LT
#undef LSUF
#undef LVEC
#undef LSCAL
#undef LVW
#undef LBLAS

#undef ISA_NAME_
#undef ISA_NAME
#undef ISA_LSUF_
#undef ISA_LSUF
#undef ISA
#undef ISA_FW
#undef ISA_VB
#undef ISA_MR
