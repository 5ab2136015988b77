"""Activations as the fused kernels use them: a fold into the weights, a core, a derivative.

The built-in element-wise activations (linear, tanh, sigmoid, hardSigmoid, relu) are `fast`:
an affine part folds into the gate columns of the weights and `core_to` applies the rest, and
their derivative is a function of the output. Each carries `code`, its number in the compiled
loops (the `act_t` enum of csrc; tests/test_native_table.py checks that both agree). Any other
activation wraps an object with `forward_np` / `backward_np` and runs only in the NumPy loops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

try:  # the clip ufunc: no Python wrapper overhead (np.clip costs ~3 µs more per call)
    _clip = np._core.umath.clip  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - NumPy < 2
    try:
        _clip = np.core.umath.clip  # type: ignore[attr-defined]
    except AttributeError:
        _clip = np.clip


# ---------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------
class _Act:
    """An activation as the kernels use it.

    Built-in element-wise activations are `fast`: `core_to` applies them to a folded
    pre-activation (`scale*z + shift` already added through the weights), and their derivative
    is a function of the output (`deriv`). Any other activation wraps a registry object with
    `forward_np` / `backward_np` and is applied gate by gate.
    """

    fast = True
    scale = 1.0
    shift = 0.0
    name = "?"
    code: int | None = None  # the compiled loops' code for this activation (None: not there)

    def core_to(self, a: np.ndarray, out: np.ndarray) -> None:  # folded pre-activation -> y
        raise NotImplementedError

    def apply(self, z: np.ndarray, out: np.ndarray) -> None:
        """`out[...] = act(z)` for an unfolded pre-activation (`out` may be `z`)."""
        if self.scale != 1.0:
            np.multiply(z, self.scale, out=out)
            z = out
        if self.shift != 0.0:
            np.add(z, self.shift, out=out)
            z = out
        self.core_to(z, out)

    def deriv(self, y: np.ndarray) -> np.ndarray:
        """`act'(z)` as a new array, from the output `y` (fast activations only)."""
        raise NotImplementedError

    def grad(self, z: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """`dy * act'(z)`."""
        return np.multiply(dy, self.deriv(y))


class _Linear(_Act):
    name = "linear"
    code = 0

    def core_to(self, a, out):
        if out is not a:
            np.copyto(out, a)

    def deriv(self, y):
        return np.ones_like(y)

    def grad(self, z, y, dy):
        return dy.copy()


class _Tanh(_Act):
    name = "tanh"
    code = 1

    def core_to(self, a, out):
        np.tanh(a, out=out)

    def deriv(self, y):
        d = np.multiply(y, y)
        np.subtract(1.0, d, out=d)
        return d


class _Sigmoid(_Act):
    """sigmoid(z) = 0.5*tanh(0.5*z) + 0.5 (no overflow, one transcendental)."""

    name = "sigmoid"
    scale = 0.5
    code = 2

    def core_to(self, a, out):
        np.tanh(a, out=out)
        np.multiply(out, 0.5, out=out)
        np.add(out, 0.5, out=out)

    def deriv(self, y):
        d = np.subtract(1.0, y)
        np.multiply(d, y, out=d)
        return d


class _HardSigmoid(_Act):
    """TF.js / Keras 2: clip(0.2*z + 0.5, 0, 1)."""

    name = "hardSigmoid"
    scale = 0.2
    shift = 0.5
    code = 3

    def core_to(self, a, out):
        _clip(a, 0.0, 1.0, out=out)

    def deriv(self, y):
        d = np.greater(y, 0.0)
        np.logical_and(d, np.less(y, 1.0), out=d)
        return np.multiply(d, np.asarray(0.2, y.dtype), dtype=y.dtype)


class _Relu(_Act):
    name = "relu"
    code = 4

    def core_to(self, a, out):
        np.maximum(a, 0.0, out=out)

    def deriv(self, y):
        return np.greater(y, 0.0).astype(y.dtype)


class _Generic(_Act):
    """A registry activation: `forward_np(x)` and `backward_np(x, y, dy)`.

    The kernels hold one gate as a `[units, batch]` block; the registry functions get the
    `[batch, units]` orientation (transposed views), so softmax-like activations reduce over
    the units as in TF.js.
    """

    fast = False

    def __init__(self, obj: Any):
        self.obj = obj
        self.name = getattr(obj, "name", type(obj).__name__)

    def core_to(self, a, out):
        out[...] = np.asarray(self.obj.forward_np(a.T)).T

    def apply(self, z, out):
        out[...] = np.asarray(self.obj.forward_np(z.T)).T

    def grad(self, z, y, dy):
        return np.asarray(self.obj.backward_np(z.T, y.T, dy.T)).T


_FAST_ACTS: dict[str, _Act] = {
    "linear": _Linear(),
    "tanh": _Tanh(),
    "sigmoid": _Sigmoid(),
    "hardSigmoid": _HardSigmoid(),
    "hard_sigmoid": _HardSigmoid(),
    "relu": _Relu(),
}


NATIVE_CODES: dict[str, int] = {act.name: act.code for act in _FAST_ACTS.values()}
"""The compiled loops' number of each built-in activation, by TF.js name: the ``ACT_*`` enum of
csrc (tests/test_native_table.py checks that the two agree)."""

_registry_lookup: Callable[[Any], Any] | None = None


def use_registry(lookup: Callable[[Any], Any]) -> None:
    """Install the activation registry's lookup (`lstmkit.activations.get` installs itself),
    through which names the kernels do not have built in (softsign, elu, ...) are resolved.

    The engine sits below the registry, so the registry hands its lookup down instead of the
    engine importing it.
    """
    global _registry_lookup
    _registry_lookup = lookup


def native_kernel(name: str) -> _Act | None:
    """The kernels' built-in activation of this TF.js / Keras name, or None."""
    return _FAST_ACTS.get(name)


def _resolve_activation(op: str, role: str, identifier: Any) -> _Act:
    if identifier is None:  # TF.js GRU/LSTM: an explicit null means linear
        return _FAST_ACTS["linear"]
    if isinstance(identifier, str):
        fast = _FAST_ACTS.get(identifier)
        if fast is not None:
            return fast
    elif hasattr(identifier, "forward_np") and hasattr(identifier, "backward_np"):
        return _Generic(identifier)
    if _registry_lookup is None:
        raise ValueError(
            f"{op}: {role} {identifier!r} is not one of the built-in kernels' activations "
            f"({', '.join(sorted(_FAST_ACTS))}) and no activation registry is installed "
            "(`import lstmkit` installs lstmkit.activations)."
        )
    try:
        obj = _registry_lookup(identifier)
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{op}: unknown {role} {identifier!r}: {e}") from None
    if not (hasattr(obj, "forward_np") and hasattr(obj, "backward_np")):
        raise ValueError(
            f"{op}: {role} {identifier!r} resolved to {obj!r}, which has no forward_np / "
            "backward_np."
        )
    return _Generic(obj)
