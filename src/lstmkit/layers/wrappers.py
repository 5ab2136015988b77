"""Wrappers: `Bidirectional` (an RNN run both ways) and `TimeDistributed` (a layer per step).

Names follow TF.js so saved weights line up: `<bidirectional>/forward_<inner>/kernel`,
`<bidirectional>/backward_<inner>/kernel`, and `<time_distributed>/kernel` (the inner layer's
own name does not appear).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ..engine import ops
from ..tensor import Tensor
from .base import Layer
from .recurrent import RNN
from .recurrent.cells import state_sizes
from .recurrent.loop import check_initial_state
from .topology import _is_shape_list, format_shape

VALID_BIDIRECTIONAL_MERGE_MODES = ("sum", "mul", "concat", "ave")
"""TF.js's `VALID_BIDIRECTIONAL_MERGE_MODES`; None (or undefined) is valid too: no merge."""


def check_bidirectional_merge_mode(value: Any = None) -> None:
    """TF.js's `checkBidirectionalMergeMode`: None or one of the valid merge modes, else a
    ValueError in TF.js's words ("foo is not a valid BidirectionalMergeMode. ...")."""
    if value is None or (isinstance(value, str) and value in VALID_BIDIRECTIONAL_MERGE_MODES):
        return
    raise ValueError(
        f"{value} is not a valid BidirectionalMergeMode.  Valid values are "
        f"{','.join(VALID_BIDIRECTIONAL_MERGE_MODES)} or null/undefined (None: the two "
        "directions' outputs returned apart)."
    )


checkBidirectionalMergeMode = check_bidirectional_merge_mode  # noqa: N816  (TF.js's name)


def _clone(layer: Layer, name: str, **changes: Any) -> Layer:
    config = {**layer.get_config(), "name": name, **changes}
    try:
        return type(layer).from_config(config)
    except (ValueError, TypeError):
        twin = copy.deepcopy(layer)
        twin.name = name
        for k, v in changes.items():
            setattr(twin, k, v)
        return twin


