"""`tf.utils`: Keras's `keras.utils` names that lstmkit has (`to_categorical`, `pad_sequences`,
`timeseries_dataset_from_array`, `set_random_seed`); `pad_sequences` and
`timeseries_dataset_from_array` are the functions of `tf.preprocessing`.

TF.js's own `tf.util` (one word: assert, shuffle, sizeFromShape...) is another module.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from ._random import set_seed
from .preprocessing import pad_sequences, timeseries_dataset_from_array
from .tensor import Tensor

__all__ = ["pad_sequences", "set_random_seed", "timeseries_dataset_from_array", "to_categorical"]


def set_random_seed(seed: int) -> None:
    """Keras's `keras.utils.set_random_seed`: seed Python's `random`, NumPy's global generator
    and lstmkit's (initializers, dropout, shuffling: `tf.set_seed`), so a program that seeds
    this way gets the same numbers on every run."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"set_random_seed() expects an integer seed, got {seed!r}.")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    set_seed(int(seed))


def to_categorical(x: Any, num_classes: int | None = None, dtype: Any = "float32") -> np.ndarray:
    """One-hot rows from class indices (Keras's `to_categorical`): shape `x.shape + (n,)`,
    a trailing axis of 1 dropped first, `n = num_classes` or `max(x) + 1`.

    A NumPy array, as Keras gives for array input; float32 by default, as Keras 2 (Keras 3's
    NumPy path gives float64, the same values), since lstmkit computes in float32.
    """
    values = x.numpy() if isinstance(x, Tensor) else x
    arr = np.asarray(values)
    if arr.size and not np.all(np.mod(arr, 1) == 0):
        raise ValueError(
            "to_categorical(): class values must be whole numbers (0 to num_classes - 1), got "
            f"{arr.ravel()[:5].tolist()}...; round or map them to class indices first."
        )
    arr = arr.astype(np.int64)
    shape = arr.shape
    if shape and shape[-1] == 1 and len(shape) > 1:  # Keras: (..., 1) loses its last axis
        shape = shape[:-1]
    flat = arr.reshape(-1)
    if not num_classes:
        if not flat.size:
            raise ValueError("to_categorical(): no values to infer num_classes from; pass it.")
        num_classes = int(np.max(flat)) + 1
    bad = flat[(flat >= num_classes) | (flat < -num_classes)]
    if bad.size:
        raise ValueError(
            f"to_categorical(): class {int(bad[0])} is out of range for num_classes="
            f"{num_classes} (classes are 0 to {num_classes - 1})."
        )
    out = np.zeros((flat.shape[0], int(num_classes)), dtype=dtype)
    out[np.arange(flat.shape[0]), flat] = 1  # negative classes count from the end, as in Keras
    return out.reshape(tuple(shape) + (int(num_classes),))
