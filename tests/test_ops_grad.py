"""Every differentiable op's gradient against central finite differences, in float64."""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as tf
from gradcheck import check_grads

rng = np.random.default_rng(1)


def r(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, shape)


def pos(*shape):
    return rng.uniform(0.3, 2.0, shape)


def away_from(*shape, points=(0.0,), gap=0.05):
    """Values at least `gap` away from the kinks at `points`, so differences are smooth."""
    x = r(*shape, low=-3, high=3)
    for p in points:
        close = np.abs(x - p) < gap
        x[close] = p + np.sign(x[close] - p + 1e-12) * 2 * gap
    return x


UNARY = [
    ("neg", tf.neg, r(3, 4)),
    ("exp", tf.exp, r(3, 4)),
    ("expm1", tf.expm1, r(3, 4)),
    ("log", tf.log, pos(3, 4)),
    ("log1p", tf.log1p, pos(3, 4)),
    ("sqrt", tf.sqrt, pos(3, 4)),
    ("rsqrt", tf.rsqrt, pos(3, 4)),
    ("square", tf.square, r(3, 4)),
    ("reciprocal", tf.reciprocal, pos(3, 4)),
    ("abs", tf.abs, away_from(3, 4)),
    ("sign", tf.sign, away_from(3, 4)),
    ("sin", tf.sin, r(3, 4)),
    ("cos", tf.cos, r(3, 4)),
    ("sigmoid", tf.sigmoid, r(3, 4, low=-8, high=8)),
    ("hard_sigmoid", tf.hard_sigmoid, away_from(3, 4, points=(-2.5, 2.5))),
    ("tanh", tf.tanh, r(3, 4)),
    ("relu", tf.relu, away_from(3, 4)),
    ("relu6", tf.relu6, away_from(3, 4, points=(0.0, 6.0)) * 3),
    ("elu", tf.elu, away_from(3, 4)),
    ("selu", tf.selu, away_from(3, 4)),
    ("softplus", tf.softplus, r(3, 4, low=-6, high=6)),
    ("softsign", tf.softsign, away_from(3, 4)),
    ("swish", tf.swish, r(3, 4)),
    ("mish", tf.mish, r(3, 4)),
    ("gelu", tf.gelu, r(3, 4)),
    ("gelu_new", tf.gelu_new, r(3, 4)),
    ("leaky_relu", lambda x: tf.leaky_relu(x, 0.3), away_from(3, 4)),
    (
        "clip_by_value",
        lambda x: tf.clip_by_value(x, -0.5, 0.7),
        away_from(3, 4, points=(-0.5, 0.7)),
    ),
    ("softmax", tf.softmax, r(3, 4)),
    ("softmax_axis0", lambda x: tf.softmax(x, 0), r(3, 4)),
    ("log_softmax", tf.log_softmax, r(3, 4)),
    ("logsumexp", lambda x: tf.logsumexp(x, 1), r(3, 4)),
    ("logsumexp_all_keep", lambda x: tf.logsumexp(x, None, True), r(3, 4)),
    ("sum", lambda x: tf.sum(x, 1), r(3, 4)),
    ("sum_all", tf.sum, r(3, 4)),
    ("sum_keep", lambda x: tf.sum(x, [0, 2], keepdims=True), r(2, 3, 4)),
    ("mean", lambda x: tf.mean(x, -1), r(3, 4)),
    ("mean_all", tf.mean, r(3, 4)),
    ("max", lambda x: tf.max(x, 1), r(3, 4)),
    ("min_keep", lambda x: tf.min(x, 0, keepdims=True), r(3, 4)),
    ("prod", lambda x: tf.prod(x, 1), r(3, 4)),
    ("prod_with_zero", lambda x: tf.prod(x), np.array([[1.5, 0.0, -2.0], [0.7, 1.2, 3.0]])),
    ("reshape", lambda x: tf.reshape(x, [4, 3]), r(3, 4)),
    ("transpose", lambda x: tf.transpose(x, [2, 0, 1]), r(2, 3, 4)),
    ("squeeze", lambda x: tf.squeeze(x, 1), r(3, 1, 4)),
    ("expand_dims", lambda x: tf.expand_dims(x, 1), r(3, 4)),
    ("slice", lambda x: tf.slice(x, [1, 0], [2, -1]), r(3, 4)),
    ("getitem", lambda x: x[1:, ::2], r(3, 4)),
    ("getitem_repeat", lambda x: x[np.array([0, 0, 2])], r(3, 4)),
    ("gather", lambda x: tf.gather(x, tf.tensor([0, 2, 0, 1], dtype="int32")), r(3, 4)),
    ("gather_axis1_2d", lambda x: tf.gather(x, np.array([[1, 1], [3, 0]]), 1), r(3, 4)),
    ("pad", lambda x: tf.pad(x, [[1, 0], [2, 1]], 0.5), r(3, 4)),
    ("tile", lambda x: tf.tile(x, [2, 3]), r(3, 4)),
    ("reverse", lambda x: tf.reverse(x, 1), r(3, 4)),
    ("reverse_all", tf.reverse, r(3, 4)),
    ("cast", lambda x: tf.cast(x, "float32") * 2, r(3, 4)),
    ("dropout_rate0", lambda x: tf.dropout(x, 0.0), r(3, 4)),
    ("unstack", lambda x: tf.unstack(x, 1)[2] * 2 + tf.unstack(x, 1)[0], r(3, 4)),
    ("split_sizes", lambda x: tf.split(x, [1, -1], 1)[1], r(3, 4)),
    ("split_equal", lambda x: tf.split(x, 2, 1)[0] * tf.split(x, 2, 1)[1], r(3, 4)),
    ("pow_scalar", lambda x: x**3, r(3, 4)),
    ("moments", lambda x: tf.moments(x, 0)[1], r(3, 4)),
]


