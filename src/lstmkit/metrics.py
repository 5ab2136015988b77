"""TF.js's metric functions (`tf.metrics.*`, `tfjs-layers/src/metrics.ts`) and the rules by
which `compile({metrics})` turns a name into a function and a history key.

Metrics take `(y_true, y_pred)` and return per-sample values (the model averages them over the
batch), except `precision`, `recall` and `r2_score`, which return one scalar for the batch.
Formulas are TF.js's, including its quirks: `precision`/`recall` count predictions exactly
equal to 1 (no thresholding), and `binary_accuracy` thresholds at `y_pred > 0.5`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _precision, losses
from ._names import to_camel_case
from .engine import ops
from .losses import (
    binary_crossentropy,
    categorical_crossentropy,
    cosine_proximity,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
)
from .tensor import Tensor, as_tensor

MetricFn = Callable[[Any, Any], Tensor]


def _arrays(y_true: Any, y_pred: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    return as_tensor(y_true, where)._data, as_tensor(y_pred, where)._data


def _float(x: Any) -> Tensor:
    return Tensor._wrap(np.asarray(x, dtype=_precision.float_dtype()))


def binary_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """mean(y_true == (y_pred > 0.5), -1)."""
    yt, yp = _arrays(y_true, y_pred, "binary_accuracy")
    thresholded = (yp > 0.5).astype(yt.dtype)
    return _float(np.mean(yt == thresholded, axis=-1))


def categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1 where argmax(y_true, -1) == argmax(y_pred, -1), else 0."""
    yt, yp = _arrays(y_true, y_pred, "categorical_accuracy")
    return _float(np.argmax(yt, axis=-1) == np.argmax(yp, axis=-1))


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1 where the class index y_true equals argmax(y_pred, -1), else 0."""
    yt, yp = _arrays(y_true, y_pred, "sparse_categorical_accuracy")
    if yt.ndim == yp.ndim:
        if yt.shape[-1] != 1:
            raise ValueError(
                "sparse_categorical_accuracy: y_true must hold one class index per sample "
                f"(last axis 1), got shape {list(yt.shape)}."
            )
        yt = yt[..., 0]
    pred = np.argmax(yp, axis=-1).astype(yt.dtype)
    return _float(yt == pred)


def _counts(y_true: Any, y_pred: Any, where: str) -> tuple[float, float, float]:
    yt, yp = _arrays(y_true, y_pred, where)
    tp = float(np.sum((yt == 1) & (yp == 1)))
    fp = float(np.sum((yt == 0) & (yp == 1)))
    fn = float(np.sum((yt == 1) & (yp == 0)))
    return tp, fp, fn


def precision(y_true: Any, y_pred: Any) -> Tensor:
    """tp / (tp + fp) over the whole batch (0 when nothing is predicted 1); 0/1 inputs."""
    tp, fp, _ = _counts(y_true, y_pred, "precision")
    return _float(tp / (tp + fp) if tp + fp > 0 else 0.0)


def recall(y_true: Any, y_pred: Any) -> Tensor:
    """tp / (tp + fn) over the whole batch (0 when there are no positives); 0/1 inputs."""
    tp, _, fn = _counts(y_true, y_pred, "recall")
    return _float(tp / (tp + fn) if tp + fn > 0 else 0.0)


def r2_score(y_true: Any, y_pred: Any) -> Tensor:
    """1 - sum((y_true - y_pred)^2) / sum((y_true - mean(y_true))^2), over all elements."""
    yt, yp = losses._pair(y_true, y_pred, "r2_score")
    residual = ops.sum(ops.square(ops.sub(yt, yp)))
    total = ops.sum(ops.square(ops.sub(yt, ops.mean(yt))))
    return ops.sub(1, ops.div(residual, total))


# Named aliases, as tf.metrics exports them (their own names become history keys).
def mse(y_true: Any, y_pred: Any) -> Tensor:
    """Alias of mean_squared_error."""
    return mean_squared_error(y_true, y_pred)


def MSE(y_true: Any, y_pred: Any) -> Tensor:  # noqa: N802 (TF.js's name)
    """Alias of mean_squared_error."""
    return mean_squared_error(y_true, y_pred)


def mae(y_true: Any, y_pred: Any) -> Tensor:
    """Alias of mean_absolute_error."""
    return mean_absolute_error(y_true, y_pred)


def MAE(y_true: Any, y_pred: Any) -> Tensor:  # noqa: N802 (TF.js's name)
    """Alias of mean_absolute_error."""
    return mean_absolute_error(y_true, y_pred)


def mape(y_true: Any, y_pred: Any) -> Tensor:
    """Alias of mean_absolute_percentage_error."""
    return mean_absolute_percentage_error(y_true, y_pred)


def MAPE(y_true: Any, y_pred: Any) -> Tensor:  # noqa: N802 (TF.js's name)
    """Alias of mean_absolute_percentage_error."""
    return mean_absolute_percentage_error(y_true, y_pred)


# TF.js's `metricsMap`: the metric names `compile` accepts (besides accuracy/crossentropy).
METRICS: dict[str, MetricFn] = {
    "binaryAccuracy": binary_accuracy,
    "categoricalAccuracy": categorical_accuracy,
    "precision": precision,
    "categoricalCrossentropy": categorical_crossentropy,
    "sparseCategoricalCrossentropy": sparse_categorical_crossentropy,
    "mse": mean_squared_error,
    "MSE": mean_squared_error,
    "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
    "mape": mean_absolute_percentage_error,
    "MAPE": mean_absolute_percentage_error,
    "cosine": cosine_proximity,
}

# Names lstmkit accepts beyond TF.js's: the other tf.metrics functions and Keras spellings
# (case and underscores are ignored). Any loss name also works, as in Keras.
_EXTRA: dict[str, MetricFn] = {
    "sparsecategoricalaccuracy": sparse_categorical_accuracy,
    "recall": recall,
    "binarycrossentropy": binary_crossentropy,
    "cosineproximity": cosine_proximity,
    "r2score": r2_score,
}

_ACCURACY = ("accuracy", "acc")
_CROSSENTROPY = ("crossentropy", "ce")


def _key(name: str) -> str:
    return name.replace("_", "").lower()


def get(identifier: str | MetricFn) -> MetricFn:
    """The function for a metric name (not 'accuracy'/'crossentropy': see `resolve`)."""
    if callable(identifier):
        return identifier
    if not isinstance(identifier, str):
        raise ValueError(
            f"metric must be a name such as 'mse' or a function (y_true, y_pred), "
            f"got {type(identifier).__name__}."
        )
    if identifier in METRICS:
        return METRICS[identifier]
    key = _key(identifier)
    for name, fn in METRICS.items():
        if _key(name) == key:
            return fn
    if key in _EXTRA:
        return _EXTRA[key]
    if key == "cosinesimilarity":
        raise ValueError(
            "Unknown metric 'cosine_similarity': Keras's metric of that name is +cos, which "
            "TF.js lacks; 'cosine' (cosineProximity) is -cos."
        )
    loss_name = losses.canonical_name(identifier)
    if loss_name is not None:
        return losses.LOSSES[loss_name]
    raise ValueError(_unknown_message(identifier))


def name_of(fn: str | Callable) -> str:
    """TF.js's `getLossOrMetricName`: a string as is; a built-in function's key in the losses
    map, else in the metrics map; else the function's own name."""
    if isinstance(fn, str):
        return fn
    if fn is None:
        raise TypeError(
            "getLossOrMetricName(): expected a loss or metric name or function, not None."
        )
    for table in (losses.LOSSES, METRICS):
        for name, f in table.items():
            if f is fn:
                return name
    return getattr(fn, "__name__", type(fn).__name__)


