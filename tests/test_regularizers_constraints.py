"""Regularizers and constraints: TF.js's formulas, defaults, names and model.json configs."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lstmkit as tf
from lstmkit import constraints as C
from lstmkit import regularizers as R


def compact(obj) -> str:
    return json.dumps(obj, separators=(",", ":"))


# -- regularizers -------------------------------------------------------------------------------

X = [[1.0, -2.0], [3.0, -4.0]]  # sum|x| = 10, sum x^2 = 30


def test_l1l2_formula_and_tfjs_defaults():
    assert float(R.l1l2()(tf.tensor(X))) == pytest.approx(0.01 * 10 + 0.01 * 30)
    assert float(R.l1()(tf.tensor(X))) == pytest.approx(0.1)
    assert float(R.l2()(tf.tensor(X))) == pytest.approx(0.3)
    assert float(R.L1L2(l1=0.5, l2=0)(np.array(X))) == pytest.approx(5)
    out = R.L1L2(l1=0.5, l2=0.25)(tf.tensor(X))
    assert out.shape == () and out.dtype == "float32"
    assert float(out) == pytest.approx(0.5 * 10 + 0.25 * 30)
    zero = R.L1L2(0, 0)(tf.tensor(X))
    assert zero.shape == () and float(zero) == 0
    # TF.js: a rate left out is 0.01, so L1L2() and get('l1l2') penalize both.
    assert R.serialize(R.L1L2())["config"] == {"l1": 0.01, "l2": 0.01}


def test_l1l2_is_differentiable():
    x = tf.tensor(X)
    g = tf.grad(lambda v: R.L1L2(l1=0.5, l2=0.25)(v))(x)
    np.testing.assert_allclose(g.numpy(), 0.5 * np.sign(X) + 0.25 * 2 * np.array(X), rtol=1e-6)


@pytest.mark.parametrize(
    "reg, text",
    [
        (R.l1l2(), '{"class_name":"L1L2","config":{"l1":0.01,"l2":0.01}}'),
        (R.l1(), '{"class_name":"L1L2","config":{"l1":0.01,"l2":0}}'),
        (R.l2(0.5), '{"class_name":"L1L2","config":{"l1":0,"l2":0.5}}'),
        (R.L1L2(l1=1, l2=2), '{"class_name":"L1L2","config":{"l1":1,"l2":2}}'),
    ],
)
def test_regularizer_serialization_round_trip(reg, text):
    assert compact(R.serialize(reg)) == text
    assert compact(R.serialize(R.deserialize(json.loads(text)))) == text
    assert compact(R.serialize(R.get(json.loads(text)))) == text


def test_regularizer_get():
    assert R.get(None) is None
    r = R.l1()
    assert R.get(r) is r
    for name in ("l1l2", "L1L2", "l1_l2"):
        assert R.serialize(R.get(name))["config"] == {"l1": 0.01, "l2": 0.01}
    assert R.serialize(R.get("l1"))["config"] == {"l1": 0.01, "l2": 0}
    assert R.serialize(R.get("l2"))["config"] == {"l1": 0, "l2": 0.01}
    # Keras's L1 / L2 class names load as L1L2 with the other rate 0.
    assert R.serialize(R.get({"class_name": "L2", "config": {"l2": 0.001}}))["config"] == {
        "l1": 0,
        "l2": 0.001,
    }
    # A config missing a rate gets TF.js's 0.01, as fromConfig does.
    assert R.get({"class_name": "L1L2", "config": {"l1": 0.2}}).l2 == 0.01
    with pytest.raises(ValueError, match="Unknown regularizer 'l1l3'. Did you mean 'l1l2'"):
        R.get("l1l3")
    with pytest.raises(ValueError, match="l1 must be a number"):
        R.L1L2(l1="a")


# -- constraints --------------------------------------------------------------------------------

W = np.array([[3.0, 0.1], [4.0, 0.0]], np.float32)  # column norms 5 and 0.1
EPS = 1e-7


def test_max_norm():
    out = C.max_norm(max_value=2)(W)
    expected = np.array([[3 * 2 / (5 + EPS), 0.1 * 0.1 / (0.1 + EPS)], [4 * 2 / 5, 0]])
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert out.dtype == np.float32 and out.shape == W.shape
    rows = C.MaxNorm(max_value=1, axis=1)(W)  # row norms sqrt(9.01), 4
    np.testing.assert_allclose(rows[1], [1.0, 0.0], rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), [1, 1], rtol=1e-6)


def test_unit_norm_and_non_neg():
    out = C.unit_norm()(W)
    np.testing.assert_allclose(out, [[0.6, 0.1 / (0.1 + EPS)], [0.8, 0.0]], rtol=1e-6)
    np.testing.assert_array_equal(C.non_neg()(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 2.0])
    t = C.non_neg()(tf.tensor([-1, 3]))
    assert isinstance(t, tf.Tensor) and t.tolist() == [0, 3]


def test_min_max_norm():
    # norms 5 and 0.1 -> clipped to 2 and 0.5; rate 0.5 moves halfway: 3.5 and 0.3.
    out = C.min_max_norm(min_value=0.5, max_value=2, rate=0.5)(W)
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), [3.5, 0.3], rtol=1e-5)
    np.testing.assert_allclose(out[:, 0], W[:, 0] * 3.5 / 5, rtol=1e-6)
    strict = C.MinMaxNorm()(W)  # [0, 1], rate 1
    np.testing.assert_allclose(np.linalg.norm(strict, axis=0), [1, 0.1], rtol=1e-5)


def test_constraint_axis_list_and_errors():
    w = np.ones((2, 2, 3), np.float32)
    out = C.max_norm(max_value=1, axis=[0, 1])(w)
    np.testing.assert_allclose(np.sqrt((out**2).sum(axis=(0, 1))), [1, 1, 1], rtol=1e-6)
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        C.unit_norm(axis=3)(w)
    with pytest.raises(ValueError, match="axis must be an integer"):
        C.unit_norm(axis="rows")
    with pytest.raises(ValueError, match="min_value"):
        C.min_max_norm(min_value=2, max_value=1)


def test_camel_case_keywords():
    assert C.max_norm(maxValue=3).max_value == 3
    m = C.MinMaxNorm(minValue=0.1, maxValue=0.9)
    assert (m.min_value, m.max_value) == (0.1, 0.9)
    with pytest.raises(ValueError, match="unknown argument 'maxVal'"):
        C.MaxNorm(maxVal=3)


@pytest.mark.parametrize(
    "constraint, text",
    [
        (C.max_norm(), '{"class_name":"MaxNorm","config":{"max_value":2,"axis":0}}'),
        (C.unit_norm(axis=1), '{"class_name":"UnitNorm","config":{"axis":1}}'),
        (C.non_neg(), '{"class_name":"NonNeg","config":{}}'),
        (
            C.min_max_norm(),
            '{"class_name":"MinMaxNorm","config":{"min_value":0,"max_value":1,"rate":1,"axis":0}}',
        ),
        (
            C.max_norm(1.5, axis=[0, 1]),
            '{"class_name":"MaxNorm","config":{"max_value":1.5,"axis":[0,1]}}',
        ),
    ],
)
def test_constraint_serialization_round_trip(constraint, text):
    assert compact(C.serialize(constraint)) == text
    assert compact(C.serialize(C.deserialize(json.loads(text)))) == text
    assert compact(C.serialize(C.get(json.loads(text)))) == text


def test_constraint_get():
    assert C.get(None) is None
    c = C.non_neg()
    assert C.get(c) is c
    for names, cls in [
        (("maxNorm", "max_norm", "MaxNorm", "maxnorm"), C.MaxNorm),
        (("unitNorm", "unit_norm", "UnitNorm"), C.UnitNorm),
        (("nonNeg", "non_neg", "NonNeg"), C.NonNeg),
        (("minMaxNorm", "min_max_norm", "MinMaxNorm"), C.MinMaxNorm),
    ]:
        for name in names:
            assert type(C.get(name)) is cls, name
    camel = C.get({"className": "MaxNorm", "config": {"maxValue": 3, "axis": 1}})
    assert C.serialize(camel) == {"class_name": "MaxNorm", "config": {"max_value": 3, "axis": 1}}
    with pytest.raises(ValueError, match="Did you mean 'nonNeg'"):
        C.get("nonNegative")
    assert repr(C.max_norm()) == "MaxNorm(max_value=2, axis=0)"
