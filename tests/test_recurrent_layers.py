"""Recurrent layers: cells vs layers, custom cells, states, dropout, wrappers."""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as tf
from lstmkit.autograd import ops

rng = np.random.default_rng(11)
X = rng.normal(size=(3, 5, 4)).astype(np.float32)


def copy_weights(src, dst):
    dst.set_weights(src.get_weights())


def test_rnn_with_lstm_cell_equals_lstm_layer():
    tf.set_seed(1)
    layer = tf.layers.lstm(units=3, return_sequences=True)
    ref = layer.apply(X).numpy()
    rnn = tf.layers.rnn(cell=tf.layers.lstm_cell(units=3), return_sequences=True)
    rnn.apply(X)
    copy_weights(layer, rnn)
    np.testing.assert_allclose(rnn.apply(X).numpy(), ref, rtol=1e-6)
    assert [w.name for w in rnn.weights] == [
        f"{rnn.name}/kernel",
        f"{rnn.name}/recurrent_kernel",
        f"{rnn.name}/bias",
    ]


def test_stacked_cells_equal_stacked_layers():
    tf.set_seed(2)
    a = tf.layers.lstm(units=4, return_sequences=True)
    b = tf.layers.gru(units=3, return_sequences=True, go_backwards=False)
    ref = b.apply(a.apply(X)).numpy()
    rnn = tf.layers.rnn(
        cell=[tf.layers.lstm_cell(units=4), tf.layers.gru_cell(units=3)],
        return_sequences=True,
        return_state=True,
    )
    out, *states = rnn.apply(X)
    assert rnn.weights[0].name == f"{rnn.name}/RNNCell_0/kernel"
    rnn.set_weights(a.get_weights() + b.get_weights())
    out, *states = rnn.apply(X)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-6)
    # TF.js lists the last cell's states first
    assert [s.shape for s in states] == [(3, 3), (3, 4), (3, 4)]


class MinimalCell(tf.layers.RNNCell):
    """h = tanh(x·W + h·U), the custom-cell example of Keras's docs."""

    class_name = "MinimalCell"

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = [units]

    def build(self, input_shape):
        self.w = self.add_weight("kernel", (input_shape[-1], self.units), "glorotUniform")
        self.u = self.add_weight("recurrent_kernel", (self.units, self.units), "orthogonal")

    def call(self, inputs, states, training=False):
        h = tf.tanh(tf.add(tf.matmul(inputs, self.w), tf.matmul(states[0], self.u)))
        return h, [h]


