"""The tape-free training step (models/tape_free.py) against the general step: bit-identical."""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as tf
from lstmkit.autograd import recurrent
from lstmkit.engine.rnn import NativeCell
from lstmkit.layers.plans import RecurrentPlan
from lstmkit.models import tape_free


def _model(kind: str, optimizer: str):
    tf.set_seed(3)
    model = tf.sequential()
    if kind == "lstm":
        model.add(tf.layers.lstm(units=5, input_shape=[6, 3], recurrent_activation="sigmoid"))
    elif kind == "stacked":
        model.add(tf.layers.lstm(units=4, input_shape=[6, 3], return_sequences=True))
        model.add(tf.layers.gru(units=5, go_backwards=True))
        model.add(tf.layers.dense(units=3, use_bias=False))
    elif kind == "stacked_lstm":  # two direct LSTM calls: the lower one gets dL/dx
        model.add(tf.layers.lstm(units=4, input_shape=[6, 3], return_sequences=True))
        model.add(tf.layers.lstm(units=5, go_backwards=True, use_bias=False))
    elif kind == "gru_keras":
        model.add(tf.layers.gru(units=5, input_shape=[6, 3], reset_after=True))
    elif kind == "gru_stack":  # a direct GRU below a direct GRU (reset_after=False), no biases
        model.add(tf.layers.gru(units=4, input_shape=[6, 3], return_sequences=True))
        model.add(tf.layers.gru(units=5, use_bias=False, reset_after=False))
    elif kind == "rnn_stack":
        model.add(tf.layers.simple_rnn(units=4, input_shape=[6, 3], return_sequences=True))
        model.add(tf.layers.simple_rnn(units=5, go_backwards=True))
    elif kind == "simple_rnn":
        model.add(tf.layers.simple_rnn(units=5, input_shape=[6, 3], activation="relu"))
    elif kind == "dense_only":
        model.add(tf.layers.dense(units=7, input_shape=[3]))
    model.add(tf.layers.dense(units=2))
    model.compile(optimizer=optimizer, loss="meanSquaredError", metrics=["mae"])
    return model


def _recurrent_plans(step) -> list:
    return [p for p in step.plans if isinstance(p, RecurrentPlan)]


def _train(kind: str, optimizer: str, lean: bool, monkeypatch) -> tuple[dict, list]:
    previous = tape_free.use_tape_free_step(lean)
    try:
        return _fit(kind, optimizer, lean)
    finally:
        tape_free.use_tape_free_step(previous)


def _fit(kind: str, optimizer: str, lean: bool) -> tuple[dict, list]:
    model = _model(kind, optimizer)
    rng = np.random.default_rng(0)
    shape = (20, 3) if kind == "dense_only" else (20, 6, 3)
    x = rng.standard_normal(shape).astype(np.float32)
    y = rng.standard_normal((20, 2)).astype(np.float32)
    if lean:
        assert tape_free.TapeFreeStep.build(model) is not None
    else:
        assert tape_free.TapeFreeStep.build(model) is None
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    return history.history, [w.numpy() for w in model.get_weights()]


