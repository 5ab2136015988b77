"""Keras's loss classes (`keras.losses.SparseCategoricalCrossentropy(from_logits=True)`, ...),
checked against Keras 3's formulas written out in NumPy (float64)."""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as keras
from lstmkit import losses

RNG = np.random.default_rng(5)
LOGITS = RNG.normal(size=(6, 4)).astype(np.float32)
LABELS = np.array([0, 3, 1, 2, 3, 0])
ONE_HOT = np.eye(4, dtype=np.float32)[LABELS]
WEIGHTS = np.array([1.0, 0.5, 0.0, 2.0, 1.0, 0.25], dtype=np.float32)


def _log_softmax(x):
    x = x.astype(np.float64)
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def _probs(x):
    return np.exp(_log_softmax(x))


def _close(got, want, tol=1e-5):
    np.testing.assert_allclose(np.asarray(got.numpy(), np.float64), want, rtol=tol, atol=tol)


def test_sparse_categorical_crossentropy_from_logits_and_reductions():
    per = -_log_softmax(LOGITS)[np.arange(6), LABELS]
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    _close(loss(LABELS, LOGITS), per.mean())
    # Keras's sum_over_batch_size: the weighted sum over the number of losses (zeros count)
    _close(loss(LABELS, LOGITS, sample_weight=WEIGHTS), (per * WEIGHTS).sum() / 6)
    _close(
        losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")(LABELS, LOGITS),
        per.sum(),
    )
    _close(
        losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")(LABELS, LOGITS),
        per,
    )
    # on probabilities (the default), the same numbers as softmax first
    _close(losses.SparseCategoricalCrossentropy()(LABELS, _probs(LOGITS)), per.mean())
    with pytest.raises(ValueError, match="class index 4 is out of range for 4 classes"):
        loss(np.array([4, 0, 0, 0, 0, 0]), LOGITS)


def test_categorical_and_binary_crossentropy_options():
    ls = 0.2
    smooth = ONE_HOT * (1 - ls) + ls / 4
    cce = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=ls)
    _close(cce(ONE_HOT, LOGITS), (-(smooth * _log_softmax(LOGITS)).sum(-1)).mean())
    x = LOGITS.astype(np.float64)
    z = (RNG.random((6, 4)) > 0.5).astype(np.float32)
    zs = z * (1 - ls) + 0.5 * ls
    logistic = np.maximum(x, 0) - x * zs + np.log1p(np.exp(-np.abs(x)))
    bce = losses.BinaryCrossentropy(from_logits=True, label_smoothing=ls)
    _close(bce(z, LOGITS), logistic.mean(-1).mean())
    p = 1 / (1 + np.exp(-x))
    plain = -(z * np.log(p) + (1 - z) * np.log(1 - p))
    _close(losses.BinaryCrossentropy()(z, p.astype(np.float32)), plain.mean(), tol=1e-4)
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        losses.BinaryCrossentropy(label_smoothing=2)


def test_regression_losses():
    y = RNG.normal(size=(5, 3)).astype(np.float32)
    p = RNG.normal(size=(5, 3)).astype(np.float32)
    d = np.abs(p.astype(np.float64) - y)
    huber = np.where(d <= 0.7, 0.5 * d**2, 0.7 * (d - 0.35)).mean(-1)
    _close(losses.Huber(delta=0.7)(y, p), huber.mean())
    _close(losses.MeanSquaredError()(y, p), (d**2).mean())
    _close(losses.MeanAbsoluteError()(y, p), d.mean())
    _close(losses.LogCosh()(y, p), np.log(np.cosh(d)).mean(), tol=1e-4)
    cos = (y * p).sum(-1) / np.linalg.norm(y, axis=-1) / np.linalg.norm(p, axis=-1)
    _close(losses.CosineSimilarity()(y, p), -cos.mean())


def _model():
    keras.set_seed(3)
    model = keras.Sequential([keras.layers.LSTM(5, input_shape=(3, 2)), keras.layers.Dense(4)])
    return model


def test_compile_with_a_loss_object_trains_as_keras_and_keys_history_as_keras():
    x = RNG.normal(size=(12, 3, 2)).astype(np.float32)
    y = RNG.integers(0, 4, 12)
    model = _model()
    model.compile(
        optimizer="sgd",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    before = model.evaluate(x, y, verbose=0)[0].numpy()
    logits = np.asarray(model.predict(x).numpy(), np.float64)
    np.testing.assert_allclose(before, (-_log_softmax(logits)[np.arange(12), y]).mean(), rtol=1e-5)
    history = model.fit(x, y, epochs=3, batch_size=4, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_a_wrapped_class_is_the_loss_by_name(tmp_path):
    x = RNG.normal(size=(8, 3, 2)).astype(np.float32)
    y = RNG.normal(size=(8, 4)).astype(np.float32)
    by_name, by_class = _model(), _model()
    by_name.compile(optimizer="adam", loss="mse")
    by_class.compile(optimizer="adam", loss=keras.losses.MeanSquaredError())
    keras.set_seed(4)  # the same shuffles
    a = by_name.fit(x, y, epochs=2, batch_size=4, verbose=0).history["loss"]
    keras.set_seed(4)
    b = by_class.fit(x, y, epochs=2, batch_size=4, verbose=0).history["loss"]
    assert a == b  # the same function: same numbers, same (tape-free) step
    by_class.save(tmp_path / "m", include_optimizer=True)
    text = (tmp_path / "m" / "model.json").read_text()
    assert '"loss": "mean_squared_error"' in text or '"loss":"mean_squared_error"' in text
    logits = _model()
    logits.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    with pytest.raises(ValueError, match="no TF.js equivalent"):
        logits.save(tmp_path / "n", include_optimizer=True)
    logits.save(tmp_path / "n")  # without the training config it saves
    with pytest.raises(ValueError, match="averages the loss over each batch"):
        _model().compile(optimizer="adam", loss=losses.MeanSquaredError(reduction="sum"))


def test_a_custom_loss_written_as_keras_writes_it():
    class Scaled(keras.losses.Loss):
        def __init__(self, factor, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, y_true, y_pred):
            return keras.mul(self.factor, keras.mean(keras.square(keras.sub(y_pred, y_true)), -1))

    y = RNG.normal(size=(4, 3)).astype(np.float32)
    p = RNG.normal(size=(4, 3)).astype(np.float32)
    _close(Scaled(3.0)(y, p), 3 * ((p.astype(np.float64) - y) ** 2).mean())
    assert Scaled(1.0).name == "scaled"
    model = _model()
    model.compile(optimizer="sgd", loss=Scaled(2.0))
    x = RNG.normal(size=(8, 3, 2)).astype(np.float32)
    t = RNG.normal(size=(8, 4)).astype(np.float32)
    got = model.evaluate(x, t, verbose=0).numpy()
    want = 2 * ((np.asarray(model.predict(x).numpy(), np.float64) - t) ** 2).mean()
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_from_logits_gradient_is_softmax_minus_one_hot():
    logits = keras.tensor(LOGITS)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    g = keras.grad(lambda z: loss(LABELS, z))(logits)
    _close(g, (_probs(LOGITS) - ONE_HOT) / 6)
