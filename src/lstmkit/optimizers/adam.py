"""Adam as TF.js computes it (`tf.train.adam`, adam_optimizer.ts), with a compiled fast path.

TF.js divides by `sqrt(v_hat) + eps` (epsilon on the bias-corrected second moment, not Keras's
formula), and keeps `beta^t` as a float32 accumulator multiplied by beta after each step; both
are kept on purpose because traces depend on them. When `lstmkit.engine._fastopt` is built,
all variables are updated in one compiled call, bit-identical to the NumPy `_update`.
"""

from __future__ import annotations

import numpy as np

from . import registry
from ._arrays import compiled_updates, f32
from .base import Optimizer
from .fields import EPSILON, epsilon, learning_rate, number


class Adam(Optimizer):
    """Adam as TF.js computes it: `w -= lr * m_hat / (sqrt(v_hat) + eps)` (`tf.train.adam`)."""

    class_name = "Adam"
    replaces_slots = True
    fields = (
        learning_rate(0.001),
        number("beta1", 0.9, aliases=("beta_1",)),
        number("beta2", 0.999, aliases=("beta_2",)),
        epsilon(),
    )
    learning_rate: float
    beta1: float
    beta2: float
    epsilon: float
    slot_kinds = ("m", "v")
    compile_name = "adam"
    compile_args = (0.001, 0.9, 0.999, EPSILON)

    def _setup(self) -> None:
        self._acc_beta1 = f32(self.beta1)
        self._acc_beta2 = f32(self.beta2)

    def _begin_step(self) -> None:
        self._one_minus_b1 = f32(1) - self._acc_beta1
        self._one_minus_b2 = f32(1) - self._acc_beta2

    def _update(self, value, grad, slots):
        m = slots["m"] * self.beta1 + grad * (1 - self.beta1)
        v = slots["v"] * self.beta2 + np.square(grad) * (1 - self.beta2)
        slots["m"], slots["v"] = m, v
        m_hat = m / self._one_minus_b1
        v_hat = v / self._one_minus_b2
        return m_hat / (np.sqrt(v_hat) + self.epsilon) * -self.learning_rate + value

    def _apply(self, items) -> None:
        """All variables in one compiled call when it is built (bit-identical to `_update`)."""
        fast = compiled_updates()
        dt = items[0][0]._data.dtype if items else None
        scalars = (self.learning_rate, self.beta1, self.beta2, self.epsilon)
        if (
            fast is None
            or (dt != np.float32 and dt != np.float64)
            or not all(type(s) in (float, int) for s in scalars)
        ):
            super()._apply(items)
            return
        values, grads, ms, vs = [], [], [], []
        for var, g, slots in items:
            if var._data.dtype != dt or slots["m"].dtype != dt or slots["v"].dtype != dt:
                super()._apply(items)
                return
            values.append(np.ascontiguousarray(var._data))
            grads.append(np.ascontiguousarray(g))
            # fresh slot arrays, written by the call (the old ones stay, for a rollback)
            ms.append(np.array(slots["m"], order="C"))
            vs.append(np.array(slots["v"], order="C"))
        outs = [np.empty_like(v) for v in values]
        fast.adam(
            dt == np.float64,
            values,
            grads,
            ms,
            vs,
            outs,
            float(self.beta1),
            1 - self.beta1,
            float(self.beta2),
            1 - self.beta2,
            float(self._one_minus_b1),
            float(self._one_minus_b2),
            float(self.epsilon),
            -self.learning_rate,
        )
        for (var, _, slots), out, m, v in zip(items, outs, ms, vs):
            var._data = out
            slots["m"], slots["v"] = m, v

    def _end_step(self) -> None:
        self._acc_beta1 = self._acc_beta1 * f32(self.beta1)
        self._acc_beta2 = self._acc_beta2 * f32(self.beta2)

    def _after_restore(self) -> None:
        self._acc_beta1 = f32(np.power(f32(self.beta1), f32(self.iterations + 1)))
        self._acc_beta2 = f32(np.power(f32(self.beta2), f32(self.iterations + 1)))


adam = registry.factory(Adam)
