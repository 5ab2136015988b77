"""Merge, normalization, Conv1D and pooling layers: forward values against NumPy written
independently here, gradients against finite differences, configs in TF.js's key order."""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as tf
from gradcheck import check_grads
from lstmkit.layers.convolutional import Conv1D
from lstmkit.layers.merge import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply
from lstmkit.layers.normalization import BatchNormalization, LayerNormalization
from lstmkit.layers.pooling import (
    AveragePooling1D,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    MaxPooling1D,
)

rng = np.random.default_rng(11)
BASE_KEYS = ["name", "trainable"]


def r(*shape):
    return rng.uniform(-1.5, 1.5, shape).astype(np.float32)


def check_layer_grads(layer, inputs, training=False, rtol=1e-5, atol=1e-7):
    """Input and weight gradients of `layer` against central differences, in float64."""
    with tf.float64():
        xs = [np.asarray(x, np.float64) for x in inputs]

        def run(*ts):
            return layer(ts[0] if len(ts) == 1 else list(ts), training=training)

        out = run(*[tf.tensor(x) for x in xs])
        check_grads(run, xs, rtol=rtol, atol=atol)
        dy = tf.tensor(np.random.default_rng(5).normal(size=out.shape))

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


# -- merge layers --------------------------------------------------------------------------------

ELEMENTWISE = [
    (Add, lambda xs: xs[0] + xs[1] + xs[2]),
    (Multiply, lambda xs: xs[0] * xs[1] * xs[2]),
    (Average, lambda xs: (xs[0] + xs[1] + xs[2]) / 3),
    (Maximum, lambda xs: np.maximum(np.maximum(xs[0], xs[1]), xs[2])),
    (Minimum, lambda xs: np.minimum(np.minimum(xs[0], xs[1]), xs[2])),
]


@pytest.mark.parametrize("cls,ref", ELEMENTWISE, ids=[c.class_name for c, _ in ELEMENTWISE])
def test_elementwise_merges(cls, ref):
    xs = [r(2, 3, 4) for _ in range(3)]
    layer = cls()
    np.testing.assert_allclose(layer(xs).numpy(), ref(xs), rtol=1e-6)
    assert layer.compute_output_shape([(None, 3, 4)] * 3) == (None, 3, 4)
    assert list(layer.get_config()) == BASE_KEYS
    check_layer_grads(cls(), [r(2, 3), r(2, 3), r(2, 3)])


def test_merge_broadcasting_and_lower_rank_inputs():
    a, b = r(2, 3, 4), r(2, 1, 4)
    np.testing.assert_allclose(Add()([a, b]).numpy(), a + b)
    assert Add().compute_output_shape([(None, 3, 4), (None, 1, 4)]) == (None, 3, 4)
    c = r(2, 4)  # rank 2 gets a size-1 axis after the batch axis: [2, 1, 4]
    np.testing.assert_allclose(Multiply()([a, c]).numpy(), a * c[:, None, :])
    assert Add().compute_output_shape([(2, 3, 4), (None, 3, 4)]) == (2, 3, 4)


def test_merge_errors():
    with pytest.raises(ValueError, match="at least 2 inputs. Got 1"):
        Add()([r(2, 3)])
    with pytest.raises(ValueError, match="at least 2 inputs"):
        Add()(r(2, 3))
    with pytest.raises(ValueError, match="could not be broadcast"):
        Add()([r(2, 3), r(2, 4)])
    with pytest.raises(ValueError, match="different batch sizes"):
        Add()([r(2, 3), r(3, 3)])


def test_merge_masks_combine_with_and():
    x = [tf.tensor(r(2, 3, 1)), tf.tensor(r(2, 3, 1))]
    m1 = tf.tensor(np.array([[True, True, False], [True, True, True]]))
    m2 = tf.tensor(np.array([[True, False, True], [True, True, True]]))
    layer = Add()
    assert layer.compute_mask(x, None) is None
    assert layer.compute_mask(x, [None, None]) is None
    np.testing.assert_array_equal(layer.compute_mask(x, [m1, None]).numpy(), m1.numpy())
    np.testing.assert_array_equal(layer.compute_mask(x, [m1, m2]).numpy(), m1.numpy() & m2.numpy())


def test_concatenate():
    a, b = r(2, 3, 4), r(2, 3, 2)
    layer = Concatenate()
    np.testing.assert_array_equal(layer([a, b]).numpy(), np.concatenate([a, b], -1))
    assert layer.compute_output_shape([(None, 3, 4), (None, 3, 2)]) == (None, 3, 6)
    assert layer.compute_output_shape([(None, 3, None), (None, 3, 4)]) == (None, 3, None)
    c = r(2, 5, 4)
    ax1 = Concatenate(axis=1)
    np.testing.assert_array_equal(ax1([a, c]).numpy(), np.concatenate([a, c], 1))
    assert list(ax1.get_config()) == ["axis", *BASE_KEYS] and ax1.get_config()["axis"] == 1
    with pytest.raises(ValueError, match="matching shapes except for the concat axis"):
        Concatenate()([a, c])
    check_layer_grads(Concatenate(axis=1), [r(2, 2, 3), r(2, 1, 3)])


