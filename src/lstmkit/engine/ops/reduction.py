"""Reductions over axes: sum, mean, max, min, prod, arg-extremes, any, all, moments."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ...tensor import Tensor
from .. import tape
from ._common import _axes, _t
from .arithmetic import sub
from .elementwise import square
from .shape import reshape

# -- reductions ---------------------------------------------------------------------------------


def _reduced_shape(shape: tuple[int, ...], ax: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in ax else n for i, n in enumerate(shape))


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Sum over `axis` (all axes when None). bool sums to int32, as TF.js."""
    x = _t(x, "sum")
    xd = x._data
    ax = _axes(axis, xd.ndim, "sum")
    dt = np.int32 if xd.dtype == np.bool_ else xd.dtype
    out = np.sum(xd, axis=ax, keepdims=keepdims, dtype=dt)
    kshape = _reduced_shape(xd.shape, ax)
    return tape.record(
        "sum",
        np.asarray(out),
        (x,),
        lambda g: (np.broadcast_to(g.reshape(kshape), xd.shape).copy(),),
    )


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Mean over `axis` (all axes when None)."""
    x = _t(x, "mean")
    xd = x._data
    if xd.dtype.kind != "f":
        xd = xd.astype(np.float32)
    ax = _axes(axis, xd.ndim, "mean")
    n = math.prod(xd.shape[i] for i in ax) if ax else 1
    # np.mean's own arithmetic (a pairwise sum, then one division), without its Python layer
    total = np.add.reduce(xd, axis=ax, keepdims=keepdims)  # type: ignore[call-overload]
    out = np.asarray(total / n).astype(xd.dtype, copy=False)
    kshape = _reduced_shape(xd.shape, ax)

    def back(g):
        full = np.empty(xd.shape, xd.dtype)
        np.copyto(full, g.reshape(kshape) / n, casting="unsafe")
        return (full,)

    return tape.record("mean", out, (x,), back)


def _extreme(fn: Callable, name: str) -> Callable[..., Tensor]:
    def op(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
        x = _t(x, name)
        xd = x._data
        ax = _axes(axis, xd.ndim, name)
        if xd.size == 0:
            raise ValueError(f"{name}: cannot reduce an empty tensor of shape {list(xd.shape)}.")
        kept = fn(xd, axis=ax, keepdims=True)
        out = kept if keepdims else kept.reshape([n for i, n in enumerate(xd.shape) if i not in ax])

        def back(g):
            hit = xd == kept  # ties share the gradient equally
            return (hit * (g.reshape(kept.shape) / hit.sum(axis=ax, keepdims=True)),)

        return tape.record(name, np.asarray(out), (x,), back)

    op.__name__ = name
    op.__doc__ = f"{name.capitalize()} over `axis` (all axes when None)."
    return op


max = _extreme(np.max, "max")
min = _extreme(np.min, "min")


def prod(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Product over `axis`; the gradient is exact when inputs hold zeros."""
    x = _t(x, "prod")
    xd = x._data
    ax = _axes(axis, xd.ndim, "prod")
    kept = np.prod(xd, axis=ax, keepdims=True)
    out = kept if keepdims else kept.reshape([n for i, n in enumerate(xd.shape) if i not in ax])

    def back(g):
        # product of all the others: move reduced axes last, use cumulative products
        perm = [i for i in range(xd.ndim) if i not in ax] + list(ax)
        moved = np.transpose(xd, perm)
        lead = moved.shape[: xd.ndim - len(ax)]
        flat = moved.reshape(lead + (-1,))
        ones = np.ones(lead + (1,), xd.dtype)
        left = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
        right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], -1), -1)[..., ::-1]
        others = (left * right).reshape(moved.shape)
        others = np.transpose(others, np.argsort(perm))
        return (g.reshape(kept.shape) * others,)

    return tape.record("prod", np.asarray(out), (x,), back)


def argmax(x: Any, axis: int = 0) -> Tensor:
    """Index of the largest value along `axis` (int32)."""
    x = _t(x, "argmax")
    ax = _axes(axis, x.rank, "argmax")[0]
    return Tensor._wrap(np.argmax(x._data, axis=ax).astype(np.int32))


def argmin(x: Any, axis: int = 0) -> Tensor:
    """Index of the smallest value along `axis` (int32)."""
    x = _t(x, "argmin")
    ax = _axes(axis, x.rank, "argmin")[0]
    return Tensor._wrap(np.argmin(x._data, axis=ax).astype(np.int32))


def any(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _t(x, "any")
    return Tensor._wrap(
        np.asarray(np.any(x._data, axis=_axes(axis, x.rank, "any"), keepdims=keepdims))
    )


def all(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _t(x, "all")
    return Tensor._wrap(
        np.asarray(np.all(x._data, axis=_axes(axis, x.rank, "all"), keepdims=keepdims))
    )


def moments(x: Any, axes: Any = None, keepdims: bool = False) -> tuple[Tensor, Tensor]:
    """Mean and variance over `axes`."""
    m = mean(x, axes, keepdims=True)
    v = mean(square(sub(x, m)), axes, keepdims=keepdims)
    return (m if keepdims else reshape(m, v.shape)), v
