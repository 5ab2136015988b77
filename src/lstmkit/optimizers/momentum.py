"""Momentum (heavy ball or Nesterov), TF.js's `tf.train.momentum` (momentum_optimizer.ts).

TF.js has no `compile` name for it; a Keras `SGD` config with `momentum > 0` also builds it.
"""

from __future__ import annotations

from . import registry
from ._arrays import f32
from .fields import flag, learning_rate, number
from .sgd import SGD


class Momentum(SGD):
    """`a = m*a + g; w += -lr*a`, or with Nesterov `w += -lr*(g + m*a)` (`tf.train.momentum`)."""

    class_name = "Momentum"
    fields = (
        learning_rate(config_default=0.01),
        number("momentum", config_default=0.0),
        flag("use_nesterov", "useNesterov", aliases=("nesterov",)),
    )
    momentum: float
    use_nesterov: bool
    slot_kinds = ("momentum",)
    compile_name = None

    def set_momentum(self, momentum: float) -> None:
        self.momentum = momentum

    def _update(self, value, grad, slots):
        m = f32(self.momentum)
        acc = m * slots["momentum"] + grad
        slots["momentum"] = acc
        step = grad + acc * m if self.use_nesterov else acc
        return step * -self.learning_rate + value


momentum = registry.factory(Momentum)
