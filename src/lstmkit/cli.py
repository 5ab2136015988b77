"""The `lstmkit` command: forecast a column of a CSV file with an LSTM, in one command.

    lstmkit forecast                         # the bundled monthly CO2 series, all defaults
    lstmkit forecast sales.csv --target units --horizon 6 --out sales-forecast
    lstmkit predict sales-forecast recent.csv --steps 6
    lstmkit summary sales-forecast

`forecast` reads the CSV (pandas), checks it (columns, numbers, order of the timestamps,
missing values and gaps), infers the frequency and from it the lookback, horizon and season,
trains an LSTM with early stopping on a validation part (lstmkit.timeseries), backtests it
on the test part against the naive and seasonal-naive forecasts, and writes the model (TF.js
files with the settings in their metadata), forecast.csv, forecast.png (matplotlib) and
metrics.json. Bad input ends with exit status 2 and one line saying what is wrong.

pandas and matplotlib come with the `cli` extra (`pip install "lstmkit[cli]"`) and are
imported only here and only when needed: the library itself needs NumPy alone.
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import re
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .callbacks import Callback

EXIT_BAD_INPUT = 2
EXIT_MISSING_EXTRA = 1
MISSING_MARKERS = {"", "na", "nan", "n/a", "null", "none"}
TIME_NAMES = (
    "date", "time", "datetime", "timestamp", "ds", "month", "year", "period", "week", "t", "step"
)  # fmt: skip
# frequency name -> (season, lookback, horizon) used when not given on the command line
DEFAULTS = {
    "hourly": (24, 48, 24),
    "daily": (7, 28, 7),
    "weekly": (52, 52, 13),
    "monthly": (12, 24, 12),
    "quarterly": (4, 16, 4),
    "yearly": (1, 10, 5),
}
FALLBACK_DEFAULTS = (1, 12, 6)
BUNDLED_LABEL = "bundled Mauna Loa CO2, monthly 1965-2001"


class CliError(Exception):
    """Bad input: printed as one line, exit status 2."""


class MissingExtra(Exception):
    """pandas or matplotlib is not installed: printed as one line, exit status 1."""


def _require(name: str) -> Any:
    """Import pandas or matplotlib, or say how to install them."""
    try:
        return __import__(name)
    except ImportError:
        raise MissingExtra(
            f"this command needs {name}, which comes with the 'cli' extra: "
            'pip install "lstmkit[cli]"'
        ) from None


# -- time axis ----------------------------------------------------------------------------------


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
            return {1: "monthly", 3: "quarterly", 12: "yearly"}.get(
                int(self.step), f"every {int(self.step)} months"
            )
        if self.unit == "ns":
            named = {3600: "hourly", 86400: "daily", 7 * 86400: "weekly", 60: "minutely"}
            seconds = self.step / 1e9
            if seconds in named:
                return named[seconds]
            for size, unit in ((86400, "days"), (3600, "hours"), (60, "minutes"), (1, "seconds")):
                if seconds >= size and seconds % size == 0:
                    return f"every {seconds // size:g} {unit}"
            return f"every {seconds:g} seconds"
        return f"steps of {self.step:g}"

    def positions(self) -> np.ndarray:
        """Each row's place on the regular grid (0, 1, 2, ... when nothing is missing)."""
        v = self.values
        if self.kind == "row":
            return np.arange(len(v), dtype=np.float64)
        if self.unit == "month":
            pd = _require("pandas")
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
        pd = _require("pandas")
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
        axis = TimeAxis(**{**self.__dict__, "values": self.values[-1:]})
        return axis.at(np.arange(1, steps + 1))

    def label(self, v: Any) -> str:
        """One time value as text in the axis's format."""
        if self.kind == "row":
            return str(int(v))
        if self.kind == "number":
            return str(int(v)) if float(v).is_integer() else f"{float(v):.10g}"
        pd = _require("pandas")
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
    uniq, counts = np.unique(values, return_counts=True)
    return float(uniq[np.argmax(counts)])


def _datetime_axis(column: str, stamps: Any) -> TimeAxis:
    """Frequency and format of parsed timestamps (a pandas DatetimeIndex)."""
    pd = _require("pandas")
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
            first_of_month = bool(idx.day[0] == 1) and not has_time
            if step % 12 == 0 and bool((idx.month == 1).all()) and first_of_month:
                fmt = "%Y"  # yearly data on January 1st: shown as years
            else:
                fmt = "%Y-%m" if first_of_month else "%Y-%m-%d"
            if has_time:
                fmt += " %H:%M:%S"
            return TimeAxis(column, "datetime", values, "month", step, fmt, month_end)
    step = _mode(np.diff(values.astype(np.int64))) if len(idx) > 1 else 86400e9
    seconds = bool((idx.second != 0).any() or (idx.microsecond != 0).any())
    fmt = "%Y-%m-%d" if not has_time and step % 86400e9 == 0 else "%Y-%m-%d %H:%M"
    fmt += ":%S" if seconds else ""
    return TimeAxis(column, "datetime", values, "ns", step, fmt)


