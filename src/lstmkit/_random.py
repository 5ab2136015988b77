"""The one random generator behind initializers, dropout masks and shuffling.

`set_seed(n)` replaces it with a seeded one, so a whole program becomes reproducible.
TF.js uses its own PRNG (seedrandom's alea), so seeded values match TF.js in distribution,
never bit for bit.
"""

from __future__ import annotations

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
