"""TF.js's own wrapper-layer tests, ported: tfjs-layers 4.22 `src/layers/wrappers_test.ts`
(TimeDistributed, Bidirectional, checkBidirectionalMergeMode).

Each test names its TF.js `describe(...)` block and `it(...)` title in a comment (`# TF.js:
'<describe>' > '<it>'`); expected numbers and error phrases are TF.js's. `close()` is TF.js's
`expectTensorsClose` (1e-3), `to_close()` Jasmine's `toBeCloseTo` (2 digits).

Already ported in `test_tfjs_style_layers.py`: the TimeDistributed 2-D input message
(test_time_distributed_on_2d_input_names_tfjs_words, on a tensor; here on TF.js's symbolic
input with TF.js's regex) and Bidirectional's wrong number of initial states
(test_bidirectional_wrong_number_of_initial_states_fails_at_apply, with an LSTM; here TF.js's
GRU case and regex).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_tfjs_recurrent_suite import close, pythonic_to_ts, symbolic, to_close

import lstmkit as tf
from lstmkit.layers.wrappers import (
    VALID_BIDIRECTIONAL_MERGE_MODES,
    check_bidirectional_merge_mode,
)

L = tf.layers


# ================================================================================================
# describeMathCPU('TimeDistributed Layer: Symbolic')
# ================================================================================================
def test_time_distributed_symbolic_3d_input_dense():
    # TF.js: 'TimeDistributed Layer: Symbolic' > '3D input: Dense'
    x = symbolic([10, 8, 2])
    wrapper = L.timeDistributed({"layer": L.Dense({"units": 3})})
    output = wrapper.apply(x)
    assert wrapper.trainable is True
    assert len(wrapper.getWeights()) == 2  # kernel and bias
    assert output.dtype == x.dtype
    assert list(output.shape) == [10, 8, 3]


def test_time_distributed_symbolic_4d_input_reshape():
    # TF.js: 'TimeDistributed Layer: Symbolic' > '4D input: Reshape'
    x = symbolic([10, 8, 2, 3])
    wrapper = L.timeDistributed({"layer": L.Reshape({"targetShape": [6]})})
    output = wrapper.apply(x)
    assert output.dtype == x.dtype
    assert list(output.shape) == [10, 8, 6]


def test_time_distributed_symbolic_2d_input_leads_to_exception():
    # TF.js: 'TimeDistributed Layer: Symbolic' > '2D input leads to exception'
    wrapper = L.timeDistributed({"layer": L.Dense({"units": 3})})
    with pytest.raises(
        ValueError, match=r"TimeDistributed .*expects an input shape >= 3D, .* \[10,.*2\]"
    ):
        wrapper.apply(symbolic([10, 2]))


def test_time_distributed_symbolic_get_config_and_from_config_round_trip():
    # TF.js: 'TimeDistributed Layer: Symbolic' > 'getConfig and fromConfig: round trip'
    wrapper = L.timeDistributed({"layer": L.Dense({"units": 3})})
    config = wrapper.getConfig()
    wrapper_prime = L.TimeDistributed.fromConfig(L.TimeDistributed, config)
    assert wrapper_prime.getConfig() == wrapper.getConfig()


# ================================================================================================
# describeMathCPUAndWebGL2('TimeDistributed Layer: Tensor')
# ================================================================================================
def test_time_distributed_tensor_3d_input_dense():
    # TF.js: 'TimeDistributed Layer: Tensor' > '3D input: Dense'
    x = tf.tensor3d(
        [[[1, 2], [3, 4], [5, 6], [7, 8]], [[-1, -2], [-3, -4], [-5, -6], [-7, -8]]], [2, 4, 2]
    )
    wrapper = L.timeDistributed(
        {"layer": L.Dense({"units": 1, "kernelInitializer": "ones", "useBias": False})}
    )
    close(
        wrapper.apply(x),
        tf.tensor3d([[[3], [7], [11], [15]], [[-3], [-7], [-11], [-15]]], [2, 4, 1]),
    )


def test_time_distributed_tensor_layers_model_as_constituent_layer():
    # TF.js: 'TimeDistributed Layer: Tensor' > 'LayersModel as constituent layer'
    model_as_layer = tf.sequential(
        {
            "layers": [
                L.dense(
                    {
                        "activation": "softmax",
                        "units": 3,
                        "inputShape": [2, 5],
                        "kernelInitializer": "ones",
                    }
                )
            ]
        }
    )
    td = L.timeDistributed({"layer": model_as_layer, "inputShape": [2, 5]})
    model = tf.sequential({"layers": [td]})
    ys = model.predict(tf.ones([1, 2, 5]))
    assert list(ys.shape) == [1, 2, 3]
    close(ys, tf.tensor3d([[[0.33333334] * 3, [0.33333334] * 3]]))


def test_time_distributed_tensor_with_masking():
    # TF.js: 'TimeDistributed Layer: Tensor' > 'With masking'
    def embedding():
        return L.embedding(
            {
                "inputDim": 10,
                "outputDim": 3,
                "inputLength": 4,
                "maskZero": True,
                "embeddingsInitializer": "ones",
            }
        )

    def lstm():
        return L.lstm(
            {
                "units": 3,
                "returnSequences": True,
                "recurrentInitializer": "ones",
                "kernelInitializer": "ones",
                "biasInitializer": "zeros",
            }
        )

    input1, input2 = tf.input({"shape": [4]}), tf.input({"shape": [4]})
    y1 = lstm().apply(embedding().apply(input1))
    z1 = lstm().apply(embedding().apply(input2))
    y2 = L.dot({"axes": [2, 2]}).apply([y1, z1])
    y3 = L.concatenate().apply([y1, y2])
    y3 = L.timeDistributed(
        {"layer": L.dense({"units": 1, "kernelInitializer": "ones", "biasInitializer": "zeros"})}
    ).apply(y3)
    model = tf.model({"inputs": [input1, input2], "outputs": y3})
    xs1 = tf.tensor2d([[0, 0, 0, 0], [1, 0, 0, 0], [1, 2, 0, 0], [1, 2, 3, 0]])
    xs2 = tf.ones([4, 4])
    ys = model.predict([xs1, xs2])
    close(
        ys,
        tf.tensor3d(
            [
                [[0], [0], [0], [0]],
                [[10.7489796], [10.7489796], [10.7489796], [10.7489796]],
                [[10.7489796], [13.6384077], [13.6384077], [13.6384077]],
                [[10.7489796], [13.6384077], [14.0818386], [14.0818386]],
            ]
        ),
    )


# ================================================================================================
# describeMathCPU('Bidirectional Layer: Symbolic')
# ================================================================================================
@pytest.mark.parametrize("merge_mode", [None, "concat", "ave", "mul", "sum"])
@pytest.mark.parametrize("return_state", [False, True])
def test_bidirectional_symbolic_3d_input(merge_mode, return_state):
    # TF.js: 'Bidirectional Layer: Symbolic' > '3D input: returnSequence=false,
    # mergeMode=<mode>; returnState=<st>'
    bidi = L.bidirectional(
        {
            "layer": L.SimpleRNN(
                {"units": 3, "recurrentInitializer": "glorotNormal", "returnState": return_state}
            ),
            "mergeMode": merge_mode,
        }
    )
    outputs = bidi.apply(symbolic([10, 8, 2]))
    assert bidi.trainable is True
    assert len(bidi.getWeights()) == 6  # {kernel, recurrentKernel, bias} * {forward, backward}
    if not return_state:
        if merge_mode is None:
            assert len(outputs) == 2
            assert [list(o.shape) for o in outputs] == [[10, 3], [10, 3]]
        elif merge_mode == "concat":
            assert list(outputs.shape) == [10, 6]
        else:
            assert list(outputs.shape) == [10, 3]
    else:
        if merge_mode is None:
            assert len(outputs) == 4
            assert [list(o.shape) for o in outputs] == [[10, 3]] * 4
        elif merge_mode == "concat":
            assert len(outputs) == 3
            assert [list(o.shape) for o in outputs] == [[10, 6], [10, 3], [10, 3]]
        else:
            assert len(outputs) == 3
            assert [list(o.shape) for o in outputs] == [[10, 3]] * 3


def test_bidirectional_symbolic_return_sequence_true():
    # TF.js: 'Bidirectional Layer: Symbolic' > 'returnSequence=true'
    bidi = L.bidirectional(
        {
            "layer": L.SimpleRNN(
                {
                    "units": 3,
                    "recurrentInitializer": "glorotNormal",
                    "returnSequences": True,
                    "returnState": True,
                }
            ),
            "mergeMode": "ave",
        }
    )
    outputs = bidi.apply(symbolic([10, 8, 2]))
    assert len(outputs) == 3
    assert [list(o.shape) for o in outputs] == [[10, 8, 3], [10, 3], [10, 3]]


def test_bidirectional_symbolic_serialization_round_trip():
    # TF.js: 'Bidirectional Layer: Symbolic' > 'Serialization round trip'
    layer = L.bidirectional(
        {"layer": L.SimpleRNN({"units": 3}), "mergeMode": "concat", "inputShape": [4, 4]}
    )
    model = tf.sequential({"layers": [layer]})
    model_json = model.toJSON(None, False)
    model_prime = L.deserialize(pythonic_to_ts(model_json))
    assert model_prime.layers[0].getConfig()["merge_mode"] == "concat"


def test_bidirectional_symbolic_merge_mode_defaults_to_concat():
    # TF.js: 'Bidirectional Layer: Symbolic' > 'mergeMode defaults to concat'
    bidi = L.bidirectional({"layer": L.SimpleRNN({"units": 3})})
    assert bidi.mergeMode == "concat"
    assert bidi.getConfig()["merge_mode"] == "concat"


# ================================================================================================
# describe('checkBidirectionalMergeMode')
# ================================================================================================
def test_check_bidirectional_merge_mode_valid_values():
    # TF.js: 'checkBidirectionalMergeMode' > 'Valid values'
    for valid_value in [*VALID_BIDIRECTIONAL_MERGE_MODES, None]:
        check_bidirectional_merge_mode(valid_value)  # does not raise


def test_check_bidirectional_merge_mode_invalid_values():
    # TF.js: 'checkBidirectionalMergeMode' > 'Invalid values'
    with pytest.raises(ValueError, match="foo"):
        check_bidirectional_merge_mode("foo")
    with pytest.raises(ValueError) as info:
        check_bidirectional_merge_mode("bad")
    assert "BidirectionalMergeMode" in str(info.value)
    for valid_value in VALID_BIDIRECTIONAL_MERGE_MODES:
        assert valid_value in str(info.value)


def test_bidirectional_checks_its_merge_mode_with_tfjs_words():
    # TF.js's Bidirectional constructor calls checkBidirectionalMergeMode (wrappers.ts)
    with pytest.raises(ValueError, match="bad is not a valid BidirectionalMergeMode"):
        L.bidirectional({"layer": L.SimpleRNN({"units": 3}), "mergeMode": "bad"})


# ================================================================================================
# describeMathCPUAndWebGL2('Bidirectional Layer: Tensor')
# ================================================================================================
BIDI_X = [[[0.05, 0.05], [-0.05, -0.05], [0.1, 0.1], [-0.1, -0.1]]]
_UNSET = object()


def _bidi(merge_mode, return_state):
    options = {
        "layer": L.SimpleRNN(
            {
                "units": 3,
                "kernelInitializer": "ones",
                "recurrentInitializer": "ones",
                "useBias": False,
                "returnState": return_state,
            }
        )
    }
    if merge_mode is not _UNSET:  # TF.js's `mergeMode: undefined`: the option not given
        options["mergeMode"] = merge_mode
    return L.bidirectional(options), tf.tensor3d(BIDI_X, [1, 4, 2])


@pytest.mark.parametrize("merge_mode", [None, _UNSET, "concat", "mul"], ids=repr)
def test_bidirectional_tensor_no_return_state(merge_mode):
    # TF.js: 'Bidirectional Layer: Tensor' > 'No returnState, mergeMode=<null|undefined|concat|mul>'
    bidi, x = _bidi(merge_mode, False)
    y = bidi.apply(x)
    forward, backward = [0.9440416] * 3, [-0.9842659] * 3
    if merge_mode is None:
        assert len(y) == 2
        close(y[0], tf.tensor2d([forward], [1, 3]))
        close(y[1], tf.tensor2d([backward], [1, 3]))
    elif merge_mode in (_UNSET, "concat"):
        close(y, tf.tensor2d([forward + backward], [1, 6]))
    else:
        close(y, tf.tensor2d([[-0.929188] * 3], [1, 3]))


def test_bidirectional_tensor_return_state():
    # TF.js: 'Bidirectional Layer: Tensor' > 'returnState'
    bidi, x = _bidi("ave", True)
    y = bidi.apply(x)
    assert len(y) == 3
    close(y[0], tf.tensor2d([[-0.02011216] * 3], [1, 3]))
    close(y[1], tf.tensor2d([[0.9440416] * 3], [1, 3]))
    close(y[2], tf.tensor2d([[-0.9842659] * 3], [1, 3]))


@pytest.mark.parametrize(
    ("merge_mode", "y", "before", "loss", "after"),
    [
        ("concat", [[0.3, 0.5]], [[0.69299805, 0.66088]], 0.0901649, [[0.6927189, 0.66077083]]),
        ("ave", [[0.4]], [[0.676939]], 0.0766952, [[0.6767467]]),
    ],
)
def test_bidirectional_tensor_backwards_lstm_predict_and_fit(merge_mode, y, before, loss, after):
    # TF.js: 'Bidirectional Layer: Tensor' > 'Backwards LSTM: predict and fit: <concat|ave>'
    lstm = L.lstm(
        {
            "units": 1,
            "kernelInitializer": "ones",
            "recurrentInitializer": "ones",
            "biasInitializer": "ones",
            "goBackwards": True,
        }
    )
    bidi = L.bidirectional({"layer": lstm, "inputShape": [2, 2], "mergeMode": merge_mode})
    model = tf.sequential({"layers": [bidi]})
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    x = tf.tensor3d([[[0.1, 0.2], [-0.1, 0.1]]])
    close(model.predict(x), tf.tensor2d(before))
    history = model.fit(x, tf.tensor2d(y))
    to_close(history.history["loss"][0], loss)
    close(model.predict(x), tf.tensor2d(after))


# ================================================================================================
# describeMathCPUAndWebGL2('Bidirectional with initial state')
# ================================================================================================
def _bidi_with_initial_state():
    init_state1 = tf.input({"shape": [3]})
    init_state2 = tf.input({"shape": [3]})
    input_tensor = tf.input({"shape": [4, 2]})
    bidi_layer = L.bidirectional(
        {
            "layer": L.gru(
                {
                    "units": 3,
                    "kernelInitializer": "zeros",
                    "recurrentInitializer": "zeros",
                    "biasInitializer": "ones",
                }
            ),
            "mergeMode": None,
        }
    )
    outputs = bidi_layer.apply(input_tensor, {"initialState": [init_state1, init_state2]})
    return bidi_layer, init_state1, init_state2, input_tensor, outputs


def test_bidirectional_with_initial_state_correct_shapes():
    # TF.js: 'Bidirectional with initial state' > 'Correct shapes'
    *_, outputs = _bidi_with_initial_state()
    assert len(outputs) == 2
    assert list(outputs[0].shape) == [None, 3]
    assert list(outputs[1].shape) == [None, 3]


def test_bidirectional_with_initial_state_apply_with_concrete_tensors():
    # TF.js: 'Bidirectional with initial state' > 'apply() with concrete tensors'
    bidi_layer, *_ = _bidi_with_initial_state()
    x_val = tf.ones([1, 4, 2])
    y_vals = bidi_layer.apply(
        x_val, {"initialState": [tf.ones([1, 3]).mul(tf.scalar(-1)), tf.ones([1, 3])]}
    )
    assert len(y_vals) == 2
    close(y_vals[0], tf.tensor2d([[0.33863544] * 3]))
    close(y_vals[1], tf.tensor2d([[0.8188354] * 3]))


def _bidi_model():
    _, init1, init2, inp, outputs = _bidi_with_initial_state()
    return tf.model({"inputs": [inp, init1, init2], "outputs": outputs})


def test_bidirectional_with_initial_state_layers_model_predict():
    # TF.js: 'Bidirectional with initial state' > 'LayersModel predict'
    model = _bidi_model()
    y_vals = model.predict(
        [tf.ones([1, 4, 2]), tf.ones([1, 3]).mul(tf.scalar(-1)), tf.ones([1, 3])]
    )
    assert len(y_vals) == 2
    close(y_vals[0], tf.tensor2d([[0.33863544] * 3]))
    close(y_vals[1], tf.tensor2d([[0.8188354] * 3]))


def test_bidirectional_with_initial_state_layers_model_serialization_round_trip():
    # TF.js: 'Bidirectional with initial state' > 'LayersModel serialization round trip'
    model = _bidi_model()
    json1 = model.toJSON(None, False)
    model2 = L.deserialize(pythonic_to_ts(json1))
    json2 = model2.toJSON(None, False)
    assert json2 == json1


def test_bidirectional_with_initial_state_incorrect_number_leads_to_error():
    # TF.js: 'Bidirectional with initial state' > 'Incorrect number of initial-state tensors
    # leads to error'
    init_state1 = tf.input({"shape": [3]})
    x = tf.input({"shape": [4, 2]})
    bidi = L.bidirectional({"layer": L.gru({"units": 3}), "mergeMode": None})
    with pytest.raises(ValueError, match=r"the state should be .*RNNs"):
        bidi.apply(x, {"initialState": [init_state1]})


# ================================================================================================
# describeMathCPUAndWebGL2('Bidirectional with masking')
# ================================================================================================
def _masked_bidi_model(kind):
    model = tf.sequential()
    model.add(
        L.embedding(
            {
                "inputLength": 2,
                "inputDim": 3,
                "outputDim": 3,
                "embeddingsInitializer": "ones",
                "maskZero": True,
            }
        )
    )
    factory = {"simpleRNN": L.simpleRNN, "lstm": L.lstm}[kind]
    model.add(
        L.bidirectional(
            {
                "layer": factory(
                    {"units": 4, "kernelInitializer": "ones", "recurrentInitializer": "ones"}
                )
            }
        )
    )
    model.add(L.dense({"units": 1, "kernelInitializer": "ones"}))
    return model


MASKED_XS = [[0, 1], [0, 2], [0, 0], [1, 2]]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("simpleRNN", [[7.960438], [7.960438], [0], [7.9999857]]),
        ("lstm", [[6.076076], [6.076076], [0], [7.709405]]),
    ],
)
def test_bidirectional_with_masking_inference(kind, expected):
    # TF.js: 'Bidirectional with masking' > 'Inference <simpleRNN|lstm>'
    model = _masked_bidi_model(kind)
    close(model.predict(tf.tensor2d(MASKED_XS)), tf.tensor2d(expected))


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("simpleRNN", [47.684, 35.741, 26.804, 20.115, 15.108]),
        ("lstm", [33.318, 27.104, 22.058, 17.961, 14.634]),
    ],
)
def test_bidirectional_with_masking_training(kind, expected):
    # TF.js: 'Bidirectional with masking' > 'Training <simpleRNN|lstm>'
    model = _masked_bidi_model(kind)
    model.compile({"loss": "meanSquaredError", "optimizer": "sgd"})
    history = model.fit(tf.tensor2d(MASKED_XS), tf.tensor2d([[0], [0], [0], [0]]), {"epochs": 5})
    close(np.array(history.history["loss"]), np.array(expected))
