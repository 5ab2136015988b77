"""Forecast accuracy per horizon step: MAE, RMSE, sMAPE and MASE.

All functions take `y_true` and `y_pred` of shape `[samples, horizon]` (or `[samples,
horizon, targets]`) and return one value per horizon step, averaged over the samples (and
targets). `summarize` adds the overall value (the mean over all steps).

- sMAPE is in percent: `100 * mean(2 |F - A| / (|A| + |F|))`, 0 where both are 0.
- MASE divides the MAE by the in-sample MAE of the seasonal-naive forecast on the training
  series (`season` 1: the naive one), so MASE < 1 beats that baseline on average.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(y_true, dtype=np.float64)
    f = np.asarray(y_pred, dtype=np.float64)
    if a.shape != f.shape:
        raise ValueError(f"y_true {list(a.shape)} and y_pred {list(f.shape)} differ in shape.")
    if a.ndim not in (2, 3):
        raise ValueError(f"expected [samples, horizon(, targets)], got shape {list(a.shape)}.")
    if a.shape[0] == 0:
        raise ValueError("no forecasts to score (0 samples).")
    return a, f


def _per_step(values: np.ndarray) -> np.ndarray:
    return values.mean(axis=(0, 2)) if values.ndim == 3 else values.mean(axis=0)


def mae(y_true: Any, y_pred: Any) -> np.ndarray:
    """Mean absolute error per horizon step."""
    a, f = _pair(y_true, y_pred)
    return _per_step(np.abs(f - a))


def rmse(y_true: Any, y_pred: Any) -> np.ndarray:
    """Root mean squared error per horizon step."""
    a, f = _pair(y_true, y_pred)
    return np.sqrt(_per_step((f - a) ** 2))


def smape(y_true: Any, y_pred: Any) -> np.ndarray:
    """Symmetric mean absolute percentage error (percent, 0..200) per horizon step."""
    a, f = _pair(y_true, y_pred)
    den = np.abs(a) + np.abs(f)
    ratio = np.divide(2 * np.abs(f - a), den, out=np.zeros_like(den), where=den > 0)
    return 100 * _per_step(ratio)


def mase_scale(train_target: Any, season: int = 1) -> np.ndarray:
    """In-sample MAE of the seasonal-naive forecast on the training series, per target column.

    `season` 1 (or a series shorter than two seasons) uses the naive, lag-1 forecast.
    """
    y = np.asarray(train_target, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    m = season if season >= 1 and len(y) > season else 1
    if len(y) <= m:
        raise ValueError(f"MASE needs at least {m + 1} training values, got {len(y)}.")
    return np.abs(y[m:] - y[:-m]).mean(axis=0)


def mase(y_true: Any, y_pred: Any, scale: Any) -> np.ndarray:
    """Mean absolute scaled error per horizon step (`scale` from `mase_scale`)."""
    a, f = _pair(y_true, y_pred)
    s = np.atleast_1d(np.asarray(scale, dtype=np.float64))
    s = np.where(s > 0, s, np.nan)  # a constant training series: MASE is undefined
    err = np.abs(f - a)
    err = err / s[None, None, :] if err.ndim == 3 else err / s[0]
    return _per_step(err)


METRICS = ("mae", "rmse", "smape", "mase")


def summarize(y_true: Any, y_pred: Any, scale: Any) -> dict[str, Any]:
    """`{"per_step": {metric: [h1, h2, ...]}, "overall": {metric: value}}` as plain floats.

    Overall MAE, sMAPE and MASE are the means over all steps; overall RMSE is the root of the
    mean squared error over all steps. NaN (undefined MASE) becomes None for JSON.
    """
    a, f = _pair(y_true, y_pred)
    per = {"mae": mae(a, f), "rmse": rmse(a, f), "smape": smape(a, f), "mase": mase(a, f, scale)}
    overall = {
        "mae": float(per["mae"].mean()),
        "rmse": float(np.sqrt(np.mean(per["rmse"] ** 2))),
        "smape": float(per["smape"].mean()),
        "mase": float(per["mase"].mean()),
    }
    return {
        "per_step": {k: [_num(v) for v in per[k]] for k in METRICS},
        "overall": {k: _num(overall[k]) for k in METRICS},
    }


def _num(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None
