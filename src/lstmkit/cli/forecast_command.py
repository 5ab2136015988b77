"""`lstmkit forecast`: read a CSV, train a forecaster, backtest it, write what it made.

The steps, each in its own module: `out_paths.output_folder` checks `--out` (before any
work); `csv_input.load_table` reads and checks the CSV; `timeseries.choose_windows` fills in
the season, lookback and horizon from the frequency; `limits` checks them and the values
against the data (O(1) or one pass, whatever the numbers); `timeseries.fit_forecaster`
trains (early stopping on the validation part) with the `FitOptions`; `timeseries.backtest`
scores the test part against the naive baselines; and `outputs.write_outputs` writes the
model, forecast.csv, metrics.json and the plot.
"""

from __future__ import annotations

import argparse
import time

from .. import timeseries as ts
from .._random import set_seed
from .csv_input import load_table
from .errors import CliError, quote, quote_all, require
from .fit_options import FitOptions
from .limits import check_magnitudes, check_rows, check_season, check_steps, training_rows
from .out_paths import output_folder
from .outputs import best_epoch_note, verdict, write_outputs
from .progress import EpochProgress
from .run import Run
from .table import Table

BUNDLED_LABEL = "bundled Mauna Loa CO2, monthly 1965-2001"
"""How messages name the series `lstmkit forecast` uses when given no CSV."""


def cmd_forecast(args: argparse.Namespace) -> int:
    """Run `lstmkit forecast` with parsed arguments; prints the report, returns 0."""
    from ..data import path as data_path

    require("pandas")
    started = time.perf_counter()
    out = output_folder(args.out)  # before anything else: no training for a bad --out
    if args.csv is None:
        csv, label, target = str(data_path()), BUNDLED_LABEL, args.target or "co2"
    else:
        csv, label, target = args.csv, args.csv, args.target
    options = FitOptions.from_args(args)
    features = [f.strip() for f in (args.features or "").split(",") if f.strip()]
    table, target = load_table(
        csv, target, features, args.time, args.fill, label, use_time=not args.no_time
    )
    windows = ts.choose_windows(table.axis.name, args.season, args.lookback, args.horizon)
    season, lookback, horizon = windows.season, windows.lookback, windows.horizon
    how = _where_from(windows, table.axis.name)
    check_data(table, options, windows, label)
    say = print if not args.quiet else (lambda *a, **k: None)
    axis = table.axis
    say(
        f"Data: {quote(target)} from {label}: {len(table.values)} {axis.name} rows, "
        f"{axis.label(axis.values[0])} .. {axis.label(axis.values[-1])}"
    )
    if len(table.names) > 1:
        say(f"Exogenous inputs: {quote_all(table.names[1:])}")
    say(
        f"Model: LSTM({options.units}) -> Dense, {options.strategy}, lookback {lookback}, "
        f"horizon {horizon}, season {season}{how}"
    )
    run = train_and_backtest(options, table, target, season, lookback, horizon)
    o = run.result.origins
    say(f"Trained {run.epochs_run} epochs" + best_epoch_note(run.forecaster.history))
    if options.level == "auto":
        level = run.forecaster.settings.level
        why = "trending" if level == "last" else "no strong trend"
        say(f"Level: {level} (auto: {why} in the training rows)")
    say(
        f"\nBacktest on the last {len(table.values) - run.split.test_start} rows: {len(o)} "
        f"rolling origins ({axis.label(axis.values[o[0]])} .. {axis.label(axis.values[o[-1]])})"
        f", {horizon} steps each"
    )
    say(run.result.table())
    say(verdict(run.result.metrics, run.baseline))
    written = write_outputs(run, out, csv, plot=not args.no_plot)
    say(f"\nNext {horizon} values of {quote(target)}:")
    for t, v in zip(run.future_times, run.future):
        say(f"  {axis.label(t)}  {v:.6g}")
    say(f"\nWrote {', '.join(written)} in {time.perf_counter() - started:.1f} s")
    return 0


def check_data(table: Table, options: FitOptions, windows: ts.WindowChoice, source: str) -> None:
    """Every numeric option against the data, in O(1) or one pass (see `limits`): the rows
    for lookback + horizon and the split, a given season, the forecast's times, and values
    a float32 LSTM can be trained on once scaled."""
    n, fractions = len(table.values), options.fractions
    check_rows(n, windows.lookback, windows.horizon, fractions, source)
    train_rows = training_rows(n, windows.horizon, fractions)
    given_season = "season" not in windows.from_frequency
    check_season(windows.season, given_season, train_rows, source)
    check_steps(table.axis, windows.horizon, "--horizon", source)
    check_magnitudes(table, options.scaler, train_rows)


def _where_from(windows: ts.WindowChoice, frequency: str) -> str:
    """' (season, lookback and horizon from the monthly data)', or '' if all were given."""
    for name in ("season", "lookback", "horizon"):
        value = getattr(windows, name)
        if value < 1:
            raise CliError(f"--{name} must be at least 1, got {value}.")
    notes = list(windows.from_frequency)
    if not notes:
        return ""
    listed = " and ".join([", ".join(notes[:-1]), notes[-1]] if len(notes) > 1 else notes)
    return f" ({listed} from the {frequency} data)"


def train_and_backtest(
    options: FitOptions, table: Table, target: str, season: int, lookback: int, horizon: int
) -> Run:
    """Train (early stopping on the validation part), backtest on the test part, forecast."""
    set_seed(options.seed)
    fc, split = ts.fit_forecaster(
        table.values,
        lookback,
        horizon,
        target=0,
        names=table.names,
        season=season,
        callbacks=[EpochProgress()] if options.progress else None,
        **options.fit_kwargs(),
    )
    result = ts.backtest(fc, table.values, start=split.test_start, train_end=split.val_start)
    y, end = table.values[:, 0], [len(table.values)]
    if "seasonal_naive" in result.forecasts:
        baseline, base_future = "seasonal_naive", ts.seasonal_naive(y, end, horizon, season)[0]
    else:
        baseline, base_future = "naive", ts.naive(y, end, horizon)[0]
    future = fc.forecast(table.values, horizon)
    times = table.axis.future(horizon)
    return Run(
        options, table, target, season, fc, split, result, times, future, baseline, base_future
    )
