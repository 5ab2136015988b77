"""TF.js's own normalization-layer tests, ported: tfjs-layers 4.22
`src/layers/normalization_test.ts` (the backend functions `normalizeBatchInTraining` and
`batchNormalization`, BatchNormalization, LayerNormalization).

Each test names its TF.js `describe(...)` block and `it(...)` title in a comment (`# TF.js:
'<describe>' > '<it>'`); expected numbers and error phrases are TF.js's. `close()` is TF.js's
`expectTensorsClose` (1e-3 unless TF.js gives another tolerance), `to_close()` Jasmine's
`toBeCloseTo` (2 digits unless TF.js gives others); configs go through the port of TF.js's
`convertTsToPythonic` / `convertPythonicToTs` (`test_tfjs_recurrent_suite.py`).

Skipped:
- 'BatchNormalization Layers: Tensor' > 'Fit: Wtih conv2d layer' and 'Fit: Wtih conv2dTranspose
  layer': their models start with `tf.layers.conv2d` / `tf.layers.conv2dTranspose`, which
  lstmkit deliberately does not have (README "Not in lstmkit"); that both raise lstmkit's
  NotInLstmkitError naming them is checked instead.

TF.js's memory checks ('LayerNormalization Layer: Tensor' > 'Forward: no memory leak',
'Forward: configuration change', 'Training: no memory leak': `tf.memory().numTensors`
unchanged between two calls) belong to TF.js's manual memory management; lstmkit frees by
reference counting, so they are ported as in `test_tfjs_recurrent_suite.py`: the live Tensor
count (after a garbage collection) does not grow between two identical calls. 'Forward:
configuration change' also checks that `apply(xs, {scale: true, center: true})` on a layer
built without scale and center works and changes nothing.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from test_tfjs_recurrent_suite import close, num_tensors, pythonic_to_ts, to_close, ts_to_pythonic

import lstmkit as tf
from lstmkit.layers.normalization import batch_normalization, normalize_batch_in_training

L = tf.layers


def fit(model, xs, ys, options):
    """TF.js's `await model.fit(...)`."""
    result = model.fit(xs, ys, options)
    if asyncio.iscoroutine(result) or hasattr(result, "__await__"):

        async def wait():
            return await result

        return asyncio.run(wait())
    return result


# ================================================================================================
# describeMathCPUAndGPU('normalizeBatchInTraining')
# ================================================================================================
X_2D = [[1, 2, 3, 4], [2, 4, 6, 8], [12, 11, 10, 9]]
X_3D = [[[1, 2], [3, 4]], [[2, 4], [6, 8]], [[12, 11], [10, 9]]]
NORMED_2D = [
    [-0.805371, -0.9502233, -1.1624058, -1.3885813],
    [-0.6040282, -0.4319197, -0.11624074, 0.46286058],
    [1.4093992, 1.3821429, 1.2786462, 0.92572117],
]
MEAN_2D = [5.0, 5.6666665, 6.3333335, 7.0]
VARIANCE_2D = [24.666666, 14.888889, 8.222222, 4.6666665]


def test_normalize_batch_in_training_2d_no_broadcasting():
    # TF.js: 'normalizeBatchInTraining' > '2D, no broadcasting'
    x = tf.tensor2d(X_2D, [3, 4])
    gamma = tf.tensor1d([1, 1, 1, 1])
    beta = tf.tensor1d([0, 0, 0, 0])
    normed, mean, variance = normalize_batch_in_training(x, gamma, beta, [0])
    close(normed, tf.tensor2d(NORMED_2D, [3, 4]))
    close(mean, tf.tensor1d(MEAN_2D))
    close(variance, tf.tensor1d(VARIANCE_2D))


def test_normalize_batch_in_training_3d_no_broadcasting():
    # TF.js: 'normalizeBatchInTraining' > '3D, no broadcasting'
    x = tf.tensor3d(X_3D, [3, 2, 2])
    gamma = tf.tensor1d([1, 1])
    beta = tf.tensor1d([0, 0])
    normed, mean, variance = normalize_batch_in_training(x, gamma, beta, [0, 1])
    close(
        normed,
        tf.tensor3d(
            [
                [[-1.1355163, -1.3552775], [-0.6488664, -0.7297648]],
                [[-0.8921913, -0.7297648], [0.08110833, 0.5212605]],
                [[1.5410578, 1.4595294], [1.0544081, 0.8340168]],
            ],
            [3, 2, 2],
        ),
    )
    close(mean, tf.tensor1d([5.6666665, 6.3333335]))
    close(variance, tf.tensor1d([16.88889, 10.222222]))


