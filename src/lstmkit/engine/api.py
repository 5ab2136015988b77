"""The public gradient API, as TF.js's: `grad`, `grads`, `value_and_grad`, `value_and_grads`,
`variable_grads`, `Variable` and `custom_grad`.

Each function records the ops `f` runs (and only then: see `tape`), then backpropagates once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..tensor import Tensor, _to_array, as_tensor
from . import tape


class ValueAndGrad(NamedTuple):
    value: Tensor
    grad: Tensor


class ValueAndGrads(NamedTuple):
    value: Tensor
    grads: list[Tensor]


class VariableGrads(NamedTuple):
    value: Tensor
    grads: dict[str, Tensor]


_variable_ids = itertools.count(1)
_live_variables: dict[str, Variable] = {}


class Variable(Tensor):
    """A mutable tensor whose gradient `variable_grads` and optimizers compute (`tf.variable`)."""

    __slots__ = ("name", "trainable")

    def __init__(
        self,
        initial_value: Any,
        trainable: bool = True,
        name: str | None = None,
        dtype: str | None = None,
    ):
        super().__init__(initial_value, dtype)
        self.name = name if name is not None else str(next(_variable_ids))
        self.trainable = bool(trainable)
        self._requires_grad = self.trainable and self._data.dtype.kind == "f"

    def assign(self, new_value: Any) -> None:
        """Replace the value; shape and dtype must stay the same."""
        data = _to_array(new_value, self.dtype, f"Variable {self.name!r}.assign()")
        if data.shape != self._data.shape:
            raise ValueError(
                f"Variable {self.name!r}.assign(): expected shape {list(self._data.shape)}, "
                f"got {list(data.shape)}."
            )
        self._data = data

    def __repr__(self) -> str:
        return super().__repr__()


def variable(
    initial_value: Any, trainable: bool = True, name: str | None = None, dtype: str | None = None
) -> Variable:
    """A new Variable (`tf.variable`)."""
    return Variable(initial_value, trainable, name, dtype)


def _watched(x: Any, fname: str) -> Tensor:
    """A fresh leaf that shares `x`'s values and receives a gradient."""
    t = as_tensor(x, fname)
    if t._data.dtype.kind != "f":
        raise ValueError(
            f"{fname}: cannot take the gradient with respect to a {t.dtype} tensor; gradients "
            "exist only for float32 inputs. Cast it first: tf.cast(x, 'float32')."
        )
    leaf = Tensor._wrap(t._data)
    leaf._requires_grad = True
    return leaf


def _check_result(y: Any, fname: str) -> Tensor:
    if not isinstance(y, Tensor):
        raise ValueError(f"{fname}: f must return a Tensor, got {type(y).__name__}.")
    if y._data.dtype.kind != "f":
        raise ValueError(f"{fname}: f must return a float32 tensor, got {y.dtype}.")
    return y


def _as_grad(g: np.ndarray | None, like: Tensor) -> Tensor:
    return Tensor._wrap(np.zeros_like(like._data) if g is None else np.asarray(g, like._data.dtype))


def _dy(dy: Any) -> np.ndarray | None:
    return None if dy is None else as_tensor(dy, "grad")._data


def value_and_grads(f: Callable[..., Tensor]) -> Callable[..., ValueAndGrads]:
    """`g(xs, dy=None)` returns f(*xs) and its gradients with respect to each x."""

    def g(xs: Sequence[Any], dy: Any = None) -> ValueAndGrads:
        if isinstance(xs, (Tensor, np.ndarray)) or not isinstance(xs, (list, tuple)):
            raise ValueError("grads(f)(xs): xs must be a list of tensors.")
        leaves = [_watched(x, "grads") for x in xs]
        with tape.recording():
            y = _check_result(f(*leaves), "grads")
        gs = tape.backprop(y, _dy(dy), leaves)
        return ValueAndGrads(y, [_as_grad(gr, leaf) for gr, leaf in zip(gs, leaves)])

    return g