class Bidirectional(Layer):
    """Runs an RNN forwards and backwards and merges the two (TF.js's `tf.layers.bidirectional`)."""

    class_name = "Bidirectional"
    factory_name = "bidirectional"
    supports_masking = True
    input_ndim = 3
    MERGE_MODES = ("concat", "sum", "mul", "ave", None)

    def __init__(self, layer: Any = None, merge_mode: str | None = "concat", **kwargs: Any):
        if kwargs.get("weights") is not None:
            raise ValueError("Bidirectional: the `weights` option is not supported (as in TF.js).")
        super().__init__(**kwargs)
        if isinstance(layer, dict):
            from .serialization import deserialize

            layer = deserialize(layer)
        if not isinstance(layer, RNN):
            raise ValueError(
                f"Bidirectional: `layer` must be a recurrent layer (lstm, gru, simple_rnn, rnn), "
                f"got {type(layer).__name__}."
            )
        try:
            check_bidirectional_merge_mode(merge_mode)
        except ValueError as error:
            raise ValueError(f"Bidirectional: merge_mode: {error}") from None
        self.layer = layer
        self.merge_mode = merge_mode
        self.forward_layer = _clone(layer, f"forward_{layer.name}")
        self.backward_layer = _clone(
            layer, f"backward_{layer.name}", go_backwards=not layer.go_backwards
        )
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state

    @property
    def stateful(self) -> bool:
        return bool(self.forward_layer.stateful)

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape[0] if _is_shape_list(input_shape) else input_shape)
        prefix = self._scope or self.name
        for inner in (self.forward_layer, self.backward_layer):
            inner._scope = f"{prefix}/{inner.name}"
            inner._maybe_build(shape)

    def _all_weights(self):
        return self.forward_layer.weights + self.backward_layer.weights

    def regularization_losses(self) -> list[Tensor]:
        return (
            self.forward_layer.regularization_losses() + self.backward_layer.regularization_losses()
        )

    def reset_states(self, states: Any = None) -> None:
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = tuple(input_shape[0] if _is_shape_list(input_shape) else input_shape)
        out = self.forward_layer.compute_output_shape(shape)
        states = []
        if self.return_state:
            out, states = out[0], out[1:]
        if self.merge_mode == "concat":
            out = tuple(out[:-1]) + (out[-1] * 2,)
        outs = [out, out] if self.merge_mode is None else [out]
        if self.return_state or self.merge_mode is None:
            return outs + list(states) * 2
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, list):
            mask = mask[0]
        out = mask if self.return_sequences else None
        n_out = 2 if self.merge_mode is None else 1
        if self.return_state:
            n_states = len(state_sizes(self.forward_layer.cell)) * 2
            return [out] * n_out + [None] * n_states
        return [out] * n_out if n_out == 2 else out

    def _apply(self, inputs: Any, kwargs: dict[str, Any]) -> Any:
        """`apply([x, *states])` or `apply(x, {initialState})`: the forward layer's states,
        then the backward layer's, checked before anything runs (also on symbolic inputs)."""
        if isinstance(inputs, (list, tuple)) and len(inputs) > 1:
            inputs, kwargs = inputs[0], {**kwargs, "initial_state": list(inputs[1:])}
        states = kwargs.get("initial_state")
        if states is not None:
            states = list(states) if isinstance(states, (list, tuple)) else [states]
            per_layer = len(state_sizes(self.forward_layer.cell))
            if len(states) != 2 * per_layer:
                raise ValueError(
                    f"Layer {self.name}: When passing `initialState` to a Bidrectional RNN, "
                    "the state should be an Array containing the states of the underlying "
                    f"RNNs: {per_layer} for the forward layer, then {per_layer} for the "
                    f"backward one ({2 * per_layer} in all), got {len(states)}."
                )
            x = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
            shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
            check_initial_state(self.forward_layer, shape, states[:per_layer])
            check_initial_state(self.backward_layer, shape, states[per_layer:])
            kwargs = {**kwargs, "initial_state": states}
        return super()._apply(inputs, kwargs)

    def call(
        self,
        inputs: Any,
        training: bool = False,
        mask: Any = None,
        initial_state: Any = None,
        **kwargs: Any,
    ) -> Any:
        x = inputs[0] if isinstance(inputs, list) else inputs
        f_init = b_init = None
        if initial_state is not None:
            half = len(initial_state) // 2
            f_init, b_init = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer.call(x, training=training, mask=mask, initial_state=f_init)
        y_rev = self.backward_layer.call(x, training=training, mask=mask, initial_state=b_init)
        states: list[Tensor] = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.reverse(y_rev, 1)
        if self.merge_mode == "concat":
            out = ops.concat([y, y_rev], -1)
        elif self.merge_mode == "sum":
            out = ops.add(y, y_rev)
        elif self.merge_mode == "ave":
            out = ops.mul(ops.add(y, y_rev), 0.5)
        elif self.merge_mode == "mul":
            out = ops.mul(y, y_rev)
        else:
            return [y, y_rev] + states
        return [out] + states if self.return_state else out

    def get_config(self) -> dict[str, Any]:
        return {
            "merge_mode": self.merge_mode,
            "layer": {"class_name": self.layer.class_name, "config": self.layer.get_config()},
            **super().get_config(),
        }


class TimeDistributed(Layer):
    """Applies a layer to every time step (TF.js's `tf.layers.timeDistributed`)."""

    class_name = "TimeDistributed"
    factory_name = "timeDistributed"
    supports_masking = True
    min_ndim = 3

    def __init__(self, layer: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        if isinstance(layer, dict):
            from .serialization import deserialize

            layer = deserialize(layer)
        if not isinstance(layer, Layer):
            raise ValueError(
                f"TimeDistributed: `layer` must be a layer, got {type(layer).__name__}."
            )
        self.layer = layer

    def _rank_error(self, shape) -> str:
        return (
            "TimeDistributed layer expects an input shape >= 3D, but received input shape "
            f"{format_shape(shape)} (layer {self.name}): it applies its layer to each time "
            "step of [batch, timesteps, ...]; reshape [samples, features] data to "
            "[samples, 1, features]."
        )

    def build(self, input_shape: Any) -> None:
        self.layer._scope = self._scope or self.name
        self.layer._maybe_build((input_shape[0],) + tuple(input_shape[2:]))

    def _all_weights(self):
        return self.layer.weights

    def regularization_losses(self) -> list[Tensor]:
        return self.layer.regularization_losses()

    def compute_output_shape(self, input_shape: Any) -> Any:
        inner = self.layer.compute_output_shape((input_shape[0],) + tuple(input_shape[2:]))
        return (inner[0], input_shape[1]) + tuple(inner[1:])

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return mask

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Any:
        x = inputs[0] if isinstance(inputs, list) else inputs
        batch, steps = x.shape[0], x.shape[1]
        flat = ops.reshape(x, (batch * steps,) + tuple(x.shape[2:]))
        y = self.layer.call(flat, training=training)
        return ops.reshape(y, (batch, steps) + tuple(y.shape[1:]))

    def get_config(self) -> dict[str, Any]:
        return {
            "layer": {"class_name": self.layer.class_name, "config": self.layer.get_config()},
            **super().get_config(),
        }
