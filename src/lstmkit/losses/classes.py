"""Keras's loss classes (`keras.losses.SparseCategoricalCrossentropy(from_logits=True)`, ...).

keras-io programs configure a loss as an object: `compile(loss=keras.losses.X(...))`. Each
class here wraps one per-sample function of `losses.functions`, with Keras 3's options
(`from_logits`, `label_smoothing`, `delta`, `axis`) and reductions:

- in `compile`, the model takes the per-sample loss (`per_sample`) and averages it over the
  batch with the sample weights, as it does for a loss given by name;
- called directly, `loss(y_true, y_pred, sample_weight=None)` gives Keras's reduced value:
  'sum_over_batch_size' (the default: the weighted sum over the number of loss values),
  'sum', 'mean' (the same as the default here) or 'none' (the per-sample losses).

`Loss` is the base of custom losses written as Keras writes them (`class MyLoss(Loss)` with
`call(self, y_true, y_pred)`). A class at its TF.js-expressible options saves under the TF.js
name (`categoricalCrossentropy`); with `from_logits` or label smoothing it has no TF.js name,
and saving a training config with it is refused (TF.js could not load it).
"""

from __future__ import annotations

import math
from typing import Any

from ..engine import ops
from ..tensor import Tensor, as_tensor
from . import functions as fn

_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "none", None)


class Loss:
    """Keras's `keras.losses.Loss`: subclass it with `call(self, y_true, y_pred)` returning
    the per-sample loss; calling the object reduces it as `reduction` says."""

    tfjs_name: str | None = None  # the TF.js loss this class is at its default options

    def __init__(
        self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype=None
    ):
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"{type(self).__name__}: reduction must be one of 'sum_over_batch_size', "
                f"'sum', 'mean' or 'none', got {reduction!r}."
            )
        if dtype not in (None, "float32"):
            raise ValueError(
                f"{type(self).__name__}: dtype {dtype!r} is not supported; lstmkit computes "
                "losses in float32 (leave dtype unset)."
            )
        self.name = name or _snake(type(self).__name__)
        self.reduction = reduction

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        """The per-sample loss (subclasses)."""
        raise NotImplementedError(f"{type(self).__name__} must define call(y_true, y_pred).")

    def per_sample(self, y_true: Any, y_pred: Any) -> Tensor:
        """The loss of each sample, which `compile` averages with the sample weights."""
        return self.call(y_true, y_pred)

    def compile_function(self) -> Any:
        """The per-sample function `compile` uses (the model averages it over the batch, as
        Keras's default reduction does; other reductions are refused there)."""
        if self.reduction not in ("sum_over_batch_size", "mean"):
            raise ValueError(
                f"{type(self).__name__}(reduction={self.reduction!r}) in compile(): the model "
                "averages the loss over each batch (Keras's default 'sum_over_batch_size'); "
                "leave reduction unset, or scale the loss yourself."
            )
        return self.per_sample

    def loss_name(self) -> str:
        """The name compile keys this loss by: the TF.js loss it computes, else the class's."""
        return self.tfjs_name or type(self).__name__

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        values = self.call(y_true, y_pred)
        if sample_weight is not None:
            w = as_tensor(sample_weight, f"{type(self).__name__}: sample_weight")
            w = ops.reshape(w, list(w.shape) + [1] * (values.rank - w.rank))
            values = ops.mul(values, w)
        if self.reduction == "none" or self.reduction is None:
            return values
        total = ops.sum(values)
        if self.reduction == "sum":
            return total
        return ops.div(total, float(max(1, math.prod(values.shape))))

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)

    def serialized_name(self) -> str | None:
        """The TF.js name trainingConfig can store for this loss, or None if there is none."""
        return self.tfjs_name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.get_config()}>"


def _snake(name: str) -> str:
    out = ""
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out += "_"
        out += ch.lower()
    return out


class _Wrapped(Loss):
    """A Keras loss class over one of the per-sample functions, with no options of its own."""

    function: Any = None

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        return type(self).function(y_true, y_pred)

    def compile_function(self) -> Any:
        """The built-in function itself, so compile treats it as the loss given by name (the
        same numbers, the tape-free step, saving under the TF.js name)."""
        super().compile_function()  # the reduction check
        return type(self).function


def _wrapped(class_name: str, tfjs_name: str, doc: str) -> type[_Wrapped]:
    cls = type(
        class_name,
        (_Wrapped,),
        {"__doc__": doc, "tfjs_name": tfjs_name, "function": staticmethod(fn.LOSSES[tfjs_name])},
    )
    cls.__module__ = __name__
    return cls


MeanSquaredError = _wrapped("MeanSquaredError", "meanSquaredError", "mean((y - p)^2, -1).")
MeanAbsoluteError = _wrapped("MeanAbsoluteError", "meanAbsoluteError", "mean(|y - p|, -1).")
MeanAbsolutePercentageError = _wrapped(
    "MeanAbsolutePercentageError", "meanAbsolutePercentageError", "100 mean(|y - p| / |y|, -1)."
)
MeanSquaredLogarithmicError = _wrapped(
    "MeanSquaredLogarithmicError",
    "meanSquaredLogarithmicError",
    "mean((log(1 + y) - log(1 + p))^2, -1).",
)
Hinge = _wrapped("Hinge", "hinge", "mean(max(1 - y p, 0), -1), labels -1/1 (0/1 mapped).")
SquaredHinge = _wrapped("SquaredHinge", "squaredHinge", "mean(max(1 - y p, 0)^2, -1).")
CategoricalHinge = _wrapped("CategoricalHinge", "categoricalHinge", "max(neg - pos + 1, 0).")
KLDivergence = _wrapped("KLDivergence", "kullbackLeiblerDivergence", "sum(y log(y / p), -1).")
Poisson = _wrapped("Poisson", "poisson", "mean(p - y log(p), -1).")
LogCosh = _wrapped("LogCosh", "logcosh", "mean(log(cosh(p - y)), -1).")


