"""The `lstmkit` command under hostile input (issue 14, items 3 and 7): every numeric option
is checked against the data at once, every output path before training, and every refusal
is ONE line on stderr (`lstmkit <command>: error: ...`), exit status 2, no traceback and no
NumPy warning, whatever the names, numbers and paths given."""

from __future__ import annotations

import csv as csv_module
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pandas")

from guards import deadline

from lstmkit import cli
from lstmkit.cli import forecast_command

FAST = ["--epochs", "1", "--units", "2", "--quiet", "--no-plot"]


def run(argv, capsys):
    """(exit status, stdout, stderr) of `lstmkit argv`; argparse's exits included; fails on
    any warning raised meanwhile (NumPy's overflow warnings among them)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as e:
            code = e.code
    out, err = capsys.readouterr()
    assert not caught, [str(w.message) for w in caught]
    return code, out, err


def refused(argv, capsys, command="forecast"):
    """The one line of a refused command (exit status 2), without its prefix."""
    code, _, err = run(argv, capsys)
    prefix = f"lstmkit {command}: error: "
    assert code == 2, err
    assert err.startswith(prefix) and err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err and "Warning" not in err, err
    return err[len(prefix) : -1]


def monthly(path: Path, n=80, header="date,co2", value=lambda i: f"{10 + np.sin(i / 2):.4f}"):
    rows = [f"{2000 + i // 12}-{i % 12 + 1:02d}-01,{value(i)}" for i in range(n)]
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


@pytest.fixture
def no_training(monkeypatch):
    """Training fails the test: refusals must come before it."""

    def train(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(forecast_command, "train_and_backtest", train)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A forecaster trained on 80 monthly rows (lookback 24, horizon 12)."""
    folder = tmp_path_factory.mktemp("model")
    csv = monthly(folder / "m.csv")
    assert cli.main(["forecast", str(csv), "--out", str(folder / "out")] + FAST) == 0
    return folder / "out", csv


# -- item 3: numeric options against the data, at once ----------------------------------------


@pytest.mark.parametrize(
    "extra, says",
    [
        (["--lookback", 10**12], "too few for lookback 1000000000000 + horizon 12"),
        (["--lookback", 10**30], "use --lookback 44 or less (with horizon 12)"),
        (["--horizon", 10**12], "use --horizon 18 or less (with lookback 24)"),
        (["--lookback", 10**12, "--horizon", 10**12], "Use a smaller --lookback, --horizon"),
        (["--val-fraction", 0.49, "--test-fraction", 0.49], "--val-fraction or --test-fraction"),
        (["--season", 10**12, "--lookback", 5], "a season can be at most 55 steps"),
    ],
    ids=["lookback", "lookback-1e30", "horizon", "both", "fractions", "season"],
)
def test_huge_window_options_are_refused_at_once(tmp_path, capsys, no_training, extra, says):
    csv = monthly(tmp_path / "m.csv")
    with deadline(30):  # a hang guard (the old row search never ended), not a speed check
        line = refused(["forecast", csv, "--out", tmp_path / "o"] + extra + FAST, capsys)
    assert says in line, line
    assert not (tmp_path / "o").exists()


def test_huge_lookback_gives_the_rows_needed(tmp_path, capsys, no_training):
    csv = monthly(tmp_path / "m.csv")
    with deadline(2):
        line = refused(["forecast", csv, "--lookback", 10**12] + FAST, capsys)
    # 70% of the rows for training: (10**12 + 12) / 0.7, rounded up to a row count that fits
    assert "1428571428588 rows in all" in line
    assert "With 80 rows, use --lookback 44 or less" in line


def test_predict_refuses_steps_past_any_limit(model_dir, capsys):
    out, csv = model_dir
    with deadline(2):
        line = refused(["predict", out, csv, "--steps", 10**12], capsys, "predict")
    assert "--steps 1000000000000" in line and "use --steps 10000 or less" in line


def test_horizon_past_the_last_representable_date(tmp_path, capsys, no_training):
    rows = [f"{2255 + i // 12}-{i % 12 + 1:02d}-01,{np.sin(i):.3f}" for i in range(80)]
    csv = tmp_path / "late.csv"
    csv.write_text("date,y\n" + "\n".join(rows) + "\n")
    line = refused(["forecast", csv, "--out", tmp_path / "o"] + FAST, capsys)
    assert "--horizon 12 goes past the last time" in line and "use --horizon 7 or less" in line


