"""SimpleRNN: the cell (h = activation(x·K + b + h·R)) and the layer (`tf.layers.simpleRNN`)."""

from __future__ import annotations

from typing import Any

from ...engine.rnn import simple_rnn_sequence
from .cells import _FusedCell
from .loop import _CellRNN


class SimpleRNNCell(_FusedCell):
    """h = activation(x·K + b + h·R) (TF.js's SimpleRNNCell)."""

    class_name = "SimpleRNNCell"
    factory_name = "simpleRNNCell"
    n_gates = 1
    uses_recurrent_activation = False

    def __init__(self, units: int, activation: Any = "tanh", **kwargs: Any):
        # TF.js: an explicit null activation still means tanh for SimpleRNN
        super().__init__(
            units, activation=activation if activation is not None else "tanh", **kwargs
        )

    def _kernel_fn(self):
        return simple_rnn_sequence


class SimpleRNN(_CellRNN):
    """Fully connected recurrence (TF.js's `tf.layers.simpleRNN`): h = activation(x·K + b + h·R).

    Options are SimpleRNNCell's (no recurrent_activation) and RNN's.
    """

    class_name = "SimpleRNN"
    factory_name = "simpleRNN"
    cell_class = SimpleRNNCell
