"""The one random generator behind initializers, dropout masks and shuffling.

`set_seed(n)` replaces it with a seeded one, so a whole program becomes reproducible.
TF.js uses its own PRNG (seedrandom's alea), so seeded values match TF.js in distribution,
never bit for bit.
"""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def set_seed(seed: int) -> None:
    """Make initializers, dropout masks and shuffling reproducible from here on."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"set_seed() expects an integer seed, got {seed!r}.")
    _generator = np.random.default_rng(int(seed))


def generator(seed: int | None = None) -> np.random.Generator:
    """The global generator, or a fresh one when an op is given its own `seed`."""
    if seed is not None:
        return np.random.default_rng(int(seed))
    return _generator
