"""Recurrent layers: the cells (one time step) and the RNN layer (the loop over time).

As in tfjs-layers' `recurrent.ts`, cells are separate from the loop: `LSTMCell`, `GRUCell` and
`SimpleRNNCell` hold the weights and the step math, `StackedRNNCells` chains cells, and `RNN`
runs a cell over a sequence with masking, `go_backwards`, `return_sequences`, `return_state`,
initial states and statefulness. `LSTM`, `GRU` and `SimpleRNN` are `RNN`s with their cell built
from the same options.

The built-in cells run a whole sequence through the engine's fused kernels (one tape op per
layer call, hand-derived BPTT); a single step is the same kernel on a sequence of length one,
so there is one implementation of the math. A user's own `RNNCell` subclass runs through the
generic time loop below, built from tape ops.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import _random
from .. import activations as activations_mod
from .. import constraints as constraints_mod
from .. import initializers as initializers_mod
from .. import regularizers as regularizers_mod
from ..engine import ops
from ..engine.rnn import gru_sequence, lstm_sequence, simple_rnn_sequence
from ..tensor import Tensor, as_tensor
from .base import Layer, format_shape, make_layer
from .plans import RecurrentPlan

# -- cells --------------------------------------------------------------------------------------


class RNNCell(Layer):
    """One time step. Subclass it for a custom cell: set `state_size` (a list of sizes, the
    first being the output size) and implement `call(inputs, states, training=False)` returning
    `(output, new_states)`; `build(input_shape)` creates the weights."""

    class_name = "RNNCell"
    state_size: list[int] = []

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)

    def get_initial_state(self, batch: int, dtype: Any) -> list[np.ndarray]:
        return [np.zeros((batch, n), dtype) for n in self.state_size]

    def run_sequence(
        self,
        x: Tensor,
        states: list[Tensor] | None,
        *,
        mask: Any,
        go_backwards: bool,
        return_sequences: bool,
        training: bool,
    ) -> tuple[Tensor, list[Tensor]] | None:
        """The whole sequence in one fused op (`states` None: zeros), or None to use the
        generic loop."""
        return None

    def output_size(self) -> int:
        return self.state_size[0]


def _dropout_mask(shape: tuple[int, int], rate: float, dtype: Any) -> np.ndarray:
    keep = _random.generator().random(shape) >= rate
    return (keep / (1.0 - rate)).astype(dtype)


class _FusedCell(RNNCell):
    """What LSTMCell, GRUCell and SimpleRNNCell share: weights, options, dropout, config."""

    n_gates = 1
    uses_recurrent_activation = True

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "hardSigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorotNormal",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        activity_regularizer: Any = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"{self.class_name}: units must be a positive integer, got {units!r}.")
        self.units = int(units)
        self.activation = activations_mod.get(activation)
        self.recurrent_activation = activations_mod.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers_mod.get(kernel_initializer)
        self.recurrent_initializer = initializers_mod.get(recurrent_initializer)
        self.bias_initializer = initializers_mod.get(bias_initializer)
        self.kernel_regularizer = regularizers_mod.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers_mod.get(recurrent_regularizer)
        self.bias_regularizer = regularizers_mod.get(bias_regularizer)
        self.activity_regularizer = regularizers_mod.get(activity_regularizer)
        self.kernel_constraint = constraints_mod.get(kernel_constraint)
        self.recurrent_constraint = constraints_mod.get(recurrent_constraint)
        self.bias_constraint = constraints_mod.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.state_size = [self.units]

    def _bias_shape(self) -> tuple[int, ...]:
        return (self.n_gates * self.units,)

    def _bias_initializer(self) -> Any:
        return self.bias_initializer

    def build(self, input_shape: Any) -> None:
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"{self.name}: the feature size (last input axis) must be known.")
        width = self.n_gates * self.units
        self.kernel = self.add_weight(
            "kernel",
            (in_dim, width),
            self.kernel_initializer,
            self.kernel_regularizer,
            self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel",
            (self.units, width),
            self.recurrent_initializer,
            self.recurrent_regularizer,
            self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                self._bias_shape(),
                self._bias_initializer(),
                self.bias_regularizer,
                self.bias_constraint,
            )

    def _kernel_fn(self):
        raise NotImplementedError

    def _kernel_kwargs(self) -> dict[str, Any]:
        # by name for the registry's activations, so the kernels take their fast paths
        kw = {"activation": _kernel_activation(self.activation)}
        if self.uses_recurrent_activation:
            kw["recurrent_activation"] = _kernel_activation(self.recurrent_activation)
        return kw

    def run_sequence(self, x, states, *, mask, go_backwards, return_sequences, training):
        batch, in_dim = x.shape[0], x.shape[-1]
        dt = x._data.dtype
        dp = rdp = None
        if training and 0 < self.dropout < 1:
            dp = _dropout_mask((batch, in_dim), self.dropout, dt)
        if training and 0 < self.recurrent_dropout < 1:
            rdp = _dropout_mask((batch, self.units), self.recurrent_dropout, dt)
        return self._kernel_fn()(
            x,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            states,
            go_backwards=go_backwards,
            return_sequences=return_sequences,
            mask=mask,
            dropout_mask=dp,
            recurrent_dropout_mask=rdp,
            **self._kernel_kwargs(),
        )

    def call(self, inputs: Any, states: Any = None, training: bool = False, **kwargs: Any):
        """One step: `(output, new_states)` for inputs [batch, features] and the states."""
        x = as_tensor(inputs, self.name)
        if states is None:
            states = [Tensor._wrap(s) for s in self.get_initial_state(x.shape[0], x._data.dtype)]
        out, new_states = self.run_sequence(
            ops.expand_dims(x, 1),
            list(states),
            mask=None,
            go_backwards=False,
            return_sequences=False,
            training=training,
        )
        return out, new_states

    def _cell_fields(self) -> dict[str, Any]:
        config: dict[str, Any] = {"units": self.units, "activation": self.activation.serialize()}
        if self.uses_recurrent_activation:
            config["recurrent_activation"] = self.recurrent_activation.serialize()
        config.update(
            {
                "use_bias": self.use_bias,
                "kernel_initializer": initializers_mod.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers_mod.serialize(self.recurrent_initializer),
                "bias_initializer": initializers_mod.serialize(self.bias_initializer),
            }
        )
        config.update(self._extra_init_fields())
        config.update(
            {
                "kernel_regularizer": regularizers_mod.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers_mod.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers_mod.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers_mod.serialize(self.activity_regularizer),
                "kernel_constraint": constraints_mod.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints_mod.serialize(self.recurrent_constraint),
                "bias_constraint": constraints_mod.serialize(self.bias_constraint),
                "dropout": _num(self.dropout),
                "recurrent_dropout": _num(self.recurrent_dropout),
            }
        )
        config.update(self._extra_fields())
        return config

    def _extra_init_fields(self) -> dict[str, Any]:
        return {}

    def _extra_fields(self) -> dict[str, Any]:
        return {}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._cell_fields()}


def _kernel_activation(act: activations_mod.Activation) -> Any:
    """The registry name of a built-in activation, or the object for a user's function."""
    try:
        return act.name if activations_mod.get(act.name) is act else act
    except ValueError:
        return act


