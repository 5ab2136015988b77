"""BatchNormalization and LayerNormalization (`tfjs-layers/src/layers/normalization.ts`).

Both compute `(x - mean) / sqrt(variance + epsilon) * gamma + beta` (TF.js's batchNorm) from
differentiable ops, so gradients also flow through the batch statistics while training.
BatchNormalization keeps `moving_mean`/`moving_variance` (non-trainable weights) updated in
training as TF.js does: `moving -= (moving - batch_value) * (1 - momentum)`, with the biased
(population) batch variance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import constraints, initializers, regularizers
from ..engine import ops
from ..tensor import Tensor
from .base import Layer, format_shape
from .core import constraint_serial, init_serial, one_input, one_shape, reg_serial


def _normalize(x: Tensor, mean: Any, variance: Any, beta: Any, gamma: Any, eps: float) -> Tensor:
    out = ops.mul(ops.sub(x, mean), ops.rsqrt(ops.add(variance, eps)))
    if gamma is not None:
        out = ops.mul(out, gamma)
    if beta is not None:
        out = ops.add(out, beta)
    return out


def _bool(value: Any, default: bool) -> bool:
    return default if value is None else bool(value)


class BatchNormalization(Layer):
    """Normalizes each feature of `axis` with the batch statistics (training) or the moving ones.

    Weights, in TF.js's order: `gamma` (if scale), `beta` (if center), then the non-trainable
    `moving_mean` and `moving_variance`, all of shape [features].
    """

    class_name = "BatchNormalization"
    factory_name = "batchNormalization"
    supports_masking = True

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.axis = -1 if axis is None else int(axis)
        self.momentum = 0.99 if momentum is None else momentum
        self.epsilon = 1e-3 if epsilon is None else epsilon
        self.center = _bool(center, True)
        self.scale = _bool(scale, True)
        self.beta_initializer = initializers.get(beta_initializer or "zeros")
        self.gamma_initializer = initializers.get(gamma_initializer or "ones")
        self.moving_mean_initializer = initializers.get(moving_mean_initializer or "zeros")
        self.moving_variance_initializer = initializers.get(moving_variance_initializer or "ones")
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None
        self._features: int | None = None

    def _resolve_axis(self, ndim: int) -> int:
        axis = self.axis + ndim if self.axis < 0 else self.axis
        if not 0 <= axis < ndim:
            raise ValueError(
                f"BatchNormalization {self.name}: axis {self.axis} is out of range for an input "
                f"of rank {ndim}."
            )
        return axis

    def build(self, input_shape: Any) -> None:
        shape = one_shape(self, input_shape)
        axis = self._resolve_axis(len(shape))
        dim = shape[axis]
        if dim is None:
            raise ValueError(
                f"BatchNormalization {self.name}: axis {axis} of the input should have a defined "
                f"dimension, but the layer received an input with shape {format_shape(shape)}."
            )
        self._features, self._ndim = dim, len(shape)
        if self.scale:
            self.gamma = self.add_weight(
                "gamma",
                [dim],
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                "beta",
                [dim],
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        self.moving_mean = self.add_weight(
            "moving_mean", [dim], initializer=self.moving_mean_initializer, trainable=False
        )
        self.moving_variance = self.add_weight(
            "moving_variance", [dim], initializer=self.moving_variance_initializer, trainable=False
        )

    def assert_input_compatibility(self, shapes: Any) -> None:
        if self._features is None:
            return
        shape = one_shape(self, shapes)
        axis = self.axis + len(shape) if self.axis < 0 else self.axis
        if len(shape) != self._ndim or shape[axis] not in (None, self._features):
            raise ValueError(
                f"Input 0 is incompatible with layer {self.name}: expected ndim={self._ndim} "
                f"with axis {axis} of size {self._features}, found shape {format_shape(shape)}."
            )

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = one_input(self, inputs)
        axis = self._resolve_axis(x.rank)
        reduction = [i for i in range(x.rank) if i != axis]
        bshape = [1] * x.rank
        bshape[axis] = x.shape[axis]

        def broadcast(v: Any) -> Any:
            return None if v is None else ops.reshape(v, bshape)

        gamma, beta = broadcast(self.gamma), broadcast(self.beta)
        if not training:
            mean, var = broadcast(self.moving_mean), broadcast(self.moving_variance)
            return _normalize(x, mean, var, beta, gamma, self.epsilon)
        mean, var = ops.moments(x, reduction, keepdims=True)
        out = _normalize(x, mean, var, beta, gamma, self.epsilon)
        decay = 1 - self.momentum
        for moving, value in ((self.moving_mean, mean), (self.moving_variance, var)):
            old = moving._data
            moving.assign(old - (old - value._data.reshape(old.shape)) * decay)
        return out

    def get_config(self) -> dict[str, Any]:
        return {
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": init_serial(self.beta_initializer),
            "gamma_initializer": init_serial(self.gamma_initializer),
            "moving_mean_initializer": init_serial(self.moving_mean_initializer),
            "moving_variance_initializer": init_serial(self.moving_variance_initializer),
            "beta_regularizer": reg_serial(self.beta_regularizer),
            "gamma_regularizer": reg_serial(self.gamma_regularizer),
            "beta_constraint": constraint_serial(self.beta_constraint),
            "gamma_constraint": constraint_serial(self.gamma_constraint),
            **super().get_config(),
        }


class LayerNormalization(Layer):
    """Normalizes each sample over `axis` (an int or a list; the last axis by default).

    `gamma`/`beta` have the shape of the normalized axes. As in TF.js, building resolves `axis`
    to a list of non-negative axes, which is what the config then holds.
    """

    class_name = "LayerNormalization"
    factory_name = "layerNormalization"
    supports_masking = True

    def __init__(
        self,
        axis: int | Sequence[int] = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        axis = -1 if axis is None else axis
        items = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if any(isinstance(a, bool) or not isinstance(a, int) for a in items):
            raise ValueError(
                f"LayerNormalization {self.name}: axis must be an integer or a list of integers, "
                f"got {axis!r}."
            )
        self.axis: int | list[int] = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon = 1e-3 if epsilon is None else epsilon
        self.center = _bool(center, True)
        self.scale = _bool(scale, True)
        self.beta_initializer = initializers.get(beta_initializer or "zeros")
        self.gamma_initializer = initializers.get(gamma_initializer or "ones")
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.gamma = self.beta = None

    def _axes(self, ndim: int) -> list[int]:
        items = self.axis if isinstance(self.axis, list) else [self.axis]
        axes = [a + ndim if a < 0 else a for a in items]
        for a in axes:
            if not 0 <= a < ndim:
                raise ValueError(
                    f"LayerNormalization {self.name}: invalid axis {a} for an input of rank {ndim}."
                )
        if len(set(axes)) != len(axes):
            raise ValueError(f"LayerNormalization {self.name}: found duplicate axes in {axes}.")
        return axes

    def build(self, input_shape: Any) -> None:
        shape = one_shape(self, input_shape)
        self.axis = self._axes(len(shape))
        param_shape = [shape[a] for a in self.axis]
        if any(d is None for d in param_shape):
            raise ValueError(
                f"LayerNormalization {self.name}: the normalized axes {self.axis} must have known "
                f"sizes, got input shape {format_shape(shape)}."
            )
        if self.scale:
            self.gamma = self.add_weight(
                "gamma",
                param_shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
            )
        if self.center:
            self.beta = self.add_weight(
                "beta",
                param_shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
            )

    def spec_axes(self) -> dict[int, int]:
        param = self.gamma if self.gamma is not None else self.beta
        if param is None or not isinstance(self.axis, list):
            return {}
        return dict(zip(self.axis, param.shape))

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = one_input(self, inputs)
        axes = self._axes(x.rank)
        mean, var = ops.moments(x, axes, keepdims=True)
        bshape = [x.shape[i] if i in axes else 1 for i in range(x.rank)]

        def broadcast(v: Any) -> Any:
            return None if v is None else ops.reshape(v, bshape)

        return _normalize(x, mean, var, broadcast(self.beta), broadcast(self.gamma), self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": init_serial(self.beta_initializer),
            "gamma_initializer": init_serial(self.gamma_initializer),
            "beta_regularizer": reg_serial(self.beta_regularizer),
            "gamma_regularizer": reg_serial(self.gamma_regularizer),
            **super().get_config(),
        }
