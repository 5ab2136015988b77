"""`TensorBuffer` (`tf.buffer`) and the values a tensor's reads return.

A TensorBuffer is TF.js's mutable, tape-free array: `set(value, *locs)` and `get(*locs)` by
coordinates, `values` the flat, live storage, `to_tensor()` a tensor of the current values
(tfjs-core `tensor.ts`). Here `values` is a 1-D NumPy array (float32, int32 or bool), so
`buf.values[3] = 1` writes through as it does on TF.js's typed array.

TF.js's `data()`, `array()`, `buffer()` return Promises. In Python they return the value itself,
wrapped in a subclass that can also be awaited: `vals = t.data()` and, inside an `async def`,
`vals = await t.data()` both give the values, so ported code runs with or without its `await`.
`await` gives the plain value (a NumPy array, a list, a number); without it the value is a
subclass (`DataArray`, `NestedList`, `AwaitableFloat`, ...) that behaves as the plain one.

This module imports nothing from lstmkit (rank 0): `lstmkit.tensor` hands it the function that
makes a tensor (`set_tensor_maker`), as TF.js's buffer calls its engine's `makeTensor`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from typing import Any

import numpy as np

_BUFFER_DTYPES: dict[str, Any] = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}

# set by lstmkit.tensor: (flat values, shape, dtype) -> Tensor
_make_tensor: Callable[[np.ndarray, tuple[int, ...], str], Any] | None = None


def set_tensor_maker(fn: Callable[[np.ndarray, tuple[int, ...], str], Any]) -> None:
    """Called once by `lstmkit.tensor`: how `TensorBuffer.to_tensor()` makes a Tensor."""
    global _make_tensor
    _make_tensor = fn


# -- awaitable values ---------------------------------------------------------------------------
def _resolve(value: Any) -> Generator[Any, None, Any]:
    """An awaitable's iterator that finishes at once with `value` (a resolved Promise)."""
    yield from ()
    return value


class Resolved:
    """An already-finished awaitable: `await Resolved(v)` is `v` (TF.js's resolved Promise)."""

    __slots__ = ("value",)

    def __init__(self, value: Any = None):
        self.value = value

    def __await__(self) -> Generator[Any, None, Any]:
        return _resolve(self.value)

    def __repr__(self) -> str:
        return f"Resolved({self.value!r})"


class DataArray(np.ndarray):
    """The flat values `Tensor.data()` returns: a NumPy array, awaitable as TF.js's Promise.

    `await t.data()` gives a plain `np.ndarray`; arithmetic on it gives plain arrays too.
    """

    def __await__(self) -> Generator[Any, None, np.ndarray]:
        return _resolve(self.view(np.ndarray))

    def __array_wrap__(self, obj: Any, context: Any = None, return_scalar: bool = False) -> Any:
        if return_scalar:
            return obj[()]
        return obj.view(np.ndarray) if isinstance(obj, np.ndarray) else obj

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))


class NestedList(list):  # type: ignore[type-arg]
    """The nested lists `Tensor.array()` returns, awaitable (`await` gives a plain list)."""

    def __await__(self) -> Generator[Any, None, list]:  # type: ignore[type-arg]
        return _resolve(list(self))


class AwaitableFloat(float):
    """A scalar tensor's `array()` value (float32), awaitable; `await` gives a plain float."""

    def __await__(self) -> Generator[Any, None, float]:
        return _resolve(float(self))


class AwaitableInt(int):
    """A scalar tensor's `array()` value (int32), awaitable; `await` gives a plain int."""

    def __await__(self) -> Generator[Any, None, int]:
        return _resolve(int(self))


class AwaitableBool(int):
    """A bool scalar's `array()` value, awaitable; `await` gives a plain bool.

    Python's bool cannot be subclassed, so without `await` this is an int 0/1 that prints as
    False/True and compares equal to them (`x == True`; `x is True` needs the `await`).
    """

    def __await__(self) -> Generator[Any, None, bool]:
        return _resolve(bool(self))

    def __repr__(self) -> str:
        return repr(bool(self))

    __str__ = __repr__


def awaitable_nested(value: Any) -> Any:
    """`value` (what `tolist()` gives) as one of the awaitable types above."""
    if isinstance(value, list):
        return NestedList(value)
    if isinstance(value, bool):
        return AwaitableBool(value)
    if isinstance(value, int):
        return AwaitableInt(value)
    return AwaitableFloat(value)


def awaitable_data(flat: np.ndarray) -> DataArray:
    """A flat array (owned by the caller) as a `DataArray`."""
    return flat.view(DataArray)


# -- TensorBuffer -------------------------------------------------------------------------------
def _dims(shape: Any, where: str) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise ValueError(
            f"{where}: shape must be a list of non-negative integers, got {shape!r}; "
            "pass e.g. [2, 3]."
        ) from None
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0:
            raise ValueError(
                f"{where}: shape must hold non-negative integers, got {list(dims)}; "
                "pass e.g. [2, 3]."
            )
    return tuple(int(d) for d in dims)


def compute_strides(shape: Sequence[int]) -> list[int]:
    """TF.js's `computeStrides`: element strides of every axis but the last (C order)."""
    rank = len(shape)
    if rank < 2:
        return []
    strides = [0] * (rank - 1)
    strides[-1] = int(shape[-1])
    for i in range(rank - 3, -1, -1):
        strides[i] = strides[i + 1] * int(shape[i + 1])
    return strides


