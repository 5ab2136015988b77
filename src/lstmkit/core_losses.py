"""TF.js's core `tf.losses` (tfjs-core `src/ops/losses/*.ts`): scalar losses with weights and a
`Reduction`, as `tf.losses.meanSquaredError(labels, predictions)` gives them.

These are not the Layers losses `compile` takes by name (`lstmkit.losses`, per sample): TF.js
has both, and so does lstmkit. `tf.losses.<camelCase>` is this module (`tf.losses.meanSquaredError`
is TF.js's core function, a scalar); `tf.losses.mean_squared_error`, `tf.metrics.meanSquaredError`
and the string 'meanSquaredError' in `compile` stay the Layers' per-sample loss. The snake_case
names of the functions here (`huber_loss`, `mean_squared_error`) live only in this module.

Each function takes TF.js's positional arguments; keywords in either spelling
(`labelSmoothing` / `label_smoothing`); a Tensor, a NumPy array, nested lists or a number for
every tensor argument; None wherever TF.js takes `undefined` (the default). `weights` broadcast
against the per-element losses; the result is reduced by `reduction` (default
`Reduction.SUM_BY_NONZERO_WEIGHTS`) to a scalar, or returned whole with `Reduction.NONE`.

Every function is built from the tape's differentiable ops, so `tf.grad` flows through it to the
predictions, the labels and the weights; `softmaxCrossEntropy` carries TF.js's custom gradient
(`(softmax - labels) * dy` for the logits, `(labels - softmax) * dy` for the labels).
"""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np

from ._names import to_camel_case
from .engine import custom_grad, ops
from .tensor import Tensor, as_tensor


class Reduction(enum.IntEnum):
    """TF.js's `tf.Reduction` (`loss_ops_utils.ts`): how a loss is reduced to one number."""

    NONE = 0
    """The weighted losses, unreduced (their shape)."""
    MEAN = 1
    """sum(weighted losses) / sum(weights) (the mean without weights)."""
    SUM = 2
    """sum(weighted losses)."""
    SUM_BY_NONZERO_WEIGHTS = 3
    """sum(weighted losses) / the number of nonzero weights (broadcast to the losses). Default."""


def _key(name: str) -> str:
    return name.replace("_", "").lower()


_REDUCTION_NAMES = {_key(r.name): r for r in Reduction}


def _reduction(value: Any, where: str) -> Reduction:
    """A `Reduction` from a member, its number (TF.js's enum values 0-3) or its name."""
    if value is None:
        return Reduction.SUM_BY_NONZERO_WEIGHTS
    if isinstance(value, Reduction):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if 0 <= int(value) <= 3:
            return Reduction(int(value))
    if isinstance(value, str) and _key(value.split(".")[-1]) in _REDUCTION_NAMES:
        return _REDUCTION_NAMES[_key(value.split(".")[-1])]
    raise ValueError(
        f"{where}: Unknown reduction: {value!r}. Expected tf.Reduction.NONE, MEAN, SUM or "
        "SUM_BY_NONZERO_WEIGHTS (or their numbers 0-3, or their names)."
    )


# -- arguments --------------------------------------------------------------------------------
def _convert(x: Any, arg: str, where: str) -> Tensor:
    """TF.js's `convertToTensor(x, arg, where)`, and integer or bool values made floats."""
    if isinstance(x, Reduction):
        raise ValueError(
            f"{where}: got tf.Reduction.{x.name} for '{arg}'; pass it as the reduction "
            f"(reduction=tf.Reduction.{x.name}, or in its own place with None for the optional "
            "arguments before it)."
        )
    try:
        t = as_tensor(x, where)
    except (TypeError, ValueError):
        kind = "None" if x is None else type(x).__name__
        raise ValueError(
            f"Argument '{arg}' passed to '{where}' must be a Tensor or TensorLike (a number, "
            f"nested lists of numbers or a NumPy array), but got '{kind}'."
        ) from None
    if t._data.dtype.kind != "f":
        t = ops.cast(t, "float32")
    return t


def _js_shape(shape: tuple[int, ...]) -> str:
    return ",".join(str(d) for d in shape)  # a JavaScript array as a string: [2, 3] -> '2,3'


def _assert_shapes_match(a: Tensor, b: Tensor, names: tuple[str, str], where: str) -> None:
    """TF.js's `assertShapesMatch(a.shape, b.shape, 'Error in <where>: ')`, with the names."""
    if a.shape != b.shape:
        raise ValueError(
            f"Error in {where}:  Shapes {_js_shape(a.shape)} and {_js_shape(b.shape)} must "
            f"match: {names[0]} has shape {list(a.shape)}, {names[1]} has shape {list(b.shape)}."
        )


