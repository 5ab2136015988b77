"""BatchNormalization and LayerNormalization (`tfjs-layers/src/layers/normalization.ts`).

Both compute `(x - mean) / sqrt(variance + epsilon) * gamma + beta` (TF.js's batchNorm) from
differentiable ops, so gradients also flow through the batch statistics while training.
BatchNormalization keeps `moving_mean`/`moving_variance` (non-trainable weights) updated in
training as TF.js does: `moving -= (moving - batch_value) * (1 - momentum)`, with the biased
(population) batch variance.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import constraints, initializers, regularizers
from ..engine import ops
from ..tensor import Tensor, tensor
from .base import Layer
from .core import constraint_serial, init_serial, one_input, one_shape, reg_serial
from .options import axis_option, bool_option, number_option, or_default
from .topology import format_shape


def _normalize(x: Tensor, mean: Any, variance: Any, beta: Any, gamma: Any, eps: float) -> Tensor:
    out = ops.mul(ops.sub(x, mean), ops.rsqrt(ops.add(variance, eps)))
    if gamma is not None:
        out = ops.mul(out, gamma)
    if beta is not None:
        out = ops.add(out, beta)
    return out


def _as_tensor(v: Any) -> Any:
    return v if v is None or isinstance(v, Tensor) else tensor(v)


def batch_normalization(
    x: Any,
    mean: Any,
    variance: Any,
    beta: Any = None,
    gamma: Any = None,
    epsilon: float = 1e-3,
) -> Tensor:
    """`(x - mean) / sqrt(variance + epsilon) * gamma + beta`: TF.js's backend
    `batchNormalization` (`layers/normalization.ts`, on `tf.batchNorm2d/3d/4d`).

    `x` has rank 2, 3 or 4; `mean`, `variance`, `beta` and `gamma` broadcast against it (rank 1,
    the last axis, or x's rank); `beta`/`gamma` may be None. Differentiable.
    """
    x = _as_tensor(x)
    if x.rank not in (2, 3, 4):
        raise NotImplementedError(
            f"batchNormalization is not implemented for array of rank {x.rank} yet: x must have "
            f"rank 2, 3 or 4 (shape {format_shape(x.shape)})."
        )
    mean, variance = _as_tensor(mean), _as_tensor(variance)
    return _normalize(x, mean, variance, _as_tensor(beta), _as_tensor(gamma), epsilon)


def normalize_batch_in_training(
    x: Any, gamma: Any, beta: Any, reduction_axes: Sequence[int], epsilon: float = 1e-3
) -> tuple[Tensor, Tensor, Tensor]:
    """Normalizes `x` with its own mean and (biased) variance over `reduction_axes`, then scales
    by `gamma` and shifts by `beta`: TF.js's backend `normalizeBatchInTraining`.

    Returns `[normed, mean, variance]`; `mean` and `variance` have the shape of the axes not
    reduced. When those are not just the last axis, `gamma`/`beta` (None allowed) are given in
    that shape and broadcast back over the reduced axes (TF.js's broadcasting case).
    """
    x = _as_tensor(x)
    axes = [int(a) + x.rank if int(a) < 0 else int(a) for a in reduction_axes]
    mean, variance = ops.moments(x, axes)
    gamma, beta = _as_tensor(gamma), _as_tensor(beta)
    if sorted(axes) == list(range(x.rank - 1)):
        return batch_normalization(x, mean, variance, beta, gamma, epsilon), mean, variance
    target = [1 if i in axes else x.shape[i] for i in range(x.rank)]

    def broadcast(v: Any) -> Any:
        return None if v is None else ops.reshape(v, target)

    normed = batch_normalization(
        x, broadcast(mean), broadcast(variance), broadcast(beta), broadcast(gamma), epsilon
    )
    return normed, mean, variance


batchNormalization = batch_normalization  # noqa: N816 - TF.js's names of the backend functions
normalizeBatchInTraining = normalize_batch_in_training  # noqa: N816


def _one_axis(name: str, axis: Any) -> int:
    """BatchNormalization's axis: an int, or a list of one (Keras 2.2's JSON writes `[1]`)."""
    items = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if len(items) != 1 or isinstance(items[0], bool) or not _is_integer(items[0]):
        raise ValueError(
            f"BatchNormalization {name}: axis must be an integer (or a list of one integer), "
            f"got {axis!r}; normalizing over several axes at once is not supported."
        )
    return int(axis_option(f"BatchNormalization {name}", "axis", int(items[0])))


def _json(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _is_integer(value: Any) -> bool:
    """JavaScript's Number.isInteger: ints, and floats without a fraction (JSON's 2.0)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    return isinstance(value, (float, np.floating)) and float(value).is_integer()


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
        given = -1 if axis is None else axis
        self._axis = _one_axis(self.name, given)
        # TF.js keeps the axis as given: a one-item list (Keras's JSON) is saved as a list again
        self.axis: int | list[int] = (
            [self._axis] if isinstance(given, (list, tuple)) else self._axis
        )
        where = f"BatchNormalization {self.name}"
        self.momentum = number_option(where, "momentum", 0.99 if momentum is None else momentum)
        self.epsilon = number_option(where, "epsilon", 1e-3 if epsilon is None else epsilon)
        where = f"{self.class_name} {self.name}"
        self.center = bool_option(where, "center", center, True)
        self.scale = bool_option(where, "scale", scale, True)
        self.beta_initializer = initializers.get(or_default(beta_initializer, "zeros"))
        self.gamma_initializer = initializers.get(or_default(gamma_initializer, "ones"))
        self.moving_mean_initializer = initializers.get(
            or_default(moving_mean_initializer, "zeros")
        )
        self.moving_variance_initializer = initializers.get(
            or_default(moving_variance_initializer, "ones")
        )
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None
        self._features: int | None = None

    def _resolve_axis(self, ndim: int) -> int:
        axis = self._axis + ndim if self._axis < 0 else self._axis
        if not 0 <= axis < ndim:
            raise ValueError(
                f"BatchNormalization {self.name}: axis {self._axis} is out of range for an input "
                f"of rank {ndim}."
            )
        return axis

    def build(self, input_shape: Any) -> None:
        shape = one_shape(self, input_shape)
        axis = self._resolve_axis(len(shape))
        dim = shape[axis]
        if dim is None:
            raise ValueError(
                f"BatchNormalization {self.name}: Axis {axis} of input tensor should have a "
                f"defined dimension but the layer received an input with shape "
                f"{format_shape(shape)}."
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
        axis = self._axis + len(shape) if self._axis < 0 else self._axis
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
        # TF.js's checks and words (Number.isInteger: 2.0 from JSON is an integer, 1.2 is not)
        if isinstance(axis, (list, tuple)):
            if not all(_is_integer(a) for a in axis):
                raise ValueError(
                    f"LayerNormalization {self.name}: Expected axis to be an array of integers, "
                    f"but received {_json(axis)}"
                )
            self.axis: int | list[int] = [int(a) for a in axis]
            axis_option(f"LayerNormalization {self.name}", "axis", self.axis)
        elif isinstance(axis, (int, float, np.number)) and not isinstance(axis, bool):
            if not _is_integer(axis):
                raise ValueError(
                    f"LayerNormalization {self.name}: Expected axis to be an integer, but "
                    f"received {axis}"
                )
            self.axis = int(axis_option(f"LayerNormalization {self.name}", "axis", int(axis)))
        else:
            raise ValueError(
                f"LayerNormalization {self.name}: Expected axis to be an integer or an array of "
                f"integers, but received {_json(axis)}"
            )
        self.epsilon = number_option(
            f"LayerNormalization {self.name}", "epsilon", 1e-3 if epsilon is None else epsilon
        )
        where = f"{self.class_name} {self.name}"
        self.center = bool_option(where, "center", center, True)
        self.scale = bool_option(where, "scale", scale, True)
        self.beta_initializer = initializers.get(or_default(beta_initializer, "zeros"))
        self.gamma_initializer = initializers.get(or_default(gamma_initializer, "ones"))
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