def _number_axis(column: str, values: np.ndarray) -> TimeAxis:
    step = _mode(np.diff(values)) if len(values) > 1 else 1.0
    return TimeAxis(column, "number", values, "number", step)


# -- reading and checking a CSV -----------------------------------------------------------------


@dataclass
class Table:
    """The checked columns of a CSV: numeric `values` `[rows, features]` and their time axis."""

    source: str
    names: list[str]
    values: np.ndarray
    axis: TimeAxis
    lines: np.ndarray  # the file line of each row, for messages

    def where(self, rows: Any) -> str:
        """'line 5 (1965-04), line 9 (...)' for messages."""
        parts = []
        for r in rows:
            t = "" if self.axis.kind == "row" else f" ({self.axis.label(self.axis.values[r])})"
            parts.append(f"line {self.lines[r]}{t}")
        return ", ".join(parts)


def _read_csv(path: str) -> Any:
    pd = _require("pandas")
    p = Path(path)
    if not p.exists():
        raise CliError(f"{path}: no such file.")
    if p.is_dir():
        raise CliError(f"{path}: is a folder, not a CSV file.")
    try:
        df = pd.read_csv(
            p, dtype=str, keep_default_na=False, skip_blank_lines=False, skipinitialspace=True
        )
    except pd.errors.EmptyDataError:
        raise CliError(f"{path}: the file is empty.") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CliError(f"{path}: cannot read it as CSV: {first}") from None
    df.columns = [str(c).strip() for c in df.columns]
    df.index = np.arange(len(df)) + 2  # file line numbers (line 1 is the header)
    blank = df.apply(lambda col: col.fillna("").str.strip() == "").all(axis=1)
    df = df[~blank]
    if len(df) == 0:
        raise CliError(f"{path}: the file has a header but no rows.")
    return df


def _column(df: Any, name: str, source: str, option: str) -> str:
    """`name` if it is a column of `df`, else a CliError naming the available columns."""
    if name in df.columns:
        return name
    folded = {c.lower(): c for c in df.columns}
    close = folded.get(name.lower()) or next(
        iter(difflib.get_close_matches(name, list(df.columns), n=1, cutoff=0.6)), None
    )
    hint = f" Did you mean '{close}'?" if close else ""
    raise CliError(
        f"{source}: no column '{name}' ({option}).{hint} "
        f"Available columns: {', '.join(df.columns)}."
    )


def _to_numbers(df: Any, col: str, source: str) -> np.ndarray:
    """A column as floats, NaN where the cell is empty or NA; CliError on anything else."""
    pd = _require("pandas")
    text = df[col].fillna("").str.strip()
    missing = text.str.lower().isin(MISSING_MARKERS)
    nums = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = (nums.isna() & ~missing) | np.isinf(nums.fillna(0))
    if bad.any():
        lines = list(df.index[bad.to_numpy()])
        more = f" ({len(lines) - 1} more such cells)" if len(lines) > 1 else ""
        raise CliError(
            f"{source} line {lines[0]}, column '{col}': {df[col][lines[0]]!r} is not a "
            f"number{more}."
        )
    return nums.to_numpy(dtype=np.float64)


def _detect_time(df: Any, given: str | None, source: str, exclude: set[str]) -> str | None:
    if given is not None:
        return given
    for c in df.columns:
        if c.lower() in TIME_NAMES and c not in exclude:
            return c
    first = df.columns[0]
    if first in exclude:
        return None
    pd = _require("pandas")
    text = df[first].fillna("").str.strip()
    if pd.to_numeric(text, errors="coerce").notna().all():
        return None
    with warnings.catch_warnings():  # pandas warns when it guesses a date format
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(text, errors="coerce")
    return first if parsed.notna().all() else None