def test_normalize_batch_in_training_3d_broadcasting():
    # TF.js: 'normalizeBatchInTraining' > '3D, broadcasting'
    x = tf.tensor3d(X_3D, [3, 2, 2])
    gamma = tf.tensor2d([[1, 1], [1, 1]], [2, 2])
    beta = tf.tensor2d([[0, 0], [0, 0]], [2, 2])
    normed, mean, variance = normalize_batch_in_training(x, gamma, beta, [0])
    close(normed, tf.tensor3d(np.reshape(NORMED_2D, [3, 2, 2]).tolist(), [3, 2, 2]))
    close(mean, tf.tensor2d([[5, 5.6666665], [6.3333335, 7]], [2, 2]))
    close(variance, tf.tensor2d([[24.666666, 14.888889], [8.222222, 4.6666665]], [2, 2]))


def test_normalize_batch_in_training_4d_broadcasting():
    # TF.js: 'normalizeBatchInTraining' > '4D, broadcasting'
    x = tf.tensor4d([X_3D], [1, 3, 2, 2])
    gamma = tf.tensor2d([[1, 1], [1, 1]], [2, 2])
    beta = tf.tensor2d([[0, 0], [0, 0]], [2, 2])
    normed, mean, variance = normalize_batch_in_training(x, gamma, beta, [0, 1])
    close(normed, tf.tensor4d([np.reshape(NORMED_2D, [3, 2, 2]).tolist()], [1, 3, 2, 2]))
    close(mean, tf.tensor2d([[5, 5.6666665], [6.3333335, 7]], [2, 2]))
    close(variance, tf.tensor2d([[24.666666, 14.888889], [8.222222, 4.6666665]], [2, 2]))


def test_normalize_batch_in_training_tfjs_spelling():
    # (TF.js's name, `normalizeBatchInTraining`, and its default epsilon 1e-3)
    from lstmkit.layers.normalization import normalizeBatchInTraining

    x = tf.tensor2d(X_2D, [3, 4])
    normed, _, _ = normalizeBatchInTraining(x, tf.ones([4]), tf.zeros([4]), [0])
    close(normed, tf.tensor2d(NORMED_2D, [3, 4]))


# ================================================================================================
# describeMathCPUAndGPU('batchNormalization')
# ================================================================================================
X4 = [
    [[[10, 20], [30, 40]], [[10, 20], [30, 40]]],
    [[[-10, -20], [-30, -40]], [[-10, -20], [-30, -40]]],
]
MEAN4 = [
    [[[5, 5], [5, 5]], [[5, 5], [5, 5]]],
    [[[-5, -5], [-5, -5]], [[-5, -5], [-5, -5]]],
]
VARIANCE4 = [
    [[[4, 16], [4, 16]], [[16, 25], [16, 25]]],
    [[[4, 16], [4, 16]], [[16, 25], [16, 25]]],
]

