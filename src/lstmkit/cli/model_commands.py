"""`lstmkit predict` uses a forecaster saved by `forecast`; `lstmkit summary` describes any model.

Both open a model folder (or a `forecast --out` folder holding `model/`) the same way.
`predict` refuses, in one line, anything that is not an lstmkit forecaster; `summary` prints
any TF.js Layers model's summary, and a forecaster's settings besides.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .. import timeseries as ts
from ..io import ModelFormatError
from ..models.saving import load_layers_model
from .csv_input import load_table
from .errors import CliError, quote_all, require
from .limits import MAX_STEPS, check_scaled, check_steps
from .out_paths import output_file
from .outputs import csv_text


def open_model(folder: str, what: str = "an lstmkit forecaster") -> tuple[Any, Path]:
    """The model in a model folder, a model.json, or an output folder holding `model/`."""
    p = Path(folder)
    if not p.exists():
        raise CliError(f"{folder}: no such folder.")
    if p.is_dir() and not (p / "model.json").exists() and (p / "model" / "model.json").exists():
        p = p / "model"
    if p.is_dir() and not (p / "model.json").exists():
        raise CliError(f"{folder}: not {what}: no model.json in this folder.")
    try:
        return load_layers_model(p), p
    except ModelFormatError as e:
        raise CliError(f"{folder}: not {what}: {e.problem}") from None


def load_forecaster(folder: str) -> tuple[ts.Forecaster, dict[str, Any]]:
    """The forecaster in a model folder (or an output folder holding `model/`), and the
    command's metadata saved with it (`lstmkitCli`; its "time" always a dict)."""
    model, _ = open_model(folder)
    try:
        fc = ts.Forecaster.from_model(model)
    except ts.NotAForecasterError as e:
        raise CliError(f"{folder}: not an lstmkit forecaster: {e}") from None
    return fc, _cli_metadata(model)


def _cli_metadata(model: Any) -> dict[str, Any]:
    cli_meta = (getattr(model, "user_defined_metadata", None) or {}).get("lstmkitCli")
    cli_meta = cli_meta if isinstance(cli_meta, dict) else {}
    if not isinstance(cli_meta.get("time"), dict):
        cli_meta["time"] = {}
    return cli_meta


def cmd_predict(args: argparse.Namespace) -> int:
    """Forecast the next steps from a recent history CSV; to stdout or `--out`."""
    out = output_file(args.out) if args.out is not None else None  # before anything else
    fc, cli_meta = load_forecaster(args.model_dir)
    require("pandas")
    s = fc.settings
    time_meta = cli_meta["time"]
    time_col = time_meta.get("column") if isinstance(time_meta.get("column"), str) else None
    table, _ = load_table(
        args.csv,
        s.targets[0],
        s.features[1:],
        time_col,
        args.fill,
        from_model=True,
        use_time=time_meta.get("kind") != "row",
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
    check_steps(table.axis, steps, "--steps", args.csv, most=max(MAX_STEPS, s.horizon))
    check_scaled(table, fc.scaler)
    try:
        values = fc.forecast(table.values, steps)
    except ValueError as e:
        raise CliError(str(e)) from None
    times = table.axis.future(steps)
    rows = [[table.axis.column or "row", s.targets[0]]]
    rows += [[table.axis.label(t), f"{v:.6g}"] for t, v in zip(times, np.atleast_1d(values))]
    text = csv_text(rows)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"Wrote {steps} forecast steps to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """Print any model's summary; for a forecaster, its settings and saved metadata too."""
    model, path = open_model(args.model_dir, "a TF.js Layers model")
    model.summary(print_fn=print)
    metadata = getattr(model, "user_defined_metadata", None)
    try:
        fc = ts.Forecaster.from_model(model)
    except ts.NotAForecasterError:
        print(
            f"\nA TF.js Layers model ({path}); not an lstmkit forecaster, so `lstmkit predict` "
            "cannot use it (load it with tf.load_layers_model)."
        )
    else:
        _print_forecaster(fc, _cli_metadata(model))
    if metadata:
        print("\nuserDefinedMetadata:")
        print(json.dumps(metadata, indent=2))
    return 0


def _print_forecaster(fc: ts.Forecaster, cli_meta: dict[str, Any]) -> None:
    s = fc.settings
    print(f"\nForecaster of {quote_all(s.targets)} (inputs: {quote_all(s.features)})")
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
