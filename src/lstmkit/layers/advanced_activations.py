"""TF.js's advanced activation layers: ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU and Softmax
(`tfjs-layers/src/layers/advanced_activations.ts`).

Each keeps TF.js's arguments, defaults, class name, default layer name (`re_lu_ReLU1`,
`p_re_lu_PReLU1`) and `getConfig()` keys in TF.js's order, so model.json files round-trip
with TF.js. `call` uses the differentiable ops of `lstmkit.engine.ops`, so gradients flow
through the tape; PReLU's `alpha` is a trainable weight. As in TF.js, ReLU and PReLU pass
masks through, the others do not, and Softmax adds -1e9 to the logits its mask hides.

Keras's spellings load too: LeakyReLU's `negative_slope` (Keras 3's name of `alpha`), and
ReLU's `negative_slope` / `threshold` at their default 0 (what Keras writes; other values are
refused with a message, as TF.js has no such options). Two places where TF.js throws and
lstmkit computes, as Keras does: ELU with an `alpha` other than 1 (TF.js: "not supported
yet"), and Softmax along an axis other than the last (TF.js's softmax op refuses it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import constraints, initializers, regularizers
from ..engine import ops
from ..tensor import Tensor
from .base import Layer
from .core import constraint_serial, float_input, init_serial, one_input, one_shape, reg_serial
from .options import axis_option, number_option, or_default
from .topology import format_shape


def _number(layer: Layer, option: str, value: Any, default: float) -> float:
    """A float option (None: the default), refused with the layer's name when not a number."""
    if value is None:
        return default
    return number_option(f"{layer.class_name} {layer.name}", option, value)


class ReLU(Layer):
    """max(x, 0), clipped at `max_value` when it is given (TF.js's `tf.layers.reLU`)."""

    class_name = "ReLU"
    factory_name = "reLU"
    supports_masking = True

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float | None = None,
        threshold: float | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        for option, value in (("negative_slope", negative_slope), ("threshold", threshold)):
            if value not in (None, 0):
                raise ValueError(
                    f"ReLU {self.name}: {option}={value!r} (a Keras option) is not supported: "
                    f"TF.js's ReLU has only maxValue. Use {option}=0, or a LeakyReLU for a "
                    "negative slope."
                )
        self.max_value = None if max_value is None else _number(self, "max_value", max_value, 0)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        out = ops.relu(one_input(self, inputs))
        if self.max_value is not None:
            out = ops.clip_by_value(out, 0, self.max_value)
        return out

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, **super().get_config()}


class LeakyReLU(Layer):
    """x for x > 0, else `alpha * x` (default alpha 0.3; TF.js's `tf.layers.leakyReLU`)."""

    class_name = "LeakyReLU"
    factory_name = "leakyReLU"

    def __init__(
        self, alpha: float | None = None, negative_slope: float | None = None, **kwargs: Any
    ):
        super().__init__(**kwargs)
        if alpha is None:  # Keras 3 calls it negative_slope
            alpha = negative_slope
        self.alpha = _number(self, "alpha", alpha, 0.3)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        return ops.leaky_relu(float_input(one_input(self, inputs)), self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha, **super().get_config()}


