"""LSTM forecasters: build, train, forecast, and carry their settings inside the model.

    fc = fit_forecaster(series, lookback=24, horizon=12, season=12)
    fc.forecast(series[-24:], steps=12)          # the next 12 values, in the data's units
    fc.save("out/model")                         # TF.js files; settings in userDefinedMetadata
    forecast(tf.load_layers_model("out/model"), history, steps=12)

Two strategies:
- direct: one LSTM + Dense(horizon * targets) head predicts the whole horizon at once;
- recursive: a Dense(targets) head predicts one step, fed back `steps` times.

Data is scaled with a scaler fit on the training rows. With `level="last"` each window is
also expressed relative to its last known target value, so the network learns changes rather
than levels and a trending series can leave the training range without the LSTM's inputs
doing so; `level="auto"` (the default) picks it for trending training data only.
Everything needed to redo this on new data (window sizes, columns, scaler numbers,
strategy) is stored as JSON under `METADATA_KEY` in the model's metadata.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .. import _random, layers, optimizers
from ..callbacks import EarlyStopping
from ..models import sequential
from .scalers import Scaler, make_scaler, scaler_from_config
from .split import Split, split_points
from .windows import as_2d, check_length, column_list, window_origins, windows_at

METADATA_KEY = "lstmkitForecaster"
FORMAT_VERSION = 1
STRATEGIES = ("direct", "recursive")
LEVELS = ("last", "none")


class NotAForecasterError(ValueError):
    """The model carries no (or unreadable) lstmkit forecaster settings in its metadata."""


@dataclass
class ForecastSettings:
    """What a forecaster needs besides its weights; stored in the model's metadata.

    `features` names the input columns in the order of the data array; `targets` names the
    forecast columns, which must be among the features (the model sees their past).
    `extra` holds free-form JSON (the CLI keeps the time column and frequency there).
    """

    lookback: int
    horizon: int
    features: list[str]
    targets: list[str]
    strategy: str = "direct"
    level: str = "last"
    season: int = 1
    scaler: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("lookback", "horizon", "season"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                raise ValueError(f"{name} must be a whole number, got {value!r}.")
            setattr(self, name, int(value))
        for name in ("features", "targets"):
            value = getattr(self, name)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{name} must be a list of column names, got {value!r}.")
        if not isinstance(self.scaler, dict) or not isinstance(self.extra, dict):
            raise ValueError("scaler and extra must be JSON objects.")
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {self.strategy!r}.")
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {self.level!r}.")
        if self.lookback < 1 or self.horizon < 1 or self.season < 1:
            raise ValueError("lookback, horizon and season must be >= 1.")
        missing = [t for t in self.targets if t not in self.features]
        if missing or not self.targets:
            raise ValueError(f"targets {self.targets} must be among the features {self.features}.")

    @property
    def target_index(self) -> list[int]:
        """Positions of the targets among the features."""
        return [self.features.index(t) for t in self.targets]

    @property
    def autoregressive(self) -> bool:
        """True when every input column is forecast (no exogenous inputs)."""
        return len(self.targets) == len(self.features)

    def to_json(self) -> dict[str, Any]:
        return {"version": FORMAT_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, doc: Any) -> ForecastSettings:
        if not isinstance(doc, dict):
            raise NotAForecasterError(f"'{METADATA_KEY}' must be an object.")
        if doc.get("version") != FORMAT_VERSION:
            raise NotAForecasterError(
                f"forecaster format version {doc.get('version')!r}; this lstmkit reads "
                f"version {FORMAT_VERSION}."
            )
        names = [f for f in cls.__dataclass_fields__ if f in doc]
        try:
            return cls(**{k: doc[k] for k in names})
        except (TypeError, ValueError) as e:
            raise NotAForecasterError(f"bad forecaster settings: {e}") from None


class KeepBestEarlyStopping(EarlyStopping):
    """Early stopping that always ends with the best epoch's weights.

    `early_stopping(restore_best_weights=True)` restores them only when it stopped training
    (as Keras does); a forecaster should keep its best validation weights either way.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 20) -> None:
        super().__init__(monitor=monitor, patience=patience, restore_best_weights=True)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.best_weights is not None:
            for w, value in zip(self.model.weights, self.best_weights):
                w.assign(value)


