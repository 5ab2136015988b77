"""Which NumPy dtype float tensors are stored in.

float32, as in TF.js, unless a test switches the whole engine to float64 with `float64()`
to check gradients against finite differences at tight tolerances.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

_float_dtype: type[np.floating] = np.float32


def float_dtype() -> type[np.floating]:
    """The dtype float tensors are created in right now."""
    return _float_dtype


@contextlib.contextmanager
def float64() -> Iterator[None]:
    """Create and compute float tensors in float64 inside the block (for tests)."""
    global _float_dtype
    previous = _float_dtype
    _float_dtype = np.float64
    try:
        yield
    finally:
        _float_dtype = previous
