"""The `lstmkit` argument parser: the forecast, predict and summary subcommands.

The training options' defaults and choices come from `FitOptions` and its tuples, so each
default is written once; the types below refuse bad numbers with a one-line error.
"""

from __future__ import annotations

import argparse

from .errors import EXIT_BAD_INPUT, one_line
from .fit_options import LEVELS, SCALERS, STRATEGIES, FitOptions
from .gaps import FILL_CHOICES

_DEFAULTS = FitOptions()


def positive(text: str) -> int:
    """argparse type: a whole number, at least 1."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {v}")
    return v


def rate(text: str) -> float:
    """argparse type: a learning rate, above 0 and below 10."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < v < 10:
        raise argparse.ArgumentTypeError(f"must be a positive number below 10, got {v}")
    return v


def fraction(text: str) -> float:
    """argparse type: a share of the rows, above 0 and below 0.5."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < v < 0.5:
        raise argparse.ArgumentTypeError(f"must be between 0 and 0.5, got {v}")
    return v


def seed(text: str) -> int:
    """argparse type: a random seed, a whole number from 0 (NumPy's generators take no
    negative seeds)."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {v}")
    return v


def units(text: str) -> int:
    """argparse type: LSTM units, 1 to MAX_UNITS (an LSTM of U units holds 4U(U + inputs + 1)
    weights: 1024 units are 4 million, more would not fit in memory or train in time)."""
    v = positive(text)
    if v > MAX_UNITS:
        raise argparse.ArgumentTypeError(
            f"must be at most {MAX_UNITS}, got {v} (use --units {MAX_UNITS} or less)"
        )
    return v


MAX_UNITS = 1024
"""The most `--units` (see `units`)."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (`lstmkit forecast: error: ... (see lstmkit forecast
    --help)`), exit 2; an unknown option is reported by the subcommand it was given to."""

    commands: dict[str, argparse.ArgumentParser]

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            sub = getattr(self, "commands", {}).get(getattr(parsed, "command", None), self)
            sub.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def error(self, message: str) -> None:  # type: ignore[override]
        text = one_line(f"{message} (see {self.prog} --help)")
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {text}\n")


def build_parser() -> argparse.ArgumentParser:
    """The `lstmkit` argument parser with its forecast, predict and summary subcommands."""
    from .forecast_command import cmd_forecast
    from .model_commands import cmd_predict, cmd_summary

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
    time = f.add_mutually_exclusive_group()
    time.add_argument("--time", metavar="COL", help="time column (default: detected)")
    time.add_argument(
        "--no-time", action="store_true", help="no time column: the rows are the time steps"
    )
    f.add_argument("--features", metavar="COLS", help="extra input columns, comma-separated")
    f.add_argument("--horizon", type=positive, metavar="H", help="steps to forecast")
    f.add_argument("--lookback", type=positive, metavar="L", help="past steps the model sees")
    f.add_argument("--season", type=positive, metavar="S", help="season length in steps")
    _add_training_options(f)
    f.add_argument("--fill", choices=FILL_CHOICES, help="missing values and gaps")
    _add_split_options(f)
    f.add_argument("--out", default="lstmkit-forecast", metavar="DIR", help="(lstmkit-forecast)")
    f.add_argument("--no-plot", action="store_true", help="skip forecast.png")
    f.add_argument("--quiet", "-q", action="store_true", help="print nothing")
    f.set_defaults(run=cmd_forecast)

    pr = sub.add_parser("predict", help="forecast from a saved model and a recent history")
    pr.add_argument("model_dir", metavar="MODEL_DIR", help="model folder (or forecast --out)")
    pr.add_argument("csv", metavar="CSV", help="recent history with the training columns")
    pr.add_argument("--steps", type=positive, metavar="N", help="steps (default: horizon)")
    pr.add_argument("--fill", choices=FILL_CHOICES, help="missing values and gaps")
    pr.add_argument("--out", metavar="FILE", help="write the forecast CSV here, not stdout")
    pr.set_defaults(run=cmd_predict)

    su = sub.add_parser("summary", help="the model summary and its forecaster settings")
    su.add_argument("model_dir", metavar="MODEL_DIR", help="model folder (or forecast --out)")
    su.set_defaults(run=cmd_summary)
    p.commands = {"forecast": f, "predict": pr, "summary": su}
    return p


def _add_training_options(f: argparse.ArgumentParser) -> None:
    """The model and optimizer options `FitOptions.from_args` reads, defaults in the help."""
    d = _DEFAULTS
    f.add_argument(
        "--units",
        type=units,
        default=d.units,
        metavar="U",
        help=f"LSTM units, at most {MAX_UNITS} ({d.units})",
    )
    f.add_argument(
        "--epochs", type=positive, default=d.epochs, metavar="E", help=f"max epochs ({d.epochs})"
    )
    f.add_argument(
        "--patience", type=positive, default=d.patience, metavar="P", help=f"epochs ({d.patience})"
    )
    f.add_argument("--no-early-stopping", action="store_true", help="train all epochs")
    f.add_argument(
        "--batch-size", type=positive, default=d.batch_size, metavar="N", help=f"({d.batch_size})"
    )
    f.add_argument(
        "--learning-rate",
        type=rate,
        default=d.learning_rate,
        metavar="LR",
        help=f"({d.learning_rate})",
    )
    f.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default=d.strategy,
        help=f"Dense(horizon) head, or one step fed back ({d.strategy})",
    )
    f.add_argument("--scaler", choices=SCALERS, default=d.scaler, help=f"({d.scaler})")
    f.add_argument(
        "--level",
        choices=LEVELS,
        default=d.level,
        help="windows relative to their last value (last, for trends) or not (none); "
        f"{d.level} (the default) picks by the training rows' trend",
    )


def _add_split_options(f: argparse.ArgumentParser) -> None:
    """The split and seed options `FitOptions.from_args` reads, defaults in the help."""
    d = _DEFAULTS
    f.add_argument(
        "--val-fraction",
        type=fraction,
        default=d.val_fraction,
        metavar="F",
        help=f"({d.val_fraction})",
    )
    f.add_argument(
        "--test-fraction",
        type=fraction,
        default=d.test_fraction,
        metavar="F",
        help=f"({d.test_fraction})",
    )
    f.add_argument("--seed", type=seed, default=d.seed, metavar="N", help=f"random seed ({d.seed})")
