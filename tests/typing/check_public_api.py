"""Type-checked, not run by pytest: the public API used as the README and TF.js programs use it.

`mypy` (see pyproject.toml) checks this file against lstmkit's signatures, so a change that
breaks a documented call (a renamed argument, a return type a user chains on) fails CI.
"""

from __future__ import annotations

import numpy as np

import lstmkit as tf
from lstmkit import timeseries as ts
from lstmkit.cli import FitOptions, main


def readme_example() -> None:
    model = tf.sequential()
    model.add(tf.layers.lstm(units=16, input_shape=[1, 1]))
    model.add(tf.layers.dense(units=1))
    model.compile(loss="meanSquaredError", optimizer="adam")
    model.fit(tf.tensor3d([[[1]], [[2]]]), tf.tensor2d([[1], [2]]), epochs=10)
    out = model.predict(tf.tensor3d([[[3]]]))
    assert isinstance(out, tf.Tensor)  # a list for models with several outputs (as TF.js)
    out.print()


def tensors() -> np.ndarray:
    a = tf.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = (a + a) * 2 - a / 3
    total: float = float(b.sum().numpy())
    del total
    return b.reshape([4]).numpy()


def optimizers() -> None:
    opt = tf.train.adam(0.01)
    opt2 = tf.train.sgd(learning_rate=0.1)
    config = opt.get_config()
    assert isinstance(config, dict)
    del opt2


def forecasting(series: np.ndarray) -> np.ndarray:
    choice = ts.choose_windows("monthly", horizon=6)
    fc, split = ts.fit_forecaster(series, choice.lookback, choice.horizon, epochs=2)
    result = ts.backtest(fc, series, start=split.test_start, train_end=split.val_start)
    print(result.table())
    future: np.ndarray = fc.forecast(series, choice.horizon)
    return future


def command_line() -> int:
    options = FitOptions(units=8)
    assert options.fit_kwargs()["units"] == 8
    return main(["forecast", "--quiet", "--no-plot", "--out", "out"])
