"""Gradients of the added tfjs-core ops on lstmkit's tape against central finite differences
(tests/gradcheck.py, float64): the ops TF.js differentiates (addN, concat/slice/pad/reverse
in every rank form, mirrorPad, prelu, batchNorm, localResponseNormalization,
unsortedSegmentSum, clone) and the ones lstmkit differentiates besides (cumprod,
stridedSlice, gatherND, scatterND's updates, diag, outerProduct, movingAverage)."""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as tf
from gradcheck import check_grads

RNG = np.random.default_rng(5)
X = RNG.normal(size=(2, 3, 4))
X34 = RNG.normal(size=(3, 4))

CASES = [
    ("addN", lambda a, b: tf.addN([a, b, a]), [X34, X34 + 1]),
    ("concat2d", lambda a, b: tf.concat2d([a, b], 1), [X34, X34[:, :2]]),
    ("concat3d", lambda a: tf.concat3d([a, a], -1), [X]),
    ("slice2d", lambda a: tf.slice2d(a, [1, 1], [2, -1]), [X34]),
    ("slice4d", lambda a: tf.slice4d(a, [0, 1, 0, 2], [1, 1, 3, 2]), [X.reshape(1, 2, 3, 4)]),
    ("reverse3d", lambda a: tf.reverse3d(a, [0, 2]), [X]),
    ("pad3d", lambda a: tf.pad3d(a, [[1, 0], [0, 2], [1, 1]], 3), [X]),
    ("mirrorPad reflect", lambda a: tf.mirrorPad(a, [[2, 1], [3, 3]], "reflect"), [X34]),
    ("mirrorPad symmetric", lambda a: tf.mirrorPad(a, [[1, 2], [0, 1], [4, 2]], "symmetric"), [X]),
    ("cumprod", lambda a: tf.cumprod(a, 1), [X]),
    ("cumprod exclusive", lambda a: tf.cumprod(a, 2, True), [X]),
    ("cumprod reverse", lambda a: tf.cumprod(a, 0, False, True), [X]),
    ("cumprod exclusive reverse", lambda a: a.cumprod(-1, True, True), [X]),
    ("cumprod with zeros", lambda a: tf.cumprod(a, 1), [np.where(X > 0.8, 0.0, X)]),
    ("stridedSlice", lambda a: tf.stridedSlice(a, [1, -1, 0], [0, -4, 4], [-1, -2, 3]), [X]),
    (
        "stridedSlice masks",
        lambda a: a.stridedSlice([0, 1, 0], [1, 3, 3], [1, 1, 2], 2, 0, 0, 1, 4),
        [X],
    ),
    ("stridedSlice ellipsis", lambda a: tf.stridedSlice(a, [0, 1], [1, 3], [1, 1], 0, 0, 1), [X]),
    ("gatherND", lambda a: tf.gatherND(a, [[0, 1], [1, 2], [0, 1]]), [X]),
    ("scatterND", lambda u: tf.scatterND([[1], [0], [1]], u, [3, 4]), [X34]),
    ("unsortedSegmentSum", lambda a: tf.unsortedSegmentSum(a, [2, 0, 2], 3), [X34]),
    ("unsortedSegmentSum 2d ids", lambda a: a.unsortedSegmentSum([[0, 1, 0, 1]] * 3, 2), [X34]),
    ("diag", lambda a: tf.diag(a), [X34[:, :2]]),
    ("outerProduct", lambda a, b: tf.outerProduct(a, b), [X34[0], X34[1, :3]]),
    ("clone", lambda a: tf.clone(a) * a, [X34]),
    ("prelu", lambda a, al: tf.prelu(a, al), [X, RNG.uniform(size=4)]),
    ("prelu scalar alpha", lambda a, al: a.prelu(al), [X, np.array(0.3)]),
    (
        "batchNorm",
        lambda x, m, v, o, s: tf.batchNorm(x, m, v, o, s, 0.01),
        [X, RNG.normal(size=4), RNG.uniform(0.5, 2, 4), RNG.normal(size=4), RNG.normal(size=4)],
    ),
    (
        "batchNorm full-shaped stats",
        lambda x, m, v: x.batchNorm(m, v),
        [X34, RNG.normal(size=(3, 4)), RNG.uniform(0.5, 2, (3, 4))],
    ),
    (
        "batchNorm4d",
        lambda x, m, v: tf.batchNorm4d(x, m, v),
        [X.reshape(1, 2, 3, 4), X[0, 0], X[1, 1] ** 2 + 0.5],
    ),
    (
        "localResponseNormalization",
        lambda a: tf.localResponseNormalization(a, 1, 0.5, 0.3, 0.75),
        [X],
    ),
    (
        "localResponseNormalization default",
        lambda a: a.localResponseNormalization(),
        [X.reshape(1, 2, 3, 4)],
    ),
    ("movingAverage", lambda v, x: tf.movingAverage(v, x, 0.7, 3), [X34, X34 * 2]),
]


@pytest.mark.parametrize("name, f, xs", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_finite_differences(name, f, xs):
    check_grads(f, xs, rtol=1e-5, atol=1e-7)


def test_variables_train_through_the_new_ops():
    """One SGD step through batchNorm + prelu + gatherND, as a training loop runs them."""
    w = tf.variable(tf.tensor(RNG.normal(size=(3, 4)).astype(np.float32)))
    alpha = tf.variable(tf.fill([4], 0.2))
    opt = tf.train.sgd(0.1)

    def loss():
        y = tf.prelu(tf.batchNorm(w, tf.zeros([4]), tf.ones([4])), alpha)
        return tf.sum(tf.square(tf.gatherND(y, [[0], [2]])))

    before = float(loss().numpy())
    opt.minimize(loss)
    assert float(loss().numpy()) < before