KINDS = [
    "lstm",
    "stacked",
    "stacked_lstm",
    "gru_keras",
    "gru_stack",
    "simple_rnn",
    "rnn_stack",
    "dense_only",
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_lean_step_trains_exactly_as_the_general_step(kind, optimizer, monkeypatch):
    lean_hist, lean_weights = _train(kind, optimizer, True, monkeypatch)
    full_hist, full_weights = _train(kind, optimizer, False, monkeypatch)
    assert lean_hist == full_hist
    for a, b in zip(lean_weights, full_weights):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", ["stacked", "stacked_lstm"])
def test_lean_step_on_the_numpy_loops(kind, monkeypatch):
    """Without the extension every recurrent layer runs its op (no direct call)."""
    previous = recurrent.use_extension(False)
    try:
        step = tape_free.TapeFreeStep.build(_model(kind, "adam"))
        assert all(p.native is None for p in _recurrent_plans(step))
        lean_hist, lean_weights = _train(kind, "adam", True, monkeypatch)
        full_hist, full_weights = _train(kind, "adam", False, monkeypatch)
    finally:
        recurrent.use_extension(previous)
    assert lean_hist == full_hist
    for a, b in zip(lean_weights, full_weights):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(recurrent._load_extension() is None, reason="the extension is not built")
@pytest.mark.parametrize("kind", ["stacked_lstm", "stacked", "gru_keras", "simple_rnn"])
def test_recurrent_layers_are_called_directly_on_the_extension(kind):
    step = tape_free.TapeFreeStep.build(_model(kind, "adam"))
    plans = _recurrent_plans(step)
    assert plans and all(isinstance(p.native, NativeCell) for p in plans)


def test_an_activation_the_extension_lacks_takes_the_op():
    """A custom activation has no compiled code: the layer runs its op (NumPy loops)."""
    model = tf.sequential()
    model.add(tf.layers.lstm(units=3, input_shape=[4, 2], activation="softsign"))
    model.add(tf.layers.dense(units=1))
    model.compile(optimizer="adam", loss="meanSquaredError")
    step = tape_free.TapeFreeStep.build(model)
    assert step is not None and _recurrent_plans(step)[0].native is None
    x = np.random.default_rng(0).standard_normal((4, 4, 2)).astype(np.float32)
    assert step([x], [np.zeros((4, 1), np.float32)], [None]) is not None


def _eligible(build) -> bool:
    model = tf.sequential()
    build(model)
    model.compile(optimizer="adam", loss="meanSquaredError")
    return tape_free.TapeFreeStep.build(model) is not None


@pytest.mark.parametrize(
    "build",
    [
        lambda m: m.add(tf.layers.lstm(units=3, input_shape=[4, 2], dropout=0.2)),
        lambda m: m.add(tf.layers.lstm(units=3, input_shape=[4, 2], kernel_regularizer="l2")),
        lambda m: m.add(tf.layers.lstm(units=3, batch_input_shape=[2, 4, 2], stateful=True)),
        lambda m: m.add(tf.layers.lstm(units=3, input_shape=[4, 2], return_sequences=True)),
        lambda m: (
            m.add(tf.layers.masking(input_shape=[4, 2])),
            m.add(tf.layers.lstm(units=3)),
        ),
        lambda m: (
            m.add(tf.layers.lstm(units=3, input_shape=[4, 2])),
            m.add(tf.layers.dense(units=1, activation="relu")),
        ),
    ],
    ids=["dropout", "regularizer", "stateful", "sequences_out", "masking", "dense_relu"],
)
def test_other_models_take_the_general_step(build):
    assert not _eligible(build)


def test_other_losses_and_sample_weights_take_the_general_step():
    model = _model("lstm", "adam")
    model.compile(optimizer="adam", loss="meanAbsoluteError")
    assert tape_free.TapeFreeStep.build(model) is None
    model = _model("lstm", "adam")
    step = tape_free.TapeFreeStep.build(model)
    x = np.zeros((4, 6, 3), np.float32)
    y = np.zeros((4, 2), np.float32)
    assert step([x], [y], [np.ones(4, np.float32)]) is None
    assert step([x], [y.astype(np.float64)], [None]) is None
    assert step([x], [y], [None]) is not None


def test_a_layer_used_twice_takes_the_general_step():
    inp = tf.input(shape=[4])
    shared = tf.layers.dense(units=4)
    model = tf.model(inputs=inp, outputs=shared.apply(shared.apply(inp)))
    model.compile(optimizer="adam", loss="meanSquaredError")
    assert tape_free.TapeFreeStep.build(model) is None
    plain = tf.model(inputs=inp, outputs=tf.layers.dense(units=4).apply(inp))
    plain.compile(optimizer="adam", loss="meanSquaredError")
    assert tape_free.TapeFreeStep.build(plain) is not None


def test_lean_step_in_float64(monkeypatch):
    """float64 weights and data (the test precision): the direct LSTM calls run in double."""
    from lstmkit._precision import float64

    with float64():
        lean_hist, lean_weights = _train("stacked_lstm", "adam", True, monkeypatch)
        full_hist, full_weights = _train("stacked_lstm", "adam", False, monkeypatch)
    assert lean_weights[0].dtype == np.float64
    assert lean_hist == full_hist
    for a, b in zip(lean_weights, full_weights):
        np.testing.assert_array_equal(a, b)
