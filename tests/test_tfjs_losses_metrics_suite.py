"""TF.js's own loss and metric tests, ported: tfjs-layers 4.22 `src/losses_test.ts` and
`src/metrics_test.ts`.

Each test names its TF.js `describe(...)` block and `it(...)` title in a comment (`# TF.js:
'<describe>' > '<it>'`); the expected numbers and error phrases are TF.js's. `close()` is TF.js's
`expectTensorsClose` (1e-3).

The Layers' per-sample losses TF.js's test imports as `./losses` are `lstmkit.losses.layers`
(tfjs-layers' `losses.ts` under its names: `meanSquaredError` per sample, `l2Normalize`, `get`);
`tf.losses.meanSquaredError` is tfjs-core's scalar loss, as in TF.js. `./metrics` is
`tf.metrics` (`get`, `getLossOrMetricName`, `r2Score`, ...).

Nothing skipped: every `it()` of both files is here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_tfjs_recurrent_suite import close

import lstmkit as tf
from lstmkit.losses import layers as losses

EPSILON = 1e-7  # TF.js's epsilon()
metrics = tf.metrics


# ================================================================================================
# losses_test.ts
# ================================================================================================
def test_mean_squared_error_1d():
    # TF.js: 'meanSquaredError' > '1D'
    result = losses.meanSquaredError(tf.zeros([3]), tf.tensor1d([1, 2, 3]))
    close(result, tf.scalar((1 * 1 + 2 * 2 + 3 * 3) / 3))


def test_mean_squared_error_2d():
    # TF.js: 'meanSquaredError' > '2D'
    result = losses.meanSquaredError(tf.zeros([2, 2]), tf.tensor2d([[1, 2], [3, 4]], [2, 2]))
    close(result, tf.tensor1d([(1 * 1 + 2 * 2) / 2, (3 * 3 + 4 * 4) / 2]))


def test_mean_absolute_error_1d():
    # TF.js: 'meanAbsoluteError' > '1D'
    result = losses.meanAbsoluteError(tf.zeros([3]), tf.tensor1d([-1, -2, -3]))
    close(result, tf.scalar((1 + 2 + 3) / 3))


def test_mean_absolute_error_2d():
    # TF.js: 'meanAbsoluteError' > '2D'
    result = losses.meanAbsoluteError(tf.zeros([2, 2]), tf.tensor2d([[-1, -2], [-3, -4]], [2, 2]))
    close(result, tf.tensor1d([(1 + 2) / 2, (3 + 4) / 2]))


def test_mean_absolute_percentage_error_1d():
    # TF.js: 'meanAbsolutePercentageError' > '1D'
    result = losses.meanAbsolutePercentageError(tf.tensor1d([-1, -2, -3]), tf.zeros([3]))
    close(result, tf.scalar((1 + 2 + 3) / (1 + 2 + 3) * 100))


def test_mean_absolute_percentage_error_2d():
    # TF.js: 'meanAbsolutePercentageError' > '2D'
    y_true = tf.tensor2d([[-1, -2], [-3, -4]], [2, 2])
    result = losses.meanAbsolutePercentageError(y_true, tf.zeros([2, 2]))
    close(result, tf.tensor1d([100.0, 100.0]))


def _msle_1d(x, y):
    def calc_log(v):
        return math.log(max(v, EPSILON) + 1)

    return sum((calc_log(a) - calc_log(b)) ** 2 for a, b in zip(x, y)) / len(x)


def test_mean_squared_logarithmic_error_2d():
    # TF.js: 'meanSquaredLogarithmicError' > '2D'
    result = losses.meanSquaredLogarithmicError(
        tf.zeros([2, 2]), tf.tensor2d([[1, 2], [3, 4]], [2, 2])
    )
    close(result, tf.tensor1d([_msle_1d([1, 2], [0, 0]), _msle_1d([3, 4], [0, 0])]))


def test_squared_hinge_2d():
    # TF.js: 'squaredHinge' > '2D'
    y_true = tf.tensor2d([[-1, 2], [-3, 2]], [2, 2])
    y_pred = tf.tensor2d([[-3, 5], [3, -2]], [2, 2])
    second_row = [(1 - (-3 * 3)) ** 2, (1 - (2 * -2)) ** 2]
    close(losses.squaredHinge(y_true, y_pred), tf.tensor1d([0, sum(second_row) / 2]))


def test_hinge_2d():
    # TF.js: 'hinge' > '2D'
    y_true = tf.tensor2d([[-1, 2], [-3, 2]], [2, 2])
    y_pred = tf.tensor2d([[-3, 5], [3, -2]], [2, 2])
    second_row = [1 - (-3 * 3), 1 - (2 * -2)]
    close(losses.hinge(y_true, y_pred), tf.tensor1d([0, sum(second_row) / 2]))


def test_categorical_hinge_2d():
    # TF.js: 'categoricalHinge' > '2D'
    y_true = tf.tensor2d([[0, 1, 0], [1, 0, 0]], [2, 3])
    y_pred = tf.tensor2d([[0, 2, 0], [1, 3, 2]], [2, 3])
    second = max(1 * 3, 1 * 2) - 1 * 1 + 1
    close(losses.categoricalHinge(y_true, y_pred), tf.tensor1d([0, second]))


def test_logcosh_2d():
    # TF.js: 'logcosh' > '2D'
    def _logcosh(x):
        return x + math.log(math.exp(-2 * x) + 1) - math.log(2)

    result = losses.logcosh(tf.zeros([2, 2]), tf.tensor2d([[1, 2], [3, 4]], [2, 2]))
    first = (_logcosh(1) + _logcosh(2)) / 2
    second = (_logcosh(3) + _logcosh(4)) / 2
    close(result, tf.tensor1d([first, second]))


def test_categorical_crossentropy_from_logits():
    # TF.js: 'categoricalCrossentropy ' > 'from logits'
    x = tf.tensor2d([[1, 2], [3, 4]], [2, 2])
    target = tf.tensor2d([[0.25, 0.75], [0.1, 0.9]], [2, 2])
    e = math.exp
    expected = tf.tensor1d(
        [
            -1 * (math.log(e(1) / (e(1) + e(2))) * 0.25 + math.log(e(2) / (e(1) + e(2))) * 0.75),
            -1 * (math.log(e(3) / (e(3) + e(4))) * 0.1 + math.log(e(4) / (e(3) + e(4))) * 0.9),
        ]
    )
    close(losses.categoricalCrossentropy(target, x, True), expected)


def test_categorical_crossentropy_from_softmax():
    # TF.js: 'categoricalCrossentropy ' > 'from softmax'
    x = tf.tensor2d([[0.3, 0.7], [0.4, 0.6]], [2, 2])
    target = tf.tensor2d([[0.25, 0.75], [0.1, 0.9]], [2, 2])
    expected = tf.tensor1d(
        [
            -1 * (math.log(0.3) * 0.25 + math.log(0.7) * 0.75),
            -1 * (math.log(0.4) * 0.1 + math.log(0.6) * 0.9),
        ]
    )
    close(losses.categoricalCrossentropy(target, x, False), expected)


def test_categorical_crossentropy_from_softmax_sequence_output():
    # TF.js: 'categoricalCrossentropy ' > 'from softmax, sequence output'
    x = tf.tensor3d([[[0.3, 0.7], [0.4, 0.6]], [[0.2, 0.8], [0.55, 0.45]]], [2, 2, 2])
    target = tf.tensor3d([[[0, 1], [1, 0]], [[0, 1], [1, 0]]], [2, 2, 2])
    result = losses.categoricalCrossentropy(target, x, False)
    close(result, tf.tensor2d([[0.35667497, 0.9162907], [0.22314353, 0.597837]]))


def test_sparse_categorical_crossentropy_reference():
    # TF.js: 'sparseCategoricalCrossentropy ' > 'sparseCategoricalCrossentropy'
    x = tf.tensor2d([[0.1, 0.2, 0.7], [0.2, 0.3, 0.5]], [2, 3])
    target = tf.tensor1d([0, 2])
    close(losses.sparseCategoricalCrossentropy(target, x), tf.tensor1d([2.3025851, 0.6931472]))


def test_sigmoid_cross_entropy_with_logits_outputs_sigmoid_cross_entropy():
    # TF.js: 'sigmoidCrossEntropyWithLogits' > 'outputs sigmoid cross-entropy'
    x = tf.tensor2d([[1, 2], [3, 4]], [2, 2])
    target = tf.tensor2d([[0.25, 0.75], [0.1, 0.9]], [2, 2])
    target_complement = tf.add(tf.scalar(1), tf.neg(target))
    sigmoid_x = tf.sigmoid(x)
    sigmoid_x_complement = tf.add(tf.scalar(1), tf.neg(sigmoid_x))
    expected = tf.add(
        tf.mul(target, tf.neg(tf.log(sigmoid_x))),
        tf.mul(target_complement, tf.neg(tf.log(sigmoid_x_complement))),
    )
    close(losses.sigmoidCrossEntropyWithLogits(target, x), expected)


def test_sigmoid_cross_entropy_with_logits_tensorflow_reference_values():
    # TF.js: 'sigmoidCrossEntropyWithLogits' > 'Comparison with TensorFlow references values'
    logits = tf.tensor2d([[-10, -10, -10], [-5, -5, -5], [0, 0, 0], [0.5, 0.5, 0.5], [2, 2, 2]])
    labels = tf.tensor2d([[0, 0.5, 1]] * 5)
    outputs = losses.sigmoidCrossEntropyWithLogits(labels, logits)
    close(
        outputs,
        tf.tensor2d(
            [
                [4.5398901e-05, 5.0000453e00, 1.0000046e01],
                [6.7153485e-03, 2.5067153e00, 5.0067153e00],
                [6.9314718e-01, 6.9314718e-01, 6.9314718e-01],
                [9.7407699e-01, 7.2407699e-01, 4.7407699e-01],
                [2.1269281e00, 1.1269280e00, 1.2692800e-01],
            ]
        ),
    )


def test_categorical_crossentropy_2d():
    # TF.js: 'categoricalCrossentropy' > '2D'
    y_true = tf.tensor2d([[1, 0], [0, 1]], [2, 2])
    close(losses.categoricalCrossentropy(y_true, y_true), tf.zeros([2]))


def test_sparse_categorical_crossentropy_2d():
    # TF.js: 'sparseCategoricalCrossentropy' > '2D'
    y_true = tf.tensor1d([0, 1])
    y_pred = tf.tensor2d([[1, 0], [0, 1]], [2, 2])
    close(losses.sparseCategoricalCrossentropy(y_true, y_pred), tf.zeros([2]))


def test_binary_crossentropy_from_sigmoid():
    # TF.js: 'binaryCrossentropy' > 'from sigmoid'
    x = tf.tensor2d([[0.3, 0.7], [0.4, 0.6]], [2, 2])
    target = tf.tensor2d([[0.25, 0.75], [0.1, 0.9]], [2, 2])
    target_complement = tf.add(tf.scalar(1), tf.neg(target))
    output_complement = tf.add(tf.scalar(1), tf.neg(x))
    expected = tf.mean(
        tf.neg(
            tf.add(tf.mul(target, tf.log(x)), tf.mul(target_complement, tf.log(output_complement)))
        ),
        -1,
    )
    close(losses.binaryCrossentropy(target, x), expected)


def test_kullback_leibler_divergence_2d():
    # TF.js: 'kullbackLeiblerDivergence' > '2D'
    def kl(actual, predicted):
        actual, predicted = max(actual, EPSILON), max(predicted, EPSILON)
        return actual * math.log(actual / predicted)

    y_true = tf.tensor2d([[1, 0], [1, 0]], [2, 2])
    y_pred = tf.tensor2d([[0.25, 0.75], [0.9, 0.1]], [2, 2])
    expected = tf.tensor1d([kl(1, 0.25) + kl(0, 0.75), kl(1, 0.9) + kl(0, 0.1)])
    close(losses.kullbackLeiblerDivergence(y_true, y_pred), expected)


def test_poisson_2d():
    # TF.js: 'poisson' > '2D'
    def element(actual, predicted):
        return predicted - actual * math.log(predicted + EPSILON)

    y_true = tf.tensor2d([[1, 0], [1, 0]], [2, 2])
    y_pred = tf.tensor2d([[0.25, 0.75], [0.9, 0.1]], [2, 2])
    expected = tf.tensor1d(
        [
            (element(1, 0.25) + element(0, 0.75)) / 2,
            (element(1, 0.9) + element(0, 0.1)) / 2,
        ]
    )
    close(losses.poisson(y_true, y_pred), expected)


def test_cosine_proximity_2d():
    # TF.js: 'cosineProximity' > '2D'
    z = math.sqrt(2) / 2
    y_true = tf.tensor2d([[1, 0], [1, 0]], [2, 2])
    y_pred = tf.tensor2d([[z, z], [0, 1]], [2, 2])
    close(losses.cosineProximity(y_true, y_pred), tf.tensor1d([-1 * z, 0]))


LOSS_NAMES = [
    "meanSquaredError",
    "meanAbsoluteError",
    "meanAbsolutePercentageError",
    "meanSquaredLogarithmicError",
    "squaredHinge",
    "hinge",
    "categoricalHinge",
    "logcosh",
    "categoricalCrossentropy",
    "sparseCategoricalCrossentropy",
    "binaryCrossentropy",
    "kullbackLeiblerDivergence",
    "poisson",
    "cosineProximity",
]


@pytest.mark.parametrize("loss_name", LOSS_NAMES)
def test_losses_get_can_get(loss_name):
    # TF.js: 'losses get' > `can get ${lossName}`
    fn = losses.get(loss_name)
    assert callable(fn)
    assert fn is getattr(losses, loss_name)


def test_losses_get_custom_loss_works():
    # TF.js: 'losses get' > 'get custom loss works'
    def custom_loss(x, y):
        return tf.scalar(42.0)

    assert losses.get(custom_loss) is custom_loss


def test_l2_normalize_with_no_axis_defined():
    # TF.js: 'l2Normalize' > 'normalizes with no axis defined.'
    x = tf.tensor2d([[1, 2], [3, 4]], [2, 2])
    norm = math.sqrt(1 + 4 + 9 + 16)
    close(losses.l2Normalize(x), tf.tensor2d([[1 / norm, 2 / norm], [3 / norm, 4 / norm]]))


def test_l2_normalize_along_axis_minus_1():
    # TF.js: 'l2Normalize' > 'normalizes along axis = -1.'
    x = tf.tensor2d([[1, 2], [3, 4]], [2, 2])
    n1, n2 = math.sqrt(1 + 4), math.sqrt(9 + 16)
    close(losses.l2Normalize(x, -1), tf.tensor2d([[1 / n1, 2 / n1], [3 / n2, 4 / n2]]))


def test_l2_normalize_with_zeros():
    # TF.js: 'l2Normalize' > 'normalizes with zeros.'
    x = tf.zeros([2, 2])
    close(losses.l2Normalize(x), x)


def test_l2_normalize_casts_int32_as_float32():
    # TF.js: 'l2Normalize' > 'normalizes casts int32 as float32.'
    x = tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32")
    norm = math.sqrt(1 + 4 + 9 + 16)
    close(losses.l2Normalize(x), tf.tensor2d([[1 / norm, 2 / norm], [3 / norm, 4 / norm]]))


def test_l2_normalize_casts_bool_as_float32():
    # TF.js: 'l2Normalize' > 'normalizes casts bool as float32.'
    x = tf.tensor2d([[1, 1]], [1, 2], "bool")
    norm = math.sqrt(2)
    close(losses.l2Normalize(x), tf.tensor2d([[1 / norm, 1 / norm]], [1, 2]))


# ================================================================================================
# metrics_test.ts
# ================================================================================================
def test_binary_accuracy_1d_exact():
    # TF.js: 'binaryAccuracy' > '1D exact'
    x = tf.tensor1d([1, 1, 1, 1, 0, 0, 0, 0])
    y = tf.tensor1d([1, 0, 1, 0, 0, 1, 0, 1])
    close(metrics.binaryAccuracy(x, y), tf.scalar(0.5))


def test_binary_accuracy_2d_thresholded_1d_inputs():
    # TF.js: 'binaryAccuracy' > '2D thresholded' (the first of the two so named: 1-D inputs)
    x = tf.tensor1d([1, 1, 1, 1, 0, 0, 0, 0])
    y = tf.tensor1d([0.2, 0.4, 0.6, 0.8, 0.2, 0.3, 0.4, 0.7])
    close(metrics.binaryAccuracy(x, y), tf.scalar(5 / 8))


def test_binary_accuracy_2d_exact():
    # TF.js: 'binaryAccuracy' > '2D exact'
    x = tf.tensor2d([[1, 1, 1, 1], [0, 0, 0, 0]], [2, 4])
    y = tf.tensor2d([[1, 0, 1, 0], [0, 0, 0, 1]], [2, 4])
    close(metrics.binaryAccuracy(x, y), tf.tensor1d([0.5, 0.75]))


def test_binary_accuracy_2d_thresholded():
    # TF.js: 'binaryAccuracy' > '2D thresholded'
    x = tf.tensor2d([[1, 1], [1, 1], [0, 0], [0, 0]], [4, 2])
    y = tf.tensor2d([[0.2, 0.4], [0.6, 0.8], [0.2, 0.3], [0.4, 0.7]], [4, 2])
    close(metrics.binaryAccuracy(x, y), tf.tensor1d([0, 1, 1, 0.5]))


SPARSE_PRED = [[0, 1, 0], [1, 0, 0], [0, 0.4, 0.6], [0, 0.6, 0.4], [0.7, 0.3, 0]]


@pytest.mark.parametrize(
    ("title", "y_true"),
    [
        ("1D float32 yTrue, 2D yPred", lambda: tf.tensor1d([1, 1, 2, 2, 0])),
        ("1D int32 yTrue, 2D yPred", lambda: tf.tensor1d([1, 1, 2, 2, 0], "int32")),
        ("2D int32 yTrue, 2D yPred", lambda: tf.tensor2d([1, 1, 2, 2, 0], [5, 1], "int32")),
    ],
)
def test_sparse_categorical_accuracy(title, y_true):
    # TF.js: 'sparseCategoricalAccuracy' > title
    accuracy = metrics.sparseCategoricalAccuracy(y_true(), tf.tensor2d(SPARSE_PRED))
    out = accuracy.toBool()
    assert out.dtype == "bool"
    close(out, tf.tensor1d([1, 0, 1, 0, 1], "bool"))


def test_binary_crossentropy_metric_2d_single_value_y_true():
    # TF.js: 'binaryCrossentropy' > '2D single-value yTrue' (epsilon 1e-7)
    x = tf.tensor2d([[0], [0], [0], [1], [1], [1]])
    y = tf.tensor2d([[0], [0.5], [1], [0], [0.5], [1]])
    close(
        metrics.binaryCrossentropy(x, y),
        tf.tensor1d(
            [
                1.00000015e-07,
                6.93147182e-01,
                1.59423847e01,
                1.61180954e01,
                6.93147182e-01,
                1.19209332e-07,
            ]
        ),
    )


def test_binary_crossentropy_metric_2d_one_hot_binary_y_true():
    # TF.js: 'binaryCrossentropy' > '2D one-hot binary yTrue'
    x = tf.tensor2d([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1]])
    y = tf.tensor2d([[1, 0], [0.5, 0.5], [0, 1], [1, 0], [0.5, 0.5], [0, 1]])
    close(
        metrics.binaryCrossentropy(x, y),
        tf.tensor1d(
            [1.0960467e-07, 6.9314718e-01, 1.6030239e01, 1.6030239e01, 6.9314718e-01, 1.0960467e-07]
        ),
    )


def test_categorical_accuracy_1d():
    # TF.js: 'categoricalAccuracy' > '1D'
    accuracy = metrics.categoricalAccuracy(
        tf.tensor1d([0, 0, 0, 1]), tf.tensor1d([0.1, 0.8, 0.05, 0.05])
    )
    assert accuracy.dtype == "float32"
    assert list(accuracy.shape) == []
    assert list(accuracy.dataSync()) == [0]


def test_categorical_accuracy_2d():
    # TF.js: 'categoricalAccuracy' > '2D'
    x = tf.tensor2d([[0, 0, 0, 1], [0, 0, 0, 1]], [2, 4])
    y = tf.tensor2d([[0.1, 0.8, 0.05, 0.05], [0.1, 0.05, 0.05, 0.8]], [2, 4])
    accuracy = metrics.categoricalAccuracy(x, y)
    assert accuracy.dtype == "float32"
    assert list(accuracy.shape) == [2]
    assert list(accuracy.dataSync()) == [0, 1]


def test_categorical_crossentropy_metric_1d():
    # TF.js: 'categoricalCrossentropy metric' > '1D'
    out = metrics.categoricalCrossentropy(
        tf.tensor1d([0, 0, 0, 1]), tf.tensor1d([0.1, 0.8, 0.05, 0.05])
    )
    assert out.dtype == "float32"
    close(out, tf.scalar(2.995732))


def test_categorical_crossentropy_metric_2d():
    # TF.js: 'categoricalCrossentropy metric' > '2D'
    x = tf.tensor2d([[0, 0, 0, 1], [0, 0, 0, 1]])
    y = tf.tensor2d([[0.1, 0.8, 0.05, 0.05], [0.1, 0.05, 0.05, 0.8]])
    out = metrics.categoricalCrossentropy(x, y)
    assert out.dtype == "float32"
    close(out, tf.tensor1d([2.995732, 0.22314353]))


PR_TRUE = [[0, 0, 1], [0, 0, 1], [1, 0, 0], [0, 1, 0]]
PR_PRED = [[0, 0, 1], [1, 0, 0], [1, 0, 0], [0, 1, 0]]


def test_precision_metric_1d():
    # TF.js: 'precision metric' > '1D'
    out = metrics.precision(tf.tensor1d([0, 0, 0, 1]), tf.tensor1d([0, 0, 0, 1]))
    assert out.dtype == "float32"
    close(out, tf.scalar(1))


def test_precision_metric_2d():
    # TF.js: 'precision metric' > '2D'
    out = metrics.precision(tf.tensor2d(PR_TRUE), tf.tensor2d(PR_PRED))
    assert out.dtype == "float32"
    close(out, tf.scalar(0.75))


def test_precision_metric_2d_edge_case():
    # TF.js: 'precision metric' > '2D edge case'
    out = metrics.precision(tf.tensor2d(PR_TRUE), tf.zeros([4, 3]))
    assert out.dtype == "float32"
    close(out, tf.scalar(0))


def test_recall_metric_1d():
    # TF.js: 'recall metric' > '1D'
    x = tf.tensor1d([1, 0, 1, 0, 0, 0, 1])
    y = tf.tensor1d([0, 0, 1, 1, 1, 1, 0])
    out = metrics.recall(x, y)
    assert out.dtype == "float32"
    close(out, tf.scalar(0.33333334))


def test_recall_metric_2d():
    # TF.js: 'recall metric' > '2D'
    out = metrics.recall(tf.tensor2d(PR_TRUE), tf.tensor2d(PR_PRED))
    assert out.dtype == "float32"
    close(out, tf.scalar(0.75))


def test_recall_metric_2d_edge_case():
    # TF.js: 'recall metric' > '2D edge case'
    out = metrics.recall(tf.zeros([4, 3]), tf.tensor2d(PR_PRED))
    assert out.dtype == "float32"
    close(out, tf.scalar(0))


def test_r2_score_1d():
    # TF.js: 'r2Score' > '1D'
    y_true = tf.tensor1d([3, -0.5, 2, 7, 4.2, 8.5, 1.3, 2.8, 6.7, 9.0])
    y_pred = tf.tensor1d([2.5, 0.0, 2.1, 7.8, 4.0, 8.2, 1.4, 2.9, 6.5, 9.1])
    close(metrics.r2Score(y_true, y_pred), tf.scalar(0.985))


def test_r2_score_2d():
    # TF.js: 'r2Score' > '2D'
    y_true = tf.tensor2d(
        [[3, 2.5], [-0.5, 3.2], [2, 1.9], [7, 5.1], [4.2, 3.8], [8.5, 7.4], [1.3, 0.6],
         [2.8, 2.1], [6.7, 5.3], [9.0, 8.7]]
    )  # fmt: skip
    y_pred = tf.tensor2d(
        [[2.7, 2.3], [0.0, 3.1], [2.1, 1.8], [6.8, 5.0], [4.1, 3.7], [8.4, 7.2], [1.4, 0.7],
         [2.9, 2.2], [6.6, 5.2], [9.2, 8.9]]
    )  # fmt: skip
    close(metrics.r2Score(y_true, y_pred), tf.scalar(0.995))


def test_metrics_get_valid_name_not_alias():
    # TF.js: 'metrics.get' > 'valid name, not alias'
    assert (metrics.get("binaryAccuracy") is metrics.get("categoricalAccuracy")) is False


def test_metrics_get_valid_name_alias():
    # TF.js: 'metrics.get' > 'valid name, alias'
    assert metrics.get("mse") is metrics.get("MSE")


def test_metrics_get_invalid_name():
    # TF.js: 'metrics.get' > 'invalid name'
    with pytest.raises(ValueError, match="Unknown metric"):
        metrics.get("InvalidMetricName")


def test_metrics_get_loss_or_metric_fn_input():
    # TF.js: 'metrics.get' > 'LossOrMetricFn input'
    assert metrics.get(metrics.binaryAccuracy) is metrics.binaryAccuracy
    assert metrics.get(metrics.categoricalAccuracy) is metrics.categoricalAccuracy


def test_get_loss_or_metric_name_string_short_cut_name():
    # TF.js: 'getLossOrMetricName' > 'string short cut name'
    assert "meanSquaredError" in metrics.getLossOrMetricName("meanSquaredError")


def test_get_loss_or_metric_name_function_included_in_losses_map():
    # TF.js: 'getLossOrMetricName' > 'function included in losses map'
    assert "meanSquaredError" in metrics.getLossOrMetricName(metrics.meanSquaredError)


def test_get_loss_or_metric_name_function_included_in_metrics_map():
    # TF.js: 'getLossOrMetricName' > 'function included in metrics map'
    assert "categoricalAccuracy" in metrics.getLossOrMetricName(metrics.categoricalAccuracy)


def test_get_loss_or_metric_name_function_not_included_in_either_map():
    # TF.js: 'getLossOrMetricName' > 'function not included in losses map or metrics map'
    def fakeMetric(y_true, y_pred):  # noqa: N802  (TF.js's name: the name is the answer)
        return tf.tensor([1])

    assert metrics.getLossOrMetricName(fakeMetric) == "fakeMetric"


def test_get_loss_or_metric_name_throws_null():
    # TF.js: 'getLossOrMetricName' > 'throws null'
    with pytest.raises((TypeError, ValueError)):
        metrics.getLossOrMetricName(None)


def test_numpy_inputs_still_work_for_the_metrics():
    # lstmkit: NumPy arrays are accepted wherever a tensor is (not a TF.js test)
    out = metrics.binaryAccuracy(np.array([1.0, 0.0]), np.array([0.9, 0.2]))
    close(out, tf.scalar(1.0))


def test_losses_get_unknown_name_names_it_as_tfjs():
    # TF.js's losses.get: `Unknown loss ${identifierOrFn}` (not an it() of losses_test.ts)
    with pytest.raises(ValueError, match="Unknown loss foo"):
        losses.get("foo")
    model = tf.sequential({"layers": [tf.layers.dense({"units": 1, "inputShape": [1]})]})
    with pytest.raises(ValueError, match="Unknown loss foo"):
        model.compile({"optimizer": "sgd", "loss": "foo"})
