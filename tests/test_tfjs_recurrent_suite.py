"""TF.js's own recurrent-layer tests, ported: tfjs-layers 4.22 `src/layers/recurrent_test.ts`.

Each test names its TF.js `describe(...)` block and `it(...)` title in a comment (`# TF.js:
'<describe>' > '<it>'`); the expected numbers and error phrases are TF.js's, as its test states
them. `expectTensorsClose` is `close()` here (TF.js's default 1e-3 tolerance). TF.js's
`getConfig()` gives camelCase (TS) configs, lstmkit's the Python-side (snake_case) form TF.js
writes to JSON; the expected configs are TF.js's objects put through a port of TF.js's own
`convertTsToPythonic` (`ts_to_pythonic` below).

Already ported in `test_tfjs_style_layers.py` (with the same `RNNCellForTest`, reused here):
'RNN-Layer-Math' > 'call: with 2 initialStates' (test_custom_cell_with_initial_states_gives_
tfjs_numbers) and 'call with incorrect number of initialStates leads to ValueError'
(test_wrong_initial_states_are_refused_with_tfjs_words).

TF.js memory checks (`tf.memory().numTensors` unchanged between calls, `kept`, disposal inside
`tidy`) are TF.js's manual memory management; lstmkit frees by reference counting. They are
ported as "the live Tensor count does not grow between two identical calls" where TF.js checks
that, and `isDisposed` is checked as TF.js does.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
from test_tfjs_style_layers import INPUTS, RNNCellForTest

import lstmkit as tf
from lstmkit._names import to_camel_case, to_snake_case
from lstmkit.layers.recurrent import rnn as backend_rnn

L = tf.layers


def close(actual, expected, rtol=1e-3, atol=1e-3):
    """TF.js's `expectTensorsClose` (1e-3 by default)."""
    a = actual.numpy() if hasattr(actual, "numpy") else np.asarray(actual)
    e = expected.numpy() if hasattr(expected, "numpy") else np.asarray(expected)
    assert tuple(a.shape) == tuple(e.shape), (a.shape, e.shape)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)


def to_close(actual, expected, digits=2):
    """Jasmine's `toBeCloseTo(expected)`: |actual - expected| < 10**-digits / 2."""
    assert abs(float(actual) - expected) < 10**-digits / 2, (actual, expected)


def num_tensors() -> int:
    gc.collect()
    return tf.memory()["numTensors"]


def ts_to_pythonic(value, key=None):
    """TF.js's `convertTsToPythonic` (serialization_utils.ts)."""
    if value is None:
        return None
    if isinstance(value, str):
        return to_snake_case(value)
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [v if _io_name(key, i, v) else ts_to_pythonic(v, key) for i, v in enumerate(value)]
    out = {}
    for k, v in value.items():
        if k in ("name", "className") and isinstance(v, str):
            out[to_snake_case(k)] = v
        else:
            out[to_snake_case(k)] = ts_to_pythonic(v, k)
    return out


def pythonic_to_ts(value, key=None):
    """TF.js's `convertPythonicToTs` (serialization_utils.ts)."""
    if value is None:
        return None
    if isinstance(value, str):
        return to_camel_case(value)
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [v if _io_name(key, i, v) else pythonic_to_ts(v, key) for i, v in enumerate(value)]
    out = {}
    for k, v in value.items():
        if k == "name" and isinstance(v, str):
            out[k] = v
        else:
            out[to_camel_case(k)] = pythonic_to_ts(v, to_camel_case(k))
    return out


def _io_name(key, index, value):
    return (
        key in ("inboundNodes", "outputLayers", "inputLayers")
        and index == 0
        and isinstance(value, str)
    )


def x_inputs():
    return tf.tensor3d(INPUTS, [2, 3, 2])


def symbolic(shape):
    return L.SymbolicTensor("float32", shape, None, [], None)


# ================================================================================================
# describeMathCPUAndGPU('rnn'): the backend `rnn()` step loop, with TF.js's `rnnStepForTest`
# ================================================================================================
def rnn_step_for_test(inputs, states):
    """TF.js's `rnnStepForTest`: mean of all inputs added to each state; output -state[0]."""
    mean = tf.mean(inputs)
    new_states = [tf.add(mean, state) for state in states]
    output = tf.neg(new_states[0])
    return [output, new_states]


STEP_OUTPUTS = np.broadcast_to(np.array([-8.25, -27.5, -57.75])[None, :, None], (2, 3, 4)).astype(
    np.float32
)


@pytest.mark.parametrize(
    ("title", "inputs", "initial"),
    [
        ("Simple step function: 3D inputs, 1 state", "3d", [(2, 4, 0)]),
        ("Simple step function: 3D inputs, 2 states", "3d", [(2, 4, 0), (2, 3, 1)]),
        ("Simple step function: 4D inputs, 2 states", "4d", [(2, 4, 0), (2, 3, 1)]),
    ],
)
def test_rnn_simple_step_function(title, inputs, initial):
    # TF.js: 'rnn' > title
    if inputs == "3d":
        x = tf.tensor3d(INPUTS, [2, 3, 2])
    else:
        x = tf.tensor4d(
            [[[[1], [2]], [[3], [4]], [[5], [6]]], [[[10], [20]], [[30], [40]], [[50], [60]]]],
            [2, 3, 2, 1],
        )
    initial_states = [tf.zeros([b, n]) if v == 0 else tf.ones([b, n]) for b, n, v in initial]
    last_output, outputs, new_states = backend_rnn(
        rnn_step_for_test, x, initial_states, False, None, None, False, True
    )
    close(last_output, np.full((2, 4), -57.75))
    close(outputs, STEP_OUTPUTS)
    assert len(new_states) == len(initial)
    close(new_states[0], np.full((2, 4), 57.75))
    if len(initial) == 2:
        close(new_states[1], np.full((2, 3), 58.75))


def test_rnn_using_inputs_below_3d_leads_to_value_error():
    # TF.js: 'rnn' > 'Using inputs <3D leads to ValueError'
    inputs = tf.tensor2d([[1, 2], [3, 4]], [2, 2])
    initial_states = [tf.zeros([4]), tf.ones([3])]
    with pytest.raises(ValueError, match="Input should be at least 3D, but is 2D"):
        backend_rnn(rnn_step_for_test, inputs, initial_states)


# ================================================================================================
# describeMathCPU('RNN-Layer'): RNN with TF.js's RNNCellForTest
# ================================================================================================
def test_rnn_layer_constructor_only_cell():
    # TF.js: 'RNN-Layer' > 'constructor: only cell'
    layer = L.rnn({"cell": RNNCellForTest(5)})
    assert layer.returnSequences is False
    assert layer.returnState is False
    assert layer.goBackwards is False


