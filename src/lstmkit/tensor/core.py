"""The `Tensor`: a NumPy array with TF.js's dtype names, printing and disposal.

A Tensor wraps a C-contiguous NumPy array of dtype float32 (the default; float64 inside the
engine's test mode), int32 or bool, and reports its dtype with TF.js's names. Tensors are
immutable: ops return new tensors, only a `Variable` can be assigned.

Values become arrays as TF.js's do (`as_tensor`, `_to_array`): plain Python numbers become
float32 even when they are integers, and NumPy integer arrays become int32. The creation
functions (`tensor`, `zeros`, ...) are in `tensor/creation.py`.
"""

# ruff: noqa: N815  (TF.js's camelCase method names, declared beside the snake_case ones)
from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _precision, tensor_buffer
from .._format import format_tensor
from ..tensor_buffer import DataArray, TensorBuffer

ShapeLike = Sequence[int] | int

_DTYPE_NAMES = {"float32", "int32", "bool"}


class Tensor:
    """An immutable n-dimensional array, as TF.js's `tf.Tensor`."""

    __slots__ = ("_data", "_node", "_index", "_requires_grad", "__weakref__")
    __array_priority__ = 1000

    def __init__(self, values: Any, dtype: str | None = None):
        data = _to_array(values, dtype, "Tensor()")
        self._data = data
        self._node: Any = None  # the engine.tape Node that made it, when recorded
        self._index = 0
        self._requires_grad = False

    @classmethod
    def _wrap(cls, data: np.ndarray) -> Tensor:
        """Wrap an array the engine owns, without copying (C-contiguous is ensured)."""
        t = object.__new__(Tensor)
        if type(data) is not np.ndarray:  # a NumPy scalar (a ufunc on a 0-d array gives one)
            data = np.asarray(data)
        if not data.flags.c_contiguous:
            data = np.ascontiguousarray(data)
        t._data = data
        t._node = None
        t._index = 0
        t._requires_grad = False
        return t

    if TYPE_CHECKING:
        # The operators and chained ops are bound onto the class by `engine.ops` when it is
        # imported (tensor_methods.bind_tensor_methods); declared here for type checkers and
        # editors (tests/test_tensor_methods_declared.py checks both lists agree).
        def __add__(self, other: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __pos__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __eq__(self, other: Any) -> Tensor: ...  # type: ignore[override]
        def __ne__(self, other: Any) -> Tensor: ...  # type: ignore[override]
        def __lt__(self, other: Any) -> Tensor: ...
        def __le__(self, other: Any) -> Tensor: ...
        def __gt__(self, other: Any) -> Tensor: ...
        def __ge__(self, other: Any) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        @property
        def T(self) -> Tensor: ...  # noqa: N802 (NumPy's name)
        def add(self, b: Any) -> Tensor: ...
        def sub(self, b: Any) -> Tensor: ...
        def mul(self, b: Any) -> Tensor: ...
        def div(self, b: Any) -> Tensor: ...
        def div_no_nan(self, b: Any) -> Tensor: ...
        def floor_div(self, b: Any) -> Tensor: ...
        def mod(self, b: Any) -> Tensor: ...
        def pow(self, b: Any) -> Tensor: ...
        def maximum(self, b: Any) -> Tensor: ...
        def minimum(self, b: Any) -> Tensor: ...
        def squared_difference(self, b: Any) -> Tensor: ...
        def atan2(self, b: Any) -> Tensor: ...
        def matmul(
            self, b: Any, transpose_a: bool = False, transpose_b: bool = False
        ) -> Tensor: ...
        def mat_mul(
            self, b: Any, transpose_a: bool = False, transpose_b: bool = False
        ) -> Tensor: ...
        def dot(self, b: Any) -> Tensor: ...
        def equal(self, b: Any) -> Tensor: ...
        def not_equal(self, b: Any) -> Tensor: ...
        def greater(self, b: Any) -> Tensor: ...
        def greater_equal(self, b: Any) -> Tensor: ...
        def less(self, b: Any) -> Tensor: ...
        def less_equal(self, b: Any) -> Tensor: ...
        def logical_and(self, b: Any) -> Tensor: ...
        def logical_or(self, b: Any) -> Tensor: ...
        def logical_xor(self, b: Any) -> Tensor: ...
        def logical_not(self) -> Tensor: ...
        def is_nan(self) -> Tensor: ...
        def is_finite(self) -> Tensor: ...
        def is_inf(self) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def neg(self) -> Tensor: ...
        def exp(self) -> Tensor: ...
        def expm1(self) -> Tensor: ...
        def log(self) -> Tensor: ...
        def log1p(self) -> Tensor: ...
        def sqrt(self) -> Tensor: ...
        def rsqrt(self) -> Tensor: ...
        def square(self) -> Tensor: ...
        def reciprocal(self) -> Tensor: ...
        def round(self) -> Tensor: ...
        def floor(self) -> Tensor: ...
        def ceil(self) -> Tensor: ...
        def sign(self) -> Tensor: ...
        def sin(self) -> Tensor: ...
        def cos(self) -> Tensor: ...
        def tan(self) -> Tensor: ...
        def asin(self) -> Tensor: ...
        def acos(self) -> Tensor: ...
        def atan(self) -> Tensor: ...
        def sinh(self) -> Tensor: ...
        def cosh(self) -> Tensor: ...
        def asinh(self) -> Tensor: ...
        def acosh(self) -> Tensor: ...
        def atanh(self) -> Tensor: ...
        def erf(self) -> Tensor: ...
        def sigmoid(self) -> Tensor: ...
        def log_sigmoid(self) -> Tensor: ...
        def tanh(self) -> Tensor: ...
        def relu(self) -> Tensor: ...
        def relu6(self) -> Tensor: ...
        def elu(self) -> Tensor: ...
        def selu(self) -> Tensor: ...
        def softplus(self) -> Tensor: ...
        def leaky_relu(self, alpha: float = 0.2) -> Tensor: ...
        def step(self, alpha: float = 0.0) -> Tensor: ...
        def clip_by_value(self, clip_value_min: float, clip_value_max: float) -> Tensor: ...
        def softmax(self, dim: int = -1) -> Tensor: ...
        def log_softmax(self, axis: int = -1) -> Tensor: ...
        def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def max(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def min(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def prod(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def any(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def all(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def argmax(self, axis: int = 0) -> Tensor: ...
        def argmin(self, axis: int = 0) -> Tensor: ...
        def arg_max(self, axis: int = 0) -> Tensor: ...
        def arg_min(self, axis: int = 0) -> Tensor: ...
        def norm(
            self, ord: Any = "euclidean", axis: Any = None, keep_dims: bool = False
        ) -> Tensor: ...
        def euclidean_norm(self, axis: Any = None, keep_dims: bool = False) -> Tensor: ...
        def cumsum(
            self, axis: int = 0, exclusive: bool = False, reverse: bool = False
        ) -> Tensor: ...
        def log_sum_exp(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def topk(self, k: int = 1, sorted: bool = True) -> Any: ...
        def squeeze(self, axis: Any = None) -> Tensor: ...
        def transpose(self, perm: Sequence[int] | None = None) -> Tensor: ...
        def cast(self, dtype: str) -> Tensor: ...
        def slice(
            self, begin: Sequence[int] | int, size: Sequence[int] | int | None = None
        ) -> Tensor: ...
        def gather(self, indices: Any, axis: int = 0, batch_dims: int = 0) -> Tensor: ...
        def tile(self, reps: Sequence[int]) -> Tensor: ...
        def split(self, num_or_size_splits: int | Sequence[int], axis: int = 0) -> list[Tensor]: ...
        def unstack(self, axis: int = 0) -> list[Tensor]: ...
        def reverse(self, axis: Any = None) -> Tensor: ...
        def pad(self, paddings: Sequence[Sequence[int]], constant_value: float = 0) -> Tensor: ...
        def one_hot(
            self, depth: int, on_value: float = 1, off_value: float = 0, dtype: str = "int32"
        ) -> Tensor: ...
        def broadcast_to(self, shape: Sequence[int]) -> Tensor: ...
        def reshape(self, *new_shape: Any) -> Tensor: ...
        def reshape_as(self, x: Any) -> Tensor: ...
        def expand_dims(self, axis: int = 0) -> Tensor: ...
        def as_type(self, dtype: str) -> Tensor: ...
        def to_float(self) -> Tensor: ...
        def to_int(self) -> Tensor: ...
        def to_bool(self) -> Tensor: ...
        def flatten(self) -> Tensor: ...
        def as1d(self) -> Tensor: ...
        def as2d(self, *dims: int) -> Tensor: ...
        def as3d(self, *dims: int) -> Tensor: ...
        def as4d(self, *dims: int) -> Tensor: ...
        def as5d(self, *dims: int) -> Tensor: ...
        def as_scalar(self) -> Tensor: ...
        def concat(self, tensors: Any, axis: int = 0) -> Tensor: ...
        def stack(self, x: Any, axis: int = 0) -> Tensor: ...
        def where(self, condition: Any, x: Any) -> Tensor: ...
        def zeros_like(self) -> Tensor: ...
        def ones_like(self) -> Tensor: ...
        def variable(
            self, trainable: bool = True, name: str | None = None, dtype: str | None = None
        ) -> Any: ...
        def clone(self) -> Tensor: ...
        def cumprod(
            self, axis: int = 0, exclusive: bool = False, reverse: bool = False
        ) -> Tensor: ...
        def strided_slice(
            self,
            begin: Sequence[int],
            end: Sequence[int],
            strides: Sequence[int] | None = None,
            begin_mask: int = 0,
            end_mask: int = 0,
            ellipsis_mask: int = 0,
            new_axis_mask: int = 0,
            shrink_axis_mask: int = 0,
        ) -> Tensor: ...
        def mirror_pad(self, paddings: Sequence[Sequence[int]], mode: str) -> Tensor: ...
        def unique(self, axis: int = 0) -> Any: ...
        def unsorted_segment_sum(self, segment_ids: Any, num_segments: int) -> Tensor: ...
        def prelu(self, alpha: Any) -> Tensor: ...
        def batch_norm(
            self,
            mean: Any,
            variance: Any,
            offset: Any = None,
            scale: Any = None,
            variance_epsilon: float | None = None,
        ) -> Tensor: ...
        def local_response_normalization(
            self, depth_radius: int = 5, bias: float = 1, alpha: float = 1, beta: float = 0.5
        ) -> Tensor: ...

        # TF.js's camelCase spellings
        divNoNan = div_no_nan
        floorDiv = floor_div
        squaredDifference = squared_difference
        matMul = mat_mul
        notEqual = not_equal
        greaterEqual = greater_equal
        lessEqual = less_equal
        logicalAnd = logical_and
        logicalOr = logical_or
        logicalXor = logical_xor
        logicalNot = logical_not
        isNaN = is_nan
        isFinite = is_finite
        isInf = is_inf
        logSigmoid = log_sigmoid
        leakyRelu = leaky_relu
        clipByValue = clip_by_value
        logSoftmax = log_softmax
        argMax = arg_max
        argMin = arg_min
        euclideanNorm = euclidean_norm
        logSumExp = log_sum_exp
        oneHot = one_hot
        broadcastTo = broadcast_to
        reshapeAs = reshape_as
        expandDims = expand_dims
        asType = as_type
        toFloat = to_float
        toInt = to_int
        toBool = to_bool
        as1D = as1d
        as2D = as2d
        as3D = as3d
        as4D = as4d
        as5D = as5d
        asScalar = as_scalar
        zerosLike = zeros_like
        onesLike = ones_like
        stridedSlice = strided_slice
        mirrorPad = mirror_pad
        unsortedSegmentSum = unsorted_segment_sum
        batchNorm = batch_norm
        localResponseNormalization = local_response_normalization

    # -- properties -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def dtype(self) -> str:
        return _dtype_name(self._data.dtype)

    @property
    def rank(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        return int(self._data.size)

    @property
    def strides(self) -> list[int]:
        """Element strides of every axis but the last (TF.js's `tensor.strides`)."""
        return tensor_buffer.compute_strides(self._data.shape)

    # -- reading values ---------------------------------------------------------------------
    # TF.js's data(), array(), buffer() and bytes() return Promises: here they return the
    # value, in a subclass that can also be awaited (see lstmkit.tensor_buffer).
    def numpy(self) -> np.ndarray:
        """A copy of the values as a NumPy array."""
        return self._data.copy()

    def tolist(self) -> Any:
        """Nested Python lists (a number for a scalar), as TF.js's `arraySync()`."""
        return self._data.tolist()

    array_sync = tolist
    arraySync = tolist

    def array(self) -> Any:
        """Nested Python lists, as TF.js's `array()`; works with or without `await`."""
        return tensor_buffer.awaitable_nested(self.tolist())

    def data_sync(self) -> np.ndarray:
        """The values flattened in C order (a new 1-D array), as TF.js's `dataSync()`."""
        return self._data.reshape(-1).copy()

    dataSync = data_sync

    def data(self) -> DataArray:
        """The values flattened in C order, as TF.js's `data()`; works with or without
        `await` (a 1-D NumPy array either way)."""
        return tensor_buffer.awaitable_data(self.data_sync())

    def buffer_sync(self) -> TensorBuffer:
        """A TensorBuffer holding a copy of the values (TF.js's `bufferSync()`)."""
        dt = np.float32 if self._data.dtype.kind == "f" else self._data.dtype
        return TensorBuffer(self.shape, self.dtype, self._data.reshape(-1).astype(dt))

    bufferSync = buffer_sync

    def buffer(self) -> TensorBuffer:
        """A TensorBuffer holding a copy of the values (TF.js's `buffer()`); awaitable."""
        return self.buffer_sync()

    def bytes(self) -> DataArray:
        """The values' little-endian bytes as uint8 (float32, int32 or one byte per bool),
        as TF.js's `bytes()`; works with or without `await`."""
        dt = {"f": "<f4", "i": "<i4", "b": "u1"}[self._data.dtype.kind]
        raw = np.frombuffer(self._data.astype(dt).tobytes(), np.uint8).copy()
        return tensor_buffer.awaitable_data(raw)

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def item(self) -> float | int | bool:
        return self._data.item()

    def __float__(self) -> float:
        return float(self._data)

    def __int__(self) -> int:
        return int(self._data)

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(
                f"The truth value of a Tensor of shape {list(self.shape)} is ambiguous; "
                "use tf.any() / tf.all() or compare one element."
            )
        return bool(self._data.reshape(()))

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a scalar Tensor")
        return self._data.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # -- printing ---------------------------------------------------------------------------
    def to_string(self, verbose: bool = False) -> str:
        """The text `print()` shows, exactly as TF.js formats it."""
        return format_tensor(self._data, self.dtype, verbose)

    toString = to_string

    def print(self, verbose: bool = False) -> None:
        """Print the tensor as TF.js's `tensor.print()` does."""
        print(self.to_string(verbose))

    def __await__(self) -> Any:
        """`await model.evaluate(...)` as in TF.js programs (JavaScript's `await` of a value
        gives the value): awaiting a tensor gives the tensor."""
        return tensor_buffer._resolve(self)

    def __repr__(self) -> str:
        return self.to_string()

    __str__ = __repr__

    # -- disposal ---------------------------------------------------------------------------
    def dispose(self) -> None:
        """Mark the tensor disposed: `is_disposed` turns True, as in TF.js. Its values stay
        readable (TF.js would throw 'Tensor is disposed'; lstmkit has always let a disposed
        tensor be read, so ported code that disposes early keeps working). NumPy frees the
        memory itself when the last reference goes."""
        key = id(self)
        _DISPOSED[key] = weakref.ref(self, lambda _ref: _DISPOSED.pop(key, None))

    @property
    def is_disposed(self) -> bool:
        """Whether `dispose()` was called (TF.js's `isDisposed`)."""
        ref = _DISPOSED.get(id(self))
        return ref is not None and ref() is self

    isDisposed = is_disposed

    # Operators (x + y, x[i], ...) and the chainable op methods (x.sum(), x.reshape(...)) are
    # bound onto the class by `lstmkit.engine.ops` (its tensor_methods module), which imports
    # this one: the import runs one way.


# id -> a weak reference to each disposed tensor (a WeakSet would compare tensors with ==)
_DISPOSED: dict[int, weakref.ref[Tensor]] = {}


# -- conversion ---------------------------------------------------------------------------------
def _dtype_name(dt: np.dtype) -> str:
    if dt.kind == "f":
        return "float32"
    if dt == np.int32:
        return "int32"
    if dt == np.bool_:
        return "bool"
    return str(dt)


def _np_dtype(dtype: str | None, where: str) -> Any:
    if dtype is None:
        return None
    if isinstance(dtype, str) and dtype in _DTYPE_NAMES:
        return {"float32": _precision.float_dtype(), "int32": np.int32, "bool": np.bool_}[dtype]
    if not isinstance(dtype, str):
        try:
            kind = np.dtype(dtype).kind
        except TypeError:
            kind = None
        if kind == "f":
            return _precision.float_dtype()
        if kind in ("i", "u"):
            return np.int32
        if kind == "b":
            return np.bool_
    raise ValueError(f"{where}: unknown dtype {dtype!r}; expected 'float32', 'int32' or 'bool'.")


def _to_array(values: Any, dtype: str | None, where: str) -> np.ndarray:
    """Copy `values` into a new C-contiguous array of an engine dtype."""
    target = _np_dtype(dtype, where)
    if isinstance(values, Tensor):
        values = values._data
    if isinstance(values, np.ndarray):
        src = values
        if target is None:
            kind = src.dtype.kind
            if kind == "f":
                target = _precision.float_dtype()
            elif kind in ("i", "u"):
                target = np.int32
            elif kind == "b":
                target = np.bool_
            else:
                raise ValueError(
                    f"{where}: cannot make a tensor from an array of dtype {src.dtype}."
                )
    else:
        try:
            src = np.array(values)
        except ValueError as e:
            raise ValueError(
                f"{where}: values must be a number, a nested list of equal-length rows, or an "
                f"array; got a ragged or mixed sequence ({e})."
            ) from None
        if src.dtype == object or src.dtype.kind in ("U", "S"):
            raise ValueError(
                f"{where}: values must be numbers or booleans, got {type(values).__name__} "
                f"holding {src.dtype}."
            )
        if target is None:
            target = np.bool_ if src.dtype == np.bool_ else _precision.float_dtype()
    return np.array(src, dtype=target, order="C", copy=True)


def as_tensor(x: Any, where: str = "op", dtype: str | None = None) -> Tensor:
    """`x` if it is a Tensor, else a new Tensor made from it (numbers, lists, arrays)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray) and dtype is None:
        kind = x.dtype.kind
        if kind == "f" and x.dtype == _precision.float_dtype() or x.dtype in (np.int32, np.bool_):
            return Tensor._wrap(x)
    if isinstance(x, (int, float)) and not isinstance(x, bool) and dtype is None:
        return Tensor._wrap(np.array(x, dtype=_precision.float_dtype()))
    return Tensor(x, dtype) if dtype is not None else Tensor._wrap(_to_array(x, None, where))


# -- creation -----------------------------------------------------------------------------------
def _check_shape(shape: Any, where: str) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    try:
        dims = tuple(shape)
    except TypeError:
        raise ValueError(f"{where}: shape must be a list of integers, got {shape!r}.") from None
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0:
            raise ValueError(f"{where}: shape must hold non-negative integers, got {list(dims)}.")
    return tuple(int(d) for d in dims)