def test_concatenate_mask():
    a, b = tf.tensor(r(2, 3, 2)), tf.tensor(r(2, 3, 1))
    m = tf.tensor(np.array([[True, False, True], [False, True, True]]))
    layer = Concatenate()
    np.testing.assert_array_equal(layer.compute_mask([a, b], [m, None]).numpy(), m.numpy())
    assert layer.compute_mask([a, b], [None, None]) is None
    on_time = Concatenate(axis=1)
    got = on_time.compute_mask([a, b], [m, m]).numpy()
    np.testing.assert_array_equal(got, np.concatenate([m.numpy(), m.numpy()], 1))


def test_dot():
    a, b = r(3, 4), r(3, 4)
    layer = Dot(axes=1)
    np.testing.assert_allclose(layer([a, b]).numpy(), (a * b).sum(1, keepdims=True), rtol=1e-5)
    assert layer.compute_output_shape([(None, 4), (None, 4)]) == (None, 1)
    assert list(layer.get_config()) == ["axes", "normalize", *BASE_KEYS]
    x, y = r(2, 3, 4), r(2, 5, 4)
    np.testing.assert_allclose(
        Dot(axes=[2, 2])([x, y]).numpy(), np.einsum("bik,bjk->bij", x, y), rtol=1e-5
    )
    assert Dot(axes=[2, 2]).compute_output_shape([(None, 3, 4), (None, 5, 4)]) == (None, 3, 5)
    z = r(2, 3, 6)
    np.testing.assert_allclose(
        Dot(axes=1)([x, z]).numpy(), np.einsum("bki,bkj->bij", x, z), rtol=1e-5
    )
    v = r(2, 3)
    np.testing.assert_allclose(
        Dot(axes=1)([v, z]).numpy(), np.einsum("bk,bkj->bj", v, z), rtol=1e-5
    )
    unit = Dot(axes=1, normalize=True)([a, b]).numpy()[:, 0]
    cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(unit, cos, rtol=1e-5)
    with pytest.raises(ValueError, match="dimension incompatibility"):
        Dot(axes=1)([r(2, 3), r(2, 4)])
    check_layer_grads(Dot(axes=[1, 2], normalize=True), [r(2, 3, 2), r(2, 4, 3)])


# -- normalization -------------------------------------------------------------------------------


def _bn_ref(x, mean, var, gamma, beta, eps):
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def test_batchnorm_inference_uses_moving_stats():
    x = r(4, 3, 5)
    layer = BatchNormalization(epsilon=0.01)
    layer(x)
    assert [w.name.split("/")[-1] for w in layer.weights] == [
        "gamma",
        "beta",
        "moving_mean",
        "moving_variance",
    ]
    assert [w.trainable for w in layer.weights] == [True, True, False, False]
    g, b, mm, mv = r(5), r(5), r(5), rng.uniform(0.5, 2, 5).astype(np.float32)
    layer.set_weights([g, b, mm, mv])
    np.testing.assert_allclose(
        layer(x).numpy(), _bn_ref(x, mm, mv, g, b, 0.01), rtol=1e-5, atol=1e-6
    )


