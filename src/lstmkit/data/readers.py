"""Making datasets: TF.js's `tf.data.array`, `generator`, `func` and `zip` (tfjs-data readers.ts,
dataset.ts).

`generator(fn)` calls `fn` once per iteration of the dataset (every epoch of fit_dataset) and
reads what it returns: a Python generator or iterator (`def gen(): yield {...}`), an async
generator (`async def gen(): yield ...`), an iterable (a list), or a TF.js-style object whose
`next()` returns `{'value': v, 'done': False}` (or an awaitable of it) and `{'done': True}` at
the end. This module defines a function named `zip`: the builtin is not used below it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from .._async import run
from ..tensor import Tensor
from .dataset import Dataset, Size


def array(items: Any) -> Dataset:
    """A dataset of the given items, in order (`tf.data.array([{xs: ..., ys: ...}, ...])`).

    A list or tuple gives its items; a NumPy array, a Tensor or an array-like (a pandas
    DataFrame) its rows; another Python iterable (a range, a generator) is read once, now,
    into a list, so the dataset can be iterated again."""
    if isinstance(items, Tensor):
        if not items.shape:
            raise TypeError(
                "tf.data.array(): expected a list of items, got a scalar Tensor; wrap it in a "
                "list: tf.data.array([t])."
            )
        values: list[Any] = [Tensor._wrap(items._data[i]) for i in range(items.shape[0])]
    elif isinstance(items, np.ndarray) and items.ndim > 0:
        values = list(items)
    elif isinstance(items, list):
        values = items
    elif isinstance(items, tuple):
        values = list(items)
    elif hasattr(items, "__array__") and not isinstance(items, (np.ndarray, Mapping)):
        values = list(np.asarray(items))
    elif isinstance(items, Iterable) and not isinstance(items, (str, bytes, Mapping, np.ndarray)):
        values = list(items)
    else:
        raise TypeError(
            f"tf.data.array(): expected a list of items (numbers, arrays, Tensors or dicts of "
            f"them), got {type(items).__name__}. Pass a list, e.g. tf.data.array([1, 2, 3]); "
            "for a function that yields items use tf.data.generator(fn)."
        )
    return Dataset(lambda: iter(values), len(values))


def _js_result(result: Any, where: str) -> tuple[bool, Any]:
    """(done, value) from a TF.js IteratorResult: a dict or an object with value/done."""
    result = run(result)
    if isinstance(result, Mapping):
        if "done" not in result and "value" not in result:
            raise TypeError(
                f"{where}: next() must return {{'value': element, 'done': False}} or "
                f"{{'done': True}}, got a dict with keys {sorted(result)}."
            )
        return bool(result.get("done", False)), result.get("value")
    if hasattr(result, "done"):
        return bool(result.done), getattr(result, "value", None)
    raise TypeError(
        f"{where}: next() must return {{'value': element, 'done': False}} or {{'done': True}}, "
        f"got {type(result).__name__} {result!r:.80}."
    )


def iterate(source: Any, where: str) -> Iterator[Any]:
    """The elements of whatever a generator function returned (see the module docstring)."""
    if hasattr(source, "__next__"):
        yield from source
    elif hasattr(source, "__anext__"):
        while True:
            try:
                yield run(source.__anext__())
            except StopAsyncIteration:
                return
    elif callable(getattr(source, "next", None)):
        while True:
            done, value = _js_result(source.next(), where)
            if done:
                return
            yield value
    elif hasattr(source, "__aiter__"):
        yield from iterate(source.__aiter__(), where)
    elif hasattr(source, "__iter__") and not isinstance(source, (str, bytes, Mapping)):
        yield from iter(source)
    else:
        raise TypeError(
            f"{where}: the function must return an iterator (a generator, an iterable, or an "
            f"object whose next() returns {{'value', 'done'}}), but it returned "
            f"{type(source).__name__}. Write it as a generator function: def gen(): yield ..."
        )


def generator(fn: Callable[[], Any]) -> Dataset:
    """A dataset whose every iteration calls `fn()` for a fresh iterator of elements."""
    if not callable(fn):
        fix = (
            " You passed a generator object; pass the generator function itself: "
            "tf.data.generator(gen), not tf.data.generator(gen())."
            if hasattr(fn, "__next__") or hasattr(fn, "__anext__")
            else ""
        )
        raise TypeError(
            f"tf.data.generator(): expected a function that returns an iterator, got "
            f"{type(fn).__name__}.{fix}"
        )
    return Dataset(lambda: iterate(fn(), "tf.data.generator()"))


def func(f: Callable[[], Any]) -> Dataset:
    """A dataset that calls `f()` for each element; `f` returns `{'value': v, 'done': False}`
    and `{'done': True}` at the end (or an awaitable of it), as TF.js's `tf.data.func`."""
    if not callable(f):
        raise TypeError(f"tf.data.func(): expected a function, got {type(f).__name__}.")

    def elements() -> Iterator[Any]:
        while True:
            done, value = _js_result(f(), "tf.data.func()")
            if done:
                return
            yield value

    return Dataset(elements)


def _leaves(structure: Any, where: str, out: list[Dataset]) -> None:
    if isinstance(structure, Dataset):
        out.append(structure)
    elif isinstance(structure, Mapping):
        for value in structure.values():
            _leaves(value, where, out)
    elif isinstance(structure, (list, tuple)):
        for value in structure:
            _leaves(value, where, out)
    else:
        raise TypeError(
            f"{where}: leaves of the structure passed to zip() must be Datasets, not "
            f"{type(structure).__name__} ({structure!r:.60}). Wrap values with "
            "tf.data.array([...])."
        )


def _map(structure: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(structure, Mapping):
        return {k: _map(v, fn) for k, v in structure.items()}
    if isinstance(structure, tuple):
        return tuple(_map(v, fn) for v in structure)
    if isinstance(structure, list):
        return [_map(v, fn) for v in structure]
    return fn(structure)


def zip(datasets: Any) -> Dataset:
    """Elements of several datasets side by side, in the structure given (a list, a tuple or a
    dict of datasets, nested): `tf.data.zip({xs: xDs, ys: yDs})`. Stops at the shortest."""
    if not isinstance(datasets, (list, tuple, Mapping)):
        raise TypeError(
            f"tf.data.zip(): the argument must be a list, tuple or dict of Datasets, got "
            f"{type(datasets).__name__}; e.g. tf.data.zip({{'xs': xs_ds, 'ys': ys_ds}})."
        )
    leaves: list[Dataset] = []
    _leaves(datasets, "tf.data.zip()", leaves)
    sizes = [d.size for d in leaves]
    size: Size = None
    if leaves and all(s is not None for s in sizes):
        size = min(s for s in sizes if s is not None)
    elif not leaves:
        size = 0

    def zipped() -> Iterator[Any]:
        if not leaves:
            return
        iterators = _map(datasets, iter)
        while True:
            exhausted = False

            def step(it: Iterator[Any]) -> Any:
                nonlocal exhausted
                try:
                    return next(it)
                except StopIteration:
                    exhausted = True
                    return None

            element = _map(iterators, step)
            if exhausted:
                return
            yield element

    return Dataset(zipped, size if size != math.inf else math.inf)
