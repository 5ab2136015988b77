"""TF.js's own tests of the configuration objects, ported: tfjs-layers 4.22
`src/activations_test.ts`, `src/initializers_test.ts`, `src/regularizers_test.ts` and
`src/constraints_test.ts`.

Each test names its TF.js `describe(...)` block and `it(...)` title in a comment (`# TF.js:
'<describe>' > '<it>'`; parametrized titles in the ids); expected numbers and error phrases are
TF.js's. `close()` is TF.js's `expectTensorsClose` (1e-3). TF.js's `toEqual` on two objects
(deep equality) is `same_object()`. An initializer's `apply()` gives a NumPy array here (its
`shape` and `dtype` compare as a Tensor's do); TF.js's `dataSync()` is `np.asarray(...)`.

Skipped, with the reason:

- every 'Does not leak' case (activations_test.ts: 16; initializers_test.ts: 13, Orthogonal's
  included) and the `expectNoLeakedTensors` lines of constraints_test.ts 'Built-in
  Constraints': TF.js's memory counts; lstmkit frees by reference counting, so
  `tf.memory().numTensors` checks can't hold.
- regularizers_test.ts 'Built-in Regularizers' > 'Using number arg for constructor leads to
  error' and initializers_test.ts 'Constant initializer' > '1D, from builder function: passing
  a direct value throws error': lstmkit's factories also take the rate or value as a Keras-style
  argument (`tf.regularizers.l2(0.5)`, `tf.initializers.constant(5)`), which lstmkit's own
  tests and ported programs use (tests/test_models.py), so a bare number cannot be refused.
- initializers_test.ts 'Orthogonal Initializer' > 'Deserialize model with orthogonal
  initializer' (the emoji_autoencoder model.json: Conv2D, MaxPooling2D and UpSampling2D on
  128x128 images) needs 2-D convolution, pooling and upsampling layers, which lstmkit
  deliberately does not have (README "Not in lstmkit", `unavailable.py`).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_tfjs_recurrent_suite import close

import lstmkit as tf
from lstmkit import activations as A
from lstmkit import constraints as C
from lstmkit import initializers as I
from lstmkit import regularizers as R


def same_object(a, b) -> bool:
    """Jasmine's `toEqual` on two objects: same type, equal fields."""
    return type(a) is type(b) and vars(a) == vars(b)


# ================================================================================================
# activations_test.ts: describeMathCPUAndGPU('<name> activation')
# ================================================================================================
def _by_rank(vals, rank):
    if rank == 1:
        return tf.tensor1d(vals)
    if rank == 2:
        return tf.tensor2d(vals, [2, 3])
    return tf.tensor3d(vals, [1, 2, 3])


INIT_VALS = [-1, 2, 0, 4, -5, 6]
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
ELEMENTWISE_CASES = {
    # describe name: (class, expected values of INIT_VALS)
    "linear": (A.Linear, [-1, 2, 0, 4, -5, 6]),
    "elu": (A.Elu, [math.exp(x) - 1 if x < 0 else x for x in INIT_VALS]),
    "selu": (
        A.Selu,
        [SELU_SCALE * (SELU_ALPHA * (math.exp(x) - 1) if x < 0 else x) for x in INIT_VALS],
    ),
    "relu": (A.Relu, [0, 2, 0, 4, 0, 6]),
    "tanh": (A.Tanh, [math.tanh(x) for x in INIT_VALS]),
}


@pytest.mark.parametrize("rank", [1, 2, 3], ids=["1D", "2D", "3D"])
@pytest.mark.parametrize("name", list(ELEMENTWISE_CASES))
def test_elementwise_activation(name, rank):
    # TF.js: 'linear activation' / 'elu activation' / 'selu activation' / 'relu activation' /
    # 'tanh activation' > '1D', '2D', '3D'
    cls, expected = ELEMENTWISE_CASES[name]
    fn = cls().apply
    close(fn(_by_rank(INIT_VALS, rank)), _by_rank(expected, rank))


