"""`tf.data.Dataset`: TF.js's lazy, re-iterable pipeline of elements (tfjs-data dataset.ts).

A Dataset is a function that makes a fresh iterator, and a `size` (the element count when it
is known, `math.inf` for an endless one, None when unknown), with TF.js's size rules for each
transformation. Iterating a Dataset (`for e in ds`, `ds.iterator()`) runs the pipeline anew,
so a Dataset can feed every epoch of `model.fit_dataset`.

TF.js's methods are async (they return promises); here they run synchronously, and what
TF.js resolves can still be awaited (`await ds.toArray()`, `await it.next()`): see
lstmkit._async. Differences from TF.js 4.22, each a TF.js defect:
- `shuffle(n, seed, reshuffleEachIteration=False)` gives the same order on every iteration
  (TF.js draws a new seed per iteration whatever the flag says);
- `take(-1)` has the base's size (TF.js reports -1), `skip(-1)` skips nothing and keeps the
  base's size (TF.js reports 0 and yields everything);
- `repeat()` of an empty dataset is empty (TF.js never returns);
- `zip` of datasets of unknown size has an unknown size (TF.js reports NaN).
`prefetch(n)` checks its argument and passes elements through: there is no I/O to overlap.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from .. import _random
from .._async import Done, Ready, ReadyDict, ReadyList, run
from .._names import add_camel_case_aliases, to_snake_case
from .structure import batch_rows, unbatch_element

Size = float | int | None


def _camel_kwargs(where: str, given: dict[str, Any], allowed: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments in either spelling, checked against the method's own names."""
    out = dict(allowed)
    for key, value in given.items():
        snake = to_snake_case(key)
        if snake not in allowed:
            raise TypeError(
                f"{where}: unknown argument {key!r}; it takes {', '.join(allowed)} "
                "(or their camelCase spellings)."
            )
        out[snake] = value
    return out


def _count(value: Any, where: str, name: str, allow_none: bool = True) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float)):
        raise TypeError(f"{where}: {name} must be an integer, got {value!r}.")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{where}: {name} must be a whole number, got {value}.")
    return int(value)


def seed_int(seed: Any, where: str) -> int:
    """A NumPy seed from TF.js's string seeds or an integer; None draws one from lstmkit's
    generator, so `tf.set_seed(n)` before building the pipeline makes it repeatable."""
    if seed is None:
        return int(_random.generator().integers(2**63))
    if isinstance(seed, str):
        return zlib.crc32(seed.encode("utf-8"))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{where}: seed must be a string or an integer, got {seed!r}.")
    return int(seed) & (2**63 - 1)


def shuffled(source: Iterable[Any], buffer_size: int, rng: np.random.Generator) -> Iterator[Any]:
    """TF.js's ShuffleIterator: a window of `buffer_size` elements; each step takes one at
    random, puts the window's last element in its place, and refills from the source."""
    it = iter(source)
    buffer: list[Any] = []
    exhausted = False

    def refill() -> None:
        nonlocal exhausted
        while not exhausted and len(buffer) < buffer_size:
            try:
                buffer.append(next(it))
            except StopIteration:
                exhausted = True

    refill()
    while buffer:
        i = int(rng.integers(len(buffer)))
        buffer[i], buffer[-1] = buffer[-1], buffer[i]
        yield buffer.pop()
        refill()


class IteratorResult(ReadyDict):
    """TF.js's `{value, done}`: a dict (`r['value']`) that also reads as attributes
    (`r.value`, `r.done`, as ported `const {value, done} = await it.next()` code writes it),
    and can be awaited."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class LazyIterator(Ready):
    """TF.js's LazyIterator: `next()` gives `{'value': ..., 'done': ...}` (awaitable, as
    TF.js's promise); also a plain Python iterator (`for e in it`, `next(it)`)."""

    def __init__(self, source: Iterator[Any]) -> None:
        self._source = source

    def next(self) -> IteratorResult:
        """The next element as TF.js's IteratorResult: done True (value None) at the end."""
        try:
            value = next(self._source)
        except StopIteration:
            return IteratorResult(value=None, done=True)
        return IteratorResult(value=value, done=False)

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        return next(self._source)

    def to_array(self) -> ReadyList:
        """The remaining elements as a list (awaitable)."""
        return ReadyList(self._source)


