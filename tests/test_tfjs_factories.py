"""TF.js's factory forms of initializers, regularizers and constraints: every name TF.js
exports (tfjs-layers exports_initializers.ts, exports_regularizers.ts, exports_constraints.ts),
each taking TF.js's one config object, equal to the keyword form."""

from __future__ import annotations

import numpy as np
import pytest

import lstmkit as tf

TFJS_INITIALIZERS = (
    "zeros ones constant randomUniform randomNormal truncatedNormal identity varianceScaling "
    "glorotUniform glorotNormal heNormal heUniform leCunNormal leCunUniform orthogonal"
).split()


def test_every_tfjs_name_exists():
    for name in TFJS_INITIALIZERS:
        assert callable(getattr(tf.initializers, name)), name
    for name in ("l1l2", "l1", "l2"):
        assert callable(getattr(tf.regularizers, name))
    for name in ("maxNorm", "unitNorm", "nonNeg", "minMaxNorm"):
        assert callable(getattr(tf.constraints, name))


@pytest.mark.parametrize(
    ("camel", "config", "snake", "kwargs"),
    [
        ("glorotUniform", {"seed": 1}, "glorot_uniform", {"seed": 1}),
        ("leCunNormal", {"seed": 2}, "lecun_normal", {"seed": 2}),
        ("heUniform", {"seed": 3}, "he_uniform", {"seed": 3}),
        (
            "randomNormal",
            {"mean": 1, "stddev": 0.5, "seed": 4},
            "random_normal",
            {"mean": 1, "stddev": 0.5, "seed": 4},
        ),
        (
            "randomUniform",
            {"minval": -2, "maxval": 3, "seed": 5},
            "random_uniform",
            {"minval": -2, "maxval": 3, "seed": 5},
        ),
        ("truncatedNormal", {"stddev": 2, "seed": 6}, "truncated_normal", {"stddev": 2, "seed": 6}),
        (
            "varianceScaling",
            {"scale": 2, "mode": "fanAvg", "distribution": "uniform", "seed": 7},
            "variance_scaling",
            {"scale": 2, "mode": "fan_avg", "distribution": "uniform", "seed": 7},
        ),
        ("orthogonal", {"gain": 2, "seed": 8}, "orthogonal", {"gain": 2, "seed": 8}),
        ("constant", {"value": 3}, "constant", {"value": 3}),
        ("identity", {"gain": 2}, "identity", {"gain": 2}),
    ],
)
def test_config_object_equals_keywords(camel, config, snake, kwargs):
    a = getattr(tf.initializers, camel)(config)
    b = getattr(tf.initializers, snake)(**kwargs)
    assert type(a) is type(b) and a.get_config() == b.get_config()
    np.testing.assert_array_equal(a([4, 4]), b([4, 4]))


def test_regularizer_and_constraint_config_objects():
    assert tf.regularizers.l1l2({"l1": 0.1, "l2": 0.2}).get_config() == {"l1": 0.1, "l2": 0.2}
    assert tf.regularizers.l2({"l2": 0.3}).get_config() == {"l1": 0, "l2": 0.3}
    assert tf.regularizers.l1({"l1": 0.3}).get_config() == {"l1": 0.3, "l2": 0}
    c = tf.constraints.maxNorm({"maxValue": 1.5, "axis": 1})
    assert c.get_config() == tf.constraints.max_norm(max_value=1.5, axis=1).get_config()
    m = tf.constraints.minMaxNorm({"minValue": 0.5, "maxValue": 1, "rate": 0.5})
    assert m.get_config()["min_value"] == 0.5
    # a layer built with the factories saves them as TF.js does
    layer = tf.layers.dense(
        {
            "units": 2,
            "inputShape": [3],
            "kernelInitializer": tf.initializers.glorotNormal({"seed": 1}),
            "kernelRegularizer": tf.regularizers.l2({"l2": 0.01}),
            "kernelConstraint": tf.constraints.nonNeg(),
        }
    )
    cfg = layer.get_config()
    assert cfg["kernel_regularizer"]["class_name"] == "L1L2"
    assert cfg["kernel_constraint"]["class_name"] == "NonNeg"


def test_unknown_config_keys_name_the_close_ones():
    with pytest.raises(ValueError, match=r"glorotUniform\(\): unknown option 'sed' \(did you"):
        tf.initializers.glorotUniform({"sed": 1})
    with pytest.raises(ValueError, match="maxValu"):
        tf.constraints.maxNorm({"maxValu": 2})
