"""Keras 3 on the JAX backend (the worker sets KERAS_BACKEND=jax before importing keras)."""

from __future__ import annotations

import importlib.util
import os
from typing import Any

import numpy as np

from bench.peers.common import protocol
from bench.workloads import Workload


def available() -> tuple[bool, str]:
    """Whether keras and jax are installed."""
    missing = [m for m in ("keras", "jax") if importlib.util.find_spec(m) is None]
    if missing:
        return False, f"not installed: {', '.join(missing)} (pip install keras jax)"
    return True, "keras"


def _keras() -> Any:
    os.environ["KERAS_BACKEND"] = "jax"
    import keras

    return keras


def version() -> str:
    """The versions measured."""
    import jax

    keras = _keras()
    return f"keras {keras.__version__} (backend {keras.backend.backend()}), jax {jax.__version__}"


def build(w: Workload) -> Any:
    """Keras's defaults are the workload's: glorot_uniform, orthogonal, zeros, unit_forget_bias."""
    keras = _keras()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((w.t, w.d))])
    for i in range(w.layers):
        model.add(keras.layers.LSTM(w.h, return_sequences=i < w.layers - 1))
    model.add(keras.layers.Dense(1))
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="mean_squared_error")
    return model


def run(w: Workload, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """The timing protocol on Keras."""

    def fit(model: Any, epochs: int) -> float:
        hist = model.fit(x, y, batch_size=w.batch, epochs=epochs, shuffle=False, verbose=0)
        return float(hist.history["loss"][-1])

    def predict(model: Any) -> Any:
        return model.predict(x, batch_size=w.batch, verbose=0)

    return protocol(w, x, y, lambda: build(w), fit, predict)