BATCH_NORMALIZATION_CASES = [
    # title, x, mean, variance, beta, gamma, epsilon, expected
    (
        "2D, no broadcast, no gamma, no beta",
        [[10, 20], [30, 40]],
        [[5, 5], [5, 5]],
        [[4, 16], [4, 16]],
        None,
        None,
        0,
        [[2.5, 3.75], [12.5, 8.75]],
    ),
    (
        "2D, no broadcast, no gamma, no beta, custom epsilon",
        [[30, 30], [60, 60]],
        [[0, 0], [0, 0]],
        [[7, 7], [7, 7]],
        None,
        None,
        2,
        [[10, 10], [20, 20]],
    ),
    (
        "2D, no broadcast, gamma, no beta",
        [[10, 20], [30, 40]],
        [[5, 5], [5, 5]],
        [[4, 16], [4, 16]],
        None,
        [[1, 2], [3, 4]],
        0,
        [[2.5, 7.5], [37.5, 35]],
    ),
    (
        "2D, no broadcast, gamma, beta",
        [[10, 20], [30, 40]],
        [[5, 5], [5, 5]],
        [[4, 16], [4, 16]],
        [[-1, -1], [-2, -2]],
        [[1, 2], [3, 4]],
        0,
        [[1.5, 6.5], [35.5, 33]],
    ),
    (
        "2D, broadcast, gamma, beta",
        [[10, 20], [30, 40]],
        [2, 5],
        [1, 4],
        [-1, -2],
        [3, 4],
        0,
        [[23, 28], [83, 68]],
    ),
    (
        "3D, no broadcast, no gamma, no beta",
        [[[10, 20], [30, 40]], [[10, 20], [30, 40]]],
        [[[5, 5], [5, 5]], [[5, 5], [5, 5]]],
        [[[4, 16], [4, 16]], [[16, 25], [16, 25]]],
        None,
        None,
        0,
        [[[2.5, 3.75], [12.5, 8.75]], [[1.25, 3], [6.25, 7]]],
    ),
    (
        "3D, no broadcast, gamma, beta",
        [[[10, 20], [30, 40]], [[10, 20], [30, 40]]],
        [[[5, 5], [5, 5]], [[5, 5], [5, 5]]],
        [[[4, 16], [4, 16]], [[16, 25], [16, 25]]],
        [[[-1, -1], [-2, -2]], [[-1, -1], [-2, -2]]],
        [[[2, 2], [2, 2]], [[4, 4], [4, 4]]],
        0,
        [[[4, 6.5], [23, 15.5]], [[4, 11], [23, 26]]],
    ),
    (
        "3D, broadcast, gamma, beta",
        [[[10, 20], [30, 40]], [[10, 20], [30, 40]]],
        [5, 5],
        [4, 16],
        [-1, -2],
        [2, 4],
        0,
        [[[4, 13], [24, 33]], [[4, 13], [24, 33]]],
    ),
    (
        "4D, no broadcast, no gamma, no beta",
        X4,
        MEAN4,
        VARIANCE4,
        None,
        None,
        0,
        [
            [[[2.5, 3.75], [12.5, 8.75]], [[1.25, 3], [6.25, 7]]],
            [[[-2.5, -3.75], [-12.5, -8.75]], [[-1.25, -3], [-6.25, -7]]],
        ],
    ),
    (
        "4D, no broadcast, gamma, beta",
        X4,
        MEAN4,
        VARIANCE4,
        [
            [[[-1, -1], [-2, -2]], [[-1, -1], [-2, -2]]],
            [[[1, 1], [2, 2]], [[1, 1], [2, 2]]],
        ],
        [
            [[[2, 2], [2, 2]], [[4, 4], [4, 4]]],
            [[[2, 2], [2, 2]], [[4, 4], [4, 4]]],
        ],
        0,
        [
            [[[4, 6.5], [23, 15.5]], [[4, 11], [23, 26]]],
            [[[-4, -6.5], [-23, -15.5]], [[-4, -11], [-23, -26]]],
        ],
    ),
    (
        "4D, broadcast, gamma, beta",
        [[[[10, 20], [30, 40]]], [[[10, 20], [30, 40]]]],
        [5, 5],
        [4, 16],
        [-1, -2],
        [2, 4],
        0,
        [[[[4, 13], [24, 33]]], [[[4, 13], [24, 33]]]],
    ),
]


@pytest.mark.parametrize(
    "title, x, mean, variance, beta, gamma, epsilon, expected",
    BATCH_NORMALIZATION_CASES,
    ids=[c[0] for c in BATCH_NORMALIZATION_CASES],
)
def test_batch_normalization(title, x, mean, variance, beta, gamma, epsilon, expected):
    # TF.js: 'batchNormalization' > title
    def t(v):
        return None if v is None else tf.tensor(v)

    y = batch_normalization(t(x), t(mean), t(variance), t(beta), t(gamma), epsilon)
    close(y, tf.tensor(np.array(expected, np.float32)))


def test_batch_normalization_rank_5_is_not_implemented():
    # (TF.js's batchNormalization takes ranks 2 to 4: NotImplementedError beyond)
    x = tf.ones([1, 1, 1, 1, 2])
    with pytest.raises(NotImplementedError, match="batchNormalization is not implemented for"):
        batch_normalization(x, tf.zeros([2]), tf.ones([2]))


# ================================================================================================
# describeMathCPU('BatchNormalization Layers: Symbolic')
# ================================================================================================
@pytest.mark.parametrize("input_shape", [[4, 6], [2, 3, 4], [2, 3, 4, 5]])
def test_batch_normalization_symbolic_shape(input_shape):
    # TF.js: 'BatchNormalization Layers: Symbolic' > 'shape=${JSON.stringify(inputShape)}'
    x = L.SymbolicTensor("float32", input_shape, None, [], None)
    y = L.batchNormalization({}).apply(x)
    assert y.dtype == x.dtype
    assert list(y.shape) == list(x.shape)


