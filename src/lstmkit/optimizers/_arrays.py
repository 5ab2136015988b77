"""Small array helpers the optimizers share: gradients, slots, float32 scalars, the compiled path.

Kept apart from `base` so each optimizer file imports only what its update uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _precision
from ..engine import native
from ..engine.api import Variable
from ..tensor import Tensor


def named(item: Any, allow_variable: bool = False) -> tuple[Any, Any]:
    """A `(name, value)` pair from a pair or a TF.js `{"name", "tensor"}` dict."""
    if isinstance(item, Mapping) and "name" in item:
        return item["name"], item.get("tensor")
    if isinstance(item, (tuple, list)) and len(item) == 2:
        key = item[0]
        if isinstance(key, str) or (allow_variable and isinstance(key, Variable)):
            return key, item[1]
    expected = "(Variable or name, gradient)" if allow_variable else "(name, value)"
    raise ValueError(f"expected {expected} pairs or {{'name', 'tensor'}} dicts, got {item!r}.")


def slot_array(x: Any) -> np.ndarray:
    """A restored slot as a fresh array of the current float dtype."""
    data = x._data if isinstance(x, Tensor) else x
    return np.array(data, dtype=_precision.float_dtype())


def grad_array(g: Any, var: Variable) -> np.ndarray:
    """A gradient as an array of the variable's shape and dtype (a clear error otherwise)."""
    data = g._data if isinstance(g, Tensor) else np.asarray(g)
    if data.shape != var.shape:
        raise ValueError(
            f"apply_gradients: gradient for {var.name!r} has shape {list(data.shape)}, "
            f"expected {list(var.shape)}."
        )
    return data.astype(var._data.dtype, copy=False)


def compiled_updates() -> Any:
    """The compiled optimizer updates (lstmkit.engine._fastopt), or None when not built or when
    the compiled parts are turned off (``LSTMKIT_NO_EXTENSION=1``, ``use_extension(False)``)."""
    return native.fastopt()


def f32(x: float) -> np.floating:
    """A scalar kept as TF.js keeps its scalar variables: float32."""
    return np.float32(x)


def first_nonfinite(arrays: list[np.ndarray]) -> int:
    """The index of the first array holding a NaN or an infinity, or -1 (one compiled pass over
    all of them when the extension is built; float32/float64 only there)."""
    fast = getattr(native.fastopt(), "first_nonfinite", None)  # None: not built (or stale)
    if fast is not None:
        try:  # the call itself refuses other dtypes and strided arrays: then NumPy's pass
            return int(fast(arrays))
        except (ValueError, BufferError, TypeError):
            pass
    for k, a in enumerate(arrays):
        if not np.isfinite(a).all():
            return k
    return -1
