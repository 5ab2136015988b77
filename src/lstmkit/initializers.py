"""Weight initializers with TF.js's names, formulas and model.json configs.

`get("glorotNormal")`, `get("glorot_normal")`, `get({"class_name": ..., "config": ...})` and the
factories (`glorot_normal(seed=None)`, ...) return an `Initializer`; `init(shape)` returns a NumPy
array in the engine's float dtype. All randomness comes from `lstmkit._random`, so `set_seed(n)`
makes initialization reproducible. A `seed=` argument gives the same values on every call, and
the very values TF.js's initializer draws with that seed (its alea streams, `lstmkit._random`).

TF.js semantics kept on purpose: glorotNormal/he*/leCun* draw from a normal truncated at 2 sigma
*without* Keras's 0.8796 correction, 1-D shapes have fanIn = fanOut = sqrt(size), and the helper
classes serialize as `VarianceScaling`. The `Serializable` base and the lookup by name are in
`config_objects`, shared with `regularizers` and `constraints`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from . import _precision, _random
from ._names import add_camel_case_functions, to_camel_case, to_snake_case
from ._options import accepts_config
from .config_objects import (
    Serializable,
    deserialize_object,
    get_object,
    normalized_name,
    number_arg,
    seed_arg,
    serialize_object,
    serialize_object_ts,
)
from .tensor import _check_shape, _np_dtype, normal_array, truncated_normal_array, uniform_array

ShapeLike = Sequence[int] | int

# -- initializers -------------------------------------------------------------------------------


def _dtype(dtype: Any, where: str, random: bool = True) -> Any:
    np_dtype = _np_dtype(dtype, where) if dtype is not None else _precision.float_dtype()
    if random and np_dtype is not _precision.float_dtype():
        raise ValueError(f"{where}: random initializers make float32 values, not {dtype!r}.")
    return np_dtype


class Initializer(Serializable):
    """Base class: `init(shape, dtype='float32')` returns a new NumPy array."""

    def __call__(self, shape: ShapeLike, dtype: str = "float32") -> np.ndarray:
        where = f"{type(self).__name__}()"
        return self._make(_check_shape(shape, where), dtype, where)

    def apply(self, shape: ShapeLike, dtype: str = "float32") -> np.ndarray:
        """TF.js's spelling of `__call__`."""
        return self(shape, dtype)

    def _make(self, shape: tuple[int, ...], dtype: Any, where: str) -> np.ndarray:
        raise NotImplementedError


class Zeros(Initializer):
    """All zeros."""

    class_name = "Zeros"

    def _make(self, shape, dtype, where):
        return np.zeros(shape, _dtype(dtype, where, random=False))


class Ones(Initializer):
    """All ones."""

    class_name = "Ones"

    def _make(self, shape, dtype, where):
        return np.ones(shape, _dtype(dtype, where, random=False))


class Constant(Initializer):
    """Every element set to `value`."""

    class_name = "Constant"

    def __init__(self, value: float | None = None):
        if value is None:
            raise ValueError("Constant initializer needs a value, e.g. constant(value=0.5).")
        self.value = number_arg("Constant()", "value", value)

    def _make(self, shape, dtype, where):
        return np.full(shape, self.value, _dtype(dtype, where, random=False))

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class RandomUniform(Initializer):
    """Uniform samples in [minval, maxval)."""

    class_name = "RandomUniform"

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        self.minval = number_arg("RandomUniform()", "minval", -0.05 if minval is None else minval)
        self.maxval = number_arg("RandomUniform()", "maxval", 0.05 if maxval is None else maxval)
        self.seed = seed_arg("RandomUniform()", seed)

    def _make(self, shape, dtype, where):
        vals = uniform_array(shape, self.minval, self.maxval, self.seed)
        return vals.astype(_dtype(dtype, where))

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(Initializer):
    """Normal samples with `mean` and `stddev`."""

    class_name = "RandomNormal"

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean = number_arg(f"{self.class_name}()", "mean", 0.0 if mean is None else mean)
        self.stddev = number_arg(
            f"{self.class_name}()", "stddev", 0.05 if stddev is None else stddev
        )
        self.seed = seed_arg(f"{self.class_name}()", seed)

    def _make(self, shape, dtype, where):
        vals = normal_array(shape, self.mean, self.stddev, self.seed)
        return vals.astype(_dtype(dtype, where))

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """Normal samples, those beyond 2 stddev from the mean redrawn (as `tf.truncatedNormal`)."""

    class_name = "TruncatedNormal"

    def _make(self, shape, dtype, where):
        vals = truncated_normal_array(shape, self.mean, self.stddev, self.seed)
        return np.asarray(vals).astype(_dtype(dtype, where))