def test_batch_normalization_symbolic_undetermined_dim_axis_leads_to_value_error():
    # TF.js: 'BatchNormalization Layers: Symbolic' > 'Undetermined dim axis leads to ValueError'
    x = L.SymbolicTensor("float32", [None, 2, 3], None, [], None)
    layer = L.batchNormalization({"axis": 0})
    with pytest.raises(
        ValueError, match=r"Axis 0 of input tensor should have a defined dimension.*"
    ):
        layer.apply(x)


def test_batch_normalization_constructor_works_without_arg():
    # TF.js: 'BatchNormalization Layers: Symbolic' > 'batchNormalization constructor works without
    #   arg'
    layer = L.batchNormalization()
    assert layer.getConfig()["axis"] == -1


# ================================================================================================
# describeMathCPUAndWebGL2('BatchNormalization Layers: Tensor')
# ================================================================================================
INFERENCE_XS = {
    2: lambda: tf.tensor2d([[1, 2], [3, 4]], [2, 2]),
    3: lambda: tf.tensor3d([[[1, 2], [3, 4]], [[-1, -2], [-3, -4]]], [2, 2, 2]),
    4: lambda: tf.tensor4d(
        [[[[1, 2], [3, 4]], [[-1, -2], [-3, -4]]], [[[-1, -2], [-3, -4]], [[1, 2], [3, 4]]]],
        [2, 2, 2, 2],
    ),
}


@pytest.mark.parametrize("axis", [0, -1])
@pytest.mark.parametrize("dim", [2, 3, 4])
def test_batch_normalization_tensor_inference(dim, axis):
    # TF.js: 'BatchNormalization Layers: Tensor' > 'Inference, ${dim}D, axis=${axis}'
    layer = L.batchNormalization({"axis": axis})
    x = INFERENCE_XS[dim]()
    y = layer.apply(x, {"training": False})
    close(y, x, 0.01, 0.01)


def test_batch_normalization_tensor_no_center():
    # TF.js: 'BatchNormalization Layers: Tensor' > 'no center'
    layer = L.batchNormalization({"center": False, "axis": 0})
    x = tf.tensor2d([[1, 2], [3, 4]], [2, 2])
    close(layer.apply(x), x, 0.01, 0.01)
    weights = layer.getWeights()
    assert len(weights) == 3
    close(weights[0], tf.onesLike(weights[0]))  # First weight is gamma.
    close(weights[1], tf.zerosLike(weights[1]))  # Second weight is moving mean.
    close(weights[2], tf.onesLike(weights[2]))  # Third weight is moving variance.


def test_batch_normalization_tensor_no_scale():
    # TF.js: 'BatchNormalization Layers: Tensor' > 'no scale'
    layer = L.batchNormalization({"scale": False, "axis": 0})
    x = tf.tensor2d([[1, 2], [3, 4]], [2, 2])
    close(layer.apply(x), x, 0.01, 0.01)
    weights = layer.getWeights()
    assert len(weights) == 3
    close(weights[0], tf.zerosLike(weights[0]))  # First weight is beta.
    close(weights[1], tf.zerosLike(weights[1]))  # Second weight is moving mean.
    close(weights[2], tf.onesLike(weights[2]))  # Third weight is moving variance.


def test_batch_normalization_tensor_no_center_no_scale():
    # TF.js: 'BatchNormalization Layers: Tensor' > 'no center, no scale'
    layer = L.batchNormalization({"scale": False, "center": False})
    x = tf.tensor2d([[1, 2], [3, 4]], [2, 2])
    close(layer.apply(x), x, 0.01, 0.01)
    weights = layer.getWeights()
    assert len(weights) == 2
    close(weights[0], tf.zerosLike(weights[0]))  # First weight is moving mean.
    close(weights[1], tf.onesLike(weights[1]))  # Second weight is moving variance.


def test_batch_normalization_tensor_fit_2d_batch_norm_layer_only():
    # TF.js: 'BatchNormalization Layers: Tensor' > 'Fit: 2D, BatchNorm Layer Only'
    layer1 = L.batchNormalization({"inputShape": [4]})
    model = tf.sequential({"layers": [layer1]})
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    xs1 = tf.tensor2d(X_2D, [3, 4])
    ys = tf.zeros([3, 4])
    history = fit(model, xs1, ys, {"epochs": 2, "batchSize": 3})
    to_close(history.history["loss"][0], 0.9998891353607178)
    to_close(history.history["loss"][1], 0.9899163246154785)
    weights = layer1.getWeights()
    close(weights[0], [0.9900254, 0.9900257, 0.9900262, 0.9900271])  # gamma
    close(weights[1], [2.9802322e-10, 1.4901161e-10, 9.1269614e-10, -7.4505802e-10])  # beta
    close(weights[2], [0.09949999, 0.11276666, 0.12603334, 0.13929999])  # moving mean
    close(weights[3], [1.4709667, 1.2763889, 1.1437222, 1.0729666])  # moving variance


