"""Layer configs are checked when the layer is made, so a file gets the constructor's error
(issue 14, items 10 and 11).

Every registered layer class is loaded from a model.json with each of its options (and the
options every layer takes) set to wrong types and absurd values: each load must end in
ModelFormatError naming the file and the layer, never in a layer that fails later (at
predict) or in another exception. The same values given in code raise the same message.
A stateful recurrent layer refuses a batch whose states would pass MAX_STATE_VALUES, made in
code or read from a file, before anything is allocated.
"""

from __future__ import annotations

import json
import os
import tracemalloc
import zlib

import numpy as np
import pytest

import lstmkit as tf
from lstmkit.io import ModelFormatError
from lstmkit.layers import registry
from lstmkit.layers.options import MAX_DIM
from lstmkit.layers.recurrent.loop import MAX_STATE_VALUES

NAME = "victim_layer"
HUGE = 10**400  # no float holds it (the mask_value)
INF = float("inf")  # what JSON's 1e400 parses to

BAD = {
    "dim": [0, -1, 3.5, "3", True, [], {}, [3, 4], HUGE, INF, 2**31, 2**40, 3.4e38],
    "rate": ["0.5", True, {}, [], HUGE, INF, -INF],
    "number": ["x", True, {}, [], HUGE, INF, -INF],
    "bool": ["yes", {}, [], 2, 0.5],
    "activation": [3, {}, [], "bogus", True],
    "initializer": [3, "bogus", {"class_name": "Bogus"}, [], True],
    "regularizer": [3, "bogus", [], True],
    "constraint": [3, "bogus", [], True],
    "data_format": [3, "bogus", {}, []],
    "padding": [3, "bogus", {}, [], True],
    "noise_shape": ["x", [3.5], [-2, 4], ["a"], {}, [HUGE], [2**31]],
    "target_shape": ["x", [3.5], ["a"], {}, [HUGE], [INF], [0], [-2], [2**31]],
    "dims": ["x", [3.5, 1], ["a"], {}, [HUGE], 3, [1, 1]],
    "axes": ["x", [3.5], ["a"], {}, [HUGE], 3.5, HUGE],
    "axis": ["x", 3.5, {}, [], HUGE, True, INF, 2**31],
    "seed": ["x", {}, [], HUGE, INF, 2**60],
    "output_mode": [3, "bogus", {}, []],
    "merge_mode": [3, "bogus", {}, []],
    "layer": [3, "x", [], {"class_name": "Bogus", "config": {}}],
    "name": [{}, [], 3, True, {"a": 1}, 3.5],
    "dtype": ["bogus", 3, {}, [], True, "float128"],
    "shape": [
        "x",
        [None, 3.5],
        [None, "a"],
        {},
        [None, HUGE],
        [None, INF],
        [None, -5],
        [2**31, 4],
        [None, 2**40],
        3.5,
    ],
    "batch_size": [0, -1, 3.5, "3", True, [], {}, HUGE, INF, 2**31],
}

RNN_OPTIONS = {
    "units": "dim",
    "activation": "activation",
    "recurrent_activation": "activation",
    "use_bias": "bool",
    "dropout": "rate",
    "recurrent_dropout": "rate",
    "return_sequences": "bool",
    "return_state": "bool",
    "go_backwards": "bool",
    "stateful": "bool",
    "unroll": "bool",
    "kernel_initializer": "initializer",
    "recurrent_initializer": "initializer",
    "bias_initializer": "initializer",
    "kernel_regularizer": "regularizer",
    "recurrent_constraint": "constraint",
    "input_dim": "dim",
    "input_length": "dim",
}
POOLING = {"pool_size": "dim", "strides": "dim", "padding": "padding"}
MERGE = ({}, None, {})

