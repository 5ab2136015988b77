"""The preprocessing layers Rescaling and CategoryEncoding: TF.js's own test values
(tfjs-layers/src/layers/preprocessing/image_preprocessing_test.ts and category_encoding_test.ts,
each test named), NumPy computations, gradients through Rescaling, configs with TF.js's keys,
Keras's spellings, save and load, and files read by real TF.js in Node.js."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import lstmkit as tf
from gradcheck import check_grads
from tfjs_node import PREFIX, ensure_tfjs

L = tf.layers
REPO = Path(__file__).resolve().parents[1]
RUNNER = REPO / "tests" / "js" / "tfjs_runner.js"
rng = np.random.default_rng(5)


# -- Rescaling (image_preprocessing_test.ts) ------------------------------------------------------


def test_rescaling_tfjs_tests():
    scale, offset = 1.0 / 127.5, -1.0
    x = rng.normal(size=(2, 4, 5, 3)).astype(np.float32)
    # 'Check if input shape matches output shape' (offset 0)
    assert L.rescaling({"scale": scale, "offset": 0}).apply(x).shape == (2, 4, 5, 3)
    # 'Rescales input layer based on scaling factor and offset'
    y = L.rescaling({"scale": scale, "offset": offset}).apply(x)
    np.testing.assert_allclose(y.numpy(), x * scale + offset, rtol=1e-6)
    # 'Recasts dtype to float32'
    ints = tf.tensor(rng.integers(0, 14, (2, 4, 5, 3)), dtype="int32")
    y = L.rescaling({"scale": scale, "offset": offset}).apply(ints)
    assert y.dtype == "float32"
    np.testing.assert_allclose(y.numpy(), ints.numpy() * scale + offset, rtol=1e-6)
    # 'Config holds correct name'
    layer = L.rescaling({"scale": scale, "offset": offset, "name": "Rescaling"})
    assert layer.getConfig()["name"] == "Rescaling"


def test_rescaling_config_defaults_and_gradient():
    layer = L.rescaling(scale=2)
    assert layer.name.startswith("rescaling_Rescaling") and layer.getClassName() == "Rescaling"
    assert list(layer.get_config()) == ["scale", "offset", "name", "trainable"]
    assert layer.get_config()["offset"] == 0  # TF.js: offset given or 0
    with pytest.raises(TypeError):
        L.rescaling()  # scale is required
    with pytest.raises(ValueError, match="scale must be a number"):
        L.rescaling(scale="2")
    shifted = L.rescaling(scale=0.5, offset=3)
    check_grads(lambda t: shifted.apply(t), [rng.normal(size=(3, 4))])


# -- CategoryEncoding (category_encoding_test.ts) ----------------------------------------------


def _encode(data, num_tokens, mode, **kwargs):
    layer = L.categoryEncoding({"numTokens": num_tokens, "outputMode": mode})
    return layer.apply(tf.tensor(data), **kwargs).numpy()


@pytest.mark.parametrize(
    ("test", "data", "num_tokens", "mode", "want"),
    [
        ("Count outputMode rank 0", 0, 4, "count", [1, 0, 0, 0]),
        (
            "Count outputMode rank 2",
            [[1, 2, 3, 1], [0, 3, 1, 0]],
            6,
            "count",
            [[0, 2, 1, 1, 0, 0], [2, 1, 0, 1, 0, 0]],
        ),
        ("oneHot outputMode rank 0", 3, 4, "oneHot", [0, 0, 0, 1]),
        (
            "oneHot outputMode rank 1",
            [3, 2, 0, 1],
            4,
            "oneHot",
            [[0, 0, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]],
        ),
        (
            "oneHot outputMode rank 2",
            [[3], [2], [0], [1]],
            4,
            "oneHot",
            [[0, 0, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]],
        ),
        ("multiHot outputMode rank 0", 3, 6, "multiHot", [0, 0, 0, 1, 0, 0]),
        ("multiHot outputMode rank 1", [3, 2, 0, 1], 6, "multiHot", [1, 1, 1, 1, 0, 0]),
        (
            "multiHot outputMode rank 2",
            [[0, 1], [0, 0], [1, 2], [3, 1]],
            4,
            "multiHot",
            [[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]],
        ),
    ],
)
def test_category_encoding_tfjs_values(test, data, num_tokens, mode, want):
    # 'Calculates correct output (and shape) for <test>'
    got = _encode(data, num_tokens, mode)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, want)


def test_category_encoding_count_weights_tfjs():
    # 'Calculates correct output for Count outputMode rank 1 (weights)'
    got = _encode([1, 2, 3, 3, 0], 6, "count", countWeights=tf.tensor([1, 2, 3, 1, 7]))
    np.testing.assert_array_equal(got, [7, 1, 2, 4, 0, 0])
    with pytest.raises(ValueError, match="countWeights is not used when outputMode !== count"):
        _encode([1, 2], 6, "multiHot", count_weights=[1, 1])


def test_category_encoding_tfjs_errors():
    # 'Raises Value Error if input Tensor has Rank > 2'
    with pytest.raises(ValueError) as info:
        _encode([[[1], [2]], [[3], [4]]], 6, "multiHot")
    assert str(info.value) == (
        "When outputMode is not int, maximum output rank is 2 Received outputMode multiHot and "
        "input shape 2,2,1 which would result in output rank 3."
    )
    # 'Raises Value Error if max input value !<= numTokens' and '... if min input value < 0'
    for data in ([7, 2, 0, 1], [7, 2, -1, 1]):
        with pytest.raises(ValueError) as info:
            _encode(data, 3, "multiHot")
        assert (
            str(info.value)
            == "Input values must be between 0 < values <= numTokens with numTokens=3"
        )


def _np_counts(ids, n, weights=None):
    out = np.zeros((ids.shape[0], n))
    for r, row in enumerate(ids):
        for j, t in enumerate(row):
            out[r, t] += 1 if weights is None else weights[r, j]
    return out


def test_category_encoding_against_numpy():
    ids = rng.integers(0, 7, (5, 4))
    w = rng.normal(size=(5, 4)).astype(np.float32)
    counts = _np_counts(ids, 7)
    np.testing.assert_array_equal(_encode(ids, 7, "count"), counts)
    np.testing.assert_array_equal(_encode(ids, 7, "multiHot"), counts > 0)
    np.testing.assert_allclose(_encode(ids, 7, "count", count_weights=w), _np_counts(ids, 7, w))
    np.testing.assert_array_equal(_encode(ids[:, :1], 7, "oneHot"), np.eye(7)[ids[:, 0]])
    floats = ids + 0.75  # cast to int32 as TF.js does: truncated
    np.testing.assert_array_equal(_encode(floats, 7, "count"), counts)


def test_category_encoding_output_shapes_config_and_keras_modes():
    layer = L.category_encoding(num_tokens=5)
    assert layer.name.startswith("category_encoding_CategoryEncoding")
    assert layer.get_config() == {
        "num_tokens": 5,
        "output_mode": "multiHot",
        "name": layer.name,
        "trainable": True,
    }
    assert layer.compute_output_shape((None, 3)) == (None, 5)
    one_hot = L.categoryEncoding({"numTokens": 4, "outputMode": "oneHot"})
    assert one_hot.compute_output_shape((None,)) == (None, 4)  # as TF.js's computeOutputShape
    assert one_hot.compute_output_shape((None, 1)) == (None, 4)
    keras = {"name": "ce", "num_tokens": 4, "output_mode": "one_hot", "sparse": False}
    loaded = L.deserialize({"class_name": "CategoryEncoding", "config": keras})
    assert loaded.output_mode == "oneHot" and loaded.get_config()["output_mode"] == "oneHot"
    assert L.deserialize(json.loads(json.dumps(L.serialize(layer)))).get_config() == (
        layer.get_config()
    )
    with pytest.raises(ValueError, match="outputMode must be one of"):
        L.category_encoding(num_tokens=3, output_mode="tfIdf")
    with pytest.raises(ValueError, match="Expected numTokens to be a positive integer"):
        L.category_encoding(num_tokens=0)


def _model():
    return tf.sequential(
        [
            L.reshape(target_shape=[3], input_shape=[3]),
            L.category_encoding(num_tokens=6, output_mode="count"),
            L.rescaling(scale=0.5, offset=-0.25),
            L.dense(units=2),
        ]
    )


def _ids(n):
    return rng.integers(0, 6, (n, 3)).astype(np.float32)


def test_sequential_saves_loads_and_trains(tmp_path):
    model = _model()
    x = _ids(8)
    want = model.predict(x).numpy()
    counts = _np_counts(x.astype(int), 6) * 0.5 - 0.25
    kernel, bias = (w.numpy() for w in model.layers[-1].weights)
    np.testing.assert_allclose(want, counts @ kernel + bias, rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "m")
    again = tf.load_layers_model(tmp_path / "m")
    np.testing.assert_array_equal(again.predict(x).numpy(), want)
    assert [a.get_config() for a in again.layers] == [b.get_config() for b in model.layers]
    model.compile(optimizer="sgd", loss="meanSquaredError")
    history = model.fit(x, np.ones((8, 2), np.float32), epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def _enc(a):
    a = np.asarray(a, np.float32)
    return {"shape": list(a.shape), "dtype": "float32", "values": a.reshape(-1).tolist()}


def test_real_tfjs_reads_lstmkit_files(tmp_path):
    """TF.js loads lstmkit's file: the same predictions (1e-5) and the same file when it saves
    it again. (A Reshape comes first: TF.js's CategoryEncoding.computeOutputShape changes the
    shape it is given in place, which breaks an input layer right before it.)"""
    ensure_tfjs()
    model = _model()
    x = _ids(5)
    model.save(tmp_path / "m")
    jobs = [
        {"id": "predict", "op": "predict", "dir": str(tmp_path / "m"), "inputs": _enc(x)},
        {"id": "resave", "op": "resave", "dir": str(tmp_path / "m"), "out": str(tmp_path / "js")},
    ]
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    done = subprocess.run(
        [shutil.which("node") or "node", str(RUNNER), str(PREFIX), str(tmp_path / "jobs.json")]
        + [str(tmp_path / "out.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads((tmp_path / "out.json").read_text())
    assert all(r["ok"] for r in out.values()), out
    got = out["predict"]["outputs"][0]
    np.testing.assert_allclose(
        np.reshape(got["values"], got["shape"]), model.predict(x).numpy(), rtol=1e-5, atol=1e-5
    )
    for name in ("model.json", "weights.bin"):
        assert (tmp_path / "js" / name).read_bytes() == (tmp_path / "m" / name).read_bytes()