class PReLU(Layer):
    """Parametric ReLU: x for x > 0, else `alpha * x` with `alpha` a trainable weight of the
    input's shape without the batch axis (size 1 along `shared_axes`).

    The axes the weight fixes (every one but the shared ones) must keep their size in later
    calls, as Keras checks (TF.js fixes them only when `sharedAxes` is given).
    """

    class_name = "PReLU"
    factory_name = "prelu"
    supports_masking = True

    def __init__(
        self,
        alpha_initializer: Any = None,
        alpha_regularizer: Any = None,
        alpha_constraint: Any = None,
        shared_axes: int | Sequence[int] | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(or_default(alpha_initializer, "zeros"))
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes: list[int] | None = None
        elif isinstance(shared_axes, int) and not isinstance(shared_axes, bool):
            self.shared_axes = [axis_option(f"PReLU {self.name}", "shared_axes", shared_axes)]
        elif isinstance(shared_axes, (list, tuple)) and all(
            isinstance(a, int) and not isinstance(a, bool) for a in shared_axes
        ):
            self.shared_axes = list(axis_option(f"PReLU {self.name}", "shared_axes", shared_axes))
        else:
            raise ValueError(
                f"PReLU {self.name}: Expected sharedAxes to be a number or an array of "
                f"numbers, but got {shared_axes!r}"
            )
        self.alpha: Any = None
        self._fixed_axes: dict[int, int] = {}

    def build(self, input_shape: Any) -> None:
        shape = one_shape(self, input_shape)
        param = list(shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis < len(shape):
                raise ValueError(
                    f"PReLU {self.name}: shared axis {axis} is not an axis of the input shape "
                    f"{format_shape(shape)} (axes 1 to {len(shape) - 1}; 0 is the batch)."
                )
            param[axis - 1] = 1
        if any(d is None for d in param):
            raise ValueError(
                f"PReLU {self.name}: alpha needs a known size on every axis it is not shared "
                f"along, got input shape {format_shape(shape)}; give the input's full shape "
                "or list the unknown axes in sharedAxes."
            )
        self.alpha = self.add_weight(
            "alpha",
            param,
            "float32",
            self.alpha_initializer,
            self.alpha_regularizer,
            True,
            self.alpha_constraint,
        )
        self.input_ndim = len(shape)
        shared = set(self.shared_axes or ())
        self._fixed_axes = {a: shape[a] for a in range(1, len(shape)) if a not in shared}

    def spec_axes(self) -> dict[int, int]:
        return dict(self._fixed_axes)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = float_input(one_input(self, inputs))
        # TF.js's prelu: x where x > 0, else alpha * x (at 0 the gradient to x is alpha)
        return ops.where(ops.greater(x, 0), x, ops.mul(self.alpha, x))

    def get_config(self) -> dict[str, Any]:
        return {
            "alpha_initializer": init_serial(self.alpha_initializer),
            "alpha_regularizer": reg_serial(self.alpha_regularizer),
            "alpha_constraint": constraint_serial(self.alpha_constraint),
            "shared_axes": None if self.shared_axes is None else list(self.shared_axes),
            **super().get_config(),
        }


class ELU(Layer):
    """x for x > 0, else `alpha * (exp(x) - 1)` (default alpha 1; TF.js's `tf.layers.elu`).

    TF.js refuses an alpha other than 1; lstmkit computes it, as Keras does.
    """

    class_name = "ELU"
    factory_name = "elu"

    def __init__(self, alpha: float | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.alpha = _number(self, "alpha", alpha, 1.0)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = float_input(one_input(self, inputs))
        y = ops.elu(x)
        if self.alpha == 1:
            return y
        return ops.where(ops.greater(x, 0), x, ops.mul(y, self.alpha))

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha, **super().get_config()}


class ThresholdedReLU(Layer):
    """x for x > `theta`, else 0 (default theta 1; TF.js's `tf.layers.thresholdedReLU`)."""

    class_name = "ThresholdedReLU"
    factory_name = "thresholdedReLU"

    def __init__(self, theta: float | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.theta = _number(self, "theta", theta, 1.0)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = float_input(one_input(self, inputs))
        return ops.mul(x, ops.cast(ops.greater(x, self.theta), x.dtype))

    def get_config(self) -> dict[str, Any]:
        return {"theta": self.theta, **super().get_config()}


class Softmax(Layer):
    """exp(x) / sum(exp(x)) along `axis` (TF.js's `tf.layers.softmax`).

    TF.js's default axis is 1 (not -1): the last axis of a [batch, features] input. A list of
    several axes normalizes over all of them together. A mask (1 keep, 0 hide; broadcast
    against the input as TF.js does) adds -1e9 to the hidden logits first.
    """

    class_name = "Softmax"
    factory_name = "softmax"

    def __init__(self, axis: int | Sequence[int] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if axis is None:
            axis = 1
        listed = isinstance(axis, (list, tuple)) and len(axis) > 0
        if isinstance(axis, bool) or not (
            isinstance(axis, int) or (listed and all(isinstance(a, int) for a in axis))
        ):
            raise ValueError(
                f"Softmax {self.name}: axis must be an integer or a list of integers, got {axis!r}."
            )
        axis_option(f"Softmax {self.name}", "axis", axis)
        self.axis: int | list[int] = axis if isinstance(axis, int) else list(axis)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = float_input(one_input(self, inputs))
        if mask is not None:
            hidden = ops.sub(1, ops.cast(mask, x.dtype))
            x = ops.add(x, ops.mul(hidden, -1e9))
        axis = self.axis
        if isinstance(axis, list) and len(axis) > 1:
            return ops.exp(ops.sub(x, ops.log_sum_exp(x, axis, True)))
        if isinstance(axis, list):
            axis = axis[0]
        if not -x.rank <= axis < x.rank:
            raise ValueError(
                f"Softmax {self.name}: axis {axis} is not an axis of the input shape "
                f"{format_shape(x.shape)}."
            )
        return ops.softmax(x, axis)

    def get_config(self) -> dict[str, Any]:
        axis = self.axis if isinstance(self.axis, int) else list(self.axis)
        return {"axis": axis, **super().get_config()}
