"""The RNN layer: a cell run over the time axis (TF.js's `tf.layers.rnn`), with masking,
`go_backwards`, `return_sequences`, `return_state`, initial states and statefulness; and
`_CellRNN`, the base of LSTM, GRU and SimpleRNN, whose cell is built from the layer's options.

The built-in cells run the whole sequence in one fused kernel call; a user's own `RNNCell`
runs through the generic time loop here, built from tape ops.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ...engine import ops
from ...tensor import Tensor, as_tensor
from ..base import Layer, format_shape, make_layer
from ..plans import RecurrentPlan
from .cells import RNNCell, StackedRNNCells, _FusedCell, deserialize_cell


class RNN(Layer):
    """Runs a cell over the time axis (TF.js's `tf.layers.rnn`)."""

    class_name = "RNN"
    factory_name = "rnn"
    supports_masking = True
    input_ndim = 3

    def __init__(
        self,
        cell: Any = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        input_dim: int | None = None,
        input_length: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if cell is None:
            raise ValueError(
                f"{self.class_name}: a `cell` is required (an RNNCell or a list of them)."
            )
        if isinstance(cell, dict):
            cell = deserialize_cell(cell)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(
                [deserialize_cell(c) if isinstance(c, dict) else c for c in cell]
            )
        if not isinstance(cell, RNNCell):
            raise ValueError(
                f"{self.class_name}: cell must be an RNNCell (e.g. tf.layers.lstm_cell(...)), got "
                f"{type(cell).__name__}."
            )
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        if self.unroll:
            warnings.warn(
                f"{self.name}: unroll=True is ignored; the fused kernel runs the loop.",
                stacklevel=3,
            )
        self.input_dim = input_dim
        self.input_length = input_length
        self._states: list[np.ndarray] | None = None

    # -- shapes and masks -------------------------------------------------------------------
    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        units = self.cell.output_size()
        out = (shape[0], shape[1], units) if self.return_sequences else (shape[0], units)
        if self.return_state:
            return [out] + [(shape[0], n) for n in self.cell.state_size]
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, list):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * len(self.cell.state_size)
        return out

    def build(self, input_shape: Any) -> None:
        shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        if self.stateful and shape[0] is None:
            raise ValueError(
                "If an RNN is stateful, it needs to know its batch size. Specify the batch size "
                "of your input tensors: \n- If using a Sequential model, specify the batch size by "
                "passing a `batchInputShape` option to your first layer.\n- If using the "
                "functional API, specify the batch size by passing a `batchShape` option to "
                "your Input layer."
            )
        self.cell._scope = self._scope or self.name
        self.cell._maybe_build(tuple(shape[:1]) + tuple(shape[2:]))
        if self.stateful:
            self.reset_states()

    def _all_weights(self):
        return self.cell.weights

    def regularization_losses(self) -> list[Tensor]:
        return self.cell.regularization_losses()

    def spec_axes(self) -> dict[int, int]:
        built = self._built_input_shape
        return {-1: built[-1]} if built is not None and not isinstance(built, list) else {}

    def _rank_error(self, shape) -> str:
        return (
            f"Input 0 is incompatible with layer {self.name}: expected ndim=3, found ndim="
            f"{len(shape)} (shape {format_shape(shape)}). Recurrent layers take "
            "[batch, timesteps, features]: e.g. reshape 2-D data [samples, features] to "
            "[samples, 1, features] or [samples, features, 1]."
        )

    # -- states -----------------------------------------------------------------------------
    @property
    def states(self) -> list[Tensor] | None:
        return None if self._states is None else [Tensor._wrap(s) for s in self._states]

    def reset_states(self, states: Any = None) -> None:
        """Zero the kept states of a stateful layer, or set them to `states`."""
        if not self.stateful:
            raise ValueError(
                f"Layer {self.name}: cannot reset states of a layer that is not stateful."
            )
        batch = (self._built_input_shape or self.batch_input_shape or (None,))[0]
        if batch is None:
            raise ValueError(
                "If an RNN is stateful, it needs to know its batch size. Specify the batch size "
                "of your input tensors."
            )
        if states is None:
            self._states = [np.zeros((batch, n), np.float32) for n in self.cell.state_size]
            return
        states = states if isinstance(states, (list, tuple)) else [states]
        if len(states) != len(self.cell.state_size):
            raise ValueError(
                f"Layer {self.name} expects {len(self.cell.state_size)} state(s), "
                f"got {len(states)}."
            )
        new = []
        for s, n in zip(states, self.cell.state_size):
            arr = np.asarray(as_tensor(s, self.name)._data, np.float32)
            if arr.shape != (batch, n):
                raise ValueError(
                    f"Layer {self.name}: state should have shape [{batch},{n}], "
                    f"got {format_shape(arr.shape)}."
                )
            new.append(arr)
        self._states = new

    # -- running ----------------------------------------------------------------------------
    def call(
        self,
        inputs: Any,
        training: bool = False,
        mask: Any = None,
        initial_state: Any = None,
        **kwargs: Any,
    ) -> Any:
        x = inputs[0] if isinstance(inputs, list) else inputs
        if isinstance(mask, list):
            mask = mask[0]
        batch = x.shape[0]
        dt = x._data.dtype
        if initial_state is not None:
            states = [
                as_tensor(s, self.name)
                for s in (
                    initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
                )
            ]
            if len(states) != len(self.cell.state_size):
                raise ValueError(
                    f"Layer {self.name} has {len(self.cell.state_size)} state(s) but was passed "
                    f"{len(states)} initial state(s)."
                )
        elif self.stateful:
            if self._states is None:
                self.reset_states()
            if self._states[0].shape[0] != batch:
                raise ValueError(
                    f"Input 0 is incompatible with layer {self.name}: expected shape="
                    f"{format_shape(self._built_input_shape)}, "
                    f"found shape={format_shape(x.shape)}. "
                    "A stateful layer runs on its fixed batch size."
                )
            states = [Tensor._wrap(s.astype(dt)) for s in self._states]
        else:
            states = None  # zeros: the fused kernels start from zero states by themselves
        mask_arr = None if mask is None else np.asarray(as_tensor(mask, self.name)._data)
        result = self.cell.run_sequence(
            x,
            states,
            mask=mask_arr,
            go_backwards=self.go_backwards,
            return_sequences=self.return_sequences,
            training=training,
        )
        if result is None:
            if states is None:
                states = [Tensor._wrap(s) for s in self.cell.get_initial_state(batch, dt)]
            result = self._generic_loop(x, states, mask_arr, training)
        output, final_states = result
        if self.stateful:
            self._states = [np.array(s._data, np.float32) for s in final_states]
        if self.return_state:
            return [output] + list(final_states)
        return output

    def _generic_loop(
        self, x: Tensor, states: list[Tensor], mask: np.ndarray | None, training: bool
    ) -> tuple[Tensor, list[Tensor]]:
        """The time loop for a user's cell, from tape ops (TF.js's `rnn()`)."""
        steps = ops.unstack(x, 1)
        masks = None if mask is None else list(np.asarray(mask, x._data.dtype).T[:, :, None])
        if self.go_backwards:
            steps = steps[::-1]
            masks = masks[::-1] if masks is not None else None
        outputs = []
        for t, x_t in enumerate(steps):
            out, new_states = self.cell.call(x_t, states, training=training)
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
            if masks is not None:
                m = Tensor._wrap(masks[t])
                out = ops.where(m > 0, out, states[0])
                new_states = [ops.where(m > 0, n, s) for n, s in zip(new_states, states)]
            states = new_states
            outputs.append(out)
        output = ops.stack(outputs, 1) if self.return_sequences else outputs[-1]
        return output, states

    # -- config -----------------------------------------------------------------------------
    def _rnn_fields(self) -> dict[str, Any]:
        return {
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
        }

    def get_config(self) -> dict[str, Any]:
        cell_config = self.cell.get_config()
        config = {**cell_config, **super().get_config(), **self._rnn_fields()}
        config["cell"] = {"class_name": self.cell.class_name, "config": cell_config}
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> RNN:
        config = dict(config)
        cell = config.pop("cell", None)
        config.pop("cells", None)
        if cell is None:
            raise ValueError("RNN config needs a `cell`.")
        return make_layer(cls, config, cell=cell, _strict=False)


class _CellRNN(RNN):
    """An RNN whose cell is made from the layer's own options (LSTM, GRU, SimpleRNN)."""

    cell_class: type[_FusedCell]

    def __init__(self, units: int, **kwargs: Any):
        rnn_keys = {
            "return_sequences",
            "return_state",
            "go_backwards",
            "stateful",
            "unroll",
            "input_dim",
            "input_length",
        }
        base_keys = {
            "name",
            "trainable",
            "input_shape",
            "batch_input_shape",
            "batch_size",
            "dtype",
            "weights",
            "input_dtype",
        }
        rnn_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in rnn_keys | base_keys}
        cell = self.cell_class(units, **kwargs)
        super().__init__(cell=cell, **rnn_kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**Layer.get_config(self), **self.cell._cell_fields(), **self._rnn_fields()}

    def tape_free_plan(self) -> RecurrentPlan | None:
        """The NumPy plan of the tape-free training step (`layers.plans`): none with dropout,
        states kept between batches or returned, which the plan does not carry."""
        cell = self.cell
        if self.stateful or self.return_state or cell.dropout or cell.recurrent_dropout:
            return None
        return RecurrentPlan(self)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> RNN:
        return make_layer(cls, config, _strict=False)

    def __getattr__(self, name: str) -> Any:
        # units, activation, dropout... live on the cell, as in TF.js
        if name != "cell" and "cell" in self.__dict__:
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(name)
