"""W1 whole process, JAX: the seed program with the benchmark's jitted LSTM and optax Adam."""

import jax
import jax.numpy as jnp
import numpy as np
import optax

from bench.peers.common import model_init
from bench.peers.jax_peer import _forward
from bench.workloads import get

params = jax.tree_util.tree_map(jnp.asarray, model_init(get("W1")))
tx = optax.adam(0.001)
opt_state = tx.init(params)


@jax.jit
def step(params, opt_state, x, y):
    loss, grads = jax.value_and_grad(lambda p: jnp.mean((_forward(p, x) - y) ** 2))(params)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, loss


xs, ys = np.array([[[1]], [[2]]], "float32"), np.array([[1], [2]], "float32")
for _ in range(10):
    params, opt_state, loss = step(params, opt_state, xs, ys)
print(jax.jit(_forward)(params, np.array([[[3]]], "float32")))
