"""LSTM: the cell (one step, gates i, f, c, o) and the layer (TF.js's `tf.layers.lstm`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import initializers as initializers_mod
from ...engine.rnn import lstm_sequence
from ..options import bool_option
from .cells import _FusedCell
from .loop import _CellRNN


class LSTMCell(_FusedCell):
    """LSTM step, gates i, f, c, o (TF.js's LSTMCell)."""

    class_name = "LSTMCell"
    factory_name = "lstmCell"
    n_gates = 4

    def __init__(
        self,
        units: int,
        unit_forget_bias: bool | None = None,
        implementation: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(units, **kwargs)
        where = f"{self.class_name} {self.name}"
        self.unit_forget_bias = bool_option(where, "unit_forget_bias", unit_forget_bias)
        self.implementation = implementation
        self.state_size = [self.units, self.units]

    def _bias_initializer(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        return _UnitForgetBias(self.bias_initializer, self.units)

    def _kernel_fn(self):
        return lstm_sequence

    def _extra_init_fields(self) -> dict[str, Any]:
        return {"unit_forget_bias": self.unit_forget_bias}

    def _extra_fields(self) -> dict[str, Any]:
        return {"implementation": self.implementation}


class _UnitForgetBias(initializers_mod.Initializer):
    """TF.js's unit_forget_bias: the bias initializer's values with ones for the forget gate."""

    def __init__(self, base: Any, units: int):
        self.base, self.units = base, units

    def _make(self, shape, dtype, where):
        u = self.units
        parts = [self.base((u,), dtype), np.ones(u), self.base((2 * u,), dtype)]
        return np.concatenate(parts).astype(parts[0].dtype)


class LSTM(_CellRNN):
    """Long short-term memory (TF.js's `tf.layers.lstm`): gates i, f, c, o.

    Options are LSTMCell's (units, activation='tanh', recurrent_activation='hardSigmoid',
    use_bias, kernel/recurrent/bias initializers, regularizers and constraints,
    unit_forget_bias, dropout, recurrent_dropout) and RNN's (return_sequences, return_state,
    go_backwards, stateful, unroll).
    """

    class_name = "LSTM"
    factory_name = "lstm"
    cell_class = LSTMCell
