"""Training callbacks (`tf.callbacks`): the base class, History, the progress logger, early
stopping (with a working `restore_best_weights`, which TF.js lacks), terminate_on_nan,
custom callbacks from plain functions, and Keras's class spellings (`Callback`,
`LambdaCallback`, `EarlyStopping`, `ModelCheckpoint`, `History`, `TerminateOnNaN`).

Hooks may be `async def` (TF.js's `onEpochEnd: async (epoch, logs) => {...}`), in a dict, in
`custom(...)` or in a subclass: what a hook returns is awaited to completion before training
goes on, as TF.js awaits it (lstmkit._async explains how, also when `fit` is called from
running async code). A subclass may name its hooks in either spelling (`onEpochEnd` or
`on_epoch_end`), as may the functions given to `custom`. User callbacks see the logs TF.js
gives (`loss`, `val_loss`, the metrics; `batch` and `size` per batch), never lstmkit's private
keys (those starting with '_', which only the progress logger reads). TF.js's `yieldEvery`
(when to yield to the browser's event loop) has no meaning here and is accepted and ignored.

The progress logger prints what tfjs-node prints: `Epoch 1 / 10`, a live bar on stderr while it
is a terminal, then `123ms 61us/step - loss=0.379`. Without a terminal it prints one line per
epoch and no carriage returns.

The package, one idea per module: base (Callback, hooks that can be awaited, custom),
history (History, ProgbarLogger, BaseLogger), early_stopping (EarlyStopping, TerminateOnNaN),
checkpoint (ModelCheckpoint), callback_list (the callbacks of one fit, the constructor registry).
"""

from __future__ import annotations

from .base import (
    DONE,
    BaseCallback,
    Callback,
    CustomCallback,
    LambdaCallback,
    custom,
)
from .callback_list import (
    CallbackConstructorRegistry,
    CallbackList,
    register_callback_constructor,
    registerCallbackConstructor,
)
from .checkpoint import ModelCheckpoint, model_checkpoint
from .early_stopping import EarlyStopping, TerminateOnNaN, early_stopping, terminate_on_nan
from .history import (
    BaseLogger,
    History,
    ProgbarLogger,
    dispose_tensors_in_logs,
    disposeTensorsInLogs,
    resolve_scalars_in_logs,
    resolveScalarsInLogs,
    succinct_number,
)

# TF.js's camelCase names of the factories (tf.callbacks.earlyStopping, ...)
earlyStopping = early_stopping  # noqa: N816  (TF.js's name)
terminateOnNaN = terminate_on_nan  # noqa: N816  (TF.js's spelling of NaN)
terminateOnNan = terminate_on_nan  # noqa: N816  (the generated camelCase spelling)
modelCheckpoint = model_checkpoint  # noqa: N816  (camelCase spelling)

__all__ = [
    "DONE",
    "BaseCallback",
    "BaseLogger",
    "Callback",
    "CallbackConstructorRegistry",
    "CallbackList",
    "CustomCallback",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "ModelCheckpoint",
    "ProgbarLogger",
    "TerminateOnNaN",
    "custom",
    "disposeTensorsInLogs",
    "dispose_tensors_in_logs",
    "earlyStopping",
    "early_stopping",
    "modelCheckpoint",
    "model_checkpoint",
    "registerCallbackConstructor",
    "register_callback_constructor",
    "resolveScalarsInLogs",
    "resolve_scalars_in_logs",
    "succinct_number",
    "terminateOnNaN",
    "terminateOnNan",
    "terminate_on_nan",
]
