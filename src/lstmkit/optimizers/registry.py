"""The optimizer registry, filled by the classes themselves.

`Optimizer.__init_subclass__` calls `register` for every subclass that sets `class_name`. The
registry keeps the class by its TF.js class name (what `deserialize` reads from an
`optimizer_config`), a generated `tf.train.<name>` factory (the class's own signature, so TF.js's
positional order and defaults), and the lower-case name `compile(optimizer='adam')` accepts when
the class sets `compile_name`. Nothing else lists the optimizers, so a new one is one file.

This module does not import `base` (base imports it); it only sees classes handed to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .fields import js_number

# optimizers.base.Optimizer, by name only: base imports this module, so this one must not
# import base, not even for type checkers (no cycle, also not a type-only one)
Optimizer = Any
T = TypeVar("T")

CLASSES: dict[str, type[Optimizer]] = {}
"""Every registered optimizer class by its TF.js `class_name`, in registration order."""

FACTORIES: dict[str, Callable[..., Optimizer]] = {}
"""The `tf.train.*` factories by name ('adam', 'momentum', ...), in registration order."""


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def factory_name(cls: type[Optimizer]) -> str:
    """The `tf.train.<name>` of a class: its `factory_name`, else its class name in lower case."""
    return cls.factory_name or cls.class_name.lower()


def register(cls: type[Optimizer]) -> None:
    """Add `cls` by its `class_name`, with its factory (called by `Optimizer.__init_subclass__`).

    A name taken by another class is refused (unregister that one first); the same class
    defined again (a module reloaded) replaces its old entry.
    """
    name, fname = cls.class_name, factory_name(cls)
    old = CLASSES.get(name)
    if old is not None and _qualified(old) != _qualified(cls):
        raise ValueError(
            f"optimizer class_name {name!r} is already registered by {_qualified(old)}; "
            "call lstmkit.optimizers.unregister first to replace it."
        )
    taken = FACTORIES.get(fname)
    if taken is not None and taken.optimizer_class.class_name != name:  # type: ignore[attr-defined]
        raise ValueError(f"the factory name {fname!r} of {_qualified(cls)} is already taken.")
    if cls.compile_name is not None:
        other = compile_names().get(cls.compile_name)
        if other is not None and other.class_name != name:
            raise ValueError(
                f"the compile name {cls.compile_name!r} of {_qualified(cls)} is already "
                f"taken by {_qualified(other)}."
            )
    CLASSES[name] = cls
    FACTORIES[fname] = _make_factory(cls, fname)


def unregister(cls_or_name: type[Optimizer] | str) -> None:
    """Remove a class (or a class name) and its factory from the registry."""
    name = cls_or_name if isinstance(cls_or_name, str) else cls_or_name.class_name
    cls = CLASSES.pop(name)
    FACTORIES.pop(factory_name(cls), None)


def factory(cls: type[T]) -> Callable[..., T]:
    """The generated `tf.train.*` factory of a registered class."""
    return FACTORIES[factory_name(cls)]  # type: ignore[return-value]


def factories() -> dict[str, Callable[..., Optimizer]]:
    """A copy of the factories by name (what `lstmkit.train` exposes)."""
    return dict(FACTORIES)


def compile_names() -> dict[str, type[Optimizer]]:
    """The classes by the name `compile(optimizer=...)` accepts, in registration order."""
    return {c.compile_name: c for c in CLASSES.values() if c.compile_name is not None}


def _js_repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(js_number(value)).replace("e-0", "e-")


def _make_factory(cls: type[T], name: str) -> Callable[..., T]:
    """`name(*args, **kwargs) -> cls(...)` with the class's signature and a TF.js docstring."""

    def make(*args: Any, **kwargs: Any) -> T:
        return cls(*args, **kwargs)

    args = []
    for f in getattr(cls, "fields"):  # noqa: B009  (T is any class here: see Optimizer above)
        if f.required:
            args.append(f.key)
        else:
            shown = f.default if f.convert is None else f.convert(f.default)
            args.append(f"{f.key}={_js_repr(shown)}")
    make.__name__ = make.__qualname__ = name
    make.__module__ = cls.__module__
    make.__doc__ = f"`tf.train.{name}({', '.join(args)})`: builds {cls.__name__}."
    make.__signature__ = cls.__signature__.replace(  # type: ignore[attr-defined]
        return_annotation=cls.__name__
    )
    make.optimizer_class = cls  # type: ignore[attr-defined]
    return make
