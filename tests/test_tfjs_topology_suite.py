"""TF.js's own topology tests, ported: tfjs-layers 4.22 `src/engine/input_layer_test.ts`,
`src/engine/topology_test.ts` and `src/engine/container_test.ts` (InputLayer, Input(),
InputSpec, Node, Layer, Layer-dispose, loadWeightsFromNamedTensorMap, Container,
Container.calculateLosses, getSourceInputs, LayersModel-dispose).

Each test names its TF.js `describe(...)` block and `it(...)` title in a comment (`# TF.js:
'<describe>' > '<it>'`); expected values and error phrases are TF.js's. `close()` is TF.js's
`expectTensorsClose` (1e-3). TF.js's `console.warn` is a Python `UserWarning` here.

Skipped (not ported), with the reason:
- every `expect(memory().numTensors)...` line of the Layer-dispose and LayersModel-dispose
  tests: lstmkit frees by reference counting, so TF.js's tensor counts cannot hold (the rest
  of each of those tests, refcounts, numDisposedVariables and the errors, is ported);
- 'Layer' > 'initialized to its defaults' > 'has an undefined dtype.': lstmkit's layers
  default to 'float32' (the config still leaves the dtype out, as TF.js's; checked);
- 'Container' > 'apply() executes all layers with symbolic tensors.' uses TF.js's internal
  `execute`/`FeedDict` (engine/executor.ts); ported with the model run on the new input.

Adapted: 'Layer' > 'initialized to its defaults' > 'throws exception if it doesn`t support
masking and a mask is passed in.': lstmkit's layers that do not support masking drop the mask
(Keras's rule, relied on by lstmkit's advanced activations), so the mask comes back None.
Also: a model whose `outputs` were given as a one-element list answers a one-element list
in lstmkit (Keras's rule; TF.js unwraps it), so those results are read as `[0]`.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_tfjs_recurrent_suite import close, pythonic_to_ts

import lstmkit as tf
from lstmkit.layers.base import InputSpec, LayerVariable, Node, SymbolicTensor
from lstmkit.models.functional import LayersModel

L = tf.layers


class LayerForTest(L.Layer):
    className = "LayerForTest"  # noqa: N815  (TF.js's name)

    def __init__(self, args=None):
        super().__init__(args or {})


class ContainerForTest(LayersModel):
    className = "ContainerForTest"  # noqa: N815  (TF.js's name)


def sym(shape, name=None, layer=None):
    return SymbolicTensor("float32", shape, layer, [], {}, name)


# ================================================================================================
# input_layer_test.ts: describeMathCPU('InputLayer')
# ================================================================================================
def test_input_layer_defaults_throw():
    # TF.js: 'InputLayer' > 'when initialized to its defaults throws an exception'
    with pytest.raises(ValueError, match="InputLayer should be passed either"):
        L.inputLayer({})


def test_input_layer_initialized_with_only_an_input_shape():
    # TF.js: 'InputLayer' > 'initialized with only an inputShape' > every it():
    # 'is not trainable.', 'is built.', 'is not sparse.', 'automatically assigns a name.',
    # 'creates a batchInputShape of [null].concat(inputShape).', 'has no outboundNodes',
    # 'has one inboundNode', 'creates an inbound Node' > 'with no inboundLayers, nodeIndices,
    # or tensorIndices', 'with [null] inputMasks and outputMasks', 'with equal inputShapes and
    # outputShapes', 'with a SymbolicTensor' > 'that is defined.', 'assigned to both the input
    # and outputTensors.', 'with a node and tensorIndex of 0.', 'with a sourceLayer of the
    # inputLayer.', 'with a name matching the inputLayer name.', 'with a dtype equal to the
    # inputLayer.', 'with a shape matching the inputLayer.batchInputShape'
    input_shape = [1]
    il = L.inputLayer({"inputShape": input_shape})
    assert il.trainable is False
    assert il.built is True
    assert il.sparse is False
    assert il.name.startswith("input")
    assert list(il.batchInputShape) == [None, *input_shape]
    assert len(il.outboundNodes) == 0
    assert len(il.inboundNodes) == 1
    node = il.inboundNodes[0]
    assert len(node.inboundLayers) == 0
    assert len(node.nodeIndices) == 0
    assert len(node.tensorIndices) == 0
    assert node.inputMasks == [None]
    assert node.outputMasks == [None]
    assert node.inputShapes == node.outputShapes
    assert [list(s) for s in node.inputShapes] == [[None, *input_shape]]
    st = node.inputTensors[0]
    assert isinstance(st, tf.SymbolicTensor)
    assert len(node.inputTensors) == 1 and len(node.outputTensors) == 1
    assert node.inputTensors == node.outputTensors
    assert st.nodeIndex == 0 and st.tensorIndex == 0
    assert st.sourceLayer is il
    assert st.name.startswith(il.name)  # TF.js: equal; here `<layer>/<layer>`-free for inputs
    assert st.dtype == il.dtype
    assert tuple(st.shape) == tuple(il.batchInputShape)


def test_input_layer_allows_null_in_shape():
    # TF.js: 'InputLayer' > 'allow `null` in shape'
    inputs = L.inputLayer({"inputShape": [None, 2]})
    assert inputs.inputSpec[0].shape == [None, None, 2]


def test_input_layer_input_shape_and_batch_input_shape_throws():
    # TF.js: 'InputLayer' > 'throws an exception if both inputShape and batchInputShape are
    # specified during initialization.'
    with pytest.raises(ValueError, match="Only provide the inputShape OR batchInputShape"):
        L.inputLayer({"inputShape": [1], "batchInputShape": [1]})


@pytest.mark.parametrize("batch_size", [None, 5])
def test_input_layer_batch_size_with_input_shape(batch_size):
    # TF.js: 'InputLayer' > 'initializes with batchSize when inputShape specified'
    il = L.inputLayer({"inputShape": [1], "batchSize": batch_size})
    assert list(il.batchInputShape) == [batch_size, 1]


def test_input_layer_batch_input_shape():
    # TF.js: 'InputLayer' > 'initializes with batchInputShape if specified.' and
    # 'initializes with batchInputShape if null specified for the batch size.'
    assert list(L.inputLayer({"batchInputShape": [1, 2]}).batchInputShape) == [1, 2]
    assert list(L.inputLayer({"batchInputShape": [None, 2]}).batchInputShape) == [None, 2]


def test_input_layer_batch_size_and_batch_input_shape_throws():
    # TF.js: 'InputLayer' > 'throws exception if batchSize and batchInputShape are specified.'
    with pytest.raises(ValueError, match="Cannot specify batchSize if batchInputShape"):
        L.inputLayer({"batchInputShape": [1], "batchSize": 5})


@pytest.mark.parametrize("sparse", [True, False])
def test_input_layer_sparse(sparse):
    # TF.js: 'InputLayer' > 'uses config.sparse during initialization.'
    assert L.inputLayer({"inputShape": [1], "sparse": sparse}).sparse == sparse


def test_input_layer_dtype_and_name():
    # TF.js: 'InputLayer' > 'use config.dtype during initialization.' and 'use config.name
    # during initialization.'
    assert L.inputLayer({"inputShape": [1], "dtype": "float32"}).dtype == "float32"
    assert L.inputLayer({"inputShape": [1], "name": "abc"}).name == "abc"


def test_input_layer_apply_throws():
    # TF.js: 'InputLayer' > 'throws an exception if apply() is called with any input.' and
    # 'throws an exception if its inputs differ in shape to what it was initialized to.'
    il = L.inputLayer({"inputShape": [1]})
    with pytest.raises(ValueError, match="Cannot pass any input to an InputLayer's apply"):
        il.apply(tf.SymbolicTensor("float32", [2], None, [], {}))
    with pytest.raises(ValueError):
        il.apply(tf.ones([2, 2]))


def test_input_layer_serializable_config():
    # TF.js: 'InputLayer' > 'returns a serializable config.'
    il = L.inputLayer(
        {"batchInputShape": [1], "dtype": "float32", "sparse": True, "name": "my_name"}
    )
    assert pythonic_to_ts(dict(il.getConfig())) == {
        "batchInputShape": [1],
        "dtype": "float32",
        "sparse": True,
        "name": "my_name",
    }


# describe('Input()')
def test_input_neither_shape_nor_batch_shape():
    # TF.js: 'Input()' > 'throws an exception if neither shape nor batchShape are specified'
    with pytest.raises(ValueError, match="Please provide to Input either"):
        tf.input({})


def test_input_given_shape_and_batch_shape():
    # TF.js: 'Input()' > 'returns an initialized symbolicTensor given a shape.' and 'returns a
    # SymbolicTensor given a batchShape' and 'throws exception if both shape and batchShape
    # are specified.'
    st = tf.input({"shape": [1], "name": "abc", "dtype": "float32"})
    assert isinstance(st, tf.SymbolicTensor)
    assert list(st.shape) == [None, 1]
    assert "abc" in st.name
    assert st.dtype == "float32"
    assert list(tf.input({"batchShape": [2, 2]}).shape) == [2, 2]
    with pytest.raises(ValueError, match="Please provide either a `shape`"):
        tf.input({"shape": [1], "batchShape": [2, 2]})


def test_input_output_feeds_a_layer():
    # TF.js: 'Input()' > 'produces output that can feed into a Layer.'
    inp = tf.Input({"shape": [1], "name": "abc"})
    output = LayerForTest({"name": "firstLayer"}).apply(inp)
    assert isinstance(output, tf.SymbolicTensor)
    assert output.name == "firstLayer/firstLayer"


# ================================================================================================
# topology_test.ts: describe('InputSpec'), describe('Node')
# ================================================================================================
def test_input_spec_defaults_ndim_axes():
    # TF.js: 'InputSpec' > 'initializes with expected default values.', 'initializes with
    # inputSpec.ndim = shape.length when shape is specified.', 'initializes inputSpec.axes
    # when axes specified.'
    spec = InputSpec({})
    assert spec.dtype is None and spec.shape is None and spec.ndim is None
    assert spec.maxNDim is None and spec.minNDim is None and spec.axes == {}
    assert InputSpec({"shape": [1, 2, 3], "ndim": -1}).ndim == 3
    assert InputSpec({"axes": {1: 2}}).axes == {1: 2}
    assert tf.InputSpec is InputSpec


def _node_args():
    outbound = LayerForTest({"name": "outboundLayer"})
    inbound = [LayerForTest({"name": "inboundLayer"})]
    return {
        "outboundLayer": outbound,
        "inboundLayers": inbound,
        "nodeIndices": [0],
        "tensorIndices": [0],
        "inputTensors": [sym([1])],
        "outputTensors": [sym([2, 2])],
        "inputMasks": [tf.zeros([1])],
        "outputMasks": [tf.zeros([1])],
        "inputShapes": [[1]],
        "outputShapes": [[1], [1]],
    }


def test_node_initializes_as_expected():
    # TF.js: 'Node' > 'initializes object as expected.'
    args = _node_args()
    call_args = {"mask": tf.zeros([1])}
    node = Node(args, call_args)
    assert node.outboundLayer is args["outboundLayer"]
    assert node.inboundLayers == args["inboundLayers"]
    assert node.nodeIndices == [0] and node.tensorIndices == [0]
    assert node.inputTensors == args["inputTensors"]
    assert node.outputTensors == args["outputTensors"]
    assert node.inputMasks == args["inputMasks"] and node.outputMasks == args["outputMasks"]
    assert node.inputShapes == [[1]] and node.outputShapes == [[1], [1]]
    assert node.callArgs == call_args
    assert args["inboundLayers"][0].outboundNodes == [node]
    assert node.outboundLayer.inboundNodes == [node]


def test_node_serializable_config_and_unique_ids():
    # TF.js: 'Node' > 'generates expected SerializableNodeConfig.' and 'generates unique IDs'
    args = _node_args()
    node = Node(args, {})
    config = node.getConfig()
    assert config["outboundLayer"] == "outboundLayer"
    assert config["inboundLayers"] == ["inboundLayer"]
    assert config["nodeIndices"] == [0] and config["tensorIndices"] == [0]
    assert Node(args, {}).id != node.id


# ================================================================================================
# topology_test.ts: describeMathCPU('Layer')
# ================================================================================================
def test_layer_initialized_to_its_defaults():
    # TF.js: 'Layer' > 'initialized to its defaults' > 'has a default layer name of layer_....',
    # 'has null inputSpecs.', 'does not support masking', 'is trainable.', 'has an undefined
    # batchInputShape.', 'has null initialWeights.', 'has an empty inboundNodes list.', 'has an
    # empty outboundNodes list.', 'has an empty losses list.', 'has an empty updates list.',
    # 'is not built', 'has an empty trainableWeights / nonTrainableWeights / weights list.',
    # 'produces a unique ID', 'stateful is false by default'
    layer = LayerForTest()
    assert layer.name.startswith("layer_")
    assert layer.inputSpec is None
    assert layer.supportsMasking is False
    assert layer.trainable is True
    assert layer.batchInputShape is None
    assert layer.initialWeights is None
    assert layer.inboundNodes == [] and layer.outboundNodes == []
    assert layer.losses == [] and layer.updates == []
    assert layer.built is False
    assert layer.trainableWeights == [] and layer.nonTrainableWeights == []
    assert layer.weights == []
    assert LayerForTest().id != layer.id
    assert layer.stateful is False


def test_layer_compute_mask_and_config_defaults():
    # TF.js: 'Layer' > 'initialized to its defaults' > 'returns null if it doesn`t support
    # masking and no mask is passed in.', 'throws exception if it doesn`t support masking and a
    # mask is passed in.', 'returns the same mask passed in if it supports masking', 'correctly
    # generates a config for serialization'
    layer = LayerForTest()
    assert layer.computeMask([], None) is None
    mask = tf.ones([1])
    assert layer.computeMask([], mask) is None  # lstmkit drops the mask (Keras); TF.js throws
    layer.supportsMasking = True
    assert layer.computeMask([], mask) is mask
    config = LayerForTest().getConfig()
    assert config["trainable"] is True
    assert "batchInputShape" not in config and "dtype" not in config


def test_layer_with_given_name_and_trainable():
    # TF.js: 'A layer with non-default arguments' > 'initializes layer with given name.' and
    # 'initializes layer as trainable, if specified.'
    layer = LayerForTest({"name": "layer name"})
    assert layer.name == "layer name" and layer.getConfig()["name"] == layer.name
    for trainable in (True, False):
        layer = LayerForTest({"trainable": trainable})
        assert layer.trainable == trainable
        assert layer.getConfig()["trainable"] == trainable


@pytest.mark.parametrize("batch_input_shape", [[], [1]])
def test_layer_batch_input_shape(batch_input_shape):
    # TF.js: 'A layer with non-default arguments' > 'initializes batchInputShape to
    # layerConfig.batchInputShape.'
    layer = LayerForTest({"batchInputShape": batch_input_shape})
    assert list(layer.batchInputShape) == batch_input_shape
    assert layer.getConfig()["batchInputShape"] == batch_input_shape


def test_layer_batch_input_shape_wins_over_input_shape():
    # TF.js: '... initializes batchInputShape to layerConfig.batchInputShape even if
    # layerConfig.inputShape is defined.'
    layer = LayerForTest({"batchInputShape": [1], "inputShape": [2, 3]})
    assert list(layer.batchInputShape) == [1]


@pytest.mark.parametrize(
    "batch_size, input_shape, expected",
    [(None, [], [None]), (None, [1], [None, 1]), (3, [], [3]), (3, [1], [3, 1])],
)
def test_layer_batch_input_shape_from_input_shape(batch_size, input_shape, expected):
    # TF.js: 'A layer with non-default arguments' > 'initializes batchInputShape to
    # layerConfig.inputShape.'
    layer = LayerForTest({"batchSize": batch_size, "inputShape": input_shape})
    assert list(layer.batchInputShape) == expected


def test_layer_dtype_and_initial_weights():
    # TF.js: 'initializes dtype to float32 if layerConfig.inputShape is set.', '... if
    # layerConfig.batchInputShape is set.', 'initializes initialWeights if present.'
    layer = LayerForTest({"inputShape": []})
    assert layer.dtype == "float32" and layer.getConfig()["dtype"] == "float32"
    assert LayerForTest({"batchInputShape": []}).dtype == "float32"
    weights = [tf.zeros([1])]
    assert LayerForTest({"weights": weights}).initialWeights == weights


def test_layer_duplicate_weight_names_throw():
    # TF.js: 'A layer with non-default arguments' > 'Layer with duplicate weight names throws
    # error'
    class DupLayer(L.Layer):
        className = "LayerForTestDup"  # noqa: N815  (TF.js's name)

        def __init__(self, args=None):
            super().__init__(args or {})
            self.addWeight("foo", [1, 2], "float32", tf.initializers.zeros())
            self.addWeight("foo", [2, 3], "float32", tf.initializers.zeros())

    with pytest.raises(ValueError, match="[Dd]uplicate weight name"):
        DupLayer()


def test_layer_can_be_set_to_built():
    # TF.js: 'Layer' > 'can be set to built.'
    layer = LayerForTest()
    layer.built = True
    assert layer.built is True


def _tw():
    return [LayerVariable(np.zeros([1], np.float32), name="zeros_v")]


def _ntw():
    return [LayerVariable(np.ones([1], np.float32), name="ones_v")]


def test_layer_set_trainable_and_non_trainable_weights():
    # TF.js: 'Layer' > 'can set trainableWeights.', 'doesn't return trainableWeights if layer
    # is not trainable, even if they exist', 'can set nonTrainableWeights.', 'only returns
    # nonTrainableWeights for nonTrainableWeights if the layer is trainable.', 'concats
    # trainable and nonTrainableWeights for nonTrainableWeights if not trainable.'
    tw, ntw = _tw(), _ntw()
    layer = LayerForTest()
    layer.trainableWeights = tw
    assert layer.trainableWeights == tw
    layer = LayerForTest({"trainable": False})
    layer.trainableWeights = _tw()
    assert layer.trainableWeights == []
    ntw = _ntw()
    layer = LayerForTest()
    layer.nonTrainableWeights = ntw
    assert layer.nonTrainableWeights == ntw
    tw, ntw = _tw(), _ntw()
    layer = LayerForTest({"trainable": True})
    layer.trainableWeights = tw
    layer.nonTrainableWeights = ntw
    assert layer.nonTrainableWeights == ntw
    tw, ntw = _tw(), _ntw()
    layer = LayerForTest({"trainable": False})
    layer.trainableWeights = tw
    layer.nonTrainableWeights = ntw
    assert layer.nonTrainableWeights == tw + ntw


def test_setting_trainable_sets_variable_trainable():
    # TF.js: 'Layer' > 'Setting trainable of layer sets Variable.trainable'
    layer1 = L.dense({"units": 3})
    layer1.build([4])
    layer1.built = True
    assert layer1.weights[0].trainable is True and layer1.weights[1].trainable is True
    layer1.trainable = False
    assert layer1.weights[0].trainable is False and layer1.weights[1].trainable is False
    layer1.trainable = True
    assert layer1.weights[0].trainable is True and layer1.weights[1].trainable is True


@pytest.mark.parametrize("trainable", [True, False])
def test_weights_concat_regardless_of_trainable(trainable):
    # TF.js: 'Layer' > 'concats trainable and nonTrainableWeights for weights regardless of
    # whether the layer is trainable trainable.'
    tw, ntw = _tw(), _ntw()
    layer = LayerForTest({"trainable": trainable})
    layer.trainableWeights = tw
    layer.nonTrainableWeights = ntw
    assert layer.weights == tw + ntw


_TEST_INPUTS = [
    lambda: tf.ones([1]),
    lambda: [tf.ones([1])],
    lambda: sym([1]),
    lambda: [sym([1])],
]


def _with_spec(*specs):
    layer = LayerForTest()
    layer.inputSpec = [InputSpec(s) for s in specs]
    return layer


@pytest.mark.parametrize("make", _TEST_INPUTS)
def test_assert_input_compatibility(make):
    # TF.js: 'Layer' > 'assertInputCompatibility()' > every it(), for each of TF.js's 4 inputs
    LayerForTest().assertInputCompatibility(make())  # no inputSpec
    _with_spec({}).assertInputCompatibility(make())
    with pytest.raises(ValueError, match="expects [0-9]+ inputs"):
        _with_spec({}, {}).assertInputCompatibility(make())
    _with_spec({"ndim": 1}).assertInputCompatibility(make())
    with pytest.raises(ValueError, match="expected ndim="):
        _with_spec({"ndim": 2}).assertInputCompatibility(make())
    _with_spec({"maxNDim": 1}).assertInputCompatibility(make())
    with pytest.raises(ValueError, match="expected max_ndim="):
        _with_spec({"maxNDim": 0}).assertInputCompatibility(make())
    _with_spec({"minNDim": 1}).assertInputCompatibility(make())
    with pytest.raises(ValueError, match="expected min_ndim="):
        _with_spec({"minNDim": 2}).assertInputCompatibility(make())
    _with_spec({"dtype": "float32"}).assertInputCompatibility(make())
    _with_spec({"axes": {0: 1}}).assertInputCompatibility(make())
    with pytest.raises(ValueError, match="expected axis"):
        _with_spec({"axes": {0: 2}}).assertInputCompatibility(make())
    with pytest.raises(ValueError, match="expected axis"):
        _with_spec({"axes": {0: 1, 2: 1}}).assertInputCompatibility(make())
    _with_spec({"shape": [1]}).assertInputCompatibility(make())
    with pytest.raises(ValueError, match="expected shape"):
        _with_spec({"shape": [2]}).assertInputCompatibility(make())


def test_apply_one_symbolic_tensor():
    # TF.js: 'apply() passed 1 SymbolicTensor' > 'returns a SymbolicTensor.', '... with a
    # reference to the source layer.', '... to the inputs passed to apply().', '... with
    # nodeIndex and tensorIndex set.', '... with the name set.', 'is built.'
    first = LayerForTest({"name": "firstLayer"})
    second = LayerForTest({"name": "secondLayer"})
    call_args = {"a": 1}
    single = tf.SymbolicTensor("float32", [1], first, [], {})
    returned = second.apply(single, call_args)
    assert isinstance(returned, tf.SymbolicTensor)
    assert returned.sourceLayer is second
    assert returned.inputs == [single]
    assert returned.callArgs == call_args
    assert returned.nodeIndex is not None and returned.tensorIndex is not None
    assert "secondLayer" in returned.name
    assert second.built is True


@pytest.mark.parametrize(
    "layer_args, input_shape, pattern",
    [
        ({"inputShape": [5]}, [4], r"shape of the input tensor .*null,4.* not match .*null,5.*"),
        (
            {"batchInputShape": [2, 3, 5]},
            [4, 5],
            r"shape of the input tensor .*null,4,5.* not match .*2,3,5.*",
        ),
        ({"inputShape": [5]}, [4, 3], r"rank .*null,4,3.* does not match .*null,5.*"),
        ({"batchInputShape": [3, 5]}, [4, 3], r"rank .*null,4,3.* does not match .*3,5.*"),
    ],
)
def test_incompatible_input_shape_warns(layer_args, input_shape, pattern):
    # TF.js: 'apply() passed 1 SymbolicTensor' > 'Incompatible inputShape leads to warning',
    # '... : batchInputShape', 'Incompatible inputShape rank leads to warning', '... :
    # batchInputShape'
    layer1 = L.dense({"units": 2, **layer_args})
    with pytest.warns(UserWarning, match=pattern):
        layer1.apply(tf.input({"shape": input_shape}))


def test_compatible_input_shape_no_warning():
    # TF.js: 'apply() passed 1 SymbolicTensor' > 'Compatible inputShape leads to NO warning'
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        L.dense({"units": 2, "inputShape": [5]}).apply(tf.input({"shape": [5]}))


def test_apply_more_than_one_symbolic_tensor_throws():
    # TF.js: 'apply() passed >1 SymbolicTensor' > 'throws an exception for multiple symbolic
    # inputs.' (TF.js refuses the layer name with a space as a tensor name)
    first = LayerForTest({"name": "first layer"})
    second = LayerForTest({"name": "second layer"})
    tensors = [
        tf.SymbolicTensor("float32", [1], first, [], {}, "first_symbolic_tensor"),
        tf.SymbolicTensor("float32", [1], first, [], {}, "second_symbolic_tensor"),
    ]
    with pytest.raises(ValueError):
        second.apply(tensors)


def test_apply_symbolic_and_tensor_throws():
    # TF.js: 'apply() passed SymbolicTensor and Tensor' > 'throws an exception.'
    inputs = [
        tf.SymbolicTensor("float32", [1], None, [], {}, "first_symbolic_tensor"),
        tf.ones([1]),
    ]
    with pytest.raises(ValueError, match="must be all SymbolicTensors or all Tensors"):
        LayerForTest().apply(inputs)


def test_apply_returns_multiple_symbolic_tensors():
    # TF.js: 'Layer' > 'apply() returns multiple symbolic tensors for multiple output shapes'
    layer = LayerForTest()
    layer.compute_output_shape = lambda shape: [(1,), (2, 3)]
    results = layer.apply(tf.SymbolicTensor("float32", [1], None, [], {}))
    assert len(results) == 2
    assert [list(x.shape) for x in results] == [[1], [2, 3]]
    assert [x.outputTensorIndex for x in results] == [0, 1]


def test_apply_tensors_returns_values():
    # TF.js: 'apply() passed 1+ Tensors' > 'returns new values for output if the same as the
    # input.' (lstmkit's tensors are immutable values: the identity may return its input)
    an_array = tf.ones([1])
    for inputs in (an_array, [an_array, an_array]):
        layer = LayerForTest()
        result = layer.apply(inputs)
        assert layer.built is True
        if isinstance(result, list):
            for r, i in zip(result, inputs):
                close(r, i)
        else:
            close(result, inputs)


def test_initial_weights_set_after_apply():
    # TF.js: 'initialized with weights at construction time' > 'sets those weights after
    # calling apply().'
    initial = tf.eye(2)
    for inputs in (tf.zeros([1]), tf.SymbolicTensor("float32", [1], None, [], {})):
        layer = LayerForTest({"weights": [initial]})

        def build(shape, layer=layer):
            layer.trainableWeights = [LayerVariable(np.zeros([2, 2], np.float32), name="w")]

        layer.build = build
        assert len(layer.weights) == 0
        layer.apply(inputs)
        assert len(layer.weights) == 1
        close(layer.weights[0].read(), initial)


def test_apply_nodes():
    # TF.js: 'apply() (nodes)' > 'doesn't change inboundNodes or outboundNodes when called
    # with concrete input', 'changes inboundNodes and outboundNodes when called with symbolic
    # input', 'updates inbound and outboundNodes when there are multiple layers'
    layer = LayerForTest()
    layer.apply(tf.eye(1))
    assert len(layer.inboundNodes) == 0 and len(layer.outboundNodes) == 0
    layer = LayerForTest()
    layer.apply(tf.SymbolicTensor("float32", [1], None, [], {}))
    assert len(layer.inboundNodes) == 1 and len(layer.outboundNodes) == 0
    assert layer.inboundNodes[0].outboundLayer is layer
    first = LayerForTest({"name": "first_layer"})
    second = LayerForTest({"name": "second_layer"})
    second.apply(first.apply(tf.SymbolicTensor("float32", [1], None, [], {})))
    assert len(first.inboundNodes) == 1 and len(first.outboundNodes) == 1
    assert len(second.inboundNodes) == 1 and len(second.outboundNodes) == 0
    assert first.outboundNodes[0].outboundLayer is second


def test_layer_output_shape():
    # TF.js: 'Layer.outputShape' > 'Layers with one output', 'Layers with two outputs',
    # 'Layers with two inboundNodes of the same outputShape', '... of different outputShapes',
    # 'Unbuilt layer throws Error'
    layer = L.dense({"units": 3})
    layer.apply(sym([None, 4]))
    assert list(layer.outputShape) == [None, 3]
    rnn = L.simpleRNN({"units": 3, "returnState": True})
    rnn.apply(sym([None, 4, 5]))
    assert [list(s) for s in rnn.outputShape] == [[None, 3], [None, 3]]
    layer = L.dense({"units": 3})
    layer.apply(sym([None, 4]))
    layer.apply(sym([None, 4]))
    assert len(layer.inboundNodes) == 2 and list(layer.outputShape) == [None, 3]
    layer = L.dense({"units": 3})
    layer.apply(sym([None, 5, 4]))
    layer.apply(sym([None, 6, 4]))
    with pytest.raises(ValueError, match="has multiple inbound nodes"):
        layer.outputShape  # noqa: B018
    with pytest.raises(ValueError, match="has never been called"):
        L.dense({"units": 3}).outputShape  # noqa: B018


def test_layer_count_params():
    # TF.js: 'Layer.countParams' > 'Layers with weights', 'Layer without weights'
    layer = L.dense({"units": 3})
    layer.apply(tf.zeros([1, 4]))
    assert layer.countParams() == 3 * 4 + 3
    flat = L.flatten()
    flat.apply(tf.zeros([2, 2, 2]))
    assert flat.countParams() == 0


def test_set_weights():
    # TF.js: 'setWeights' > 'throws exception if weights are not the same length as existing
    # weights', '... not the same shape as existing weights', 'updates weights.'
    layer = LayerForTest()
    layer.trainableWeights = [LayerVariable(np.zeros([2, 2], np.float32), name="a")]
    with pytest.raises(ValueError, match="with a weight list of length"):
        layer.setWeights([tf.ones([1]), tf.ones([1])])
    with pytest.raises(ValueError, match="not compatible with provided weight shape"):
        layer.setWeights([tf.ones([1])])
    layer = LayerForTest()
    layer.trainableWeights = [LayerVariable(np.zeros([1], np.float32), name="b")]
    layer.setWeights([tf.ones([1])])
    close(layer.trainableWeights[0].read(), tf.ones([1]))


def test_compute_output_shape_base():
    # TF.js: 'computeOutputShape()' > 'returns the inputShape in the base class'
    assert LayerForTest().computeOutputShape([1]) == [1]


def test_input_and_output_properties():
    # TF.js: 'input and output properties: ' > 'input retrieves layer's inputs.', 'input
    # retrieves layer's outputs.', 'input throws exception if there is more than one input',
    # 'output throws exception if there is more than one output'
    inp = tf.SymbolicTensor("float32", [1], None, [], {}, "firstInput")
    layer = LayerForTest()
    output = layer.apply(inp)
    assert layer.input is inp
    assert layer.output is output
    layer.apply(tf.SymbolicTensor("float32", [1], None, [], {}, "secondInput"))
    with pytest.raises(ValueError, match='"layer input" is ill-defined'):
        layer.input  # noqa: B018
    with pytest.raises(ValueError, match='"layer output" is ill-defined'):
        layer.output  # noqa: B018


def test_get_input_at_and_get_output_at():
    # TF.js: 'getInputAt and getOutputAt: ' > every it()
    inp = tf.SymbolicTensor("float32", [1], None, [], {}, "firstInput")
    layer = LayerForTest()
    output = layer.apply(inp)
    assert layer.getInputAt(0) is inp
    assert layer.getOutputAt(0) is output
    with pytest.raises(ValueError, match="Asked to get input at node 1, but"):
        layer.getInputAt(1)
    with pytest.raises(ValueError, match="Asked to get output at node 1, but"):
        layer.getOutputAt(1)


# ================================================================================================
# topology_test.ts: describeMathCPUAndGPU('Layer-dispose')
# ================================================================================================
def test_layer_dispose():
    # TF.js: 'Layer-dispose' > 'Dispose Dense Layer before build leads to Error', 'Dispose
    # Dense Layer after one tensor call frees memory', 'Symbolic apply() call after Dense
    # disposal leads to Error', 'Non-symbolic apply() call after Dense disposal leads to
    # Error', 'Calling dispose on already-disposed Layer leads to Error'
    dense = L.dense({"units": 1, "inputShape": [4]})
    with pytest.raises(ValueError, match="has not been built"):
        dense.dispose()
    dense.apply(tf.zeros([2, 4]))
    assert dense.dispose() == {"refCountAfterDispose": 0, "numDisposedVariables": 2}
    with pytest.raises(ValueError, match="Layer .* is already disposed"):
        dense.apply(tf.SymbolicTensor("float32", [2, 4], None, [], {}))
    with pytest.raises(ValueError, match="Layer .* is already disposed"):
        dense.apply(tf.ones([2, 4]))
    with pytest.raises(ValueError, match="Layer .* is already disposed"):
        dense.dispose()


def test_layer_dispose_two_nodes():
    # TF.js: 'Layer-dispose' > 'Calling defRec() repeatedly for two-Node Layer frees memory'
    dense = L.dense({"units": 1, "inputShape": [4]})
    dense.apply(tf.SymbolicTensor("float32", [2, 4], None, [], {}))
    dense.apply(tf.SymbolicTensor("float32", [2, 4], None, [], {}))
    assert dense.dispose() == {"refCountAfterDispose": 1, "numDisposedVariables": 0}
    assert dense.dispose() == {"refCountAfterDispose": 0, "numDisposedVariables": 2}


def test_flatten_dispose():
    # TF.js: 'Layer-dispose' > 'Symbolic apply() call after Flatten disposal leads to Error',
    # 'Non-symbolic apply() call after Flatten disposal leads to Error'
    flat = L.flatten()
    flat.apply(tf.zeros([2, 3, 4]))
    flat.dispose()
    with pytest.raises(ValueError, match="Layer .* is already disposed"):
        flat.apply(tf.SymbolicTensor("float32", [2, 4], None, [], {}))
    with pytest.raises(ValueError, match="Layer .* is already disposed"):
        flat.apply(tf.zeros([2, 3, 4]))


def test_dispose_on_input_layer():
    # TF.js: 'Layer-dispose' > 'dispose() call works on Input Layer'
    inp = tf.input({"shape": [2, 3]})
    output = L.reshape({"targetShape": [3, 2]}).apply(inp)
    model = tf.model({"inputs": [inp], "outputs": [output]})
    assert model.dispose()["numDisposedVariables"] == 0
    with pytest.raises(ValueError, match="already disposed"):
        model.predict(tf.zeros([1, 2, 3]))


# ================================================================================================
# topology_test.ts: describeMathCPUAndGPU('loadWeightsFromNamedTensorMap')
# ================================================================================================
def _dense_model():
    inp = tf.input({"shape": [3], "name": "inputLayer", "dtype": "float32"})
    dense = L.dense({"units": 2, "useBias": True, "name": "dense_layer"})
    return tf.model({"inputs": inp, "outputs": dense.apply(inp)}), dense


KERNEL = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2])


def test_load_weights_one_layer_and_keras_names():
    # TF.js: 'loadWeightsFromNamedTensorMap' > 'One layer', 'load keras weights'
    model, dense = _dense_model()
    model.loadWeights(
        {
            dense.weights[0].originalName: KERNEL,
            dense.weights[1].originalName: tf.tensor1d([10, 20]),
        }
    )
    close(dense.weights[0].read(), KERNEL)
    close(dense.weights[1].read(), tf.tensor1d([10, 20]))
    model, dense = _dense_model()
    prefix = dense.weights[0].originalName.split("/")[0]
    model.loadWeights({prefix + "/0": KERNEL, prefix + "/1": tf.tensor1d([10, 20])})
    close(dense.weights[0].read(), KERNEL)
    close(dense.weights[1].read(), tf.tensor1d([10, 20]))


def test_load_weights_errors_and_non_strict():
    # TF.js: 'loadWeightsFromNamedTensorMap' > 'Mismatching shape throws an error even in
    # non-strict mode', 'Extra weights leads to error', 'Extra weights are allowed in
    # non-strict mode', 'Unset weights leads to error', 'Unset weights are allowed in
    # non-strict mode'
    model, dense = _dense_model()
    k, b = dense.weights[0].originalName, dense.weights[1].originalName
    bad = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2])
    with pytest.raises(ValueError, match=r"Shape mismatch: \[3,2\] vs. \[4,2\]"):
        model.loadWeights({k: bad, b: tf.tensor1d([10, 20])}, False)
    extra = {k: KERNEL, b: tf.tensor1d([10, 20]), "extra": tf.tensor1d([10, 20])}
    with pytest.raises(ValueError, match="Provided weight data has no target variable: extra"):
        model.loadWeights(extra)
    model.loadWeights(extra, False)
    close(dense.weights[0].read(), KERNEL)
    close(dense.weights[1].read(), tf.tensor1d([10, 20]))
    model, dense = _dense_model()
    k = dense.weights[0].originalName
    with pytest.raises(ValueError, match=r"1 of 2 weights are not set: .*bias.*"):
        model.loadWeights({k: KERNEL})
    model.loadWeights({k: KERNEL}, False)


# ================================================================================================
# container_test.ts
# ================================================================================================
def test_container_from_config():
    # TF.js: 'Container.fromConfig' > 'creates a minimal Container from simplest config' and
    # 'creates a simple network' (TF.js's config, camelCase keys)
    config = {"name": "test", "layers": [], "inputLayers": [], "outputLayers": []}
    assert LayersModel.fromConfig(ContainerForTest, config).name == "test"
    config = {
        "inputLayers": [["input_2", 0, 0]],
        "layers": [
            {
                "className": "InputLayer",
                "config": {
                    "batchInputShape": [None, 32],
                    "dtype": "float32",
                    "name": "input_2",
                    "sparse": False,
                },
                "inboundNodes": [],
                "name": "input_2",
            },
            {
                "className": "Dense",
                "config": {
                    "activation": "linear",
                    "activityRegularizer": None,
                    "biasConstraint": None,
                    "biasInitializer": {"className": "Zeros", "config": {}},
                    "biasRegularizer": None,
                    "kernelConstraint": None,
                    "kernelInitializer": {
                        "className": "VarianceScaling",
                        "config": {
                            "distribution": "uniform",
                            "mode": "fanAvg",
                            "scale": 1.0,
                            "seed": None,
                        },
                    },
                    "kernelRegularizer": None,
                    "name": "dense_2",
                    "trainable": None,
                    "units": 32,
                    "use_bias": True,
                },
                "inboundNodes": [[["input_2", 0, 0, {}]]],
                "name": "dense_2",
            },
        ],
        "name": "test",
        "outputLayers": [["dense_2", 0, 0]],
    }
    container = LayersModel.fromConfig(ContainerForTest, config)
    assert container.name == "test"
    all_zeros = tf.zeros([1, 32])
    close(container.apply(all_zeros), all_zeros)


@pytest.fixture
def simple():
    inp = tf.input({"shape": [1], "name": "inputLayerName", "dtype": "float32"})
    layer = LayerForTest({"name": "layerName"})
    output = layer.apply(inp)
    container = ContainerForTest({"inputs": [inp], "outputs": [output], "name": "simpleContainer"})
    return inp, layer, output, container


def test_container_names_and_errors(simple):
    # TF.js: 'Container' > 'initializes with no inputs or outputs and a default name', '... and
    # a given name', 'throws an exception if same input provided twice', 'throws an exception
    # if graph is disconnected', 'throws exception if given a non-input layer as input'
    inp, _, output, _ = simple
    assert ContainerForTest({"inputs": [], "outputs": []}).name.startswith("container")
    assert ContainerForTest({"inputs": [], "outputs": [], "name": "xyz"}).name == "xyz"
    with pytest.raises(ValueError, match="inputs.*redundant"):
        ContainerForTest({"inputs": [inp, inp], "outputs": []})
    with pytest.raises(ValueError, match="disconnected"):
        ContainerForTest({"inputs": [], "outputs": [output]})
    with pytest.raises(ValueError, match="must be InputLayer objects"):
        ContainerForTest({"inputs": [output], "outputs": []})


def test_container_layers_and_names(simple):
    # TF.js: 'Container' > 'creates inputLayers', 'creates outputLayers', 'creates inputNames',
    # 'creates outputNames', 'creates layers for simplest case', 'creates layers when multiple
    # layers specified', 'stateful is initially false', 'trainableWeights is initially an
    # empty Array'
    inp, layer, _, container = simple
    assert container.inputLayers == [inp.sourceLayer]
    assert container.outputLayers == [layer]
    assert container.inputNames == ["inputLayerName"]
    assert container.outputNames == ["layerName"]
    assert container.layers == [inp.sourceLayer, layer]
    assert container.stateful is False
    assert container.trainableWeights == []
    layer1, layer2 = LayerForTest({"name": "layer1"}), LayerForTest({"name": "layer2"})
    out = layer2.apply(layer1.apply(inp))
    assert ContainerForTest({"inputs": [inp], "outputs": [out]}).layers == [
        inp.sourceLayer,
        layer1,
        layer2,
    ]


def test_container_shared_subgraphs(simple):
    # TF.js: 'Container' > 'correctly creates model with shared subgraphs.'
    inp = simple[0]
    a, b, c, x = (LayerForTest({"name": n}) for n in "ABCX")
    a_out = a.apply(inp)
    out1 = c.apply(b.apply(a_out))
    out2 = c.apply(b.apply(x.apply(a_out)))
    container = ContainerForTest({"inputs": [inp], "outputs": [out1, out2]})
    by_name = sorted(container.layers, key=lambda layer: layer.name)
    assert by_name == sorted([inp.sourceLayer, a, b, c, x], key=lambda layer: layer.name)


def test_container_duplicate_layer_names(simple):
    # TF.js: 'Container' > 'throws exception if multiple layers have the same name'
    inp = simple[0]
    out = LayerForTest({"name": "abc"}).apply(LayerForTest({"name": "abc"}).apply(inp))
    with pytest.raises(ValueError, match="layer names should be unique"):
        ContainerForTest({"inputs": [inp], "outputs": [out]})


def test_container_weights():
    # TF.js: 'Container' > 'weights gets all weights.', 'trainableWeights and
    # nonTrainableWeights.'
    inp = tf.input({"shape": [1, 6]})
    layer1 = L.dense({"units": 2, "useBias": False})
    layer2 = L.dense({"units": 1, "useBias": True})
    container = ContainerForTest({"inputs": [inp], "outputs": [layer2.apply(layer1.apply(inp))]})
    names = [layer1.weights[0].name, layer2.weights[0].name, layer2.weights[1].name]
    assert [w.name for w in container.weights] == names
    assert [w.name for w in container.trainableWeights] == names
    assert len(container.nonTrainableWeights) == 0


def _reshape_container():
    inp = tf.input({"shape": [1, 6]})
    layer1 = L.reshape({"name": "layer1", "targetShape": [2, 3]})
    layer2 = L.reshape({"name": "layer2", "targetShape": [3, 2]})
    return ContainerForTest({"inputs": [inp], "outputs": [layer2.apply(layer1.apply(inp))]})


def test_container_call_and_apply():
    # TF.js: 'Container' > 'call() executes all layers.', 'apply() executes all layers with
    # concrete tensors.', 'apply() executes all layers with symbolic tensors.'
    container = _reshape_container()
    result = container.call(tf.ones([1, 1, 6]), {})
    close(result[0] if isinstance(result, list) else result, tf.ones([1, 3, 2]))
    result = _reshape_container().apply(tf.ones([1, 1, 6]))  # outputs given as a list: a list
    close(result[0] if isinstance(result, list) else result, tf.ones([1, 3, 2]))
    container = _reshape_container()
    new_input = tf.input({"shape": [1, 6]})
    symbolic_result = container.apply(new_input)
    assert isinstance(symbolic_result, tf.SymbolicTensor)
    concrete = tf.model({"inputs": new_input, "outputs": symbolic_result}).predict(
        tf.ones([1, 1, 6])
    )
    close(concrete, tf.ones([1, 3, 2]))


def test_container_compute_output_shape():
    # TF.js: 'Container' > 'computeOutputShape() computes the correct outputShape'
    inp = tf.input({"shape": [2, 3]})
    output = L.reshape({"targetShape": [3, 2]}).apply(inp)
    container = ContainerForTest({"inputs": [inp], "outputs": [output]})
    assert list(container.computeOutputShape([1, 2, 3])) == [1, 3, 2]


def _two_layer_container():
    inp = tf.input({"shape": [2, 2]})
    layer1 = L.reshape({"targetShape": [4], "name": "reshapeLayer"})
    layer2 = L.dense({"units": 2, "useBias": False, "name": "denseLayer"})
    container = ContainerForTest({"inputs": [inp], "outputs": [layer2.apply(layer1.apply(inp))]})
    return container, [container.inputLayers[0], layer1, layer2]


def test_container_trainable_weights_and_get_layer():
    # TF.js: 'Container' > 'trainableWeights tracks only trainable weights', 'getLayer works by
    # name', 'getLayer works by index', 'getLayer works by index when index is the first
    # argument', 'getLayer throws error for nonexistent layer name', 'getLayer throws error
    # for index out of bound', 'getLayer throws error when neither name or index is specified'
    container, layers = _two_layer_container()
    assert len(container.trainableWeights) == 1
    for i, layer in enumerate(layers):
        assert container.getLayer(layer.name) is layer
        assert container.getLayer(None, i) is layer
        assert container.getLayer(i) is layer
    with pytest.raises(ValueError, match="No such layer"):
        container.getLayer(layers[0].name + "_suffixToMakeLayerNameNonexistent")
    with pytest.raises(ValueError, match="only has 3 layer"):
        container.getLayer(3)
    with pytest.raises(ValueError, match="Provide either a layer name or layer index"):
        container.getLayer(None)


def _one_layer_container(use_regularizers):
    inp = tf.input({"shape": [2]})
    dense = L.dense(
        {
            "units": 2,
            "kernelInitializer": "ones",
            "biasInitializer": "ones",
            "kernelRegularizer": tf.regularizers.l1({"l1": 2}) if use_regularizers else None,
            "biasRegularizer": tf.regularizers.l2({"l2": 3}) if use_regularizers else None,
            "name": "denseLayer",
        }
    )
    return ContainerForTest({"inputs": [inp], "outputs": [dense.apply(inp)]})


def test_container_calculate_losses():
    # TF.js: 'Container.calculateLosses' > 'L1 and L2', 'No regularizers'
    losses = _one_layer_container(True).calculateLosses()
    assert len(losses) == 2
    close(losses[0], tf.scalar(2 * (1 + 1 + 1 + 1)))
    close(losses[1], tf.scalar(3 * (1 + 1)))
    assert len(_one_layer_container(False).calculateLosses()) == 0


def test_get_source_inputs():
    # TF.js: 'getSourceInputs()' > 'returns the single source input', 'returns all inputs'
    from lstmkit.models.functional import get_source_inputs

    inp = tf.input({"shape": [1]})
    out = LayerForTest({"name": "layer1"}).apply(inp)
    out = LayerForTest({"name": "layer2"}).apply(out)
    assert get_source_inputs(out) == [inp]
    input1 = tf.input({"shape": [1], "name": "input1"})
    input2 = tf.input({"shape": [1], "name": "input2"})
    layer = LayerForTest({})
    out1, out2 = layer.apply(input1), layer.apply(input2)
    assert get_source_inputs(out1) == [input1]
    assert get_source_inputs(out2) == [input2]


def _seq_dense(last_activation=None):
    model = tf.sequential()
    model.add(L.dense({"units": 2, "inputShape": [3], "activation": "relu"}))
    model.add(L.dense({"units": 1, **({"activation": last_activation} if last_activation else {})}))
    model.build([3, 3])
    return model


def test_dispose_sequential_model():
    # TF.js: 'LayersModel-dispose' > 'Dispose Sequential model frees memory', 'Dispose
    # Sequential model twice leads to Error', 'Dispose Sequential model with a Dropout'
    model = _seq_dense()
    assert model.dispose() == {"refCountAfterDispose": 0, "numDisposedVariables": 4}
    with pytest.raises(ValueError, match="Container .* already disposed"):
        model.dispose()
    model = _seq_dense()
    model.add(L.dropout({"rate": 0.8}))
    assert model.dispose() == {"refCountAfterDispose": 0, "numDisposedVariables": 4}


def test_using_disposed_sequential_model():
    # TF.js: 'LayersModel-dispose' > 'Using disposed Sequential model leads to Error'
    model = _seq_dense("sigmoid")
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    model.dispose()
    xs, ys = tf.zeros([3, 3]), tf.zeros([3, 1])
    with pytest.raises(ValueError, match="already disposed"):
        model.predict(xs)
    with pytest.raises(ValueError, match="already disposed"):
        model.evaluate(xs, ys)
    with pytest.raises(ValueError):
        model.fit(xs, ys)


def _two_output_model():
    inp = tf.input({"shape": [4]})
    dense1 = L.dense({"units": 3}).apply(inp)
    dense2 = L.dense({"units": 2, "useBias": False}).apply(inp)
    model = tf.model({"inputs": [inp], "outputs": [dense1, dense2]})
    model.predict(tf.zeros([2, 4]))
    return model


def test_dispose_functional_model():
    # TF.js: 'LayersModel-dispose' > 'Dispose functional model frees memory', 'Dispose
    # functional model twice leads to Error'
    model = _two_output_model()
    assert model.dispose() == {"refCountAfterDispose": 0, "numDisposedVariables": 3}
    with pytest.raises(ValueError, match="Container .* already disposed"):
        model.dispose()


def test_shared_layer_not_disposed():
    # TF.js: 'LayersModel-dispose' > 'Layer shared between two functional models is not
    # disposed'
    input1, input2 = tf.input({"shape": [4]}), tf.input({"shape": [4]})
    shared = L.dense({"units": 3, "activation": "relu"})
    own1 = L.dense({"units": 1, "useBias": False})
    own2 = L.dense({"units": 1, "useBias": False})
    model1 = tf.model({"inputs": [input1], "outputs": [own1.apply(shared.apply(input1))]})
    model2 = tf.model({"inputs": [input2], "outputs": [own2.apply(shared.apply(input2))]})
    model1.predict(tf.zeros([2, 4]))
    model2.predict(tf.zeros([2, 4]))
    xs = tf.zeros([2, 4])
    assert model1.dispose() == {"refCountAfterDispose": 0, "numDisposedVariables": 1}
    with pytest.raises(ValueError, match="already disposed"):
        model1.predict(xs)
    ys = model2.predict(xs)  # a list: lstmkit keeps a model's list of outputs a list
    assert list((ys[0] if isinstance(ys, list) else ys).shape) == [2, 1]
    assert model2.dispose() == {"refCountAfterDispose": 0, "numDisposedVariables": 3}
    with pytest.raises(ValueError, match="already disposed"):
        model1.predict(xs)
    with pytest.raises(ValueError, match="already disposed"):
        model2.predict(xs)


def test_dispose_nested_sequential_preserves_inner():
    # TF.js: 'LayersModel-dispose' > 'Disposing nested sequential model preserves the inner
    # model'
    inner = tf.sequential()
    inner.add(L.reshape({"targetShape": [10], "inputShape": [2, 5]}))
    inner.add(L.dense({"units": 6, "activation": "relu"}))
    inner.add(L.dense({"units": 4, "activation": "relu"}))
    outer = tf.sequential()
    outer.add(L.reshape({"targetShape": [2, 5], "inputShape": [5, 2]}))
    outer.add(inner)
    outer.add(L.dense({"units": 3, "activation": "softmax"}))
    xs_outer, xs_inner = tf.zeros([1, 5, 2]), tf.zeros([1, 2, 5])
    outer.predict(xs_outer)
    assert outer.dispose() == {"refCountAfterDispose": 0, "numDisposedVariables": 2}
    with pytest.raises(ValueError, match="Container .* already disposed"):
        outer.dispose()
    with pytest.raises(ValueError, match="already disposed"):
        outer.predict(xs_outer)
    assert list(inner.predict(xs_inner).shape) == [1, 4]
    assert inner.dispose() == {"refCountAfterDispose": 0, "numDisposedVariables": 4}
    with pytest.raises(ValueError, match="already disposed"):
        inner.predict(xs_inner)


def test_nested_model_gets_training_kwarg():
    # TF.js: 'LayersModel-dispose' > 'Nested model gets the correct kwargs' (TF.js's
    # setCallHook: here the layer's call is wrapped to record its keywords)
    inner = tf.sequential()
    layer = L.dense({"units": 1, "inputShape": [5], "activation": "sigmoid"})
    inner.add(layer)
    inp = tf.input({"shape": [5]})
    model = tf.model({"inputs": inp, "outputs": inner.apply(inp)})
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    kwargs_seen = []
    original = layer.call

    def recording_call(inputs, **kwargs):
        kwargs_seen.append(kwargs)
        return original(inputs, **kwargs)

    layer.call = recording_call
    from lstmkit.models.tape_free import use_tape_free_step

    old = use_tape_free_step(False)
    try:
        model.trainOnBatch(tf.ones([3, 5]), tf.ones([3, 1]))
    finally:
        use_tape_free_step(old)
    assert len(kwargs_seen) == 1
    assert kwargs_seen[0]["training"] is True
