"""Layers written and called as TF.js and Keras programs write them (issue 13).

Expected numbers and messages are TF.js's (tfjs-layers 4.22 `recurrent_test.ts`,
`core_test.ts`, `wrappers.ts`, `generic_utils.ts`), not lstmkit's own outputs.
"""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as tf

L = tf.layers


# -- camelCase on layers -------------------------------------------------------------------------
def test_layer_methods_and_attributes_in_both_spellings():
    layer = L.lstm({"units": 3, "returnSequences": True, "inputShape": [4, 2]})
    model = tf.sequential([layer])
    assert layer.returnSequences is True and layer.units == 3
    assert layer.batchInputShape == (None, 4, 2)
    assert layer.getClassName() == layer.get_class_name() == "LSTM"
    assert layer.countParams() == layer.count_params() == 4 * (2 * 3 + 3 * 3 + 3)
    assert layer.getConfig() == tf.serialization.convertPythonicToTs(layer.get_config())
    assert layer.computeOutputShape([None, 4, 2]) == (None, 4, 3)
    assert layer.outputShape == (None, 4, 3) and layer.inputShape == (None, 4, 2)
    assert len(layer.trainableWeights) == 3 and layer.nonTrainableWeights == []
    zeros = [np.zeros(w.shape, np.float32) for w in layer.getWeights()]
    layer.setWeights(zeros)
    assert all(float(np.abs(w.numpy()).sum()) == 0 for w in layer.get_weights())
    assert model.predict(np.ones((1, 4, 2), np.float32)).shape == (1, 4, 3)
    with pytest.raises(AttributeError, match="noSuchThing"):
        layer.noSuchThing  # noqa: B018


def test_input_dtype_option_in_tfjs_spelling():
    layer = L.dense({"units": 2, "inputShape": [3], "inputDType": "int32"})
    assert layer.dtype == "int32"


def test_symbolic_tensor_in_tfjs_constructor_order():
    x = L.SymbolicTensor("float32", [9, 10, 8], None, [], None)
    out = L.simpleRNN({"units": 5, "returnSequences": True, "returnState": True}).apply(x)
    assert [o.shape for o in out] == [(9, 10, 5), (9, 5)]


# -- custom layers, TF.js's way --------------------------------------------------------------
class TimesWeight(tf.layers.Layer):
    """As TF.js programs write a custom layer: one config object, addWeight, read()."""

    def __init__(self, config=None):
        super().__init__(config)
        self.factor = (config or {}).get("factor", 2)
        self.supportsMasking = True

    def build(self, inputShape):
        self.w = self.addWeight("w", [inputShape[-1]], "float32", tf.initializers.ones())

    def computeOutputShape(self, inputShape):  # noqa: N802
        return inputShape

    def call(self, inputs, kwargs):
        x = inputs[0] if isinstance(inputs, list) else inputs
        return tf.mul(tf.mul(x, self.w.read()), self.factor)

    def getConfig(self):  # noqa: N802
        config = super().getConfig()
        config.update({"factor": self.factor})
        return config

    @staticmethod
    def getClassName():  # noqa: N802
        return "TimesWeight"


def test_tfjs_style_custom_layer_trains_saves_and_loads(tmp_path):
    tf.serialization.registerClass(TimesWeight)
    layer = TimesWeight({"factor": 3})
    assert layer.supports_masking is True
    assert layer.name.startswith("times_weight_TimesWeight")  # TF.js's default name
    model = tf.sequential()
    model.add(L.dense({"units": 3, "inputShape": [4]}))
    model.add(layer)
    model.add(L.dense({"units": 1}))
    assert layer.outputShape == (None, 3)
    x = np.random.default_rng(0).random((16, 4)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    model.compile({"optimizer": "sgd", "loss": "meanSquaredError"})
    history = model.fit(x, y, {"epochs": 3, "verbose": 0})
    assert history.history["loss"][-1] < history.history["loss"][0]
    np.testing.assert_allclose(
        layer.apply(tf.ones([1, 3])).numpy(), 3 * layer.getWeights()[0].numpy()[None]
    )
    model.save(tmp_path / "m")
    loaded = tf.load_layers_model(tmp_path / "m")
    assert type(loaded.layers[1]) is TimesWeight and loaded.layers[1].factor == 3
    np.testing.assert_allclose(loaded.predict(x).numpy(), model.predict(x).numpy(), rtol=1e-6)


class Scale(tf.layers.Layer):
    """As Keras programs write a custom layer: keywords, add_weight, call(self, inputs)."""

    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=(input_shape[-1], self.units), initializer="glorotUniform"
        )

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


