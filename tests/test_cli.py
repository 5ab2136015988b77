"""The `lstmkit` command: forecast / predict / summary on the bundled CO2 series and on CSV
files made here; bad input exits with status 2 and one line; the quality bar on CO2."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

import lstmkit as tf
from lstmkit import cli
from lstmkit import timeseries as ts
from lstmkit.data import path as data_path

SRC = Path(__file__).resolve().parents[1] / "src"
FAST = ["--epochs", "3", "--units", "4", "--quiet", "--no-plot"]


def run(argv, capsys):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path: Path, header: str, rows) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


def monthly_rows(n=80, start_year=2000, value=lambda i: 10 + np.sin(i / 2) + 0.05 * i):
    return [f"{start_year + i // 12}-{i % 12 + 1:02d}-01,{value(i):.4f}" for i in range(n)]


# -- the default command on the bundled data (trained once for the module) --------------------


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled") / "out"
    stdout = io.StringIO()
    saved = sys.stdout
    sys.stdout = stdout
    try:
        code = cli.main(["forecast", "--out", str(out)])
    finally:
        sys.stdout = saved
    assert code == 0
    return out, stdout.getvalue()


def test_default_forecast_beats_seasonal_naive(bundled):
    """The quality bar: on the bundled CO2 series the default command's backtest sMAPE is
    below seasonal naive's (the README states both numbers)."""
    out, text = bundled
    doc = json.loads((out / "metrics.json").read_text())
    smape = {k: v["overall"]["smape"] for k, v in doc["metrics"].items()}
    assert smape["model"] < smape["seasonal_naive"] < smape["naive"]
    assert smape["model"] < 0.7 * smape["seasonal_naive"]
    assert "The model beats seasonal-naive" in text
    settings = doc["settings"]
    assert (settings["lookback"], settings["horizon"], settings["season"]) == (24, 12, 12)
    assert doc["data"]["frequency"] == "monthly" and doc["data"]["rows"] == 444
    assert len(doc["metrics"]["model"]["per_step"]["mase"]) == 12
    assert doc["backtest"]["origins"] > 40


