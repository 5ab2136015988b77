"""The `lstmkit` command: forecast a column of a CSV file with an LSTM, in one command.

    lstmkit forecast                         # the bundled monthly CO2 series, all defaults
    lstmkit forecast sales.csv --target units --horizon 6 --out sales-forecast
    lstmkit predict sales-forecast recent.csv --steps 6
    lstmkit summary sales-forecast

`forecast` reads the CSV (pandas), checks it (columns, numbers, order of the timestamps,
missing values and gaps), infers the frequency and from it the lookback, horizon and season,
trains an LSTM with early stopping on a validation part (lstmkit.timeseries), backtests it
on the test part against the naive and seasonal-naive forecasts, and writes the model (TF.js
files with the settings in their metadata), forecast.csv, forecast.png (matplotlib) and
metrics.json. Bad input ends with exit status 2 and one line saying what is wrong.

pandas and matplotlib come with the `cli` extra (`pip install "lstmkit[cli]"`) and are
imported only here and only when needed: the library itself needs NumPy alone.

Modules, in the order a run goes through them: `entry` (`main`: errors to one line and an
exit status; `errors`: the error kinds and `quote`), `parser` (the subcommands and their
options), `fit_options` (`FitOptions`, the training options and their defaults), `out_paths`
(the `--out` folder or file, checked before any work), `csv_input` (`load_table`: read and
check the CSV), `time_axis` (the time column: frequency, format, order), `gaps` (missing
values and gaps), `table` (`Table`), `limits` (numeric options and values against the data,
in O(1) or one pass), `forecast_command` (train, backtest, forecast), `progress` (the epoch bar),
`outputs` (model folder, forecast.csv, metrics.json), `plot` (forecast.png) and
`model_commands` (`predict`, `summary`). The window defaults per frequency are forecasting
knowledge and live in `lstmkit.timeseries.frequency`.
"""

from __future__ import annotations

from ..timeseries.frequency import FALLBACK_DEFAULTS
from ..timeseries.frequency import FREQUENCY_DEFAULTS as DEFAULTS
from .csv_input import MISSING_MARKERS, load_table
from .entry import main
from .errors import EXIT_BAD_INPUT, EXIT_MISSING_EXTRA, CliError, MissingExtra
from .fit_options import FitOptions
from .forecast_command import BUNDLED_LABEL, cmd_forecast
from .model_commands import cmd_predict, cmd_summary, load_forecaster
from .parser import build_parser
from .progress import EpochProgress
from .run import Run
from .table import Table
from .time_axis import TIME_NAMES, TimeAxis

__all__ = [
    "BUNDLED_LABEL",
    "DEFAULTS",
    "EXIT_BAD_INPUT",
    "EXIT_MISSING_EXTRA",
    "FALLBACK_DEFAULTS",
    "MISSING_MARKERS",
    "TIME_NAMES",
    "CliError",
    "EpochProgress",
    "FitOptions",
    "MissingExtra",
    "Run",
    "Table",
    "TimeAxis",
    "build_parser",
    "cmd_forecast",
    "cmd_predict",
    "cmd_summary",
    "load_forecaster",
    "load_table",
    "main",
]
