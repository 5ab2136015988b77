"""A tensor's life as TF.js sees it: `tidy`, `dispose`, `keep` and `memory()`. Memory here is
NumPy's, freed by reference counting; these keep TF.js programs running and report what Python
holds."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import numpy as np

from .core import (
    Tensor,
)


def tidy(fn: Callable[..., Any], *args: Any) -> Any:
    """Run `fn` and return its result. Memory is NumPy's, so there is nothing to free.

    Accepts TF.js's `tidy(name, fn)` form too.
    """
    if isinstance(fn, str) and args:
        fn, args = args[0], args[1:]
    return fn(*args)


def dispose(container: Any = None) -> None:
    """Mark every tensor in `container` (a tensor, or lists, tuples and dicts of them)
    disposed, as TF.js's `tf.dispose`; NumPy frees the memory when the last reference goes."""
    if isinstance(container, Tensor):
        container.dispose()
    elif isinstance(container, (list, tuple)):
        for item in container:
            dispose(item)
    elif isinstance(container, dict):
        for item in container.values():
            dispose(item)


def keep(result: Tensor) -> Tensor:
    """`result` itself (TF.js's `tf.keep`: exempt from the enclosing `tidy`; nothing here is
    freed by `tidy`)."""
    return result


class MemoryInfo(dict):  # type: ignore[type-arg]
    """`tf.memory()`'s result: a dict that also reads as TF.js's object (`.numTensors`)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def memory() -> MemoryInfo:
    """TF.js's `tf.memory()`, best effort: the live tensors Python's garbage collector sees.

    `numTensors` counts live Tensor objects (Variables too), `numDataBuffers` the distinct
    arrays behind them and `numBytes` their size. `unreliable` is True: memory here is freed
    by reference counting, not by `dispose()`/`tidy()`, so the counts follow Python's objects.
    """
    seen: dict[int, int] = {}
    count = 0
    for obj in gc.get_objects():
        if isinstance(obj, Tensor):
            count += 1
            data = obj._data
            base = data.base if isinstance(data.base, np.ndarray) else data
            seen[id(base)] = int(base.nbytes)
    return MemoryInfo(
        {
            "numTensors": count,
            "numDataBuffers": len(seen),
            "numBytes": sum(seen.values()),
            "unreliable": True,
            "reasons": [
                "lstmkit counts the live Tensor objects; NumPy frees memory by reference counting, "
                "so dispose() and tidy() do not change these numbers."
            ],
        }
    )
