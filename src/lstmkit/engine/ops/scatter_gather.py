"""Reading and writing by N-dimensional indices: `gatherND`, `scatterND`,
`tensorScatterUpdate`, `sparseToDense` (tfjs-core `gather_nd_util`, `scatter_nd_util` and the
CPU kernels' `scatterImpl`). An index row of length K addresses a slice of the last
`rank - K` axes; an index outside the tensor is an error, as in TF.js."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...tensor import Tensor, _dtype_name
from .. import tape
from ._common import _t


def int_operand(x: Any, name: str, op: str, dtype: str = "int32") -> Tensor:
    """An argument TF.js converts with `convertToTensor(x, name, op, dtype)`: a Tensor must
    already have that dtype; anything else is converted to it (floats truncated, as an
    Int32Array stores them)."""
    if isinstance(x, Tensor):
        if x.dtype != dtype:
            raise ValueError(
                f"{op}: Argument '{name}' passed to '{op}' must be {dtype} tensor, but got "
                f"{x.dtype} tensor."
            )
        return x
    a = np.asarray(x)
    if a.dtype.kind not in "biuf" and a.size:
        raise ValueError(f"{op}: {name} must be numbers, got dtype {a.dtype}.")
    if dtype == "bool":
        return Tensor._wrap(a.astype(np.bool_))
    return Tensor._wrap(np.trunc(a).astype(np.int32) if a.dtype.kind == "f" else a.astype(np.int32))


def check_shape_dims(shape: Any, op: str) -> tuple[int, ...]:
    """TF.js's `assertNonNegativeIntegerDimensions`."""
    dims = [shape] if isinstance(shape, (int, np.integer)) else list(shape)
    for d in dims:
        if (
            isinstance(d, bool)
            or not isinstance(d, (int, np.integer, float))
            or d < 0
            or d != int(d)
        ):
            raise ValueError(
                f"{op}: Tensor must have a shape comprised of positive integers but got shape "
                f"{list(dims)}."
            )
    return tuple(int(d) for d in dims)


def _flat_slices(
    idx: np.ndarray, shape: tuple[int, ...], slice_rank: int, op: str
) -> tuple[np.ndarray, int]:
    """Each index row as the number of its slice in `shape` reshaped to [-1, slice size], and
    the slice size; an index that falls outside raises TF.js's error."""
    rows = idx.reshape(-1, slice_rank).astype(np.int64) if slice_rank else idx.reshape(-1, 0)
    slice_size = int(np.prod(shape[slice_rank:], dtype=np.int64))
    count = int(np.prod(shape[:slice_rank], dtype=np.int64))
    strides = np.ones(slice_rank, np.int64)
    for j in range(slice_rank - 2, -1, -1):
        strides[j] = strides[j + 1] * shape[j + 1]
    flat = rows @ strides if slice_rank else np.zeros(len(rows), np.int64)
    bad = (flat < 0) | (flat >= count)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{op}: Invalid indices: {rows[i].tolist()} does not index into {list(shape)}."
        )
    return flat, slice_size


# -- gatherND -----------------------------------------------------------------------------------


def gather_nd(x: Any, indices: Any) -> Tensor:
    """`tf.gatherND(x, indices)`: slices of `x` at the index rows of `indices` (int32,
    [..., K]); the result has shape indices.shape[:-1] + x.shape[K:]. Differentiable in `x`
    (the gradient adds dy back where each slice came from)."""
    ind = int_operand(indices, "indices", "gatherND")
    xt = _t(x, "gatherND")
    if xt.rank < 1:
        raise ValueError(
            "gatherND: tf.gatherND() expects the input to be rank 1 or higher, but the rank was "
            f"{xt.rank}."
        )
    if ind.rank < 1:
        raise ValueError(
            "gatherND: tf.gatherND() expects the indices to be rank 1 or higher, but the rank "
            f"was {ind.rank}."
        )
    if ind.dtype != "int32":
        raise ValueError(
            "gatherND: tf.gatherND() expects the indices to be int32 type, but the dtype was "
            f"{ind.dtype}."
        )
    k = ind.shape[-1]
    if k > xt.rank:
        raise ValueError(
            "gatherND: index innermost dimension length must be <= tensor rank; saw: "
            f"{k} vs. {xt.rank}."
        )
    if xt.size == 0:
        raise ValueError(
            "gatherND: Requested more than 0 entries, but input is empty. Input shape: "
            f"{list(xt.shape)}."
        )
    result_shape = ind.shape[:-1] + xt.shape[k:]
    if ind.size == 0:
        return Tensor._wrap(np.zeros(result_shape, xt._data.dtype))
    flat, slice_size = _flat_slices(ind._data, xt.shape, k, "gatherND")
    rows = xt._data.reshape(-1, slice_size)
    out = rows[flat].reshape(result_shape)
    xshape, nrows = xt.shape, rows.shape[0]

    def back(g: np.ndarray) -> tuple[np.ndarray]:
        full = np.zeros((nrows, slice_size), g.dtype)
        np.add.at(full, flat, g.reshape(-1, slice_size))
        return (full.reshape(xshape),)

    return tape.record("gatherND", np.asarray(out), (xt,), back)


