"""Tensor basics and creation functions, with TF.js's dtype rules."""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as tf


def test_python_numbers_become_float32_and_int_arrays_int32():
    assert tf.tensor([1, 2, 3]).dtype == "float32"  # TF.js infers float32 for numbers
    assert tf.tensor(np.array([1, 2], np.int64)).dtype == "int32"
    assert tf.tensor([True, False]).dtype == "bool"
    t = tf.tensor(np.array([0.5], np.float64))
    assert t.dtype == "float32" and t.numpy().dtype == np.float32


def test_properties_and_reading():
    t = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3])
    assert t.shape == (2, 3) and t.rank == 2 and t.size == 6
    assert t.tolist() == [[1, 2, 3], [4, 5, 6]]
    np.testing.assert_array_equal(t.data(), [1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(np.asarray(t), [[1, 2, 3], [4, 5, 6]])
    assert t._data.flags.c_contiguous


def test_values_are_copied_in_and_out():
    a = np.array([1.0, 2.0], np.float32)
    t = tf.tensor(a)
    a[0] = 9
    out = t.numpy()
    out[1] = 9
    assert t.tolist() == [1, 2]


def test_tensor_shape_mismatch_is_explained():
    with pytest.raises(ValueError, match="shape \\[2, 2\\] needs 4 values, but 3 were given"):
        tf.tensor([1, 2, 3], [2, 2])


@pytest.mark.parametrize(
    "fn,values,rank",
    [
        (tf.tensor1d, [[1]], 2),
        (tf.tensor2d, [1, 2], 1),
        (tf.tensor3d, [[1]], 2),
        (tf.tensor4d, 1, 0),
    ],
)
def test_ranked_creators_check_rank(fn, values, rank):
    with pytest.raises(ValueError) as e:
        fn(values)
    msg = str(e.value)
    assert f"got rank {rank}" in msg and "To fix" in msg


def test_ranked_creators_accept_flat_values_with_shape():
    assert tf.tensor2d([1, 2, 3, 4], [2, 2]).shape == (2, 2)
    assert tf.tensor3d([[[1]], [[2]]]).shape == (2, 1, 1)
    with pytest.raises(ValueError, match="rank 2"):
        tf.tensor2d([1, 2], [2])


def test_ragged_and_string_values_are_refused():
    with pytest.raises(ValueError, match="ragged"):
        tf.tensor([[1, 2], [3]])
    with pytest.raises(ValueError, match="numbers"):
        tf.tensor(["a"])


def test_fill_zeros_ones_like():
    assert tf.zeros([2, 3]).tolist() == [[0] * 3] * 2
    assert tf.ones([2], "int32").dtype == "int32"
    assert tf.fill([2], 7).tolist() == [7, 7]
    assert tf.zeros_like(tf.tensor([1, 2], dtype="int32")).dtype == "int32"
    assert tf.ones_like([1.0, 2.0]).tolist() == [1, 1]
    assert tf.scalar(3).shape == ()
    with pytest.raises(ValueError, match="shape must hold non-negative"):
        tf.zeros([-1])


def test_linspace_range_eye_one_hot():
    np.testing.assert_allclose(tf.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    assert tf.range(0, 5, 2).tolist() == [0, 2, 4]
    assert tf.range(3).tolist() == [0, 1, 2]
    assert tf.eye(2, 3).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert tf.eye(2, batch_shape=[3]).shape == (3, 2, 2)
    oh = tf.one_hot(tf.tensor([0, 2], dtype="int32"), 3)
    assert oh.dtype == "int32" and oh.tolist() == [[1, 0, 0], [0, 0, 1]]


def test_random_functions_and_seed():
    tf.set_seed(42)
    a = tf.random_normal([1000], 1.0, 2.0).numpy()
    tf.set_seed(42)
    b = tf.random_normal([1000], 1.0, 2.0).numpy()
    np.testing.assert_array_equal(a, b)
    assert abs(a.mean() - 1.0) < 0.3 and abs(a.std() - 2.0) < 0.3
    u = tf.random_uniform([1000], -1, 3).numpy()
    assert u.min() >= -1 and u.max() < 3
    t = tf.truncated_normal([20000], 0.5, 2.0).numpy()
    assert np.all(np.abs(t - 0.5) <= 4.0)  # redrawn beyond 2 sigma
    # truncation at 2 sigma leaves std ~0.88 sigma (TF.js applies no correction)
    assert abs(t.std() / 2.0 - 0.8796) < 0.03
    with pytest.raises(ValueError, match="set_seed"):
        tf.set_seed("x")


def test_operators_and_comparisons():
    a = tf.tensor([1.0, 2.0, 3.0])
    assert (a + 1).tolist() == [2, 3, 4]
    assert (2 * a).tolist() == [2, 4, 6]
    assert (1 / tf.tensor([2.0])).tolist() == [0.5]
    assert (a > 1.5).tolist() == [False, True, True]
    assert (a == 2).dtype == "bool"
    assert (a**2).tolist() == [1, 4, 9]
    assert (-a).tolist() == [-1, -2, -3]
    assert a[1:].tolist() == [2, 3]
    i = tf.tensor([1, 2], dtype="int32")
    assert (i + 1).dtype == "int32" and (i * 0.5).dtype == "float32"
    assert float(tf.scalar(2.5)) == 2.5
    assert {a: 1}[a] == 1  # hashable by identity


def test_reshape_method_forms():
    t = tf.tensor([1, 2, 3, 4])
    assert t.reshape([2, 2]).shape == (2, 2)
    assert t.reshape(2, 2).shape == (2, 2)
    assert t.reshape(-1, 1).shape == (4, 1)


def test_tidy_and_dispose_are_harmless():
    t = tf.tidy(lambda: tf.ones([2]) * 2)
    t.dispose()
    tf.dispose(t)
    assert t.tolist() == [2, 2]
    assert tf.tidy("named", lambda: 3) == 3


def test_print_goes_to_stdout(capsys):
    tf.tensor2d([[1, 2], [3, 4]]).print()
    assert capsys.readouterr().out == "Tensor\n    [[1, 2],\n     [3, 4]]\n"


def test_float64_mode_for_tests():
    with tf.float64():
        t = tf.tensor([0.1])
        assert t._data.dtype == np.float64 and t.dtype == "float32"
    assert tf.tensor([0.1])._data.dtype == np.float32
