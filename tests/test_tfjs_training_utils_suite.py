"""TF.js's tfjs-layers/src/engine/training_utils_test.ts, ported: class weights.

`standardizeWeights` (awaited, as TF.js's returns a Promise) and `standardizeClassWeights`, under
TF.js's names in lstmkit.models.training; then the same rules through `fit(class_weight=...)`.
Skipped: the memory().numTensors checks (lstmkit frees by reference counting).
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

import lstmkit as tf
from lstmkit.models.training import standardizeClassWeights, standardizeWeights


def weights(y, class_weight):
    return asyncio.run(standardizeWeights(y, None, class_weight))


# describeMathCPU('standardizeWeights')
def test_class_weights_with_1d_class_index_target():
    y = tf.tensor1d([0, 1, 2, 1, 0])
    out = weights(y, {0: 10, 1: 1, 2: 0.1})
    np.testing.assert_allclose(out.numpy(), [10, 1, 0.1, 1, 10], rtol=1e-6)
    assert out.dtype == "float32"
    assert not y.isDisposed


def test_class_weights_with_2d_class_index_target():
    y = tf.tensor2d([[3], [2], [0]])
    out = weights(y, {0: 10, 1: 1, 2: 0.1, 3: 0.01})
    np.testing.assert_allclose(out.numpy(), [0.01, 0.1, 10], rtol=1e-6)


def test_class_weights_with_2d_one_hot_target():
    y = tf.tensor2d([[0, 0, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0]])
    out = weights(y, {0: 10, 1: 1, 2: 0.1, 3: 0.01})
    np.testing.assert_allclose(out.numpy(), [0.01, 0.1, 10], rtol=1e-6)


@pytest.mark.parametrize(
    "y, class_weight, missing",
    [
        (tf.tensor1d([0, 1, 2, 3, 2, 1, 0]), {0: 10, 1: 1, 2: 0.1}, 3),
        (tf.tensor2d([[3], [2], [0], [4]]), {0: 10, 1: 1, 2: 0.1, 3: 0.01}, 4),
        (tf.tensor2d([[0, 0, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0]]), {0: 10, 1: 1, 3: 0.01}, 2),
    ],
    ids=["1d-index", "2d-index", "one-hot"],
)
def test_class_weights_missing_class(y, class_weight, missing):
    with pytest.raises(
        ValueError, match=rf"classWeight must contain all classes.* class {missing} "
    ):
        weights(y, class_weight)


def test_sample_weight_is_not_implemented_as_in_tfjs():
    with pytest.raises(NotImplementedError, match="Support sampleWeight is not implemented yet"):
        asyncio.run(standardizeWeights(tf.tensor1d([0, 1]), tf.tensor1d([1, 1]), None))


# describe('standardizeClassWeights')
def test_one_output_class_weight_singleton():
    assert standardizeClassWeights({0: 1, 1: 2}, ["output1"]) == [{0: 1, 1: 2}]


def test_one_output_class_weight_array():
    assert standardizeClassWeights([{0: 1, 1: 2}], ["output1"]) == [{0: 1, 1: 2}]


def test_one_output_class_weight_dict():
    assert standardizeClassWeights({"output1": {0: 1, 1: 2}}, ["output1"]) == [{0: 1, 1: 2}]


def test_two_outputs_class_weight_array():
    got = standardizeClassWeights([{0: 1, 1: 2}, {0: 10, 1: 20}], ["output1", "output2"])
    assert got == [{0: 1, 1: 2}, {0: 10, 1: 20}]


def test_two_outputs_class_weight_dict():
    cw = {"output2": {0: 10, 1: 20}, "output1": {0: 1, 1: 2}}
    assert standardizeClassWeights(cw, ["output1", "output2"]) == [{0: 1, 1: 2}, {0: 10, 1: 20}]


def test_two_outputs_class_weight_singleton_leads_to_error():
    with pytest.raises(ValueError, match=r"has multiple \(2\) outputs"):
        standardizeClassWeights({0: 10, 1: 20}, ["output1", "output2"])


def test_three_outputs_class_weight_array_missing_element():
    with pytest.raises(
        ValueError, match="classWeight is an array of 2 element.* model has 3 outputs"
    ):
        standardizeClassWeights([{0: 1, 1: 2}, {0: 10, 1: 20}], ["output1", "output2", "output3"])


def test_three_outputs_class_weight_dict_missing_element_is_okay():
    cw = {"output1": {0: 1, 1: 2}, "output3": {0: 10, 1: 20}}
    got = standardizeClassWeights(cw, ["output1", "output2", "output3"])
    assert got == [{0: 1, 1: 2}, None, {0: 10, 1: 20}]


# the same rules through fit
def test_fit_refuses_a_class_missing_from_class_weight():
    model = tf.sequential()
    model.add(tf.layers.dense({"units": 3, "inputShape": [2], "activation": "softmax"}))
    model.compile({"loss": "sparseCategoricalCrossentropy", "optimizer": "sgd"})
    x = np.ones((4, 2), np.float32)
    y = np.array([0, 1, 2, 1], np.float32)
    with pytest.raises(ValueError, match="The class 2 exists in the data but not in classWeight"):
        model.fit(x, y, epochs=1, verbose=0, class_weight={0: 1.0, 1: 2.0})
    history = model.fit(x, y, epochs=1, verbose=0, class_weight={0: 1.0, 1: 2.0, 2: 0.5})
    assert np.isfinite(history.history["loss"][0])