@pytest.mark.parametrize("name,f,x", UNARY, ids=[u[0] for u in UNARY])
def test_unary_gradients(name, f, x):
    check_grads(f, [x])


BINARY = [
    ("add_broadcast", tf.add, r(3, 4), r(4)),
    ("add_broadcast_lead", tf.add, r(1, 4), r(3, 1)),
    ("sub", tf.sub, r(3, 4), r(3, 1)),
    ("mul", tf.mul, r(3, 4), r(1, 4)),
    ("div", tf.div, r(3, 4), pos(4)),
    ("pow", tf.pow, pos(3, 4), r(3, 4)),
    ("maximum", tf.maximum, r(3, 4), r(3, 4) + 0.1),
    ("minimum", tf.minimum, r(3, 4), r(4) + 0.1),
    ("squared_difference", tf.squared_difference, r(3, 4), r(3, 4)),
    ("squared_difference_broadcast", tf.squared_difference, r(3, 4), r(3, 1)),
    ("matmul_bias_x_w", lambda x, w: tf.matmul_bias(x, w, r(2) * 0 + 0.5), r(3, 4), r(4, 2)),
    ("matmul_bias_w_b", lambda w, b: tf.matmul_bias(np.ones((3, 4)), w, b), r(4, 2), r(2)),
    ("matmul", tf.matmul, r(3, 4), r(4, 2)),
    ("matmul_batched_broadcast", tf.matmul, r(2, 3, 4), r(4, 5)),
    ("matmul_transpose", lambda a, b: tf.matmul(a, b, True, True), r(4, 3), r(2, 4)),
    ("dot_mat_vec", tf.dot, r(3, 4), r(4)),
    ("concat", lambda a, b: tf.concat([a, b, a], 1), r(3, 4), r(3, 2)),
    ("stack", lambda a, b: tf.stack([a, b], 1), r(3, 4), r(3, 4)),
    ("where", lambda a, b: tf.where(np.arange(12).reshape(3, 4) % 3 == 0, a, b), r(3, 4), r(4)),
    (
        "operators",
        lambda a, b: (a + 1) * b - a / (b * b + 1) + 2 - (-a) @ b.T @ a,
        r(3, 4),
        r(3, 4),
    ),
]


@pytest.mark.parametrize("name,f,a,b", BINARY, ids=[u[0] for u in BINARY])
def test_binary_gradients(name, f, a, b):
    check_grads(f, [a, b])


def test_max_ties_share_gradient():
    g = tf.grad(lambda x: tf.max(x))(tf.tensor([1.0, 3.0, 3.0]))
    np.testing.assert_allclose(g.numpy(), [0, 0.5, 0.5])


def test_gather_scatter_adds_repeated_indices():
    emb = tf.tensor(np.arange(6.0).reshape(3, 2))
    g = tf.grad(lambda e: tf.sum(tf.gather(e, [2, 2, 0])))(emb)
    np.testing.assert_allclose(g.numpy(), [[1, 1], [0, 0], [2, 2]])


