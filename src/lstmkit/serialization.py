"""`tf.serialization`: TF.js's `registerClass` for a program's own layer classes, and the
config converters TF.js's tests and programs use (`convertPythonicToTs`: a file's config in
TF.js's `getConfig()` form; `convertTsToPythonic`: back).

    class Antirectifier(tf.layers.Layer):
        class_name = "Antirectifier"
        ...
    tf.serialization.registerClass(Antirectifier)   # TF.js's spelling; register_class too

In lstmkit a class that sets `class_name` registers itself when it is defined, so the call is
only needed to replace a class already registered under that name; it is kept so TF.js
programs run as written. Optimizer subclasses register themselves the same way.
"""

from __future__ import annotations

from typing import TypeVar

from ._names import pythonic_to_ts, ts_to_pythonic
from .layers.base import Layer
from .layers.registry import register_class as _register_layer
from .layers.registry import unregister_class

T = TypeVar("T", bound=type)


def register_class(cls: T) -> T:
    """Make `cls` the class files name by its `class_name` (layers; optimizers register
    themselves); returns it, so it works as a decorator too."""
    if isinstance(cls, type) and issubclass(cls, Layer):
        return _register_layer(cls)
    from . import optimizers

    if getattr(cls, "class_name", None) in optimizers.CLASSES:
        return cls  # an Optimizer subclass registered itself when it was defined
    raise ValueError(
        f"register_class: {getattr(cls, '__name__', cls)!r} is not a Layer or Optimizer "
        "subclass with a class_name."
    )


registerClass = register_class  # noqa: N816 (TF.js's name)
convertPythonicToTs = pythonic_to_ts  # noqa: N816 (TF.js's name)
convertTsToPythonic = ts_to_pythonic  # noqa: N816 (TF.js's name)

__all__ = [
    "convertPythonicToTs",
    "convertTsToPythonic",
    "pythonic_to_ts",
    "registerClass",
    "register_class",
    "ts_to_pythonic",
    "unregister_class",
]