def test_batchnorm_training_batch_stats_and_moving_update():
    x = r(6, 4) * 3 + 1
    layer = BatchNormalization(momentum=0.9)
    y = layer(x, training=True).numpy()
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(y, _bn_ref(x, mean, var, 1, 0, 1e-3), rtol=1e-4, atol=1e-5)
    mm, mv = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    np.testing.assert_allclose(mm, 0 - (0 - mean) * 0.1, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(mv, 1 - (1 - var) * 0.1, rtol=1e-5)
    layer(x)  # inference leaves the moving statistics alone
    np.testing.assert_array_equal(layer.moving_mean.numpy(), mm)


def test_batchnorm_axis_center_scale_and_config():
    x = r(3, 4, 5)
    layer = BatchNormalization(axis=1, center=False, scale=False)
    y = layer(x, training=True).numpy()
    m, v = x.mean((0, 2), keepdims=True), x.var((0, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - m) / np.sqrt(v + 1e-3), rtol=1e-4, atol=1e-5)
    assert [w.name.split("/")[-1] for w in layer.weights] == ["moving_mean", "moving_variance"]
    assert list(layer.get_config()) == [
        "axis",
        "momentum",
        "epsilon",
        "center",
        "scale",
        "beta_initializer",
        "gamma_initializer",
        "moving_mean_initializer",
        "moving_variance_initializer",
        "beta_regularizer",
        "gamma_regularizer",
        "beta_constraint",
        "gamma_constraint",
        *BASE_KEYS,
    ]
    with pytest.raises(ValueError, match="expected ndim=3 with axis 1 of size 4"):
        layer(r(3, 5, 5))


def test_batchnorm_gradients():
    layer = BatchNormalization(gamma_initializer="randomNormal", beta_initializer="randomNormal")
    check_layer_grads(layer, [r(5, 3)], training=True, rtol=1e-4, atol=1e-6)
    check_layer_grads(BatchNormalization(axis=1), [r(3, 2, 4)], training=False)


def test_layer_normalization():
    x = r(2, 3, 4)
    layer = LayerNormalization(gamma_initializer="randomNormal", beta_initializer="randomNormal")
    y = layer(x).numpy()
    g, b = layer.gamma.numpy(), layer.beta.numpy()
    m, v = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    np.testing.assert_allclose(y, (x - m) / np.sqrt(v + 1e-3) * g + b, rtol=1e-4, atol=1e-5)
    assert layer.get_config()["axis"] == [2]  # resolved at build time, as TF.js
    assert list(layer.get_config()) == [
        "axis",
        "epsilon",
        "center",
        "scale",
        "beta_initializer",
        "gamma_initializer",
        "beta_regularizer",
        "gamma_regularizer",
        *BASE_KEYS,
    ]
    two = LayerNormalization(axis=[1, 2], center=False)
    y2 = two(x).numpy()
    m2, v2 = x.mean((1, 2), keepdims=True), x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(y2, (x - m2) / np.sqrt(v2 + 1e-3), rtol=1e-4, atol=1e-5)
    assert two.gamma.shape == (3, 4) and two.beta is None
    check_layer_grads(
        LayerNormalization(gamma_initializer="randomNormal"), [r(2, 5)], rtol=1e-4, atol=1e-6
    )


# -- Conv1D --------------------------------------------------------------------------------------


def _conv_ref(x, k, b, stride, padding, dilation):
    """Direct loops: y[n, t, f] = sum_j sum_c xp[n, t*s + j*d, c] * k[j, c, f] + b[f]."""
    steps, width = x.shape[1], k.shape[0]
    span = (width - 1) * dilation + 1
    if padding == "valid":
        left = right = 0
    elif padding == "causal":
        left, right = span - 1, 0
    else:
        out = -(-steps // stride)
        total = max((out - 1) * stride + span - steps, 0)
        left, right = total // 2, total - total // 2
    xp = np.pad(x, ((0, 0), (left, right), (0, 0)))
    n_out = (xp.shape[1] - span) // stride + 1
    y = np.zeros((x.shape[0], n_out, k.shape[2]))
    for t in range(n_out):
        for j in range(width):
            y[:, t] += xp[:, t * stride + j * dilation] @ k[j]
    return y + b


@pytest.mark.parametrize(
    "kernel,stride,padding,dilation",
    [
        (3, 1, "valid", 1),
        (3, 2, "valid", 1),
        (4, 1, "same", 1),
        (3, 3, "same", 1),
        (2, 1, "same", 3),
        (3, 1, "causal", 2),
        (1, 1, "valid", 1),
    ],
)
def test_conv1d_forward(kernel, stride, padding, dilation):
    x = r(2, 9, 3)
    layer = Conv1D(
        filters=4,
        kernel_size=kernel,
        strides=stride,
        padding=padding,
        dilation_rate=dilation,
        bias_initializer="randomNormal",
    )
    y = layer(x).numpy()
    k, b = layer.kernel.numpy(), layer.bias.numpy()
    assert k.shape == (kernel, 3, 4)
    np.testing.assert_allclose(
        y, _conv_ref(x, k, b, stride, padding, dilation), rtol=1e-5, atol=1e-5
    )
    assert layer.compute_output_shape((None, 9, 3)) == (None, y.shape[1], 4)


def test_conv1d_channels_first_activation_and_config():
    x = r(2, 3, 7)  # [batch, channels, steps]
    layer = Conv1D(filters=2, kernel_size=[2], data_format="channelsFirst", activation="relu")
    y = layer(x).numpy()
    ref = _conv_ref(x.transpose(0, 2, 1), layer.kernel.numpy(), layer.bias.numpy(), 1, "valid", 1)
    np.testing.assert_allclose(y, np.maximum(ref, 0).transpose(0, 2, 1), rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape((None, 3, 7)) == (None, 2, 6)
    layer(r(1, 3, 11))  # other sequence lengths are fine
    cfg = layer.get_config()
    assert list(cfg) == [
        "filters",
        "kernel_initializer",
        "kernel_regularizer",
        "kernel_constraint",
        "kernel_size",
        "strides",
        "padding",
        "dilation_rate",
        "activation",
        "use_bias",
        "bias_initializer",
        "bias_regularizer",
        "activity_regularizer",
        "bias_constraint",
        *BASE_KEYS,
    ]
    assert (cfg["kernel_size"], cfg["strides"], cfg["dilation_rate"]) == ([2], [1], [1])
    assert cfg["kernel_initializer"]["class_name"] == "VarianceScaling"
    again = Conv1D.from_config(cfg)
    assert list(again.get_config().items()) == list(cfg.items())


def test_conv1d_errors():
    layer = Conv1D(filters=2, kernel_size=3)
    with pytest.raises(ValueError, match="ndim=3"):
        layer(r(2, 5))
    layer(r(2, 5, 3))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(r(2, 5, 4))
    with pytest.raises(ValueError, match="fewer than the \\(dilated\\) kernel size 3"):
        layer(r(2, 2, 3))
    with pytest.raises(ValueError, match="either strides or dilation_rate must be 1"):
        Conv1D(filters=1, kernel_size=2, strides=2, dilation_rate=2)(r(1, 8, 1))
    with pytest.raises(ValueError, match="padding must be one of"):
        Conv1D(filters=1, kernel_size=2, padding="full")
    with pytest.raises(ValueError, match="Expected filters to be a positive integer"):
        Conv1D(filters=0, kernel_size=2)


@pytest.mark.parametrize("padding,stride,dilation", [("same", 2, 1), ("causal", 1, 2)])
def test_conv1d_gradients(padding, stride, dilation):
    layer = Conv1D(
        filters=2,
        kernel_size=3,
        padding=padding,
        strides=stride,
        dilation_rate=dilation,
        activation="tanh",
        bias_initializer="randomNormal",
    )
    check_layer_grads(layer, [r(2, 6, 2)])


# -- pooling -------------------------------------------------------------------------------------


def _pool_ref(x, size, stride, padding, mode):
    steps = x.shape[1]
    if padding == "same":
        out = -(-steps // stride)
        total = max((out - 1) * stride + size - steps, 0)
        left = total // 2
    else:
        out, left = (steps - size) // stride + 1, 0
    y = np.zeros((x.shape[0], out, x.shape[2]))
    for t in range(out):
        lo = t * stride - left
        window = x[:, max(lo, 0) : min(lo + size, steps)]  # only real values count
        y[:, t] = window.max(1) if mode == "max" else window.mean(1)
    return y


@pytest.mark.parametrize(
    "size,stride,padding",
    [(2, None, "valid"), (3, 1, "valid"), (3, 2, "same"), (2, None, "same"), (4, 3, "same")],
)
@pytest.mark.parametrize("cls,mode", [(MaxPooling1D, "max"), (AveragePooling1D, "avg")])
def test_pooling1d(cls, mode, size, stride, padding):
    x = r(2, 7, 3)
    layer = cls(pool_size=size, strides=stride, padding=padding)
    y = layer(x).numpy()
    np.testing.assert_allclose(y, _pool_ref(x, size, stride or size, padding, mode), rtol=1e-6)
    assert layer.compute_output_shape((None, 7, 3)) == (None, y.shape[1], 3)
    cfg = layer.get_config()
    assert list(cfg) == ["pool_size", "padding", "strides", *BASE_KEYS]
    assert cfg["pool_size"] == [size] and cfg["strides"] == [stride or size]
    check_layer_grads(cls(pool_size=size, strides=stride, padding=padding), [r(2, 7, 2)])


def test_pooling_errors():
    with pytest.raises(ValueError, match="padding must be one of 'valid', 'same'"):
        MaxPooling1D(padding="causal")
    with pytest.raises(ValueError, match="ndim=3"):
        MaxPooling1D()(r(2, 4))
    with pytest.raises(ValueError, match="fewer than pool_size 3"):
        AveragePooling1D(pool_size=3)(r(1, 2, 1))


def test_global_pooling():
    x = r(2, 5, 3)
    np.testing.assert_allclose(GlobalAveragePooling1D()(x).numpy(), x.mean(1), rtol=1e-6)
    np.testing.assert_array_equal(GlobalMaxPooling1D()(x).numpy(), x.max(1))
    assert GlobalMaxPooling1D().compute_output_shape((None, None, 3)) == (None, 3)
    assert list(GlobalAveragePooling1D().get_config()) == BASE_KEYS
    check_layer_grads(GlobalAveragePooling1D(), [r(2, 4, 3)])
    check_layer_grads(GlobalMaxPooling1D(), [r(2, 4, 3)])