def test_batch_normalization_tensor_fit_2d_between_two_dense_layers():
    # TF.js: 'BatchNormalization Layers: Tensor' > 'Fit: 2D, BatchNorm Layer between two Dense
    #   Layers'
    layer1 = L.dense({"units": 4, "kernelInitializer": "ones", "useBias": False, "inputShape": [4]})
    layer2 = L.batchNormalization({"inputShape": [4]})
    layer3 = L.dense({"units": 1, "kernelInitializer": "ones", "useBias": False})
    model = tf.sequential({"layers": [layer1, layer2, layer3]})
    optimizer = tf.train.sgd(0.1)
    model.compile({"loss": "meanSquaredError", "optimizer": optimizer})
    xs1 = tf.tensor2d(X_2D, [3, 4])
    ys = tf.zeros([3, 1])
    history = fit(model, xs1, ys, {"epochs": 3, "batchSize": 3})
    to_close(history.history["loss"][0], 15.999907493591309)
    to_close(history.history["loss"][1], 0.025602197274565697)
    to_close(history.history["loss"][2], 0.022478966042399406)
    close(
        layer1.getWeights()[0],
        tf.tensor2d(
            [
                [0.99999833] * 4,
                [0.9999987] * 4,
                [0.999999] * 4,
                [0.99999934] * 4,
            ],
            [4, 4],
        ),
    )
    weights2 = layer2.getWeights()
    close(weights2[0], [0.18779878] * 4)  # gamma
    close(weights2[1], [5.5367128e-08] * 4)  # beta
    close(weights2[2], [0.7128234] * 4)  # moving mean
    close(weights2[3], [6.276868] * 4)  # moving variance
    close(layer3.getWeights()[0], tf.tensor2d([[0.18779878]] * 4, [4, 1]))


@pytest.mark.parametrize("factory", ["conv2d", "conv2dTranspose"])
def test_batch_normalization_tensor_fit_with_conv_layers_is_not_in_lstmkit(factory):
    # TF.js: 'BatchNormalization Layers: Tensor' > 'Fit: Wtih conv2d layer' and 'Fit: Wtih
    #   conv2dTranspose layer' (skipped: the 2-D convolutions are not in lstmkit; it says so)
    with pytest.raises(Exception, match=factory):
        getattr(L, factory)({"filters": 4, "kernelSize": 2, "inputShape": [5, 5, 1]})


def test_batch_normalization_tensor_fit_3d_batch_norm_layer_only():
    # TF.js: 'BatchNormalization Layers: Tensor' > 'Fit: 3D, BatchNorm Layer Only'
    layer1 = L.batchNormalization({"inputShape": [2, 2]})
    model = tf.sequential({"layers": [layer1]})
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    xs1 = tf.tensor3d(X_3D, [3, 2, 2])
    ys = tf.zeros([3, 2, 2])
    history = fit(model, xs1, ys, {"epochs": 2, "batchSize": 3})
    to_close(history.history["loss"][0], 0.9999215006828308)
    to_close(history.history["loss"][1], 0.980024516582489)
    weights = layer1.getWeights()
    close(weights[0], [0.98010117, 0.98010194])  # gamma
    close(weights[1], [-1.1175870e-09, 8.1956386e-10])  # beta
    close(weights[2], [0.11276666, 0.12603334])  # moving mean
    close(weights[3], [1.3161889, 1.1835222], 1e-5, 1e-5)  # moving variance


# ================================================================================================
# describeMathCPUAndGPU('LayerNormalization Layer: Symbolic')
# ================================================================================================
def test_layer_normalization_symbolic_invalid_axis_value_leads_to_constructor_error():
    # TF.js: 'LayerNormalization Layer: Symbolic' > 'Invalid axis value leads to constructor error'
    with pytest.raises(Exception, match=r"Expected axis to be an integer"):
        L.layerNormalization({"axis": "foo"})
    with pytest.raises(Exception, match=r"Expected axis to be an integer"):
        L.layerNormalization({"axis": 1.2})
    with pytest.raises(Exception, match=r"Expected axis to be an array of integers"):
        L.layerNormalization({"axis": [1, 1.5]})


