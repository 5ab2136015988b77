"""`tf.train`: the optimizer factories, with TF.js's names and formulas (see `optimizers`).

Nothing here lists the optimizers: the names come from the optimizer registry when looked up
(PEP 562), so a registered optimizer is `tf.train.<name>` at once. `tf.train.adam(...)` is the
factory generated from `Adam`'s fields: TF.js's positional order and defaults,
`adam(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=None)`. The classes are here too
(`tf.train.Adam`), and the base class `tf.train.Optimizer`.
"""

from __future__ import annotations

from typing import Any

from .optimizers import Optimizer, registry


def _names() -> dict[str, Any]:
    """Every name `tf.train` offers: the base class, the registered classes, their factories."""
    names: dict[str, Any] = {"Optimizer": Optimizer}
    names.update((cls.__name__, cls) for cls in registry.CLASSES.values())
    names.update(registry.factories())
    return names


def __getattr__(name: str) -> Any:
    if name == "__all__":
        return sorted(_names())
    try:
        return _names()[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted({*_names(), *(n for n in globals() if n.startswith("__"))})
