"""`Table`: the checked numeric columns of a CSV, on their time axis, with their file lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .time_axis import TimeAxis


@dataclass
class Table:
    """The checked columns of a CSV: numeric `values` `[rows, features]` and their time axis.

    `names` lists the columns of `values`, the target first; `lines` keeps the file line of
    each row (0 for rows made up by interpolation) so messages can point into the file.
    """

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

    def rows(self, keep: np.ndarray) -> Table:
        """The table without the rows where `keep` is False."""
        axis = self.axis.with_values(self.axis.values[keep])
        return Table(self.source, self.names, self.values[keep], axis, self.lines[keep])