def test_rnn_layer_constructor_cell_and_custom_options():
    # TF.js: 'RNN-Layer' > 'constructor: cell and custom options'
    layer = L.rnn(
        {
            "cell": RNNCellForTest(5),
            "returnSequences": True,
            "returnState": True,
            "goBackwards": True,
        }
    )
    assert layer.returnSequences is True
    assert layer.returnState is True
    assert layer.goBackwards is True


@pytest.mark.parametrize(
    ("title", "sizes", "options", "expected"),
    [
        ("1 state, returnSequences=false, returnState=false", 5, {}, [4, 5]),
        ("1 state, returnSequences=true, returnState=false", [5, 6], {"returnSequences": True},
         [4, 3, 5]),
        ("1 state, returnSequences=true, returnState=true", 6,
         {"returnSequences": True, "returnState": True}, [[4, 3, 6], [4, 6]]),
        ("2 states, returnSequences=true, returnState=true", [5, 6],
         {"returnSequences": True, "returnState": True}, [[4, 3, 5], [4, 5], [4, 6]]),
    ],
)  # fmt: skip
def test_rnn_layer_compute_output_shape(title, sizes, options, expected):
    # TF.js: 'RNN-Layer' > 'computeOutputShape: ' + title
    layer = L.rnn({"cell": RNNCellForTest(sizes), **options})
    shape = layer.computeOutputShape([4, 3, 2])
    if isinstance(expected[0], list):
        assert [list(s) for s in shape] == expected
    else:
        assert list(shape) == expected


@pytest.mark.parametrize(
    ("title", "sizes", "options", "expected"),
    [
        ("1 state, returnSequences=false, returnState=false", 6, {}, [[16, 6]]),
        ("1 state, returnSequences=true, returnState=false", 6, {"returnSequences": True},
         [[16, 10, 6]]),
        ("1 state, returnSequences=true, returnState=true", 6,
         {"returnSequences": True, "returnState": True}, [[16, 10, 6], [16, 6]]),
        ("1 state, returnSequences=false, returnState=true", 6,
         {"returnSequences": False, "returnState": True}, [[16, 6], [16, 6]]),
        ("2 states, returnSequences=true, returnState=true", [5, 6],
         {"returnSequences": True, "returnState": True}, [[16, 10, 5], [16, 5], [16, 6]]),
    ],
)  # fmt: skip
def test_rnn_layer_apply_symbolic(title, sizes, options, expected):
    # TF.js: 'RNN-Layer' > 'apply: Symbolic: ' + title
    layer = L.rnn({"cell": RNNCellForTest(sizes), **options})
    output = layer.apply(symbolic([16, 10, 8]))
    outputs = output if isinstance(output, list) else [output]
    assert len(outputs) == len(expected)
    assert [list(o.shape) for o in outputs] == expected


# ================================================================================================
# describeMathCPUAndWebGL2('RNN-Layer-Math')
# ================================================================================================
def test_rnn_layer_math_get_initial_state_1_state():
    # TF.js: 'RNN-Layer-Math' > 'getInitialState: 1 state'
    layer = L.rnn({"cell": RNNCellForTest(5)})
    initial_states = layer.getInitialState(tf.zeros([4, 3, 2]))
    assert len(initial_states) == 1
    close(initial_states[0], tf.zeros([4, 5]))


def test_rnn_layer_math_get_initial_state_2_states():
    # TF.js: 'RNN-Layer-Math' > 'getInitialState: 2 states'
    layer = L.rnn({"cell": RNNCellForTest([5, 6])})
    initial_states = layer.getInitialState(tf.zeros([4, 3, 2]))
    assert len(initial_states) == 2
    close(initial_states[0], tf.zeros([4, 5]))
    close(initial_states[1], tf.zeros([4, 6]))


def test_rnn_layer_math_call_1_state():
    # TF.js: 'RNN-Layer-Math' > 'call: 1 state: returnSequences=false, returnState=false'
    outputs = L.rnn({"cell": RNNCellForTest(4)}).apply(x_inputs())
    close(outputs, tf.mul(tf.scalar(-57.75), tf.ones([2, 4])))


SEQ3 = np.broadcast_to(np.array([-8.25, -27.5, -57.75])[None, :, None], (2, 3, 3))


def test_rnn_layer_math_apply_1_state_return_sequences():
    # TF.js: 'RNN-Layer-Math' > 'apply: 1 state: returnSequences=true, returnState=false'
    outputs = L.rnn({"cell": RNNCellForTest(3), "returnSequences": True}).apply(x_inputs())
    close(outputs, SEQ3)


def test_rnn_layer_math_apply_1_state_return_sequences_and_state():
    # TF.js: 'RNN-Layer-Math' > 'apply: 1 state: returnSequences=true, returnState=true'
    layer = L.rnn({"cell": RNNCellForTest(3), "returnSequences": True, "returnState": True})
    outputs = layer.apply(x_inputs())
    assert len(outputs) == 2
    close(outputs[0], SEQ3)
    close(outputs[1], np.full((2, 3), 57.75))


def test_rnn_layer_math_apply_2_states_return_sequences_and_state():
    # TF.js: 'RNN-Layer-Math' > 'apply: 2 states: returnSequences=true, returnState=true'
    layer = L.rnn({"cell": RNNCellForTest([3, 4]), "returnSequences": True, "returnState": True})
    outputs = layer.apply(x_inputs())
    assert len(outputs) == 3
    close(outputs[0], SEQ3)
    close(outputs[1], np.full((2, 3), 57.75))
    close(outputs[2], np.full((2, 4), 57.75))


def test_rnn_layer_math_call_with_1_initial_state():
    # TF.js: 'RNN-Layer-Math' > 'call: with 1 initialState'
    layer = L.rnn({"cell": RNNCellForTest(4)})
    outputs = layer.apply(x_inputs(), {"initialState": [tf.ones([2, 4])]})
    close(outputs, tf.mul(tf.scalar(-58.75), tf.ones([2, 4])))


# ================================================================================================
# describeMathCPU('SimpleRNN Symbolic'), ('GRU Symbolic'), ('LSTM Symbolic')
# ================================================================================================
FACTORIES = {"SimpleRNN": L.simpleRNN, "GRU": L.gru, "LSTM": L.lstm}
N_STATES = {"SimpleRNN": 1, "GRU": 1, "LSTM": 2}


@pytest.mark.parametrize("kind", ["SimpleRNN", "GRU", "LSTM"])
@pytest.mark.parametrize(
    ("return_sequences", "return_state"),
    [(False, False), (False, True), (True, False), (True, True)],
)
def test_symbolic_return_sequences_and_state(kind, return_sequences, return_state):
    # TF.js: '<SimpleRNN|GRU|LSTM> Symbolic' > 'returnSequences=<rs>, returnState=<st>'
    layer = FACTORIES[kind](
        {"units": 5, "returnSequences": return_sequences, "returnState": return_state}
    )
    output = layer.apply(symbolic([9, 10, 8]))
    first = [9, 10, 5] if return_sequences else [9, 5]
    if return_state:
        assert len(output) == 1 + N_STATES[kind]
        assert list(output[0].shape) == first
        assert all(list(o.shape) == [9, 5] for o in output[1:])
    else:
        assert list(output.shape) == first


