"""Central finite differences for checking the tape's gradients (float64)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

import lstmkit as tf


def numeric_grads(
    f: Callable[..., tf.Tensor], xs: Sequence[np.ndarray], dy: np.ndarray, eps: float = 1e-6
) -> list[np.ndarray]:
    """d(sum(f(*xs) * dy))/dx for each x, by central differences."""
    out = []
    for k, x in enumerate(xs):
        g = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            args = [a.copy() for a in xs]
            args[k][i] += eps
            hi = np.sum(np.asarray(f(*[tf.tensor(a) for a in args])) * dy)
            args[k][i] -= 2 * eps
            lo = np.sum(np.asarray(f(*[tf.tensor(a) for a in args])) * dy)
            g[i] = (hi - lo) / (2 * eps)
        out.append(g)
    return out


def check_grads(
    f: Callable[..., tf.Tensor],
    xs: Sequence[np.ndarray],
    rtol: float = 1e-6,
    atol: float = 1e-7,
    seed: int = 0,
) -> None:
    """Assert the tape's gradients of f equal finite differences, in float64."""
    with tf.float64():
        xs = [np.asarray(x, np.float64) for x in xs]
        y = f(*[tf.tensor(x) for x in xs])
        dy = np.random.default_rng(seed).normal(size=y.shape)
        analytic = tf.grads(f)([tf.tensor(x) for x in xs], tf.tensor(dy))
        numeric = numeric_grads(f, xs, dy)
    for a, n in zip(analytic, numeric):
        assert a.dtype == "float32"  # reported name; the values are float64 here
        np.testing.assert_allclose(a.numpy(), n, rtol=rtol, atol=atol)