@pytest.mark.parametrize(
    "extra, says",
    [
        (["--units", 10**6], "argument --units: must be at most 1024, got 1000000 (use --units"),
        (["--seed", -1], "argument --seed: must be 0 or more, got -1"),
    ],
    ids=["units", "seed"],
)
def test_model_options_have_bounds(tmp_path, capsys, no_training, extra, says):
    csv = monthly(tmp_path / "m.csv")
    line = refused(["forecast", csv, "--out", tmp_path / "o"] + extra, capsys)
    assert line.startswith(says) and line.endswith(" (see lstmkit forecast --help)"), line


# -- item 7: output paths checked before training ---------------------------------------------


def _place(tmp_path: Path, layout: str) -> Path:
    """An --out path made hostile: a file, a path under a file, or a folder holding a
    folder where a file goes (or a file where the model folder goes)."""
    (tmp_path / "afile").write_text("x")
    if layout == "file":
        return tmp_path / "afile"
    if layout == "under-file":
        return tmp_path / "afile" / "sub" / "out"
    out = tmp_path / "out"
    out.mkdir()
    if layout == "csv-is-folder":
        (out / "forecast.csv").mkdir()
    else:
        (out / "model").write_text("x")
    return out


@pytest.mark.parametrize(
    "layout, says",
    [
        ("file", "is a file, not a folder"),
        ("under-file", "the folder cannot be made"),
        ("csv-is-folder", "forecast.csv' is a folder, where the file 'forecast.csv'"),
        ("model-is-file", "model' is a file, where the folder 'model'"),
    ],
)
def test_forecast_out_is_checked_before_training(tmp_path, capsys, no_training, layout, says):
    csv = monthly(tmp_path / "m.csv")
    out = _place(tmp_path, layout)
    line = refused(["forecast", csv, "--out", out] + FAST, capsys)
    assert line.startswith(f"--out {str(out)!r}") and says in line, line


@pytest.mark.parametrize("command", ["forecast", "predict"])
def test_an_empty_out_is_refused(model_dir, capsys, no_training, command):
    out, csv = model_dir
    argv = ["forecast", csv] if command == "forecast" else ["predict", out, csv]
    line = refused(argv + ["--out", ""], capsys, command)
    assert line == "--out '' names no " + ("folder" if command == "forecast" else "file") + (
        "; name one, or drop the option."
    )


def test_forecast_out_in_a_read_only_folder(tmp_path, capsys, no_training, monkeypatch):
    csv = monthly(tmp_path / "m.csv")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.geteuid() == 0:  # root writes anywhere: refuse it there as the folder would a user
        real_access = os.access

        def access(path, mode, *args, **kwargs):
            if os.path.abspath(path) == str(locked) and mode & os.W_OK:
                return False
            return real_access(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "access", access)
    try:
        line = refused(["forecast", csv, "--out", locked / "o"] + FAST, capsys)
    finally:
        locked.chmod(0o700)
    assert "is not writable" in line


@pytest.mark.parametrize(
    "layout, says",
    [("folder", "is a folder; name a file"), ("under-file", "the file cannot be made")],
)
def test_predict_out_is_checked_first(model_dir, tmp_path, capsys, layout, says):
    out, csv = model_dir
    (tmp_path / "afile").write_text("x")
    target = tmp_path if layout == "folder" else tmp_path / "afile" / "f.csv"
    line = refused(["predict", out, csv, "--out", target], capsys, "predict")
    assert says in line, line
    assert (tmp_path / "afile").read_text() == "x"


def test_predict_out_makes_missing_folders(model_dir, tmp_path, capsys):
    out, csv = model_dir
    target = tmp_path / "new" / "deeper" / "f.csv"
    code, text, err = run(["predict", out, csv, "--out", target], capsys)
    assert code == 0, err
    assert target.read_text().splitlines()[0] == "date,co2"


# -- item 7: names with line breaks or escapes stay on one line --------------------------------


def test_newline_in_target_option(tmp_path, capsys, no_training):
    csv = monthly(tmp_path / "m.csv")
    line = refused(["forecast", csv, "--target", "co\n2"] + FAST, capsys)
    assert "no column 'co\\n2' (--target). Did you mean 'co2'?" in line


@pytest.mark.parametrize("name", ["co\n2", "co\r2", "co\x1b[31m2", "co\u20282"])
def test_odd_characters_in_a_header(tmp_path, capsys, no_training, name):
    csv = monthly(tmp_path / "m.csv", header=f'date,"{name}"')
    line = refused(["forecast", csv, "--target", "co2"] + FAST, capsys)
    assert f"Available columns: 'date', {name!r}." in line


def test_a_header_with_a_newline_trains_and_writes_valid_csv(tmp_path, capsys):
    csv = monthly(tmp_path / "m.csv", header='date,"co\n2"')
    out = tmp_path / "o"
    code, _, err = run(["forecast", csv, "--out", out] + FAST, capsys)
    assert code == 0, err
    with open(out / "forecast.csv", newline="") as f:
        rows = list(csv_module.reader(f))
    assert rows[0] == ["date", "co\n2", "seasonal_naive"] and len(rows) == 13


