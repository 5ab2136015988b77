"""TF.js's own convolution and pooling tests, ported: tfjs-layers 4.22
`src/layers/convolutional_test.ts` (its Conv1D parts and the shared `conv1d`/`conv1dWithBias`
helpers) and `src/layers/pooling_test.ts` (1-D and global 1-D pooling).

Each test names its TF.js `describe(...)` block and `it(...)` title in a comment (`# TF.js:
'<describe>' > '<it>'`; parametrized titles in the ids); expected numbers and error phrases are
TF.js's. `close()` is TF.js's `expectTensorsClose` (1e-3). TF.js's `undefined` option is ported
as the option left out (or None where TF.js passes it in a dict).

Skipped, with the reason:

- convolutional_test.ts 'conv2d', 'conv2dWithBiasActivation', 'Conv2D Layers: Symbolic',
  'Conv2D Layer: Tensor', 'conv3d', 'Conv3D Layers: Symbolic', 'Conv3D Layer: Tensor',
  'Conv2DTranspose: Symbolic/Tensor', 'Conv3DTranspose: Symbolic/Tensor', 'SeparableConv2D
  Layers: Symbolic', 'SeparableConv2D Layer: Tensor' (GPU-only besides), 'Cropping2D Layer',
  'UpSampling2D Layer: Symbolic', 'UpSampling2D Layer': 2-D/3-D convolution and image layers,
  which lstmkit deliberately does not have (README "Not in lstmkit", `unavailable.py`).
- pooling_test.ts 'pool2d', 'pool3d', 'Pooling Layers 2D: Symbolic/Tensor', 'Pooling Layers 3D:
  Symbolic/Tensor', '2D Global pooling Layers: Symbolic/Tensor': 2-D/3-D pooling, likewise.
"""

from __future__ import annotations

import pytest
from test_tfjs_recurrent_suite import close, symbolic

import lstmkit as tf
from lstmkit.layers.convolutional import conv1d, conv1dWithBias, conv_output_length

L = tf.layers


# ================================================================================================
# describeMathCPUAndGPU('conv1dWithBias')
# ================================================================================================
@pytest.mark.parametrize("padding_mode", [None, "same", "valid"])
@pytest.mark.parametrize("data_format", [None, "channelsFirst", "channelsLast"])
@pytest.mark.parametrize("out_channels", [1, 2])
def test_conv1d_with_bias(out_channels, data_format, padding_mode):
    # TF.js: 'conv1dWithBias' > 'outChannels=${outChannels}, stride=1, ${paddingMode},
    # ${dataFormat}'
    stride = 1
    x = tf.tensor3d([10, 20, 40, 80], [1, 4, 1])
    if data_format == "channelsFirst":
        x = tf.transpose(x, [0, 2, 1])  # NWC -> NCW
    kernel_data, bias_data = [], []
    for i in range(out_channels):
        kernel_data += [1, -1]
        bias_data += [2.2 + i]
    kernel = tf.transpose(tf.tensor3d(kernel_data, [1, out_channels, 2]), [2, 0, 1])
    bias = tf.tensor1d(bias_data)
    if padding_mode is None:
        y = conv1dWithBias(x, kernel, bias, stride, data_format=data_format)
    else:
        y = conv1dWithBias(x, kernel, bias, stride, padding_mode, data_format)
    if padding_mode in ("valid", None):
        if out_channels == 1:
            shape, data = [1, 3, 1], [-7.8, -17.8, -37.8]
        else:
            shape, data = [1, 3, 2], [-7.8, -6.8, -17.8, -16.8, -37.8, -36.8]
    elif out_channels == 1:
        shape, data = [1, 4, 1], [-7.8, -17.8, -37.8, 82.2]
    else:
        shape, data = [1, 4, 2], [-7.8, -6.8, -17.8, -16.8, -37.8, -36.8, 82.2, 83.2]
    close(y, tf.tensor3d(data, shape))


