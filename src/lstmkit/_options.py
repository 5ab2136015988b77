"""TF.js's trailing options object, for any function or method that takes one.

TF.js passes options as one object (`model.evaluate(x, y, {batchSize: 8})`,
`tf.callbacks.earlyStopping({patience: 3})`); Python passes keywords. `merge_options` accepts
both, in either spelling, and refuses a key it does not know with the close matches, so a typo
is an error and not a silently ignored option.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from ._names import to_camel_case, to_snake_case


def is_options(value: Any) -> bool:
    """True when `value` is a TF.js options object (a dict with string keys)."""
    return isinstance(value, Mapping) and all(isinstance(k, str) for k in value)


def merge_options(
    where: str,
    config: Mapping[str, Any] | None,
    kwargs: Mapping[str, Any],
    known: Collection[str],
    ignored: Collection[str] = (),
) -> dict[str, Any]:
    """One dict of snake_case options from a TF.js config object and Python keywords.

    `known` lists the snake_case names `where` accepts; keys in `ignored` (TF.js options with
    no meaning here, such as `yieldEvery`) are dropped. A keyword wins over the same key in the
    config object.
    """
    merged: dict[str, Any] = {}
    if config is not None:
        if not is_options(config):
            raise TypeError(
                f"{where}: options must be a dict such as {{'batchSize': 32}}, got {config!r}."
            )
        merged.update(config)
    merged.update(kwargs)
    out: dict[str, Any] = {}
    unknown = []
    for key, value in merged.items():
        snake = to_snake_case(key)
        if snake in known:
            out[snake] = value
        elif snake not in ignored and key not in ignored:
            unknown.append(key)
    if unknown:
        raise_unknown(where, unknown, known)
    return out


def raise_unknown(where: str, unknown: list[str], known: Collection[str]) -> None:
    """A ValueError naming the unknown options, the close known ones and all known ones."""
    spellings = sorted({*known, *(to_camel_case(k) for k in known)})
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(key, spellings, n=3, cutoff=0.6)
        parts.append(f"{key!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
    plural = "s" if len(parts) > 1 else ""
    raise ValueError(
        f"{where}: unknown option{plural} {', '.join(parts)}. "
        f"Known options: {', '.join(sorted(known))} (or their camelCase spellings)."
    )


F = TypeVar("F", bound=Callable[..., Any])


def accepts_config(fn: F) -> F:
    """Let a factory also take TF.js's one config object: `glorot_uniform({"seed": 1})` is
    `glorot_uniform(seed=1)`, and camelCase keywords (`max_norm(maxValue=2)`) are accepted.

    The object's keys (either spelling) must name the factory's parameters; an unknown key is
    an error with the close matches.
    """
    params = inspect.signature(fn).parameters.values()
    known = [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    where = f"{to_camel_case(fn.__name__)}()"

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and is_options(args[0]):
            return fn(**merge_options(where, args[0], kwargs, known))
        if kwargs:
            kwargs = merge_options(where, None, kwargs, known)
        return fn(*args, **kwargs)

    return call  # type: ignore[return-value]
