"""model.fitDataset / evaluateDataset (TF.js) and model.fit(dataset) (Keras).

The expected numbers come from the array API on the same batches: train_on_batch in order,
fit(x, y, shuffle=False), evaluate(x, y).
"""

from __future__ import annotations

import asyncio
import math

import numpy as np
import pytest

import lstmkit as tf

RNG = np.random.default_rng(20240422)
X = RNG.normal(size=(20, 4, 2)).astype(np.float32)
Y = (X.sum(axis=(1, 2))[:, None] * 0.3).astype(np.float32)


def lstm_model(seed: int = 3, lr: float = 0.01) -> tf.Sequential:
    tf.set_seed(seed)
    model = tf.sequential([tf.layers.lstm(units=5, input_shape=[4, 2]), tf.layers.dense(units=1)])
    model.compile(optimizer=tf.train.adam(lr), loss="meanSquaredError", metrics=["mae"])
    return model


def weights(model):
    return [w.numpy() for w in model.get_weights()]


def batches(size=6):
    return [(X[i : i + size], Y[i : i + size]) for i in range(0, len(X), size)]


def test_fit_dataset_gives_train_on_batch_and_fit_numbers():
    by_hand = lstm_model()
    expected_losses = []
    for _ in range(3):
        losses = [by_hand.train_on_batch(bx, by)[0] for bx, by in batches()]
        sizes = [len(bx) for bx, _ in batches()]
        expected_losses.append(float(np.dot(losses, sizes) / sum(sizes)))
    ds = tf.data.zip({"xs": tf.data.array(list(X)), "ys": tf.data.array(list(Y))}).batch(6)
    model = lstm_model()
    h = model.fitDataset(ds, {"epochs": 3, "verbose": 0})
    for got, want in zip(weights(model), weights(by_hand)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(h.history["loss"], expected_losses, rtol=1e-6)
    assert h.params["steps"] == 4 and h.params["samples"] is None
    arrays = lstm_model()
    h2 = arrays.fit(X, Y, batch_size=6, epochs=3, shuffle=False, verbose=0)
    for got, want in zip(weights(model), weights(arrays)):
        np.testing.assert_array_equal(got, want)
    assert h.history == h2.history


@pytest.mark.parametrize("form", ["dict", "list", "tuple"])
def test_element_forms(form):
    make = {
        "dict": lambda bx, by: {"xs": tf.tensor(bx), "ys": tf.tensor(by)},
        "list": lambda bx, by: [tf.tensor(bx), tf.tensor(by)],
        "tuple": lambda bx, by: (bx, by),
    }[form]
    ds = tf.data.array([make(bx, by) for bx, by in batches()])
    model = lstm_model()
    model.fit_dataset(ds, epochs=2, verbose=0)
    reference = lstm_model()
    reference.fit(X, Y, batch_size=6, epochs=2, shuffle=False, verbose=0)
    for got, want in zip(weights(model), weights(reference)):
        np.testing.assert_array_equal(got, want)


def test_multi_input_dicts_by_name():
    tf.set_seed(1)
    a = tf.input(shape=[3], name="a")
    b = tf.input(shape=[2], name="b")
    out = tf.layers.dense(units=1).apply(tf.layers.concatenate().apply([a, b]))
    model = tf.model(inputs=[a, b], outputs=out)
    model.compile(optimizer="sgd", loss="meanSquaredError")
    xa, xb = RNG.normal(size=(8, 3)), RNG.normal(size=(8, 2))
    y = xa.sum(1, keepdims=True)
    ds = tf.data.zip(
        {
            "xs": {"a": tf.data.array(list(xa)), "b": tf.data.array(list(xb))},
            "ys": tf.data.array(list(y)),
        }
    ).batch(4)
    h = model.fitDataset(ds, {"epochs": 2, "verbose": 0})
    assert len(h.history["loss"]) == 2
    with pytest.raises(ValueError, match="2 input"):
        model.fitDataset(tf.data.array([{"xs": [tf.tensor(xa)] * 3, "ys": tf.tensor(y)}]), epochs=1)


def test_batches_per_epoch_reads_one_iterator_across_epochs():
    six = [(X[i : i + 3], Y[i : i + 3]) for i in range(0, 18, 3)]
    model = lstm_model()
    h = model.fitDataset(tf.data.array(six), {"epochs": 2, "batchesPerEpoch": 3, "verbose": 0})
    assert h.params["steps"] == 3 and len(h.history["loss"]) == 2
    by_hand = lstm_model()
    for bx, by in six:  # epoch 1 takes batches 0-2, epoch 2 batches 3-5
        by_hand.train_on_batch(bx, by)
    for got, want in zip(weights(model), weights(by_hand)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    with pytest.warns(RuntimeWarning, match="ran out after 1 batch"):
        model.fitDataset(tf.data.array(six[:4]), {"epochs": 2, "batchesPerEpoch": 3, "verbose": 0})
    endless = tf.data.array(six).repeat()
    h = model.fitDataset(endless, {"epochs": 3, "batchesPerEpoch": 2, "verbose": 0})
    assert len(h.history["loss"]) == 3


def test_tfjs_dataset_objects_and_iterators():
    """TF.js's fitDataset only calls `dataset.iterator()` (isDatasetObject), so programs pass
    `{iterator: function* () {...}}`; evaluateDataset also reads an iterator itself."""
    runs = []

    def gen():
        runs.append(1)
        for bx, by in batches():
            yield {"xs": bx, "ys": by}

    want = lstm_model()
    want.fitDataset(tf.data.array(batches()), {"epochs": 2, "verbose": 0})
    model = lstm_model()
    h = model.fitDataset({"iterator": gen}, {"epochs": 2, "verbose": 0})
    assert len(runs) == 2 and h.params["steps"] is None  # a fresh iterator each epoch
    for got, expected in zip(weights(model), weights(want)):
        np.testing.assert_array_equal(got, expected)

    class Source:  # an object whose async iterator() gives an async generator
        size = 4

        async def iterator(self):
            async def agen():
                for bx, by in batches():
                    await asyncio.sleep(0)
                    yield [bx, by]

            return agen()

    model = lstm_model()
    h = model.fitDataset(Source(), {"epochs": 2, "verbose": 0, "validationData": Source()})
    assert h.params["steps"] == 4 and "val_loss" in h.history
    for got, expected in zip(weights(model), weights(want)):
        np.testing.assert_array_equal(got, expected)
    loss, _ = model.evaluateDataset(tf.data.array(batches()))
    for it in (tf.data.array(batches()).iterator(), iter(batches())):
        assert float(model.evaluateDataset(it)[0].numpy()) == float(loss.numpy())
    items = iter(batches())

    class JsIterator:  # TF.js's LazyIterator protocol: next() -> {value, done}
        def next(self):
            item = next(items, None)
            return {"value": item, "done": item is None}

    assert float(model.evaluateDataset(JsIterator())[0].numpy()) == float(loss.numpy())


def test_validation_data_as_dataset_or_arrays_and_evaluate_dataset():
    vx, vy = X[:10], Y[:10]
    val_ds = tf.data.array([(vx[:4], vy[:4]), (vx[4:], vy[4:])])
    model = lstm_model()
    seen = []
    record = {"onEpochEnd": lambda epoch, logs: seen.append(model.evaluate(vx, vy, batch_size=4))}
    h = model.fitDataset(
        tf.data.array(batches()),
        {"epochs": 2, "verbose": 0, "validationData": val_ds, "callbacks": record},
    )
    assert set(h.history) == {"loss", "mae", "val_loss", "val_mae"}
    for i, (loss, mae) in enumerate(seen):
        assert h.history["val_loss"][i] == pytest.approx(float(loss.numpy()), rel=1e-6)
        assert h.history["val_mae"][i] == pytest.approx(float(mae.numpy()), rel=1e-6)
    h2 = model.fitDataset(tf.data.array(batches()), epochs=1, verbose=0, validation_data=[vx, vy])
    assert "val_loss" in h2.history
    loss, mae = model.evaluateDataset(val_ds)
    want_loss, want_mae = model.evaluate(vx, vy, batch_size=4)
    assert float(loss.numpy()) == pytest.approx(float(want_loss.numpy()), rel=1e-6)
    assert float(mae.numpy()) == pytest.approx(float(want_mae.numpy()), rel=1e-6)
    first, _ = model.evaluate_dataset(val_ds, batches=1)
    assert float(first.numpy()) == pytest.approx(
        float(model.evaluate(vx[:4], vy[:4])[0].numpy()), rel=1e-6
    )
    with pytest.warns(RuntimeWarning, match="ran out after 2 batch"):
        model.evaluateDataset(val_ds, {"batches": 5})


def test_class_weight_matches_fit():
    tf.set_seed(2)
    x = RNG.normal(size=(12, 3)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)

    def clf():
        tf.set_seed(2)
        m = tf.sequential([tf.layers.dense(units=1, input_shape=[3], activation="sigmoid")])
        m.compile(optimizer="sgd", loss="binaryCrossentropy")
        return m

    cw = {0: 1.0, 1: 3.0}
    a = clf()
    a.fitDataset(
        tf.data.array([(x[:6], y[:6]), (x[6:], y[6:])]), epochs=2, verbose=0, classWeight=cw
    )
    b = clf()
    b.fit(x, y, batch_size=6, epochs=2, shuffle=False, class_weight=cw, verbose=0)
    for got, want in zip(weights(a), weights(b)):
        np.testing.assert_array_equal(got, want)


def test_keras_fit_on_a_timeseries_dataset():
    series = np.sin(np.arange(120) / 6).astype(np.float32)[:, None]
    train = tf.utils.timeseries_dataset_from_array(
        series[:-5], series[5:, 0], sequence_length=5, batch_size=16, end_index=80
    )
    val = tf.utils.timeseries_dataset_from_array(
        series[:-5], series[5:, 0], sequence_length=5, batch_size=16, start_index=80
    )
    tf.set_seed(4)
    model = tf.sequential([tf.layers.lstm(units=4, input_shape=[5, 1]), tf.layers.dense(units=1)])
    model.compile(optimizer="adam", loss="mse")
    stop = tf.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    h = model.fit(train, epochs=3, validation_data=val, callbacks=[stop], verbose=0)
    assert set(h.history) == {"loss", "val_loss"} and len(h.history["loss"]) == 3
    assert h.params["steps"] == train.size == math.ceil((80 - 4) / 16)
    h = model.fit(
        train.repeat(),
        epochs=2,
        steps_per_epoch=2,
        validation_data=val,
        validation_steps=1,
        verbose=0,
    )
    assert h.params["steps"] == 2


def test_await_fit_dataset_inside_async_code():
    async def main():
        model = lstm_model()
        history = await model.fitDataset(tf.data.array(batches()), {"epochs": 1, "verbose": 0})
        return history

    h = asyncio.run(main())
    assert len(h.history["loss"]) == 1


def test_errors_name_the_call_and_the_fix():
    model = lstm_model()
    ds = tf.data.array(batches())
    with pytest.raises(ValueError, match=r"config.epochs is required"):
        model.fitDataset(ds, {})
    with pytest.raises(ValueError, match="validationSplit is not supported"):
        model.fitDataset(ds, {"epochs": 1, "validationSplit": 0.2})
    with pytest.raises(ValueError, match="did you mean batchesPerEpoch"):
        model.fitDataset(ds, {"epochs": 1, "batchesPerEpochs": 2})
    with pytest.raises(ValueError, match="positive integer"):
        model.fitDataset(ds, {"epochs": 0})
    with pytest.raises(ValueError, match=r"\{'xs': x, 'ys': y\}"):
        model.fitDataset(tf.data.array([{"x": X, "y": Y}]), {"epochs": 1, "verbose": 0})
    with pytest.raises(ValueError, match="batch size mismatch"):
        model.fitDataset(tf.data.array([(X[:4], Y[:3])]), {"epochs": 1, "verbose": 0})
    with pytest.raises(ValueError, match="do not pass y"):
        model.fit(ds, Y)
    with pytest.raises(TypeError, match="expected a tf.data Dataset"):
        model.fitDataset(X, {"epochs": 1})
    model.fitDataset(ds, {"epochs": 1, "verbose": 0, "yieldEvery": "never"})  # accepted, ignored
