"""Optimizers against TF.js 4.22 traces, plus minimize, configs, names, and state save/restore."""

from __future__ import annotations

import contextlib
import json

import numpy as np
import pytest

import lstmkit as tf
from lstmkit import optimizers as O
from tfjs_fixtures import FIXTURES

FIXTURE = FIXTURES / "optimizers.json"
DATA = json.loads(FIXTURE.read_text())


def arr(entry: dict) -> np.ndarray:
    return np.array(entry["values"], np.float32).reshape(entry["shape"])


X, Y = arr(DATA["x"]), arr(DATA["y"])


def dense_mse(kernel: tf.Variable, bias: tf.Variable, x=X, y=Y):
    """The fixture's model and loss: Dense(1), meanSquaredError, mean over the batch."""
    return lambda: tf.mean(tf.mean(tf.square(tf.sub(tf.add(tf.matmul(x, kernel), bias), y)), -1))


def make_vars(case: dict) -> tuple[tf.Variable, tf.Variable]:
    k0, b0 = (arr(w) for w in case["initial_weights"])
    return tf.variable(k0, name="dense/kernel"), tf.variable(b0, name="dense/bias")


# -- TF.js traces -------------------------------------------------------------------------------


@pytest.mark.parametrize("case_name", list(DATA["cases"]))
def test_reproduces_tfjs_training_trace(case_name):
    case = DATA["cases"][case_name]
    assert DATA["loss"] == "meanSquaredError" and DATA["batchSize"] == len(X)
    opt = O.CLASSES[case["class_name"]].from_config(case["config"])
    assert opt.get_config() == case["config"]
    assert opt.get_class_name() == case["class_name"]
    kernel, bias = make_vars(case)
    f = dense_mse(kernel, bias)
    # One full-batch step per epoch; the epoch loss is the loss before the update.
    history = [float(opt.minimize(f, return_cost=True)) for _ in range(DATA["epochs"])]
    np.testing.assert_allclose(history, case["history"]["loss"], rtol=1e-5)
    k1, b1 = (arr(w) for w in case["final_weights"])
    np.testing.assert_allclose(kernel.numpy(), k1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias.numpy(), b1, rtol=1e-5, atol=1e-6)
    assert opt.iterations == DATA["epochs"]


def test_factories_build_the_fixture_optimizers():
    """The same optimizers made with TF.js's positional factory calls (gen_fixtures.js)."""
    made = {
        "sgd": O.sgd(0.1),
        "momentum": O.momentum(0.1, 0.9),
        "nesterov": O.momentum(0.1, 0.9, True),
        "rmsprop_centered": O.rmsprop(0.01, 0.9, 0.5, 1e-7, True),
        "adagrad": O.adagrad(0.1),
        "adadelta": O.adadelta(1.0),
        "adam": O.adam(0.05),
        "adamax": O.adamax(0.05),
    }
    for name, opt in made.items():
        assert opt.get_config() == DATA["cases"][name]["config"], name


def test_adam_puts_epsilon_on_bias_corrected_root():
    """facts §5.4: tfjs gives w = [0.400498, -0.200250] after one step; Keras's formula does not."""
    w = tf.variable(np.array([[0.5], [-0.3]], np.float32), name="w")
    b = tf.variable(np.array([0.1], np.float32), name="b")
    x = np.array([[1, 2], [3, 4]], np.float32)
    y = np.array([[1], [0]], np.float32)
    O.adam(0.1, 0.9, 0.999, 1e-3).minimize(dense_mse(w, b, x, y))
    np.testing.assert_allclose(w.numpy().ravel(), [0.400498, -0.200250], atol=2e-6)


# -- minimize and apply_gradients ----------------------------------------------------------------


def test_minimize_returns_cost_only_when_asked():
    k, b = make_vars(DATA["cases"]["sgd"])
    opt = O.sgd(0.1)
    assert opt.minimize(dense_mse(k, b)) is None
    cost = opt.minimize(dense_mse(k, b), return_cost=True)
    assert isinstance(cost, tf.Tensor) and cost.shape == () and cost._node is None


def test_minimize_var_list_limits_the_update():
    k, b = make_vars(DATA["cases"]["sgd"])
    b0 = b.numpy()
    O.sgd(0.1).minimize(dense_mse(k, b), var_list=[k])
    np.testing.assert_array_equal(b.numpy(), b0)
    assert not np.allclose(k.numpy(), arr(DATA["cases"]["sgd"]["initial_weights"][0]))