@pytest.mark.parametrize("kind", ["GRU", "LSTM"])
def test_symbolic_trainable_weights_non_trainable_weights_and_weights(kind):
    # TF.js: '<GRU|LSTM> Symbolic' > 'trainableWeights, nonTrainableWeights and weights give
    # correct outputs'
    layer = FACTORIES[kind]({"units": 5, "returnState": True})
    layer.apply(symbolic([2, 3, 4]))
    assert layer.trainable is True
    assert len(layer.trainableWeights) == 3  # kernel, recurrent kernel and bias
    assert len(layer.nonTrainableWeights) == 0
    assert len(layer.weights) == 3


@pytest.mark.parametrize(
    ("kind", "implementation"),
    [("SimpleRNN", None), ("GRU", 1), ("GRU", 2), ("LSTM", 1), ("LSTM", 2)],
)
def test_symbolic_serialization_round_trip(kind, implementation):
    # TF.js: '<SimpleRNN|GRU|LSTM> Symbolic' > 'Serialization round trip' (GRU and LSTM once per
    # implementation, 1 and 2)
    options = {"units": 4}
    if implementation is not None:
        options["implementation"] = implementation
    layer = FACTORIES[kind](options)
    ts_config = pythonic_to_ts(layer.getConfig())  # getConfig() is the pythonic form here
    layer_prime = FACTORIES[kind](ts_config)
    assert layer_prime.getConfig()["units"] == 4
    if implementation is not None:
        assert layer_prime.getConfig()["implementation"] == implementation


@pytest.mark.parametrize("kind", ["SimpleRNN", "GRU", "LSTM"])
def test_symbolic_invalid_units_leads_to_error(kind):
    # TF.js: '<SimpleRNN|GRU|LSTM> Symbolic' > 'Invalid units leads to Error'
    with pytest.raises(ValueError, match=r"units.*positive integer.*12\.5\.$"):
        FACTORIES[kind]({"units": 12.5})
    with pytest.raises(ValueError, match=r"units.*positive integer.*0\.$"):
        FACTORIES[kind]({"units": 0})
    with pytest.raises(ValueError, match=r"units.*positive integer.*-25\.$"):
        FACTORIES[kind]({"units": -25})


