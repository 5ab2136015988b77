"""Keras's `timeseries_dataset_from_array` (keras/src/utils/timeseries_dataset_utils.py), with
Keras's semantics: a `tf.data` Dataset of `(x, y)` batches (or of `x` alone without targets)
that `model.fit(ds, ...)` and `model.fitDataset(ds, ...)` take.

Shuffling: Keras permutes the window start positions with `np.random.RandomState(seed)` (done
here exactly so: the same windows land in the same permuted order), then shuffles again
through a buffer of `batch_size * 8` windows with TensorFlow's own generator, which NumPy
cannot reproduce; here that second shuffle is `Dataset.shuffle`'s (a new order each
iteration), so a shuffled dataset holds Keras's batches' windows in another order. Without
`seed`, the seed is drawn from lstmkit's generator (`tf.set_seed` makes it repeatable).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from .. import _random
from ..data import Dataset
from ..data.dataset import shuffled
from ..tensor import tensor

__all__ = ["timeseries_dataset_from_array"]


def _check_index_arguments(
    n: int,
    start_index: int | None,
    end_index: int | None,
    sampling_rate: int,
    sequence_stride: int,
) -> None:
    """Keras's argument checks, in its order and with its bounds."""
    where = "timeseries_dataset_from_array()"
    if start_index:
        if start_index < 0:
            raise ValueError(f"{where}: start_index must be 0 or greater, got {start_index}.")
        if start_index >= n:
            raise ValueError(
                f"{where}: start_index must be lower than the length of the data, got "
                f"start_index={start_index} for data of length {n}."
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                f"{where}: end_index must be higher than start_index, got "
                f"start_index={start_index} and end_index={end_index}."
            )
        if end_index >= n:
            raise ValueError(
                f"{where}: end_index must be lower than the length of the data, got "
                f"end_index={end_index} for data of length {n}."
            )
        if end_index <= 0:
            raise ValueError(f"{where}: end_index must be higher than 0, got {end_index}.")
    for name, v in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if v <= 0:
            raise ValueError(f"{where}: {name} must be higher than 0, got {name}={v}.")
        if v >= n:
            raise ValueError(
                f"{where}: {name} must be lower than the length of the data, got {name}={v} "
                f"for data of length {n}."
            )


def _integer(value: Any, name: str, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"timeseries_dataset_from_array(): {name} must be an integer, got {value!r}."
        )
    return int(value)


def timeseries_dataset_from_array(
    data: Any,
    targets: Any,
    sequence_length: int,
    sequence_stride: int = 1,
    sampling_rate: int = 1,
    batch_size: int | None = 128,
    shuffle: bool = False,
    seed: int | None = None,
    start_index: int | None = None,
    end_index: int | None = None,
) -> Dataset:
    """Sliding windows over `data` as a Dataset of `(x, y)` batches (Keras's function).

    Window i starts at position `p_i = i * sequence_stride` of `data[start_index:end_index]`
    and holds `sequence_length` rows taken every `sampling_rate` rows; its target is
    `targets[start_index + p_i]` (the row at the window's start: to predict the row after the
    window, pass `targets=data[sequence_length:]`). `targets=None` gives batches of `x` only;
    `batch_size=None` gives single windows.
    """
    arr = np.asarray(data)
    if arr.ndim == 0:
        raise ValueError(
            "timeseries_dataset_from_array(): data must be an array of rows (time on axis 0), "
            f"got a scalar {data!r}."
        )
    seq_len = _integer(sequence_length, "sequence_length")
    stride = _integer(sequence_stride, "sequence_stride")
    rate = _integer(sampling_rate, "sampling_rate")
    size = _integer(batch_size, "batch_size", allow_none=True)
    start = _integer(start_index, "start_index", allow_none=True)
    end = _integer(end_index, "end_index", allow_none=True)
    assert seq_len is not None and stride is not None and rate is not None
    n = len(arr)
    _check_index_arguments(n, start, end, rate, stride)
    if size is not None and size < 1:
        raise ValueError(
            f"timeseries_dataset_from_array(): batch_size must be positive (or None), got {size}."
        )
    start = 0 if start is None else start
    end = n if end is None else end
    tarr = None if targets is None else np.asarray(targets)
    num_seqs = end - start - (seq_len - 1) * rate
    if tarr is not None:
        num_seqs = min(num_seqs, len(tarr))
    positions = np.arange(0, max(num_seqs, 0), stride, dtype=np.int64)
    if shuffle:
        if seed is None:
            seed = int(_random.generator().integers(1_000_000))
        np.random.RandomState(seed).shuffle(positions)
    window = np.arange(seq_len, dtype=np.int64) * rate
    rows = arr[start:end]
    target_rows = None if tarr is None else tarr[start:end]
    seeder = np.random.default_rng(seed if shuffle else 0)

    def order() -> Iterator[Any]:
        if shuffle:  # Keras's buffered shuffle (a new order each iteration)
            rng = np.random.default_rng(int(seeder.integers(2**63)))
            return shuffled(positions.tolist(), size * 8 if size else 1024, rng)
        return iter(positions.tolist())

    def element(starts: list[int]) -> Any:
        idx = np.asarray(starts, dtype=np.int64)
        x = tensor(rows[idx[:, None] + window[None, :]])
        if target_rows is None:
            return x
        return x, tensor(target_rows[idx])

    def batches() -> Iterator[Any]:
        it = order()
        if size is None:
            for p in it:
                x = tensor(rows[p + window])
                yield x if target_rows is None else (x, tensor(target_rows[p]))
            return
        chunk: list[int] = []
        for p in it:
            chunk.append(p)
            if len(chunk) == size:
                yield element(chunk)
                chunk = []
        if chunk:
            yield element(chunk)

    count = len(positions) if size is None else math.ceil(len(positions) / size)
    return Dataset(batches, count)
