"""Shape ops: reshape, transpose, concat, stack, slice, gather, pad, tile, one_hot, dropout..."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...tensor import Tensor, _np_dtype
from .. import tape
from ._common import _axes, _pair, _t, _unbroadcast, builtin_any, builtin_sum, builtins_slice

# -- shape ops ----------------------------------------------------------------------------------


def reshape(x: Any, shape: Sequence[int]) -> Tensor:
    """The same values in a new shape; one dimension may be -1."""
    x = _t(x, "reshape")
    shape = tuple(int(s) for s in ([shape] if isinstance(shape, (int, np.integer)) else shape))
    if x.size == 0 and shape.count(-1) == 1 and shape[-1] == -1:
        # no values, so -1 is ambiguous; keeping the leading dimensions (a batch of 0 rows
        # flattened: [0, 3, 4] -> [0, -1]) it is the product of the rest, as TF.js's
        # batchFlatten computes it
        k = len(shape) - 1
        if tuple(x.shape[:k]) == shape[:k]:
            shape = shape[:k] + (int(np.prod(x.shape[k:], dtype=np.int64)),)
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


def slice(x: Any, begin: Sequence[int] | int, size: Sequence[int] | int | None = None) -> Tensor:
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


def broadcast_to(x: Any, shape: Sequence[int]) -> Tensor:
    """Repeat `x` to `shape` by broadcasting (TF.js's `broadcastTo`): leading axes are added,
    and each axis of size 1 is stretched; the gradient sums back."""
    x = _t(x, "broadcast_to")
    dims = tuple(int(d) for d in shape)
    if len(dims) < x.rank:
        raise ValueError(
            f"broadcast_to: broadcastTo(): shape.length={len(dims)} < input.rank={x.rank}; "
            f"the target shape {list(dims)} needs at least the rank of {list(x.shape)}."
        )
    lead = (1,) * (len(dims) - x.rank) + x.shape
    for n, d in zip(lead, dims):
        if n != d and n != 1:
            raise ValueError(
                f"broadcast_to: Input shape {list(x.shape)} cannot be broadcast to {list(dims)}; "
                "each axis, aligned from the right, must be 1 or equal the target."
            )
    xs = x.shape
    out = np.ascontiguousarray(np.broadcast_to(x._data, dims))
    return tape.record("broadcast_to", out, (x,), lambda g: (_unbroadcast(g, xs),))


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
