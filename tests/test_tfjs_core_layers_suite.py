"""TF.js's own core-layer tests, ported: tfjs-layers 4.22 `src/layers/core_test.ts` (Dropout,
SpatialDropout1D, Dense, Flatten, Activation, RepeatVector, Reshape, Permute, Masking),
`embeddings_test.ts` (Embedding), `noise_test.ts` (GaussianNoise, GaussianDropout,
AlphaDropout) and the 1-D part of `padding_test.ts` (`temporalPadding`).

Each test names its TF.js `describe(...)` block and `it(...)` title in a comment (`# TF.js:
'<describe>' > '<it>'`) or, for TF.js's generated titles, in its parameter ids; the expected
numbers and error phrases are TF.js's. `close()` is TF.js's `expectTensorsClose` (1e-3),
`to_close()` Jasmine's `toBeCloseTo` (2 digits). The serialization round trips go through the
port of TF.js's `convertTsToPythonic` / `convertPythonicToTs` (`ts_to_pythonic`,
`pythonic_to_ts`); lstmkit's `getConfig()` answers the Python-side form (camelCase keys read
too), so an expected TS-form string value is put through `ts_to_pythonic`.

Seeded dropout masks are TF.js's bit for bit (seedrandom's alea, as `tf.randomUniform` with a
seed), so 'tensor with seed' > 'get specific value.' and SpatialDropout1D's seeded forward pass
compare TF.js's literal masks.

Skipped, with the reason:

- padding_test.ts 'spatial2dPadding' (2 tests), 'ZeroPadding2D: Symbolic' (16 tests) and
  'ZeroPadding2D: Tensor' (4 tests): 2-D padding is an image layer lstmkit deliberately does
  not have (README "Not in lstmkit"; `tf.layers.zeroPadding2d` raises NotInLstmkitError, which
  `test_zero_padding_2d_is_not_in_lstmkit` checks).
- No test of these four files checks memory counts or GPU/WebGL-only behaviour; the
  describeMathCPUAndWebGL2 'Masking Layer: Tensor' block is ported (it runs on the CPU too).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_tfjs_recurrent_suite import close, pythonic_to_ts, symbolic, to_close, ts_to_pythonic

import lstmkit as tf
from lstmkit.layers.padding import temporal_padding, temporalPadding

L = tf.layers


def round_trip(factory, layer):
    """TF.js's serialization round trip: getConfig -> pythonic -> TS -> the factory."""
    return factory(pythonic_to_ts(ts_to_pythonic(layer.getConfig())))


def shape_of(t):
    return [d for d in t.shape]


def assert_symbolic_output(output, layer, symbolic_input):
    """TF.js's `output.sourceLayer` is the layer, `output.inputs` is `[symbolicInput]`."""
    assert output.sourceLayer is layer
    assert output.inputs == [symbolic_input]


# ================================================================================================
# core_test.ts
# ================================================================================================
SYMBOLIC_SHAPES_3 = [[10, 4], [12, 10, 4], [None, 4]]


# describe('Dropout Layer: Symbolic')
@pytest.mark.parametrize("shape", SYMBOLIC_SHAPES_3, ids=str)
@pytest.mark.parametrize("rate", [0, 0.5], ids=lambda r: f"dropoutRate={r}")
def test_dropout_symbolic(rate, shape):
    # TF.js: 'Dropout Layer: Symbolic' > 'dropoutRate=${rate}; input shape=${shape}'
    symbolic_input = symbolic(shape)
    dropout_layer = L.dropout({"rate": rate})
    output = dropout_layer.apply(symbolic_input)
    assert output.dtype == symbolic_input.dtype
    assert shape_of(output) == shape_of(symbolic_input)
    assert_symbolic_output(output, dropout_layer, symbolic_input)


# describeMathCPUAndGPU('Dropout Layer') > describe('tensor')
DROPOUT_INPUT_SHAPE = [2, 3, 4]
DROPOUT_NOISE_SHAPES = [None, DROPOUT_INPUT_SHAPE, [2, 3, 1]]


@pytest.mark.parametrize(
    "noise_index", [0, 1, 2], ids=lambda i: f"noiseShape={DROPOUT_NOISE_SHAPES[i]}"
)
@pytest.mark.parametrize("rate", [0, 0.5], ids=lambda r: f"dropoutRate={r}")
@pytest.mark.parametrize("training", [False, True], ids=lambda t: f"training={t}")
def test_dropout_tensor(training, rate, noise_index):
    # TF.js: 'Dropout Layer' > 'tensor' >
    #        'training=${training}, dropoutRate=${rate}, noiseShape=${noiseShape}'
    noise_shape = DROPOUT_NOISE_SHAPES[noise_index]
    x = tf.ones(DROPOUT_INPUT_SHAPE)
    dropout_layer = L.dropout({"rate": rate, "noiseShape": noise_shape, "seed": 0})
    y = dropout_layer.apply(x, {"training": training})
    assert x.dtype == y.dtype
    assert shape_of(x) == shape_of(y)
    x_value = x.dataSync()
    y_value = y.dataSync()
    n_kept = 0
    s0, s1, s2 = x.shape
    if noise_index == 2:  # customized noiseShape
        for i in range(s0):
            for j in range(s1):
                masked_value = y_value[i * s1 * s2 + j * s2]
                for k in range(s2):
                    index = i * s1 * s2 + j * s2 + k
                    if training:
                        if masked_value == 0:
                            assert y_value[index] == 0
                        else:
                            n_kept += 1
                            to_close(y_value[index], 1 / (1 - rate))
                    else:
                        n_kept += 1
                        assert y_value[index] == 1
    else:  # default noiseShape
        for i in range(len(x_value)):
            if y_value[i] != 0:
                n_kept += 1
                to_close(y_value[i], 1 / (1 - rate) if training else 1)
    numel = math.prod(x.shape)  # K.countParams(x)
    if rate == 0 or not training:
        assert n_kept == numel
    else:
        assert n_kept < numel


def test_dropout_tensor_with_seed_get_specific_value():
    # TF.js: 'Dropout Layer' > 'tensor with seed' > 'get specific value.'
    x = tf.ones([2, 3, 4])
    dropout_layer = L.dropout({"rate": 0.5, "noiseShape": [2, 3, 4], "seed": 23})
    y = dropout_layer.apply(x, {"training": True})
    y_values_expected = [0, 2, 2, 2, 0, 0, 2, 2, 0, 0, 2, 2, 2, 0, 0, 0, 2, 0, 2, 0, 2, 2, 2, 0]
    close(y, tf.tensor3d(y_values_expected, [2, 3, 4]))


