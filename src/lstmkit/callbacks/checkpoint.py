"""`ModelCheckpoint`: TF.js model files saved during training."""

from __future__ import annotations

import math
from typing import Any

from .._options import merge_options
from .base import Callback

_CHECKPOINT = (
    "monitor",
    "save_best_only",
    "mode",
    "include_optimizer",
    "verbose",
    "save_weights_only",
    "save_freq",
    "initial_value_threshold",
)


class ModelCheckpoint(Callback):
    """Save the model as TF.js files after each epoch (or every `save_freq` batches), or only
    when `monitor` improves (Keras's ModelCheckpoint).

    `filepath` may hold `{epoch}` (1-based), `{batch}` (with an integer `save_freq`) and log
    keys, e.g. "ckpt/e{epoch:02d}-{val_loss:.2f}"; without them each save replaces the last one
    (atomically). The path names a TF.js layers-model folder (model.json + weights.bin), even
    when it ends in Keras's '.keras' or '.weights.h5' (h5py is not a dependency): with
    `save_weights_only` the model's `save_weights` is used when it has one, otherwise the
    folder is written by `model.save` (load it with `tf.load_layers_model`).
    """

    def __init__(
        self,
        filepath: Any = None,
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
        include_optimizer: bool = False,
        verbose: int = 0,
        save_weights_only: bool = False,
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        if "path" in kwargs and filepath is None:
            filepath = kwargs.pop("path")
        opts = merge_options("ModelCheckpoint()", None, kwargs, _CHECKPOINT)
        monitor = opts.get("monitor", monitor)
        mode = opts.get("mode", mode)
        save_freq = opts.get("save_freq", save_freq)
        if filepath is None:
            raise ValueError(
                "ModelCheckpoint(): give the path to save to, e.g. "
                "ModelCheckpoint('ckpt/e{epoch:02d}')."
            )
        if mode not in ("auto", "min", "max"):
            raise ValueError(
                f"model_checkpoint(): mode must be 'auto', 'min' or 'max', got {mode!r}."
            )
        if save_freq != "epoch" and (
            isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1
        ):
            raise ValueError(
                f"ModelCheckpoint(): unrecognized save_freq {save_freq!r}; expected 'epoch' or "
                "a positive number of batches."
            )
        self.path = self.filepath = str(filepath)
        self.monitor = monitor
        self.save_best_only = bool(opts.get("save_best_only", save_best_only))
        self.mode = ("max" if "acc" in monitor else "min") if mode == "auto" else mode
        self.include_optimizer = bool(opts.get("include_optimizer", include_optimizer))
        self.verbose = opts.get("verbose", verbose)
        self.save_weights_only = bool(opts.get("save_weights_only", save_weights_only))
        self.save_freq = save_freq
        threshold = opts.get("initial_value_threshold", initial_value_threshold)
        self.best = (
            threshold if threshold is not None else (math.inf if self.mode == "min" else -math.inf)
        )
        self._epoch = 0
        self._batches_since_save = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _save(self, epoch: int, batch: int | None, logs: dict | None) -> None:
        logs = {k: v for k, v in (logs or {}).items() if not k.startswith("_")}
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                raise ValueError(
                    f"model_checkpoint(): cannot save the best model by '{self.monitor}', which "
                    f"is not logged; available: {', '.join(sorted(logs))}."
                )
            better = current < self.best if self.mode == "min" else current > self.best
            if not better:
                if self.verbose:
                    print(f"Epoch {epoch + 1}: {self.monitor} did not improve from {self.best}")
                return
            self.best = current
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            target = self.filepath.format(**fields)
        except (KeyError, IndexError) as e:
            raise ValueError(
                f"ModelCheckpoint(): cannot format the path {self.filepath!r}: {e} is not "
                f"logged; available: epoch, {', '.join(sorted(logs))}."
            ) from None
        if self.save_weights_only and callable(getattr(self.model, "save_weights", None)):
            self.model.save_weights(target)
        else:
            self.model.save(target, include_optimizer=self.include_optimizer)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saved the model to {target}")


def model_checkpoint(path: Any = None, **kwargs: Any) -> ModelCheckpoint:
    """`tf.callbacks.model_checkpoint("ckpt")`: save TF.js model files during training."""
    if isinstance(path, dict):  # one TF.js-style options dict holding the path
        kwargs = {**path, **kwargs}
        path = kwargs.pop("filepath", kwargs.pop("path", None))
    return ModelCheckpoint(path, **kwargs)
