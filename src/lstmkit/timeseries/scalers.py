"""Per-column scalers fit on the training part only, stored as plain JSON with the model.

An LSTM learns best on inputs of order 1; the scaler maps each column there and maps
forecasts back. It is fit on the training rows only, so nothing about the validation or test
rows leaks into training, and its numbers go into the model's `userDefinedMetadata` so a
loaded model scales new data exactly as it was trained.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .windows import as_2d


class Scaler:
    """Base class: `fit`, `transform`, `inverse_transform`, `to_config` / `scaler_from_config`.

    `transform(x, columns=...)` and `inverse_transform(x, columns=...)` accept any array whose
    last axis holds the listed columns (all fitted columns by default), so the same scaler
    works on a series, on windows `[samples, lookback, features]` and on forecasts.
    """

    kind = "none"

    def __init__(self) -> None:
        self.offset: np.ndarray | None = None
        self.scale: np.ndarray | None = None

    def fit(self, data: np.ndarray) -> Scaler:
        """Learn the per-column offset and scale from `data` `[time, columns]`."""
        arr = as_2d(data)
        if arr.shape[0] == 0:
            raise ValueError("cannot fit a scaler on an empty series.")
        if not np.all(np.isfinite(arr)):
            raise ValueError("cannot fit a scaler on a series holding NaN or infinite values.")
        offset, scale = self._fit(arr)
        # a constant column keeps scale 1: it maps to 0 instead of dividing by zero
        self.offset = offset
        self.scale = np.where(scale > 0, scale, 1.0)
        return self

    def _fit(self, arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _params(self, columns: Any) -> tuple[np.ndarray, np.ndarray]:
        if self.offset is None or self.scale is None:
            raise ValueError(f"the {self.kind} scaler is not fitted yet; call fit() first.")
        if columns is None:
            return self.offset, self.scale
        idx = np.atleast_1d(np.asarray(columns, dtype=np.int64))
        return self.offset[idx], self.scale[idx]

    def transform(self, data: np.ndarray, columns: Any = None) -> np.ndarray:
        """Scaled values; the last axis holds `columns` (all fitted columns by default)."""
        offset, scale = self._params(columns)
        return (np.asarray(data, dtype=np.float64) - offset) / scale

    def inverse_transform(self, data: np.ndarray, columns: Any = None) -> np.ndarray:
        """Values in the data's units again; the inverse of `transform`."""
        offset, scale = self._params(columns)
        return np.asarray(data, dtype=np.float64) * scale + offset

    def to_config(self) -> dict[str, Any]:
        """A JSON-ready description (for userDefinedMetadata)."""
        offset, scale = self._params(None)
        return {"kind": self.kind, "offset": offset.tolist(), "scale": scale.tolist()}


class StandardScaler(Scaler):
    """(x - mean) / standard deviation, per column."""

    kind = "standard"

    def _fit(self, arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return arr.mean(axis=0), arr.std(axis=0)


class MinMaxScaler(Scaler):
    """(x - min) / (max - min), per column: the training range maps to [0, 1]."""

    kind = "minmax"

    def _fit(self, arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        low = arr.min(axis=0)
        return low, arr.max(axis=0) - low


SCALERS: dict[str, type[Scaler]] = {"standard": StandardScaler, "minmax": MinMaxScaler}


def make_scaler(kind: str) -> Scaler:
    """A new, unfitted scaler: 'standard' or 'minmax'."""
    try:
        return SCALERS[kind]()
    except KeyError:
        raise ValueError(f"unknown scaler {kind!r}; use one of: {', '.join(SCALERS)}.") from None


def scaler_from_config(config: dict[str, Any]) -> Scaler:
    """Rebuild a fitted scaler from `Scaler.to_config()`."""
    if not isinstance(config, dict):
        raise ValueError("a scaler config must be an object with kind, offset and scale.")
    scaler = make_scaler(str(config.get("kind")))
    try:
        offset = np.asarray(config["offset"], dtype=np.float64).reshape(-1)
        scale = np.asarray(config["scale"], dtype=np.float64).reshape(-1)
    except (KeyError, TypeError, ValueError):
        raise ValueError("a scaler config needs numeric 'offset' and 'scale' lists.") from None
    if offset.shape != scale.shape or not np.all(np.isfinite(scale)) or np.any(scale <= 0):
        raise ValueError("a scaler config needs 'offset' and 'scale' of one length, scale > 0.")
    scaler.offset, scaler.scale = offset, scale
    return scaler
