"""The functions that create tensors, as TF.js's: `tensor([1, 2, 3, 4], [2, 2])` reshapes flat
values, `tensor1d` .. `tensor6d` check the rank, `scalar`, `fill`, `zeros`, `ones`, the random
ones (drawn from `lstmkit._random`), `linspace`, `range`, `eye`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import _precision, _random, tensor_buffer
from .core import (
    ShapeLike,
    Tensor,
    _check_shape,
    _np_dtype,
    _to_array,
    as_tensor,
)


def tensor(values: Any, shape: ShapeLike | None = None, dtype: str | None = None) -> Tensor:
    """A tensor from a number, nested lists or an array; flat values are reshaped to `shape`.

    TF.js's positional form `tensor(values, shape, dtype)`; a dtype name in the shape's place
    (`tensor([1, 2], 'int32')`) is taken as the dtype.
    """
    shape, dtype = _shape_or_dtype(shape, dtype, "tensor()")
    data = _to_array(values, dtype, "tensor()")
    if shape is not None:
        dims = _check_shape(shape, "tensor()")
        n = math.prod(dims)
        if data.ndim == 0 and n != 1:
            data = np.full(dims, data, dtype=data.dtype)
        if data.size != n:
            raise ValueError(
                f"tensor(): shape {list(dims)} needs {n} values, but {data.size} were given "
                f"(values of shape {list(data.shape)})."
            )
        data = data.reshape(dims)
    return Tensor._wrap(data)


def _ranked(rank: int) -> Callable[..., Tensor]:
    name = f"tensor{rank}d"

    def make(values: Any, shape: ShapeLike | str | None = None, dtype: str | None = None) -> Tensor:
        shape, dtype = _shape_or_dtype(shape, dtype, f"{name}()")
        if shape is not None:
            dims = _check_shape(shape, f"{name}()")
            if len(dims) != rank:
                raise ValueError(f"{name}(): shape must have rank {rank}, got {list(dims)}.")
        data = _to_array(values, dtype, f"{name}()")
        if shape is None and data.ndim != rank:
            fixes = []
            if data.ndim < rank:
                fixes.append(f"wrap the values in {rank - data.ndim} more pair(s) of brackets")
            fixes.append(f"pass flat values with a shape of rank {rank}: {name}(values, shape)")
            if 1 <= data.ndim <= 6:
                fixes.append(f"use tensor{data.ndim}d()")
            raise ValueError(
                f"{name}() expects values of rank {rank}, got rank {data.ndim} "
                f"(shape {list(data.shape)}). To fix: {'; or '.join(fixes)}."
            )
        return tensor(data, dims if shape is not None else None, None)

    make.__name__ = name
    make.__doc__ = (
        f"A rank-{rank} tensor; nested values of depth {rank}, or flat values + shape. "
        f"TF.js's `{name}(values, shape?, dtype?)`"
        + (", and its `tensor1d(values, dtype)`." if rank == 1 else ".")
    )
    return make


def _shape_or_dtype(shape: Any, dtype: str | None, where: str) -> tuple[Any, str | None]:
    """TF.js's `tensor1d(values, dtype)`: a dtype name where the shape goes is the dtype."""
    if isinstance(shape, str):
        if dtype is not None:
            raise ValueError(
                f"{where}: got the dtype {shape!r} in the shape's place and dtype={dtype!r} as "
                "well; pass the shape (a list of integers) second, or only one dtype."
            )
        return None, shape
    return shape, dtype


tensor1d = _ranked(1)
tensor2d = _ranked(2)
tensor3d = _ranked(3)
tensor4d = _ranked(4)
tensor5d = _ranked(5)
tensor6d = _ranked(6)


def scalar(value: Any, dtype: str | None = None) -> Tensor:
    """A rank-0 tensor."""
    data = _to_array(value, dtype, "scalar()")
    if data.ndim != 0:
        raise ValueError(
            f"scalar() expects one number, got values of shape {list(data.shape)}; "
            "use tensor() for arrays."
        )
    return Tensor._wrap(data)


def fill(shape: ShapeLike, value: Any, dtype: str | None = None) -> Tensor:
    """A tensor of `shape` with every element `value`."""
    dims = _check_shape(shape, "fill()")
    if dtype is None:
        dtype = "bool" if isinstance(value, bool) else "float32"
    return Tensor._wrap(np.full(dims, value, dtype=_np_dtype(dtype, "fill()")))


def zeros(shape: ShapeLike, dtype: str = "float32") -> Tensor:
    return fill(shape, 0, dtype)


def ones(shape: ShapeLike, dtype: str = "float32") -> Tensor:
    return fill(shape, 1, dtype)


def zeros_like(x: Any) -> Tensor:
    x = as_tensor(x, "zeros_like()")
    return Tensor._wrap(np.zeros_like(x._data))


def ones_like(x: Any) -> Tensor:
    x = as_tensor(x, "ones_like()")
    return Tensor._wrap(np.ones_like(x._data))


