"""Issue 14, item 13: a batch of 0 rows.

`predict` on 0 rows raised NumPy's "need at least one array to concatenate" (TF.js 4.22 throws
its own "Pass at least one tensor to concat" there, checked in Node). It now gives each
output's empty result, with the shape and dtype a non-empty batch gives (the expected shape is
taken from a prediction on real rows, never written here). `evaluate` on 0 rows is refused
with a clear error (the loss of no samples is undefined; TF.js returns an empty list, lstmkit
returned a loss of 0), `fit` on 0 rows does what TF.js's does (no batch, an empty History),
and a stateful model says that it runs on its fixed batch size.
"""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as tf
from lstmkit import _random
from lstmkit.engine import native


@pytest.fixture(params=["compiled", "numpy"])
def mode(request):
    if request.param == "compiled" and native.extension_info() is None:
        pytest.skip("the extension is not built")
    old = native.use_extension(request.param == "compiled")
    yield request.param
    native.use_extension(old)


def _chain(cell="lstm", return_sequences=False, time=None):
    _random.set_seed(0)
    m = tf.sequential()
    layer = getattr(tf.layers, cell)
    m.add(layer(units=4, input_shape=[time, 2], return_sequences=return_sequences))
    m.add(tf.layers.dense(units=3))
    m.compile(loss="meanSquaredError", optimizer="sgd")
    return m


def _rows(n, t=5):
    return np.random.default_rng(0).normal(size=(n, t, 2)).astype("float32")


@pytest.mark.parametrize("cell", ["lstm", "gru", "simple_rnn"])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("method", ["predict", "predict_on_batch"])
def test_predict_on_no_rows_gives_an_empty_result_of_the_right_shape(
    mode, cell, return_sequences, method
):
    model = _chain(cell, return_sequences)  # time steps None: the shape comes from the input
    full = getattr(model, method)(_rows(3, t=7))
    empty = getattr(model, method)(_rows(0, t=7))
    assert empty.shape == (0, *full.shape[1:])
    assert empty.dtype == full.dtype
    assert empty.numpy().size == 0


def test_predict_on_no_rows_with_a_batch_size_and_options(mode):
    model = _chain()
    full = model.predict(_rows(2), {"batchSize": 1})
    empty = model.predict(_rows(0), batch_size=7)
    assert empty.shape == (0, *full.shape[1:])


def test_multi_output_model_gives_one_empty_result_per_output(mode):
    _random.set_seed(0)
    inp = tf.input(shape=[3, 2])
    h = tf.layers.lstm(units=4, return_sequences=True).apply(inp)
    out1 = tf.layers.dense(units=2).apply(h)
    out2 = tf.layers.dense(units=1).apply(tf.layers.flatten().apply(h))
    model = tf.model(inputs=inp, outputs=[out1, out2])
    x = np.ones((2, 3, 2), np.float32)
    for method in ("predict", "predict_on_batch"):
        full = getattr(model, method)(x)
        empty = getattr(model, method)(x[:0])
        assert [e.shape for e in empty] == [(0, *f.shape[1:]) for f in full]
        assert [e.dtype for e in empty] == [f.dtype for f in full]


def test_flatten_of_no_rows_keeps_the_feature_size():
    x = tf.zeros([0, 3, 4])
    assert list(tf.layers.flatten().apply(x).shape) == [0, 12]
    assert list(tf.reshape(x, [0, -1]).shape) == [0, 12]
    with pytest.raises(ValueError, match="cannot reshape"):
        tf.reshape(x, [-1, 0])  # still ambiguous: refused as before


def test_evaluate_on_no_rows_is_refused_clearly(mode):
    model = _chain()
    with pytest.raises(ValueError, match="0 samples.*at least one sample"):
        model.evaluate(_rows(0), np.zeros((0, 3), np.float32))


def test_fit_on_no_rows_trains_nothing_as_tfjs(mode):
    model = _chain()
    before = [w.numpy().copy() for w in model.get_weights()]
    history = model.fit(_rows(0), np.zeros((0, 3), np.float32), epochs=2, verbose=0)
    assert history.history.get("loss", []) == [] or all(
        np.isnan(v) or v == 0 for v in history.history["loss"]
    )
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got.numpy(), want)
    assert model.optimizer.iterations == 0


def test_a_stateful_model_names_its_fixed_batch_size():
    model = tf.sequential()
    model.add(tf.layers.lstm(units=4, batch_input_shape=[2, 3, 2], stateful=True))
    model.add(tf.layers.dense(units=1))
    for method in ("predict", "predict_on_batch"):
        with pytest.raises(ValueError, match=r"lstm.*\[2,3,2\].*\[0,3,2\].*fixed batch size"):
            getattr(model, method)(np.zeros((0, 3, 2), np.float32))


def test_a_model_with_no_inputs_says_so_on_predict():
    """TF.js's minimal container (no inputs, no outputs) loads; predict on it is a clear error."""
    from lstmkit.models.functional import LayersModel

    config = {"name": "test", "layers": [], "inputLayers": [], "outputLayers": []}
    model = LayersModel.fromConfig(LayersModel, config)
    with pytest.raises(ValueError, match="no input arrays were given"):
        model.predict([])