def test_layer_normalization_symbolic_serialization_round_trip():
    # TF.js: 'LayerNormalization Layer: Symbolic' > 'Serialization round trip'
    layer = L.layerNormalization({"axis": [-2, -1], "center": True, "scale": False})
    pythonic_config = ts_to_pythonic(layer.getConfig())
    ts_config = pythonic_to_ts(pythonic_config)
    layer_prime = L.layerNormalization(ts_config)
    assert layer_prime.getConfig() == layer.getConfig()


DENSE_BN_DENSE_JSON = (
    '{"class_name": "Sequential", "config": {"name": "sequential", "layers": [{"class_name": '
    '"Dense", "config": {"name": "dense", "trainable": true, "batch_input_shape": [null, 5], '
    '"dtype": "float32", "units": 10, "activation": "linear", "use_bias": true, '
    '"kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, '
    '"bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, '
    '"bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, '
    '"bias_constraint": null}}, {"class_name": "BatchNormalization", "config": {"name": '
    '"batch_normalization", "trainable": true, "dtype": "float32", "axis": [1], "momentum": '
    '0.99, "epsilon": 0.001, "center": true, "scale": true, "beta_initializer": {"class_name": '
    '"Zeros", "config": {}}, "gamma_initializer": {"class_name": "Ones", "config": {}}, '
    '"moving_mean_initializer": {"class_name": "Zeros", "config": {}}, '
    '"moving_variance_initializer": {"class_name": "Ones", "config": {}}, "beta_regularizer": '
    'null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null}}, '
    '{"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "dtype": '
    '"float32", "units": 1, "activation": "sigmoid", "use_bias": true, "kernel_initializer": '
    '{"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": '
    '{"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": '
    'null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}]}, '
    '"keras_version": "2.2.4-tf", "backend": "tensorflow"}'
)


def test_layer_normalization_symbolic_deserialize_model_with_batch_norm_layer():
    # TF.js: 'LayerNormalization Layer: Symbolic' > 'Deserialize model with BatchNorm Layer'
    import json

    model = tf.models.modelFromJSON(json.loads(DENSE_BN_DENSE_JSON))
    if hasattr(model, "__await__"):

        async def wait():
            return await model

        model = asyncio.run(wait())
    ys = model.predict(tf.zeros([3, 5]))
    assert list(ys.shape) == [3, 1]
    assert len(model.layers[1].getWeights()) == 4


# ================================================================================================
# describeMathCPUAndGPU('LayerNormalization Layer: Tensor')
# ================================================================================================
LN_2D = [[-1.2238274, 0, 1.2238274], [-0.8626572, -0.5391607, 1.401818]]
XS_3D = [1, 2, 3, 6, 5, 4, 3, 6, 24, -10, 0, 5]


def test_layer_normalization_tensor_forward_2d_input_default_axis():
    # TF.js: 'LayerNormalization Layer: Tensor' > 'Forward, 2D input, default axis'
    layer = L.layerNormalization()
    xs = tf.tensor2d([[1, 2, 3], [3, 6, 24]])
    close(layer.apply(xs), tf.tensor2d(LN_2D))


def test_layer_normalization_tensor_forward_no_memory_leak():
    # TF.js: 'LayerNormalization Layer: Tensor' > 'Forward: no memory leak'
    layer = L.layerNormalization()
    xs = tf.tensor2d([[1, 2, 3], [3, 6, 24]])
    tf.dispose(layer.apply(xs))  # Warm up.
    num_tensors0 = num_tensors()
    tf.dispose(layer.apply(xs))
    assert num_tensors() == num_tensors0


def test_layer_normalization_tensor_forward_configuration_change():
    # TF.js: 'LayerNormalization Layer: Tensor' > 'Forward: configuration change'
    layer = L.layerNormalization({"scale": False, "center": False})
    xs = tf.tensor2d([[1, 2, 3], [3, 6, 24]])
    tf.dispose(layer.apply(xs))  # Warm up.
    num_tensors0 = num_tensors()
    ys = layer.apply(xs, {"scale": True, "center": True})
    close(ys, tf.tensor2d(LN_2D))  # the options change nothing
    assert layer.getWeights() == []
    tf.dispose(ys)
    del ys  # (lstmkit counts a disposed Tensor until Python lets it go)
    assert num_tensors() == num_tensors0