@pytest.mark.parametrize("rank", [1, 2, 3], ids=["1D", "2D", "3D"])
def test_relu6_activation(rank):
    # TF.js: 'relu6 activation' > '1D', '2D', '3D'
    relu6 = A.Relu6().apply
    vals = [-10, -5, 0, 1, 5, 15]
    close(relu6(_by_rank(vals, rank)), _by_rank([0, 0, 0, 1, 5, 6], rank))


def _hard_sigmoid(v):
    y = 0.2 * v + 0.5
    return 1 if y > 1 else 0 if y < 0 else y


SCALAR_3D_CASES = {
    # describe name: (class, value at 0, elementwise formula)
    "sigmoid": (A.Sigmoid, 0.5, lambda v: 1 / (1 + math.exp(-v))),
    "hardSigmoid": (A.HardSigmoid, 0.5, _hard_sigmoid),
    "softplus": (A.Softplus, math.log(2), lambda v: math.log(math.exp(v) + 1)),
    "softsign": (A.Softsign, 0, lambda v: v / (abs(v) + 1)),
}


@pytest.mark.parametrize("name", list(SCALAR_3D_CASES))
def test_activation_scalar(name):
    # TF.js: 'sigmoid activation' / 'hardSigmoid activation' / 'softplus activation' /
    # 'softsign activation' > 'Scalar'
    cls, at_zero, _ = SCALAR_3D_CASES[name]
    close(cls().apply(tf.scalar(0)), tf.scalar(at_zero))


@pytest.mark.parametrize("name", list(SCALAR_3D_CASES))
def test_activation_3d(name):
    # TF.js: 'sigmoid activation' / 'hardSigmoid activation' / 'softplus activation' /
    # 'softsign activation' > '3D'
    cls, _, formula = SCALAR_3D_CASES[name]
    x = tf.tensor3d(INIT_VALS, [1, 2, 3])
    close(cls().apply(x), tf.tensor3d([formula(v) for v in INIT_VALS], [1, 2, 3]))


ROW = [0, 1, 3, 9]
LAST_AXIS_CASES = {
    # describe name: (class, expected for [0, 1, 3, 9], expected for [-1, -1, -1, -1])
    "softmax": (A.Softmax, [0.000, 0.000, 0.002, 0.997], [0.25] * 4),
    "logsoftmax": (A.LogSoftmax, [-9.003, -8.003, -6.003, -0.003], [-1.386] * 4),
    "swish": (A.Swish, [0, 0.731, 2.857, 8.998], [-0.268] * 4),
    "mish": (A.Mish, [0.0, 0.865, 2.987, 9.0], [-0.303] * 4),
    "gelu": (A.Gelu, [0, 0.8413447141647339, 2.995950222015381, 9], [-0.15865525603294373] * 4),
    "gelu_new": (
        A.GeluNew,
        [0, 0.8411920070648193, 2.9963626861572266, 9],
        [-0.15880802273750305] * 4,
    ),
}


@pytest.mark.parametrize("name", list(LAST_AXIS_CASES))
def test_last_axis_activation_1d(name):
    # TF.js: 'softmax activation' / 'logsoftmax activation' / 'swish activation' / 'mish
    # activation' / 'gelu activation' / 'gelu_new activation' > '1D'
    cls, expected, _ = LAST_AXIS_CASES[name]
    close(cls().apply(tf.tensor1d(ROW)), tf.tensor1d(expected))


@pytest.mark.parametrize("name", list(LAST_AXIS_CASES))
def test_last_axis_activation_1d_all_equal(name):
    # TF.js: '<name> activation' > '1D all equal'
    cls, _, expected = LAST_AXIS_CASES[name]
    close(cls().apply(tf.tensor1d([-1, -1, -1, -1])), tf.tensor1d(expected))


@pytest.mark.parametrize("name", list(LAST_AXIS_CASES))
def test_last_axis_activation_2d(name):
    # TF.js: '<name> activation' > '2D'
    cls, expected, _ = LAST_AXIS_CASES[name]
    close(cls().apply(tf.tensor2d([ROW, ROW])), tf.tensor2d([expected, expected]))


@pytest.mark.parametrize("name", list(LAST_AXIS_CASES))
def test_last_axis_activation_3d(name):
    # TF.js: '<name> activation' > '3D'
    cls, expected, _ = LAST_AXIS_CASES[name]
    close(cls().apply(tf.tensor3d([[ROW, ROW]])), tf.tensor3d([[expected, expected]]))


