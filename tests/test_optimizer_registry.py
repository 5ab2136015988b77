"""The optimizer registry: a new Optimizer subclass is one class, found by name everywhere.

Defining a subclass with `class_name` registers it (`deserialize`/`get` find it, `tf.train`
offers its generated factory); its `fields` give the constructor, `get_config` and
`from_config`. Each test's classes are unregistered afterwards, so other tests see the
registry as shipped.
"""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest

import lstmkit as tf
from lstmkit import optimizers as O
from lstmkit.optimizers import registry
from lstmkit.optimizers.fields import epsilon, flag, learning_rate, number

SHIPPED = ["SGD", "Momentum", "Adam", "RMSProp", "Adagrad", "Adadelta", "Adamax"]


@pytest.fixture
def scoped_registry():
    """Unregister whatever a test registers; the shipped entries are left as they were."""
    classes, factories = dict(registry.CLASSES), dict(registry.FACTORIES)
    yield
    for name in [n for n in registry.CLASSES if n not in classes]:
        O.unregister(name)
    assert registry.CLASSES == classes and registry.FACTORIES == factories


def _define_sign_sgd():
    class SignSGD(O.Optimizer):
        """`w -= lr * sign(g) * scale` (a made-up optimizer for the test)."""

        class_name = "SignSGD"
        fields = (
            learning_rate(config_default=0.05),
            number("scale", 1.0, key="gradScale", aliases=("grad_scale",)),
            epsilon(),
            flag("use_trace", "useTrace"),
        )
        slot_kinds = ("trace",)
        compile_name = "signsgd"
        compile_args = (0.02,)

        def _update(self, value, grad, slots):
            slots["trace"] = slots["trace"] + np.abs(grad)
            return value - np.sign(grad) * (self.learning_rate * self.scale)

    return SignSGD


def test_a_new_subclass_registers_itself_and_round_trips(scoped_registry):
    SignSGD = _define_sign_sgd()
    assert O.CLASSES["SignSGD"] is SignSGD
    opt = SignSGD(0.1, 2.0, use_trace=1)
    config = opt.get_config()
    assert config == {"learningRate": 0.1, "gradScale": 2, "epsilon": 1e-7, "useTrace": True}

    # deserialize / get by class name (any case), and back to the same config
    for name in ("SignSGD", "signsgd"):
        again = O.deserialize({"class_name": name, "config": json.loads(json.dumps(config))})
        assert type(again) is SignSGD and again.get_config() == config
    assert O.get({"className": "SignSGD", "config": config}).get_config() == config
    # Keras spellings and config defaults come from the same fields
    keras = SignSGD.from_config({"learning_rate": 0.3, "grad_scale": 0.5})
    assert keras.get_config() == {
        "learningRate": 0.3,
        "gradScale": 0.5,
        "epsilon": 1e-7,
        "useTrace": False,
    }
    assert SignSGD.from_config({}).learning_rate == 0.05
    # the compile name, and the generated factory in tf.train
    assert O.get("SIGNSGD").get_config()["learningRate"] == 0.02
    make = tf.train.signsgd
    assert make is O.factories()["signsgd"] and "signsgd" in tf.train.__all__
    assert str(inspect.signature(make)) == (
        "(learning_rate: 'float', scale: 'float' = 1.0, epsilon: 'float | None' = None, "
        "use_trace: 'bool' = False) -> 'SignSGD'"
    )
    assert make.__doc__.startswith(
        "`tf.train.signsgd(learningRate, gradScale=1, epsilon=1e-7, useTrace=false)`"
    )
    assert type(make(0.1)) is SignSGD

    # it trains, and its state round-trips like the shipped ones
    v = tf.variable(np.array([1.0, -1.0], np.float32), name="v")
    opt.apply_gradients([(v, np.array([0.5, -2.0], np.float32))])
    np.testing.assert_allclose(v.numpy(), [0.8, -0.8], rtol=1e-6)
    resumed = O.deserialize({"class_name": "SignSGD", "config": opt.get_config()})
    resumed.set_weights(opt.get_weights())
    assert [n for n, _ in resumed.get_weights()] == ["iter", "v/trace"]
    assert resumed.iterations == 1


def test_required_fields_and_arguments_are_checked(scoped_registry):
    SignSGD = _define_sign_sgd()
    with pytest.raises(ValueError, match="SignSGD: learning_rate is required, got None"):
        SignSGD(None)
    with pytest.raises(TypeError, match=r"SignSGD\(\): missing a required argument"):
        SignSGD()
    with pytest.raises(TypeError, match="unexpected keyword argument 'gradScal'"):
        SignSGD(0.1, gradScal=2)
    # a field's config spelling (TF.js's camelCase key) is a keyword too
    assert SignSGD(0.1, gradScale=2).scale == SignSGD(0.1, grad_scale=2).scale == 2


def test_unregister_removes_every_trace(scoped_registry):
    _define_sign_sgd()
    O.unregister("SignSGD")
    assert "SignSGD" not in O.CLASSES and "signsgd" not in O.factories()
    with pytest.raises(ValueError, match="Unknown optimizer class_name 'SignSGD'"):
        O.deserialize({"class_name": "SignSGD", "config": {}})
    with pytest.raises(ValueError, match="Unknown optimizer 'signsgd'"):
        O.get("signsgd")
    with pytest.raises(AttributeError):
        _ = tf.train.signsgd


def test_a_taken_name_is_refused(scoped_registry):
    with pytest.raises(ValueError, match="'Adam' is already registered"):

        class Impostor(O.Optimizer):
            class_name = "Adam"

    assert O.CLASSES["Adam"] is O.Adam
    with pytest.raises(ValueError, match="compile name 'adam'"):

        class Other(O.Optimizer):
            class_name = "Other"
            compile_name = "adam"


def test_a_subclass_without_class_name_is_not_registered(scoped_registry):
    class Tweaked(O.Adam):
        pass

    assert O.CLASSES["Adam"] is O.Adam and "Tweaked" not in O.CLASSES
    assert Tweaked(0.1).get_config() == O.adam(0.1).get_config()


def test_shipped_registry_and_namespaces():
    assert list(O.CLASSES) == SHIPPED
    assert list(registry.compile_names()) == [
        "sgd",
        "adam",
        "rmsprop",
        "adagrad",
        "adadelta",
        "adamax",
    ]
    for cls in O.CLASSES.values():
        name = cls.class_name.lower()
        assert getattr(tf.train, name) is getattr(O, name) is O.factories()[name]
        assert getattr(tf.train, cls.__name__) is cls
        assert inspect.signature(getattr(O, name)).parameters == inspect.signature(cls).parameters
    assert [c.class_name for c in O.CLASSES.values() if not c.tfjs_saves_state] == ["Adamax"]