def test_minimize_skips_non_trainable_but_creates_its_slots():
    k, _ = make_vars(DATA["cases"]["adam"])
    b = tf.variable(np.array([0.49], np.float32), trainable=False, name="frozen")
    opt = O.adam(0.05)
    opt.minimize(dense_mse(k, b), var_list=[k, b])
    np.testing.assert_array_equal(b.numpy(), np.float32([0.49]))
    names = [n for n, _ in opt.get_weights()]
    assert names == ["iter", "dense/kernel/m", "frozen/m", "dense/kernel/v", "frozen/v"]
    with pytest.raises(ValueError, match="trainable"):
        opt.minimize(dense_mse(k, b), var_list=[b])


def test_minimize_needs_a_variable():
    with pytest.raises(ValueError, match="does not depend on any trainable Variable"):
        O.sgd(0.1).minimize(lambda: tf.sum(tf.tensor([1.0, 2.0])))


def test_variable_unreached_in_var_list_is_left_alone():
    """TF.js drops gradients of variables f never used, so momentum does not move them."""
    k, b = make_vars(DATA["cases"]["momentum"])
    other = tf.variable(np.ones(3, np.float32), name="other")
    opt = O.momentum(0.1, 0.9)
    f_all = lambda: tf.add(dense_mse(k, b)(), tf.sum(other))  # noqa: E731
    opt.minimize(f_all, var_list=[k, b, other])
    moved = other.numpy()
    opt.minimize(dense_mse(k, b), var_list=[k, b, other])
    np.testing.assert_array_equal(other.numpy(), moved)


def test_apply_gradients_by_name_pairs_and_named_tensors():
    k = tf.variable(np.zeros((2, 1), np.float32), name="k")
    g = np.ones((2, 1), np.float32)
    opt = O.sgd(0.5)
    with pytest.raises(ValueError, match="no Variable named 'k'"):
        opt.apply_gradients({"k": g})
    opt.apply_gradients({"k": tf.tensor(g)}, variables=[k])
    np.testing.assert_allclose(k.numpy(), -0.5)
    opt.apply_gradients({"k": g})  # now known to the optimizer
    opt.apply_gradients([(k, g)])
    opt.apply_gradients([{"name": "k", "tensor": g}])
    opt.apply_gradients([(k, None)])  # a missing gradient leaves the variable alone
    np.testing.assert_allclose(k.numpy(), -2.0)
    assert opt.iterations == 5
    with pytest.raises(ValueError, match=r"shape \[3\], expected \[2, 1\]"):
        opt.apply_gradients([(k, np.ones(3))])
    with pytest.raises(ValueError, match="dict"):
        opt.apply_gradients(tf.tensor(g))


# -- configs and names ----------------------------------------------------------------------------

