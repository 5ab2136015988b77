"""TF.js's own training tests, ported: tfjs-layers 4.22 `src/engine/training_test.ts` (the data
helpers, predict, fit, evaluate, trainOnBatch, trainable, execute) and
`src/engine/training_weighted_test.ts` (fit and fitDataset with classWeight).

Each test names its TF.js `describe(...)` block and `it(...)` title in a comment (`# TF.js:
'<describe>' > '<it>'`); the expected numbers and error phrases are TF.js's. `close()` is TF.js's
`expectTensorsClose` (1e-3), `to_close()` Jasmine's `toBeCloseTo` (2 digits). TF.js's helpers
of `engine/training.ts` and `engine/training_tensors.ts` (`isDataTensor`, `standardizeInputData`,
`checkArrayLengths`, `collectMetrics`, `sliceArraysByIndices`, `makeBatches`) are
`lstmkit.models.training`'s. fit runs with `verbose: 0` where TF.js's test does not care (TF.js
in the browser prints nothing at its default either).

Skipped, with the reason:

- 'LayersModel.fit: No memory leak' (10 its) and 'LayersModel.predict and
  LayersModel.evaluate: No memory leak' (5 its): memory counts (`tf.memory().numTensors`
  before and after); lstmkit frees by reference counting. The numbers and lengths those tests
  also check are checked by the other tests here.
- The `memory().numTensors` lines inside other tests ('1D tensors as inputs', '1D tensor as
  inputs, targets and validationData', 'Categorical: Correctness and no memory leak', the
  classWeight tests, ...): the rest of each test is ported.
- 'Model.dispose() cleans up owned optimizer: Functional' and '...: Sequential': TF.js counts
  the optimizer's disposed variables as the drop in `tf.memory().numTensors`; the non-owned
  optimizer cases (the model's own variables) are ported.
- 'LayersModel.fit: yieldEvery' (7 its): a describeMathGPU block (WebGL only), and about
  yielding to the browser's event loop, which lstmkit accepts and ignores.

Ported to lstmkit's behaviour (Python has no un-awaited promise):

- 'Calling fit twice in a row leads to Error': the second fit starts while the first runs (from
  the first one's callback), and fails with TF.js's message.
- 'Correct training arg during fit/evaluate/predict': TF.js's test-only `setCallHook` on the
  Dropout layer is a Dropout subclass recording `training`; evaluate and predict pass TF.js's
  `undefined` as a false value.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_tfjs_recurrent_suite import close, to_close

import lstmkit as tf
from lstmkit.models.training import (
    checkArrayLengths,
    collectMetrics,
    isDataArray,
    isDataDict,
    isDataTensor,
    makeBatches,
    sliceArraysByIndices,
    standardizeInputData,
)

tfl = tf


def py_list_repeat(value, n):
    return [value] * n


# ================================================================================================
# describeMathCPU('isDataTensor' / 'isDataArray' / 'isDataDict')
# ================================================================================================
def test_is_data_tensor_positive_case():
    # TF.js: 'isDataTensor' > 'Positive case'
    assert isDataTensor(tf.tensor2d([[3.14]])) is True


def test_is_data_tensor_negative_cases():
    # TF.js: 'isDataTensor' > 'Negative cases'
    x = tf.tensor2d([[3.14]])
    assert isDataTensor([x, x]) is False
    assert isDataTensor({"Pie": x}) is False
    assert isDataTensor({}) is False


def test_is_data_array_positive_case():
    # TF.js: 'isDataArray' > 'Positive case'
    x = tf.tensor2d([[3.14]])
    assert isDataArray([x, x]) is True
    assert isDataArray([]) is True


def test_is_data_array_negative_cases():
    # TF.js: 'isDataArray' > 'Negative cases'
    x = tf.tensor2d([[3.14]])
    assert isDataArray(x) is False
    assert isDataArray({"Pie": x}) is False
    assert isDataArray({}) is False


def test_is_data_dict_positive_case():
    # TF.js: 'isDataDict' > 'Positive case'
    x = tf.tensor2d([[3.14]])
    assert isDataDict({"Pie": x}) is True
    assert isDataDict({}) is True


def test_is_data_dict_negative_cases():
    # TF.js: 'isDataDict' > 'Negative cases'
    x = tf.tensor2d([[3.14]])
    assert isDataDict(x) is False
    assert isDataDict([x, x]) is False
    assert isDataDict([]) is False


# ================================================================================================
# describeMathCPU('standardizeInputData')
# ================================================================================================
def get_x():
    return tf.tensor2d([[42]])


def get_y():
    return tf.tensor2d([[21]])


def test_standardize_input_data_singleton_tensor_array_of_one_name():
    # TF.js: 'standardizeInputData' > 'Singleton Tensor, Array of one name'
    outputs = standardizeInputData(get_x(), ["Foo"])
    assert len(outputs) == 1
    close(outputs[0], get_x())


def test_standardize_input_data_array_of_one_tensor_array_of_one_name():
    # TF.js: 'standardizeInputData' > 'Array of one Tensor, Array of one name'
    outputs = standardizeInputData([get_x()], ["Foo"])
    assert len(outputs) == 1
    close(outputs[0], get_x())


def test_standardize_input_data_array_of_two_tensors_array_of_two_names():
    # TF.js: 'standardizeInputData' > 'Array of two Tensors, Array of two names'
    outputs = standardizeInputData([get_x(), get_y()], ["Foo", "Bar"])
    assert len(outputs) == 2
    close(outputs[0], get_x())
    close(outputs[1], get_y())


def test_standardize_input_data_dict_of_two_tensors_array_of_two_names():
    # TF.js: 'standardizeInputData' > 'Dict of two Tensors, Array of two names'
    outputs = standardizeInputData({"Foo": get_x(), "Bar": get_y()}, ["Foo", "Bar"])
    assert len(outputs) == 2
    close(outputs[0], get_x())
    close(outputs[1], get_y())


@pytest.mark.parametrize(
    ("title", "data"),
    [
        ("Unexpected data leads to exception: singleton Tensor", lambda: get_x()),
        ("Unexpected data leads to exception: Array of two Tensors", lambda: [get_x(), get_y()]),
        ("Unexpected data leads to exception: Dict", lambda: {"Pie": get_x()}),
    ],
)
def test_standardize_input_data_unexpected_data(title, data):
    # TF.js: 'standardizeInputData' > title
    with pytest.raises(ValueError, match="expected no data"):
        standardizeInputData(data(), [])


def test_standardize_input_data_length_mismatch_1_singleton_vs_two_names():
    # TF.js: 'standardizeInputData' > 'Length mismatch: 1 singleton Scalar vs two names'
    with pytest.raises(ValueError, match=r"expects 2 Tensor.* but only received one"):
        standardizeInputData(get_x(), ["Foo", "Bar"])


def test_standardize_input_data_length_mismatch_array_of_2_vs_one_name():
    # TF.js: 'standardizeInputData' > 'Length mismatch: Array of 2 Scalars vs one name'
    with pytest.raises(ValueError, match="Expected to see 1 Tensor"):
        standardizeInputData([get_x(), tf.scalar(-42)], ["Foo"])


def test_standardize_input_data_length_mismatch_dict_of_1_vs_2_names():
    # TF.js: 'standardizeInputData' > 'Length mismatch: Dict of 1 Scalar vs 2 names'
    with pytest.raises(ValueError, match='No data provided for "Bar"'):
        standardizeInputData({"Foo": get_x()}, ["Foo", "Bar"])


def test_standardize_input_data_shape_mismatch():
    # TF.js: 'standardizeInputData' > 'Shape mismatch: input shape [1,1] vs expected shape [*,2]'
    with pytest.raises(
        ValueError, match=r" expected a batch of elements where each example has shape \[2\]"
    ):
        standardizeInputData(get_x(), ["Foo"], [[None, 2]])


# ================================================================================================
# describeMathCPU('checkArrayLengths')
# ================================================================================================
def test_check_array_lengths_batch_mismatch_in_inputs():
    # TF.js: 'checkArrayLengths' > 'Batch mismatch in inputs'
    inputs = [tf.zeros([2, 1]), tf.zeros([3, 1])]
    targets = [tf.zeros([2, 1]), tf.zeros([2, 1])]
    with pytest.raises(ValueError, match="All input .* should have the same number of samples"):
        checkArrayLengths(inputs, targets)


def test_check_array_lengths_batch_mismatch_in_targets():
    # TF.js: 'checkArrayLengths' > 'Batch mismatch in targets'
    inputs = [tf.zeros([2, 1]), tf.zeros([2, 1])]
    targets = [tf.zeros([2, 1]), tf.zeros([3, 1])]
    with pytest.raises(ValueError, match="All target .* should have the same number of samples"):
        checkArrayLengths(inputs, targets)


def test_check_array_lengths_batch_mismatch_between_inputs_and_targets():
    # TF.js: 'checkArrayLengths' > 'Batch mismatch between inputs and targets'
    inputs = [tf.zeros([2, 1]), tf.zeros([2, 1])]
    targets = [tf.zeros([3, 1]), tf.zeros([3, 1])]
    with pytest.raises(
        ValueError, match="Input Tensors should have the same number of samples as target"
    ):
        checkArrayLengths(inputs, targets)


# ================================================================================================
# describeMathCPUAndWebGL2('collectMetrics')
# ================================================================================================
def test_collect_metrics_shortcut_strings_name():
    # TF.js: 'collectMetrics' > 'shortcut strings name'
    collected = collectMetrics("mse", ["output"])
    assert collected == [["mse"]]


def test_collect_metrics_metric_function():
    # TF.js: 'collectMetrics' > 'metric function'
    metrics = tfl.metrics.meanSquaredError
    collected = collectMetrics(metrics, ["output"])
    assert len(collected) == 1 and len(collected[0]) == 1
    assert collected[0][0] is metrics


def test_collect_metrics_array_of_shortcut_string_names():
    # TF.js: 'collectMetrics' > 'Array of shortcut string names'
    assert collectMetrics(["mse", "crossentropy"], ["output"]) == [["mse", "crossentropy"]]


def test_collect_metrics_array_of_metric_functions():
    # TF.js: 'collectMetrics' > 'Array of metric functions'
    metrics = [tfl.metrics.meanSquaredError, tfl.metrics.precision]
    collected = collectMetrics(metrics, ["output"])
    assert len(collected) == 1 and len(collected[0]) == 2
    assert collected[0][0] is metrics[0]
    assert collected[0][1] is metrics[1]


def test_collect_metrics_array_mixing_names_and_functions():
    # TF.js: 'collectMetrics' > 'Array of mixing shortcut string names and metric functions'
    metrics = ["mse", tfl.metrics.precision]
    collected = collectMetrics(metrics, ["output"])
    assert len(collected) == 1 and len(collected[0]) == 2
    assert collected[0][0] == "mse"
    assert collected[0][1] is metrics[1]


def test_collect_metrics_dict_of_shortcut_string_names():
    # TF.js: 'collectMetrics' > 'Dict of shortcut string names'
    assert collectMetrics({"output": "mse"}, ["output"]) == [["mse"]]


def test_collect_metrics_dict_of_metric_functions():
    # TF.js: 'collectMetrics' > 'Dict of metric functions'
    metrics = {"output": tfl.metrics.meanSquaredError}
    collected = collectMetrics(metrics, ["output"])
    assert len(collected) == 1 and len(collected[0]) == 1
    assert collected[0][0] is metrics["output"]


def test_collect_metrics_metrics_null():
    # TF.js: 'collectMetrics' > 'metrics null'
    assert collectMetrics(None, ["output"]) == [[]]


def test_collect_metrics_metrics_is_array_length_0():
    # TF.js: 'collectMetrics' > 'metrics is array, length = 0'
    assert collectMetrics([], ["output"]) == [[]]


def test_collect_metrics_multiple_output_names():
    # TF.js: 'collectMetrics' > 'multiple output names'
    assert collectMetrics(["mse"], ["output1", "output2"]) == [["mse"], ["mse"]]


# ================================================================================================
# describeMathCPUAndGPU('sliceArraysByIndices') / describe('makeBatches')
# ================================================================================================
def test_slice_arrays_by_indices_single_2d():
    # TF.js: 'sliceArraysByIndices' > 'Single 2D'
    x = tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2])
    y = sliceArraysByIndices(x, tf.tensor1d([0, 2]))
    close(y, tf.tensor2d([[1, 2], [5, 6]], [2, 2]))


def test_slice_arrays_by_indices_array_of_two_2ds():
    # TF.js: 'sliceArraysByIndices' > 'Array of two 2Ds'
    xs = [
        tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2]),
        tf.tensor2d([[10, 20], [30, 40], [50, 60]], [3, 2]),
    ]
    ys = sliceArraysByIndices(xs, tf.tensor1d([0, 2]))
    assert len(ys) == 2
    close(ys[0], tf.tensor2d([[1, 2], [5, 6]], [2, 2]))
    close(ys[1], tf.tensor2d([[10, 20], [50, 60]], [2, 2]))


def test_slice_arrays_by_indices_array_of_two_3ds():
    # TF.js: 'sliceArraysByIndices' > 'Array of two 3Ds'
    xs = [
        tf.tensor3d([[[1]], [[2]], [[3]]], [3, 1, 1]),
        tf.tensor3d([[[10]], [[20]], [[30]]], [3, 1, 1]),
    ]
    ys = sliceArraysByIndices(xs, tf.tensor1d([0, 2]))
    assert len(ys) == 2
    close(ys[0], tf.tensor3d([[[1]], [[3]]], [2, 1, 1]))
    close(ys[1], tf.tensor3d([[[10]], [[30]]], [2, 1, 1]))


def test_slice_arrays_by_indices_null_array_input():
    # TF.js: 'sliceArraysByIndices' > 'null array input'
    assert sliceArraysByIndices(None, tf.tensor1d([0, 2])) is None


def test_slice_arrays_by_indices_casts_indices_automatically():
    # TF.js: 'sliceArraysByIndices' > 'casts indices automatically'
    x = tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2])
    y = sliceArraysByIndices(x, tf.tensor1d([0.1, 2.0], "float32"))
    close(y, tf.tensor2d([[1, 2], [5, 6]], [2, 2]))


def test_make_batches_divisible():
    # TF.js: 'makeBatches' > 'divisible'
    assert makeBatches(6, 3) == [[0, 3], [3, 6]]


def test_make_batches_indivisible():
    # TF.js: 'makeBatches' > 'indivisible'
    assert makeBatches(7, 3) == [[0, 3], [3, 6], [6, 7]]
    assert makeBatches(2, 4) == [[0, 2]]


def test_make_batches_empty_size():
    # TF.js: 'makeBatches' > 'empty size'
    assert makeBatches(0, 4) == []


# ================================================================================================
# describeMathCPUAndGPU('LayersModel.predict')
# ================================================================================================
def _reshape_model(name, input_name="inputLayer1"):
    input_tensor = tfl.layers.input({"shape": [3, 4], "name": input_name, "dtype": "float32"})
    output = tfl.layers.reshape({"targetShape": [2, 6]}).apply(input_tensor)
    return tfl.LayersModel({"inputs": [input_tensor], "outputs": [output], "name": name})


def test_predict_1_input_1_output():
    # TF.js: 'LayersModel.predict' > '1 input, 1 output'
    model = _reshape_model("model1x1")
    ys = model.predict(tf.ones([10, 3, 4]), {"batchSize": 4})
    close(ys, tf.ones([10, 2, 6]))


def test_predict_1d_tensors_as_inputs():
    # TF.js: 'LayersModel.predict' > '1D tensors as inputs' (memory count not ported)
    model = tfl.sequential()
    model.add(tfl.layers.dense({"units": 1, "inputShape": [1]}))
    xs = tf.ones([10])
    tf.dispose(model.predict(xs, {"batchSize": 4}))
    ys = model.predict(xs, {"batchSize": 4})
    assert list(ys.shape) == [10, 1]


def test_predict_1_input_1_output_tensor_as_input_argument():
    # TF.js: 'LayersModel.predict' > '1 input, 1 output, tensor as input argument'
    model = _reshape_model("model1x1")
    close(model.predict(tf.ones([10, 3, 4])), tf.ones([10, 2, 6]))


def test_predict_1_input_as_array_1_output():
    # TF.js: 'LayersModel.predict' > '1 input as Array, 1 output'
    model = _reshape_model("model1x1")
    close(model.predict([tf.ones([10, 3, 4])], {"batchSize": 4}), tf.ones([10, 2, 6]))


def test_predict_1_input_2_outputs():
    # TF.js: 'LayersModel.predict' > '1 input, 2 outputs'
    input_tensor = tfl.layers.input({"shape": [3, 4], "name": "inputLayer2", "dtype": "float32"})
    output1 = tfl.layers.reshape({"targetShape": [2, 6]}).apply(input_tensor)
    output2 = tfl.layers.flatten().apply(output1)
    model = tfl.LayersModel(
        {"inputs": [input_tensor], "outputs": [output1, output2], "name": "model1x2"}
    )
    ys = model.predict(tf.ones([10, 3, 4]), {"batchSize": 4})
    assert len(ys) == 2
    close(ys[0], tf.ones([10, 2, 6]))
    close(ys[1], tf.ones([10, 12]))


def _two_by_two_model(name, n1="inputLayer3", n2="inputLayer4"):
    input1 = tfl.layers.input({"shape": [3, 4], "name": n1, "dtype": "float32"})
    input2 = tfl.layers.input({"shape": [3, 3], "name": n2, "dtype": "float32"})
    output1 = tfl.layers.reshape({"targetShape": [2, 6]}).apply(input1)
    output2 = tfl.layers.flatten().apply(input2)
    return tfl.LayersModel(
        {"inputs": [input1, input2], "outputs": [output1, output2], "name": name}
    )


def test_predict_2_inputs_2_outputs():
    # TF.js: 'LayersModel.predict' > '2 inputs, 2 outputs'
    model = _two_by_two_model("model2x2")
    ys = model.predict([tf.ones([10, 3, 4]), tf.ones([10, 3, 3])], {"batchSize": 4})
    assert len(ys) == 2
    close(ys[0], tf.ones([10, 2, 6]))
    close(ys[1], tf.ones([10, 9]))


def test_predict_incorrect_number_of_inputs_1_vs_2():
    # TF.js: 'LayersModel.predict' > 'Incorrect number of inputs leads to exception: 1 vs 2'
    model = _reshape_model("model_inc_1x1", "inputLayer_inc_1")
    xs1 = tf.ones([10, 3, 4])
    with pytest.raises(ValueError, match=r".*Expected.*1 Tensor.*got 2 Tensor.*"):
        model.predict([xs1, xs1])


def test_predict_incorrect_number_of_inputs_2_vs_3():
    # TF.js: 'LayersModel.predict' > 'Incorrect number of inputs leads to exception: 2 vs 3'
    model = _two_by_two_model("model_inc_2x2", "inputLayer_inc_3", "inputLayer_inc_4")
    xs1 = tf.ones([10, 3, 4])
    with pytest.raises(ValueError, match=r".*Expected.*2 Tensor.*got 3 Tensor.*"):
        model.predict([xs1, xs1, xs1])


def test_predict_incorrect_input_shape():
    # TF.js: 'LayersModel.predict' > 'Incorrect input shape leads to exception'
    model = _reshape_model("model_inc_1x1", "inputLayer_inc_1")
    with pytest.raises(ValueError, match=r".*expected.* shape \[null,3,4\].*but got.*\[2,4,3\]"):
        model.predict(tf.ones([2, 4, 3]))


BAD_BATCH_SIZES = [(0, "0"), (-2, "-2"), (3.14, r"3\.14"), ("a", "a")]


def test_predict_invalid_batch_size_value():
    # TF.js: 'LayersModel.predict' > 'Invalid batchSize value leads to Error'
    model = tfl.sequential({"layers": [tfl.layers.dense({"units": 1, "inputShape": [2]})]})
    xs = tf.zeros([5, 2])
    for value, text in BAD_BATCH_SIZES:
        with pytest.raises(
            ValueError, match=f"batchSize is required to be a positive integer, but got {text}"
        ):
            model.predict(xs, {"batchSize": value})


# ================================================================================================
# describeMathCPUAndWebGL2('LayersModel.fit long')
# ================================================================================================
def test_fit_long_return_sequences_fit_with_metric():
    # TF.js: 'LayersModel.fit long' > 'Return sequences; Fit with metric'
    sequence_length, input_size, data_size, output_size = 3, 4, 16, 2
    simple_rnn = tfl.layers.simpleRNN(
        {
            "units": output_size,
            "kernelInitializer": "ones",
            "recurrentInitializer": "ones",
            "useBias": False,
            "returnSequences": True,
        }
    )
    time_distributed = tfl.layers.timeDistributed(
        {
            "layer": tfl.layers.dense(
                {"units": output_size, "kernelInitializer": "ones", "useBias": False}
            )
        }
    )
    inp = tfl.layers.input({"shape": [sequence_length, input_size]})
    output = time_distributed.apply(simple_rnn.apply(inp))
    model = tfl.LayersModel({"inputs": inp, "outputs": output})
    model.compile({"optimizer": "sgd", "loss": "categoricalCrossentropy", "metrics": ["accuracy"]})
    history = model.fit(
        tf.ones([data_size, sequence_length, input_size]),
        tf.ones([data_size, sequence_length, output_size]),
        {"batchSize": 3, "epochs": 1, "validationSplit": 0.5, "verbose": 0},
    )
    close(history.history["loss"], [1.3862943649291992])
    close(history.history["val_loss"], [1.3862943649291992])
    close(history.history["acc"], [1.0])
    close(history.history["val_acc"], [1.0])


# ================================================================================================
# describeMathCPUAndWebGL2('LayersModel.fit')
# ================================================================================================
INPUT_SIZE = 4
INPUT_SIZE1 = 3
INPUT_SIZE2 = 4
NUM_SAMPLES = 5


class Fixture:
    """TF.js's describe-level state and its create* functions."""

    def __init__(self):
        self.input_tensor = tfl.layers.input(
            {"shape": [INPUT_SIZE], "name": "inputLayer1", "dtype": "float32"}
        )
        self.input_tensor1 = tfl.layers.input(
            {"shape": [INPUT_SIZE1], "name": "inputLayer1of2", "dtype": "float32"}
        )
        self.input_tensor2 = tfl.layers.input(
            {"shape": [INPUT_SIZE2], "name": "inputLayer2of2", "dtype": "float32"}
        )

    def dense_model_and_data(self, use_bias=False, kernel_regularizer=None):
        layer = tfl.layers.dense(
            {
                "units": 1,
                "useBias": use_bias,
                "kernelInitializer": "ones",
                "kernelRegularizer": kernel_regularizer,
            }
        )
        output = layer.apply(self.input_tensor)
        self.model = tfl.LayersModel({"inputs": [self.input_tensor], "outputs": [output]})
        self.inputs = tf.ones([NUM_SAMPLES, INPUT_SIZE])
        self.targets = tf.ones([NUM_SAMPLES, 1])
        return self.model

    def dense_categorical_model_and_data(self, use_bias=False):
        layer = tfl.layers.dense({"units": 2, "useBias": use_bias, "kernelInitializer": "ones"})
        output = layer.apply(self.input_tensor)
        self.model = tfl.LayersModel({"inputs": [self.input_tensor], "outputs": [output]})
        self.inputs = tf.ones([NUM_SAMPLES, INPUT_SIZE])
        self.targets = tf.oneHot(tf.ones([NUM_SAMPLES], "int32"), 2).cast("float32")
        return self.model

    def two_layer_dense_model_and_data(self, use_bias=False):
        layer1 = tfl.layers.dense({"units": 10, "useBias": use_bias, "kernelInitializer": "ones"})
        layer2 = tfl.layers.dense({"units": 1, "useBias": use_bias, "kernelInitializer": "ones"})
        output = layer2.apply(layer1.apply(self.input_tensor))
        self.model = tfl.LayersModel({"inputs": [self.input_tensor], "outputs": [output]})
        self.inputs = tf.ones([NUM_SAMPLES, INPUT_SIZE])
        self.targets = tf.ones([NUM_SAMPLES, 1])
        return layer1, layer2

    def dense_model_with_two_outputs_and_data(self):
        layer1 = tfl.layers.dense({"units": 1, "useBias": False, "kernelInitializer": "ones"})
        layer2 = tfl.layers.dense({"units": 1, "useBias": False, "kernelInitializer": "ones"})
        output1 = layer1.apply(self.input_tensor1)
        output2 = layer2.apply(self.input_tensor2)
        self.two_output_model = tfl.LayersModel(
            {"inputs": [self.input_tensor1, self.input_tensor2], "outputs": [output1, output2]}
        )
        self.inputs1 = tf.ones([NUM_SAMPLES, INPUT_SIZE1])
        self.inputs2 = tf.ones([NUM_SAMPLES, INPUT_SIZE2])
        self.targets1 = tf.ones([NUM_SAMPLES, 1])
        self.targets2 = tf.ones([NUM_SAMPLES, 1])
        return self.two_output_model


