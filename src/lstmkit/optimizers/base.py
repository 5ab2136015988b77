"""The Optimizer base class: `minimize`, `apply_gradients`, slots, weights and configs.

An optimizer states its constructor arguments once, as a tuple of `Field`s. From that tuple come
the constructor (its signature, the check that required arguments are not None, conversions
such as epsilon None -> 1e-7), `get_config` (TF.js's camelCase keys, whole floats printed as
ints) and `from_config` (TF.js keys or Keras's snake_case spellings). A subclass that sets
`class_name` registers itself (see `registry`), which gives it a `tf.train.*` factory and, if
it sets `compile_name`, a name `compile({optimizer: '<name>'})` accepts.

Optimizer state ("slots") is kept per variable name. `get_weights()` lists it the way TF.js's
`getWeights()` does for `model.save(..., includeOptimizer)`: `iter` (int32 scalar) first, then
each slot kind for every variable (`<var>/m` for all, then `<var>/v` for all, ...).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from .._async import Done, ReadyList
from ..engine import api
from ..engine.api import Variable
from ..tensor import Tensor
from . import registry
from ._arrays import first_nonfinite, grad_array, named, slot_array
from .fields import Field, config_value, js_number

GradsLike = Mapping[str, Any] | Iterable[Any]

_KERAS_OPTIONS: dict[str, Any] = {
    "name": None,
    "amsgrad": False,
    "weight_decay": None,
    "clipnorm": None,
    "clipvalue": None,
    "global_clipnorm": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
    "jit_compile": True,
}
"""Keras 3 optimizer options and their defaults (keras/src/optimizers/base_optimizer.py)."""


class Optimizer:
    """Base class: `minimize`, `apply_gradients`, slots, `get_weights`/`set_weights`, configs.

    A subclass sets `class_name` (the TF.js class name; setting it registers the class),
    `fields` (its constructor arguments, in TF.js's positional order), `slot_kinds` (slot names
    in `get_weights` order) and implements `_update` (and `_init_slot` if slots do not start
    at zero). Derived state (for example Adam's beta powers) is set up in `_setup`.
    """

    class_name: ClassVar[str] = "Optimizer"
    fields: ClassVar[tuple[Field, ...]] = ()
    slot_kinds: ClassVar[tuple[str, ...]] = ()
    compile_name: ClassVar[str | None] = None
    """The lower-case name `compile(optimizer=...)` accepts (TF.js's `getOptimizer`), or None."""
    compile_args: ClassVar[tuple[Any, ...]] = ()
    """The positional arguments TF.js's `getOptimizer` builds `compile_name` with."""
    factory_name: ClassVar[str | None] = None
    """The `tf.train.<name>` factory; None means `class_name.lower()`."""
    tfjs_saves_state: ClassVar[bool] = True
    """Whether TF.js can save and restore this optimizer's state (`getWeights`/`setWeights`).

    False for Adamax: TF.js's AdamaxOptimizer throws in both, so a model file written with
    `include_optimizer=True` could not be loaded by TF.js. Savers check this flag instead of
    naming classes."""
    replaces_slots: ClassVar[bool] = False
    """True when `_apply` gives the variables and slots new arrays and never writes the old
    ones in place (all built-in optimizers): a checked update then rolls back by keeping the old
    arrays, with no copy. False (a user's optimizer) copies them before a checked update."""
    __signature__: ClassVar[inspect.Signature] = inspect.Signature()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__signature__ = inspect.Signature([f.parameter() for f in cls.fields])
        if "class_name" in cls.__dict__:
            registry.register(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) == 1 and isinstance(args[0], Mapping):  # TF.js-style {learningRate: ...}
            kwargs = {**args[0], **kwargs}
            args = ()
        kwargs = self._keyword_spellings(kwargs)
        try:
            bound = type(self).__signature__.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{type(self).__name__}(): {e}") from None
        bound.apply_defaults()
        for f in self.fields:
            setattr(self, f.name, f.accept(self.class_name, bound.arguments[f.name]))
        self.iterations = 0
        self._slots: dict[str, dict[str, np.ndarray]] = {}
        self._variables: dict[str, Variable] = {}
        self._restored: list[str] = []  # slot keys from set_weights not yet bound to a variable
        self._checked_shapes: dict[str, tuple] = {}  # variable name -> shape its slots match
        self._setup()

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

    def _apply_pairs(
        self,
        pairs: list[tuple[Variable, Any]],
        check_finite: bool = False,
        finish: Callable[[], None] | None = None,
    ) -> list[str]:
        """`apply_gradients` once the names are resolved: (Variable, gradient or None) pairs.

        With `check_finite` (the training steps), the update is kept only if every updated
        variable and slot is finite after it (and after `finish`, e.g. the constraints); if not,
        the variables, the slots, the iteration count and the optimizer's other state are left
        as they were, and the names that would have been NaN or infinite are returned
        (`'<var>'` for a weight, `'<var>/<slot>'` for a slot). An empty list: applied.
        """
        if self._restored:
            self._bind_restored([v for v, _ in pairs])
        self._begin_step()
        items = []
        checked = self._checked_shapes
        created = []
        for var, g in pairs:
            slots = self._slots.get(var.name)
            if slots is None:
                created.append(var.name)
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
            items.append((var, grad_array(g, var), slots))
        if not check_finite:
            self._apply(items)
            if finish is not None:
                finish()
            self._end_step()
            self.iterations += 1
            return []
        copy = not self.replaces_slots
        saved = [
            (
                var,
                var._data.copy() if copy else var._data,
                slots,
                {k: a.copy() for k, a in slots.items()} if copy else dict(slots),
            )
            for var, _ in pairs
            for slots in (self._slots.get(var.name) or {},)
        ]
        # a user's optimizer may keep scalars it changes in `_apply`; built-ins change theirs
        # only in `_end_step`, which a refused update never reaches
        state = {} if self.replaces_slots else dict(self.__dict__)
        self._apply(items)
        if finish is not None:
            finish()
        bad = self._nonfinite_names(saved)
        if bad:
            for var, data, slots, old in saved:
                var._data = data
                if slots is not None:
                    slots.clear()
                    slots.update(old)
            for name in created:  # slots this refused step created: gone again
                del self._slots[name]
                self._checked_shapes.pop(name, None)
            if state:
                self.__dict__.clear()
                self.__dict__.update(state)
            return bad
        self._end_step()
        self.iterations += 1
        return []

    def _nonfinite_names(self, saved: list[Any]) -> list[str]:
        """The variables and slots of `saved` (as `_apply_pairs` keeps them) that hold a NaN or
        an infinity now, named `'<var>'` and `'<var>/<slot>'`; one pass when all are finite."""
        arrays = []
        for var, _, slots, _ in saved:
            arrays.append(var._data)
            if slots:
                arrays.extend(slots.values())
        if first_nonfinite(arrays) < 0:
            return []
        names = []
        for var, _, slots, _ in saved:
            names.append(var.name)
            names.extend(f"{var.name}/{kind}" for kind in slots or ())
        bad = []
        start = 0
        while (k := first_nonfinite(arrays[start:])) >= 0:
            bad.append(names[start + k])
            start += k + 1
        return bad

    def _apply(self, items: list[tuple[Variable, np.ndarray, dict[str, np.ndarray]]]) -> None:
        """Update each (variable, gradient, slots) with `_update`; a subclass may do all at once."""
        for var, grad, slots in items:
            var.assign(self._update(var._data, grad, slots))

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments with TF.js's camelCase keys, as `getConfig()`."""
        return {f.key: js_number(getattr(self, f.name)) for f in self.fields}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Optimizer:
        """Build from a TF.js camelCase config, or a Keras snake_case one (`learning_rate`)."""
        return cls(**cls._args_from_config(config))

    def get_weights(self) -> list[tuple[str, np.ndarray]]:
        """`[("iter", int32 scalar), ("<var>/<slot>", values), ...]` in TF.js's order."""
        out: list[tuple[str, np.ndarray]] = [("iter", np.array(self.iterations, np.int32))]
        for kind in self._active_kinds():
            for name, slots in self._slots.items():
                out.append((f"{name}/{kind}", slots[kind].copy()))
        return out

    def getConfig(self) -> dict[str, Any]:  # noqa: N802  (TF.js's name)
        """TF.js's `optimizer.getConfig()`: `get_config()`."""
        return self.get_config()

    def getWeights(self) -> ReadyList:  # noqa: N802  (TF.js's name)
        """TF.js's `await optimizer.getWeights()`: `[{name, tensor}]` (`get_weights()`'s values
        as Tensors), awaitable as TF.js's promise."""
        return ReadyList({"name": n, "tensor": Tensor(v)} for n, v in self.get_weights())

    def setWeights(self, weights: Sequence[Any]) -> Done:  # noqa: N802  (TF.js's name)
        """TF.js's `await optimizer.setWeights(weightValues)`: `set_weights()`."""
        self.set_weights(weights)
        return Done()

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Restore what `get_weights()` returned (pairs, or TF.js `{"name", "tensor"}` dicts).

        The first entry is the iteration count; the rest split evenly into the slot kinds, in
        order, as TF.js's `setWeights`. Slots are matched to variables by name (`<var>/m`) and,
        for names that match no variable, by position, as TF.js does.
        """
        entries = [named(w) for w in weights]
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
                kind: slot_array(rest[i * n + j][1]) for i, kind in enumerate(kinds)
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
    def _setup(self) -> None:
        """State derived from the fields, set once they are (runs at the end of `__init__`)."""

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
    def _keyword_spellings(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Constructor keywords in any spelling a field reads (TF.js's `learningRate`, Keras's
        `beta_1`, `rho`, `lr`) under the field's name. Keras's extra options are accepted at
        their defaults (`name`, `amsgrad=False`, `weight_decay=None`, `clipnorm=None`, ...)
        and refused otherwise, since the update here is TF.js's, which has none of them."""
        spellings = {k: f.name for f in cls.fields for k in (*f.config_keys(), f.name)}
        out: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in _KERAS_OPTIONS:
                if value is not None and value != _KERAS_OPTIONS[key] and key != "name":
                    raise ValueError(
                        f"{cls.__name__}(): Keras's {key}={value!r} is not supported (TF.js's "
                        f"{cls.class_name} has no such option); leave it at "
                        f"{_KERAS_OPTIONS[key]!r} or remove it."
                    )
                continue
            out[spellings.get(key, key)] = value
        return out

    @classmethod
    def _args_from_config(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        """Constructor arguments from a config, each field read by its keys in order."""
        return {f.name: config_value(config, f.config_keys(), f.config_default) for f in cls.fields}

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
            items = [named(item, allow_variable=True) for item in grads]
        pairs = []
        for key, g in items:
            var: Variable | None = key if isinstance(key, Variable) else known.get(key)
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


# -- lookup by name or config --------------------------------------------------------------------


def get(identifier: str | Optimizer | Mapping[str, Any]) -> Optimizer:
    """An optimizer from a name as `compile` accepts it, a `{class_name, config}` dict, or itself.

    Names: 'sgd', 'adam', 'rmsprop', 'adagrad', 'adadelta', 'adamax' in any case ('SGD',
    'RMSProp', Keras's 'RMSprop'), each with TF.js's compile defaults (a class's `compile_name`
    and `compile_args`). Momentum has no name in TF.js: create it with
    `momentum(learning_rate, momentum)`.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = registry.compile_names().get(identifier.lower())
        if cls is not None:
            return cls(*cls.compile_args)
        raise ValueError(_unknown_message(identifier))
    raise ValueError(
        "optimizer must be a name such as 'adam', an Optimizer, or a {'class_name', 'config'} "
        f"dict; got {type(identifier).__name__}."
    )


def deserialize(config: Mapping[str, Any]) -> Optimizer:
    """An Optimizer from `{"class_name": "Adam", "config": {...}}` (an `optimizer_config`)."""
    classes = registry.CLASSES
    name = config.get("class_name", config.get("className"))
    inner = config.get("config", {}) or {}
    cls = classes.get(name) if isinstance(name, str) else None
    if cls is None and isinstance(name, str):
        cls = {k.lower(): c for k, c in classes.items()}.get(name.lower())
    if cls is None:
        raise ValueError(
            f"Unknown optimizer class_name {name!r}; expected one of {', '.join(classes)}."
        )
    return cls.from_config(inner)


def _unknown_message(identifier: str) -> str:
    known = list(registry.compile_names())
    close = difflib.get_close_matches(identifier.lower(), known, n=3, cutoff=0.6)
    msg = f"Unknown optimizer {identifier!r}."
    make = registry.FACTORIES.get(identifier.lower())
    cls = getattr(make, "optimizer_class", None)
    if cls is not None and cls.compile_name is None:
        required = ", ".join(f.name for f in cls.fields if f.required)
        msg += f" TF.js has no string name for it; use {identifier.lower()}({required})."
    elif close:
        msg += " Did you mean " + " or ".join(repr(c) for c in close) + "?"
    return msg + " Known: " + ", ".join(known) + " (any case)."
