"""Keras spellings that keras-io programs use, beyond the layer factories (see also
tests/programs/)."""

from __future__ import annotations

import random

import numpy as np

import lstmkit as keras
from lstmkit import layers


def test_stateful_layer_called_eagerly_takes_the_batch_size_of_its_first_input():
    # keras-io guides/working_with_rnns.py: LSTM(64, stateful=True) called on NumPy batches
    x1, x2 = (np.random.default_rng(i).random((5, 4, 3), dtype=np.float32) for i in (1, 2))
    lstm = layers.LSTM(6, stateful=True)
    first = np.asarray(lstm(x1))
    carried = np.asarray(lstm(x2))  # starts from the states x1 left
    assert [s.shape for s in lstm.states] == [(5, 6), (5, 6)]
    lstm.reset_states()
    np.testing.assert_array_equal(np.asarray(lstm(x1)), first)  # zero states again
    plain = layers.LSTM(6)
    plain.build(x1.shape)
    plain.set_weights(lstm.get_weights())
    np.testing.assert_allclose(np.asarray(plain(x1)), first, rtol=1e-6)
    assert not np.allclose(np.asarray(plain(x2)), carried)  # x2 alone differs from carried


def test_set_random_seed_seeds_python_numpy_and_lstmkit():
    def draw():
        keras.utils.set_random_seed(7)
        model = keras.Sequential([layers.Dense(3, input_shape=(2,))])
        return random.random(), np.random.random(), model.get_weights()[0].numpy()

    a, b = draw(), draw()
    assert a[0] == b[0] and a[1] == b[1]
    np.testing.assert_array_equal(a[2], b[2])