# ================================================================================================
# describeMathCPUAndGPU('conv1d')
# ================================================================================================
@pytest.mark.parametrize(
    "stride, dilation_rate, expectation",
    [(2, 1, [-10, -10, -40, -40]), (1, 2, [-30, -30, -60, -60])],
)
def test_conv1d(stride, dilation_rate, expectation):
    # TF.js: 'conv1d' > 'outChannels=2, stride=${stride}, valid, dilationRate=${dilationRate},
    # channelsLast'
    x = tf.tensor3d([10, 20, 40, 80], [1, 4, 1])
    kernel = tf.transpose(tf.tensor3d([1, -1, 1, -1], [1, 2, 2]), [2, 0, 1])
    y = conv1d(x, kernel, stride, "valid", "channelsLast", dilation_rate)
    close(y, tf.tensor3d(expectation, [1, 2, 2]))


# ================================================================================================
# describeMathCPU('Conv1D Layers: Symbolic')
# ================================================================================================
@pytest.mark.parametrize("strides", [None, 1])
@pytest.mark.parametrize("padding", [None, "valid", "same"])
@pytest.mark.parametrize("filters", [1, 4])
def test_conv1d_layers_symbolic(filters, padding, strides):
    # TF.js: 'Conv1D Layers: Symbolic' > 'filters=${filters}, padding=${padding},
    # strides=${strides}'
    symbolic_input = symbolic([2, 8, 3])
    layer = L.conv1d(
        {
            "filters": filters,
            "kernelSize": 2,
            "strides": strides,
            "padding": padding,
            "dataFormat": "channelsLast",
        }
    )
    output = layer.apply(symbolic_input)
    expected = [2, 8 if padding == "same" else 7, filters]
    assert list(output.shape) == expected
    assert output.dtype == symbolic_input.dtype


def test_conv1d_layers_symbolic_bad_kernel_size_shape_throws():
    # TF.js: 'Conv1D Layers: Symbolic' > 'bad config.kernelSize shape throws exception'
    with pytest.raises(ValueError, match=r"kernelSize.*1"):
        L.conv1d({"filters": 1, "kernelSize": [1, 1]})


# ================================================================================================
# describeMathCPUAndGPU('Conv1D Layer: Tensor')
# ================================================================================================
@pytest.mark.parametrize("activation", ["linear", "relu"])
@pytest.mark.parametrize("strides", [1, 2])
def test_conv1d_layer_tensor(strides, activation):
    # TF.js: 'Conv1D Layer: Tensor' > 'useBias=true, biasInitializer=ones,
    # activation=${activation}; strides=${strides}'
    x = tf.tensor3d([10, -30, -50, 70], [1, 4, 1])
    layer = L.conv1d(
        {
            "filters": 1,
            "kernelSize": 2,
            "strides": strides,
            "dataFormat": "channelsLast",
            "useBias": True,
            "kernelInitializer": "ones",
            "biasInitializer": "ones",
            "activation": activation,
        }
    )
    y = layer.apply(x)
    if strides == 1:
        shape, data = [1, 3, 1], [-19, -79, 21]
    else:
        shape, data = [1, 2, 1], [-19, 21]
    if activation == "relu":
        data = [v if v > 0 else 0 for v in data]
    close(y, tf.tensor3d(data, shape))


@pytest.mark.parametrize("dilation_rate", [2, [2]], ids=["2", "[2]"])
def test_conv1d_layer_tensor_dilation_rate(dilation_rate):
    # TF.js: 'Conv1D Layer: Tensor' > 'dilationRate = ${dilationRate}'
    x = tf.tensor3d(
        [
            0.0024236,
            0.54829558,
            0.47628448,
            0.2971449,
            0.7984293,
            0.71802861,
            0.53109141,
            0.85882819,
        ],
        [1, 8, 1],
    )
    layer = L.conv1d(
        {
            "filters": 1,
            "kernelSize": 2,
            "strides": 1,
            "useBias": True,
            "kernelInitializer": "ones",
            "biasInitializer": "ones",
            "dilationRate": dilation_rate,
        }
    )
    y = layer.apply(x)
    expected = tf.tensor3d(
        [1.478708, 1.8454404, 2.2747138, 2.0151734, 2.3295207, 2.5768569], [1, 6, 1]
    )
    close(y, expected)


