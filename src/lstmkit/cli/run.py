"""`Run`: everything one `lstmkit forecast` produced, handed from the command to its outputs
(`outputs.write_outputs`, `plot.plot_forecast`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import timeseries as ts
from .fit_options import FitOptions
from .table import Table


@dataclass
class Run:
    """Everything one `lstmkit forecast` produced, for printing and for the output files."""

    options: FitOptions
    table: Table
    target: str
    season: int
    forecaster: Any
    split: ts.Split
    result: ts.BacktestResult
    future_times: np.ndarray
    future: np.ndarray
    baseline: str
    baseline_future: np.ndarray

    @property
    def horizon(self) -> int:
        """Steps forecast from each origin."""
        return self.forecaster.settings.horizon

    @property
    def epochs_run(self) -> int:
        """Epochs trained (fewer than the most when early stopping ended training)."""
        return len(self.forecaster.history.get("loss", []))
