"""Running TF.js's `async` code from lstmkit's synchronous loops.

TF.js awaits what a callback returns (`onEpochEnd: async (epoch, logs) => {...}`), what
`mapAsync`'s function returns and each `next()` of an async iterator. Here training and
datasets run synchronously, so an awaitable they are handed is run to completion on the spot,
before the loop goes on (the order TF.js's `await` gives):

- When no event loop is running in this thread (a script, a test), on a private event loop of
  this thread, kept for the thread's life so the coroutines of one fit share a loop.
- When an event loop is running in this thread (`fit` called from `async def main()`, or from
  a Jupyter cell), the caller's loop cannot run it: the thread is busy inside `fit`, and
  waiting on that loop from inside it would deadlock. The awaitable then runs on a private
  loop in one helper thread, and `fit` waits for it. Such a coroutine may use asyncio freely
  (sleep, its own tasks, `asyncio.to_thread`), but must not await a future that belongs to the
  caller's loop: that loop is blocked until `fit` returns.

The values TF.js returns as promises (`await model.fit(...)`, `await ds.toArray()`,
`await it.next()`) are plain values here that may also be awaited: `Ready` makes a class
awaitable (awaiting gives the object itself).
"""

from __future__ import annotations

import asyncio
import atexit
import inspect
import threading
from collections.abc import Awaitable, Generator
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()
_helper_lock = threading.Lock()
_helper: dict[str, Any] = {}


def is_awaitable(value: Any) -> bool:
    """True for a coroutine, a Task/Future or any object with `__await__`."""
    return inspect.isawaitable(value)


async def _wrap(awaitable: Awaitable[T]) -> T:
    return await awaitable


def _thread_loop() -> asyncio.AbstractEventLoop:
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _local.loop = loop
        atexit.register(loop.close)
    return loop


def _helper_loop() -> asyncio.AbstractEventLoop:
    with _helper_lock:
        loop = _helper.get("loop")
        if loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=loop.run_forever, name="lstmkit-async-callbacks", daemon=True
            )
            thread.start()
            _helper["loop"], _helper["thread"] = loop, thread
        return loop


def run(value: Any) -> Any:
    """`value` itself, or, when it is awaitable, its result once run to completion."""
    if not is_awaitable(value):
        return value
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _thread_loop().run_until_complete(_wrap(value))
    future = asyncio.run_coroutine_threadsafe(_wrap(value), _helper_loop())
    return future.result()


def _immediate(value: T) -> Generator[Any, None, T]:
    return value
    yield  # pragma: no cover  (makes this a generator: awaiting it finishes at once)


class Ready:
    """Mixin: `await obj` gives `obj` (TF.js returns it in a promise; here it is ready)."""

    def __await__(self) -> Generator[Any, None, Any]:
        return _immediate(self)


class ReadyList(list, Ready):  # type: ignore[type-arg]
    """A list that can be awaited (`await ds.toArray()`), giving itself."""


class ReadyDict(dict, Ready):  # type: ignore[type-arg]
    """A dict that can be awaited (`await it.next()`), giving itself."""


class Done:
    """The result of TF.js calls that resolve to nothing: `await ds.forEachAsync(f)` gives
    None, as TF.js's promise resolves to undefined."""

    def __await__(self) -> Generator[Any, None, None]:
        return _immediate(None)

    def __repr__(self) -> str:
        return "Done"

    def __bool__(self) -> bool:
        return False