def test_conv1d_layer_tensor_missing_kernel_size_throws():
    # TF.js: 'Conv1D Layer: Tensor' > 'missing config.kernelSize throws exception'
    with pytest.raises(ValueError, match=r"required key 'kernelSize' not in config"):
        L.conv1d({"filters": 1})


def test_conv1d_layer_tensor_bad_kernel_size_throws():
    # TF.js: 'Conv1D Layer: Tensor' > 'bad config.kernelSize throws exception'
    with pytest.raises(
        ValueError, match=r"kernelSize argument must be an integer or tuple of 1 integers"
    ):
        L.conv1d({"filters": 1, "kernelSize": [1, 1, 1]})


def test_conv1d_layer_tensor_missing_filters_throws():
    # TF.js: 'Conv1D Layer: Tensor' > 'missing config.filters throws exception'
    with pytest.raises(ValueError, match=r"filters to be a 'number' > 0"):
        L.conv1d({"kernelSize": 1})


def test_conv1d_layer_tensor_bad_filters_throws():
    # TF.js: 'Conv1D Layer: Tensor' > 'bad config.filters throws exception'
    with pytest.raises(ValueError, match=r"filters to be a 'number' > 0"):
        L.conv1d({"kernelSize": 1, "filters": 0})


# ================================================================================================
# describe('Pooling Layers 1D: Symbolic')
# ================================================================================================
@pytest.mark.parametrize("strides", [None, 1, 2])
@pytest.mark.parametrize("pool_size", [2, 3])
@pytest.mark.parametrize("padding_mode", [None, "valid", "same"])
@pytest.mark.parametrize("pool_mode", ["avg", "max"])
def test_pooling_layers_1d_symbolic(pool_mode, padding_mode, pool_size, strides):
    # TF.js: 'Pooling Layers 1D: Symbolic' > 'poolSize=${poolSize}, ${paddingMode}, ${poolMode}'
    input_length, channels, batch = 16, 11, 2
    symbolic_input = symbolic([batch, input_length, channels])
    factory = L.averagePooling1d if pool_mode == "avg" else L.maxPooling1d
    layer = factory({"poolSize": pool_size, "strides": strides, "padding": padding_mode})
    output = layer.apply(symbolic_input)
    # TF.js's convOutputLength (an undefined padding mode counts as not 'same')
    expected_length = conv_output_length(
        input_length, pool_size, padding_mode or "valid", strides if strides else pool_size
    )
    assert list(output.shape) == [batch, expected_length, channels]
    assert output.dtype == symbolic_input.dtype


# ================================================================================================
# describeMathCPUAndGPU('Pooling Layers 1D: Tensor')
# ================================================================================================
POOL_1D_EXPECTED = {
    (2, 2, "avg"): [[[20], [60], [30], [70]], [[-20], [-60], [-30], [-70]]],
    (2, 2, "max"): [[[30], [70], [40], [80]], [[-10], [-50], [-20], [-60]]],
    (2, 4, "avg"): [[[20], [30]], [[-20], [-30]]],
    (2, 4, "max"): [[[30], [40]], [[-10], [-20]]],
    (4, 2, "avg"): [[[40], [45], [50]], [[-40], [-45], [-50]]],
    (4, 2, "max"): [[[70], [70], [80]], [[-10], [-20], [-20]]],
    (4, 4, "avg"): [[[40], [50]], [[-40], [-50]]],
    (4, 4, "max"): [[[70], [80]], [[-10], [-20]]],
}


