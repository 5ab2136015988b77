"""TF.js's chained ops (`x.argMax(1)`, `x.clipByValue(0, 1)`), in both spellings, routed to
the differentiable op functions; the ops TF.js programs use that were missing (cumsum, norm,
topk, mod, multinomial, ...); TF.js's positional creation signatures; the engine functions
(getBackend, ready, memory, version, ...)."""

from __future__ import annotations

import asyncio
import math

import numpy as np
import pytest

import lstmkit as tf
from gradcheck import check_grads
from lstmkit._names import to_camel_case
from lstmkit.engine.ops import tensor_methods

RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 4)).astype(np.float32)
B = RNG.normal(size=(3, 4)).astype(np.float32)


def _np(t):
    return np.asarray(t.numpy())


# (method, args, NumPy reference of (a, b))
CHAINED = [
    ("add", lambda b: (b,), lambda a, b: a + b),
    ("sub", lambda b: (b,), lambda a, b: a - b),
    ("mul", lambda b: (b,), lambda a, b: a * b),
    ("div", lambda b: (b,), lambda a, b: a / b),
    ("maximum", lambda b: (b,), np.maximum),
    ("minimum", lambda b: (b,), np.minimum),
    ("squaredDifference", lambda b: (b,), lambda a, b: (a - b) ** 2),
    ("mod", lambda b: (b,), np.mod),
    ("floorDiv", lambda b: (b,), np.floor_divide),
    ("greater", lambda b: (b,), np.greater),
    ("greaterEqual", lambda b: (b,), np.greater_equal),
    ("less", lambda b: (b,), np.less),
    ("lessEqual", lambda b: (b,), np.less_equal),
    ("equal", lambda b: (b,), np.equal),
    ("notEqual", lambda b: (b,), np.not_equal),
    ("matMul", lambda b: (b, False, True), lambda a, b: a @ b.T),
    ("dot", lambda b: (b.T,), lambda a, b: a @ b.T),
    ("pow", lambda b: (2,), lambda a, b: a**2),
    ("abs", lambda b: (), lambda a, b: np.abs(a)),
    ("neg", lambda b: (), lambda a, b: np.negative(a)),
    ("exp", lambda b: (), lambda a, b: np.exp(a)),
    ("expm1", lambda b: (), lambda a, b: np.expm1(a)),
    ("sin", lambda b: (), lambda a, b: np.sin(a)),
    ("cos", lambda b: (), lambda a, b: np.cos(a)),
    ("tanh", lambda b: (), lambda a, b: np.tanh(a)),
    ("square", lambda b: (), lambda a, b: np.square(a)),
    ("round", lambda b: (), lambda a, b: np.round(a)),
    ("floor", lambda b: (), lambda a, b: np.floor(a)),
    ("ceil", lambda b: (), lambda a, b: np.ceil(a)),
    ("sign", lambda b: (), lambda a, b: np.sign(a)),
    ("relu", lambda b: (), lambda a, b: np.maximum(a, 0)),
    ("elu", lambda b: (), lambda a, b: np.where(a > 0, a, np.expm1(a))),
    ("sigmoid", lambda b: (), lambda a, b: 1 / (1 + np.exp(-a))),
    ("clipByValue", lambda b: (-0.5, 0.5), lambda a, b: np.clip(a, -0.5, 0.5)),
    ("softmax", lambda b: (), lambda a, b: np.exp(a) / np.exp(a).sum(-1, keepdims=True)),
    (
        "logSoftmax",
        lambda b: (),
        lambda a, b: a - np.log(np.exp(a).sum(-1, keepdims=True)),
    ),
    ("sum", lambda b: (1,), lambda a, b: a.sum(1)),
    ("mean", lambda b: (0, True), lambda a, b: a.mean(0, keepdims=True)),
    ("max", lambda b: (), lambda a, b: a.max()),
    ("min", lambda b: (1,), lambda a, b: a.min(1)),
    ("prod", lambda b: (1,), lambda a, b: a.prod(1)),
    ("argMax", lambda b: (1,), lambda a, b: a.argmax(1)),
    ("argMin", lambda b: (0,), lambda a, b: a.argmin(0)),
    ("logSumExp", lambda b: (1,), lambda a, b: np.log(np.exp(a).sum(1))),
    ("cumsum", lambda b: (1,), lambda a, b: np.cumsum(a, 1)),
    ("norm", lambda b: (), lambda a, b: np.linalg.norm(a.ravel())),
    ("transpose", lambda b: (), lambda a, b: a.T),
    ("reverse", lambda b: (1,), lambda a, b: a[:, ::-1]),
    ("slice", lambda b: ([1, 1], [2, -1]), lambda a, b: a[1:3, 1:]),
    ("tile", lambda b: ([2, 1],), lambda a, b: np.tile(a, (2, 1))),
    (
        "pad",
        lambda b: ([[1, 0], [0, 2]], 7),
        lambda a, b: np.pad(a, ((1, 0), (0, 2)), constant_values=7),
    ),
    ("gather", lambda b: ([2, 0], 1), lambda a, b: a[:, [2, 0]]),
    ("expandDims", lambda b: (1,), lambda a, b: a[:, None, :]),
    ("reshape", lambda b: ([4, 3],), lambda a, b: a.reshape(4, 3)),
    ("flatten", lambda b: (), lambda a, b: a.ravel()),
    ("as1D", lambda b: (), lambda a, b: a.ravel()),
    ("as2D", lambda b: (2, 6), lambda a, b: a.reshape(2, 6)),
    ("as3D", lambda b: (2, 3, -1), lambda a, b: a.reshape(2, 3, 2)),
    ("as4D", lambda b: (1, 2, 3, 2), lambda a, b: a.reshape(1, 2, 3, 2)),
    ("as5D", lambda b: (1, 1, 2, 3, 2), lambda a, b: a.reshape(1, 1, 2, 3, 2)),
    ("isNaN", lambda b: (), lambda a, b: np.isnan(a)),
    ("isFinite", lambda b: (), lambda a, b: np.isfinite(a)),
    ("broadcastTo", lambda b: ([2, 3, 4],), lambda a, b: np.broadcast_to(a, (2, 3, 4))),
]