def test_unknown_option_names_the_subcommand(tmp_path, capsys):
    code, _, err = run(["forecast", "--bogus"], capsys)
    assert code == 2
    assert err == (
        "lstmkit forecast: error: unrecognized arguments: --bogus (see lstmkit forecast --help)\n"
    )
    code, _, err = run(["summary", tmp_path, "--bogus", "--x\ny"], capsys)
    assert code == 2
    assert err == (
        "lstmkit summary: error: unrecognized arguments: --bogus --x\\ny (see lstmkit summary "
        "--help)\n"
    )


# -- item 7: values too large for float32 training ---------------------------------------------


def test_values_near_1e308_are_reported_as_too_large(tmp_path, capsys, no_training):
    csv = monthly(tmp_path / "big.csv", value=lambda i: "1e308" if i % 2 else "-1e308")
    line = refused(["forecast", csv] + FAST, capsys)
    assert "line 2, column 'co2': -1e+308 is too large for float32 training" in line
    assert "divide the column by 1e+302" in line and "NaN" not in line


def test_an_outlier_that_overflows_when_scaled(tmp_path, capsys, no_training):
    csv = monthly(tmp_path / "o.csv", value=lambda i: "1e200" if i == 70 else f"{np.sin(i):.3f}")
    line = refused(["forecast", csv] + FAST, capsys)
    assert "line 72, column 'co2': 1e+200 is too large for float32 training" in line


def test_a_spread_beyond_float32_in_the_training_rows(tmp_path, capsys, no_training):
    # every value fits float32, but the training rows spread over 1e-30, so the later values
    # are ~1e68 once scaled
    csv = monthly(
        tmp_path / "s.csv", value=lambda i: f"{1e-30 * np.sin(i):.3e}" if i < 56 else "3e38"
    )
    line = refused(["forecast", csv] + FAST, capsys)
    assert "column 'co2': 3e+38 is too far from the training rows" in line
    assert "overflows float32 training" in line


def test_predict_refuses_a_history_too_large(model_dir, tmp_path, capsys):
    out, _ = model_dir
    csv = monthly(tmp_path / "big.csv", value=lambda i: "1e308")
    line = refused(["predict", out, csv], capsys, "predict")
    assert "column 'co2': 1e+308 is too large for float32 training" in line


# -- item 7: a column of numbers given as the time --------------------------------------------


def test_time_option_on_a_number_column(tmp_path, capsys, no_training):
    csv = monthly(
        tmp_path / "p.csv",
        header="date,co2,price",
        value=lambda i: f"{10 + np.sin(i / 2):.4f},{9.97 if i in (3, 4) else 9 + i / 100:.2f}",
    )
    line = refused(["forecast", csv, "--target", "co2", "--time", "price"] + FAST, capsys)
    assert "column 'price' holds numbers, not times: '9.97' at line 6 repeats '9.97'" in line
    assert "--time COL" in line and "--no-time" in line and "duplicate time" not in line


def test_no_time_numbers_the_rows(tmp_path, capsys):
    csv = monthly(tmp_path / "m.csv", header="date,co2")
    out = tmp_path / "o"
    code, _, err = run(
        ["forecast", csv, "--no-time", "--horizon", "3", "--out", out] + FAST, capsys
    )
    assert code == 0, err
    assert (out / "forecast.csv").read_text().splitlines()[:2][1].startswith("80,")
    code, text, err = run(["predict", out, csv], capsys)
    assert code == 0 and text.splitlines()[0] == "row,co2", err


@pytest.mark.parametrize("bad", ["inf", "1e308"])
def test_time_numbers_too_large(tmp_path, capsys, no_training, bad):
    rows = [f"-{bad},0"] + [f"{i},{np.sin(i):.3f}" for i in range(1, 79)] + [f"{bad},1"]
    csv = tmp_path / "t.csv"
    csv.write_text("t,y\n" + "\n".join(rows) + "\n")
    line = refused(["forecast", csv] + FAST, capsys)
    assert "column 't'" in line and "is not a time" in line and "--no-time" in line


def test_times_pandas_cannot_read(tmp_path, capsys, no_training):
    rows = [f"2000-01-{1 + i // 24:02d}T{i % 24:02d}:00:00+0{i % 3}:00,{i}" for i in range(80)]
    csv = tmp_path / "tz.csv"
    csv.write_text("date,y\n" + "\n".join(rows) + "\n")
    line = refused(["forecast", csv] + FAST, capsys)
    assert line.startswith(f"{csv}, column 'date': the times cannot be read as dates: ")