@pytest.fixture
def fx():
    return Fixture()


def test_fit_1_input_1_output_dense_1_weight_string_optimizer_1_batch(fx):
    # TF.js: 'LayersModel.fit' > '1 input, 1 output, dense, 1 weight, string optimizer, 1 batch'
    model = fx.dense_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    history = model.fit(
        fx.inputs, fx.targets, {"batchSize": NUM_SAMPLES, "epochs": 1, "verbose": 0}
    )
    assert history.epoch == [0]
    lr = 0.01
    expected = py_list_repeat([1.0 - (INPUT_SIZE - 1) * 2 * lr], INPUT_SIZE)
    close(model.trainableWeights[0].read(), tf.tensor2d(expected, [INPUT_SIZE, 1]))


def test_fit_1d_tensor_as_inputs_targets_and_validation_data(fx):
    # TF.js: 'LayersModel.fit' > '1D tensor as inputs, targets and validationData'
    # (the memory counts not ported)
    model = tfl.sequential()
    model.add(tfl.layers.dense({"units": 1, "inputShape": [1]}))
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    inputs, targets = tf.ones([NUM_SAMPLES]), tf.ones([NUM_SAMPLES])
    val = [tf.ones([NUM_SAMPLES]), tf.ones([NUM_SAMPLES])]
    options = {"batchSize": NUM_SAMPLES, "epochs": 2, "validationData": val, "verbose": 0}
    model.fit(inputs, targets, options)
    for _ in range(2):
        history = model.fit(inputs, targets, options)
        assert history.epoch == [0, 1]
        assert len(history.history["loss"]) == 2
        assert len(history.history["val_loss"]) == 2


