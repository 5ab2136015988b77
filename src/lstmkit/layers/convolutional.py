"""`Conv1D`: 1-D convolution over time (`tfjs-layers/src/layers/convolutional.ts`).

The convolution is an im2col: the padded input is indexed into windows
`[batch, out_steps, kernel, channels]` (a gather whose gradient scatter-adds back), flattened and
multiplied with the kernel `[kernel, in_channels, filters]` by `matmul`, so it is differentiable
through the tape. The window arithmetic helpers are shared with the pooling layers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._names import to_camel_case
from ..engine import ops
from ..tensor import Tensor, as_tensor
from .base import Layer
from .core import (
    check_data_format,
    constraint_serial,
    float_input,
    init_serial,
    one_input,
    one_shape,
    positive_int,
    reg_serial,
    set_kernel_options,
    to_config_enum,
)
from .options import or_default
from .tfjs_style import friendly
from .topology import Shape, format_shape

PADDINGS = ("valid", "same", "causal")


def normalize_tuple(where: str, name: str, value: Any, n: int = 1) -> list[int]:
    """An int or a list of `n` ints as a list of `n` positive ints (TF.js's normalizeArray,
    whose words the error keeps: "The kernelSize argument must be an integer or tuple of 1
    integers. Received: 2 elements.")."""
    items = list(value) if isinstance(value, (list, tuple)) else [value] * n
    if len(items) != n:
        raise ValueError(
            f"{where}: {name} must be an integer or a list of {n} integer(s), got {value!r}. "
            f"(The {to_camel_case(name)} argument must be an integer or tuple of {n} integers. "
            f"Received: {len(items)} elements.)"
        )
    return [positive_int(where, name, v) for v in items]


def _check_filters(where: str, filters: Any) -> int:
    """TF.js's Conv.verifyArgs (filters a number > 0), and here an integer."""
    if filters is None or isinstance(filters, bool) or not isinstance(filters, (int, float)):
        got = "undefined" if filters is None else friendly(filters)
        raise ValueError(
            f"{where}: Expected filters to be a positive integer, but got {got}. (Convolution "
            f"layer expected config.filters to be a 'number' > 0 but got {got})"
        )
    if filters < 1:
        raise ValueError(
            f"{where}: Expected filters to be a positive integer, but got {friendly(filters)}. "
            f"(Convolution layer expected config.filters to be a 'number' > 0 but got "
            f"{friendly(filters)})"
        )
    return positive_int(where, "filters", filters)


def check_padding(where: str, padding: Any, allowed: tuple[str, ...] = PADDINGS) -> str:
    if padding not in allowed:
        raise ValueError(
            f"{where}: padding must be one of {', '.join(repr(p) for p in allowed)}, got "
            f"{padding!r}."
        )
    return padding


def conv_output_length(
    length: int | None, size: int, padding: str, stride: int, dilation: int = 1
) -> int | None:
    """Output steps of a window of `size` (dilated) sliding by `stride` (TF.js's formula;
    'causal' keeps the length, as 'same')."""
    if length is None:
        return None
    dilated = size + (size - 1) * (dilation - 1)
    out = length if padding in ("same", "causal") else length - dilated + 1
    return (out + stride - 1) // stride


def window_padding(length: int, size: int, padding: str, stride: int, dilation: int = 1):
    """(left, right) zero padding that TF applies for this padding mode."""
    dilated = (size - 1) * dilation + 1
    if padding == "causal":
        return dilated - 1, 0
    if padding == "same":
        out = math.ceil(length / stride)
        total = max((out - 1) * stride + dilated - length, 0)
        return total // 2, total - total // 2
    return 0, 0


def window_index(padded: int, size: int, stride: int, dilation: int = 1) -> np.ndarray:
    """[out, size] indices of every window position over a padded axis of length `padded`."""
    out = (padded - (size - 1) * dilation - 1) // stride + 1
    return np.arange(out)[:, None] * stride + np.arange(size)[None, :] * dilation


def windows(
    x: Tensor, size: int, stride: int, dilation: int, left: int, right: int, fill: float = 0.0
) -> Tensor:
    """[batch, steps, ch] -> [batch, out, size, ch] windows after padding axis 1 with `fill`."""
    if left or right:
        x = ops.pad(x, [[0, 0], [left, right], [0, 0]], fill)
    idx = window_index(x.shape[1], size, stride, dilation)
    return ops.getitem(x, (slice(None), idx))


def _conv1d_nwc(
    x: Tensor, kernel: Tensor, bias: Tensor | None, stride: int, padding: str, dilation: int
) -> Tensor:
    """[batch, steps, in] * kernel [size, in, filters] (+ bias) -> [batch, out, filters]."""
    size, filters = kernel.shape[0], kernel.shape[-1]
    left, right = window_padding(x.shape[1], size, padding, stride, dilation)
    win = windows(x, size, stride, dilation, left, right)  # [batch, out, size, in]
    cols = ops.reshape(win, (x.shape[0], win.shape[1], -1))
    flat = ops.reshape(kernel, (-1, filters))
    out = ops.reshape(
        ops.matmul(ops.reshape(cols, (-1, cols.shape[-1])), flat),
        (x.shape[0], win.shape[1], filters),
    )
    return out if bias is None else ops.add(out, bias)


def conv1d_with_bias(
    x: Any,
    kernel: Any,
    bias: Any = None,
    strides: int = 1,
    padding: str | None = "valid",
    data_format: str | None = None,
    dilation_rate: int = 1,
) -> Tensor:
    """TF.js's `conv1dWithBias` (tfjs-layers' backend helper): `x` [batch, steps, in] (or
    [batch, in, steps] for 'channelsFirst', transposed to steps-last first) convolved with
    `kernel` [size, in, filters], plus `bias` [filters] when given; the output is
    [batch, out, filters] in either data format, as TF.js's. Paddings 'valid' and 'same'."""
    where = "conv1dWithBias"
    x, kernel = as_tensor(x, where), as_tensor(kernel, where)
    data_format = check_data_format(where, or_default(data_format, "channelsLast"))
    if x.rank != 3:
        raise ValueError(
            f"The input of a conv1dWithBias operation should be 3, but is {x.rank} instead."
        )
    if kernel.rank != 3:
        raise ValueError(
            f"The kernel for a conv1dWithBias operation should be 3, but is {kernel.rank} instead"
        )
    if bias is not None:
        bias = as_tensor(bias, where)
        if bias.rank != 1:
            raise ValueError(
                f"The bias for a conv1dWithBias operation should be 1, but is {bias.rank} instead"
            )
    if data_format == "channelsFirst":
        x = ops.transpose(x, [0, 2, 1])  # NCW -> NWC
    if padding == "causal":
        raise NotImplementedError(
            "The support for CAUSAL padding mode in conv1dWithBias is not implemented yet "
            "(the Conv1D layer takes padding='causal')."
        )
    padding = "same" if padding == "same" else "valid"
    stride = positive_int(where, "strides", strides)
    dilation = positive_int(where, "dilation_rate", dilation_rate)
    if x.shape[2] != kernel.shape[1]:
        raise ValueError(
            f"{where}: the input has {x.shape[2]} channels, the kernel expects {kernel.shape[1]}."
        )
    if conv_output_length(x.shape[1], kernel.shape[0], padding, stride, dilation) < 1:
        raise ValueError(
            f"{where}: the input has {x.shape[1]} steps, fewer than the (dilated) kernel size "
            f"{(kernel.shape[0] - 1) * dilation + 1}."
        )
    return _conv1d_nwc(float_input(x), kernel, bias, stride, padding, dilation)


def conv1d(
    x: Any,
    kernel: Any,
    strides: int = 1,
    padding: str | None = "valid",
    data_format: str | None = None,
    dilation_rate: int = 1,
) -> Tensor:
    """TF.js's `conv1d` (tfjs-layers' backend helper): `conv1d_with_bias` without a bias."""
    return conv1d_with_bias(x, kernel, None, strides, padding, data_format, dilation_rate)


conv1dWithBias = conv1d_with_bias  # noqa: N816  (TF.js's name)


class Conv1D(Layer):
    """1-D convolution: `activation(conv1d(x, kernel) + bias)` on [batch, steps, channels].

    Weights: `kernel [kernel_size, in_channels, filters]`, `bias [filters]`. Paddings are
    'valid', 'same' and 'causal' (left padding only, so step t never sees later steps; TF.js
    itself refuses 'causal' at call time, this runs it as Keras does). As in TF.js, strides and
    dilation cannot both exceed 1, and the config omits `data_format`.
    """

    class_name = "Conv1D"
    factory_name = "conv1d"
    input_ndim = 3

    def __init__(
        self,
        filters: int | None = None,
        kernel_size: int | list[int] | None = None,
        strides: int | list[int] = 1,
        padding: str = "valid",
        data_format: str = "channelsLast",
        dilation_rate: int | list[int] = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorotNormal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        where = f"Conv1D {self.name}"
        if kernel_size is None:
            raise ValueError(
                f"{where}: kernel_size is required (an integer, e.g. 3): required key "
                "'kernelSize' not in config."
            )
        self.kernel_size = normalize_tuple(where, "kernel_size", kernel_size)
        self.filters = _check_filters(where, filters)
        self.strides = normalize_tuple(where, "strides", 1 if strides is None else strides)
        self.padding = check_padding(where, "valid" if padding is None else padding)
        self.data_format = check_data_format(where, or_default(data_format, "channelsLast"))
        self.dilation_rate = normalize_tuple(
            where, "dilation_rate", 1 if dilation_rate is None else dilation_rate
        )
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

    @property
    def _channel_axis(self) -> int:
        return 1 if self.data_format == "channelsFirst" else -1

    def build(self, input_shape: Any) -> None:
        shape = one_shape(self, input_shape)
        channels = shape[self._channel_axis]
        if channels is None:
            raise ValueError(
                f"Conv1D {self.name}: the channel dimension of the input should be defined, "
                f"got input shape {format_shape(shape)}."
            )
        self.kernel = self.add_weight(
            "kernel",
            [self.kernel_size[0], channels, self.filters],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                [self.filters],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def spec_axes(self) -> dict[int, int]:
        return {} if self.kernel is None else {self._channel_axis: self.kernel.shape[1]}

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shape = one_shape(self, input_shape)
        steps = shape[2] if self.data_format == "channelsFirst" else shape[1]
        out = conv_output_length(
            steps, self.kernel_size[0], self.padding, self.strides[0], self.dilation_rate[0]
        )
        if self.data_format == "channelsFirst":
            return (shape[0], self.filters, out)
        return (shape[0], out, self.filters)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = float_input(one_input(self, inputs))
        if self.data_format == "channelsFirst":
            x = ops.transpose(x, [0, 2, 1])
        k, s, d = self.kernel_size[0], self.strides[0], self.dilation_rate[0]
        if s > 1 and d > 1:
            raise ValueError(
                f"Conv1D {self.name}: either strides or dilation_rate must be 1, got strides="
                f"{s} and dilation_rate={d}."
            )
        steps = x.shape[1]
        if conv_output_length(steps, k, self.padding, s, d) < 1:
            raise ValueError(
                f"Conv1D {self.name}: the input has {steps} steps, fewer than the (dilated) "
                f"kernel size {(k - 1) * d + 1}; use padding='same' or a smaller kernel_size."
            )
        out = _conv1d_nwc(x, self.kernel, self.bias, s, self.padding, d)
        if self.data_format == "channelsFirst":
            out = ops.transpose(out, [0, 2, 1])
        return self.activation(out)

    def get_config(self) -> dict[str, Any]:
        return {
            "filters": self.filters,
            "kernel_initializer": init_serial(self.kernel_initializer),
            "kernel_regularizer": reg_serial(self.kernel_regularizer),
            "kernel_constraint": constraint_serial(self.kernel_constraint),
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": to_config_enum(self.padding),
            "dilation_rate": list(self.dilation_rate),
            "activation": self.activation.serialize(),
            "use_bias": self.use_bias,
            "bias_initializer": init_serial(self.bias_initializer),
            "bias_regularizer": reg_serial(self.bias_regularizer),
            "activity_regularizer": reg_serial(self.activity_regularizer),
            "bias_constraint": constraint_serial(self.bias_constraint),
            **super().get_config(),
        }
