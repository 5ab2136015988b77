"""Core, embedding and noise layers: forward values against NumPy, gradients against finite
differences, and TF.js golden fixtures (configs key by key, predictions to 1e-5)."""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as tf
from gradcheck import check_grads
from lstmkit.layers.core import (
    Activation,
    Dense,
    Dropout,
    Flatten,
    Masking,
    Permute,
    RepeatVector,
    Reshape,
    SpatialDropout1D,
)
from lstmkit.layers.embeddings import Embedding
from lstmkit.layers.noise import AlphaDropout, GaussianDropout, GaussianNoise
from tfjs_fixtures import array, case_names, load_case

rng = np.random.default_rng(7)
CLASSES = {
    c.class_name: c
    for c in (
        Dense,
        Activation,
        Dropout,
        Flatten,
        Reshape,
        Permute,
        RepeatVector,
        Masking,
        SpatialDropout1D,
        Embedding,
    )
}


def r(*shape):
    return rng.uniform(-1.5, 1.5, shape).astype(np.float32)


def check_layer_grads(layer, inputs, training=False, seed=3, rtol=1e-5, atol=1e-7):
    """Input and weight gradients of `layer` against central differences, in float64."""
    with tf.float64():
        xs = [np.asarray(x, np.float64) for x in inputs]

        def run(*ts):
            return layer(ts[0] if len(ts) == 1 else list(ts), training=training)

        out = run(*[tf.tensor(x) for x in xs])  # builds the weights in float64
        check_grads(run, xs, rtol=rtol, atol=atol)
        dy = tf.tensor(np.random.default_rng(seed).normal(size=out.shape))

        def loss():
            return tf.sum(tf.mul(run(*[tf.tensor(x) for x in xs]), dy))

        for w in layer.trainable_weights:
            got = tf.variable_grads(loss, [w]).grads[w.name].numpy()
            base, num, eps = w.numpy(), np.zeros(w.shape), 1e-6
            for i in np.ndindex(base.shape):
                for sign in (1, -1):
                    bumped = base.copy()
                    bumped[i] += sign * eps
                    w.assign(bumped)
                    num[i] += sign * loss().numpy() / (2 * eps)
            w.assign(base)
            np.testing.assert_allclose(got, num, rtol=rtol, atol=atol, err_msg=w.name)


# -- TF.js golden fixtures -----------------------------------------------------------------------


def _layers(case):
    topology = case["model"]["modelTopology"]
    return topology.get("model_config", topology)["config"]["layers"]


@pytest.mark.parametrize("name", case_names("dense_") + ["core_layers"])
def test_tfjs_golden_sequence(name):
    case = load_case(name)
    layers = []
    for spec in _layers(case):
        layer = CLASSES[spec["class_name"]].from_config(spec["config"])
        assert list(layer.get_config().items()) == list(spec["config"].items())
        layers.append(layer)
    for pred in case["predict"]:
        h = tf.tensor(array(pred["x"]))
        for layer in layers:
            if not layer.built:
                layer(h)
                layer.set_weights([case["weights"][w.name] for w in layer.weights])
            h = layer(h)
        np.testing.assert_allclose(h.numpy(), array(pred["y"][0]), rtol=1e-5, atol=1e-5)
    for layer, spec in zip(layers, _layers(case)):  # building changes nothing in the configs
        assert list(layer.get_config().items()) == list(spec["config"].items())


@pytest.mark.parametrize("name", ["embedding_mask_lstm", "masking_gru_seq"])
def test_tfjs_golden_masks_reach_the_recurrent_layer(name):
    """Embedding(mask_zero) and Masking feed their masks to TF.js's LSTM/GRU: same outputs."""
    from lstmkit.layers.recurrent import GRU, LSTM

    classes = {**CLASSES, "LSTM": LSTM, "GRU": GRU}
    case = load_case(name)
    layers = [classes[s["class_name"]].from_config(s["config"]) for s in _layers(case)]
    for pred in case["predict"]:
        h, mask = tf.tensor(array(pred["x"])), None
        for layer in layers:
            kwargs = {} if mask is None else {"mask": mask}
            if not layer.built:
                layer(h, **kwargs)
                layer.set_weights([case["weights"][w.name] for w in layer.weights])
            h, mask = layer(h, **kwargs), layer.compute_mask(h, mask)
        np.testing.assert_allclose(h.numpy(), array(pred["y"][0]), rtol=1e-5, atol=1e-5)


