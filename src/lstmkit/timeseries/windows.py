"""Sliding windows: a series `[time, columns]` becomes LSTM inputs and multi-step targets.

    x, y = make_windows(series, lookback=24, horizon=12, target=0)
    # x: [samples, 24, columns]   rows s .. s+23 of the input columns
    # y: [samples, 12]            rows s+24 .. s+35 of the target column

A window's *origin* is the index of its first target row (s + lookback): everything before
the origin is known when the forecast is made, nothing after it. Origins are what the
backtest and the baselines share, so all forecasts are compared on the same windows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Columns = int | Sequence[int] | None


def as_2d(data: np.ndarray | Sequence) -> np.ndarray:
    """The series as a float64 array `[time, columns]` (a 1-D series becomes one column)."""
    arr = np.asarray(data, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(
            f"a series must be 1-D [time] or 2-D [time, columns], got shape {list(arr.shape)}."
        )
    return arr


def column_list(columns: Columns, n_columns: int, what: str) -> list[int]:
    """Normalize `columns` (an index, indices, or None for all) and check they exist."""
    if columns is None:
        cols = list(range(n_columns))
    elif isinstance(columns, (int, np.integer)):
        cols = [int(columns)]
    else:
        cols = [int(c) for c in columns]
    if not cols:
        raise ValueError(f"{what}: at least one column is needed.")
    for c in cols:
        if not -n_columns <= c < n_columns:
            raise ValueError(
                f"{what}: column {c} does not exist; the series has {n_columns} column(s)."
            )
    return [c % n_columns for c in cols]


def check_length(n_rows: int, lookback: int, horizon: int, what: str = "the series") -> None:
    """Raise a ValueError stating the numbers when `n_rows` cannot hold one window."""
    if lookback < 1 or horizon < 1:
        raise ValueError(f"lookback and horizon must be >= 1, got {lookback} and {horizon}.")
    need = lookback + horizon
    if n_rows < need:
        raise ValueError(
            f"{what} has {n_rows} rows, too few for one window of lookback {lookback} + "
            f"horizon {horizon} = {need} rows."
        )


def window_origins(
    n_rows: int, lookback: int, horizon: int, stride: int = 1, start: int | None = None
) -> np.ndarray:
    """Origins (first target row) of the windows that fit in `n_rows`, every `stride` rows.

    `start` is the first origin (default `lookback`, the earliest with a full input window).
    """
    check_length(n_rows, lookback, horizon)
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}.")
    first = lookback if start is None else max(int(start), lookback)
    return np.arange(first, n_rows - horizon + 1, stride, dtype=np.int64)


def windows_at(
    data: np.ndarray,
    origins: np.ndarray,
    lookback: int,
    horizon: int,
    target: Columns = 0,
    features: Columns = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Input and target windows at the given origins (see `make_windows`).

    A horizon of 0 gives inputs only (targets `[samples, 0]`), for forecasting past the end.
    """
    arr = as_2d(data)
    t_cols = column_list(target, arr.shape[1], "target")
    f_cols = column_list(features, arr.shape[1], "features")
    origins = np.asarray(origins, dtype=np.int64)
    steps_in = origins[:, None] + np.arange(-lookback, 0)[None, :]
    steps_out = origins[:, None] + np.arange(horizon)[None, :]
    x = arr[steps_in][:, :, f_cols]
    y = arr[steps_out][:, :, t_cols]
    if len(t_cols) == 1:
        y = y[:, :, 0]
    return x, y


def make_windows(
    data: np.ndarray | Sequence,
    lookback: int,
    horizon: int = 1,
    target: Columns = 0,
    features: Columns = None,
    stride: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into `(x, y)` training windows.

    - data: `[time]` or `[time, columns]`.
    - target: the column(s) to forecast; y is `[samples, horizon]` for one target column and
      `[samples, horizon, targets]` for several.
    - features: the input columns (default all: the targets' past plus any exogenous columns);
      x is `[samples, lookback, features]`.
    - stride: rows between consecutive windows.
    """
    arr = as_2d(data)
    origins = window_origins(arr.shape[0], lookback, horizon, stride)
    return windows_at(arr, origins, lookback, horizon, target, features)
