"""TF.js's core `tf.losses` (lstmkit.core_losses): the expected values of TF.js's own tests
(tfjs-core/src/ops/losses/*_test.ts, named in each case), an independent float64 NumPy reference
for every weights/reduction combination, real TF.js 4.22 in Node.js when it is installed,
gradients, errors, and the namespace (the Layers' per-sample losses unchanged)."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import numpy as np
import pytest

import lstmkit as tf
from gradcheck import check_grads
from lstmkit import core_losses as C
from lstmkit import losses as L

R = tf.Reduction


def close(y: tf.Tensor, expected: Any, shape: tuple[int, ...] = (), atol: float = 1e-6) -> None:
    assert y.shape == shape
    np.testing.assert_allclose(
        y.numpy(), np.asarray(expected, np.float64).reshape(shape), 1e-5, atol
    )


# -- TF.js's own tests ---------------------------------------------------------------------------
# Each case: (the `describe` and `it` names of the TF.js test, call, expected shape, expected
# values as the test writes them).

P1, L1 = [1, 2, 3], [0.3, -0.6, -0.1]  # the 1D predictions and labels of several tests
P2 = tf.tensor2d([4, 8, 12, 8, 1, 3], [2, 3])
L2 = tf.tensor2d([1, 9, 2, -5, -2, 6], [2, 3])
HL, HP = [1, 2, 3], [0.3, 0.6, 0.1]  # huberLoss and logLoss 1D
HL2 = tf.tensor2d([0.4, 0.8, 0.12, 0.8, 0.1, 0.3], [2, 3])
HP2 = tf.tensor2d([0.1, 0.7, 0.1, 0.5, 0.05, 0.15], [2, 3])
W2 = tf.tensor2d([3, 0, 5, 0, 4, 2], [2, 3])
W2b = tf.tensor2d([3, 6, 5, 0, 4, 2], [2, 3])
LOSSES2 = tf.tensor2d([4, 8, 12, 8, 1, 3], [2, 3])
WL2 = tf.tensor2d([1, 0, 2, -5, 0, 6], [2, 3])
ONEHOT = [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
RIGHT = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
LOGITS = [[10.0, -10.0, -10.0], [-10.0, 10.0, -10.0], [-10.0, -10.0, 10.0]]
ROW_W = [[0.1, 0.2, 0.3]]

a = abs
ad = [a(1 - 0.3), a(2 - (-0.6)), a(3 - (-0.1))]
ad2 = [a(4 - 1), a(8 - 9), a(12 - 2), a(8 - (-5)), a(1 - (-2)), a(3 - 6)]
sq = [(1 - 0.3) ** 2, (2 - (-0.6)) ** 2, (3 - (-0.1)) ** 2]
sq2 = [(4 - 1) ** 2, (8 - 9) ** 2, (12 - 2) ** 2, (8 - (-5)) ** 2, (1 - (-2)) ** 2, (3 - 6) ** 2]
cd1 = 1 - (1 * 0.3 + 2 * -0.6 + 3 * -0.1)
cd2 = [1 - (4 * 1 + 8 * 9 + 12 * 2), 1 - (8 * -5 + 1 * -2 + 3 * 6)]
wa, wb = [3, 0, 5, 0, 4, 2], [3, 6, 5, 0, 4, 2]

TFJS_CASES = [
    # compute_weighted_loss_test.ts
    (
        "computeWeightedLoss 1D - no weights",
        lambda: tf.losses.computeWeightedLoss(tf.tensor1d([1, 2, 3])),
        (),
        (1 + 2 + 3) / 3,
    ),
    (
        "computeWeightedLoss 1D - no weights - Reduction.NONE",
        lambda: tf.losses.computeWeightedLoss(tf.tensor1d([1, 2, 3]), None, R.NONE),
        (3,),
        [1, 2, 3],
    ),
    (
        "computeWeightedLoss 1D - no weights - Reduction.MEAN",
        lambda: tf.losses.computeWeightedLoss(tf.tensor1d([1, 2, 3]), None, R.MEAN),
        (),
        (1 + 2 + 3) / 3,
    ),
    (
        "computeWeightedLoss 1D - no weights - Reduction.SUM",
        lambda: tf.losses.computeWeightedLoss(tf.tensor1d([1, 2, 3]), None, R.SUM),
        (),
        1 + 2 + 3,
    ),
    (
        "computeWeightedLoss 1D - weights",
        lambda: tf.losses.computeWeightedLoss(tf.tensor1d([1, 2, 3]), tf.tensor1d([0.1, 0, 0.3])),
        (),
        (1 * 0.1 + 2 * 0 + 3 * 0.3) / 2,
    ),
    (
        "computeWeightedLoss 2D - weights - broadcast",
        lambda: tf.losses.computeWeightedLoss(tf.tensor2d(ONEHOT, [3, 3]), tf.tensor2d(ROW_W)),
        (),
        0.06666667,
    ),
    (
        "computeWeightedLoss 1D - weights - Reduction.NONE",
        lambda: tf.losses.computeWeightedLoss(
            tf.tensor1d([1, 2, 3]), tf.tensor1d([0.1, 0.2, 0.3]), R.NONE
        ),
        (3,),
        [1 * 0.1, 2 * 0.2, 3 * 0.3],
    ),
    (
        "computeWeightedLoss 1D - weights - Reduction.MEAN",
        lambda: tf.losses.computeWeightedLoss(
            tf.tensor1d([1, 2, 3]), tf.tensor1d([0.1, 0.2, 0.3]), R.MEAN
        ),
        (),
        (1 * 0.1 + 2 * 0.2 + 3 * 0.3) / 0.6,
    ),
    (
        "computeWeightedLoss 1D - weights - Reduction.SUM",
        lambda: tf.losses.computeWeightedLoss(
            tf.tensor1d([1, 2, 3]), tf.tensor1d([0.1, 0.2, 0.3]), R.SUM
        ),
        (),
        1 * 0.1 + 2 * 0.2 + 3 * 0.3,
    ),
    (
        "computeWeightedLoss 2D - no weights",
        lambda: tf.losses.computeWeightedLoss(LOSSES2),
        (),
        (4 + 8 + 12 + 8 + 1 + 3) / 6,
    ),
    (
        "computeWeightedLoss 2D - weights",
        lambda: tf.losses.computeWeightedLoss(LOSSES2, WL2),
        (),
        (4 * 1 + 8 * 0 + 12 * 2 + (8 * -5) + 1 * 0 + 3 * 6) / 4,
    ),
    (
        "computeWeightedLoss 2D - no weights - Reduction.MEAN",
        lambda: tf.losses.computeWeightedLoss(LOSSES2, None, R.MEAN),
        (),
        (4 + 8 + 12 + 8 + 1 + 3) / 6,
    ),
    (
        "computeWeightedLoss 2D - weights - Reduction.MEAN",
        lambda: tf.losses.computeWeightedLoss(LOSSES2, WL2, R.MEAN),
        (),
        (4 * 1 + 8 * 0 + 12 * 2 + (8 * -5) + 1 * 0 + 3 * 6) / 4,
    ),
    (
        "computeWeightedLoss 2D - weights - broadcast - MEAN",
        lambda: tf.losses.computeWeightedLoss(
            tf.tensor2d(ONEHOT, [3, 3]), tf.tensor2d(ROW_W), R.MEAN
        ),
        (),
        (0.3 + 0.1 + 0.2) / (3 * 0.6),
    ),
    (
        "computeWeightedLoss 2D - no weights - Reduction.SUM",
        lambda: tf.losses.computeWeightedLoss(LOSSES2, None, R.SUM),
        (),
        4 + 8 + 12 + 8 + 1 + 3,
    ),
    (
        "computeWeightedLoss 2D - weights - Reduction.SUM",
        lambda: tf.losses.computeWeightedLoss(LOSSES2, WL2, R.SUM),
        (),
        4 * 1 + 8 * 0 + 12 * 2 + (8 * -5) + 1 * 0 + 3 * 6,
    ),
    (
        "computeWeightedLoss 2D - no weights - Reduction.NONE",
        lambda: tf.losses.computeWeightedLoss(LOSSES2, None, R.NONE),
        (2, 3),
        [4, 8, 12, 8, 1, 3],
    ),
    (
        "computeWeightedLoss 2D - weights - Reduction.NONE",
        lambda: tf.losses.computeWeightedLoss(LOSSES2, WL2, R.NONE),
        (2, 3),
        [4 * 1, 8 * 0, 12 * 2, (8 * -5), 1 * 0, 3 * 6],
    ),
    (
        "computeWeightedLoss accepts a tensor-like object",
        lambda: tf.losses.computeWeightedLoss([1, 2, 3], [0.1, 0, 0.3]),
        (),
        (1 * 0.1 + 2 * 0 + 3 * 0.3) / 2,
    ),
    # absolute_difference_test.ts
    (
        "absoluteDifference 1D",
        lambda: tf.losses.absoluteDifference(tf.tensor1d(L1), tf.tensor1d(P1)),
        (),
        sum(ad) / 3,
    ),
    (
        "absoluteDifference 1D - weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.absoluteDifference(L1, P1, [0.1, 0.2, 0.3]),
        (),
        (ad[0] * 0.1 + ad[1] * 0.2 + ad[2] * 0.3) / 3,
    ),
    (
        "absoluteDifference 1D - weighted - Reduction.NONE",
        lambda: tf.losses.absoluteDifference(L1, P1, [0.1, 0.2, 0.3], R.NONE),
        (3,),
        [ad[0] * 0.1, ad[1] * 0.2, ad[2] * 0.3],
    ),
    (
        "absoluteDifference 1D - Reduction.MEAN",
        lambda: tf.losses.absoluteDifference(L1, P1, None, R.MEAN),
        (),
        sum(ad) / 3,
    ),
    (
        "absoluteDifference 1D - weighted - Reduction.MEAN",
        lambda: tf.losses.absoluteDifference(L1, P1, [0.1, 0.2, 0.3], R.MEAN),
        (),
        (ad[0] * 0.1 + ad[1] * 0.2 + ad[2] * 0.3) / 0.6,
    ),
    ("absoluteDifference 2D", lambda: tf.losses.absoluteDifference(L2, P2), (), sum(ad2) / 6),
    (
        "absoluteDifference 2D - weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.absoluteDifference(L2, P2, W2),
        (),
        sum(x * w for x, w in zip(ad2, wa)) / 4,
    ),
    (
        "absoluteDifference 2D - weighted - Reduction.NONE",
        lambda: tf.losses.absoluteDifference(L2, P2, W2b, R.NONE),
        (2, 3),
        [x * w for x, w in zip(ad2, wb)],
    ),
    (
        "absoluteDifference 2D - Reduction.MEAN",
        lambda: tf.losses.absoluteDifference(L2, P2, None, R.MEAN),
        (),
        sum(ad2) / 6,
    ),
    (
        "absoluteDifference 2D - weighted - Reduction.MEAN",
        lambda: tf.losses.absoluteDifference(L2, P2, W2b, R.MEAN),
        (),
        sum(x * w for x, w in zip(ad2, wb)) / 20,
    ),
    # mean_squared_error_test.ts
    (
        "meanSquaredError 1D",
        lambda: tf.losses.meanSquaredError(tf.tensor1d(L1), tf.tensor1d(P1)),
        (),
        sum(sq) / 3,
    ),
    (
        "meanSquaredError 1D - weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.meanSquaredError(L1, P1, [0.1, 0.2, 0.3]),
        (),
        (sq[0] * 0.1 + sq[1] * 0.2 + sq[2] * 0.3) / 3,
    ),
    (
        "meanSquaredError 1D - weighted - Reduction.NONE",
        lambda: tf.losses.meanSquaredError(L1, P1, [0.1, 0.2, 0.3], R.NONE),
        (3,),
        [sq[0] * 0.1, sq[1] * 0.2, sq[2] * 0.3],
    ),
    (
        "meanSquaredError 1D - Reduction.MEAN",
        lambda: tf.losses.meanSquaredError(L1, P1, None, R.MEAN),
        (),
        sum(sq) / 3,
    ),
    (
        "meanSquaredError 1D - weighted - Reduction.MEAN",
        lambda: tf.losses.meanSquaredError(L1, P1, [0.1, 0.2, 0.3], R.MEAN),
        (),
        (sq[0] * 0.1 + sq[1] * 0.2 + sq[2] * 0.3) / 0.6,
    ),
    ("meanSquaredError 2D", lambda: tf.losses.meanSquaredError(L2, P2), (), sum(sq2) / 6),
    (
        "meanSquaredError 2D - weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.meanSquaredError(L2, P2, W2),
        (),
        sum(x * w for x, w in zip(sq2, wa)) / 4,
    ),
    (
        "meanSquaredError 2D - weighted - Reduction.NONE",
        lambda: tf.losses.meanSquaredError(L2, P2, W2b, R.NONE),
        (2, 3),
        [x * w for x, w in zip(sq2, wb)],
    ),
    (
        "meanSquaredError 2D - Reduction.MEAN",
        lambda: tf.losses.meanSquaredError(L2, P2, None, R.MEAN),
        (),
        sum(sq2) / 6,
    ),
    (
        "meanSquaredError 2D - weighted - Reduction.MEAN",
        lambda: tf.losses.meanSquaredError(L2, P2, W2b, R.MEAN),
        (),
        sum(x * w for x, w in zip(sq2, wb)) / 20,
    ),
    # cosine_distance_test.ts
    ("cosineDistance 1D", lambda: tf.losses.cosineDistance(L1, P1, 0), (), cd1),
    (
        "cosineDistance 1D - weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.cosineDistance(L1, P1, 0, tf.scalar(0.1)),
        (),
        cd1 * 0.1,
    ),
    (
        "cosineDistance 1D - weighted - Reduction.NONE",
        lambda: tf.losses.cosineDistance(L1, P1, 0, tf.scalar(0.1), R.NONE),
        (1,),
        [cd1 * 0.1],
    ),
    (
        "cosineDistance 1D - Reduction.MEAN",
        lambda: tf.losses.cosineDistance(L1, P1, 0, None, R.MEAN),
        (),
        cd1,
    ),
    (
        "cosineDistance 1D - weighted - Reduction.MEAN",
        lambda: tf.losses.cosineDistance(L1, P1, 0, tf.scalar(0.1), R.MEAN),
        (),
        (cd1 * 0.1) / 0.1,
    ),
    ("cosineDistance 2D", lambda: tf.losses.cosineDistance(L2, P2, 1), (), (cd2[0] + cd2[1]) / 2),
    (
        "cosineDistance 2D - weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.cosineDistance(L2, P2, 1, tf.tensor2d([3, 0], [2, 1])),
        (),
        (cd2[0] * 3 + cd2[1] * 0) / 1,
    ),
    (
        "cosineDistance 2D - weighted - Reduction.NONE",
        lambda: tf.losses.cosineDistance(L2, P2, 1, tf.tensor2d([3, 0], [2, 1]), R.NONE),
        (2, 1),
        [cd2[0] * 3, cd2[1] * 0],
    ),
    (
        "cosineDistance 2D - Reduction.MEAN",
        lambda: tf.losses.cosineDistance(L2, P2, 1, None, R.MEAN),
        (),
        (cd2[0] + cd2[1]) / 2,
    ),
    (
        "cosineDistance 2D - weighted - Reduction.MEAN",
        lambda: tf.losses.cosineDistance(L2, P2, 1, tf.tensor2d([3, 0], [2, 1]), R.MEAN),
        (),
        (cd2[0] * 3 + cd2[1] * 0) / 3,
    ),
    (
        "cosineDistance accepts a tensor-like object",
        lambda: tf.losses.cosineDistance(L1, P1, 0, 0.1, R.NONE),
        (1,),
        [cd1 * 0.1],
    ),
    # hinge_loss_test.ts
    ("hingeLoss 1D", lambda: tf.losses.hingeLoss([0, 1, 0, 1], [0, 0, 1, 1]), (), 1.0),
    (
        "hingeLoss 1D - weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.hingeLoss([0, 1, 0, 1], [0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]),
        (),
        0.225,
    ),
    (
        "hingeLoss 1D - weighted - Reduction.NONE",
        lambda: tf.losses.hingeLoss([0, 1, 0, 1], [0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], R.NONE),
        (4,),
        [0.1, 0.2, 0.6, 0.0],
    ),
    (
        "hingeLoss 1D - Reduction.MEAN",
        lambda: tf.losses.hingeLoss([0, 1, 0, 1], [0, 0, 1, 1], None, R.MEAN),
        (),
        1.0,
    ),
    (
        "hingeLoss 1D - weighted - Reduction.MEAN",
        lambda: tf.losses.hingeLoss([0, 1, 0, 1], [0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], R.MEAN),
        (),
        0.9,
    ),
    (
        "hingeLoss 2D",
        lambda: tf.losses.hingeLoss(
            tf.tensor2d([0, 1, 0, 1, 0, 1], [2, 3]), tf.tensor2d([0, 0, 0, 1, 1, 1], [2, 3])
        ),
        (),
        0.8333333,
    ),
    (
        "hingeLoss 2D - weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.hingeLoss(
            tf.tensor2d([0, 1, 0, 1, 0, 1], [2, 3]),
            tf.tensor2d([0, 0, 0, 1, 1, 1], [2, 3]),
            tf.tensor2d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3]),
        ),
        (),
        0.26666668,
    ),
    (
        "hingeLoss 2D - weighted - Reduction.NONE",
        lambda: tf.losses.hingeLoss(
            tf.tensor2d([0, 1, 0, 1, 0, 1], [2, 3]),
            tf.tensor2d([0, 0, 0, 1, 1, 1], [2, 3]),
            tf.tensor2d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3]),
            R.NONE,
        ),
        (2, 3),
        [0.1, 0.2, 0.3, 0, 1, 0],
    ),
    (
        "hingeLoss 2D - Reduction.MEAN",
        lambda: tf.losses.hingeLoss(
            tf.tensor2d([0, 1, 0, 1, 0, 1], [2, 3]),
            tf.tensor2d([0, 0, 0, 1, 1, 1], [2, 3]),
            None,
            R.MEAN,
        ),
        (),
        0.8333333,
    ),
    (
        "hingeLoss 2D - weighted - Reduction.MEAN",
        lambda: tf.losses.hingeLoss(
            tf.tensor2d([0, 1, 0, 1, 0, 1], [2, 3]),
            tf.tensor2d([0, 0, 0, 1, 1, 1], [2, 3]),
            tf.tensor2d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3]),
            R.MEAN,
        ),
        (),
        0.76190484,
    ),
    # huber_loss_test.ts
    ("huberLoss 1D", lambda: tf.losses.huberLoss(HL, HP), (), 1.1816667),
    ("huberLoss 1D - delta", lambda: tf.losses.huberLoss(HL, HP, None, 0.4), (), 0.58666664),
    (
        "huberLoss 1D - weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.huberLoss(HL, HP, [0.1, 0.2, 0.3]),
        (),
        0.30816665,
    ),
    (
        "huberLoss 1D - weighted - Reduction.NONE",
        lambda: tf.losses.huberLoss(HL, HP, [0.1, 0.2, 0.3], None, R.NONE),
        (3,),
        [0.0245, 0.17999999, 0.72],
    ),
    (
        "huberLoss 1D - Reduction.MEAN",
        lambda: tf.losses.huberLoss(HL, HP, None, None, R.MEAN),
        (),
        1.1816667,
    ),
    (
        "huberLoss 1D - weighted - Reduction.MEAN",
        lambda: tf.losses.huberLoss(HL, HP, [0.1, 0.2, 0.3], None, R.MEAN),
        (),
        1.5408332,
    ),
    ("huberLoss 2D", lambda: tf.losses.huberLoss(HL2, HP2), (), 0.01795),
    (
        "huberLoss 2D - weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.huberLoss(HL2, HP2, W2),
        (),
        0.040875003,
    ),
    (
        "huberLoss 2D - weighted - Reduction.NONE",
        lambda: tf.losses.huberLoss(HL2, HP2, W2, None, R.NONE),
        (2, 3),
        [0.135, 0.0, 0.001, 0.0, 0.005, 0.0225],
    ),
    (
        "huberLoss 2D - Reduction.MEAN",
        lambda: tf.losses.huberLoss(HL2, HP2, None, None, R.MEAN),
        (),
        0.01795,
    ),
    (
        "huberLoss 2D - weighted - Reduction.MEAN",
        lambda: tf.losses.huberLoss(HL2, HP2, W2, None, R.MEAN),
        (),
        0.011678572,
    ),
    # log_loss_test.ts
    ("logLoss 1D", lambda: tf.losses.logLoss(HL, HP), (), 2.668788),
    (
        "logLoss 1D - weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.logLoss(HL, HP, [0.1, 0.2, 0.3]),
        (),
        0.7168596,
    ),
    (
        "logLoss 1D - weighted - Reduction.NONE",
        lambda: tf.losses.logLoss(HL, HP, [0.1, 0.2, 0.3], None, R.NONE),
        (3,),
        [0.12039725, 0.02107204, 2.0091095],
    ),
    (
        "logLoss 1D - Reduction.MEAN",
        lambda: tf.losses.logLoss(HL, HP, None, None, R.MEAN),
        (),
        2.668788,
    ),
    (
        "logLoss 1D - weighted - Reduction.MEAN",
        lambda: tf.losses.logLoss(HL, HP, [0.1, 0.2, 0.3], None, R.MEAN),
        (),
        3.5842977,
    ),
    ("logLoss 2D", lambda: tf.losses.logLoss(HL2, HP2), (), 0.60019904),
    (
        "logLoss 2D - weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.logLoss(HL2, HP2, W2),
        (),
        1.8866577,
    ),
    (
        "logLoss 2D - weighted - Reduction.NONE",
        lambda: tf.losses.logLoss(HL2, HP2, W2, None, R.NONE),
        (2, 3),
        [2.9527497, 0.0, 1.8451363, 0.0, 1.3829476, 1.3657978],
    ),
    (
        "logLoss 2D - Reduction.MEAN",
        lambda: tf.losses.logLoss(HL2, HP2, None, None, R.MEAN),
        (),
        0.60019904,
    ),
    (
        "logLoss 2D - weighted - Reduction.MEAN",
        lambda: tf.losses.logLoss(HL2, HP2, W2, None, R.MEAN),
        (),
        0.53904504,
    ),
    # sigmoid_cross_entropy_test.ts
    (
        "sigmoidCrossEntropy All wrong",
        lambda: tf.losses.sigmoidCrossEntropy(
            tf.tensor2d(ONEHOT, [3, 3]), tf.tensor2d(LOGITS, [3, 3])
        ),
        (),
        6.6667123,
    ),
    ("sigmoidCrossEntropy All right", lambda: tf.losses.sigmoidCrossEntropy(RIGHT, LOGITS), (), 0),
    (
        "sigmoidCrossEntropy Weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.sigmoidCrossEntropy(ONEHOT, LOGITS, ROW_W),
        (),
        1.3333424,
    ),
    (
        "sigmoidCrossEntropy Weighted - Reduction.NONE",
        lambda: tf.losses.sigmoidCrossEntropy(ONEHOT, LOGITS, ROW_W, None, R.NONE),
        (3, 3),
        [
            1.0000046,
            9.0797803e-06,
            3.0000138e00,
            1.0000046e00,
            2.0000093e00,
            1.3619671e-05,
            4.5398901e-06,
            2.0000093e00,
            3.0000138e00,
        ],
    ),
    (
        "sigmoidCrossEntropy Reduction.MEAN",
        lambda: tf.losses.sigmoidCrossEntropy(ONEHOT, LOGITS, None, None, R.MEAN),
        (),
        6.6667123,
    ),
    (
        "sigmoidCrossEntropy Weighted - Reduction.MEAN",
        lambda: tf.losses.sigmoidCrossEntropy(ONEHOT, LOGITS, ROW_W, None, R.MEAN),
        (),
        6.666712284088135,
    ),
    (
        "sigmoidCrossEntropy Label Smoothing - Weighted - Reduction.MEAN",
        lambda: tf.losses.sigmoidCrossEntropy(ONEHOT, LOGITS, ROW_W, 0.3, R.MEAN),
        (),
        6.1667128,
    ),
    # softmax_cross_entropy_test.ts
    (
        "softmaxCrossEntropy All wrong",
        lambda: tf.losses.softmaxCrossEntropy(
            tf.tensor2d(ONEHOT, [3, 3]), tf.tensor2d(LOGITS, [3, 3])
        ),
        (),
        20,
    ),
    ("softmaxCrossEntropy All right", lambda: tf.losses.softmaxCrossEntropy(RIGHT, LOGITS), (), 0),
    (
        "softmaxCrossEntropy Weighted - Reduction.SUM_BY_NONZERO_WEIGHTS",
        lambda: tf.losses.softmaxCrossEntropy(ONEHOT, LOGITS, [[0.1, 0.2, 0.3]] * 3),
        (),
        4,
    ),
    (
        "softmaxCrossEntropy Weighted - Reduction.NONE",
        lambda: tf.losses.softmaxCrossEntropy(ONEHOT, LOGITS, [0.1, 0.2, 0.3], None, R.NONE),
        (3,),
        [2, 4, 6],
    ),
    (
        "softmaxCrossEntropy Reduction.MEAN",
        lambda: tf.losses.softmaxCrossEntropy(ONEHOT, LOGITS, None, None, R.MEAN),
        (),
        20,
    ),
    (
        "softmaxCrossEntropy Weighted - Reduction.MEAN",
        lambda: tf.losses.softmaxCrossEntropy(ONEHOT, LOGITS, [0.1, 0.2, 0.3], None, R.MEAN),
        (),
        20,
    ),
    (
        "softmaxCrossEntropy Label Smoothing - Weighted - Reduction.MEAN",
        lambda: tf.losses.softmaxCrossEntropy(ONEHOT, LOGITS, ROW_W, 0.3, R.MEAN),
        (),
        18,
    ),
    (
        "softmaxCrossEntropy accepts a tensor-like object",
        lambda: tf.losses.softmaxCrossEntropy(ONEHOT, LOGITS),
        (),
        20,
    ),
]


@pytest.mark.parametrize("name, call, shape, expected", TFJS_CASES, ids=[c[0] for c in TFJS_CASES])
def test_tfjs_test_values(name, call, shape, expected):
    close(call(), expected, shape, LOOSE.get(name, 1e-6))


# Where TF.js's test passes only by expectArraysClose's float32 tolerance (1e-3): the loss of
# 'All right' is 3 * log1p(exp(-10)) / 9 = 4.5e-5, not 0.
LOOSE = {"sigmoidCrossEntropy All right": 1e-3}


def test_log_loss_of_negative_predictions_is_nan():
    # log_loss_test.ts 'logLoss 1D - Check for negative values': expectArraysClose(NaN)
    y = tf.losses.logLoss([1, 2, 3], [0.3, -0.6, -0.1])
    assert y.shape == () and np.isnan(y.numpy())


# -- an independent float64 reference for every weights/reduction combination --------------------
def _softplus(x):
    return np.logaddexp(0, x)


def _ref_elementwise(name: str, y: np.ndarray, p: np.ndarray, **kw) -> np.ndarray:
    """The per-element losses, from their definitions (not TF.js's sequence of ops)."""
    if name == "absoluteDifference":
        return np.abs(y - p)
    if name == "meanSquaredError":
        return (y - p) ** 2
    if name == "hingeLoss":
        return np.maximum(0, 1 - np.where(y > 0.5, 1.0, -1.0) * p)
    if name == "huberLoss":
        d, e = kw.get("delta", 1.0), np.abs(y - p)
        return np.where(e <= d, 0.5 * e**2, d * e - 0.5 * d**2)
    if name == "logLoss":
        eps = kw.get("epsilon", 1e-7)
        return -(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
    if name == "sigmoidCrossEntropy":
        s = kw.get("labelSmoothing", 0.0)
        z = y * (1 - s) + 0.5 * s
        return z * _softplus(-p) + (1 - z) * _softplus(p)  # -z log(sig) - (1 - z) log(1 - sig)
    if name == "softmaxCrossEntropy":
        s = kw.get("labelSmoothing", 0.0)
        z = y * (1 - s) + s / y.shape[1]
        m = p.max(-1, keepdims=True)
        log_softmax = p - m - np.log(np.sum(np.exp(p - m), -1, keepdims=True))
        return -np.sum(z * log_softmax, -1)
    if name == "cosineDistance":
        return 1 - np.sum(y * p, kw["axis"], keepdims=True)
    raise AssertionError(name)


def _ref_reduce(losses: np.ndarray, w: np.ndarray | None, reduction: int) -> np.ndarray:
    """TF.js's reductions, stated on the broadcast weights (sum of the weights where each
    loss has its weight; the number of nonzero weights among them)."""
    if w is None:
        w_full = np.ones_like(losses)
    else:
        shape = np.broadcast_shapes(losses.shape, w.shape)
        w_full = np.broadcast_to(w, shape)
    weighted = losses * w_full
    if reduction == 0:
        return weighted if w is not None else losses
    if reduction == 2:
        return np.sum(weighted)
    if reduction == 1:
        return np.sum(weighted) / np.sum(w_full)
    return np.sum(weighted) / np.count_nonzero(w_full)


RNG = np.random.default_rng(7)
B, K = 4, 3


def _data(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "hingeLoss":
        return RNG.integers(0, 2, (B, K)).astype(float), RNG.normal(size=(B, K))
    if name == "logLoss":
        return RNG.uniform(0, 1, (B, K)), RNG.uniform(0.05, 0.95, (B, K))
    if name == "softmaxCrossEntropy":
        labels = RNG.uniform(0, 1, (B, K))
        return labels / labels.sum(-1, keepdims=True), RNG.normal(0, 3, (B, K))
    if name == "sigmoidCrossEntropy":
        return RNG.uniform(0, 1, (B, K)), RNG.normal(0, 4, (B, K))
    return RNG.normal(size=(B, K)), RNG.normal(size=(B, K))


def _loss_shape(name: str, axis: int = 1) -> tuple[int, ...]:
    if name == "softmaxCrossEntropy":
        return (B,)
    if name == "cosineDistance":
        return (B, 1) if axis == 1 else (1, K)
    return (B, K)


def _weight_variants(loss_shape: tuple[int, ...]) -> list[Any]:
    """None, a number, a scalar, one per loss (with zeros), and each one-axis broadcast."""
    full = RNG.uniform(0.5, 2, loss_shape)
    full.flat[::3] = 0
    out: list[Any] = [None, 0.5, np.float32(2.0), full]
    for axis in range(len(loss_shape)):
        shape = tuple(1 if i == axis else n for i, n in enumerate(loss_shape))
        w = RNG.uniform(0.5, 2, shape)
        if w.size > 1:
            w.flat[0] = 0
        out.append(w)
    if len(loss_shape) == 2:
        out.append(RNG.uniform(0.5, 2, loss_shape[1:]))  # rank 1 against rank 2
    return out


NAMES = [
    "absoluteDifference",
    "meanSquaredError",
    "hingeLoss",
    "huberLoss",
    "logLoss",
    "sigmoidCrossEntropy",
    "softmaxCrossEntropy",
    "cosineDistance",
]
EXTRA = {
    "huberLoss": [{}, {"delta": 0.5}],
    "logLoss": [{}, {"epsilon": 1e-3}],
    "sigmoidCrossEntropy": [{}, {"labelSmoothing": 0.2}],
    "softmaxCrossEntropy": [{}, {"labelSmoothing": 0.2}],
    "cosineDistance": [{"axis": 1}, {"axis": 0}],
}


def _combos() -> list[tuple]:
    combos = []
    for name in NAMES:
        y, p = _data(name)
        for kw in EXTRA.get(name, [{}]):
            for w in _weight_variants(_loss_shape(name, kw.get("axis", 1))):
                for reduction in (None, 0, 1, 2, 3):
                    combos.append((name, y, p, kw, w, reduction))
    return combos


COMBOS = _combos()


def _call(name, y, p, kw, w, reduction):
    """Positional as TF.js programs call: the extra argument in its place."""
    fn = getattr(tf.losses, name)
    if name == "cosineDistance":
        return fn(y, p, kw["axis"], w, reduction)
    if name in EXTRA:  # delta, epsilon, labelSmoothing: None is TF.js's undefined
        return fn(y, p, w, next(iter(kw.values()), None), reduction)
    return fn(y, p, w) if reduction is None else fn(y, p, w, reduction)


def _combo_id(c) -> str:
    name, _, _, kw, w, reduction = c
    wshape = "none" if w is None else list(np.shape(w))
    return f"{name}-{kw}-w{wshape}-r{reduction}"


@pytest.mark.parametrize("combo", COMBOS, ids=[_combo_id(c) for c in COMBOS])
def test_matches_numpy_reference(combo):
    name, y, p, kw, w, reduction = combo
    got = _call(name, y.astype(np.float32), p.astype(np.float32), kw, w, reduction)
    losses = _ref_elementwise(name, y, p, **kw)
    expected = _ref_reduce(
        losses, None if w is None else np.asarray(w, float), 3 if reduction is None else reduction
    )
    assert got.dtype == "float32"
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got.numpy(), expected, rtol=2e-5, atol=2e-6)


def test_compute_weighted_loss_matches_numpy_reference():
    losses = RNG.normal(size=(3, 4, 2))
    for w in [
        None,
        2.0,
        RNG.normal(size=(3, 4, 2)),
        RNG.normal(size=(3, 1, 2)),
        RNG.normal(size=(4, 1)),
    ]:
        for reduction in range(4):
            got = tf.losses.computeWeightedLoss(losses, w, reduction)
            expected = _ref_reduce(losses, None if w is None else np.asarray(w), reduction)
            np.testing.assert_allclose(got.numpy(), expected, rtol=2e-5, atol=2e-6)


# -- real TF.js ---------------------------------------------------------------------------------
_JS = r"""
const tf = require(process.argv[2]);
const fs = require('fs');
const jobs = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const arg = (a) =>
  a === null ? undefined : typeof a === 'number' ? a : tf.tensor(a.values, a.shape);
const out = jobs.map((job) => {
  try {
    const args = job.args.map(arg);
    const f = tf.losses[job.fn];
    const y = f(...args);
    const res = {shape: y.shape, values: Array.from(y.dataSync())};
    if (job.grads) {
      const g = tf.grads((a, b) => tf.sum(f(a, b, ...args.slice(2))))([args[0], args[1]]);
      res.grads = g.map((t) => Array.from(t.dataSync()));
    }
    return res;
  } catch (e) {
    return {error: e.message};
  }
});
fs.writeFileSync(process.argv[4], JSON.stringify(out));
"""


def _js_arg(v: Any) -> Any:
    if v is None or isinstance(v, (int, float)) and not isinstance(v, np.generic):
        return v
    v = np.asarray(v, np.float32)
    return {"shape": list(v.shape), "values": v.reshape(-1).tolist()}


def _js_args(name, y, p, kw, w, reduction) -> list[Any]:
    y, p = y.astype(np.float32), p.astype(np.float32)
    if name == "cosineDistance":
        return [_js_arg(y), _js_arg(p), kw["axis"], _js_arg(w), reduction]
    extra = [next(iter(kw.values()))] if kw else []
    if name in ("huberLoss", "logLoss", "sigmoidCrossEntropy", "softmaxCrossEntropy") and not kw:
        extra = [None]
    return [_js_arg(y), _js_arg(p), _js_arg(w), *extra, reduction]


def _run_tfjs(tmp_path, jobs: list[dict]) -> list[dict]:
    from tfjs_node import tfjs_package

    package = tfjs_package()
    script, jobs_file, out_file = tmp_path / "run.js", tmp_path / "jobs.json", tmp_path / "out.json"
    script.write_text(_JS)
    jobs_file.write_text(json.dumps(jobs))
    node = shutil.which("node")
    assert node
    done = subprocess.run(
        [node, str(script), str(package), str(jobs_file), str(out_file)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(out_file.read_text())  # (JSON has no NaN: TF.js's NaN arrives as None)


def test_matches_real_tfjs(tmp_path):
    jobs = [{"fn": c[0], "args": _js_args(*c), "grads": c[5] in (None, 0, 1)} for c in COMBOS]
    results = _run_tfjs(tmp_path, jobs)
    for combo, res in zip(COMBOS, results):
        name, y, p, kw, w, reduction = combo
        assert "error" not in res, (_combo_id(combo), res)
        y32, p32 = tf.tensor(y.astype(np.float32)), tf.tensor(p.astype(np.float32))
        got = _call(name, y32, p32, kw, w, reduction)
        assert list(got.shape) == res["shape"], _combo_id(combo)
        np.testing.assert_allclose(
            got.numpy().reshape(-1), res["values"], 1e-5, 1e-6, err_msg=_combo_id(combo)
        )
        if res.get("grads"):

            def total(a, b, combo=combo):
                name, _, _, kw, w, reduction = combo
                return tf.sum(_call(name, a, b, kw, w, reduction))

            grads = tf.grads(total)([y32, p32])
            for g, expected in zip(grads, res["grads"]):
                np.testing.assert_allclose(
                    g.numpy().reshape(-1), expected, 1e-4, 1e-6, err_msg=_combo_id(combo)
                )


def test_errors_match_real_tfjs(tmp_path):
    jobs = [
        {"fn": "sigmoidCrossEntropy", "args": [_js_arg(np.ones((3, 3))), _js_arg(np.ones((2, 3)))]},
        {"fn": "meanSquaredError", "args": [_js_arg([1, 2]), _js_arg([1, 2, 3])]},
        {
            "fn": "meanSquaredError",
            "args": [_js_arg([1, 2, 3]), _js_arg([1, 2, 3]), _js_arg([1, 2])],
        },
    ]
    results = _run_tfjs(tmp_path, jobs)
    calls = [
        lambda: tf.losses.sigmoidCrossEntropy(np.ones((3, 3)), np.ones((2, 3))),
        lambda: tf.losses.meanSquaredError([1, 2], [1, 2, 3]),
        lambda: tf.losses.meanSquaredError([1, 2, 3], [1, 2, 3], [1, 2]),
    ]
    for call, res in zip(calls, results):
        with pytest.raises(ValueError) as info:
            call()
        assert res["error"] in str(info.value)


# -- gradients ----------------------------------------------------------------------------------
GRAD_CASES = [
    ("absoluteDifference", lambda y, p, w: tf.losses.absoluteDifference(y, p, w)),
    ("meanSquaredError", lambda y, p, w: tf.losses.meanSquaredError(y, p, w, R.MEAN)),
    ("hingeLoss", lambda y, p, w: tf.losses.hingeLoss(y, p, w, R.SUM)),
    ("huberLoss", lambda y, p, w: tf.losses.huberLoss(y, p, w, 0.7, R.NONE)),
    ("logLoss", lambda y, p, w: tf.losses.logLoss(y, p, w)),
    ("sigmoidCrossEntropy", lambda y, p, w: tf.losses.sigmoidCrossEntropy(y, p, w, 0.1)),
    (
        "cosineDistance",
        lambda y, p, w: tf.losses.cosineDistance(y, p, 1, tf.reshape(tf.sum(w, 1), [4, 1])),
    ),
    ("computeWeightedLoss", lambda y, p, w: tf.losses.computeWeightedLoss(tf.mul(y, p), w, R.MEAN)),
]


@pytest.mark.parametrize("name, f", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_match_finite_differences(name, f):
    rng = np.random.default_rng(3)
    y = rng.uniform(0.1, 0.9, (4, 3))
    p = rng.uniform(0.1, 0.9, (4, 3)) if name == "logLoss" else rng.normal(size=(4, 3))
    if name == "hingeLoss":
        y = np.round(y)
    w = rng.uniform(0.5, 2, (4, 3))
    check_grads(f, [y, p, w], rtol=1e-5, atol=1e-7)


def test_softmax_cross_entropy_has_tfjs_custom_gradient():
    rng = np.random.default_rng(5)
    labels = rng.uniform(0, 1, (4, 3))
    labels /= labels.sum(-1, keepdims=True)
    logits = rng.normal(size=(4, 3))
    w = rng.uniform(0.5, 2, (4,))
    # the logits' gradient is the true one when each row of labels sums to 1
    check_grads(lambda x, w: tf.losses.softmaxCrossEntropy(labels, x, w, 0.2), [logits, w])
    # the labels' gradient is TF.js's (labels - softmax) * dy, not -log_softmax * dy
    dy = rng.normal(size=(4,))
    g_labels, g_logits = tf.grads(lambda z, x: tf.losses.softmaxCrossEntropy(z, x, None, None, 0))(
        [tf.tensor(labels), tf.tensor(logits)], tf.tensor(dy)
    )
    softmax = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(g_labels.numpy(), dy[:, None] * (labels - softmax), 1e-5, 1e-6)
    np.testing.assert_allclose(g_logits.numpy(), dy[:, None] * (softmax - labels), 1e-5, 1e-6)


# -- arguments and errors -----------------------------------------------------------------------
def test_keywords_in_either_spelling():
    expected = tf.losses.softmaxCrossEntropy(ONEHOT, LOGITS, ROW_W, 0.3, R.MEAN).numpy()
    for kw in ({"labelSmoothing": 0.3}, {"label_smoothing": 0.3}):
        y = tf.losses.softmaxCrossEntropy(
            onehotLabels=ONEHOT, logits=LOGITS, weights=ROW_W, reduction=R.MEAN, **kw
        )
        assert y.numpy() == expected
    y = tf.losses.sigmoidCrossEntropy(
        multi_class_labels=ONEHOT, logits=LOGITS, labelSmoothing=0.3, reduction=1, weights=ROW_W
    )
    close(
        y, 6.1667128
    )  # sigmoid_cross_entropy_test.ts 'Label Smoothing - Weighted - Reduction.MEAN'
    assert C.huber_loss(HL, HP, delta=0.4).numpy() == tf.losses.huberLoss(HL, HP, None, 0.4).numpy()
    with pytest.raises(
        TypeError, match=r"huberLoss\(\) got an unexpected keyword argument 'detla'"
    ):
        tf.losses.huberLoss(HL, HP, detla=0.4)
    with pytest.raises(TypeError, match="the same argument twice"):
        tf.losses.softmaxCrossEntropy(ONEHOT, LOGITS, labelSmoothing=0.1, label_smoothing=0.1)


def test_inputs_as_arrays_lists_ints_and_tensors():
    y, p = np.array([[1, 0], [0, 1]]), np.array([[0.5, 0.5], [0.25, 0.75]])
    expected = tf.losses.meanSquaredError(tf.tensor(y, None, "float32"), tf.tensor(p)).numpy()
    assert tf.losses.meanSquaredError(y, p).numpy() == expected
    assert tf.losses.meanSquaredError(y.tolist(), p.tolist()).numpy() == expected
    assert tf.losses.meanSquaredError(y.astype(np.float64), p).dtype == "float32"


def test_reduction_enum_and_spellings():
    assert tf.losses.Reduction is tf.Reduction is C.Reduction
    assert [int(r) for r in tf.Reduction] == [0, 1, 2, 3]  # loss_ops_utils.ts's enum order
    assert [r.name for r in tf.Reduction] == ["NONE", "MEAN", "SUM", "SUM_BY_NONZERO_WEIGHTS"]
    losses, w = [1.0, 2.0, 3.0], [0.1, 0.0, 0.3]
    for spelled in (R.SUM, 2, "SUM", "sum", "Reduction.SUM"):
        assert tf.losses.computeWeightedLoss(losses, w, spelled).numpy() == np.float32(
            1 * 0.1 + 3 * 0.3
        )
    with pytest.raises(ValueError, match=r"computeWeightedLoss: Unknown reduction: 7\. Expected"):
        tf.losses.computeWeightedLoss(losses, w, 7)
    with pytest.raises(ValueError, match="Unknown reduction: 'sum_over_batch_size'"):
        tf.losses.meanSquaredError(losses, losses, None, "sum_over_batch_size")
    with pytest.raises(ValueError, match=r"got tf\.Reduction\.NONE for 'weights'"):
        tf.losses.huberLoss(losses, losses, R.NONE)


def test_shape_mismatch_is_tfjs_error():
    # sigmoid/softmax_cross_entropy_test.ts 'throws when multiClassLabels and logits are of
    # different shapes'
    for fn in ("sigmoidCrossEntropy", "softmaxCrossEntropy"):
        with pytest.raises(ValueError, match=f"Error in {fn}:  Shapes 3,3 and 2,3 must match"):
            getattr(tf.losses, fn)(np.full((3, 3), 10.0), np.full((2, 3), 10.0))
    with pytest.raises(ValueError, match=r"labels has shape \[2\], predictions has shape \[3\]"):
        tf.losses.absoluteDifference([1, 2], [1, 2, 3])


@pytest.mark.parametrize(
    "name, call, arg",
    [
        # '<fn> throws when passed label as a non-tensor' / 'weights as a non-tensor' / ...
        ("computeWeightedLoss", lambda: tf.losses.computeWeightedLoss({}, W2, R.NONE), "losses"),
        (
            "computeWeightedLoss",
            lambda: tf.losses.computeWeightedLoss(LOSSES2, {}, R.NONE),
            "weights",
        ),
        ("absoluteDifference", lambda: tf.losses.absoluteDifference({}, P2, W2b, R.MEAN), "labels"),
        (
            "meanSquaredError",
            lambda: tf.losses.meanSquaredError(L2, {}, W2b, R.MEAN),
            "predictions",
        ),
        ("cosineDistance", lambda: tf.losses.cosineDistance(L2, P2, 0, {}, R.MEAN), "weights"),
        ("hingeLoss", lambda: tf.losses.hingeLoss({}, P2, W2b, R.MEAN), "labels"),
        ("huberLoss", lambda: tf.losses.huberLoss(HL2, {}, W2b, None, R.MEAN), "predictions"),
        ("logLoss", lambda: tf.losses.logLoss(HL2, HP2, {}, None, R.MEAN), "weights"),
        (
            "sigmoidCrossEntropy",
            lambda: tf.losses.sigmoidCrossEntropy({}, LOGITS, ROW_W),
            "multiClassLabels",
        ),
        (
            "softmaxCrossEntropy",
            lambda: tf.losses.softmaxCrossEntropy({}, LOGITS, ROW_W),
            "onehotLabels",
        ),
        (
            "softmaxCrossEntropy",
            lambda: tf.losses.softmaxCrossEntropy(ONEHOT, "x", ROW_W),
            "logits",
        ),
    ],
)
def test_non_tensor_arguments_are_tfjs_errors(name, call, arg):
    with pytest.raises(ValueError, match=f"Argument '{arg}' passed to '{name}' must be a Tensor"):
        call()


def test_other_errors_name_the_function():
    with pytest.raises(
        ValueError,
        match=r"meanSquaredError: weights of shape \[2\] do not broadcast against the losses of "
        r"shape \[3\]",
    ):
        tf.losses.meanSquaredError([1, 2, 3], [1, 2, 3], [1, 2])
    with pytest.raises(
        ValueError, match="labelSmoothing takes the number of classes from the labels' shape"
    ):
        tf.losses.softmaxCrossEntropy([0, 1], [1.0, 2.0], None, 0.1)
    with pytest.raises(ValueError, match="softmaxCrossEntropy: logits must have a class axis"):
        tf.losses.softmaxCrossEntropy(1.0, 2.0)
    # TF.js's cosineDistance with axis undefined sums every axis (kept): 1 - 30
    close(tf.losses.cosineDistance([[1, 2], [3, 4]], [[1, 2], [3, 4]]), -29, ())


# -- the namespace ------------------------------------------------------------------------------
def test_namespace_keeps_the_layers_losses():
    y, p = [[0.0, 1.0], [1.0, 1.0]], [[0.5, 0.5], [0.0, 1.0]]
    per_sample = tf.losses.mean_squared_error(y, p)
    assert per_sample.shape == (2,)  # the Layers' loss: per sample
    np.testing.assert_allclose(per_sample.numpy(), [0.25, 0.5])
    assert tf.losses.meanSquaredError(y, p).shape == ()  # TF.js's core loss: a scalar
    assert tf.losses.meanSquaredError is C.mean_squared_error is C.meanSquaredError
    assert tf.losses.meanSquaredError.__name__ == "meanSquaredError"
    assert L.get("meanSquaredError")[1] is L.mean_squared_error  # compile's name lookup
    assert tf.metrics.meanSquaredError is not tf.losses.meanSquaredError
    assert set(C.TFJS_NAMES) <= set(dir(tf.losses))
    assert not hasattr(tf.losses, "huber_loss")  # the core snake_case names stay in core_losses


def test_core_loss_as_compile_loss_trains_as_layers_mse():
    x = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    histories = []
    for loss in ("meanSquaredError", tf.losses.meanSquaredError):
        tf.set_seed(1)
        model = tf.sequential()
        model.add(tf.layers.dense({"units": 1, "inputShape": [3]}))
        model.compile({"optimizer": "sgd", "loss": loss})
        histories.append(
            model.fit(x, y, {"epochs": 3, "batchSize": 8, "verbose": 0}).history["loss"]
        )
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-5)
