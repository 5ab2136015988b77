"""Finding values: `unique` (first occurrences, in order), `searchSorted` / `lowerBound` /
`upperBound` (insertion points in sorted rows), and TF.js's data-dependent *Async ops
(`whereAsync`, `booleanMaskAsync`, `setdiff1dAsync`, `inTopKAsync`). Their results are ready
at once: a Tensor (and the list `setdiff1dAsync` gives) can be awaited as TF.js programs do,
`await tf.whereAsync(c)`, or used without `await`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..._async import ReadyList
from ...tensor import Tensor
from ._common import _axes, _t
from .scatter_gather import int_operand
from .selection import ValuesAndIndices
from .shape import gather, reshape


class Unique(ValuesAndIndices):
    """What `unique` returns: TF.js's `{values, indices}`; read `r.values`, `r['indices']` or
    unpack `values, indices = tf.unique(x)`."""

    __slots__ = ()
    _op = "unique"


def _key(v: Any) -> Any:
    """A value as TF.js's `toString()` tells values apart: NaN equals NaN, -0 equals 0."""
    if isinstance(v, float):
        return "NaN" if math.isnan(v) else v + 0.0
    return v


def unique(x: Any, axis: int = 0) -> Unique:
    """`tf.unique(x, axis = 0)`: the distinct slices of `x` along `axis` in the order they
    first appear (values) and, for each slice, the number of its distinct slice (indices,
    int32, of length x.shape[axis])."""
    xt = _t(x, "unique")
    if xt.rank < 1:
        raise ValueError("unique: The input tensor must be at least 1D, got a scalar.")
    ax = _axes(int(axis), xt.rank, "unique")[0]
    moved = np.moveaxis(xt._data, ax, 0)
    seen: dict[Any, int] = {}
    firsts: list[int] = []
    indices = np.empty(moved.shape[0], np.int32)
    for i in range(moved.shape[0]):
        item = moved[i]
        key = _key(item.item()) if item.ndim == 0 else tuple(map(_key, item.reshape(-1).tolist()))
        if key not in seen:
            seen[key] = len(firsts)
            firsts.append(i)
        indices[i] = seen[key]
    values = np.ascontiguousarray(np.moveaxis(moved[firsts], 0, ax))
    return Unique(Tensor._wrap(values), Tensor._wrap(indices))


# -- searchSorted -------------------------------------------------------------------------------


def search_sorted(sorted_sequence: Any, values: Any, side: str = "left") -> Tensor:
    """`tf.searchSorted(sortedSequence, values, side = 'left')`: for each value, the index in
    its row of `sortedSequence` (sorted along the last axis) where it would be inserted to
    keep the row sorted: before equal entries ('left') or after them ('right'). The leading
    axes of both must match; int32, shaped [rows, values per row]."""
    op = "searchSorted"
    seq = _t(sorted_sequence, op)
    vals = _t(values, op)
    if side not in ("left", "right"):
        raise ValueError(f"{op}: side must be 'left' or 'right', got {side!r}.")
    if seq.rank < 1 or vals.rank < 1:
        raise ValueError(
            f"{op}: Sorted input argument must be at least 2-dimensional once reshaped to "
            f"[-1, n]; got sortedSequence of shape {list(seq.shape)} and values of shape "
            f"{list(vals.shape)}."
        )
    s2 = reshape(seq, [-1, seq.shape[-1]])._data
    v2 = reshape(vals, [-1, vals.shape[-1]])._data
    if s2.shape[0] != v2.shape[0]:
        raise ValueError(
            f"{op}: Leading dimension of 'sortedSequence' and 'values' must match; got shapes "
            f"{list(seq.shape)} and {list(vals.shape)}."
        )
    out = np.empty(v2.shape, np.int32)
    for r in range(s2.shape[0]):
        out[r] = np.searchsorted(s2[r], v2[r], side=side)  # type: ignore[call-overload]
    return Tensor._wrap(out)


def lower_bound(sorted_sequence: Any, values: Any) -> Tensor:
    """`tf.lowerBound(sortedSequence, values)`: `searchSorted(..., 'left')`."""
    return search_sorted(sorted_sequence, values, "left")


def upper_bound(sorted_sequence: Any, values: Any) -> Tensor:
    """`tf.upperBound(sortedSequence, values)`: `searchSorted(..., 'right')`."""
    return search_sorted(sorted_sequence, values, "right")


