"""Issue 14, item 5: an exploding update is refused, so the weights really keep their last finite
values (and so do the optimizer's slots and its iteration count), and the warning says so.

The loss of a batch was checked, not the update it led to: with `sgd(1e30)` and targets of
1e15 the loss is finite (1e30 < 3.4e38) but the update overflows float32, the weights became
inf/NaN and the warning of the next batch claimed they had kept their last finite values.
Every case runs on the tape-free step and the general step, with the compiled parts and in
NumPy mode. The expected state is the one recorded at the start of the failing batch by a
callback, never a number written here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lstmkit as tf
from lstmkit import _random
from lstmkit.engine import native
from lstmkit.models import use_tape_free_step
from lstmkit.optimizers.base import Optimizer
from lstmkit.optimizers.sgd import SGD


@pytest.fixture(params=["compiled", "numpy"])
def mode(request):
    if request.param == "compiled" and native.extension_info() is None:
        pytest.skip("the extension is not built")
    old = native.use_extension(request.param == "compiled")
    yield request.param
    native.use_extension(old)


@pytest.fixture(params=["tape_free", "general"])
def step(request):
    old = use_tape_free_step(request.param == "tape_free")
    yield request.param
    use_tape_free_step(old)


class Recorder(tf.callbacks.Callback):
    """The model's and the optimizer's state at the start of every batch."""

    def __init__(self):
        super().__init__()
        self.states = []

    def on_batch_begin(self, batch, logs=None):
        m = self.model
        self.states.append(
            (
                [np.array(w.numpy()) for w in m.get_weights()],
                [(n, np.array(v)) for n, v in m.optimizer.get_weights()],
            )
        )


def _model(optimizer, units=8):
    _random.set_seed(0)
    m = tf.sequential()
    m.add(tf.layers.lstm(units=units, input_shape=[3, 2]))
    m.add(tf.layers.dense(units=1))
    m.compile(optimizer=optimizer, loss="meanSquaredError")
    return m


def _data(scale, n=16, const=False):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3, 2)).astype("float32")
    y = np.full((n, 1), scale) if const else rng.normal(size=(n, 1)) * scale
    return x, y.astype("float32")


CASES = [
    # (optimizer factory, target scale): the update overflows while the loss is still finite
    (lambda: tf.train.sgd(1e30), 1e15),
    (lambda: tf.train.rmsprop(1e30), 1e15),
    (lambda: tf.train.momentum(1e30, 0.9), 1e15),
    (lambda: tf.train.adagrad(1e36), 1e15),
    # Adam: targets all 1.2e19 (negative scale: constant), batches of 1: the loss 1.4e38 is
    # finite but g^2 ~ 5.8e38 overflows the second moment (a slot), the weights stay finite
    (lambda: tf.train.adam(0.01), -1.2e19),
    (lambda: tf.train.adamax(1e37), 1e15),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_exploding_update_is_refused_and_rolled_back(case, mode, step):
    make, scale = CASES[case]
    model = _model(make())
    x, y = _data(abs(scale), const=scale < 0)
    rec = Recorder()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(
            x,
            y,
            epochs=3,
            batch_size=1 if scale < 0 else 4,
            verbose=0,
            shuffle=False,
            callbacks=[rec],
        )
    messages = [str(w.message) for w in caught if "Training stopped" in str(w.message)]
    assert len(messages) == 1, [str(w.message) for w in caught]
    message = messages[0]
    assert history.nan_message == message == model.nan_message
    # the weights, slots and iteration count are those from before the failing batch, bit for bit
    weights_before, opt_before = rec.states[-1]
    for got, want in zip(model.get_weights(), weights_before):
        np.testing.assert_array_equal(got.numpy(), want)
        assert np.isfinite(got.numpy()).all()
    opt_now = model.optimizer.get_weights()
    assert [n for n, _ in opt_now] == [n for n, _ in opt_before]
    for (name, got), (_, want) in zip(opt_now, opt_before):
        np.testing.assert_array_equal(got, want, err_msg=name)
        assert np.isfinite(got).all(), name
    assert model.optimizer.iterations == len(rec.states) - 1
    if "would have made" in message:  # the update was refused: the message names what broke
        weight_names = {w.name for w in model.trainable_weights}
        assert any(f"'{n}'" in message or f"'{n}/" in message for n in weight_names)
        assert "was not applied" in message
    assert "last finite values" in message


def test_the_sgd_reproducer_is_refused_at_its_first_update(mode, step):
    """LSTM(8) -> Dense(1), sgd(1e30), targets ~1e15: the first update overflows."""
    model = _model(tf.train.sgd(1e30))
    x, y = _data(1e15)
    before = [np.array(w.numpy()) for w in model.get_weights()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, epochs=3, batch_size=4, verbose=0, shuffle=False)
    assert np.isfinite(history.history["loss"]).all()
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got.numpy(), want)
    assert model.optimizer.iterations == 0
    text = " ".join(str(w.message) for w in caught)
    assert "epoch 1, batch 1" in text and "would have made" in text


def test_adam_second_moment_overflow_names_the_slot(mode, step):
    model = _model(tf.train.adam(0.01))
    x, y = _data(1.2e19, const=True)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        history = model.fit(x, y, epochs=1, batch_size=1, verbose=0, shuffle=False)
    assert "/v'" in history.nan_message  # Adam's v of some weight overflowed: named
    assert model.optimizer.iterations == 0


def test_train_on_batch_refuses_too(mode, step):
    model = _model(tf.train.sgd(1e30))
    x, y = _data(1e15)
    before = [np.array(w.numpy()) for w in model.get_weights()]
    loss = model.train_on_batch(x[:4], y[:4])
    assert np.isfinite(float(loss))  # the pre-update loss, as before
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got.numpy(), want)
    assert model.optimizer.iterations == 0


def test_a_finite_fit_is_unchanged_by_the_check(step):
    """The check only reads: a fit that stays finite gives the numbers of plain updates."""
    x, y = _data(1.0)
    checked = _model(tf.train.adam(0.01))
    checked.fit(x, y, epochs=2, batch_size=4, verbose=0, shuffle=False)
    plain = _model(tf.train.adam(0.01))
    opt = plain.optimizer
    original = opt._apply_pairs
    opt._apply_pairs = lambda pairs, check_finite=False, finish=None: original(pairs, False, finish)
    plain.fit(x, y, epochs=2, batch_size=4, verbose=0, shuffle=False)
    for a, b in zip(checked.get_weights(), plain.get_weights()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert checked.optimizer.iterations == plain.optimizer.iterations == 8


class InPlaceSGD(SGD):
    """A user's optimizer that writes the weights in place, saying so with `replaces_slots`
    False (a checked update then copies before it). No `class_name`: not registered."""

    replaces_slots = False

    def _apply(self, items):
        for var, grad, _ in items:
            var._data *= 1  # the same array, then written in place
            var._data -= grad * self.learning_rate


def test_a_user_optimizer_writing_in_place_is_rolled_back(mode):
    assert Optimizer.replaces_slots is False and SGD.replaces_slots is True
    model = _model(InPlaceSGD(1e30))
    x, y = _data(1e15)
    before = [np.array(w.numpy()) for w in model.get_weights()]
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        model.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got.numpy(), want)


def test_first_nonfinite_agrees_with_numpy(mode):
    """The compiled check (or its NumPy fallback) against np.isfinite, on edge values."""
    from lstmkit.optimizers._arrays import first_nonfinite

    rng = np.random.default_rng(1)
    for dtype in (np.float32, np.float64):
        info = np.finfo(dtype)
        edge = [0.0, -0.0, info.max, -info.max, info.tiny, info.tiny / 4, np.inf, -np.inf, np.nan]
        for _ in range(50):
            arrays = []
            for _ in range(rng.integers(0, 5)):
                a = rng.normal(size=rng.integers(0, 40)).astype(dtype)
                if a.size and rng.random() < 0.4:
                    a[rng.integers(a.size)] = edge[rng.integers(len(edge))]
                arrays.append(a)
            want = next((k for k, a in enumerate(arrays) if not np.isfinite(a).all()), -1)
            assert first_nonfinite(arrays) == want
