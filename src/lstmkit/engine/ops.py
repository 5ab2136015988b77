"""Differentiable ops on Tensors, with TF.js's names and NumPy broadcasting.

Every op computes on the wrapped arrays and, while a gradient is requested, records its
vector-Jacobian product with `tape.record`. Gradients of broadcast inputs are summed back to the
input's shape (`_unbroadcast`). Unary elementwise ops keep their NumPy forward and derivative in
`ELEMENTWISE`, which the activation registry and the fused recurrent kernels reuse.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import _random
from ..tensor import Tensor, _np_dtype, as_tensor
from . import tape

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
    from .. import _precision

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
    a, b = _pair(a, b, "floor_div")
    return Tensor._wrap(np.floor_divide(a._data, b._data))


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001
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


# -- unary elementwise --------------------------------------------------------------------------
# Each entry: forward(x) -> y, and backward(x, y, dy) -> dx.
ELEMENTWISE: dict[str, tuple[Callable, Callable]] = {}

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def _unary(name: str, forward: Callable, backward: Callable, doc: str, float_only: bool = True):
    ELEMENTWISE[name] = (forward, backward)

    def op(x: Any) -> Tensor:
        x = _t(x, name)
        if float_only:
            _require_float(x, name)
        xd = x._data
        y = forward(xd)
        return tape.record(name, y, (x,), lambda g: (backward(xd, y, g),))

    op.__name__ = name
    op.__doc__ = doc
    return op


def _sigmoid_np(x):
    # exp of a non-positive number only: never overflows.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


_SOFTPLUS_THRESHOLD = math.log(1.1920928955078125e-7) + 2.0


def _softplus_np(x):
    """TF.js's CPU kernel: in float64 with its thresholds, rounded once, so float32 results match
    TF.js to the ulp (logcosh magnifies any difference); exp never overflows into the result."""
    w = x.astype(np.float64)
    with np.errstate(over="ignore"):
        e = np.exp(np.minimum(w, 50.0))
    small, large = w < _SOFTPLUS_THRESHOLD, w > -_SOFTPLUS_THRESHOLD
    y = np.where(small, e, np.where(large, w, np.log(1.0 + e)))
    return y.astype(x.dtype, copy=False)


def _elu_np(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)


_GELU_C = math.sqrt(2 / math.pi)


def _gelu_np(x):
    # TF.js's gelu: 0.5 x (1 + erf(x / sqrt 2)), via its erf; here the exact erf.
    from math import erf

    verf = np.vectorize(erf, otypes=[np.float64])
    return (0.5 * x * (1 + verf(x / math.sqrt(2)))).astype(x.dtype, copy=False)


def _gelu_grad(x, y, g):
    cdf = 0.5 * (1 + np.vectorize(math.erf, otypes=[np.float64])(x / math.sqrt(2)))
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return (g * (cdf + x * pdf)).astype(x.dtype, copy=False)


def _gelu_new_np(x):
    return (0.5 * x * (1 + np.tanh(_GELU_C * (x + 0.044715 * x**3)))).astype(x.dtype, copy=False)


def _gelu_new_grad(x, y, g):
    u = _GELU_C * (x + 0.044715 * x**3)
    t = np.tanh(u)
    du = _GELU_C * (1 + 3 * 0.044715 * x * x)
    return (g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)).astype(x.dtype, copy=False)


def _mish_np(x):
    return (x * np.tanh(_softplus_np(x))).astype(x.dtype, copy=False)


def _mish_grad(x, y, g):
    sp = _softplus_np(x)
    t = np.tanh(sp)
    return g * (t + x * (1 - t * t) * _sigmoid_np(x))


def _swish_np(x):
    return x * _sigmoid_np(x)


def _swish_grad(x, y, g):
    s = _sigmoid_np(x)
    return g * (s + x * s * (1 - s))


def _hard_sigmoid_np(x):
    return np.clip(0.2 * x + 0.5, 0, 1).astype(x.dtype, copy=False)


neg = _unary("neg", np.negative, lambda x, y, g: -g, "-x.", float_only=False)
exp = _unary("exp", np.exp, lambda x, y, g: g * y, "e ** x.")
expm1 = _unary("expm1", np.expm1, lambda x, y, g: g * (y + 1), "e ** x - 1.")
log = _unary("log", np.log, lambda x, y, g: g / x, "Natural logarithm.")
log1p = _unary("log1p", np.log1p, lambda x, y, g: g / (1 + x), "log(1 + x), exact near 0.")
sqrt = _unary("sqrt", np.sqrt, lambda x, y, g: g / (2 * y), "Square root.")
rsqrt = _unary("rsqrt", lambda x: 1 / np.sqrt(x), lambda x, y, g: -0.5 * g * y / x, "1 / sqrt(x).")
square = _unary("square", np.square, lambda x, y, g: 2 * g * x, "x * x.", float_only=False)
reciprocal = _unary("reciprocal", np.reciprocal, lambda x, y, g: -g * y * y, "1 / x.")
abs = _unary("abs", np.abs, lambda x, y, g: g * np.sign(x), "|x|.", float_only=False)  # noqa: A001
sign = _unary("sign", np.sign, lambda x, y, g: np.zeros_like(g), "Sign of x.", float_only=False)
floor = _unary("floor", np.floor, lambda x, y, g: np.zeros_like(g), "Floor.")
ceil = _unary("ceil", np.ceil, lambda x, y, g: np.zeros_like(g), "Ceiling.")
round = _unary("round", np.round, lambda x, y, g: np.zeros_like(g), "Round half to even.")  # noqa: A001
sin = _unary("sin", np.sin, lambda x, y, g: g * np.cos(x), "Sine.")
cos = _unary("cos", np.cos, lambda x, y, g: -g * np.sin(x), "Cosine.")
sigmoid = _unary(
    "sigmoid", _sigmoid_np, lambda x, y, g: g * y * (1 - y), "1 / (1 + e^-x), never overflows."
)
hard_sigmoid = _unary(
    "hard_sigmoid",
    _hard_sigmoid_np,
    lambda x, y, g: g * 0.2 * ((x > -2.5) & (x < 2.5)),
    "TF.js's hard sigmoid: clip(0.2 x + 0.5, 0, 1).",
)
tanh = _unary("tanh", np.tanh, lambda x, y, g: g * (1 - y * y), "Hyperbolic tangent.")
relu = _unary("relu", lambda x: np.maximum(x, 0), lambda x, y, g: g * (x > 0), "max(x, 0).", False)
relu6 = _unary(
    "relu6", lambda x: np.clip(x, 0, 6), lambda x, y, g: g * ((x > 0) & (x < 6)), "min(max(x,0),6)."
)
elu = _unary(
    "elu", _elu_np, lambda x, y, g: g * np.where(x > 0, 1, y + 1), "x if x > 0 else e^x - 1."
)
selu = _unary(
    "selu",
    lambda x: (SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))).astype(
        x.dtype, copy=False
    ),
    lambda x, y, g: g * np.where(x > 0, SELU_SCALE, y + SELU_SCALE * SELU_ALPHA),
    "Scaled ELU (scale 1.0507, alpha 1.6733).",
)
softplus = _unary(
    "softplus", _softplus_np, lambda x, y, g: g * _sigmoid_np(x), "log(1 + e^x), never overflows."
)
softsign = _unary(
    "softsign",
    lambda x: x / (1 + np.abs(x)),
    lambda x, y, g: g / np.square(1 + np.abs(x)),
    "x / (1 + |x|).",
)
swish = _unary("swish", _swish_np, _swish_grad, "x * sigmoid(x).")
mish = _unary("mish", _mish_np, _mish_grad, "x * tanh(softplus(x)).")
gelu = _unary("gelu", _gelu_np, _gelu_grad, "0.5 x (1 + erf(x / sqrt(2))), TF.js's gelu.")
gelu_new = _unary("gelu_new", _gelu_new_np, _gelu_new_grad, "tanh approximation of gelu.")
linear = _unary("linear", lambda x: x, lambda x, y, g: g, "Identity.", float_only=False)
identity = _unary("identity", lambda x: x.copy(), lambda x, y, g: g, "A copy of x.", False)


def leaky_relu(x: Any, alpha: float = 0.2) -> Tensor:
    x = _t(x, "leaky_relu")
    xd = x._data
    return tape.record(
        "leaky_relu",
        np.where(xd > 0, xd, alpha * xd).astype(xd.dtype),
        (x,),
        lambda g: (g * np.where(xd > 0, 1, alpha).astype(xd.dtype),),
    )


def clip_by_value(x: Any, clip_value_min: float, clip_value_max: float) -> Tensor:
    """Clamp to [min, max]; the gradient passes where the value is inside."""
    x = _t(x, "clip_by_value")
    if clip_value_min > clip_value_max:
        raise ValueError(
            f"clip_by_value: min ({clip_value_min}) must be <= max ({clip_value_max})."
        )
    xd = x._data
    inside = (xd >= clip_value_min) & (xd <= clip_value_max)
    return tape.record(
        "clip_by_value",
        np.clip(xd, clip_value_min, clip_value_max).astype(xd.dtype),
        (x,),
        lambda g: (g * inside,),
    )


# -- softmax family -----------------------------------------------------------------------------


def softmax(logits: Any, dim: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim`, shifted by the max so it never overflows."""
    x = _t(logits, "softmax")
    _require_float(x, "softmax")
    xd = x._data
    e = np.exp(xd - xd.max(axis=dim, keepdims=True))
    y = e / e.sum(axis=dim, keepdims=True)
    return tape.record(
        "softmax", y, (x,), lambda g: (y * (g - (g * y).sum(axis=dim, keepdims=True)),)
    )


