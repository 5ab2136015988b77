"""Reductions over axes: sum, mean, max, min, prod, arg-extremes, any, all, moments."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ...tensor import Tensor
from .. import tape
from ._common import _axes, _t
from .arithmetic import sub
from .elementwise import abs, logsumexp, sqrt, square
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


class Moments(NamedTuple):
    """What `moments` returns: TF.js's `{mean, variance}` object, also a (mean, variance) pair."""

    mean: Tensor
    variance: Tensor


def moments(x: Any, axes: Any = None, keepdims: bool = False) -> Moments:
    """Mean and variance over `axes` (TF.js's `tf.moments(x, axis, keepDims)`).

    `moments(x).mean` as in TF.js, or `m, v = moments(x)` as in Python's TensorFlow.
    """
    m = mean(x, axes, keepdims=True)
    v = mean(square(sub(x, m)), axes, keepdims=keepdims)
    return Moments((m if keepdims else reshape(m, v.shape)), v)


# -- scans and norms ----------------------------------------------------------------------------


def _scan_sum(xd: np.ndarray, ax: int, exclusive: bool, reverse: bool) -> np.ndarray:
    if reverse:
        xd = np.flip(xd, ax)
    out = np.cumsum(xd, axis=ax, dtype=np.int32 if xd.dtype == np.bool_ else xd.dtype)
    if exclusive:
        out = np.concatenate(
            [np.zeros_like(np.take(out, [0], axis=ax)), np.take(out, range(xd.shape[ax] - 1), ax)]
            if xd.shape[ax]
            else [out],
            axis=ax,
        )
    if reverse:
        out = np.flip(out, ax)
    return np.ascontiguousarray(out)


def cumsum(x: Any, axis: int = 0, exclusive: bool = False, reverse: bool = False) -> Tensor:
    """Running sums along `axis` (TF.js's `cumsum`): `exclusive` leaves each element out of
    its own sum, `reverse` sums from the end. The gradient is the reverse scan of dy."""
    x = _t(x, "cumsum")
    if x.rank == 0:
        raise ValueError("cumsum: expects a tensor of rank >= 1, got a scalar; reshape it to [1].")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"cumsum: axis must be an integer, got {axis!r}.")
    ax = _axes(int(axis), x.rank, "cumsum")[0]
    out = _scan_sum(x._data, ax, bool(exclusive), bool(reverse))
    return tape.record(
        "cumsum", out, (x,), lambda g: (_scan_sum(g, ax, bool(exclusive), not reverse),)
    )


def _vector_norm(x: Tensor, p: Any, axis: Any) -> Tensor:
    if p == 1:
        return sum(abs(x), axis)
    if p == math.inf:
        return max(abs(x), axis)
    if p == -math.inf:
        return min(abs(x), axis)
    if p in ("euclidean", 2):
        return sqrt(sum(square(x), axis))
    raise ValueError(
        f"norm: invalid ord value {p!r} for a vector norm; expected 1, 2, 'euclidean', "
        "Infinity (math.inf) or -Infinity."
    )


def _matrix_norm(x: Tensor, p: Any, ax: tuple[int, int]) -> Tensor:
    a0, a1 = ax
    if p == 1:
        return max(sum(abs(x), a0), a1 - 1)
    if p == math.inf:
        return max(sum(abs(x), a1), a0)
    if p == -math.inf:
        return min(sum(abs(x), a1), a0)
    if p in ("fro", "euclidean"):
        return sqrt(sum(square(x), list(ax)))
    raise ValueError(
        f"norm: invalid ord value {p!r} for a matrix norm; expected 1, 'fro', 'euclidean', "
        "Infinity (math.inf) or -Infinity."
    )


def norm(x: Any, ord: Any = "euclidean", axis: Any = None, keep_dims: bool = False) -> Tensor:
    """TF.js's `norm`: a vector norm (ord 1, 2/'euclidean', inf, -inf) over all values or one
    axis, or a matrix norm (1, 'fro'/'euclidean', inf, -inf) over two axes."""
    x = _t(x, "norm")
    if x.rank == 0:
        out = abs(x)
    elif x.rank != 1 and axis is None:
        out = _vector_norm(reshape(x, (-1,)), ord, None)
    elif x.rank == 1 or isinstance(axis, (int, np.integer)) or len(axis) == 1:
        out = _vector_norm(x, ord, axis)
    elif len(axis) == 2:
        a0, a1 = (int(a) % x.rank for a in axis)
        out = _matrix_norm(x, ord, (a0, a1))
    else:
        raise ValueError(
            f"norm: invalid axis {axis!r}; pass None, one axis (a vector norm) or two axes "
            "(a matrix norm)."
        )
    if keep_dims:
        ax = _axes(axis, x.rank, "norm")
        out = reshape(out, _reduced_shape(x.shape, ax))
    return out


def euclidean_norm(x: Any, axis: Any = None, keep_dims: bool = False) -> Tensor:
    """sqrt(sum(x^2)) over `axis` (all values when None), TF.js's `euclideanNorm`."""
    return norm(x, "euclidean", axis, keep_dims)


log_sum_exp = logsumexp  # TF.js's name: logSumExp
