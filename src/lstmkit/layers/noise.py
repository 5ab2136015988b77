"""Noise layers active only while training: GaussianNoise, GaussianDropout and AlphaDropout
(`tfjs-layers/src/layers/noise.ts`).

At inference (`training=False`, the default) each returns its input unchanged. Random draws
come from `lstmkit._random`, so `tf.set_seed(n)` makes them reproducible; the optional `seed`
(an lstmkit extension, written to the config only when set) fixes the noise of every call.
"""

from __future__ import annotations

import math
from typing import Any

from .. import _random
from ..engine import ops
from ..tensor import Tensor
from .base import Layer
from .core import check_rate, one_input
from .options import seed_option, shape_option

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _normal(x: Tensor, mean: float, stddev: float, seed: int | None) -> Tensor:
    """A constant tensor of normal noise shaped and typed like `x` (no gradient flows to it)."""
    values = _random.generator(seed).normal(mean, stddev, x.shape)
    return Tensor._wrap(values.astype(x._data.dtype))


class _Noise(Layer):
    supports_masking = True

    def __init__(self, seed: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.seed = seed_option(f"{self.class_name} {self.name}", seed)

    def _with_seed(self, config: dict[str, Any]) -> dict[str, Any]:
        if self.seed is not None:
            config["seed"] = self.seed
        return {**config, **super().get_config()}


class GaussianNoise(_Noise):
    """Adds zero-mean Gaussian noise of standard deviation `stddev` while training."""

    class_name = "GaussianNoise"
    factory_name = "gaussianNoise"

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any):
        super().__init__(seed=seed, **kwargs)
        if (
            isinstance(stddev, bool)
            or not isinstance(stddev, (int, float))
            or stddev < 0
            or not _finite(stddev)
        ):
            raise ValueError(
                f"GaussianNoise {self.name}: stddev must be a number >= 0, got {stddev!r}."
            )
        self.stddev = stddev

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = one_input(self, inputs)
        if not training:
            return x
        return ops.add(x, _normal(x, 0.0, self.stddev, self.seed))

    def get_config(self) -> dict[str, Any]:
        return self._with_seed({"stddev": self.stddev})


class GaussianDropout(_Noise):
    """Multiplies by Gaussian noise of mean 1 and stddev sqrt(rate / (1 - rate)) while training."""

    class_name = "GaussianDropout"
    factory_name = "gaussianDropout"

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any):
        super().__init__(seed=seed, **kwargs)
        self.rate = check_rate(f"GaussianDropout {self.name}", rate)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = one_input(self, inputs)
        if not training or not 0 < self.rate < 1:
            return x
        stddev = math.sqrt(self.rate / (1 - self.rate))
        return ops.mul(x, _normal(x, 1.0, stddev, self.seed))

    def get_config(self) -> dict[str, Any]:
        return self._with_seed({"rate": self.rate})


class AlphaDropout(_Noise):
    """Dropout that keeps the mean and variance of SELU activations (self-normalizing nets).

    Dropped units are set to SELU's negative saturation value, then an affine map restores
    the statistics. As in TF.js the config holds only `rate` (not `noise_shape`). Dropped
    units get `alpha_p = -alpha * scale` as in Keras: TF.js 4.22 writes `(kept - 1) * alpha_p`,
    which flips that sign and shifts the mean by about 0.3, a bug not copied here.
    """

    class_name = "AlphaDropout"
    factory_name = "alphaDropout"

    def __init__(
        self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any
    ):
        super().__init__(seed=seed, **kwargs)
        self.rate = check_rate(f"AlphaDropout {self.name}", rate)
        if noise_shape is not None:
            shape_option(f"AlphaDropout {self.name}", "noise_shape", noise_shape, minimum=1)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = one_input(self, inputs)
        if not training or not 0 < self.rate < 1:
            return x
        shape = self.noise_shape or x.shape
        keep = (_random.generator(self.seed).random(shape) >= self.rate).astype(x._data.dtype)
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * self.rate
        kept = Tensor._wrap(keep)
        dropped = ops.add(ops.mul(x, kept), Tensor._wrap((1 - keep) * alpha_p))
        return ops.add(ops.mul(dropped, a), b)

    def get_config(self) -> dict[str, Any]:
        return self._with_seed({"rate": self.rate})


def _finite(x: float) -> bool:
    try:
        return math.isfinite(x)
    except OverflowError:  # an int too large for a float
        return False