@pytest.mark.parametrize("name,args,ref", CHAINED, ids=[c[0] for c in CHAINED])
def test_chained_op_matches_numpy_in_both_spellings(name, args, ref):
    a, b = tf.tensor(A), tf.tensor(B)
    expected = ref(A, B)
    got = getattr(a, name)(*args(b))
    np.testing.assert_allclose(_np(got), expected, rtol=1e-5, atol=1e-6)
    snake = {v: k for k, v in tensor_methods.camel_case_names().items()}.get(name, name)
    np.testing.assert_array_equal(_np(getattr(a, snake)(*args(b))), _np(got))


def test_every_snake_case_method_has_its_camel_case_spelling():
    t = tf.ones([2])
    for snake, camel in tensor_methods.camel_case_names().items():
        assert getattr(type(t), camel) is getattr(type(t), snake), (snake, camel)
        if snake not in tensor_methods._CAMEL_CASE:
            assert camel == to_camel_case(snake)


def test_chained_shape_ops_with_several_tensors():
    a, b = tf.tensor(A), tf.tensor(B)
    np.testing.assert_array_equal(_np(a.concat(b, 1)), np.concatenate([A, B], 1))
    np.testing.assert_array_equal(_np(a.concat([b, a])), np.concatenate([A, B, A]))
    np.testing.assert_array_equal(_np(a.stack(b, 1)), np.stack([A, B], 1))
    np.testing.assert_array_equal(_np(a.stack([b, b])), np.stack([A, B, B]))
    cond = A > 0
    np.testing.assert_array_equal(_np(a.where(cond, b)), np.where(cond, A, B))
    parts = a.split([1, 3], 1)
    np.testing.assert_array_equal(_np(parts[1]), A[:, 1:])
    rows = a.unstack()
    assert len(rows) == 3 and np.array_equal(_np(rows[2]), A[2])
    assert a.reshapeAs(tf.zeros([6, 2])).shape == (6, 2) and a.reshape_as(
        np.zeros((2, 6))
    ).shape == (
        2,
        6,
    )
    assert tf.tensor([[[3.0]]]).asScalar().shape == () and tf.tensor([[2.0]]).squeeze().shape == ()