add_camel_case_aliases(LazyIterator)


class Dataset:
    """A re-iterable pipeline of elements; build one with `tf.data.array`, `generator`,
    `func` or `zip`, then chain `batch`, `shuffle`, `map`, ... as in TF.js."""

    def __init__(self, iterator_fn: Callable[[], Iterable[Any]], size: Size = None) -> None:
        self._iterator_fn = iterator_fn
        self.size: Size = size

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        add_camel_case_aliases(cls)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._iterator_fn())

    def __repr__(self) -> str:
        size = "unknown" if self.size is None else self.size
        return f"<Dataset size={size}>"

    def iterator(self) -> LazyIterator:
        """A fresh iterator over the elements (TF.js's `await ds.iterator()`)."""
        return LazyIterator(iter(self))

    # -- transformations ------------------------------------------------------------------------
    def batch(self, batch_size: int, small_last_batch: bool = True, **kwargs: Any) -> Dataset:
        """Groups of `batch_size` consecutive elements, each leaf stacked into a Tensor; the
        last, smaller group is kept unless `small_last_batch` is False."""
        small_last_batch = _camel_kwargs(
            "Dataset.batch()", kwargs, {"small_last_batch": small_last_batch}
        )["small_last_batch"]
        n = _count(batch_size, "Dataset.batch()", "batch_size", allow_none=False)
        if n is None or n <= 0:
            raise ValueError(
                f"Dataset.batch(): batchSize needs to be positive, but it is {batch_size}."
            )
        size: Size = self.size
        if self.size is not None and self.size != math.inf:
            size = math.ceil(self.size / n) if small_last_batch else math.floor(self.size / n)
        base = self

        def batches() -> Iterator[Any]:
            rows: list[Any] = []
            for element in base:
                rows.append(element)
                if len(rows) == n:
                    yield batch_rows(rows)
                    rows = []
            if rows and small_last_batch:
                yield batch_rows(rows)

        return Dataset(batches, size)

    def unbatch(self) -> Dataset:
        """The rows of each element (the inverse of `batch`; Keras's `unbatch`)."""
        base = self
        return Dataset(
            lambda: (row for element in base for row in unbatch_element(element)),
            math.inf if self.size == math.inf else None,
        )

    def concatenate(self, dataset: Dataset) -> Dataset:
        """This dataset's elements, then `dataset`'s."""
        if not isinstance(dataset, Dataset):
            raise TypeError(
                f"Dataset.concatenate(): expected a tf.data Dataset, got "
                f"{type(dataset).__name__}; wrap the items with tf.data.array(items)."
            )
        if self.size == math.inf or dataset.size == math.inf:
            size: Size = math.inf
        elif self.size is not None and dataset.size is not None:
            size = self.size + dataset.size
        else:
            size = None
        base = self
        return Dataset(lambda: itertools.chain(base, dataset), size)

    def filter(self, predicate: Callable[[Any], Any]) -> Dataset:
        """The elements for which `predicate(element)` is true."""
        base = self
        return Dataset(
            lambda: (e for e in base if bool(predicate(e))),
            math.inf if self.size == math.inf else None,
        )

    def map(self, transform: Callable[[Any], Any]) -> Dataset:
        """`transform(element)` for each element."""
        base = self
        return Dataset(lambda: (transform(e) for e in base), self.size)

    def map_async(self, transform: Callable[[Any], Any]) -> Dataset:
        """`await transform(element)` for each element (an `async def`, or any function
        returning an awaitable; a plain value is taken as it is)."""
        base = self
        return Dataset(lambda: (run(transform(e)) for e in base), self.size)

    def prefetch(self, buffer_size: int) -> Dataset:
        """The same elements (TF.js reads `buffer_size` ahead; here there is nothing to wait
        for, so the elements pass through)."""
        if buffer_size is None:
            raise ValueError("Dataset.prefetch(): requires bufferSize to be specified.")
        _count(buffer_size, "Dataset.prefetch()", "buffer_size", allow_none=False)
        base = self
        return Dataset(lambda: iter(base), self.size)

    def repeat(self, count: int | None = None) -> Dataset:
        """The elements `count` times over; forever when `count` is None or negative."""
        times = _count(count, "Dataset.repeat()", "count")
        if self.size is not None and times is not None and times > 0:
            size: Size = self.size * times
        elif times == 0:
            size = 0
        elif self.size is not None:
            size = math.inf if self.size else 0
        else:
            size = None
        base = self

        def repeated() -> Iterator[Any]:
            done = 0
            while times is None or times < 0 or done < times:
                empty = True
                for element in base:
                    empty = False
                    yield element
                done += 1
                if empty:
                    return

        return Dataset(repeated, size)

    def skip(self, count: int) -> Dataset:
        """All but the first `count` elements (none skipped when `count` is negative)."""
        n = _count(count, "Dataset.skip()", "count")
        n = 0 if n is None or n < 0 else n
        size = self.size if self.size is None else max(self.size - n, 0)
        base = self
        return Dataset(lambda: itertools.islice(base, n, None), size)

    def take(self, count: int) -> Dataset:
        """The first `count` elements (all of them when `count` is negative)."""
        n = _count(count, "Dataset.take()", "count")
        if n is None or n < 0:
            return Dataset(lambda: iter(self), self.size)
        size = None if self.size is None else min(self.size, n)
        base = self
        return Dataset(lambda: itertools.islice(base, n), size)

    def shuffle(
        self,
        buffer_size: int,
        seed: str | int | None = None,
        reshuffle_each_iteration: bool = True,
        **kwargs: Any,
    ) -> Dataset:
        """The elements in random order through a window of `buffer_size` (a buffer the size
        of the dataset gives a uniform shuffle). Seeded from lstmkit's generator unless
        `seed` is given; a new order each iteration unless `reshuffle_each_iteration` is False."""
        reshuffle = _camel_kwargs(
            "Dataset.shuffle()", kwargs, {"reshuffle_each_iteration": reshuffle_each_iteration}
        )["reshuffle_each_iteration"]
        n = _count(buffer_size, "Dataset.shuffle()", "buffer_size")
        if n is None or n <= 0:
            hint = ""
            if self.size is not None and self.size != math.inf:
                hint = (
                    " If your data fits in memory, consider setting bufferSize to the dataset "
                    f"size ({self.size} elements)."
                )
            raise ValueError(
                f"Dataset.shuffle(): requires a positive bufferSize, got {buffer_size!r}.{hint}"
            )
        base_seed = seed_int(seed, "Dataset.shuffle()")
        seeder = np.random.default_rng(base_seed)
        base = self

        def iterate() -> Iterator[Any]:
            iteration_seed = int(seeder.integers(2**63)) if reshuffle else base_seed
            return shuffled(base, n, np.random.default_rng(iteration_seed))

        return Dataset(iterate, self.size)

    # -- consuming ------------------------------------------------------------------------------
    def for_each_async(self, f: Callable[[Any], Any]) -> Done:
        """Call `f` on every element (awaiting what it returns); `await` it as in TF.js."""
        for element in self:
            run(f(element))
        return Done()

    def to_array(self) -> ReadyList:
        """All elements in a list (awaitable, as TF.js's `await ds.toArray()`)."""
        if self.size == math.inf:
            raise ValueError(
                "Dataset.toArray(): can not convert an infinite data stream to an array; "
                "take(n) first."
            )
        return ReadyList(self)

    def to_array_for_test(self) -> ReadyList:
        """As `to_array` (TF.js's test helper, which also prefetches)."""
        return self.to_array()


add_camel_case_aliases(Dataset)
