"""What ported TF.js programs touch beyond layers and ops: getConfig in TF.js's spelling,
tf.memory() as an object, tf.device, and the TF.js APIs lstmkit lacks (a clear error that
names the replacement, while feature tests still answer False)."""

from __future__ import annotations

import json

import pytest

import lstmkit as tf
from lstmkit.unavailable import NAMESPACES, TOP_LEVEL, NotInLstmkitError


def test_get_config_is_tfjs_form_and_answers_snake_case_keys_too():
    lstm = tf.layers.lstm({"units": 3, "inputShape": [2, 4], "returnSequences": True})
    config = lstm.getConfig()  # TF.js's form: camelCase keys and values
    assert config["recurrentActivation"] == config["recurrent_activation"] == "hardSigmoid"
    assert config["kernelInitializer"]["className"] == "VarianceScaling"
    assert config["kernelInitializer"]["config"]["mode"] == "fanAvg"
    assert "return_sequences" in config and config.get("go_backwards") is False
    assert config.get("noSuchKey", 5) == 5
    with pytest.raises(KeyError):
        config["noSuchKey"]
    assert lstm.get_config()["recurrent_activation"] == "hard_sigmoid"  # Keras's form
    # TF.js's own round trip: convertTsToPythonic(getConfig()) is the file's config
    ts = json.loads(json.dumps(config))
    assert tf.serialization.convertTsToPythonic(ts) == lstm.get_config()
    again = tf.layers.lstm(ts)
    assert again.get_config() == {**lstm.get_config(), "name": again.name}
    model = tf.sequential([lstm])
    assert model.getConfig()["layers"][0]["className"] == "LSTM"
    wrapper = tf.layers.bidirectional({"layer": tf.layers.gru({"units": 2}), "inputShape": [3, 2]})
    assert wrapper.getConfig()["mergeMode"] == "concat"

    class Mine(tf.layers.Layer):  # a TF.js-style getConfig stays as written
        className = "MineForConfig"  # noqa: N815

        def getConfig(self):  # noqa: N802
            return {"a": 1}

    assert type(Mine().getConfig()) is dict


def test_memory_reads_as_an_object_and_device_runs_the_block():
    info = tf.memory()
    assert info.numTensors == info["numTensors"] and info.unreliable is True
    with pytest.raises(AttributeError):
        info.noSuchField  # noqa: B018
    with tf.device("CPU:0"):
        got = tf.argmax(tf.tensor2d([[1, 3], [4, 2]]), axis=1).arraySync()
    assert got == [1, 0]
    with pytest.raises(TypeError, match="device name"):
        with tf.device(0):
            pass


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: tf.loadGraphModel("m/model.json"), "tfjs_layers_model"),
        (lambda: tf.browser.fromPixels(None), "Pillow"),
        (lambda: tf.image.resizeBilinear(None, [2, 2]), "Pillow"),
        (lambda: tf.fft(None), "numpy.fft"),
        (lambda: tf.layers.conv2d({"filters": 1, "kernelSize": 3}), "conv1d"),
        (lambda: tf.layers.convLstm2d({}), "tf.layers.lstm"),
        (lambda: tf.data.webcam(), "OpenCV"),
    ],
)
def test_missing_tfjs_apis_say_what_to_use(call, words):
    with pytest.raises(NotInLstmkitError, match="is not in lstmkit") as info:
        call()
    assert words in str(info.value)
    assert isinstance(info.value, AttributeError)


def test_feature_tests_and_typos():
    assert not hasattr(tf, "loadGraphModel") and getattr(tf.layers, "conv2d", None) is None
    with pytest.raises(AttributeError, match="module 'lstmkit' has no attribute 'tenzor'"):
        tf.tenzor  # noqa: B018
    for name in TOP_LEVEL:
        assert name not in tf.__all__
    assert set(NAMESPACES) <= set(vars(tf))
