"""Tensor's operators and chainable methods, bound once from the op functions.

`lstmkit.tensor` defines the data type and knows nothing of the ops, so the import runs one way
(tensor <- engine.ops). When the ops package is imported it binds ``x + y``, ``x[i]``,
``x.sum()`` and the other method forms onto `Tensor` straight to the op functions, as TF.js's
chained ops and tinygrad's mixins do: an operator costs one Python call, with no import inside
it. A method's TF.js camelCase spelling is bound beside the snake_case one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..._names import to_camel_case
from ...tensor import Tensor
from .. import api
from . import (
    arithmetic,
    elementwise,
    normalization,
    products,
    reduction,
    searching,
    segments,
    selection,
    shape,
    shape_tools,
    strided_slice,
)

# operator: (op, whether the operands are swapped)
_OPERATORS: dict[str, tuple[Callable[..., Tensor], bool]] = {
    "__add__": (arithmetic.add, False),
    "__radd__": (arithmetic.add, True),
    "__sub__": (arithmetic.sub, False),
    "__rsub__": (arithmetic.sub, True),
    "__mul__": (arithmetic.mul, False),
    "__rmul__": (arithmetic.mul, True),
    "__truediv__": (arithmetic.div, False),
    "__rtruediv__": (arithmetic.div, True),
    "__pow__": (arithmetic.pow, False),
    "__rpow__": (arithmetic.pow, True),
    "__matmul__": (arithmetic.matmul, False),
    "__rmatmul__": (arithmetic.matmul, True),
    "__lt__": (arithmetic.less, False),
    "__le__": (arithmetic.less_equal, False),
    "__gt__": (arithmetic.greater, False),
    "__ge__": (arithmetic.greater_equal, False),
    "__eq__": (arithmetic.equal, False),
    "__ne__": (arithmetic.not_equal, False),
    "__getitem__": (shape.getitem, False),
}

_UNARY_OPERATORS: dict[str, Callable[[Any], Tensor]] = {
    "__neg__": elementwise.neg,
    "__abs__": elementwise.abs,
}

# method name: op, called as op(self, *args, **kwargs) (TF.js's chained ops, tfjs-core
# public/chained_ops: `x.op(...)` is `tf.op(x, ...)`)
_METHODS: dict[str, Callable[..., Any]] = {
    # arithmetic
    "add": arithmetic.add,
    "sub": arithmetic.sub,
    "mul": arithmetic.mul,
    "div": arithmetic.div,
    "div_no_nan": arithmetic.div_no_nan,
    "floor_div": arithmetic.floor_div,
    "mod": arithmetic.mod,
    "pow": arithmetic.pow,
    "maximum": arithmetic.maximum,
    "minimum": arithmetic.minimum,
    "squared_difference": arithmetic.squared_difference,
    "atan2": arithmetic.atan2,
    "matmul": arithmetic.matmul,
    "mat_mul": arithmetic.matmul,
    "dot": arithmetic.dot,
    # comparisons and logic
    "equal": arithmetic.equal,
    "not_equal": arithmetic.not_equal,
    "greater": arithmetic.greater,
    "greater_equal": arithmetic.greater_equal,
    "less": arithmetic.less,
    "less_equal": arithmetic.less_equal,
    "logical_and": arithmetic.logical_and,
    "logical_or": arithmetic.logical_or,
    "logical_xor": arithmetic.logical_xor,
    "logical_not": arithmetic.logical_not,
    "is_nan": arithmetic.is_nan,
    "is_finite": arithmetic.is_finite,
    "is_inf": arithmetic.is_inf,
    # unary
    "abs": elementwise.abs,
    "neg": elementwise.neg,
    "exp": elementwise.exp,
    "expm1": elementwise.expm1,
    "log": elementwise.log,
    "log1p": elementwise.log1p,
    "sqrt": elementwise.sqrt,
    "rsqrt": elementwise.rsqrt,
    "square": elementwise.square,
    "reciprocal": elementwise.reciprocal,
    "round": elementwise.round,
    "floor": elementwise.floor,
    "ceil": elementwise.ceil,
    "sign": elementwise.sign,
    "sin": elementwise.sin,
    "cos": elementwise.cos,
    "tan": elementwise.tan,
    "asin": elementwise.asin,
    "acos": elementwise.acos,
    "atan": elementwise.atan,
    "sinh": elementwise.sinh,
    "cosh": elementwise.cosh,
    "asinh": elementwise.asinh,
    "acosh": elementwise.acosh,
    "atanh": elementwise.atanh,
    "erf": elementwise.erf,
    "sigmoid": elementwise.sigmoid,
    "log_sigmoid": elementwise.log_sigmoid,
    "tanh": elementwise.tanh,
    "relu": elementwise.relu,
    "relu6": elementwise.relu6,
    "elu": elementwise.elu,
    "selu": elementwise.selu,
    "softplus": elementwise.softplus,
    "leaky_relu": elementwise.leaky_relu,
    "step": elementwise.step,
    "clip_by_value": elementwise.clip_by_value,
    "softmax": elementwise.softmax,
    "log_softmax": elementwise.log_softmax,
    # reductions and scans
    "sum": reduction.sum,
    "mean": reduction.mean,
    "max": reduction.max,
    "min": reduction.min,
    "prod": reduction.prod,
    "any": reduction.any,
    "all": reduction.all,
    "argmax": reduction.argmax,
    "argmin": reduction.argmin,
    "arg_max": reduction.argmax,
    "arg_min": reduction.argmin,
    "norm": reduction.norm,
    "euclidean_norm": reduction.euclidean_norm,
    "cumsum": reduction.cumsum,
    "log_sum_exp": reduction.log_sum_exp,
    "topk": selection.topk,
    # shape
    "squeeze": shape.squeeze,
    "transpose": shape.transpose,
    "cast": shape.cast,
    "slice": shape.slice,
    "gather": shape.gather,
    "tile": shape.tile,
    "split": shape.split,
    "unstack": shape.unstack,
    "reverse": shape.reverse,
    "pad": shape.pad,
    "one_hot": shape.one_hot,
    "broadcast_to": shape.broadcast_to,
    # the chained tfjs-core ops of the later modules
    "cumprod": products.cumprod,
    "strided_slice": strided_slice.strided_slice,
    "mirror_pad": shape_tools.mirror_pad,
    "unique": searching.unique,
    "unsorted_segment_sum": segments.unsorted_segment_sum,
    "prelu": normalization.prelu,
    "batch_norm": normalization.batch_norm,
    "local_response_normalization": normalization.local_response_normalization,
}

# TF.js's camelCase spellings that are not `to_camel_case` of the snake_case name; every other
# method with an underscore gets its plain camelCase spelling (`clip_by_value` ->
# `clipByValue`) beside it.
_CAMEL_CASE = {
    "as_type": "asType",
    "expand_dims": "expandDims",
    "is_nan": "isNaN",
    "as1d": "as1D",
    "as2d": "as2D",
    "as3d": "as3D",
    "as4d": "as4D",
    "as5d": "as5D",
}


def _swapped(op: Callable[..., Tensor]) -> Callable[[Tensor, Any], Tensor]:
    def method(self: Tensor, other: Any) -> Tensor:
        return op(other, self)

    method.__name__ = f"r{op.__name__}"
    return method


def _reshape(self: Tensor, *new_shape: Any) -> Tensor:
    """`x.reshape(2, 3)` or `x.reshape([2, 3])`."""
    if len(new_shape) == 1 and not isinstance(new_shape[0], (int, np.integer)):
        new_shape = tuple(new_shape[0])
    return shape.reshape(self, new_shape)


def _reshape_as(self: Tensor, x: Any) -> Tensor:
    """This tensor's values in the shape of `x` (TF.js's `reshapeAs`)."""
    return shape.reshape(self, np.shape(x) if not isinstance(x, Tensor) else x.shape)


def _expand_dims(self: Tensor, axis: int = 0) -> Tensor:
    return shape.expand_dims(self, axis)


def _as_type(self: Tensor, dtype: str) -> Tensor:
    return shape.cast(self, dtype)


def _to_float(self: Tensor) -> Tensor:
    """`cast(x, 'float32')` (TF.js's deprecated `toFloat`)."""
    return shape.cast(self, "float32")


def _to_int(self: Tensor) -> Tensor:
    """`cast(x, 'int32')` (TF.js's deprecated `toInt`)."""
    return shape.cast(self, "int32")


def _to_bool(self: Tensor) -> Tensor:
    """`cast(x, 'bool')` (TF.js's deprecated `toBool`)."""
    return shape.cast(self, "bool")


def _flatten(self: Tensor) -> Tensor:
    return shape.reshape(self, (-1,))


def _as_rank(rank: int) -> Callable[..., Tensor]:
    name = f"as{rank}d"

    def method(self: Tensor, *dims: int) -> Tensor:
        if len(dims) != rank:
            raise ValueError(
                f"Tensor.as{rank}D(): expects {rank} sizes (one may be -1, inferred), got "
                f"{len(dims)}: {list(dims)}; the tensor has shape {list(self.shape)}."
            )
        return shape.reshape(self, dims)

    def as1d(self: Tensor) -> Tensor:
        return shape.reshape(self, (self.size,))

    fn = as1d if rank == 1 else method
    fn.__name__ = name
    fn.__doc__ = f"Reshape to rank {rank} (TF.js's `as{rank}D`)."
    return fn


def _as_scalar(self: Tensor) -> Tensor:
    """The one value as a rank-0 tensor (TF.js's `asScalar`)."""
    if self.size != 1:
        raise ValueError(
            f"Tensor.asScalar(): The array must have only 1 element, got {self.size} "
            f"(shape {list(self.shape)}); index or reduce it first."
        )
    return shape.reshape(self, ())


def _concat(self: Tensor, tensors: Any, axis: int = 0) -> Tensor:
    """`tf.concat([this, ...tensors], axis)`; `tensors` may be one tensor or a list."""
    rest = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    return shape.concat([self, *rest], axis)


def _stack(self: Tensor, x: Any, axis: int = 0) -> Tensor:
    """`tf.stack([this, ...x], axis)`; `x` may be one tensor or a list."""
    rest = [x] if isinstance(x, Tensor) else list(x)
    return shape.stack([self, *rest], axis)


def _where(self: Tensor, condition: Any, x: Any) -> Tensor:
    """`tf.where(condition, this, x)`, TF.js's chained `where`."""
    return shape.where(condition, self, x)


def _zeros_like(self: Tensor) -> Tensor:
    return Tensor._wrap(np.zeros_like(self._data))


def _ones_like(self: Tensor) -> Tensor:
    return Tensor._wrap(np.ones_like(self._data))


def _variable(
    self: Tensor, trainable: bool = True, name: str | None = None, dtype: str | None = None
) -> Any:
    """A new Variable holding this tensor's values (TF.js's `tensor.variable()`)."""
    return api.variable(self, trainable, name, dtype)


def _clone(self: Tensor) -> Tensor:
    return elementwise.identity(self)


def _transposed(self: Tensor) -> Tensor:
    return shape.transpose(self)


def _pos(self: Tensor) -> Tensor:
    return self


_WRAPPERS: dict[str, Callable[..., Any]] = {
    "reshape": _reshape,
    "reshape_as": _reshape_as,
    "expand_dims": _expand_dims,
    "as_type": _as_type,
    "to_float": _to_float,
    "to_int": _to_int,
    "to_bool": _to_bool,
    "flatten": _flatten,
    **{f"as{r}d": _as_rank(r) for r in (1, 2, 3, 4, 5)},
    "as_scalar": _as_scalar,
    "concat": _concat,
    "stack": _stack,
    "where": _where,
    "zeros_like": _zeros_like,
    "ones_like": _ones_like,
    "variable": _variable,
    "clone": _clone,
    "__pos__": _pos,
}


def camel_case_names() -> dict[str, str]:
    """snake_case method name -> its TF.js camelCase spelling, for every bound method."""
    names = {}
    for snake in (*_METHODS, *_WRAPPERS):
        if snake.startswith("_"):
            continue
        camel = _CAMEL_CASE.get(snake, to_camel_case(snake))
        if camel != snake:
            names[snake] = camel
    return names


def bind() -> None:
    """Put the operators and methods on `Tensor` (idempotent)."""
    for name, (op, swapped) in _OPERATORS.items():
        setattr(Tensor, name, _swapped(op) if swapped else op)
    for name, op in _UNARY_OPERATORS.items():
        setattr(Tensor, name, op)
    for name, op in _METHODS.items():
        setattr(Tensor, name, op)
    for name, fn in _WRAPPERS.items():
        setattr(Tensor, name, fn)
    for snake, camel in camel_case_names().items():
        setattr(Tensor, camel, getattr(Tensor, snake))
    Tensor.T = property(_transposed)  # type: ignore[assignment,method-assign]
    Tensor.__hash__ = object.__hash__  # type: ignore[method-assign]  # defining __eq__ must not make tensors unhashable