def test_fit_training_with_cosine_proximity_loss(fx):
    # TF.js: 'LayersModel.fit' > 'training with cosineProximity loss'
    model = fx.dense_categorical_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "cosineProximity"})
    history = model.fit(
        fx.inputs,
        fx.targets,
        {"batchSize": NUM_SAMPLES, "epochs": 2, "validationSplit": 0.2, "verbose": 0},
    )
    assert history.epoch == [0, 1]
    close(history.history["loss"], [-0.70710688829422, -0.7077317237854004])
    close(history.history["val_loss"], [-0.70710688829422, -0.7077317237854004])


def test_fit_training_with_custom_loss(fx):
    # TF.js: 'LayersModel.fit' > 'training with custom loss'
    model = fx.dense_model_and_data()

    def abs_diff_loss(x, y):
        return tf.mean(tf.abs(x.sub(y)))

    model.compile({"optimizer": "SGD", "loss": abs_diff_loss})
    history = model.fit(
        fx.inputs,
        fx.targets,
        {"batchSize": NUM_SAMPLES, "epochs": 2, "validationSplit": 0.2, "verbose": 0},
    )
    close(history.history["loss"], [3, 2.96])
    close(history.history["val_loss"], [2.96, 2.92])


def test_fit_using_only_x_and_y_input_arguments(fx):
    # TF.js: 'LayersModel.fit' > 'Using only x and y input arguments'
    model = fx.dense_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    history = model.fit(fx.inputs, fx.targets, {"epochs": 10, "verbose": 0})
    assert history.epoch == list(range(10))


def test_fit_default_epochs_is_1(fx, capsys):
    # TF.js: 'LayersModel.fit' > 'Default LayersModel.fit epochs is 1'
    model = fx.dense_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    history = model.fit(fx.inputs, fx.targets)
    assert history.epoch == [0]


def test_fit_2_epochs(fx):
    # TF.js: 'LayersModel.fit' > '1 input, 1 output, dense, 1 weight, string optimizer, 2 epochs'
    model = fx.dense_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    history = model.fit(
        fx.inputs, fx.targets, {"batchSize": NUM_SAMPLES, "epochs": 2, "verbose": 0}
    )
    assert history.epoch == [0, 1]


def test_fit_2_epochs_1_initial_epoch(fx):
    # TF.js: 'LayersModel.fit' > '1 input, 1 output, dense, 1 weight, string optimizer, 2 epochs,
    #        1 initialEpoch'
    model = fx.dense_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    history = model.fit(
        fx.inputs,
        fx.targets,
        {"batchSize": NUM_SAMPLES, "epochs": 2, "initialEpoch": 1, "verbose": 0},
    )
    assert history.epoch == [1]
    assert len(history.history["loss"]) == 1


def test_fit_training_with_dropout_layer():
    # TF.js: 'LayersModel.fit' > 'Training with Dropout layer'
    input_size, batch_size = 2, 4
    inp = tfl.layers.input({"shape": [input_size]})
    dense1 = tfl.layers.dense({"units": 2, "kernelInitializer": "ones", "useBias": False})
    dropout = tfl.layers.dropout({"rate": 0.5})
    dense2 = tfl.layers.dense({"units": 1, "kernelInitializer": "ones", "useBias": False})
    output = dense2.apply(dropout.apply(dense1.apply(inp)))
    model = tfl.LayersModel({"inputs": inp, "outputs": output})
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    x, y = tf.ones([batch_size, input_size]), tf.ones([batch_size, 1])
    model.fit(x, y, {"batchSize": batch_size, "epochs": 1, "verbose": 0})


def test_fit_calling_fit_twice_in_a_row_leads_to_error(fx):
    # TF.js: 'LayersModel.fit' > 'Calling fit twice in a row leads to Error' (the second fit
    # starts while the first is running: from its callback)
    model = fx.dense_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    caught = []

    def on_epoch_end(epoch, logs):
        try:
            model.fit(fx.inputs, fx.targets)
        except ValueError as err:
            caught.append(str(err))

    history = model.fit(
        fx.inputs,
        fx.targets,
        {
            "batchSize": NUM_SAMPLES,
            "epochs": 8,
            "verbose": 0,
            "callbacks": {"onEpochEnd": on_epoch_end},
        },
    )
    assert caught[0] == "Cannot start training because another fit() call is ongoing."
    assert len(caught) == 8 and history.epoch == list(range(8))


@pytest.mark.parametrize("validation_split", [0.2, 0.01])
def test_fit_2_epochs_validation_split(fx, validation_split):
    # TF.js: 'LayersModel.fit' > '1 input, 1 output, dense, 1 weight, string optimizer, 2 epochs,
    #        validationSplit=${validationSplit}'
    model = fx.dense_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    history = model.fit(
        fx.inputs,
        fx.targets,
        {"batchSize": NUM_SAMPLES, "epochs": 2, "validationSplit": validation_split, "verbose": 0},
    )
    assert history.epoch == [0, 1]
    close(history.history["loss"], [9, 7.617599964141846])
    close(history.history["val_loss"], [7.617599964141846, 6.447536945343018])


