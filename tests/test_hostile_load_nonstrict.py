"""A non-strict load draws from initializers only the weights the files lack (issue 14,
item 1): the others are matched by their saved names while the model is built and made as
zeros, outside the `max_init_params` budget (`Layer.add_weight` hands the budget each
weight's saved name)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lstmkit as tf
from lstmkit.io import ModelFormatError

L = tf.layers


def write_json(folder, doc):
    (folder / "model.json").write_text(json.dumps(doc))


def test_weights_the_files_set_are_zeros_not_draws(tmp_path):
    """A non-strict load draws only what the files lack: with a budget of 0 the full files
    load; without the bias the load needs its 4 * units values from the initializer."""
    model = tf.sequential(layers=[L.lstm(units=64, input_shape=[2, 3])])
    model.save(tmp_path / "m")
    got = tf.load_layers_model(tmp_path / "m", strict=False, max_init_params=0)
    for a, b in zip(got.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    doc = json.loads((tmp_path / "m" / "model.json").read_text())
    doc["weightsManifest"][0]["weights"].pop()  # the bias, last in the file
    raw = (tmp_path / "m" / "weights.bin").read_bytes()
    (tmp_path / "m" / "weights.bin").write_bytes(raw[: -4 * 4 * 64])
    write_json(tmp_path / "m", doc)
    with pytest.raises(ModelFormatError, match=r"bias .* of shape \[256\]"):
        tf.load_layers_model(tmp_path / "m", strict=False, max_init_params=255)
    got = tf.load_layers_model(tmp_path / "m", strict=False, max_init_params=256)
    np.testing.assert_array_equal(got.weights[1].numpy(), model.weights[1].numpy())
    fresh = tf.sequential(layers=[L.lstm(units=64, input_shape=[2, 3])])  # its bias's init
    np.testing.assert_array_equal(got.weights[2].numpy(), fresh.weights[2].numpy())