def log_softmax(logits: Any, axis: int = -1) -> Tensor:
    """x - logsumexp(x) along `axis`, stable for any finite input."""
    x = _t(logits, "log_softmax")
    _require_float(x, "log_softmax")
    xd = x._data
    shifted = xd - xd.max(axis=axis, keepdims=True)
    y = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return tape.record(
        "log_softmax", y, (x,), lambda g: (g - np.exp(y) * g.sum(axis=axis, keepdims=True),)
    )


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) over `axis`, stable for any finite input."""
    x = _t(x, "logsumexp")
    _require_float(x, "logsumexp")
    xd = x._data
    ax = _axes(axis, xd.ndim, "logsumexp")
    m = xd.max(axis=ax, keepdims=True) if xd.size else np.zeros((1,) * xd.ndim, xd.dtype)
    m = np.where(np.isfinite(m), m, 0)
    lse = np.log(np.exp(xd - m).sum(axis=ax, keepdims=True)) + m
    out = lse if keepdims else lse.reshape([n for i, n in enumerate(xd.shape) if i not in ax])

    def back(g):
        g = g.reshape(lse.shape)
        return (g * np.exp(xd - lse),)

    return tape.record("logsumexp", out, (x,), back)


# -- reductions ---------------------------------------------------------------------------------


def _reduced_shape(shape: tuple[int, ...], ax: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in ax else n for i, n in enumerate(shape))


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
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
    out = np.asarray(np.add.reduce(xd, axis=ax, keepdims=keepdims) / n).astype(xd.dtype, copy=False)
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


max = _extreme(np.max, "max")  # noqa: A001
min = _extreme(np.min, "min")  # noqa: A001


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


def any(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    x = _t(x, "any")
    return Tensor._wrap(
        np.asarray(np.any(x._data, axis=_axes(axis, x.rank, "any"), keepdims=keepdims))
    )


def all(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    x = _t(x, "all")
    return Tensor._wrap(
        np.asarray(np.all(x._data, axis=_axes(axis, x.rank, "all"), keepdims=keepdims))
    )


# -- shape ops ----------------------------------------------------------------------------------


def reshape(x: Any, shape: Sequence[int]) -> Tensor:
    """The same values in a new shape; one dimension may be -1."""
    x = _t(x, "reshape")
    shape = tuple(int(s) for s in ([shape] if isinstance(shape, (int, np.integer)) else shape))
    try:
        out = x._data.reshape(shape)
    except ValueError:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {list(x.shape)} ({x.size} values) "
            f"into {list(shape)}."
        ) from None
    old = x.shape
    return tape.record("reshape", out, (x,), lambda g: (g.reshape(old),))


def squeeze(x: Any, axis: Any = None) -> Tensor:
    x = _t(x, "squeeze")
    ax = None if axis is None else _axes(axis, x.rank, "squeeze")
    if ax is not None:
        for a in ax:
            if x.shape[a] != 1:
                raise ValueError(f"squeeze: axis {a} has size {x.shape[a]}, not 1.")
    return reshape(x, np.squeeze(np.empty(x.shape, np.bool_), axis=ax).shape)


def expand_dims(x: Any, axis: int = 0) -> Tensor:
    x = _t(x, "expand_dims")
    if not -x.rank - 1 <= axis <= x.rank:
        raise ValueError(f"expand_dims: axis {axis} is out of range for rank {x.rank}.")
    return reshape(x, np.expand_dims(np.empty(x.shape, np.bool_), axis).shape)


def transpose(x: Any, perm: Sequence[int] | None = None) -> Tensor:
    """Permute axes (reverse them when `perm` is None)."""
    x = _t(x, "transpose")
    p = tuple(range(x.rank - 1, -1, -1)) if perm is None else tuple(int(i) for i in perm)
    if sorted(p) != list(range(x.rank)):
        raise ValueError(
            f"transpose: perm {list(p)} must be a permutation of 0..{x.rank - 1} for a tensor "
            f"of shape {list(x.shape)}."
        )
    inv = tuple(np.argsort(p))
    return tape.record(
        "transpose",
        np.ascontiguousarray(np.transpose(x._data, p)),
        (x,),
        lambda g: (np.ascontiguousarray(np.transpose(g, inv)),),
    )


def concat(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    ts = [_t(t, "concat") for t in tensors]
    if not ts:
        raise ValueError("concat: expects at least one tensor.")
    ax = _axes(axis, ts[0].rank, "concat")[0]
    for t in ts[1:]:
        if t.rank != ts[0].rank or any_mismatch(t.shape, ts[0].shape, ax):
            raise ValueError(
                f"concat: all shapes must match except along axis {ax}, got "
                f"{[list(u.shape) for u in ts]}."
            )
    out = np.concatenate([t._data for t in ts], axis=ax)
    cuts = np.cumsum([t.shape[ax] for t in ts])[:-1]
    return tape.record(
        "concat", out, ts, lambda g: tuple(np.ascontiguousarray(p) for p in np.split(g, cuts, ax))
    )


def any_mismatch(a: tuple[int, ...], b: tuple[int, ...], skip: int) -> bool:
    return builtin_any(x != y for i, (x, y) in enumerate(zip(a, b)) if i != skip)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new axis."""
    ts = [_t(t, "stack") for t in tensors]
    if not ts:
        raise ValueError("stack: expects at least one tensor.")
    for t in ts[1:]:
        if t.shape != ts[0].shape:
            raise ValueError(
                f"stack: all tensors must have the same shape, got {[list(u.shape) for u in ts]}."
            )
    out = np.stack([t._data for t in ts], axis=axis)
    ax = axis % out.ndim
    return tape.record(
        "stack",
        out,
        ts,
        lambda g: tuple(np.ascontiguousarray(np.take(g, i, axis=ax)) for i in range(len(ts))),
    )


