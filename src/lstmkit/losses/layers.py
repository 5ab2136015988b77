"""tfjs-layers' own `losses.ts` module under its names: the per-sample losses in camelCase
(`meanSquaredError(yTrue, yPred)` gives one value per sample, as `compile` uses it),
`l2Normalize`, `sigmoidCrossEntropyWithLogits`, `lossesMap` and `get`.

`tf.losses.meanSquaredError` is tfjs-core's scalar loss instead (`lstmkit.core_losses`), as in
TF.js, where the Layers' module is internal; this module is what TF.js's `import * as losses
from './losses'` is, for ports of its tests and of code that used it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..engine import ops
from ..tensor import Tensor, as_tensor
from . import functions as _f

EPSILON = _f.EPSILON

meanSquaredError = _f.mean_squared_error  # noqa: N816  (TF.js's names)
meanAbsoluteError = _f.mean_absolute_error  # noqa: N816
meanAbsolutePercentageError = _f.mean_absolute_percentage_error  # noqa: N816
meanSquaredLogarithmicError = _f.mean_squared_logarithmic_error  # noqa: N816
squaredHinge = _f.squared_hinge  # noqa: N816
hinge = _f.hinge
categoricalHinge = _f.categorical_hinge  # noqa: N816
logcosh = _f.logcosh
categoricalCrossentropy = _f.categorical_crossentropy  # noqa: N816
sparseCategoricalCrossentropy = _f.sparse_categorical_crossentropy  # noqa: N816
sigmoidCrossEntropyWithLogits = _f.sigmoid_cross_entropy_with_logits  # noqa: N816
binaryCrossentropy = _f.binary_crossentropy  # noqa: N816
kullbackLeiblerDivergence = _f.kullback_leibler_divergence  # noqa: N816
poisson = _f.poisson
cosineProximity = _f.cosine_proximity  # noqa: N816

#: TF.js's `lossesMap`: the 14 names `compile` takes, to their functions.
lossesMap = _f.LOSSES  # noqa: N816


def l2Normalize(x: Any, axis: int | None = None) -> Tensor:  # noqa: N802  (TF.js's name)
    """x / sqrt(max(sum(x^2), 1e-7)), the sum along `axis` or, by default, over every element
    (TF.js's `l2Normalize`); int32 and bool inputs are cast to float32 first."""
    x = as_tensor(x, "l2Normalize")
    if x.dtype != "float32":
        x = ops.cast(x, "float32")
    square_sum = ops.sum(ops.square(x), axis, keepdims=True)
    return ops.div(x, ops.sqrt(ops.maximum(square_sum, EPSILON)))


def get(identifier: str | Callable[..., Any]) -> Callable[..., Any]:
    """TF.js's `losses.get`: the function for a loss name (any accepted spelling); a function
    is returned as it is."""
    if callable(identifier):
        return identifier
    try:
        return _f.get(identifier)[1]
    except ValueError as err:
        raise ValueError(with_tfjs_words(identifier, err)) from None


def with_tfjs_words(identifier: Any, err: ValueError) -> str:
    """An unknown-loss message opening with TF.js's "Unknown loss foo" (then lstmkit's)."""
    message = str(err)
    if isinstance(identifier, str) and message.startswith("Unknown loss"):
        return f"Unknown loss {identifier}: {message}"
    return message


__all__ = [
    "EPSILON",
    "binaryCrossentropy",
    "categoricalCrossentropy",
    "categoricalHinge",
    "cosineProximity",
    "get",
    "hinge",
    "kullbackLeiblerDivergence",
    "l2Normalize",
    "logcosh",
    "lossesMap",
    "meanAbsoluteError",
    "meanAbsolutePercentageError",
    "meanSquaredError",
    "meanSquaredLogarithmicError",
    "poisson",
    "sigmoidCrossEntropyWithLogits",
    "sparseCategoricalCrossentropy",
    "squaredHinge",
    "with_tfjs_words",
]
