"""The numeric options and values against the data, checked before any training.

Each check costs O(1) or one pass over the rows, whatever the numbers given (a lookback of
10**12 is refused as fast as one of 100): `check_rows` (lookback and horizon against the
rows and the split), `check_season` (a season against the training rows), `check_steps`
(how far ahead times can go), and `check_magnitudes` / `check_scaled` (values a float32
LSTM can take once scaled). Each refusal is one CliError saying what was given, what the
data allows and the fix.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import timeseries as ts
from .errors import CliError, quote, require
from .table import Table
from .time_axis import TimeAxis

MAX_STEPS = 10_000
"""The most steps `predict --steps` forecasts (beyond the horizon, forecasts feed back)."""

_FLOAT32_MAX = float(np.finfo(np.float32).max)
_SCALED_LIMIT = _FLOAT32_MAX / 2  # room for windows taken relative to their last value
_EXACT = 2**52  # integers above this are not exact in float64: no row counts computed there


def training_rows(n: int, horizon: int, fractions: Sequence[float]) -> int:
    """Rows left for training when `n` rows are split (each non-empty part >= horizon)."""
    return n - sum(max(int(round(n * f)), horizon) if f > 0 else 0 for f in fractions)


def fits(n: int, lookback: int, horizon: int, fractions: Sequence[float]) -> bool:
    """Whether `n` rows hold the split with lookback + horizon rows for training."""
    return training_rows(n, horizon, fractions) >= lookback + horizon


def _first(pred: Callable[[int], bool], lo: int, hi: int) -> int:
    """The smallest r in [lo, hi] with `pred(r)` (monotone: False then True); hi if none."""
    while lo < hi:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def rows_needed(lookback: int, horizon: int, fractions: Sequence[float], n: int) -> int | None:
    """The fewest rows above `n` that hold the split and the windows, or None when that is
    more than float64 counts exactly. O(log): the training rows lie between two monotone
    bounds (each part's rounding is off by at most 1/2), bisected, then a short scan."""
    need = lookback + horizon
    active = [f for f in fractions if f > 0]
    share = 1 - sum(active)
    if need > _EXACT or share <= 0:
        return None

    def low(r: int) -> float:  # at most the training rows of r
        return r - sum(max(r * f + 0.5, horizon) for f in active)

    def high(r: int) -> float:  # at least the training rows of r
        return r - sum(max(r * f - 0.5, horizon) for f in active)

    top = math.ceil((need + len(active) * (horizon + 1)) / share) + 2
    if top > _EXACT:
        return None
    surely = _first(lambda r: low(r) >= need, 1, top)  # every r from here on fits
    start = max(_first(lambda r: high(r) >= need, 1, top), n + 1)
    for r in range(start, min(max(surely, start), start + 1000) + 1):
        if fits(r, lookback, horizon, fractions):
            return r
    return max(surely, n + 1) if fits(max(surely, n + 1), lookback, horizon, fractions) else None


def check_rows(
    n: int, lookback: int, horizon: int, fractions: Sequence[float], source: str
) -> None:
    """A CliError with the numbers when `n` rows cannot be split and windowed: the rows
    needed, and the largest --lookback (with this horizon) and --horizon (with this
    lookback) that `n` rows allow."""
    if fits(n, lookback, horizon, fractions):
        return
    need = rows_needed(lookback, horizon, fractions, n)
    total = f", {need} rows in all" if need else ""
    max_lookback = training_rows(n, horizon, fractions) - horizon if horizon <= n else 0
    max_horizon = 0
    if lookback < n:
        hi = _first(lambda h: not fits(n, lookback, h, fractions), 1, n + 1)
        max_horizon = hi - 1
    fixes = []
    if max_lookback >= 1:
        fixes.append(f"--lookback {max_lookback} or less (with horizon {horizon})")
    if max_horizon >= 1:
        fixes.append(f"--horizon {max_horizon} or less (with lookback {lookback})")
    fix = (
        f"With {n} rows, use {' or '.join(fixes)}, or more data."
        if fixes
        else "Use a smaller --lookback, --horizon, --val-fraction or --test-fraction, or more data."
    )
    raise CliError(
        f"{source} has {n} rows, too few for lookback {lookback} + horizon {horizon}: training "
        f"needs {lookback + horizon} rows and validation and test at least {horizon} each"
        f"{total}. {fix}"
    )


def check_season(season: int, given: bool, train_rows: int, source: str) -> None:
    """A given `--season` must fit in the training rows (seasonal naive and MASE look one
    season back); one taken from the frequency falls back to the naive baseline instead."""
    if given and season > 1 and season >= train_rows:
        most = train_rows - 1
        raise CliError(
            f"--season {season} is longer than the data allows: {source} has {train_rows} "
            f"training rows, so a season can be at most {most} steps; use --season {most} or "
            "less (or --season 1 for none)."
        )


def check_steps(axis: TimeAxis, steps: int, option: str, source: str, most: int = 0) -> None:
    """`steps` times after the last row must exist: at most `most` steps (when given), and
    no date past pandas' last one (2262-04-11); O(1)."""
    if most and steps > most:
        raise CliError(
            f"{option} {steps} is more than lstmkit forecasts ahead: at most {most} steps "
            f"(beyond the horizon, forecasts feed back on themselves); use {option} {most} or "
            "less."
        )
    left = _steps_left(axis)
    if left is not None and steps > left:
        last = axis.label(axis.values[-1])
        allowed = f"at most {left} {axis.name} steps" if left >= 1 else "none"
        raise CliError(
            f"{option} {steps} goes past the last time that can be written: {source} ends at "
            f"{last}, so {allowed} fit; use {option} {max(left, 1)} or less."
        )


def _steps_left(axis: TimeAxis) -> int | None:
    """How many steps fit after the last row on the axis (None: no limit)."""
    if axis.kind != "datetime" or len(axis.values) == 0:
        return None
    pd = require("pandas")
    last, end = pd.Timestamp(axis.values[-1]), pd.Timestamp.max
    if axis.unit == "month":
        months = (end.year * 12 + end.month - 1) - (last.year * 12 + last.month - 1) - 1
        return int(months // max(axis.step, 1))
    return int((end.value - last.value) // max(int(axis.step), 1))


def check_magnitudes(table: Table, scaler: str, train_rows: int) -> None:
    """Values a float32 LSTM can train on: none above float32's range, and none that the
    scaler fitted on the training rows (as training fits it) maps out of that range. One
    pass; NumPy's overflow warnings are kept quiet, the overflow is reported instead."""
    _check_range(table)
    with np.errstate(all="ignore"):
        fitted = ts.make_scaler(scaler).fit(table.values[:train_rows])
    _check_scaled(table, fitted, "the training rows")


def check_scaled(table: Table, fitted: Any) -> None:
    """The history given to `predict`, against the scaler the model was trained with."""
    _check_range(table)
    _check_scaled(table, fitted, "the model's training data")


def _check_range(table: Table) -> None:
    with np.errstate(all="ignore"):
        big = np.abs(table.values) > _FLOAT32_MAX
    if not big.any():
        return
    row, col = (int(i) for i in np.argwhere(big)[0])
    size = float(np.nanmax(np.abs(table.values[:, col])))
    divisor = 10.0 ** (math.floor(math.log10(size)) - 6)
    raise CliError(
        f"{table.source} line {table.lines[row]}, column {quote(table.names[col])}: "
        f"{table.values[row, col]:.6g} is too large for float32 training (float32 holds up "
        f"to {_FLOAT32_MAX:.3g}; scaling such values overflows). Check that value (a typo?), "
        f"or divide the column by {divisor:.0e} in the file and multiply the forecasts back."
    )


def _check_scaled(table: Table, fitted: Any, reference: str) -> None:
    with np.errstate(all="ignore"):
        offset = np.asarray(fitted.offset, dtype=np.float64)
        scale = np.asarray(fitted.scale, dtype=np.float64)
        scaled = (table.values - offset) / scale
        bad = ~(np.abs(scaled) <= _SCALED_LIMIT)
    params_ok = np.isfinite(offset) & np.isfinite(scale)
    if not params_ok.all():
        col = int(np.flatnonzero(~params_ok)[0])
        raise CliError(
            f"{table.source}: column {quote(table.names[col])} holds values too large for "
            f"float32 training: scaling {reference} overflows (their spread is beyond "
            f"{_FLOAT32_MAX:.3g}). Divide the column by a power of ten in the file."
        )
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise CliError(
            f"{table.source} line {table.lines[row]}, column {quote(table.names[col])}: "
            f"{table.values[row, col]:.6g} is too far from {reference} (offset "
            f"{offset[col]:.6g}, scale {scale[col]:.6g}): scaled, it overflows float32 "
            "training. Check that value (a typo or an outlier?) or drop its row."
        )
