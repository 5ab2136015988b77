"""Config fields: an optimizer's constructor arguments, declared once.

One `Field` says everything about one argument: its Python name, its TF.js config key, its
default (or that it is required), the other spellings configs use for it (Keras's snake_case,
`lr`), and a conversion on the way in (epsilon None -> the backend epsilon, flags -> bool).
`Optimizer` builds its constructor signature, `get_config` and `from_config` from them, so a
new argument is one line, and the three cannot drift apart.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

EPSILON = 1e-7
"""The CPU backend's epsilon (`ENGINE.backend.epsilon()`), the default of every `epsilon` arg."""

REQUIRED: Any = inspect.Parameter.empty
"""The `default` of a field the constructor requires (given positionally, and not None)."""


@dataclass(frozen=True)
class Field:
    """One constructor argument of an optimizer and its place in configs.

    `name`: the Python argument and attribute (snake_case). `key`: the TF.js config key
    (camelCase). `default`: the constructor default, or REQUIRED. `config_default`: the value
    `from_config` uses when a config lacks every spelling (defaults to `default`; None for a
    required field, which the constructor then refuses). `aliases`: other config spellings,
    read after `key` and `name`; `read`: the whole lookup order instead, when it differs.
    `annotation`: the type shown in the signature. `convert`: applied to the value given.
    """

    name: str
    key: str
    default: Any = REQUIRED
    config_default: Any = REQUIRED
    aliases: tuple[str, ...] = ()
    read: tuple[str, ...] = ()
    annotation: str = "float"
    convert: Callable[[Any], Any] | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def parameter(self) -> inspect.Parameter:
        """The constructor parameter (positional or keyword, in the order of `fields`)."""
        return inspect.Parameter(
            self.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=self.default,
            annotation=self.annotation,
        )

    def accept(self, owner: str, value: Any) -> Any:
        """The value to store for a constructor argument, checked and converted."""
        if value is None and self.required:
            raise ValueError(f"{owner}: {self.name} is required, got None.")
        return value if self.convert is None else self.convert(value)

    def config_keys(self) -> tuple[str, ...]:
        """The keys `from_config` tries, in order (the first one set and not None wins)."""
        if self.read:
            return self.read
        keys = (self.key,) if self.key == self.name else (self.key, self.name)
        return keys + self.aliases

    def __post_init__(self) -> None:
        if self.config_default is REQUIRED:
            object.__setattr__(self, "config_default", None if self.required else self.default)


def _epsilon(value: float | None) -> float:
    return EPSILON if value is None else value


def learning_rate(default: Any = REQUIRED, config_default: Any = REQUIRED) -> Field:
    """`learning_rate` / `learningRate` (Keras: `learning_rate`, `lr`)."""
    return Field("learning_rate", "learningRate", default, config_default, aliases=("lr",))


def epsilon() -> Field:
    """`epsilon`, None meaning the backend epsilon (1e-7), as TF.js's `epsilon = null`."""
    return Field("epsilon", "epsilon", None, annotation="float | None", convert=_epsilon)


def number(name: str, default: Any = REQUIRED, key: str | None = None, **kw: Any) -> Field:
    """A float argument whose config key is `key` (default: the same as `name`)."""
    return Field(name, key or name, default, **kw)


def flag(name: str, key: str, aliases: tuple[str, ...] = ()) -> Field:
    """A boolean argument, default False, stored as a bool."""
    return Field(name, key, False, aliases=aliases, annotation="bool", convert=bool)


def js_number(x: Any) -> Any:
    """A config value as JSON.stringify would print it: whole floats become ints (1.0 -> 1)."""
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def config_value(config: Mapping[str, Any], keys: tuple[str, ...], default: Any = None) -> Any:
    """The value of the first of `keys` that `config` holds and is not None, else `default`."""
    for k in keys:
        if k in config and config[k] is not None:
            return config[k]
    return default