class TensorBuffer:
    """A mutable array to fill element by element, then turn into a tensor (TF.js's
    `TensorBuffer`, made by `tf.buffer(shape, dtype, values)` or `tensor.buffer()`)."""

    def __init__(self, shape: Any, dtype: str = "float32", values: Any = None):
        self.shape: list[int] = list(_dims(shape, "tf.buffer()"))
        if dtype is None:
            dtype = "float32"
        if dtype not in _BUFFER_DTYPES:
            raise ValueError(
                f"tf.buffer(): dtype must be 'float32', 'int32' or 'bool', got {dtype!r} "
                "(string and complex64 buffers are not supported)."
            )
        self.dtype: str = dtype
        self.size: int = math.prod(self.shape)
        np_dtype = _BUFFER_DTYPES[dtype]
        if values is None:
            self.values: np.ndarray = np.zeros(self.size, np_dtype)
        else:
            if isinstance(values, np.ndarray) and values.dtype == np_dtype and values.ndim == 1:
                arr = values  # live storage, shared as TF.js shares the typed array
            else:
                arr = np.asarray(values)
                if arr.ndim != 1:
                    raise ValueError(
                        f"tf.buffer(): values must be a flat array, got shape "
                        f"{list(arr.shape)}; flatten them first (np.ravel or tf.util.flatten)."
                    )
                arr = arr.astype(np_dtype)
            if arr.size != self.size:
                raise ValueError(
                    f"tf.buffer(): Length of values '{arr.size}' does not match the size "
                    f"inferred by the shape '{self.size}' (shape {self.shape}); pass "
                    f"{self.size} values or a shape that holds {arr.size}."
                )
            self.values = arr
        self.strides: list[int] = compute_strides(self.shape)

    @property
    def rank(self) -> int:
        return len(self.shape)

    def _check_locs(self, locs: tuple[Any, ...], where: str) -> list[int]:
        if not locs:
            locs = (0,)
        if len(locs) == 1 and isinstance(locs[0], (list, tuple)):
            locs = tuple(locs[0])
        if len(locs) != self.rank and not (self.rank == 0 and list(locs) == [0]):
            raise ValueError(
                f"TensorBuffer.{where}(): The number of provided coordinates ({len(locs)}) must "
                f"match the rank ({self.rank}); pass one index per axis of shape {self.shape}."
            )
        out = []
        for axis, loc in enumerate(locs):
            if isinstance(loc, bool) or not isinstance(loc, (int, np.integer)):
                raise ValueError(
                    f"TensorBuffer.{where}(): coordinates must be integers, got {loc!r} "
                    f"at axis {axis}."
                )
            n = self.shape[axis] if self.rank else 1
            if not 0 <= loc < n:
                raise ValueError(
                    f"TensorBuffer.{where}(): Requested out of range element at "
                    f"{list(locs)}. Buffer shape={self.shape}; index {int(loc)} of axis "
                    f"{axis} must be in [0, {n})."
                )
            out.append(int(loc))
        return out

    def set(self, value: Any, *locs: int) -> None:
        """Write `value` at the coordinates `locs` (one per axis; none for a scalar)."""
        index = self.loc_to_index(self._check_locs(locs, "set"))
        self.values[index] = value

    def get(self, *locs: int) -> Any:
        """The value at the coordinates `locs`, as a Python number (or bool)."""
        index = self.loc_to_index(self._check_locs(locs, "get"))
        return self.values[index].item()

    def loc_to_index(self, locs: Sequence[int]) -> int:
        """The flat index of coordinates `locs` (TF.js's `locToIndex`)."""
        if self.rank == 0:
            return 0
        if self.rank == 1:
            return int(locs[0])
        index = int(locs[-1])
        for i in range(len(locs) - 1):
            index += self.strides[i] * int(locs[i])
        return index

    def index_to_loc(self, index: int) -> list[int]:
        """The coordinates of flat index `index` (TF.js's `indexToLoc`)."""
        if self.rank == 0:
            return []
        if self.rank == 1:
            return [int(index)]
        locs = [0] * self.rank
        for i in range(self.rank - 1):
            locs[i] = int(index) // self.strides[i]
            index -= locs[i] * self.strides[i]
        locs[-1] = int(index)
        return locs

    def to_tensor(self) -> Any:
        """A new Tensor holding a copy of the current values."""
        if _make_tensor is None:  # pragma: no cover  (lstmkit.tensor sets it on import)
            raise RuntimeError("TensorBuffer.to_tensor(): import lstmkit first.")
        return _make_tensor(self.values, tuple(self.shape), self.dtype)

    def __await__(self) -> Generator[Any, None, TensorBuffer]:
        """`await tensor.buffer()` (TF.js's `buffer()` is async) gives the buffer itself."""
        return _resolve(self)

    locToIndex = loc_to_index  # noqa: N815 (TF.js's name)
    indexToLoc = index_to_loc  # noqa: N815 (TF.js's name)
    toTensor = to_tensor  # noqa: N815 (TF.js's name)

    def __repr__(self) -> str:
        return f"TensorBuffer(shape={self.shape}, dtype={self.dtype!r})"


def buffer(shape: Any, dtype: str = "float32", values: Any = None) -> TensorBuffer:
    """A TensorBuffer of `shape` and `dtype`, zeros or the flat `values` (`tf.buffer`)."""
    return TensorBuffer(shape, dtype, values)
