"""Sums and products of several values: `addN`, `cumprod`, `outerProduct`, `einsum` (TF.js's
subset: one arrow, at most two inputs, no ellipsis, no repeated axis in an input), `diag` and
`bitwiseAnd`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import _precision
from ...tensor import Tensor
from .. import tape
from ._common import _axes, _t
from .arithmetic import matmul
from .shape import reshape

# -- addN ---------------------------------------------------------------------------------------


def add_n(tensors: Sequence[Any]) -> Tensor:
    """`tf.addN(tensors)`: the elementwise sum of same-shape, same-dtype tensors."""
    if isinstance(tensors, (Tensor, np.ndarray)) or not isinstance(tensors, (list, tuple)):
        raise ValueError(
            "addN: The argument passed to tf.addN() must be a list of tensors, got "
            f"{type(tensors).__name__}."
        )
    if len(tensors) < 1:
        raise ValueError(
            f"addN: Must pass at least one tensor to tf.addN(), but got {len(tensors)}."
        )
    ts = [_t(t, "addN") for t in tensors]
    first = ts[0]
    for t in ts:
        if t.dtype != first.dtype:
            raise ValueError(
                "addN: All tensors passed to tf.addN() must have the same dtype, got "
                f"{[u.dtype for u in ts]}."
            )
    for t in ts:
        if t.shape != first.shape:
            raise ValueError(
                "addN: All tensors passed to tf.addN() must have the same shape, got "
                f"{[list(u.shape) for u in ts]}."
            )
    out = first._data.copy()
    for t in ts[1:]:
        out = out + t._data
    if first._data.dtype == np.bool_:
        out = out.astype(np.bool_)
    n = len(ts)
    return tape.record("addN", out, ts, lambda g: tuple(g for _ in range(n)))


# -- cumprod ------------------------------------------------------------------------------------


def _scan_prod(a: np.ndarray, exclusive: bool) -> np.ndarray:
    """Running products along the last axis (exclusive: each element left out of its own)."""
    if not exclusive:
        return np.cumprod(a, axis=-1, dtype=a.dtype)
    out = np.ones_like(a)
    if a.shape[-1] > 1:
        out[..., 1:] = np.cumprod(a[..., :-1], axis=-1, dtype=a.dtype)
    return out


def _cumprod_back(x: np.ndarray, g: np.ndarray, exclusive: bool) -> np.ndarray:
    """d(sum(g * cumprod(x)))/dx along the last axis without dividing by x (zeros are fine):
    grad_i = prod_{k<i} x_k * S_i, S_i = sum_{j>=i} g_j prod_{i<k<=j} x_k (the inclusive scan;
    the exclusive one starts from j > i), run from the end: S_i = g_i + x_{i+1} S_{i+1}."""
    n = x.shape[-1]
    before = _scan_prod(x, True)
    s = np.zeros_like(g)
    acc = np.zeros(g.shape[:-1], g.dtype)
    for i in range(n - 1, -1, -1):
        if exclusive:
            acc = (g[..., i + 1] + x[..., i + 1] * acc) if i + 1 < n else acc
        else:
            acc = g[..., i] + (x[..., i + 1] * acc if i + 1 < n else 0)
        s[..., i] = acc
    return before * s


def cumprod(x: Any, axis: int = 0, exclusive: bool = False, reverse: bool = False) -> Tensor:
    """`tf.cumprod(x, axis = 0, exclusive = false, reverse = false)`: running products along
    `axis` (int32 for int32 and bool input, as TF.js's kernel upcasts)."""
    xt = _t(x, "cumprod")
    if xt.rank == 0:
        raise ValueError("cumprod: expects a tensor of rank >= 1, got a scalar; reshape it to [1].")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"cumprod: axis must be an integer, got {axis!r}.")
    ax = _axes(int(axis), xt.rank, "cumprod")[0]
    data = xt._data if xt._data.dtype != np.bool_ else xt._data.astype(np.int32)
    moved = np.moveaxis(data, ax, -1)
    if reverse:
        moved = moved[..., ::-1]
    res = _scan_prod(moved, bool(exclusive))
    if reverse:
        res = res[..., ::-1]
    out = np.ascontiguousarray(np.moveaxis(res, -1, ax))

    def back(g: np.ndarray) -> tuple[np.ndarray]:
        xm, gm = np.moveaxis(data, ax, -1), np.moveaxis(g, ax, -1)
        if reverse:
            xm, gm = xm[..., ::-1], gm[..., ::-1]
        d = _cumprod_back(xm.astype(g.dtype), gm, bool(exclusive))
        if reverse:
            d = d[..., ::-1]
        return (np.ascontiguousarray(np.moveaxis(d, -1, ax)),)

    return tape.record("cumprod", out, (xt,), back)


# -- outer product, diag, bitwiseAnd ------------------------------------------------------------


