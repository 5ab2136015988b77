"""TF.js's optimizers (`tf.train.*`): SGD, Momentum, RMSProp, Adam, Adadelta, Adamax, Adagrad.

Each update follows `tfjs-core/src/optimizers/*_optimizer.ts` operation for operation, in the
variable's float dtype, so training traces match TF.js to float32 rounding. Quirks kept on
purpose, because files and traces depend on them:

- Adam divides by `sqrt(v_hat) + eps` (epsilon on the bias-corrected second moment), and keeps
  `beta^t` as a float32 accumulator multiplied by beta after each step.
- RMSProp centered divides by `sqrt(ms - (mg^2 + eps))`: TF.js subtracts epsilon there.
- Adadelta scales the step with the accumulated squared gradient from *before* this step.
- Adagrad always uses the backend epsilon (1e-7), not a constructor argument.

Optimizer state ("slots") is kept per variable name. `get_weights()` lists it the way TF.js's
`getWeights()` does for `model.save(..., includeOptimizer)`: `iter` (int32 scalar) first, then
each slot kind for every variable (`<var>/m` for all, then `<var>/v` for all, ...).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from . import _precision
from .engine import api, native
from .engine.api import Variable
from .tensor import Tensor

EPSILON = 1e-7
"""The CPU backend's epsilon (`ENGINE.backend.epsilon()`), the default of every `epsilon` arg."""

GradsLike = Mapping[str, Any] | Iterable[Any]


def _js_number(x: Any) -> Any:
    """A config value as JSON.stringify would print it: whole floats become ints (1.0 -> 1)."""
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