def _float_out(dtype: str | None, where: str) -> Any:
    if dtype in (None, "float32"):
        return _precision.float_dtype()
    if dtype == "int32":
        return np.int32
    raise ValueError(f"{where}: dtype must be 'float32' or 'int32', got {dtype!r}.")


def random_normal(
    shape: ShapeLike,
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: str | None = None,
    seed: int | None = None,
) -> Tensor:
    """Normal samples (`tf.randomNormal`), int32 rounded half up as TF.js's; with a `seed`, the
    values TF.js draws for it."""
    dims = _check_shape(shape, "random_normal()")
    return _normal_out(normal_array(dims, mean, stddev, seed), dtype, "random_normal()")


def normal_array(dims: Any, mean: float, stddev: float, seed: Any = None) -> np.ndarray:
    """Normal samples (float64): with a `seed`, TF.js's seeded randomNormal's values for it,
    else NumPy's generator (seeded by `tf.set_seed`). Initializers draw through here too."""
    if seed is not None:
        return _random.tfjs_normal(seed, dims, mean, stddev)
    return _random.generator().normal(mean, stddev, dims)


def uniform_array(dims: Any, low: float, high: float, seed: Any = None) -> np.ndarray:
    """Uniform samples in [low, high) (float64): low + (high - low) * u, u TF.js's own draw for
    a `seed` (alea(String(seed))), else NumPy's generator's. Initializers draw through here."""
    if seed is not None:
        return low + (high - low) * _random.tfjs_uniform(seed, dims)
    return _random.generator().uniform(low, high, dims)


def _normal_out(vals: np.ndarray, dtype: str | None, where: str) -> Tensor:
    """Normal draws as `dtype`: int32 rounded half up, as TF.js's MPRandGauss (Math.round)."""
    out = _float_out(dtype, where)
    if out is np.int32:
        vals = np.floor(np.asarray(vals) + 0.5)
    return Tensor._wrap(np.asarray(vals).astype(out))


def random_uniform(
    shape: ShapeLike,
    minval: float = 0.0,
    maxval: float = 1.0,
    dtype: str | None = None,
    seed: int | None = None,
) -> Tensor:
    """Uniform samples in [minval, maxval) (`tf.randomUniform`): minval + (maxval - minval) * u,
    cut toward zero for int32 (TF.js stores its float draws in an Int32Array); with a `seed` (a
    number or a string), u is TF.js's own draw for it (alea(String(seed)))."""
    dims = _check_shape(shape, "random_uniform()")
    out = _float_out(dtype, "random_uniform()")
    vals = uniform_array(dims, minval, maxval, seed)
    if out is np.int32:
        vals = np.trunc(vals)
    return Tensor._wrap(np.asarray(vals).astype(out))


def truncated_normal_array(
    dims: tuple[int, ...], mean: float, stddev: float, seed: int | None = None
) -> np.ndarray:
    """Normal samples, each beyond 2 standard deviations redrawn (TF.js's truncation); with a
    `seed`, the values TF.js's seeded truncatedNormal draws."""
    if seed is not None:
        return _random.tfjs_normal(seed, dims, mean, stddev, truncated=True)
    gen = _random.generator(seed)
    z = gen.standard_normal(dims)
    bad = np.abs(z) > 2.0
    while bad.any():
        z[bad] = gen.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2.0
    return mean + stddev * z


def truncated_normal(
    shape: ShapeLike,
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: str | None = None,
    seed: int | None = None,
) -> Tensor:
    """Normal samples with values beyond 2 sigma redrawn (`tf.truncatedNormal`)."""
    dims = _check_shape(shape, "truncated_normal()")
    vals = truncated_normal_array(dims, mean, stddev, seed)
    return _normal_out(vals, dtype, "truncated_normal()")


def linspace(start: float, stop: float, num: int) -> Tensor:
    """`num` evenly spaced values from start to stop, both included."""
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num <= 0:
        raise ValueError(f"linspace(): num must be a positive integer, got {num!r}.")
    return Tensor._wrap(np.linspace(start, stop, int(num)).astype(_precision.float_dtype()))


def range(
    start: float, stop: float | None = None, step: float = 1, dtype: str = "float32"
) -> Tensor:
    """Values from start up to (not including) stop by step (`tf.range`)."""
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError("range(): step must not be 0.")
    out = _float_out(dtype, "range()")
    return Tensor._wrap(np.arange(start, stop, step).astype(out))


def eye(
    num_rows: int,
    num_columns: int | None = None,
    batch_shape: Sequence[int] | None = None,
    dtype: str = "float32",
) -> Tensor:
    """An identity matrix, optionally repeated over `batch_shape`."""
    m = np.eye(num_rows, num_columns if num_columns is not None else num_rows)
    if batch_shape:
        m = np.broadcast_to(m, tuple(batch_shape) + m.shape)
    return Tensor._wrap(np.array(m, dtype=_np_dtype(dtype, "eye()")))


def _from_buffer(values: np.ndarray, shape: tuple[int, ...], dtype: str) -> Tensor:
    return tensor(values.copy(), shape, dtype)


tensor_buffer.set_tensor_maker(_from_buffer)