def keras_dialect(loss: Any) -> bool:
    """True when compile's loss is spelled as only Keras spells it ('binary_crossentropy',
    'mse', a `keras.losses.X()` object; TF.js's compile refuses those): the program is a Keras
    one, and its history keys are Keras's ('accuracy', not TF.js's 'acc')."""
    if isinstance(loss, dict):
        items = list(loss.values())
    elif isinstance(loss, (list, tuple)):
        items = list(loss)
    else:
        items = [loss]
    return any(
        (isinstance(lo, str) and lo not in losses.LOSSES) or isinstance(lo, losses.Loss)
        for lo in items
    )


def resolve(
    identifier: str | MetricFn,
    output_shape: Sequence[int | None],
    loss: str | Callable | None = None,
    keras: bool = False,
) -> tuple[str, MetricFn]:
    """(history key, function) for one metric of an output, as `compile` decides them.

    'accuracy'/'acc' and 'crossentropy'/'ce' pick the binary version when the output's last
    dimension is 1 or the loss is binaryCrossentropy, the sparse version for
    sparseCategoricalCrossentropy, else the categorical one; their keys are TF.js's 'acc' and
    'ce', or with `keras` (see `keras_dialect`) the name as given, as Keras keys them. Other
    names keep their own string as key; functions get `name_of(fn)`. `loss` is the output's
    loss as a name in any spelling or a function (custom ones count as neither).
    """
    if isinstance(identifier, str) and identifier in _ACCURACY + _CROSSENTROPY:
        loss_name = losses.canonical_name(loss) if isinstance(loss, str) else None
        if callable(loss):
            loss_name = next((n for n, f in losses.LOSSES.items() if f is loss), None)
        acc = identifier in _ACCURACY
        last = output_shape[-1] if len(output_shape) else None
        fn: Callable[..., Tensor]
        if last == 1 or loss_name == "binaryCrossentropy":
            fn = binary_accuracy if acc else binary_crossentropy
        elif loss_name == "sparseCategoricalCrossentropy":
            fn = sparse_categorical_accuracy if acc else sparse_categorical_crossentropy
        else:
            fn = categorical_accuracy if acc else categorical_crossentropy
        if keras:
            return identifier, fn
        return ("acc" if acc else "ce"), fn
    return name_of(identifier), get(identifier)


