"""The time column of a CSV: which column it is, how its values parse, and their frequency.

`detect_time_column` finds the column (by name, else a first column of dates);
`parse_time_axis` turns its text into a `TimeAxis` (dates, years or plain numbers) and refuses
repeated or unsorted times; the axis then names its frequency ("monthly", "every 2 hours",
...), places rows on the regular grid (for gaps), continues past the last row (for the
forecast) and formats times the way the file wrote them.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import CliError, quote, require

TIME_NAMES = (
    "date", "time", "datetime", "timestamp", "ds", "month", "year", "period", "week", "t", "step"
)  # fmt: skip
"""Column names (lower case) taken as the time column when `--time` is not given."""

_MONTH_STEPS = {1: "monthly", 3: "quarterly", 12: "yearly"}
_SECOND_STEPS: dict[float, str] = {
    3600: "hourly",
    86400: "daily",
    7 * 86400: "weekly",
    60: "minutely",
}
_SECOND_UNITS = ((86400, "days"), (3600, "hours"), (60, "minutes"), (1, "seconds"))


@dataclass
class TimeAxis:
    """The time column of a series: its values, frequency and display format.

    kind: "datetime" (parsed dates; years given as integers become Jan 1 of that year),
    "number" (any other numeric time), or "row" (no time column: row numbers).
    unit/step: "month" with a step in months (monthly, quarterly, yearly data: month lengths
    differ), "ns" with a step in nanoseconds (hourly, daily, weekly, ...), or "number".
    """

    column: str | None
    kind: str
    values: np.ndarray
    unit: str = "number"
    step: float = 1.0
    fmt: str = ""
    month_end: bool = False

    @property
    def name(self) -> str:
        """A frequency name: monthly, quarterly, yearly, daily, ... or 'every 2 months'."""
        if self.kind == "row":
            return "rows"
        if self.unit == "month":
            return _MONTH_STEPS.get(int(self.step), f"every {int(self.step)} months")
        if self.unit == "ns":
            seconds = self.step / 1e9
            if seconds in _SECOND_STEPS:
                return _SECOND_STEPS[seconds]
            for size, unit in _SECOND_UNITS:
                if seconds >= size and seconds % size == 0:
                    return f"every {seconds // size:g} {unit}"
            return f"every {seconds:g} seconds"
        return f"steps of {self.step:g}"

    def with_values(self, values: np.ndarray) -> TimeAxis:
        """The same axis (frequency, format) over other time values."""
        return dataclasses.replace(self, values=values)

    def positions(self) -> np.ndarray:
        """Each row's place on the regular grid (0, 1, 2, ... when nothing is missing)."""
        v = self.values
        if self.kind == "row":
            return np.arange(len(v), dtype=np.float64)
        if self.unit == "month":
            pd = require("pandas")
            idx = pd.DatetimeIndex(v)
            months = np.asarray(idx.year * 12 + idx.month, dtype=np.int64)
            return (months - months[0]) / self.step
        num = v.astype("datetime64[ns]").astype(np.int64) if self.unit == "ns" else v
        return (num - num[0]) / self.step

    def at(self, positions: np.ndarray) -> np.ndarray:
        """Times at grid positions counted from the first row (may lie past the end)."""
        positions = np.asarray(positions)
        if self.kind == "row":
            return positions.astype(np.int64)
        if self.unit == "number":
            return self.values[0] + positions * self.step
        pd = require("pandas")
        start = pd.Timestamp(self.values[0])
        if self.unit == "ns":
            out = start.value + np.round(positions * self.step).astype(np.int64)
            return out.astype("datetime64[ns]")
        stamps = []
        for p in positions:
            months = int(round(p * self.step))
            if self.month_end:
                stamps.append(start + pd.offsets.MonthEnd(months))
            else:
                stamps.append(start + pd.DateOffset(months=months))
        return np.array([s.to_datetime64() for s in stamps], dtype="datetime64[ns]")

    def future(self, steps: int) -> np.ndarray:
        """The `steps` times after the last row."""
        if self.kind == "row":
            return int(self.values[-1]) + 1 + np.arange(steps)
        return self.with_values(self.values[-1:]).at(np.arange(1, steps + 1))

    def label(self, v: Any) -> str:
        """One time value as text in the axis's format."""
        if self.kind == "row":
            return str(int(v))
        if self.kind == "number":
            return str(int(v)) if float(v).is_integer() else f"{float(v):.10g}"
        pd = require("pandas")
        return pd.Timestamp(v).strftime(self.fmt)

    def to_json(self) -> dict[str, Any]:
        """What `predict` needs to continue the axis (kept in the model's metadata)."""
        return {
            "column": self.column,
            "kind": self.kind,
            "unit": self.unit,
            "step": self.step,
            "format": self.fmt,
            "monthEnd": self.month_end,
            "frequency": self.name,
        }