def test_fit_2_epochs_use_validation_data(fx):
    # TF.js: 'LayersModel.fit' > '... 2 epochs, use validationData'
    model = fx.dense_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    history = model.fit(
        fx.inputs,
        fx.targets,
        {
            "batchSize": NUM_SAMPLES,
            "epochs": 2,
            "validationData": [tf.zeros(fx.inputs.shape), fx.targets],
            "verbose": 0,
        },
    )
    assert history.epoch == [0, 1]
    assert len(history.history["val_loss"]) == 2
    close(history.history["loss"], [9, 7.617599964141846])


def test_fit_validation_split_with_additional_metric(fx):
    # TF.js: 'LayersModel.fit' > '... 2 epochs, validationSplit = 0.2, with additional metric'
    model = fx.dense_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError", "metrics": ["accuracy"]})
    assert model.metricsNames == ["loss", "acc"]
    history = model.fit(
        fx.inputs,
        fx.targets,
        {"batchSize": NUM_SAMPLES, "epochs": 2, "validationSplit": 0.2, "verbose": 0},
    )
    assert history.epoch == [0, 1]
    close(history.history["loss"], [9, 7.617599964141846])
    close(history.history["val_loss"], [7.617599964141846, 6.447536945343018])


@pytest.mark.parametrize("metrics", [["acc"], ["accuracy"]])
def test_fit_categorical_crossentropy_validation_split_accuracy(fx, metrics):
    # TF.js: 'LayersModel.fit' > `categoricalCrossentropy model, validationSplit = 0.2,
    #        ${JSON.stringify(metrics)}`
    model = fx.dense_categorical_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "categoricalCrossentropy", "metrics": metrics})
    assert model.metricsNames == ["loss", "acc"]
    history = model.fit(
        fx.inputs,
        fx.targets,
        {"batchSize": NUM_SAMPLES, "epochs": 2, "validationSplit": 0.2, "verbose": 0},
    )
    close(history.history["loss"], [0.6931471824645996, 0.6918979287147522])
    close(history.history["val_loss"], [0.6918979287147522, 0.6906517744064331])
    close(history.history["acc"], [0, 1])
    close(history.history["val_acc"], [1, 1])


def test_fit_categorical_crossentropy_mse_metric_function(fx):
    # TF.js: 'LayersModel.fit' > 'categoricalCrossentropy model, validationSplit = 0.2,
    #        tf.metrics.meanSquareError metric function'
    model = fx.dense_categorical_model_and_data()
    model.compile(
        {
            "optimizer": "SGD",
            "loss": "categoricalCrossentropy",
            "metrics": tfl.metrics.meanSquaredError,
        }
    )
    assert model.metricsNames == ["loss", "meanSquaredError"]
    history = model.fit(
        fx.inputs,
        fx.targets,
        {"batchSize": NUM_SAMPLES, "epochs": 2, "validationSplit": 0.2, "verbose": 0},
    )
    close(history.history["loss"], [0.6931471824645996, 0.6918979287147522])
    close(history.history["meanSquaredError"], [12.5, 12.495024681091309])


def test_fit_categorical_crossentropy_mse_metric_function_and_acc(fx):
    # TF.js: 'LayersModel.fit' > 'categoricalCrossentropy model, validationSplit = 0.2,
    #        tf.metrics.meanSquareError metric function && acc'
    model = fx.dense_categorical_model_and_data()
    model.compile(
        {
            "optimizer": "SGD",
            "loss": "categoricalCrossentropy",
            "metrics": [tfl.metrics.meanSquaredError, "acc"],
        }
    )
    assert model.metricsNames == ["loss", "meanSquaredError", "acc"]
    history = model.fit(
        fx.inputs,
        fx.targets,
        {"batchSize": NUM_SAMPLES, "epochs": 2, "validationSplit": 0.2, "verbose": 0},
    )
    close(history.history["loss"], [0.6931471824645996, 0.6918979287147522])
    close(history.history["meanSquaredError"], [12.5, 12.495024681091309])
    close(history.history["acc"], [0, 1])


def test_fit_two_layers_freeze_one_layer(fx):
    # TF.js: 'LayersModel.fit' > 'Two layers, freeze one layer'
    layer1, layer2 = fx.two_layer_dense_model_and_data()
    model = fx.model
    optimizer = tf.SGDOptimizer(1e-2)
    model.compile({"optimizer": optimizer, "loss": "meanSquaredError"})
    options = {"batchSize": NUM_SAMPLES, "epochs": 2, "validationSplit": 0.2, "verbose": 0}
    history = model.fit(fx.inputs, fx.targets, options)
    close(history.history["loss"], [1521.0, 386.35842895507812])
    close(history.history["val_loss"], [386.35848999023438, 1808.7342529296875])
    close(layer1.getWeights()[0], tf.mul(tf.scalar(-0.61341441), tf.ones([4, 10])))
    close(layer2.getWeights()[0], tf.mul(tf.scalar(-1.77405429), tf.ones([10, 1])))

    layer1.trainable = False
    model.compile({"optimizer": optimizer, "loss": "meanSquaredError"})
    history = model.fit(fx.inputs, fx.targets, options)
    close(history.history["loss"], [1808.7342529296875, 75.336509704589844])
    close(history.history["val_loss"], [75.336524963378906, 3.1378798484802246])
    close(layer1.getWeights()[0], tf.mul(tf.scalar(-0.61341441), tf.ones([4, 10])))
    close(layer2.getWeights()[0], tf.mul(tf.scalar(-0.11295), tf.ones([10, 1])))


def test_fit_setting_trainable_of_layer_from_fit_callback():
    # TF.js: 'LayersModel.fit' > 'Setting trainable of layer from fit callback'
    model = tfl.sequential()
    model.add(
        tfl.layers.dense(
            {"units": 3, "activation": "relu", "inputShape": [4], "kernelInitializer": "ones"}
        )
    )
    model.add(tfl.layers.dense({"units": 1, "kernelInitializer": "ones"}))
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    assert len(model.trainableWeights) == 4
    layer1_values, layer2_values = [], []
    checked = []

    async def on_epoch_end(epoch, logs):
        layer1_values.append(np.array(model.layers[0].getWeights()[0].dataSync()))
        layer2_values.append(np.array(model.layers[1].getWeights()[0].dataSync()))
        if epoch == 1:
            model.layers[0].trainable = False
        elif epoch == 2:
            model.layers[0].trainable = True
        if epoch > 0:
            assert np.abs(layer2_values[epoch] - layer2_values[epoch - 1]).max() > 0
        if epoch == 2:
            assert np.abs(layer1_values[epoch] - layer1_values[epoch - 1]).max() == 0
        elif epoch > 0:
            assert np.abs(layer1_values[epoch] - layer1_values[epoch - 1]).max() > 0
        checked.append(epoch)

    model.fit(
        tf.ones([5, 4]),
        tf.ones([5, 1]),
        {"epochs": 3, "verbose": 0, "callbacks": {"onEpochEnd": on_epoch_end}},
    )
    assert checked == [0, 1, 2]


def test_fit_unknown_metric(fx):
    # TF.js: 'LayersModel.fit' > 'Unknown metric'
    model = fx.dense_categorical_model_and_data()
    with pytest.raises(ValueError, match="Unknown metric foo"):
        model.compile({"optimizer": "SGD", "loss": "categoricalCrossentropy", "metrics": ["foo"]})


def test_fit_dense_2_weights_string_optimizer_1_batch(fx):
    # TF.js: 'LayersModel.fit' > '1 input, 1 output, dense, 2 weights, string optimizer, 1 batch'
    model = fx.dense_model_and_data(True)
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    history = model.fit(
        fx.inputs, fx.targets, {"batchSize": NUM_SAMPLES, "epochs": 1, "verbose": 0}
    )
    assert history.epoch == [0]
    assert len(model.trainableWeights) == 2
    lr = 0.01
    expected_kernel = py_list_repeat([1.0 - (INPUT_SIZE - 1) * 2 * lr], INPUT_SIZE)
    close(model.trainableWeights[0].read(), tf.tensor2d(expected_kernel, [INPUT_SIZE, 1]))
    close(model.trainableWeights[1].read(), tf.tensor1d([0.0 - (INPUT_SIZE - 1) * 2 * lr]))


def test_fit_dense_1_weight_optimizer_object_1_batch(fx):
    # TF.js: 'LayersModel.fit' > '1 input, 1 output, dense, 1 weight, optimizer object, 1 batch'
    model = fx.dense_model_and_data()
    lr = 0.025
    model.compile({"optimizer": tf.SGDOptimizer(lr), "loss": "meanSquaredError"})
    history = model.fit(
        fx.inputs, fx.targets, {"batchSize": NUM_SAMPLES, "epochs": 1, "verbose": 0}
    )
    assert history.epoch == [0]
    expected = py_list_repeat([1.0 - (INPUT_SIZE - 1) * 2 * lr], INPUT_SIZE)
    close(model.trainableWeights[0].read(), tf.tensor2d(expected, [INPUT_SIZE, 1]))


def test_fit_2_outputs_losses_by_output_name():
    # TF.js: 'LayersModel.fit' > '2 outputs, losses by output name'
    input1 = tfl.input({"shape": [2]})
    output1 = tfl.layers.dense({"units": 1, "kernelInitializer": "ones", "useBias": False}).apply(
        input1
    )
    output2 = tfl.layers.dense({"units": 1, "kernelInitializer": "ones", "useBias": False}).apply(
        input1
    )
    model = tfl.model({"inputs": input1, "outputs": [output1, output2]})
    loss = {model.outputNames[0]: "meanSquaredError", model.outputNames[1]: "meanAbsoluteError"}
    model.compile({"loss": loss, "optimizer": "sgd"})
    history = model.fit(
        tf.ones([2, 2]), [tf.zeros([2, 1]), tf.zeros([2, 1])], {"epochs": 1, "verbose": 0}
    )
    to_close(history.history["loss"][0], 6)
    to_close(history.history[f"{model.outputNames[0]}_loss"][0], 4)
    to_close(history.history[f"{model.outputNames[1]}_loss"][0], 2)


def test_fit_2_inputs_2_outputs_dense_optimizer_object_1_batch(fx):
    # TF.js: 'LayersModel.fit' > '2 inputs, 2 outputs, dense, optimizer object, 1 batch'
    model = fx.dense_model_with_two_outputs_and_data()
    lr = 0.01
    model.compile(
        {"optimizer": tf.SGDOptimizer(lr), "loss": ["meanSquaredError", "meanSquaredError"]}
    )
    model.fit(
        [fx.inputs1, fx.inputs2],
        [fx.targets1, fx.targets2],
        {"batchSize": NUM_SAMPLES, "epochs": 1, "verbose": 0},
    )
    assert len(model.trainableWeights) == 2
    expected1 = py_list_repeat([1.0 - (INPUT_SIZE1 - 1) * 2 * lr], INPUT_SIZE1)
    close(model.trainableWeights[0].read(), tf.tensor2d(expected1, [INPUT_SIZE1, 1]))
    expected2 = py_list_repeat([1.0 - (INPUT_SIZE2 - 1) * 2 * lr], INPUT_SIZE2)
    close(model.trainableWeights[1].read(), tf.tensor2d(expected2, [INPUT_SIZE2, 1]))