def test_casts_clone_likes_and_variable():
    a = tf.tensor([1.7, -0.2, 0])
    assert a.toInt().arraySync() == [1, 0, 0] and a.to_int().dtype == "int32"
    assert a.toBool().arraySync() == [True, True, False]
    assert a.toInt().toFloat().dtype == "float32" and a.cast("int32").dtype == "int32"
    assert a.asType("bool").dtype == "bool"
    assert a.zerosLike().arraySync() == [0, 0, 0] and a.onesLike().dtype == "float32"
    c = a.clone()
    assert c is not a and c.arraySync() == a.arraySync()
    v = a.variable(True, "chained_v")
    assert isinstance(v, tf.Variable) and v.name == "chained_v" and v.trainable
    assert a.oneHot is not None and tf.tensor1d([0, 2], "int32").oneHot(3).arraySync() == [
        [1, 0, 0],
        [0, 0, 1],
    ]
    assert tf.tensor([1, 0], None, "bool").logicalNot().arraySync() == [False, True]
    t, f = (
        tf.tensor([True, True, False], None, "bool"),
        tf.tensor([True, False, False], None, "bool"),
    )
    assert t.logicalAnd(f).arraySync() == [True, False, False]
    assert t.logicalOr(f).arraySync() == [True, True, False]
    assert t.logicalXor(f).arraySync() == [False, True, False]


def test_chained_expression_gradient_equals_the_function_form():
    def chained(x, w):
        return x.matMul(w).tanh().sub(x.sum(1, True)).square().mean()

    def functional(x, w):
        return tf.mean(tf.square(tf.sub(tf.tanh(tf.matmul(x, w)), tf.sum(x, 1, True))))

    x, w = tf.tensor(A), tf.tensor(B.T)
    g1 = tf.grads(chained)([x, w])
    g2 = tf.grads(functional)([x, w])
    for u, v in zip(g1, g2):
        np.testing.assert_array_equal(_np(u), _np(v))
    check_grads(lambda x, w: x.matMul(w).sigmoid().logSumExp(1).cumsum(), [A, B.T])


# -- the new differentiable ops against finite differences ---------------------------------------
POS = np.abs(A) + 0.5  # where log, sqrt, acosh and co. are defined
UNIT = np.tanh(A) * 0.9  # inside (-1, 1)


@pytest.mark.parametrize(
    "f,xs",
    [
        (lambda x: tf.cumsum(x, 1), [A]),
        (lambda x: tf.cumsum(x, 0, True), [A]),
        (lambda x: tf.cumsum(x, 1, False, True), [A]),
        (lambda x: tf.cumsum(x, -1, True, True), [A]),
        (lambda x: tf.norm(x), [A]),
        (lambda x: tf.norm(x, 1, 1), [A]),
        (lambda x: tf.norm(x, math.inf, 0), [A]),
        (lambda x: tf.norm(x, "fro", [0, 1], True), [A]),
        (lambda x: tf.norm(x, 1, [0, 1]), [A]),
        (lambda x: tf.euclidean_norm(x, 1), [A]),
        (lambda a, b: tf.mod(a, b), [A * 3, POS]),
        (lambda a, b: tf.atan2(a, b), [A, B]),
        (lambda a, b: tf.div_no_nan(a, b), [A, B]),
        (lambda x: tf.topk(x, 2).values, [A]),
        (lambda x: tf.broadcast_to(x[0], [2, 4]), [A]),
        (tf.tan, [UNIT]),
        (tf.asin, [UNIT]),
        (tf.acos, [UNIT]),
        (tf.atan, [A]),
        (tf.sinh, [A]),
        (tf.cosh, [A]),
        (tf.asinh, [A]),
        (tf.acosh, [POS + 1]),
        (tf.atanh, [UNIT]),
        (tf.erf, [A]),
        (tf.log_sigmoid, [A * 5]),
    ],
)
def test_new_op_gradients_match_finite_differences(f, xs):
    check_grads(f, xs, rtol=1e-5, atol=1e-7)