# describeMathCPUAndGPU('SpatialDropout1D Layer')
@pytest.mark.parametrize("rate", [0.5, 0], ids=lambda r: f"rate={r}")
@pytest.mark.parametrize("training", [False, True], ids=lambda t: f"training={t}")
def test_spatial_dropout_1d_forward(training, rate):
    # TF.js: 'SpatialDropout1D Layer' > 'Forward: rate=${rate}; training=${training}'
    layer = L.spatialDropout1d({"rate": rate, "seed": 1337})
    xs = tf.ones([2, 3, 4])
    ys = layer.apply(xs, {"training": training})
    if not training or rate == 0:
        close(ys, xs)
    else:
        close(
            ys,
            tf.tensor3d(
                [
                    [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
                    [[0, 2, 0, 0], [0, 2, 0, 0], [0, 2, 0, 0]],
                ]
            ),
        )


def test_spatial_dropout_1d_incorrect_input_shape_symbolic():
    # TF.js: 'SpatialDropout1D Layer' > 'Incorrect input shape: Symbolic'
    layer = L.spatialDropout1d({"rate": 0.5})
    x = L.SymbolicTensor("float32", [1, 2, 3, 4], None, [], None)
    with pytest.raises(ValueError, match=r".*expected ndim=3.*found ndim=4.*"):
        layer.apply(x)


def test_spatial_dropout_1d_incorrect_input_shape_concrete_tensor():
    # TF.js: 'SpatialDropout1D Layer' > 'Incorrect input shape: Concrete Tensor'
    layer = L.spatialDropout1d({"rate": 0.5})
    x = tf.ones([1, 2, 3, 4])
    with pytest.raises(ValueError, match=r".*expected ndim=3.*found ndim=4.*"):
        layer.apply(x)


def test_spatial_dropout_1d_serialization_round_trip():
    # TF.js: 'SpatialDropout1D Layer' > 'Serialization round trip'
    layer = L.spatialDropout1d({"rate": 0.3, "seed": 1337})
    layer_prime = round_trip(L.spatialDropout1d, layer)
    assert layer_prime.getConfig()["rate"] == 0.3
    assert layer_prime.getConfig()["seed"] == 1337


# describeMathCPU('Dense Layer: Symbolic')
DENSE_SYMBOLIC_SHAPES = [
    [10, 4],
    [12, 10, 4],
    [14, 12, 10, 4],
    [None, 4],
    [None, 10, 4],
    [None, 12, 10, 4],
]


@pytest.mark.parametrize("shape", DENSE_SYMBOLIC_SHAPES, ids=lambda s: f"input shape={s}")
@pytest.mark.parametrize(
    "activation", [None, "linear", "relu", "softmax"], ids=lambda a: f"activation={a}"
)
def test_dense_symbolic_generates_correct_symbolic_output(activation, shape):
    # TF.js: 'Dense Layer: Symbolic' > 'Generates correct symbolic output: activation=...,
    #        input shape=...'
    units = 3
    symbolic_input = symbolic(shape)
    dense_layer = L.dense({"units": units, "activation": activation})
    output = dense_layer.apply(symbolic_input)
    expected_shape = list(shape)
    expected_shape[-1] = units
    assert shape_of(output) == expected_shape
    assert_symbolic_output(output, dense_layer, symbolic_input)


def test_dense_symbolic_2d_cascade_with_undetermined_dimension():
    # TF.js: 'Dense Layer: Symbolic' > '2D cascade: With undetermined dimension'
    input1 = symbolic([None, 4])
    dense_layer1 = L.dense({"units": 3})
    output1 = dense_layer1.apply(input1)
    dense_layer2 = L.dense({"units": 6})
    output2 = dense_layer2.apply(output1)
    assert shape_of(output1) == [None, 3]
    assert_symbolic_output(output1, dense_layer1, input1)
    assert shape_of(output2) == [None, 6]
    assert_symbolic_output(output2, dense_layer2, output1)


def test_dense_symbolic_using_1d_input_leads_to_error():
    # TF.js: 'Dense Layer: Symbolic' > 'Using 1D input leads to error'
    dense_layer = L.dense({"units": 3})
    with pytest.raises(ValueError):
        dense_layer.apply(symbolic([4]))


def test_dense_symbolic_different_rank_but_compatible_shape_works():
    # TF.js: 'Dense Layer: Symbolic' > 'Different rank but compatible shape works'
    dense_layer = L.dense({"units": 3})
    input1 = symbolic([None, 4])
    input2 = symbolic([None, 6, 4])
    output1 = dense_layer.apply(input1)
    assert shape_of(output1) == [None, 3]
    assert_symbolic_output(output1, dense_layer, input1)
    output2 = dense_layer.apply(input2)
    assert shape_of(output2) == [None, 6, 3]
    assert_symbolic_output(output2, dense_layer, input2)


def test_dense_symbolic_2d_incompatible_shape_leads_to_error():
    # TF.js: 'Dense Layer: Symbolic' > '2D incompatible shape leads to error'
    dense_layer = L.dense({"units": 3})
    input1 = symbolic([None, 4])
    input2 = symbolic([None, 5])
    output1 = dense_layer.apply(input1)
    assert shape_of(output1) == [None, 3]
    assert_symbolic_output(output1, dense_layer, input1)
    with pytest.raises(ValueError, match=r"incompatible with layer .* axis -1"):
        dense_layer.apply(input2)


def test_dense_symbolic_invalid_kernel_initializer():
    # TF.js: 'Dense Layer: Symbolic' > 'Invalid kernelInitializer'
    with pytest.raises(ValueError, match=r"Unknown initializer"):
        L.dense({"units": 4, "kernelInitializer": "invalid_initializer!"})


def test_dense_symbolic_invalid_activation():
    # TF.js: 'Dense Layer: Symbolic' > 'Invalid activation'
    with pytest.raises(ValueError, match=r"Unknown activation"):
        L.dense({"units": 4, "activation": "invalid_activation!"})


def test_dense_symbolic_invalid_units_leads_to_error():
    # TF.js: 'Dense Layer: Symbolic' > 'Invalid units leads to Error'
    with pytest.raises(ValueError, match=r"units.*positive integer.*10\.9\.$"):
        L.dense({"units": 10.9})
    with pytest.raises(ValueError, match=r"units.*positive integer.*0\.5\.$"):
        L.dense({"units": 0.5})
    with pytest.raises(ValueError, match=r"units.*positive integer.*0\.$"):
        L.dense({"units": 0})
    with pytest.raises(ValueError, match=r"units.*positive integer.*-2\.$"):
        L.dense({"units": -2})
    with pytest.raises(ValueError, match=r"units.*positive integer.*\"2\"\.$"):
        L.dense({"units": "2"})
    with pytest.raises(ValueError, match=r"units is unexpectedly an empty array\."):
        L.dense({"units": []})


# describeMathCPUAndGPU('Dense Layer: Tensor')
@pytest.mark.parametrize("input_last_dim", [5, 8], ids=lambda d: f"inputLastDim={d}")
@pytest.mark.parametrize(
    "activation", [None, "linear", "relu", "softmax"], ids=lambda a: f"activation={a}"
)
@pytest.mark.parametrize("bias_initializer", ["zeros", "ones"], ids=lambda b: f"biasInit={b}")
@pytest.mark.parametrize("use_bias", [None, False, True], ids=lambda u: f"useBias={u}")
def test_dense_tensor_call_once(use_bias, bias_initializer, activation, input_last_dim):
    # TF.js: 'Dense Layer: Tensor' > 'Call once: useBias=..., biasInitializer=...,
    #        activation=..., inputLastDim=...'
    units = 6
    x = tf.ones([2, input_last_dim])
    dense_layer = L.dense(
        {
            "units": units,
            "useBias": use_bias,
            "biasInitializer": bias_initializer,
            "activation": activation,
            "kernelInitializer": "ones",
        }
    )
    if activation == "softmax":
        expected_element_value = 1 / units
    else:
        expected_element_value = x.shape[-1]
        if use_bias is not False and bias_initializer == "ones":
            expected_element_value += 1
    expected_shape = [2, units]
    expected_output = tf.tensor2d(
        [expected_element_value] * math.prod(expected_shape), expected_shape
    )
    close(dense_layer.apply(x, None), expected_output)


def test_dense_tensor_calling_apply_again_with_incompatible_shape_leads_to_error():
    # TF.js: 'Dense Layer: Tensor' > 'Calling apply again with incompatible shape leads to error'
    input1 = tf.ones([2, 2])  # First call.
    input2 = tf.ones([3, 2])  # Okay.
    input3 = tf.ones([3, 3])  # Leads to error.
    dense_layer = L.dense({"units": 4, "kernelInitializer": "ones"})
    close(dense_layer.apply(input1), tf.tensor2d([2] * 8, [2, 4]))
    close(dense_layer.apply(input2), tf.tensor2d([2] * 12, [3, 4]))
    with pytest.raises(ValueError):
        dense_layer.apply(input3)


def test_dense_tensor_calling_apply_with_compatible_symbolic_input_after_tensor_input_works():
    # TF.js: 'Dense Layer: Tensor' >
    #        'Calling apply with compatible symbolic input after Tensor input works'
    concrete_input = tf.ones([2, 2])
    symbolic_input = symbolic([2, 2])
    dense_layer = L.dense({"units": 4, "kernelInitializer": "ones"})
    close(dense_layer.apply(concrete_input), tf.tensor2d([2] * 8, [2, 4]))
    symbolic_output = dense_layer.apply(symbolic_input)
    assert shape_of(symbolic_output) == [2, 4]
    assert_symbolic_output(symbolic_output, dense_layer, symbolic_input)


def test_dense_tensor_calling_apply_with_incompatible_symbolic_input_after_tensor():
    # TF.js: 'Dense Layer: Tensor' > 'Calling apply with incompatible symbolic input after Tensor'
    concrete_input = tf.ones([2, 2])
    symbolic_input = symbolic([2, 3])
    dense_layer = L.dense({"units": 4, "kernelInitializer": "ones"})
    close(dense_layer.apply(concrete_input), tf.tensor2d([2] * 8, [2, 4]))
    with pytest.raises(ValueError, match=r"incompatible with layer .* axis -1"):
        dense_layer.apply(symbolic_input)


# describe('Flatten Layer: Symbolic')
FLATTEN_SYMBOLIC_SHAPES = [[12, 10, 4], [14, 12, 10, 4], [None, 10, 4], [None, 12, 10, 4]]


@pytest.mark.parametrize("shape", FLATTEN_SYMBOLIC_SHAPES, ids=lambda s: f"input shape={s}")
@pytest.mark.parametrize(
    "constructor",
    ["no-arg constructor", "empty one-arg constructor"],
)
def test_flatten_symbolic_generates_correct_symbolic_output(constructor, shape):
    # TF.js: 'Flatten Layer: Symbolic' > 'Generates correct symbolic output: no-arg
    #        constructor: ...' and '... empty one-arg constructor: ...'
    symbolic_input = symbolic(shape)
    flatten_layer = L.flatten() if constructor == "no-arg constructor" else L.flatten({})
    output = flatten_layer.apply(symbolic_input)
    assert shape_of(output) == [shape[0], math.prod(shape[1:])]
    assert_symbolic_output(output, flatten_layer, symbolic_input)


def test_flatten_symbolic_2d_symbolic_tensor_leads_to_error():
    # TF.js: 'Flatten Layer: Symbolic' > '2D tfl.SymbolicTensor leads to error'
    flatten_layer = L.flatten()
    with pytest.raises(ValueError):
        flatten_layer.apply(symbolic([None, 4]))


def test_flatten_symbolic_3d_with_undetermined_input_size_leads_to_error():
    # TF.js: 'Flatten Layer: Symbolic' > '3D with undetermined input size leads to error'
    flatten_layer = L.flatten({})
    with pytest.raises(ValueError, match=r"not fully defined"):
        flatten_layer.apply(symbolic([8, 4, None]))


def test_flatten_symbolic_serialization_round_trip():
    # TF.js: 'Flatten Layer: Symbolic' > 'Serialization round trip'
    layer = L.flatten({"dataFormat": "channelsFirst"})
    layer_prime = round_trip(L.flatten, layer)
    assert layer_prime.getConfig()["dataFormat"] == "channelsFirst"


# describeMathCPUAndGPU('Flatten Layer: Tensor')
X4D = [
    [[[10, 20], [30, 40]], [[-10, -20], [-30, -40]]],
    [[[1, 2], [3, 4]], [[-1, -2], [-3, -4]]],
]


def test_flatten_tensor_attempt_to_apply_on_tensor2d_leads_to_error():
    # TF.js: 'Flatten Layer: Tensor' > 'Attempt to apply on Tensor2D leads to error'
    flatten_layer = L.flatten()
    with pytest.raises(ValueError):
        flatten_layer.apply(tf.tensor2d([[1, 3], [3, 3]], [2, 2]))


def test_flatten_tensor_flattens_tensor3d():
    # TF.js: 'Flatten Layer: Tensor' > 'Flattens Tensor3D'
    flatten_layer = L.flatten()
    x = tf.tensor3d([[[10, 20], [30, 40]], [[-10, -20], [-30, -40]]], [2, 2, 2])
    expected = tf.tensor2d([[10, 20, 30, 40], [-10, -20, -30, -40]], [2, 4])
    close(flatten_layer.apply(x, None), expected)


def test_flatten_tensor_flattens_tensor4d():
    # TF.js: 'Flatten Layer: Tensor' > 'Flattens Tensor4D'
    flatten_layer = L.flatten()
    x = tf.tensor4d(X4D, [2, 2, 2, 2])
    expected = tf.tensor2d([10, 20, 30, 40, -10, -20, -30, -40, 1, 2, 3, 4, -1, -2, -3, -4], [2, 8])
    close(flatten_layer.apply(x, None), expected)


def test_flatten_tensor_flattens_tensor4d_channel_first():
    # TF.js: 'Flatten Layer: Tensor' > 'Flattens Tensor4D, channelFirst'
    flatten_layer = L.flatten({"dataFormat": "channelsFirst"})
    x = tf.tensor4d(X4D, [2, 2, 2, 2])
    expected = tf.tensor2d([10, -10, 20, -20, 30, -30, 40, -40, 1, -1, 2, -2, 3, -3, 4, -4], [2, 8])
    close(flatten_layer.apply(x, None), expected)


# describeMathCPUAndGPU('Activation Layer: Tensor')
def test_activation_tensor_linear():
    # TF.js: 'Activation Layer: Tensor' > 'linear'
    x = tf.mul(tf.scalar(10), tf.ones([1]))
    layer = L.activation({"activation": "linear"})
    close(layer.apply(x), x)


def test_activation_tensor_relu():
    # TF.js: 'Activation Layer: Tensor' > 'relu'
    x = tf.mul(tf.scalar(-5), tf.ones([1]))
    layer = L.activation({"activation": "relu"})
    close(layer.apply(x), tf.zeros([1]))


def test_activation_tensor_sigmoid():
    # TF.js: 'Activation Layer: Tensor' > 'sigmoid'
    val = 10
    x = tf.mul(tf.scalar(val), tf.ones([1]))
    expected = tf.mul(tf.scalar(1 / (1 + math.exp(-1 * val))), tf.ones([1]))
    layer = L.activation({"activation": "sigmoid"})
    close(layer.apply(x), expected)


def test_activation_tensor_softmax():
    # TF.js: 'Activation Layer: Tensor' > 'softmax'
    x = tf.mul(tf.scalar(10), tf.ones([1]))
    layer = L.activation({"activation": "softmax"})
    close(layer.apply(x), tf.ones([1]))


def test_activation_tensor_serialization_round_trip():
    # TF.js: 'Activation Layer: Tensor' > 'Serialization round trip'
    layer = L.activation({"activation": "relu"})
    layer_prime = round_trip(L.activation, layer)
    assert layer_prime.getConfig()["activation"] == "relu"


# describe('RepeatVector Layer: Symbolic')
def test_repeat_vector_symbolic_all_dimensions_known():
    # TF.js: 'RepeatVector Layer: Symbolic' > 'All dimensions known.'
    symbolic_input = symbolic([3, 4])
    repeat_vector_layer = L.repeatVector({"n": 2})
    output = repeat_vector_layer.apply(symbolic_input)
    assert shape_of(output) == [3, 2, 4]
    assert_symbolic_output(output, repeat_vector_layer, symbolic_input)


# describeMathCPUAndGPU('RepeatVector Layer: Tensor')
def test_repeat_vector_tensor_with_2d_tensor():
    # TF.js: 'RepeatVector Layer: Tensor' > 'With 2D tensor'
    repeat_vector_layer = L.repeatVector({"n": 3})
    x = tf.tensor2d([[10, 20], [30, 40]], [2, 2])
    expected = tf.tensor3d(
        [[[10, 20], [10, 20], [10, 20]], [[30, 40], [30, 40], [30, 40]]], [2, 3, 2]
    )
    close(repeat_vector_layer.apply(x, None), expected)


# describe('Reshape Layer: Symbolic')
def test_reshape_symbolic_all_dimensions_known():
    # TF.js: 'Reshape Layer: Symbolic' > 'All dimensions known.'
    symbolic_input = symbolic([12, 10, 4])
    layer = L.reshape({"targetShape": [5, 8]})
    output = layer.apply(symbolic_input)
    assert shape_of(output) == [12, 5, 8]
    assert_symbolic_output(output, layer, symbolic_input)


def test_reshape_symbolic_one_unknown_dimension():
    # TF.js: 'Reshape Layer: Symbolic' > 'One unknown dimension.'
    symbolic_input = symbolic([12, 10, 4])
    layer = L.reshape({"targetShape": [5, None]})
    output = layer.apply(symbolic_input)
    assert shape_of(output) == [12, 5, 8]
    assert_symbolic_output(output, layer, symbolic_input)


def test_reshape_symbolic_incompatible_size():
    # TF.js: 'Reshape Layer: Symbolic' > 'Incompatible size.'
    layer = L.reshape({"targetShape": [8, 8]})
    with pytest.raises(ValueError, match=r"Total size of new array must be unchanged"):
        layer.apply(symbolic([12, 10, 4]))


def test_reshape_symbolic_two_unknown_dimensions():
    # TF.js: 'Reshape Layer: Symbolic' > 'Two unknown dimensions.'
    layer = L.reshape({"targetShape": [None, None]})
    with pytest.raises(ValueError, match=r"Can only specifiy one unknown dimension"):
        layer.apply(symbolic([12, 10, 4]))


def test_reshape_symbolic_one_unknown_with_indivisible_size():
    # TF.js: 'Reshape Layer: Symbolic' > 'One unknown with indivisible size.'
    layer = L.reshape({"targetShape": [7, None]})
    with pytest.raises(ValueError, match=r"Total size of new array must be unchanged"):
        layer.apply(symbolic([12, 10, 4]))


def test_reshape_symbolic_serialization_round_trip():
    # TF.js: 'Reshape Layer: Symbolic' > 'Serialization round-trip'
    layer = L.reshape({"targetShape": [2, 3]})
    layer_prime = round_trip(L.reshape, layer)
    assert layer_prime.getConfig()["targetShape"] == [2, 3]


# describeMathCPUAndGPU('Reshape Layer: Tensor')
X3D = [[[10, 20], [30, 40]], [[-10, -20], [-30, -40]]]
X2D = [[10, 20, 30, 40, 50, 60], [-10, -20, -30, -40, -50, -60]]


def test_reshape_tensor_3d_to_3d_all_dimensions_known():
    # TF.js: 'Reshape Layer: Tensor' > 'Reshape Tensor3D to Tensor3D: All dimensions known'
    layer = L.reshape({"targetShape": [4, 1]})
    expected = tf.tensor3d([10, 20, 30, 40, -10, -20, -30, -40], [2, 4, 1])
    close(layer.apply(tf.tensor3d(X3D, [2, 2, 2]), None), expected)


def test_reshape_tensor_3d_to_2d_all_dimensions_known():
    # TF.js: 'Reshape Layer: Tensor' > 'Reshape Tensor3D to Tensor2D: All dimensions known'
    layer = L.reshape({"targetShape": [4]})
    expected = tf.tensor2d([10, 20, 30, 40, -10, -20, -30, -40], [2, 4])
    close(layer.apply(tf.tensor3d(X3D, [2, 2, 2]), None), expected)


def test_reshape_tensor_2d_to_3d_all_dimensions_known():
    # TF.js: 'Reshape Layer: Tensor' > 'Reshape Tensor2D to Tensor3D: All dimensions known'
    layer = L.reshape({"targetShape": [3, 2]})
    expected = tf.tensor3d([10, 20, 30, 40, 50, 60, -10, -20, -30, -40, -50, -60], [2, 3, 2])
    close(layer.apply(tf.tensor2d(X2D, [2, 6]), None), expected)


@pytest.mark.parametrize("unknown_dim", [-1, None], ids=lambda d: f"unknown as {d}")
def test_reshape_tensor_2d_to_3d_last_dimension_unknown(unknown_dim):
    # TF.js: 'Reshape Layer: Tensor' >
    #        'Reshape Tensor2D to Tensor3D: Last dimension unknown as ${unknownDim}'
    layer = L.reshape({"targetShape": [3, unknown_dim]})
    expected = tf.tensor3d([10, 20, 30, 40, 50, 60, -10, -20, -30, -40, -50, -60], [2, 3, 2])
    close(layer.apply(tf.tensor2d(X2D, [2, 6]), None), expected)


@pytest.mark.parametrize("unknown_dim", [-1, None], ids=lambda d: f"unknown as {d}")
def test_reshape_tensor_2d_to_3d_first_dimension_unknown(unknown_dim):
    # TF.js: 'Reshape Layer: Tensor' >
    #        'Reshape Tensor2D to Tensor3D: First dimension unknown as ${unknownDim}'
    layer = L.reshape({"targetShape": [unknown_dim, 3]})
    expected = tf.tensor3d([10, 20, 30, 40, 50, 60, -10, -20, -30, -40, -50, -60], [2, 2, 3])
    close(layer.apply(tf.tensor2d(X2D, [2, 6]), None), expected)


def test_reshape_tensor_known_but_incompatible_dimensions():
    # TF.js: 'Reshape Layer: Tensor' > 'Known but incompatible dimensions'
    layer = L.reshape({"targetShape": [3, 3]})
    with pytest.raises(ValueError, match=r"Total size of new array must be unchanged"):
        layer.apply(tf.tensor3d(X3D, [2, 2, 2]), None)


def test_reshape_tensor_unknown_and_incompatible_dimensions():
    # TF.js: 'Reshape Layer: Tensor' > 'Unknown and incompatible dimensions'
    layer = L.reshape({"targetShape": [3, None]})
    with pytest.raises(ValueError, match=r"Total size of new array must be unchanged"):
        layer.apply(tf.tensor3d(X3D, [2, 2, 2]), None)


def test_reshape_tensor_more_than_one_unknown_dimension():
    # TF.js: 'Reshape Layer: Tensor' > 'More than one unknown dimension.'
    layer = L.reshape({"targetShape": [None, None]})
    with pytest.raises(ValueError, match=r"Can only specifiy one unknown dimension"):
        layer.apply(tf.tensor3d(X3D, [2, 2, 2]), None)


# describe('Permute Layer: Symbolic')
@pytest.mark.parametrize(
    "title, shape, dims, expected",
    [
        ("1D Trivial", [None, 4], [1], [None, 4]),
        ("2D", [None, 4, 6], [2, 1], [None, 6, 4]),
        ("3D", [None, 4, 6, 8], [3, 1, 2], [None, 8, 4, 6]),
    ],
)
def test_permute_symbolic(title, shape, dims, expected):
    # TF.js: 'Permute Layer: Symbolic' > '1D Trivial' / '2D' / '3D'
    symbolic_input = symbolic(shape)
    permute_layer = L.permute({"dims": dims})
    output = permute_layer.apply(symbolic_input)
    assert shape_of(output) == expected
    assert_symbolic_output(output, permute_layer, symbolic_input)


def test_permute_symbolic_missing_dims_config_leads_to_error():
    # TF.js: 'Permute Layer: Symbolic' > 'Missing dims config leads to Error'
    with pytest.raises(ValueError, match=r"dims.* missing"):
        L.permute({})


def test_permute_symbolic_non_array_dims_config_leads_to_error():
    # TF.js: 'Permute Layer: Symbolic' > 'Non-Array dims config leads to Error'
    with pytest.raises(ValueError, match=r"requires.*dims.* to be an Array"):
        L.permute({"dims": 1})


@pytest.mark.parametrize(
    "title, dims",
    [
        ("Non-consecutive dims values leads to Error", [1, 3]),
        ("Repeating dims values leads to Error", [1, 1, 3]),
        ("Dims values containing 0 leads to Error", [0, 1, 2]),
    ],
)
def test_permute_symbolic_invalid_permutation(title, dims):
    # TF.js: 'Permute Layer: Symbolic' > the three invalid-dims titles
    with pytest.raises(ValueError, match=r"Invalid permutation .*dims"):
        L.permute({"dims": dims})


def test_permute_symbolic_serialization_round_trip():
    # TF.js: 'Permute Layer: Symbolic' > 'Serialization round-trip'
    layer = L.permute({"dims": [1, 3, 2]})
    layer_prime = round_trip(L.permute, layer)
    assert layer_prime.getConfig()["dims"] == [1, 3, 2]


# describe('Masking Layer: Symbolic')
def test_masking_symbolic_compute_output_shape():
    # TF.js: 'Masking Layer: Symbolic' > 'computeOutputShape'
    layer = L.masking()
    assert list(layer.computeOutputShape([None, 4, 6])) == [None, 4, 6]


def test_masking_symbolic_serialization_round_trip():
    # TF.js: 'Masking Layer: Symbolic' > 'Serialization round-trip'
    layer = L.masking({"maskValue": -3})
    layer_prime = round_trip(L.masking, layer)
    assert layer_prime.getConfig()["maskValue"] == -3


# describeMathCPUAndGPU('Permute Layer: Tensor')
def test_permute_tensor_2d():
    # TF.js: 'Permute Layer: Tensor' > '2D'
    permute_layer = L.permute({"dims": [2, 1]})
    x = tf.tensor3d(X3D, [2, 2, 2])
    expected = tf.tensor3d([[[10, 30], [20, 40]], [[-10, -30], [-20, -40]]], [2, 2, 2])
    close(permute_layer.apply(x), expected)


# describeMathCPUAndWebGL2('Masking Layer: Tensor')
def test_masking_tensor_3d_default_mask_value():
    # TF.js: 'Masking Layer: Tensor' > '3D, default maskValue'
    model = tf.sequential()
    model.add(L.masking({"inputShape": [3, 2]}))
    model.add(
        L.simpleRNN({"units": 1, "recurrentInitializer": "ones", "kernelInitializer": "ones"})
    )
    ys = model.predict(tf.tensor3d([[[1, 1], [1, 0], [0, 0]]]))
    close(ys, tf.tensor2d([[0.961396]]))


def test_masking_tensor_3d_custom_mask_value():
    # TF.js: 'Masking Layer: Tensor' > '3D, custom maskValue'
    model = tf.sequential()
    model.add(L.masking({"maskValue": -1, "inputShape": [3, 2]}))
    model.add(
        L.simpleRNN({"units": 1, "recurrentInitializer": "ones", "kernelInitializer": "ones"})
    )
    ys = model.predict(tf.tensor3d([[[1, 1], [1, -1], [-1, -1]]]))
    close(ys, tf.tensor2d([[0.746068]]))


# ================================================================================================
# embeddings_test.ts
# ================================================================================================
def expect_arrays_close(actual, expected):
    """tfjs-core's `test_util.expectArraysClose` (float32 tolerance 1e-3): raises when not."""
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=1e-3, atol=1e-3)


