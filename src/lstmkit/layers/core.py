"""TF.js's basic layers: Dense, Activation, Dropout, SpatialDropout1D, Flatten, Reshape,
Permute, RepeatVector and Masking (`tfjs-layers/src/layers/core.ts`).

Each layer keeps TF.js's argument names (snake_case), defaults, errors and `getConfig()` key
order, so model.json files round-trip. `call` uses only the differentiable ops of
`lstmkit.engine.ops`, so gradients flow through the tape. The small helpers at the top are
shared by the other layer modules of this package.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import activations, constraints, initializers, regularizers
from ..engine import ops
from ..tensor import Tensor
from .base import Layer
from .options import (
    bool_option,
    number_option,
    or_default,
    positive_int,
    rate_option,
    seed_option,
    shape_option,
)
from .plans import DensePlan
from .topology import Shape, format_shape

# -- helpers shared by the layer modules -------------------------------------------------------


def one_input(layer: Layer, inputs: Any) -> Any:
    """The single input of a one-input layer (TF.js's getExactlyOneTensor), or a clear error."""
    if isinstance(inputs, (list, tuple)):
        if len(inputs) == 1:
            return inputs[0]
        raise ValueError(
            f"Layer {layer.name} ({layer.class_name}) expects exactly one input tensor, got a "
            f"list of {len(inputs)}. Pass one Tensor or NumPy array (a nested Python list is "
            "read as several inputs: wrap it with tf.tensor())."
        )
    return inputs


def float_input(x: Tensor) -> Tensor:
    """Integer or bool data (e.g. a NumPy int array) cast to float32 before a matmul."""
    return x if x._data.dtype.kind == "f" else ops.cast(x, "float32")


def one_shape(layer: Layer, shape: Any) -> Shape:
    """The single input shape of a one-input layer."""
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
        if len(shape) != 1:
            raise ValueError(
                f"Layer {layer.name} ({layer.class_name}) expects exactly one input, got "
                f"{len(shape)} input shapes {[format_shape(s) for s in shape]}."
            )
        shape = shape[0]
    return tuple(shape)


def set_kernel_options(
    layer: Layer,
    activation: Any,
    use_bias: Any,
    kernel_initializer: Any,
    bias_initializer: Any,
    kernel_regularizer: Any,
    bias_regularizer: Any,
    activity_regularizer: Any,
    kernel_constraint: Any,
    bias_constraint: Any,
) -> None:
    """The activation and kernel/bias options Dense and Conv1D share, resolved onto `layer`."""
    layer.activation = activations.get(activation)
    layer.use_bias = bool_option(f"{layer.class_name} {layer.name}", "use_bias", use_bias, True)
    layer.kernel_initializer = initializers.get(or_default(kernel_initializer, "glorotNormal"))
    layer.bias_initializer = initializers.get(or_default(bias_initializer, "zeros"))
    layer.kernel_regularizer = regularizers.get(kernel_regularizer)
    layer.bias_regularizer = regularizers.get(bias_regularizer)
    layer.activity_regularizer = regularizers.get(activity_regularizer)
    layer.kernel_constraint = constraints.get(kernel_constraint)
    layer.bias_constraint = constraints.get(bias_constraint)
    layer.kernel = None
    layer.bias = None


def init_serial(x: Any) -> Any:
    return initializers.serialize(x)


def reg_serial(x: Any) -> Any:
    return regularizers.serialize(x)


def constraint_serial(x: Any) -> Any:
    return constraints.serialize(x)


def check_rate(layer: str, rate: Any) -> float:
    """A dropout-like rate as a finite number (TF.js clips it to [0, 1] where it does)."""
    return rate_option(layer, "rate", rate)


# -- Dense --------------------------------------------------------------------------------------


class Dense(Layer):
    """`output = activation(dot(input, kernel) + bias)` on the last axis of a rank >= 2 input.

    Weights: `kernel [inputLastDim, units]` and `bias [units]`. `input_dim` alone defines the
    input shape as `[batch_size, input_dim]`, as TF.js does.
    """

    class_name = "Dense"
    factory_name = "dense"
    supports_masking = True
    min_ndim = 2

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorotNormal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        input_dim: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if input_dim is not None:
            dim = positive_int(f"Dense {self.name}", "input_dim", input_dim)
            if self.batch_input_shape is None:
                self.batch_input_shape = (kwargs.get("batch_size"), dim)
        self.units = positive_int(f"Dense {self.name}", "units", units)
        set_kernel_options(
            self,
            activation,
            use_bias,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            activity_regularizer,
            kernel_constraint,
            bias_constraint,
        )

    def build(self, input_shape: Any) -> None:
        shape = one_shape(self, input_shape)
        last = shape[-1]
        if last is None:
            raise ValueError(
                f"Dense {self.name}: the last axis of the input must be known to create the "
                f"kernel, got input shape {format_shape(shape)}."
            )
        self.kernel = self.add_weight(
            "kernel",
            [last, self.units],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                [self.units],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def spec_axes(self) -> dict[int, int]:
        return {} if self.kernel is None else {-1: self.kernel.shape[0]}

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shape = one_shape(self, input_shape)
        return shape[:-1] + (self.units,)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = float_input(one_input(self, inputs))
        if x.rank == 2 and self.bias is not None:
            return self.activation(ops.matmul_bias(x, self.kernel, self.bias))
        if x.rank == 2:
            out = ops.matmul(x, self.kernel)
        else:  # TF.js's K.dot: flatten the leading axes, multiply, restore them
            flat = ops.reshape(x, (-1, x.shape[-1]))
            out = ops.reshape(ops.matmul(flat, self.kernel), x.shape[:-1] + (self.units,))
        if self.bias is not None:
            out = ops.add(out, self.bias)
        return self.activation(out)

    def tape_free_plan(self) -> DensePlan | None:
        """The NumPy plan of the tape-free training step (linear Dense only; `layers.plans`)."""
        return DensePlan(self) if self.activation.name == "linear" else None

    def get_config(self) -> dict[str, Any]:
        return {
            "units": self.units,
            "activation": self.activation.serialize(),
            "use_bias": self.use_bias,
            "kernel_initializer": init_serial(self.kernel_initializer),
            "bias_initializer": init_serial(self.bias_initializer),
            "kernel_regularizer": reg_serial(self.kernel_regularizer),
            "bias_regularizer": reg_serial(self.bias_regularizer),
            "activity_regularizer": reg_serial(self.activity_regularizer),
            "kernel_constraint": constraint_serial(self.kernel_constraint),
            "bias_constraint": constraint_serial(self.bias_constraint),
            **super().get_config(),
        }


# -- Activation ---------------------------------------------------------------------------------


class Activation(Layer):
    """Applies an activation function elementwise (masks pass through)."""

    class_name = "Activation"
    factory_name = "activation"
    supports_masking = True

    def __init__(self, activation: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        return self.activation(one_input(self, inputs))

    def get_config(self) -> dict[str, Any]:
        return {"activation": self.activation.serialize(), **super().get_config()}


# -- Dropout ------------------------------------------------------------------------------------


class Dropout(Layer):
    """Zeroes a fraction `rate` of the inputs while training and scales the rest by 1/(1-rate).

    Inference (the default, `training=False`) returns the input unchanged. `noise_shape` gives
    the shape of the random keep-mask (None entries take the input's size); a `seed` makes the
    mask the same on every call, as TF.js.
    """

    class_name = "Dropout"
    factory_name = "dropout"
    supports_masking = True

    def __init__(
        self,
        rate: float,
        noise_shape: Sequence[int | None] | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        where = f"{self.class_name} {self.name}"
        self.rate = max(min(check_rate(where, rate), 1), 0)
        if noise_shape is not None:
            shape_option(where, "noise_shape", noise_shape, minimum=1)
        self.noise_shape = None if noise_shape is None else list(noise_shape)
        self.seed = seed_option(where, seed)

    def _noise_shape(self, x: Tensor) -> tuple[int, ...] | None:
        if self.noise_shape is None:
            return None
        if len(self.noise_shape) != x.rank:
            raise ValueError(
                f"Dropout {self.name}: noise_shape {self.noise_shape} must have one entry per "
                f"input axis, but the input has shape {format_shape(x.shape)}."
            )
        return tuple(x.shape[i] if d is None else int(d) for i, d in enumerate(self.noise_shape))

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = one_input(self, inputs)
        if not training or not 0 < self.rate < 1:
            return x
        return ops.dropout(x, self.rate, self._noise_shape(x), self.seed)

    def get_config(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "noise_shape": self.noise_shape,
            "seed": self.seed,
            **super().get_config(),
        }


class SpatialDropout1D(Dropout):
    """Dropout of whole feature channels of a [batch, steps, features] input while training."""

    class_name = "SpatialDropout1D"
    factory_name = "spatialDropout1d"
    input_ndim = 3

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any):
        kwargs.pop("noise_shape", None)
        super().__init__(rate=rate, seed=seed, **kwargs)

    def _noise_shape(self, x: Tensor) -> tuple[int, ...]:
        return (x.shape[0], 1, x.shape[2])


# -- Flatten, Reshape, Permute, RepeatVector ----------------------------------------------------


class Flatten(Layer):
    """Flattens every axis but the batch one: [batch, d1, d2, ...] -> [batch, d1*d2*...].

    As in TF.js the input must have rank >= 3; with `data_format='channelsFirst'` the channel
    axis is moved last first, so the flattened order matches a channelsLast model.
    """

    class_name = "Flatten"
    factory_name = "flatten"
    min_ndim = 3

    def __init__(self, data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if data_format is not None:
            data_format = check_data_format(f"Flatten {self.name}", data_format)
        self.data_format = data_format

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shape = one_shape(self, input_shape)
        if any(d is None for d in shape[1:]):
            raise ValueError(
                f'The shape of the input to "Flatten" ({self.name}) is not fully defined '
                f"(got {format_shape(shape[1:])}). Make sure to pass a complete "
                '"input_shape" or "batch_input_shape" argument to the first layer in your '
                "model."
            )
        return (shape[0], math.prod(shape[1:]))

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = one_input(self, inputs)
        if self.data_format == "channelsFirst" and x.rank > 1:
            x = ops.transpose(x, [0, *range(2, x.rank), 1])
        return ops.reshape(x, (x.shape[0], -1))

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if self.data_format is not None:
            config["data_format"] = to_config_enum(self.data_format)
        return {**config, **super().get_config()}


def check_data_format(where: str, data_format: str) -> str:
    """'channelsLast' or 'channelsFirst' (Keras's 'channels_last' spellings accepted)."""
    value = {"channels_last": "channelsLast", "channels_first": "channelsFirst"}.get(
        data_format, data_format
    )
    if value not in ("channelsLast", "channelsFirst"):
        raise ValueError(
            f"{where}: data_format must be 'channelsLast' or 'channelsFirst', got {data_format!r}."
        )
    return value


def to_config_enum(value: str) -> str:
    """An enum value as model.json stores it (TF.js snake_cases string values)."""
    return activations.to_snake_case(value)


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (without the batch axis); one entry may be -1.

    The -1 (or None) is stored as None, which is what TF.js writes in model.json.
    """

    class_name = "Reshape"
    factory_name = "reshape"

    def __init__(self, target_shape: Sequence[int | None], **kwargs: Any):
        super().__init__(**kwargs)
        if target_shape is None or isinstance(target_shape, (str, bytes)):
            raise ValueError(
                f"Reshape {self.name}: target_shape must be a list of integers (one may be -1), "
                f"got {target_shape!r}."
            )
        shape = shape_option(f"Reshape {self.name}", "target_shape", target_shape, minimum=1)
        self.target_shape = list(shape)

    def _check_one_unknown(self) -> None:
        # As TF.js (and Keras), checked when the layer meets its input, not in the constructor.
        if self.target_shape.count(None) > 1:
            shown = format_shape([-1 if d is None else d for d in self.target_shape])
            raise ValueError(
                f"Reshape {self.name}: Can only specifiy one unknown dimension (TF.js's words: "
                f"one entry of target_shape may be -1 or None), got target_shape {shown}."
            )

    def _fix_unknown(self, sample_shape: Shape) -> tuple[int, ...]:
        self._check_one_unknown()
        size = math.prod(sample_shape)
        known = math.prod(d for d in self.target_shape if d is not None)
        shown = format_shape([-1 if d is None else d for d in self.target_shape])
        if None in self.target_shape:
            if known == 0 or size % known:
                raise ValueError(
                    f"Reshape {self.name}: Total size of new array must be unchanged: each "
                    f"sample of shape {format_shape(sample_shape)} has {size} values, which "
                    f"cannot fill target_shape {shown} (a multiple of {known} is needed)."
                )
            return tuple(size // known if d is None else d for d in self.target_shape)
        if size != known:
            raise ValueError(
                f"Reshape {self.name}: Total size of new array must be unchanged: each sample "
                f"of shape {format_shape(sample_shape)} has {size} values, but target_shape "
                f"{shown} holds {known}. Fix target_shape (one entry may be -1)."
            )
        return tuple(self.target_shape)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shape = one_shape(self, input_shape)
        if any(d is None for d in shape[1:]):
            self._check_one_unknown()
            return (shape[0], *self.target_shape)
        return (shape[0], *self._fix_unknown(shape[1:]))

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = one_input(self, inputs)
        return ops.reshape(x, (x.shape[0], *self._fix_unknown(x.shape[1:])))

    def get_config(self) -> dict[str, Any]:
        return {"target_shape": list(self.target_shape), **super().get_config()}


class Permute(Layer):
    """Permutes the non-batch axes; `dims` is 1-based ([2, 1] swaps the two axes of a sample)."""

    class_name = "Permute"
    factory_name = "permute"

    def __init__(self, dims: Sequence[int] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if dims is None:
            raise ValueError(
                "Required configuration field `dims` is missing during Permute constructor call."
            )
        if not isinstance(dims, (list, tuple)):
            raise ValueError(
                "Permute constructor requires `dims` to be an Array (a list), but received "
                f"{dims!r} instead."
            )
        if any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) for d in dims) or (
            sorted(dims) != list(range(1, len(dims) + 1))
        ):
            raise ValueError(
                f"Invalid permutation `dims`: {list(dims)}. `dims` must contain consecutive "
                "integers starting from 1 (the batch axis is not included)."
            )
        self.dims = [int(d) for d in dims]
        self.input_ndim = len(self.dims) + 1

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shape = one_shape(self, input_shape)
        return (shape[0], *(shape[d] for d in self.dims))

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        return ops.transpose(one_input(self, inputs), [0, *self.dims])

    def get_config(self) -> dict[str, Any]:
        return {"dims": list(self.dims), **super().get_config()}


class RepeatVector(Layer):
    """Repeats a [batch, features] input n times: [batch, n, features]."""

    class_name = "RepeatVector"
    factory_name = "repeatVector"
    input_ndim = 2

    def __init__(self, n: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.n = positive_int(f"RepeatVector {self.name}", "n", n)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shape = one_shape(self, input_shape)
        return (shape[0], self.n, shape[1])

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = ops.expand_dims(one_input(self, inputs), 1)
        return ops.tile(x, [1, self.n, 1])

    def get_config(self) -> dict[str, Any]:
        return {"n": self.n, **super().get_config()}


# -- Masking ------------------------------------------------------------------------------------


class Masking(Layer):
    """Masks timesteps whose features all equal `mask_value` for the layers downstream.

    The mask is `any(x != mask_value, axis=-1)`; masked timesteps are also zeroed in the
    output, as TF.js does.
    """

    class_name = "Masking"
    factory_name = "masking"
    supports_masking = True

    def __init__(self, mask_value: float = 0, **kwargs: Any):
        super().__init__(**kwargs)
        value = 0 if mask_value is None else mask_value
        self.mask_value = number_option(f"Masking {self.name}", "mask_value", value)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Tensor:
        x = one_input(self, inputs)
        return ops.any(ops.not_equal(x, self.mask_value), -1)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = one_input(self, inputs)
        keep = ops.any(ops.not_equal(x, self.mask_value), -1, keepdims=True)
        return ops.mul(x, ops.cast(keep, x.dtype))

    def get_config(self) -> dict[str, Any]:
        return {"mask_value": self.mask_value, **super().get_config()}