def test_dense_casts_integer_data():
    layer = Dense(units=2, kernel_initializer="ones")
    y = layer(np.array([[1, 2]]))
    assert y.dtype == "float32"
    np.testing.assert_array_equal(y.numpy(), [[3, 3]])


def test_tfjs_configs_of_other_fixtures():
    """RepeatVector, Masking and Embedding configs as TF.js wrote them in the other fixtures."""
    seen = set()
    for name in case_names():
        for spec in _layers(load_case(name)):
            cls = CLASSES.get(spec["class_name"])
            if cls is None:
                continue
            want = dict(spec["config"])
            got = cls.from_config(want).get_config()
            if cls is Embedding and "dtype" not in want:
                # TF.js wrote this layer before a reload: its own reload adds dtype too
                got.pop("dtype")
            assert list(got.items()) == list(want.items()), name
            seen.add(spec["class_name"])
    assert {"RepeatVector", "Masking", "Embedding", "Dense"} <= seen


def test_embedding_config_as_created_by_tfjs():
    e = Embedding(input_dim=20, output_dim=4, mask_zero=True, input_length=6, name="emb_E1")
    cfg = e.get_config()
    assert list(cfg) == [
        "input_dim",
        "output_dim",
        "embeddings_initializer",
        "embeddings_regularizer",
        "activity_regularizer",
        "embeddings_constraint",
        "mask_zero",
        "input_length",
        "name",
        "trainable",
        "batch_input_shape",
    ]
    assert cfg["batch_input_shape"] == [None, 6]
    assert cfg["embeddings_initializer"] == {
        "class_name": "RandomUniform",
        "config": {"minval": -0.05, "maxval": 0.05, "seed": None},
    }
    assert Embedding(input_dim=3, output_dim=2).get_config()["mask_zero"] is None


# -- Dense ---------------------------------------------------------------------------------------


