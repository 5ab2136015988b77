"""Every golden TF.js case: the model built from its config reproduces TF.js's predictions,
summary, stateful behaviour and, for training cases, history and final weights."""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as tf
from lstmkit.models.serialization import model_from_config
from tfjs_fixtures import array, case_names, load_case

CASES = [n for n in case_names() if n not in ("losses.json", "optimizers.json", "print.json")]


def build(case: dict) -> tf.LayersModel:
    model = model_from_config(case["model"]["modelTopology"])
    weights = case["weights"]
    assert sorted(w.name for w in model.weights) == sorted(weights)
    for w in model.weights:
        w.assign(weights[w.name])
    return model


def inputs(entry):
    return [array(e) for e in entry] if isinstance(entry, list) else array(entry)


@pytest.mark.parametrize("name", CASES)
def test_predict_and_summary_match_tfjs(name):
    case = load_case(name)
    model = build(case)
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert lines == case["summary"]
    for p in case["predict"]:
        got = model.predict(inputs(p["x"]))
        got = got if isinstance(got, list) else [got]
        assert len(got) == len(p["y"])
        for g, want in zip(got, p["y"]):
            np.testing.assert_allclose(g.numpy(), array(want), rtol=1e-5, atol=1e-6)


def test_stateful_case_carries_and_resets_state():
    case = load_case("stateful_lstm")
    model = build(case)
    x = array(case["predict"][0]["x"])
    first = model.predict(x).numpy()
    np.testing.assert_allclose(first, array(case["predict"][0]["y"][0]), rtol=1e-5, atol=1e-6)
    second = model.predict(x).numpy()
    np.testing.assert_allclose(second, array(case["stateful"]["second_call"]), rtol=1e-5, atol=1e-6)
    model.reset_states()
    third = model.predict(x).numpy()
    np.testing.assert_allclose(
        third, array(case["stateful"]["after_reset_states"]), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize("name", [n for n in CASES if n.startswith("train_")])
def test_training_matches_tfjs(name):
    case = load_case(name)
    model = build(case)
    train = case["train"]
    model.compile(**train["compile"])
    history = model.fit(inputs(train["x"]), inputs(train["y"]), verbose=0, **train["fit"])
    assert history.epoch == train["epoch"]
    assert sorted(history.history) == sorted(train["history"])
    for key, values in train["history"].items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-4, atol=1e-6)
    final = {w.name: w.numpy() for w in model.weights}
    assert sorted(final) == sorted(e["name"] for e in train["final_weights"])
    for entry in train["final_weights"]:
        np.testing.assert_allclose(final[entry["name"]], array(entry), rtol=1e-4, atol=1e-6)