# describeMathCPU('Embedding Layers: Symbolic 1D, 2D & 3D')
@pytest.mark.parametrize("output_dim", [1, 7, 47], ids=lambda d: f"outputDim={d}")
@pytest.mark.parametrize("input_shape", [[1], [5], [1, 20], [2, 3, 4]], ids=str)
def test_embedding_symbolic(input_shape, output_dim):
    # TF.js: 'Embedding Layers: Symbolic 1D, 2D & 3D' > 'inputShape=..., outputDim=...'
    batch_dim = 17
    embedding_layer = L.embedding({"inputDim": 100, "outputDim": output_dim})
    symbolic_input = symbolic([batch_dim, *input_shape])
    output = embedding_layer.apply(symbolic_input)
    assert shape_of(output) == [batch_dim, *input_shape, output_dim]


def test_embedding_symbolic_invalid_input_dim_leads_to_error():
    # TF.js: 'Embedding Layers: Symbolic 1D, 2D & 3D' > 'Invalid inputDim leads to Error'
    with pytest.raises(ValueError, match=r"inputDim.*positive integer.*12\.5\.$"):
        L.embedding({"inputDim": 12.5, "outputDim": 4})
    with pytest.raises(ValueError, match=r"inputDim.*positive integer.*0\.$"):
        L.embedding({"inputDim": 0, "outputDim": 4})
    with pytest.raises(ValueError, match=r"inputDim.*positive integer.*-123\.$"):
        L.embedding({"inputDim": -123, "outputDim": 4})