def test_dense_forward_any_rank():
    x = r(2, 3, 4)
    layer = Dense(units=5, activation="tanh")
    y = layer(x).numpy()
    k, b = (w.numpy() for w in layer.weights)
    np.testing.assert_allclose(y, np.tanh(x @ k + b), rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape((None, 3, 4)) == (None, 3, 5)
    assert [w.name for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]


def test_dense_no_bias_and_input_dim():
    layer = Dense(units=2, use_bias=False, input_dim=3)
    assert layer.batch_input_shape == (None, 3)
    assert "dtype" not in layer.get_config()
    layer(r(4, 3))
    assert len(layer.weights) == 1


def test_dense_gradients():
    check_layer_grads(Dense(units=3, activation="sigmoid", bias_initializer="ones"), [r(2, 4)])
    check_layer_grads(Dense(units=2), [r(2, 3, 4)])


def test_dense_errors():
    layer = Dense(units=2)
    with pytest.raises(ValueError, match="ndim=2 or more"):
        layer(r(4))
    layer(r(3, 4))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4"):
        layer(r(3, 5))
    with pytest.raises(ValueError, match="Expected units to be a positive integer"):
        Dense(units=0)
    with pytest.raises(ValueError, match="exactly one input"):
        Dense(units=1)([r(2, 2), r(2, 2)])


def test_dense_regularizer_losses_and_snake_serialization():
    layer = Dense(units=2, kernel_regularizer="l1l2", activation="hardSigmoid")
    layer(r(1, 3))
    assert layer.get_config()["activation"] == "hard_sigmoid"
    assert layer.get_config()["kernel_regularizer"]["class_name"] == "L1L2"
    k = layer.kernel.numpy()
    (penalty,) = layer.regularization_losses()
    np.testing.assert_allclose(
        penalty.numpy(), 0.01 * np.abs(k).sum() + 0.01 * (k**2).sum(), rtol=1e-5
    )


# -- Activation, Flatten, Reshape, Permute, RepeatVector ----------------------------------------


def test_activation_layer():
    x = r(2, 3)
    np.testing.assert_allclose(Activation(activation="relu")(x).numpy(), np.maximum(x, 0))
    check_layer_grads(Activation(activation="softmax"), [r(2, 3)])


def test_flatten():
    x = r(2, 3, 4)
    np.testing.assert_array_equal(Flatten()(x).numpy(), x.reshape(2, 12))
    cf = Flatten(data_format="channelsFirst")
    np.testing.assert_array_equal(cf(x).numpy(), x.transpose(0, 2, 1).reshape(2, 12))
    assert list(cf.get_config())[0] == "data_format"
    assert cf.get_config()["data_format"] == "channels_first"
    with pytest.raises(ValueError, match="not fully defined"):
        Flatten().compute_output_shape((None, None, 3))
    with pytest.raises(ValueError, match="ndim=3 or more"):
        Flatten()(r(2, 3))
    check_layer_grads(Flatten(), [r(2, 2, 3)])


def test_reshape():
    x = r(2, 3, 4)
    layer = Reshape(target_shape=[-1, 2])
    np.testing.assert_array_equal(layer(x).numpy(), x.reshape(2, 6, 2))
    assert layer.get_config()["target_shape"] == [None, 2]
    assert layer.compute_output_shape((None, 3, 4)) == (None, 6, 2)
    assert layer.compute_output_shape((None, None, 4)) == (None, None, 2)
    with pytest.raises(ValueError, match="12 values.*holds 10"):
        Reshape(target_shape=[5, 2])(x)
    with pytest.raises(ValueError, match="multiple of 5"):
        Reshape(target_shape=[-1, 5])(x)
    with pytest.raises(ValueError, match="one unknown dimension"):  # at apply, as TF.js
        Reshape(target_shape=[-1, -1])(x)
    check_layer_grads(Reshape(target_shape=[4, 3]), [r(2, 3, 4)])


def test_permute():
    x = r(2, 3, 4, 5)
    layer = Permute(dims=[3, 1, 2])
    np.testing.assert_array_equal(layer(x).numpy(), x.transpose(0, 3, 1, 2))
    assert layer.compute_output_shape((None, 3, 4, 5)) == (None, 5, 3, 4)
    with pytest.raises(ValueError, match="consecutive integers starting from 1"):
        Permute(dims=[0, 1])
    with pytest.raises(ValueError, match="ndim=4"):
        layer(r(2, 3, 4))
    check_layer_grads(Permute(dims=[2, 1]), [r(2, 3, 4)])


def test_repeat_vector():
    x = r(2, 3)
    y = RepeatVector(n=4)(x).numpy()
    np.testing.assert_array_equal(y, np.repeat(x[:, None, :], 4, axis=1))
    with pytest.raises(ValueError, match="ndim=2"):
        RepeatVector(n=2)(r(2, 3, 4))
    check_layer_grads(RepeatVector(n=3), [r(2, 3)])


# -- Dropout family and noise ------------------------------------------------------------------


def test_dropout_inference_is_identity_and_training_scales():
    x = np.ones((200, 50), np.float32)
    layer = Dropout(rate=0.3)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert abs(kept.mean() - 0.7) < 0.02


def test_dropout_noise_shape_seed_and_grads():
    x = np.ones((3, 5, 4), np.float32)
    y = Dropout(rate=0.5, noise_shape=[None, 1, 4], seed=1)(x, training=True).numpy()
    assert (y == y[:, :1, :]).all()
    a = Dropout(rate=0.5, seed=9)(x, training=True).numpy()
    b = Dropout(rate=0.5, seed=9)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    check_layer_grads(Dropout(rate=0.4, seed=2), [r(3, 4)], training=True)
    assert Dropout(rate=2).rate == 1  # clipped to [0, 1] as TF.js


def test_spatial_dropout1d_drops_whole_channels():
    x = np.ones((4, 6, 8), np.float32)
    layer = SpatialDropout1D(rate=0.5, seed=0)
    y = layer(x, training=True).numpy()
    assert (y == y[:, :1, :]).all() and (y == 0).any() and (y != 0).any()
    with pytest.raises(ValueError, match="ndim=3"):
        layer(r(2, 3))
    assert list(layer.get_config())[:3] == ["rate", "noise_shape", "seed"]


def test_gaussian_noise_layers():
    x = np.zeros((400, 50), np.float32)
    gn = GaussianNoise(stddev=0.5)
    np.testing.assert_array_equal(gn(x).numpy(), x)
    assert abs(gn(x, training=True).numpy().std() - 0.5) < 0.02
    assert list(gn.get_config()) == ["stddev", "name", "trainable"]
    gd = GaussianDropout(rate=0.2)
    y = gd(np.ones((400, 50), np.float32), training=True).numpy()
    assert abs(y.mean() - 1) < 0.02 and abs(y.std() - 0.5) < 0.02
    ad = AlphaDropout(rate=0.1)
    z = ad(rng.normal(size=(500, 200)).astype(np.float32), training=True).numpy()
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.03  # self-normalizing
    check_layer_grads(GaussianNoise(stddev=0.3, seed=4), [r(2, 3)], training=True)
    assert GaussianNoise(stddev=1, seed=4).get_config()["seed"] == 4


# -- Masking ------------------------------------------------------------------------------------


def test_masking():
    x = r(2, 4, 3)
    x[0, 1] = 0
    x[1, 3] = -1
    layer = Masking()
    np.testing.assert_array_equal(layer(x).numpy(), x)
    mask = layer.compute_mask(tf.tensor(x)).numpy()
    np.testing.assert_array_equal(mask, [[True, False, True, True], [True] * 4])
    m2 = Masking(mask_value=-1)
    y = m2(x).numpy()
    np.testing.assert_array_equal(y[1, 3], 0)
    np.testing.assert_array_equal(y[:, :3], x[:, :3])
    assert m2.get_config() == {"mask_value": -1, "name": m2.name, "trainable": True}
    check_layer_grads(Masking(mask_value=0.25), [r(2, 3, 2)])


# -- Embedding -----------------------------------------------------------------------------------


def test_embedding_lookup_float_input_and_mask():
    layer = Embedding(input_dim=6, output_dim=3, mask_zero=True)
    idx = np.array([[1, 0, 5], [2, 2, 4]])
    y = layer(idx.astype(np.float32)).numpy()
    table = layer.embeddings.numpy()
    np.testing.assert_array_equal(y, table[idx])
    assert y.shape == (2, 3, 3)
    mask = layer.compute_mask(tf.tensor(idx.astype(np.float32))).numpy()
    np.testing.assert_array_equal(mask, idx != 0)
    assert Embedding(input_dim=2, output_dim=2).compute_mask(tf.tensor([[1.0]])) is None
    y3 = layer(np.array([[[1, 2], [3, 4]]], np.int32)).numpy()
    assert y3.shape == (1, 2, 2, 3)


def test_embedding_errors_and_shapes():
    layer = Embedding(input_dim=5, output_dim=2, input_length=3)
    assert layer.batch_input_shape == (None, 3)
    assert layer.compute_output_shape((None, 3)) == (None, 3, 2)
    with pytest.raises(ValueError, match=r"indices must be in \[0, 5\).*from 0 to 7"):
        layer(np.array([[0, 7, 1]]))
    with pytest.raises(ValueError, match="input_length is 3"):
        layer(np.array([[0, 1]]))
    with pytest.raises(ValueError, match="Expected output_dim to be a positive integer"):
        Embedding(input_dim=5, output_dim=0)


def test_embedding_gradient_scatter_adds_repeated_rows():
    layer = Embedding(input_dim=4, output_dim=2)
    idx = np.array([[1, 1, 3]])
    layer(idx)
    grads = tf.variable_grads(lambda: tf.sum(layer(idx)), [layer.embeddings]).grads
    np.testing.assert_array_equal(
        grads[layer.embeddings.name].numpy(), [[0, 0], [2, 2], [0, 0], [1, 1]]
    )
