"""Models end to end: the seed program, functional graphs, training options, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lstmkit as tf

ROOT = Path(__file__).resolve().parents[1]


def seed_model(units: int = 16) -> tf.Sequential:
    model = tf.sequential()
    model.add(tf.layers.lstm(units=units, input_shape=[1, 1]))
    model.add(tf.layers.dense(units=1))
    model.compile(loss="meanSquaredError", optimizer="adam")
    return model


def test_seed_example_runs_and_learns():
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "seed.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert out.startswith("Epoch 1 / 10\n")
    assert out.rstrip().splitlines()[-2] == "Tensor"
    losses = [float(line.split("loss=")[1]) for line in out.splitlines() if "loss=" in line]
    assert len(losses) == 10 and losses[-1] < losses[0]


def test_fit_returns_tfjs_history():
    tf.set_seed(0)
    model = seed_model()
    h = model.fit(tf.tensor3d([[[1]], [[2]]]), tf.tensor2d([[1], [2]]), epochs=3, verbose=0)
    assert h.epoch == [0, 1, 2]
    assert list(h.history) == ["loss"] and len(h.history["loss"]) == 3
    assert h.params == {
        "epochs": 3,
        "initialEpoch": 0,
        "samples": 2,
        "steps": None,
        "batchSize": 32,
        "verbose": 0,
        "doValidation": False,
        "metrics": ["loss"],
    }


def test_numpy_and_lists_accepted_and_camel_case_options():
    model = tf.sequential(
        [
            tf.layers.lstm({"units": 4, "inputShape": [3, 2], "returnSequences": False}),
            tf.layers.dense({"units": 1}),
        ]
    )
    model.compile({"optimizer": "sgd", "loss": "mse", "metrics": ["mae"]})
    x = np.random.default_rng(0).normal(size=(5, 3, 2)).tolist()
    h = model.fit(x, [[0.1]] * 5, {"batchSize": 2, "epochs": 2, "verbose": 0})
    assert sorted(h.history) == ["loss", "mae"] and h.params["batchSize"] == 2
    assert model.predict(np.asarray(x, np.float32)).shape == (5, 1)


def test_seed_mistake_2d_input_error_says_how_to_fix():
    model = seed_model()
    with pytest.raises(ValueError) as e:
        model.fit(tf.tensor2d([[1], [2]]), tf.tensor2d([[1], [2]]), verbose=0)
    msg = str(e.value)
    assert "lstm_LSTM" in msg and "[batch, timesteps, features] = [null,1,1]" in msg
    assert (
        "shape [2,1]" in msg
        and "x.reshape(2, 1, 1)" in msg
        and "tf.tensor3d([[[1]], [[2]]])" in msg
    )


@pytest.mark.parametrize(
    "x,y,match",
    [
        (np.ones((2, 1, 1)), np.ones((3, 1)), "2 samples but target arrays have 3"),
        (np.ones((2, 1, 1)), np.ones((2, 2)), "target"),
        (
            np.array([[[np.nan]], [[1.0]]]),
            np.ones((2, 1)),
            "1 NaN or infinite value\\(s\\); the first at index \\[0, 0, 0\\]",
        ),
        (np.ones((2, 1, 1)), np.array([[1.0], [np.inf]]), "NaN or infinite"),
        (np.ones((2, 1, 3)), np.ones((2, 1)), "axis 2: 3 instead of 1"),
        ([["a"], ["b"]], np.ones((2, 1)), "numbers"),
    ],
)
def test_bad_data_is_refused_clearly(x, y, match):
    with pytest.raises(ValueError, match=match):
        seed_model().fit(x, y, verbose=0)


def test_unknown_names_suggest_close_matches():
    with pytest.raises(ValueError, match="Did you mean 'meanSquaredError'"):
        tf.sequential([tf.layers.dense(units=1, input_shape=[1])]).compile(
            loss="meanSquaredErr", optimizer="adam"
        )
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        seed_model().compile(loss="mse", optimizer="adamm")
    with pytest.raises(ValueError, match="did you mean return_sequences"):
        tf.layers.lstm(units=1, retrun_sequences=True)
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        tf.layers.dense(units=1, activation="relux")
    with pytest.raises(ValueError, match="Did you mean epochs"):
        seed_model().fit(np.ones((2, 1, 1)), np.ones((2, 1)), epochz=3)


def test_fit_before_compile_and_first_layer_without_shape():
    model = tf.sequential([tf.layers.dense(units=1, input_shape=[2])])
    with pytest.raises(ValueError, match="compile"):
        model.fit(np.ones((2, 2)), np.ones((2, 1)))
    with pytest.raises(ValueError, match="inputShape"):
        tf.sequential([tf.layers.lstm(units=2)])


def test_wrong_feature_size_names_layer():
    layer = tf.layers.lstm(units=2)
    layer.apply(np.ones((1, 3, 4), np.float32))
    with pytest.raises(ValueError, match="lstm_LSTM\\d+: expected axis -1 .* value 4"):
        layer.apply(np.ones((1, 3, 5), np.float32))
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        layer.apply(np.ones((1, 4), np.float32))


def test_stateful_needs_batch_size_and_keeps_state():
    with pytest.raises(ValueError, match="needs to know its batch size"):
        tf.sequential([tf.layers.lstm(units=2, stateful=True, input_shape=[1, 1])])
    model = tf.sequential([tf.layers.lstm(units=2, stateful=True, batch_input_shape=[2, 1, 1])])
    x = np.ones((2, 1, 1), np.float32)
    a, b = model.predict(x).numpy(), model.predict(x).numpy()
    assert not np.allclose(a, b)
    model.reset_states()
    np.testing.assert_allclose(model.predict(x).numpy(), a)
    with pytest.raises(ValueError, match="not stateful"):
        tf.layers.lstm(units=1).reset_states()


def test_functional_multi_input_output_and_shared_layer():
    a = tf.input(shape=[4, 2], name="a")
    b = tf.input(shape=[4, 2], name="b")
    shared = tf.layers.lstm(units=3, name="shared")
    ha, hb = shared.apply(a), shared.apply(b)
    merged = tf.layers.concatenate().apply([ha, hb])
    out1 = tf.layers.dense(units=1, name="out1").apply(merged)
    out2 = tf.layers.dense(units=2, activation="softmax", name="out2").apply(hb)
    model = tf.model(inputs=[a, b], outputs=[out1, out2])
    assert model.count_params() == shared.count_params() + 7 + 8
    xa = np.random.default_rng(1).normal(size=(6, 4, 2)).astype(np.float32)
    xb = np.random.default_rng(2).normal(size=(6, 4, 2)).astype(np.float32)
    p1, p2 = model.predict([xa, xb])
    assert p1.shape == (6, 1) and p2.shape == (6, 2)
    # shared weights: the same LSTM on both inputs
    np.testing.assert_allclose(shared.apply(xa).numpy(), shared.apply(xa).numpy())
    model.compile(
        optimizer="adam", loss=["meanSquaredError", "categoricalCrossentropy"], metrics=["accuracy"]
    )
    y2 = np.eye(2, dtype=np.float32)[[0, 1, 0, 1, 0, 1]]
    h = model.fit({"a": xa, "b": xb}, [np.zeros((6, 1)), y2], epochs=2, batch_size=3, verbose=0)
    assert sorted(h.history) == ["loss", "out1_acc", "out1_loss", "out2_acc", "out2_loss"]
    assert h.history["out2_accuracy"] == h.history["out2_acc"]  # Keras's key reads it too
    lines = []
    model.summary(print_fn=lines.append)
    assert len(lines[0]) == 115 and "Receives inputs" in lines[1]
    assert any("shared[0][0]" in line for line in lines)


def test_validation_split_and_data_and_evaluate():
    tf.set_seed(3)
    model = seed_model(4)
    x = np.linspace(0, 1, 8, dtype=np.float32).reshape(8, 1, 1)
    y = x.reshape(8, 1) * 2
    h = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    assert sorted(h.history) == ["loss", "val_loss"] and h.params["samples"] == 6
    h = model.fit(x, y, epochs=1, validation_data=(x[:2], y[:2]), verbose=0)
    expected = model.evaluate(x[:2], y[:2])
    np.testing.assert_allclose(
        float(expected), np.mean((model.predict(x[:2]).numpy() - y[:2]) ** 2), rtol=1e-5
    )


def test_train_on_batch_returns_pre_update_loss():
    tf.set_seed(1)
    model = seed_model(3)
    x, y = np.ones((2, 1, 1), np.float32), np.ones((2, 1), np.float32)
    before = float(np.mean((model.predict(x).numpy() - y) ** 2))
    loss = model.train_on_batch(x, y)
    assert loss == pytest.approx(before, rel=1e-5)
    assert float(np.mean((model.predict(x).numpy() - y) ** 2)) < before


def test_sample_and_class_weights_change_the_loss():
    tf.set_seed(2)
    model = tf.sequential([tf.layers.dense(units=1, input_shape=[1], kernel_initializer="ones")])
    model.compile(optimizer=tf.train.sgd(0.0), loss="mse")
    x = np.array([[1.0], [2.0]], np.float32)
    y = np.array([[0.0], [0.0]], np.float32)
    plain = model.fit(x, y, verbose=0).history["loss"][0]
    assert plain == pytest.approx((1 + 4) / 2)
    weighted = model.fit(x, y, verbose=0, sample_weight=np.array([1.0, 0.0])).history["loss"][0]
    assert weighted == pytest.approx(1 / 2)
    yc = np.array([[0.0], [1.0]], np.float32)
    cw = model.fit(x, yc, verbose=0, class_weight={0: 0.0, 1: 1.0}).history["loss"][0]
    assert cw == pytest.approx((0 + 1) / 2)


def test_regularizer_adds_to_loss_and_constraint_applies():
    model = tf.sequential(
        [
            tf.layers.dense(
                units=1,
                input_shape=[1],
                kernel_initializer="ones",
                use_bias=False,
                kernel_regularizer=tf.regularizers.l2(0.5),
                kernel_constraint=tf.constraints.non_neg(),
            ),
        ]
    )
    model.compile(optimizer=tf.train.sgd(10.0), loss="mse")
    h = model.fit(np.array([[1.0]]), np.array([[-5.0]]), verbose=0)
    assert h.history["loss"][0] == pytest.approx(36 + 0.5)
    assert model.get_weights()[0].numpy().min() >= 0


def test_fit_on_generator_of_batches():
    tf.set_seed(4)
    model = seed_model(4)

    def batches(n):
        for i in range(n):
            yield np.full((2, 1, 1), i, np.float32), np.full((2, 1), i, np.float32)

    h = model.fit(batches(6), epochs=2, batches_per_epoch=3, verbose=0)
    assert len(h.history["loss"]) == 2 and h.params["steps"] == 3
    with pytest.warns(RuntimeWarning, match="ran out after 1 batch"):
        h = model.fit(batches(4), epochs=2, batches_per_epoch=3, verbose=0)
    assert len(h.history["loss"]) == 2  # the short epoch is still reported, then training stops
    h = model.fit([(np.ones((2, 1, 1)), np.ones((2, 1)))] * 2, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2


def test_weights_get_set_count_and_pop():
    model = seed_model(2)
    ws = model.get_weights()
    assert [w.shape for w in ws] == [(1, 8), (2, 8), (8,), (2, 1), (1,)]
    assert model.count_params() == sum(w.size for w in ws)
    model.set_weights([np.zeros(w.shape) for w in ws])
    assert float(model.predict(np.ones((1, 1, 1))).numpy()[0, 0]) == 0
    with pytest.raises(ValueError, match="shape"):
        model.layers[1].set_weights([np.zeros((3, 1)), np.zeros(1)])
    model.pop()
    assert model.predict(np.ones((1, 1, 1))).shape == (1, 2)


def test_optimizer_minimize_low_level():
    w = tf.variable([[0.0]])
    opt = tf.train.sgd(0.1)
    for _ in range(50):
        opt.minimize(lambda: tf.sum(tf.square(tf.sub(w, 3.0))))
    assert float(w.numpy()[0, 0]) == pytest.approx(3.0, abs=1e-3)


def test_embedding_mask_through_lstm_matches_trimmed_sequence():
    tf.set_seed(5)
    emb = tf.layers.embedding(input_dim=10, output_dim=3, mask_zero=True)
    lstm = tf.layers.lstm(units=2)
    inp = tf.input(shape=[4], dtype="int32")
    model = tf.model(inputs=inp, outputs=lstm.apply(emb.apply(inp)))
    padded = model.predict(np.array([[3, 5, 0, 0]], np.int32)).numpy()
    trimmed = lstm.apply(emb.apply(np.array([[3, 5]], np.int32))).numpy()
    np.testing.assert_allclose(padded, trimmed, rtol=1e-6)


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_model_config_round_trip(kind):
    if kind == "sequential":
        model = tf.sequential(
            [tf.layers.gru(units=3, input_shape=[4, 2]), tf.layers.dense(units=1)]
        )
    else:
        inp = tf.input(shape=[4, 2])
        seq, h = tf.layers.simple_rnn(units=3, return_sequences=True, return_state=True).apply(inp)
        out = tf.layers.dense(units=1).apply(tf.layers.concatenate().apply([h, h]))
        model = tf.model(inputs=inp, outputs=[out, seq])
    twin = type(model).from_config(model.get_config())
    assert type(twin) is type(model)
    assert twin.get_config() == model.get_config()
    twin.set_weights(model.get_weights())
    x = np.random.default_rng(0).normal(size=(2, 4, 2)).astype(np.float32)
    a, b = model.predict(x), twin.predict(x)
    for u, v in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
        np.testing.assert_allclose(u.numpy(), v.numpy())


def test_layer_checks_still_run_for_new_shapes_after_a_checked_run():
    """run_graph skips the per-layer checks only for input shapes that already passed them."""
    tf.set_seed(0)
    inp = tf.input(shape=[None, 2])
    out = tf.layers.dense(units=1).apply(tf.layers.lstm(units=3).apply(inp))
    model = tf.model(inputs=inp, outputs=out)
    good = np.ones((4, 5, 2), np.float32)
    first = model.predict(good).numpy()
    np.testing.assert_array_equal(model.predict(good).numpy(), first)  # the direct path
    assert model.predict(np.ones((4, 7, 2), np.float32)).shape == (4, 1)  # new length: checked
    with pytest.raises(ValueError, match="lstm"):
        model.apply(tf.tensor(np.ones((4, 5, 3), np.float32)))