@pytest.mark.parametrize("is_args", [False, True])
@pytest.mark.parametrize("is_array", [False, True])
def test_fit_with_custom_callback_object(fx, is_args, is_array):
    # TF.js: 'LayersModel.fit' > `Fit with custom callback object: isConfig=${isArgs},
    #        isArray=${isArray}`
    model = fx.dense_model_and_data()
    train_begin_logs, train_end_logs = [], []
    epoch_begin_epochs, epoch_end_epochs = [], []
    batch_begin_batches, batch_end_batches = [], []
    batch_end_losses, epoch_end_losses = [], []

    async def on_train_begin(logs=None):
        train_begin_logs.append(logs)

    async def on_train_end(logs=None):
        train_end_logs.append(logs)

    async def on_epoch_begin(epoch, logs=None):
        epoch_begin_epochs.append(epoch)

    async def on_epoch_end(epoch, logs=None):
        epoch_end_epochs.append(epoch)
        epoch_end_losses.append(logs["loss"])

    async def on_batch_begin(batch, logs=None):
        batch_begin_batches.append(batch)

    async def on_batch_end(batch, logs=None):
        batch_end_batches.append(batch)
        batch_end_losses.append(logs["loss"])

    args = {
        "onTrainBegin": on_train_begin,
        "onTrainEnd": on_train_end,
        "onEpochBegin": on_epoch_begin,
        "onEpochEnd": on_epoch_end,
        "onBatchBegin": on_batch_begin,
        "onBatchEnd": on_batch_end,
    }
    custom_callback = args if is_args else tf.CustomCallback(args)
    model.compile({"optimizer": "sgd", "loss": "meanSquaredError"})
    model.fit(
        fx.inputs,
        fx.targets,
        {
            "batchSize": 2,
            "epochs": 2,
            "verbose": 0,
            "callbacks": [custom_callback] if is_array else custom_callback,
        },
    )
    assert len(train_begin_logs) == 1
    assert len(train_end_logs) == 1
    assert epoch_begin_epochs == [0, 1]
    assert epoch_end_epochs == [0, 1]
    assert batch_begin_batches == [0, 1, 2, 0, 1, 2]
    assert batch_end_batches == [0, 1, 2, 0, 1, 2]
    assert len(batch_end_losses) == 6
    for i in range(1, 6):
        assert batch_end_losses[i] < batch_end_losses[i - 1]
    assert len(epoch_end_losses) == 2
    assert epoch_end_losses[1] < epoch_end_losses[0]


def test_fit_using_custom_regularizer(fx):
    # TF.js: 'LayersModel.fit' > 'Using custom regularizer'
    model = fx.dense_model_and_data(False, tfl.regularizers.l1l2({"l1": 1, "l2": 1}))
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    history = model.fit(
        fx.inputs, fx.targets, {"batchSize": NUM_SAMPLES, "epochs": 2, "verbose": 0}
    )
    close(model.layers[1].getWeights()[0], tf.tensor2d([0.829, 0.829, 0.829, 0.829], [4, 1]))
    assert len(history.history["loss"]) == 2
    to_close(history.history["loss"][0], 17)
    to_close(history.history["loss"][1], 13.92)


def test_fit_using_string_regularizer(fx):
    # TF.js: 'LayersModel.fit' > 'Using string regularizer'
    model = fx.dense_model_and_data(False, "l1l2")
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    history = model.fit(
        fx.inputs, fx.targets, {"batchSize": NUM_SAMPLES, "epochs": 2, "verbose": 0}
    )
    close(model.layers[1].getWeights()[0], tf.tensor2d([0.884, 0.884, 0.884, 0.884], [4, 1]))
    assert len(history.history["loss"]) == 2
    to_close(history.history["loss"][0], 9.08)
    to_close(history.history["loss"][1], 7.68)


def test_fit_and_then_set_weights_to_new_weights(fx):
    # TF.js: 'LayersModel.fit' > 'and then set weights to new weights'
    model = fx.dense_model_and_data(False, "l1l2")
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    model.fit(fx.inputs, fx.targets, {"batchSize": NUM_SAMPLES, "epochs": 2, "verbose": 0})
    w = tf.zeros([4, 1])
    model.layers[1].setWeights([w])
    close(model.layers[1].getWeights()[0], w)


def test_fit_and_then_set_weights_to_own_weights(fx):
    # TF.js: 'LayersModel.fit' > 'and then set weights to own weights'
    model = fx.dense_model_and_data(False, "l1l2")
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    model.fit(fx.inputs, fx.targets, {"batchSize": NUM_SAMPLES, "epochs": 2, "verbose": 0})
    w = model.layers[1].getWeights()[0]
    model.layers[1].setWeights([w])
    close(model.layers[1].getWeights()[0], w)


class CustomCallbackForTest(tf.CustomCallback):
    def __init__(self, recorded_params):
        self.recorded_params = recorded_params

        async def on_train_begin(logs=None):
            recorded_params.append(self.params)

        super().__init__(onTrainBegin=on_train_begin)


def test_fit_custom_callback_params_no_validation(fx):
    # TF.js: 'LayersModel.fit' > 'Custom callback params: no validation'
    model = fx.dense_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    recorded = []
    model.fit(
        fx.inputs,
        fx.targets,
        {"epochs": 3, "batchSize": 2, "verbose": 0, "callbacks": CustomCallbackForTest(recorded)},
    )
    params = recorded[0]
    assert params["epochs"] == 3
    assert params["initialEpoch"] == 0
    assert params["samples"] == fx.inputs.shape[0]
    assert params["steps"] is None
    assert params["batchSize"] == 2
    assert params["doValidation"] is False
    assert params["metrics"] == ["loss"]


def test_fit_custom_callback_params_has_validation(fx):
    # TF.js: 'LayersModel.fit' > 'Custom callback params: has validation'
    model = fx.dense_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    recorded = []
    model.fit(
        fx.inputs,
        fx.targets,
        {
            "epochs": 3,
            "batchSize": 2,
            "validationSplit": 0.2,
            "verbose": 0,
            "callbacks": CustomCallbackForTest(recorded),
        },
    )
    params = recorded[0]
    assert params["epochs"] == 3
    assert params["initialEpoch"] == 0
    assert params["samples"] == round(fx.inputs.shape[0] * (1 - 0.2))
    assert params["steps"] is None
    assert params["batchSize"] == 2
    assert params["doValidation"] is True
    assert params["metrics"] == ["loss", "val_loss"]


class StopAfterNEpochs(tfl.Callback):
    def __init__(self, epochs_to_train):
        super().__init__()
        self.epochs_to_train = epochs_to_train

    async def onEpochEnd(self, epoch, logs=None):  # noqa: N802  (TF.js's spelling)
        if epoch == self.epochs_to_train - 1:
            self.model.stopTraining = True


class StopAfterNBatches(tfl.Callback):
    def __init__(self, batches_to_train):
        super().__init__()
        self.batches_to_train = batches_to_train

    async def onBatchEnd(self, batch, logs=None):  # noqa: N802
        if batch == self.batches_to_train - 1:
            self.model.stopTraining = True


def test_fit_stop_training_at_the_end_of_an_epoch_functional_model(fx):
    # TF.js: 'LayersModel.fit' > 'Stop training at the end of an epoch: Functional model'
    model = fx.dense_model_and_data(True)
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    history = model.fit(
        fx.inputs,
        fx.targets,
        {"batchSize": NUM_SAMPLES, "epochs": 10, "verbose": 0, "callbacks": [StopAfterNEpochs(2)]},
    )
    assert len(history.history["loss"]) == 2


def _sequential_dense():
    model = tfl.sequential()
    model.add(
        tfl.layers.dense({"units": 1, "kernelInitializer": "ones", "inputShape": [INPUT_SIZE]})
    )
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    return model


def test_fit_stop_training_at_the_end_of_a_batch_sequential_model():
    # TF.js: 'LayersModel.fit' > 'Stop training at the end of a batch: Sequential model'
    model = _sequential_dense()
    history = model.fit(
        tf.ones([NUM_SAMPLES, INPUT_SIZE]),
        tf.ones([NUM_SAMPLES, 1]),
        {"batchSize": 1, "epochs": 10, "verbose": 0, "callbacks": [StopAfterNBatches(2)]},
    )
    assert len(history.history["loss"]) == 1


def test_fit_stop_using_non_class_object_callback_function(fx):
    # TF.js: 'LayersModel.fit' > 'Stop LayersModel.fit() using non-class object callback function'
    model = fx.dense_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})
    done = []
    stop_after_epoch = 3

    async def on_epoch_end(epoch, logs=None):
        done.append(epoch)
        if epoch == stop_after_epoch:
            model.stopTraining = True

    history = model.fit(
        fx.inputs,
        fx.targets,
        {"epochs": 8, "verbose": 0, "callbacks": {"onEpochEnd": on_epoch_end}},
    )
    assert len(done) == stop_after_epoch + 1
    assert len(history.history["loss"]) == stop_after_epoch + 1
    history = model.fit(fx.inputs, fx.targets, {"epochs": 2, "verbose": 0})
    assert len(history.history["loss"]) == 2


def test_fit_stop_training_resets_at_start_of_fit():
    # TF.js: 'LayersModel.fit' > 'Stop training resets at start of LayersModel.fit()'
    model = _sequential_dense()
    inputs, targets = tf.ones([NUM_SAMPLES, INPUT_SIZE]), tf.ones([NUM_SAMPLES, 1])
    history = model.fit(
        inputs,
        targets,
        {"batchSize": 1, "epochs": 10, "verbose": 0, "callbacks": [StopAfterNBatches(2)]},
    )
    assert len(history.history["loss"]) == 1
    history = model.fit(inputs, targets, {"batchSize": 1, "epochs": 10, "verbose": 0})
    assert len(history.history["loss"]) == 10


def _add_concat_model():
    input1 = tfl.input({"shape": [2]})
    input2 = tfl.input({"shape": [2]})
    y1 = tfl.layers.add().apply([input1, input2])
    y2 = tfl.layers.concatenate().apply([input1, input2])
    output1 = tfl.layers.dense(
        {"units": 1, "activation": "linear", "kernelInitializer": "zeros"}
    ).apply(y1)
    output2 = tfl.layers.dense(
        {"units": 1, "activation": "sigmoid", "kernelInitializer": "zeros"}
    ).apply(y2)
    return tfl.model({"inputs": [input1, input2], "outputs": [output1, output2]})


