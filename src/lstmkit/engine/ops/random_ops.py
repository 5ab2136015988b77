"""TF.js's other random creators: `rand` (values from a function), `randomUniformInt`,
`randomStandardNormal`, `randomGamma`. With a `seed`, `randomUniformInt` and
`randomStandardNormal` draw TF.js's very values (they are `randomUniform` and `randomNormal`,
which reproduce TF.js's alea streams); `randomGamma` and `rand` draw from NumPy's generator
(seeded by `tf.set_seed`, or a fresh one for a `seed`), TF.js's gamma stream is not reproduced."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ... import _precision, _random
from ...tensor import Tensor, random_normal, random_uniform
from .scatter_gather import check_shape_dims


def rand(
    shape: Sequence[int], rand_function: Callable[[], float], dtype: str | None = None
) -> Tensor:
    """`tf.rand(shape, randFunction, dtype?)`: a tensor whose values are successive calls of
    `randFunction()`, stored as TF.js's typed arrays store them (int32 truncates, bool keeps
    the low byte's truth)."""
    dims = check_shape_dims(shape, "rand")
    if dtype not in (None, "float32", "int32", "bool"):
        raise ValueError(f"rand: Unknown data type {dtype}.")
    size = int(np.prod(dims, dtype=np.int64))
    raw = np.array([float(rand_function()) for _ in range(size)], np.float64)
    raw[~np.isfinite(raw)] = 0 if dtype in ("int32", "bool") else raw[~np.isfinite(raw)]
    if dtype == "int32":
        out = np.trunc(raw).astype(np.int64).astype(np.int32)
    elif dtype == "bool":
        out = (np.trunc(raw).astype(np.int64) % 256) != 0
    else:
        out = raw.astype(_precision.float_dtype())
    return Tensor._wrap(out.reshape(dims))


def random_uniform_int(
    shape: Sequence[int], minval: float, maxval: float, seed: Any = None
) -> Tensor:
    """`tf.randomUniformInt(shape, minval, maxval, seed?)`: int32 values drawn uniformly from
    [minval, maxval)."""
    return random_uniform(shape, minval, maxval, "int32", seed)


def random_standard_normal(
    shape: Sequence[int], dtype: str | None = None, seed: Any = None
) -> Tensor:
    """`tf.randomStandardNormal(shape, dtype?, seed?)`: `randomNormal(shape, 0, 1, ...)`."""
    if dtype == "bool":
        raise ValueError(f"randomStandardNormal: Unsupported data type {dtype}.")
    return random_normal(shape, 0.0, 1.0, dtype, seed)


def random_gamma(
    shape: Sequence[int],
    alpha: float,
    beta: float = 1,
    dtype: str = "float32",
    seed: Any = None,
) -> Tensor:
    """`tf.randomGamma(shape, alpha, beta = 1, dtype = 'float32', seed?)`: samples of the
    gamma distribution with shape `alpha` and rate `beta` (mean alpha / beta); int32 values
    are rounded, as TF.js's `RandGamma`."""
    dims = check_shape_dims(shape, "randomGamma")
    beta = 1 if beta is None else beta
    dtype = "float32" if dtype is None else dtype
    if dtype not in ("float32", "int32"):
        raise ValueError(f"randomGamma: Unsupported data type {dtype}.")
    if not alpha >= 0 or not beta > 0:
        raise ValueError(
            f"randomGamma: alpha must be >= 0 and beta > 0, got alpha={alpha}, beta={beta}."
        )
    vals = _random.generator(seed).gamma(float(alpha), 1.0 / float(beta), dims)
    if dtype == "int32":
        return Tensor._wrap(np.floor(np.asarray(vals) + 0.5).astype(np.int32))
    return Tensor._wrap(np.asarray(vals).astype(_precision.float_dtype()))