# class name -> (a config that loads, the first layer's batch_input_shape, options by kind).
# Merge layers need two inputs: they are loaded in a functional model (see _document).
CASES = {
    "Dense": (
        {"units": 3},
        [None, 4],
        {
            "units": "dim",
            "activation": "activation",
            "use_bias": "bool",
            "input_dim": "dim",
            "kernel_initializer": "initializer",
            "bias_initializer": "initializer",
            "kernel_regularizer": "regularizer",
            "bias_regularizer": "regularizer",
            "kernel_constraint": "constraint",
            "bias_constraint": "constraint",
        },
    ),
    "Activation": ({"activation": "relu"}, [None, 4], {"activation": "activation"}),
    "Dropout": (
        {"rate": 0.5},
        [None, 4],
        {"rate": "rate", "noise_shape": "noise_shape", "seed": "seed"},
    ),
    "SpatialDropout1D": ({"rate": 0.5}, [None, 3, 4], {"rate": "rate", "seed": "seed"}),
    "Flatten": ({}, [None, 3, 4], {"data_format": "data_format"}),
    "Reshape": ({"target_shape": [12]}, [None, 3, 4], {"target_shape": "target_shape"}),
    "Permute": ({"dims": [2, 1]}, [None, 3, 4], {"dims": "dims"}),
    "RepeatVector": ({"n": 2}, [None, 4], {"n": "dim"}),
    "Masking": ({"mask_value": 0.0}, [None, 3, 4], {"mask_value": "number"}),
    "ReLU": ({}, [None, 4], {"max_value": "number"}),
    "LeakyReLU": ({}, [None, 4], {"alpha": "number"}),
    "PReLU": (
        {},
        [None, 4],
        {
            "alpha_initializer": "initializer",
            "alpha_regularizer": "regularizer",
            "alpha_constraint": "constraint",
            "shared_axes": "axes",
        },
    ),
    "ELU": ({}, [None, 4], {"alpha": "number"}),
    "ThresholdedReLU": ({}, [None, 4], {"theta": "number"}),
    "Softmax": ({}, [None, 4], {"axis": "axis"}),
    "Conv1D": (
        {"filters": 2, "kernel_size": 2},
        [None, 5, 3],
        {
            "filters": "dim",
            "kernel_size": "dim",
            "strides": "dim",
            "dilation_rate": "dim",
            "padding": "padding",
            "data_format": "data_format",
            "activation": "activation",
            "use_bias": "bool",
            "kernel_initializer": "initializer",
        },
    ),
    "Embedding": (
        {"input_dim": 5, "output_dim": 3},
        [None, 4],
        {
            "input_dim": "dim",
            "output_dim": "dim",
            "mask_zero": "bool",
            "embeddings_initializer": "initializer",
            "input_length": "dim",
        },
    ),
    "Add": MERGE,
    "Multiply": MERGE,
    "Average": MERGE,
    "Maximum": MERGE,
    "Minimum": MERGE,
    "Concatenate": ({}, None, {"axis": "axis"}),
    "Dot": ({"axes": 1}, None, {"axes": "axes", "normalize": "bool"}),
    "GaussianNoise": ({"stddev": 0.1}, [None, 4], {"stddev": "number", "seed": "seed"}),
    "GaussianDropout": ({"rate": 0.1}, [None, 4], {"rate": "rate", "seed": "seed"}),
    "AlphaDropout": (
        {"rate": 0.1},
        [None, 4],
        {"rate": "rate", "noise_shape": "noise_shape", "seed": "seed"},
    ),
    "BatchNormalization": (
        {},
        [None, 4],
        {
            "axis": "axis",
            "momentum": "number",
            "epsilon": "number",
            "center": "bool",
            "scale": "bool",
            "beta_initializer": "initializer",
            "gamma_initializer": "initializer",
            "moving_mean_initializer": "initializer",
            "moving_variance_initializer": "initializer",
            "beta_regularizer": "regularizer",
            "gamma_constraint": "constraint",
        },
    ),
    "LayerNormalization": (
        {},
        [None, 4],
        {
            "axis": "axis",
            "epsilon": "number",
            "center": "bool",
            "scale": "bool",
            "beta_initializer": "initializer",
            "gamma_regularizer": "regularizer",
        },
    ),
    "MaxPooling1D": ({}, [None, 6, 3], POOLING),
    "AveragePooling1D": ({}, [None, 6, 3], POOLING),
    "GlobalMaxPooling1D": ({}, [None, 6, 3], {}),
    "GlobalAveragePooling1D": ({}, [None, 6, 3], {}),
    "Rescaling": ({"scale": 0.5}, [None, 4], {"scale": "number", "offset": "number"}),
    "CategoryEncoding": (
        {"num_tokens": 5},
        [None, 4],
        {"num_tokens": "dim", "output_mode": "output_mode"},
    ),
    "LSTM": ({"units": 3}, [None, 3, 2], {**RNN_OPTIONS, "unit_forget_bias": "bool"}),
    "GRU": ({"units": 3}, [None, 3, 2], {**RNN_OPTIONS, "reset_after": "bool"}),
    "SimpleRNN": ({"units": 3}, [None, 3, 2], RNN_OPTIONS),
    "RNN": (
        {"cell": {"class_name": "LSTMCell", "config": {"units": 3}}},
        [None, 3, 2],
        {"return_sequences": "bool", "go_backwards": "bool", "stateful": "bool", "cell": "layer"},
    ),
    "Bidirectional": (
        {"layer": {"class_name": "LSTM", "config": {"units": 3}}},
        [None, 3, 2],
        {"merge_mode": "merge_mode", "layer": "layer"},
    ),
    "TimeDistributed": (
        {"layer": {"class_name": "Dense", "config": {"units": 3}}},
        [None, 3, 2],
        {"layer": "layer"},
    ),
    "InputLayer": ({}, [None, 4], {"sparse": "bool"}),
}
# In a file these are cells inside an RNN (their own options are tested through it), the
# base class, or models (their options are graphs, checked by the model loaders).
NOT_LOADED_ALONE = {
    "Layer",
    "RNNCell",
    "StackedRNNCells",
    "LSTMCell",
    "GRUCell",
    "SimpleRNNCell",
    "Model",
    "Sequential",
}
BASE = {
    "name": "name",
    "trainable": "bool",
    "dtype": "dtype",
    "batch_input_shape": "shape",
    "batch_size": "batch_size",
}


