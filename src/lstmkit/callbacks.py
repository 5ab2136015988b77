"""Training callbacks (`tf.callbacks`): the base class, History, the progress logger, early
stopping (with a working `restore_best_weights`, which TF.js lacks), terminate_on_nan and
custom callbacks from plain functions.

The progress logger prints what tfjs-node prints: `Epoch 1 / 10`, a live bar on stderr while it
is a terminal, then `123ms 61us/step - loss=0.379`. Without a terminal it prints one line per
epoch and no carriage returns.
"""

from __future__ import annotations

import math
import shutil
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np


class Callback:
    """Override any of the hooks; `self.model` and `self.params` are set before training."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...


class CustomCallback(Callback):
    """A callback from functions (TF.js's CustomCallbackArgs), in snake_case or camelCase."""

    _HOOKS = (
        "on_train_begin",
        "on_train_end",
        "on_epoch_begin",
        "on_epoch_end",
        "on_batch_begin",
        "on_batch_end",
        "on_yield",
    )

    def __init__(self, **fns: Callable) -> None:
        super().__init__()
        from ._names import to_snake_case

        self._fns: dict[str, Callable] = {}
        for key, fn in fns.items():
            name = to_snake_case(key)
            if name not in self._HOOKS:
                raise ValueError(
                    f"callbacks.custom(): unknown hook {key!r}; known: {', '.join(self._HOOKS)}."
                )
            self._fns[name] = fn

    def _call(self, name: str, *args: Any) -> None:
        fn = self._fns.get(name)
        if fn is not None:
            fn(*args)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_batch_begin(self, batch, logs=None):
        self._call("on_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._call("on_batch_end", batch, logs)


def custom(**fns: Callable) -> CustomCallback:
    """`tf.callbacks.custom(on_epoch_end=lambda epoch, logs: ...)`."""
    return CustomCallback(**fns)


class History(Callback):
    """What fit returns: `history` (per-epoch values by key), `epoch` and `params`."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            if not k.startswith("_"):
                self.history.setdefault(k, []).append(float(v))


def succinct_number(x: float) -> str:
    """tfjs-node's getSuccinctNumberDisplay: 0.3785 -> 0.379, 1.5 -> 1.50, 0.00012 -> 1.20e-4."""
    if not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    if abs(x) > 1 or x == 0:
        return f"{x:.2f}"
    digits = 2 - math.floor(math.log10(abs(x)))
    if digits > 4:
        mant, exp = f"{x:.2e}".split("e")
        return f"{mant}e{int(exp):+d}".replace("e+", "e+")
    return f"{x:.{digits}f}"


def _metrics_text(logs: dict[str, Any]) -> str:
    keys = sorted(k for k in logs if k not in ("batch", "size") and not k.startswith("_"))
    return " ".join(f"{k}={succinct_number(float(logs[k]))}" for k in keys)


class ProgbarLogger(Callback):
    """verbose=1 output, as tfjs-node's ProgbarLogger."""

    def __init__(self, stream: Any = None, err_stream: Any = None) -> None:
        super().__init__()
        self.stream = stream or sys.stdout
        self.err = err_stream or sys.stderr
        self._tty = bool(getattr(self.err, "isatty", lambda: False)())
        self._last_draw = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        print(f"Epoch {epoch + 1} / {self.params.get('epochs')}", file=self.stream, flush=True)
        self._epoch_start = time.perf_counter()
        self._seen_batches = 0

    def on_batch_end(self, batch, logs=None):
        self._seen_batches = batch + 1
        if not self._tty:
            return
        now = time.perf_counter()
        if now - self._last_draw < 0.05:
            return
        self._last_draw = now
        self._draw(batch + 1, _metrics_text(logs or {}))

    def _draw(self, done: int, text: str, final: bool = False) -> None:
        steps = self.params.get("steps")
        samples = self.params.get("samples")
        bs = self.params.get("batchSize") or 1
        total = (steps if steps else math.ceil((samples or 1) / bs)) + 1
        columns = shutil.get_terminal_size((80, 24)).columns
        width = max(10, columns // 2)
        ratio = 1.0 if final else min(done / total, 1.0)
        elapsed = time.perf_counter() - self._epoch_start
        eta = 0.0 if ratio >= 1 else elapsed * (1 / max(ratio, 1e-9) - 1)
        limit = max(0, columns // 2 - 12)
        if len(text) > limit:
            text = text[:limit] + "..."
        complete = int(round(width * ratio))
        bar = "=" * max(complete - 1, 0) + (
            ">" if 0 < complete < width else ("=" if complete else "")
        )
        bar = bar + "-" * (width - len(bar))
        self.err.write(f"\reta={eta:.1f} {bar} {text}")
        self.err.flush()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._tty:
            self._draw(0, _metrics_text(logs), final=True)
            self.err.write("\n")
            self.err.flush()
        ms = logs.get("_seconds", time.perf_counter() - self._epoch_start) * 1000
        samples = logs.get("_samples") or self.params.get("samples")
        per = ms / samples * 1e3 if samples else ms / max(self._seen_batches, 1) * 1e3
        print(f"{ms:.0f}ms {per:.0f}us/step - {_metrics_text(logs)}", file=self.stream, flush=True)


class EarlyStopping(Callback):
    """Stop when `monitor` stops improving (TF.js's earlyStopping), optionally restoring the
    weights of the best epoch (`restore_best_weights`, which TF.js does not implement)."""

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
    ) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(
                f"early_stopping(): mode must be 'auto', 'min' or 'max', got {mode!r}."
            )
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
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

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            available = sorted(k for k in (logs or {}) if not k.startswith("_"))
            print(
                f"Early stopping is conditioned on '{self.monitor}', which is not available. "
                f"Available metrics are: {', '.join(available)}",
                file=sys.stderr,
            )
            return
        if self.mode == "max":
            improved = current - self.min_delta > self.best
        else:
            improved = current + self.min_delta < self.best
        if improved:
            self.best = current
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = [w._data.copy() for w in self.model.weights]
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None and self.stopped_epoch > 0:
            for w, value in zip(self.model.weights, self.best_weights):
                w.assign(value)
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", file=self.model_stream())

    def model_stream(self):
        return sys.stdout


def early_stopping(**kwargs: Any) -> EarlyStopping:
    """`tf.callbacks.earlyStopping(...)` with snake_case (or camelCase) options."""
    from ._names import to_snake_case

    return EarlyStopping(**{to_snake_case(k): v for k, v in kwargs.items()})


class TerminateOnNaN(Callback):
    """Stop training when the loss is NaN or infinite; the weights keep their last finite values."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            self.model.stop_training = True


def terminate_on_nan() -> TerminateOnNaN:
    return TerminateOnNaN()


class ModelCheckpoint(Callback):
    """Save the model as TF.js files after each epoch, or only when `monitor` improves.

    `path` may hold `{epoch}` (1-based) and log keys, e.g. "ckpt/e{epoch:02d}-{val_loss:.3f}";
    without them each save replaces the last one (atomically).
    """

    def __init__(
        self,
        path: Any,
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
        include_optimizer: bool = False,
        verbose: int = 0,
    ) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(
                f"model_checkpoint(): mode must be 'auto', 'min' or 'max', got {mode!r}."
            )
        self.path = str(path)
        self.monitor = monitor
        self.save_best_only = save_best_only
        self.mode = ("max" if "acc" in monitor else "min") if mode == "auto" else mode
        self.include_optimizer = include_optimizer
        self.verbose = verbose
        self.best = math.inf if self.mode == "min" else -math.inf

    def on_epoch_end(self, epoch, logs=None):
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
                return
            self.best = current
        target = self.path.format(epoch=epoch + 1, **logs)
        self.model.save(target, include_optimizer=self.include_optimizer)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saved the model to {target}")


def model_checkpoint(path: Any, **kwargs: Any) -> ModelCheckpoint:
    """`tf.callbacks.model_checkpoint("ckpt")`: save TF.js model files during training."""
    from ._names import to_snake_case

    return ModelCheckpoint(path, **{to_snake_case(k): v for k, v in kwargs.items()})


class CallbackList:
    """The callbacks of one fit: History and the progress logger first, then the user's."""

    def __init__(self, callbacks: list[Callback]) -> None:
        self.callbacks = callbacks

    @classmethod
    def configure(
        cls, user: Any, verbose: int, model: Any, params: dict, history: History
    ) -> CallbackList:
        items: list[Callback] = []
        if verbose == 1:
            items.append(ProgbarLogger())
        for cb in _as_callbacks(user):
            items.append(cb)
        items.append(history)
        for cb in items:
            cb.set_model(model)
            cb.set_params(params)
        history.params = params
        return cls(items)

    def has_terminate_on_nan(self) -> bool:
        return any(isinstance(c, TerminateOnNaN) for c in self.callbacks)

    def on_train_begin(self, logs):
        for c in self.callbacks:
            c.on_train_begin(logs)

    def on_train_end(self, logs):
        for c in self.callbacks:
            c.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs):
        for c in self.callbacks:
            c.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs):
        for c in self.callbacks:
            c.on_epoch_end(epoch, logs)

    def on_batch_begin(self, batch, logs):
        for c in self.callbacks:
            c.on_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs):
        for c in self.callbacks:
            c.on_batch_end(batch, logs)


def _as_callbacks(user: Any) -> list[Callback]:
    if user is None:
        return []
    items = user if isinstance(user, (list, tuple)) else [user]
    out = []
    for cb in items:
        if isinstance(cb, Callback):
            out.append(cb)
        elif isinstance(cb, dict):
            out.append(CustomCallback(**cb))
        else:
            raise ValueError(
                "callbacks must be Callback objects or dicts of hook functions, got "
                f"{type(cb).__name__}."
            )
    return out