# -- the *Async ops -----------------------------------------------------------------------------


def where_async(condition: Any) -> Tensor:
    """`await tf.whereAsync(condition)`: the coordinates of the true entries, a [n, rank]
    int32 tensor in row-major order."""
    cd = int_operand(condition, "condition", "whereAsync", "bool")._data
    coords = np.argwhere(cd).astype(np.int32).reshape(-1, cd.ndim)
    return Tensor._wrap(coords)


def boolean_mask_async(tensor: Any, mask: Any, axis: int | None = None) -> Tensor:
    """`await tf.booleanMaskAsync(tensor, mask, axis?)`: the entries of `tensor` where `mask`
    (whose shape matches tensor.shape[axis : axis + mask.rank]) is true, those axes flattened
    into one. Differentiable in `tensor`."""
    t = _t(tensor, "booleanMaskAsync")
    m = int_operand(mask, "mask", "boolMask", "bool")
    start = 0 if axis is None else int(axis)
    if m.rank == 0:
        raise ValueError("booleanMaskAsync: mask cannot be scalar.")
    covered = t.shape[start : start + m.rank]
    if covered != m.shape:
        raise ValueError(
            "booleanMaskAsync: mask's shape must match the first K dimensions of tensor's "
            f"shape, Shapes {list(covered)} and {list(m.shape)} must match."
        )
    lead = int(np.prod(covered, dtype=np.int64))
    target = list(t.shape[:start]) + [lead] + list(t.shape[start + m.rank :])
    positions = np.flatnonzero(m._data.reshape(-1).astype(bool)).astype(np.int32)
    return gather(reshape(t, target), positions, start)


def setdiff1d_async(x: Any, y: Any) -> ReadyList:
    """`const [out, indices] = await tf.setdiff1dAsync(x, y)`: the values of the vector `x`
    that are not in `y`, in order, and their positions in `x` (int32)."""
    xt, yt = _t(x, "setdiff1d"), _t(y, "setdiff1d")
    if xt.dtype != yt.dtype:
        raise ValueError(
            f"setdiff1dAsync: x and y should have the same dtype, but got x ({xt.dtype}) and "
            f"y ({yt.dtype})."
        )
    if xt.rank != 1:
        raise ValueError(f"setdiff1dAsync: x should be 1D tensor, but got x ({list(xt.shape)}).")
    if yt.rank != 1:
        raise ValueError(f"setdiff1dAsync: y should be 1D tensor, but got y ({list(yt.shape)}).")
    keep = ~np.isin(xt._data, yt._data)
    return ReadyList(
        [Tensor._wrap(xt._data[keep]), Tensor._wrap(np.flatnonzero(keep).astype(np.int32))]
    )


def in_top_k_async(predictions: Any, targets: Any, k: int = 1) -> Tensor:
    """`await tf.inTopKAsync(predictions, targets, k = 1)`: for each row of `predictions`
    (last axis), whether its target index is among the `k` largest values (bool, the shape
    of `targets`); equal values keep their order, the lower index first, as TF.js's sort."""
    p, t = _t(predictions, "inTopK"), _t(targets, "inTopK")
    if p.rank <= 1:
        raise ValueError(
            "inTopKAsync: inTopK() expects the predictions to be of rank 2 or higher, but got "
            f"{p.rank}."
        )
    if p.rank - 1 != t.rank:
        raise ValueError(
            "inTopKAsync: predictions rank should be 1 larger than targets rank, but got "
            f"predictions rank {p.rank} and targets rank {t.rank}."
        )
    if p.shape[:-1] != t.shape:
        raise ValueError(
            "inTopKAsync: predictions's shape should be align with the targets' shape, except "
            f"the last dimension. Shapes {list(p.shape[:-1])} and {list(t.shape)} must match."
        )
    last = p.shape[-1]
    if isinstance(k, bool) or not 0 < k <= last:
        raise ValueError(
            "inTopKAsync: 'k' passed to inTopK() must be > 0 && <= the predictions last "
            f"dimension ({last}), but got {k}."
        )
    rows = p._data.reshape(-1, last).astype(np.float64)
    order = np.argsort(-rows, axis=1, kind="stable")[:, : int(k)]
    hit = (order == t._data.reshape(-1, 1)).any(axis=1)
    return Tensor._wrap(hit.reshape(t.shape))
