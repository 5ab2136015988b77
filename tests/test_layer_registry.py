"""The layer registry: classes register themselves; factories, camelCase names and
deserialization come from it; custom layers load by their class_name."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import lstmkit as tf
from lstmkit.layers import registry

# TF.js 4.22's `tf.layers` factories for the layers lstmkit has (tfjs-layers exports_layers.ts,
# as listed in shared/reference/tfjs-facts.md), each also in snake_case.
TFJS_FACTORIES = (
    "inputLayer conv1d activation dense dropout spatialDropout1d flatten repeatVector reshape "
    "permute embedding add average concatenate maximum minimum multiply dot batchNormalization "
    "layerNormalization averagePooling1d avgPool1d avgPooling1d globalAveragePooling1d "
    "globalMaxPooling1d globalMaxPool1d maxPooling1d maxPool1d gru gruCell lstm lstmCell "
    "simpleRNN simpleRNNCell rnn stackedRNNCells bidirectional timeDistributed gaussianNoise "
    "gaussianDropout alphaDropout masking"
).split()


@pytest.fixture
def scoped_registry():
    """The registry as it was before the test (classes a test defines are forgotten)."""
    saved = dict(registry.CLASSES)
    yield
    registry.CLASSES.clear()
    registry.CLASSES.update(saved)


def test_every_tfjs_factory_exists_in_both_spellings():
    from lstmkit._names import to_snake_case

    for name in TFJS_FACTORIES:
        camel, snake = getattr(tf.layers, name), getattr(tf.layers, to_snake_case(name))
        assert camel is snake, name
        assert name in tf.layers.__all__ and to_snake_case(name) in tf.layers.__all__
    assert tf.layers.maxPool1d is tf.layers.max_pooling1d  # TF.js's aliases: the same factory
    assert tf.layers.simpleRNN(units=2).class_name == "SimpleRNN"


def test_every_registered_layer_round_trips_by_class_name():
    for name, cls in registry.CLASSES.items():
        if name in ("Layer", "Model", "Sequential", "RNN", "RNNCell", "Bidirectional"):
            continue  # need a cell / a layer / a graph: covered by their own tests
        if name == "TimeDistributed":
            layer = cls(layer=tf.layers.dense(units=2))
        elif name in ("Dense", "LSTM", "GRU", "SimpleRNN", "LSTMCell", "GRUCell", "SimpleRNNCell"):
            layer = cls(units=3)
        elif name == "StackedRNNCells":
            layer = cls(cells=[tf.layers.lstm_cell(units=2)])
        else:
            try:
                layer = tf.layers.FACTORIES[cls.factory_name]({})
            except (TypeError, ValueError, KeyError):
                continue  # a required argument (reshape's target_shape, ...): tested elsewhere
        config = json.loads(json.dumps(tf.layers.serialize(layer)))
        again = tf.layers.deserialize(config)
        assert type(again) is cls and again.get_config() == layer.get_config(), name


def test_models_are_in_the_registry_without_layers_importing_models():
    assert registry.get_class("Sequential") is tf.Sequential
    assert registry.get_class("Functional") is tf.LayersModel  # an older name
    model = tf.sequential()
    model.add(tf.layers.dense(units=2, input_shape=[3]))
    nested = tf.layers.deserialize({"class_name": "Sequential", "config": model.get_config()})
    assert isinstance(nested, tf.Sequential) and nested.layers[0].units == 2


def test_a_custom_layer_registers_itself_and_loads_from_a_file(scoped_registry, tmp_path):
    class Doubler(tf.layers.Layer):
        class_name = "Doubler"

        def call(self, inputs, **kwargs):
            return tf.mul(tf.layers.Layer.call(self, inputs, **kwargs), 2)

    assert registry.CLASSES["Doubler"] is Doubler
    model = tf.sequential()
    model.add(tf.layers.dense(units=2, input_shape=[3]))
    model.add(Doubler())
    model.save(tmp_path / "m")
    loaded = tf.load_layers_model(tmp_path / "m")
    assert isinstance(loaded.layers[1], Doubler)
    x = np.ones((1, 3), np.float32)
    np.testing.assert_array_equal(loaded.predict(x).numpy(), model.predict(x).numpy())


def test_a_taken_name_is_not_replaced_by_accident_but_register_class_replaces(scoped_registry):
    with pytest.warns(UserWarning, match="'Dense' .* already registered"):

        class MyDense(tf.layers.Dense):
            class_name = "Dense"

    assert registry.CLASSES["Dense"] is tf.layers.Dense
    assert tf.serialization.registerClass(MyDense) is MyDense
    assert registry.get_class("Dense") is MyDense


def test_a_subclass_without_class_name_is_not_registered(scoped_registry):
    before = dict(registry.CLASSES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")

        class Tweaked(tf.layers.LSTM):
            pass

    assert registry.CLASSES == before and Tweaked(units=2).class_name == "LSTM"


def test_unknown_class_names_say_what_is_close():
    with pytest.raises(ValueError, match="Unknown layer: Lstm.*Did you mean LSTM"):
        tf.layers.deserialize({"class_name": "Lstm", "config": {}})
    with pytest.raises(ValueError, match="not a Layer or Optimizer"):
        tf.serialization.register_class(int)
