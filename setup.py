"""Build the optional compiled parts: the fused recurrent kernels' time loops, optimizer updates.

Everything else about the package is in pyproject.toml. The extension is optional: when it
cannot be built (no C compiler, an unsupported one) the install still succeeds and
lstmkit.engine.rnn runs its NumPy loops. No NumPy headers are needed (the module takes
arrays through the buffer protocol) and no -march flag is used: AVX2+FMA code is compiled
beside the baseline code and chosen at run time.
"""

import sys

from setuptools import Extension, setup

_DIR = "src/lstmkit/engine/csrc/"
_ARGS = [] if sys.platform == "win32" else ["-O3", "-fno-strict-aliasing"]
_EXACT = ["-ffp-contract=off", "-fno-math-errno"]

setup(
    ext_modules=[
        Extension(
            "lstmkit.engine._fastrnn",
            sources=[_DIR + "fastrnn.c"],
            # one translation unit: fastrnn.c includes these (its first comment maps them)
            depends=[
                _DIR + h
                for h in (
                    "blas.h",
                    "kernels.h",
                    "gemm.h",
                    "steps.h",
                    "loops.h",
                    "cell.h",
                    "pool.h",
                    "bindings.h",
                )
            ],
            extra_compile_args=_ARGS,
            optional=True,
        ),
        Extension(
            "lstmkit.engine._fastopt",
            sources=[_DIR + "fastopt.c"],
            # no fused multiply-add: the update must round exactly as the NumPy code does
            extra_compile_args=_ARGS + ([] if sys.platform == "win32" else _EXACT),
            optional=True,
        ),
    ]
)