def test_model_dispose_skips_non_owned_optimizer_functional():
    # TF.js: 'LayersModel.fit' > 'Model.dispose() skips non-owned optimizer: Functional'
    # (the tf.memory() difference not ported)
    model = _add_concat_model()
    optimizer = tf.AdamOptimizer(1e-3, 0.9, 0.999, 1e-6)
    model.compile({"loss": ["meanSquaredError", "binaryCrossentropy"], "optimizer": optimizer})
    xs = [tf.zeros([4, 2]), tf.zeros([4, 2])]
    ys = [tf.zeros([4, 1]), tf.zeros([4, 1])]
    model.fit(xs, ys, {"epochs": 1, "verbose": 0})
    result = model.dispose()
    assert result["numDisposedVariables"] == 4
    assert result["refCountAfterDispose"] == 0


def test_model_dispose_skips_non_owned_optimizer_sequential():
    # TF.js: 'LayersModel.fit' > 'Model.dispose() skips non-owned optimizer: Sequential'
    model = tfl.sequential()
    model.add(tfl.layers.dense({"units": 1, "inputShape": [2]}))
    optimizer = tf.AdamOptimizer(1e-3, 0.9, 0.999, 1e-6)
    model.compile({"loss": "meanSquaredError", "optimizer": optimizer})
    model.fit(tf.zeros([4, 2]), tf.zeros([4, 1]), {"epochs": 1, "verbose": 0})
    result = model.dispose()
    assert result["numDisposedVariables"] == 2
    assert result["refCountAfterDispose"] == 0


def test_fit_invalid_dict_loss_nonexistent_output_name(fx):
    # TF.js: 'LayersModel.fit' > 'Invalid dict loss: nonexistent output name'
    model = fx.dense_model_and_data()
    with pytest.raises(ValueError, match=r"Unknown entry in loss dictionary:.*Foo.*"):
        model.compile({"optimizer": "SGD", "loss": {"Foo": "meanSquaredError"}})


def test_fit_invalid_array_loss_missing_loss_for_an_output(fx):
    # TF.js: 'LayersModel.fit' > 'Invalid Array loss: missing loss for an output'
    model = fx.dense_model_with_two_outputs_and_data()
    with pytest.raises(ValueError, match=r"should have one entry per model output.*has 2 output"):
        model.compile({"optimizer": "SGD", "loss": ["meanSquaredError"]})


def test_fit_calling_fit_without_compile_leads_to_error(fx):
    # TF.js: 'LayersModel.fit' > 'Calling fit without compile leads to error'
    model = fx.dense_model_and_data(True)
    with pytest.raises(Exception, match="You must compile a model before"):
        model.fit(fx.inputs, fx.targets, {"batchSize": NUM_SAMPLES, "epochs": 1, "verbose": 0})


def test_fit_invalid_batch_size_leads_to_error(fx):
    # TF.js: 'LayersModel.fit' > 'Invalid batchSize leads to Error'
    model = fx.dense_model_and_data()
    model.compile({"optimizer": "SGD", "loss": "meanSquaredError"})  # TF.js: the check comes first
    for value in (0, -1, 3.14, "a"):
        with pytest.raises(ValueError) as info:
            model.fit(fx.inputs, fx.targets, {"batchSize": value, "verbose": 0})
        assert f"batchSize is required to be a positive integer, but got {value}" in str(info.value)


# ================================================================================================
# describeMathCPUAndWebGL2('LayersModel.fit with training-sensitive layers')
# ================================================================================================
def test_fit_correct_training_arg_during_fit_evaluate_predict():
    # TF.js: 'LayersModel.fit with training-sensitive layers' >
    #        'Correct training arg during fit/evaluate/predict'
    flags = []

    class RecordingDropout(tf.layers.Dropout):  # TF.js: layer2.setCallHook(record)
        def call(self, inputs, training=None, **kwargs):
            flags.append(training)
            return super().call(inputs, training=training, **kwargs)

    input_tensor = tfl.layers.input({"shape": [1], "name": "inputLayer1", "dtype": "float32"})
    layer1 = tfl.layers.dense({"units": 1})
    layer2 = RecordingDropout({"rate": 0.5})
    output = layer2.apply(layer1.apply(input_tensor))
    flags.clear()
    model = tfl.LayersModel({"inputs": [input_tensor], "outputs": [output]})
    model.compile({"optimizer": "sgd", "loss": "meanSquaredError"})
    xs, ys = tf.ones([4, 1]), tf.ones([4, 1])
    model.fit(xs, ys, {"epochs": 2, "batchSize": 4, "verbose": 0})
    assert flags == [True, True]
    model.evaluate(xs, ys, {"batchSize": 4})
    assert len(flags) == 3 and not flags[2]  # TF.js: undefined
    model.predict(xs, {"batchSize": 4})
    assert len(flags) == 4 and not flags[3]


# ================================================================================================
# describeMathCPUAndWebGL2('LayersModel.trainOnBatch')
# ================================================================================================
def test_train_on_batch_sequential_mlp_correctness():
    # TF.js: 'LayersModel.trainOnBatch' > 'Sequential MLP: correctness'
    model = tfl.sequential()
    model.add(tfl.layers.dense({"units": 1, "inputShape": [3], "kernelInitializer": "zeros"}))
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    xs, ys = tf.ones([4, 3]), tf.ones([4, 1])
    for expected in (1.0, 0.8464, 0.716393):
        to_close(model.trainOnBatch(xs, ys), expected)


def test_train_on_batch_functional_two_inputs_and_two_outputs_correctness():
    # TF.js: 'LayersModel.trainOnBatch' > 'Functional two inputs and two outputs: correctness'
    model = _add_concat_model()
    model.compile({"loss": ["meanSquaredError", "binaryCrossentropy"], "optimizer": "sgd"})
    xs = [tf.ones([4, 2]), tf.ones([4, 2])]
    ys = [tf.ones([4, 1]), tf.ones([4, 1])]
    for expected in (
        (1.6931472, 1.0, 0.6931472),
        (1.3531253, 0.6724, 0.68072534),
        (1.1207337, 0.45212176, 0.66861194),
    ):
        losses = model.trainOnBatch(xs, ys)
        assert len(losses) == 3
        for value, want in zip(losses, expected):
            to_close(value, want)


def test_train_on_batch_categorical_correctness():
    # TF.js: 'LayersModel.trainOnBatch' > 'Categorical: Correctness and no memory leak'
    # (the memory count not ported)
    model = tfl.sequential()
    model.add(
        tfl.layers.dense(
            {"units": 3, "inputShape": [2], "activation": "softmax", "kernelInitializer": "ones"}
        )
    )
    model.compile({"loss": "categoricalCrossentropy", "optimizer": "sgd"})
    xs = tf.tensor2d([[0.5, 0.5], [1, 1], [0, 1]])
    ys = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    model.trainOnBatch(xs, ys)  # TF.js's burn-in
    for expected in (1.0986123, 1.0978721, 1.0971345):
        to_close(model.trainOnBatch(xs, ys), expected)


def test_train_on_batch_sparse_categorical_with_metrics_correctness():
    # TF.js: 'LayersModel.trainOnBatch' > 'Sparse categorical: w/ metrics: correctness and no leak'
    model = tfl.sequential()
    model.add(
        tfl.layers.dense(
            {"units": 3, "inputShape": [2], "activation": "softmax", "kernelInitializer": "ones"}
        )
    )
    model.compile({"loss": "sparseCategoricalCrossentropy", "optimizer": "sgd", "metrics": ["acc"]})
    xs = tf.tensor2d([[0, 0.5], [0.5, 1], [0, 1]])
    ys = tf.tensor2d([[2], [1], [0]])
    for want_loss, want_acc in (
        (1.0986123, 0.3333333),
        (1.0982422, 0.6666667),
        (1.0978734, 0.6666667),
    ):
        loss, acc = model.trainOnBatch(xs, ys)
        to_close(loss, want_loss)
        to_close(acc, want_acc)


def test_train_on_batch_can_be_awaited():
    # TF.js: `await model.trainOnBatch(xs, ys)` (every test of the block awaits it)
    import asyncio

    model = tfl.sequential()
    model.add(tfl.layers.dense({"units": 1, "inputShape": [3], "kernelInitializer": "zeros"}))
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})

    async def main():
        return await model.trainOnBatch(tf.ones([4, 3]), tf.ones([4, 1]))

    to_close(asyncio.run(main()), 1.0)


# ================================================================================================
# describeMathCPUAndGPU('LayersModel.evaluate')
# ================================================================================================
def _evaluate_model():
    inp = tfl.layers.input({"shape": [2]})
    dense = tfl.layers.dense({"units": 1, "kernelInitializer": "ones", "useBias": False})
    return tfl.LayersModel({"inputs": inp, "outputs": dense.apply(inp)})


def test_evaluate_calling_evaluate_before_compile_leads_to_error():
    # TF.js: 'LayersModel.evaluate' > 'Calling evaluate before compile leads to error'
    model = _evaluate_model()
    with pytest.raises(Exception, match="must compile a model before"):
        model.evaluate(tf.ones([8, 2]), tf.ones([8, 1]))


@pytest.mark.parametrize("metrics", [None, ["mse"]])
@pytest.mark.parametrize("batch_size", [None, 4, 16])
def test_evaluate_metrics_batch_size(metrics, batch_size):
    # TF.js: 'LayersModel.evaluate' > `metrics=${JSON.stringify(metrics)}, batchSize=${batchSize}`
    model = _evaluate_model()
    model.compile({"optimizer": "sgd", "loss": "meanSquaredError", "metrics": metrics})
    losses = model.evaluate(tf.ones([8, 2]), tf.ones([8, 1]), {"batchSize": batch_size})
    if metrics is None:
        close(losses, tf.scalar(1))
    else:
        assert len(losses) == 2
        close(losses[0], tf.scalar(1))
        close(losses[1], tf.scalar(1))


def test_evaluate_1d_tensors_as_inputs_and_targets():
    # TF.js: 'LayersModel.evaluate' > '1D tensors as inputs and targets' (memory count not ported)
    model = tfl.sequential()
    model.add(tfl.layers.dense({"units": 1, "inputShape": [1]}))
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd", "metrics": ["acc"]})
    xs, ys = tf.ones([10]), tf.zeros([10])
    tf.dispose(model.evaluate(xs, ys, {"batchSize": 4}))
    outs = model.evaluate(xs, ys, {"batchSize": 4})
    assert len(outs) == 2
    assert list(outs[0].shape) == []
    assert list(outs[1].shape) == []


