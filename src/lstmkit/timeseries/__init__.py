"""Time-series forecasting with LSTMs, on NumPy only.

    from lstmkit import timeseries as ts

    x, y = ts.make_windows(series, lookback=24, horizon=12)       # [n, 24, cols], [n, 12]
    fc, split = ts.fit_forecaster(series, lookback=24, horizon=12, season=12)
    result = ts.backtest(fc, series, start=split.test_start)      # model vs the baselines
    print(result.table())
    fc.forecast(series, steps=12)                                 # the next 12 values
    fc.save("my-forecaster")                                      # TF.js files + settings
    ts.forecast(tf.load_layers_model("my-forecaster"), series, steps=12)

Modules: `windows` (sliding windows), `scalers`, `split` (chronological), `baselines`
(naive, seasonal naive), `metrics` (MAE, RMSE, sMAPE, MASE per step), `backtest` (rolling
origin), `forecasting` (models, training, forecasting, settings saved with the model),
`frequency` (the season, lookback and horizon that suit hourly, daily, ... monthly data).
The `lstmkit` command line (`lstmkit.cli`) builds on this with CSV files, dates and plots.
"""

from __future__ import annotations

from .backtest import BacktestResult, backtest
from .baselines import naive, seasonal_naive
from .forecasting import (
    METADATA_KEY,
    Forecaster,
    ForecastSettings,
    NotAForecasterError,
    build_model,
    fit_forecaster,
    forecast,
    suggest_level,
)
from .frequency import (
    FALLBACK_DEFAULTS,
    FREQUENCY_DEFAULTS,
    WindowChoice,
    WindowDefaults,
    choose_windows,
    frequency_defaults,
)
from .metrics import mae, mase, mase_scale, rmse, smape, summarize
from .scalers import MinMaxScaler, Scaler, StandardScaler, make_scaler, scaler_from_config
from .split import Split, chronological_split, split_points
from .windows import make_windows, window_origins, windows_at

__all__ = [
    "FALLBACK_DEFAULTS",
    "FREQUENCY_DEFAULTS",
    "METADATA_KEY",
    "BacktestResult",
    "ForecastSettings",
    "Forecaster",
    "MinMaxScaler",
    "NotAForecasterError",
    "Scaler",
    "Split",
    "StandardScaler",
    "WindowChoice",
    "WindowDefaults",
    "backtest",
    "build_model",
    "choose_windows",
    "chronological_split",
    "fit_forecaster",
    "forecast",
    "frequency_defaults",
    "mae",
    "make_scaler",
    "make_windows",
    "mase",
    "mase_scale",
    "naive",
    "rmse",
    "scaler_from_config",
    "seasonal_naive",
    "smape",
    "split_points",
    "suggest_level",
    "summarize",
    "window_origins",
    "windows_at",
]