def _time_axis(df: Any, col: str | None, source: str) -> TimeAxis:
    """Parse the time column and check its order: unsorted or repeated times are refused.

    Whole numbers from 1000 to 2999 are taken as years; other numbers as plain time steps;
    anything else must parse as dates or times.
    """
    if col is None:
        return TimeAxis(None, "row", np.arange(len(df)))
    pd = _require("pandas")
    text = df[col].fillna("").str.strip()
    empty = text == ""
    if empty.any():
        line = df.index[empty.to_numpy()][0]
        raise CliError(f"{source} line {line}: the time column '{col}' is empty.")
    nums = pd.to_numeric(text, errors="coerce")
    if nums.notna().all():
        v = nums.to_numpy(dtype=np.float64)
        if np.all(v == np.round(v)) and np.all((v >= 1000) & (v < 3000)):
            stamps = pd.to_datetime({"year": v.astype(int), "month": 1, "day": 1})
            axis = _datetime_axis(col, stamps)
        else:
            axis = _number_axis(col, v)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stamps = pd.to_datetime(text, errors="coerce")
            if stamps.isna().any():
                stamps = pd.to_datetime(text, errors="coerce", format="mixed")
        if stamps.isna().any():
            line = df.index[stamps.isna().to_numpy()][0]
            raise CliError(
                f"{source} line {line}, column '{col}': {text[line]!r} is not a date or time "
                "(use --time to name the time column, if this is not it)."
            )
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)  # keep the local wall-clock times
        axis = _datetime_axis(col, stamps)
    _check_order(axis, df.index.to_numpy(), text.to_numpy(), source)
    return axis


def _check_order(axis: TimeAxis, lines: np.ndarray, text: np.ndarray, source: str) -> None:
    v = axis.values
    num = v.astype("datetime64[ns]").astype(np.int64) if axis.kind == "datetime" else v
    d = np.diff(num)
    if np.any(d == 0):
        i = int(np.flatnonzero(d == 0)[0])
        raise CliError(
            f"{source}: duplicate time {text[i + 1]!r} in column '{axis.column}' at lines "
            f"{lines[i]} and {lines[i + 1]}; keep one row per time."
        )
    if np.any(d < 0):
        i = int(np.flatnonzero(d < 0)[0])
        raise CliError(
            f"{source}: the times in column '{axis.column}' are not in order: line "
            f"{lines[i + 1]} ({text[i + 1]}) comes after line {lines[i]} ({text[i]}); sort the "
            "file by time."
        )


def load_table(
    path: str,
    target: str | None,
    features: list[str],
    time_col: str | None,
    fill: str | None,
    label: str | None = None,
    from_model: bool = False,
) -> tuple[Table, str]:
    """Read and check a CSV; returns the table (target first, then exogenous features) and
    the target's name. Missing values and gaps are refused unless `fill` says what to do.
    `from_model`: the column names come from a saved model, not from options."""
    source = label or path
    df = _read_csv(path)
    roles = ("the model's target", "the model's input", "the model's time column")
    roles = roles if from_model else ("--target", "--features", "--time")
    if target is not None:
        target = _column(df, target, source, roles[0])
    features = [_column(df, f, source, roles[1]) for f in features]
    if time_col is not None:
        time_col = _column(df, time_col, source, roles[2])
    time_name = _detect_time(df, time_col, source, {target, *features} - {None})
    if target is None:
        target = _guess_target(df, time_name, features, source)
    if target == time_name:
        raise CliError(f"{source}: '{target}' is the time column; choose another --target.")
    names = [target] + [f for f in dict.fromkeys(features) if f != target]
    if time_name in names:
        raise CliError(f"{source}: the time column '{time_name}' cannot also be a feature.")
    axis = _time_axis(df, time_name, source)
    values = np.column_stack([_to_numbers(df, c, source) for c in names])
    table = Table(source, names, values, axis, df.index.to_numpy())
    return _fill(table, fill), target


def _guess_target(df: Any, time_name: str | None, features: list[str], source: str) -> str:
    pd = _require("pandas")
    numeric = [
        c
        for c in df.columns
        if c != time_name
        and c not in features
        and pd.to_numeric(df[c].fillna("").str.strip(), errors="coerce").notna().any()
    ]
    if len(numeric) == 1:
        return numeric[0]
    raise CliError(
        f"{source}: name the column to forecast with --target; columns: {', '.join(df.columns)}."
    )