def test_evaluate_invalid_batch_size_value():
    # TF.js: 'LayersModel.evaluate' > 'Invalid batchSize value leads to Error'
    model = _evaluate_model()
    x, y = tf.ones([8, 2]), tf.ones([8, 1])
    for value, text in BAD_BATCH_SIZES:
        with pytest.raises(
            ValueError, match=f"batchSize is required to be a positive integer, but got {text}"
        ):
            model.evaluate(x, y, {"batchSize": value})


# ================================================================================================
# describe('LayersModel trainable setter and getter')
# ================================================================================================
def test_trainable_setting_trainable_does_not_affect_layers():
    # TF.js: 'LayersModel trainable setter and getter' > 'Setting trainable does not affect Layers'
    model = tfl.sequential(
        {
            "layers": [
                tfl.layers.flatten({"inputShape": [2, 5]}),
                tfl.layers.dense({"units": 3, "activation": "relu", "trainable": False}),
                tfl.layers.dense({"units": 1}),
            ]
        }
    )
    model.trainable = False
    assert model.trainable is False
    assert [layer.trainable for layer in model.layers] == [True, False, True]
    model.trainable = True
    assert model.trainable is True
    assert [layer.trainable for layer in model.layers] == [True, False, True]


def _relu_then_dense(kernel_ones=True):
    model = tfl.sequential()
    model.add(tfl.layers.dense({"units": 3, "activation": "relu", "inputShape": [4]}))
    model.add(
        tfl.layers.dense({"units": 1, **({"kernelInitializer": "ones"} if kernel_ones else {})})
    )
    return model


def test_trainable_setting_trainable_of_model_sets_trainable_bit_of_variable():
    # TF.js: 'LayersModel trainable setter and getter' >
    #        'Setting trainable of model sets trainable bit of Variable'
    model = _relu_then_dense()
    model.trainable = False
    for layer in model.layers:
        assert [w.trainable for w in layer.weights] == [False, False]
    model.trainable = True
    for layer in model.layers:
        assert [w.trainable for w in layer.weights] == [True, True]


def test_trainable_model_trainable_respects_layer_trainable():
    # TF.js: 'LayersModel trainable setter and getter' > 'model.trainable respects layer.trainable'
    model = _relu_then_dense(kernel_ones=False)
    assert len(model.trainableWeights) == 4
    model.layers[0].trainable = False
    assert len(model.trainableWeights) == 2
    model.trainable = False
    assert len(model.trainableWeights) == 0
    model.trainable = True
    assert len(model.trainableWeights) == 2
    model.layers[0].trainable = True
    assert len(model.trainableWeights) == 4
    model.trainable = False
    assert len(model.trainableWeights) == 0


# ================================================================================================
# describeMathCPUAndGPU('LayersModel.execute')
# ================================================================================================
def create_functional_model():
    input1 = tfl.input({"shape": [2, 3]})
    reshape1 = tfl.layers.reshape({"targetShape": [3, 2]}).apply(input1)
    input2 = tfl.input({"shape": [3, 4]})
    concat = tfl.layers.concatenate({"axis": -1}).apply([reshape1, input2])
    model = tfl.model({"inputs": [input1, input2], "outputs": concat})
    return model, {"input1": input1, "reshape1": reshape1, "input2": input2, "concat": concat}


def create_sequential_model():
    model = tfl.sequential()
    model.add(
        tfl.layers.dense(
            {"units": 6, "inputShape": [4], "kernelInitializer": "zeros", "useBias": False}
        )
    )
    model.add(tfl.layers.dense({"units": 3, "kernelInitializer": "zeros", "useBias": False}))
    model.add(tfl.layers.dense({"units": 1, "kernelInitializer": "zeros", "useBias": False}))
    return model


def _two_inputs():
    return [tf.zeros([1, 2, 3]), tf.zeros([1, 3, 4])]


def test_execute_functional_model_single_output():
    # TF.js: 'LayersModel.execute' > 'Functional model: single output'
    model, layers = create_functional_model()
    close(model.execute(_two_inputs(), layers["reshape1"].name), tf.zeros([1, 3, 2]))


def _check_three(outputs):
    close(outputs[0], tf.zeros([1, 3, 2]))
    close(outputs[1], tf.zeros([1, 3, 6]))
    close(outputs[2], tf.zeros([1, 3, 4]))


def test_execute_functional_model_multiple_outputs():
    # TF.js: 'LayersModel.execute' > 'Functional model: multiple outputs'
    model, layers = create_functional_model()
    names = [layers["reshape1"].name, layers["concat"].name, layers["input2"].name]
    _check_three(model.execute(_two_inputs(), names))


def test_execute_functional_model_dictionary_of_inputs():
    # TF.js: 'LayersModel.execute' > 'Functional model: Dictionary of inputs'
    model, layers = create_functional_model()
    inputs = {model.inputs[0].name: tf.zeros([1, 2, 3]), model.inputs[1].name: tf.zeros([1, 3, 4])}
    names = [layers["reshape1"].name, layers["concat"].name, layers["input2"].name]
    _check_three(model.execute(inputs, names))


def test_execute_functional_model_missing_input_in_dictionary():
    # TF.js: 'LayersModel.execute' > 'Functional model: missing input in dictionary throws Error'
    model, layers = create_functional_model()
    inputs = {model.inputs[1].name: tf.zeros([1, 3, 4])}
    with pytest.raises(ValueError, match="No value is provided for .* input"):
        model.execute(inputs, layers["reshape1"].name)


def test_execute_functional_model_incorrect_number_of_inputs():
    # TF.js: 'LayersModel.execute' > 'Functional model: Incorrect number of inputs throws Error'
    model, layers = create_functional_model()
    with pytest.raises(ValueError, match=r"The number of inputs provided \(1\) does not match .*2"):
        model.execute([tf.zeros([1, 2, 3])], layers["reshape1"].name)


def test_execute_functional_model_nonexistent_tensor_name():
    # TF.js: 'LayersModel.execute' > 'Functional model: nonexistent tensor name throws Error'
    model, layers = create_functional_model()
    missing = layers["reshape1"].name + "0.1234"
    with pytest.raises(ValueError, match="Cannot find SymbolicTensors for output name"):
        model.execute(_two_inputs(), missing)
    with pytest.raises(ValueError, match="Cannot find SymbolicTensors for output name"):
        model.execute(_two_inputs(), [layers["reshape1"].name, missing])


def test_execute_functional_model_empty_outputs():
    # TF.js: 'LayersModel.execute' > 'Functional model: empty outputs string throws Error'
    model = create_functional_model()[0]
    with pytest.raises(ValueError, match="empty Array"):
        model.execute(_two_inputs(), [])


def test_execute_sequential_model_singleton_input():
    # TF.js: 'LayersModel.execute' > 'Sequential model: singleton input'
    model = create_sequential_model()
    outputs = model.execute(
        tf.zeros([2, 4]),
        [model.layers[2].output.name, model.layers[1].output.name, model.layers[0].output.name],
    )
    close(outputs[0], tf.zeros([2, 1]))
    close(outputs[1], tf.zeros([2, 3]))
    close(outputs[2], tf.zeros([2, 6]))


def test_execute_sequential_model_length_1_array_input():
    # TF.js: 'LayersModel.execute' > 'Sequential model: length-1 Array input'
    model = create_sequential_model()
    output = model.execute([tf.zeros([2, 4])], model.layers[1].output.name)
    close(output, tf.zeros([2, 3]))


def test_execute_sequential_model_length_1_dictionary_input():
    # TF.js: 'LayersModel.execute' > 'Sequential model: length-1 dictionary input'
    model = create_sequential_model()
    output = model.execute({model.input.name: tf.zeros([2, 4])}, model.layers[1].output.name)
    close(output, tf.zeros([2, 3]))


# ================================================================================================
# training_weighted_test.ts: describeMathCPUAndWebGL2('LayersModel.fit() with classWeight')
# (the `memory().numTensors` checks not ported)
# ================================================================================================
CW_XS = [[0, 1], [0, 2], [1, 10], [1, 20], [2, -10], [2, -20]]
CW_YS = [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]]


def _softmax3_model(metrics=True, loss="categoricalCrossentropy"):
    model = tfl.sequential()
    model.add(
        tfl.layers.dense(
            {"units": 3, "inputShape": [2], "kernelInitializer": "zeros", "activation": "softmax"}
        )
    )
    model.compile(
        {"loss": loss, **({"metrics": ["acc"]} if metrics else {}), "optimizer": tf.train.sgd(1)}
    )
    return model


def _check(history, key, expected):
    assert len(history.history[key]) == len(expected)
    for got, want in zip(history.history[key], expected):
        to_close(got, want)


def test_class_weight_one_output_multi_class_one_hot():
    # TF.js: 'LayersModel.fit() with classWeight' > 'One output, multi-class, one-hot encoding'
    model = _softmax3_model()
    history = model.fit(
        tf.tensor2d(CW_XS),
        tf.tensor2d(CW_YS),
        {"epochs": 2, "classWeight": [{0: 1, 1: 10, 2: 1}], "verbose": 0},
    )
    _check(history, "loss", [4.3944, 5.3727])
    _check(history, "acc", [0.3333, 0.6667])


def test_class_weight_one_output_multi_class_one_hot_batch_size_2():
    # TF.js: 'LayersModel.fit() with classWeight' >
    #        'One output, multi-class, one-hot encoding, batchSize = 2'
    model = _softmax3_model()
    history = model.fit(
        tf.tensor2d(CW_XS),
        tf.tensor2d(CW_YS),
        {
            "epochs": 2,
            "batchSize": 2,
            "shuffle": False,
            "classWeight": [{0: 1, 1: 10, 2: 1}],
            "verbose": 0,
        },
    )
    _check(history, "loss", [59.2691, 10.7454])
    _check(history, "acc", [0.3333, 0.3333])


def test_class_weight_one_output_multi_class_one_hot_validation_data():
    # TF.js: 'LayersModel.fit() with classWeight' >
    #        'One output, multi-class, one-hot encoding, validationData'
    model = _softmax3_model()
    xs, ys = tf.tensor2d(CW_XS), tf.tensor2d(CW_YS)
    history = model.fit(
        xs,
        ys,
        {
            "epochs": 2,
            "classWeight": [{0: 1, 1: 10, 2: 1}],
            "validationData": [xs, ys],
            "verbose": 0,
        },
    )
    _check(history, "loss", [4.3944, 5.3727])
    _check(history, "acc", [0.3333, 0.6667])
    _check(history, "val_loss", [5.3727, 5.3727])
    _check(history, "val_acc", [0.6667, 0.6667])


