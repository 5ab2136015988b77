"""Models built and trained as TF.js and Keras programs write them (issue 13): `tf.input`,
`tf.Input`, `tf.Model`, options as TF.js's one dict or keywords in either spelling, camelCase
methods, and the history keys each kind of program reads (TF.js: 'acc'; Keras: 'accuracy').
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lstmkit as tf

L = tf.layers
RNG = np.random.default_rng(0)
X = RNG.random((12, 4, 2)).astype(np.float32)
Y = (X.sum(axis=(1, 2)) > 4).astype(np.float32)[:, None]


def _model(**compile_args):
    model = tf.sequential()
    model.add(L.lstm({"units": 3, "inputShape": [4, 2]}))
    model.add(L.dense({"units": 1, "activation": "sigmoid"}))
    if compile_args:
        model.compile(compile_args)
    return model


# -- inputs and model constructors --------------------------------------------------------------
def test_input_in_tfjs_and_keras_forms():
    assert tf.input({"shape": [3]}).shape == (None, 3)
    assert tf.input(shape=[3]).shape == (None, 3)
    assert tf.input({"batchShape": [2, 3]}).shape == (2, 3)
    ids = tf.Input(shape=(None,), dtype="int32")
    assert ids.shape == (None, None) and ids.dtype == "int32"
    assert tf.layers.Input((5, 2), batch_size=4).shape == (4, 5, 2)
    assert tf.input({"shape": [2], "name": "words"}).source_layer.name == "words"
    with pytest.raises(ValueError, match="either a `shape` or a `batchShape`"):
        tf.input({"shape": [3], "batchShape": [1, 3]})
    with pytest.raises(ValueError, match=r"'shap' \(did you mean shape"):
        tf.input({"shap": [3]})


def test_input_starts_a_sequential_model():
    model = tf.sequential([tf.Input(shape=(4, 2)), L.LSTM(3), L.Dense(1)])
    assert model.outputShape == (None, 1) and model.inputShape == (None, 4, 2)
    assert [layer.class_name for layer in model.layers] == ["LSTM", "Dense"]
    same = tf.Sequential(layers=[L.Dense(2, input_shape=[3])], name="seq")
    assert same.name == "seq" and same.output_shape == (None, 2)
    other = tf.sequential({"layers": [L.dense({"units": 2, "inputShape": [3]})]})
    assert other.outputShape == (None, 2)
    added = tf.sequential()
    added.add(tf.Input(shape=(3,)))
    added.add(L.dense({"units": 4}))
    assert added.outputShape == (None, 4)


def test_model_in_keras_and_tfjs_forms():
    inp = tf.Input(shape=(4,))
    out = L.Dense(2)(inp)
    for made in (
        tf.Model(inp, out),
        tf.Model(inputs=inp, outputs=out),
        tf.LayersModel({"inputs": inp, "outputs": out, "name": "m"}),
        tf.model({"inputs": inp, "outputs": out}),
    ):
        assert made.outputShape == (None, 2) and made.input is inp and made.output is out
    assert tf.Model is tf.LayersModel is tf.models.Model


# -- camelCase methods and properties on models ------------------------------------------------
def test_model_methods_in_camel_case():
    model = _model(optimizer="adam", loss="binaryCrossentropy", metrics=["accuracy"])
    assert model.getLayer(None, 1) is model.layers[1] is model.get_layer(index=1)
    assert model.getLayer(model.layers[0].name) is model.layers[0]
    assert model.countParams() == 4 * (2 * 3 + 9 + 3) + 4
    before = model.getWeights()
    loss, acc = model.trainOnBatch(X, Y)
    assert np.isfinite(loss) and 0 <= acc <= 1
    model.setWeights(before)
    np.testing.assert_array_equal(model.get_weights()[0].numpy(), before[0].numpy())
    assert model.metricsNames == model.metrics_names == ["loss", "acc"]
    assert model.getClassName() == "Sequential"
    assert model.predictOnBatch(X).shape == (12, 1)


def test_stop_training_is_settable_in_tfjs_spelling():
    model = _model(optimizer="sgd", loss="binaryCrossentropy")

    def stop(epoch, logs):
        model.stopTraining = True

    history = model.fit(X, Y, {"epochs": 5, "verbose": 0, "callbacks": {"onEpochEnd": stop}})
    assert history.epoch == [0] and model.stop_training is True


# -- options as TF.js's dict or as keywords -------------------------------------------------
def test_evaluate_and_predict_options_in_every_form():
    model = _model(optimizer="adam", loss="binaryCrossentropy", metrics=["accuracy"])
    want = [float(v.numpy()) for v in model.evaluate(X, Y)]
    for got in (
        model.evaluate(X, Y, {"batchSize": 5}),
        model.evaluate(X, Y, batch_size=5),
        model.evaluate(X, Y, batchSize=5, verbose=0),
        model.evaluate(X, Y, 5),
    ):
        np.testing.assert_allclose([float(v.numpy()) for v in got], want, rtol=1e-6)
    assert model.evaluate(X, Y, return_dict=True).keys() == {"loss", "acc"}
    first_two = model.evaluate(X, Y, {"batchSize": 2, "steps": 1})
    np.testing.assert_allclose(
        float(first_two[0].numpy()), float(model.evaluate(X[:2], Y[:2])[0].numpy()), rtol=1e-6
    )
    with pytest.raises(ValueError, match=r"'batchSise' \(did you mean batchSize"):
        model.evaluate(X, Y, {"batchSise": 5})
    np.testing.assert_array_equal(
        model.predict(X, {"batchSize": 5}).numpy(), model.predict(X).numpy()
    )
    np.testing.assert_array_equal(model.predict(X, batchSize=5).numpy(), model.predict(X).numpy())


def test_evaluate_weighs_samples_as_training_does():
    model = _model(optimizer="sgd", loss="meanSquaredError")
    w = np.zeros(12, np.float32)
    w[:3] = 1
    weighted = float(model.evaluate(X, Y, sample_weight=w).numpy())
    per_sample = ((model.predict(X[:3]).numpy() - Y[:3]) ** 2).mean(axis=1)
    np.testing.assert_allclose(weighted, per_sample.sum() / 12, rtol=1e-5)


def test_compile_as_one_dict_and_its_extra_options():
    model = _model(optimizer="adam", loss="binaryCrossentropy", metrics=["accuracy"])
    assert model.metrics_names == ["loss", "acc"]
    with pytest.warns(UserWarning, match="classWeight is ignored.*option of fit"):
        model.compile({"optimizer": "adam", "loss": "binaryCrossentropy", "classWeight": {}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.compile(optimizer="adam", loss="binary_crossentropy", run_eagerly=False)
    with pytest.raises(ValueError, match="loss_weights is not supported"):
        model.compile(optimizer="adam", loss="mse", loss_weights=[1.0])
    with pytest.raises(ValueError, match=r"'metrix' \(did you mean metrics"):
        model.compile({"optimizer": "adam", "loss": "mse", "metrix": ["mae"]})


# -- history keys ----------------------------------------------------------------------------
def test_tfjs_program_gets_acc_and_reads_accuracy_too(capsys):
    model = _model(optimizer="adam", loss="binaryCrossentropy", metrics=["accuracy"])
    history = model.fit(X, Y, {"epochs": 2, "validationSplit": 0.25, "verbose": 1})
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]  # TF.js's keys
    assert history.history["accuracy"] is history.history["acc"]
    assert history.history["val_accuracy"] is history.history["val_acc"]
    assert "val_accuracy" in history.history and history.history.get("accuracy") is not None
    printed = capsys.readouterr().out
    assert printed.count(" acc=") == 2 and "accuracy=" not in printed


def test_keras_program_gets_accuracy_and_reads_acc_too():
    model = _model()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(X, Y, epochs=2, validation_data=(X[:4], Y[:4]), verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.history["val_acc"] is history.history["val_accuracy"]
    with pytest.raises(KeyError):
        history.history["precision"]


def test_metrics_in_tfjs_spelling():
    y_true, y_pred = tf.tensor2d([[1.0], [0.0]]), tf.tensor2d([[0.7], [0.6]])
    np.testing.assert_allclose(tf.metrics.binaryAccuracy(y_true, y_pred).numpy(), [1.0, 0.0])
    assert tf.metrics.meanSquaredError is tf.metrics.mean_squared_error
    assert tf.metrics.sparseCategoricalAccuracy is tf.metrics.sparse_categorical_accuracy
    assert tf.metrics.r2Score is tf.metrics.r2_score


def test_keras_load_model_round_trip(tmp_path):
    model = _model(optimizer="adam", loss="binaryCrossentropy")
    model.save(str(tmp_path / "model.keras"))
    loaded = tf.models.load_model(str(tmp_path / "model.keras"))
    np.testing.assert_allclose(loaded.predict(X).numpy(), model.predict(X).numpy(), rtol=1e-6)


def test_model_as_first_layer_of_a_sequential_and_to_json():
    inner = tf.sequential({"layers": [L.dense({"units": 2, "inputShape": [3]})]})
    outer = tf.sequential({"layers": [inner, L.dense({"units": 1})]})
    assert outer.outputShape == (None, 1) and outer.layers[0] is inner
    assert outer.predict(np.ones((2, 3), np.float32)).shape == (2, 1)
    assert outer.toJSON() == outer.to_json()
    assert outer.toJSON(None, False)["class_name"] == "Sequential"
    lines: list[str] = []
    outer.summary(printFn=lines.append)
    assert lines[0] == "_" * 90 and any(inner.name in line for line in lines)