def outer_product(v1: Any, v2: Any) -> Tensor:
    """`tf.outerProduct(v1, v2)`: the [n, m] matrix of v1[i] * v2[j] (differentiable)."""
    a, b = _t(v1, "outerProduct"), _t(v2, "outerProduct")
    if a.rank != 1 or b.rank != 1:
        raise ValueError(
            "outerProduct: Error in outerProduct: inputs must be rank 1, but got ranks "
            f"{a.rank} and {b.rank}."
        )
    return matmul(reshape(a, [-1, 1]), reshape(b, [1, -1]))


def diag(x: Any) -> Tensor:
    """`tf.diag(x)`: a tensor of shape [...x.shape, ...x.shape] with x's values on the
    diagonal and zeros elsewhere."""
    xt = _t(x, "diag")
    n = xt.size
    flat = np.zeros((n, n), xt._data.dtype)
    flat[np.arange(n), np.arange(n)] = xt._data.reshape(-1)
    shape = xt.shape
    out = flat.reshape(shape + shape)
    return tape.record(
        "diag",
        out,
        (xt,),
        lambda g: (np.ascontiguousarray(g.reshape(n, n).diagonal()).reshape(shape),),
    )


def bitwise_and(x: Any, y: Any) -> Tensor:
    """`tf.bitwiseAnd(x, y)`: the bitwise AND of two int32 tensors of the same shape."""
    a, b = _t(x, "bitwiseAnd"), _t(y, "bitwiseAnd")
    if a.shape != b.shape:
        raise ValueError(
            f"bitwiseAnd: BitwiseAnd: Tensors must have the same shape. x: {list(a.shape)}, "
            f"y: {list(b.shape)}."
        )
    if a.dtype != "int32" or b.dtype != "int32":
        raise ValueError(
            "bitwiseAnd: BitwiseAnd: Only supports 'int32' values in tensor, found type of x: "
            f"{a.dtype} and type of y: {b.dtype}."
        )
    return Tensor._wrap(np.bitwise_and(a._data, b._data))


# -- einsum -------------------------------------------------------------------------------------


def _decode_einsum(equation: str, n: int) -> tuple[list[str], str]:
    eq = "".join(equation.split())
    arrows = eq.count("->")
    if arrows < 1:
        raise ValueError(
            f"einsum: Equations without an arrow are not supported (got {equation!r})."
        )
    if arrows > 1:
        raise ValueError(
            f'einsum: Equation must contain exactly one arrow ("->"), got {equation!r}.'
        )
    inputs, output = eq.split("->")
    if "..." in inputs:
        raise ValueError('einsum: The ellipsis notation ("...") is not supported yet.')
    terms = inputs.split(",")
    if n != len(terms):
        raise ValueError(f"einsum: Expected {len(terms)} input tensors, received {n}.")
    if len(terms) > 2:
        raise ValueError(
            "einsum: Support for more than 2 input tensors is not implemented yet "
            f"(the equation has {len(terms)})."
        )
    for label in output:
        if not any(label in t for t in terms):
            raise ValueError(
                f"einsum: Output subscripts contain the label {label} not present in the "
                "input subscripts."
            )
    for t in terms:
        if len(set(t)) != len(t):
            raise ValueError(
                f"einsum: Found duplicate axes in input component {t}. Support for duplicate "
                "axes in input is not implemented yet."
            )
    return terms, output


def einsum(equation: str, *tensors: Any) -> Tensor:
    """`tf.einsum(equation, ...tensors)`: Einstein summation in TF.js's subset: exactly one
    '->', one or two inputs, no '...', no label twice in one input ('ij,jk->ik', 'ij->ji',
    'i,i->', 'bij,bjk->bik', ...)."""
    ts = [_t(t, "einsum") for t in tensors]
    terms, output = _decode_einsum(equation, len(ts))
    sizes: dict[str, int] = {}
    for term, t in zip(terms, ts):
        if len(term) != t.rank:
            raise ValueError(
                f"einsum: the subscripts {term!r} name {len(term)} axes, but the input has "
                f"shape {list(t.shape)} (rank {t.rank})."
            )
        for j, label in enumerate(term):
            if label in sizes and sizes[label] != t.shape[j]:
                raise ValueError(
                    f"einsum: Expected dimension {sizes[label]} at axis {j} of input shaped "
                    f"{list(t.shape)}, but got dimension {t.shape[j]}."
                )
            sizes.setdefault(label, t.shape[j])
    kinds = {t._data.dtype.kind for t in ts}
    dt = np.dtype(_precision.float_dtype() if "f" in kinds else np.int32)
    arrays = [t._data.astype(dt, copy=False) for t in ts]
    out = np.einsum(f"{','.join(terms)}->{output}", *arrays).astype(dt, copy=False)
    return Tensor._wrap(np.asarray(out))