class Forecaster:
    """A trained (or loaded) LSTM model plus the settings and scaler it was trained with."""

    def __init__(self, model: Any, settings: ForecastSettings, scaler: Scaler) -> None:
        self.model = model
        self.settings = settings
        self.scaler = scaler
        self.history: dict[str, list[float]] = {}
        self.model.user_defined_metadata = self.metadata()

    # -- settings <-> model metadata ---------------------------------------------------------
    def metadata(self, **more: Any) -> dict[str, Any]:
        """The model's userDefinedMetadata: the settings under METADATA_KEY, plus `more`."""
        self.settings.scaler = self.scaler.to_config()
        meta = dict(getattr(self.model, "user_defined_metadata", None) or {})
        meta[METADATA_KEY] = self.settings.to_json()
        meta.update(more)
        return meta

    @classmethod
    def from_model(cls, model: Any) -> Forecaster:
        """The forecaster a model carries in its metadata (e.g. after `tf.load_layers_model`)."""
        meta = getattr(model, "user_defined_metadata", None)
        if not isinstance(meta, dict) or METADATA_KEY not in meta:
            raise NotAForecasterError(
                f"its userDefinedMetadata has no '{METADATA_KEY}' entry (forecasters are made "
                "by `lstmkit forecast` or lstmkit.timeseries.fit_forecaster)."
            )
        settings = ForecastSettings.from_json(meta[METADATA_KEY])
        try:
            scaler = scaler_from_config(settings.scaler)
        except ValueError as e:
            raise NotAForecasterError(f"bad scaler settings: {e}") from None
        n_feat = len(settings.features)
        columns = 0 if scaler.offset is None else len(scaler.offset)
        if columns != n_feat:
            raise NotAForecasterError(f"the scaler has {columns} columns for {n_feat} features.")
        shape = [d for d in model.inputs[0].shape]
        if shape[1:] != [settings.lookback, n_feat]:
            raise NotAForecasterError(
                f"the model's input shape {shape} does not match lookback {settings.lookback} "
                f"and {n_feat} feature(s)."
            )
        out = cls(model, settings, scaler)
        if out._outputs_per_call() != int(model.outputs[0].shape[-1]):
            raise NotAForecasterError(
                f"the model's output size {model.outputs[0].shape[-1]} does not match the "
                f"settings ({out._outputs_per_call()})."
            )
        return out

    def save(self, path: Any, **more: Any) -> Any:
        """Save as TF.js files with the settings (and any JSON in `more`) in the metadata."""
        self.model.user_defined_metadata = self.metadata(**more)
        return self.model.save(path, metadata=self.model.user_defined_metadata)

    # -- the numbers in and out of the network -----------------------------------------------
    def _outputs_per_call(self) -> int:
        return _outputs_per_call(self.settings)

    def _steps_per_call(self) -> int:
        return _steps_per_call(self.settings)

    def _network_inputs(self, x_scaled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Model inputs from scaled windows, and the level each window is relative to."""
        t = self.settings.target_index
        x = np.array(x_scaled, dtype=np.float64)
        if self.settings.level == "last":
            level = x[:, -1, t]
            x[:, :, t] -= level[:, None, :]
        else:
            level = np.zeros((len(x), len(t)))
        return x.astype(np.float32), level

    def training_pairs(self, scaled: np.ndarray, origins: np.ndarray) -> tuple:
        """`(x, y)` network inputs and targets for the windows at `origins` (scaled data)."""
        s = self.settings
        steps = self._steps_per_call()
        x, y = windows_at(scaled, origins, s.lookback, steps, s.target_index, None)
        x_in, level = self._network_inputs(x)
        y = y.reshape(len(y), steps, -1) - level[:, None, :]
        return x_in, y.reshape(len(y), -1).astype(np.float32)

    def _roll(self, x_scaled: np.ndarray, steps: int) -> np.ndarray:
        """Scaled target forecasts `[n, steps, targets]` from scaled input windows."""
        s = self.settings
        t = s.target_index
        per_call = self._steps_per_call()
        calls = -(-steps // per_call)
        if calls > 1 and not s.autoregressive:
            raise ValueError(
                f"forecasting {steps} steps needs {calls} model calls, and the later ones "
                f"would need future values of the exogenous inputs "
                f"{[f for f in s.features if f not in s.targets]}; forecast at most "
                f"{per_call} step(s) with this model."
            )
        window = np.array(x_scaled, dtype=np.float64)
        out = []
        for _ in range(calls):
            x_in, level = self._network_inputs(window)
            pred = np.asarray(self.model.predict(x_in, batch_size=256).numpy(), np.float64)
            pred = pred.reshape(len(window), per_call, len(t)) + level[:, None, :]
            out.append(pred)
            if calls > 1:  # autoregressive: the forecasts become the newest inputs
                rows = np.empty((len(window), per_call, len(s.features)))
                rows[:, :, t] = pred
                window = np.concatenate([window, rows], axis=1)
                window = window[:, -s.lookback :]
        return np.concatenate(out, axis=1)[:, :steps]

    def _unscale(self, pred_scaled: np.ndarray) -> np.ndarray:
        pred = self.scaler.inverse_transform(pred_scaled, self.settings.target_index)
        return pred[..., 0] if pred.shape[-1] == 1 else pred

    # -- public forecasting ------------------------------------------------------------------
    def predict_at(self, data: Any, origins: Any, steps: int | None = None) -> np.ndarray:
        """Forecasts `[len(origins), steps(, targets)]` made at each origin of `data`.

        `data` is the raw series `[time, features]`; each forecast sees only the `lookback`
        rows before its origin. `steps` defaults to the horizon.
        """
        s = self.settings
        arr = self._check_data(data, "data")
        scaled = self.scaler.transform(arr)
        x, _ = windows_at(scaled, np.asarray(origins), s.lookback, 0)
        return self._unscale(self._roll(x, steps or s.horizon))

    def forecast(self, history: Any, steps: int | None = None) -> np.ndarray:
        """The `steps` values after the end of `history` (`[steps]`, or `[steps, targets]`).

        `history` is the raw series `[time, features]` (`[time]` for one column); its last
        `lookback` rows are used. More steps than the horizon are forecast by feeding
        forecasts back, which needs a model without exogenous inputs.
        """
        s = self.settings
        arr = self._check_data(history, "history")
        if len(arr) < s.lookback:
            raise ValueError(
                f"the history has {len(arr)} rows; the forecaster needs the last {s.lookback} "
                "(its lookback)."
            )
        return self.predict_at(arr, [len(arr)], steps)[0]

    def _check_data(self, data: Any, what: str) -> np.ndarray:
        arr = as_2d(data)
        n_feat = len(self.settings.features)
        if arr.shape[1] != n_feat:
            raise ValueError(
                f"{what} has {arr.shape[1]} column(s); the forecaster takes {n_feat}: "
                f"{', '.join(self.settings.features)}."
            )
        if not np.all(np.isfinite(arr[-self.settings.lookback :])):
            raise ValueError(f"{what} holds NaN or infinite values in its last lookback rows.")
        return arr


def suggest_level(train_target: Any, ratio: float = 2.0) -> str:
    """'last' for a trending series, 'none' for one that stays in a range (`level="auto"`).

    Fits a straight line to the training values: if its rise over the training rows is more
    than `ratio` times the spread (standard deviation) around it, later values will likely
    leave the training range, and windows relative to their last value generalize better
    (e.g. CO2 concentrations). Otherwise the absolute level carries information (where in
    its cycle the series is, e.g. sunspot numbers) and is kept. Only training rows are used,
    so the choice does not peek at the validation or test parts.
    """
    y = np.asarray(train_target, dtype=np.float64)
    y = y.reshape(len(y), -1)
    t = np.arange(len(y), dtype=np.float64)
    for col in y.T:
        slope, intercept = np.polyfit(t, col, 1)
        spread = np.std(col - (slope * t + intercept))
        if abs(slope) * (len(t) - 1) > ratio * max(spread, 1e-12):
            return "last"
    return "none"


def _steps_per_call(s: ForecastSettings) -> int:
    return s.horizon if s.strategy == "direct" else 1


def _outputs_per_call(s: ForecastSettings) -> int:
    return _steps_per_call(s) * len(s.targets)


def forecast(model: Any, history: Any, steps: int | None = None) -> np.ndarray:
    """Forecast `steps` values after `history` with a model made by `fit_forecaster` (or
    loaded from its files): the scaler and window settings come from the model's metadata."""
    return Forecaster.from_model(model).forecast(history, steps)


def build_model(
    lookback: int, n_features: int, n_outputs: int, units: int = 32, seed: int | None = None
) -> Any:
    """LSTM(units) -> Dense(n_outputs), compiled with Adam and mean squared error."""
    if seed is not None:
        _random.set_seed(seed)
    model = sequential()
    model.add(layers.lstm(units=units, input_shape=[lookback, n_features]))
    model.add(layers.dense(units=n_outputs))
    return model


def fit_forecaster(
    data: Any,
    lookback: int,
    horizon: int,
    target: int | list[int] = 0,
    names: list[str] | None = None,
    *,
    season: int = 1,
    strategy: str = "direct",
    level: str = "auto",
    scaler: str = "standard",
    units: int = 32,
    epochs: int = 200,
    batch_size: int = 32,
    learning_rate: float = 0.005,
    patience: int | None = 15,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    seed: int | None = 0,
    callbacks: list | None = None,
    verbose: int = 0,
) -> tuple[Forecaster, Split]:
    """Split `data` in time, fit the scaler on the training rows, train an LSTM forecaster.

    Every column of `data` is an input; `target` picks the column(s) to forecast (the others
    are exogenous inputs). `level`: 'last' (windows relative to their last target value),
    'none' (absolute scaled values) or 'auto' (`suggest_level` on the training rows).

    Training windows have their targets in the training rows, validation windows theirs in
    the validation rows; with `patience`, training stops early on the validation loss and
    keeps the best weights. The test rows are left for `backtest`. Returns the forecaster
    and the split.
    """
    arr = as_2d(data)
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[:5]
        raise ValueError(
            f"the series holds NaN or infinite values at [row, column] {bad.tolist()}."
        )
    t_cols = column_list(target, arr.shape[1], "target")
    names = list(names) if names is not None else [str(i) for i in range(arr.shape[1])]
    if len(names) != arr.shape[1] or len(set(names)) != len(names):
        raise ValueError(f"names must be {arr.shape[1]} distinct column names, got {names}.")
    check_length(len(arr), lookback, horizon)
    split = split_points(
        len(arr), val_fraction, test_fraction, min_part=horizon, min_train=lookback + horizon
    )
    if level == "auto":
        level = suggest_level(arr[: split.val_start, t_cols])
    settings = ForecastSettings(
        lookback, horizon, names, [names[c] for c in t_cols], strategy, level, season
    )
    fitted = make_scaler(scaler).fit(arr[: split.val_start])
    model = build_model(lookback, arr.shape[1], _outputs_per_call(settings), units, seed)
    fc = Forecaster(model, settings, fitted)
    model.compile(optimizer=optimizers.adam(learning_rate), loss="meanSquaredError")

    scaled = fitted.transform(arr)
    steps = fc._steps_per_call()
    train_o = window_origins(split.val_start, lookback, steps)
    x, y = fc.training_pairs(scaled, train_o)
    fit_args: dict[str, Any] = {}
    cbs = list(callbacks or [])
    if split.test_start > split.val_start:
        val_o = window_origins(split.test_start, lookback, steps, start=split.val_start)
        if len(val_o):
            fit_args["validation_data"] = fc.training_pairs(scaled, val_o)
    if patience is not None and "validation_data" in fit_args:
        cbs.append(KeepBestEarlyStopping(monitor="val_loss", patience=patience))
    hist = model.fit(
        x, y, epochs=epochs, batch_size=batch_size, callbacks=cbs, verbose=verbose, **fit_args
    )
    fc.history = {k: list(v) for k, v in hist.history.items()}
    return fc, split
