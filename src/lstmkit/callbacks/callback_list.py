"""The callbacks of one fit (`CallbackList`) and TF.js's registry of callbacks fit makes by
verbosity (`registerCallbackConstructor`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _async
from .base import DONE, Callback, CustomCallback, _settle
from .early_stopping import TerminateOnNaN
from .history import History, ProgbarLogger


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
