"""`FitOptions`: how `lstmkit forecast` trains its model, built once from the parsed options.

The argument parser takes its defaults and choices from here, the training call its keyword
arguments, and metrics.json its settings, so each default is written once.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

STRATEGIES = ("direct", "recursive")
"""`--strategy`: a Dense(horizon) head, or one step fed back `horizon` times."""
SCALERS = ("standard", "minmax")
"""`--scaler`: the scaler fitted on the training rows."""
LEVELS = ("auto", "last", "none")
"""`--level`: windows relative to their last value, absolute, or chosen by the trend."""


@dataclass(frozen=True)
class FitOptions:
    """The training settings of one `lstmkit forecast` (its command-line options).

    | field          | option              | default    | meaning                          |
    |----------------|---------------------|------------|----------------------------------|
    | units          | --units             | 32         | LSTM units                       |
    | epochs         | --epochs            | 200        | most epochs to train             |
    | patience       | --patience          | 15         | epochs without a better val_loss |
    | early_stopping | --no-early-stopping | True       | stop on the validation loss and  |
    |                | (turns it off)      |            | keep the best weights            |
    | batch_size     | --batch-size        | 32         | windows per update               |
    | learning_rate  | --learning-rate     | 0.005      | Adam's learning rate             |
    | strategy       | --strategy          | "direct"   | one of STRATEGIES                |
    | scaler         | --scaler            | "standard" | one of SCALERS                   |
    | level          | --level             | "auto"     | one of LEVELS                    |
    | val_fraction   | --val-fraction      | 0.15       | share of rows for validation     |
    | test_fraction  | --test-fraction     | 0.15       | share of rows for the backtest   |
    | seed           | --seed              | 0          | random seed (weights, shuffling) |
    | progress       | --quiet (turns off) | True       | show the epochs on stderr        |
    """

    units: int = 32
    epochs: int = 200
    patience: int = 15
    early_stopping: bool = True
    batch_size: int = 32
    learning_rate: float = 0.005
    strategy: str = "direct"
    scaler: str = "standard"
    level: str = "auto"
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    seed: int = 0
    progress: bool = True

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> FitOptions:
        """The options of a parsed `lstmkit forecast` command line."""
        return cls(
            units=args.units,
            epochs=args.epochs,
            patience=args.patience,
            early_stopping=not args.no_early_stopping,
            batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            strategy=args.strategy,
            scaler=args.scaler,
            level=args.level,
            val_fraction=args.val_fraction,
            test_fraction=args.test_fraction,
            seed=args.seed,
            progress=not args.quiet,
        )

    @property
    def fractions(self) -> tuple[float, float]:
        """The validation and test fractions, in that order."""
        return self.val_fraction, self.test_fraction

    def fit_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of `timeseries.fit_forecaster` these options set (all but
        the callbacks, which the caller adds)."""
        return {
            "strategy": self.strategy,
            "level": self.level,
            "scaler": self.scaler,
            "units": self.units,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "patience": self.patience if self.early_stopping else None,
            "val_fraction": self.val_fraction,
            "test_fraction": self.test_fraction,
            "seed": self.seed,
        }
