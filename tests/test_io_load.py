"""Loading: what TF.js's loadLayersModel accepts (and refuses), and the training state.

Covers the strict-mode messages, Keras 2 files from the converter (the `model_config` wrapper,
`:0` and cell-segment weight names, GRU `reset_after=True`, which TF.js refuses but lstmkit
runs), legacy config forms, unknown config keys, `trainingConfig` compiling the model and the
optimizer group restoring its state so that training resumes exactly.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import lstmkit as tf
from lstmkit.io import ModelFormatError
from lstmkit.io.weights import encode_weights
from tfjs_fixtures import FIXTURES

L = tf.layers
rng = np.random.default_rng(3)


def _copy_fixture(name: str, dest: Path) -> Path:
    shutil.copytree(FIXTURES / name, dest)
    (dest / "case.json").unlink()
    for p in dest.iterdir():
        p.chmod(0o644)
    dest.chmod(0o755)
    return dest


def _edit_json(folder: Path, edit) -> None:
    doc = json.loads((folder / "model.json").read_text())
    edit(doc)
    (folder / "model.json").write_text(json.dumps(doc))


# -- strict and non-strict ------------------------------------------------------------------------


def test_missing_weight_is_reported_like_tfjs(tmp_path):
    folder = _copy_fixture("lstm_default", tmp_path / "m")
    _edit_json(folder, lambda d: d["weightsManifest"][0]["weights"].pop())
    raw = (folder / "weights.bin").read_bytes()
    (folder / "weights.bin").write_bytes(raw[:-4])
    with pytest.raises(ModelFormatError) as e:
        tf.load_layers_model(folder)
    assert str(e.value) == f"{folder / 'model.json'}: 1 of 5 weights are not set: dense_Dense1/bias"
    model = tf.load_layers_model(folder, strict=False)  # the bias keeps its initial zeros
    np.testing.assert_array_equal(model.get_layer("dense_Dense1").bias.numpy(), [0.0])


def test_extra_weight_is_reported_like_tfjs(tmp_path):
    folder = _copy_fixture("lstm_default", tmp_path / "m")
    specs, data = encode_weights([("stray/kernel", np.ones((2, 2), np.float32), None)])
    _edit_json(folder, lambda d: d["weightsManifest"][0]["weights"].extend(specs))
    (folder / "weights.bin").write_bytes((folder / "weights.bin").read_bytes() + data)
    with pytest.raises(
        ModelFormatError, match="Provided weight data has no target variable: stray/kernel"
    ):
        tf.load_layers_model(folder)
    want = tf.load_layers_model(FIXTURES / "lstm_default")
    got = tf.load_layers_model(folder, strict=False)
    for a, b in zip(got.weights, want.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_shape_mismatch_names_the_weight(tmp_path):
    folder = _copy_fixture("lstm_default", tmp_path / "m")

    def swap(d):
        d["weightsManifest"][0]["weights"][3]["shape"] = [1, 3]  # dense kernel is [3, 1]

    _edit_json(folder, swap)
    with pytest.raises(ModelFormatError, match=r"dense_Dense1/kernel: Shape mismatch: \[3, 1\] vs"):
        tf.load_layers_model(folder)


def test_model_json_without_manifest_builds_fresh_weights(tmp_path):
    folder = _copy_fixture("lstm_default", tmp_path / "m")
    _edit_json(folder, lambda d: d.pop("weightsManifest"))
    model = tf.load_layers_model(folder / "model.json")
    assert [w.shape for w in model.weights] == [(2, 12), (3, 12), (12,), (3, 1), (1,)]


# -- Keras 2 files through the converter ----------------------------------------------------------


def _keras_gru_file(folder: Path, kernel, recurrent, bias, dense_k, dense_b) -> None:
    """What tensorflowjs_converter writes for Keras 2's Sequential([GRU(4), Dense(2)])."""
    folder.mkdir()
    init = {
        "module": "keras.initializers",
        "class_name": "GlorotUniform",
        "config": {"seed": None},
        "registered_name": None,
    }
    layers = [
        {
            "class_name": "InputLayer",
            "config": {
                "batch_input_shape": [None, 5, 3],
                "dtype": "float32",
                "sparse": False,
                "ragged": False,
                "name": "gru_input",
            },
        },
        {
            "class_name": "GRU",
            "config": {
                "name": "gru",
                "trainable": True,
                "dtype": "float32",
                "return_sequences": False,
                "return_state": False,
                "go_backwards": False,
                "stateful": False,
                "unroll": False,
                "time_major": False,
                "units": 4,
                "activation": "tanh",
                "recurrent_activation": "sigmoid",
                "use_bias": True,
                "kernel_initializer": init,
                "recurrent_initializer": {
                    "class_name": "Orthogonal",
                    "config": {"gain": 1.0, "seed": None},
                },
                "bias_initializer": {"class_name": "Zeros", "config": {}},
                "kernel_regularizer": None,
                "recurrent_regularizer": None,
                "bias_regularizer": None,
                "activity_regularizer": None,
                "kernel_constraint": None,
                "recurrent_constraint": None,
                "bias_constraint": None,
                "dropout": 0.0,
                "recurrent_dropout": 0.0,
                "implementation": 2,
                "reset_after": True,
            },
        },
        {
            "class_name": "Dense",
            "config": {
                "name": "dense",
                "trainable": True,
                "dtype": "float32",
                "units": 2,
                "activation": "linear",
                "use_bias": True,
                "kernel_initializer": init,
                "bias_initializer": {"class_name": "Zeros", "config": {}},
                "kernel_regularizer": None,
                "bias_regularizer": None,
                "activity_regularizer": None,
                "kernel_constraint": None,
                "bias_constraint": None,
            },
        },
    ]
    entries = [
        ("gru/gru_cell/kernel:0", kernel, None),
        ("gru/gru_cell/recurrent_kernel:0", recurrent, None),
        ("gru/gru_cell/bias:0", bias, None),
        ("dense/kernel", dense_k, None),
        ("dense/bias", dense_b, None),
    ]
    specs, data = encode_weights(entries)
    (folder / "group1-shard1of2.bin").write_bytes(data[:100])
    (folder / "group1-shard2of2.bin").write_bytes(data[100:])
    doc = {
        "format": "layers-model",
        "generatedBy": "keras v2.15.0",
        "convertedBy": "TensorFlow.js Converter v4.22.0",
        "modelTopology": {
            "keras_version": "2.15.0",
            "backend": "tensorflow",
            "model_config": {
                "class_name": "Sequential",
                "config": {"name": "sequential", "layers": layers},
            },
            "training_config": {
                "loss": "mse",
                "metrics": None,
                "weighted_metrics": None,
                "optimizer_config": {"class_name": "Adam", "config": {}},
            },
        },
        "weightsManifest": [
            {"paths": ["group1-shard1of2.bin", "group1-shard2of2.bin"], "weights": specs}
        ],
    }
    (folder / "model.json").write_text(json.dumps(doc, indent=2))


