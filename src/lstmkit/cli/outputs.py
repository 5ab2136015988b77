"""What `lstmkit forecast` writes and prints: the model folder, forecast.csv, metrics.json,
the plot, and the report's verdict lines.

The model folder holds TF.js files (model.json, weights.bin) with the forecaster's settings
and the command's own metadata (`lstmkitCli`: the time axis, the source file, the trained
rows, the backtest scores), which `lstmkit predict` and `lstmkit summary` read back.
"""

from __future__ import annotations

import csv as csv_module
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from .run import Run


def best_epoch_note(history: dict[str, list[float]]) -> str:
    """'; best val_loss ... at epoch N (its weights are kept)', or why there is none."""
    val = history.get("val_loss")
    if not val:
        return " (no validation part: no early stopping)"
    best = int(np.argmin(val))
    return f"; best val_loss {val[best]:.4g} at epoch {best + 1} (its weights are kept)"


def verdict(metrics: dict, baseline: str) -> str:
    """One line: does the model beat the baseline on the backtest's overall sMAPE?"""
    m = metrics["model"]["overall"]["smape"]
    b = metrics[baseline]["overall"]["smape"]
    word = "beats" if m < b else "does not beat"
    return f"The model {word} {baseline.replace('_', '-')}: sMAPE {m:.3f}% vs {b:.3f}%."


def write_outputs(run: Run, out: Path, csv: str, plot: bool = True) -> list[str]:
    """model/ (TF.js files, settings in the metadata), forecast.csv, metrics.json, the plot;
    returns what was written, for the report."""
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
    rows = [[axis.column or "row", run.target, run.baseline]]
    for t, v, b in zip(run.future_times, run.future, run.baseline_future):
        rows.append([axis.label(t), f"{v:.6g}", f"{b:.6g}"])
    (out / "forecast.csv").write_text(csv_text(rows))
    (out / "metrics.json").write_text(json.dumps(metrics_document(run), indent=2) + "\n")
    written += [str(out / "forecast.csv"), str(out / "metrics.json")]
    if plot:
        from .plot import plot_forecast

        plot_forecast(out / "forecast.png", run)
        written.append(str(out / "forecast.png"))
    return written


def csv_text(rows: list[list[str]]) -> str:
    """CSV text, one row a line; a cell with a comma, quote or line break (a column name
    read from a file may hold one) is quoted as CSV readers expect."""
    buffer = io.StringIO()
    csv_module.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def metrics_document(run: Run) -> dict[str, Any]:
    """metrics.json: the data, the settings, the split, the backtest and its scores."""
    axis, s, options, split = run.table.axis, run.forecaster.settings, run.options, run.split
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
            "scaler": options.scaler,
            "units": options.units,
            "learning_rate": options.learning_rate,
            "batch_size": options.batch_size,
            "max_epochs": options.epochs,
            "epochs_run": run.epochs_run,
            "early_stopping": options.early_stopping,
            "patience": options.patience,
            "seed": options.seed,
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