# ================================================================================================
# initializers_test.ts
# ================================================================================================
def _check(weights, shape, values=None):
    assert list(weights.shape) == list(shape)
    assert weights.dtype == "float32"
    if values is not None:
        np.testing.assert_array_equal(np.asarray(weights), np.asarray(values, np.float32))


def in_range(weights, low, high):
    """TF.js's `expectTensorsValuesInRange`."""
    a = np.asarray(weights)
    assert a.min() >= low and a.max() <= high, (a.min(), a.max(), low, high)


@pytest.mark.parametrize(
    "identifier, shape",
    [("zeros", [3]), ("Zeros", [3]), ("zeros", [2, 2])],
    ids=["1D", "1D, upper case", "2D"],
)
def test_zeros_initializer(identifier, shape):
    # TF.js: 'Zeros initializer' > '1D', '1D, upper case', '2D'
    weights = I.getInitializer(identifier).apply(shape, "float32")
    _check(weights, shape, np.zeros(shape))


@pytest.mark.parametrize(
    "identifier, shape",
    [("ones", [3]), ("Ones", [3]), ("ones", [2, 2])],
    ids=["1D", "1D, upper case", "2D"],
)
def test_ones_initializer(identifier, shape):
    # TF.js: 'Ones initializer' > '1D', '1D, upper case', '2D'
    weights = I.getInitializer(identifier).apply(shape, "float32")
    _check(weights, shape, np.ones(shape))


@pytest.mark.parametrize("shape", [[3], [2, 2]], ids=["1D", "2D"])
def test_constant_initializer_from_config_dict(shape):
    # TF.js: 'Constant initializer' > '1D, from config dict', '2D, from config dict'
    init = I.getInitializer({"className": "Constant", "config": {"value": 5}})
    _check(init.apply(shape, "float32"), shape, np.full(shape, 5))


def test_constant_initializer_from_builder_function():
    # TF.js: 'Constant initializer' > '1D, from builder function'
    init = tf.initializers.constant({"value": 5})
    _check(init.apply([3], "float32"), [3], [5, 5, 5])


@pytest.mark.parametrize("title", ["1D", "1D, from config"])
def test_identity_initializer_1d(title):
    # TF.js: 'Identity initializer' > '1D', '1D, from config'
    init = I.getInitializer({"className": "Identity", "config": {"gain": 5}})
    with pytest.raises(ValueError, match="2D square"):
        init.apply([4])


def test_identity_initializer_2d():
    # TF.js: 'Identity initializer' > '2D'
    init = I.getInitializer({"className": "Identity", "config": {"gain": 5}})
    weights = init.apply([2, 2], "float32")
    _check(weights, [2, 2])
    close(weights, tf.tensor2d([5, 0, 0, 5], [2, 2]))


SHAPE = [7, 2]


@pytest.mark.parametrize("identifier", ["randomUniform", "RandomUniform"])
def test_random_uniform_initializer_default(identifier):
    # TF.js: 'RandomUniform initializer' > 'default', 'default, upper case'
    weights = I.getInitializer(identifier).apply(SHAPE, "float32")
    _check(weights, SHAPE)
    in_range(weights, -0.05, 0.05)


def test_random_uniform_initializer_with_configured_min_max_val():
    # TF.js: 'RandomUniform initializer' > 'with configured min max val'
    init = I.getInitializer({"className": "RandomUniform", "config": {"minval": 17, "maxval": 47}})
    weights = init.apply(SHAPE, "float32")
    _check(weights, SHAPE)
    in_range(weights, 17, 47)


@pytest.mark.parametrize("identifier", ["randomNormal", "RandomNormal"])
def test_random_normal_initializer_default(identifier):
    # TF.js: 'RandomNormal initializer' > 'default', 'default, upper case'
    _check(I.getInitializer(identifier).apply(SHAPE, "float32"), SHAPE)


def test_random_normal_initializer_with_configured_min_max_val():
    # TF.js: 'RandomNormal initializer' > 'with configured min max val'
    init = I.getInitializer({"className": "RandomNormal", "config": {"mean": 1.0, "stddev": 0.001}})
    _check(init.apply(SHAPE, "float32"), SHAPE)


