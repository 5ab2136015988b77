"""Losses: the Layers' per-sample losses `compile` takes by name (`functions`), Keras's loss
classes (`classes`: `keras.losses.SparseCategoricalCrossentropy(from_logits=True)`), and, under
TF.js's camelCase names, TF.js's core `tf.losses` functions (`lstmkit.core_losses`).

`tf.losses.meanSquaredError(labels, predictions)` is TF.js's core function (a scalar, with
weights and a `tf.Reduction`); `tf.losses.mean_squared_error(y_true, y_pred)` is the Layers'
per-sample loss; `tf.losses.MeanSquaredError()` is Keras's class; `tf.losses.layers` is
tfjs-layers' own `losses.ts` module (`layers.meanSquaredError` per sample, `l2Normalize`, `get`).
"""

from __future__ import annotations

from . import classes, functions, layers
from .classes import *  # noqa: F403  (Keras's loss classes: tf.losses.MeanSquaredError, ...)
from .classes import CLASSES, Loss
from .functions import *  # noqa: F403  (the per-sample functions, the registry, get, ...)
from .functions import __all__ as _function_names
from .functions import _pair  # noqa: F401  (metrics' r2_score checks its inputs with it)

__all__ = [*_function_names, *CLASSES, "CLASSES", "Loss", "classes", "functions", "layers"]
