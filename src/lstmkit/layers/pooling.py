"""1-D pooling over time: MaxPooling1D, AveragePooling1D, GlobalMaxPooling1D and
GlobalAveragePooling1D (`tfjs-layers/src/layers/pooling.ts`).

Windows are taken with the same differentiable indexing as `Conv1D`. With 'same' padding, max
pooling pads with -inf and average pooling divides by the number of real (unpadded) values in
each window, as TF's pooling kernels do. The global layers ignore masks, as in TF.js.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import ops
from ..tensor import Tensor
from .base import Layer
from .convolutional import (
    check_padding,
    conv_output_length,
    window_index,
    window_padding,
    windows,
)
from .core import one_input, one_shape, to_config_enum
from .options import or_default, positive_int
from .tfjs_style import friendly
from .topology import Shape


def _one_int(where: str, name: str, value: Any) -> list[int]:
    """TF.js's Pooling1D checks: a number or an array of one number, a positive integer
    ("Expected poolSize to be a positive integer, but got 2.5.")."""
    if isinstance(value, (list, tuple)):
        if len(value) != 1 or not isinstance(value[0], (int, float, np.number)):
            raise ValueError(
                f"{where}: {name} for 1D convolutional layer must be a number or an Array of a "
                f"single number, but received {friendly(list(value))}"
            )
        return [positive_int(where, f"element 1 of {name}", value[0])]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(
            f"{where}: {name} for 1D convolutional layer must be a number or an Array of a "
            f"single number, but received {friendly(value)}"
        )
    return [positive_int(where, name, value)]


class _Pooling1D(Layer):
    """Shared arguments: pool_size (default 2), strides (default pool_size), padding."""

    input_ndim = 3

    def __init__(
        self,
        pool_size: int | list[int] = 2,
        strides: int | list[int] | None = None,
        padding: str = "valid",
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        where = f"{self.class_name} {self.name}"
        self.pool_size = _one_int(where, "poolSize", 2 if pool_size is None else pool_size)
        self.strides = (
            list(self.pool_size) if strides is None else _one_int(where, "strides", strides)
        )
        self.padding = check_padding(where, or_default(padding, "valid"), ("valid", "same"))

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shape = one_shape(self, input_shape)
        steps = conv_output_length(shape[1], self.pool_size[0], self.padding, self.strides[0])
        return (shape[0], steps, shape[2])

    def _windows(self, x: Tensor, fill: float) -> Tensor:
        p, s = self.pool_size[0], self.strides[0]
        if conv_output_length(x.shape[1], p, self.padding, s) < 1:
            raise ValueError(
                f"{self.class_name} {self.name}: the input has {x.shape[1]} steps, fewer than "
                f"pool_size {p}; use padding='same' or a smaller pool_size."
            )
        left, right = window_padding(x.shape[1], p, self.padding, s)
        return windows(x, p, s, 1, left, right, fill)

    def get_config(self) -> dict[str, Any]:
        return {
            "pool_size": list(self.pool_size),
            "padding": to_config_enum(self.padding),
            "strides": list(self.strides),
            **super().get_config(),
        }


class MaxPooling1D(_Pooling1D):
    """The maximum of each window of `pool_size` steps."""

    class_name = "MaxPooling1D"
    factory_name = "maxPooling1d"
    factory_aliases = ("maxPool1d",)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        return ops.max(self._windows(one_input(self, inputs), -np.inf), axis=2)


class AveragePooling1D(_Pooling1D):
    """The mean of each window of `pool_size` steps (padding excluded from the count)."""

    class_name = "AveragePooling1D"
    factory_name = "averagePooling1d"
    factory_aliases = ("avgPool1d", "avgPooling1d")

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = one_input(self, inputs)
        total = ops.sum(self._windows(x, 0.0), axis=2)
        if self.padding == "valid":
            return ops.div(total, float(self.pool_size[0]))
        p, s = self.pool_size[0], self.strides[0]
        left, right = window_padding(x.shape[1], p, self.padding, s)
        real = np.pad(np.ones(x.shape[1]), (left, right))
        counts = real[window_index(len(real), p, s)].sum(axis=1)
        return ops.div(total, Tensor._wrap(counts.astype(x._data.dtype)[None, :, None]))


class _GlobalPooling1D(Layer):
    input_ndim = 3

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shape = one_shape(self, input_shape)
        return (shape[0], shape[2])


class GlobalMaxPooling1D(_GlobalPooling1D):
    """The maximum over all steps: [batch, steps, features] -> [batch, features]."""

    class_name = "GlobalMaxPooling1D"
    factory_name = "globalMaxPooling1d"
    factory_aliases = ("globalMaxPool1d",)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        return ops.max(one_input(self, inputs), axis=1)


class GlobalAveragePooling1D(_GlobalPooling1D):
    """The mean over all steps: [batch, steps, features] -> [batch, features] (no masking)."""

    class_name = "GlobalAveragePooling1D"
    factory_name = "globalAveragePooling1d"

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        return ops.mean(one_input(self, inputs), axis=1)
