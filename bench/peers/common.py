"""What every Python peer shares: Keras's default initializers in NumPy and the timing protocol."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.workloads import Workload


def glorot_uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """Keras's glorot_uniform for a [fan_in, fan_out] kernel."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


def orthogonal(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """Keras's orthogonal initializer (gain 1) for a [rows, cols] matrix."""
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    return (q.T if rows < cols else q).astype(np.float32)


def lstm_init(rng: np.random.Generator, d: int, h: int) -> dict[str, np.ndarray]:
    """Keras-layout LSTM weights: kernel [D, 4H], recurrent [H, 4H], bias [4H] (forget = 1)."""
    bias = np.zeros(4 * h, np.float32)
    bias[h : 2 * h] = 1.0  # unit_forget_bias; gate order i, f, c, o
    return {
        "kernel": glorot_uniform(rng, d, 4 * h),
        "recurrent": orthogonal(rng, h, 4 * h),
        "bias": bias,
    }


def model_init(w: Workload, seed: int = 0) -> dict[str, Any]:
    """All weights of LSTM(H) [-> LSTM(H)] -> Dense(1), Keras layout."""
    rng = np.random.default_rng(seed)
    lstms = [lstm_init(rng, w.d if i == 0 else w.h, w.h) for i in range(w.layers)]
    return {
        "lstms": lstms,
        "dense_kernel": glorot_uniform(rng, w.h, 1),
        "dense_bias": np.zeros(1, np.float32),
    }


def protocol(
    w: Workload,
    x: np.ndarray,
    y: np.ndarray,
    build: Callable[[], Any],
    fit: Callable[[Any, int], float],
    predict: Callable[[Any], Any],
) -> dict[str, Any]:
    """Build, warm up (1 epoch, or one predict), then time `fit` for w.epochs (or one predict).

    `fit(model, epochs)` must return the last loss only once the work is done; `predict(model)`
    must return only once the outputs exist.
    """
    t0 = time.perf_counter()
    model = build()
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    if w.predict_only:
        predict(model)
    else:
        fit(model, 1)
    warmup_s = time.perf_counter() - t0
    loss = None
    t0 = time.perf_counter()
    if w.predict_only:
        predict(model)
    else:
        loss = float(fit(model, w.epochs))
    seconds = time.perf_counter() - t0
    samples = len(x) * max(w.epochs, 1)
    return {
        "build_s": build_s,
        "warmup_s": warmup_s,
        "seconds": seconds,
        "samples": samples,
        "samples_per_s": samples / seconds if seconds > 0 else float("inf"),
        "loss": loss,
    }