def _document(class_name: str, config: dict, shape) -> dict:
    config = {"name": NAME, **config}
    if CASES[class_name][1] is None:  # a merge layer: two inputs in a functional model
        inputs = [
            {"class_name": "InputLayer", "config": {"name": n, "batch_input_shape": [None, 4]}}
            for n in ("a", "b")
        ]
        layers = [
            *[{**i, "inbound_nodes": []} for i in inputs],
            {
                "class_name": class_name,
                "config": config,
                "inbound_nodes": [[["a", 0, 0, {}], ["b", 0, 0, {}]]],
            },
        ]
        if shape is not None:
            config["batch_input_shape"] = shape
        topology = {
            "class_name": "Model",
            "config": {
                "name": "m",
                "layers": layers,
                "input_layers": [["a", 0, 0], ["b", 0, 0]],
                "output_layers": [[NAME, 0, 0]],
            },
        }
    else:
        if shape is not None:
            config = {"batch_input_shape": shape, **config}
        topology = {
            "class_name": "Sequential",
            "config": {"name": "m", "layers": [{"class_name": class_name, "config": config}]},
        }
    return {"modelTopology": topology}


def _write(folder, document) -> None:
    text = json.dumps(document, allow_nan=True).replace("Infinity", "1e400")
    (folder / "model.json").write_text(text)


def _options(class_name):
    own = dict(CASES[class_name][2])
    if class_name == "InputLayer":
        return {**own, "name": "name", "dtype": "dtype", "batch_input_shape": "shape"}
    base = dict(BASE)
    if CASES[class_name][1] is None:
        base.pop("batch_input_shape")
    return {**own, **base}


FULL = bool(os.environ.get("LSTMKIT_FUZZ_EXAMPLES"))
"""Every bad value for every option (LSTMKIT_FUZZ_EXAMPLES=1, or -m fuzz); by default 2 of
them per option, a different 2 for each option (all are used across the classes)."""


def _values(class_name: str, option: str, kind: str, full: bool) -> list:
    values = BAD[kind]
    if full:
        return values
    start = zlib.crc32(f"{class_name}.{option}".encode()) % len(values)
    return [values[(start + i) % len(values)] for i in range(min(2, len(values)))]


def test_every_registered_layer_class_is_covered():
    built_in = {n for n, c in registry.CLASSES.items() if c.__module__.startswith("lstmkit.")}
    assert built_in - NOT_LOADED_ALONE == set(CASES)


@pytest.mark.parametrize("class_name", sorted(CASES))
def test_the_base_configs_load_and_run(class_name, tmp_path):
    config, shape, _ = CASES[class_name]
    _write(tmp_path, _document(class_name, config, shape))
    model = tf.load_layers_model(tmp_path)
    if class_name == "InputLayer":  # a model of one InputLayer has no layer to run
        assert list(model.inputs[0].shape) == [None, 4]
        return
    xs = [np.ones([2 if d is None else d for d in i.shape], np.float32) for i in model.inputs]
    model.predict(xs if len(xs) > 1 else xs[0])


