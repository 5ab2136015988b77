"""Normalizing and rectifying ops: `prelu`, `batchNorm` (+ `batchNorm2d/3d/4d`),
`localResponseNormalization`, `movingAverage`. Each is differentiable with respect to every
tensor input, as TF.js's gradients are (`Prelu_grad`, `FusedBatchNorm_grad`, `LRN_grad`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import _precision
from ...tensor import Tensor, scalar
from .. import tape
from ._common import _pair, _t, _unbroadcast
from .arithmetic import add, div, mul, pow, sub

# -- prelu --------------------------------------------------------------------------------------


def prelu(x: Any, alpha: Any) -> Tensor:
    """`tf.prelu(x, alpha)`: x where x >= 0, alpha * x where x < 0 (alpha broadcast)."""
    xt, at = _pair(x, alpha, "prelu")
    xd, ad = xt._data, at._data
    out = np.where(xd < 0, ad * xd, xd).astype(np.result_type(xd, ad))
    xs, as_ = xd.shape, ad.shape

    def back(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pos = xd > 0
        dx = np.where(pos, g, g * ad)
        da = np.where(pos, 0, g * xd)
        return _unbroadcast(dx, xs).astype(g.dtype), _unbroadcast(da, as_).astype(g.dtype)

    return tape.record("prelu", out, (xt, at), back)


# -- batchNorm ----------------------------------------------------------------------------------


def _cyclic(v: np.ndarray, size: int) -> np.ndarray:
    """`v`'s values repeated over `size` positions: TF.js's CPU kernel reads mean, variance,
    offset and scale at `i % length` (the broadcasting of a [C] or x-shaped tensor)."""
    flat = v.reshape(-1)
    if flat.size == size:
        return flat
    return np.resize(flat, size) if flat.size else flat


def _fold(g: np.ndarray, n: int) -> np.ndarray:
    """The transpose of `_cyclic`: sums of g at the positions that read each value."""
    if g.size % n == 0:
        return g.reshape(-1, n).sum(axis=0)
    return np.bincount(np.arange(g.size) % n, g.astype(np.float64), minlength=n).astype(g.dtype)


def batch_norm(
    x: Any,
    mean: Any,
    variance: Any,
    offset: Any = None,
    scale: Any = None,
    variance_epsilon: float | None = None,
) -> Tensor:
    """`tf.batchNorm(x, mean, variance, offset?, scale?, varianceEpsilon = 0.001)`:
    (x - mean) * scale / sqrt(variance + eps) + offset, the statistics read along x's last
    axis (a [C] tensor) or elementwise (x's shape). Differentiable in all five tensors."""
    op = "batchNorm"
    eps = 0.001 if variance_epsilon is None else float(variance_epsilon)
    xt, mt, vt = _t(x, op), _t(mean, op), _t(variance, op)
    st = None if scale is None else _t(scale, op)
    ot = None if offset is None else _t(offset, op)
    if mt.rank != vt.rank:
        raise ValueError(
            f"{op}: Batch normalization gradient requires mean and variance to have equal "
            f"ranks; got {mt.rank} and {vt.rank}."
        )
    if ot is not None and ot.rank != mt.rank:
        raise ValueError(
            f"{op}: Batch normalization gradient requires mean and offset to have equal ranks; "
            f"got {mt.rank} and {ot.rank}."
        )
    if st is not None and st.rank != mt.rank:
        raise ValueError(
            f"{op}: Batch normalization gradient requires mean and scale to have equal ranks; "
            f"got {mt.rank} and {st.rank}."
        )
    dt = np.dtype(_precision.float_dtype())
    size = xt.size
    xd = xt._data.astype(dt, copy=False).reshape(-1)
    m = _cyclic(mt._data.astype(dt, copy=False), size)
    r = 1.0 / np.sqrt(_cyclic(vt._data.astype(dt, copy=False), size) + dt.type(eps))
    s = _cyclic(st._data.astype(dt, copy=False), size) if st is not None else dt.type(1)
    o = _cyclic(ot._data.astype(dt, copy=False), size) if ot is not None else dt.type(0)
    centered = xd - m
    out = (centered * r * s + o).astype(dt).reshape(xt.shape)
    inputs = [t for t in (xt, mt, vt, ot, st) if t is not None]

    def back(g: np.ndarray) -> tuple[np.ndarray, ...]:
        gf = g.reshape(-1)
        grads = [(gf * r * s).reshape(xt.shape)]
        grads.append(_fold(-gf * r * s, mt.size).reshape(mt.shape))
        grads.append(_fold(-0.5 * gf * centered * s * r**3, vt.size).reshape(vt.shape))
        if ot is not None:
            grads.append(_fold(gf, ot.size).reshape(ot.shape))
        if st is not None:
            grads.append(_fold(gf * centered * r, st.size).reshape(st.shape))
        return tuple(a.astype(g.dtype, copy=False) for a in grads)

    return tape.record(op, out, inputs, back)


def _batch_norm_ranked(rank: int) -> Any:
    name = f"batchNorm{rank}d"

    def ranked(
        x: Any,
        mean: Any,
        variance: Any,
        offset: Any = None,
        scale: Any = None,
        variance_epsilon: float | None = None,
    ) -> Tensor:
        parts = {"x": x, "mean": mean, "variance": variance, "scale": scale, "offset": offset}
        for what, value in parts.items():
            if value is None:
                continue
            t = _t(value, "batchNorm")
            ok = t.rank == rank if what == "x" else t.rank in (rank, 1)
            if not ok:
                expected = f"rank {rank}" if what == "x" else f"rank {rank} or rank 1"
                raise ValueError(
                    f"{name}: Error in batchNorm{rank}D: {what} must be {expected} but got "
                    f"rank {t.rank}."
                )
        return batch_norm(x, mean, variance, offset, scale, variance_epsilon)

    ranked.__name__ = f"batch_norm{rank}d"
    ranked.__doc__ = (
        f"`tf.{name}(...)`: `batchNorm` on a rank-{rank} x (statistics of rank {rank} or 1)."
    )
    return ranked


batch_norm2d = _batch_norm_ranked(2)
batch_norm3d = _batch_norm_ranked(3)
batch_norm4d = _batch_norm_ranked(4)

# -- localResponseNormalization -----------------------------------------------------------------


def _window_sum(a: np.ndarray, radius: int) -> np.ndarray:
    """Sums over channels [c - radius, c + radius] (clipped) along the last axis."""
    c = a.shape[-1]
    cs = np.concatenate([np.zeros(a.shape[:-1] + (1,), a.dtype), np.cumsum(a, axis=-1)], -1)
    hi = np.minimum(np.arange(c) + radius + 1, c)
    lo = np.maximum(np.arange(c) - radius, 0)
    return cs[..., hi] - cs[..., lo]


def local_response_normalization(
    x: Any, depth_radius: int = 5, bias: float = 1, alpha: float = 1, beta: float = 0.5
) -> Tensor:
    """`tf.localResponseNormalization(x, depthRadius = 5, bias = 1, alpha = 1, beta = 0.5)`:
    x / (bias + alpha * sum of x^2 over the channels within depthRadius) ^ beta, along the
    last axis of a rank-3 or rank-4 x."""
    op = "localResponseNormalization"
    xt = _t(x, op)
    if xt.rank not in (3, 4):
        raise ValueError(
            f"{op}: Error in localResponseNormalization: x must be rank 3 or 4 but got rank "
            f"{xt.rank}."
        )
    r_ok = not isinstance(depth_radius, bool) and float(depth_radius).is_integer()
    if not r_ok:
        raise ValueError(
            f"{op}: Error in localResponseNormalization: depthRadius must be an integer but "
            f"got depthRadius {depth_radius}."
        )
    radius = int(depth_radius)
    dt = np.dtype(_precision.float_dtype())
    xd = xt._data.astype(dt, copy=False)
    norm = bias + alpha * _window_sum(xd * xd, radius)
    out = (xd * norm ** (-beta)).astype(dt)

    def back(g: np.ndarray) -> tuple[np.ndarray]:
        # dx_k = dy_k norm_k^-beta - 2 alpha beta x_k sum_{c in window(k)} dy_c y_c / norm_c
        inner = _window_sum(g * out / norm, radius)
        return ((g * norm ** (-beta) - 2 * alpha * beta * xd * inner).astype(g.dtype),)

    return tape.record(op, out, (xt,), back)


# -- movingAverage ------------------------------------------------------------------------------


def moving_average(
    v: Any, x: Any, decay: Any, step: Any = None, zero_debias: bool = True
) -> Tensor:
    """`tf.movingAverage(v, x, decay, step?, zeroDebias = true)`: v + (x - v) * (1 - decay),
    divided by (1 - decay^step) when `zeroDebias` (then `step` is required)."""
    op = "movingAverage"
    vt, xt = _t(v, op), _t(x, op)
    if vt.dtype != xt.dtype:
        raise ValueError(
            f"{op}: The dtypes of the first({vt.dtype}) and second({xt.dtype}) input must match."
        )
    if vt.shape != xt.shape:
        raise ValueError(f"{op}: Shape mismatch in v and x: {list(vt.shape)} and {list(xt.shape)}.")
    one = scalar(1)
    decay_t = decay if isinstance(decay, Tensor) else scalar(decay)
    update = mul(sub(xt, vt), sub(one, decay_t))
    if zero_debias:
        if step is None:
            raise ValueError(f"{op}: When using zeroDebias: true, step is required.")
        step_t = step if isinstance(step, Tensor) else scalar(step)
        update = div(update, sub(one, pow(decay_t, step_t)))
    return add(vt, update)