def test_cumsum_matches_numpy_in_every_mode():
    x = tf.tensor(A)
    flip = A[:, ::-1]
    np.testing.assert_allclose(_np(x.cumsum(1, False, True)), np.cumsum(flip, 1)[:, ::-1], 1e-6)
    excl = np.concatenate([np.zeros((3, 1)), np.cumsum(A, 1)[:, :-1]], 1)
    np.testing.assert_allclose(_np(x.cumsum(1, True)), excl, 1e-6, 1e-6)
    assert tf.tensor([1, 2, 3], None, "int32").cumsum().arraySync() == [1, 3, 6]
    with pytest.raises(ValueError, match="cumsum: axis 2 is out of range"):
        x.cumsum(2)


def test_norm_variants_match_numpy():
    x = tf.tensor(A)
    assert np.isclose(x.norm(1).item(), np.abs(A).sum(), rtol=1e-6)
    assert np.isclose(x.norm(math.inf).item(), np.abs(A).max())
    assert np.isclose(x.norm(-math.inf).item(), np.abs(A).min())
    np.testing.assert_allclose(
        _np(x.norm(2, 1, True)), np.linalg.norm(A, axis=1, keepdims=True), 1e-6
    )
    assert np.isclose(x.norm(1, [0, 1]).item(), np.linalg.norm(A, 1), rtol=1e-6)
    assert np.isclose(x.norm(math.inf, [0, 1]).item(), np.linalg.norm(A, np.inf), rtol=1e-6)
    assert np.isclose(x.norm("fro", [0, 1]).item(), np.linalg.norm(A, "fro"), rtol=1e-6)
    assert tf.norm(tf.scalar(-3)).item() == 3
    with pytest.raises(ValueError, match="invalid ord value 3"):
        x.norm(3)


def test_topk_values_indices_and_access_forms():
    x = tf.tensor([[1, 5, 3, 5], [4, 2, 6, 0]])
    r = x.topk(2)
    assert r.values.arraySync() == [[5, 5], [6, 4]]
    assert r.indices.arraySync() == [[1, 3], [2, 0]] and r.indices.dtype == "int32"
    assert r["values"] is r.values and r["indices"] is r.indices
    values, indices = tf.topk(x, 3, False)
    np.testing.assert_array_equal(_np(values), -np.sort(-_np(x), 1)[:, :3])
    assert tf.topk(tf.tensor([3, 1, 2], None, "int32")).values.arraySync() == [3]
    with pytest.raises(ValueError, match=r"must be <= the last dimension \(4\) but got 5"):
        x.topk(5)
    with pytest.raises(ValueError, match="rank 1 or higher"):
        tf.topk(tf.scalar(1))


def test_mod_follows_the_sign_of_the_divisor():
    a = tf.tensor([-7, 7, -7, 7, 5.5])
    b = tf.tensor([3, -3, -3, 3, 2])
    assert a.mod(b).arraySync() == [2, -2, -1, 1, 1.5]
    assert tf.tensor([-7, 7], None, "int32").mod(3).arraySync() == [2, 1]