def _mode(values: np.ndarray) -> float:
    """The most common value: the step of a grid with a few gaps or irregular rows."""
    uniq, counts = np.unique(values, return_counts=True)
    return float(uniq[np.argmax(counts)])


def _month_format(idx: Any, step: float, has_time: bool) -> str:
    """How to print month-based times: "%Y" (yearly on Jan 1), "%Y-%m" or "%Y-%m-%d"."""
    first_of_month = bool(idx.day[0] == 1) and not has_time
    if step % 12 == 0 and bool((idx.month == 1).all()) and first_of_month:
        fmt = "%Y"  # yearly data on January 1st: shown as years
    else:
        fmt = "%Y-%m" if first_of_month else "%Y-%m-%d"
    return fmt + " %H:%M:%S" if has_time else fmt


def datetime_axis(column: str, stamps: Any) -> TimeAxis:
    """Frequency and format of parsed timestamps (a pandas DatetimeIndex).

    Times on the same day of each month (or each month's last day) step in months, since
    month lengths differ; all others step in nanoseconds.
    """
    pd = require("pandas")
    idx = pd.DatetimeIndex(stamps)
    values = idx.to_numpy(dtype="datetime64[ns]")
    tod = idx - idx.normalize()
    same_tod = bool((tod == tod[0]).all())
    same_day = same_tod and bool((idx.day == idx.day[0]).all())
    month_end = same_tod and bool(idx.is_month_end.all()) and not same_day
    has_time = bool((tod != pd.Timedelta(0)).any())
    if len(idx) > 1 and (same_day or month_end):
        months = np.asarray(idx.year * 12 + idx.month, dtype=np.int64)
        step = _mode(np.diff(months))
        if step >= 1:
            fmt = _month_format(idx, step, has_time)
            return TimeAxis(column, "datetime", values, "month", step, fmt, month_end)
    step = _mode(np.diff(values.astype(np.int64))) if len(idx) > 1 else 86400e9
    seconds = bool((idx.second != 0).any() or (idx.microsecond != 0).any())
    fmt = "%Y-%m-%d" if not has_time and step % 86400e9 == 0 else "%Y-%m-%d %H:%M"
    fmt += ":%S" if seconds else ""
    return TimeAxis(column, "datetime", values, "ns", step, fmt)


def number_axis(column: str, values: np.ndarray) -> TimeAxis:
    """A plain numeric time column: its most common difference is the step."""
    step = _mode(np.diff(values)) if len(values) > 1 else 1.0
    return TimeAxis(column, "number", values, "number", step)


def detect_time_column(df: Any, given: str | None, exclude: set[str]) -> str | None:
    """The time column: `given`, else one with a time-like name (TIME_NAMES), else the first
    column if all of it parses as dates; None (row numbers) when there is none.

    Columns in `exclude` (the target and the features) are never taken.
    """
    if given is not None:
        return given
    for c in df.columns:
        if c.lower() in TIME_NAMES and c not in exclude:
            return c
    first = df.columns[0]
    if first in exclude:
        return None
    pd = require("pandas")
    text = df[first].fillna("").str.strip()
    if pd.to_numeric(text, errors="coerce").notna().all():
        return None
    with warnings.catch_warnings():  # pandas warns when it guesses a date format
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(text, errors="coerce")
    return first if parsed.notna().all() else None