SEEDED = [
    # (describe, className, config, shape)
    ("RandomUniform initializer", "RandomUniform", {"seed": 42}, SHAPE),
    ("RandomNormal initializer", "RandomNormal", {"seed": 42}, SHAPE),
    ("HeNormal initializer", "HeNormal", {"seed": 42}, SHAPE),
    ("HeUniform initializer", "HeUniform", {"seed": 42}, SHAPE),
    ("LecunNormal initializer", "LeCunNormal", {"seed": 42}, SHAPE),
    ("LeCunUniform initializer", "LeCunUniform", {"seed": 42}, SHAPE),
    ("TruncatedNormal initializer", "TruncatedNormal", {"seed": 42}, SHAPE),
    ("Glorot uniform initializer", "GlorotUniform", {"seed": 42}, [7, 2]),
    ("Glorot normal initializer", "GlorotNormal", {"seed": 42}, [7, 2]),
    ("Orthogonal Initializer", "Orthogonal", {"seed": 666013}, [7, 2]),
]


@pytest.mark.parametrize("describe, class_name, config, shape", SEEDED, ids=[s[0] for s in SEEDED])
def test_with_configured_seed(describe, class_name, config, shape):
    # TF.js: '<describe>' > 'with configured seed'
    initializer_config = {"className": class_name, "config": config}
    expected = I.getInitializer(initializer_config).apply(shape, "float32")
    actual = I.getInitializer(initializer_config).apply(shape, "float32")
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    close(actual, expected)


VS_PRESETS = [
    # (describe, identifiers, shape, bound, checks getClassName in 'default')
    ("HeNormal initializer", ["heNormal", "HeNormal"], 2 * math.sqrt(2 / 7)),
    ("HeUniform initializer", ["heUniform", "HeUniform"], math.sqrt(6 / 7)),
    ("LecunNormal initializer", ["leCunNormal", "LeCunNormal"], 2 * math.sqrt(1 / 7)),
    ("LeCunUniform initializer", ["leCunUniform", "LeCunUniform"], math.sqrt(3 / 7)),
]


@pytest.mark.parametrize(
    "describe, identifier, bound, upper",
    [(d, ids[i], b, i == 1) for d, ids, b in VS_PRESETS for i in (0, 1)],
    ids=[
        f"{d} > {'default, upper case' if i else 'default'}"
        for d, _, _ in VS_PRESETS
        for i in (0, 1)
    ],
)
def test_variance_scaling_presets_default(describe, identifier, bound, upper):
    # TF.js: 'HeNormal initializer' / 'HeUniform initializer' / 'LecunNormal initializer' /
    # 'LeCunUniform initializer' > 'default', 'default, upper case'
    init = I.getInitializer(identifier)
    weights = init.apply(SHAPE, "float32")
    _check(weights, SHAPE)
    in_range(weights, -bound, bound)
    if not upper:
        assert init.getClassName() == I.VarianceScaling.className


@pytest.mark.parametrize("identifier", ["truncatedNormal", "TruncatedNormal"])
def test_truncated_normal_initializer_default(identifier):
    # TF.js: 'TruncatedNormal initializer' > 'default', 'default, upper case'
    weights = I.getInitializer(identifier).apply(SHAPE, "float32")
    _check(weights, SHAPE)
    in_range(weights, -0.1, 0.1)


def test_truncated_normal_initializer_with_configured_min_max_val():
    # TF.js: 'TruncatedNormal initializer' > 'with configured min max val'
    init = I.getInitializer(
        {"className": "TruncatedNormal", "config": {"mean": 1.0, "stddev": 0.5}}
    )
    weights = init.apply(SHAPE, "float32")
    _check(weights, SHAPE)
    in_range(weights, 0.0, 2.0)


def _glorot_uniform_limit(fan):
    scale = 1 / ((math.sqrt(fan) + math.sqrt(fan)) / 2)
    return math.sqrt(3 * scale)