def _keras_gru_reference(x, kernel, recurrent, bias, dense_k, dense_b):
    """Keras's GRU with reset_after=True, written out with NumPy (float64)."""
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    u = recurrent.shape[0]
    h = np.zeros((x.shape[0], u))
    for t in range(x.shape[1]):
        mx = x[:, t] @ kernel + bias[0]
        mh = h @ recurrent + bias[1]
        z = sig(mx[:, :u] + mh[:, :u])
        r = sig(mx[:, u : 2 * u] + mh[:, u : 2 * u])
        hh = np.tanh(mx[:, 2 * u :] + r * mh[:, 2 * u :])
        h = z * h + (1 - z) * hh
    return h @ dense_k + dense_b


def test_keras_gru_reset_after_file_loads_and_runs(tmp_path):
    w = [
        rng.uniform(-0.6, 0.6, s).astype(np.float32)
        for s in [(3, 12), (4, 12), (2, 12), (4, 2), (2,)]
    ]
    _keras_gru_file(tmp_path / "keras", *w)
    model = tf.load_layers_model(tmp_path / "keras")
    assert model.optimizer is None  # Keras's training_config is ignored, as TF.js does
    gru = model.layers[0]
    assert gru.cell.reset_after and gru.cell.bias.shape == (2, 12)
    x = rng.uniform(-1, 1, (2, 5, 3)).astype(np.float32)
    want = _keras_gru_reference(x.astype(np.float64), *[a.astype(np.float64) for a in w])
    np.testing.assert_allclose(model.predict(x).numpy(), want, rtol=1e-5, atol=1e-6)