def test_embedding_symbolic_invalid_output_dim_leads_to_error():
    # TF.js: 'Embedding Layers: Symbolic 1D, 2D & 3D' > 'Invalid outputDim leads to Error'
    with pytest.raises(ValueError, match=r"outputDim.*positive integer.*16\.5\.$"):
        L.embedding({"inputDim": 8, "outputDim": 16.5})
    with pytest.raises(ValueError, match=r"outputDim.*positive integer.*0\.$"):
        L.embedding({"inputDim": 8, "outputDim": 0})
    with pytest.raises(ValueError, match=r"outputDim.*positive integer.*-32\.$"):
        L.embedding({"inputDim": 8, "outputDim": -32})


# describeMathCPU('Embedding Layers: With explicit inputLength')
@pytest.mark.parametrize(
    "input_length",
    [[None, 4, 5], [None, None, 5], [None, None, None]],
    ids=lambda n: f"inputLength={n}",
)
def test_embedding_with_explicit_input_length(input_length):
    # TF.js: 'Embedding Layers: With explicit inputLength' > 'inputLength=${inputLength}'
    batch_dim, output_dim = 17, 7
    embedding_layer = L.embedding(
        {"inputDim": 100, "outputDim": output_dim, "inputLength": input_length}
    )
    symbolic_input = symbolic([batch_dim, None, 4, 5])
    output = embedding_layer.apply(symbolic_input)
    assert shape_of(output) == [batch_dim, None, 4, 5, output_dim]
    assert output.dtype == symbolic_input.dtype