def test_multinomial_is_seeded_and_follows_the_probabilities():
    logits = tf.tensor([[0.0, 0.0, 3.0], [5.0, 0.0, 0.0]])
    s1 = tf.multinomial(logits, 2000, 7).numpy()
    s2 = tf.multinomial(logits, 2000, 7).numpy()
    assert s1.shape == (2, 2000) and s1.dtype == np.int32 and np.array_equal(s1, s2)
    p = np.exp([0.0, 0, 3]) / np.exp([0.0, 0, 3]).sum()
    np.testing.assert_allclose(np.bincount(s1[0], minlength=3) / 2000, p, atol=0.03)
    probs = tf.tensor([0.2, 0.0, 0.8])
    one = tf.multinomial(probs, 3000, 1, True).numpy()
    assert one.shape == (3000,) and 1 not in one
    assert abs((one == 2).mean() - 0.8) < 0.03
    tf.set_seed(5)
    a = tf.multinomial(probs, 10, None, True).numpy()
    tf.set_seed(5)
    assert np.array_equal(a, tf.multinomial(probs, 10, None, True).numpy())
    with pytest.raises(ValueError, match="at least 2 outcomes"):
        tf.multinomial(tf.tensor([1.0]), 1)
    with pytest.raises(ValueError, match="Rank of probabilities must be 1 or 2, but is 3"):
        tf.multinomial(tf.zeros([1, 2, 2]), 1)


def test_new_elementwise_ops_match_numpy():
    x = tf.tensor(UNIT)
    for op, ref in [
        (tf.tan, np.tan),
        (tf.asin, np.arcsin),
        (tf.atanh, np.arctanh),
        (tf.sinh, np.sinh),
        (tf.erf, np.vectorize(math.erf)),
    ]:
        np.testing.assert_allclose(_np(op(x)), ref(UNIT), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(tf.logSigmoid(x)), -np.log1p(np.exp(-UNIT)), rtol=1e-5)
    assert tf.step(tf.tensor([-1, 0, 2, np.nan]), 0.5).arraySync()[:3] == [0.5, 0.5, 1]
    assert math.isnan(tf.step(tf.tensor([np.nan])).arraySync()[0])
    assert tf.isInf(tf.tensor([np.inf, -np.inf, 1])).arraySync() == [True, True, False]
    assert tf.divNoNan(tf.tensor([1, 2]), tf.tensor([0, 4])).arraySync() == [0, 0.5]
    with pytest.raises(ValueError, match="cannot be broadcast to"):
        tf.broadcast_to(tf.zeros([2, 3]), [2, 2])


# -- TF.js's positional creation signatures -----------------------------------------------------
def test_positional_creation_signatures():
    t = tf.tensor1d([1, 2], "int32")
    assert t.dtype == "int32" and t.arraySync() == [1, 2]
    assert tf.tensor1d([1, 2], dtype="bool").dtype == "bool"
    assert tf.tensor1d([1, 2, 3], [3]).shape == (3,)  # the old (values, shape) form still works
    assert tf.tensor2d([1, 2, 3, 4], [2, 2], "int32").dtype == "int32"
    assert tf.tensor2d([[1, 2]], None, "int32").dtype == "int32"
    assert tf.tensor2d([[1, 2]], "int32").dtype == "int32"
    assert tf.tensor([1, 2, 3, 4], [2, 2], "bool").dtype == "bool"
    assert tf.tensor([1, 2], "int32").dtype == "int32"
    assert tf.tensor5d([1] * 32, [2, 2, 2, 2, 2]).rank == 5
    assert tf.tensor6d([[[[[[1.0]]]]]]).rank == 6
    assert tf.scalar(3, "int32").dtype == "int32" and tf.scalar(True).dtype == "bool"
    assert tf.zeros([2], "int32").dtype == "int32" and tf.ones([2], "bool").dtype == "bool"
    f = tf.fill([2, 2], 3, "int32")
    assert f.dtype == "int32" and f.arraySync() == [[3, 3], [3, 3]]
    r = tf.range(0, 5, 2, "int32")
    assert r.dtype == "int32" and r.arraySync() == [0, 2, 4]
    assert tf.range(5, 0, -2).arraySync() == [5, 3, 1]
    np.testing.assert_allclose(_np(tf.linspace(0, 9, 4)), [0, 3, 6, 9])
    oh = tf.oneHot(tf.tensor1d([1, 0], "int32"), 3, 5, -1, "float32")
    assert oh.dtype == "float32" and oh.arraySync() == [[-1, 5, -1], [5, -1, -1]]
    with pytest.raises(ValueError, match="dtype 'int32' in the shape's place and dtype="):
        tf.tensor([1], "int32", "float32")