def test_unknown_config_keys_are_ignored(tmp_path):
    folder = _copy_fixture("gru_default", tmp_path / "m")

    def add_keys(d):
        for layer in d["modelTopology"]["config"]["layers"]:
            layer["config"].update(
                {
                    "time_major": False,
                    "seed": 7,
                    "zero_output_for_mask": True,
                    "a_future_option": {"x": [1]},
                }
            )

    _edit_json(folder, add_keys)
    model = tf.load_layers_model(folder)
    want = tf.load_layers_model(FIXTURES / "gru_default")
    shape = [d or 2 for d in want.inputs[0].shape]
    x = rng.uniform(-1, 1, shape).astype(np.float32)
    np.testing.assert_array_equal(model.predict(x).numpy(), want.predict(x).numpy())


@pytest.mark.parametrize("form", ["list", "functional"])
def test_legacy_config_forms(tmp_path, form):
    folder = _copy_fixture("lstm_default", tmp_path / "m")

    def legacy(d):
        topo = d["modelTopology"]
        if form == "list":
            topo["config"] = topo["config"]["layers"]
        else:
            seq = tf.load_layers_model(FIXTURES / "lstm_default")
            fn = tf.model(inputs=seq.inputs[0], outputs=seq.outputs[0], name="f")
            topo["class_name"] = "Functional"
            topo["config"] = fn.get_config()

    _edit_json(folder, legacy)
    model = tf.load_layers_model(folder)
    x = rng.uniform(-1, 1, (2, 4, 2)).astype(np.float32)
    want = tf.load_layers_model(FIXTURES / "lstm_default").predict(x).numpy()
    np.testing.assert_array_equal(model.predict(x).numpy(), want)


# -- trainingConfig and the optimizer group -------------------------------------------------------

X = np.cos(0.4 * np.arange(6 * 4 * 2)).reshape(6, 4, 2).astype(np.float32)
Y = np.sin(0.9 * np.arange(6)).reshape(6, 1).astype(np.float32)


def _trained(optimizer="adam", loss="mse", metrics=("mae",)):
    model = tf.sequential([L.lstm(units=3, input_shape=[4, 2]), L.dense(units=1)])
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    model.fit(X, Y, epochs=2, batch_size=3, shuffle=False, verbose=0)
    return model