@pytest.mark.fuzz
@pytest.mark.parametrize("class_name", sorted(CASES))
def test_a_bad_option_in_a_file_is_a_model_format_error_naming_the_layer(
    class_name, tmp_path, request
):
    """For each option of the class and of every layer: each bad value, loaded from a
    model.json, is a ModelFormatError naming the file and the layer (its class, for a bad
    name), and no other exception."""
    full = FULL or "fuzz" in (request.config.getoption("markexpr", "") or "")
    config, shape, _ = CASES[class_name]
    for option, kind in sorted(_options(class_name).items()):
        for value in _values(class_name, option, kind, full):
            cfg, bis = dict(config), shape
            if option == "batch_input_shape":
                bis = value
            else:
                cfg[option] = value
            _write(tmp_path, _document(class_name, cfg, bis))
            with pytest.raises(ModelFormatError) as e:
                tf.load_layers_model(tmp_path)
            message = str(e.value)
            assert message.startswith(str(tmp_path / "model.json")), message
            layer = class_name if option == "name" else NAME
            assert layer in message.split("cannot build the model")[-1], (option, value, message)


CODE_CASES = [
    ("dense", {"units": 3.5}, "Expected units to be a positive integer, but got 3.5"),
    ("dense", {"units": 2**31}, "more than 2147483647"),
    ("conv1d", {"filters": 2, "kernel_size": 2, "strides": 3.4e38}, "strides"),
    ("masking", {"mask_value": HUGE}, "mask_value must be a finite number"),
    ("dropout", {"rate": INF}, "rate must be a finite number"),
    ("dense", {"units": 3, "name": {"a": 1}}, "name must be a string"),
    ("dense", {"units": 3, "dtype": "float128"}, "dtype must be one of"),
    ("lstm", {"units": 3, "return_sequences": "yes"}, "return_sequences must be true or false"),
    ("embedding", {"input_dim": 5, "output_dim": 0}, "Expected output_dim to be a positive"),
    ("softmax", {"axis": HUGE}, "is not an axis of any tensor"),
    ("maxPooling1d", {"pool_size": [2.5]}, "positive integer"),
    ("dense", {"units": 3, "batch_input_shape": [None, 3.5]}, "batch_input_shape[1]"),
]


@pytest.mark.parametrize(("factory", "options", "words"), CODE_CASES)
def test_code_and_files_get_the_same_check(factory, options, words, tmp_path):
    """The constructor raises; the file's error carries the constructor's message."""
    with pytest.raises(ValueError, match=None) as made:
        getattr(tf.layers, factory)({"name": NAME, **options})
    assert words in str(made.value)
    class_name = type(getattr(tf.layers, factory)(CASES_BY_FACTORY[factory])).class_name
    config, shape, _ = CASES[class_name]
    cfg = {**config, **{k: v for k, v in options.items() if k != "batch_input_shape"}}
    _write(tmp_path, _document(class_name, cfg, options.get("batch_input_shape", shape)))
    with pytest.raises(ModelFormatError) as loaded:
        tf.load_layers_model(tmp_path)
    assert str(made.value) in str(loaded.value)


CASES_BY_FACTORY = {
    "dense": {"units": 3},
    "conv1d": {"filters": 2, "kernel_size": 2},
    "masking": {},
    "dropout": {"rate": 0.5},
    "lstm": {"units": 3},
    "embedding": {"input_dim": 5, "output_dim": 3},
    "softmax": {},
    "maxPooling1d": {},
}


def test_the_input_function_checks_its_shape():
    for shape in ([3.5], [HUGE], ["a"], [2**31]):
        with pytest.raises(ValueError, match="shape"):
            tf.input(shape=shape)
    with pytest.raises(ValueError, match=r"batch_shape\[0\] is 2147483648"):
        tf.input(batch_shape=[2**31, 3])
    assert list(tf.input(shape=[3.0]).shape) == [None, 3]


