"""lstmkit.timeseries: windows, scalers, splits, baselines, metrics, backtest and forecasters
(NumPy only), on series made here and on the bundled CO2 data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lstmkit as tf
from lstmkit import timeseries as ts

SRC = Path(__file__).resolve().parents[1] / "src"


def seasonal_series(n: int = 160, season: int = 12, trend: float = 0.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10 + trend * t + 3 * np.sin(2 * np.pi * t / season) + 0.1 * rng.normal(size=n)


# -- windows ----------------------------------------------------------------------------------


def test_windows_univariate_shapes_and_values():
    y = np.arange(10.0)
    x, t = ts.make_windows(y, lookback=3, horizon=2)
    assert x.shape == (6, 3, 1) and t.shape == (6, 2)
    np.testing.assert_array_equal(x[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(t[0], [3, 4])
    np.testing.assert_array_equal(x[-1, :, 0], [5, 6, 7])
    np.testing.assert_array_equal(t[-1], [8, 9])


def test_windows_stride_target_and_exogenous_features():
    data = np.column_stack([np.arange(12.0), 100 + np.arange(12.0), -np.arange(12.0)])
    x, y = ts.make_windows(data, lookback=4, horizon=3, target=1, features=[1, 2], stride=2)
    assert x.shape == (3, 4, 2) and y.shape == (3, 3)
    np.testing.assert_array_equal(x[1, :, 0], [102, 103, 104, 105])  # window 1 starts at row 2
    np.testing.assert_array_equal(x[1, :, 1], [-2, -3, -4, -5])
    np.testing.assert_array_equal(y[1], [106, 107, 108])


def test_windows_several_targets():
    data = np.column_stack([np.arange(8.0), 10 * np.arange(8.0)])
    x, y = ts.make_windows(data, lookback=2, horizon=3, target=[0, 1])
    assert x.shape == (4, 2, 2) and y.shape == (4, 3, 2)
    np.testing.assert_array_equal(y[0], [[2, 20], [3, 30], [4, 40]])


def test_window_origins_share_the_windows():
    origins = ts.window_origins(20, lookback=5, horizon=3, stride=1, start=10)
    np.testing.assert_array_equal(origins, np.arange(10, 18))
    x, y = ts.windows_at(np.arange(20.0), origins, 5, 3)
    np.testing.assert_array_equal(x[0, :, 0], [5, 6, 7, 8, 9])
    np.testing.assert_array_equal(y[0], [10, 11, 12])


def test_windows_too_short_states_the_numbers():
    with pytest.raises(ValueError, match=r"10 rows, too few .* lookback 8 \+ horizon 4 = 12"):
        ts.make_windows(np.zeros(10), lookback=8, horizon=4)
    with pytest.raises(ValueError, match="column 3 does not exist"):
        ts.make_windows(np.zeros((10, 2)), lookback=2, target=3)


# -- scalers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["standard", "minmax"])
def test_scaler_round_trip_and_config(kind):
    data = np.column_stack([np.linspace(0, 10, 50), np.linspace(-5, 5, 50) ** 2])
    scaler = ts.make_scaler(kind).fit(data[:30])  # fit on the training rows only
    scaled = scaler.transform(data)
    np.testing.assert_allclose(scaler.inverse_transform(scaled), data)
    back = ts.scaler_from_config(scaler.to_config())
    np.testing.assert_allclose(back.transform(data), scaled)
    np.testing.assert_allclose(back.inverse_transform(scaled[:, 1], columns=1), data[:, 1])
    if kind == "standard":
        np.testing.assert_allclose(scaled[:30].mean(axis=0), 0, atol=1e-12)
        assert abs(scaled[30:, 0].mean()) > 1  # the test rows did not shape the scaler
    else:
        np.testing.assert_allclose(scaled[:30].min(axis=0), 0, atol=1e-12)
        np.testing.assert_allclose(scaled[:30].max(axis=0), 1)


def test_scaler_constant_column_and_errors():
    scaler = ts.StandardScaler().fit(np.full((5, 1), 3.0))
    np.testing.assert_array_equal(scaler.transform(np.full((2, 1), 3.0)), 0)
    with pytest.raises(ValueError, match="not fitted"):
        ts.MinMaxScaler().transform(np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        ts.StandardScaler().fit([1.0, np.nan])
    with pytest.raises(ValueError, match="unknown scaler 'robust'"):
        ts.make_scaler("robust")
    with pytest.raises(ValueError, match="scale > 0"):
        ts.scaler_from_config({"kind": "standard", "offset": [0], "scale": [0]})


# -- split ------------------------------------------------------------------------------------


def test_chronological_split_keeps_order_and_context():
    data = np.arange(100)
    train, val, test = ts.chronological_split(data, 0.2, 0.1, context=5)
    np.testing.assert_array_equal(train, np.arange(70))
    np.testing.assert_array_equal(val, np.arange(65, 90))
    np.testing.assert_array_equal(test, np.arange(85, 100))
    s = ts.split_points(100, 0.2, 0.1)
    assert (s.val_start, s.test_start) == (70, 90)


def test_split_too_short_states_the_numbers():
    with pytest.raises(ValueError, match="30 rows, too few to split: training needs 36"):
        ts.split_points(30, min_part=12, min_train=36)


# -- baselines and metrics --------------------------------------------------------------------


def test_naive_and_seasonal_naive():
    y = np.arange(30.0)
    np.testing.assert_array_equal(ts.naive(y, [10, 20], 3), [[9, 9, 9], [19, 19, 19]])
    sn = ts.seasonal_naive(y, [10], horizon=6, season=4)
    # steps 10..13 repeat rows 6..9, steps 14..15 repeat 10 - 4 .. (two seasons back)
    np.testing.assert_array_equal(sn, [[6, 7, 8, 9, 6, 7]])
    with pytest.raises(ValueError, match="needs 12 values before each origin"):
        ts.seasonal_naive(y, [5], 3, season=12)


def test_metrics_by_hand():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    f = np.array([[2.0, 2.0], [1.0, 8.0]])
    np.testing.assert_allclose(ts.mae(a, f), [1.5, 2.0])
    np.testing.assert_allclose(ts.rmse(a, f), [np.sqrt(2.5), np.sqrt(8)])
    np.testing.assert_allclose(ts.smape(a, f), [100 * (2 / 3 + 1) / 2, 100 * (0 + 8 / 12) / 2])
    np.testing.assert_allclose(ts.smape([[0.0]], [[0.0]]), [0.0])
    scale = ts.mase_scale([1.0, 3.0, 2.0, 6.0], season=1)  # |2|, |1|, |4| -> 7/3
    np.testing.assert_allclose(scale, [7 / 3])
    np.testing.assert_allclose(ts.mase(a, f, scale), [1.5 * 3 / 7, 2.0 * 3 / 7])
    doc = ts.summarize(a, f, scale)
    assert doc["per_step"]["mae"] == [1.5, 2.0]
    assert doc["overall"]["mae"] == pytest.approx(1.75)
    assert doc["overall"]["rmse"] == pytest.approx(np.sqrt((2.5 + 8) / 2))


def test_mase_scale_uses_the_season():
    y = np.tile([1.0, 5.0, 3.0], 4) + np.arange(12)  # season 3 plus a trend of 1 per step
    np.testing.assert_allclose(ts.mase_scale(y, season=3), [3.0])
    assert ts.summarize([[1.0]], [[2.0]], [0.0])["overall"]["mase"] is None


def test_suggest_level():
    t = np.arange(300)
    assert ts.suggest_level(0.5 * t + np.sin(t)) == "last"
    assert ts.suggest_level(np.sin(t / 5)) == "none"


# -- forecasters ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained():
    y = seasonal_series(160, 12, trend=0.05)
    fc, split = ts.fit_forecaster(y, lookback=12, horizon=6, season=12, units=16, epochs=40)
    return y, fc, split


def test_fit_forecaster_split_settings_and_history(trained):
    y, fc, split = trained
    assert (split.val_start, split.test_start) == (112, 136)
    s = fc.settings
    assert (s.lookback, s.horizon, s.season, s.strategy, s.level) == (12, 6, 12, "direct", "last")
    assert fc.scaler.offset[0] == pytest.approx(y[:112].mean())
    assert 1 <= len(fc.history["val_loss"]) <= 40
    assert fc.model.outputs[0].shape[-1] == 6


def test_backtest_beats_naive_and_shares_windows(trained):
    y, fc, split = trained
    result = ts.backtest(fc, y, start=split.test_start)
    np.testing.assert_array_equal(result.origins, np.arange(136, 155))
    _, actual = ts.windows_at(y, result.origins, 12, 6)
    np.testing.assert_array_equal(result.actual, actual)
    assert set(result.forecasts) == {"model", "naive", "seasonal_naive"}
    m = {k: v["overall"]["smape"] for k, v in result.metrics.items()}
    assert m["model"] < m["naive"]
    assert len(result.metrics["model"]["per_step"]["mase"]) == 6
    assert "sMAPE %" in result.table() and "seasonal_naive" in result.table()


def test_forecast_save_load_same_numbers(trained, tmp_path):
    y, fc, _ = trained
    direct = fc.forecast(y, 6)
    assert direct.shape == (6,)
    fc.save(tmp_path / "m", note="kept")
    model = tf.load_layers_model(tmp_path / "m")
    assert model.user_defined_metadata["note"] == "kept"
    assert model.user_defined_metadata[ts.METADATA_KEY]["scaler"]["kind"] == "standard"
    np.testing.assert_allclose(ts.forecast(model, y, 6), direct, rtol=1e-6)
    longer = ts.forecast(model, y[-12:], 15)  # past the horizon: forecasts fed back
    assert longer.shape == (15,)
    np.testing.assert_allclose(longer[:6], direct, rtol=1e-6)


def test_forecast_refuses_bad_history(trained):
    y, fc, _ = trained
    with pytest.raises(ValueError, match="history has 5 rows; the forecaster needs the last 12"):
        fc.forecast(y[:5])
    with pytest.raises(ValueError, match="NaN"):
        fc.forecast(np.r_[y[:-1], np.nan])
    with pytest.raises(ValueError, match="2 column"):
        fc.forecast(np.zeros((30, 2)))


def test_plain_model_is_not_a_forecaster():
    model = tf.sequential()
    model.add(tf.layers.dense(units=1, input_shape=[3]))
    with pytest.raises(ts.NotAForecasterError, match=ts.METADATA_KEY):
        ts.forecast(model, np.zeros(5), 1)
    model.user_defined_metadata = {ts.METADATA_KEY: {"version": 99}}
    with pytest.raises(ts.NotAForecasterError, match="version 99"):
        ts.Forecaster.from_model(model)


def test_recursive_strategy():
    y = seasonal_series(120, 8)
    fc, split = ts.fit_forecaster(
        y, lookback=8, horizon=4, season=8, strategy="recursive", units=8, epochs=3
    )
    assert fc.model.outputs[0].shape[-1] == 1  # one step per call
    assert fc.forecast(y, 10).shape == (10,)
    result = ts.backtest(fc, y, start=split.test_start)
    assert result.forecasts["model"].shape == (len(result.origins), 4)


def test_exogenous_inputs_and_several_targets():
    n = 100
    exo = np.sin(np.arange(n) / 3)
    data = np.column_stack([seasonal_series(n, 6), np.roll(exo, 1), exo])
    fc, _ = ts.fit_forecaster(data, 6, 3, target=0, names=["y", "x1", "x2"], epochs=2, units=4)
    assert fc.settings.features == ["y", "x1", "x2"] and fc.settings.targets == ["y"]
    assert fc.forecast(data, 3).shape == (3,)
    with pytest.raises(ValueError, match=r"future values of the exogenous inputs \['x1', 'x2'\]"):
        fc.forecast(data, 4)
    two, _ = ts.fit_forecaster(data[:, :2], 6, 3, target=[0, 1], epochs=2, units=4)
    assert two.model.outputs[0].shape[-1] == 6
    assert two.forecast(data[:, :2], 5).shape == (5, 2)  # all inputs forecast: can roll on
    result = ts.backtest(two, data[:, :2], start=80, season=6)
    assert result.actual.shape == (len(result.origins), 3, 2)


def test_fit_forecaster_is_reproducible_with_a_seed():
    y = seasonal_series(80, 6)
    runs = [ts.fit_forecaster(y, 6, 2, units=4, epochs=3, seed=7)[0].forecast(y) for _ in "ab"]
    np.testing.assert_array_equal(runs[0], runs[1])


def test_timeseries_needs_only_numpy():
    code = (
        "import sys\n"
        "sys.modules['pandas'] = None\n"
        "sys.modules['matplotlib'] = None\n"
        "import lstmkit.timeseries, lstmkit.cli\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC), "PATH": ""},
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
