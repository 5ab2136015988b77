"""Adagrad, TF.js's `tf.train.adagrad` (adagrad_optimizer.ts).

As TF.js, it always uses the backend epsilon (1e-7), not a constructor argument.
"""

from __future__ import annotations

import numpy as np

from . import registry
from .base import Optimizer
from .fields import EPSILON, Field, learning_rate


class Adagrad(Optimizer):
    """`acc += g^2; w += -lr * g / sqrt(acc + 1e-7)`; acc starts at initial_accumulator_value."""

    class_name = "Adagrad"
    replaces_slots = True
    fields = (
        learning_rate(config_default=0.01),
        Field("initial_accumulator_value", "initialAccumulatorValue", 0.1),
    )
    learning_rate: float
    initial_accumulator_value: float
    slot_kinds = ("accumulator",)
    compile_name = "adagrad"
    compile_args = (0.01,)

    def _init_slot(self, kind, value):
        return np.full_like(value, self.initial_accumulator_value)

    def _update(self, value, grad, slots):
        acc = slots["accumulator"] + np.square(grad)
        slots["accumulator"] = acc
        return grad / np.sqrt(acc + EPSILON) * -self.learning_rate + value


adagrad = registry.factory(Adagrad)
