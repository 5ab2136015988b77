"""TF.js's `Serializable`: the config objects layers are configured with (initializers,
regularizers, constraints), their model.json form and their lookup by name.

Each kind keeps a table of its classes; `get_object` takes what a user or a file gives (a
TF.js name such as "glorotNormal", a Keras snake_case name, a `{"class_name", "config"}` dict,
or an instance) and `serialize_object` writes the form TF.js's files hold. Values follow
JSON.stringify (1.0 -> 1); `getConfig()` gives TF.js's TypeScript form (camelCase).
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from ._names import BothSpellings, to_camel_case, to_snake_case


def js_value(v: Any) -> Any:
    """A config value as JSON.stringify writes it: integral floats as ints (1.0 -> 1)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    if isinstance(v, (list, tuple)):
        return [js_value(x) for x in v]
    return v


def number_arg(where: str, name: str, v: Any) -> int | float:
    """`v` as a plain Python number, or a ValueError naming the argument."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{where}: {name} must be a number, got {v!r}.")
    try:
        finite = math.isfinite(v)
    except OverflowError:  # an integer beyond float64 (10**400)
        finite = False
    if not finite:
        shown = f"{str(v)[:12]}... ({len(str(v))} digits)" if isinstance(v, int) else repr(v)
        raise ValueError(f"{where}: {name} must be a finite number, got {shown}.")
    return v


def seed_arg(where: str, seed: Any) -> int | None:
    if seed is None:
        return None
    if isinstance(seed, np.integer):
        seed = int(seed)
    if isinstance(seed, float) and seed.is_integer():
        seed = int(seed)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"{where}: seed must be an integer or None, got {seed!r}.")
    return seed


def camel_kwargs(where: str, kwargs: dict[str, Any], allowed: Sequence[str]) -> dict[str, Any]:
    """TF.js camelCase keyword spellings (maxValue=...) mapped to the snake_case names."""
    out = {}
    for key, value in kwargs.items():
        snake = to_snake_case(key)
        if snake not in allowed:
            raise ValueError(
                f"{where}: unknown argument {key!r}; expected one of {', '.join(allowed)}."
            )
        out[snake] = value
    return out


def takes_config_dict(init: Any) -> Any:
    """A constructor that also takes TF.js's one args object: `VarianceScaling({"scale": 2,
    "mode": "fanAvg"})` (keys in either spelling; keys it has no argument for are ignored, as
    TF.js's constructors ignore them)."""
    params = [p for p in inspect.signature(init).parameters if p != "self"]

    @functools.wraps(init)
    def init_from_config(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) == 1 and not kwargs and isinstance(args[0], dict):
            named = {to_snake_case(k): v for k, v in args[0].items()}
            args, kwargs = (), {k: v for k, v in named.items() if k in params}
        init(self, *args, **kwargs)

    init_from_config._takes_config = True  # type: ignore[attr-defined]
    return init_from_config


def ts_value(v: Any) -> Any:
    """A config value in TF.js's TypeScript form: enum strings in camelCase ('fan_in' ->
    'fanIn')."""
    return to_camel_case(v) if isinstance(v, str) else v


class Serializable:
    """Base of initializers, regularizers and constraints: a class name plus a config dict."""

    class_name: ClassVar[str] = ""
    className: ClassVar[str] = ""  # noqa: N815  (TF.js's static `className`)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "class_name" in cls.__dict__:
            cls.className = cls.class_name
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "_takes_config", False):
            cls.__init__ = takes_config_dict(init)  # type: ignore[method-assign]

    def get_class_name(self) -> str:
        """The `class_name` model.json stores (TF.js's `getClassName()`)."""
        return self.class_name

    def getClassName(self) -> str:  # noqa: N802  (TF.js's name)
        return self.get_class_name()

    def get_config(self) -> dict[str, Any]:
        """The config model.json stores: snake_case keys, snake_case enum values."""
        return {}

    def getConfig(self) -> dict[str, Any]:  # noqa: N802  (TF.js's name)
        """TF.js's `getConfig()`: the TypeScript form, camelCase keys and enum values
        (`{"mode": "fanIn", "maxValue": 2}`); the keys also answer in snake_case."""
        return BothSpellings({to_camel_case(k): ts_value(v) for k, v in self.get_config().items()})

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Serializable:
        """Build from a config with snake_case or camelCase keys; unknown keys are ignored,
        as TF.js's constructors ignore them."""
        params = inspect.signature(cls.__init__).parameters
        kwargs = {to_snake_case(k): v for k, v in (config or {}).items()}
        return cls(**{k: v for k, v in kwargs.items() if k in params and k != "self"})

    def _repr_args(self) -> dict[str, Any]:
        return self.get_config()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._repr_args().items())
        name = next(c.__name__ for c in type(self).__mro__ if not c.__name__.startswith("_"))
        return f"{name}({args})"


def serialize_object(obj: Serializable | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    config = {k: js_value(v) for k, v in obj.get_config().items()}
    return {"class_name": obj.get_class_name(), "config": config}


def serialize_object_ts(obj: Serializable | None) -> dict[str, Any] | None:
    """TF.js's `serializeKerasObject`: `{"className": ..., "config": obj.getConfig()}`."""
    if obj is None:
        return None
    return BothSpellings({"className": obj.get_class_name(), "config": dict(obj.getConfig())})


def normalized_name(name: str) -> str:
    return name.replace("_", "").lower()


def lookup_class(kind: str, name: str, classes: dict[str, Any], names: Sequence[str]) -> Any:
    """The class for a TF.js identifier, class name or Keras snake_case alias of it."""
    cls = classes.get(normalized_name(name))
    if cls is None:
        display = {normalized_name(n): n for n in names}
        close = difflib.get_close_matches(normalized_name(name), list(display), n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(repr(display[c]) for c in close)}?" if close else ""
        raise ValueError(
            f"Unknown {kind} {name!r}.{hint} Known: {', '.join(names)} "
            "(snake_case and class-name spellings work too)."
        )
    return cls


def deserialize_object(
    kind: str, config: dict, classes: dict[str, Any], names: Sequence[str]
) -> Any:
    """Build from `{"class_name": ..., "config": {...}}` (also TF.js's `className` key)."""
    class_name = config.get("class_name", config.get("className"))
    if not isinstance(class_name, str):
        raise ValueError(
            f"A {kind} dict needs a 'class_name' string and a 'config' dict, got {config!r}."
        )
    inner = config.get("config") or {}
    if not isinstance(inner, dict):
        raise ValueError(f"The 'config' of a {kind} must be a dict, got {inner!r}.")
    return lookup_class(kind, class_name, classes, names).from_config(inner)


def get_object(
    kind: str, identifier: Any, base: type, classes: dict[str, Any], names: Sequence[str]
) -> Any:
    if identifier is None:
        return None
    if isinstance(identifier, base):
        return identifier
    if isinstance(identifier, str):
        return lookup_class(kind, identifier, classes, names).from_config({})
    if isinstance(identifier, dict):
        return deserialize_object(kind, identifier, classes, names)
    raise ValueError(
        f"A {kind} must be a name, a {{'class_name', 'config'}} dict or a {base.__name__}, "
        f"got {identifier!r}."
    )
