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

from ...tensor import Tensor
from . import arithmetic, elementwise, reduction, shape

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

# method name: op, called as op(self, *args, **kwargs)
_METHODS: dict[str, Callable[..., Tensor]] = {
    "add": arithmetic.add,
    "sub": arithmetic.sub,
    "mul": arithmetic.mul,
    "div": arithmetic.div,
    "matmul": arithmetic.matmul,
    "sum": reduction.sum,
    "mean": reduction.mean,
    "max": reduction.max,
    "min": reduction.min,
    "argmax": reduction.argmax,
    "square": elementwise.square,
    "sqrt": elementwise.sqrt,
    "exp": elementwise.exp,
    "log": elementwise.log,
    "abs": elementwise.abs,
    "neg": elementwise.neg,
    "squeeze": shape.squeeze,
    "transpose": shape.transpose,
}

# TF.js's camelCase spellings of the snake_case methods
_CAMEL_CASE = {"as_type": "asType", "expand_dims": "expandDims"}


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


def _expand_dims(self: Tensor, axis: int = 0) -> Tensor:
    return shape.expand_dims(self, axis)


def _as_type(self: Tensor, dtype: str) -> Tensor:
    return shape.cast(self, dtype)


def _flatten(self: Tensor) -> Tensor:
    return shape.reshape(self, (-1,))


def _clone(self: Tensor) -> Tensor:
    return elementwise.identity(self)


def _transposed(self: Tensor) -> Tensor:
    return shape.transpose(self)


def _pos(self: Tensor) -> Tensor:
    return self


def bind() -> None:
    """Put the operators and methods on `Tensor` (idempotent)."""
    for name, (op, swapped) in _OPERATORS.items():
        setattr(Tensor, name, _swapped(op) if swapped else op)
    for name, op in _UNARY_OPERATORS.items():
        setattr(Tensor, name, op)
    for name, op in _METHODS.items():
        setattr(Tensor, name, op)
    extra: dict[str, Callable[..., Any]] = {
        "reshape": _reshape,
        "expand_dims": _expand_dims,
        "as_type": _as_type,
        "flatten": _flatten,
        "clone": _clone,
        "__pos__": _pos,
    }
    for name, fn in extra.items():
        setattr(Tensor, name, fn)
    for snake, camel in _CAMEL_CASE.items():
        setattr(Tensor, camel, getattr(Tensor, snake))
    Tensor.T = property(_transposed)  # type: ignore[assignment,method-assign]
    Tensor.__hash__ = object.__hash__  # type: ignore[method-assign]  # defining __eq__ must not make tensors unhashable