@pytest.mark.parametrize("identifier", ["glorotUniform", "GlorotUniform"])
def test_glorot_uniform_1d(identifier):
    # TF.js: 'Glorot uniform initializer' > '1D ${initializer}'
    init = I.getInitializer(identifier)
    for n in (3, 30):
        weights = init.apply([n], "float32")
        _check(weights, [n])
        limit = _glorot_uniform_limit(n)
        assert np.max(weights) < limit
        assert np.min(weights) > -limit
    assert init.getClassName() == I.VarianceScaling.className


@pytest.mark.parametrize("identifier", ["glorotUniform", "GlorotUniform"])
def test_glorot_uniform_2d(identifier):
    # TF.js: 'Glorot uniform initializer' > '2D ${initializer}'
    init = I.getInitializer(identifier)
    for n in (2, 20):
        weights = init.apply([n, n], "float32")
        _check(weights, [n, n])
        limit = _glorot_uniform_limit(n)
        assert np.max(weights) < limit
        assert np.min(weights) > -limit


@pytest.mark.parametrize("identifier", ["varianceScaling", "VarianceScaling"])
def test_variance_scaling_default_argument_values(identifier):
    # TF.js: 'VarianceScaling initializer' > 'Default argument values'
    config = I.getInitializer(identifier).getConfig()
    assert config["scale"] == 1
    assert config["mode"] == "fanIn"
    assert config["distribution"] == "normal"
    assert config["seed"] is None  # TF.js: undefined


@pytest.mark.parametrize("distribution", ["uniform", "normal", "truncatedNormal"])
def test_variance_scaling_can_be_constructed_from_config_dict(distribution):
    # TF.js: 'VarianceScaling initializer' > 'Can be constructed from config dict'
    base_config = I.getInitializer("varianceScaling").getConfig()
    base_config["distribution"] = distribution
    new_config = I.VarianceScaling(base_config).getConfig()
    assert new_config["distribution"] == base_config["distribution"]


@pytest.mark.parametrize("distribution", ["uniform", "normal", "truncatedNormal"])
def test_variance_scaling_with_configured_seed(distribution):
    # TF.js: 'VarianceScaling initializer' > '${distribution} with configured seed'
    initializer_config = {
        "className": "VarianceScaling",
        "config": {"distribution": distribution, "seed": 42},
    }
    expected = I.getInitializer(initializer_config).apply([7, 2], "float32")
    actual = I.getInitializer(initializer_config).apply([7, 2], "float32")
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    close(actual, expected)


def _median(values):
    return float(np.median(values))


@pytest.mark.parametrize("identifier", ["glorotNormal", "GlorotNormal"])
def test_glorot_normal_1d(identifier):
    # TF.js: 'Glorot normal initializer' > '1D ${initializer}'
    init = I.getInitializer(identifier)
    var1, var2 = [], []
    for _ in range(4):
        weights = init.apply([30], "float32")
        _check(weights, [30])
        var1.append(np.var(weights))
        weights = init.apply([1200], "float32")
        _check(weights, [1200])
        var2.append(np.var(weights))
        assert init.getClassName() == I.VarianceScaling.className
    assert _median(var2) < _median(var1)


@pytest.mark.parametrize("identifier", ["glorotNormal", "GlorotNormal"])
def test_glorot_normal_2d(identifier):
    # TF.js: 'Glorot normal initializer' > '2D ${initializer}'
    init = I.getInitializer(identifier)
    var1, var2 = [], []
    for _ in range(4):
        weights = init.apply([5, 6], "float32")
        _check(weights, [5, 6])
        var1.append(np.var(weights))
        weights = init.apply([30, 50], "float32")
        _check(weights, [30, 50])
        var2.append(np.var(weights))
    assert _median(var2) < _median(var1)


def test_initializers_get_by_string():
    # TF.js: 'initializers.get' > 'by string'
    config = I.serializeInitializer(I.getInitializer("glorotNormal"))
    nested = config["config"]
    assert nested["scale"] == 1.0
    assert nested["mode"] == "fanAvg"
    assert nested["distribution"] == "normal"


def test_initializers_get_by_existing_object():
    # TF.js: 'initializers.get' > 'by existing object'
    orig = tf.initializers.zeros()
    assert same_object(I.getInitializer(orig), orig)


