"""Weight regularizers: TF.js's `L1L2`, its `tf.regularizers.*` factories and configs.

A regularizer maps a weight Tensor to a scalar penalty Tensor built from differentiable ops,
so the training loop can add it to the loss and take gradients through it:
`sum(l1 * |x|) + sum(l2 * x^2)`, each term skipped when its rate is 0 (as TF.js).

Defaults follow TF.js's source, not Keras: an `L1L2` built without a rate (including
`get('l1l2')` and a config dict missing a key) uses 0.01 for it; `l1()` is L1L2(0.01, 0),
`l2()` is L1L2(0, 0.01). Keras's `L1`/`L2` class names are accepted on load.
"""

from __future__ import annotations

from typing import Any

from ._options import accepts_config
from .config_objects import (
    Serializable,
    deserialize_object,
    get_object,
    number_arg,
    serialize_object,
    serialize_object_ts,
)
from .engine import ops
from .tensor import Tensor, as_tensor, scalar

_DEFAULT_RATE = 0.01


class Regularizer(Serializable):
    """Base class: `reg(x)` returns a scalar penalty Tensor."""

    def __call__(self, x: Any) -> Tensor:
        raise NotImplementedError

    def apply(self, x: Any) -> Tensor:
        """TF.js's spelling of `__call__`."""
        return self(x)


class L1L2(Regularizer):
    """Penalty `sum(l1 * |x|) + sum(l2 * x^2)`; a rate left as None is TF.js's 0.01."""

    class_name = "L1L2"

    def __init__(self, l1: float | None = None, l2: float | None = None):
        self.l1 = number_arg("L1L2()", "l1", _DEFAULT_RATE if l1 is None else l1)
        self.l2 = number_arg("L1L2()", "l2", _DEFAULT_RATE if l2 is None else l2)

    def __call__(self, x: Any) -> Tensor:
        x = as_tensor(x, "L1L2()")
        penalty = None
        if self.l1 != 0:
            penalty = ops.sum(ops.mul(self.l1, ops.abs(x)))
        if self.l2 != 0:
            term = ops.sum(ops.mul(self.l2, ops.square(x)))
            penalty = term if penalty is None else ops.add(penalty, term)
        return scalar(0.0) if penalty is None else penalty

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class _L1(L1L2):
    """Keras's `L1` class name on load: L1L2(l1, 0)."""

    def __init__(self, l1: float | None = None):
        super().__init__(l1=l1, l2=0)


class _L2(L1L2):
    """Keras's `L2` class name on load: L1L2(0, l2)."""

    def __init__(self, l2: float | None = None):
        super().__init__(l1=0, l2=l2)


# Normalized names (underscores dropped, lower case): 'l1l2', 'L1L2', 'l1_l2', 'l1', 'L2', ...
_CLASSES: dict[str, type] = {"l1l2": L1L2, "l1": _L1, "l2": _L2}
_NAMES = ["l1l2", "l1", "l2"]


def get(identifier: str | dict | Regularizer | None) -> Regularizer | None:
    """The regularizer for a name ('l1l2', 'L1L2', 'l1', 'l2', 'l1_l2'), a {"class_name",
    "config"} dict, or a Regularizer; None gives None."""
    return get_object("regularizer", identifier, Regularizer, _CLASSES, _NAMES)


def serialize(regularizer: Regularizer | None) -> dict[str, Any] | None:
    """`{"class_name": "L1L2", "config": {"l1": ..., "l2": ...}}`, as TF.js writes it."""
    return serialize_object(regularizer)


def deserialize(config: dict[str, Any]) -> Regularizer:
    """The inverse of `serialize`."""
    return deserialize_object("regularizer", config, _CLASSES, _NAMES)


def serializeRegularizer(regularizer: Regularizer | None) -> dict[str, Any] | None:  # noqa: N802  (TF.js's name)
    """TF.js's `serializeRegularizer`: `{"className", "config"}` in TF.js's TypeScript form
    (camelCase keys); `serialize` gives model.json's snake_case form."""
    return serialize_object_ts(regularizer)


getRegularizer = get  # noqa: N816  (TF.js's names)
deserializeRegularizer = deserialize  # noqa: N816


@accepts_config
def l1l2(l1: float = _DEFAULT_RATE, l2: float = _DEFAULT_RATE) -> Regularizer:
    """`tf.regularizers.l1l2`: both penalties, 0.01 each by default."""
    return L1L2(l1, l2)


@accepts_config
def l1(l1: float = _DEFAULT_RATE) -> Regularizer:
    """`tf.regularizers.l1`: `sum(l1 * |x|)`."""
    return L1L2(l1=l1, l2=0)


@accepts_config
def l2(l2: float = _DEFAULT_RATE) -> Regularizer:
    """`tf.regularizers.l2`: `sum(l2 * x^2)`."""
    return L1L2(l1=0, l2=l2)
