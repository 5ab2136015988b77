"""Layer classes written the TF.js way or the Keras way, run by lstmkit's own calls.

`Layer.__init_subclass__` passes every new class through `adapt_class`, so that:

- a constructor that takes keywords also takes TF.js's one options dict, in either spelling
  (`tf.layers.Dense({"units": 3, "inputShape": [4]})`, `MyLayer({"units": 3})`); a
  constructor written as TF.js writes it (`def __init__(self, config=None)`) is left alone and
  gets the dict itself;
- a `call` written as TF.js writes it, `call(self, inputs, kwargs)` with `kwargs` a dict (a
  cell: `inputs` is `[x, *states]` and it returns `[output, *new_states]`), or as Keras writes
  it, `call(self, inputs, training=None)` (only the keywords it names), is reached by
  lstmkit's calls, which pass `training`, `mask` and `initial_state` as keywords;
- `className` (TF.js's static) and `class_name` are the same attribute;
- `getConfig()` gives TF.js's form of `get_config()` (`config_in_both_spellings`).

Nothing here imports the rest of `layers`: the base hands in what it needs.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Collection, Mapping
from typing import Any

import numpy as np

from .._names import BothSpellings, pythonic_to_ts, to_camel_case, to_snake_case

CONFIG_PARAMETER_NAMES = frozenset({"config", "args", "kwargs", "options", "opts", "params", "cfg"})
"""Names of a constructor's one parameter that mean "TF.js's options object"."""

_CALL_KWARGS_NAMES = frozenset({"kwargs", "kw", "kwds", "options", "opts", "call_kwargs"})

_ADAPTED = "_lstmkit_adapted"


def is_options_dict(value: Any) -> bool:
    """A TF.js options object: a dict of string keys that is not a serialized layer
    (`{"class_name": ..., "config": ...}`)."""
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        return False
    keys = set(value)
    return not (keys and keys <= {"class_name", "className", "config"} and "config" in keys)


def snake_keys(options: Mapping[str, Any]) -> dict[str, Any]:
    """Option keys in snake_case (TF.js's `inputDType` is `input_dtype`)."""
    out = {}
    for key, value in options.items():
        snake = to_snake_case(key)
        out["input_dtype" if snake in ("input_d_type", "input_dtype") else snake] = value
    return out


def _positional(fn: Callable) -> tuple[list[inspect.Parameter], bool]:
    """The positional parameters after `self`, and whether `fn` takes **kwargs."""
    try:
        params = list(inspect.signature(fn).parameters.values())[1:]
    except (TypeError, ValueError):
        return [], True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return positional, any(p.kind == p.VAR_KEYWORD for p in params)


def takes_config_dict(cls: type) -> bool:
    """True when the class's constructor is TF.js's `constructor(config)`: one positional
    parameter named like an options object, or one parameter and no **kwargs."""
    init = next((k.__dict__["__init__"] for k in cls.__mro__ if "__init__" in k.__dict__), None)
    init = getattr(init, "__wrapped__", init)
    if init is None or init is object.__init__:
        return False
    positional, var_kw = _positional(init)
    if len(positional) == 1 and positional[0].name in CONFIG_PARAMETER_NAMES:
        return True
    return len(positional) == 1 and not var_kw


def adapt_init(cls: type, known_options: Callable[[type], Collection[str]]) -> None:
    """Let a keyword constructor take one options dict too (see the module docstring)."""
    init = cls.__dict__.get("__init__")
    if init is None or getattr(init, _ADAPTED, False):
        return
    positional, var_kw = _positional(init)
    if not var_kw or (positional and positional[0].name in CONFIG_PARAMETER_NAMES):
        return

    @functools.wraps(init)
    def init_taking_a_dict(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) == 1 and is_options_dict(args[0]):
            options = snake_keys(args[0])
            # super().__init__(config) from a subclass with its own constructor: TF.js's args
            # objects ignore what they do not declare. A subclass that inherits this very
            # constructor (SimpleRNN from the RNNs' base: `new SimpleRNN({...})`) takes all.
            if type(self) is not cls and type(self).__init__ is not init_taking_a_dict:
                known = known_options(cls)
                options = {k: v for k, v in options.items() if k in known}
            init(self, **{**options, **snake_keys(kwargs)})
            if getattr(self, "_note_options_dict", False):  # models: made TF.js's way
                self._made_from_options_dict = True
            return
        init(self, *args, **kwargs)

    setattr(init_taking_a_dict, _ADAPTED, True)
    cls.__init__ = init_taking_a_dict  # type: ignore[misc]


def _tfjs_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """lstmkit's call keywords as TF.js's kwargs object: both spellings of each key."""
    out = dict(kwargs)
    for key, value in kwargs.items():
        out.setdefault(to_camel_case(key), value)
    return out


