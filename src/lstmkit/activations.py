"""Activation functions keyed by their TF.js names, with Keras's snake_case aliases.

`get("hardSigmoid")`, `get("hard_sigmoid")` and `get(None)` (linear) return an `Activation`: a
callable on Tensors (differentiable), plus the NumPy forward and derivative that the fused
recurrent kernels use inside their time loops. `serialize()` gives the snake_case name that
model.json stores.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, ClassVar

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

    def apply(self, x: Any) -> Tensor:
        """TF.js's spelling of `__call__`."""
        return self(x)

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

    def getClassName(self) -> str:  # noqa: N802  (TF.js's name)
        return self.get_class_name()

    def get_config(self) -> dict[str, Any]:
        """TF.js's activations have no settings: `{}`."""
        return {}

    getConfig = get_config  # noqa: N815  (TF.js's name)

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def _elementwise_parts(name: str, op_name: str | None = None) -> tuple:
    fwd, bwd = ops.ELEMENTWISE[op_name or name]
    return name, getattr(ops, op_name or name), fwd, bwd


def _softmax_np(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax_np(x: np.ndarray) -> np.ndarray:
    s = x - x.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


# -- TF.js's activation classes (`new Elu().apply(x)`); the registry holds one of each ----------


class _Builtin(Activation):
    """A TF.js built-in activation class: `className` is its TF.js identifier."""

    className: ClassVar[str] = ""  # noqa: N815  (TF.js\'s name)
    _op_name: ClassVar[str | None] = None

    def __init__(self) -> None:
        super().__init__(*_elementwise_parts(self.className, self._op_name))


class Elu(_Builtin):
    """TF.js's `Elu`: x if x > 0 else alpha * (exp(x) - 1) (TF.js supports alpha = 1 only)."""

    className = "elu"  # noqa: N815  (TF.js\'s name)

    def apply(self, x: Any, alpha: float = 1.0) -> Tensor:
        if alpha != 1:
            raise NotImplementedError(
                f"Support for alpha values other than 1 ({alpha}) is not implemented yet."
            )
        return self(x)


class Selu(_Builtin):
    className = "selu"  # noqa: N815  (TF.js\'s name)


class Relu(_Builtin):
    className = "relu"  # noqa: N815  (TF.js\'s name)


class Relu6(_Builtin):
    className = "relu6"  # noqa: N815  (TF.js\'s name)


class Linear(_Builtin):
    className = "linear"  # noqa: N815  (TF.js\'s name)


class Sigmoid(_Builtin):
    className = "sigmoid"  # noqa: N815  (TF.js\'s name)


class HardSigmoid(_Builtin):
    className = "hardSigmoid"  # noqa: N815  (TF.js\'s name)
    _op_name = "hard_sigmoid"


class Softplus(_Builtin):
    className = "softplus"  # noqa: N815  (TF.js\'s name)


class Softsign(_Builtin):
    className = "softsign"  # noqa: N815  (TF.js\'s name)


class Tanh(_Builtin):
    className = "tanh"  # noqa: N815  (TF.js\'s name)


class Gelu(_Builtin):
    className = "gelu"  # noqa: N815  (TF.js\'s name)


class GeluNew(_Builtin):
    className = "gelu_new"  # noqa: N815  (TF.js\'s name)


class Mish(_Builtin):
    className = "mish"  # noqa: N815  (TF.js\'s name)


class Swish(_Builtin):
    """TF.js's `Swish`: x * sigmoid(alpha * x)."""

    className = "swish"  # noqa: N815  (TF.js\'s name)

    def apply(self, x: Any, alpha: float = 1.0) -> Tensor:
        if alpha == 1:
            return self(x)
        return ops.mul(x, ops.sigmoid(ops.mul(alpha, x)))


class Softmax(Activation):
    """TF.js's `Softmax` over `axis` (the last by default)."""

    className: ClassVar[str] = "softmax"  # noqa: N815  (TF.js\'s name)

    def __init__(self) -> None:
        super().__init__(
            "softmax",
            ops.softmax,
            _softmax_np,
            lambda x, y, g: y * (g - (g * y).sum(axis=-1, keepdims=True)),
        )

    def apply(self, x: Any, axis: int = -1) -> Tensor:
        return self(x) if axis == -1 else ops.softmax(x, axis)


class LogSoftmax(Activation):
    """TF.js's `LogSoftmax` over `axis` (the last by default)."""

    className: ClassVar[str] = "logSoftmax"  # noqa: N815  (TF.js\'s name)

    def __init__(self) -> None:
        super().__init__(
            "logSoftmax",
            ops.log_softmax,
            _log_softmax_np,
            lambda x, y, g: g - np.exp(y) * g.sum(axis=-1, keepdims=True),
        )

    def apply(self, x: Any, axis: int = -1) -> Tensor:
        return self(x) if axis == -1 else ops.log_softmax(x, axis)


_CLASSES: tuple[Callable[[], Activation], ...] = (
    Elu,
    Selu,
    Relu,
    Relu6,
    Linear,
    Sigmoid,
    HardSigmoid,
    Softplus,
    Softsign,
    Tanh,
    Gelu,
    GeluNew,
    Mish,
    Swish,
    Softmax,
    LogSoftmax,
)
_REGISTRY: dict[str, Activation] = {a.name: a for a in (c() for c in _CLASSES)}


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


def getActivation(identifier: str | Activation | Callable | None) -> Activation:  # noqa: N802
    """TF.js's `getActivation`: `get` (an unknown name is an error naming it)."""
    return get(identifier)


def serializeActivation(activation: Activation) -> str:  # noqa: N802  (TF.js's name)
    """TF.js's `serializeActivation`: the activation's TF.js class name ('hardSigmoid')."""
    return activation.get_class_name()


def deserializeActivation(config: str | dict[str, Any]) -> Activation:  # noqa: N802
    """TF.js's `deserializeActivation`: from a name or a `{"className": ...}` dict."""
    if isinstance(config, dict):
        name = config.get("className", config.get("class_name"))
        if not isinstance(name, str):
            raise ValueError(f"An activation dict needs a 'className' string, got {config!r}.")
        return get(name)
    return get(config)


def names() -> list[str]:
    """The TF.js activation names."""
    return sorted(_REGISTRY)


rnn_activations.use_registry(get)  # names the kernels lack resolve through this registry