COMPILE_DEFAULTS = {
    "sgd": ("SGD", {"learningRate": 0.01}),
    "adam": ("Adam", {"learningRate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}),
    "rmsprop": (
        "RMSProp",
        {"learningRate": 0.001, "decay": 0.9, "momentum": 0, "epsilon": 1e-7, "centered": False},
    ),
    "adagrad": ("Adagrad", {"learningRate": 0.01, "initialAccumulatorValue": 0.1}),
    "adadelta": ("Adadelta", {"learningRate": 1, "rho": 0.95, "epsilon": 1e-7}),
    "adamax": (
        "Adamax",
        {"learningRate": 0.002, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7, "decay": 0},
    ),
}


@pytest.mark.parametrize("name", list(COMPILE_DEFAULTS))
def test_get_by_name_uses_tfjs_compile_defaults(name):
    class_name, config = COMPILE_DEFAULTS[name]
    for spelling in (name, class_name, name.upper()):
        opt = O.get(spelling)
        assert opt.class_name == class_name
        assert opt.get_config() == config
        # JSON as TF.js writes it: whole numbers without ".0" (1, 0), keys in TF.js's order.
        assert list(opt.get_config()) == list(config)
    assert json.dumps(O.get(name).get_config()) == json.dumps(config)


def test_get_passes_instances_and_builds_from_configs():
    opt = O.adam(0.01)
    assert O.get(opt) is opt
    opt_cfg = O.momentum(0.1, 0.8).get_config()
    again = O.get({"class_name": "Momentum", "config": opt_cfg})
    assert isinstance(again, O.Momentum) and again.get_config() == opt_cfg
    assert O.get("RMSprop").class_name == "RMSProp"  # Keras's spelling


def test_get_unknown_names():
    with pytest.raises(ValueError, match=r"Unknown optimizer 'adamm'\. Did you mean 'adam'"):
        O.get("adamm")
    with pytest.raises(ValueError, match="momentum\\(learning_rate, momentum\\)"):
        O.get("momentum")
    with pytest.raises(ValueError, match="Known: sgd, adam, rmsprop, adagrad, adadelta, adamax"):
        O.get("nadam")
    with pytest.raises(ValueError, match="Unknown optimizer class_name 'Nadam'"):
        O.get({"class_name": "Nadam", "config": {}})


def test_from_config_accepts_keras_keys():
    adam = O.Adam.from_config({"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "name": "x"})
    assert adam.get_config() == {"learningRate": 0.01, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-7}
    keras_rms = {"learning_rate": 0.01, "rho": 0.8, "decay": 0.0, "momentum": 0.1, "epsilon": 1e-6}
    rms = O.RMSProp.from_config(keras_rms)
    assert (rms.decay, rms.momentum, rms.epsilon) == (0.8, 0.1, 1e-6)
    nesterov = O.deserialize(
        {"class_name": "SGD", "config": {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}}
    )
    assert isinstance(nesterov, O.Momentum) and nesterov.use_nesterov
    assert O.SGD.from_config({"learning_rate": 0.2}).get_config() == {"learningRate": 0.2}


# -- optimizer weights (includeOptimizer) -------------------------------------------------------

SLOT_NAMES = {
    "SGD": (lambda: O.sgd(0.1), []),
    "Momentum": (lambda: O.momentum(0.1, 0.9), ["momentum"]),
    "RMSProp": (lambda: O.rmsprop(0.01), ["rms", "momentum"]),
    "RMSPropCentered": (lambda: O.rmsprop(0.01, centered=True), ["rms", "momentum", "mg"]),
    "Adam": (lambda: O.adam(), ["m", "v"]),
    "Adadelta": (lambda: O.adadelta(), ["accum_grad", "accum_var"]),
    "Adamax": (lambda: O.adamax(), ["m", "v"]),
    "Adagrad": (lambda: O.adagrad(0.1), ["accumulator"]),
}


@pytest.mark.parametrize("name", list(SLOT_NAMES))
def test_weights_order_and_names(name):
    make, kinds = SLOT_NAMES[name]
    opt = make()
    k, b = make_vars(DATA["cases"]["sgd"])
    opt.minimize(dense_mse(k, b))
    opt.minimize(dense_mse(k, b))
    weights = opt.get_weights()
    expected = ["iter"] + [f"{v}/{kind}" for kind in kinds for v in ("dense/kernel", "dense/bias")]
    assert [n for n, _ in weights] == expected
    assert weights[0][1].dtype == np.int32 and weights[0][1].shape == () and weights[0][1] == 2
    for weight_name, value in weights[1:]:
        assert value.shape == (k.shape if weight_name.startswith("dense/kernel") else b.shape)


def test_adagrad_accumulator_starts_at_initial_value():
    v = tf.variable(np.zeros(2, np.float32), name="v")
    opt = O.adagrad(0.1, 0.25)
    opt.apply_gradients([(v, None)])
    np.testing.assert_array_equal(opt.get_weights()[1][1], [0.25, 0.25])


FRESH = {
    "SGD": lambda: O.sgd(0.1),
    "Momentum": lambda: O.momentum(0.05, 0.9, True),
    "RMSPropCentered": lambda: O.rmsprop(0.01, 0.9, 0.5, None, True),
    "RMSProp": lambda: O.rmsprop(0.01, 0.9, 0.3),
    "Adam": lambda: O.adam(0.05),
    "Adadelta": lambda: O.adadelta(0.5),
    "Adamax": lambda: O.adamax(0.05, decay=0.1),
    "Adagrad": lambda: O.adagrad(0.1),
}


@pytest.mark.parametrize("name", list(FRESH))
def test_restore_and_continue_equals_uninterrupted(name):
    case = DATA["cases"]["sgd"]
    k, b = make_vars(case)
    straight = FRESH[name]()
    for _ in range(5):
        straight.minimize(dense_mse(k, b))
    expected = k.numpy(), b.numpy()

    k, b = make_vars(case)
    first = FRESH[name]()
    for _ in range(3):
        first.minimize(dense_mse(k, b))
    saved = [(n, tf.tensor(v) if n != "iter" else v) for n, v in first.get_weights()]
    # A fresh process: new variables with the saved values, a new optimizer from the config.
    k2 = tf.variable(k.numpy(), name="dense/kernel")
    b2 = tf.variable(b.numpy(), name="dense/bias")
    resumed = type(first).from_config(first.get_config())
    resumed.set_weights(saved)
    assert resumed.iterations == 3
    for _ in range(2):
        resumed.minimize(dense_mse(k2, b2))
    np.testing.assert_allclose(k2.numpy(), expected[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(b2.numpy(), expected[1], rtol=1e-6, atol=1e-7)
    assert [n for n, _ in resumed.get_weights()] == [n for n, _ in straight.get_weights()]


def test_restored_slots_bind_by_position_when_names_differ():
    """TF.js keys slots by position; a reloaded model with renamed variables still resumes."""
    k, b = make_vars(DATA["cases"]["adam"])
    opt = O.adam(0.05)
    opt.minimize(dense_mse(k, b))
    saved = opt.get_weights()
    k2 = tf.variable(k.numpy(), name="dense_1/kernel")
    b2 = tf.variable(b.numpy(), name="dense_1/bias")
    resumed = O.adam(0.05)
    resumed.set_weights(saved)
    resumed.minimize(dense_mse(k2, b2))
    opt.minimize(dense_mse(k, b))
    np.testing.assert_allclose(k2.numpy(), k.numpy(), rtol=1e-6)
    assert [n for n, _ in resumed.get_weights()][1:3] == ["dense_1/kernel/m", "dense_1/bias/m"]


def test_set_weights_checks_counts():
    with pytest.raises(ValueError, match="2 weights per variable"):
        O.adam().set_weights([("iter", np.int32(1)), ("a/m", np.zeros(2))])
    with pytest.raises(ValueError, match="no slots"):
        O.sgd(0.1).set_weights([("iter", np.int32(1)), ("a/m", np.zeros(2))])
    sgd = O.sgd(0.1)
    sgd.set_weights([{"name": "iter", "tensor": tf.scalar(7, "int32")}])
    assert sgd.iterations == 7


def test_restored_slot_of_the_wrong_shape_is_refused():
    v = tf.variable(np.zeros(2, np.float32), name="v")
    opt = O.adam()
    opt.set_weights([("iter", np.int32(1)), ("v/m", np.zeros(3)), ("v/v", np.zeros(3))])
    with pytest.raises(
        ValueError, match=r"'v/m' has shape \[3\], but the variable has shape \[2\]"
    ):
        opt.apply_gradients([(v, np.ones(2))])


def _adam_trace(compiled: bool, dtype, steps: int = 5):
    """Values and slots after `steps` Adam updates of three odd-shaped variables."""
    from lstmkit.autograd import recurrent

    rng = np.random.default_rng(7)
    shapes = [(3, 5), (17,), (1,)]
    vars_ = [
        tf.variable(rng.standard_normal(s).astype(dtype), name=f"w{i}")
        for i, s in enumerate(shapes)
    ]
    opt = tf.train.adam(0.01, 0.8, 0.95, 1e-6)
    previous = recurrent.use_extension(compiled)
    try:
        for _ in range(steps):
            grads = [
                (v, tf.tensor(rng.standard_normal(v.shape).astype(dtype) * 10.0)) for v in vars_
            ]
            opt.apply_gradients(grads)
    finally:
        recurrent.use_extension(previous)
    return [v._data.copy() for v in vars_] + [w.copy() for _, w in opt.get_weights()[1:]]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_adam_is_bit_identical_to_numpy(dtype):
    if O._compiled_updates() is None:
        pytest.skip("the optional lstmkit._fastopt extension is not built")
    from lstmkit import _precision

    with _precision.float64() if dtype == np.float64 else contextlib.nullcontext():
        fast, slow = _adam_trace(True, dtype), _adam_trace(False, dtype)
    assert fast[0].dtype == dtype
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a, b)