def adapt_call(cls: type, takes_states: bool) -> None:
    """Let lstmkit's keyword calls reach a TF.js-style or Keras-style `call`."""
    fn = cls.__dict__.get("call")
    if fn is None or getattr(fn, _ADAPTED, False) or not callable(fn):
        return
    positional, var_kw = _positional(fn)
    if var_kw:
        return
    tfjs = len(positional) >= 2 and positional[1].name in _CALL_KWARGS_NAMES
    if tfjs and takes_states:

        @functools.wraps(fn)
        def call(self: Any, inputs: Any, states: Any = None, *args: Any, **kwargs: Any) -> Any:
            if isinstance(states, Mapping) or (states is None and isinstance(inputs, list)):
                return fn(self, inputs, states if states is not None else {}, *args)
            out = fn(self, [inputs, *(states or [])], _tfjs_kwargs(kwargs))
            out = list(out) if isinstance(out, (list, tuple)) else [out]
            return out[0], out[1:]

    elif tfjs:

        @functools.wraps(fn)
        def call(self: Any, inputs: Any, *args: Any, **kwargs: Any) -> Any:
            if args:
                return fn(self, inputs, *args)
            return fn(self, inputs, _tfjs_kwargs(kwargs))

    else:
        accepted = {p.name for p in positional[1:]} | {
            p.name for p in inspect.signature(fn).parameters.values() if p.kind == p.KEYWORD_ONLY
        }

        @functools.wraps(fn)
        def call(self: Any, inputs: Any, *args: Any, **kwargs: Any) -> Any:
            return fn(self, inputs, *args, **{k: v for k, v in kwargs.items() if k in accepted})

    setattr(call, _ADAPTED, True)
    cls.call = call  # type: ignore[attr-defined]


def adapt_class_name(cls: type, bases: Collection[str] = ("Layer", "RNNCell")) -> bool:
    """`className` (TF.js's static) and `class_name` as one attribute of the class.

    A class may declare either, or a static/class method `getClassName()` returning it. A
    program's class that declares none, directly under one of the abstract `bases`, is named
    by its Python name (Keras names layers after the class; TF.js's own name would be 'Layer',
    which files would load as a plain Layer); a subclass of a concrete layer keeps its
    parent's name, as TF.js's static className is inherited. True when the class declared its
    name (it then registers itself); a name taken from the Python class is registered by
    `tf.serialization.registerClass`, as TF.js and Keras programs do.
    """
    own = cls.__dict__
    name = None
    if isinstance(own.get("class_name"), str):
        name = own["class_name"]
    elif isinstance(own.get("className"), str):
        name = own["className"]
    elif isinstance(own.get("getClassName"), (staticmethod, classmethod)):
        try:
            got = cls.getClassName()  # type: ignore[attr-defined]
        except TypeError:
            got = None
        name = got if isinstance(got, str) else None
    if name is None:
        inherited = getattr(cls, "class_name", None)
        if inherited not in bases or cls.__module__.split(".")[0] == "lstmkit":
            return False
        cls.class_name = cls.className = cls.__name__  # type: ignore[attr-defined]
        return False
    cls.class_name = name  # type: ignore[attr-defined]
    cls.className = name  # type: ignore[attr-defined]
    return True


def config_args(cls: type, args: tuple) -> tuple[type, dict[str, Any]]:
    """`from_config`'s arguments: `(config,)`, or TF.js's `(cls, config)`."""
    if len(args) == 2 and isinstance(args[0], type):
        return args[0], args[1]
    if len(args) != 1:
        raise TypeError(f"{cls.__name__}.from_config(config) takes one config dict.")
    return cls, args[0]


def is_dtype_name(value: Any) -> bool:
    """A dtype ('float32', np.float32, a NumPy dtype), as opposed to an initializer."""
    if not isinstance(value, str):
        return isinstance(value, (type, np.dtype))
    return value in DTYPE_NAMES


DTYPE_NAMES = {"float32", "float64", "float16", "int32", "int64", "bool", "complex64", "string"}


def friendly(value: Any) -> str:
    """A value as TF.js's `formatAsFriendlyString` writes it in messages: null, "text",
    [1,2]."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(friendly(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def positive_int(layer: str, name: str, value: Any) -> int:
    """`value` as an int > 0, or TF.js's `assertPositiveInteger` error with the layer in front
    ("Dense dense_Dense1: Expected units to be a positive integer, but got 12.5.")."""
    if isinstance(value, (list, tuple)) and not value:
        raise ValueError(f"{layer}: {name} is unexpectedly an empty array.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(
            f"{layer}: Expected {name} to be a positive integer, but got {friendly(value)}."
        )
    return int(value)


def config_in_both_spellings(klass: type) -> None:
    """`getConfig()` (TF.js's spelling) gives TF.js's form of the config, as TF.js's own
    `getConfig()` does: `convertPythonicToTs(get_config())` (camelCase keys and string values,
    'hardSigmoid', 'channelsFirst'), in a `BothSpellings` dict so snake_case keys answer too.
    `get_config()` stays Keras's and the files' form. A class that writes its own `getConfig`
    (the TF.js way) keeps it as written."""
    own = klass.__dict__
    get_config = own.get("get_config")
    written_as_keras = getattr(get_config, "__name__", "") == "get_config"
    if get_config is not None and written_as_keras and own.get("getConfig") is get_config:

        def getConfig(self: Any) -> dict[str, Any]:  # noqa: N802  (TF.js's name)
            # this class's own get_config (a subclass's TF.js-style getConfig may call
            # super().getConfig(), and its get_config is that very getConfig)
            return BothSpellings(pythonic_to_ts(get_config(self)))

        getConfig.__doc__ = (get_config.__doc__ or "") + (
            "\n\n(TF.js's form: camelCase keys and values; snake_case keys answer too.)"
        )
        klass.getConfig = getConfig  # type: ignore[attr-defined]
