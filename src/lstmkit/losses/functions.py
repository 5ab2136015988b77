"""The 14 losses `compile` accepts by name, with TF.js's formulas (`tfjs-layers/src/losses.ts`).

Each loss takes `(y_true, y_pred)` and returns the per-sample loss (reduced over the last axis
where TF.js reduces); the model averages it over the batch. All are built from differentiable
ops, so gradients flow to `y_pred`. Clipping uses the layers epsilon, 1e-7, as TF.js.

Names: TF.js accepts only its camelCase names ('meanSquaredError'); lstmkit also accepts the
Keras spellings ('mse', 'mean_squared_error', 'MeanSquaredError', 'kld', 'log_cosh', ...), and
Keras's loss objects (`losses.classes`), through their `per_sample` function.

`tf.losses.<camelCase>` is TF.js's core namespace instead (`lstmkit.core_losses`):
`tf.losses.meanSquaredError(labels, predictions, weights, reduction)` is a scalar, with
`tf.Reduction`; the snake_case functions here stay the Layers' per-sample losses.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._names import to_snake_case
from ..core_losses import (  # TF.js's core tf.losses: scalar losses with weights and a Reduction
    Reduction,
    absoluteDifference,
    computeWeightedLoss,
    cosineDistance,
    hingeLoss,
    huberLoss,
    logLoss,
    meanSquaredError,
    sigmoidCrossEntropy,
    softmaxCrossEntropy,
)
from ..engine import ops
from ..tensor import Tensor, as_tensor

EPSILON = 1e-7
"""tfjs-layers' `epsilon()`: the clipping bound of the logarithmic losses."""

_FLOAT_MAX = float(np.finfo(np.float32).max)

LossFn = Callable[[Any, Any], Tensor]


def _pair(y_true: Any, y_pred: Any, where: str) -> tuple[Tensor, Tensor]:
    """Both as tensors; integer or bool targets become floats (TF.js would refuse the mix)."""
    yt, yp = as_tensor(y_true, where), as_tensor(y_pred, where)
    if yp._data.dtype.kind != "f":
        yp = ops.cast(yp, "float32")
    if yt._data.dtype.kind != "f":
        yt = ops.cast(yt, "float32")
    return yt, yp


def _clip(x: Tensor, low: float, high: float = _FLOAT_MAX) -> Tensor:
    return ops.clip_by_value(x, low, high)


def l2_normalize(x: Any, axis: int = -1) -> Tensor:
    """x / sqrt(max(sum(x^2), 1e-7)) along `axis` (TF.js's `l2Normalize`)."""
    x = as_tensor(x, "l2_normalize")
    square_sum = ops.sum(ops.square(x), axis, keepdims=True)
    return ops.div(x, ops.sqrt(ops.maximum(square_sum, EPSILON)))


