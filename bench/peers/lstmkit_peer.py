"""lstmkit, with the Keras / TF.js default initializers of WORKLOADS.md passed explicitly."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np

from bench.peers.common import protocol
from bench.workloads import Workload


def available() -> tuple[bool, str]:
    """Whether lstmkit imports here (the runner puts the repository's src/ first on the path)."""
    ok = importlib.util.find_spec("lstmkit") is not None
    return ok, "lstmkit" if ok else "lstmkit is not importable"


def version() -> str:
    """The version measured."""
    import lstmkit

    return lstmkit.__version__


LSTM_OPTIONS = dict(
    kernel_initializer="glorotUniform",
    recurrent_initializer="orthogonal",
    bias_initializer="zeros",
    unit_forget_bias=True,
    recurrent_activation="sigmoid",
)


def build(w: Workload) -> Any:
    """LSTM(H) [-> LSTM(H)] -> Dense(1), compiled with Adam(0.001) and MSE."""
    import lstmkit as tf

    tf.set_seed(0)
    model = tf.sequential()
    for i in range(w.layers):
        kwargs: dict[str, Any] = dict(units=w.h, return_sequences=i < w.layers - 1, **LSTM_OPTIONS)
        if i == 0:
            kwargs["input_shape"] = [w.t, w.d]
        model.add(tf.layers.lstm(**kwargs))
    model.add(tf.layers.dense(units=1, kernel_initializer="glorotUniform"))
    model.compile(optimizer=tf.train.adam(0.001), loss="meanSquaredError")
    return model


def run(w: Workload, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """The timing protocol on lstmkit."""

    def fit(model: Any, epochs: int) -> float:
        hist = model.fit(x, y, batch_size=w.batch, epochs=epochs, shuffle=False, verbose=0)
        return float(hist.history["loss"][-1])

    def predict(model: Any) -> Any:
        return model.predict(x, batch_size=w.batch)

    return protocol(w, x, y, lambda: build(w), fit, predict)