gatherND = gather_nd  # noqa: N816  (TF.js's name)

# -- scatterND, tensorScatterUpdate -------------------------------------------------------------


def _validate_update_shape(shape: tuple[int, ...], ind: Tensor, upd: Tensor, op: str) -> None:
    slice_dim = ind.shape[-1] if ind.rank > 1 else 1
    batch_dim = ind.rank - 1 if ind.rank > 1 else 1
    msg = (
        f"{op}: Must have updates.shape = indices.shape[:batchDim] + shape[sliceDim:], got "
        f"updates.shape: {list(upd.shape)}, indices.shape: {list(ind.shape)}, shape: "
        f"{list(shape)}, sliceDim: {slice_dim}, and batchDim: {batch_dim}."
    )
    if upd.rank < batch_dim:
        raise ValueError(f"{msg} update.rank < {batch_dim}.")
    if len(shape) < slice_dim + (upd.rank - batch_dim):
        raise ValueError(f"{msg} Output shape length < {slice_dim + (upd.rank - batch_dim)}")
    if upd.rank != batch_dim + len(shape) - slice_dim:
        raise ValueError(f"{msg} update.rank != {batch_dim + len(shape) - slice_dim}")
    for d in range(batch_dim):
        if upd.shape[d] != ind.shape[d]:
            raise ValueError(
                f"{msg} updates.shape[{d}] ({upd.shape[d]}) != indices.shape[{d}] ({ind.shape[d]})."
            )
    for d in range(upd.rank - batch_dim):
        if upd.shape[d + batch_dim] != shape[d + slice_dim]:
            raise ValueError(
                f"{msg} updates.shape[{d + batch_dim}] ({upd.shape[d + batch_dim]}) != "
                f"shape[{d + batch_dim}] ({shape[d + slice_dim]})"
            )


def _validate_scatter(upd: Tensor, ind: Tensor, shape: tuple[int, ...], op: str) -> None:
    if ind.rank < 1:
        raise ValueError(
            f"{op}: tf.scatterND() expects the indices to be rank 1 or higher, but the rank was "
            f"{ind.rank}."
        )
    if upd.rank < 1:
        raise ValueError(
            f"{op}: tf.scatterND() expects the updates to be rank 1 or higher, but the rank was "
            f"{upd.rank}."
        )
    if ind.dtype != "int32":
        raise ValueError(
            f"{op}: The dtype of 'indices' should be int32, but got dtype: {ind.dtype}"
        )
    if len(shape) < 1:
        raise ValueError(
            f"{op}: Output rank must be greater or equal to 1, but got shape: {list(shape)}"
        )
    _validate_update_shape(shape, ind, upd, op)