class Identity(Initializer):
    """`gain` times the identity matrix; TF.js allows only square 2-D shapes."""

    class_name = "Identity"

    def __init__(self, gain: float = 1.0):
        self.gain = number_arg("Identity()", "gain", 1.0 if gain is None else gain)

    def _make(self, shape, dtype, where):
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError(
                f"{where}: the identity initializer can only be used for 2D square matrices, "
                f"got shape {list(shape)}."
            )
        return (self.gain * np.eye(shape[0])).astype(_dtype(dtype, where, random=False))

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


def compute_fans(shape: Sequence[int]) -> tuple[float, float]:
    """(fanIn, fanOut) as TF.js's computeFans: 2-D [in, out]; 3-5-D channels-last kernels
    (receptive field times the last two dims); any other rank sqrt(size) for both."""
    shape = tuple(shape)
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    if len(shape) in (3, 4, 5):
        receptive = math.prod(shape[:-2])
        return float(shape[-2] * receptive), float(shape[-1] * receptive)
    root = math.sqrt(math.prod(shape))
    return root, root


_FAN_MODES = ("fanIn", "fanOut", "fanAvg")
# 'normal' is TF.js's (truncated at 2 sigma, no correction); 'truncatedNormal' and
# 'untruncatedNormal' are Keras's, so a Keras file keeps its meaning here.
_DISTRIBUTIONS = ("normal", "uniform", "truncatedNormal", "untruncatedNormal")
_TRUNCATION_STD = 0.87962566103423978  # std of a unit normal truncated at +-2 sigma

VALID_FAN_MODE_VALUES = ["fanIn", "fanOut", "fanAvg"]
"""TF.js's `VALID_FAN_MODE_VALUES` (snake_case spellings are accepted too)."""
VALID_DISTRIBUTION_VALUES = ["normal", "uniform", "truncatedNormal"]
"""TF.js's `VALID_DISTRIBUTION_VALUES` (lstmkit also takes Keras's 'untruncatedNormal')."""


def _tfjs_enum_words(value: Any, label: str, valid: Sequence[str]) -> str:
    """TF.js's checkStringTypeUnionValue message."""
    return f"{value} is not a valid {label}.  Valid values are {','.join(valid)} or null/undefined."


def _enum(where: str, name: str, value: Any, valid: Sequence[str], label: str = "") -> str:
    camel = to_camel_case(value) if isinstance(value, str) else value
    if camel not in valid:
        snake = ", ".join(f"'{to_snake_case(v)}'" for v in valid)
        tfjs = f" ({_tfjs_enum_words(value, label, valid)})" if label else ""
        raise ValueError(
            f"{where}: {name} must be one of {snake} (or camelCase), got {value!r}.{tfjs}"
        )
    return camel


def checkFanMode(value: Any) -> None:  # noqa: N802  (TF.js's name)
    """TF.js's `checkFanMode`: None or one of 'fanIn', 'fanOut', 'fanAvg' (either spelling)."""
    if value is not None:
        _enum("checkFanMode()", "the fan mode", value, _FAN_MODES, "FanMode")


def checkDistribution(value: Any) -> None:  # noqa: N802  (TF.js's name)
    """TF.js's `checkDistribution`: None or one of 'normal', 'uniform', 'truncatedNormal'
    (either spelling; also Keras's 'untruncatedNormal')."""
    if value is not None:
        _enum("checkDistribution()", "the distribution", value, _DISTRIBUTIONS, "Distribution")


