/* The float32 FMA peak of one core per ISA level (bench/fma_peak.py compiles and loads it).
 *
 * Written as the kernels' GEMM micro-kernel is (engine/csrc/gemm.h): GCC vector extensions, a
 * multiply and an add in one expression, which the compiler fuses into one FMA where the target
 * has it, and one function per level, the wider ones under __attribute__((target(...))) so a
 * baseline build still holds them. Each function runs NACC independent chains
 *     acc[i] = acc[i] * m + c
 * for `iters` iterations. The accumulator is one factor of its own product, so nothing can be
 * hoisted out of the loop or shared between chains (with `acc += a * b` and both factors
 * loop-invariant the compiler would compute a * b once and time additions). m is just below 1
 * and c small: every chain converges to c / (1 - m), with no overflow and no subnormal.
 * NACC chains cover the FMA latency x throughput of the cores we meet (4 cycles x 2 pipes = 8
 * on Zen 3/4/5 and Skylake-X); 12 fit the 16 vector registers of SSE2 and AVX2 beside m and c,
 * AVX-512's 32 registers take 24. Each function returns the sum of its lanes, so the loop's
 * result is used and cannot be dropped.
 *
 * Flops per iteration: NACC * lanes * 2 (one multiply and one add per lane, fused or not). The
 * baseline (128-bit SSE2) has no FMA: a separate multiply and add, still 2 flops per lane.
 */

#include <stddef.h>

#define NACC 12
#define NACC512 24

#define CHAINS(T, LANES, N, ITERS)                                                            \
    T acc[N];                                                                                 \
    const T m = (T){0} + 0.999999f, c = (T){0} + 1e-6f;                                       \
    for (int i = 0; i < (N); i++)                                                             \
        acc[i] = (T){0} + (float)(i + 1) * 0.01f;                                             \
    for (long it = 0; it < (ITERS); it++) {                                                   \
        _Pragma("GCC unroll 32") for (int i = 0; i < (N); i++) acc[i] = acc[i] * m + c;       \
    }                                                                                         \
    float s = 0.0f;                                                                           \
    for (int i = 0; i < (N); i++)                                                             \
        for (int l = 0; l < (LANES); l++)                                                     \
            s += acc[i][l];                                                                   \
    return s;

typedef float v4 __attribute__((vector_size(16)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v16 __attribute__((vector_size(64)));

/* lanes * chains of each level: flops per iteration = 2 * this */
int fma_peak_chains(int level) {
    switch (level) {
    case 0:
        return 4 * NACC;
    case 1:
        return 8 * NACC;
    case 2:
        return 16 * NACC512;
    default:
        return 0;
    }
}

/* level 0: baseline x86-64 (SSE2, 128-bit), multiply + add */
float fma_peak_baseline(long iters) { CHAINS(v4, 4, NACC, iters) }

#if defined(__x86_64__) || defined(__i386__)

/* level 1: AVX2 + FMA, 256-bit */
__attribute__((target("avx2,fma"))) float fma_peak_avx2(long iters) {
    CHAINS(v8, 8, NACC, iters)
}

/* level 2: AVX-512F, 512-bit */
__attribute__((target("avx512f"))) float fma_peak_avx512(long iters) {
    CHAINS(v16, 16, NACC512, iters)
}

/* 1 when the CPU has the level, as the compiler runtime sees it (the extension asks the same) */
int fma_peak_supported(int level) {
    __builtin_cpu_init();
    switch (level) {
    case 0:
        return 1;
    case 1:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case 2:
        return __builtin_cpu_supports("avx512f");
    default:
        return 0;
    }
}

int fma_peak_x86(void) { return 1; }

#else /* not x86: only the generic 128-bit level, whatever the compiler makes of it */

float fma_peak_avx2(long iters) { return (float)iters * 0.0f; }
float fma_peak_avx512(long iters) { return (float)iters * 0.0f; }
int fma_peak_supported(int level) { return level == 0; }
int fma_peak_x86(void) { return 0; }

#endif