def _num(x: float) -> int | float:
    """JSON numbers as JS writes them: 0 rather than 0.0."""
    return int(x) if float(x).is_integer() else x


class LSTMCell(_FusedCell):
    """LSTM step, gates i, f, c, o (TF.js's LSTMCell)."""

    class_name = "LSTMCell"
    n_gates = 4

    def __init__(
        self,
        units: int,
        unit_forget_bias: bool | None = None,
        implementation: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = unit_forget_bias
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


class GRUCell(_FusedCell):
    """GRU step, gates z, r, h; `reset_after=True` runs Keras's layout (TF.js refuses it)."""

    class_name = "GRUCell"
    n_gates = 3

    def __init__(
        self,
        units: int,
        reset_after: bool = False,
        implementation: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(units, **kwargs)
        self.reset_after = bool(reset_after)
        self.implementation = implementation

    def _bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _kernel_fn(self):
        return gru_sequence

    def _kernel_kwargs(self) -> dict[str, Any]:
        return {**super()._kernel_kwargs(), "reset_after": self.reset_after}

    def _extra_fields(self) -> dict[str, Any]:
        return {"implementation": self.implementation, "reset_after": self.reset_after}


class SimpleRNNCell(_FusedCell):
    """h = activation(x·K + b + h·R) (TF.js's SimpleRNNCell)."""

    class_name = "SimpleRNNCell"
    n_gates = 1
    uses_recurrent_activation = False

    def __init__(self, units: int, activation: Any = "tanh", **kwargs: Any):
        # TF.js: an explicit null activation still means tanh for SimpleRNN
        super().__init__(
            units, activation=activation if activation is not None else "tanh", **kwargs
        )

    def _kernel_fn(self):
        return simple_rnn_sequence


class StackedRNNCells(RNNCell):
    """Several cells applied one after the other at each step (TF.js's StackedRNNCells).

    Weights are named `<rnn>/RNNCell_<i>/...`; `state_size` lists the states of the last cell
    first, as TF.js does.
    """

    class_name = "StackedRNNCells"

    def __init__(self, cells: list[RNNCell], **kwargs: Any):
        super().__init__(**kwargs)
        self.cells = [deserialize_cell(c) if isinstance(c, dict) else c for c in cells]
        if not self.cells:
            raise ValueError("StackedRNNCells needs at least one cell.")

    @property
    def state_size(self) -> list[int]:  # type: ignore[override]
        return [n for cell in reversed(self.cells) for n in cell.state_size]

    def output_size(self) -> int:
        return self.cells[-1].state_size[0]

    def build(self, input_shape: Any) -> None:
        prefix = self._scope or self.name
        shape = tuple(input_shape)
        for i, cell in enumerate(self.cells):
            cell._scope = f"{prefix}/RNNCell_{i}"
            cell._maybe_build(shape)
            shape = shape[:-1] + (cell.state_size[0],)

    def _all_weights(self):
        return [w for cell in self.cells for w in cell.weights]

    def regularization_losses(self) -> list[Tensor]:
        return [p for cell in self.cells for p in cell.regularization_losses()]

    def _split_states(self, states: list[Any]) -> list[list[Any]]:
        """TF.js order (last cell first) to one list per cell in cell order."""
        per_cell: list[list[Any]] = []
        pos = 0
        for cell in reversed(self.cells):
            n = len(cell.state_size)
            per_cell.insert(0, list(states[pos : pos + n]))
            pos += n
        return per_cell

    def run_sequence(self, x, states, *, mask, go_backwards, return_sequences, training):
        # Cell k at step t only sees cell k-1's output at step t, so the stack equals running
        # each cell over the whole sequence in turn; the first reverses, the rest follow its order.
        seq = x
        finals: list[list[Tensor]] = []
        step_mask = mask
        per_cell = self._split_states(states) if states is not None else [None] * len(self.cells)
        for i, (cell, cell_states) in enumerate(zip(self.cells, per_cell)):
            last = i == len(self.cells) - 1
            result = cell.run_sequence(
                seq,
                cell_states,
                mask=step_mask,
                go_backwards=go_backwards if i == 0 else False,
                return_sequences=return_sequences if last else True,
                training=training,
            )
            if result is None:
                return None
            seq, new_states = result
            finals.append(new_states)
            if i == 0 and go_backwards and step_mask is not None:
                step_mask = np.ascontiguousarray(np.asarray(step_mask)[:, ::-1])
        return seq, [s for cell_states in reversed(finals) for s in cell_states]

    def call(self, inputs: Any, states: Any = None, training: bool = False, **kwargs: Any):
        per_cell = (
            self._split_states(list(states)) if states is not None else [None] * len(self.cells)
        )
        x = inputs
        new: list[list[Any]] = []
        for cell, s in zip(self.cells, per_cell):
            x, ns = cell.call(x, s, training=training)
            new.append(list(ns))
        return x, [s for cell_states in reversed(new) for s in cell_states]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "cells": [{"class_name": c.class_name, "config": c.get_config()} for c in self.cells],
        }


CELLS = {c.class_name: c for c in (LSTMCell, GRUCell, SimpleRNNCell, StackedRNNCells)}


def deserialize_cell(config: dict[str, Any]) -> RNNCell:
    name = config.get("class_name") or config.get("className")
    if name not in CELLS:
        raise ValueError(f"Unknown RNN cell class {name!r}; known: {', '.join(CELLS)}.")
    return make_layer(CELLS[name], config.get("config", {}), _strict=False)


# -- the RNN layer ------------------------------------------------------------------------------


class RNN(Layer):
    """Runs a cell over the time axis (TF.js's `tf.layers.rnn`)."""

    class_name = "RNN"
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


class LSTM(_CellRNN):
    """Long short-term memory (TF.js's `tf.layers.lstm`): gates i, f, c, o.

    Options are LSTMCell's (units, activation='tanh', recurrent_activation='hardSigmoid',
    use_bias, kernel/recurrent/bias initializers, regularizers and constraints,
    unit_forget_bias, dropout, recurrent_dropout) and RNN's (return_sequences, return_state,
    go_backwards, stateful, unroll).
    """

    class_name = "LSTM"
    cell_class = LSTMCell


class GRU(_CellRNN):
    """Gated recurrent unit (TF.js's `tf.layers.gru`): gates z, r, h.

    Options are GRUCell's (as LSTM's, without unit_forget_bias, plus reset_after=False; True
    runs Keras's layout with a [2, 3*units] bias) and RNN's.
    """

    class_name = "GRU"
    cell_class = GRUCell


class SimpleRNN(_CellRNN):
    """Fully connected recurrence (TF.js's `tf.layers.simpleRNN`): h = activation(x·K + b + h·R).

    Options are SimpleRNNCell's (no recurrent_activation) and RNN's.
    """

    class_name = "SimpleRNN"
    cell_class = SimpleRNNCell
