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
"""

from __future__ import annotations

import functools
import inspect
import math
import shutil
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _async
from ._names import add_camel_case_aliases, to_camel_case, to_snake_case
from ._options import merge_options
from .tensor import Tensor

_HOOK_NAMES = frozenset(
    name
    for snake in (
        "on_train_begin",
        "on_train_end",
        "on_epoch_begin",
        "on_epoch_end",
        "on_batch_begin",
        "on_batch_end",
        "on_train_batch_begin",
        "on_train_batch_end",
        "on_test_begin",
        "on_test_end",
        "on_test_batch_begin",
        "on_test_batch_end",
        "on_predict_begin",
        "on_predict_end",
        "on_predict_batch_begin",
        "on_predict_batch_end",
    )
    for name in (snake, to_camel_case(snake))
)

#: What a synchronous hook gives back: awaitable (`await callback.onEpochEnd(0, logs)`, as
#: TF.js's hooks return promises) and resolving to None; fit does not await it.
DONE = _async.Done()


def _awaitable_hooks(cls: type) -> None:
    """Make the hooks `cls` defines give DONE instead of None, so TF.js-style code can await
    any hook; an `async def` hook's coroutine passes through unchanged."""
    for name, fn in list(cls.__dict__.items()):
        if name not in _HOOK_NAMES or not callable(fn) or getattr(fn, "_gives_done", False):
            continue
        if inspect.iscoroutinefunction(fn):
            continue

        def hook(*args: Any, __fn: Callable = fn, **kwargs: Any) -> Any:
            out = __fn(*args, **kwargs)
            return DONE if out is None else out

        functools.update_wrapper(hook, fn)
        hook._gives_done = True  # type: ignore[attr-defined]
        setattr(cls, name, hook)


def _settle(value: Any) -> None:
    """Run a hook's awaitable result to completion (the DONE of a synchronous hook costs
    nothing)."""
    if value is not None and value is not DONE:
        _async.run(value)