def value_and_grad(f: Callable[[Tensor], Tensor]) -> Callable[..., ValueAndGrad]:
    """`g(x, dy=None)` returns f(x) and df/dx (seeded with dy, ones by default)."""

    def g(x: Any, dy: Any = None) -> ValueAndGrad:
        leaf = _watched(x, "grad")
        with tape.recording():
            y = _check_result(f(leaf), "grad")
        (gr,) = tape.backprop(y, _dy(dy), [leaf])
        return ValueAndGrad(y, _as_grad(gr, leaf))

    return g


def grad(f: Callable[[Tensor], Tensor]) -> Callable[..., Tensor]:
    """`g(x, dy=None)` returns df/dx (TF.js's `tf.grad`)."""
    vg = value_and_grad(f)
    return lambda x, dy=None: vg(x, dy).grad


def grads(f: Callable[..., Tensor]) -> Callable[..., list[Tensor]]:
    """`g(xs, dy=None)` returns the gradient of f(*xs) for each x (TF.js's `tf.grads`)."""
    vg = value_and_grads(f)
    return lambda xs, dy=None: vg(xs, dy).grads


def variable_grads(
    f: Callable[[], Tensor], var_list: Sequence[Variable] | None = None
) -> VariableGrads:
    """The scalar f() and its gradient for each trainable variable it used (or `var_list`).

    Gradients are keyed by variable name, as TF.js's `tf.variableGrads`.
    """
    with tape.recording():
        y = _check_result(f(), "variable_grads")
    if y._data.size != 1 or y.rank != 0:
        raise ValueError(
            f"variable_grads: f must return a scalar (the loss), got shape {list(y.shape)}."
        )
    if var_list is None:
        var_list = _variables_reached(y)
    else:
        for v in var_list:
            if not isinstance(v, Variable):
                raise ValueError(
                    f"variable_grads: var_list must hold Variables, got {type(v).__name__}."
                )
    gs = tape.backprop(y, None, list(var_list))
    return VariableGrads(y, {v.name: _as_grad(g, v) for v, g in zip(var_list, gs)})


def _variables_reached(y: Tensor) -> list[Variable]:
    """Trainable variables the recorded graph of `y` depends on, in first-use order."""
    found: dict[int, Variable] = {}
    if isinstance(y, Variable) and y.trainable:
        found[id(y)] = y
    if y._node is not None:
        for node in tape._topological_order(y._node):
            for t in node.inputs:
                if isinstance(t, Variable) and t.trainable and id(t) not in found:
                    found[id(t)] = t
    return list(found.values())


def custom_grad(f: Callable[..., tuple[Tensor, Callable]]) -> Callable[..., Tensor]:
    """Give `f` a gradient of your own (TF.js's `tf.customGrad`).

    `f(*xs)` returns `(value, grad_fn)`; `grad_fn(dy)` returns one gradient per x (a Tensor or a
    list). The ops inside `f` are not recorded: only `grad_fn` defines the gradient.
    """

    def wrapped(*xs: Any) -> Tensor:
        inputs = [as_tensor(x, "custom_grad") for x in xs]
        with tape.paused():
            value, grad_fn = f(*inputs)
        value = as_tensor(value, "custom_grad")

        def back(g: np.ndarray):
            with tape.paused():
                out = grad_fn(Tensor._wrap(g))
            out = [out] if isinstance(out, Tensor) or not isinstance(out, (list, tuple)) else out
            if len(out) != len(inputs):
                raise ValueError(
                    f"custom_grad: grad_fn returned {len(out)} gradients for {len(inputs)} inputs."
                )
            return tuple(
                as_tensor(o, "custom_grad")._data.reshape(i.shape) for o, i in zip(out, inputs)
            )

        return tape.record("custom_grad", value._data, inputs, back)

    return wrapped