def test_keras_style_custom_layer_in_a_functional_model(tmp_path):
    inputs = tf.Input(shape=(4,))
    outputs = Scale(units=5, name="scale")(inputs)
    assert outputs.shape == (None, 5)
    model = tf.Model(inputs, outputs)
    assert [w.name for w in model.weights] == ["scale/kernel"]
    assert Scale.class_name == "Scale"  # named after the class, not the base 'Layer'
    x = np.random.default_rng(1).random((8, 4)).astype(np.float32)
    model.compile(optimizer="adam", loss="mse")
    first = float(model.evaluate(x, np.zeros((8, 5))).numpy())
    model.fit(x, np.zeros((8, 5), np.float32), epochs=5, verbose=0)
    assert float(model.evaluate(x, np.zeros((8, 5))).numpy()) < first
    model.save(tmp_path / "m")
    loaded = tf.models.load_model(tmp_path / "m", custom_objects={"Scale": Scale})
    np.testing.assert_allclose(loaded.predict(x).numpy(), model.predict(x).numpy(), rtol=1e-6)


def test_add_weight_takes_tfjs_positional_order_and_keras_keywords():
    layer = tf.layers.Layer()
    w = layer.add_weight("a", [2], "float32", "ones", None, False)
    assert w.trainable is False and np.all(w.numpy() == 1)
    v = layer.addWeight("b", [3], tf.initializers.ones())  # initializer where the dtype goes
    assert np.all(v.numpy() == 1)
    with pytest.raises(ValueError, match="dtype must be a dtype name"):
        layer.add_weight("c", [1], "ones", "zeros")


# -- recurrent layers ----------------------------------------------------------------------
class RNNCellForTest(tf.layers.RNNCell):
    """TF.js's `RNNCellForTest` (recurrent_test.ts), ported line by line."""

    className = "RNNCellForTest"  # noqa: N815  (TF.js's static)

    def __init__(self, stateSizes):
        super().__init__({})
        self.stateSize = stateSizes

    def call(self, inputs, kwargs):
        dataInputs = inputs[0]
        states = inputs[1:]
        mean = tf.mean(dataInputs)
        newStates = [tf.add(mean, state) for state in states]
        output = tf.neg(newStates[0])
        return [output] + newStates


INPUTS = [[[1, 2], [3, 4], [5, 6]], [[10, 20], [30, 40], [50, 60]]]


def test_custom_cell_with_initial_states_gives_tfjs_numbers():
    rnn = L.rnn({"cell": RNNCellForTest([4, 5]), "returnState": True})
    inputs = tf.tensor3d(INPUTS, [2, 3, 2])
    outputs = rnn.apply(inputs, {"initialState": [tf.ones([2, 4]), tf.mul(2, tf.ones([2, 5]))]})
    assert len(outputs) == 3
    np.testing.assert_allclose(outputs[0].numpy(), np.full((2, 4), -58.75))
    np.testing.assert_allclose(outputs[1].numpy(), np.full((2, 4), 58.75))
    np.testing.assert_allclose(outputs[2].numpy(), np.full((2, 5), 59.75))
    # the keyword form and TF.js's [inputs, ...states] form are the same call
    same = rnn.apply(inputs, initial_state=[tf.ones([2, 4]), tf.mul(2, tf.ones([2, 5]))])
    listed = rnn.apply([inputs, tf.ones([2, 4]), tf.mul(2, tf.ones([2, 5]))])
    for a, b, c in zip(outputs, same, listed):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        np.testing.assert_array_equal(a.numpy(), c.numpy())


def test_wrong_initial_states_are_refused_with_tfjs_words():
    rnn = L.rnn({"cell": RNNCellForTest([4, 5]), "returnState": True})
    inputs = tf.tensor3d(INPUTS, [2, 3, 2])
    with pytest.raises(ValueError, match="An initialState was passed that is not compatible with"):
        rnn.apply(inputs, {"initialState": [tf.ones([2, 4])]})
    with pytest.raises(ValueError, match=r"not compatible with.*state 1 has shape \[2,3\]"):
        rnn.apply(inputs, {"initialState": [tf.ones([2, 4]), tf.ones([2, 3])]})
    lstm = L.lstm({"units": 3})
    h = tf.input({"shape": [4]})
    with pytest.raises(ValueError, match=r"RNN Layer has 2 state\(s\) but was passed 1"):
        lstm.apply(tf.input({"shape": [5, 2]}), {"initialState": [h]})


