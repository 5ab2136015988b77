"""tf.util: tfjs-core's utility functions, in both spellings, shuffling seeded by tf.set_seed."""

from __future__ import annotations

import time

import numpy as np
import pytest

import lstmkit as tf
from lstmkit import util
from lstmkit._names import to_camel_case


def test_every_function_has_both_spellings():
    for name in util.__all__:
        if "_" in name.rstrip("_"):
            assert getattr(util, to_camel_case(name)) is getattr(util, name)
    assert tf.util.shuffleCombo is tf.util.shuffle_combo
    assert getattr(tf.util, "assert") is tf.util.assert_


def test_assert_takes_a_message_or_a_function():
    tf.util.assert_(True, "never")
    with pytest.raises(ValueError, match="^x is not 2$"):
        tf.util.assert_(1 == 2, "x is not 2")
    calls = []

    def msg():
        calls.append(1)
        return "lazy message"

    tf.util.assert_(True, msg)
    assert calls == []  # only called when the assertion fails
    with pytest.raises(ValueError, match="lazy message"):
        getattr(tf.util, "assert")(0, msg)
    with pytest.raises(ValueError, match="Shapes \\[1, 2\\] and \\[2, 1\\] must match"):
        tf.util.assertShapesMatch([1, 2], [2, 1], "concat:")


def test_shuffle_is_a_permutation_in_place_and_seeded():
    a = list(range(20))
    tf.set_seed(3)
    tf.util.shuffle(a)
    assert sorted(a) == list(range(20)) and a != list(range(20))
    b = list(range(20))
    tf.set_seed(3)
    tf.util.shuffle(b)
    assert a == b
    arr = np.arange(20)
    tf.set_seed(3)
    tf.util.shuffle(arr)
    assert arr.tolist() == a  # lists and arrays get the same permutation from the same seed
    rows = np.arange(12).reshape(6, 2)
    tf.util.shuffle(rows)  # a 2-D array: its rows
    assert (
        sorted(rows[:, 0].tolist()) == [0, 2, 4, 6, 8, 10] and (rows[:, 1] == rows[:, 0] + 1).all()
    )
    with pytest.raises(ValueError, match="A Tensor cannot change"):
        tf.util.shuffle(tf.tensor([1, 2]))


def test_shuffle_combo_keeps_pairs_together():
    x = list(range(10))
    y = [10 * v for v in x]
    tf.util.shuffleCombo(x, y)
    assert sorted(x) == list(range(10)) and y == [10 * v for v in x]
    xs, ys = np.arange(8.0), np.arange(8) + 100
    tf.util.shuffle_combo(xs, ys)
    assert (ys - xs == 100).all()
    with pytest.raises(ValueError, match="First array length was 2, second array length was 3"):
        tf.util.shuffleCombo([1, 2], [1, 2, 3])


def test_create_shuffled_indices():
    tf.set_seed(1)
    idx = tf.util.createShuffledIndices(50)
    assert idx.dtype == np.uint32 and sorted(idx.tolist()) == list(range(50))
    tf.set_seed(1)
    assert np.array_equal(idx, tf.util.create_shuffled_indices(50))
    assert tf.util.createShuffledIndices(0).size == 0
    with pytest.raises(ValueError, match="non-negative integer"):
        tf.util.createShuffledIndices(-1)


def test_shapes_and_arrays():
    assert tf.util.sizeFromShape([2, 3, 4]) == 24 and tf.util.sizeFromShape([]) == 1
    assert tf.util.arraysEqual([1, 2], [1, 2]) and not tf.util.arraysEqual([1, 2], [1, 3])
    assert not tf.util.arraysEqual([1], [1, 2]) and tf.util.arraysEqual(np.array([1, 2]), [1, 2])
    assert tf.util.arraysEqualWithNull([1, None], [1, 5])
    assert tf.util.flatten([[1, [2, 3]], [4], 5]) == [1, 2, 3, 4, 5]
    assert tf.util.flatten([np.array([[1, 2], [3, 4]]), 5]) == [1, 2, 3, 4, 5]
    assert tf.util.inferShape([[1, 2, 3], [4, 5, 6]]) == [2, 3]
    assert tf.util.inferShape(5) == [] and tf.util.inferShape(np.zeros((2, 5))) == [2, 5]
    assert tf.util.inferShape([]) == [0]
    assert tf.util.isTypedArray(tf.tensor([1, 2]).dataSync())
    assert not tf.util.isTypedArray([1, 2]) and not tf.util.isTypedArray(np.zeros((2, 2)))
    assert tf.util.computeStrides([2, 3, 4]) == [12, 4]
    assert tf.util.toNestedArray([2, 2], np.arange(4)) == [[0, 1], [2, 3]]
    assert tf.util.toNestedArray([], np.array([7.5])) == 7.5
    assert tf.util.squeezeShape([1, 3, 1, 2]) == {"newShape": [3, 2], "keptDims": [1, 3]}
    assert tf.util.squeezeShape([1, 3, 1], [0]) == {"newShape": [3, 1], "keptDims": [1, 2]}
    assert tf.util.parseAxisParam(-1, [2, 3]) == [1] and tf.util.parseAxisParam(None, [2, 3]) == [
        0,
        1,
    ]
    with pytest.raises(ValueError, match="must be in range \\[-2, 2\\)"):
        tf.util.parseAxisParam(2, [2, 3])
    assert tf.util.locToIndex([1, 2], 2, [3]) == 5 and tf.util.indexToLoc(5, 2, [3]) == [1, 2]
    assert tf.util.inferDtype([[True]]) == "bool" and tf.util.inferDtype(1) == "float32"
    assert tf.util.inferDtype(np.array([1], np.int32)) == "int32"
    assert (
        tf.util.bytesPerElement("bool") == 1
        and tf.util.getArrayFromDType("int32", 3).dtype == np.int32
    )


def test_small_helpers():
    assert tf.util.clamp(0, 5, 3) == 3 and tf.util.clamp(0, -1, 3) == 0
    assert tf.util.nearestLargerEven(3) == 4 and tf.util.nearestLargerEven(4) == 4
    a = [1, 2, 3]
    tf.util.swap(a, 0, 2)
    assert a == [3, 2, 1]
    assert tf.util.distSquared([1, 2], [4, 6]) == 25
    assert tf.util.isInt(3.0) and not tf.util.isInt(3.5) and not tf.util.isInt(True)
    assert tf.util.isString("a") and tf.util.isBoolean(True) and tf.util.isNumber(2.5)
    assert not tf.util.isNumber(True) and tf.util.isFunction(len)
    assert tf.util.isPromise(tf.tensor([1]).data()) and not tf.util.isPromise(3)
    assert tf.util.rightPad("ab", 4) == "ab  " and tf.util.sizeToSquarishShape(10) == [4, 3]
    u = tf.util.randUniform(2, 3)
    assert 2 <= u < 3


def test_now_and_strings():
    t0 = tf.util.now()
    time.sleep(0.01)
    assert tf.util.now() - t0 >= 9
    enc = tf.util.encodeString("héllo")
    assert enc.dtype == np.uint8 and enc.tolist() == list("héllo".encode())
    assert tf.util.decodeString(enc) == "héllo" and tf.util.decode_string(b"ok") == "ok"
