"""Callbacks and the progress output."""

from __future__ import annotations

import io

import numpy as np
import pytest

import lstmkit as tf
from lstmkit.callbacks import ProgbarLogger, succinct_number


def small_model(lr: float = 0.05) -> tf.Sequential:
    tf.set_seed(7)
    model = tf.sequential([tf.layers.dense(units=1, input_shape=[2])])
    model.compile(optimizer=tf.train.sgd(lr), loss="meanSquaredError")
    return model


X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 1.0]], np.float32)
Y = np.array([[1.0], [2.0], [3.0], [5.0]], np.float32)


@pytest.mark.parametrize(
    "value,text",
    [
        (0.3785, "0.379"),
        (1.5, "1.50"),
        (0.00012, "1.20e-4"),
        (0.0, "0.00"),
        (-0.5, "-0.500"),
        (12345.678, "12345.68"),
        (0.05, "0.0500"),
    ],
)
def test_succinct_number_matches_tfjs_node(value, text):
    assert succinct_number(value) == text


def test_custom_callback_hooks_in_order():
    seen = []
    cb = tf.callbacks.custom(
        on_train_begin=lambda logs: seen.append("train_begin"),
        onEpochBegin=lambda epoch, logs: seen.append(f"epoch_begin {epoch}"),
        on_batch_end=lambda batch, logs: seen.append(f"batch_end {batch} {logs['size']}"),
        on_epoch_end=lambda epoch, logs: seen.append(f"epoch_end {epoch} {sorted(logs)}"),
        on_train_end=lambda logs: seen.append("train_end"),
    )
    small_model().fit(X, Y, epochs=2, batch_size=3, verbose=0, callbacks=[cb])
    assert seen == [
        "train_begin",
        "epoch_begin 0",
        "batch_end 0 3",
        "batch_end 1 1",
        "epoch_end 0 ['loss']",
        "epoch_begin 1",
        "batch_end 0 3",
        "batch_end 1 1",
        "epoch_end 1 ['loss']",
        "train_end",
    ]
    with pytest.raises(ValueError, match="unknown hook"):
        tf.callbacks.custom(on_epoch_ends=print)


def test_callback_subclass_can_stop_training():
    class StopAfterOne(tf.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    h = small_model().fit(X, Y, epochs=5, verbose=0, callbacks=StopAfterOne())
    assert h.epoch == [0]


def test_early_stopping_patience_and_restore_best_weights():
    # lr so large the loss diverges after the first epochs: early stopping must restore the best
    model = small_model(lr=0.45)
    stopper = tf.callbacks.early_stopping(monitor="loss", patience=2, restore_best_weights=True)
    snapshots = []
    record = tf.callbacks.custom(
        on_epoch_end=lambda epoch, logs: snapshots.append(
            (logs["loss"], [w.numpy() for w in model.get_weights()])
        )
    )
    h = model.fit(X, Y, epochs=30, batch_size=4, verbose=0, callbacks=[record, stopper])
    losses = h.history["loss"]
    assert len(losses) < 30
    best = int(np.argmin(losses))
    assert len(losses) == best + 3  # patience 2 after the best epoch
    # the weights after the best epoch's update are those the loss of the *next* epoch saw; the
    # callback keeps what the model held when the best loss was logged
    for got, want in zip(model.get_weights(), snapshots[best][1]):
        np.testing.assert_array_equal(got.numpy(), want)


def test_early_stopping_mode_auto_uses_max_for_accuracy():
    assert tf.callbacks.early_stopping(monitor="val_acc").mode == "max"
    assert tf.callbacks.early_stopping(monitor="val_loss").mode == "min"
    with pytest.raises(ValueError, match="mode"):
        tf.callbacks.early_stopping(mode="best")


def test_nan_loss_stops_and_keeps_last_finite_weights(capsys):
    model = small_model()
    before = [w.numpy() for w in model.get_weights()]
    bad_y = Y.copy()
    bad_y[2, 0] = 1e30  # finite data whose squared error overflows float32
    h = model.fit(
        X, bad_y, epochs=3, batch_size=2, verbose=0, callbacks=[tf.callbacks.terminate_on_nan()]
    )
    out = capsys.readouterr().out
    assert "epoch 1, batch 2" in out and "last finite values" in out
    assert h.epoch == [0]
    for w in model.get_weights():
        assert np.all(np.isfinite(w.numpy()))
    # the first batch was finite and applied; the second was refused
    assert any(not np.array_equal(a, b.numpy()) for a, b in zip(before, model.get_weights()))


def test_progress_without_tty_is_one_line_per_epoch():
    out, err = io.StringIO(), io.StringIO()
    logger = ProgbarLogger(stream=out, err_stream=err)
    small_model().fit(X, Y, epochs=2, batch_size=2, verbose=0, callbacks=[logger])
    lines = out.getvalue().splitlines()
    assert lines[0] == "Epoch 1 / 2" and lines[2] == "Epoch 2 / 2"
    assert (
        lines[1].endswith(tuple("0123456789"))
        and "ms " in lines[1]
        and "us/step - loss=" in lines[1]
    )
    assert "\r" not in out.getvalue() and err.getvalue() == ""


def test_progress_with_tty_draws_a_bar_on_stderr():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    out, err = io.StringIO(), Tty()
    logger = ProgbarLogger(stream=out, err_stream=err)
    small_model().fit(X, Y, epochs=1, batch_size=2, verbose=0, callbacks=[logger])
    drawn = err.getvalue()
    assert drawn.startswith("\reta=") and drawn.endswith("\n") and "loss=" in drawn
    assert "=" * 5 in drawn.splitlines()[-1]


def test_verbose_zero_prints_nothing(capsys):
    small_model().fit(X, Y, epochs=2, verbose=0)
    assert capsys.readouterr() == ("", "")


def test_model_checkpoint_saves_every_epoch_or_the_best(tmp_path):
    model = small_model(lr=0.45)
    every = tf.callbacks.model_checkpoint(tmp_path / "e{epoch}")
    best = tf.callbacks.model_checkpoint(tmp_path / "best", monitor="loss", save_best_only=True)
    losses = []
    keep = tf.callbacks.custom(
        on_epoch_end=lambda epoch, logs: losses.append(
            (logs["loss"], [w.numpy() for w in model.get_weights()])
        )
    )
    model.fit(X, Y, epochs=6, batch_size=4, verbose=0, callbacks=[keep, every, best])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "best",
        "e1",
        "e2",
        "e3",
        "e4",
        "e5",
        "e6",
    ]
    loaded = tf.load_layers_model(tmp_path / "best")
    best_weights = min(losses, key=lambda item: item[0])[1]
    for got, want in zip(loaded.get_weights(), best_weights):
        np.testing.assert_array_equal(got.numpy(), want)
    with pytest.raises(ValueError, match="not logged"):
        small_model().fit(
            X,
            Y,
            verbose=0,
            callbacks=[tf.callbacks.model_checkpoint(tmp_path / "x", save_best_only=True)],
        )