def test_initializers_get_by_config_dict():
    # TF.js: 'initializers.get' > 'by config dict'
    orig = tf.initializers.glorotUniform({"seed": 10})
    initializer = I.getInitializer(I.serializeInitializer(orig))
    assert I.serializeInitializer(initializer) == I.serializeInitializer(orig)


def test_invalid_initializer_identifier_throws():
    # TF.js: 'Invalid intializer identifier' > 'Throws exception'
    with pytest.raises(ValueError):
        I.getInitializer("invalid_initializer_id")


def test_check_fan_mode_valid_values():
    # TF.js: 'checkFanMode' > 'Valid values'
    for value in [*I.VALID_FAN_MODE_VALUES, None]:  # TF.js: also undefined
        I.checkFanMode(value)


def test_check_fan_mode_invalid_values():
    # TF.js: 'checkFanMode' > 'Invalid values'
    with pytest.raises(ValueError, match="foo"):
        I.checkFanMode("foo")
    with pytest.raises(ValueError) as e:
        I.checkFanMode("bad")
    assert "FanMode" in str(e.value)
    for value in I.VALID_FAN_MODE_VALUES:
        assert value in str(e.value)


def test_check_distribution_valid_values():
    # TF.js: 'checkDistribution' > 'Valid values'
    for value in [*I.VALID_DISTRIBUTION_VALUES, None]:  # TF.js: also undefined
        I.checkDistribution(value)


def test_check_distribution_invalid_values():
    # TF.js: 'checkDistribution' > 'Invalid values'
    with pytest.raises(ValueError, match="foo"):
        I.checkDistribution("foo")
    with pytest.raises(ValueError) as e:
        I.checkDistribution("bad")
    assert "Distribution" in str(e.value)
    for value in I.VALID_DISTRIBUTION_VALUES:
        assert value in str(e.value)


@pytest.mark.parametrize(
    "rows, cols", [(2, 2), (4, 2), (2, 4), (64, 64)], ids=["2x2", "4x2", "2x4", "64x64"]
)
def test_orthogonal_initializer(rows, cols):
    # TF.js: 'Orthogonal Initializer' > '2x2', '4x2', '2x4', '64x64'
    w = tf.tensor(I.getInitializer("Orthogonal").apply([rows, cols], "float32"))
    assert list(w.shape) == [rows, cols]
    assert w.dtype == "float32"
    if rows >= cols:  # the columns of w are orthogonal
        close(w.transpose().matMul(w), tf.eye(cols))
    else:
        close(w.matMul(w.transpose()), tf.eye(rows))


def test_orthogonal_initializer_1x1_with_gain():
    # TF.js: 'Orthogonal Initializer' > '1x1 with gain'
    w = tf.tensor(tf.initializers.orthogonal({"gain": 3}).apply([1, 1], "float32"))
    assert list(w.shape) == [1, 1]
    assert w.dtype == "float32"
    close(w.transpose().matMul(w), tf.tensor2d([[9]], [1, 1]))


# ================================================================================================
# regularizers_test.ts
# ================================================================================================
def x_reg():
    return tf.tensor1d([1, -2, 3, -4])


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: tf.regularizers.l1l2(), 0.01 * (1 + 2 + 3 + 4) + 0.01 * (1 + 4 + 9 + 16)),
        (lambda: tf.regularizers.l1(), 0.01 * (1 + 2 + 3 + 4)),
        (lambda: tf.regularizers.l2(), 0.01 * (1 + 4 + 9 + 16)),
        (
            lambda: tf.regularizers.l1l2({"l1": 1, "l2": 2}),
            1 * (1 + 2 + 3 + 4) + 2 * (1 + 4 + 9 + 16),
        ),
    ],
    ids=["l1_l2", "l1", "l2", "l1_l2 non default"],
)
def test_built_in_regularizers(make, expected):
    # TF.js: 'Built-in Regularizers' > 'l1_l2', 'l1', 'l2', 'l1_l2 non default'
    close(make().apply(x_reg()), tf.scalar(expected))


@pytest.mark.parametrize("name", ["l1l2", "L1L2"], ids=["lower camel", "upper camel"])
def test_regularizers_get_by_string(name):
    # TF.js: 'regularizers.get' > 'by string - lower camel', 'by string - upper camel'
    regularizer = R.getRegularizer(name)
    close(regularizer.apply(x_reg()), tf.regularizers.l1l2().apply(x_reg()))