def test_default_forecast_writes_its_files(bundled):
    out, text = bundled
    lines = (out / "forecast.csv").read_text().splitlines()
    assert lines[0] == "date,co2,seasonal_naive"
    assert [r.split(",")[0] for r in lines[1:]] == [f"2002-{m:02d}" for m in range(1, 13)]
    values = np.array([float(r.split(",")[1]) for r in lines[1:]])
    assert np.all((values > 360) & (values < 385))
    assert (out / "forecast.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    model = tf.load_layers_model(out / "model")
    meta = model.user_defined_metadata
    assert meta[ts.METADATA_KEY]["lookback"] == 24
    assert meta["lstmkitCli"]["time"]["frequency"] == "monthly"
    assert "Next 12 values of 'co2'" in text and "2002-12" in text


def test_predict_and_summary_on_the_saved_model(bundled, tmp_path, capsys):
    out, _ = bundled
    history = data_path().read_text().splitlines()
    csv = write_csv(tmp_path / "recent.csv", history[0], history[-30:])
    code, text, err = run(["predict", out, csv], capsys)
    assert code == 0, err
    rows = text.splitlines()
    assert rows[0] == "date,co2" and len(rows) == 13 and rows[1].startswith("2002-01,")
    forecast_csv = (out / "forecast.csv").read_text().splitlines()
    assert [r.split(",")[:2] for r in forecast_csv[1:]] == [r.split(",") for r in rows[1:]]
    code, text, err = run(["predict", out / "model", csv, "--steps", "30"], capsys)
    assert code == 0 and len(text.splitlines()) == 31 and text.splitlines()[-1][:7] == "2004-06"
    code, text, _ = run(["summary", out], capsys)
    assert code == 0
    assert re.search(r"lstm_LSTM\d+ \(LSTM\)", text) and "Total params: 4748" in text
    assert "lookback 24, horizon 12, season 12" in text and ts.METADATA_KEY in text


# -- small trainings on series made here ------------------------------------------------------


def test_forecast_numeric_time_exogenous_and_predict(tmp_path, capsys):
    n = 90
    rows = [f"{i * 5},{np.sin(i / 3) + 0.02 * i:.4f},{np.cos(i / 3):.4f}" for i in range(n)]
    csv = write_csv(tmp_path / "s.csv", "t,y,x", rows)
    out = tmp_path / "o"
    code, _, err = run(
        ["forecast", csv, "--target", "y", "--features", "x", "--horizon", "3", "--out", out]
        + FAST,
        capsys,
    )
    assert code == 0, err
    doc = json.loads((out / "metrics.json").read_text())
    assert doc["data"]["time"] == "t" and doc["data"]["exogenous"] == ["x"]
    assert doc["data"]["frequency"] == "steps of 5"
    assert (doc["settings"]["season"], doc["settings"]["lookback"]) == (1, 12)
    assert "seasonal_naive" not in doc["metrics"]  # season 1: naive is the baseline
    assert (out / "forecast.csv").read_text().splitlines()[1].startswith("450,")
    assert not (out / "forecast.png").exists()
    code, text, _ = run(["predict", out, csv], capsys)
    assert code == 0 and text.splitlines()[1:][0].startswith("450,")
    code, _, err = run(["predict", out, csv, "--steps", "4"], capsys)
    assert code == 2 and "future values of the exogenous inputs ['x']" in err


def test_forecast_without_time_column_recursive_minmax(tmp_path, capsys):
    csv = write_csv(tmp_path / "v.csv", "value", [f"{np.sin(i / 4):.4f}" for i in range(100)])
    out = tmp_path / "o"
    argv = ["forecast", csv, "--strategy", "recursive", "--scaler", "minmax", "--season", "25"]
    code, _, err = run(argv + ["--horizon", "4", "--out", out] + FAST, capsys)
    assert code == 0, err
    doc = json.loads((out / "metrics.json").read_text())
    assert doc["data"]["time"] is None and doc["data"]["target"] == "value"
    assert doc["settings"]["lookback"] == 50  # two seasons
    assert (out / "forecast.csv").read_text().splitlines()[1].startswith("100,")


def test_forecast_plot_and_progress_with_yearly_integers(tmp_path, capsys):
    rows = [f"{1900 + i},{50 + 40 * np.sin(2 * np.pi * i / 11):.2f}" for i in range(80)]
    csv = write_csv(tmp_path / "sun.csv", "year,spots", rows)
    out = tmp_path / "o"
    code, text, err = run(["forecast", csv, "--epochs", "10", "--units", "4", "--out", out], capsys)
    assert code == 0, err
    assert "80 yearly rows, 1900 .. 1979" in text
    assert "season 1 (season, lookback and horizon from the yearly data)" in text
    assert "epoch  1/10" in err and "epoch 10/10" in err  # progress lines without a terminal
    assert (out / "forecast.csv").read_text().splitlines()[1].startswith("1980,")
    assert (out / "forecast.png").stat().st_size > 10_000


@pytest.mark.parametrize("fill, rows_after", [("interpolate", 80), ("drop", 76)])
def test_fill_gaps_and_missing_values(tmp_path, capsys, fill, rows_after):
    rows = monthly_rows(80)
    rows[10] = rows[10].split(",")[0] + ","  # a missing value
    del rows[40:43]  # a gap of three months
    csv = write_csv(tmp_path / "g.csv", "month,sales", rows)
    out = tmp_path / "o"
    code, _, err = run(
        ["forecast", csv, "--fill", fill, "--horizon", "3", "--out", out] + FAST, capsys
    )
    assert code == 0, err
    doc = json.loads((out / "metrics.json").read_text())
    assert doc["data"]["rows"] == rows_after


def test_progress_bar_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    bar = cli.EpochProgress(stream)
    bar.set_params({"epochs": 4})
    for e in range(4):
        bar.on_epoch_end(e, {"loss": 0.5 / (e + 1), "val_loss": 0.6 / (e + 1)})
    bar.on_train_end()
    text = stream.getvalue()
    assert text.count("\r") == 4 and text.endswith("\n")
    assert "[========================] epoch 4/4" in text and "best 0.15 (epoch 4)" in text


# -- bad input: exit status 2, one line, no traceback -----------------------------------------

BAD = [
    ("misspelled", "date,co2", monthly_rows(80), ["--target", "co_2"], "no column 'co_2'"),
    ("time", "date,co2", monthly_rows(80), ["--time", "when"], "Available columns: 'date', 'co2'"),
    (
        "non-numeric",
        "date,co2",
        monthly_rows(30) + ["2002-07-01,12,5"] + monthly_rows(50, 2003),
        [],
        "line 32, column 'co2': '12,5' is not a number",
    ),
    (
        "few-rows",
        "date,co2",
        monthly_rows(40),
        [],
        "40 rows, too few for lookback 24 + horizon 12: training needs 36 rows",
    ),
    (
        "nan",
        "date,co2",
        monthly_rows(5) + ["2000-06-01,"] + monthly_rows(80)[6:],
        [],
        "'co2' at line 7 (2000-06). Use --fill interpolate",
    ),
    (
        "gap",
        "date,co2",
        monthly_rows(80)[:20] + monthly_rows(80)[22:],
        [],
        "2 step(s) missing between line 21 (2001-08) and line 22 (2001-11)",
    ),
    (
        "unsorted",
        "date,co2",
        monthly_rows(3) + [monthly_rows(5)[4], monthly_rows(5)[3]] + monthly_rows(80)[5:],
        [],
        "not in order: line 6 (2000-04-01) comes after line 5 (2000-05-01)",
    ),
    (
        "duplicate",
        "date,co2",
        monthly_rows(4) + monthly_rows(80)[3:],
        [],
        "duplicate time '2000-04-01' in column 'date' at lines 5 and 6",
    ),
    (
        "bad-date",
        "date,co2",
        monthly_rows(10) + ["2000-13-01,3"] + monthly_rows(80)[11:],
        [],
        "line 12, column 'date': '2000-13-01' is not a date",
    ),
    ("no-target", "date,a,b", [f"2000-01-0{i},1,2" for i in range(1, 8)], [], "--target"),
    ("bad-horizon", "date,co2", monthly_rows(80), ["--horizon", "0"], "must be at least 1"),
]


@pytest.mark.parametrize("name, header, rows, extra, message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, name, header, rows, extra, message):
    text = header + "\n" + "\n".join(rows) + "\n"
    if name == "non-numeric":
        text = text.replace("2002-07-01,12,5", '2002-07-01,"12,5"')
    csv = tmp_path / f"{name}.csv"
    csv.write_text(text)
    try:
        code = cli.main(["forecast", str(csv), "--out", str(tmp_path / "o")] + extra)
    except SystemExit as e:  # argparse
        code = e.code
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("lstmkit forecast: error: "), err
    assert message in err
    assert not (tmp_path / "o").exists()


def test_missing_and_non_forecaster_model_folders(tmp_path, capsys):
    csv = write_csv(tmp_path / "h.csv", "date,co2", monthly_rows(30))
    code, _, err = run(["predict", tmp_path / "nothing", csv], capsys)
    assert code == 2 and "no such folder" in err
    code, _, err = run(["summary", tmp_path], capsys)
    assert code == 2 and "not a TF.js Layers model: no model.json" in err
    code, _, err = run(["predict", tmp_path, csv], capsys)
    assert code == 2 and "not an lstmkit forecaster: no model.json" in err
    plain = tf.sequential()
    plain.add(tf.layers.dense(units=1, input_shape=[3]))
    plain.save(tmp_path / "plain")
    code, _, err = run(["predict", tmp_path / "plain", csv], capsys)
    assert code == 2 and "not an lstmkit forecaster: its userDefinedMetadata has no" in err
    plain.save(tmp_path / "tampered", metadata={ts.METADATA_KEY: {"version": 1, "lookback": "x"}})
    code, _, err = run(["predict", tmp_path / "tampered", csv], capsys)
    assert code == 2 and "bad forecaster settings" in err and err.count("\n") == 1
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "model.json").write_text("{not json")
    code, _, err = run(["predict", tmp_path / "broken", csv], capsys)
    assert code == 2 and "not an lstmkit forecaster" in err and err.count("\n") == 1


def test_summary_prints_any_model_folder(tmp_path, capsys):
    """`lstmkit summary` describes any TF.js Layers model, e.g. one TF.js itself saved."""
    fixture = SRC.parent / "tests" / "fixtures" / "tfjs" / "bidirectional_gru_seq"
    code, text, err = run(["summary", fixture], capsys)
    assert code == 0, err
    want = []
    tf.load_layers_model(fixture).summary(print_fn=want.append)
    assert text.startswith("\n".join(want) + "\n")
    assert "not an lstmkit forecaster" in text
    plain = tf.sequential([tf.layers.dense(units=1, input_shape=[3])])
    plain.save(tmp_path / "plain", metadata={"mine": [1, 2]})
    code, text, err = run(["summary", tmp_path / "plain" / "model.json"], capsys)
    assert code == 0 and "Total params: 4" in text and '"mine": [' in text, err


def test_predict_checks_the_history(tmp_path, capsys):
    rows = monthly_rows(80)
    csv = write_csv(tmp_path / "m.csv", "date,co2", rows)
    out = tmp_path / "o"
    code, _, err = run(["forecast", csv, "--out", out] + FAST, capsys)
    assert code == 0, err
    short = write_csv(tmp_path / "short.csv", "date,co2", rows[:10])
    code, _, err = run(["predict", out, short], capsys)
    assert code == 2 and "10 rows; the model needs the last 24 (its lookback)" in err
    other = write_csv(tmp_path / "other.csv", "date,sales", rows)
    code, _, err = run(["predict", out, other], capsys)
    assert code == 2 and "no column 'co2' (the model's target)" in err
    daily = [f"2001-01-{d:02d},{d}" for d in range(1, 31)]
    code, _, err = run(["predict", out, write_csv(tmp_path / "d.csv", "date,co2", daily)], capsys)
    assert code == 2 and "daily data; the model was trained on monthly data" in err


def test_missing_cli_extra_says_how_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pandas", None)
    code, _, err = run(["forecast"], capsys)
    assert code == 1 and 'pip install "lstmkit[cli]"' in err and err.count("\n") == 1


def test_console_entry_point_runs_as_a_program(tmp_path):
    """The module runs as a program: one line on stderr and status 2, no traceback."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run(
        [sys.executable, "-m", "lstmkit.cli", "forecast", "--target", "nope"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("lstmkit forecast: error: ") and "Traceback" not in proc.stderr
    assert "no column 'nope'" in proc.stderr and proc.stderr.count("\n") == 1
