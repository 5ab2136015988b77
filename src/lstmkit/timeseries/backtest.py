"""Rolling-origin backtest: forecast from many origins in held-out data, score every step.

The origin rolls through the test rows (every `stride` rows); at each origin the model sees
only the `lookback` rows before it and forecasts `horizon` steps, which are compared with
what happened. The naive and seasonal-naive baselines forecast from the same origins, so the
numbers are directly comparable. The model is not refit between origins (a fixed-weights
backtest: what a deployed model would have done).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import baselines
from .metrics import mase_scale, summarize
from .windows import as_2d, window_origins, windows_at


@dataclass
class BacktestResult:
    """Origins, actual values and each method's forecasts `[origins, horizon(, targets)]`,
    and their metrics (`metrics[name]` as `metrics.summarize` returns them)."""

    origins: np.ndarray
    actual: np.ndarray
    forecasts: dict[str, np.ndarray]
    metrics: dict[str, dict[str, Any]]

    def table(self) -> str:
        """The overall metrics of each method as an aligned text table."""
        head = f"{'':16s}{'MAE':>10s}{'RMSE':>10s}{'sMAPE %':>10s}{'MASE':>8s}"
        lines = [head]
        for name, m in self.metrics.items():
            o = m["overall"]
            lines.append(
                f"{name:16s}{_fmt(o['mae'], 10)}{_fmt(o['rmse'], 10)}{_fmt(o['smape'], 10)}"
                f"{_fmt(o['mase'], 8)}"
            )
        return "\n".join(lines)


def _fmt(v: float | None, width: int) -> str:
    if v is None:
        return f"{'n/a':>{width}s}"
    return f"{v:>{width}.4g}" if abs(v) < 1e5 else f"{v:>{width}.3e}"


def backtest(
    forecaster: Any,
    data: Any,
    start: int,
    stride: int = 1,
    season: int | None = None,
    train_end: int | None = None,
) -> BacktestResult:
    """Score `forecaster` (see `forecasting.Forecaster`) and the baselines on `data`.

    - start: the first origin (e.g. the first test row); origins roll to the last one whose
      horizon fits in the data.
    - season: for seasonal naive and MASE (default: the forecaster's).
    - train_end: rows `[0, train_end)` are the training series whose seasonal-naive MAE
      scales MASE (default: `start`).
    """
    s = forecaster.settings
    arr = as_2d(data)
    season = s.season if season is None else season
    origins = window_origins(len(arr), s.lookback, s.horizon, stride, start=start)
    if len(origins) == 0:
        raise ValueError(
            f"no backtest origin: from row {start}, {len(arr)} rows leave no room for horizon "
            f"{s.horizon}."
        )
    t = s.target_index
    _, actual = windows_at(arr, origins, s.lookback, s.horizon, t, None)
    target_series = arr[:, t] if len(t) > 1 else arr[:, t[0]]
    forecasts = {
        "model": forecaster.predict_at(arr, origins),
        "naive": baselines.naive(target_series, origins, s.horizon),
    }
    if season > 1 and origins.min() >= season:
        forecasts["seasonal_naive"] = baselines.seasonal_naive(
            target_series, origins, s.horizon, season
        )
    scale = mase_scale(target_series[: start if train_end is None else train_end], season)
    metrics = {name: summarize(actual, f, scale) for name, f in forecasts.items()}
    return BacktestResult(origins, actual, forecasts, metrics)