# describeMathCPU('Embedding Layers: Tensor')
def test_embedding_tensor_check_value_equality():
    # TF.js: 'Embedding Layers: Tensor' > 'check value equality'
    x = tf.tensor3d([0, 5, 1, 1, 1, 1, 1, 1], [1, 2, 4])
    embedding_layer = L.embedding(
        {"inputDim": 6, "outputDim": 3, "embeddingsInitializer": "randomUniform"}
    )
    y = embedding_layer.apply(x)
    y_expected_shape = [1, 2, 4, 3]
    assert shape_of(y) == y_expected_shape
    weights = embedding_layer.getWeights()[0]
    assert list(embedding_layer.computeOutputShape(x.shape)) == y_expected_shape
    # Collect embedded output elements.
    y_data0 = y.slice([0, 0, 0, 0], [1, 1, 1, 3]).dataSync()
    y_data1 = y.slice([0, 0, 1, 0], [1, 1, 1, 3]).dataSync()
    y_data2 = y.slice([0, 0, 2, 0], [1, 1, 1, 3]).dataSync()
    y_data3 = y.slice([0, 0, 3, 0], [1, 1, 1, 3]).dataSync()
    # Collect sample embedding rows.
    w_data0 = weights.slice([0, 0], [1, 3]).dataSync()
    w_data1 = weights.slice([1, 0], [1, 3]).dataSync()
    w_data5 = weights.slice([5, 0], [1, 3]).dataSync()
    # First output should match first embedding row.
    expect_arrays_close(y_data0, w_data0)
    # First output should *not* match second embedding row
    with pytest.raises(AssertionError):
        expect_arrays_close(y_data0, w_data1)
    # Second output should match 6th embedding row.
    expect_arrays_close(y_data1, w_data5)
    # Second output should *not* match first embedding row.
    with pytest.raises(AssertionError):
        expect_arrays_close(y_data1, w_data0)
    # Third output should match fourth output (same embedding index);
    expect_arrays_close(y_data2, y_data3)