def parse_time_axis(df: Any, col: str | None, source: str) -> TimeAxis:
    """Parse the time column and check its order: unsorted or repeated times are refused.

    Whole numbers from 1000 to 2999 are taken as years; other numbers as plain time steps;
    anything else must parse as dates or times.
    """
    if col is None:
        return TimeAxis(None, "row", np.arange(len(df)))
    pd = require("pandas")
    text = df[col].fillna("").str.strip()
    empty = text == ""
    if empty.any():
        line = df.index[empty.to_numpy()][0]
        raise CliError(f"{source} line {line}: the time column {quote(col)} is empty.")
    nums = pd.to_numeric(text, errors="coerce")
    if nums.notna().all():
        v = nums.to_numpy(dtype=np.float64)
        _check_finite(v, col, df.index.to_numpy(), text.to_numpy(), source)
        if np.all(v == np.round(v)) and np.all((v >= 1000) & (v < 3000)):
            stamps = pd.to_datetime({"year": v.astype(int), "month": 1, "day": 1})
            axis = datetime_axis(col, stamps)
        else:
            axis = number_axis(col, v)
    else:
        axis = datetime_axis(col, _parse_dates(df, col, text, source))
    _check_order(axis, df.index.to_numpy(), text.to_numpy(), source)
    return axis


def _parse_dates(df: Any, col: str, text: Any, source: str) -> Any:
    """The column's text as timestamps (local wall-clock times); CliError at the first that
    is not a date or time."""
    pd = require("pandas")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stamps = pd.to_datetime(text, errors="coerce")
            if stamps.isna().any():
                stamps = pd.to_datetime(text, errors="coerce", format="mixed")
    except (ValueError, TypeError, OverflowError) as e:  # e.g. mixed time zones
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CliError(
            f"{source}, column {quote(col)}: the times cannot be read as dates: {reason}"
        ) from None
    if stamps.isna().any():
        line = df.index[stamps.isna().to_numpy()][0]
        raise CliError(
            f"{source} line {line}, column {quote(col)}: {text[line]!r} is not a date or time "
            "(use --time to name the time column, if this is not it)."
        )
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)  # keep the local wall-clock times
    return stamps


def _check_finite(
    v: np.ndarray, col: str, lines: np.ndarray, text: np.ndarray, source: str
) -> None:
    """Numbers that can be times: finite, and their span too (no overflow in the steps)."""
    with np.errstate(all="ignore"):
        ok = np.isfinite(v)
        if ok.all() and not np.isfinite(v.max() - v.min()):
            ok = np.abs(v) < np.finfo(np.float64).max / 4
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise CliError(
            f"{source} line {lines[i]}, column {quote(col)}: {text[i]!r} is not a time (the "
            f"column holds numbers too large for times). {_NAME_THE_TIME}"
        )


_NAME_THE_TIME = "Name the time column with --time COL, or use --no-time to number the rows."


def _check_order(axis: TimeAxis, lines: np.ndarray, text: np.ndarray, source: str) -> None:
    """CliError at the first repeated time or the first time earlier than the row before;
    in a column of plain numbers (no dates, no years) that says the numbers are not times."""
    v = axis.values
    num = v.astype("datetime64[ns]").astype(np.int64) if axis.kind == "datetime" else v
    with np.errstate(all="ignore"):
        d = np.diff(num)
    col = quote(axis.column)
    if axis.kind == "number" and not np.all(d > 0):
        i = int(np.flatnonzero(~(d > 0))[0])
        how = "repeats" if d[i] == 0 else "is below"
        raise CliError(
            f"{source}: column {col} holds numbers, not times: {text[i + 1]!r} at line "
            f"{lines[i + 1]} {how} {text[i]!r} at line {lines[i]}, where times go up row by "
            f"row. {_NAME_THE_TIME} (If {col} is the time, sort the file and keep one row "
            "per time.)"
        )
    if np.any(d == 0):
        i = int(np.flatnonzero(d == 0)[0])
        raise CliError(
            f"{source}: duplicate time {text[i + 1]!r} in column {col} at lines "
            f"{lines[i]} and {lines[i + 1]}; keep one row per time."
        )
    if np.any(d < 0):
        i = int(np.flatnonzero(d < 0)[0])
        raise CliError(
            f"{source}: the times in column {col} are not in order: line "
            f"{lines[i + 1]} ({text[i + 1]}) comes after line {lines[i]} ({text[i]}); sort the "
            "file by time."
        )