def _fill(table: Table, fill: str | None) -> Table:
    """Refuse missing values and gaps (with their places), or fill or drop them."""
    axis, values = table.axis, table.values
    pos = axis.positions()
    irregular = np.flatnonzero(np.abs(pos - np.round(pos)) > 1e-6)
    gaps = np.flatnonzero(np.diff(np.round(pos)) > 1)
    nan_rows = np.flatnonzero(np.isnan(values).any(axis=1))
    if fill == "drop":
        keep = np.ones(len(values), bool)
        keep[nan_rows] = False
        axis = TimeAxis(**{**axis.__dict__, "values": axis.values[keep]})
        return Table(table.source, table.names, values[keep], axis, table.lines[keep])
    if len(irregular):
        i = irregular[0]
        raise CliError(
            f"{table.source}: the times are not on a regular {axis.name} grid: "
            f"{table.where([i])} is off it; use --fill drop to take the rows as they are."
        )
    if fill == "interpolate":
        return _interpolate(table, np.round(pos).astype(np.int64))
    if len(nan_rows):
        per_col = [
            f"'{n}' at {table.where(np.flatnonzero(np.isnan(values[:, j]))[:5])}"
            for j, n in enumerate(table.names)
            if np.isnan(values[:, j]).any()
        ]
        raise CliError(
            f"{table.source}: {len(nan_rows)} row(s) have missing values: "
            f"{'; '.join(per_col)}{' ...' if len(nan_rows) > 5 else ''}. Use --fill interpolate "
            "to fill them or --fill drop to drop those rows."
        )
    if len(gaps):
        g = gaps[0]
        missing = int(np.round(pos[g + 1] - pos[g])) - 1
        raise CliError(
            f"{table.source}: the {axis.name} times have {len(gaps)} gap(s); the first: "
            f"{missing} step(s) missing between {table.where([g])} and {table.where([g + 1])}. "
            "Use --fill interpolate to fill them or --fill drop to ignore them."
        )
    return table


def _interpolate(table: Table, pos: np.ndarray) -> Table:
    """Put the rows on the full regular grid and interpolate the missing values linearly."""
    grid = np.arange(pos[-1] + 1)
    values = np.empty((len(grid), table.values.shape[1]))
    for j in range(values.shape[1]):
        known = ~np.isnan(table.values[:, j])
        if not known.any():
            raise CliError(f"{table.source}: column '{table.names[j]}' has no values at all.")
        values[:, j] = np.interp(grid, pos[known], table.values[known, j])
    axis = TimeAxis(**{**table.axis.__dict__, "values": table.axis.at(grid)})
    lines = np.zeros(len(grid), dtype=np.int64)
    lines[pos] = table.lines
    return Table(table.source, table.names, values, axis, lines)


# -- progress --------------------------------------------------------------------------------


class EpochProgress(Callback):
    """One progress bar over the epochs on stderr (a terminal); else a line every 10 epochs."""

    def __init__(self, stream: Any = None, every: int = 10) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = every
        self.best = math.inf
        self.best_epoch = 0
        self.epochs_run = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        total = self.params.get("epochs") or 0
        val = logs.get("val_loss")
        if val is not None and val < self.best:
            self.best, self.best_epoch = float(val), epoch + 1
        self.epochs_run = epoch + 1
        text = f"epoch {epoch + 1:>{len(str(total))}}/{total}  loss {logs.get('loss', 0):.4g}"
        if val is not None:
            text += f"  val_loss {val:.4g}  best {self.best:.4g} (epoch {self.best_epoch})"
        if self.tty:
            width = 24
            done = int(width * (epoch + 1) / max(total, 1))
            bar = "=" * max(done - 1, 0) + (">" if done < width else "=") + " " * (width - done)
            self.stream.write(f"\r[{bar}] {text}\x1b[K")
        elif (epoch + 1) % self.every == 0 or epoch == 0:
            self.stream.write(text + "\n")
        self.stream.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


# -- forecast ---------------------------------------------------------------------------------


def _defaults(args: argparse.Namespace, axis: TimeAxis) -> tuple[int, int, int, str]:
    """Season, lookback and horizon: the given ones, else from the data's frequency."""
    season, lookback, horizon = DEFAULTS.get(axis.name, FALLBACK_DEFAULTS)
    notes = []
    if args.season is None:
        notes.append("season")
    else:
        season = args.season
        lookback = max(2 * season, FALLBACK_DEFAULTS[1]) if season > 1 else lookback
    if args.lookback is None:
        notes.append("lookback")
    else:
        lookback = args.lookback
    if args.horizon is None:
        notes.append("horizon")
    else:
        horizon = args.horizon
    for name, v in (("season", season), ("lookback", lookback), ("horizon", horizon)):
        if v < 1:
            raise CliError(f"--{name} must be at least 1, got {v}.")
    listed = " and ".join([", ".join(notes[:-1]), notes[-1]] if len(notes) > 1 else notes)
    how = f" ({listed} from the {axis.name} data)" if notes else ""
    return season, lookback, horizon, how


def _check_rows(n: int, lookback: int, horizon: int, fractions: tuple, source: str) -> None:
    """A CliError with the numbers when `n` rows cannot be split and windowed."""

    def fits(rows: int) -> bool:
        parts = [max(int(round(rows * f)), horizon) if f > 0 else 0 for f in fractions]
        return rows - sum(parts) >= lookback + horizon

    if fits(n):
        return
    need = next((r for r in range(n + 1, 100 * (n + lookback + horizon)) if fits(r)), None)
    total = f", {need} rows in all" if need else ""
    raise CliError(
        f"{source} has {n} rows, too few for lookback {lookback} + horizon {horizon}: training "
        f"needs {lookback + horizon} rows and validation and test at least {horizon} each"
        f"{total}. Use a smaller --lookback or --horizon, or more data."
    )