# ================================================================================================
# Dropout: a `dropoutFunc` spy counts the dropout masks (SimpleRNN, GRU and LSTM 'Tensor' blocks)
# ================================================================================================
class DropoutSpy:
    """jasmine.createSpy('dropout').and.callFake((x, level, noiseShape, seed) =>
    tf.dropout(x, level, noiseShape, seed))."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x, level, noise_shape=None, seed=None):
        self.calls += 1
        return tf.dropout(x, level, noise_shape, seed)


MASKS_PER_CALL = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}
TIME_STEPS = {"SimpleRNN": 3, "GRU": 3, "LSTM": 2}


@pytest.mark.parametrize("kind", ["SimpleRNN", "GRU", "LSTM"])
@pytest.mark.parametrize("option", ["dropout", "recurrentDropout"])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("rate", [0.0, 0.1])
def test_tensor_dropout_func_calls(kind, option, training, rate):
    # TF.js: '<SimpleRNN|GRU|LSTM> Tensor' > 'returnSequences=false, returnState=false,
    # useBias=true, <training>, <dropout|recurrentDropout>=<rate>'
    spy = DropoutSpy()
    options = {
        "units": 5,
        "kernelInitializer": "ones",
        "recurrentInitializer": "ones",
        "biasInitializer": "ones",
        option: rate,
        "dropoutFunc": spy,
    }
    if kind != "SimpleRNN":
        options["implementation"] = 1
    layer = FACTORIES[kind](options)
    kwargs = {"training": True} if training else {}
    x = tf.ones([4, TIME_STEPS[kind], 2])
    count = 0
    for i in range(2):
        tf.dispose(layer.apply(x, kwargs))
        if rate != 0.0 and training:
            assert spy.calls == MASKS_PER_CALL[kind] * (i + 1)
        else:
            assert spy.calls == 0
        if i == 0:
            count = num_tensors()
        else:
            assert num_tensors() == count


# ================================================================================================
# describeMathCPUAndWebGL2('SimpleRNN Tensor')
# ================================================================================================
ONES_INIT = {"kernelInitializer": "ones", "recurrentInitializer": "ones", "biasInitializer": "ones"}


@pytest.mark.parametrize("activation", ["linear", "tanh"])
def test_simple_rnn_tensor_activation(activation):
    # TF.js: 'SimpleRNN Tensor' > 'returnSequences=false, returnState=false, useBias=true, <act>'
    layer = L.simpleRNN({"units": 5, **ONES_INIT, "activation": activation})
    output = layer.apply(tf.ones([4, 1, 2]))
    expected = 2 + 1
    if activation == "tanh":
        expected = np.tanh(expected)
    close(output, tf.mul(tf.scalar(expected), tf.ones([4, 5])))


@pytest.mark.parametrize("return_state", [False, True])
def test_simple_rnn_tensor_return_sequences_linear(return_state):
    # TF.js: 'SimpleRNN Tensor' > 'returnSequences=true, returnState=<st>, useBias=true, linear'
    units, batch, input_size = 5, 4, 2
    layer = L.simpleRNN(
        {
            "units": units,
            "returnSequences": True,
            "returnState": return_state,
            **ONES_INIT,
            "activation": "linear",
        }
    )
    output = layer.apply(tf.ones([batch, 2, input_size]))
    final_state = None
    if return_state:
        assert len(output) == 2
        output, final_state = output
    assert list(output.shape) == [batch, 2, units]
    time_major = tf.transpose(output, [1, 0, 2]).numpy()
    close(time_major[0:1], np.full((1, batch, units), input_size + 1.0))
    close(time_major[1:2], np.full((1, batch, units), (input_size + 1.0) * (units + 1)))
    if return_state:
        close(final_state, time_major[1].reshape(batch, units))


STATEFUL_SIMPLE_RNN = {
    "units": 5,
    "kernelInitializer": "ones",
    "recurrentInitializer": "ones",
    "biasInitializer": "zeros",
    "activation": "linear",
    "stateful": True,
}


def test_simple_rnn_tensor_stateful_missing_batch_input_shape_leads_to_error():
    # TF.js: 'SimpleRNN Tensor' > 'stateful missing batchInputShape leads to error' (defined
    # twice in TF.js, once per returnState value; the same test)
    layer = L.simpleRNN({**STATEFUL_SIMPLE_RNN, "inputShape": [3, 2]})
    model = tf.sequential()
    with pytest.raises(ValueError, match="needs to know its batch size"):
        model.add(layer)


def test_simple_rnn_tensor_stateful_forward_only_rnn_layer():
    # TF.js: 'SimpleRNN Tensor' > 'stateful forward: only RNN layer' (defined twice in TF.js)
    layer = L.simpleRNN({**STATEFUL_SIMPLE_RNN, "batchInputShape": [4, 3, 2]})
    model = tf.sequential()
    model.add(layer)
    x = tf.ones([4, 3, 2])
    for _ in range(2):  # before and after model.resetStates()
        y1 = model.predict(x)
        close(y1, tf.ones([4, 5]).mul(tf.scalar(62)))
        y2 = model.predict(x)
        assert y1.isDisposed is False  # future predicts do not dispose previous outputs
        close(y2, tf.ones([4, 5]).mul(tf.scalar(7812)))
        model.resetStates()


def test_simple_rnn_tensor_stateful_forward_rnn_and_dense_layers():
    # TF.js: 'SimpleRNN Tensor' > 'stateful forward: RNN and dense layers'
    model = tf.sequential()
    model.add(L.simpleRNN({**STATEFUL_SIMPLE_RNN, "batchInputShape": [4, 3, 2]}))
    model.add(L.dense({"units": 1, "kernelInitializer": "ones"}))
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    xs, ys = tf.ones([4, 3, 2]), tf.ones([4, 1])
    for round_ in range(2):  # before and after model.resetStates()
        if round_:
            model.resetStates()
        y1 = model.predict(xs)
        assert list(y1.shape) == [4, 1]
        close(y1, tf.tensor2d([310, 310, 310, 310], [4, 1]))
        y2 = model.predict(xs)
        close(y2, tf.tensor2d([39060, 39060, 39060, 39060], [4, 1]))
    # fit starts from the states the last predict left, as in TF.js
    history = model.fit(xs, ys, {"epochs": 1, "batchSize": 4})
    assert history.history["loss"][0] >= 23841822736384


@pytest.mark.parametrize(
    ("title", "return_sequences", "return_state"),
    [
        ("computeMask: returnSequence = false, returnState = false", False, False),
        ("computeMask: returnSequence = true, returnState = false", True, False),
        ("computeMask: returnSequence = true, returnState = true", True, True),
    ],
)
def test_simple_rnn_tensor_compute_mask(title, return_sequences, return_state):
    # TF.js: 'SimpleRNN Tensor' > title
    options = {
        "units": 5,
        "returnSequences": return_sequences,
        "returnState": return_state,
        "batchInputShape": [4, 3, 2],
    }
    if return_state:
        options["stateful"] = True
    layer = L.simpleRNN(options)
    x = tf.ones([4, 3, 2])
    if return_state:
        layer.apply(x)
        layer.resetStates()  # let the layer construct its state first
    m = tf.ones([3, 1])
    mask = layer.computeMask(x, m)
    if not return_sequences:
        assert mask is None
    elif not return_state:
        close(mask, m)
    else:
        assert len(mask) == 2
        close(mask[0], m)
        assert mask[1] is None


def _stateful_bptt(factory, dense_init, ys, bias_init):
    model = tf.sequential()
    model.add(
        factory(
            {
                "units": 5,
                "kernelInitializer": "ones",
                "recurrentInitializer": "ones",
                "biasInitializer": bias_init,
                "stateful": True,
                "batchInputShape": [4, 3, 2],
            }
        )
    )
    model.add(L.dense({"units": 1, "kernelInitializer": dense_init, "useBias": False}))
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    xs = tf.concat([tf.ones([4, 3, 2]), tf.ones([4, 3, 2])], 0)
    history = model.fit(xs, tf.tensor2d(ys), {"batchSize": 4, "shuffle": False})
    return history.history["loss"][0]


def test_simple_rnn_tensor_stateful_bptt():
    # TF.js: 'SimpleRNN Tensor' > 'stateful BPTT'
    loss = _stateful_bptt(
        L.simpleRNN, "zeros", [[-1], [-2], [0], [1], [1], [2], [0], [-1]], "zeros"
    )
    to_close(loss, 1.5262475)


def _bptt(factory, kernel_init, learning_rate, y):
    model = tf.sequential()
    model.add(
        factory(
            {
                "units": 1,
                "kernelInitializer": kernel_init,
                "recurrentInitializer": kernel_init,
                "useBias": False,
                "inputShape": [3, 4],
            }
        )
    )
    model.add(L.dense({"units": 1, "kernelInitializer": "ones", "useBias": False}))
    x = tf.ones([5, 3, 4])
    model.compile({"loss": "meanSquaredError", "optimizer": tf.train.sgd(learning_rate)})
    model.fit(x, y, {"epochs": 2})
    return model


def test_simple_rnn_tensor_bptt():
    # TF.js: 'SimpleRNN Tensor' > 'BPTT'
    model = _bptt(L.simpleRNN, "ones", 5, tf.zeros([5, 1]))
    close(model.layers[0].getWeights()[0], tf.mul(tf.scalar(0.8484658), tf.ones([4, 1])))
    close(model.layers[0].getWeights()[1], tf.mul(tf.scalar(0.8484799), tf.ones([1, 1])))
    close(model.layers[1].getWeights()[0], tf.mul(tf.scalar(80.967026), tf.ones([1, 1])))


# ================================================================================================
# describeMathCPU('SimpleRNN Serialization'), ('GRU Serialization'), ('LSTM Serialization')
# ================================================================================================
def _cell_config(kind):
    config = {
        "units": 8,
        "activation": "tanh",
        "useBias": True,
        "kernelInitializer": "glorotUniform",
        "recurrentInitializer": "heUniform",
        "biasInitializer": "ones",
        "kernelRegularizer": "l1l2",
        "recurrentRegularizer": "l1l2",
        "biasRegularizer": "l1l2",
        "kernelConstraint": "unitNorm",
        "recurrentConstraint": "unitNorm",
        "biasConstraint": "nonNeg",
        "dropout": 0.1,
        "recurrentDropout": 0.2,
        "name": "cell_1",
        "batchSize": 12,
        "batchInputShape": [12, 8, 8],
        "inputShape": [8, 8],
        "dtype": "int32",
        "inputDType": "int32",
        "trainable": True,
    }
    if kind != "SimpleRNN":
        config["recurrentActivation"] = "tanh"
        config["implementation"] = 1
    if kind == "LSTM":
        config["unitForgetBias"] = True
    return config


def _expected_cell_config_prime(kind):
    """TF.js's `expectedCellConfigPrime` (TS form): serializeInitializer(new GlorotUniform())
    etc. written out as TF.js makes them (initializers.ts, regularizers.ts, constraints.ts)."""
    expected = {
        "name": "cell_1",
        "trainable": True,
        "batchInputShape": [12, 8, 8],
        "dtype": "int32",
        "units": 8,
        "activation": "tanh",  # serializeActivation(new Tanh())
        "useBias": True,
        # GlorotUniform and HeUniform serialize under Keras's class name, VarianceScaling
        "kernelInitializer": {
            "className": "VarianceScaling",
            "config": {"scale": 1, "mode": "fanAvg", "distribution": "uniform", "seed": None},
        },
        "recurrentInitializer": {
            "className": "VarianceScaling",
            "config": {"scale": 2, "mode": "fanIn", "distribution": "uniform", "seed": None},
        },
        "biasInitializer": {"className": "Ones", "config": {}},
        "kernelRegularizer": {"className": "L1L2", "config": {"l1": 0.01, "l2": 0.01}},
        "recurrentRegularizer": {"className": "L1L2", "config": {"l1": 0.01, "l2": 0.01}},
        "biasRegularizer": {"className": "L1L2", "config": {"l1": 0.01, "l2": 0.01}},
        "activityRegularizer": None,
        "kernelConstraint": {"className": "UnitNorm", "config": {"axis": 0}},
        "recurrentConstraint": {"className": "UnitNorm", "config": {"axis": 0}},
        "biasConstraint": {"className": "NonNeg", "config": {}},
    }
    if kind != "SimpleRNN":
        expected["recurrentActivation"] = "tanh"
        expected["implementation"] = 1
    if kind == "GRU":
        expected["resetAfter"] = False
    if kind == "LSTM":
        expected["unitForgetBias"] = True
    return expected


CELL_FACTORIES = {"SimpleRNN": L.simpleRNNCell, "GRU": L.gruCell, "LSTM": L.lstmCell}


@pytest.mark.parametrize("kind", ["SimpleRNN", "GRU", "LSTM"])
def test_serialization_cell_get_config(kind):
    # TF.js: '<SimpleRNN|GRU|LSTM> Serialization' > '<Kind>Cell.getConfig' > 'should return the
    # expected values'
    cell = CELL_FACTORIES[kind](_cell_config(kind))
    config = dict(cell.getConfig())  # TF.js's form: camelCase keys and values
    dropout, recurrent_dropout = config.pop("dropout"), config.pop("recurrentDropout")
    assert config == _expected_cell_config_prime(kind)
    to_close(dropout, 0.1)
    to_close(recurrent_dropout, 0.2)


@pytest.mark.parametrize("kind", ["SimpleRNN", "GRU", "LSTM"])
def test_serialization_layer_get_config(kind):
    # TF.js: '<SimpleRNN|GRU|LSTM> Serialization' > '<Kind>.getConfig' > 'should return the
    # expected values'
    rnn_options = {
        "returnSequences": True,
        "returnState": True,
        "stateful": True,
        "unroll": True,
        "goBackwards": True,
        "inputDim": 8,
        "inputLength": 8,
    }
    layer = FACTORIES[kind]({**_cell_config(kind), "name": "layer_1", **rnn_options})
    config = dict(layer.getConfig())  # TF.js's form: camelCase keys and values
    dropout, recurrent_dropout = config.pop("dropout"), config.pop("recurrentDropout")
    expected = {
        **_expected_cell_config_prime(kind),
        "name": "layer_1",
        "returnSequences": True,
        "returnState": True,
        "stateful": True,
        "unroll": True,
        "goBackwards": True,
    }
    assert config == expected
    to_close(dropout, 0.1)
    to_close(recurrent_dropout, 0.2)


# ================================================================================================
# describeMathCPUAndWebGL2('GRU Tensor')
# ================================================================================================
GRU_GOLDEN = [0.22847827, 0.2813754, 0.29444352]


@pytest.mark.parametrize("implementation", [1, 2])
@pytest.mark.parametrize("return_state", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_gru_tensor_implementation_return_sequences_return_state(
    implementation, return_state, return_sequences
):
    # TF.js: 'GRU Tensor' > 'implementation=<i>, returnSequences=<rs>, returnState=<st>'
    layer = L.gru(
        {
            "units": 5,
            **ONES_INIT,
            "returnState": return_state,
            "returnSequences": return_sequences,
            "implementation": implementation,
        }
    )
    output = layer.apply(tf.zeros([4, 3, 2]))
    final = GRU_GOLDEN[-1]
    if return_sequences:
        expected = np.broadcast_to(np.array(GRU_GOLDEN)[None, :, None], (4, 3, 5))
    else:
        expected = np.full((4, 5), final)
    if return_state:
        assert len(output) == 2
        close(output[0], expected)
        close(output[1], np.full((4, 5), final))
    else:
        close(output, expected)


def test_gru_tensor_stateful_forward():
    # TF.js: 'GRU Tensor' > 'stateful forward'
    layer = L.gru(
        {
            "units": 5,
            "kernelInitializer": "ones",
            "recurrentInitializer": "zeros",
            "biasInitializer": "zeros",
            "activation": "linear",
            "stateful": True,
            "batchInputShape": [4, 3, 2],
        }
    )
    model = tf.sequential()
    model.add(layer)
    x = tf.ones([4, 3, 2])
    for _ in range(2):  # y1, y2; then after model.resetStates() y3, y4
        y1 = model.predict(x)
        close(y1, tf.ones([4, 5]).mul(tf.scalar(0.542)))
        y2 = model.predict(x)
        assert y1.isDisposed is False
        close(y2, tf.ones([4, 5]).mul(tf.scalar(0.9371182)))
        model.resetStates()


def test_gru_tensor_stateful_bptt():
    # TF.js: 'GRU Tensor' > 'stateful BPTT'
    loss = _stateful_bptt(L.gru, "zeros", [[-1], [-2], [0], [1], [1], [2], [0], [-1]], "zeros")
    to_close(loss, 1.501)


def test_gru_tensor_bptt():
    # TF.js: 'GRU Tensor' > 'BPTT'
    model = _bptt(L.gru, "zeros", 1, tf.ones([5, 1]))
    close(
        model.layers[0].getWeights()[0],
        np.tile(np.array([[-0.03750037, 0, 1.7500007]]), [4, 1]),
    )
    close(model.layers[0].getWeights()[1], tf.tensor2d([[-1.562513e-02, 0, 2.086183e-07]], [1, 3]))
    close(model.layers[1].getWeights()[0], tf.tensor2d([[1.2187521]], [1, 1]))


def test_gru_tensor_symbolic_tensor_as_initial_state_thru_kwargs_save_and_load():
    # TF.js: 'GRU Tensor' > 'SymbolicTensor as initialState thru kwargs; Save & Load'
    in1 = tf.input({"shape": [5]})
    out1 = L.dense({"units": 2, "kernelInitializer": "ones", "biasInitializer": "zeros"}).apply(in1)
    in2 = tf.input({"shape": [3, 4]})
    out2 = L.gru(
        {
            "units": 2,
            "recurrentInitializer": "ones",
            "kernelInitializer": "ones",
            "biasInitializer": "zeros",
        }
    ).apply(in2, {"initialState": out1})
    model = tf.model({"inputs": [in1, in2], "outputs": [out1, out2]})
    xs1 = tf.tensor2d([[0.1, 0.2, 0.3, 0.4, 0.5]])
    xs2 = tf.tensor3d([[[0.1, 0.2, 0.3, 0.4], [-0.1, -0.2, -0.3, -0.4], [0.3, 0.4, 0.5, 0.6]]])
    ys = model.predict([xs1, xs2])
    assert len(ys) == 2
    close(ys[0], tf.tensor2d([[1.5, 1.5]]))
    close(ys[1], tf.tensor2d([[1.4435408, 1.4435408]]))
    model_json = model.toJSON(None, False)
    model_prime = tf.models.modelFromJSON({"modelTopology": model_json})
    ys_prime = model_prime.predict([xs1, xs2])
    assert len(ys_prime) == 2
    close(ys_prime[0], ys[0])
    close(ys_prime[1], ys[1])


# ================================================================================================
# describeMathCPU('GRU-deserialization'), ('LSTM-deserialization')
# ================================================================================================
@pytest.mark.parametrize("kind", ["GRU", "LSTM"])
@pytest.mark.parametrize("options", [{}, {"recurrentActivation": "tanh"}])
def test_deserialization_recurrent_activation_round_trip(kind, options):
    # TF.js: '<GRU|LSTM>-deserialization' > 'Default recurrentActivation round trip' ({}) and
    # 'Non-default recurrentActivation round trip' (recurrentActivation: 'tanh')
    x = tf.randomNormal([1, 2, 3])
    layer = FACTORIES[kind]({"units": 4, **options})
    y = layer.apply(x)
    ts_config = pythonic_to_ts(layer.getConfig())
    layer_prime = FACTORIES[kind](ts_config)
    y_prime = layer.apply(x)
    close(y_prime, y)
    assert (
        layer_prime.getConfig()["recurrent_activation"] == layer.getConfig()["recurrent_activation"]
    )
    if options:
        assert layer_prime.getConfig()["recurrent_activation"] == "tanh"


def _fake_lstm(name, return_sequences):
    variance_scaling = {
        "class_name": "VarianceScaling",
        "config": {"distribution": "uniform", "scale": 1.0, "seed": None, "mode": "fan_avg"},
    }
    return {
        "recurrent_activation": "hard_sigmoid",
        "trainable": True,
        "recurrent_initializer": variance_scaling,
        "use_bias": True,
        "bias_regularizer": None,
        "return_state": True,
        "unroll": False,
        "activation": "tanh",
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "units": 256,
        "unit_forget_bias": True,
        "activity_regularizer": None,
        "recurrent_dropout": 0.0,
        "kernel_initializer": variance_scaling,
        "kernel_constraint": None,
        "dropout": 0.0,
        "stateful": False,
        "recurrent_regularizer": None,
        "name": name,
        "bias_constraint": None,
        "go_backwards": False,
        "implementation": 1,
        "kernel_regularizer": None,
        "return_sequences": return_sequences,
        "recurrent_constraint": None,
    }


FAKE_LSTM_MODEL = {
    "modelTopology": {
        "class_name": "Model",
        "keras_version": "2.1.2",
        "config": {
            "layers": [
                {
                    "class_name": "InputLayer",
                    "config": {
                        "dtype": "float32",
                        "batch_input_shape": [None, None, 71],
                        "name": "input_1",
                        "sparse": False,
                    },
                    "inbound_nodes": [],
                    "name": "input_1",
                },
                {
                    "class_name": "InputLayer",
                    "config": {
                        "dtype": "float32",
                        "batch_input_shape": [None, None, 94],
                        "name": "input_2",
                        "sparse": False,
                    },
                    "inbound_nodes": [],
                    "name": "input_2",
                },
                {
                    "class_name": "LSTM",
                    "config": _fake_lstm("lstm_1", False),
                    "inbound_nodes": [[["input_1", 0, 0, {}]]],
                    "name": "lstm_1",
                },
                {
                    "class_name": "LSTM",
                    "config": _fake_lstm("lstm_2", True),
                    "inbound_nodes": [
                        [["input_2", 0, 0, {}], ["lstm_1", 0, 1, {}], ["lstm_1", 0, 2, {}]]
                    ],
                    "name": "lstm_2",
                },
                {
                    "class_name": "Dense",
                    "config": {
                        "kernel_initializer": {
                            "class_name": "VarianceScaling",
                            "config": {
                                "distribution": "uniform",
                                "scale": 1.0,
                                "seed": None,
                                "mode": "fan_avg",
                            },
                        },
                        "name": "dense_1",
                        "kernel_constraint": None,
                        "bias_regularizer": None,
                        "bias_constraint": None,
                        "activation": "softmax",
                        "trainable": True,
                        "kernel_regularizer": None,
                        "bias_initializer": {"class_name": "Zeros", "config": {}},
                        "units": 94,
                        "use_bias": True,
                        "activity_regularizer": None,
                    },
                    "inbound_nodes": [[["lstm_2", 0, 0, {}]]],
                    "name": "dense_1",
                },
            ],
            "input_layers": [["input_1", 0, 0], ["input_2", 0, 0]],
            "output_layers": [["dense_1", 0, 0]],
            "name": "model_1",
        },
        "backend": "tensorflow",
    }
}


def test_lstm_deserialization_model_from_config():
    # TF.js: 'LSTM-deserialization' > 'modelFromConfig'
    model = tf.models.modelFromJSON(FAKE_LSTM_MODEL)
    encoder_inputs = tf.zeros([1, 3, 71], "float32")
    decoder_inputs = tf.zeros([1, 3, 94], "float32")
    outputs = model.predict([encoder_inputs, decoder_inputs])
    assert list(outputs.shape) == [1, 3, 94]


# ================================================================================================
# describeMathCPU('LSTM Symbolic') > 'LSTM Cells save and load'
# ================================================================================================
def test_lstm_symbolic_lstm_cells_save_and_load(tmp_path):
    # TF.js: 'LSTM Symbolic' > 'LSTM Cells save and load' (TF.js saves to memory with
    # io.withSaveHandler and loads with io.fromMemory; here a model folder)
    model = tf.sequential()
    model.add(L.dense({"units": 1, "inputShape": [2, 3]}))
    cells = [L.lstmCell({"units": 3}), L.lstmCell({"units": 4})]
    model.add(L.rnn({"cell": cells, "returnSequences": True}))
    xs = tf.randomNormal([5, 2, 3])
    ys = model.predict(xs)
    model.save(tmp_path / "m")
    loaded = tf.loadLayersModel(tmp_path / "m")
    assert model.inputs[0].shape == loaded.inputs[0].shape
    assert model.outputs[0].shape == loaded.outputs[0].shape
    close(loaded.predict(xs), ys)


# ================================================================================================
# describeMathCPUAndWebGL2('LSTM Tensor')
# ================================================================================================
@pytest.mark.parametrize("implementation", [1, 2])
@pytest.mark.parametrize("return_state", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_tensor_implementation_return_sequences_return_state(
    implementation, return_state, return_sequences
):
    # TF.js: 'LSTM Tensor' > 'implementation=<i>, returnSequences=<rs>, returnState=<st>'
    layer = L.lstm(
        {
            "units": 5,
            **ONES_INIT,
            "returnState": return_state,
            "returnSequences": return_sequences,
            "implementation": implementation,
        }
    )
    output = layer.apply(tf.ones([4, 2, 2]))
    at_t0, at_t1 = 0.7595095, 0.96367633
    golden_h, golden_c = at_t1, 1.99505234
    if return_sequences:
        expected = np.broadcast_to(np.array([at_t0, at_t1])[None, :, None], (4, 2, 5))
    else:
        expected = np.full((4, 5), at_t1)
    if return_state:
        assert len(output) == 3
        close(output[0], expected)
        close(output[1], np.full((4, 5), golden_h))
        close(output[2], np.full((4, 5), golden_c))
    else:
        close(output, expected)


@pytest.mark.parametrize("implementation", [1, 2])  # TF.js defines these once per implementation
def test_lstm_tensor_stateful_forward(implementation):
    # TF.js: 'LSTM Tensor' > 'stateful forward'
    layer = L.lstm({"units": 5, **ONES_INIT, "stateful": True, "batchInputShape": [4, 3, 2]})
    model = tf.sequential()
    model.add(layer)
    x = tf.ones([4, 3, 2])
    for _ in range(2):  # before and after model.resetStates()
        y1 = model.predict(x)
        close(y1, tf.ones([4, 5]).mul(tf.scalar(0.995)))
        y2 = model.predict(x)
        assert y1.isDisposed is False
        close(y2, tf.ones([4, 5]).mul(tf.scalar(0.99998766)))
        model.resetStates()


@pytest.mark.parametrize("implementation", [1, 2])
def test_lstm_tensor_stateful_bptt(implementation):
    # TF.js: 'LSTM Tensor' > 'stateful BPTT'
    loss = _stateful_bptt(L.lstm, "ones", [[1], [2], [3], [4], [5], [6], [7], [8]], "ones")
    to_close(loss, 5.8377)


@pytest.mark.parametrize("implementation", [1, 2])
def test_lstm_tensor_bptt(implementation):
    # TF.js: 'LSTM Tensor' > 'BPTT'
    model = _bptt(L.lstm, "zeros", 1, tf.ones([5, 1]))
    close(
        model.layers[0].getWeights()[0],
        np.tile(np.array([[0.11455188, 0.06545822, 0.8760446, 0.18237013]]), [4, 1]),
    )
    close(
        model.layers[0].getWeights()[1],
        tf.tensor2d([[0.02831176, 0.01934617, 0.00025817, 0.05784169]], [1, 4]),
    )
    close(model.layers[1].getWeights()[0], tf.tensor2d([[1.4559253]], [1, 1]))


MASK_XS = [[0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [1, 2, 0, 0, 0, 0], [1, 2, 3, 0, 0, 0]]
MASK_XS3 = [[0, 0, 0], [1, 0, 0], [1, 2, 0], [1, 2, 3]]
LSTM3_ONES = {
    "units": 3,
    "recurrentInitializer": "ones",
    "kernelInitializer": "ones",
    "biasInitializer": "zeros",
}
DENSE1_ONES = {"units": 1, "kernelInitializer": "ones", "biasInitializer": "zeros"}


def _embedding(input_length, output_dim=4, **extra):
    return L.embedding(
        {
            "inputDim": 10,
            "outputDim": output_dim,
            "inputLength": input_length,
            "maskZero": True,
            "embeddingsInitializer": "ones",
            **extra,
        }
    )


def test_lstm_tensor_with_mask():
    # TF.js: 'LSTM Tensor' > 'With mask'
    model = tf.sequential()
    model.add(_embedding(6))
    model.add(L.lstm(LSTM3_ONES))
    model.add(L.dense(DENSE1_ONES))
    ys = model.predict(tf.tensor2d(MASK_XS))
    close(ys, tf.tensor2d([[0], [2.283937], [2.891939], [2.9851441]]))


def test_lstm_tensor_with_mask_go_backwards_true():
    # TF.js: 'LSTM Tensor' > 'With mask, goBackwards = true'
    model = tf.sequential()
    embedding_layer = L.embedding(
        {"inputDim": 4, "outputDim": 2, "inputLength": 3, "maskZero": True}
    )
    model.add(embedding_layer)
    lstm_layer = L.lstm({"units": 2, "goBackwards": True})
    model.add(lstm_layer)
    model.add(L.dense(DENSE1_ONES))
    embedding_layer.setWeights([tf.tensor2d([[0.1, 0.2], [0.3, 0.4], [-0.1, -0.2], [-0.3, -0.4]])])
    lstm_layer.setWeights(
        [
            tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8], [-1, -2, -3, -4, -5, -6, -7, -8]]),
            tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8], [-1, -2, -3, -4, -5, -6, -7, -8]]),
            tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8]),
        ]
    )
    ys = model.predict(tf.tensor2d(MASK_XS3))
    close(ys, tf.tensor2d([[0], [1.2876499], [1.8165315], [1.9599037]]))


def test_lstm_tensor_with_mask_and_a_nested_model():
    # TF.js: 'LSTM Tensor' > 'With mask and a nested model'
    model = tf.sequential()
    model.add(L.reshape({"targetShape": [6], "inputShape": [6]}))  # a dummy input layer
    nested = tf.sequential()
    nested.add(_embedding(6))
    nested.add(L.lstm(LSTM3_ONES))
    model.add(nested)
    model.add(L.dense(DENSE1_ONES))
    ys = model.predict(tf.tensor2d(MASK_XS))
    close(ys, tf.tensor2d([[0], [2.283937], [2.891939], [2.9851441]]))


def test_lstm_tensor_bptt_with_mask_correctness_and_no_leak():
    # TF.js: 'LSTM Tensor' > 'BPTT with mask: correctness and no leak'
    model = tf.sequential()
    model.add(_embedding(6))
    model.add(L.lstm(LSTM3_ONES))
    model.add(L.dense(DENSE1_ONES))
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    xs, ys = tf.tensor2d(MASK_XS), tf.tensor2d([[1], [2], [3], [4]])
    model.fit(xs, ys, {"epochs": 2, "batchSize": 4})  # burn-in
    history = model.fit(xs, ys, {"epochs": 2, "batchSize": 4})
    assert len(history.history["loss"]) == 2
    to_close(history.history["loss"][0], 0.503677)
    to_close(history.history["loss"][1], 0.492173)


def test_lstm_tensor_with_mask_return_states_true():
    # TF.js: 'LSTM Tensor' > 'With mask, returnStates = true'
    inp = tf.input({"shape": [6]})
    y = _embedding(6).apply(inp)
    y = L.lstm({**LSTM3_ONES, "returnState": True}).apply(y)
    model = tf.model({"inputs": inp, "outputs": y})
    ys = model.predict(tf.tensor2d(MASK_XS))
    assert len(ys) == 3
    h = [[0, 0, 0], [0.76131237] * 3, [0.9639796] * 3, [0.99504817] * 3]
    close(ys[0], tf.tensor2d(h))
    close(ys[1], tf.tensor2d(h))
    close(ys[2], tf.tensor2d([[0, 0, 0], [0.9993292] * 3, [1.9993222] * 3, [2.9993203] * 3]))


def test_lstm_tensor_with_mask_return_sequences_true():
    # TF.js: 'LSTM Tensor' > 'With mask, returnSequences = true'
    model = tf.sequential()
    model.add(_embedding(3))
    model.add(L.lstm({**LSTM3_ONES, "returnSequences": True}))
    model.add(L.dense(DENSE1_ONES))
    ys = model.predict(tf.tensor2d(MASK_XS3))
    close(
        ys,
        tf.tensor3d(
            [
                [[0], [0], [0]],
                [[2.283937], [2.283937], [2.283937]],
                [[2.283937], [2.8919387], [2.8919387]],
                [[2.283937], [2.8919387], [2.9851446]],
            ]
        ),
    )


def test_lstm_tensor_stacked_rnns_with_masking_correctness_and_no_leak():
    # TF.js: 'LSTM Tensor' > 'Stacked RNNs with masking: correctness and no leak'
    model = tf.sequential()
    model.add(_embedding(3))
    model.add(L.simpleRNN({**LSTM3_ONES, "returnSequences": True}))
    model.add(L.lstm(LSTM3_ONES))
    xs = tf.tensor2d(MASK_XS3)
    model.predict(xs)  # burn-in
    ys = model.predict(xs)
    close(
        ys,
        tf.tensor2d([[0, 0, 0], [0.75950104] * 3, [0.96367145] * 3, [0.9950049] * 3]),
    )


# ================================================================================================
# describeMathCPU('StackedRNNCells Symbolic'), ('Stacked RNN serialization');
# describeMathWebGL2('StackedRNNCells Tensor') (WebGL2 in TF.js; the numbers hold on any backend)
# ================================================================================================
@pytest.mark.parametrize(
    ("title", "cells", "shapes"),
    [
        (
            "With SimpleRNNCell",
            lambda: L.stackedRNNCells(
                {
                    "cells": [
                        L.simpleRNNCell({"units": 3, "recurrentInitializer": "glorotNormal"}),
                        L.simpleRNNCell({"units": 2, "recurrentInitializer": "glorotNormal"}),
                    ]
                }
            ),
            [[7, 3], [3, 3], [3], [3, 2], [2, 2], [2]],
        ),
        (
            "With LSTMCell",
            lambda: L.stackedRNNCells(
                {
                    "cells": [
                        L.lstmCell({"units": 3, "recurrentInitializer": "glorotNormal"}),
                        L.lstmCell({"units": 2, "recurrentInitializer": "glorotNormal"}),
                    ]
                }
            ),
            [[7, 12], [3, 12], [12], [3, 8], [2, 8], [8]],
        ),
        (
            "RNN with cell array creates StackedRNNCell",
            lambda: [
                L.gruCell({"units": 3, "recurrentInitializer": "glorotNormal"}),
                L.gruCell({"units": 2, "recurrentInitializer": "glorotNormal"}),
            ],
            [[7, 9], [3, 9], [9], [3, 6], [2, 6], [6]],
        ),
    ],
)
def test_stacked_rnn_cells_symbolic(title, cells, shapes):
    # TF.js: 'StackedRNNCells Symbolic' > title
    stacked = L.rnn({"cell": cells()})
    output = stacked.apply(symbolic([16, 10, 7]))
    assert list(output.shape) == [16, 2]
    assert len(stacked.trainableWeights) == 6  # 3 trainable weights from each cell
    assert len(stacked.nonTrainableWeights) == 0
    assert [list(w.shape) for w in stacked.getWeights()] == shapes


def test_stacked_rnn_serialization_stacked_rnn_cells():
    # TF.js: 'Stacked RNN serialization' > 'StackedRNNCells'
    model = tf.sequential()
    model.add(L.dense({"units": 1, "inputShape": [3, 4], "kernelInitializer": "ones"}))
    cells = [
        L.lstmCell({"units": 5, "kernelInitializer": "ones", "recurrentInitializer": "ones"}),
        L.lstmCell({"units": 6, "kernelInitializer": "ones", "recurrentInitializer": "ones"}),
    ]
    model.add(L.rnn({"cell": cells, "returnSequences": True}))
    xs = tf.ones([1, 3, 4]).mul(0.1)
    ys = model.predict(xs)
    model_json = model.toJSON(None, False)
    model_prime = tf.models.modelFromJSON({"modelTopology": model_json})
    close(model_prime.predict(xs), ys)


def test_stacked_rnn_cells_tensor_forward_pass():
    # TF.js: 'StackedRNNCells Tensor' > 'Forward pass' (describeMathWebGL2 in TF.js)
    no_bias = {"recurrentInitializer": "ones", "kernelInitializer": "ones", "useBias": False}
    stacked = L.rnn(
        {
            "cell": L.stackedRNNCells(
                {
                    "cells": [
                        L.simpleRNNCell({"units": 3, **no_bias}),
                        L.gruCell({"units": 2, **no_bias}),
                        L.lstmCell({"units": 1, **no_bias}),
                    ]
                }
            )
        }
    )
    x = tf.tensor3d(
        [
            [[0.1, -0.1, 0.2, -0.2], [-0.1, 0.1, -0.2, 0.2], [0.1, 0.1, -0.2, -0.2]],
            [[0.05, -0.05, 0.1, -0.1], [-0.05, 0.05, -0.1, 0.1], [0.05, 0.05, -0.1, -0.1]],
        ],
        [2, 3, 4],
    )
    close(stacked.apply(x), tf.tensor2d([[-0.07715216], [-0.05906887]], [2, 1]))
