"""Initializer, regularizer and constraint configs with numbers no float holds (10**400, 1e400,
NaN) are refused where they are made, in code and in a model.json (issue 14, item 11)."""

from __future__ import annotations

import json

import pytest

import lstmkit as tf
from lstmkit.io.errors import ModelFormatError

HUGE = 10**400

CASES = [
    ("kernel_initializer", {"class_name": "RandomNormal", "config": {"stddev": HUGE}}, "stddev"),
    ("kernel_initializer", {"class_name": "RandomUniform", "config": {"maxval": 1e400}}, "maxval"),
    ("kernel_initializer", {"class_name": "Constant", "config": {"value": HUGE}}, "value"),
    ("kernel_initializer", {"class_name": "VarianceScaling", "config": {"scale": 1e400}}, "scale"),
    ("kernel_regularizer", {"class_name": "L1L2", "config": {"l1": HUGE, "l2": 0}}, "l1"),
    ("kernel_constraint", {"class_name": "MaxNorm", "config": {"max_value": 1e400}}, "max_value"),
]


def _model_json(key: str, value: dict) -> str:
    layer = {"class_name": "Dense", "config": {"units": 2, "batch_input_shape": [None, 3]}}
    layer["config"][key] = value
    topology = {"class_name": "Sequential", "config": {"name": "s", "layers": [layer]}}
    return json.dumps({"modelTopology": topology}).replace("Infinity", "1e400")


@pytest.mark.parametrize("key, value, name", CASES)
def test_a_number_beyond_float64_in_a_file_is_a_model_format_error(tmp_path, key, value, name):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "model.json").write_text(_model_json(key, value))
    with pytest.raises(ModelFormatError, match=f"{name} must be a finite number") as e:
        tf.load_layers_model(str(folder))
    assert "model.json" in str(e.value)


@pytest.mark.parametrize(
    "make",
    [
        lambda: tf.initializers.randomNormal({"stddev": HUGE}),
        lambda: tf.initializers.constant({"value": float("nan")}),
        lambda: tf.regularizers.l2({"l2": float("inf")}),
        lambda: tf.constraints.maxNorm({"maxValue": float("nan")}),
    ],
)
def test_code_gets_the_same_check(make):
    with pytest.raises(ValueError, match="must be a finite number"):
        make()
