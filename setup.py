"""Build the optional compiled time loops of the fused recurrent kernels.

Everything else about the package is in pyproject.toml. The extension is optional: when it
cannot be built (no C compiler, an unsupported one) the install still succeeds and
lstmkit.autograd.recurrent runs its NumPy loops. No NumPy headers are needed (the module takes
arrays through the buffer protocol) and no -march flag is used: AVX2+FMA code is compiled
beside the baseline code and chosen at run time.
"""

import sys

from setuptools import Extension, setup

_DIR = "src/lstmkit/autograd/"
_ARGS = [] if sys.platform == "win32" else ["-O3", "-fno-strict-aliasing"]

setup(
    ext_modules=[
        Extension(
            "lstmkit.autograd._fastrnn",
            sources=[_DIR + "_fastrnn.c"],
            depends=[_DIR + "_fastrnn_cell.h", _DIR + "_fastrnn_loops.h"],
            extra_compile_args=_ARGS,
            optional=True,
        )
    ]
)