class VarianceScaling(Initializer):
    """Samples scaled to the weight's fans: variance `scale / fan` (TF.js's formula)."""

    class_name = "VarianceScaling"

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fanIn",
        distribution: str = "normal",
        seed: int | None = None,
    ):
        where = f"{type(self).__name__}()"
        scale = number_arg(where, "scale", 1.0 if scale is None else scale)
        if scale < 0:
            raise ValueError(f"{where}: scale must be a positive float, got {scale}.")
        self.scale = scale
        self.mode = _enum(where, "mode", "fanIn" if mode is None else mode, _FAN_MODES, "FanMode")
        dist = "normal" if distribution is None else distribution
        self.distribution = _enum(where, "distribution", dist, _DISTRIBUTIONS, "Distribution")
        self.seed = seed_arg(where, seed)

    def _make(self, shape, dtype, where):
        out_dtype = _dtype(dtype, where)
        fan_in, fan_out = compute_fans(shape)
        fan = {"fanIn": fan_in, "fanOut": fan_out, "fanAvg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, fan)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            vals = uniform_array(shape, -limit, limit, self.seed)
        elif self.distribution == "untruncatedNormal":
            vals = normal_array(shape, 0.0, math.sqrt(variance), self.seed)
        else:
            std = math.sqrt(variance)
            if self.distribution == "truncatedNormal":
                std /= _TRUNCATION_STD
            vals = truncated_normal_array(shape, 0.0, std, self.seed)
        return np.asarray(vals).astype(out_dtype)

    def get_class_name(self) -> str:
        return "VarianceScaling"

    def get_config(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "mode": to_snake_case(self.mode),
            "distribution": to_snake_case(self.distribution),
            "seed": self.seed,
        }


class _SeedOnly(VarianceScaling):
    """A named VarianceScaling preset; serializes as VarianceScaling, as in TF.js and Keras."""

    _preset: ClassVar[tuple[float, str, str]] = (1.0, "fanIn", "normal")

    def __init__(self, seed: int | None = None):
        scale, mode, distribution = self._preset
        super().__init__(scale, mode, distribution, seed)

    def _repr_args(self) -> dict[str, Any]:
        return {"seed": self.seed}


class GlorotUniform(_SeedOnly):
    """U(-limit, limit), limit = sqrt(6 / (fanIn + fanOut))."""

    class_name = "GlorotUniform"
    _preset = (1.0, "fanAvg", "uniform")


class GlorotNormal(_SeedOnly):
    """Normal truncated at 2 sigma, sigma = sqrt(2 / (fanIn + fanOut)); no 0.8796 correction."""

    class_name = "GlorotNormal"
    _preset = (1.0, "fanAvg", "normal")


class HeNormal(_SeedOnly):
    """Normal truncated at 2 sigma, sigma = sqrt(2 / fanIn)."""

    class_name = "HeNormal"
    _preset = (2.0, "fanIn", "normal")


class HeUniform(_SeedOnly):
    """U(-limit, limit), limit = sqrt(6 / fanIn)."""

    class_name = "HeUniform"
    _preset = (2.0, "fanIn", "uniform")


class LeCunNormal(_SeedOnly):
    """Normal truncated at 2 sigma, sigma = sqrt(1 / fanIn)."""

    class_name = "LeCunNormal"
    _preset = (1.0, "fanIn", "normal")


class LeCunUniform(_SeedOnly):
    """U(-limit, limit), limit = sqrt(3 / fanIn)."""

    class_name = "LeCunUniform"
    _preset = (1.0, "fanIn", "uniform")


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix from the QR decomposition of normal samples, times `gain`.

    As TF.js 4.22: rows = prod(shape[:-1]), cols = shape[-1]; QR of a [max, min] normal
    matrix, Q's columns multiplied by sign(diag(R)), transposed when rows < cols.
    """

    class_name = "Orthogonal"

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        self.gain = number_arg("Orthogonal()", "gain", 1.0 if gain is None else gain)
        self.seed = seed_arg("Orthogonal()", seed)

    def _make(self, shape, dtype, where):
        out_dtype = _dtype(dtype, where)
        if len(shape) < 2:
            raise ValueError(f"{where}: shape must be at least 2D, got {list(shape)}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        if rows * cols == 0:
            return np.zeros(shape, out_dtype)
        a = _random.generator(self.seed).standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(out_dtype)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


_CLASSES: dict[str, type] = {
    normalized_name(c.class_name): c
    for c in (
        Zeros,
        Ones,
        Constant,
        RandomUniform,
        RandomNormal,
        TruncatedNormal,
        Identity,
        VarianceScaling,
        GlorotUniform,
        GlorotNormal,
        HeNormal,
        HeUniform,
        LeCunNormal,
        LeCunUniform,
        Orthogonal,
    )
}
# TF.js's identifiers; their class names and Keras's snake_case names match after normalized_name().
_NAMES = [
    "constant",
    "glorotNormal",
    "glorotUniform",
    "heNormal",
    "heUniform",
    "identity",
    "leCunNormal",
    "leCunUniform",
    "ones",
    "orthogonal",
    "randomNormal",
    "randomUniform",
    "truncatedNormal",
    "varianceScaling",
    "zeros",
]


def get(identifier: str | dict | Initializer | None) -> Initializer | None:
    """The initializer for a TF.js name ('glorotNormal'), a Keras name ('glorot_normal',
    'GlorotNormal'), a {"class_name", "config"} dict, or an Initializer; None gives None."""
    return get_object("initializer", identifier, Initializer, _CLASSES, _NAMES)


def serialize(initializer: Initializer | None) -> dict[str, Any] | None:
    """`{"class_name": ..., "config": {...}}` exactly as TF.js writes it in model.json."""
    return serialize_object(initializer)


def deserialize(config: dict[str, Any]) -> Initializer:
    """The inverse of `serialize` (also accepts Keras's class names and camelCase keys)."""
    return deserialize_object("initializer", config, _CLASSES, _NAMES)


def serializeInitializer(initializer: Initializer | None) -> dict[str, Any] | None:  # noqa: N802
    """TF.js's `serializeInitializer`: `{"className", "config"}` in TF.js's TypeScript form
    (`"mode": "fanAvg"`); `serialize` gives model.json's snake_case form."""
    return serialize_object_ts(initializer)


getInitializer = get  # noqa: N816  (TF.js's names)
deserializeInitializer = deserialize  # noqa: N816


# -- factories, as tf.initializers.* -------------------------------------------------------------


@accepts_config
def zeros() -> Initializer:
    return Zeros()


@accepts_config
def ones() -> Initializer:
    return Ones()


@accepts_config
def constant(value: float) -> Initializer:
    return Constant(value)


@accepts_config
def random_uniform(
    minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
) -> Initializer:
    return RandomUniform(minval, maxval, seed)


@accepts_config
def random_normal(mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> Initializer:
    return RandomNormal(mean, stddev, seed)


@accepts_config
def truncated_normal(
    mean: float = 0.0, stddev: float = 0.05, seed: int | None = None
) -> Initializer:
    return TruncatedNormal(mean, stddev, seed)


@accepts_config
def identity(gain: float = 1.0) -> Initializer:
    return Identity(gain)


@accepts_config
def variance_scaling(
    scale: float = 1.0, mode: str = "fanIn", distribution: str = "normal", seed: int | None = None
) -> Initializer:
    return VarianceScaling(scale, mode, distribution, seed)


@accepts_config
def glorot_uniform(seed: int | None = None) -> Initializer:
    return GlorotUniform(seed)


@accepts_config
def glorot_normal(seed: int | None = None) -> Initializer:
    return GlorotNormal(seed)


@accepts_config
def he_normal(seed: int | None = None) -> Initializer:
    return HeNormal(seed)


@accepts_config
def he_uniform(seed: int | None = None) -> Initializer:
    return HeUniform(seed)


@accepts_config
def lecun_normal(seed: int | None = None) -> Initializer:
    return LeCunNormal(seed)


@accepts_config
def lecun_uniform(seed: int | None = None) -> Initializer:
    return LeCunUniform(seed)


@accepts_config
def orthogonal(gain: float = 1.0, seed: int | None = None) -> Initializer:
    return Orthogonal(gain, seed)


def names() -> list[str]:
    """The TF.js initializer identifiers."""
    return list(_NAMES)


# TF.js's camelCase names of the factories (tf.initializers.glorotUniform, leCunNormal, ...)
add_camel_case_functions(
    globals(),
    (
        "zeros",
        "ones",
        "constant",
        "random_uniform",
        "random_normal",
        "truncated_normal",
        "identity",
        "variance_scaling",
        "glorot_uniform",
        "glorot_normal",
        "he_normal",
        "he_uniform",
        "lecun_normal",
        "lecun_uniform",
        "orthogonal",
    ),
    {"leCunNormal": "lecun_normal", "leCunUniform": "lecun_uniform"},
)
