"""Every golden TF.js case in tests/fixtures/tfjs, loaded with `tf.load_layers_model`.

The model.json + weights.bin in each case folder were written by tfjs-node 4.22's `model.save`.
Loaded here they must reproduce TF.js's summary and predictions, and after `compile` + `fit`
with the case's arguments its history and final weights; saved again they must give back the
very same files (the two Embedding cases differ only by TF.js's own dtype quirk, checked against
TF.js's re-save in test_io_tfjs_node.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as tf
from tfjs_fixtures import FIXTURES, array, case_names, load_case

CASES = [n for n in case_names() if (FIXTURES / n).is_dir()]
# an Embedding built with input_length alone gains "dtype" once rebuilt from its file
DTYPE_QUIRK = {"embedding_mask_lstm", "train_embedding_mask_adagrad"}


def _inputs(entry):
    return [array(e) for e in entry] if isinstance(entry, list) else array(entry)


@pytest.mark.parametrize("name", CASES)
def test_loaded_fixture_predicts_and_summarizes_like_tfjs(name):
    case = load_case(name)
    model = tf.load_layers_model(FIXTURES / name)
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert lines == case["summary"]
    for p in case["predict"]:
        if name == "stateful_lstm":
            model.reset_states()
        got = model.predict(_inputs(p["x"]))
        got = got if isinstance(got, list) else [got]
        assert len(got) == len(p["y"])
        for g, want in zip(got, p["y"]):
            np.testing.assert_allclose(g.numpy(), array(want), rtol=1e-5, atol=1e-6)


def test_loaded_stateful_fixture_carries_and_resets_state():
    case = load_case("stateful_lstm")
    model = tf.load_layers_model(FIXTURES / "stateful_lstm" / "model.json")
    x = array(case["predict"][0]["x"])
    model.predict(x)
    second = model.predict(x).numpy()
    np.testing.assert_allclose(second, array(case["stateful"]["second_call"]), rtol=1e-5, atol=1e-6)
    model.reset_states()
    third = model.predict(x).numpy()
    want = array(case["stateful"]["after_reset_states"])
    np.testing.assert_allclose(third, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", [n for n in CASES if n.startswith("train_")])
def test_loaded_fixture_trains_like_tfjs(name):
    case = load_case(name)
    model = tf.load_layers_model(FIXTURES / name)
    assert model.optimizer is None  # no trainingConfig in these files
    train = case["train"]
    model.compile(**train["compile"])
    history = model.fit(_inputs(train["x"]), _inputs(train["y"]), verbose=0, **train["fit"])
    assert history.epoch == train["epoch"]
    assert sorted(history.history) == sorted(train["history"])
    for key, values in train["history"].items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-4, atol=1e-6)
    final = {w.original_name: w.numpy() for w in model.weights}
    assert sorted(final) == sorted(e["name"] for e in train["final_weights"])
    for entry in train["final_weights"]:
        np.testing.assert_allclose(final[entry["name"]], array(entry), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", CASES)
def test_fixture_load_save_gives_back_the_files(name, tmp_path):
    model = tf.load_layers_model(FIXTURES / name)
    model.save(tmp_path / "once")
    files = {p.name: p.read_bytes() for p in (tmp_path / "once").iterdir()}
    assert sorted(files) == ["model.json", "weights.bin"]
    assert files["weights.bin"] == (FIXTURES / name / "weights.bin").read_bytes()
    original = (FIXTURES / name / "model.json").read_bytes()
    if name in DTYPE_QUIRK:
        original = original.replace(
            b'"batch_input_shape":[null,6]}', b'"batch_input_shape":[null,6],"dtype":"float32"}'
        )
    assert files["model.json"] == original
    again = tf.load_layers_model(tmp_path / "once")
    x = _inputs(load_case(name)["predict"][0]["x"])
    for a, b in zip(
        _list(again.predict(x)), _list(tf.load_layers_model(FIXTURES / name).predict(x))
    ):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def _list(y):
    return y if isinstance(y, list) else [y]
