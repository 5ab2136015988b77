"""JAX: a hand-written LSTM (lax.scan) with a jitted train step and optax's Adam."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np

from bench.peers.common import model_init, protocol
from bench.workloads import Workload


def available() -> tuple[bool, str]:
    """Whether jax and optax are installed."""
    missing = [m for m in ("jax", "optax") if importlib.util.find_spec(m) is None]
    if missing:
        return False, f"not installed: {', '.join(missing)} (pip install jax jaxlib optax)"
    return True, "jax"


def version() -> str:
    """The versions measured."""
    import jax
    import optax

    return f"jax {jax.__version__}, optax {optax.__version__}"


def _forward(params: dict, x: Any) -> Any:
    """Outputs [B, 1] of LSTM(H) [-> LSTM(H)] -> Dense(1) for x [B, T, D]."""
    import jax
    import jax.numpy as jnp

    seq = jnp.swapaxes(x, 0, 1)  # time-major [T, B, D]
    h_last = None
    for p in params["lstms"]:
        hdim = p["recurrent"].shape[0]
        proj = seq @ p["kernel"] + p["bias"]  # input projection of all steps at once

        def step(carry: tuple, z: Any, u: Any = p["recurrent"], hd: int = hdim) -> tuple:
            h, c = carry
            z = z + h @ u
            i = jax.nn.sigmoid(z[:, :hd])
            f = jax.nn.sigmoid(z[:, hd : 2 * hd])
            g = jnp.tanh(z[:, 2 * hd : 3 * hd])
            o = jax.nn.sigmoid(z[:, 3 * hd :])
            c = f * c + i * g
            h = o * jnp.tanh(c)
            return (h, c), h

        zeros = jnp.zeros((seq.shape[1], hdim), seq.dtype)
        (h_last, _), seq = jax.lax.scan(step, (zeros, zeros), proj)
    return h_last @ params["dense_kernel"] + params["dense_bias"]


def run(w: Workload, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """The timing protocol on JAX (one jitted step per batch, blocking at the end of fit)."""
    import jax
    import jax.numpy as jnp
    import optax

    tx = optax.adam(0.001)

    def loss_fn(params: dict, xb: Any, yb: Any) -> Any:
        return jnp.mean((_forward(params, xb) - yb) ** 2)

    @jax.jit
    def train_step(params: dict, opt_state: Any, xb: Any, yb: Any) -> tuple:
        loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    predict_step = jax.jit(_forward)

    def build() -> dict:
        params = jax.tree_util.tree_map(jnp.asarray, model_init(w))
        return {"params": params, "opt_state": tx.init(params)}

    def fit(state: dict, epochs: int) -> float:
        params, opt_state = state["params"], state["opt_state"]
        losses: list[Any] = []
        for _ in range(epochs):
            losses = []  # the last epoch's mean loss, as Keras reports
            for i in range(0, len(x), w.batch):
                params, opt_state, loss = train_step(
                    params, opt_state, x[i : i + w.batch], y[i : i + w.batch]
                )
                losses.append(loss)
        state["params"], state["opt_state"] = params, opt_state
        return float(np.mean([np.asarray(v) for v in losses]))

    def predict(state: dict) -> Any:
        outs = [
            predict_step(state["params"], x[i : i + w.batch]) for i in range(0, len(x), w.batch)
        ]
        return np.concatenate([np.asarray(o) for o in outs])

    return protocol(w, x, y, build, fit, predict)
