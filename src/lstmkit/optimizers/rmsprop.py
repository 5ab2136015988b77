"""RMSProp, TF.js's `tf.train.rmsprop` (rmsprop_optimizer.ts), with its centered quirk.

Centered, TF.js divides by `sqrt(ms - (mg^2 + eps))`: epsilon is subtracted there, kept on
purpose because traces depend on it. Keras calls TF.js's `decay` `rho` (its own `decay` is a
learning-rate decay), so a config's `rho` wins over its `decay`.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from . import registry
from .base import Optimizer
from .fields import EPSILON, Field, epsilon, flag, learning_rate, number


class RMSProp(Optimizer):
    """RMSProp with optional momentum and centering (`tf.train.rmsprop`).

    `ms = decay*ms + (1-decay)*g^2; mom = momentum*mom + lr*g/sqrt(ms + eps); w -= mom`;
    centered: `mg = decay*mg + (1-decay)*g` and the root is `sqrt(ms - (mg^2 + eps))`.
    """

    class_name = "RMSProp"
    replaces_slots = True
    fields: ClassVar[tuple[Field, ...]] = (
        learning_rate(config_default=0.001),
        number("decay", 0.9, read=("rho", "decay")),
        number("momentum", 0.0),
        epsilon(),
        flag("centered", "centered"),
    )
    learning_rate: float
    decay: float
    momentum: float
    epsilon: float
    centered: bool
    slot_kinds = ("rms", "momentum", "mg")
    compile_name = "rmsprop"
    compile_args = (0.001, 0.9, 0, EPSILON)

    def _active_kinds(self) -> tuple[str, ...]:
        return self.slot_kinds if self.centered else self.slot_kinds[:2]

    def _update(self, value, grad, slots):
        d = self.decay
        ms = slots["rms"] * d + np.square(grad) * (1 - d)
        if self.centered:
            mg = slots["mg"] * d + grad * (1 - d)
            denom = np.sqrt(ms - (np.square(mg) + self.epsilon))
            slots["mg"] = mg
        else:
            denom = np.sqrt(ms + self.epsilon)
        mom = slots["momentum"] * self.momentum + grad * self.learning_rate / denom
        slots["rms"] = ms
        slots["momentum"] = mom
        return value - mom


rmsprop = registry.factory(RMSProp)


class RMSprop(RMSProp):
    """Keras's spelling and defaults: `RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0,
    epsilon=1e-07, centered=False)`; the update and the saved class are TF.js's RMSProp."""

    fields: ClassVar[tuple[Field, ...]] = (
        learning_rate(0.001),
        *RMSProp.fields[1:],
    )
