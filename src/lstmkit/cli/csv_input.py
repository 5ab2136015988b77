"""Reading a CSV and checking it: the file, its columns, numbers, time column and rows.

`load_table` is the one way in: it reads every cell as text (so nothing is guessed silently),
finds the target, the features and the time column, turns the columns into numbers and the
time column into a `TimeAxis`, and deals with missing values and gaps. Each problem ends the
command with a `CliError` that names the file, the line and the column.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import numpy as np

from .errors import CliError, quote, quote_all, require
from .gaps import fill_missing
from .table import Table
from .time_axis import detect_time_column, parse_time_axis

MISSING_MARKERS = {"", "na", "nan", "n/a", "null", "none"}
"""Cell texts (lower case, stripped) that mean a missing value."""

_OPTION_ROLES = ("--target", "--features", "--time")
_MODEL_ROLES = ("the model's target", "the model's input", "the model's time column")


def read_csv(path: str) -> Any:
    """The CSV as a pandas DataFrame of text, indexed by file line, without blank rows."""
    pd = require("pandas")
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


def find_column(df: Any, name: str, source: str, option: str) -> str:
    """`name` if it is a column of `df`, else a CliError naming the available columns."""
    if name in df.columns:
        return name
    folded = {c.lower(): c for c in df.columns}
    close = folded.get(name.lower()) or next(
        iter(difflib.get_close_matches(name, list(df.columns), n=1, cutoff=0.6)), None
    )
    hint = f" Did you mean {quote(close)}?" if close else ""
    raise CliError(
        f"{source}: no column {quote(name)} ({option}).{hint} "
        f"Available columns: {quote_all(df.columns)}."
    )


def to_numbers(df: Any, col: str, source: str) -> np.ndarray:
    """A column as floats, NaN where the cell is empty or NA; CliError on anything else."""
    pd = require("pandas")
    text = df[col].fillna("").str.strip()
    missing = text.str.lower().isin(MISSING_MARKERS)
    nums = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = (nums.isna() & ~missing) | np.isinf(nums.fillna(0))
    if bad.any():
        lines = list(df.index[bad.to_numpy()])
        more = f" ({len(lines) - 1} more such cells)" if len(lines) > 1 else ""
        raise CliError(
            f"{source} line {lines[0]}, column {quote(col)}: {df[col][lines[0]]!r} is not a "
            f"number{more}."
        )
    return nums.to_numpy(dtype=np.float64)


def load_table(
    path: str,
    target: str | None,
    features: list[str],
    time_col: str | None,
    fill: str | None,
    label: str | None = None,
    from_model: bool = False,
    use_time: bool = True,
) -> tuple[Table, str]:
    """Read and check a CSV; returns the table (target first, then exogenous features) and
    the target's name. Missing values and gaps are refused unless `fill` says what to do.
    `from_model`: the column names come from a saved model, not from options. `use_time`
    False (`--no-time`): no time column, the rows are the time steps."""
    source = label or path
    df = read_csv(path)
    roles = _MODEL_ROLES if from_model else _OPTION_ROLES
    if target is not None:
        target = find_column(df, target, source, roles[0])
    features = [find_column(df, f, source, roles[1]) for f in features]
    if time_col is not None:
        time_col = find_column(df, time_col, source, roles[2])
    chosen = {name for name in (target, *features) if name is not None}
    time_name = detect_time_column(df, time_col, chosen) if use_time else None
    if target is None:
        target = _guess_target(df, time_name, features, source)
    if target == time_name:
        raise CliError(
            f"{source}: {quote(target)} is the time column; choose another --target (or use "
            "--no-time)."
        )
    names = [target] + [f for f in dict.fromkeys(features) if f != target]
    if time_name in names:
        raise CliError(f"{source}: the time column {quote(time_name)} cannot also be a feature.")
    axis = parse_time_axis(df, time_name, source)
    values = np.column_stack([to_numbers(df, c, source) for c in names])
    table = Table(source, names, values, axis, df.index.to_numpy())
    return fill_missing(table, fill), target


def _guess_target(df: Any, time_name: str | None, features: list[str], source: str) -> str:
    """The one numeric column that is neither the time nor a feature; else ask for --target."""
    pd = require("pandas")
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
        f"{source}: name the column to forecast with --target; columns: {quote_all(df.columns)}."
    )
