"""Callbacks as TF.js and Keras programs write them: async hooks (awaited before training goes
on, also when fit runs inside an event loop), the single-dict earlyStopping, camelCase names,
Keras's LambdaCallback / Callback batch hooks / ModelCheckpoint, and logs without lstmkit's
private keys."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

import lstmkit as tf

X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 1.0]], np.float32)
Y = np.array([[1.0], [2.0], [3.0], [5.0]], np.float32)


def small_model(lr: float = 0.05) -> tf.Sequential:
    tf.set_seed(7)
    model = tf.sequential([tf.layers.dense(units=1, input_shape=[2])])
    model.compile(optimizer=tf.train.sgd(lr), loss="meanSquaredError")
    return model


def test_async_hooks_in_a_dict_run_to_completion_in_order():
    events = []
    model = small_model()

    async def on_epoch_end(epoch, logs):
        await asyncio.sleep(0.01)
        events.append(("end", epoch, sorted(logs)))
        if epoch == 1:
            model.stop_training = True  # after an await: only seen if the hook finished

    async def on_batch_begin(batch, logs):
        await asyncio.sleep(0)
        events.append(("batch", batch))

    h = model.fit(
        X,
        Y,
        {
            "epochs": 5,
            "batchSize": 2,
            "verbose": 0,
            "callbacks": {"onEpochEnd": on_epoch_end, "onBatchBegin": on_batch_begin},
        },
    )
    assert h.epoch == [0, 1]
    assert events == [
        ("batch", 0),
        ("batch", 1),
        ("end", 0, ["loss"]),
        ("batch", 0),
        ("batch", 1),
        ("end", 1, ["loss"]),
    ]


def test_async_subclass_hooks_in_either_spelling():
    seen = []

    class TfjsStyle(tf.callbacks.Callback):
        async def onEpochEnd(self, epoch, logs):  # noqa: N802  (TF.js's name)
            await asyncio.sleep(0)
            seen.append(("tfjs", epoch, logs["loss"]))

    class KerasStyle(tf.callbacks.Callback):
        async def on_train_begin(self, logs=None):
            seen.append(("begin", self.params["epochs"]))

        def on_train_batch_end(self, batch, logs=None):
            seen.append(("batch", batch, logs["size"]))

    h = small_model().fit(
        X, Y, epochs=2, batch_size=4, verbose=0, callbacks=[TfjsStyle(), KerasStyle()]
    )
    assert seen == [
        ("begin", 2),
        ("batch", 0, 4),
        ("tfjs", 0, h.history["loss"][0]),
        ("batch", 0, 4),
        ("tfjs", 1, h.history["loss"][1]),
    ]
    cb = TfjsStyle()
    assert cb.on_epoch_end.__func__ is TfjsStyle.onEpochEnd  # both spellings, one method
    assert tf.callbacks.Callback.setModel is tf.callbacks.Callback.set_model


def test_fit_called_inside_a_running_event_loop():
    """fit from async code (or a Jupyter cell): async hooks run on a helper loop, fit waits."""
    record = []
    main_thread = threading.get_ident()

    async def on_epoch_end(epoch, logs):
        await asyncio.sleep(0.01)
        record.append((epoch, threading.get_ident() != main_thread))

    async def main():
        model = small_model()
        history = await model.fitDataset(
            tf.data.array([(X[:2], Y[:2]), (X[2:], Y[2:])]),
            {"epochs": 3, "verbose": 0, "callbacks": [{"onEpochEnd": on_epoch_end}]},
        )
        return history

    h = asyncio.run(main())
    assert len(h.history["loss"]) == 3
    assert record == [(0, True), (1, True), (2, True)]


def test_user_callbacks_never_see_private_log_keys(capsys):
    got = []
    cb = tf.callbacks.custom(on_epoch_end=lambda e, logs: got.append(dict(logs)))
    small_model().fit(X, Y, epochs=1, verbose=1, callbacks=[cb], validation_data=(X, Y))
    assert sorted(got[0]) == ["loss", "val_loss"]
    out = capsys.readouterr().out
    assert "us/step" in out and "ms " in out  # the progress logger still reads them


def test_what_one_callback_adds_the_next_and_history_see():
    def add(epoch, logs):
        logs["lr"] = 0.05

    h = small_model().fit(X, Y, epochs=2, verbose=0, callbacks=[{"on_epoch_end": add}])
    assert h.history["lr"] == [0.05, 0.05]


def test_early_stopping_tfjs_dict_and_keras_class():
    es = tf.callbacks.earlyStopping(
        {"monitor": "loss", "patience": 2, "minDelta": 0.5, "mode": "min"}
    )
    assert (es.monitor, es.patience, es.min_delta, es.mode) == ("loss", 2, 0.5, "min")
    es = tf.callbacks.EarlyStopping({"patience": 1, "restoreBestWeights": True})
    assert es.monitor == "val_loss" and es.restore_best_weights
    es = tf.callbacks.early_stopping(restoreBestWeights=True, monitor="val_acc")
    assert es.mode == "max" and es.restore_best_weights
    with pytest.raises(ValueError, match="did you mean minDelta"):
        tf.callbacks.earlyStopping({"minDelt": 1})
    with pytest.raises(ValueError, match="patience must be a whole number"):
        tf.callbacks.EarlyStopping(patience=-1)
    # Keras's start_from_epoch: no stopping during the first epochs
    model = small_model(lr=0.45)  # diverges: early stopping would stop at once
    h = model.fit(
        X,
        Y,
        epochs=6,
        verbose=0,
        callbacks=[tf.callbacks.EarlyStopping(monitor="loss", patience=0, start_from_epoch=4)],
    )
    assert len(h.epoch) >= 5


def test_restore_best_weights_as_keras_3_also_without_a_stop(capsys):
    model = small_model(lr=0.45)  # the loss falls, then diverges
    snapshots = []
    record = tf.callbacks.custom(
        on_epoch_end=lambda epoch, logs: snapshots.append(
            (logs["loss"], [w.numpy() for w in model.get_weights()])
        )
    )
    stop = tf.callbacks.EarlyStopping(
        monitor="loss", patience=50, restore_best_weights=True, verbose=1
    )
    h = model.fit(X, Y, epochs=8, batch_size=4, verbose=0, callbacks=[record, stop])
    losses = h.history["loss"]
    assert len(losses) == 8 and stop.stopped_epoch == 0  # ran to the end
    best = int(np.argmin(losses))
    assert best < 7  # the last epoch is not the best one
    for got, want in zip(model.get_weights(), snapshots[best][1]):
        np.testing.assert_array_equal(got.numpy(), want)
    assert f"the best epoch: {best + 1}." in capsys.readouterr().out
    # a baseline no epoch beats: the first epoch's weights are kept (Keras)
    model = small_model(lr=0.45)
    snapshots.clear()
    stop = tf.callbacks.EarlyStopping(
        monitor="loss", patience=2, baseline=-1.0, restore_best_weights=True
    )
    h = model.fit(X, Y, epochs=8, batch_size=4, verbose=0, callbacks=[record, stop])
    assert len(h.history["loss"]) == 2  # TF.js's count: two epochs not beating the baseline
    for got, want in zip(model.get_weights(), snapshots[0][1]):
        np.testing.assert_array_equal(got.numpy(), want)


def test_lambda_callback_keras_names():
    seen = []
    cb = tf.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(("b", batch)),
        on_epoch_end=lambda epoch, logs: seen.append(("e", epoch)),
    )
    small_model().fit(X, Y, epochs=1, batch_size=2, verbose=0, callbacks=[cb])
    assert seen == [("b", 0), ("b", 1), ("e", 0)]
    with pytest.raises(ValueError, match="unknown hook"):
        tf.callbacks.LambdaCallback(on_epoch_ended=print)


def test_camel_case_module_names():
    assert tf.callbacks.terminateOnNaN is tf.callbacks.terminate_on_nan
    assert tf.callbacks.modelCheckpoint is tf.callbacks.model_checkpoint
    assert tf.callbacks.earlyStopping is tf.callbacks.early_stopping
    assert isinstance(tf.callbacks.custom({"onEpochEnd": print}), tf.callbacks.CustomCallback)


def test_keras_model_checkpoint_paths_and_best_only(tmp_path):
    model = small_model(lr=0.45)
    pattern = str(tmp_path / "ckpt-{epoch:02d}-{loss:.2f}.keras")
    every = tf.callbacks.ModelCheckpoint(filepath=pattern, monitor="loss")
    best = tf.callbacks.ModelCheckpoint(
        str(tmp_path / "best.weights.h5"),
        monitor="loss",
        save_best_only=True,
        save_weights_only=True,
    )
    losses = []
    keep = tf.callbacks.custom(
        on_epoch_end=lambda epoch, logs: losses.append(
            (logs["loss"], [w.numpy() for w in model.get_weights()])
        )
    )
    model.fit(X, Y, epochs=4, batch_size=4, verbose=0, callbacks=[keep, every, best])
    names = sorted(p.name for p in tmp_path.iterdir())
    want = sorted(
        [f"ckpt-{e + 1:02d}-{loss:.2f}.keras" for e, (loss, _) in enumerate(losses)]
        + ["best.weights.h5"]
    )
    assert names == want
    best_weights = min(losses, key=lambda item: item[0])[1]
    loaded = tf.load_layers_model(tmp_path / "best.weights.h5")
    if hasattr(model, "load_weights"):
        fresh = small_model()
        fresh.load_weights(str(tmp_path / "best.weights.h5"))
        loaded = fresh
    for got, want_w in zip(loaded.get_weights(), best_weights):
        np.testing.assert_array_equal(got.numpy(), want_w)


def test_model_checkpoint_every_n_batches(tmp_path):
    cb = tf.callbacks.ModelCheckpoint(
        str(tmp_path / "b{epoch}-{batch}"), saveFreq=3, monitor="loss"
    )
    small_model().fit(X, Y, epochs=2, batch_size=1, verbose=0, callbacks=[cb])
    # 8 batches in all, a save every 3rd: epoch 1 batch 3, epoch 2 batches 2 (6th overall)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b1-3", "b2-2"]
    with pytest.raises(ValueError, match="save_freq"):
        tf.callbacks.ModelCheckpoint("x", save_freq="batch")
    with pytest.raises(ValueError, match=r"cannot format the path.*'val_acc'"):
        small_model().fit(
            X, Y, verbose=0, callbacks=[tf.callbacks.ModelCheckpoint(str(tmp_path / "{val_acc}"))]
        )
