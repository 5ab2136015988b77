"""The layer registry, filled by the classes themselves.

`Layer.__init_subclass__` calls `register` for every class that sets its own `class_name`
(TF.js's `getClassName()`): the built-in layers and cells, the models (`Model`, `Sequential`,
registered when `lstmkit.models` is imported) and a user's own layers. Deserialization
(`layers.serialization`) and the `tf.layers.*` factories (`layers/__init__.py`) come from it,
so a new layer is its class and nothing else.

A class names its factory with `factory_name` (TF.js's camelCase name, e.g. `"simpleRNN"`) and
TF.js's other names for it with `factory_aliases` (`("maxPool1d",)`); each name is also
exported in snake_case (`simple_rnn`, `max_pool1d`). Without `factory_name` a class has no
factory (base classes, models).

A class that takes a name another class holds is not registered (a warning says so): built-in
names are not replaced by accident. `register_class` (TF.js's `serialization.registerClass`)
replaces on purpose, and `unregister_class` removes.
"""

from __future__ import annotations

import difflib
import warnings
from typing import TypeVar

L = TypeVar("L", bound=type)

CLASSES: dict[str, type] = {}
"""Every registered layer class by its TF.js class name, in registration order."""

ALIASES = {
    "UnifiedLSTM": "LSTM",
    "UnifiedGRU": "GRU",
    "BatchNormalizationV1": "BatchNormalization",
    "Functional": "Model",
}
"""Class names older Keras / converter files use for the same layers."""


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def register(cls: type) -> None:
    """Add `cls` by its own `class_name` (called by `Layer.__init_subclass__`).

    The same class defined again (a module reloaded) replaces its entry; a name another
    class holds is left to it, with a warning that says how to replace it.
    """
    name = cls.__dict__["class_name"]
    old = CLASSES.get(name)
    if old is not None and _qualified(old) != _qualified(cls):
        warnings.warn(
            f"layer class_name {name!r} of {_qualified(cls)} is already registered by "
            f"{_qualified(old)}; files naming {name!r} load that class. Call "
            f"tf.serialization.register_class({cls.__name__}) to use this one instead.",
            stacklevel=3,
        )
        return
    CLASSES[name] = cls


def register_class(cls: L) -> L:
    """Register a layer class by its `class_name`, replacing any other (TF.js's
    `tf.serialization.registerClass`); returns the class, so it also works as a decorator."""
    name = cls.__dict__.get("className")  # TF.js's `MyLayer.className = 'X'` after the class
    if not isinstance(name, str):
        name = getattr(cls, "class_name", None)
    if not isinstance(name, str) or not name:
        raise ValueError(
            f"register_class: {cls.__name__} needs a class_name (the name files use for it), "
            f"e.g. class_name = {cls.__name__!r}."
        )
    cls.class_name = cls.className = name  # type: ignore[attr-defined]
    CLASSES[name] = cls
    return cls


def unregister_class(cls_or_name: type | str) -> None:
    """Remove a class (or a class name) from the registry."""
    name = cls_or_name if isinstance(cls_or_name, str) else cls_or_name.class_name
    CLASSES.pop(name, None)


def get_class(class_name: str) -> type:
    """The class registered as `class_name` (or an older alias of it); a ValueError with the
    closest names otherwise."""
    name = ALIASES.get(class_name, class_name)
    cls = CLASSES.get(name)
    if cls is None:
        folded = {n.lower(): n for n in CLASSES}
        close = [folded[name.lower()]] if name.lower() in folded else []
        close = close or difflib.get_close_matches(name, list(CLASSES), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ValueError(
            f"Unknown layer: {class_name}.{hint} A custom layer must be defined (its class "
            "sets class_name) before a file that uses it is loaded."
        )
    return cls


def factory_names(cls: type) -> list[str]:
    """The factory names of a class: TF.js's camelCase ones and their snake_case forms."""
    from .._names import to_snake_case

    own = cls.__dict__.get("factory_name")
    if not own:
        return []
    camel = [own, *cls.__dict__.get("factory_aliases", ())]
    names = list(dict.fromkeys([to_snake_case(n) for n in camel] + camel))
    return names