def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean((y_pred - y_true)^2, -1)."""
    yt, yp = _pair(y_true, y_pred, "mean_squared_error")
    return ops.mean(ops.squared_difference(yp, yt), -1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean(|y_pred - y_true|, -1)."""
    yt, yp = _pair(y_true, y_pred, "mean_absolute_error")
    return ops.mean(ops.abs(ops.sub(yp, yt)), -1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    """100 * mean(|(y_true - y_pred) / max(|y_true|, 1e-7)|, -1)."""
    yt, yp = _pair(y_true, y_pred, "mean_absolute_percentage_error")
    diff = ops.sub(yt, yp)
    clipped_true = _clip(ops.abs(yt), EPSILON)
    return ops.mul(100, ops.mean(ops.abs(ops.div(diff, clipped_true)), -1))


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean((log(1 + max(y_pred, 1e-7)) - log(1 + max(y_true, 1e-7)))^2, -1)."""
    yt, yp = _pair(y_true, y_pred, "mean_squared_logarithmic_error")
    first = ops.log(ops.add(1, _clip(yp, EPSILON)))
    second = ops.log(ops.add(1, _clip(yt, EPSILON)))
    return ops.mean(ops.square(ops.sub(first, second)), -1)


def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """mean(max(0, 1 - y_true * y_pred)^2, -1)."""
    yt, yp = _pair(y_true, y_pred, "squared_hinge")
    return ops.mean(ops.square(ops.maximum(0, ops.sub(1, ops.mul(yt, yp)))), -1)


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """mean(max(0, 1 - y_true * y_pred), -1)."""
    yt, yp = _pair(y_true, y_pred, "hinge")
    return ops.mean(ops.maximum(0, ops.sub(1, ops.mul(yt, yp))), -1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """max(0, 1 + max((1 - y_true) * y_pred) - sum(y_true * y_pred)) over the last axis."""
    yt, yp = _pair(y_true, y_pred, "categorical_hinge")
    pos = ops.sum(ops.mul(yt, yp), -1)
    neg = ops.max(ops.mul(ops.sub(1, yt), yp), -1)
    return ops.maximum(0, ops.add(1, ops.sub(neg, pos)))


def logcosh(y_true: Any, y_pred: Any) -> Tensor:
    """mean(log(cosh(d)), -1) with d = y_pred - y_true, as d + softplus(-2d) - log 2."""
    yt, yp = _pair(y_true, y_pred, "logcosh")
    d = ops.sub(yp, yt)
    return ops.mean(ops.sub(ops.add(d, ops.softplus(ops.mul(-2, d))), math.log(2)), -1)


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    """-sum(target * log(p), -1), p = output renormalized to sum 1 (or softmax of logits),
    clipped to [1e-7, 1 - 1e-7]."""
    t, out = _pair(target, output, "categorical_crossentropy")
    if from_logits:
        out = ops.softmax(out)
    else:
        out = ops.div(out, ops.sum(out, -1, keepdims=True))
    out = ops.clip_by_value(out, EPSILON, 1 - EPSILON)
    return ops.neg(ops.sum(ops.mul(t, ops.log(out)), -1))


def sparse_categorical_crossentropy(target: Any, output: Any) -> Tensor:
    """Categorical crossentropy against one_hot(floor(target)); TF.js clips `output` first."""
    t, out = _pair(target, output, "sparse_categorical_crossentropy")
    out = ops.clip_by_value(out, EPSILON, 1 - EPSILON)
    return categorical_crossentropy(sparse_one_hot(t, out, "sparse_categorical_crossentropy"), out)


def sparse_one_hot(target: Any, output: Tensor, where: str) -> Tensor:
    """one_hot(floor(target)) in the shape of `output`: one class index per row of `output`."""
    t = as_tensor(target, where)
    flat = np.floor(t._data.reshape(-1)).astype(np.int64)
    depth = output.shape[-1]
    if flat.size * depth != output.size:
        raise ValueError(
            f"{where}: expected one class index per row of y_pred (shape "
            f"{list(output.shape)}), got y_true of shape {list(t.shape)}."
        )
    if flat.size and (flat.min() < 0 or flat.max() >= depth):
        bad = int(flat[(flat < 0) | (flat >= depth)][0])
        raise ValueError(
            f"{where}: class index {bad} is out of range for {depth} classes (y_pred's last "
            f"axis); labels must be 0 to {depth - 1}."
        )
    return ops.reshape(ops.one_hot(flat, depth, dtype="float32"), output.shape)


def sigmoid_cross_entropy_with_logits(labels: Any, logits: Any) -> Tensor:
    """max(x, 0) - x * z + log(1 + exp(-|x|)), stable for any logit x and label z."""
    z, x = _pair(labels, logits, "sigmoid_cross_entropy_with_logits")
    if z.shape != x.shape:
        raise ValueError(
            "logits and labels must have the same shape, but got shapes "
            f"{list(z.shape)} and {list(x.shape)}."
        )
    return ops.add(ops.sub(ops.relu(x), ops.mul(x, z)), ops.log1p(ops.exp(ops.neg(ops.abs(x)))))


def binary_crossentropy(y_true: Any, y_pred: Any) -> Tensor:
    """mean over the last axis of the logistic loss of logit(clip(y_pred, 1e-7, 1 - 1e-7))."""
    yt, yp = _pair(y_true, y_pred, "binary_crossentropy")
    p = ops.clip_by_value(yp, EPSILON, 1 - EPSILON)
    logits = ops.log(ops.div(p, ops.sub(1, p)))
    return ops.mean(sigmoid_cross_entropy_with_logits(yt, logits), -1)


def kullback_leibler_divergence(y_true: Any, y_pred: Any) -> Tensor:
    """sum(y_true * log(clip(y_true) / clip(y_pred)), -1), clipping to [1e-7, 1]."""
    yt, yp = _pair(y_true, y_pred, "kullback_leibler_divergence")
    ratio = ops.div(ops.clip_by_value(yt, EPSILON, 1), ops.clip_by_value(yp, EPSILON, 1))
    return ops.sum(ops.mul(yt, ops.log(ratio)), -1)


def poisson(y_true: Any, y_pred: Any) -> Tensor:
    """mean(y_pred - y_true * log(y_pred + 1e-7), -1)."""
    yt, yp = _pair(y_true, y_pred, "poisson")
    log_pred = ops.log(ops.add(EPSILON, yp))
    return ops.mean(ops.sub(yp, ops.mul(yt, log_pred)), -1)


def cosine_proximity(y_true: Any, y_pred: Any) -> Tensor:
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred), -1): -1 when they point the same way."""
    yt, yp = _pair(y_true, y_pred, "cosine_proximity")
    return ops.neg(ops.sum(ops.mul(l2_normalize(yt, -1), l2_normalize(yp, -1)), -1))


# TF.js's `lossesMap`, in its order: the names `compile({loss})` accepts.
LOSSES: dict[str, LossFn] = {
    "meanSquaredError": mean_squared_error,
    "meanAbsoluteError": mean_absolute_error,
    "meanAbsolutePercentageError": mean_absolute_percentage_error,
    "meanSquaredLogarithmicError": mean_squared_logarithmic_error,
    "squaredHinge": squared_hinge,
    "hinge": hinge,
    "categoricalHinge": categorical_hinge,
    "logcosh": logcosh,
    "categoricalCrossentropy": categorical_crossentropy,
    "sparseCategoricalCrossentropy": sparse_categorical_crossentropy,
    "binaryCrossentropy": binary_crossentropy,
    "kullbackLeiblerDivergence": kullback_leibler_divergence,
    "poisson": poisson,
    "cosineProximity": cosine_proximity,
}

# Keras names for the same functions, beyond case and underscores (which `_key` ignores).
_ALIASES = {
    "mse": "meanSquaredError",
    "mae": "meanAbsoluteError",
    "mape": "meanAbsolutePercentageError",
    "msle": "meanSquaredLogarithmicError",
    "kld": "kullbackLeiblerDivergence",
    "kldivergence": "kullbackLeiblerDivergence",
    "cosine": "cosineProximity",
    "cosinesimilarity": "cosineProximity",  # Keras's loss of that name is the same -cos
}


def _key(name: str) -> str:
    return name.replace("_", "").lower()


_LOOKUP = {_key(k): k for k in LOSSES} | _ALIASES


def canonical_name(identifier: str) -> str | None:
    """The TF.js name for a loss name in any accepted spelling, or None."""
    return _LOOKUP.get(_key(identifier)) if isinstance(identifier, str) else None


def name_of(fn: Callable) -> str:
    """The TF.js name of a built-in loss function, else the function's own name."""
    for name, f in LOSSES.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", type(fn).__name__)


def get(identifier: str | LossFn) -> tuple[str, LossFn]:
    """(TF.js name, function) for a loss name in any accepted spelling; a callable passes.

    A Keras loss object (`losses.classes.Loss`) gives its TF.js name (or its class name) and
    its per-sample function, which the model averages with the sample weights."""
    compile_function = getattr(identifier, "compile_function", None)
    if callable(compile_function):
        return identifier.loss_name(), compile_function()  # type: ignore[union-attr]
    if callable(identifier):
        return name_of(identifier), identifier
    if not isinstance(identifier, str):
        raise ValueError(
            f"loss must be a name such as 'meanSquaredError' or a function (y_true, y_pred), "
            f"got {type(identifier).__name__}."
        )
    name = canonical_name(identifier)
    if name is None:
        raise ValueError(_unknown_message(identifier))
    return name, LOSSES[name]


def serialize_name(identifier: str | LossFn) -> str:
    """The loss as trainingConfig stores it: the snake_case TF.js name ('mean_squared_error').

    Custom functions cannot be saved: TF.js throws "Serialization of non-string loss is not
    supported", and so does this (a ValueError).
    """
    serialized = getattr(identifier, "serialized_name", None)
    if callable(serialized):  # a Keras loss object: a TF.js name only at TF.js's options
        tfjs_name = serialized()
        if tfjs_name is None:
            raise ValueError(
                f"Serialization of non-string loss is not supported: {identifier!r} has no "
                "TF.js equivalent (TF.js's losses take probabilities, without label "
                "smoothing); save without the training config (include_optimizer=False)."
            )
        return to_snake_case(tfjs_name)
    name, fn = get(identifier)
    if name not in LOSSES or LOSSES[name] is not fn:
        raise ValueError(
            f"Serialization of non-string loss is not supported: {name!r} is not one of the "
            "built-in losses."
        )
    return to_snake_case(name)


def _unknown_message(identifier: str) -> str:
    msg = f"Unknown loss {identifier!r}."
    if "softmaxcrossentropy" in identifier.lower():
        msg += " Use 'categoricalCrossentropy' as the name for softmax cross entropy."
    else:
        close = difflib.get_close_matches(_key(identifier), list(_LOOKUP), n=3, cutoff=0.6)
        names = list(dict.fromkeys(_LOOKUP[c] for c in close))
        if names:
            msg += " Did you mean " + " or ".join(repr(n) for n in names) + "?"
    return msg + " Known: " + ", ".join(LOSSES) + " (Keras spellings such as 'mse' work too)."


# -- tape-free plans ----------------------------------------------------------------------------
class MeanSquaredErrorPlan:
    """The training loss ``mean(mean((pred - y)^2, -1))`` and its gradient, in NumPy.

    The same operations, in the same order and rounding, as the general step's
    ``ops.mean(mean_squared_error(y, pred))`` and its tape backward, so the tape-free step
    (`lstmkit.models.tape_free`) gives bit-identical numbers.
    """

    def accepts_rank(self, rank: int) -> bool:
        """Predictions of rank 2 only: on more axes the general step's mean differs."""
        return rank == 2

    def value_and_grad(self, pred: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray | None]:
        """The loss, and dLoss/dpred (None when the loss is not finite)."""
        d = np.subtract(pred, y)
        n_last = d.shape[-1]
        per_sample = (np.add.reduce(np.square(d), axis=(d.ndim - 1,)) / n_last).astype(
            d.dtype, copy=False
        )
        batch = per_sample.shape[0]
        total = np.asarray(np.add.reduce(per_sample, axis=(0,)) / batch).astype(d.dtype)
        value = float(total)
        if not np.isfinite(value):
            return value, None
        # the two means spread 1 / batch, then (1 / batch) / n_last, each rounded to the dtype;
        # the squared difference gives g * (2 * d)
        return value, (np.ones((), d.dtype) / batch / n_last).astype(d.dtype) * (2 * d)


_TAPE_FREE_PLANS: dict[Any, type] = {mean_squared_error: MeanSquaredErrorPlan}


def tape_free_plan(fn: Any) -> Any:
    """A NumPy value-and-gradient plan for the loss function `fn`, or None if it has none."""
    plan = _TAPE_FREE_PLANS.get(fn)
    return None if plan is None else plan()


__all__ = [
    "EPSILON",
    "LOSSES",
    "Reduction",
    "absoluteDifference",
    "computeWeightedLoss",
    "cosineDistance",
    "hingeLoss",
    "huberLoss",
    "logLoss",
    "meanSquaredError",
    "sigmoidCrossEntropy",
    "softmaxCrossEntropy",
    "binary_crossentropy",
    "canonical_name",
    "categorical_crossentropy",
    "categorical_hinge",
    "cosine_proximity",
    "get",
    "hinge",
    "kullback_leibler_divergence",
    "l2_normalize",
    "logcosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "name_of",
    "poisson",
    "serialize_name",
    "sigmoid_cross_entropy_with_logits",
    "sparse_categorical_crossentropy",
    "sparse_one_hot",
    "squared_hinge",
    "tape_free_plan",
    "to_snake_case",
]