def test_regularizers_get_by_existing_object():
    # TF.js: 'regularizers.get' > 'by existing object'
    orig = tf.regularizers.l1l2({"l1": 1, "l2": 2})
    assert same_object(R.getRegularizer(orig), orig)


def test_regularizers_get_by_config_dict():
    # TF.js: 'regularizers.get' > 'by config dict'
    orig = tf.regularizers.l1l2({"l1": 1, "l2": 2})
    regularizer = R.getRegularizer(R.serializeRegularizer(orig))
    close(regularizer.apply(x_reg()), orig.apply(x_reg()))


def test_regularizer_serialization_built_ins():
    # TF.js: 'Regularizer Serialization' > 'Built-ins'
    regularizer = tf.regularizers.l1l2({"l1": 1, "l2": 2})
    config = R.serializeRegularizer(regularizer)
    reconstituted = R.deserializeRegularizer(config)
    round_trip = R.serializeRegularizer(reconstituted)
    assert round_trip["className"] == "L1L2"
    assert round_trip["config"]["l1"] == 1
    assert round_trip["config"]["l2"] == 2


# ================================================================================================
# constraints_test.ts
# ================================================================================================
def init_vals():
    return tf.tensor1d(np.array([-1, 2, 0, 4, -5, 6], np.float32))


MAX_NORMED = [-0.2208630521, 0.4417261043, 0, 0.8834522086, -1.104315261, 1.325178313]
UNIT_NORMED = [v / 2 for v in MAX_NORMED]
CONSTRAINT_CASES = [
    ("NonNeg", [0, 2, 0, 4, 0, 6]),
    ("MaxNorm", MAX_NORMED),
    ("UnitNorm", UNIT_NORMED),
    ("MinMaxNorm", UNIT_NORMED),
    ("nonNeg", [0, 2, 0, 4, 0, 6]),
    ("maxNorm", MAX_NORMED),
    ("unitNorm", UNIT_NORMED),
    ("minMaxNorm", UNIT_NORMED),
]


@pytest.mark.parametrize("name, expected", CONSTRAINT_CASES, ids=[c[0] for c in CONSTRAINT_CASES])
def test_built_in_constraints(name, expected):
    # TF.js: 'Built-in Constraints' > 'NonNeg', 'MaxNorm', 'UnitNorm', 'MinMaxNorm', and the
    # lower camel case 'nonNeg', 'maxNorm', 'unitNorm', 'minMaxNorm'
    post = C.getConstraint(name).apply(init_vals())
    close(post, tf.tensor1d(np.array(expected, np.float32)))


@pytest.mark.parametrize("title", ["by string", "by string, upper case"])
def test_constraints_get_by_string(title):
    # TF.js: 'constraints.get' > 'by string', 'by string, upper case' (both 'maxNorm' in TF.js)
    config = C.serializeConstraint(C.getConstraint("maxNorm"))
    nested = config["config"]
    assert nested["maxValue"] == 2
    assert nested["axis"] == 0


def test_constraints_get_by_existing_object():
    # TF.js: 'constraints.get' > 'by existing object'
    orig = tf.constraints.nonNeg()
    assert same_object(C.getConstraint(orig), orig)


def test_constraints_get_by_config_dict():
    # TF.js: 'constraints.get' > 'by config dict'
    orig = tf.constraints.minMaxNorm({"minValue": 0, "maxValue": 2, "rate": 3, "axis": 4})
    constraint = C.getConstraint(C.serializeConstraint(orig))
    assert C.serializeConstraint(constraint) == C.serializeConstraint(orig)


def test_constraints_serialization_built_ins():
    # TF.js: 'Constraints Serialization' > 'Built-ins'
    names = ["maxNorm", "nonNeg", "unitNorm", "minMaxNorm", "MaxNorm", "NonNeg", "UnitNorm"]
    for name in [*names, "MinMaxNorm"]:
        constraint = C.getConstraint(name)
        reconstituted = C.deserializeConstraint(C.serializeConstraint(constraint))
        assert same_object(reconstituted, constraint)
