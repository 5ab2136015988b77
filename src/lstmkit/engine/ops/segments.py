"""Sums by group: `unsortedSegmentSum` (rows of `x` added into the segment their id names),
`bincount` and `denseBincount` (counts, or summed weights, per integer value)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import _precision
from ...tensor import Tensor
from .. import tape
from ._common import _t
from .scatter_gather import int_operand


def _is_int(n: Any) -> bool:
    if isinstance(n, bool):
        return False
    return isinstance(n, (int, np.integer)) or (isinstance(n, float) and n.is_integer())


def unsorted_segment_sum(x: Any, segment_ids: Any, num_segments: int) -> Tensor:
    """`tf.unsortedSegmentSum(x, segmentIds, numSegments)`: result[i] is the sum of the
    entries of `x` whose segment id is i, along the leading axes `segmentIds` covers (ids
    outside [0, numSegments) are left out); shape [numSegments, ...x.shape[segmentIds.rank:]].
    As TF.js computes it: for each segment, sum over axis 0 of (ids == i) * x, with the ids
    broadcast over x's trailing axes, the mask a float32 tensor (so int32 x gives float32).
    Differentiable in `x`."""
    op = "unsortedSegmentSum"
    xt = _t(x, op)
    ids = int_operand(segment_ids, "segmentIds", op)
    if not _is_int(num_segments):
        raise ValueError(f"{op}: numSegments must be of dtype int, got {num_segments!r}.")
    n = int(num_segments)
    if ids.rank > xt.rank or ids.shape != xt.shape[: ids.rank]:
        raise ValueError(
            f"{op}: segmentIds of shape {list(ids.shape)} must match the leading axes of x of "
            f"shape {list(xt.shape)}."
        )
    seg = ids._data.reshape(ids.shape + (1,) * (xt.rank - ids.rank))
    xd = xt._data
    dt = xd.dtype if xd.dtype.kind == "f" else np.dtype(_precision.float_dtype())
    if xt.rank == 0:
        raise ValueError(f"{op}: x must be at least rank 1, got a scalar.")
    out = np.zeros((n,) + xt.shape[1:], dt)
    for i in range(n):
        out[i] = ((seg == i) * xd).sum(axis=0, dtype=dt)

    def back(g: np.ndarray) -> tuple[np.ndarray]:
        dx = np.zeros(xd.shape, g.dtype)
        for i in range(n):
            dx += (seg == i) * g[i]
        return (dx,)

    return tape.record(op, out, (xt,), back)


def _bincount_checks(x: Tensor, w: Tensor, size: Any, op: str) -> int:
    if x.dtype != "int32":
        raise ValueError(f"{op}: Error in {op}: input dtype must be int32, but got {x.dtype}.")
    if not _is_int(size) or size < 0:
        raise ValueError(f"{op}: size must be non-negative, but got {size}.")
    if np.any(x._data < 0):
        raise ValueError(f"{op}: Input x must be non-negative! Got {x.tolist()}.")
    return int(size)


def _count(xd: np.ndarray, wd: np.ndarray | None, size: int, dtype: np.dtype) -> np.ndarray:
    keep = xd < size
    vals = xd[keep]
    weights = None if wd is None else wd[keep].astype(np.float64)
    out = np.bincount(vals, weights, minlength=size)[:size]
    return out.astype(dtype)


def bincount(x: Any, weights: Any, size: int) -> Tensor:
    """`tf.bincount(x, weights, size)`: for each value v in [0, size) of the int32 vector `x`,
    the number of times it occurs, or the sum of the `weights` at its positions (`weights`
    the same size as x, or empty for counts); the result has the weights' dtype."""
    op = "bincount"
    xt, wt = _t(x, op), _t(weights, op)
    n = _bincount_checks(xt, wt, size, op)
    if wt.size not in (xt.size, 0):
        raise ValueError(
            f"{op}: Error in bincount: weights must have the same size as input or0-length, "
            f"but got input shape: {list(xt.shape)}, weights shape: {list(wt.shape)}."
        )
    wd = wt._data.reshape(-1) if wt.size else None
    return Tensor._wrap(_count(xt._data.reshape(-1), wd, n, wt._data.dtype))


def dense_bincount(x: Any, weights: Any, size: int, binary_output: bool = False) -> Tensor:
    """`tf.denseBincount(x, weights, size, binaryOutput = false)`: `bincount` for a vector, or
    for each row of a matrix ([rows, size]); `binaryOutput` gives 1 where a value occurs (rows
    of a matrix only, as TF.js's kernel: a vector is counted)."""
    op = "denseBincount"
    xt, wt = _t(x, op), _t(weights, op)
    if xt.dtype != "int32":
        raise ValueError(
            f"{op}: Error in denseBincount: input dtype must be int32, but got {xt.dtype}."
        )
    if xt.rank > 2:
        raise ValueError(
            f"{op}: Error in denseBincount: input must be at most rank 2, but got rank {xt.rank}."
        )
    n = _bincount_checks(xt, wt, size, op)
    if wt.size not in (xt.size, 0):
        raise ValueError(
            f"{op}: Error in denseBincount: weights must have the same shape as x or 0-length, "
            f"but got x shape: {list(xt.shape)}, weights shape: {list(wt.shape)}."
        )
    dt = wt._data.dtype
    if xt.rank <= 1:
        wd = wt._data.reshape(-1) if wt.size else None
        return Tensor._wrap(_count(xt._data.reshape(-1), wd, n, dt))
    rows = []
    for r in range(xt.shape[0]):
        xr = xt._data[r]
        if binary_output:
            hit = np.zeros(n, dt)
            hit[xr[xr < n]] = 1
            rows.append(hit)
        else:
            wr = wt._data.reshape(xt.shape)[r] if wt.size else None
            rows.append(_count(xr, wr, n, dt))
    return Tensor._wrap(np.stack(rows) if rows else np.zeros((0, n), dt))
