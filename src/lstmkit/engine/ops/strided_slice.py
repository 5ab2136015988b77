"""`stridedSlice` with all five masks, as TF.js computes it (tfjs-core `slice_util.sliceInfo`,
itself TensorFlow's `ValidateStridedSliceOp`): the sparse spec (begin, end, strides and the
masks, one entry per slicing argument) becomes a dense spec (one entry per axis of `x`), each
range is made explicit and clamped, and the result takes the final shape (new axes added,
shrunk axes removed). The gradient writes dy back into the sliced positions."""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...tensor import Tensor
from .. import tape
from ._common import _t

_NEW_AXIS = -2
_SHRINK_AXIS = -1


@dataclass
class _Dense:
    dims: int
    begin: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    strides: list[int] = field(default_factory=list)
    begin_mask: int = 0
    end_mask: int = 0
    shrink_axis_mask: int = 0
    final_shape_gather: list[int] = field(default_factory=list)


def _ints(values: Any, name: str) -> list[int]:
    if isinstance(values, Tensor):
        values = values.tolist()
    if isinstance(values, (int, np.integer)):
        values = [values]
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError):
        raise ValueError(
            f"stridedSlice: {name} must be a list of integers, got {values!r}."
        ) from None


def _build_dense(
    sparse_dims: int,
    begin: list[int],
    end: list[int],
    strides: list[int],
    masks: tuple[int, int, int, int, int],
    num_add_after_ellipsis: int,
    rank: int,
) -> _Dense:
    begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_mask = masks
    dense = _Dense(rank, [0] * rank, [0] * rank, [1] * rank)
    full = 0
    for i in range(sparse_dims):
        bit = 1 << i
        if bit & ellipsis_mask:
            nxt = builtins.min(rank - (sparse_dims - i) + 1 + num_add_after_ellipsis, rank)
            while full < nxt:
                dense.begin[full] = dense.end[full] = 0
                dense.strides[full] = 1
                dense.begin_mask |= 1 << full
                dense.end_mask |= 1 << full
                dense.final_shape_gather.append(full)
                full += 1
        elif bit & new_axis_mask:
            dense.final_shape_gather.append(_NEW_AXIS)
        else:
            if full == rank:
                raise ValueError(
                    f"stridedSlice: Index out of range using input dim {full}; input has only "
                    f"{rank} dims, {rank}."
                )
            dense.begin[full] = begin[i]
            dense.end[full] = end[i]
            dense.strides[full] = strides[i]
            if begin_mask & bit:
                dense.begin_mask |= 1 << full
            if end_mask & bit:
                dense.end_mask |= 1 << full
            if shrink_mask & bit:
                dense.final_shape_gather.append(_SHRINK_AXIS)
                dense.shrink_axis_mask |= 1 << full
            else:
                dense.final_shape_gather.append(full)
            full += 1
    return dense


def _canonical(x: int, c: int, stride: int, dim: int, masks: list[int], valid: list[int]) -> int:
    if masks[c]:
        return valid[c] if stride > 0 else valid[(c + 1) & 1]
    fwd = dim + x if x < 0 else x
    return valid[0] if fwd < valid[0] else valid[1] if fwd > valid[1] else fwd


