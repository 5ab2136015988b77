"""Layer options: which keywords a layer class takes, TF.js's dict form and camelCase keys,
and `make_layer`, which builds a layer from them with unknown keys refused (with close
matches) or, when loading a file, ignored as TF.js ignores them.

The checks every constructor runs on its options are here too (`int_option`,
`number_option`, `bool_option`, `choice_option`, `shape_option`, `check_base_options`), so a
layer made in code and one read from a file get the same error: the layer (class and name),
the option, what it must be, what came. A config that fails to build names its layer
(`make_layer` adds the class and name when the error does not say them).

Nothing here imports the Layer class: the functions work on any class.
"""

from __future__ import annotations

import difflib
import inspect
import math
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._names import to_camel_case
from . import tfjs_style
from .tfjs_style import friendly

BASE_ARGS = {
    "name",
    "trainable",
    "input_shape",
    "batch_input_shape",
    "batch_size",
    "dtype",
    "weights",
    "input_dtype",
}


_OPTIONS: weakref.WeakKeyDictionary[type, tuple[tuple, frozenset[str]]] = (
    weakref.WeakKeyDictionary()
)


def layer_options(cls: type) -> frozenset[str]:
    """Every keyword the class's constructors accept, through the class hierarchy. Read once
    per class (and again if a constructor in it is replaced): reading the signatures took
    0.4 ms a layer, most of the time a 5,000-layer model took to load."""
    cell_class = getattr(cls, "cell_class", None)  # LSTM, GRU, SimpleRNN take their cell's options
    classes = cls.__mro__ + (cell_class.__mro__ if cell_class else ())
    inits = tuple(klass.__dict__.get("__init__") for klass in classes)
    cached = _OPTIONS.get(cls)
    if cached is not None and cached[0] == inits:
        return cached[1]
    names = set(BASE_ARGS)
    for init in inits:
        if init is None:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self":
                names.add(p.name)
    if cell_class:
        names.discard("cell")
    known = frozenset(names)
    _OPTIONS[cls] = (inits, known)
    return known