class Optimizer:
    """Base class: `minimize`, `apply_gradients`, slots, `get_weights`/`set_weights`, configs.

    Subclasses set `class_name`, `slot_kinds` (slot names in `get_weights` order) and implement
    `_init_slot` and `_update`.
    """

    class_name: ClassVar[str] = "Optimizer"
    slot_kinds: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        self.iterations = 0
        self._slots: dict[str, dict[str, np.ndarray]] = {}
        self._variables: dict[str, Variable] = {}
        self._restored: list[str] = []  # slot keys from set_weights not yet bound to a variable
        self._checked_shapes: dict[str, tuple] = {}  # variable name -> shape its slots match

    # -- public API ------------------------------------------------------------------------------
    def get_class_name(self) -> str:
        return self.class_name

    def minimize(
        self,
        f: Callable[[], Tensor],
        return_cost: bool = False,
        var_list: Sequence[Variable] | None = None,
    ) -> Tensor | None:
        """Run `f()`, take its gradient for the trainable variables and apply one update.

        `var_list` limits the update (non-trainable entries in it are skipped); by default every
        trainable variable `f` used is updated. Returns the cost (a scalar) if `return_cost`.
        """
        value, pairs = self._value_and_pairs(f, var_list)
        self.apply_gradients(pairs)
        return Tensor._wrap(value._data) if return_cost else None

    def compute_gradients(
        self, f: Callable[[], Tensor], var_list: Sequence[Variable] | None = None
    ) -> tuple[Tensor, dict[str, Tensor | None]]:
        """`f()` and its gradients by variable name (None for non-trainable ones in var_list)."""
        value, pairs = self._value_and_pairs(f, var_list)
        return Tensor._wrap(value._data), {v.name: g for v, g in pairs}

    def apply_gradients(
        self, grads: GradsLike, variables: Sequence[Variable] | None = None
    ) -> None:
        """Update variables with gradients, counting one iteration.

        `grads` is either a dict {variable name: gradient} (TF.js's NamedTensorMap; names are
        resolved through `variables`, else through the variables this optimizer already saw),
        or a list of `(Variable, gradient)` pairs or TF.js-style `{"name", "tensor"}` entries.
        A gradient of None leaves its variable alone (its slots are still created, as TF.js).
        """
        self._apply_pairs(self._resolve(grads, variables))

    def _apply_pairs(self, pairs: list[tuple[Variable, Any]]) -> None:
        """`apply_gradients` once the names are resolved: (Variable, gradient or None) pairs."""
        if self._restored:
            self._bind_restored([v for v, _ in pairs])
        self._begin_step()
        items = []
        checked = self._checked_shapes
        for var, g in pairs:
            slots = self._slots.get(var.name)
            if slots is None:
                slots = self._slots[var.name] = {
                    k: self._init_slot(k, var._data) for k in self._active_kinds()
                }
            if checked.get(var.name) != var._data.shape:
                for kind, slot in slots.items():
                    if slot.shape != var._data.shape:
                        raise ValueError(
                            f"{self.class_name}: the restored slot '{var.name}/{kind}' has shape "
                            f"{list(slot.shape)}, but the variable has shape {list(var.shape)}."
                        )
                checked[var.name] = var._data.shape
            if g is None:
                continue
            items.append((var, _grad_array(g, var), slots))
        self._apply(items)
        self._end_step()
        self.iterations += 1

    def _apply(self, items: list[tuple[Variable, np.ndarray, dict[str, np.ndarray]]]) -> None:
        """Update each (variable, gradient, slots) with `_update`; a subclass may do all at once."""
        for var, grad, slots in items:
            var.assign(self._update(var._data, grad, slots))

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments with TF.js's camelCase keys, as `getConfig()`."""
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Optimizer:
        """Build from a TF.js camelCase config, or a Keras snake_case one (`learning_rate`)."""
        return cls(**cls._args_from_config(_Keys(config)))

    def get_weights(self) -> list[tuple[str, np.ndarray]]:
        """`[("iter", int32 scalar), ("<var>/<slot>", values), ...]` in TF.js's order."""
        out: list[tuple[str, np.ndarray]] = [("iter", np.array(self.iterations, np.int32))]
        for kind in self._active_kinds():
            for name, slots in self._slots.items():
                out.append((f"{name}/{kind}", slots[kind].copy()))
        return out

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Restore what `get_weights()` returned (pairs, or TF.js `{"name", "tensor"}` dicts).

        The first entry is the iteration count; the rest split evenly into the slot kinds, in
        order, as TF.js's `setWeights`. Slots are matched to variables by name (`<var>/m`) and,
        for names that match no variable, by position, as TF.js does.
        """
        entries = [_named(w) for w in weights]
        if not entries:
            raise ValueError(f"{self.class_name}.set_weights: expected at least the 'iter' entry.")
        self.iterations = int(np.asarray(entries[0][1]).reshape(-1)[0])
        rest = entries[1:]
        kinds = self._active_kinds()
        if not kinds:
            if rest:
                raise ValueError(
                    f"{self.class_name}.set_weights: this optimizer has no slots, but got "
                    f"{len(rest)} weights after 'iter'."
                )
        elif len(rest) % len(kinds):
            raise ValueError(
                f"{self.class_name}.set_weights: expected {len(kinds)} weights per variable "
                f"({', '.join(kinds)}) after 'iter', got {len(rest)}."
            )
        n = len(rest) // len(kinds) if kinds else 0
        self._slots = {}
        for j in range(n):
            name, _ = rest[j]
            key = name[: -len(kinds[0]) - 1] if name.endswith("/" + kinds[0]) else name
            self._slots[key] = {
                kind: _slot_array(rest[i * n + j][1]) for i, kind in enumerate(kinds)
            }
        self._restored = list(self._slots)
        self._checked_shapes.clear()
        self._after_restore()

    def dispose(self) -> None:
        """Drop the slots and the variable registry."""
        self._slots.clear()
        self._variables.clear()
        self._restored = []
        self._checked_shapes.clear()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    # -- subclass hooks --------------------------------------------------------------------------
    def _active_kinds(self) -> tuple[str, ...]:
        return self.slot_kinds

    def _init_slot(self, kind: str, value: np.ndarray) -> np.ndarray:
        return np.zeros_like(value)

    def _update(self, value: np.ndarray, grad: np.ndarray, slots: dict[str, np.ndarray]):
        raise NotImplementedError

    def _begin_step(self) -> None:
        pass

    def _end_step(self) -> None:
        pass

    def _after_restore(self) -> None:
        pass

    @classmethod
    def _args_from_config(cls, c: _Keys) -> dict[str, Any]:
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------------------------
    def _value_and_pairs(self, f, var_list):
        """f() and one (Variable, gradient or None) pair per variable to update, as TF.js.

        Variables f did not reach, and non-trainable ones in var_list, get None (TF.js leaves
        them out of the gradient map), so an update never moves them on stale momentum.
        """
        if var_list is None:
            value, grads = api.variable_grads(f)
            variables = api._variables_reached(value)
        else:
            variables = list(var_list)
            for v in variables:
                if not isinstance(v, Variable):
                    raise ValueError(
                        f"{self.class_name}.minimize: var_list must hold Variables, "
                        f"got {type(v).__name__}."
                    )
            trainable = [v for v in variables if v.trainable]
            if not trainable:
                raise ValueError(
                    f"{self.class_name}.minimize: var_list must hold at least one trainable "
                    f"Variable; none of its {len(variables)} variables is trainable."
                )
            value, grads = api.variable_grads(f, trainable)
        reached = {id(v) for v in api._variables_reached(value)}
        if not reached:
            raise ValueError(
                f"{self.class_name}.minimize: the cost f() returned does not depend on any "
                "trainable Variable; make sure the ops that use the variables run inside f."
            )
        pairs = [
            (v, grads[v.name] if v.trainable and id(v) in reached else None) for v in variables
        ]
        return value, pairs

    def _resolve(self, grads: GradsLike, variables) -> list[tuple[Variable, Any]]:
        known = dict(self._variables)
        if variables is not None:
            for v in variables:
                if not isinstance(v, Variable):
                    raise ValueError(
                        f"{self.class_name}.apply_gradients: variables must hold Variables, "
                        f"got {type(v).__name__}."
                    )
                known[v.name] = v
        if isinstance(grads, Mapping):
            items = list(grads.items())
        elif isinstance(grads, (Tensor, np.ndarray, str)) or not isinstance(grads, Iterable):
            raise ValueError(
                f"{self.class_name}.apply_gradients: expected a dict {{name: gradient}} or a "
                f"list of (Variable, gradient) pairs, got {type(grads).__name__}."
            )
        else:
            items = [_named(item, allow_variable=True) for item in grads]
        pairs = []
        for key, g in items:
            if isinstance(key, Variable):
                var = key
            else:
                var = known.get(key)
                if var is None:
                    raise ValueError(
                        f"{self.class_name}.apply_gradients: no Variable named {key!r} is known; "
                        "pass variables=[...], or (Variable, gradient) pairs."
                    )
            self._variables[var.name] = var
            pairs.append((var, g))
        return pairs

    def _bind_restored(self, variables: list[Variable]) -> None:
        """Hand restored slots whose names match no variable to variables by position (TF.js
        keys all slots by position, so a model whose variables were renamed still resumes)."""
        if not self._restored:
            return
        names = {v.name for v in variables}
        self._restored = [k for k in self._restored if k not in names]
        keys = list(self._slots)
        for i, var in enumerate(variables):
            if var.name in self._slots or i >= len(keys) or keys[i] not in self._restored:
                continue
            key = keys[i]
            if next(iter(self._slots[key].values())).shape != var.shape:
                continue
            self._slots = {(var.name if k == key else k): s for k, s in self._slots.items()}
            self._restored.remove(key)


class _Keys:
    """Reads a config by TF.js camelCase key or its Keras snake_case spellings."""

    def __init__(self, config: Mapping[str, Any]):
        self.config = dict(config)

    def get(self, *keys: str, default: Any = None) -> Any:
        for k in keys:
            if k in self.config and self.config[k] is not None:
                return self.config[k]
        return default

    def has(self, key: str) -> bool:
        return key in self.config


def _named(item: Any, allow_variable: bool = False) -> tuple[Any, Any]:
    if isinstance(item, Mapping) and "name" in item:
        return item["name"], item.get("tensor")
    if isinstance(item, (tuple, list)) and len(item) == 2:
        key = item[0]
        if isinstance(key, str) or (allow_variable and isinstance(key, Variable)):
            return key, item[1]
    expected = "(Variable or name, gradient)" if allow_variable else "(name, value)"
    raise ValueError(f"expected {expected} pairs or {{'name', 'tensor'}} dicts, got {item!r}.")


def _slot_array(x: Any) -> np.ndarray:
    data = x._data if isinstance(x, Tensor) else x
    return np.array(data, dtype=_precision.float_dtype())


def _grad_array(g: Any, var: Variable) -> np.ndarray:
    data = g._data if isinstance(g, Tensor) else np.asarray(g)
    if data.shape != var.shape:
        raise ValueError(
            f"apply_gradients: gradient for {var.name!r} has shape {list(data.shape)}, "
            f"expected {list(var.shape)}."
        )
    return data.astype(var._data.dtype, copy=False)


def _compiled_updates() -> Any:
    """The compiled optimizer updates (lstmkit.engine._fastopt), or None when not built or when
    the compiled parts are turned off (``LSTMKIT_NO_EXTENSION=1``, ``use_extension(False)``)."""
    return native.fastopt()


def _contiguous_slot(slots: dict[str, np.ndarray], kind: str) -> np.ndarray:
    """The slot array, made C-contiguous and writable in place (the compiled update writes it)."""
    a = slots[kind]
    if not (a.flags.c_contiguous and a.flags.writeable):
        a = slots[kind] = np.array(a, order="C")
    return a


def _f32(x: float) -> np.floating:
    """A scalar kept as TF.js keeps its scalar variables: float32."""
    return np.float32(x)


# -- the optimizers ------------------------------------------------------------------------------


class SGD(Optimizer):
    """Plain gradient descent: `w += -lr * g` (`tf.train.sgd`)."""

    class_name = "SGD"

    def __init__(self, learning_rate: float):
        super().__init__()
        if learning_rate is None:
            raise ValueError("SGD: learning_rate is required, got None.")
        self.learning_rate = learning_rate

    def set_learning_rate(self, learning_rate: float) -> None:
        self.learning_rate = learning_rate

    def _update(self, value, grad, slots):
        return grad * -self.learning_rate + value

    def get_config(self) -> dict[str, Any]:
        return {"learningRate": _js_number(self.learning_rate)}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Optimizer:
        # A Keras SGD with momentum is TF.js's Momentum (the same update for a constant lr).
        c = _Keys(config)
        if cls is SGD and (c.get("momentum", default=0) or 0) > 0:
            return Momentum.from_config(config)
        return cls(**cls._args_from_config(c))

    @classmethod
    def _args_from_config(cls, c: _Keys) -> dict[str, Any]:
        return {"learning_rate": c.get("learningRate", "learning_rate", "lr", default=0.01)}


class Momentum(SGD):
    """`a = m*a + g; w += -lr*a`, or with Nesterov `w += -lr*(g + m*a)` (`tf.train.momentum`)."""

    class_name = "Momentum"
    slot_kinds = ("momentum",)

    def __init__(self, learning_rate: float, momentum: float, use_nesterov: bool = False):
        super().__init__(learning_rate)
        self.momentum = momentum
        self.use_nesterov = bool(use_nesterov)

    def set_momentum(self, momentum: float) -> None:
        self.momentum = momentum

    def _update(self, value, grad, slots):
        m = _f32(self.momentum)
        acc = m * slots["momentum"] + grad
        slots["momentum"] = acc
        step = grad + acc * m if self.use_nesterov else acc
        return step * -self.learning_rate + value

    def get_config(self) -> dict[str, Any]:
        return {
            "learningRate": _js_number(self.learning_rate),
            "momentum": _js_number(self.momentum),
            "useNesterov": self.use_nesterov,
        }

    @classmethod
    def _args_from_config(cls, c: _Keys) -> dict[str, Any]:
        return {
            "learning_rate": c.get("learningRate", "learning_rate", "lr", default=0.01),
            "momentum": c.get("momentum", default=0.0),
            "use_nesterov": c.get("useNesterov", "use_nesterov", "nesterov", default=False),
        }


class RMSProp(Optimizer):
    """RMSProp with optional momentum and centering (`tf.train.rmsprop`).

    `ms = decay*ms + (1-decay)*g^2; mom = momentum*mom + lr*g/sqrt(ms + eps); w -= mom`;
    centered: `mg = decay*mg + (1-decay)*g` and the root is `sqrt(ms - (mg^2 + eps))`.
    """

    class_name = "RMSProp"
    slot_kinds = ("rms", "momentum", "mg")

    def __init__(
        self,
        learning_rate: float,
        decay: float = 0.9,
        momentum: float = 0.0,
        epsilon: float | None = None,
        centered: bool = False,
    ):
        super().__init__()
        if learning_rate is None:
            raise ValueError("RMSProp: learning_rate is required, got None.")
        self.learning_rate = learning_rate
        self.decay = decay
        self.momentum = momentum
        self.epsilon = EPSILON if epsilon is None else epsilon
        self.centered = bool(centered)

    def _active_kinds(self) -> tuple[str, ...]:
        return self.slot_kinds if self.centered else self.slot_kinds[:2]

    def _update(self, value, grad, slots):
        d = self.decay
        ms = slots["rms"] * d + np.square(grad) * (1 - d)
        if self.centered:
            mg = slots["mg"] * d + grad * (1 - d)
            denom = np.sqrt(ms - (np.square(mg) + self.epsilon))
            slots["mg"] = mg
        else:
            denom = np.sqrt(ms + self.epsilon)
        mom = slots["momentum"] * self.momentum + grad * self.learning_rate / denom
        slots["rms"] = ms
        slots["momentum"] = mom
        return value - mom

    def get_config(self) -> dict[str, Any]:
        return {
            "learningRate": _js_number(self.learning_rate),
            "decay": _js_number(self.decay),
            "momentum": _js_number(self.momentum),
            "epsilon": _js_number(self.epsilon),
            "centered": self.centered,
        }

    @classmethod
    def _args_from_config(cls, c: _Keys) -> dict[str, Any]:
        # Keras calls TF.js's `decay` `rho`; its own `decay` is a learning-rate decay.
        decay = c.get("rho") if c.has("rho") else c.get("decay", default=0.9)
        return {
            "learning_rate": c.get("learningRate", "learning_rate", "lr", default=0.001),
            "decay": decay,
            "momentum": c.get("momentum", default=0.0),
            "epsilon": c.get("epsilon"),
            "centered": c.get("centered", default=False),
        }


class Adam(Optimizer):
    """Adam as TF.js computes it: `w -= lr * m_hat / (sqrt(v_hat) + eps)` (`tf.train.adam`)."""

    class_name = "Adam"
    slot_kinds = ("m", "v")

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float | None = None,
    ):
        super().__init__()
        self.learning_rate = learning_rate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = EPSILON if epsilon is None else epsilon
        self._acc_beta1 = _f32(beta1)
        self._acc_beta2 = _f32(beta2)

    def _begin_step(self) -> None:
        self._one_minus_b1 = _f32(1) - self._acc_beta1
        self._one_minus_b2 = _f32(1) - self._acc_beta2

    def _update(self, value, grad, slots):
        m = slots["m"] * self.beta1 + grad * (1 - self.beta1)
        v = slots["v"] * self.beta2 + np.square(grad) * (1 - self.beta2)
        slots["m"], slots["v"] = m, v
        m_hat = m / self._one_minus_b1
        v_hat = v / self._one_minus_b2
        return m_hat / (np.sqrt(v_hat) + self.epsilon) * -self.learning_rate + value

    def _apply(self, items) -> None:
        """All variables in one compiled call when it is built (bit-identical to `_update`)."""
        fast = _compiled_updates()
        dt = items[0][0]._data.dtype if items else None
        scalars = (self.learning_rate, self.beta1, self.beta2, self.epsilon)
        if (
            fast is None
            or (dt != np.float32 and dt != np.float64)
            or not all(type(s) in (float, int) for s in scalars)
        ):
            super()._apply(items)
            return
        values, grads, ms, vs = [], [], [], []
        for var, g, slots in items:
            if var._data.dtype != dt or slots["m"].dtype != dt or slots["v"].dtype != dt:
                super()._apply(items)
                return
            values.append(np.ascontiguousarray(var._data))
            grads.append(np.ascontiguousarray(g))
            ms.append(_contiguous_slot(slots, "m"))
            vs.append(_contiguous_slot(slots, "v"))
        outs = [np.empty_like(v) for v in values]
        fast.adam(
            dt == np.float64,
            values,
            grads,
            ms,
            vs,
            outs,
            float(self.beta1),
            1 - self.beta1,
            float(self.beta2),
            1 - self.beta2,
            float(self._one_minus_b1),
            float(self._one_minus_b2),
            float(self.epsilon),
            -self.learning_rate,
        )
        for (var, _, _), out in zip(items, outs):
            var._data = out

    def _end_step(self) -> None:
        self._acc_beta1 = self._acc_beta1 * _f32(self.beta1)
        self._acc_beta2 = self._acc_beta2 * _f32(self.beta2)

    def _after_restore(self) -> None:
        self._acc_beta1 = _f32(np.power(_f32(self.beta1), _f32(self.iterations + 1)))
        self._acc_beta2 = _f32(np.power(_f32(self.beta2), _f32(self.iterations + 1)))

    def get_config(self) -> dict[str, Any]:
        return {
            "learningRate": _js_number(self.learning_rate),
            "beta1": _js_number(self.beta1),
            "beta2": _js_number(self.beta2),
            "epsilon": _js_number(self.epsilon),
        }

    @classmethod
    def _args_from_config(cls, c: _Keys) -> dict[str, Any]:
        return {
            "learning_rate": c.get("learningRate", "learning_rate", "lr", default=0.001),
            "beta1": c.get("beta1", "beta_1", default=0.9),
            "beta2": c.get("beta2", "beta_2", default=0.999),
            "epsilon": c.get("epsilon"),
        }


class Adamax(Optimizer):
    """Adamax with learning-rate decay (`tf.train.adamax`).

    `lr_t = -lr / (iter*decay + 1); m = b1*m + (1-b1)*g; u = max(b2*u, |g|);
    w += lr_t / (1 - b1^t) * m / (u + eps)`.
    TF.js's own `getWeights()` throws for Adamax; here it returns `iter`, `<var>/m`, `<var>/v`.
    """

    class_name = "Adamax"
    slot_kinds = ("m", "v")

    def __init__(
        self,
        learning_rate: float = 0.002,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float | None = None,
        decay: float = 0.0,
    ):
        super().__init__()
        self.learning_rate = learning_rate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = EPSILON if epsilon is None else epsilon
        self.decay = decay
        self._acc_beta1 = _f32(beta1)
        self._iteration = _f32(0)

    def _begin_step(self) -> None:
        one_minus = _f32(1) - self._acc_beta1
        lr = _f32(-self.learning_rate) / (self._iteration * _f32(self.decay) + _f32(1))
        self._scale = lr / one_minus

    def _update(self, value, grad, slots):
        m = slots["m"] * self.beta1 + grad * (1 - self.beta1)
        u = np.maximum(slots["v"] * self.beta2, np.abs(grad))
        slots["m"], slots["v"] = m, u
        return self._scale * (m / (u + self.epsilon)) + value

    def _end_step(self) -> None:
        self._iteration = self._iteration + _f32(1)
        self._acc_beta1 = self._acc_beta1 * _f32(self.beta1)

    def _after_restore(self) -> None:
        self._iteration = _f32(self.iterations)
        self._acc_beta1 = _f32(np.power(_f32(self.beta1), _f32(self.iterations + 1)))

    def get_config(self) -> dict[str, Any]:
        return {
            "learningRate": _js_number(self.learning_rate),
            "beta1": _js_number(self.beta1),
            "beta2": _js_number(self.beta2),
            "epsilon": _js_number(self.epsilon),
            "decay": _js_number(self.decay),
        }

    @classmethod
    def _args_from_config(cls, c: _Keys) -> dict[str, Any]:
        return {
            "learning_rate": c.get("learningRate", "learning_rate", "lr", default=0.002),
            "beta1": c.get("beta1", "beta_1", default=0.9),
            "beta2": c.get("beta2", "beta_2", default=0.999),
            "epsilon": c.get("epsilon"),
            "decay": c.get("decay", default=0.0),
        }


class Adadelta(Optimizer):
    """Adadelta as TF.js: the step uses the squared-gradient average from before this step.

    `upd = sqrt(accum_var + eps) / sqrt(accum_grad_old + eps) * g`, `w += -lr * upd`.
    """

    class_name = "Adadelta"
    slot_kinds = ("accum_grad", "accum_var")

    def __init__(
        self, learning_rate: float = 0.001, rho: float = 0.95, epsilon: float | None = None
    ):
        super().__init__()
        self.learning_rate = learning_rate
        self.rho = rho
        self.epsilon = EPSILON if epsilon is None else epsilon

    def _update(self, value, grad, slots):
        rho, eps = self.rho, self.epsilon
        acc_grad, acc_var = slots["accum_grad"], slots["accum_var"]
        new_acc_grad = acc_grad * rho + np.square(grad) * (1 - rho)
        updates = np.sqrt(acc_var + eps) / np.sqrt(acc_grad + eps) * grad
        slots["accum_grad"] = new_acc_grad
        slots["accum_var"] = acc_var * rho + np.square(updates) * (1 - rho)
        return updates * -self.learning_rate + value

    def get_config(self) -> dict[str, Any]:
        return {
            "learningRate": _js_number(self.learning_rate),
            "rho": _js_number(self.rho),
            "epsilon": _js_number(self.epsilon),
        }

    @classmethod
    def _args_from_config(cls, c: _Keys) -> dict[str, Any]:
        return {
            "learning_rate": c.get("learningRate", "learning_rate", "lr", default=0.001),
            "rho": c.get("rho", default=0.95),
            "epsilon": c.get("epsilon"),
        }


class Adagrad(Optimizer):
    """`acc += g^2; w += -lr * g / sqrt(acc + 1e-7)`; acc starts at initial_accumulator_value."""

    class_name = "Adagrad"
    slot_kinds = ("accumulator",)

    def __init__(self, learning_rate: float, initial_accumulator_value: float = 0.1):
        super().__init__()
        if learning_rate is None:
            raise ValueError("Adagrad: learning_rate is required, got None.")
        self.learning_rate = learning_rate
        self.initial_accumulator_value = initial_accumulator_value

    def _init_slot(self, kind, value):
        return np.full_like(value, self.initial_accumulator_value)

    def _update(self, value, grad, slots):
        acc = slots["accumulator"] + np.square(grad)
        slots["accumulator"] = acc
        return grad / np.sqrt(acc + EPSILON) * -self.learning_rate + value

    def get_config(self) -> dict[str, Any]:
        return {
            "learningRate": _js_number(self.learning_rate),
            "initialAccumulatorValue": _js_number(self.initial_accumulator_value),
        }

    @classmethod
    def _args_from_config(cls, c: _Keys) -> dict[str, Any]:
        return {
            "learning_rate": c.get("learningRate", "learning_rate", "lr", default=0.01),
            "initial_accumulator_value": c.get(
                "initialAccumulatorValue", "initial_accumulator_value", default=0.1
            ),
        }


# -- factories (tf.train.*), TF.js's positional order and defaults --------------------------------


def sgd(learning_rate: float) -> SGD:
    """`tf.train.sgd(learningRate)`."""
    return SGD(learning_rate)


def momentum(learning_rate: float, momentum: float, use_nesterov: bool = False) -> Momentum:
    """`tf.train.momentum(learningRate, momentum, useNesterov=false)`."""
    return Momentum(learning_rate, momentum, use_nesterov)


def rmsprop(
    learning_rate: float,
    decay: float = 0.9,
    momentum: float = 0.0,
    epsilon: float | None = None,
    centered: bool = False,
) -> RMSProp:
    """`tf.train.rmsprop(learningRate, decay=0.9, momentum=0, epsilon=1e-7, centered=false)`."""
    return RMSProp(learning_rate, decay, momentum, epsilon, centered)


def adam(
    learning_rate: float = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float | None = None,
) -> Adam:
    """`tf.train.adam(learningRate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-7)`."""
    return Adam(learning_rate, beta1, beta2, epsilon)


def adadelta(
    learning_rate: float = 0.001, rho: float = 0.95, epsilon: float | None = None
) -> Adadelta:
    """`tf.train.adadelta(learningRate=0.001, rho=0.95, epsilon=1e-7)`."""
    return Adadelta(learning_rate, rho, epsilon)


def adamax(
    learning_rate: float = 0.002,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float | None = None,
    decay: float = 0.0,
) -> Adamax:
    """`tf.train.adamax(learningRate=0.002, beta1=0.9, beta2=0.999, epsilon=1e-7, decay=0)`."""
    return Adamax(learning_rate, beta1, beta2, epsilon, decay)


def adagrad(learning_rate: float, initial_accumulator_value: float = 0.1) -> Adagrad:
    """`tf.train.adagrad(learningRate, initialAccumulatorValue=0.1)`."""
    return Adagrad(learning_rate, initial_accumulator_value)


# -- lookup by name or config --------------------------------------------------------------------

CLASSES: dict[str, type[Optimizer]] = {
    c.class_name: c for c in (SGD, Momentum, RMSProp, Adam, Adadelta, Adamax, Adagrad)
}

# What `compile({optimizer: '<name>'})` builds (tfjs-layers/src/optimizers.ts).
_BY_STRING: dict[str, Callable[[], Optimizer]] = {
    "sgd": lambda: sgd(0.01),
    "adam": lambda: adam(0.001, 0.9, 0.999, EPSILON),
    "rmsprop": lambda: rmsprop(0.001, 0.9, 0, EPSILON),
    "adagrad": lambda: adagrad(0.01),
    "adadelta": lambda: adadelta(1, 0.95, EPSILON),
    "adamax": lambda: adamax(0.002, 0.9, 0.999, EPSILON, 0),
}


def get(identifier: str | Optimizer | Mapping[str, Any]) -> Optimizer:
    """An optimizer from a name as `compile` accepts it, a `{class_name, config}` dict, or itself.

    Names: 'sgd', 'adam', 'rmsprop', 'adagrad', 'adadelta', 'adamax' in any case ('SGD',
    'RMSProp', Keras's 'RMSprop'), each with TF.js's compile defaults. Momentum has no name in
    TF.js: create it with `momentum(learning_rate, momentum)`.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if isinstance(identifier, str):
        make = _BY_STRING.get(identifier.lower())
        if make is not None:
            return make()
        raise ValueError(_unknown_message(identifier))
    raise ValueError(
        "optimizer must be a name such as 'adam', an Optimizer, or a {'class_name', 'config'} "
        f"dict; got {type(identifier).__name__}."
    )


def deserialize(config: Mapping[str, Any]) -> Optimizer:
    """An Optimizer from `{"class_name": "Adam", "config": {...}}` (an `optimizer_config`)."""
    name = config.get("class_name", config.get("className"))
    inner = config.get("config", {}) or {}
    cls = CLASSES.get(name) if isinstance(name, str) else None
    if cls is None and isinstance(name, str):
        cls = {k.lower(): c for k, c in CLASSES.items()}.get(name.lower())
    if cls is None:
        raise ValueError(
            f"Unknown optimizer class_name {name!r}; expected one of {', '.join(CLASSES)}."
        )
    return cls.from_config(inner)


def _unknown_message(identifier: str) -> str:
    known = list(_BY_STRING)
    close = difflib.get_close_matches(identifier.lower(), known, n=3, cutoff=0.6)
    msg = f"Unknown optimizer {identifier!r}."
    if identifier.lower() == "momentum":
        msg += " TF.js has no string name for it; use momentum(learning_rate, momentum)."
    elif close:
        msg += " Did you mean " + " or ".join(repr(c) for c in close) + "?"
    return msg + " Known: " + ", ".join(known) + " (any case)."


__all__ = [
    "CLASSES",
    "EPSILON",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "Adamax",
    "Momentum",
    "Optimizer",
    "RMSProp",
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "deserialize",
    "get",
    "momentum",
    "rmsprop",
    "sgd",
]
