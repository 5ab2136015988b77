"""`tf.util`: tfjs-core's utility functions (`util_base.ts`, `util.ts`) that make sense in Python.

Every function has its snake_case name and TF.js's camelCase one (`shuffle_combo` and
`shuffleCombo`). TF.js's typed arrays are 1-D NumPy arrays here (`create_shuffled_indices`
gives a uint32 array, as TF.js's Uint32Array).

`assert` is a Python keyword, so `tf.util.assert(...)` cannot be written: call
`tf.util.assert_(expr, msg)` (the name `assert` also resolves, through `getattr`).

Shuffling draws from lstmkit's generator, so `tf.set_seed(n)` makes it repeatable (TF.js uses
Math.random, which cannot be seeded).
"""

from __future__ import annotations

import builtins
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _random
from ._names import to_camel_case
from .tensor_buffer import compute_strides

_DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}
_BYTES = {"float32": 4, "int32": 4, "complex64": 8, "bool": 1}


# -- assertions ---------------------------------------------------------------------------------
def assert_(expr: Any, msg: str | Callable[[], str]) -> None:
    """Raise `ValueError(msg)` unless `expr` is truthy; `msg` may be a string or, as in TF.js,
    a function returning one (only called when the assertion fails)."""
    if not expr:
        raise ValueError(msg if isinstance(msg, str) else msg())


def assert_shapes_match(shape_a: Sequence[int], shape_b: Sequence[int], prefix: str = "") -> None:
    """Raise unless the two shapes are equal."""
    assert_(
        arrays_equal(list(shape_a), list(shape_b)),
        lambda: f"{prefix} Shapes {list(shape_a)} and {list(shape_b)} must match".lstrip(),
    )


def assert_non_null(a: Any) -> None:
    """Raise if `a` is None (TF.js's null or undefined)."""
    assert_(a is not None, "The input to the tensor constructor must be a non-null value.")


def assert_non_negative_integer_dimensions(shape: Sequence[Any]) -> None:
    """Raise unless every dimension of `shape` is a non-negative integer."""
    for d in shape:
        ok = not isinstance(d, bool) and isinstance(d, (int, np.integer)) and d >= 0
        assert_(
            ok,
            lambda: (
                f"Tensor must have a shape comprised of positive integers but got shape "
                f"[{', '.join(str(v) for v in shape)}]."
            ),
        )


# -- shuffling ----------------------------------------------------------------------------------
def _length(array: Any, where: str) -> int:
    if isinstance(array, (list, np.ndarray)) or (
        hasattr(array, "__setitem__") and hasattr(array, "__len__")
    ):
        return len(array)
    raise ValueError(
        f"tf.util.{where}(): expects a list or a NumPy array to shuffle in place, got "
        f"{type(array).__name__}. A Tensor cannot change: shuffle its values instead, "
        "e.g. tf.gather(x, tf.util.createShuffledIndices(len(x)))."
    )


def _permute(array: Any, perm: np.ndarray) -> None:
    if isinstance(array, np.ndarray):
        array[...] = array[perm]
    else:
        items = [array[int(i)] for i in perm]
        for i, item in enumerate(items):
            array[i] = item


def shuffle(array: Any) -> None:
    """Shuffle a list or NumPy array in place (a NumPy array along its first axis), drawing
    from lstmkit's generator (`tf.set_seed` makes it repeatable)."""
    n = _length(array, "shuffle")
    _permute(array, _random.generator().permutation(n))


def shuffle_combo(array: Any, array2: Any) -> None:
    """Shuffle two lists or arrays of the same length in place with the same permutation."""
    n, n2 = _length(array, "shuffleCombo"), _length(array2, "shuffleCombo")
    if n != n2:
        raise ValueError(
            f"tf.util.shuffleCombo(): Array sizes must match to be shuffled together. First "
            f"array length was {n}, second array length was {n2}."
        )
    perm = _random.generator().permutation(n)
    _permute(array, perm)
    _permute(array2, perm)