@pytest.mark.parametrize("pool_size", [2, 4])
@pytest.mark.parametrize("stride", [2, 4])
@pytest.mark.parametrize("pool_mode", ["avg", "max"])
def test_pooling_layers_1d_tensor(pool_mode, stride, pool_size):
    # TF.js: 'Pooling Layers 1D: Tensor' > 'stride=${stride}, ${poolMode}, poolSize=${poolSize}'
    x2by8 = tf.tensor2d(
        [[10, 30, 50, 70, 20, 40, 60, 80], [-10, -30, -50, -70, -20, -40, -60, -80]]
    )
    x2by8by1 = tf.expandDims(x2by8, 2)
    factory = L.averagePooling1d if pool_mode == "avg" else L.maxPooling1d
    layer = factory({"poolSize": pool_size, "strides": stride, "padding": "valid"})
    output = layer.apply(x2by8by1)
    expected = POOL_1D_EXPECTED[(pool_size, stride, pool_mode)]
    close(output, tf.tensor3d(expected, [2, len(expected[0]), 1]))


def test_pooling_layers_1d_tensor_pool_size_and_strides_as_number_arrays():
    # TF.js: 'Pooling Layers 1D: Tensor' > 'Handles poolSize and strides passed as number arrays'
    model = tf.sequential()
    model.add(L.maxPool1d({"poolSize": [2], "strides": [2], "inputShape": [4, 3]}))
    xs = tf.ones([1, 4, 3])
    ys = model.predict(xs)
    close(ys.reshape([-1]), tf.tensor1d([1, 1, 1, 1, 1, 1]))
    assert list(ys.shape) == [1, 2, 3]
    config = model.layers[0].getConfig()
    assert config["poolSize"] == [2]
    assert config["strides"] == [2]


# ================================================================================================
# describe('1D Global pooling Layers: Symbolic')
# ================================================================================================
GLOBAL_1D = [L.globalAveragePooling1d, L.globalMaxPooling1d]


@pytest.mark.parametrize("has_args", [True, False])
@pytest.mark.parametrize("factory", GLOBAL_1D, ids=lambda f: f.__name__)
def test_global_pooling_1d_symbolic(factory, has_args):
    # TF.js: '1D Global pooling Layers: Symbolic' > 'layer=${name}; hasArgs=${hasArgs}'
    symbolic_input = symbolic([2, 11, 9])
    layer = factory({}) if has_args else factory()
    output = layer.apply(symbolic_input)
    assert list(output.shape) == [2, 9]
    assert output.dtype == symbolic_input.dtype


def test_global_pooling_1d_symbolic_invalid_pool_size():
    # TF.js: '1D Global pooling Layers: Symbolic' > 'Invalid poolSize'
    with pytest.raises(ValueError, match=r"poolSize.*positive integer.*2\.5"):
        L.avgPooling1d({"poolSize": 2.5})
    with pytest.raises(ValueError, match=r"poolSize.*positive integer.*0\.$"):
        L.avgPooling1d({"poolSize": 0})
    with pytest.raises(ValueError, match=r"poolSize.*positive integer.*-3\.$"):
        L.avgPooling1d({"poolSize": -3})


def test_global_pooling_1d_symbolic_invalid_strides():
    # TF.js: '1D Global pooling Layers: Symbolic' > 'Invalid strides leads to Error'
    with pytest.raises(ValueError, match=r"strides.*positive integer.*4\.5\.$"):
        L.avgPooling1d({"poolSize": 3, "strides": 4.5})


# ================================================================================================
# describeMathCPUAndGPU('1D Global Pooling Layers: Tensor')
# ================================================================================================
@pytest.mark.parametrize(
    "factory, expected",
    [
        (L.globalAveragePooling1d, [[11, -8.25], [-11, 8.25]]),
        (L.globalMaxPooling1d, [[40, -1], [0, 20]]),
    ],
    ids=["globalAveragePooling1d", "globalMaxPooling1d"],
)
def test_global_pooling_1d_tensor(factory, expected):
    # TF.js: '1D Global Pooling Layers: Tensor' > 'globalPoolingLayer=${name}'
    x = tf.tensor3d(
        [[[4, -1], [0, -2], [40, -10], [0, -20]], [[-4, 1], [0, 2], [-40, 10], [0, 20]]], [2, 4, 2]
    )
    output = factory({}).apply(x)
    close(output, tf.tensor2d(expected, [2, 2]))
