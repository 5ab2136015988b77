"""Stopping a fit: `EarlyStopping` (with a working `restore_best_weights`) and
`TerminateOnNaN`."""

from __future__ import annotations

import math
import sys
import warnings
from typing import Any

import numpy as np

from .._options import merge_options
from .base import Callback

_EARLY_STOPPING = (
    "monitor",
    "min_delta",
    "patience",
    "verbose",
    "mode",
    "baseline",
    "restore_best_weights",
    "start_from_epoch",
)


class EarlyStopping(Callback):
    """Stop when `monitor` stops improving (TF.js's earlyStopping, Keras's EarlyStopping).

    Counting as TF.js does (an epoch that does not beat the best by `min_delta` adds one to
    the wait; the wait reaching `patience` stops training). `restore_best_weights`, which TF.js
    does not implement, works as in Keras 3: at the end of training, stopped or not, the model
    gets the weights it had after the best epoch (or the first monitored epoch, if none beat
    `baseline`). Options as keywords in either spelling, or one TF.js dict:
    `EarlyStopping({'monitor': 'val_loss', 'patience': 3, 'minDelta': 1e-3})`."""

    def __init__(
        self,
        monitor: str | dict[str, Any] = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        config = monitor if isinstance(monitor, dict) else None
        opts = merge_options("EarlyStopping()", config, kwargs, _EARLY_STOPPING)
        # TF.js's `args.x || default`: a missing or null option takes the default
        monitor = opts.get("monitor") or ("val_loss" if config is not None else monitor)
        min_delta = opts.get("min_delta", min_delta) or 0
        patience = opts.get("patience", patience) or 0
        verbose = opts.get("verbose", verbose) or 0
        mode = opts.get("mode", mode) or "auto"
        baseline = opts.get("baseline", baseline)
        restore_best_weights = bool(opts.get("restore_best_weights", restore_best_weights))
        start_from_epoch = opts.get("start_from_epoch", start_from_epoch) or 0
        if not isinstance(monitor, str):
            raise TypeError(
                f"EarlyStopping(): monitor must be a log key such as 'val_loss', got {monitor!r}."
            )
        if mode not in ("auto", "min", "max"):
            raise ValueError(
                f"early_stopping(): mode must be 'auto', 'min' or 'max', got {mode!r}."
            )
        for name, value in (("patience", patience), ("start_from_epoch", start_from_epoch)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(
                    f"EarlyStopping(): {name} must be a whole number >= 0, got {value!r}."
                )
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = int(patience)
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = int(start_from_epoch)
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        self.mode = mode
        self.stopped_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = (
            self.baseline
            if self.baseline is not None
            else (math.inf if self.mode == "min" else -math.inf)
        )
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if epoch < self.start_from_epoch:  # Keras's warm-up epochs
            return
        current = (logs or {}).get(self.monitor)
        if current is None:
            available = sorted(k for k in (logs or {}) if not k.startswith("_"))
            # TF.js's console.warn: "Metric for EarlyStopping val_loss is not available."
            warnings.warn(
                f"Metric for EarlyStopping {self.monitor} is not available. Available metrics "
                f"are: {', '.join(available)}",
                stacklevel=2,
            )
            return
        if self.mode == "max":
            improved = current - self.min_delta > self.best
        else:
            improved = current + self.min_delta < self.best
        if self.restore_best_weights and (improved or self.best_weights is None):
            # Keras: the first monitored epoch's weights stand until an epoch beats them
            self.best_weights = [w._data.copy() for w in self.model.weights]
            self.best_epoch = epoch
        if improved:
            self.best = current
            self.wait = 0
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True

    def on_train_end(self, logs=None):
        # Keras 3: the best epoch's weights come back whether or not training was stopped
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", file=self.model_stream())
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}.",
                    file=self.model_stream(),
                )
            for w, value in zip(self.model.weights, self.best_weights):
                w.assign(value)

    def model_stream(self):
        return sys.stdout


def early_stopping(args: dict[str, Any] | None = None, **kwargs: Any) -> EarlyStopping:
    """`tf.callbacks.earlyStopping({patience: 3, minDelta: 0.01})` (TF.js's one dict) or
    `early_stopping(patience=3, min_delta=0.01)`; either spelling."""
    if args is not None and not isinstance(args, dict):
        raise TypeError(
            f"earlyStopping(): options must be a dict such as {{'patience': 3}}, got {args!r}."
        )
    return EarlyStopping(merge_options("earlyStopping()", args, kwargs, _EARLY_STOPPING))


class TerminateOnNaN(Callback):
    """Stop training when the loss is NaN or infinite; the weights keep their last finite values."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            self.model.stop_training = True


def terminate_on_nan() -> TerminateOnNaN:
    """`tf.callbacks.terminateOnNaN()`: stop at the first non-finite batch loss."""
    return TerminateOnNaN()