def test_layer_normalization_tensor_forward_3d_input_default_axis():
    # TF.js: 'LayerNormalization Layer: Tensor' > 'Forward, 3D input, default axis'
    layer = L.layerNormalization()
    xs = tf.tensor3d(XS_3D, [2, 2, 3])
    close(
        layer.apply(xs),
        tf.tensor3d(
            [
                [[-1.2238274, 0, 1.2238274], [1.2238274, 0, -1.2238274]],
                [[-0.8626572, -0.5391607, 1.401818], [-1.3362889, 0.26725778, 1.0690311]],
            ]
        ),
    )


@pytest.mark.parametrize("non_default_axis", [[1, 2], [-2, -1]], ids=["1,2", "-2,-1"])
def test_layer_normalization_tensor_forward_3d_input_non_default_axis(non_default_axis):
    # TF.js: 'LayerNormalization Layer: Tensor' > 'Forward, 3D input, non-default axis:
    #   ${nonDefaultAxis}'
    layer = L.layerNormalization({"axis": non_default_axis})
    xs = tf.tensor3d(XS_3D, [2, 2, 3])
    close(
        layer.apply(xs),
        tf.tensor3d(
            [
                [[-1.4635992, -0.8781595, -0.29271984], [1.4635992, 0.8781595, 0.29271984]],
                [[-0.1645762, 0.13166097, 1.909084], [-1.4482707, -0.46081337, 0.03291526]],
            ]
        ),
    )


def test_layer_normalization_tensor_duplicate_items_in_axis_leads_to_constructor_error():
    # TF.js: 'LayerNormalization Layer: Tensor' > 'Duplicate items in axis leads to constructor
    #   error'
    layer = L.layerNormalization({"axis": [-2, -1, -1]})
    xs = tf.tensor3d(XS_3D, [2, 2, 3])
    with pytest.raises(Exception, match=r"duplicate axes"):
        layer.apply(xs)


def _expect_arrays_close(actual, expected):
    """tfjs-core's `test_util.expectArraysClose` (float32 tolerance 1e-3)."""
    np.testing.assert_allclose(np.asarray(actual, np.float64), expected, rtol=1e-3, atol=1e-3)


def test_layer_normalization_tensor_training_2d_default_axis():
    # TF.js: 'LayerNormalization Layer: Tensor' > 'Training: 2D: default axis'
    model = tf.sequential()
    model.add(L.layerNormalization({"inputShape": [3]}))
    model.add(L.dense({"units": 1, "kernelInitializer": "ones"}))
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    xs = tf.tensor2d([[1, 2, 3], [3, 6, 24], [10, 5, 0]])
    ys = tf.tensor2d([[0], [-1], [2]])
    history = fit(model, xs, ys, {"epochs": 5})
    _expect_arrays_close(
        history.history["loss"],
        [
            1.6666666269302368,
            1.4296358823776245,
            1.2372404336929321,
            1.0793765783309937,
            0.9486551880836487,
        ],
    )


def test_layer_normalization_tensor_training_2d_as_intermediate_layer_default_axis():
    # TF.js: 'LayerNormalization Layer: Tensor' > 'Training: 2D: as intermediate layer: default
    #   axis'
    model = tf.sequential()
    model.add(L.dense({"units": 10, "kernelInitializer": "ones", "inputShape": [3]}))
    model.add(L.layerNormalization())
    model.add(L.dense({"units": 1, "kernelInitializer": "ones"}))
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    xs = tf.tensor2d([[1, 2, 3], [3, 6, 24], [10, 5, 0], [2, 7, 8]])
    ys = tf.tensor2d([[0], [-1], [2], [3]])
    history = fit(model, xs, ys, {"epochs": 5})
    _expect_arrays_close(
        history.history["loss"],
        [3.5, 3.1083502769470215, 2.8706729412078857, 2.7243311405181885, 2.6366190910339355],
    )


def test_layer_normalization_tensor_training_no_memory_leak():
    # TF.js: 'LayerNormalization Layer: Tensor' > 'Training: no memory leak'
    model = tf.sequential()
    model.add(L.layerNormalization({"inputShape": [3]}))
    model.add(L.dense({"units": 1, "kernelInitializer": "ones"}))
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    xs = tf.tensor2d([[1, 2, 3], [3, 6, 24], [10, 5, 0], [2, 7, 8]])
    ys = tf.tensor2d([[0], [-1], [2], [3]])
    fit(model, xs, ys, {"epochs": 1, "verbose": 0})  # Warm up.
    num_tensors0 = num_tensors()
    fit(model, xs, ys, {"epochs": 1, "verbose": 0})
    assert num_tensors() == num_tensors0


