"""GRU: the cell (one step, gates z, r, h) and the layer (TF.js's `tf.layers.gru`)."""

from __future__ import annotations

from typing import Any

from ...engine.rnn import gru_sequence
from ..options import bool_option
from .cells import _FusedCell
from .loop import _CellRNN


class GRUCell(_FusedCell):
    """GRU step, gates z, r, h; `reset_after=True` runs Keras's layout (TF.js refuses it)."""

    class_name = "GRUCell"
    factory_name = "gruCell"
    n_gates = 3

    def __init__(
        self,
        units: int,
        reset_after: bool = False,
        implementation: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(units, **kwargs)
        where = f"{self.class_name} {self.name}"
        self.reset_after = bool_option(where, "reset_after", reset_after, False)
        self.implementation = implementation

    def _bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _kernel_fn(self):
        return gru_sequence

    def _kernel_kwargs(self) -> dict[str, Any]:
        return {**super()._kernel_kwargs(), "reset_after": self.reset_after}

    def _extra_fields(self) -> dict[str, Any]:
        return {"implementation": self.implementation, "reset_after": self.reset_after}


class GRU(_CellRNN):
    """Gated recurrent unit (TF.js's `tf.layers.gru`): gates z, r, h.

    Options are GRUCell's (as LSTM's, without unit_forget_bias, plus reset_after=False; True
    runs Keras's layout with a [2, 3*units] bias) and RNN's.
    """

    class_name = "GRU"
    factory_name = "gru"
    cell_class = GRUCell
