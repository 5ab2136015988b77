"""The RNN layer: a cell run over the time axis (TF.js's `tf.layers.rnn`), with masking,
`go_backwards`, `return_sequences`, `return_state`, initial states and statefulness; and
`_CellRNN`, the base of LSTM, GRU and SimpleRNN, whose cell is built from the layer's options.

The built-in cells run the whole sequence in one fused kernel call; a user's own `RNNCell`
runs through the generic time loop here, built from tape ops.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...engine import ops
from ...tensor import Tensor, as_tensor
from ..base import Layer, make_layer
from ..options import bool_option, int_option
from ..plans import RecurrentPlan
from ..tfjs_style import config_args
from ..topology import SymbolicTensor, _is_shape_list, format_shape
from .cells import (
    RNNCell,
    StackedRNNCells,
    _FusedCell,
    deserialize_cell,
    output_size,
    state_sizes,
)

MAX_STATE_VALUES = 2**27
"""The most values a stateful layer's kept states may hold together (batch x state sizes):
2**27 float32 values, 512 MiB. Checked when the layer is made and before the states are
allocated (build, reset_states), so a file asking for a batch of 1e9 is refused, not built."""


class NotStatefulError(AttributeError, ValueError):
    """reset_states() on a layer that keeps no states: TF.js's (and Keras 2's) AttributeError,
    and a ValueError as lstmkit raised before."""


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
        where = f"{self.class_name} {self.name}"
        self.return_sequences = bool_option(where, "return_sequences", return_sequences, False)
        self.return_state = bool_option(where, "return_state", return_state, False)
        self.go_backwards = bool_option(where, "go_backwards", go_backwards, False)
        self.stateful = bool_option(where, "stateful", stateful, False)
        self.unroll = bool_option(where, "unroll", unroll, False)
        if self.unroll:
            warnings.warn(
                f"{self.name}: unroll=True is ignored; the fused kernel runs the loop.",
                stacklevel=3,
            )
        self.input_dim = int_option(where, "input_dim", input_dim, allow_none=True)
        self.input_length = int_option(where, "input_length", input_length, allow_none=True)
        self._states: list[np.ndarray] | None = None
        if self.stateful and self.batch_input_shape:
            self._check_state_size(self.batch_input_shape[0])

    # -- shapes and masks -------------------------------------------------------------------
    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = tuple(input_shape[0] if _is_shape_list(input_shape) else input_shape)
        units = output_size(self.cell)
        out = (shape[0], shape[1], units) if self.return_sequences else (shape[0], units)
        if self.return_state:
            return [out] + [(shape[0], n) for n in state_sizes(self.cell)]
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, list):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * len(state_sizes(self.cell))
        return out

    def get_initial_state(self, inputs: Any) -> list[Tensor]:
        """Zero states for these inputs, one `[batch, size]` tensor per state (TF.js's
        `getInitialState`), in the inputs' float dtype."""
        x = as_tensor(inputs[0] if isinstance(inputs, (list, tuple)) else inputs, self.name)
        dtype = x._data.dtype if x._data.dtype.kind == "f" else np.float32
        return [Tensor._wrap(s) for s in self.cell.get_initial_state(x.shape[0], dtype)]

    def _apply(self, inputs: Any, kwargs: dict[str, Any]) -> Any:
        """TF.js's `standardizeArgs`: `apply([x, h, c])` is `apply(x, {initialState: [h, c]})`;
        the initial states are checked against the cell's state sizes before anything runs."""
        if isinstance(inputs, (list, tuple)) and len(inputs) > 1:
            if kwargs.get("initial_state") is not None:
                raise ValueError(
                    f"Layer {self.name}: When inputs is an array, neither initialState or "
                    "constants should be present: give apply([x, *states]) or apply(x, "
                    "{initialState: states}), not both."
                )
            inputs, kwargs = inputs[0], {**kwargs, "initial_state": list(inputs[1:])}
        states = kwargs.get("initial_state")
        if states is not None:
            states = list(states) if isinstance(states, (list, tuple)) else [states]
            kwargs = {**kwargs, "initial_state": states}
            x = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
            check_initial_state(self, _shape_of(x, self.name), states)
        return super()._apply(inputs, kwargs)

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape[0] if _is_shape_list(input_shape) else input_shape)
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
        if self.stateful:  # the batch size of the first call (a concrete one: Keras, TF.js)
            self._built_input_shape = input_shape
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

    def _check_state_size(self, batch: Any) -> None:
        """Refuse states larger than MAX_STATE_VALUES before anything is allocated."""
        if not isinstance(batch, int):
            return
        sizes = state_sizes(self.cell)
        values = batch * sum(sizes)
        if values > MAX_STATE_VALUES:
            shapes = ", ".join(format_shape([batch, n]) for n in sizes)
            raise ValueError(
                f"{self.class_name} {self.name}: stateful with batch size {batch} would keep "
                f"states of {shapes} float32 values ({values * 4 / 2**30:.1f} GiB), more than "
                f"the {MAX_STATE_VALUES} values ({MAX_STATE_VALUES * 4 >> 20} MiB) lstmkit "
                "allows a layer's states (MAX_STATE_VALUES in lstmkit.layers.recurrent.loop). "
                "Give a smaller batch size in batch_input_shape (the batch the model is called "
                "with), or stateful=False."
            )

    def reset_states(self, states: Any = None) -> None:
        """Zero the kept states of a stateful layer, or set them to `states`."""
        if not self.stateful:
            raise NotStatefulError(
                f"Cannot call resetStates() on an RNN Layer that is not stateful: layer "
                f"{self.name}. Create it with stateful=True (and a fixed batch size) to keep "
                "states between calls."
            )
        batch = (self._built_input_shape or self.batch_input_shape or (None,))[0]
        if batch is None:
            raise ValueError(
                "If an RNN is stateful, it needs to know its batch size. Specify the batch size "
                "of your input tensors."
            )
        sizes = state_sizes(self.cell)
        self._check_state_size(batch)
        if states is None:
            self._states = [np.zeros((batch, n), np.float32) for n in sizes]
            return
        states = states if isinstance(states, (list, tuple)) else [states]
        if len(states) != len(sizes):
            raise ValueError(
                f"Layer {self.name} expects {len(sizes)} state(s), but it received "
                f"{len(states)} state value(s): give one [batch, size] array per state "
                f"(sizes {format_shape(sizes)})."
            )
        new = []
        for index, (s, n) in enumerate(zip(states, sizes)):
            arr = np.asarray(as_tensor(s, self.name)._data, np.float32)
            if arr.shape != (batch, n):
                raise ValueError(
                    f"State {index} is incompatible with layer {self.name}: expected "
                    f"shape={batch},{n}, received shape={','.join(map(str, arr.shape))}. Each "
                    f"state is [batch, size]: here [{batch},{n}]."
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
            check_initial_state(self, x.shape, states)
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
    def from_config(cls, *args: Any) -> RNN:
        cls, config = config_args(cls, args)
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
    def from_config(cls, *args: Any) -> RNN:
        cls, config = config_args(cls, args)
        return make_layer(cls, config, _strict=False)

    def __getattr__(self, name: str) -> Any:
        # units, activation, dropout... live on the cell, as in TF.js; camelCase spellings too
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name == "cell" or "cell" not in self.__dict__:
                raise
        return getattr(self.__dict__["cell"], name)


def rnn(
    step_function: Any,
    inputs: Any,
    initial_states: Sequence[Any],
    go_backwards: bool = False,
    mask: Any = None,
    constants: Any = None,
    unroll: bool = False,
    need_per_step_outputs: bool = False,
) -> tuple[Tensor, Tensor | None, list[Tensor]]:
    """TF.js's backend `rnn()` (tfjs-layers `recurrent.ts`): `step_function(x_t, states)` ->
    `(output, new_states)` run over axis 1 of `inputs` ([batch, time, ...], 3-D or more), from
    tape ops. Returns `[last_output, outputs, new_states]`; `outputs` (the per-step outputs
    stacked on axis 1) only with `need_per_step_outputs`, else None. With a `mask` ([batch,
    time]), a masked step keeps the previous states and gives the previous first state as its
    output, as TF.js does."""
    x = as_tensor(inputs, "rnn()")
    ndim = len(x.shape)
    if ndim < 3:
        raise ValueError(
            f"Input should be at least 3D, but is {ndim}D: rnn() runs over axis 1 of "
            f"[batch, time, ...] inputs; got shape {format_shape(x.shape)}."
        )
    if constants is not None:
        raise NotImplementedError("rnn() does not support constants (as in TF.js).")
    states = [as_tensor(s, "rnn()") for s in initial_states]
    steps = ops.unstack(x, 1)
    masks: list[Tensor] | None = None
    if mask is not None:
        m = np.asarray(as_tensor(mask, "rnn()")._data).astype(bool).astype(x._data.dtype)
        if m.ndim == ndim - 1:
            m = m[..., None]
        masks = [Tensor._wrap(np.ascontiguousarray(m[:, t])) for t in range(m.shape[1])]
    if go_backwards:
        steps = steps[::-1]
        masks = masks[::-1] if masks is not None else None
    per_step: list[Tensor] = []
    last: Tensor | None = None
    for t, x_t in enumerate(steps):
        out, new_states = step_function(x_t, states)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if masks is not None:
            keep = masks[t]
            drop = ops.sub(1.0, keep)
            out = ops.add(ops.mul(out, keep), ops.mul(states[0], drop))
            new_states = [
                ops.add(ops.mul(n, keep), ops.mul(s, drop)) for n, s in zip(new_states, states)
            ]
        last, states = out, new_states
        if need_per_step_outputs:
            per_step.append(out)
    outputs = ops.stack(per_step, 1) if need_per_step_outputs else None
    assert last is not None
    return last, outputs, states


def _shape_of(x: Any, where: str) -> tuple:
    if isinstance(x, (SymbolicTensor, Tensor)):
        return tuple(x.shape)
    return tuple(as_tensor(x, where).shape)


def check_initial_state(layer: RNN, input_shape: Sequence[int | None], states: list) -> None:
    """Refuse initial states that do not match the cell: their number, and each `[batch, size]`
    (TF.js's words: "An initialState was passed that is not compatible with cell.stateSize")."""
    sizes = state_sizes(layer.cell)
    shapes = [_shape_of(s, layer.name) for s in states]
    given = ",".join(format_shape(s) for s in shapes)
    head = (
        f"Layer {layer.name}: An initialState was passed that is not compatible with "
        f"cell.stateSize {format_shape(sizes)}: "
    )
    if len(states) != len(sizes):
        raise ValueError(
            f"{head}RNN Layer has {len(sizes)} state(s) but was passed {len(states)} initial "
            f"state(s) (shapes {given}). Give one [batch, size] tensor per state"
            + (", [h, c] for an LSTM." if len(sizes) == 2 else ".")
        )
    batch = input_shape[0] if len(input_shape) else None
    for index, (shape, size) in enumerate(zip(shapes, sizes)):
        rows = shape[0] if len(shape) == 2 else None
        if len(shape) != 2 or shape[1] != size or (None not in (batch, rows) and rows != batch):
            raise ValueError(
                f"{head}state {index} has shape {format_shape(shape)}, expected "
                f"{format_shape([batch, size])} ([batch, {size}]: one row per sample of the "
                f"input {format_shape(input_shape)})."
            )
