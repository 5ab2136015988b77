"""The command's parts that need no pandas: window defaults per frequency, FitOptions and the
parser agreeing on every default, and the old `lstmkit.cli` names still importable."""

from __future__ import annotations

import dataclasses

import pytest

from lstmkit import cli
from lstmkit import timeseries as ts
from lstmkit.cli.fit_options import FitOptions
from lstmkit.cli.parser import build_parser


def test_frequency_table_is_the_documented_one():
    # the table of the module docstring (and the README): season, lookback, horizon
    assert ts.FREQUENCY_DEFAULTS["monthly"] == (12, 24, 12)
    assert ts.FREQUENCY_DEFAULTS["hourly"] == (24, 48, 24)
    assert ts.frequency_defaults("every 2 months") == ts.FALLBACK_DEFAULTS == (1, 12, 6)
    assert cli.DEFAULTS is ts.FREQUENCY_DEFAULTS  # the old name still works


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, (12, 24, 12, ("season", "lookback", "horizon"))),
        ({"horizon": 3}, (12, 24, 3, ("season", "lookback"))),
        # a season without a lookback: two seasons, at least 12 steps
        ({"season": 4}, (4, 12, 12, ("lookback", "horizon"))),
        ({"season": 9}, (9, 18, 12, ("lookback", "horizon"))),
        # season 1 keeps the frequency's lookback
        ({"season": 1}, (1, 24, 12, ("lookback", "horizon"))),
        ({"season": 9, "lookback": 5, "horizon": 2}, (9, 5, 2, ())),
    ],
)
def test_choose_windows_fills_in_what_is_missing(given, expected):
    c = ts.choose_windows("monthly", **given)
    assert (c.season, c.lookback, c.horizon, c.from_frequency) == expected


def test_parser_defaults_are_fit_options_defaults():
    args = build_parser().parse_args(["forecast"])
    assert FitOptions.from_args(args) == FitOptions()
    changed = build_parser().parse_args(
        ["forecast", "--units", "8", "--no-early-stopping", "--quiet", "--level", "last"]
    )
    options = FitOptions.from_args(changed)
    assert (options.units, options.early_stopping, options.progress) == (8, False, False)
    assert options.fit_kwargs()["patience"] is None  # no early stopping: no patience
    assert options.fit_kwargs()["level"] == "last"


def test_fit_kwargs_names_fit_forecaster_arguments():
    import inspect

    accepted = set(inspect.signature(ts.fit_forecaster).parameters)
    assert set(FitOptions().fit_kwargs()) <= accepted
    fields = {f.name for f in dataclasses.fields(FitOptions)}
    assert fields - {"early_stopping", "progress"} == set(FitOptions().fit_kwargs())
