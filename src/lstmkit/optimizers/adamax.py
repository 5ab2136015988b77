"""Adamax with learning-rate decay, TF.js's `tf.train.adamax` (adamax_optimizer.ts).

TF.js's AdamaxOptimizer throws in `getWeights()`/`setWeights()`, so its state cannot be saved
in a TF.js model file: `tfjs_saves_state = False` tells savers so. Here `get_weights()` still
returns `iter`, `<var>/m`, `<var>/v` (for checkpoints of our own).
"""

from __future__ import annotations

import numpy as np

from . import registry
from ._arrays import f32
from .base import Optimizer
from .fields import EPSILON, epsilon, learning_rate, number


class Adamax(Optimizer):
    """Adamax with learning-rate decay (`tf.train.adamax`).

    `lr_t = -lr / (iter*decay + 1); m = b1*m + (1-b1)*g; u = max(b2*u, |g|);
    w += lr_t / (1 - b1^t) * m / (u + eps)`.
    TF.js's own `getWeights()` throws for Adamax; here it returns `iter`, `<var>/m`, `<var>/v`.
    """

    class_name = "Adamax"
    replaces_slots = True
    fields = (
        learning_rate(0.002),
        number("beta1", 0.9, aliases=("beta_1",)),
        number("beta2", 0.999, aliases=("beta_2",)),
        epsilon(),
        number("decay", 0.0),
    )
    learning_rate: float
    beta1: float
    beta2: float
    epsilon: float
    decay: float
    slot_kinds = ("m", "v")
    compile_name = "adamax"
    compile_args = (0.002, 0.9, 0.999, EPSILON, 0)
    tfjs_saves_state = False

    def _setup(self) -> None:
        self._acc_beta1 = f32(self.beta1)
        self._iteration = f32(0)

    def _begin_step(self) -> None:
        one_minus = f32(1) - self._acc_beta1
        lr = f32(-self.learning_rate) / (self._iteration * f32(self.decay) + f32(1))
        self._scale = lr / one_minus

    def _update(self, value, grad, slots):
        m = slots["m"] * self.beta1 + grad * (1 - self.beta1)
        u = np.maximum(slots["v"] * self.beta2, np.abs(grad))
        slots["m"], slots["v"] = m, u
        return self._scale * (m / (u + self.epsilon)) + value

    def _end_step(self) -> None:
        self._iteration = self._iteration + f32(1)
        self._acc_beta1 = self._acc_beta1 * f32(self.beta1)

    def _after_restore(self) -> None:
        self._iteration = f32(self.iterations)
        self._acc_beta1 = f32(np.power(f32(self.beta1), f32(self.iterations + 1)))


adamax = registry.factory(Adamax)