def test_random_creation_takes_tfjs_positional_arguments():
    a = tf.randomNormal([500], 2, 0.5, "float32", 3).numpy()
    b = tf.random_normal([500], 2, 0.5, None, 3).numpy()
    assert np.array_equal(a, b) and abs(a.mean() - 2) < 0.1 and abs(a.std() - 0.5) < 0.1
    u = tf.randomUniform([500], -2, 2, "float32", "a-string-seed").numpy()
    assert np.array_equal(u, tf.randomUniform([500], -2, 2, "float32", "a-string-seed").numpy())
    assert u.min() >= -2 and u.max() < 2
    t = tf.truncatedNormal([500], 0, 1, "float32", 9).numpy()
    assert np.abs(t).max() <= 2


def test_zeros_like_ones_like_keep():
    x = tf.tensor([[1, 2]], None, "int32")
    assert tf.zerosLike(x).dtype == "int32" and tf.onesLike(x).arraySync() == [[1, 1]]
    assert tf.keep(x) is x


# -- engine functions ---------------------------------------------------------------------------
def test_backend_ready_next_frame_are_awaitable():
    assert tf.getBackend() == "cpu"
    assert tf.setBackend("cpu") and tf.setBackend("tensorflow") and tf.set_backend("wasm")
    with pytest.raises(ValueError, match="'nope' not found in registry"):
        tf.setBackend("nope")

    async def program():
        await tf.ready()
        await tf.nextFrame()
        ok = await tf.setBackend("webgl")
        timing = await tf.time(lambda: tf.ones([10]).sum())
        return ok, timing

    ok, timing = asyncio.run(program())
    assert ok is True and timing["wallMs"] >= 0
    tf.ready()  # without await: nothing happens, nothing warns


def test_memory_version_env_print(capsys):
    keep = [tf.ones([100]) for _ in range(3)]
    info = tf.memory()
    assert info["numTensors"] >= 3 and info["numBytes"] >= 1200 and info["unreliable"] is True
    assert set(info) >= {"numTensors", "numDataBuffers", "numBytes"}
    assert len(keep) == 3
    assert tf.version["tfjs-layers"] == "4.22.0" and tf.version["tfjs-core"] == "4.22.0"
    assert tf.version_layers == "4.22.0"
    env = tf.env()
    assert env.get("IS_BROWSER") is False and env.getBool("PROD") is False
    env.set("MY_FLAG", 3)
    assert env.getNumber("MY_FLAG") == 3.0
    with pytest.raises(ValueError, match="Cannot evaluate flag 'NOPE'"):
        env.get("NOPE")
    env.reset()
    tf.print(tf.tensor([1, 2]))
    assert capsys.readouterr().out == "Tensor\n    [1, 2]\n"


def test_as_nd_takes_every_size_like_tfjs():
    # TF.js: as3D(rows, columns, depth) is reshape([rows, columns, depth]); -1 is inferred
    x = tf.tensor(np.arange(24, dtype=np.float32))
    assert x.as3D(2, 3, 4).shape == (2, 3, 4)
    assert x.as3d(2, -1, 4).shape == (2, 3, 4)
    with pytest.raises(ValueError, match=r"as3D\(\): expects 3 sizes.*got 2"):
        x.as3D(2, 3)


def test_moments_is_tfjs_object_and_a_pair():
    x = np.array([[1.0, 2.0], [3.0, 6.0]], dtype=np.float32)
    m = tf.moments(x, 0)
    np.testing.assert_allclose(m.mean.numpy(), x.mean(0))
    np.testing.assert_allclose(m.variance.numpy(), x.var(0))
    mean, variance = tf.moments(x, 1, True)
    assert mean.shape == (2, 1) and variance.shape == (2, 1)
