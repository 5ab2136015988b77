"""SGD, plain gradient descent: `w += -lr * g` (`tf.train.sgd`, tfjs-core's sgd_optimizer.ts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from . import registry
from .base import Optimizer
from .fields import Field, config_value, learning_rate


class SGD(Optimizer):
    """Plain gradient descent: `w += -lr * g` (`tf.train.sgd`)."""

    class_name = "SGD"
    replaces_slots = True
    fields: ClassVar[tuple[Field, ...]] = (learning_rate(config_default=0.01),)
    learning_rate: float
    compile_name: ClassVar[str | None] = "sgd"
    compile_args = (0.01,)

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # Keras's SGD(learning_rate, momentum, nesterov): with momentum, TF.js's Momentum, whose
        # update is the same for a constant learning rate (v = -lr * accumulation).
        if cls is SGD and (kwargs.get("momentum") or kwargs.get("nesterov")):
            momentum, nesterov = kwargs.pop("momentum", 0.0), kwargs.pop("nesterov", False)
            return registry.CLASSES["Momentum"](
                *args, momentum=momentum, use_nesterov=nesterov, **kwargs
            )
        return super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if type(self) is SGD:  # Keras's momentum=0, nesterov=False: plain SGD
            kwargs.pop("momentum", None)
            kwargs.pop("nesterov", None)
        super().__init__(*args, **kwargs)

    def set_learning_rate(self, learning_rate: float) -> None:
        self.learning_rate = learning_rate

    def _update(self, value, grad, slots):
        return grad * -self.learning_rate + value

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Optimizer:
        # A Keras SGD with momentum is TF.js's Momentum (the same update for a constant lr).
        if cls is SGD and (config_value(config, ("momentum",), 0) or 0) > 0:
            return registry.CLASSES["Momentum"].from_config(config)
        return cls(**cls._args_from_config(config))


sgd = registry.factory(SGD)