def test_good_values_keep_their_numbers(tmp_path):
    """What loaded before loads the same: integral floats are integers, mask_value 0 stays 0,
    rates out of [0, 1] are clipped as TF.js does, Keras 3's DTypePolicy names its dtype."""
    layer = tf.layers.dense({"units": 3.0, "inputShape": [4.0]})
    assert layer.units == 3 and isinstance(layer.units, int)
    assert tf.layers.masking({}).get_config()["mask_value"] == 0
    assert tf.layers.dropout({"rate": 1.5}).rate == 1
    policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}
    _write(tmp_path, _document("Dense", {"units": 3, "dtype": policy}, [None, 4]))
    assert tf.load_layers_model(tmp_path).layers[0].dtype == "float32"


# -- item 10: memory reserved at build time ---------------------------------------------------

STATEFUL = [
    {"class_name": "LSTM", "config": {"units": 4}},
    {"class_name": "GRU", "config": {"units": 4}},
    {"class_name": "SimpleRNN", "config": {"units": 4}},
    {"class_name": "RNN", "config": {"cell": {"class_name": "LSTMCell", "config": {"units": 4}}}},
]


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("entry", STATEFUL, ids=lambda e: e["class_name"])
@pytest.mark.parametrize("batch", [10**9, MAX_STATE_VALUES // 4 + 1, 2**31 - 1])
def test_a_stateful_batch_too_large_is_refused_before_allocating(entry, batch, tmp_path):
    """From a file (1e9 x 5 x 3: 30 GiB of states) and in code, before any state exists."""
    shape = [batch, 5, 3]
    config = {**entry["config"], "name": NAME, "stateful": True, "batch_input_shape": shape}
    document = {
        "modelTopology": {
            "class_name": "Sequential",
            "config": {"layers": [{"class_name": entry["class_name"], "config": config}]},
        }
    }
    _write(tmp_path, document)

    def load():
        with pytest.raises(ModelFormatError, match="MAX_STATE_VALUES") as e:
            tf.load_layers_model(tmp_path)
        assert NAME in str(e.value) and f"batch size {batch}" in str(e.value)

    assert _peak(load) < 8 * 2**20
    with pytest.raises(ValueError, match="MAX_STATE_VALUES"):
        tf.layers.deserialize({"class_name": entry["class_name"], "config": config})


def test_stateful_states_within_the_budget_are_kept(tmp_path):
    """The largest batch the budget allows builds; a model with it saves and loads."""
    units = 4
    batch = MAX_STATE_VALUES // (2 * units)
    layer = tf.layers.lstm({"units": units, "stateful": True, "batchInputShape": [2, 1, 3]})
    model = tf.sequential({"layers": [layer]})
    model.predict(np.ones((2, 1, 3), np.float32))
    assert [s.shape for s in layer.states] == [(2, units), (2, units)]
    with pytest.raises(ValueError, match="MAX_STATE_VALUES"):
        tf.layers.lstm({"units": units, "stateful": True, "batchInputShape": [batch + 1, 1, 3]})
    at_limit = tf.layers.lstm({"units": units, "stateful": True, "batchInputShape": [batch, 1, 3]})
    assert at_limit.stateful


def test_bidirectional_stateful_is_refused_too(tmp_path):
    inner = {"class_name": "LSTM", "config": {"units": 4, "stateful": True}}
    layer = tf.layers.deserialize(
        {
            "class_name": "Bidirectional",
            "config": {"layer": inner, "batch_input_shape": [10**9, 5, 3], "name": NAME},
        }
    )
    with pytest.raises(ValueError, match="MAX_STATE_VALUES"):
        tf.sequential({"layers": [layer]})
    _write(
        tmp_path,
        {
            "modelTopology": {
                "class_name": "Sequential",
                "config": {
                    "layers": [
                        {
                            "class_name": "Bidirectional",
                            "config": {
                                "layer": inner,
                                "batch_input_shape": [10**9, 5, 3],
                                "name": NAME,
                            },
                        }
                    ]
                },
            }
        },
    )
    with pytest.raises(ModelFormatError, match="MAX_STATE_VALUES"):
        tf.load_layers_model(tmp_path)


def test_shapes_past_int32_are_refused_for_every_layer():
    for factory, options in CASES_BY_FACTORY.items():
        with pytest.raises(ValueError, match="more than 2147483647"):
            getattr(tf.layers, factory)({**options, "batchInputShape": [2**31, 4, 3]})
    assert MAX_DIM == 2**31 - 1