def create_shuffled_indices(n: int) -> np.ndarray:
    """0..n-1 in a random order, as a uint32 array (TF.js's Uint32Array)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(
            f"tf.util.createShuffledIndices(): n must be a non-negative integer, got {n!r}."
        )
    out = np.arange(int(n), dtype=np.uint32)
    shuffle(out)
    return out


# -- shapes and arrays --------------------------------------------------------------------------
def size_from_shape(shape: Sequence[int]) -> int:
    """The number of elements of `shape` (1 for a scalar's [])."""
    return math.prod(int(d) for d in shape)


def is_scalar_shape(shape: Sequence[int]) -> bool:
    return len(shape) == 0


def arrays_equal(n1: Any, n2: Any) -> bool:
    """Whether two flat arrays (lists or NumPy arrays) hold the same values in order."""
    if n1 is n2:
        return True
    if n1 is None or n2 is None or len(n1) != len(n2):
        return False
    return all(bool(a == b) for a, b in zip(n1, n2))


def arrays_equal_with_null(n1: Any, n2: Any) -> bool:
    """`arrays_equal`, where a None in either array matches anything."""
    if n1 is n2:
        return True
    if n1 is None or n2 is None or len(n1) != len(n2):
        return False
    return all(a is None or b is None or bool(a == b) for a, b in zip(n1, n2))


def is_typed_array(a: Any) -> bool:
    """Whether `a` is what TF.js calls a typed array: a flat numeric or bool NumPy array."""
    return isinstance(a, np.ndarray) and a.ndim == 1 and a.dtype.kind in "biuf"


def flatten(arr: Any, result: list[Any] | None = None, skip_typed_array: bool = False) -> list:
    """The values of nested lists, tuples and NumPy arrays, flat and in order."""
    if result is None:
        result = []
    if isinstance(arr, np.ndarray) and not (skip_typed_array and is_typed_array(arr)):
        result.extend(arr.reshape(-1).tolist())
    elif isinstance(arr, (list, tuple)):
        for item in arr:
            flatten(item, result, skip_typed_array)
    else:
        result.append(arr)
    return result


def infer_shape(val: Any, dtype: str | None = None) -> list[int]:
    """The shape of nested lists (read along the first elements, as TF.js), of a NumPy array,
    or [] for a number."""
    if isinstance(val, np.ndarray):
        return [] if dtype == "string" and val.ndim == 1 else list(val.shape)
    shape: list[int] = []
    first = val
    while isinstance(first, (list, tuple, np.ndarray)):
        shape.append(len(first))
        if len(first) == 0:
            break
        first = first[0]
    return shape


def infer_dtype(values: Any) -> str:
    """TF.js's `inferDtype`: 'bool' for booleans, 'string' for strings, 'int32' for integer
    arrays, else 'float32'."""
    if isinstance(values, (list, tuple)):
        return infer_dtype(values[0]) if len(values) else "float32"
    if isinstance(values, np.ndarray):
        kind = values.dtype.kind
        return {"b": "bool", "i": "int32", "u": "int32", "U": "string"}.get(kind, "float32")
    if isinstance(values, bool):
        return "bool"
    if isinstance(values, str):
        return "string"
    return "float32"


def squeeze_shape(shape: Sequence[int], axis: Sequence[int] | None = None) -> dict[str, list]:
    """TF.js's `squeezeShape`: `{'newShape', 'keptDims'}` after dropping axes of size 1 (all
    of them, or those in `axis`)."""
    axes = None if not axis else sorted(parse_axis_param(list(axis), shape))
    new_shape, kept = [], []
    for i, d in enumerate(shape):
        if axes is not None and i in axes:
            if d != 1:
                raise ValueError(f"Can't squeeze axis {i} since its dim '{d}' is not 1")
            continue
        if axes is not None or d != 1:
            new_shape.append(d)
            kept.append(i)
    return {"newShape": new_shape, "keptDims": kept}


def parse_axis_param(axis: int | Sequence[int] | None, shape: Sequence[int]) -> list[int]:
    """Axes as non-negative integers (all of them for None); each must be in [-rank, rank)."""
    rank = len(shape)
    axes = list(range(rank)) if axis is None else ([axis] if np.isscalar(axis) else list(axis))
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise ValueError(f"All values in axis param must be integers but got axis {axes}")
        if not -rank <= a < rank:
            raise ValueError(
                f"All values in axis param must be in range [-{rank}, {rank}) but got axis {axes}"
            )
    return [int(a) + rank if a < 0 else int(a) for a in axes]


def size_to_squarish_shape(size: int) -> list[int]:
    width = math.ceil(math.sqrt(size))
    return [width, math.ceil(size / width)]


def to_nested_array(shape: Sequence[int], a: Any) -> Any:
    """Flat values `a` as nested lists of `shape` (a number for the scalar shape [])."""
    flat = np.asarray(a).reshape(-1)
    if len(shape) == 0:
        return flat[0].item()
    n = size_from_shape(shape)
    if n == 0:
        return []
    if n != flat.size:
        raise ValueError(
            f"[{','.join(map(str, shape))}] does not match the input size {flat.size}."
        )
    return flat.reshape(tuple(shape)).tolist()


def loc_to_index(locs: Sequence[int], rank: int, strides: Sequence[int]) -> int:
    if rank == 0:
        return 0
    if rank == 1:
        return int(locs[0])
    return int(locs[-1]) + sum(int(strides[i]) * int(locs[i]) for i in range(len(locs) - 1))


def index_to_loc(index: int, rank: int, strides: Sequence[int]) -> list[int]:
    if rank == 0:
        return []
    if rank == 1:
        return [int(index)]
    locs = []
    for i in range(rank - 1):
        locs.append(int(index) // int(strides[i]))
        index -= locs[-1] * int(strides[i])
    return [*locs, int(index)]


def get_array_from_dtype(dtype: str, size: int) -> np.ndarray:
    """A flat array of `size` zeros of `dtype` (TF.js's typed array of that dtype)."""
    if dtype not in _DTYPES:
        raise ValueError(f"Unknown data type {dtype!r}; expected 'float32', 'int32' or 'bool'.")
    return np.zeros(int(size), _DTYPES[dtype])


get_typed_array_from_dtype = get_array_from_dtype
make_zeros_typed_array = get_array_from_dtype


def make_ones_typed_array(size: int, dtype: str) -> np.ndarray:
    return get_array_from_dtype(dtype, size) + _DTYPES[dtype](1)


def bytes_per_element(dtype: str) -> int:
    if dtype not in _BYTES:
        raise ValueError(f"Unknown dtype {dtype}")
    return _BYTES[dtype]


def is_valid_dtype(dtype: Any) -> bool:
    return dtype in ("float32", "int32", "bool", "complex64", "string")


# -- small helpers ------------------------------------------------------------------------------
def clamp(min: float, x: float, max: float) -> float:
    """x limited to [min, max] (TF.js's argument order)."""
    return builtins.max(min, builtins.min(x, max))


def nearest_larger_even(val: int) -> int:
    return val if val % 2 == 0 else val + 1


def swap(obj: Any, left: int, right: int) -> None:
    obj[left], obj[right] = obj[right], obj[left]


def rand_uniform(a: float, b: float) -> float:
    """One sample of the uniform distribution on [a, b), from lstmkit's generator."""
    r = float(_random.generator().random())
    return b * r + (1 - r) * a


def dist_squared(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum((float(x) - float(y)) ** 2 for x, y in zip(a, b)))


def is_int(a: Any) -> bool:
    return isinstance(a, (int, float, np.number)) and not isinstance(a, bool) and a % 1 == 0


def is_string(value: Any) -> bool:
    return isinstance(value, str)


def is_boolean(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))


def is_function(f: Any) -> bool:
    return callable(f)


def is_promise(obj: Any) -> bool:
    """Whether `obj` can be awaited (TF.js: has a `then`)."""
    return hasattr(obj, "__await__")


def right_pad(a: str, size: int) -> str:
    return a.ljust(size)


def now() -> float:
    """Milliseconds from a monotonic clock, as `performance.now()` (for timing only)."""
    return time.perf_counter() * 1000.0


def encode_string(s: str, encoding: str = "utf-8") -> np.ndarray:
    """The bytes of `s` as a uint8 array (TF.js's Uint8Array)."""
    return np.frombuffer(s.encode(encoding or "utf-8"), np.uint8).copy()


def decode_string(data: Any, encoding: str = "utf-8") -> str:
    """Bytes (a uint8 array, `bytes` or a list of byte values) decoded to a string."""
    raw = data if isinstance(data, (bytes, bytearray)) else np.asarray(data, np.uint8).tobytes()
    return bytes(raw).decode(encoding or "utf-8")


__all__ = [
    "arrays_equal",
    "arrays_equal_with_null",
    "assert_",
    "assert_non_negative_integer_dimensions",
    "assert_non_null",
    "assert_shapes_match",
    "bytes_per_element",
    "clamp",
    "compute_strides",
    "create_shuffled_indices",
    "decode_string",
    "dist_squared",
    "encode_string",
    "flatten",
    "get_array_from_dtype",
    "get_typed_array_from_dtype",
    "index_to_loc",
    "infer_dtype",
    "infer_shape",
    "is_boolean",
    "is_function",
    "is_int",
    "is_number",
    "is_promise",
    "is_scalar_shape",
    "is_string",
    "is_typed_array",
    "is_valid_dtype",
    "loc_to_index",
    "make_ones_typed_array",
    "make_zeros_typed_array",
    "nearest_larger_even",
    "now",
    "parse_axis_param",
    "rand_uniform",
    "right_pad",
    "shuffle",
    "shuffle_combo",
    "size_from_shape",
    "size_to_squarish_shape",
    "squeeze_shape",
    "swap",
    "to_nested_array",
]


def _add_camel_case_names() -> None:
    namespace = globals()
    namespace["assert"] = assert_  # TF.js's name (a keyword here: getattr(tf.util, 'assert'))
    # TF.js's spellings that are not a plain case change
    irregular = {
        "getArrayFromDType": "get_array_from_dtype",
        "getTypedArrayFromDType": "get_typed_array_from_dtype",
    }
    for camel, snake in irregular.items():
        namespace[camel] = namespace[snake]
        __all__.append(camel)
    for snake in list(__all__):
        camel = to_camel_case(snake.rstrip("_"))
        if camel != snake and camel not in namespace:
            namespace[camel] = namespace[snake]
            __all__.append(camel)


_add_camel_case_names()
