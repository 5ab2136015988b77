"""Adadelta, TF.js's `tf.train.adadelta` (adadelta_optimizer.ts).

As TF.js, the step is scaled with the accumulated squared gradient from *before* this step
(kept on purpose: traces depend on it).
"""

from __future__ import annotations

import numpy as np

from . import registry
from .base import Optimizer
from .fields import EPSILON, epsilon, learning_rate, number


class Adadelta(Optimizer):
    """Adadelta as TF.js: the step uses the squared-gradient average from before this step.

    `upd = sqrt(accum_var + eps) / sqrt(accum_grad_old + eps) * g`, `w += -lr * upd`.
    """

    class_name = "Adadelta"
    replaces_slots = True
    fields = (learning_rate(0.001), number("rho", 0.95), epsilon())
    learning_rate: float
    rho: float
    epsilon: float
    slot_kinds = ("accum_grad", "accum_var")
    compile_name = "adadelta"
    compile_args = (1, 0.95, EPSILON)

    def _update(self, value, grad, slots):
        rho, eps = self.rho, self.epsilon
        acc_grad, acc_var = slots["accum_grad"], slots["accum_var"]
        new_acc_grad = acc_grad * rho + np.square(grad) * (1 - rho)
        updates = np.sqrt(acc_var + eps) / np.sqrt(acc_grad + eps) * grad
        slots["accum_grad"] = new_acc_grad
        slots["accum_var"] = acc_var * rho + np.square(updates) * (1 - rho)
        return updates * -self.learning_rate + value


adadelta = registry.factory(Adadelta)