@dataclass
class Run:
    """Everything one `lstmkit forecast` produced, for printing and for the output files."""

    args: argparse.Namespace
    table: Table
    target: str
    season: int
    forecaster: Any
    split: Any
    result: Any
    future_times: np.ndarray
    future: np.ndarray
    baseline: str
    baseline_future: np.ndarray

    @property
    def horizon(self) -> int:
        return self.forecaster.settings.horizon

    @property
    def epochs_run(self) -> int:
        return len(self.forecaster.history.get("loss", []))


def cmd_forecast(args: argparse.Namespace) -> int:
    from lstmkit.data import path as data_path

    _require("pandas")
    started = time.perf_counter()
    if args.csv is None:
        csv, label, target = str(data_path()), BUNDLED_LABEL, args.target or "co2"
    else:
        csv, label, target = args.csv, args.csv, args.target
    features = [f.strip() for f in (args.features or "").split(",") if f.strip()]
    table, target = load_table(csv, target, features, args.time, args.fill, label)
    season, lookback, horizon, how = _defaults(args, table.axis)
    _check_rows(
        len(table.values), lookback, horizon, (args.val_fraction, args.test_fraction), label
    )
    say = (lambda *a, **k: None) if args.quiet else print
    axis = table.axis
    say(
        f"Data: '{target}' from {label}: {len(table.values)} {axis.name} rows, "
        f"{axis.label(axis.values[0])} .. {axis.label(axis.values[-1])}"
    )
    if len(table.names) > 1:
        say(f"Exogenous inputs: {', '.join(table.names[1:])}")
    say(
        f"Model: LSTM({args.units}) -> Dense, {args.strategy}, lookback {lookback}, horizon "
        f"{horizon}, season {season}{how}"
    )
    run = _train_and_backtest(args, table, target, season, lookback, horizon)
    o = run.result.origins
    say(f"Trained {run.epochs_run} epochs" + _best_epoch(run.forecaster.history))
    if args.level == "auto":
        level = run.forecaster.settings.level
        why = "trending" if level == "last" else "no strong trend"
        say(f"Level: {level} (auto: {why} in the training rows)")
    say(
        f"\nBacktest on the last {len(table.values) - run.split.test_start} rows: {len(o)} "
        f"rolling origins ({axis.label(axis.values[o[0]])} .. {axis.label(axis.values[o[-1]])})"
        f", {horizon} steps each"
    )
    say(run.result.table())
    say(_verdict(run.result.metrics, run.baseline))
    written = _write_outputs(run, Path(args.out), csv)
    say(f"\nNext {horizon} values of '{target}':")
    for t, v in zip(run.future_times, run.future):
        say(f"  {axis.label(t)}  {v:.6g}")
    say(f"\nWrote {', '.join(written)} in {time.perf_counter() - started:.1f} s")
    return 0


def _train_and_backtest(
    args: argparse.Namespace, table: Table, target: str, season: int, lookback: int, horizon: int
) -> Run:
    """Train (early stopping on the validation part), backtest on the test part, forecast."""
    import lstmkit as tf
    from lstmkit import timeseries as ts

    tf.set_seed(args.seed)
    fc, split = ts.fit_forecaster(
        table.values,
        lookback,
        horizon,
        target=0,
        names=table.names,
        season=season,
        strategy=args.strategy,
        level=args.level,
        scaler=args.scaler,
        units=args.units,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        patience=None if args.no_early_stopping else args.patience,
        val_fraction=args.val_fraction,
        test_fraction=args.test_fraction,
        seed=args.seed,
        callbacks=None if args.quiet else [EpochProgress()],
    )
    result = ts.backtest(fc, table.values, start=split.test_start, train_end=split.val_start)
    y, end = table.values[:, 0], [len(table.values)]
    if "seasonal_naive" in result.forecasts:
        baseline, base_future = "seasonal_naive", ts.seasonal_naive(y, end, horizon, season)[0]
    else:
        baseline, base_future = "naive", ts.naive(y, end, horizon)[0]
    future = fc.forecast(table.values, horizon)
    times = table.axis.future(horizon)
    return Run(args, table, target, season, fc, split, result, times, future, baseline, base_future)


def _best_epoch(history: dict[str, list[float]]) -> str:
    val = history.get("val_loss")
    if not val:
        return " (no validation part: no early stopping)"
    best = int(np.argmin(val))
    return f"; best val_loss {val[best]:.4g} at epoch {best + 1} (its weights are kept)"