@pytest.mark.parametrize("dtype", ["int32", "float32"])
def test_embedding_tensor_works_with_dtype_input(dtype):
    # TF.js: 'Embedding Layers: Tensor' > "Works with '${dtype}' dtype input"
    x = tf.tensor2d([[0], [0], [1]], [3, 1], dtype)
    embedding_layer = L.embedding(
        {"inputDim": 6, "outputDim": 4, "embeddingsInitializer": "randomUniform"}
    )
    y = embedding_layer.apply(x)
    # Collect embedded output elements.
    y_data0 = y.slice([0, 0, 0], [1, 1, 3]).dataSync()
    y_data1 = y.slice([1, 0, 0], [1, 1, 3]).dataSync()
    y_data2 = y.slice([2, 0, 0], [1, 1, 3]).dataSync()
    # First output should match second output.
    expect_arrays_close(y_data0, y_data1)
    # First output should not match third output.
    with pytest.raises(AssertionError):
        expect_arrays_close(y_data0, y_data2)


@pytest.mark.parametrize("dtype", ["int32", "float32"])
def test_embedding_tensor_compute_mask_mask_zero_false(dtype):
    # TF.js: 'Embedding Layers: Tensor' > 'computeMask: maskZero = false' (per dtype)
    embedding_layer = L.embedding(
        {
            "inputDim": 6,
            "outputDim": 4,
            "embeddingsInitializer": "randomUniform",
            "maskZero": False,
        }
    )
    x = tf.tensor2d([[0], [0], [2]], [3, 1], dtype)
    assert embedding_layer.computeMask(x) is None