class Callback:
    """Override any of the hooks (TF.js's or Keras's names, either spelling, `async def`
    allowed); `self.model` and `self.params` are set before training."""

    #: True for lstmkit's own callbacks that read the private log keys ('_seconds', ...).
    _private_logs = False

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _awaitable_hooks(cls)
        add_camel_case_aliases(cls)

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

    # Keras's names: fit calls these; by default they call the TF.js-named batch hooks
    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> Any:
        return self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> Any:
        return self.on_batch_end(batch, logs)

    # Keras's evaluate/predict hooks, for subclasses that call super(); fit does not call them
    def on_test_begin(self, logs: dict | None = None) -> None: ...
    def on_test_end(self, logs: dict | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_begin(self, logs: dict | None = None) -> None: ...
    def on_predict_end(self, logs: dict | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None: ...


_awaitable_hooks(Callback)
add_camel_case_aliases(Callback)

#: TF.js's name of the base class (`BaseCallback`, which `Callback` extends with `setModel`).
BaseCallback = Callback


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

    _WHERE = "callbacks.custom()"

    def __init__(self, args: dict[str, Callable] | None = None, **fns: Callable) -> None:
        """Hooks as keywords, or TF.js's one dict (`new tf.CustomCallback({onEpochEnd})`)."""
        super().__init__()
        if args is not None and not isinstance(args, dict):
            raise TypeError(
                f"{self._WHERE}: give the hooks as one dict or as keywords, got {args!r}."
            )
        fns = {**(args or {}), **fns}
        self._fns: dict[str, Callable] = {}
        for key, fn in fns.items():
            name = to_snake_case(key)
            if name == "yield_every":  # TF.js's browser yielding: nothing to do here
                continue
            name = self._ALIASES.get(name, name)
            if name not in self._HOOKS:
                raise ValueError(
                    f"{self._WHERE}: unknown hook {key!r}; known: {', '.join(self._HOOKS)} "
                    "(or their camelCase spellings)."
                )
            if fn is not None and not callable(fn):
                raise TypeError(
                    f"{self._WHERE}: hook {key!r} must be a function (def or async def), got "
                    f"{type(fn).__name__}."
                )
            if fn is not None:
                self._fns[name] = fn

    _ALIASES: dict[str, str] = {}

    def _call(self, name: str, *args: Any) -> Any:
        fn = self._fns.get(name)
        return fn(*args) if fn is not None else None

    def on_train_begin(self, logs=None):
        return self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        return self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        return self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        return self._call("on_epoch_end", epoch, logs)

    def on_batch_begin(self, batch, logs=None):
        return self._call("on_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        return self._call("on_batch_end", batch, logs)


def custom(args: dict[str, Callable] | None = None, **fns: Callable) -> CustomCallback:
    """`tf.callbacks.custom(on_epoch_end=lambda epoch, logs: ...)`, or one dict of hooks
    (`{'onEpochEnd': ...}`) as TF.js's CustomCallbackArgs."""
    return CustomCallback({**(args or {}), **fns})


class LambdaCallback(CustomCallback):
    """Keras's `LambdaCallback(on_epoch_end=lambda epoch, logs: ...)`: `on_train_batch_begin`
    and `on_train_batch_end` are the batch hooks (TF.js's onBatchBegin/onBatchEnd)."""

    _WHERE = "LambdaCallback()"
    _ALIASES = {
        "on_train_batch_begin": "on_batch_begin",
        "on_train_batch_end": "on_batch_end",
    }


class History(Callback, _async.Ready):
    """What fit returns: `history` (per-epoch values by key), `epoch` and `params`; awaitable
    (`history = await model.fitDataset(...)`, as TF.js's promise), giving itself."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def on_train_begin(self, logs=None):
        # TF.js: a new training starts a new record
        self.epoch = []
        self.history = {}

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

    _private_logs = True

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


class CallbackList:
    """The callbacks of one fit: the progress logger first, then the ones registered with
    `registerCallbackConstructor` for the verbosity, then the user's, then History.

    Each hook's result is awaited when it is awaitable (lstmkit._async.run). The user's
    callbacks and History share one logs dict without lstmkit's private keys (so what one
    callback adds, the next and History see, as in Keras); the progress logger gets them too.

    TF.js's `CallbackList` API works as well: `CallbackList()` (no callbacks), `append`,
    `setParams`, `setModel`, and hooks whose logs are optional and which can be awaited.
    """

    def __init__(self, callbacks: list[Callback] | None = None, queue_length: int = 10) -> None:
        self.callbacks = [] if callbacks is None else list(callbacks)
        self.queue_length = queue_length

    @classmethod
    def configure(
        cls, user: Any, verbose: int, model: Any, params: dict, history: History
    ) -> CallbackList:
        items: list[Callback] = []
        if verbose == 1:
            items.append(ProgbarLogger())
        items.extend(CallbackConstructorRegistry.createCallbacks(verbose))
        for cb in _as_callbacks(user):
            items.append(cb)
        items.append(history)
        for cb in items:  # a TF.js-style subclass may make these async too
            _async.run(getattr(cb, "set_model")(model))  # noqa: B009  (typed as Any)
            _async.run(getattr(cb, "set_params")(params))  # noqa: B009
        history.params = params
        return cls(items)

    def append(self, callback: Callback) -> _async.Done:
        self.callbacks.append(callback)
        return DONE

    def set_params(self, params: dict[str, Any]) -> _async.Done:
        for c in self.callbacks:
            _settle(getattr(c, "set_params")(params))  # noqa: B009  (may be async)
        return DONE

    def set_model(self, model: Any) -> _async.Done:
        for c in self.callbacks:
            _settle(getattr(c, "set_model")(model))  # noqa: B009
        return DONE

    setParams = set_params  # noqa: N815  (TF.js's names)
    setModel = set_model  # noqa: N815

    def has_terminate_on_nan(self) -> bool:
        return any(isinstance(c, TerminateOnNaN) for c in self.callbacks)

    def _each(self, hook: str, args: tuple, logs: dict | None) -> _async.Done:
        logs = {} if logs is None else logs
        public = {k: v for k, v in logs.items() if not (isinstance(k, str) and k.startswith("_"))}
        private = {k: v for k, v in logs.items() if k not in public}
        for c in self.callbacks:
            seen = {**public, **private} if c._private_logs else public
            _settle(getattr(c, hook)(*args, seen))
        return DONE

    def on_train_begin(self, logs=None):
        return self._each("on_train_begin", (), logs)

    def on_train_end(self, logs=None):
        return self._each("on_train_end", (), logs)

    def on_epoch_begin(self, epoch, logs=None):
        return self._each("on_epoch_begin", (epoch,), logs)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None and not any(isinstance(k, str) and k.startswith("_") for k in logs):
            # TF.js's shared logs object: what a callback adds (BaseLogger's averages) the
            # caller sees
            for c in self.callbacks:
                _settle(c.on_epoch_end(epoch, logs))
            return DONE
        return self._each("on_epoch_end", (epoch,), logs)

    def on_batch_begin(self, batch, logs=None):
        return self._each("on_train_batch_begin", (batch,), logs)

    def on_batch_end(self, batch, logs=None):
        return self._each("on_train_batch_end", (batch,), logs)

    onTrainBegin = on_train_begin  # noqa: N815  (TF.js's names)
    onTrainEnd = on_train_end  # noqa: N815
    onEpochBegin = on_epoch_begin  # noqa: N815
    onEpochEnd = on_epoch_end  # noqa: N815
    onBatchBegin = on_batch_begin  # noqa: N815
    onBatchEnd = on_batch_end  # noqa: N815


class BaseLogger(Callback):
    """TF.js's BaseLogger: averages each numeric batch log over the epoch, weighted by the
    batch's `size`, and writes the averages of `params['metrics']` into the epoch's logs.

    lstmkit's fit computes the same averages itself; this class is for TF.js code that uses
    it directly."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0
        self.totals: dict[str, Any] = {}

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = {} if logs is None else logs
        size = logs.get("size")
        batch_size = 0 if size is None else size
        self.seen += batch_size
        for key, value in logs.items():
            if isinstance(value, Tensor):
                value = float(value.numpy())
            if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
                self.totals[key] = self.totals.get(key, 0) + value * batch_size

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for key in self.params.get("metrics", []):
            if self.totals.get(key) is None:
                continue
            logs[key] = self.totals[key] / self.seen


class CallbackConstructorRegistry:
    """TF.js's registry of callback classes that fit creates by verbosity: a class registered
    at level L is made (with no arguments) for every fit whose `verbose` is >= L, in the order
    of the levels, then of registration, before the user's callbacks."""

    _constructors: dict[int, list[type]] = {}

    @staticmethod
    def registerCallbackConstructor(  # noqa: N802  (TF.js's name)
        verbosity_level: int, callback_constructor: type
    ) -> None:
        level = verbosity_level
        if (
            isinstance(level, bool)
            or not isinstance(level, (int, float, np.integer, np.floating))
            or not (level >= 0)
            or float(level) != int(level)
        ):
            raise ValueError(
                f"Verbosity level is expected to be an integer >= 0, but got {verbosity_level}"
            )
        for ctors in CallbackConstructorRegistry._constructors.values():
            if any(c is callback_constructor for c in ctors):
                raise ValueError(
                    f"Duplicate callback constructor: {callback_constructor.__name__} is "
                    "registered already."
                )
        CallbackConstructorRegistry._constructors.setdefault(int(level), []).append(
            callback_constructor
        )

    @staticmethod
    def clear() -> None:
        CallbackConstructorRegistry._constructors = {}

    @staticmethod
    def createCallbacks(verbosity_level: int) -> list[Callback]:  # noqa: N802  (TF.js's name)
        out: list[Callback] = []
        for level in sorted(CallbackConstructorRegistry._constructors):
            if verbosity_level >= level:
                out.extend(ctor() for ctor in CallbackConstructorRegistry._constructors[level])
        return out

    register_callback_constructor = registerCallbackConstructor
    create_callbacks = createCallbacks


def register_callback_constructor(verbosity_level: int, callback_constructor: type) -> None:
    """`tf.registerCallbackConstructor(1, MyLogger)`: fit makes a `MyLogger()` whenever its
    verbose is >= 1 (TF.js's way for tfjs-node to add its progress bar)."""
    CallbackConstructorRegistry.registerCallbackConstructor(verbosity_level, callback_constructor)


registerCallbackConstructor = register_callback_constructor  # noqa: N816  (TF.js's name)


def resolve_scalars_in_logs(logs: dict | None) -> _async.Done:
    """TF.js's `resolveScalarsInLogs`: each scalar Tensor in `logs` replaced, in place, by its
    number (awaitable, as TF.js's)."""
    if logs is not None:
        for key, value in list(logs.items()):
            if isinstance(value, Tensor):
                logs[key] = float(value.numpy())
    return DONE


def dispose_tensors_in_logs(logs: dict | None) -> None:
    """TF.js's `disposeTensorsInLogs`: dispose the Tensors among the values of `logs`."""
    if logs is not None:
        for value in logs.values():
            if isinstance(value, Tensor):
                value.dispose()


resolveScalarsInLogs = resolve_scalars_in_logs  # noqa: N816  (TF.js's names)
disposeTensorsInLogs = dispose_tensors_in_logs  # noqa: N816


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


# TF.js's camelCase names of the factories (tf.callbacks.earlyStopping, ...)
earlyStopping = early_stopping  # noqa: N816  (TF.js's name)
terminateOnNaN = terminate_on_nan  # noqa: N816  (TF.js's spelling of NaN)
terminateOnNan = terminate_on_nan  # noqa: N816  (the generated camelCase spelling)
modelCheckpoint = model_checkpoint  # noqa: N816  (camelCase spelling)
