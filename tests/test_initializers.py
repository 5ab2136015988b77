"""Initializers: TF.js's distributions, fans, Orthogonal, seeding and model.json configs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import lstmkit as tf
from lstmkit import initializers as I

TRUNC = 0.87962566103423978  # std of a unit normal truncated at +-2 sigma
from tfjs_fixtures import FIXTURES  # noqa: E402

BIG = (400, 500)  # 200k samples: std estimates good to ~0.3%


@pytest.fixture(autouse=True)
def _seeded():
    """Fixed draws, so the statistical tolerances below never flake."""
    tf.set_seed(1234)


def compact(obj) -> str:
    return json.dumps(obj, separators=(",", ":"))


# -- distributions ------------------------------------------------------------------------------


def test_constant_initializers():
    assert I.zeros()((2, 3)).tolist() == [[0, 0, 0]] * 2
    assert I.ones()([4]).tolist() == [1, 1, 1, 1]
    np.testing.assert_array_equal(I.constant(0.5)((2, 2)), np.full((2, 2), 0.5))
    np.testing.assert_array_equal(I.identity(gain=3)((3, 3)), 3 * np.eye(3))
    assert I.zeros()((2,), "int32").dtype == np.int32
    with pytest.raises(ValueError, match="2D square"):
        I.identity()((2, 3))
    with pytest.raises(ValueError, match="needs a value"):
        I.get("constant")


def test_random_uniform_and_normal():
    u = I.random_uniform()(BIG)
    assert u.min() >= -0.05 and u.max() < 0.05
    assert abs(u.mean()) < 1e-3 and u.std() == pytest.approx(0.1 / math.sqrt(12), rel=0.01)
    u = I.random_uniform(minval=1, maxval=3)(BIG)
    assert u.min() >= 1 and u.max() < 3 and u.mean() == pytest.approx(2, abs=0.01)
    n = I.random_normal(mean=1.0, stddev=2.0)(BIG)
    assert n.mean() == pytest.approx(1.0, abs=0.02) and n.std() == pytest.approx(2.0, rel=0.01)
    assert np.abs(n - 1).max() > 4  # not truncated


def test_truncated_normal_redraws_beyond_two_sigma():
    t = I.truncated_normal(mean=0.5, stddev=0.1)(BIG)
    assert np.abs(t - 0.5).max() <= 0.2 + 1e-6
    assert t.mean() == pytest.approx(0.5, abs=1e-3)
    assert t.std() == pytest.approx(0.1 * TRUNC, rel=0.01)
    assert I.truncated_normal()(BIG).std() == pytest.approx(0.05 * TRUNC, rel=0.01)


@pytest.mark.parametrize(
    "make, fan, scale, uniform",
    [
        (I.glorot_normal, "avg", 1, False),
        (I.glorot_uniform, "avg", 1, True),
        (I.he_normal, "in", 2, False),
        (I.he_uniform, "in", 2, True),
        (I.lecun_normal, "in", 1, False),
        (I.lecun_uniform, "in", 1, True),
    ],
)
def test_variance_scaling_presets(make, fan, scale, uniform):
    fi, fo = BIG
    n = {"in": fi, "avg": (fi + fo) / 2}[fan]
    sigma = math.sqrt(scale / n)
    w = make()(BIG)
    assert w.dtype == np.float32 and abs(w.mean()) < 3 * sigma / math.sqrt(w.size) * 5
    if uniform:
        limit = math.sqrt(3 * scale / n)  # glorot: sqrt(6 / (fi + fo))
        assert np.abs(w).max() <= limit
        assert w.std() == pytest.approx(limit / math.sqrt(3), rel=0.01)
    else:  # TF.js: truncated at 2 sigma with no 0.8796 correction
        assert np.abs(w).max() <= 2 * sigma + 1e-6
        assert w.std() == pytest.approx(sigma * TRUNC, rel=0.01)


def test_glorot_normal_std_is_tfjs_not_keras():
    fi, fo = 300, 700
    w = I.glorot_normal()((fi, fo))
    assert w.std() == pytest.approx(math.sqrt(2 / (fi + fo)) * TRUNC, rel=0.01)


def test_variance_scaling_modes_and_keras_distributions():
    fi, fo = BIG
    w = I.variance_scaling(scale=3, mode="fan_out", distribution="uniform")(BIG)
    assert np.abs(w).max() <= math.sqrt(9 / fo)
    assert w.std() == pytest.approx(math.sqrt(3 / fo), rel=0.01)
    # Keras's 'truncated_normal' keeps its corrected std; 'untruncated_normal' is plain.
    k = I.variance_scaling(mode="fanIn", distribution="truncated_normal")(BIG)
    assert k.std() == pytest.approx(math.sqrt(1 / fi), rel=0.01)
    u = I.variance_scaling(distribution="untruncated_normal")(BIG)
    assert u.std() == pytest.approx(math.sqrt(1 / fi), rel=0.01)
    assert np.abs(u).max() > 3 * math.sqrt(1 / fi)
    with pytest.raises(ValueError, match="mode must be one of 'fan_in', 'fan_out', 'fan_avg'"):
        I.variance_scaling(mode="fan_sum")
    with pytest.raises(ValueError, match="scale must be a positive"):
        I.variance_scaling(scale=-1)


# -- fans ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, fans",
    [
        ((16,), (4.0, 4.0)),  # TF.js: sqrt(size) for both (Keras would say 16)
        ((), (1.0, 1.0)),
        ((3, 7), (3.0, 7.0)),
        ((3, 4, 5), (12.0, 15.0)),  # receptive field 3
        ((2, 3, 4, 5), (24.0, 30.0)),
        ((2, 2, 3, 4, 5), (48.0, 60.0)),
        ((2, 2, 2, 2, 2, 2), (8.0, 8.0)),  # rank 6: sqrt(64)
    ],
)
def test_compute_fans(shape, fans):
    assert I.compute_fans(shape) == fans


def test_fans_drive_the_scale_for_1d_and_3d_shapes():
    w = I.variance_scaling(distribution="uniform")((250_000,))  # fanIn = 500
    assert np.abs(w).max() <= math.sqrt(3 / 500) and np.abs(w).max() > 0.99 * math.sqrt(3 / 500)
    w = I.he_uniform()((3, 40, 2000))  # fanIn = 40 * 3
    assert np.abs(w).max() <= math.sqrt(6 / 120) and np.abs(w).max() > 0.99 * math.sqrt(6 / 120)
    w = I.glorot_uniform()((1, 1))  # max(1, fan)
    assert np.abs(w).max() <= math.sqrt(3)


# -- orthogonal ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(30, 10), (10, 30), (16, 16), (2, 3, 4), (5, 1)])
def test_orthogonal(shape):
    w = I.orthogonal()(shape)
    assert w.shape == shape and w.dtype == np.float32
    m = w.reshape(-1, shape[-1]).astype(np.float64)
    small = min(m.shape)
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-5)


def test_orthogonal_gain_seed_and_errors():
    a = I.orthogonal(gain=2.5, seed=3)((8, 4))
    np.testing.assert_allclose(a.T.astype(np.float64) @ a, 6.25 * np.eye(4), atol=1e-4)
    np.testing.assert_array_equal(a, I.orthogonal(gain=2.5, seed=3)((8, 4)))
    with pytest.raises(ValueError, match="at least 2D"):
        I.orthogonal()((5,))


def test_orthogonal_is_uniformly_distributed_in_sign():
    # The sign(diag(R)) correction makes Q Haar-distributed: the first column has no bias.
    cols = np.stack([I.orthogonal()((3, 3))[:, 0] for _ in range(2000)])
    assert np.abs(cols.mean(axis=0)).max() < 0.05


# -- seeding and dtypes -------------------------------------------------------------------------

RANDOM = [
    I.random_uniform,
    I.random_normal,
    I.truncated_normal,
    I.variance_scaling,
    I.glorot_uniform,
    I.glorot_normal,
    I.he_normal,
    I.he_uniform,
    I.lecun_normal,
    I.lecun_uniform,
    I.orthogonal,
]


@pytest.mark.parametrize("make", RANDOM, ids=lambda f: f.__name__)
def test_set_seed_makes_init_reproducible(make):
    tf.set_seed(42)
    a = make()((6, 5))
    b = make()((6, 5))
    tf.set_seed(42)
    np.testing.assert_array_equal(make()((6, 5)), a)
    assert not np.array_equal(a, b)
    seeded = make(seed=9)
    np.testing.assert_array_equal(seeded((6, 5)), seeded((6, 5)))
    assert not np.array_equal(seeded((6, 5)), make(seed=10)((6, 5)))


def test_float64_mode_and_dtype_errors():
    with tf.float64():
        assert I.glorot_normal()((3, 3)).dtype == np.float64
        assert I.zeros()((2,)).dtype == np.float64
    assert I.glorot_normal().apply([3, 3]).dtype == np.float32
    with pytest.raises(ValueError, match="float32"):
        I.random_normal()((2,), "int32")
    with pytest.raises(ValueError, match="shape"):
        I.zeros()((2, -1))
    with pytest.raises(ValueError, match="seed must be an integer"):
        I.random_normal(seed="x")
    with pytest.raises(ValueError, match="stddev must be a number"):
        I.random_normal(stddev="big")


# -- serialization ------------------------------------------------------------------------------

TFJS_JSON = [
    (I.zeros(), '{"class_name":"Zeros","config":{}}'),
    (I.ones(), '{"class_name":"Ones","config":{}}'),
    (I.constant(0.5), '{"class_name":"Constant","config":{"value":0.5}}'),
    (
        I.random_uniform(),
        '{"class_name":"RandomUniform","config":{"minval":-0.05,"maxval":0.05,"seed":null}}',
    ),
    (
        I.random_normal(),
        '{"class_name":"RandomNormal","config":{"mean":0,"stddev":0.05,"seed":null}}',
    ),
    (
        I.truncated_normal(stddev=1.0, seed=7),
        '{"class_name":"TruncatedNormal","config":{"mean":0,"stddev":1,"seed":7}}',
    ),
    (I.identity(), '{"class_name":"Identity","config":{"gain":1}}'),
    (
        I.variance_scaling(),
        '{"class_name":"VarianceScaling","config":'
        '{"scale":1,"mode":"fan_in","distribution":"normal","seed":null}}',
    ),
    (
        I.glorot_normal(),
        '{"class_name":"VarianceScaling","config":'
        '{"scale":1,"mode":"fan_avg","distribution":"normal","seed":null}}',
    ),
    (
        I.glorot_uniform(seed=1),
        '{"class_name":"VarianceScaling","config":'
        '{"scale":1,"mode":"fan_avg","distribution":"uniform","seed":1}}',
    ),
    (
        I.he_normal(),
        '{"class_name":"VarianceScaling","config":'
        '{"scale":2,"mode":"fan_in","distribution":"normal","seed":null}}',
    ),
    (
        I.he_uniform(),
        '{"class_name":"VarianceScaling","config":'
        '{"scale":2,"mode":"fan_in","distribution":"uniform","seed":null}}',
    ),
    (
        I.lecun_normal(),
        '{"class_name":"VarianceScaling","config":'
        '{"scale":1,"mode":"fan_in","distribution":"normal","seed":null}}',
    ),
    (
        I.lecun_uniform(),
        '{"class_name":"VarianceScaling","config":'
        '{"scale":1,"mode":"fan_in","distribution":"uniform","seed":null}}',
    ),
    (I.orthogonal(), '{"class_name":"Orthogonal","config":{"gain":1,"seed":null}}'),
]


@pytest.mark.parametrize("init, text", TFJS_JSON, ids=lambda v: getattr(v, "class_name", ""))
def test_serialize_matches_tfjs_text_and_round_trips(init, text):
    assert compact(I.serialize(init)) == text
    again = I.deserialize(json.loads(text))
    assert compact(I.serialize(again)) == text
    assert compact(I.serialize(I.get(json.loads(text)))) == text


def _initializer_configs(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("_initializer") and isinstance(value, dict):
                found.append(value)
            else:
                _initializer_configs(value, found)
    elif isinstance(node, list):
        for value in node:
            _initializer_configs(value, found)
    return found


MODEL_FILES = sorted(FIXTURES.glob("*/model.json"))
assert MODEL_FILES, f"no fixture model files under {FIXTURES}"


def test_every_fixture_initializer_config_round_trips_identically():
    seen = set()
    for path in MODEL_FILES:
        for config in _initializer_configs(json.loads(path.read_text()), []):
            assert compact(I.serialize(I.get(config))) == compact(config), path
            seen.add(config["class_name"])
    assert {"VarianceScaling", "Orthogonal", "Zeros", "RandomUniform"} <= seen


# -- get() --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, cls",
    [
        ("glorotNormal", I.GlorotNormal),
        ("glorot_normal", I.GlorotNormal),
        ("GlorotNormal", I.GlorotNormal),
        ("glorotUniform", I.GlorotUniform),
        ("heNormal", I.HeNormal),
        ("he_normal", I.HeNormal),
        ("he_uniform", I.HeUniform),
        ("leCunNormal", I.LeCunNormal),
        ("lecun_normal", I.LeCunNormal),
        ("lecun_uniform", I.LeCunUniform),
        ("LeCunUniform", I.LeCunUniform),
        ("zeros", I.Zeros),
        ("Zeros", I.Zeros),
        ("ones", I.Ones),
        ("orthogonal", I.Orthogonal),
        ("identity", I.Identity),
        ("randomUniform", I.RandomUniform),
        ("random_uniform", I.RandomUniform),
        ("RandomNormal", I.RandomNormal),
        ("truncatedNormal", I.TruncatedNormal),
        ("truncated_normal", I.TruncatedNormal),
        ("varianceScaling", I.VarianceScaling),
        ("variance_scaling", I.VarianceScaling),
    ],
)
def test_get_by_name(name, cls):
    assert type(I.get(name)) is cls


def test_get_dicts_instances_and_errors():
    assert I.get(None) is None
    init = I.he_normal()
    assert I.get(init) is init
    camel = I.get({"className": "VarianceScaling", "config": {"scale": 2, "mode": "fanAvg"}})
    snake = I.get({"class_name": "VarianceScaling", "config": {"scale": 2, "mode": "fan_avg"}})
    assert I.serialize(camel) == I.serialize(snake)
    assert I.serialize(camel)["config"]["mode"] == "fan_avg"
    # Keras-converted files: Keras class names with a seed-only config, extra Keras 3 keys.
    keras = {
        "module": "keras.initializers",
        "class_name": "GlorotUniform",
        "config": {"seed": None},
        "registered_name": None,
    }
    assert I.serialize(I.get(keras)) == I.serialize(I.glorot_uniform())
    with pytest.raises(ValueError, match="Did you mean 'glorotNormal'"):
        I.get("glorotNormall")
    with pytest.raises(ValueError, match="Known: constant, glorotNormal"):
        I.get("xavier")
    with pytest.raises(ValueError, match="class_name"):
        I.get({"config": {}})
    with pytest.raises(ValueError, match="must be a name"):
        I.get(3)


def test_repr():
    assert repr(I.glorot_normal(seed=2)) == "GlorotNormal(seed=2)"
    assert repr(I.constant(1.5)) == "Constant(value=1.5)"
