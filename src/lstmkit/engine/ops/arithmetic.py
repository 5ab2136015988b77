"""Binary arithmetic (differentiable, with broadcasting) and comparisons and logic (not)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ...tensor import Tensor
from .. import tape
from ._common import _pair, _t, _unbroadcast
from .shape import reshape

# -- binary arithmetic --------------------------------------------------------------------------


def add(a: Any, b: Any) -> Tensor:
    """a + b with broadcasting."""
    a, b = _pair(a, b, "add")
    sa, sb = a.shape, b.shape
    return tape.record(
        "add",
        np.add(a._data, b._data),
        (a, b),
        lambda g: (_unbroadcast(g, sa), _unbroadcast(g, sb)),
    )


def sub(a: Any, b: Any) -> Tensor:
    """a - b with broadcasting."""
    a, b = _pair(a, b, "sub")
    sa, sb = a.shape, b.shape
    return tape.record(
        "sub",
        np.subtract(a._data, b._data),
        (a, b),
        lambda g: (_unbroadcast(g, sa), _unbroadcast(-g, sb)),
    )


def mul(a: Any, b: Any) -> Tensor:
    """a * b with broadcasting."""
    a, b = _pair(a, b, "mul")
    ad, bd = a._data, b._data
    return tape.record(
        "mul",
        np.multiply(ad, bd),
        (a, b),
        lambda g: (_unbroadcast(g * bd, ad.shape), _unbroadcast(g * ad, bd.shape)),
    )


def div(a: Any, b: Any) -> Tensor:
    """a / b with broadcasting (float division, as TF.js's `div` on floats)."""
    a, b = _pair(a, b, "div")
    ad, bd = a._data, b._data
    if ad.dtype.kind != "f" and bd.dtype.kind != "f":
        out = np.floor_divide(ad, bd)  # TF.js: int32 / int32 floors
    else:
        out = np.divide(ad, bd)
    return tape.record(
        "div",
        out,
        (a, b),
        lambda g: (_unbroadcast(g / bd, ad.shape), _unbroadcast(-g * out / bd, bd.shape)),
    )


def floor_div(a: Any, b: Any) -> Tensor:
    """floor(a / b) with broadcasting (TF.js's `floorDiv`); not differentiable."""
    a, b = _pair(a, b, "floor_div")
    return Tensor._wrap(np.floor_divide(a._data, b._data))


def mod(a: Any, b: Any) -> Tensor:
    """The remainder of a / b with the sign of b (TF.js's `mod`, Python's %), broadcast.

    The gradient is TF.js's: dy for a, -dy * floor(a / b) for b.
    """
    a, b = _pair(a, b, "mod")
    ad, bd = a._data, b._data
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.mod(ad, bd)

    def back(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            gb = -g * np.floor(ad / bd)
        return _unbroadcast(g, ad.shape), _unbroadcast(gb.astype(g.dtype, copy=False), bd.shape)

    return tape.record("mod", out, (a, b), back)


def div_no_nan(a: Any, b: Any) -> Tensor:
    """a / b, and 0 where b is 0 (TF.js's `divNoNan`); the gradient is 0 there too."""
    a, b = _pair(a, b, "div_no_nan")
    ad, bd = a._data, b._data
    zero = bd == 0
    safe = np.where(zero, 1, bd).astype(bd.dtype, copy=False)
    if ad.dtype.kind != "f" and bd.dtype.kind != "f":
        return Tensor._wrap(np.where(zero, 0, np.floor_divide(ad, safe)).astype(ad.dtype))
    out = np.where(zero, 0, ad / safe).astype(np.result_type(ad, bd), copy=False)

    def back(g):
        ga = np.where(zero, 0, g / safe).astype(g.dtype, copy=False)
        gb = np.where(zero, 0, -g * ad / (safe * safe)).astype(g.dtype, copy=False)
        return _unbroadcast(ga, ad.shape), _unbroadcast(gb, bd.shape)

    return tape.record("div_no_nan", out, (a, b), back)


def atan2(a: Any, b: Any) -> Tensor:
    """The angle of the point (b, a), elementwise with broadcasting (TF.js's `atan2`)."""
    a, b = _pair(a, b, "atan2")
    ad, bd = a._data, b._data
    r2 = ad * ad + bd * bd
    return tape.record(
        "atan2",
        np.arctan2(ad, bd),
        (a, b),
        lambda g: (_unbroadcast(g * bd / r2, ad.shape), _unbroadcast(-g * ad / r2, bd.shape)),
    )


def pow(a: Any, b: Any) -> Tensor:
    """a ** b with broadcasting; the gradient for b uses log(a) where a > 0."""
    a, b = _pair(a, b, "pow")
    ad, bd = a._data, b._data
    out = np.power(ad, bd)

    def back(g):
        ga = g * bd * np.power(ad, bd - 1) if ad.dtype.kind == "f" else None
        gb = None
        if bd.dtype.kind == "f":
            safe = np.where(ad > 0, ad, 1)
            gb = _unbroadcast(g * out * np.log(safe), bd.shape)
        return (_unbroadcast(ga, ad.shape) if ga is not None else None, gb)

    return tape.record("pow", out, (a, b), back)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max; ties send the gradient to `a`, as TF.js."""
    a, b = _pair(a, b, "maximum")
    ad, bd = a._data, b._data
    pick = ad >= bd
    return tape.record(
        "maximum",
        np.maximum(ad, bd),
        (a, b),
        lambda g: (_unbroadcast(g * pick, ad.shape), _unbroadcast(g * ~pick, bd.shape)),
    )


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min; ties send the gradient to `a`, as TF.js."""
    a, b = _pair(a, b, "minimum")
    ad, bd = a._data, b._data
    pick = ad <= bd
    return tape.record(
        "minimum",
        np.minimum(ad, bd),
        (a, b),
        lambda g: (_unbroadcast(g * pick, ad.shape), _unbroadcast(g * ~pick, bd.shape)),
    )


def squared_difference(a: Any, b: Any) -> Tensor:
    """(a - b)^2 with broadcasting, as one op (TF.js's `squaredDifference`)."""
    a, b = _pair(a, b, "squared_difference")
    sa, sb = a.shape, b.shape
    d = np.subtract(a._data, b._data)

    def back(g):
        ga = g * (2 * d)  # TF.js: dy * 2 * (a - b)
        return _unbroadcast(ga, sa), _unbroadcast(-ga, sb)

    return tape.record("squared_difference", np.square(d), (a, b), back)


def matmul_bias(x: Any, w: Any, bias: Any) -> Tensor:
    """x @ w + bias for a [batch, in] x and [in, out] w, as one op (the product and bias add of
    TF.js's fused `matMul`, which its Dense layer uses)."""
    x, w, bias = _t(x, "matmul_bias"), _t(w, "matmul_bias"), _t(bias, "matmul_bias")
    xd, wd, bd = x._data, w._data, bias._data
    if xd.ndim != 2 or wd.ndim != 2 or xd.shape[1] != wd.shape[0] or bd.shape != wd.shape[1:]:
        raise ValueError(
            f"matmul_bias: expected x [batch, n], w [n, m] and bias [m], got shapes "
            f"{list(xd.shape)}, {list(wd.shape)} and {list(bd.shape)}."
        )
    out = np.matmul(xd, wd)
    out += bd

    def back(g):
        return np.matmul(g, wd.T), np.matmul(xd.T, g), np.add.reduce(g, axis=0)

    return tape.record("matmul_bias", out, (x, w, bias), back)


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False) -> Tensor:
    """Matrix product of the last two axes, batched over leading ones (broadcast)."""
    a, b = _t(a, "matmul"), _t(b, "matmul")
    if a.rank < 2 or b.rank < 2:
        raise ValueError(
            f"matmul: both inputs must have rank >= 2, got shapes {list(a.shape)} and "
            f"{list(b.shape)}; reshape a vector to [1, n] or [n, 1]."
        )
    ad = np.swapaxes(a._data, -1, -2) if transpose_a else a._data
    bd = np.swapaxes(b._data, -1, -2) if transpose_b else b._data
    if ad.shape[-1] != bd.shape[-2]:
        raise ValueError(
            f"matmul: inner dimensions must agree, got {list(ad.shape)} x {list(bd.shape)} "
            f"({ad.shape[-1]} != {bd.shape[-2]})."
        )
    out = np.matmul(ad, bd)

    def back(g):
        ga = np.matmul(g, np.swapaxes(bd, -1, -2))
        gb = np.matmul(np.swapaxes(ad, -1, -2), g)
        ga = _unbroadcast(ga, ad.shape)
        gb = _unbroadcast(gb, bd.shape)
        if transpose_a:
            ga = np.swapaxes(ga, -1, -2)
        if transpose_b:
            gb = np.swapaxes(gb, -1, -2)
        return (np.ascontiguousarray(ga), np.ascontiguousarray(gb))

    return tape.record("matmul", out, (a, b), back)


def dot(a: Any, b: Any) -> Tensor:
    """TF.js's `dot`: vector/matrix products of rank 1 or 2 tensors."""
    a, b = _t(a, "dot"), _t(b, "dot")
    if a.rank == 1:
        a = reshape(a, (1, -1))
        squeeze_a = True
    else:
        squeeze_a = False
    if b.rank == 1:
        out = reshape(matmul(a, reshape(b, (-1, 1))), (-1,) if not squeeze_a else ())
        return out
    out = matmul(a, b)
    return reshape(out, (-1,)) if squeeze_a else out


# -- comparisons and logic (not differentiable) -------------------------------------------------


def _compare(fn: Callable, name: str) -> Callable[[Any, Any], Tensor]:
    def op(a: Any, b: Any) -> Tensor:
        a, b = _pair(a, b, name)
        return Tensor._wrap(np.asarray(fn(a._data, b._data)))

    op.__name__ = name
    op.__doc__ = f"Elementwise `{name}` with broadcasting; a bool tensor."
    return op


equal = _compare(np.equal, "equal")
not_equal = _compare(np.not_equal, "not_equal")
less = _compare(np.less, "less")
less_equal = _compare(np.less_equal, "less_equal")
greater = _compare(np.greater, "greater")
greater_equal = _compare(np.greater_equal, "greater_equal")
logical_and = _compare(np.logical_and, "logical_and")
logical_or = _compare(np.logical_or, "logical_or")
logical_xor = _compare(np.logical_xor, "logical_xor")


def logical_not(x: Any) -> Tensor:
    return Tensor._wrap(np.logical_not(_t(x, "logical_not")._data))


def is_nan(x: Any) -> Tensor:
    return Tensor._wrap(np.isnan(_t(x, "is_nan")._data))


def is_finite(x: Any) -> Tensor:
    return Tensor._wrap(np.isfinite(_t(x, "is_finite")._data))


def is_inf(x: Any) -> Tensor:
    """Elementwise: is the value +Infinity or -Infinity (TF.js's `isInf`); a bool tensor."""
    return Tensor._wrap(np.isinf(_t(x, "is_inf")._data))
