"""Recurrent cells, one time step each, apart from the loop over time (tfjs-layers'
`recurrent.ts`): `RNNCell` (the base a user's own cell subclasses), `_FusedCell` (the base of
the built-in cells, which run a whole sequence through the engine's fused kernels: one tape
op per layer call, hand-derived BPTT; a single step is the same kernel on a sequence of length
one) and `StackedRNNCells`. The built-in cells live with their layers: `lstm.py`, `gru.py`,
`simple_rnn.py`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import _random
from ... import activations as activations_mod
from ... import constraints as constraints_mod
from ... import initializers as initializers_mod
from ... import regularizers as regularizers_mod
from ...engine import ops
from ...tensor import Tensor, as_tensor
from .. import registry
from ..base import Layer, make_layer
from ..options import bool_option, positive_int, rate_option
from ..topology import SymbolicTensor


class RNNCell(Layer):
    """One time step. Subclass it for a custom cell: set `state_size` (a list of sizes, the
    first being the output size) and implement `call(inputs, states, training=False)` returning
    `(output, new_states)`; `build(input_shape)` creates the weights."""

    class_name = "RNNCell"
    _call_takes_states = True  # TF.js's `call([x, ...states], kwargs)` is adapted (tfjs_style)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)

    @property
    def state_size(self) -> Any:
        """The sizes of the states (the first is the output's), as the cell set them: a list,
        or one number for one state (TF.js's `stateSize`, Keras's `state_size`)."""
        return self.__dict__.get("_state_size", [])

    @state_size.setter
    def state_size(self, value: Any) -> None:
        self.__dict__["_state_size"] = value

    def state_sizes(self) -> list[int]:
        """`state_size` as a list of ints (a number is one state)."""
        return state_sizes(self)

    def get_initial_state(self, batch: int, dtype: Any) -> list[np.ndarray]:
        return [np.zeros((batch, n), dtype) for n in self.state_sizes()]

    def _apply(self, inputs: Any, kwargs: dict[str, Any]) -> Any:
        """TF.js's one step on data: `cell.apply([x, ...states])` gives `[output,
        ...newStates]` (the weights are built from x's shape)."""
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            return super()._apply(inputs, kwargs)
        if any(isinstance(t, SymbolicTensor) for t in inputs):
            return super()._apply(inputs, kwargs)
        x = as_tensor(inputs[0], self.name)
        states = [as_tensor(s, self.name) for s in inputs[1:]]
        self.assert_input_compatibility(tuple(x.shape))
        self._maybe_build(tuple(x.shape))
        out, new_states = self.call(x, states, training=bool(kwargs.get("training", False)))
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        return [out, *new_states]

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
        return self.state_sizes()[0]


def state_sizes(cell: Any) -> list[int]:
    """A cell's state sizes as a list: TF.js and Keras cells may give one number."""
    size = cell.state_size
    if isinstance(size, (int, np.integer)):
        return [int(size)]
    if not isinstance(size, (list, tuple)) or not size:
        raise ValueError(
            f"Cell {getattr(cell, 'name', type(cell).__name__)}: state_size must be a number or "
            f"a list of numbers (the first is the output size), got {size!r}. Set it in the "
            "cell's constructor: self.state_size = [units]."
        )
    return [int(n) for n in size]


def output_size(cell: Any) -> int:
    """A cell's output size: its own `output_size` (a method, or Keras's number), else the
    first state size."""
    size = getattr(cell, "output_size", None)
    if callable(size):
        size = size()
    return int(size) if size is not None else state_sizes(cell)[0]


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
        dropout_func: Any = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.dropout_func = dropout_func
        where = f"{self.class_name} {self.name}"
        self.units = positive_int(where, "units", units)
        self.activation = activations_mod.get(activation)
        self.recurrent_activation = activations_mod.get(recurrent_activation)
        self.use_bias = bool_option(where, "use_bias", use_bias, False)
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
        dropout = rate_option(where, "dropout", 0.0 if dropout is None else dropout)
        recurrent = 0.0 if recurrent_dropout is None else recurrent_dropout
        recurrent = rate_option(where, "recurrent_dropout", recurrent)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent)))
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
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel",
            (self.units, width),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                self._bias_shape(),
                initializer=self._bias_initializer(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
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
            dp = self._dropout_mask((batch, in_dim), self.dropout, dt)
        if training and 0 < self.recurrent_dropout < 1:
            rdp = self._dropout_mask((batch, self.units), self.recurrent_dropout, dt)
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

    def _dropout_mask(self, shape: tuple[int, int], rate: float, dtype: Any) -> np.ndarray:
        """One mask for the whole sequence. With TF.js's `dropoutFunc` (`(x, rate) -> x`
        dropped, TF.js's hook for tests), the mask is `dropoutFunc(ones, rate)`; TF.js makes one
        per gate (`generateDropoutMask`'s `count`: 1, 3 or 4 calls) and uses the first, so the
        function is called as often as there and its first result is the mask."""
        if self.dropout_func is None:
            return _dropout_mask(shape, rate, dtype)
        masks = [
            self.dropout_func(Tensor._wrap(np.ones(shape, dtype)), rate)
            for _ in range(self.n_gates)
        ]
        return np.asarray(as_tensor(masks[0], self.name)._data, dtype)

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


class StackedRNNCells(RNNCell):
    """Several cells applied one after the other at each step (TF.js's StackedRNNCells).

    Weights are named `<rnn>/RNNCell_<i>/...`; `state_size` lists the states of the last cell
    first, as TF.js does.
    """

    class_name = "StackedRNNCells"
    factory_name = "stackedRNNCells"

    def __init__(self, cells: list[RNNCell], **kwargs: Any):
        super().__init__(**kwargs)
        self.cells = [deserialize_cell(c) if isinstance(c, dict) else c for c in cells]
        if not self.cells:
            raise ValueError("StackedRNNCells needs at least one cell.")

    @property
    def state_size(self) -> list[int]:
        return [n for cell in reversed(self.cells) for n in state_sizes(cell)]

    def output_size(self) -> int:
        return output_size(self.cells[-1])

    def build(self, input_shape: Any) -> None:
        prefix = self._scope or self.name
        shape = tuple(input_shape)
        for i, cell in enumerate(self.cells):
            cell._scope = f"{prefix}/RNNCell_{i}"
            cell._maybe_build(shape)
            shape = shape[:-1] + (output_size(cell),)

    def _all_weights(self):
        return [w for cell in self.cells for w in cell.weights]

    def regularization_losses(self) -> list[Tensor]:
        return [p for cell in self.cells for p in cell.regularization_losses()]

    def _split_states(self, states: list[Any]) -> list[list[Any]]:
        """TF.js order (last cell first) to one list per cell in cell order."""
        per_cell: list[list[Any]] = []
        pos = 0
        for cell in reversed(self.cells):
            n = len(state_sizes(cell))
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


def deserialize_cell(config: dict[str, Any]) -> RNNCell:
    """A cell from `{"class_name", "config"}`: a built-in one or a user's registered cell."""
    name = config.get("class_name") or config.get("className")
    cls = registry.CLASSES.get(name) if isinstance(name, str) else None
    if cls is None or not issubclass(cls, RNNCell):
        known = [n for n, c in registry.CLASSES.items() if issubclass(c, RNNCell)]
        raise ValueError(f"Unknown RNN cell class {name!r}; known: {', '.join(known)}.")
    return make_layer(cls, config.get("config", {}), _strict=False)