def _scatter(
    ind: Tensor, upd: np.ndarray, shape: tuple[int, ...], base: np.ndarray, add: bool, op: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """Write (or add) `upd` into a copy of `base` at the index rows; the rows' slice numbers
    and the slice size come back for the gradient."""
    slice_rank = ind.shape[-1] if ind.rank > 1 else 1
    out = base.reshape(-1, int(np.prod(shape[slice_rank:], dtype=np.int64)) or 1).copy()
    if base.size == 0:
        return base.copy(), np.zeros(0, np.int64), 0
    flat, slice_size = _flat_slices(ind._data, shape, slice_rank, op)
    vals = np.broadcast_to(upd, (len(flat), slice_size)) if upd.ndim == 0 else upd
    vals = vals.reshape(len(flat), slice_size)
    if add:
        np.add.at(out, flat, vals.astype(out.dtype, copy=False))
    else:
        out[flat] = vals  # NumPy writes in order: the last of repeated rows wins, as TF.js
    return out.reshape(shape), flat, slice_size


def scatter_nd(indices: Any, updates: Any, shape: Sequence[int]) -> Tensor:
    """`tf.scatterND(indices, updates, shape)`: a zero tensor of `shape` with `updates` added
    at the index rows (repeated rows add up). Differentiable in `updates`."""
    dims = check_shape_dims(shape, "scatterND")
    ind = int_operand(indices, "indices", "scatterND")
    upd = _t(updates, "scatterND")
    _validate_scatter(upd, ind, dims, "scatterND")
    base = np.zeros(dims, upd._data.dtype)
    out, flat, slice_size = _scatter(ind, upd._data, dims, base, True, "scatterND")
    ushape = upd.shape

    def back(g: np.ndarray) -> tuple[np.ndarray]:
        return (g.reshape(-1, slice_size or 1)[flat].reshape(ushape),)

    return tape.record("scatterND", out, (upd,), back)


scatterND = scatter_nd  # noqa: N816  (TF.js's name)


def tensor_scatter_update(tensor: Any, indices: Any, updates: Any) -> Tensor:
    """`tf.tensorScatterUpdate(tensor, indices, updates)`: a copy of `tensor` with the slices
    at the index rows replaced by `updates` (the last of repeated rows wins)."""
    op = "tensorScatterUpdate"
    t = _t(tensor, op)
    ind = int_operand(indices, "indices", op)
    upd = _t(updates, op)
    _validate_scatter(upd, ind, t.shape, op)
    if t.dtype != upd.dtype:
        raise ValueError(
            f"{op}: tensor and updates must have the same dtype, instead they are {t.dtype} "
            f"and {upd.dtype}."
        )
    out, _, _ = _scatter(ind, upd._data, t.shape, t._data, False, op)
    return Tensor._wrap(out)


# -- sparseToDense ------------------------------------------------------------------------------


def sparse_to_dense(
    sparse_indices: Any, sparse_values: Any, output_shape: Sequence[int], default_value: Any = 0
) -> Tensor:
    """`tf.sparseToDense(sparseIndices, sparseValues, outputShape, defaultValue = 0)`: a
    tensor of `outputShape` filled with `defaultValue`, with `sparseValues` (one per index,
    or one scalar for all) at `sparseIndices` (a scalar, a vector of indices into a 1-D
    output, or a [n, rank] matrix)."""
    op = "sparseToDense"
    dims = check_shape_dims(output_shape, op)
    ind = int_operand(sparse_indices, "sparseIndices", op)
    vals = _t(sparse_values, op)
    if isinstance(default_value, Tensor):
        dflt = default_value
    else:
        dflt = Tensor._wrap(np.asarray(default_value).astype(vals._data.dtype))
    if ind.dtype != "int32":
        raise ValueError(
            f"{op}: tf.sparseToDense() expects the indices to be int32 type, but the dtype was "
            f"{ind.dtype}."
        )
    if ind.rank > 2:
        raise ValueError(
            f"{op}: sparseIndices should be a scalar, vector, or matrix, but got shape "
            f"{list(ind.shape)}."
        )
    num_elems = ind.shape[0] if ind.rank > 0 else 1
    num_dims = ind.shape[1] if ind.rank > 1 else 1
    if len(dims) != num_dims:
        raise ValueError(
            f"{op}: outputShape has incorrect number of elements: {len(dims)}, should be: "
            f"{num_dims}."
        )
    if not (vals.rank == 0 or (vals.rank == 1 and vals.size == num_elems)):
        raise ValueError(
            f"{op}: sparseValues has incorrect shape {list(vals.shape)}, should be [] or "
            f"[{num_elems}]."
        )
    if vals.dtype != dflt.dtype:
        raise ValueError(
            f"{op}: sparseValues.dtype must match defaultValues.dtype, got {vals.dtype} and "
            f"{_dtype_name(dflt._data.dtype)}."
        )
    base = np.full(dims, dflt._data.reshape(-1)[0], vals._data.dtype)
    rows = Tensor._wrap(ind._data.reshape(num_elems, num_dims))
    out, _, _ = _scatter(rows, vals._data, dims, base, False, op)
    return Tensor._wrap(out)
