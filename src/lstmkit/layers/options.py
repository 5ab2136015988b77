"""Layer options: which keywords a layer class takes, TF.js's dict form and camelCase keys,
and `make_layer`, which builds a layer from them with unknown keys refused (with close
matches) or, when loading a file, ignored as TF.js ignores them.

Nothing here imports the Layer class: the functions work on any class.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Sequence
from typing import Any

from .._names import to_camel_case
from . import tfjs_style

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


def layer_options(cls: type) -> set[str]:
    """Every keyword the class's constructors accept, through the class hierarchy."""
    names = set(BASE_ARGS)
    cell_class = getattr(cls, "cell_class", None)  # LSTM, GRU, SimpleRNN take their cell's options
    for klass in cls.__mro__ + (cell_class.__mro__ if cell_class else ()):
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self":
                names.add(p.name)
    if cell_class:
        names.discard("cell")
    return names


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
    if tfjs_style.takes_config_dict(cls):  # TF.js's `constructor(config)`: the dict as is
        return cls({to_camel_case(k): v for k, v in opts.items()})
    known = layer_options(cls)
    unknown = [k for k in opts if k not in known and k not in IGNORED_CONFIG_KEYS]
    if unknown and _strict:
        raise_unknown_options(cls, unknown)
    opts = {k: v for k, v in opts.items() if k in known}
    return cls(**opts)