def test_training_config_compiles_and_training_resumes_exactly(tmp_path):
    model = _trained()
    model.save(tmp_path / "m", include_optimizer=True)
    doc = json.loads((tmp_path / "m" / "model.json").read_text())
    assert list(doc) == [
        "modelTopology",
        "weightsManifest",
        "format",
        "generatedBy",
        "convertedBy",
        "trainingConfig",
    ]
    assert doc["trainingConfig"] == {
        "loss": "mean_squared_error",  # 'mse' is a Keras alias TF.js refuses; its TF.js name
        "metrics": ["mae"],
        "optimizer_config": {
            "class_name": "Adam",
            "config": {"learningRate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7},
        },
    }
    names = [(w["name"], w.get("group")) for w in doc["weightsManifest"][0]["weights"]]
    assert names[5] == ("iter", "optimizer") and len(names) == 5 + 1 + 2 * 5
    assert [n for n, _ in names[6:11]] == [n + "/m" for n, _ in names[:5]]

    loaded = tf.load_layers_model(tmp_path / "m")
    assert loaded.optimizer.class_name == "Adam" and loaded.optimizer.iterations == 4
    h1 = model.fit(X, Y, epochs=2, batch_size=3, shuffle=False, verbose=0)
    h2 = loaded.fit(X, Y, epochs=2, batch_size=3, shuffle=False, verbose=0)
    assert h1.history == h2.history
    for a, b in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_without_optimizer_state_training_differs(tmp_path):
    """The resume test above can fail: dropping the optimizer group changes the next epoch."""
    model = _trained()
    model.save(tmp_path / "m", include_optimizer=True)

    def drop(d):
        d["weightsManifest"][0]["weights"] = d["weightsManifest"][0]["weights"][:5]

    _edit_json(tmp_path / "m", drop)
    raw = (tmp_path / "m" / "weights.bin").read_bytes()
    (tmp_path / "m" / "weights.bin").write_bytes(raw[: 4 * (24 + 36 + 12 + 3 + 1)])
    fresh = tf.load_layers_model(tmp_path / "m")
    assert fresh.optimizer.iterations == 0
    model.fit(X, Y, epochs=1, batch_size=3, shuffle=False, verbose=0)
    fresh.fit(X, Y, epochs=1, batch_size=3, shuffle=False, verbose=0)
    assert not np.array_equal(model.weights[0].numpy(), fresh.weights[0].numpy())


def test_optimizer_group_without_training_config_is_ignored(tmp_path):
    model = _trained()
    model.save(tmp_path / "m", include_optimizer=True)
    _edit_json(tmp_path / "m", lambda d: d.pop("trainingConfig"))
    loaded = tf.load_layers_model(tmp_path / "m")
    assert loaded.optimizer is None


def test_include_optimizer_needs_a_compiled_model_as_tfjs(tmp_path):
    model = tf.sequential([L.dense(units=1, input_shape=[2])])
    model.save(tmp_path / "m", include_optimizer=True)  # TF.js silently skips it too
    assert "trainingConfig" not in json.loads((tmp_path / "m" / "model.json").read_text())


def test_adamax_state_cannot_be_saved_as_in_tfjs(tmp_path):
    model = _trained(optimizer="adamax")
    with pytest.raises(ValueError, match="Adamax"):
        model.save(tmp_path / "m", include_optimizer=True)
    assert not (tmp_path / "m").exists()
    model.save(tmp_path / "m")


def test_custom_loss_cannot_be_saved(tmp_path):
    model = _trained(loss=lambda y, p: tf.mean(tf.square(tf.sub(y, p))), metrics=())
    with pytest.raises(ValueError, match="non-string loss"):
        model.save(tmp_path / "m", include_optimizer=True)


@pytest.mark.parametrize("key", ["loss_weights", "weighted_metrics", "sample_weight_mode"])
def test_unsupported_training_config_keys_are_refused(tmp_path, key):
    model = _trained()
    model.save(tmp_path / "m", include_optimizer=True)
    _edit_json(tmp_path / "m", lambda d: d["trainingConfig"].update({key: [1.0]}))
    with pytest.raises(ModelFormatError, match=f"loading {key} is not supported"):
        tf.load_layers_model(tmp_path / "m")


@pytest.mark.parametrize(
    "optimizer", ["sgd", "rmsprop", "adagrad", "adadelta", tf.train.momentum(0.1, 0.8)]
)
def test_every_saved_optimizer_resumes(tmp_path, optimizer):
    # TF.js's loss name: the loaded model is compiled from TF.js's trainingConfig, whose
    # names give TF.js's history keys ('acc'); a Keras-spelled compile ('mse') keys 'accuracy'
    model = _trained(optimizer=optimizer, loss="meanSquaredError", metrics=("mse", "accuracy"))
    model.save(tmp_path / "m", include_optimizer=True)
    loaded = tf.load_layers_model(tmp_path / "m")
    assert loaded.metrics_names == model.metrics_names == ["loss", "mse", "acc"]
    model.fit(X, Y, epochs=1, batch_size=3, shuffle=False, verbose=0)
    loaded.fit(X, Y, epochs=1, batch_size=3, shuffle=False, verbose=0)
    for a, b in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


# -- topology alone and metadata ----------------------------------------------------------------


def test_to_json_and_models_from_json(tmp_path):
    model = tf.load_layers_model(FIXTURES / "bidirectional_lstm_concat")
    text = model.to_json()
    doc = json.loads((FIXTURES / "bidirectional_lstm_concat" / "model.json").read_text())
    assert text == json.dumps(doc["modelTopology"], separators=(",", ":"))
    again = tf.models_from_json(text)
    assert again.to_json() == text
    assert [w.shape for w in again.weights] == [w.shape for w in model.weights]
    with pytest.raises(ModelFormatError, match="invalid JSON"):
        tf.models_from_json(text[:-1])


def test_metadata_round_trip(tmp_path):
    model = tf.load_layers_model(FIXTURES / "lstm_default")
    meta = {"vocab": ["a", "b"], "2": {"x": 1.5e-7}, "1": None}
    model.save(tmp_path / "m", metadata=meta)
    text = (tmp_path / "m" / "model.json").read_text()
    assert text.endswith(',"userDefinedMetadata":{"1":null,"2":{"x":1.5e-7},"vocab":["a","b"]}}')
    loaded = tf.load_layers_model(tmp_path / "m")
    assert loaded.user_defined_metadata == meta
    loaded.save(tmp_path / "again")  # kept, as TF.js keeps it
    assert (tmp_path / "again" / "model.json").read_text() == text
    with pytest.raises(ValueError, match="JSON object"):
        model.save(tmp_path / "bad", metadata=["not", "an", "object"])
    with pytest.raises(ValueError, match="cannot be written"):
        model.save(tmp_path / "bad", metadata={"x": object()})
    assert not (tmp_path / "bad").exists()