def test_custom_cell_runs_the_generic_loop_and_matches_simple_rnn():
    tf.set_seed(3)
    rnn = tf.layers.rnn(cell=MinimalCell(3), return_sequences=True, go_backwards=True)
    rnn.apply(X)
    simple = tf.layers.simple_rnn(units=3, use_bias=False, return_sequences=True, go_backwards=True)
    simple.apply(X)
    simple.set_weights(rnn.get_weights())
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 1, 0, 1]], bool)
    np.testing.assert_allclose(
        rnn.apply(X, mask=mask).numpy(), simple.apply(X, mask=mask).numpy(), rtol=1e-5, atol=1e-6
    )
    # and it trains: gradients reach the custom weights
    model = tf.sequential(
        [tf.layers.rnn(cell=MinimalCell(2), input_shape=[5, 4]), tf.layers.dense(units=1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()[0].numpy()
    model.fit(X, np.ones((3, 1)), verbose=0)
    assert not np.allclose(before, model.get_weights()[0].numpy())


def test_return_state_initial_state_and_shapes():
    layer = tf.layers.lstm(units=2, return_sequences=True, return_state=True)
    seq, h, c = layer.apply(X)
    assert seq.shape == (3, 5, 2) and h.shape == (3, 2) and c.shape == (3, 2)
    np.testing.assert_allclose(seq.numpy()[:, -1], h.numpy())
    # continuing from the final state equals running the whole sequence
    first, h1, c1 = layer.apply(X[:, :3])
    rest, _, _ = layer.apply(X[:, 3:], initial_state=[h1, c1])
    np.testing.assert_allclose(rest.numpy(), seq.numpy()[:, 3:], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="2 state\\(s\\) but was passed 1"):
        layer.apply(X, initial_state=[h1])


def test_functional_initial_state_from_another_layer():
    enc_in = tf.input(shape=[5, 4])
    _, h, c = tf.layers.lstm(units=3, return_state=True).apply(enc_in)
    dec_in = tf.input(shape=[2, 4])
    dec = tf.layers.lstm(units=3, return_sequences=True).apply(dec_in, initial_state=[h, c])
    model = tf.model(inputs=[enc_in, dec_in], outputs=dec)
    assert model.predict([X, X[:, :2]]).shape == (3, 2, 3)


def test_dropout_only_in_training():
    tf.set_seed(4)
    layer = tf.layers.lstm(units=3, dropout=0.5, recurrent_dropout=0.5)
    a = layer.apply(X).numpy()
    np.testing.assert_array_equal(layer.apply(X).numpy(), a)
    b = layer.apply(X, training=True).numpy()
    assert not np.allclose(a, b)


def test_gru_reset_after_keras_layout_runs():
    layer = tf.layers.gru(units=3, reset_after=True, recurrent_activation="sigmoid")
    out = layer.apply(X)
    assert out.shape == (3, 3)
    assert layer.weights[2].shape == (2, 9)
    assert layer.get_config()["reset_after"] is True


@pytest.mark.parametrize("mode,width", [("concat", 6), ("sum", 3), ("mul", 3), ("ave", 3)])
def test_bidirectional_merge_modes(mode, width):
    tf.set_seed(5)
    bi = tf.layers.bidirectional(
        layer=tf.layers.lstm(units=3, return_sequences=True), merge_mode=mode
    )
    out = bi.apply(X)
    assert out.shape == (3, 5, width)
    fwd = tf.layers.lstm(units=3, return_sequences=True)
    bwd = tf.layers.lstm(units=3, return_sequences=True, go_backwards=True)
    fwd.apply(X), bwd.apply(X)
    ws = bi.get_weights()
    fwd.set_weights(ws[:3])
    bwd.set_weights(ws[3:])
    f, b = fwd.apply(X).numpy(), bwd.apply(X).numpy()[:, ::-1]
    want = {"concat": np.concatenate([f, b], -1), "sum": f + b, "mul": f * b, "ave": (f + b) / 2}
    np.testing.assert_allclose(out.numpy(), want[mode], rtol=1e-5, atol=1e-6)
    assert bi.weights[0].name.endswith(f"/forward_{bi.layer.name}/kernel")


def test_bidirectional_none_merge_and_states():
    bi = tf.layers.bidirectional(layer=tf.layers.gru(units=2, return_state=True), merge_mode=None)
    outs = bi.apply(X)
    assert [o.shape for o in outs] == [(3, 2), (3, 2), (3, 2), (3, 2)]


def test_time_distributed_dense_equals_per_step_dense():
    td = tf.layers.time_distributed(layer=tf.layers.dense(units=2))
    out = td.apply(X).numpy()
    k, b = (w.numpy() for w in td.get_weights())
    np.testing.assert_allclose(out, X @ k + b, rtol=1e-5, atol=1e-6)
    assert td.weights[0].name == f"{td.name}/kernel"
    with pytest.raises(ValueError, match=">= 3D"):
        tf.layers.time_distributed(layer=tf.layers.dense(units=2)).apply(np.ones((2, 3)))


def test_lstm_unit_forget_bias_initializes_forget_gate_to_one():
    layer = tf.layers.lstm(units=3, unit_forget_bias=True)
    layer.apply(X)
    np.testing.assert_array_equal(layer.weights[2].numpy(), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])


def test_simple_rnn_null_activation_means_tanh_as_tfjs():
    assert tf.layers.simple_rnn(units=2, activation=None).cell.activation.name == "tanh"
    assert tf.layers.lstm(units=2, activation=None).cell.activation.name == "linear"


def test_layer_gradient_through_model_matches_finite_differences():
    from gradcheck import check_grads

    with tf.float64():
        tf.set_seed(6)
        layer = tf.layers.gru(units=2, return_sequences=True, go_backwards=True)
        layer.apply(np.zeros((2, 3, 2)))
    check_grads(lambda x: ops.sum(ops.square(layer.apply(x))), [rng.normal(size=(2, 3, 2))])
