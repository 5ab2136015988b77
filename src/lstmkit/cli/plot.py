"""forecast.png: the series, the backtest forecasts, the forecast and the baseline (matplotlib,
from the `cli` extra, with the Agg backend so no screen is needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import require
from .run import Run


def plot_forecast(path: Path, run: Run) -> None:
    """History, backtest forecasts (every horizon-th origin), the forecast and the baseline;
    the full series on top, the test part and the forecast below."""
    mpl = require("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    h, test_start = run.horizon, run.split.test_start
    base = run.baseline.replace("_", "-")
    fig, axes = plt.subplots(2, 1, figsize=(11, 7.5), gridspec_kw={"height_ratios": [1, 1.3]})
    for ax, lo in ((axes[0], 0), (axes[1], max(test_start - 2 * h, 0))):
        _draw_panel(ax, run, lo, base)
    m = run.result.metrics
    axes[0].set_title(
        f"{run.target}: LSTM forecast; backtest sMAPE {m['model']['overall']['smape']:.3f}% vs "
        f"{base} {m[run.baseline]['overall']['smape']:.3f}%"
    )
    axes[1].set_title("test part and forecast", fontsize=10)
    axes[1].legend(loc="upper left", fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _draw_panel(ax, run: Run, lo: int, base: str) -> None:
    """One panel: the rows from `lo` on, the backtest segments, the forecast and baseline."""
    import matplotlib.dates as mdates

    t, y = run.table.axis.values, run.table.values[:, 0]
    h, result = run.horizon, run.result
    ax.plot(t[lo:], y[lo:], color="0.25", lw=1.0, label="history")
    ax.axvspan(t[run.split.test_start], t[-1], color="0.92", label="backtest (test) part")
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