def test_stable_forms_do_not_overflow():
    big = tf.tensor([-1e4, -100.0, 0.0, 100.0, 1e4])
    for f in (tf.sigmoid, tf.softplus, tf.log_softmax, tf.softmax, tf.swish, tf.mish):
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            y = f(big).numpy()
        assert np.all(np.isfinite(y)), f.__name__
    np.testing.assert_allclose(tf.sigmoid(big).numpy(), [0, 0, 0.5, 1, 1], atol=1e-30)
    expected = np.logaddexp(0, np.array([-1e4, -100.0, 0.0, 100.0, 1e4]))
    np.testing.assert_allclose(tf.softplus(big).numpy(), expected, rtol=1e-6, atol=1e-45)
    assert np.isfinite(tf.logsumexp(big).numpy())


def test_hard_sigmoid_is_tfjs_formula():
    # TF.js: clip(0.2 x + 0.5, 0, 1); verified values from tfjs-facts.md §5.2
    y = tf.hard_sigmoid(tf.tensor([-3, -2.5, -1, 0, 1, 2.5, 3])).numpy()
    np.testing.assert_allclose(y, [0, 0, 0.3, 0.5, 0.7, 1, 1], atol=1e-7)


def test_gelu_is_erf_form():
    from math import erf, sqrt

    x = np.array([-2.0, -0.5, 0.0, 0.7, 3.0])
    expected = [0.5 * v * (1 + erf(v / sqrt(2))) for v in x]
    np.testing.assert_allclose(tf.gelu(x).numpy(), expected, rtol=1e-6)


def test_nothing_recorded_outside_gradient_calls():
    v = tf.variable([[1.0, 2.0]])
    y = tf.matmul(v, tf.tensor([[1.0], [2.0]]))
    assert y._node is None


def test_int_gradients_are_refused():
    with pytest.raises(ValueError, match="int32"):
        tf.grad(lambda x: x * 2)(tf.tensor([1, 2], dtype="int32"))


def test_value_and_grad_and_dy():
    value, g = tf.value_and_grad(lambda x: x * x)(tf.tensor([1.0, 3.0]), tf.tensor([1.0, 10.0]))
    np.testing.assert_allclose(value.numpy(), [1, 9])
    np.testing.assert_allclose(g.numpy(), [2, 60])


def test_gradient_of_unused_input_is_zero():
    gs = tf.grads(lambda a, b: a * 2)([tf.tensor([1.0]), tf.tensor([5.0, 6.0])])
    np.testing.assert_allclose(gs[1].numpy(), [0, 0])


def test_variable_grads_finds_used_trainable_variables():
    a = tf.variable([2.0], name="a")
    b = tf.variable([3.0], name="b")
    frozen = tf.variable([4.0], trainable=False, name="frozen")
    res = tf.variable_grads(lambda: tf.sum(a * b * frozen))
    assert set(res.grads) == {"a", "b"}
    np.testing.assert_allclose(res.grads["a"].numpy(), [12.0])
    res = tf.variable_grads(lambda: tf.sum(a * b), [b])
    assert set(res.grads) == {"b"}


def test_variable_assign_checks_shape():
    v = tf.variable([1.0, 2.0], name="w")
    v.assign([3.0, 4.0])
    np.testing.assert_allclose(v.numpy(), [3, 4])
    with pytest.raises(ValueError, match="expected shape \\[2\\]"):
        v.assign([1.0])


def test_custom_grad():
    @tf.custom_grad
    def clipped_identity(x):
        return x * 1, lambda dy: tf.clip_by_value(dy, -1, 1)

    g = tf.grad(lambda x: clipped_identity(x) * 5)(tf.tensor([1.0, 2.0]))
    np.testing.assert_allclose(g.numpy(), [1, 1])


def test_shape_errors_name_the_op():
    with pytest.raises(ValueError, match="matmul: inner dimensions"):
        tf.matmul(tf.zeros([2, 3]), tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="add: shapes \\[2, 3\\] and \\[4\\]"):
        tf.add(tf.zeros([2, 3]), tf.zeros([4]))
    with pytest.raises(ValueError, match="concat"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([3, 3])], 1)
    with pytest.raises(ValueError, match="reshape"):
        tf.reshape(tf.zeros([2, 3]), [4])
    with pytest.raises(ValueError, match="gather: indices must be in"):
        tf.gather(tf.zeros([2, 3]), [5])
    with pytest.raises(ValueError, match="sigmoid: expects a float32"):
        tf.sigmoid(tf.tensor([1], dtype="int32"))
