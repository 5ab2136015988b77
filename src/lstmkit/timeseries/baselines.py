"""Naive and seasonal-naive forecasts at given origins: what a model has to beat.

- naive: every step repeats the last known value.
- seasonal naive: step h repeats the value one season earlier (`y[t + h - k*season]` with the
  smallest k that makes it known), e.g. next January = last January for monthly data.

They take the same origins as the model's backtest (see `windows.window_origins`), so all
forecasts are scored on exactly the same targets.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _prepare(series: Any, origins: Any) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(series, dtype=np.float64)
    o = np.asarray(origins, dtype=np.int64)
    if y.ndim not in (1, 2):
        raise ValueError(f"series must be [time] or [time, targets], got {list(y.shape)}.")
    if o.size and (o.min() < 1 or o.max() > len(y)):
        raise ValueError(f"origins must lie in [1, {len(y)}], got {o.min()}..{o.max()}.")
    return y, o


def naive(series: Any, origins: Any, horizon: int) -> np.ndarray:
    """`[samples, horizon(, targets)]`: the value before each origin, repeated."""
    y, o = _prepare(series, origins)
    last = y[o - 1]
    return np.repeat(last[:, None], horizon, axis=1)


def seasonal_naive(series: Any, origins: Any, horizon: int, season: int) -> np.ndarray:
    """`[samples, horizon(, targets)]`: each step's value one (or more) seasons earlier.

    Needs `season` known values before each origin; `season` 1 is the naive forecast.
    """
    if season < 1:
        raise ValueError(f"season must be >= 1, got {season}.")
    y, o = _prepare(series, origins)
    if o.size and o.min() < season:
        raise ValueError(
            f"seasonal naive with season {season} needs {season} values before each origin; "
            f"the earliest origin has {o.min()}."
        )
    h = np.arange(horizon)
    back = season * (h // season + 1)  # seasons to step back so the value is known
    return y[o[:, None] + h[None, :] - back[None, :]]
