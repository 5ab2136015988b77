"""Keras's optimizer constructors (`keras.optimizers.SGD/RMSprop/Adam(...)`) and TF.js's
config-object form, checked against the Keras 3 update rules written out in NumPy."""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as tf

TARGET = np.array([0.5, -1.5, 2.0], dtype=np.float32)


def _trace(opt, steps=5):
    """Weights after each step of minimizing sum((w - TARGET)^2) from w = 0."""
    w = tf.variable(tf.zeros([3]))
    out = []
    for _ in range(steps):
        opt.minimize(lambda: tf.sum(tf.square(tf.sub(w, TARGET))), var_list=[w])
        out.append(w.numpy().copy())
    return np.array(out)


def _grad(w):
    return 2 * (w - TARGET)


@pytest.mark.parametrize("nesterov", [False, True])
def test_keras_sgd_with_momentum_follows_keras_formula(nesterov):
    lr, m = 0.05, 0.9
    opt = tf.optimizers.SGD(learning_rate=lr, momentum=m, nesterov=nesterov)
    w, v, want = np.zeros(3), np.zeros(3), []
    for _ in range(5):  # keras/src/optimizers/sgd.py
        g = _grad(w)
        v = m * v - lr * g
        w = w + (m * v - lr * g if nesterov else v)
        want.append(w)
    np.testing.assert_allclose(_trace(opt), want, rtol=2e-6, atol=1e-6)


def test_keras_sgd_without_momentum_is_tfjs_sgd():
    opt = tf.optimizers.SGD(learning_rate=0.1, momentum=0.0, nesterov=False)
    assert type(opt) is tf.optimizers.SGD
    np.testing.assert_allclose(_trace(opt, 1)[0], 0.1 * 2 * TARGET, rtol=1e-6)


def test_keras_rmsprop_follows_keras_formula():
    lr, rho, eps = 0.01, 0.8, 1e-7
    opt = tf.optimizers.RMSprop(learning_rate=lr, rho=rho)
    assert opt.get_class_name() == "RMSProp"  # saved as TF.js's class
    assert tf.optimizers.RMSprop().learning_rate == 0.001  # Keras's default
    w, vel, want = np.zeros(3), np.zeros(3), []
    for _ in range(5):  # keras/src/optimizers/rmsprop.py, no momentum, not centered
        g = _grad(w)
        vel = rho * vel + (1 - rho) * g * g
        w = w - lr * g / np.sqrt(vel + eps)
        want.append(w)
    np.testing.assert_allclose(_trace(opt), want, rtol=1e-5, atol=1e-6)


def test_keras_adam_spellings_and_extra_options():
    opt = tf.optimizers.Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.99, amsgrad=False, name="a")
    assert (opt.learning_rate, opt.beta1, opt.beta2) == (0.01, 0.8, 0.99)
    same = tf.optimizers.Adam({"learningRate": 0.01, "beta1": 0.8, "beta2": 0.99})
    np.testing.assert_array_equal(_trace(opt), _trace(same))
    with pytest.raises(ValueError, match="clipnorm=1.0 is not supported"):
        tf.optimizers.Adam(clipnorm=1.0)
    with pytest.raises(TypeError, match="lerning_rate"):
        tf.optimizers.Adam(lerning_rate=0.1)