@pytest.mark.parametrize("dtype", ["int32", "float32"])
def test_embedding_tensor_compute_mask_mask_zero_true(dtype):
    # TF.js: 'Embedding Layers: Tensor' > 'computeMask: maskZero = true' (per dtype)
    embedding_layer = L.embedding(
        {
            "inputDim": 6,
            "outputDim": 4,
            "embeddingsInitializer": "randomUniform",
            "maskZero": True,
        }
    )
    x = tf.tensor2d([[0], [0], [2]], [3, 1], dtype)
    y = embedding_layer.computeMask(x)
    expected = tf.tensor2d([[0], [0], [1]], [3, 1], "bool")
    assert y.dtype == "bool"
    close(y, expected)


# ================================================================================================
# noise_test.ts
# ================================================================================================
NOISE_SYMBOLIC_SHAPES = [[10, 4], [12, 10, 4], [None, 4]]


# describeMathCPU('GaussianNoise: Symbolic')
@pytest.mark.parametrize("shape", NOISE_SYMBOLIC_SHAPES, ids=lambda s: f"input shape={s}")
@pytest.mark.parametrize("stddev", [0, 1, 0.5], ids=lambda s: f"std={s}")
def test_gaussian_noise_symbolic(stddev, shape):
    # TF.js: 'GaussianNoise: Symbolic' > 'std=${stddev}; input shape=${shape}'
    symbolic_input = symbolic(shape)
    layer = L.gaussianNoise({"stddev": stddev})
    output = layer.apply(symbolic_input)
    assert output.dtype == symbolic_input.dtype
    assert shape_of(output) == shape_of(symbolic_input)
    assert_symbolic_output(output, layer, symbolic_input)


# describeMathCPUAndGPU('GaussianNoise: Tensor')
def test_gaussian_noise_tensor_predict():
    # TF.js: 'GaussianNoise: Tensor' > 'GaussianNoise: Predict'
    x = tf.ones([2, 2])
    layer = L.gaussianNoise({"stddev": 1})
    output = layer.apply(x, {"training": False})
    close(x, output)


def test_gaussian_noise_tensor_train():
    # TF.js: 'GaussianNoise: Tensor' > 'GaussianNoise: Train'
    x = tf.ones([2, 2])
    layer = L.gaussianNoise({"stddev": 1})
    output = layer.apply(x, {"training": True})
    diff = output.sub(x).abs().max()
    assert diff.dataSync()[0] > 0
    assert shape_of(output) == shape_of(x)
    assert output.dtype == x.dtype


def test_gaussian_noise_tensor_successive_call():
    # TF.js: 'GaussianNoise: Tensor' > 'GaussianNoise: Successive Call' (TF.js compares
    # outputA with itself: `outputB = getExactlyOneTensor(outputA)`; ported as written)
    layer = L.gaussianNoise({"stddev": 1})
    output_a = layer.apply(tf.ones([2, 2]), {"training": True})
    output_b = layer.apply(tf.ones([2, 2]), {"training": True})
    assert shape_of(output_b) == [2, 2]
    output_b = output_a
    close(output_a, output_b)


# describeMathCPU('GaussianDropout: Symbolic')
@pytest.mark.parametrize("shape", NOISE_SYMBOLIC_SHAPES, ids=lambda s: f"input shape={s}")
@pytest.mark.parametrize("rate", [0, 1, 0.5], ids=lambda r: f"dropoutRate={r}")
def test_gaussian_dropout_symbolic(rate, shape):
    # TF.js: 'GaussianDropout: Symbolic' > 'dropoutRate=${rate}; input shape=${shape}'
    symbolic_input = symbolic(shape)
    layer = L.gaussianDropout({"rate": rate})
    output = layer.apply(symbolic_input)
    assert output.dtype == symbolic_input.dtype
    assert shape_of(output) == shape_of(symbolic_input)
    assert_symbolic_output(output, layer, symbolic_input)


