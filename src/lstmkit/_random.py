"""The one random generator behind initializers, dropout masks and shuffling.

`set_seed(n)` replaces it with a seeded one, so a whole program becomes reproducible.
TF.js uses its own PRNG (seedrandom's alea). Where a TF.js op is given a seed, lstmkit draws
what TF.js draws: `tfjs_uniform` and `tfjs_normal` (below) are TF.js's seeded streams, used by
seeded `randomUniform`, `randomNormal`, `truncatedNormal`, dropout masks and initializers. Without
a seed (TF.js: Math.random) the values come from NumPy's generator, seeded by `set_seed`.
"""

from __future__ import annotations

import math
import zlib
from typing import Any

import numpy as np

_generator = np.random.default_rng()


def set_seed(seed: int) -> None:
    """Make initializers, dropout masks and shuffling reproducible from here on."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"set_seed() expects an integer seed, got {seed!r}.")
    _generator = np.random.default_rng(int(seed))


def seed_value(seed: Any) -> int:
    """An op's `seed` as an integer: TF.js accepts numbers and strings (`randomUniform`'s
    seed may be 'abc'); a string is hashed (CRC-32 of its UTF-8), a float truncated."""
    if isinstance(seed, str):
        return zlib.crc32(seed.encode("utf-8"))
    if isinstance(seed, bool) or not isinstance(seed, (int, float, np.integer, np.floating)):
        raise ValueError(f"seed must be an integer (or a string), got {seed!r}.")
    return abs(int(seed))


def generator(seed: Any = None) -> np.random.Generator:
    """The global generator, or a fresh one when an op is given its own `seed`."""
    if seed is not None:
        return np.random.default_rng(seed_value(seed))
    return _generator


# -- TF.js's seeded stream ----------------------------------------------------------------------
# TF.js's seeded random ops (`tf.randomUniform(..., seed)` and so `tf.dropout(x, rate, shape,
# seed)`) draw from seedrandom's alea generator seeded with `String(seed)`. Reproduced here
# exactly (double arithmetic as in JavaScript), so a seeded dropout mask is TF.js's bit for bit.

_TWO_M32 = 2.3283064365386963e-10  # 2 ** -32


def _mash_state() -> Any:
    n = 0xEFC8249D

    def mash(data: str) -> float:
        nonlocal n
        for ch in data:
            n += ord(ch)
            h = 0.02519603282416938 * n
            n = int(h) & 0xFFFFFFFF  # h >>> 0
            h -= n
            h *= n
            n = int(h) & 0xFFFFFFFF
            h -= n
            n += h * 0x100000000
        return (int(n) & 0xFFFFFFFF) * _TWO_M32

    return mash


def js_seed_string(seed: Any) -> str:
    """`String(seed)` as JavaScript writes a number (23 -> '23', 0.5 -> '0.5')."""
    if isinstance(seed, str):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, float, np.integer, np.floating)):
        raise ValueError(f"seed must be a number (or a string), got {seed!r}.")
    value = float(seed)
    if not np.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if 1e-6 <= abs(value) < 1e21:  # JavaScript writes these without an exponent
        return np.format_float_positional(value, trim="-")
    mantissa, _, exponent = repr(value).partition("e")  # 1e-07 -> 1e-7, as JavaScript
    return f"{mantissa}e{exponent[0]}{exponent[1:].lstrip('0')}" if exponent else mantissa


def _alea_state(seed: str) -> list[float]:
    """seedrandom's alea seeded with `seed`: its state [s0, s1, s2, c]."""
    mash = _mash_state()
    s0, s1, s2 = mash(" "), mash(" "), mash(" ")
    s0 -= mash(seed)
    s0 += 1 if s0 < 0 else 0
    s1 -= mash(seed)
    s1 += 1 if s1 < 0 else 0
    s2 -= mash(seed)
    s2 += 1 if s2 < 0 else 0
    return [s0, s1, s2, 1]


def _alea_draws(seed: str, n: int) -> np.ndarray:
    s0, s1, s2, c = _alea_state(seed)
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        t = 2091639 * s0 + c * _TWO_M32
        s0, s1 = s1, s2
        c = int(t)  # t | 0 (t >= 0)
        s2 = t - c
        out[i] = s2
    return out


def tfjs_normal(
    seed: Any, shape: Any, mean: float, stddev: float, truncated: bool = False
) -> np.ndarray:
    """The values TF.js's seeded `randomNormal(shape, mean, stddev, dtype, seed)` (or, with
    `truncated`, `truncatedNormal`) draws, row-major, float64: rand_util.ts's MPRandGauss,
    Marsaglia's polar method on alea seeded with `String(seed)`, pairs (x, y) with y kept for
    the next value (truncated: a pair is redrawn until x is within 2 stddev, and y is dropped
    when it is not). Seed 0, which TF.js takes for "no seed" (a random one), is the seed "0"
    here, so that it reproduces too."""
    dims = tuple(int(d) for d in np.atleast_1d(shape)) if np.ndim(shape) else (int(shape),)
    n = int(np.prod(dims, dtype=np.int64))
    s0, s1, s2, c = _alea_state(js_seed_string(seed))
    upper, lower = mean + stddev * 2, mean - stddev * 2
    out = np.empty(n, dtype=np.float64)
    log, sqrt = math.log, math.sqrt
    i = 0
    while i < n:
        while True:
            while True:
                t = 2091639 * s0 + c * _TWO_M32
                s0, s1, c = s1, s2, int(t)
                s2 = t - c
                v1 = 2 * s2 - 1
                t = 2091639 * s0 + c * _TWO_M32
                s0, s1, c = s1, s2, int(t)
                s2 = t - c
                v2 = 2 * s2 - 1
                sq = v1 * v1 + v2 * v2
                if 0 < sq < 1:
                    break
            mul = sqrt(-2.0 * log(sq) / sq)
            x = mean + stddev * v1 * mul
            y = mean + stddev * v2 * mul
            if not truncated or lower <= x <= upper:
                break
        out[i] = x
        i += 1
        if i < n and (not truncated or lower <= y <= upper):
            out[i] = y
            i += 1
    return out.reshape(dims)


_ALEA_CACHE: dict[tuple[str, int], np.ndarray] = {}


def tfjs_uniform(seed: Any, shape: Any) -> np.ndarray:
    """The values in [0, 1) TF.js's `randomUniform(shape, 0, 1, 'float32', seed)` draws, in
    row-major order (float64; TF.js stores them as float32). The same seed gives the same
    values on every call, as in TF.js; recent draws are cached (a seeded dropout mask is
    redrawn on every training step)."""
    dims = tuple(int(d) for d in np.atleast_1d(shape)) if np.ndim(shape) else (int(shape),)
    n = int(np.prod(dims, dtype=np.int64))
    key = (js_seed_string(seed), n)
    values = _ALEA_CACHE.get(key)
    if values is None:
        values = _alea_draws(key[0], n)
        values.flags.writeable = False
        if len(_ALEA_CACHE) >= 16:
            _ALEA_CACHE.pop(next(iter(_ALEA_CACHE)))
        _ALEA_CACHE[key] = values
    return values.reshape(dims)