def _scalar(value: float, like: Tensor) -> Tensor:
    """TF.js's `scalar(value)`, in the dtype of `like` (float32, or float64 under float64())."""
    return Tensor._wrap(np.asarray(value, dtype=like._data.dtype))


F = TypeVar("F", bound=Callable[..., Any])


def _op(tfjs_name: str) -> Callable[[F], F]:
    """Name the function as TF.js's op (its `__name__`, the key `compile` would give it as a
    metric) and let it take its keywords in camelCase as well as snake_case."""

    def decorate(fn: F) -> F:
        params = list(inspect.signature(fn).parameters)
        spellings = {p: p for p in params} | {to_camel_case(p): p for p in params}

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            if kwargs:
                kwargs = _snake_keywords(tfjs_name, kwargs, spellings, params)
            return fn(*args, **kwargs)

        call.__name__ = call.__qualname__ = tfjs_name
        return cast(F, call)

    return decorate


def _snake_keywords(
    where: str, kwargs: dict[str, Any], spellings: dict[str, str], params: list[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    given: dict[str, str] = {}
    for key, value in kwargs.items():
        name = spellings.get(key)
        if name is None:
            known = ", ".join(f"{p} ({to_camel_case(p)})" if "_" in p else p for p in params)
            raise TypeError(
                f"{where}() got an unexpected keyword argument {key!r}; it takes {known}."
            )
        if name in out:
            raise TypeError(f"{where}() got {given[name]!r} and {key!r}: the same argument twice.")
        out[name], given[name] = value, key
    return out


# -- the weighted reduction ---------------------------------------------------------------------
def _weights(weights: Any, where: str) -> Tensor | None:
    return None if weights is None else _convert(weights, "weights", where)


def _weighted(losses: Tensor, weights: Tensor | None, reduction: Reduction, where: str) -> Tensor:
    """TF.js's `computeWeightedLoss` on converted tensors; errors name `where`."""
    if weights is not None and weights.shape != losses.shape:
        try:
            np.broadcast_shapes(losses.shape, weights.shape)
        except ValueError:
            raise ValueError(
                f"{where}: weights of shape {list(weights.shape)} do not broadcast against the "
                f"losses of shape {list(losses.shape)} (Operands could not be broadcast together "
                f"with shapes {_js_shape(losses.shape)} and {_js_shape(weights.shape)}.); give a "
                "scalar, or one value per loss, or 1 on the axes to share a weight along."
            ) from None
    weighted = losses if weights is None else ops.mul(losses, weights)
    if reduction is Reduction.NONE:
        return weighted
    if reduction is Reduction.SUM:
        return ops.sum(weighted)
    if reduction is Reduction.MEAN:
        if weights is None:
            return ops.mean(weighted)
        factor = losses.size / weights.size
        result = ops.div(ops.sum(weighted), ops.sum(weights))
        return ops.div(result, _scalar(factor, result)) if factor > 1 else result
    # SUM_BY_NONZERO_WEIGHTS
    if weights is None:
        return ops.div(ops.sum(weighted), _scalar(losses.size, losses))
    broadcast = ops.mul(weights, Tensor._wrap(np.ones(losses.shape, weights._data.dtype)))
    nonzero = ops.cast(ops.sum(ops.not_equal(broadcast, _scalar(0, broadcast))), "float32")
    return ops.div(ops.sum(weighted), nonzero)


@_op("computeWeightedLoss")
def compute_weighted_loss(losses: Any, weights: Any = None, reduction: Any = None) -> Tensor:
    """`losses` times `weights` (broadcast), reduced by `reduction` (TF.js's
    `tf.losses.computeWeightedLoss`)."""
    where = "computeWeightedLoss"
    red = _reduction(reduction, where)
    t = _convert(losses, "losses", where)
    return _weighted(t, _weights(weights, where), red, where)


def _elementwise_pair(
    labels: Any, predictions: Any, weights: Any, reduction: Any, where: str, names: tuple[str, str]
) -> tuple[Tensor, Tensor, Tensor | None, Reduction]:
    red = _reduction(reduction, where)
    a = _convert(labels, names[0], where)
    b = _convert(predictions, names[1], where)
    w = _weights(weights, where)
    _assert_shapes_match(a, b, names, where)
    return a, b, w, red


_LP = ("labels", "predictions")


# -- the losses ---------------------------------------------------------------------------------
@_op("absoluteDifference")
def absolute_difference(
    labels: Any, predictions: Any, weights: Any = None, reduction: Any = None
) -> Tensor:
    """|labels - predictions|, weighted and reduced."""
    where = "absoluteDifference"
    y, p, w, red = _elementwise_pair(labels, predictions, weights, reduction, where, _LP)
    return _weighted(ops.abs(ops.sub(y, p)), w, red, where)


@_op("meanSquaredError")
def mean_squared_error(
    labels: Any, predictions: Any, weights: Any = None, reduction: Any = None
) -> Tensor:
    """(labels - predictions)^2, weighted and reduced (a scalar: not the Layers' per-sample
    `lstmkit.losses.mean_squared_error`)."""
    where = "meanSquaredError"
    y, p, w, red = _elementwise_pair(labels, predictions, weights, reduction, where, _LP)
    return _weighted(ops.squared_difference(y, p), w, red, where)


@_op("cosineDistance")
def cosine_distance(
    labels: Any, predictions: Any, axis: Any = None, weights: Any = None, reduction: Any = None
) -> Tensor:
    """1 - sum(labels * predictions, axis) (axis kept, size 1), weighted and reduced.

    The inputs are taken as already unit-normalized along `axis`, as TF.js does. `axis` is
    required in TF.js's types; None (JavaScript's undefined) sums over every axis, as TF.js then
    does.
    """
    where = "cosineDistance"
    y, p, w, red = _elementwise_pair(labels, predictions, weights, reduction, where, _LP)
    losses = ops.sub(_scalar(1, y), ops.sum(ops.mul(y, p), axis, keepdims=True))
    return _weighted(losses, w, red, where)


@_op("hingeLoss")
def hinge_loss(labels: Any, predictions: Any, weights: Any = None, reduction: Any = None) -> Tensor:
    """max(0, 1 - (2 * labels - 1) * predictions) for labels in {0, 1}, weighted and reduced."""
    where = "hingeLoss"
    y, p, w, red = _elementwise_pair(labels, predictions, weights, reduction, where, _LP)
    one = _scalar(1, y)
    signed = ops.sub(ops.mul(_scalar(2, y), y), one)
    return _weighted(ops.relu(ops.sub(one, ops.mul(signed, p))), w, red, where)


@_op("huberLoss")
def huber_loss(
    labels: Any,
    predictions: Any,
    weights: Any = None,
    delta: float | None = None,
    reduction: Any = None,
) -> Tensor:
    """0.5 * min(e, delta)^2 + delta * (e - min(e, delta)), e = |predictions - labels|
    (quadratic up to `delta`, default 1, linear beyond), weighted and reduced."""
    where = "huberLoss"
    y, p, w, red = _elementwise_pair(labels, predictions, weights, reduction, where, _LP)
    d = _scalar(1.0 if delta is None else float(delta), y)
    error = ops.abs(ops.sub(p, y))
    quadratic = ops.minimum(error, d)
    linear = ops.sub(error, quadratic)
    losses = ops.add(ops.mul(_scalar(0.5, y), ops.square(quadratic)), ops.mul(d, linear))
    return _weighted(losses, w, red, where)


@_op("logLoss")
def log_loss(
    labels: Any,
    predictions: Any,
    weights: Any = None,
    epsilon: float | None = None,
    reduction: Any = None,
) -> Tensor:
    """-labels * log(predictions + eps) - (1 - labels) * log(1 - predictions + eps), eps default
    1e-7, weighted and reduced. Predictions outside [0, 1] give NaN, as in TF.js."""
    where = "logLoss"
    y, p, w, red = _elementwise_pair(labels, predictions, weights, reduction, where, _LP)
    one = _scalar(1, y)
    eps = _scalar(1e-7 if epsilon is None else float(epsilon), y)
    with np.errstate(divide="ignore", invalid="ignore"):
        l1 = ops.neg(ops.mul(y, ops.log(ops.add(p, eps))))
        l2 = ops.mul(ops.sub(one, y), ops.log(ops.add(ops.sub(one, p), eps)))
    return _weighted(ops.sub(l1, l2), w, red, where)


def _sigmoid_cross_entropy_with_logits(labels: Tensor, logits: Tensor) -> Tensor:
    """max(x, 0) - x * z + log(1 + exp(-|x|)), TF.js's stable form, for logits x, labels z."""
    return ops.add(
        ops.sub(ops.relu(logits), ops.mul(logits, labels)),
        ops.log1p(ops.exp(ops.neg(ops.abs(logits)))),
    )


@_op("sigmoidCrossEntropy")
def sigmoid_cross_entropy(
    multi_class_labels: Any,
    logits: Any,
    weights: Any = None,
    label_smoothing: float | None = None,
    reduction: Any = None,
) -> Tensor:
    """The logistic loss of each logit against its label, weighted and reduced; with
    `label_smoothing` s > 0 the labels become labels * (1 - s) + 0.5 * s first."""
    where = "sigmoidCrossEntropy"
    names = ("multiClassLabels", "logits")
    z, x, w, red = _elementwise_pair(multi_class_labels, logits, weights, reduction, where, names)
    s = 0.0 if label_smoothing is None else float(label_smoothing)
    if s > 0:
        smooth = _scalar(s, z)
        z = ops.add(ops.mul(z, ops.sub(_scalar(1, z), smooth)), ops.mul(_scalar(0.5, z), smooth))
    return _weighted(_sigmoid_cross_entropy_with_logits(z, x), w, red, where)


def _softmax_ce_forward(labels: Tensor, logits: Tensor) -> tuple[Tensor, Callable]:
    """TF.js's `softmaxCrossEntropyWithLogits_` over the last axis, with its custom gradient."""
    axis = logits.rank - 1
    log_result = ops.sub(logits, ops.logsumexp(logits, [axis], keepdims=True))
    value = ops.sum(ops.neg(ops.mul(log_result, labels)), [axis])

    def grad_fn(dy: Tensor) -> list[Tensor]:
        dy_kept = ops.reshape(dy, (*dy.shape, 1))
        softmax = ops.exp(log_result)
        return [
            ops.mul(dy_kept, ops.sub(labels, softmax)),
            ops.mul(dy_kept, ops.sub(softmax, labels)),
        ]

    return value, grad_fn


_softmax_cross_entropy_with_logits = custom_grad(_softmax_ce_forward)


@_op("softmaxCrossEntropy")
def softmax_cross_entropy(
    onehot_labels: Any,
    logits: Any,
    weights: Any = None,
    label_smoothing: float | None = None,
    reduction: Any = None,
) -> Tensor:
    """-sum(labels * log_softmax(logits), -1) per row, weighted (a scalar or one weight per
    row) and reduced; with `label_smoothing` s > 0 the labels become labels * (1 - s) +
    s / num_classes first, num_classes being the labels' shape[1], as TF.js takes it."""
    where = "softmaxCrossEntropy"
    names = ("onehotLabels", "logits")
    z, x, w, red = _elementwise_pair(onehot_labels, logits, weights, reduction, where, names)
    if x.rank == 0:
        raise ValueError(
            f"{where}: logits must have a class axis (rank 1 or more), got a scalar; give one "
            "logit per class, e.g. shape [batch, numClasses]."
        )
    s = 0.0 if label_smoothing is None else float(label_smoothing)
    if s > 0:
        if z.rank < 2:
            raise ValueError(
                f"{where}: labelSmoothing takes the number of classes from the labels' shape[1], "
                f"so onehotLabels must have rank 2 or more, got shape {list(z.shape)}."
            )
        smooth = _scalar(s, z)
        z = ops.add(
            ops.mul(z, ops.sub(_scalar(1, z), smooth)), ops.div(smooth, _scalar(z.shape[1], z))
        )
    return _weighted(_softmax_cross_entropy_with_logits(z, x), w, red, where)


# TF.js's names (`tf.losses.meanSquaredError`): the same functions.
absoluteDifference = absolute_difference  # noqa: N816
computeWeightedLoss = compute_weighted_loss  # noqa: N816
cosineDistance = cosine_distance  # noqa: N816
hingeLoss = hinge_loss  # noqa: N816
huberLoss = huber_loss  # noqa: N816
logLoss = log_loss  # noqa: N816
meanSquaredError = mean_squared_error  # noqa: N816
sigmoidCrossEntropy = sigmoid_cross_entropy  # noqa: N816
softmaxCrossEntropy = softmax_cross_entropy  # noqa: N816

TFJS_NAMES = (
    "absoluteDifference",
    "computeWeightedLoss",
    "cosineDistance",
    "hingeLoss",
    "huberLoss",
    "logLoss",
    "meanSquaredError",
    "sigmoidCrossEntropy",
    "softmaxCrossEntropy",
)
"""The functions of TF.js's `tf.losses` namespace, as `lstmkit.losses` exposes them."""

__all__ = [
    "TFJS_NAMES",
    "Reduction",
    "absolute_difference",
    "compute_weighted_loss",
    "cosine_distance",
    "hinge_loss",
    "huber_loss",
    "log_loss",
    "mean_squared_error",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    *TFJS_NAMES,
]
