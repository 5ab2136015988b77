"""Unary element-wise ops and the softmax family; `ELEMENTWISE` keeps each forward and
derivative, which the activation registry reuses."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ... import _random
from ...tensor import Tensor
from .. import tape
from ._common import _axes, _require_float, _t
from .arithmetic import mul

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
# TF.js's gradient of abs: dy * step(x, -1), so -dy at x == 0 (where |x| has no slope); this
# gives sigmoidCrossEntropyWithLogits and binaryCrossentropy TF.js's gradient at logit 0
abs = _unary("abs", np.abs, lambda x, y, g: np.where(x > 0, g, -g), "|x|.", float_only=False)
sign = _unary("sign", np.sign, lambda x, y, g: np.zeros_like(g), "Sign of x.", float_only=False)
floor = _unary("floor", np.floor, lambda x, y, g: np.zeros_like(g), "Floor.")
ceil = _unary("ceil", np.ceil, lambda x, y, g: np.zeros_like(g), "Ceiling.")
round = _unary("round", np.round, lambda x, y, g: np.zeros_like(g), "Round half to even.")
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
tan = _unary("tan", np.tan, lambda x, y, g: g * (1 + y * y), "Tangent.")
asin = _unary("asin", np.arcsin, lambda x, y, g: g / np.sqrt(1 - x * x), "Inverse sine.")
acos = _unary("acos", np.arccos, lambda x, y, g: -g / np.sqrt(1 - x * x), "Inverse cosine.")
atan = _unary("atan", np.arctan, lambda x, y, g: g / (1 + x * x), "Inverse tangent.")
sinh = _unary("sinh", np.sinh, lambda x, y, g: g * np.cosh(x), "Hyperbolic sine.")
cosh = _unary("cosh", np.cosh, lambda x, y, g: g * np.sinh(x), "Hyperbolic cosine.")
asinh = _unary(
    "asinh", np.arcsinh, lambda x, y, g: g / np.sqrt(x * x + 1), "Inverse hyperbolic sine."
)
acosh = _unary(
    "acosh", np.arccosh, lambda x, y, g: g / np.sqrt(x * x - 1), "Inverse hyperbolic cosine."
)
atanh = _unary("atanh", np.arctanh, lambda x, y, g: g / (1 - x * x), "Inverse hyperbolic tangent.")
erf = _unary(
    "erf",
    lambda x: np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype, copy=False),
    lambda x, y, g: g * (2 / math.sqrt(math.pi)) * np.exp(-x * x),
    "The Gauss error function.",
)
log_sigmoid = _unary(
    "log_sigmoid",
    lambda x: -_softplus_np(-x),
    lambda x, y, g: g * _sigmoid_np(-x),
    "log(sigmoid(x)) = -softplus(-x), never overflows (TF.js's `logSigmoid`).",
)
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


def step(x: Any, alpha: float = 0.0) -> Tensor:
    """1 where x > 0, else `alpha` (TF.js's `step`; NaN stays NaN); the gradient is 0."""
    x = _t(x, "step")
    xd = x._data
    out = np.where(xd > 0, 1, alpha)
    if xd.dtype.kind == "f":
        out = np.where(np.isnan(xd), np.nan, out)
    out = out.astype(xd.dtype)
    return tape.record("step", out, (x,), lambda g: (np.zeros_like(g),))


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
    if seed is not None:  # TF.js's seeded mask, bit for bit: floor(u + keep) / keep in float32
        u = _random.tfjs_uniform(seed, shape).astype(np.float32)
        keep_prob = np.float32(1 - rate)
        m = (np.floor(u + keep_prob) / keep_prob).astype(x._data.dtype)
        return mul(x, Tensor._wrap(m))
    keep = _random.generator(seed).random(shape) >= rate
    m = (keep / (1 - rate)).astype(x._data.dtype)
    return mul(x, Tensor._wrap(m))
