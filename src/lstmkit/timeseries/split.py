"""Chronological train / validation / test split.

Time series must not be shuffled before splitting: the model would see the future. The
series is cut in time order; each later part is returned with the `context` rows before it,
so that windows whose *targets* all lie in that part still have their full input history.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Split(NamedTuple):
    """Row boundaries: train is `[0, val_start)`, validation `[val_start, test_start)`,
    test `[test_start, n_rows)`."""

    n_rows: int
    val_start: int
    test_start: int


def split_points(
    n_rows: int,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    min_part: int = 1,
    min_train: int = 1,
) -> Split:
    """Where to cut `n_rows` rows so validation and test get about the given fractions.

    Each non-empty part gets at least `min_part` rows (e.g. the horizon, so it holds one
    target window) and train at least `min_train` (e.g. lookback + horizon); a ValueError
    states the numbers when the series is too short for that.
    """
    for name, f in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not 0 <= f < 1:
            raise ValueError(f"{name} must be in [0, 1), got {f}.")
    if val_fraction + test_fraction >= 1:
        raise ValueError("val_fraction + test_fraction must leave rows for training.")
    n_test = max(int(round(n_rows * test_fraction)), min_part) if test_fraction > 0 else 0
    n_val = max(int(round(n_rows * val_fraction)), min_part) if val_fraction > 0 else 0
    if n_rows - n_val - n_test < min_train:
        raise ValueError(
            f"the series has {n_rows} rows, too few to split: training needs {min_train} rows "
            f"and validation and test {n_val} and {n_test} (at least {min_part} each)."
        )
    return Split(n_rows, n_rows - n_val - n_test, n_rows - n_test)


def chronological_split(
    data: np.ndarray,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    context: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`(train, val, test)` parts of `data` in time order.

    Validation and test come with the `context` rows that precede them (typically the
    lookback), so their first window's inputs reach back into the previous part while its
    targets stay inside the part.
    """
    arr = np.asarray(data)
    s = split_points(len(arr), val_fraction, test_fraction)
    train = arr[: s.val_start]
    val = arr[max(s.val_start - context, 0) : s.test_start]
    test = arr[max(s.test_start - context, 0) :]
    return train, val, test
