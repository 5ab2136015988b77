"""What every op module shares: operand conversion, broadcasting checks, gradient unbroadcast."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ... import _precision
from ...tensor import Tensor, as_tensor

builtin_any = builtins.any
builtin_sum = builtins.sum
builtins_slice = builtins.slice

# -- helpers ------------------------------------------------------------------------------------


def _t(x: Any, op: str) -> Tensor:
    return as_tensor(x, op)


def _pair(a: Any, b: Any, op: str) -> tuple[Tensor, Tensor]:
    """Tensors for a binary op; a Python number takes the other operand's dtype (as TF.js)."""
    if isinstance(a, Tensor) and not isinstance(b, Tensor) and _is_number(b):
        return a, Tensor._wrap(np.asarray(b, dtype=_num_dtype(a._data.dtype, b)))
    if isinstance(b, Tensor) and not isinstance(a, Tensor) and _is_number(a):
        return Tensor._wrap(np.asarray(a, dtype=_num_dtype(b._data.dtype, a))), b
    ta, tb = _t(a, op), _t(b, op)
    _check_broadcast(ta, tb, op)
    return ta, tb


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.number)) and not isinstance(x, bool)


def _num_dtype(dt: np.dtype, value: Any) -> np.dtype:
    if dt.kind == "f":
        return dt
    if dt == np.int32 and float(value).is_integer():
        return dt
    return np.dtype(_precision.float_dtype())


def _check_broadcast(a: Tensor, b: Tensor, op: str) -> None:
    if a._data.shape == b._data.shape:
        return
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"{op}: shapes {list(a.shape)} and {list(b.shape)} cannot be broadcast together; "
            "each axis, aligned from the right, must match or be 1."
        ) from None


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `g` over the axes broadcasting added or stretched, back to `shape`."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if lead > 0:
        g = g.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _float_result(a: np.ndarray, b: np.ndarray) -> np.dtype:
    return np.result_type(a, b)


def _axes(axis: Any, ndim: int, op: str) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    items = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    out = []
    for a in items:
        a = int(a)
        if not -ndim <= a < builtins.max(ndim, 1):
            raise ValueError(f"{op}: axis {a} is out of range for a tensor of rank {ndim}.")
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(set(out)))


def _require_float(t: Tensor, op: str) -> None:
    if t._data.dtype.kind != "f":
        raise ValueError(f"{op}: expects a float32 tensor, got {t.dtype}; cast it with tf.cast().")