@pytest.mark.parametrize(
    "options, losses",
    [
        (
            {},
            [0.5, 0.33119967579841614, 0.23371894657611847, 0.171361044049263, 0.12831644713878632],
        ),
        (
            {"axis": [-2, -1]},
            [0.5, 0.3337608873844147, 0.23789873719215393, 0.17923809587955475, 0.1408553570508957],
        ),
    ],
    ids=["Training: 3D: default axis", "Training: 3D: non-default axis"],
)
def test_layer_normalization_tensor_training_3d(options, losses):
    # TF.js: 'LayerNormalization Layer: Tensor' > 'Training: 3D: default axis'
    # TF.js: 'LayerNormalization Layer: Tensor' > 'Training: 3D: non-default axis'
    model = tf.sequential()
    model.add(L.layerNormalization({"inputShape": [2, 3], **options}))
    model.add(L.flatten())
    model.add(L.dense({"units": 1, "kernelInitializer": "ones"}))
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    xs = tf.tensor3d([[[1, 2, 3], [3, 6, 24]], [[10, 5, 0], [2, 7, 8]]])
    ys = tf.tensor2d([[0], [-1]])
    history = fit(model, xs, ys, {"epochs": 5})
    _expect_arrays_close(history.history["loss"], losses)


def test_layer_normalization_tensor_forward_with_masking():
    # TF.js: 'LayerNormalization Layer: Tensor' > 'Forward, with masking'
    model = tf.sequential()
    embedding_layer = L.embedding(
        {
            "inputDim": 4,
            "outputDim": 3,
            "inputLength": 4,
            "maskZero": True,
            "embeddingsInitializer": "ones",
        }
    )
    model.add(embedding_layer)
    model.add(L.layerNormalization())
    xs = tf.tensor2d([[0, 0, 0, 0], [1, 0, 0, 0], [1, 2, 0, 0], [1, 2, 3, 0]])
    model.predict(xs)  # Make sure the embedding layer is built first.
    embedding_layer.setWeights([tf.tensor2d([[1, 2, 3], [3, 2, 1], [2, 3, 1], [3, 1, 2]])])
    ys = model.predict(xs)
    a, b = [-1.2238274, 0, 1.2238274], [1.2238274, 0, -1.2238274]
    c, d = [0, 1.2238274, -1.2238274], [1.2238274, -1.2238274, 0]
    close(ys, tf.tensor3d([[a, a, a, a], [b, a, a, a], [b, c, a, a], [b, c, d, a]]))


# ================================================================================================
# Not in TF.js's file: what its tests lean on, checked against TF.js 4.22 run in Node
# ================================================================================================
def test_batch_normalization_axis_1_uses_each_features_statistics():
    # TF.js 4.22 (CPU) gives the same moving statistics; its outputs read the statistics
    # cyclically along the last axis (README: where lstmkit differs on purpose)
    x = tf.tensor3d([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [1, 0, 2]]])
    layer = L.batchNormalization({"axis": 1, "momentum": 0.5})
    y = layer.apply(x, {"training": True})
    xd = x.numpy()
    mean, var = xd.mean(axis=(0, 2), keepdims=True), xd.var(axis=(0, 2), keepdims=True)
    close(y, (xd - mean) / np.sqrt(var + 1e-3), 1e-5, 1e-5)
    weights = layer.getWeights()
    close(weights[2], [2.5, 1.5], 1e-6, 1e-6)  # TF.js's moving mean
    close(weights[3], [5.333333492279053, 2.8333332538604736], 1e-6, 1e-6)  # moving variance
    y_inference = layer.apply(x)
    moving = [w.numpy().reshape(1, 2, 1) for w in weights[2:]]
    close(y_inference, (xd - moving[0]) / np.sqrt(moving[1] + 1e-3), 1e-5, 1e-5)


def test_batch_normalization_axis_as_a_one_item_list():
    # Keras 2.2's JSON writes BatchNormalization's axis as [1]; TF.js takes it (JavaScript reads
    # [1] as 1) and keeps it in its config
    layer = L.batchNormalization({"axis": [1]})
    x = tf.tensor2d([[1, 2], [3, 4]])
    close(layer.apply(x), x, 0.01, 0.01)
    assert layer.getConfig()["axis"] == [1]
    assert [list(w.shape) for w in layer.getWeights()] == [[2]] * 4
    with pytest.raises(ValueError, match="axis must be an integer"):
        L.batchNormalization({"axis": [1, 2]})
