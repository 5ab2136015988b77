"""Missing values and gaps in the time grid: refused with their places, filled, or dropped.

An LSTM sees windows of consecutive steps, so a missing value or a missing time would shift
every window across it. Without `--fill` the command refuses them and says where they are;
`--fill interpolate` puts the rows on the full grid and fills linearly, `--fill drop` drops
the rows with missing values and takes the times as they are.
"""

from __future__ import annotations

import numpy as np

from .errors import CliError, quote
from .table import Table

FILL_CHOICES = ("interpolate", "drop")
"""The values of `--fill`."""


def fill_missing(table: Table, fill: str | None) -> Table:
    """Refuse missing values and gaps (with their places), or fill or drop them."""
    values = table.values
    pos = table.axis.positions()
    nan_rows = np.flatnonzero(np.isnan(values).any(axis=1))
    if fill == "drop":
        keep = np.ones(len(values), bool)
        keep[nan_rows] = False
        return table.rows(keep)
    irregular = np.flatnonzero(np.abs(pos - np.round(pos)) > 1e-6)
    if len(irregular):
        raise CliError(
            f"{table.source}: the times are not on a regular {table.axis.name} grid: "
            f"{table.where([irregular[0]])} is off it; use --fill drop to take the rows as "
            "they are."
        )
    if fill == "interpolate":
        return _interpolate(table, np.round(pos).astype(np.int64))
    if len(nan_rows):
        raise CliError(_missing_values_message(table, nan_rows))
    gaps = np.flatnonzero(np.diff(np.round(pos)) > 1)
    if len(gaps):
        g = gaps[0]
        missing = int(np.round(pos[g + 1] - pos[g])) - 1
        raise CliError(
            f"{table.source}: the {table.axis.name} times have {len(gaps)} gap(s); the first: "
            f"{missing} step(s) missing between {table.where([g])} and {table.where([g + 1])}. "
            "Use --fill interpolate to fill them or --fill drop to ignore them."
        )
    return table


def _missing_values_message(table: Table, nan_rows: np.ndarray) -> str:
    """Where the missing values are: up to five places per column."""
    values = table.values
    per_col = [
        f"{quote(n)} at {table.where(np.flatnonzero(np.isnan(values[:, j]))[:5])}"
        for j, n in enumerate(table.names)
        if np.isnan(values[:, j]).any()
    ]
    return (
        f"{table.source}: {len(nan_rows)} row(s) have missing values: "
        f"{'; '.join(per_col)}{' ...' if len(nan_rows) > 5 else ''}. Use --fill interpolate "
        "to fill them or --fill drop to drop those rows."
    )


def _interpolate(table: Table, pos: np.ndarray) -> Table:
    """Put the rows on the full regular grid and interpolate the missing values linearly."""
    grid = np.arange(pos[-1] + 1)
    values = np.empty((len(grid), table.values.shape[1]))
    for j in range(values.shape[1]):
        known = ~np.isnan(table.values[:, j])
        if not known.any():
            raise CliError(f"{table.source}: column {quote(table.names[j])} has no values at all.")
        values[:, j] = np.interp(grid, pos[known], table.values[known, j])
    axis = table.axis.with_values(table.axis.at(grid))
    lines = np.zeros(len(grid), dtype=np.int64)
    lines[pos] = table.lines
    return Table(table.source, table.names, values, axis, lines)
