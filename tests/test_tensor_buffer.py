"""tf.buffer / TensorBuffer (tfjs-core tensor.ts) and the awaitable reads of a tensor
(data(), array(), buffer(), bytes()): usable plainly and with `await`."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

import lstmkit as tf
from lstmkit.tensor_buffer import AwaitableBool, DataArray, NestedList


def test_buffer_set_get_and_to_tensor():
    buf = tf.buffer([2, 2])
    assert buf.shape == [2, 2] and buf.dtype == "float32" and buf.size == 4 and buf.rank == 2
    buf.set(5, 0, 0)
    buf.set(3, 1, 1)
    assert buf.get(0, 0) == 5.0 and isinstance(buf.get(0, 0), float)
    t = buf.toTensor()
    assert t.dtype == "float32" and t.arraySync() == [[5, 0], [0, 3]]
    buf.set(7, 0, 1)  # the tensor is a copy: later writes do not reach it
    assert t.arraySync() == [[5, 0], [0, 3]]
    assert buf.to_tensor().arraySync() == [[5, 7], [0, 3]]


def test_values_are_the_live_flat_storage():
    buf = tf.buffer([2, 3], "int32")
    assert isinstance(buf.values, np.ndarray) and buf.values.dtype == np.int32
    buf.values[4] = 9
    assert buf.get(1, 1) == 9 and isinstance(buf.get(1, 1), int)
    vals = np.arange(6, dtype=np.float32)
    shared = tf.buffer([3, 2], "float32", vals)
    vals[0] = 42  # TF.js shares the typed array passed in
    assert shared.get(0, 0) == 42


def test_strides_and_index_conversions_match_numpy():
    buf = tf.buffer([2, 3, 4])
    expected = [s // 4 for s in np.zeros((2, 3, 4), np.float32).strides[:-1]]
    assert buf.strides == expected == [12, 4]
    for i in range(24):
        loc = buf.indexToLoc(i)
        assert loc == list(np.unravel_index(i, (2, 3, 4)))
        assert buf.locToIndex(loc) == i == buf.loc_to_index(loc)
    assert tf.buffer([]).strides == [] and tf.buffer([5]).index_to_loc(3) == [3]
    assert tf.buffer([]).indexToLoc(0) == [] and tf.buffer([]).locToIndex([]) == 0


def test_bool_and_scalar_buffers():
    b = tf.buffer([2], "bool")
    b.set(True, 1)
    assert b.get(1) is True and b.toTensor().dtype == "bool"
    s = tf.buffer([])
    s.set(2.5)
    assert s.get() == 2.5 and s.toTensor().shape == ()


def test_buffer_errors_say_what_and_how():
    buf = tf.buffer([2, 3])
    with pytest.raises(
        ValueError, match=r"number of provided coordinates \(1\) must match the rank"
    ):
        buf.set(1, 0)
    with pytest.raises(ValueError, match=r"out of range element at \[2, 0\].*shape=\[2, 3\]"):
        buf.get(2, 0)
    with pytest.raises(ValueError, match=r"index -1 of axis 1 must be in \[0, 3\)"):
        buf.set(1, 0, -1)
    with pytest.raises(ValueError, match="Length of values '5' does not match the size"):
        tf.buffer([2, 3], "float32", [1, 2, 3, 4, 5])
    with pytest.raises(ValueError, match="dtype must be 'float32', 'int32' or 'bool'"):
        tf.buffer([2], "string")
    with pytest.raises(ValueError, match="non-negative integers"):
        tf.buffer([2, -1])
    with pytest.raises(ValueError, match="flat array"):
        tf.buffer([2, 2], "float32", [[1, 2], [3, 4]])


def test_tensor_buffer_is_a_copy_with_the_values():
    x = tf.tensor2d([[1, 2], [3, 4]], None, "int32")
    buf = x.bufferSync()
    assert buf.dtype == "int32" and buf.shape == [2, 2] and buf.get(1, 0) == 3
    buf.set(0, 1, 0)
    assert x.arraySync() == [[1, 2], [3, 4]]
    assert x.buffer().get(1, 1) == 4 and x.buffer_sync().values.tolist() == [1, 2, 3, 4]


def test_data_and_array_work_without_await():
    x = tf.tensor([[1.5, 2], [3, 4]])
    d = x.data()
    assert isinstance(d, np.ndarray) and d.ndim == 1 and d.dtype == np.float32
    np.testing.assert_array_equal(d, [1.5, 2, 3, 4])
    assert type(d + 1) is np.ndarray  # arithmetic gives plain arrays
    assert type(x.dataSync()) is np.ndarray and x.data_sync().tolist() == [1.5, 2, 3, 4]
    a = x.array()
    assert a == [[1.5, 2.0], [3.0, 4.0]] == x.arraySync() and isinstance(a, list)
    assert tf.scalar(2.5).array() == 2.5 and tf.scalar(3, "int32").array() == 3
    flag = tf.scalar(True).array()
    assert flag == True and repr(flag) == "True"  # noqa: E712 (equality is the point)


def test_data_array_buffer_bytes_work_with_await():
    x = tf.tensor2d([[1, 2], [3, 4]], None, "int32")

    async def read():
        return (
            await x.data(),
            await x.array(),
            await x.buffer(),
            await tf.scalar(True).array(),
            await tf.scalar(0.5).array(),
            await x.bytes(),
        )

    data, array, buf, flag, half, raw = asyncio.run(read())
    assert type(data) is np.ndarray and data.tolist() == [1, 2, 3, 4]
    assert type(array) is list and array == [[1, 2], [3, 4]]
    assert buf.get(0, 1) == 2
    assert flag is True and type(half) is float and half == 0.5
    assert raw.tolist() == list(np.array([1, 2, 3, 4], "<i4").tobytes())
    assert isinstance(x.data(), DataArray) and isinstance(x.array(), NestedList)
    assert isinstance(tf.scalar(False).array(), AwaitableBool)


def test_array_gives_python_numbers_like_tfjs():
    vals = tf.tensor([[1, 2]], None, "int32").arraySync()
    assert type(vals[0][0]) is int
    assert type(tf.tensor([0.1]).arraySync()[0]) is float
    assert tf.tensor([0.1]).arraySync()[0] == float(np.float32(0.1))  # a float32 value
    assert type(tf.tensor([True]).arraySync()[0]) is bool


def test_dispose_marks_the_tensor():
    x = tf.ones([2])
    assert not x.isDisposed and not x.is_disposed
    x.dispose()
    assert x.isDisposed
    y, z = tf.ones([1]), tf.zeros([1])
    tf.dispose({"a": [y], "b": z})
    assert y.is_disposed and z.is_disposed
    assert tf.keep(x) is x