def slice_info(
    shape: Sequence[int],
    begin: list[int],
    end: list[int],
    strides: list[int] | None,
    masks: tuple[int, int, int, int, int],
) -> tuple[list[int], list[int], list[int], list[int], list[int]]:
    """(dense begin, dense end, dense strides, processing shape, final shape)."""
    begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_mask = masks
    strides = [1] * len(begin) if strides is None else strides
    if ellipsis_mask & (ellipsis_mask - 1):
        raise ValueError(
            f"stridedSlice: Multiple ellipses in slice is not allowed (ellipsisMask "
            f"{ellipsis_mask} has more than one bit set)."
        )
    dims = len(strides)
    if len(begin) < dims or len(end) < dims:
        raise ValueError(
            f"stridedSlice: begin, end and strides must have the same length, got {len(begin)}, "
            f"{len(end)} and {dims}."
        )
    seen, after = False, 0
    for i in range(dims):
        if seen and (1 << i) & new_axis_mask:
            after += 1
        if (1 << i) & ellipsis_mask:
            seen = True
    if not seen:
        ellipsis_mask |= 1 << dims
        dims += 1
        begin, end, strides = [*begin[: dims - 1], 0], [*end[: dims - 1], 0], [*strides, 1]
    sparse_masks = (begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_mask)
    dense = _build_dense(dims, begin, end, strides, sparse_masks, after, len(shape))
    processing = []
    for i, dim in enumerate(shape):
        stride = dense.strides[i]
        if stride == 0:
            raise ValueError(f"stridedSlice: strides[{i}] must be non-zero.")
        shrink = bool(dense.shrink_axis_mask & (1 << i))
        bits = [dense.begin_mask & (1 << i), dense.end_mask & (1 << i)]
        valid = [0, dim] if stride > 0 else [-1, dim - 1]
        if shrink and stride <= 0:
            raise ValueError("stridedSlice: only stride 1 allowed on non-range indexing.")
        if shrink:
            fwd = dim + dense.begin[i] if dense.begin[i] < 0 else dense.begin[i]
            dense.begin[i] = fwd
            dense.end[i] = fwd + 1
            if fwd < 0 or fwd >= dim:
                raise ValueError(
                    f"stridedSlice: slice index {fwd} of dimension {i} out of bounds "
                    f"(the axis has size {dim})."
                )
        else:
            dense.begin[i] = _canonical(dense.begin[i], 0, stride, dim, bits, valid)
            dense.end[i] = _canonical(dense.end[i], 1, stride, dim, bits, valid)
        length = dense.end[i] - dense.begin[i]
        if length == 0 or (length < 0) != (stride < 0):
            size = 0
        else:
            size = math.trunc(length / stride) + (1 if math.fmod(length, stride) != 0 else 0)
        processing.append(size)
    final = []
    for g in dense.final_shape_gather:
        if g >= 0:
            final.append(processing[g])
        elif g == _NEW_AXIS:
            final.append(1)
    return dense.begin, dense.end, dense.strides, processing, final


def strided_slice(
    x: Any,
    begin: Sequence[int],
    end: Sequence[int],
    strides: Sequence[int] | None = None,
    begin_mask: int = 0,
    end_mask: int = 0,
    ellipsis_mask: int = 0,
    new_axis_mask: int = 0,
    shrink_axis_mask: int = 0,
) -> Tensor:
    """`tf.stridedSlice(x, begin, end, strides?, beginMask, endMask, ellipsisMask,
    newAxisMask, shrinkAxisMask)`: a strided slice of `x` (TF.js's semantics, every mask).

    Each bit i of a mask refers to slicing argument i: `beginMask`/`endMask` ignore begin[i] /
    end[i] (the widest range), `ellipsisMask` (one bit) stands for as many full axes as needed,
    `newAxisMask` inserts an axis of size 1, `shrinkAxisMask` takes the single index begin[i]
    and removes the axis."""
    xt = _t(x, "stridedSlice")
    masks = tuple(
        int(m or 0) for m in (begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask)
    )
    b = _ints(begin, "begin")
    e = _ints(end, "end")
    s = None if strides is None else _ints(strides, "strides")
    db, _de, ds, processing, final = slice_info(xt.shape, b, e, s, masks)  # type: ignore[arg-type]
    index = []
    for start, step, size in zip(db, ds, processing):
        if size == 0:
            index.append(builtins.slice(0, 0))
            continue
        stop: int | None = start + size * step
        if stop is not None and stop < 0:
            stop = None
        index.append(builtins.slice(start, stop, step))
    idx = tuple(index)
    out = np.ascontiguousarray(xt._data[idx]).reshape(final)
    xshape, dt, proc = xt.shape, xt._data.dtype, tuple(processing)

    def back(g: np.ndarray) -> tuple[np.ndarray]:
        full = np.zeros(xshape, g.dtype if g.dtype.kind == "f" else dt)
        full[idx] = g.reshape(proc)
        return (full,)

    return tape.record("stridedSlice", out, (xt,), back)