def test_class_weight_one_output_multi_class_one_hot_validation_split():
    # TF.js: 'LayersModel.fit() with classWeight' >
    #        'One output, multi-class, one-hot encoding, validationSplit'
    model = _softmax3_model()
    history = model.fit(
        tf.tensor2d(CW_XS),
        tf.tensor2d(CW_YS),
        {"epochs": 2, "classWeight": [{0: 1, 1: 10, 2: 1}], "validationSplit": 0.5, "verbose": 0},
    )
    _check(history, "loss", [4.3944, 10.7454])
    _check(history, "acc", [0.6667, 0.3333])
    _check(history, "val_loss", [2.9903e-05, 2.9903e-05])
    _check(history, "val_acc", [1, 1])


def test_class_weight_one_output_multi_class_sparse_encoding():
    # TF.js: 'LayersModel.fit() with classWeight' > 'One output, multi-class, sparse encoding'
    model = _softmax3_model(metrics=False, loss="sparseCategoricalCrossentropy")
    history = model.fit(
        tf.tensor2d(CW_XS),
        tf.tensor2d([[0], [0], [1], [1], [2], [2]]),
        {"epochs": 2, "classWeight": {0: 1, 1: 10, 2: 1}, "verbose": 0},
    )
    _check(history, "loss", [4.3944, 5.3727])


def test_class_weight_one_output_binary_classes_sparse_encoding():
    # TF.js: 'LayersModel.fit() with classWeight' > 'One output, binary classes, sparse encoding'
    model = tfl.sequential()
    model.add(
        tfl.layers.dense(
            {"units": 1, "inputShape": [2], "kernelInitializer": "zeros", "activation": "sigmoid"}
        )
    )
    model.compile({"loss": "binaryCrossentropy", "optimizer": tf.train.sgd(1)})
    history = model.fit(
        tf.tensor2d([[0, 1], [0, 2], [1, 10], [1, 20]]),
        tf.tensor2d([[0], [0], [1], [1]]),
        {"epochs": 2, "classWeight": [{0: 0.1, 1: 0.9}], "verbose": 0},
    )
    _check(history, "loss", [0.3466, 0.2611])


def _two_output_model():
    inp = tfl.input({"shape": [2]})
    y1 = tfl.layers.dense(
        {"units": 3, "inputShape": [2], "kernelInitializer": "zeros", "activation": "softmax"}
    ).apply(inp)
    y2 = tfl.layers.dense(
        {"units": 1, "inputShape": [2], "kernelInitializer": "zeros", "activation": "sigmoid"}
    ).apply(inp)
    model = tfl.model({"inputs": inp, "outputs": [y1, y2]})
    model.compile(
        {
            "loss": ["sparseCategoricalCrossentropy", "binaryCrossentropy"],
            "optimizer": tf.train.sgd(1),
        }
    )
    return model


TWO_XS = [[0, 1], [0, 2], [1, 10], [1, 20], [2, 10], [2, 20]]
TWO_Y1 = [[0], [0], [1], [1], [2], [2]]
TWO_Y2 = [[0], [0], [1], [1], [1], [1]]


def _fit_two(model, class_weight, shuffle=True):
    return model.fit(
        tf.tensor2d(TWO_XS),
        [tf.tensor2d(TWO_Y1), tf.tensor2d(TWO_Y2)],
        {"epochs": 3, "classWeight": class_weight, "shuffle": shuffle, "verbose": 0},
    )


def test_class_weight_two_outputs_class_weight_as_array():
    # TF.js: 'LayersModel.fit() with classWeight' > 'Two outputs, classWeight as array'
    model = _two_output_model()
    history = _fit_two(model, [{0: 0.1, 1: 0.2, 2: 0.7}, {0: 0.1, 1: 0.9}])
    _check(history, "loss", [0.8052, 1.4887, 1.4782])
    _check(history, f"{model.outputNames[0]}_loss", [0.3662, 1.2553, 1.2485])
    _check(history, f"{model.outputNames[1]}_loss", [0.4390, 0.2333, 0.2297])


TWO_WEIGHTS = [[-0.3333333, -0.03197281, 0.3653062], [-2.0025878, 1.9823718, 0.02021614]]


def test_class_weight_two_outputs_class_weight_as_array_one_being_null():
    # TF.js: 'LayersModel.fit() with classWeight' > 'Two outputs, classWeight as array, one being
    #        null'
    model = _two_output_model()
    history = _fit_two(model, [None, {0: 0.1, 1: 0.9}], shuffle=False)
    _check(history, "loss", [1.5376, 3.1466, 7.9620])
    _check(history, f"{model.outputNames[0]}_loss", [1.0986, 2.9113, 7.7323])
    _check(history, f"{model.outputNames[1]}_loss", [0.4390, 0.2333, 0.2298])
    close(model.getWeights()[0], tf.tensor2d(TWO_WEIGHTS))


def test_class_weight_two_outputs_class_weight_as_map_one_output_no_weighting():
    # TF.js: 'LayersModel.fit() with classWeight' > 'Two outputs, classWeight as map, one output no
    #        weighting'
    model = _two_output_model()
    history = _fit_two(model, {model.outputNames[1]: {0: 0.1, 1: 0.9}}, shuffle=False)
    _check(history, "loss", [1.5376, 3.1466, 7.9620])
    _check(history, f"{model.outputNames[0]}_loss", [1.0986, 2.9113, 7.7323])
    _check(history, f"{model.outputNames[1]}_loss", [0.4390, 0.2333, 0.2298])
    close(model.getWeights()[0], tf.tensor2d(TWO_WEIGHTS))


def test_class_weight_two_outputs_class_weight_as_map():
    # TF.js: 'LayersModel.fit() with classWeight' > 'Two outputs, classWeight as map'
    model = _two_output_model()
    history = _fit_two(
        model,
        {model.outputNames[0]: {0: 0.1, 1: 0.2, 2: 0.7}, model.outputNames[1]: {0: 0.1, 1: 0.9}},
    )
    _check(history, "loss", [0.8052, 1.4887, 1.4782])
    _check(history, f"{model.outputNames[0]}_loss", [0.3662, 1.2553, 1.2485])
    _check(history, f"{model.outputNames[1]}_loss", [0.4390, 0.2333, 0.2297])


# ================================================================================================
# training_weighted_test.ts: describeMathCPUAndWebGL2('LayersModel.fitDataset() with classWeight')
# ================================================================================================
def fake_numeric_dataset(xs, ys):
    """TF.js's FakeNumericDataset with xTensorsFunc/yTensorsFunc: each iteration yields the
    given batches in order (`{xs, ys}` elements; `ys` may be a dict by output name)."""
    return tf.data.array([{"xs": x, "ys": y} for x, y in zip(xs, ys)])


BATCH = 8


def _ones_zeros(first, second):
    return [first([BATCH, 1]) for _ in range(3)] + [second([BATCH, 1]) for _ in range(3)]


def _sigmoid1_model():
    model = tfl.sequential()
    model.add(
        tfl.layers.dense(
            {"units": 1, "inputShape": [1], "kernelInitializer": "zeros", "activation": "sigmoid"}
        )
    )
    model.compile({"loss": "binaryCrossentropy", "metrics": ["acc"], "optimizer": "sgd"})
    return model


def test_fit_dataset_class_weight_one_output_binary_crossentropy_acc_metric():
    # TF.js: 'LayersModel.fitDataset() with classWeight' > 'One output, binary crossentropy, acc
    #        metric'
    model = _sigmoid1_model()
    dataset = fake_numeric_dataset(_ones_zeros(tf.ones, tf.ones), _ones_zeros(tf.zeros, tf.ones))
    class_weight = {0: 0.1, 1: 2}
    model.fitDataset(
        dataset, {"batchesPerEpoch": 3, "epochs": 1, "classWeight": class_weight, "verbose": 0}
    )
    model.setWeights([tf.zeros([1, 1]), tf.zeros([1])])
    history = model.fitDataset(
        dataset, {"batchesPerEpoch": 3, "epochs": 2, "classWeight": class_weight, "verbose": 0}
    )
    _check(history, "loss", [0.0693, 1.3695])
    _check(history, "acc", [1, 0.6667])


def test_fit_dataset_class_weight_one_output_binary_crossentropy_validation():
    # TF.js: 'LayersModel.fitDataset() with classWeight' > 'One output, binary crossentropy,
    #        validation'
    model = _sigmoid1_model()
    dataset = fake_numeric_dataset(_ones_zeros(tf.ones, tf.ones), _ones_zeros(tf.zeros, tf.ones))
    options = {
        "batchesPerEpoch": 3,
        "classWeight": {0: 0.1, 1: 2},
        "validationData": dataset,
        "verbose": 0,
    }
    model.fitDataset(dataset, {**options, "epochs": 1})
    model.setWeights([tf.zeros([1, 1]), tf.zeros([1])])
    history = model.fitDataset(dataset, {**options, "epochs": 2})
    _check(history, "loss", [0.0693, 1.3695])
    _check(history, "acc", [1, 0.6667])
    _check(history, "val_loss", [0.693148, 0.693546])
    _check(history, "val_acc", [0.5, 0.5])


def test_fit_dataset_class_weight_two_outputs_binary_crossentropy():
    # TF.js: 'LayersModel.fitDataset() with classWeight' > 'Two outputs, binary crossentropy, acc
    #        metric'
    inp = tfl.input({"shape": [1]})
    out1 = tfl.layers.dense(
        {"units": 1, "inputShape": [1], "kernelInitializer": "zeros", "activation": "sigmoid"}
    ).apply(inp)
    out2 = tfl.layers.dense(
        {"units": 1, "inputShape": [1], "kernelInitializer": "zeros", "activation": "sigmoid"}
    ).apply(inp)
    model = tfl.model({"inputs": inp, "outputs": [out1, out2]})
    model.compile({"loss": ["binaryCrossentropy", "binaryCrossentropy"], "optimizer": "sgd"})
    names = model.outputNames
    y0 = _ones_zeros(tf.zeros, tf.ones)
    y1 = _ones_zeros(tf.ones, tf.zeros)
    dataset = fake_numeric_dataset(
        _ones_zeros(tf.ones, tf.ones), [{names[0]: a, names[1]: b} for a, b in zip(y0, y1)]
    )
    class_weight = {names[0]: {0: 0.1, 1: 2}, names[1]: {0: 5, 1: 0.5}}
    model.fitDataset(
        dataset, {"batchesPerEpoch": 3, "epochs": 1, "classWeight": class_weight, "verbose": 0}
    )
    history = model.fitDataset(
        dataset, {"batchesPerEpoch": 3, "epochs": 2, "classWeight": class_weight, "verbose": 0}
    )
    _check(history, "loss", [0.4146, 4.7882])
    _check(history, f"{names[0]}_loss", [0.0693, 1.3695])
    _check(history, f"{names[1]}_loss", [0.3453, 3.4158])
