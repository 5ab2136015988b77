"""The callback base (`Callback`, TF.js's `BaseCallback`), hooks that can be awaited, and
callbacks made from plain functions (`custom`, `CustomCallback`, Keras's `LambdaCallback`)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from .. import _async
from .._names import add_camel_case_aliases, to_camel_case, to_snake_case

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