# describeMathCPUAndGPU('GaussianDropout: Tensor')
def test_gaussian_dropout_tensor_predict():
    # TF.js: 'GaussianDropout: Tensor' > 'GaussianDropout: Predict'
    x = tf.ones([1, 2])
    layer = L.gaussianDropout({"rate": 0.5})
    close(x, layer.apply(x, {"training": False}))


def test_gaussian_dropout_tensor_train():
    # TF.js: 'GaussianDropout: Tensor' > 'GaussianDropout: Train'
    x = tf.ones([1, 2])
    layer = L.gaussianDropout({"rate": 0.5})
    output = layer.apply(x, {"training": True})
    diff = output.sub(x).abs().max()
    assert diff.dataSync()[0] > 0
    assert shape_of(output) == shape_of(x)
    assert output.dtype == x.dtype


def test_gaussian_dropout_tensor_successive_call():
    # TF.js: 'GaussianDropout: Tensor' > 'GaussianDropout: Successive Call' (outputA against
    # itself, as TF.js writes it)
    layer = L.gaussianDropout({"rate": 0.5})
    output_a = layer.apply(tf.ones([1, 2]), {"training": True})
    output_b = layer.apply(tf.ones([1, 2]), {"training": True})
    assert shape_of(output_b) == [1, 2]
    output_b = output_a
    close(output_a, output_b)


# describeMathCPU('AlphaDropout: Symbolic')
@pytest.mark.parametrize("shape", NOISE_SYMBOLIC_SHAPES, ids=lambda s: f"input shape={s}")
@pytest.mark.parametrize("rate", [0, 1, 0.5], ids=lambda r: f"dropoutRate={r}")
def test_alpha_dropout_symbolic(rate, shape):
    # TF.js: 'AlphaDropout: Symbolic' > 'dropoutRate=${rate}; input shape=${shape}'
    symbolic_input = symbolic(shape)
    layer = L.alphaDropout({"rate": rate})
    output = layer.apply(symbolic_input)
    assert output.dtype == symbolic_input.dtype
    assert shape_of(output) == shape_of(symbolic_input)
    assert_symbolic_output(output, layer, symbolic_input)


# describeMathCPUAndGPU('AlphaDropout: Tensor')
def test_alpha_dropout_tensor_predict():
    # TF.js: 'AlphaDropout: Tensor' > 'AlphaDropout: Predict'
    x = tf.ones([1, 2])
    layer = L.alphaDropout({"rate": 0.5})
    close(x, layer.apply(x, {"training": False}))


def test_alpha_dropout_tensor_train():
    # TF.js: 'AlphaDropout: Tensor' > 'AlphaDropout: Train'
    x = tf.ones([1, 2])
    layer = L.alphaDropout({"rate": 0.5})
    output = layer.apply(x, {"training": True})
    diff = output.sub(x).abs().max()
    assert diff.dataSync()[0] > 0
    assert shape_of(output) == shape_of(x)
    assert output.dtype == x.dtype


def test_alpha_dropout_tensor_successive_call():
    # TF.js: 'AlphaDropout: Tensor' > 'AlphaDropout: Successive Call' (outputA against itself,
    # as TF.js writes it)
    layer = L.alphaDropout({"rate": 0.5})
    output_a = layer.apply(tf.ones([1, 2]), {"training": True})
    output_b = layer.apply(tf.ones([1, 2]), {"training": True})
    assert shape_of(output_b) == [1, 2]
    output_b = output_a
    close(output_a, output_b)


# ================================================================================================
# padding_test.ts (1-D part)
# ================================================================================================
# describeMathCPUAndGPU('temporalPadding')
def test_temporal_padding_default_padding_1_1():
    # TF.js: 'temporalPadding' > 'default padding 1-1'
    x = tf.tensor3d([[[1, 2], [3, 4]], [[-1, -2], [-3, -4]]])
    y = temporalPadding(x)
    close(
        y,
        tf.tensor3d([[[0, 0], [1, 2], [3, 4], [0, 0]], [[0, 0], [-1, -2], [-3, -4], [0, 0]]]),
    )


def test_temporal_padding_custom_padding_2_2():
    # TF.js: 'temporalPadding' > 'custom padding 2-2'
    x = tf.tensor3d([[[1, 2], [3, 4]], [[-1, -2], [-3, -4]]])
    y = temporal_padding(x, [2, 2])
    close(
        y,
        tf.tensor3d(
            [
                [[0, 0], [0, 0], [1, 2], [3, 4], [0, 0], [0, 0]],
                [[0, 0], [0, 0], [-1, -2], [-3, -4], [0, 0], [0, 0]],
            ]
        ),
    )


def test_temporal_padding_errors_name_tfjs_words():
    # Not a TF.js test: temporalPadding's two checks, with TF.js's messages.
    with pytest.raises(ValueError, match=r"temporalPadding expects input tensor to be 3-D"):
        temporal_padding(tf.ones([2, 2]))
    with pytest.raises(
        ValueError, match=r"temporalPadding expects input padding pattern to be a length-2 array"
    ):
        temporal_padding(tf.ones([1, 2, 2]), [1, 2, 3])


def test_zero_padding_2d_is_not_in_lstmkit():
    # Why 'spatial2dPadding' and 'ZeroPadding2D: *' are skipped: lstmkit refuses the layer.
    with pytest.raises(Exception, match=r"zeroPadding2d"):
        L.zeroPadding2d({"padding": 2})


# ================================================================================================
# Not TF.js tests: the seeded stream behind the seeded dropout masks above
# ================================================================================================
def test_seed_is_read_as_javascripts_string_of_it():
    from lstmkit._random import js_seed_string

    cases = [(23, "23"), (23.0, "23"), (0.5, "0.5"), (1e-5, "0.00001"), (1e-7, "1e-7")]
    for seed, text in [*cases, ("abc", "abc")]:
        assert js_seed_string(seed) == text
    assert js_seed_string(float("nan")) == "NaN"


def test_seeded_tf_dropout_is_the_layers_mask_and_repeats():
    x = tf.ones([2, 3, 4])
    a = tf.dropout(x, 0.5, [2, 3, 4], 23).numpy()
    b = L.dropout({"rate": 0.5, "seed": 23}).apply(x, {"training": True}).numpy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, tf.dropout(x, 0.5, None, 23).numpy())
    assert set(np.unique(a)) <= {0.0, 2.0}