def raise_unknown_options(cls: type, unknown: Sequence[str]) -> None:
    known = sorted(layer_options(cls))
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
        parts.append(f"{key!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
    name = getattr(cls, "class_name", cls.__name__)
    raise ValueError(
        f"{name}: unknown option{'s' if len(parts) > 1 else ''} {', '.join(parts)}. "
        f"Known options: {', '.join(known)}."
    )


def normalize_options(args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Merge TF.js's single-dict form and keywords; camelCase keys become snake_case."""
    merged: dict[str, Any] = {}
    for a in args:
        if not isinstance(a, dict):
            raise ValueError(
                f"Layer options are given as keywords or as one dict, got a positional {a!r}."
            )
        merged.update(a)
    merged.update(kwargs)
    return tfjs_style.snake_keys(merged)


# Keys TF.js serializes that a layer accepts and ignores (as TF.js does).
IGNORED_CONFIG_KEYS = {
    "activity_regularizer",
    "implementation",
    "unroll",
    "input_dim",
    "input_length",
    "time_major",
    "seed",
    "ragged",
    "sparse",
    "module",
    "registered_name",
    "build_config",
    "zero_output_for_mask",
    "use_cudnn",
}


def make_layer(cls: type, *args: Any, _strict: bool = True, **kwargs: Any) -> Any:
    """Build a layer from snake_case or camelCase options, refusing unknown ones with hints.

    With `_strict=False` (loading a config) unknown keys are ignored, as TF.js does.
    """
    opts = normalize_options(args, kwargs)
    check_base_options(cls, opts)  # Layer.__init__ checks them too; here before any work
    if tfjs_style.takes_config_dict(cls):  # TF.js's `constructor(config)`: the dict as is
        return cls({to_camel_case(k): v for k, v in opts.items()})
    known = layer_options(cls)
    unknown = [k for k in opts if k not in known and k not in IGNORED_CONFIG_KEYS]
    if unknown and _strict:
        raise_unknown_options(cls, unknown)
    opts = {k: v for k, v in opts.items() if k in known}
    if _strict:
        return cls(**opts)
    try:
        return cls(**opts)
    except (ValueError, TypeError, OverflowError, KeyError, IndexError, AttributeError) as e:
        raise _naming_layer(cls, opts.get("name"), e) from e


def _naming_layer(cls: type, name: Any, error: Exception) -> Exception:
    """`error` with the layer's class and name in front when its message does not say them
    (a config read from a file: the user must find the layer)."""
    class_name = getattr(cls, "class_name", cls.__name__)
    message = str(error.args[0]) if len(error.args) == 1 else str(error)
    label = f"{class_name} {name}" if isinstance(name, str) and name else class_name
    if (isinstance(name, str) and name and name in message) or (
        not (isinstance(name, str) and name) and class_name in message
    ):
        return error
    try:
        return type(error)(f"{label}: {message}")
    except Exception:
        return ValueError(f"{label}: {message}")


MAX_DIM = 2**31 - 1
"""The largest size an option that counts things may take (units, filters, kernel_size, a
shape's entry, a batch size): TF.js's shapes and sizes are int32."""


def where(layer: Any) -> str:
    """How errors name a layer: its class and name ("Dense dense_Dense1")."""
    return f"{layer.class_name} {layer.name}"


def _shown(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**20:
        return f"an integer of {len(str(abs(value)))} digits"
    if isinstance(value, dict):
        return "an object " + repr(value)[:60]
    return friendly(value)[:80]


def int_option(
    layer: str,
    name: str,
    value: Any,
    minimum: int = 1,
    maximum: int = MAX_DIM,
    allow_none: bool = False,
) -> Any:
    """`value` as an int in [minimum, maximum] (an integral float such as 3.0 counts, as a JS
    number does), None when allowed; TF.js's "Expected units to be a positive integer, but got
    2.5." otherwise, with the layer in front."""
    if value is None and allow_none:
        return None
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        none = " (or null)" if allow_none else ""
        raise ValueError(f"{layer}: Expected {name} to be {kind}{none}, but got {_shown(value)}.")
    if value > maximum:
        raise ValueError(
            f"{layer}: {name} is {_shown(int(value))}, more than {maximum}, the largest lstmkit "
            f"takes (TF.js's sizes are int32); give a smaller {name}."
        )
    return int(value)


def number_option(layer: str, name: str, value: Any, allow_none: bool = False) -> Any:
    """A finite real number (returned as given: 0 stays 0), None when allowed."""
    if value is None and allow_none:
        return None
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        value = value.item()
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        try:
            ok = math.isfinite(float(value))
        except OverflowError:
            ok = False
    if not ok:
        raise ValueError(f"{layer}: {name} must be a finite number, but got {_shown(value)}.")
    return value


def bool_option(layer: str, name: str, value: Any, default: bool | None = None) -> Any:
    """true or false (None gives `default`)."""
    if value is None:
        return default
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{layer}: {name} must be true or false, but got {_shown(value)}.")
    return bool(value)


def choice_option(layer: str, name: str, value: Any, choices: Sequence[str]) -> str:
    """One of `choices` (strings)."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(
            f"{layer}: {name} must be one of {', '.join(map(repr, choices))}, but got "
            f"{_shown(value)}."
        )
    return value


def shape_option(
    layer: str, name: str, value: Any, minimum: int = 0, allow_none: bool = True
) -> tuple:
    """A shape: a list of sizes in [minimum, MAX_DIM] (None, or -1, for an unknown one when
    allowed) or one size."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ValueError(
            f"{layer}: {name} must be a list of sizes such as [null, 4], but got {_shown(value)}."
        )
    out = []
    for i, d in enumerate(value):
        if allow_none and (
            d is None or (isinstance(d, int) and not isinstance(d, bool) and d == -1)
        ):
            out.append(None)
        else:
            out.append(int_option(layer, f"{name}[{i}]", d, minimum=minimum))
    return tuple(out)


def check_base_options(cls: type, kwargs: dict[str, Any]) -> None:
    """The options every layer takes (name, trainable, dtype, shapes, batch size), checked
    before the layer keeps them."""
    name = kwargs.get("name")
    layer = getattr(cls, "class_name", cls.__name__)
    if name is not None and not isinstance(name, str):
        raise ValueError(
            f"{layer}: name must be a string (the layer's name in the model), but got "
            f"{_shown(name)}."
        )
    if name:
        layer = f"{layer} {name}"
    bool_option(layer, "trainable", kwargs.get("trainable"))
    for key in ("dtype", "input_dtype"):
        dtype = kwargs.get(key)
        policy = dtype.get("config") if isinstance(dtype, dict) else None
        if isinstance(policy, dict) and isinstance(policy.get("name"), str):
            dtype = kwargs[key] = policy["name"]  # Keras 3's DTypePolicy: its dtype's name
        if dtype is not None and not _is_dtype(dtype):
            raise ValueError(
                f"{layer}: {key} must be one of {', '.join(sorted(tfjs_style.DTYPE_NAMES))}, "
                f"but got {_shown(dtype)}."
            )
    for key in ("batch_input_shape", "input_shape"):
        if kwargs.get(key) is not None:
            shape_option(layer, key, kwargs[key])
    int_option(layer, "batch_size", kwargs.get("batch_size"), allow_none=True)
    weights = kwargs.get("weights")
    if weights is not None and not isinstance(weights, (list, tuple)):
        raise ValueError(
            f"{layer}: weights must be a list of arrays (one per weight), but got "
            f"{_shown(weights)}."
        )


def _is_dtype(value: Any) -> bool:
    if isinstance(value, str):
        return value in tfjs_style.DTYPE_NAMES
    if isinstance(value, (dict, list, bool, int, float)):
        return False
    try:
        return np.dtype(value).name in tfjs_style.DTYPE_NAMES
    except TypeError:
        return False


def positive_int(layer: str, name: str, value: Any) -> int:
    """TF.js's `assertPositiveInteger` (an int > 0, "Expected units to be a positive integer,
    but got 12.5.") with the layer in front, and at most MAX_DIM."""
    if isinstance(value, (list, tuple)) and not value:
        raise ValueError(f"{layer}: {name} is unexpectedly an empty array.")
    return int(int_option(layer, name, value))


def seed_option(layer: str, value: Any) -> Any:
    """A random seed: None or a finite number of magnitude at most 2**53 (a JS safe integer)."""
    if value is None:
        return None
    number_option(layer, "seed", value)
    if abs(value) > 2**53:
        raise ValueError(f"{layer}: seed must be at most 2**53 in size, but got {_shown(value)}.")
    return value.item() if isinstance(value, np.generic) else value


def rate_option(layer: str, name: str, value: Any) -> Any:
    """A dropout-like rate: a finite number (TF.js clips it to [0, 1] where it does)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{layer}: {name} must be a number in [0, 1], but got {_shown(value)}.")
    return number_option(layer, name, value)


def or_default(value: Any, default: Any) -> Any:
    """`default` for a missing value (None or ""); anything else as given, to be checked (an
    empty list is not a missing initializer but a wrong one)."""
    return default if value is None or (isinstance(value, str) and not value) else value


MAX_RANK = 64
"""The most axes a tensor may have (NumPy 2's limit): an axis option lies in [-64, 64]."""


def axis_option(layer: str, name: str, value: Any, allow_list: bool = True) -> Any:
    """An axis (an int in [-MAX_RANK, MAX_RANK]) or, when allowed, a non-empty list of them;
    returned as given (a list as a list)."""
    items = list(value) if allow_list and isinstance(value, (list, tuple)) and value else [value]
    for a in items:
        if isinstance(a, (float, np.floating)) and math.isfinite(a) and a == int(a):
            a = int(a)  # a JS number: 2.0 from JSON is an integer
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            kind = "an integer or a list of integers" if allow_list else "an integer"
            raise ValueError(f"{layer}: {name} must be {kind}, but got {_shown(value)}.")
        if not -MAX_RANK <= a <= MAX_RANK:
            raise ValueError(
                f"{layer}: {name} {_shown(int(a))} is not an axis of any tensor (tensors have at "
                f"most {MAX_RANK} axes)."
            )
    return value