def _verdict(metrics: dict, baseline: str) -> str:
    m = metrics["model"]["overall"]["smape"]
    b = metrics[baseline]["overall"]["smape"]
    word = "beats" if m < b else "does not beat"
    return f"The model {word} {baseline.replace('_', '-')}: sMAPE {m:.3f}% vs {b:.3f}%."


def _write_outputs(run: Run, out: Path, csv: str) -> list[str]:
    """model/ (TF.js files, settings in the metadata), forecast.csv, metrics.json, the plot."""
    out.mkdir(parents=True, exist_ok=True)
    axis = run.table.axis
    cli_meta = {
        "time": axis.to_json(),
        "source": Path(csv).name,
        "trainedRows": [int(run.split.val_start), int(len(run.table.values))],
        "lastTime": axis.label(axis.values[-1]),
        "backtestSmape": {k: v["overall"]["smape"] for k, v in run.result.metrics.items()},
    }
    run.forecaster.save(out / "model", lstmkitCli=cli_meta)
    written = [f"{out / 'model'}/ (model.json, weights.bin)"]
    col = axis.column or "row"
    rows = [f"{col},{run.target},{run.baseline}"]
    for t, v, b in zip(run.future_times, run.future, run.baseline_future):
        rows.append(f"{axis.label(t)},{v:.6g},{b:.6g}")
    (out / "forecast.csv").write_text("\n".join(rows) + "\n")
    (out / "metrics.json").write_text(json.dumps(_metrics_doc(run), indent=2) + "\n")
    written += [str(out / "forecast.csv"), str(out / "metrics.json")]
    if not run.args.no_plot:
        _plot(out / "forecast.png", run)
        written.append(str(out / "forecast.png"))
    return written


def _metrics_doc(run: Run) -> dict[str, Any]:
    axis, s, args, split = run.table.axis, run.forecaster.settings, run.args, run.split
    origins = run.result.origins
    return {
        "data": {
            "source": run.table.source,
            "target": run.target,
            "exogenous": run.table.names[1:],
            "time": axis.column,
            "frequency": axis.name,
            "rows": int(len(run.table.values)),
            "first": axis.label(axis.values[0]),
            "last": axis.label(axis.values[-1]),
        },
        "settings": {
            "lookback": s.lookback,
            "horizon": s.horizon,
            "season": run.season,
            "strategy": s.strategy,
            "level": s.level,
            "scaler": args.scaler,
            "units": args.units,
            "learning_rate": args.learning_rate,
            "batch_size": args.batch_size,
            "max_epochs": args.epochs,
            "epochs_run": run.epochs_run,
            "early_stopping": not args.no_early_stopping,
            "patience": args.patience,
            "seed": args.seed,
        },
        "split": {
            "train_rows": int(split.val_start),
            "validation_rows": int(split.test_start - split.val_start),
            "test_rows": int(split.n_rows - split.test_start),
        },
        "backtest": {
            "origins": int(len(origins)),
            "first_origin": axis.label(axis.values[origins[0]]),
            "last_origin": axis.label(axis.values[origins[-1]]),
            "stride": 1,
            "mase_scale": f"in-sample seasonal-naive MAE (season {run.season}) of the "
            "training rows",
        },
        "metrics": run.result.metrics,
    }