class CosineSimilarity(Loss):
    """-cos(y, p) along `axis` (Keras's loss of that name; -1 when they point the same way)."""

    tfjs_name = "cosineProximity"

    def __init__(self, axis: int = -1, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        yt = fn.l2_normalize(as_tensor(y_true, "CosineSimilarity"), self.axis)
        yp = fn.l2_normalize(as_tensor(y_pred, "CosineSimilarity"), self.axis)
        return ops.neg(ops.sum(ops.mul(yt, yp), self.axis))

    def serialized_name(self) -> str | None:
        return self.tfjs_name if self.axis == -1 else None

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Huber(Loss):
    """mean over the last axis of 0.5 d^2 where |d| <= delta, else delta (|d| - 0.5 delta)
    (Keras's Huber; TF.js has it only as the core `tf.losses.huberLoss`)."""

    def __init__(self, delta: float = 1.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.delta = float(delta)

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        yt, yp = as_tensor(y_true, "Huber"), as_tensor(y_pred, "Huber")
        d = ops.abs(ops.sub(yp, yt))
        quad = ops.minimum(d, self.delta)
        lin = ops.sub(d, quad)
        return ops.mean(ops.add(ops.mul(0.5, ops.square(quad)), ops.mul(self.delta, lin)), -1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "delta": self.delta}


class _Crossentropy(Loss):
    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if not 0.0 <= float(label_smoothing) <= 1.0:
            raise ValueError(
                f"{type(self).__name__}: label_smoothing must be in [0, 1], got "
                f"{label_smoothing!r}."
            )
        if axis != -1:
            raise ValueError(
                f"{type(self).__name__}: only axis=-1 (classes on the last axis) is supported, "
                f"got axis={axis!r}; move the class axis last (tf.transpose)."
            )
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis

    def serialized_name(self) -> str | None:
        plain = not self.from_logits and self.label_smoothing == 0.0
        return self.tfjs_name if plain else None

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class CategoricalCrossentropy(_Crossentropy):
    """-sum(y log p, -1) over one-hot labels; `from_logits` takes raw scores (softmax inside),
    `label_smoothing` moves the labels towards uniform, as Keras."""

    tfjs_name = "categoricalCrossentropy"

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        yt = as_tensor(y_true, "CategoricalCrossentropy")
        if self.label_smoothing:
            k = float(yt.shape[-1])
            yt = ops.add(ops.mul(yt, 1.0 - self.label_smoothing), self.label_smoothing / k)
        if self.from_logits:
            logp = ops.log_softmax(as_tensor(y_pred, "CategoricalCrossentropy"))
            return ops.neg(ops.sum(ops.mul(yt, logp), -1))
        return fn.categorical_crossentropy(yt, y_pred)


class SparseCategoricalCrossentropy(_Crossentropy):
    """Categorical crossentropy against integer class labels (one per row); `from_logits`
    takes raw scores, as Keras."""

    tfjs_name = "sparseCategoricalCrossentropy"

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None, **kw: Any):
        if ignore_class is not None:
            raise ValueError(
                "SparseCategoricalCrossentropy: ignore_class is not supported; give those "
                "samples sample_weight 0 instead."
            )
        super().__init__(from_logits=from_logits, **kw)

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        if not self.from_logits:
            return fn.sparse_categorical_crossentropy(y_true, y_pred)
        logits = as_tensor(y_pred, "SparseCategoricalCrossentropy")
        one_hot = fn.sparse_one_hot(y_true, logits, "SparseCategoricalCrossentropy")
        return ops.neg(ops.sum(ops.mul(one_hot, ops.log_softmax(logits)), -1))


class BinaryCrossentropy(_Crossentropy):
    """mean over the last axis of the logistic loss; `from_logits` takes raw scores,
    `label_smoothing` squeezes labels towards 0.5, as Keras."""

    tfjs_name = "binaryCrossentropy"

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        yt = as_tensor(y_true, "BinaryCrossentropy")
        if self.label_smoothing:
            yt = ops.add(ops.mul(yt, 1.0 - self.label_smoothing), 0.5 * self.label_smoothing)
        if self.from_logits:
            logits = as_tensor(y_pred, "BinaryCrossentropy")
            return ops.mean(fn.sigmoid_cross_entropy_with_logits(yt, logits), -1)
        return fn.binary_crossentropy(yt, y_pred)


CLASSES: dict[str, type[Loss]] = {
    c.__name__: c
    for c in (
        MeanSquaredError,
        MeanAbsoluteError,
        MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError,
        Hinge,
        SquaredHinge,
        CategoricalHinge,
        KLDivergence,
        Poisson,
        LogCosh,
        CosineSimilarity,
        Huber,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
        BinaryCrossentropy,
    )
}
"""Keras's loss classes by name (`KLDivergence` also as `KLD`-style names via `losses.get`)."""

__all__ = ["CLASSES", "Loss", *CLASSES]