# TF.js's history keys for 'accuracy' and 'crossentropy' ('acc', 'ce') and Keras's for the
# same metrics ('accuracy', 'crossentropy'): a program of either kind reads its own.
_OTHER_SPELLING = {"acc": "accuracy", "ce": "crossentropy", "accuracy": "acc", "crossentropy": "ce"}


def other_key(key: str) -> str | None:
    """The same log key in the other dialect ('val_accuracy' <-> 'val_acc', 'out_acc' <->
    'out_accuracy'), or None when `key` has no other spelling."""
    for name, other in _OTHER_SPELLING.items():
        if key == name or key.endswith("_" + name):
            return key[: len(key) - len(name)] + other
    return None


class MetricLogs(dict):
    """Training logs and `History.history`, readable under both dialects' keys.

    The keys stored are the program's: TF.js's (`acc`, `val_acc`: what TF.js's
    `history.history` holds and tfjs-node prints) when compile named the loss as TF.js does,
    Keras's (`accuracy`, `val_accuracy`) when it named it as only Keras does
    (`keras_dialect`). The other spelling reads the same values (`logs["accuracy"]`,
    `"val_acc" in history.history`); only the stored keys are iterated, printed and saved,
    so each value shows once.
    """

    def __missing__(self, key: Any) -> Any:
        other = other_key(key) if isinstance(key, str) else None
        if other is not None and dict.__contains__(self, other):
            return dict.__getitem__(self, other)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        other = other_key(key) if isinstance(key, str) else None
        return other is not None and dict.__contains__(self, other)

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if key in self else default


def _unknown_message(identifier: str) -> str:
    known = list(METRICS) + ["accuracy", "acc", "crossentropy", "ce"]
    extra = ["sparseCategoricalAccuracy", "recall", "binaryCrossentropy", "r2Score"]
    pool = {_key(n): n for n in known + extra + list(losses.LOSSES)}
    close = difflib.get_close_matches(_key(identifier), list(pool), n=3, cutoff=0.6)
    msg = f"Unknown metric {identifier!r}."
    if close:
        msg += " Did you mean " + " or ".join(repr(pool[c]) for c in close) + "?"
    return msg + " Known: " + ", ".join(known) + ", and any loss name."


__all__ = [
    "MAE",
    "MAPE",
    "METRICS",
    "MSE",
    "MetricLogs",
    "binary_accuracy",
    "binary_crossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "cosine_proximity",
    "get",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mse",
    "name_of",
    "precision",
    "r2_score",
    "recall",
    "resolve",
    "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy",
    "keras_dialect",
    "other_key",
]

# TF.js's camelCase names (`tf.metrics.binaryAccuracy`, `tf.metrics.meanSquaredError`,
# `tf.metrics.r2Score`): the same functions.
for _name in list(__all__):
    _camel = to_camel_case(_name)
    if _camel != _name and _name not in ("name_of", "other_key", "keras_dialect"):
        globals()[_camel] = globals()[_name]
        __all__.append(_camel)

getLossOrMetricName = name_of  # noqa: N816  (TF.js's name of the same function)
__all__.append("getLossOrMetricName")
del _name, _camel