def _plot(path: Path, run: Run) -> None:
    """History, backtest forecasts (every horizon-th origin), the forecast and the baseline;
    the full series on top, the test part and the forecast below."""
    mpl = _require("matplotlib")
    mpl.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    t, y = run.table.axis.values, run.table.values[:, 0]
    h, test_start, result = run.horizon, run.split.test_start, run.result
    base = run.baseline.replace("_", "-")
    fig, axes = plt.subplots(2, 1, figsize=(11, 7.5), gridspec_kw={"height_ratios": [1, 1.3]})
    for ax, lo in ((axes[0], 0), (axes[1], max(test_start - 2 * h, 0))):
        ax.plot(t[lo:], y[lo:], color="0.25", lw=1.0, label="history")
        ax.axvspan(t[test_start], t[-1], color="0.92", label="backtest (test) part")
        # every horizon-th origin, counted back from the last, so the segments tile the end
        for i, k in enumerate(np.arange(len(result.origins))[::-h][::-1]):
            seg = t[result.origins[k] : result.origins[k] + h]
            first = i == 0
            model_label = "backtest: model" if first else None
            base_label = f"backtest: {base}" if first else None
            ax.plot(seg, result.forecasts["model"][k], color="tab:blue", lw=1.4, label=model_label)
            ax.plot(
                seg,
                result.forecasts[run.baseline][k],
                "--",
                color="tab:green",
                lw=1.0,
                label=base_label,
            )
        ax.plot(run.future_times, run.future, color="tab:red", lw=2.0, label="forecast")
        ax.plot(
            run.future_times,
            run.baseline_future,
            ":",
            color="tab:green",
            lw=1.2,
            label=f"{base} forecast",
        )
        ax.set_ylabel(run.target)
        ax.grid(alpha=0.3)
        if run.table.axis.kind == "datetime":
            loc = mdates.AutoDateLocator()
            ax.xaxis.set_major_locator(loc)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
        else:
            ax.set_xlabel(run.table.axis.column or "row")
    m = result.metrics
    axes[0].set_title(
        f"{run.target}: LSTM forecast; backtest sMAPE {m['model']['overall']['smape']:.3f}% vs "
        f"{base} {m[run.baseline]['overall']['smape']:.3f}%"
    )
    axes[1].set_title("test part and forecast", fontsize=10)
    axes[1].legend(loc="upper left", fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# -- predict and summary ----------------------------------------------------------------------


def _load_forecaster(folder: str) -> tuple[Any, dict[str, Any]]:
    """The forecaster in a model folder (or an output folder holding `model/`)."""
    import lstmkit as tf
    from lstmkit import timeseries as ts
    from lstmkit.io import ModelFormatError

    p = Path(folder)
    if not p.exists():
        raise CliError(f"{folder}: no such folder.")
    if p.is_dir() and not (p / "model.json").exists() and (p / "model" / "model.json").exists():
        p = p / "model"
    if p.is_dir() and not (p / "model.json").exists():
        raise CliError(f"{folder}: not an lstmkit forecaster: no model.json in this folder.")
    try:
        model = tf.load_layers_model(p)
    except ModelFormatError as e:
        raise CliError(f"{folder}: not an lstmkit forecaster: {e.problem}") from None
    try:
        fc = ts.Forecaster.from_model(model)
    except ts.NotAForecasterError as e:
        raise CliError(f"{folder}: not an lstmkit forecaster: {e}") from None
    cli_meta = (model.user_defined_metadata or {}).get("lstmkitCli")
    cli_meta = cli_meta if isinstance(cli_meta, dict) else {}
    if not isinstance(cli_meta.get("time"), dict):
        cli_meta["time"] = {}
    return fc, cli_meta


def cmd_predict(args: argparse.Namespace) -> int:
    fc, cli_meta = _load_forecaster(args.model_dir)
    _require("pandas")
    s = fc.settings
    time_meta = cli_meta["time"]
    time_col = time_meta.get("column") if isinstance(time_meta.get("column"), str) else None
    table, _ = load_table(
        args.csv, s.targets[0], s.features[1:], time_col, args.fill, from_model=True
    )
    lookback = s.lookback
    if len(table.values) < lookback:
        raise CliError(
            f"{args.csv} has {len(table.values)} rows; the model needs the last {lookback} "
            "(its lookback)."
        )
    trained_freq = time_meta.get("frequency")
    if trained_freq and table.axis.kind != "row" and len(table.values) > 1:
        if table.axis.name != trained_freq:
            raise CliError(
                f"{args.csv} is {table.axis.name} data; the model was trained on "
                f"{trained_freq} data."
            )
    steps = args.steps or s.horizon
    if steps < 1:
        raise CliError(f"--steps must be at least 1, got {steps}.")
    try:
        values = fc.forecast(table.values, steps)
    except ValueError as e:
        raise CliError(str(e)) from None
    times = table.axis.future(steps)
    col = table.axis.column or "row"
    lines = [f"{col},{s.targets[0]}"]
    lines += [f"{table.axis.label(t)},{v:.6g}" for t, v in zip(times, np.atleast_1d(values))]
    text = "\n".join(lines) + "\n"
    if args.out:
        Path(args.out).write_text(text)
        print(f"Wrote {steps} forecast steps to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    fc, cli_meta = _load_forecaster(args.model_dir)
    s = fc.settings
    fc.model.summary(print_fn=print)
    print(f"\nForecaster of {', '.join(s.targets)} (inputs: {', '.join(s.features)})")
    time_meta = cli_meta["time"]
    if time_meta:
        print(
            f"  time column {time_meta.get('column')!r}, {time_meta.get('frequency')}, "
            f"data up to {cli_meta.get('lastTime')}"
        )
    print(
        f"  lookback {s.lookback}, horizon {s.horizon}, season {s.season}, strategy "
        f"{s.strategy}, level {s.level}, scaler {s.scaler.get('kind')}"
    )
    smape = cli_meta.get("backtestSmape")
    if isinstance(smape, dict) and smape:
        shown = (f"{k} {v:.3f}%" for k, v in smape.items() if isinstance(v, (int, float)))
        print("  backtest sMAPE: " + ", ".join(shown))
    print("\nuserDefinedMetadata:")
    print(json.dumps(fc.model.user_defined_metadata, indent=2))
    return 0


# -- argument parsing -------------------------------------------------------------------------


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {v}")
    return v


def _rate(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < v < 10:
        raise argparse.ArgumentTypeError(f"must be a positive number below 10, got {v}")
    return v


def _fraction(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < v < 0.5:
        raise argparse.ArgumentTypeError(f"must be between 0 and 0.5, got {v}")
    return v


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (`lstmkit forecast: error: ... (see --help)`), exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The `lstmkit` argument parser with its forecast, predict and summary subcommands."""
    p = _Parser(prog="lstmkit", description="Forecast time series from CSV files with an LSTM.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    f = sub.add_parser(
        "forecast",
        help="train on a CSV, backtest against baselines, write model + forecast",
        description="Train an LSTM forecaster on a CSV column, backtest it against the naive "
        "and seasonal-naive forecasts, and write the model, forecast.csv, forecast.png and "
        "metrics.json. Without CSV: the bundled monthly Mauna Loa CO2 series.",
    )
    f.add_argument("csv", nargs="?", metavar="CSV", help="CSV file (default: bundled CO2 data)")
    f.add_argument("--target", metavar="COL", help="column to forecast")
    f.add_argument("--time", metavar="COL", help="time column (default: detected)")
    f.add_argument("--features", metavar="COLS", help="extra input columns, comma-separated")
    f.add_argument("--horizon", type=_positive, metavar="H", help="steps to forecast")
    f.add_argument("--lookback", type=_positive, metavar="L", help="past steps the model sees")
    f.add_argument("--season", type=_positive, metavar="S", help="season length in steps")
    f.add_argument("--units", type=_positive, default=32, metavar="U", help="LSTM units (32)")
    f.add_argument("--epochs", type=_positive, default=200, metavar="E", help="max epochs (200)")
    f.add_argument("--patience", type=_positive, default=15, metavar="P", help="epochs (15)")
    f.add_argument("--no-early-stopping", action="store_true", help="train all epochs")
    f.add_argument("--batch-size", type=_positive, default=32, metavar="N", help="(32)")
    f.add_argument("--learning-rate", type=_rate, default=0.005, metavar="LR", help="(0.005)")
    f.add_argument(
        "--strategy",
        choices=("direct", "recursive"),
        default="direct",
        help="Dense(horizon) head, or one step fed back (direct)",
    )
    f.add_argument(
        "--scaler", choices=("standard", "minmax"), default="standard", help="(standard)"
    )
    f.add_argument(
        "--level",
        choices=("auto", "last", "none"),
        default="auto",
        help="windows relative to their last value (last, for trends) or not (none); "
        "auto (the default) picks by the training rows' trend",
    )
    f.add_argument("--fill", choices=("interpolate", "drop"), help="missing values and gaps")
    f.add_argument("--val-fraction", type=_fraction, default=0.15, metavar="F", help="(0.15)")
    f.add_argument("--test-fraction", type=_fraction, default=0.15, metavar="F", help="(0.15)")
    f.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (0)")
    f.add_argument("--out", default="lstmkit-forecast", metavar="DIR", help="(lstmkit-forecast)")
    f.add_argument("--no-plot", action="store_true", help="skip forecast.png")
    f.add_argument("--quiet", "-q", action="store_true", help="print nothing")
    f.set_defaults(run=cmd_forecast)

    pr = sub.add_parser("predict", help="forecast from a saved model and a recent history")
    pr.add_argument("model_dir", metavar="MODEL_DIR", help="model folder (or forecast --out)")
    pr.add_argument("csv", metavar="CSV", help="recent history with the training columns")
    pr.add_argument("--steps", type=_positive, metavar="N", help="steps (default: horizon)")
    pr.add_argument("--fill", choices=("interpolate", "drop"), help="missing values and gaps")
    pr.add_argument("--out", metavar="FILE", help="write the forecast CSV here, not stdout")
    pr.set_defaults(run=cmd_predict)

    su = sub.add_parser("summary", help="the model summary and its forecaster settings")
    su.add_argument("model_dir", metavar="MODEL_DIR", help="model folder (or forecast --out)")
    su.set_defaults(run=cmd_summary)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `lstmkit` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    prog = f"lstmkit {args.command}"
    try:
        return args.run(args)
    except CliError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MissingExtra as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return EXIT_MISSING_EXTRA
    except ValueError as e:  # the library's checks (e.g. a series too short to split)
        print(f"{prog}: error: {_one_line(str(e))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `lstmkit predict ... | head -3`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text.strip())


if __name__ == "__main__":
    sys.exit(main())
