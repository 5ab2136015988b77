"""Activation functions keyed by their TF.js names, with Keras's snake_case aliases.

`get("hardSigmoid")`, `get("hard_sigmoid")` and `get(None)` (linear) return an `Activation`: a
callable on Tensors (differentiable), plus the NumPy forward and derivative that the fused
recurrent kernels use inside their time loops. `serialize()` gives the snake_case name that
model.json stores.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

import numpy as np

from ._names import to_camel_case, to_snake_case  # noqa: F401 (re-exported: the old place)
from .engine import api, ops
from .engine.rnn import activations as rnn_activations
from .tensor import Tensor


class Activation:
    """One activation: `act(x)` on Tensors, `forward_np`/`backward_np` on arrays, and
    `native_code`: its number in the compiled recurrent loops (None when they lack it)."""

    def __init__(self, name: str, op: Callable[[Any], Tensor], forward_np, backward_np):
        self.name = name  # the TF.js identifier, e.g. "hardSigmoid"
        self._op = op
        self.forward_np = forward_np  # x -> y
        self.backward_np = backward_np  # (x, y, dy) -> dx

    def __call__(self, x: Any) -> Tensor:
        return self._op(x)

    @property
    def native_code(self) -> int | None:
        """The compiled loops' code for this activation, or None (NumPy loops only)."""
        kernel = rnn_activations.native_kernel(self.name)
        return None if kernel is None else kernel.code

    def serialize(self) -> str:
        """The name model.json stores (snake_case, as TF.js writes it)."""
        return to_snake_case(self.name)

    def get_class_name(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def _elementwise(name: str, op_name: str | None = None) -> Activation:
    fwd, bwd = ops.ELEMENTWISE[op_name or name]
    return Activation(name, getattr(ops, op_name or name), fwd, bwd)


def _softmax_np(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax_np(x: np.ndarray) -> np.ndarray:
    s = x - x.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


_REGISTRY: dict[str, Activation] = {
    a.name: a
    for a in [
        _elementwise("elu"),
        _elementwise("selu"),
        _elementwise("relu"),
        _elementwise("relu6"),
        _elementwise("linear"),
        _elementwise("sigmoid"),
        _elementwise("hardSigmoid", "hard_sigmoid"),
        _elementwise("softplus"),
        _elementwise("softsign"),
        _elementwise("tanh"),
        _elementwise("gelu"),
        _elementwise("gelu_new"),
        _elementwise("mish"),
        _elementwise("swish"),
        Activation(
            "softmax",
            ops.softmax,
            _softmax_np,
            lambda x, y, g: y * (g - (g * y).sum(axis=-1, keepdims=True)),
        ),
        Activation(
            "logSoftmax",
            ops.log_softmax,
            _log_softmax_np,
            lambda x, y, g: g - np.exp(y) * g.sum(axis=-1, keepdims=True),
        ),
    ]
}


_ALIASES = {to_snake_case(k): k for k in _REGISTRY} | {"gelu_new": "gelu_new"}


def get(identifier: str | Activation | Callable | None) -> Activation:
    """The activation for a TF.js name, a Keras alias, None (linear) or a callable."""
    if identifier is None:
        return _REGISTRY["linear"]
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, str):
        key = identifier if identifier in _REGISTRY else _ALIASES.get(identifier)
        if key is None:
            key = _ALIASES.get(to_snake_case(identifier))
        if key is None:
            names = sorted(set(_REGISTRY) | set(_ALIASES))
            close = difflib.get_close_matches(identifier, names, n=3)
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise ValueError(
                f"Unknown activation {identifier!r}.{hint} Known: {', '.join(sorted(_REGISTRY))}."
            )
        return _REGISTRY[key]
    if callable(identifier):
        return _custom(identifier)
    raise ValueError(f"An activation must be a name or a callable, got {identifier!r}.")


def _custom(fn: Callable) -> Activation:
    """Wrap a user function on Tensors; the kernels run it through the tape for its derivative."""

    def forward_np(x: np.ndarray) -> np.ndarray:
        return np.asarray(fn(Tensor._wrap(x))._data)

    def backward_np(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
        return api.grad(fn)(Tensor._wrap(x), Tensor._wrap(dy))._data

    return Activation(getattr(fn, "__name__", "custom"), fn, forward_np, backward_np)


def serialize(activation: Activation) -> str:
    return activation.serialize()


def names() -> list[str]:
    """The TF.js activation names."""
    return sorted(_REGISTRY)


rnn_activations.use_registry(get)  # names the kernels lack resolve through this registry