def unstack(x: Any, axis: int = 0) -> list[Tensor]:
    """Split along `axis` into tensors of one rank less."""
    x = _t(x, "unstack")
    ax = _axes(axis, x.rank, "unstack")[0]
    xd = x._data
    outs = [np.ascontiguousarray(np.take(xd, i, axis=ax)) for i in range(xd.shape[ax])]
    return tape.record_multi("unstack", outs, (x,), lambda gs: (np.stack(gs, axis=ax),))


def split(x: Any, num_or_size_splits: int | Sequence[int], axis: int = 0) -> list[Tensor]:
    """Split along `axis` into equal parts (an int) or parts of the given sizes (-1 = rest)."""
    x = _t(x, "split")
    ax = _axes(axis, x.rank, "split")[0]
    n = x.shape[ax]
    if isinstance(num_or_size_splits, (int, np.integer)):
        k = int(num_or_size_splits)
        if k <= 0 or n % k:
            raise ValueError(f"split: axis {ax} of size {n} cannot be split into {k} equal parts.")
        sizes = [n // k] * k
    else:
        sizes = [int(s) for s in num_or_size_splits]
        if sizes.count(-1) == 1:
            sizes[sizes.index(-1)] = n - builtin_sum(s for s in sizes if s != -1)
        if builtin_sum(sizes) != n or builtin_any(s < 0 for s in sizes):
            raise ValueError(f"split: sizes {list(num_or_size_splits)} do not add up to {n}.")
    cuts = np.cumsum(sizes)[:-1]
    outs = [np.ascontiguousarray(p) for p in np.split(x._data, cuts, axis=ax)]
    return tape.record_multi("split", outs, (x,), lambda gs: (np.concatenate(gs, axis=ax),))


def slice(x: Any, begin: Sequence[int] | int, size: Sequence[int] | int | None = None) -> Tensor:  # noqa: A001
    """TF.js's `slice(x, begin, size)`; a size of -1 takes the rest of the axis."""
    x = _t(x, "slice")
    begin = [begin] if isinstance(begin, (int, np.integer)) else list(begin)
    if size is None:
        size = [-1] * len(begin)
    size = [size] if isinstance(size, (int, np.integer)) else list(size)
    begin += [0] * (x.rank - len(begin))
    size += [-1] * (x.rank - len(size))
    idx = []
    for d, (b, s) in enumerate(zip(begin, size)):
        n = x.shape[d]
        end = n if s == -1 else b + s
        if not (0 <= b <= n and b <= end <= n):
            raise ValueError(
                f"slice: begin {begin} and size {size} go outside shape {list(x.shape)} (axis {d})."
            )
        idx.append(builtins_slice(b, end))
    return getitem(x, tuple(idx))


def getitem(x: Any, index: Any) -> Tensor:
    """NumPy-style indexing; the gradient scatters back (adding at repeated indices)."""
    x = _t(x, "getitem")
    if isinstance(index, Tensor):
        index = index._data
    elif isinstance(index, tuple):
        index = tuple(i._data if isinstance(i, Tensor) else i for i in index)
    try:
        out = x._data[index]
    except IndexError as e:
        raise ValueError(
            f"index {index!r} is invalid for a tensor of shape {list(x.shape)}: {e}"
        ) from None
    out = np.array(out, copy=True) if not isinstance(out, np.ndarray) else out
    xd_shape, dt = x.shape, x._data.dtype

    def back(g):
        full = np.zeros(xd_shape, dt)
        np.add.at(full, index, g)
        return (full,)

    return tape.record("getitem", np.ascontiguousarray(out), (x,), back)


def gather(x: Any, indices: Any, axis: int = 0, batch_dims: int = 0) -> Tensor:
    """Take slices of `x` at integer `indices` along `axis` (embedding lookup).

    The gradient scatter-adds into a zero tensor, so repeated indices accumulate.
    """
    x = _t(x, "gather")
    idx = np.asarray(indices._data if isinstance(indices, Tensor) else indices)
    if idx.dtype.kind == "f":
        if not np.all(np.floor(idx) == idx):
            raise ValueError("gather: indices must be integers, got non-integral floats.")
        idx = idx.astype(np.int64)
    elif idx.dtype.kind not in "iu":
        raise ValueError(f"gather: indices must be int32, got {idx.dtype}.")
    if batch_dims:
        raise ValueError("gather: batch_dims other than 0 is not supported.")
    ax = _axes(axis, x.rank, "gather")[0]
    n = x.shape[ax]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError(
            f"gather: indices must be in [0, {n}) for axis {ax} of shape {list(x.shape)}, "
            f"got values from {int(idx.min())} to {int(idx.max())}."
        )
    out = np.take(x._data, idx, axis=ax)
    xs, dt = x.shape, x._data.dtype

    def back(g):
        full = np.zeros(xs, dt)
        moved = np.moveaxis(full, ax, 0)
        gm = np.moveaxis(g, list(range(ax, ax + idx.ndim)), list(range(idx.ndim)))
        np.add.at(moved, idx, gm)
        return (full,)

    return tape.record("gather", out, (x,), back)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elementwise a where condition is true, else b (broadcast)."""
    c = _t(condition, "where")._data.astype(bool)
    a, b = _pair(a, b, "where")
    ad, bd = a._data, b._data
    out = np.where(c, ad, bd)
    return tape.record(
        "where",
        out,
        (a, b),
        lambda g: (
            _unbroadcast(np.where(c, g, 0).astype(g.dtype), ad.shape),
            _unbroadcast(np.where(c, 0, g).astype(g.dtype), bd.shape),
        ),
    )


def cast(x: Any, dtype: str) -> Tensor:
    """Convert to 'float32', 'int32' or 'bool' (float to int truncates, as TF.js)."""
    x = _t(x, "cast")
    target = _np_dtype(dtype, "cast")
    xd = x._data
    if xd.dtype == target:
        return x
    out = xd.astype(target)
    if target is np.int32 or target is np.bool_ or xd.dtype.kind != "f":
        return Tensor._wrap(out)
    return tape.record("cast", out, (x,), lambda g: (g.astype(xd.dtype),))


def pad(x: Any, paddings: Sequence[Sequence[int]], constant_value: float = 0) -> Tensor:
    """Pad with a constant; `paddings` is [[before, after], ...] per axis."""
    x = _t(x, "pad")
    pads = [tuple(int(v) for v in p) for p in paddings]
    if len(pads) != x.rank or builtin_any(len(p) != 2 or p[0] < 0 or p[1] < 0 for p in pads):
        raise ValueError(
            f"pad: paddings must be {x.rank} pairs of non-negative [before, after], got {paddings}."
        )
    out = np.pad(x._data, pads, constant_values=constant_value)
    idx = tuple(builtins_slice(p[0], p[0] + n) for p, n in zip(pads, x.shape))
    return tape.record("pad", out, (x,), lambda g: (np.ascontiguousarray(g[idx]),))


def tile(x: Any, reps: Sequence[int]) -> Tensor:
    """Repeat the tensor `reps[i]` times along axis i."""
    x = _t(x, "tile")
    reps = [int(r) for r in reps]
    if len(reps) != x.rank:
        raise ValueError(f"tile: reps must have one entry per axis ({x.rank}), got {reps}.")
    out = np.tile(x._data, reps)
    s = x.shape

    def back(g):
        inter = []
        for r, n in zip(reps, s):
            inter += [r, n]
        return (g.reshape(inter).sum(axis=tuple(range(0, 2 * len(s), 2))),)

    return tape.record("tile", out, (x,), back)


def reverse(x: Any, axis: Any = None) -> Tensor:
    """Reverse the order of elements along `axis` (all axes when None)."""
    x = _t(x, "reverse")
    ax = _axes(axis, x.rank, "reverse")
    return tape.record(
        "reverse",
        np.ascontiguousarray(np.flip(x._data, ax)),
        (x,),
        lambda g: (np.ascontiguousarray(np.flip(g, ax)),),
    )


def one_hot(
    indices: Any, depth: int, on_value: float = 1, off_value: float = 0, dtype: str = "int32"
) -> Tensor:
    """One-hot encode integer indices along a new last axis (int32 by default, as TF.js)."""
    idx = np.asarray(indices._data if isinstance(indices, Tensor) else indices)
    if idx.dtype.kind == "f" and np.all(np.floor(idx) == idx):
        idx = idx.astype(np.int64)
    if idx.dtype.kind not in "iu":
        raise ValueError(f"one_hot: indices must be integers, got dtype {idx.dtype}.")
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise ValueError(f"one_hot: depth must be a positive integer, got {depth!r}.")
    hot = idx[..., None] == np.arange(depth)
    out = np.where(hot, on_value, off_value).astype(_np_dtype(dtype, "one_hot"))
    return Tensor._wrap(out)


def dropout(
    x: Any, rate: float, noise_shape: Sequence[int] | None = None, seed: int | None = None
) -> Tensor:
    """Zero each element with probability `rate`, scale the rest by 1/(1-rate) (TF.js's)."""
    x = _t(x, "dropout")
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1), got {rate}.")
    if rate == 0:
        return x
    shape = tuple(noise_shape) if noise_shape is not None else x.shape
    keep = _random.generator(seed).random(shape) >= rate
    m = (keep / (1 - rate)).astype(x._data.dtype)
    return mul(x, Tensor._wrap(m))


def moments(x: Any, axes: Any = None, keepdims: bool = False) -> tuple[Tensor, Tensor]:
    """Mean and variance over `axes`."""
    m = mean(x, axes, keepdims=True)
    v = mean(square(sub(x, m)), axes, keepdims=keepdims)
    return (m if keepdims else reshape(m, v.shape)), v


__all__ = [
    "abs",
    "add",
    "all",
    "any",
    "argmax",
    "argmin",
    "cast",
    "ceil",
    "clip_by_value",
    "concat",
    "cos",
    "div",
    "dot",
    "dropout",
    "elu",
    "equal",
    "exp",
    "expand_dims",
    "expm1",
    "floor",
    "floor_div",
    "gather",
    "gelu",
    "gelu_new",
    "greater",
    "greater_equal",
    "hard_sigmoid",
    "identity",
    "is_finite",
    "is_nan",
    "leaky_relu",
    "less",
    "less_equal",
    "linear",
    "log",
    "log1p",
    "log_softmax",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "logsumexp",
    "matmul",
    "matmul_bias",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mish",
    "moments",
    "mul",
    "neg",
    "not_equal",
    "one_hot",
    "pad",
    "pow",
    "prod",
    "reciprocal",
    "relu",
    "relu6",
    "reshape",
    "reverse",
    "round",
    "rsqrt",
    "selu",
    "sigmoid",
    "sign",
    "sin",
    "slice",
    "softmax",
    "softplus",
    "softsign",
    "split",
    "sqrt",
    "square",
    "squared_difference",
    "squeeze",
    "stack",
    "sub",
    "sum",
    "swish",
    "tanh",
    "tile",
    "transpose",
    "unstack",
    "where",
]
