"""Weight constraints with TF.js's formulas, names and model.json configs.

A constraint maps a weight array to its projected value; the optimizer applies it after each
update, so it works on NumPy arrays and needs no gradient. Norms are L2 norms along `axis`
(kept as a size-1 dim), and the division adds TF.js's epsilon (1e-7) to the norm:

- MaxNorm:    w * clip(n, 0, max_value) / (eps + n)
- UnitNorm:   w / (eps + n)
- NonNeg:     relu(w)
- MinMaxNorm: w * (rate * clip(n, min_value, max_value) + (1 - rate) * n) / (eps + n)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._names import add_camel_case_functions
from ._options import accepts_config
from .config_objects import (
    Serializable,
    camel_kwargs,
    deserialize_object,
    get_object,
    number_arg,
    serialize_object,
    serialize_object_ts,
)
from .tensor import Tensor

EPSILON = 1e-7  # tfjs-layers' epsilon() on the float32 backends

Axis = int | Sequence[int]


def _axis(where: str, axis: Any) -> int | list[int]:
    if axis is None:
        return 0
    if isinstance(axis, np.integer):
        axis = int(axis)
    if isinstance(axis, int) and not isinstance(axis, bool):
        return axis
    if isinstance(axis, (list, tuple)) and all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis
    ):
        return [int(a) for a in axis]
    raise ValueError(f"{where}: axis must be an integer or a list of integers, got {axis!r}.")


class Constraint(Serializable):
    """Base class: `c(w)` returns the constrained weights (same shape and dtype)."""

    axis: int | Sequence[int]
    """The axes the norm constraints take their norms over (set by those that have one)."""

    def __call__(self, w: Any) -> Any:
        if isinstance(w, Tensor):
            return Tensor._wrap(self._project(w._data))
        return self._project(np.asarray(w))

    def apply(self, w: Any) -> Any:
        """TF.js's spelling of `__call__`."""
        return self(w)

    def _project(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _norms(self, w: np.ndarray) -> np.ndarray:
        axis = self.axis if isinstance(self.axis, int) else tuple(self.axis)
        try:
            return np.sqrt(np.sum(w * w, axis=axis, keepdims=True))
        except ValueError:  # numpy's AxisError
            raise ValueError(
                f"{type(self).__name__}: axis {self.axis} is out of range for weights of shape "
                f"{list(w.shape)}."
            ) from None

    def _rescale(self, w: np.ndarray, norms: np.ndarray, desired: np.ndarray) -> np.ndarray:
        return (w * (desired / (w.dtype.type(EPSILON) + norms))).astype(w.dtype, copy=False)


class MaxNorm(Constraint):
    """Rescale each slice along `axis` whose L2 norm exceeds `max_value` down to it."""

    class_name = "MaxNorm"

    def __init__(self, max_value: float = 2, axis: Axis = 0, **kwargs: Any):
        camel = camel_kwargs("MaxNorm()", kwargs, ("max_value", "axis"))
        max_value = camel.get("max_value", max_value)
        self.max_value = number_arg("MaxNorm()", "max_value", 2 if max_value is None else max_value)
        self.axis = _axis("MaxNorm()", camel.get("axis", axis))

    def _project(self, w):
        norms = self._norms(w)
        return self._rescale(w, norms, np.clip(norms, 0, self.max_value))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class UnitNorm(Constraint):
    """Rescale each slice along `axis` to unit L2 norm."""

    class_name = "UnitNorm"

    def __init__(self, axis: Axis = 0):
        self.axis = _axis("UnitNorm()", axis)

    def _project(self, w):
        return (w / (w.dtype.type(EPSILON) + self._norms(w))).astype(w.dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


class NonNeg(Constraint):
    """Negative weights set to 0."""

    class_name = "NonNeg"

    def _project(self, w):
        return np.maximum(w, 0).astype(w.dtype, copy=False)


class MinMaxNorm(Constraint):
    """Move each slice's L2 norm into [min_value, max_value], by the fraction `rate`."""

    class_name = "MinMaxNorm"

    def __init__(
        self,
        min_value: float = 0.0,
        max_value: float = 1.0,
        rate: float = 1.0,
        axis: Axis = 0,
        **kwargs: Any,
    ):
        where = "MinMaxNorm()"
        camel = camel_kwargs(where, kwargs, ("min_value", "max_value", "rate", "axis"))
        min_value = camel.get("min_value", min_value)
        max_value = camel.get("max_value", max_value)
        rate = camel.get("rate", rate)
        self.min_value = number_arg(where, "min_value", 0.0 if min_value is None else min_value)
        self.max_value = number_arg(where, "max_value", 1.0 if max_value is None else max_value)
        self.rate = number_arg(where, "rate", 1.0 if rate is None else rate)
        self.axis = _axis(where, camel.get("axis", axis))
        if self.min_value > self.max_value:
            raise ValueError(
                f"{where}: min_value ({self.min_value}) must be <= max_value ({self.max_value})."
            )

    def _project(self, w):
        norms = self._norms(w)
        clipped = np.clip(norms, self.min_value, self.max_value)
        desired = self.rate * clipped + (1.0 - self.rate) * norms
        return self._rescale(w, norms, desired.astype(w.dtype, copy=False))

    def get_config(self) -> dict[str, Any]:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


_CLASSES: dict[str, type] = {
    c.class_name.lower(): c for c in (MaxNorm, UnitNorm, NonNeg, MinMaxNorm)
}
_NAMES = ["maxNorm", "minMaxNorm", "nonNeg", "unitNorm"]


def get(identifier: str | dict | Constraint | None) -> Constraint | None:
    """The constraint for a TF.js name ('maxNorm'), a Keras name ('max_norm', 'MaxNorm'),
    a {"class_name", "config"} dict, or a Constraint; None gives None."""
    return get_object("constraint", identifier, Constraint, _CLASSES, _NAMES)


def serialize(constraint: Constraint | None) -> dict[str, Any] | None:
    """`{"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}}`, as TF.js writes it."""
    return serialize_object(constraint)


def deserialize(config: dict[str, Any]) -> Constraint:
    """The inverse of `serialize`."""
    return deserialize_object("constraint", config, _CLASSES, _NAMES)


def serializeConstraint(constraint: Constraint | None) -> dict[str, Any] | None:  # noqa: N802  (TF.js's name)
    """TF.js's `serializeConstraint`: `{"className", "config"}` in TF.js's TypeScript form
    (camelCase keys); `serialize` gives model.json's snake_case form."""
    return serialize_object_ts(constraint)


getConstraint = get  # noqa: N816  (TF.js's names)
deserializeConstraint = deserialize  # noqa: N816


@accepts_config
def max_norm(max_value: float = 2, axis: Axis = 0, **kwargs: Any) -> Constraint:
    """`tf.constraints.maxNorm` (camelCase `maxValue=` accepted too)."""
    return MaxNorm(max_value, axis, **kwargs)


@accepts_config
def unit_norm(axis: Axis = 0) -> Constraint:
    """`tf.constraints.unitNorm`."""
    return UnitNorm(axis)


@accepts_config
def non_neg() -> Constraint:
    """`tf.constraints.nonNeg`."""
    return NonNeg()


@accepts_config
def min_max_norm(
    min_value: float = 0.0,
    max_value: float = 1.0,
    rate: float = 1.0,
    axis: Axis = 0,
    **kwargs: Any,
) -> Constraint:
    """`tf.constraints.minMaxNorm` (camelCase `minValue=`/`maxValue=` accepted too)."""
    return MinMaxNorm(min_value, max_value, rate, axis, **kwargs)


# TF.js's camelCase names of the factories (tf.constraints.maxNorm, nonNeg, ...)
add_camel_case_functions(globals(), ("max_norm", "unit_norm", "non_neg", "min_max_norm"))