def test_numeric_state_size_and_shapes_given_as_one_list():
    rnn = L.rnn({"cell": RNNCellForTest(5)})
    assert rnn.apply(tf.tensor3d(INPUTS, [2, 3, 2])).shape == (2, 5)
    assert rnn.computeOutputShape([4, 3, 2]) == (4, 5)
    assert L.lstm({"units": 2}).compute_output_shape([4, 3, 2]) == (4, 2)
    bi = L.bidirectional({"layer": L.lstm({"units": 2})})
    assert bi.compute_output_shape([4, 3, 2]) == (4, 4)
    assert bi.compute_output_shape([[4, 3, 2]]) == (4, 4)


def test_get_initial_state_is_zeros_per_state():
    states = L.lstm({"units": 3}).getInitialState(tf.ones([2, 5, 4]))
    assert [s.shape for s in states] == [(2, 3), (2, 3)]
    assert all(float(np.abs(s.numpy()).sum()) == 0 for s in states)
    assert [s.shape for s in L.gru({"units": 4}).get_initial_state(np.ones((3, 2, 1)))] == [(3, 4)]


def test_bidirectional_wrong_number_of_initial_states_fails_at_apply():
    bi = L.bidirectional({"layer": L.lstm({"units": 3}), "mergeMode": "concat"})
    x = tf.input({"shape": [5, 2]})
    states = [tf.input({"shape": [3]}) for _ in range(3)]
    with pytest.raises(ValueError, match="When passing `initialState` to a Bidrectional RNN"):
        bi.apply(x, {"initialState": states})
    out = bi.apply(x, {"initialState": states + [tf.input({"shape": [3]})]})
    assert out.shape == (None, 6)


def test_symbolic_initial_states_run_in_a_functional_model():
    enc_in, dec_in = tf.input({"shape": [4, 2]}), tf.input({"shape": [3, 2]})
    _, h, c = L.lstm({"units": 3, "returnState": True}).apply(enc_in)
    dec = L.lstm({"units": 3, "returnSequences": True}).apply(dec_in, {"initialState": [h, c]})
    model = tf.model({"inputs": [enc_in, dec_in], "outputs": dec})
    out = model.predict([np.ones((2, 4, 2)), np.ones((2, 3, 2))])
    assert out.shape == (2, 3, 3)


def test_reset_states_of_a_layer_that_is_not_stateful():
    with pytest.raises(AttributeError, match="Cannot call resetStates\\(\\) on an RNN Layer"):
        L.lstm({"units": 1}).resetStates()
    model = tf.sequential([L.lstm({"units": 2, "inputShape": [3, 1]}), L.dense({"units": 1})])
    model.resetStates()  # TF.js resets the stateful layers only


def test_time_distributed_on_2d_input_names_tfjs_words():
    td = L.timeDistributed({"layer": L.dense({"units": 2})})
    with pytest.raises(ValueError, match="TimeDistributed layer expects an input shape >= 3D"):
        td.apply(tf.zeros([3, 4]))


@pytest.mark.parametrize(
    ("units", "pattern"),
    [
        (10.9, r"units.*positive integer.*10\.9\.$"),
        (0, r"units.*positive integer.*0\.$"),
        (-2, r"units.*positive integer.*-2\.$"),
        ("2", r"units.*positive integer.*\"2\"\.$"),
        ([], r"units is unexpectedly an empty array\."),
    ],
)
def test_invalid_units_give_tfjs_messages(units, pattern):
    with pytest.raises(ValueError, match=pattern):
        L.dense({"units": units})
    if units != []:
        with pytest.raises(ValueError, match=pattern):
            L.simpleRNN({"units": units})


def test_cell_apply_takes_inputs_and_states_as_tfjs():
    cell = L.lstmCell({"units": 3})
    out, h, c = cell.apply([tf.ones([2, 4]), tf.zeros([2, 3]), tf.zeros([2, 3])])
    assert out.shape == h.shape == c.shape == (2, 3)
    np.testing.assert_array_equal(out.numpy(), h.numpy())  # an LSTM's output is its h


def test_from_config_in_tfjs_two_argument_form_and_dispose():
    lstm = L.lstm({"units": 4, "returnSequences": True})
    twin = L.LSTM.fromConfig(L.LSTM, lstm.getConfig())
    assert twin.units == 4 and twin.return_sequences is True
    assert L.LSTM.from_config(lstm.get_config()).units == 4
    dense = L.dense({"units": 2})
    dense.apply(tf.ones([1, 3]))
    assert dense.dispose() == {"refCountAfterDispose": 0, "numDisposedVariables": 2}
    assert [w.originalName for w in dense.weights] == [w.original_name for w in dense.weights]
