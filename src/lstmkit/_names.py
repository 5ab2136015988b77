"""TF.js's name conversions (tfjs-layers `generic_utils.ts`), in one place.

Configs, options and file keys arrive in camelCase (TF.js) or snake_case (Keras, Python); every
module that accepts both converts with these two functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any


def to_snake_case(name: str) -> str:
    """TF.js's `toSnakeCase` (Keras's rule): 'hardSigmoid' -> 'hard_sigmoid',
    'simpleRNN' -> 'simple_rnn'; a name that would start with '_' gets 'private' in front."""
    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()
    return s if not s.startswith("_") else "private" + s


def to_camel_case(name: str) -> str:
    """TF.js's `toCamelCase`: 'hard_sigmoid' -> 'hardSigmoid'."""
    return re.sub(r"[_]+(\w|$)", lambda m: m.group(1).upper(), name)


def _is_camel(name: str) -> bool:
    return "_" not in name and name != name.lower() and name[:1].islower()


def add_camel_case_aliases(cls: type, skip: frozenset[str] = frozenset()) -> None:
    """Give a class both spellings of its public methods and properties, as TF.js programs
    call them (`getWeights`, `countParams`) and Python programs do (`get_weights`).

    Called on each class as it is made (from `__init_subclass__`), for the names the class
    itself defines, so an override keeps both spellings in step: a subclass that defines
    `get_config` gets `getConfig` bound to its own method, and a TF.js-style subclass that
    defines `getConfig` or `computeOutputShape` gets `get_config` / `compute_output_shape`
    bound to it, so lstmkit's own calls reach the user's code. A name the class defines in
    both spellings is left as written.
    """
    own = dict(cls.__dict__)
    for name, value in own.items():
        if name.startswith("_") or name in skip:
            continue
        if not (callable(value) or isinstance(value, (property, staticmethod, classmethod))):
            continue
        if "_" in name:
            other = to_camel_case(name)
        elif _is_camel(name):
            other = to_snake_case(name)
            if not any(hasattr(base, other) for base in cls.__mro__[1:]):
                continue  # a camelCase name of the user's own, not an override of ours
        else:
            continue
        if other != name and other not in own:
            setattr(cls, other, value)


def add_camel_case_functions(
    namespace: dict[str, Any], names: Iterable[str], extra: Mapping[str, str] | None = None
) -> list[str]:
    """Put TF.js's camelCase spelling of each snake_case function of a module beside it
    (`glorot_uniform` -> `glorotUniform`), plus `extra` (camelCase -> snake_case) where TF.js's
    name is not the mechanical one (`leCunNormal`). Returns the names added."""
    added = []
    pairs = {to_camel_case(n): n for n in names if "_" in n and not n.startswith("_")}
    for camel, snake in {**pairs, **(extra or {})}.items():
        if camel not in namespace:
            namespace[camel] = namespace[snake]
            added.append(camel)
    return added


class BothSpellings(dict):  # type: ignore[type-arg]
    """A config dict whose keys also answer in the other spelling: `getConfig()` gives
    snake_case keys, as lstmkit's files and Keras do, and TF.js programs read them in
    camelCase (`config['recurrentActivation']`, `config['kernelInitializer']['className']`).

    A missing key is tried in the other spelling; nested dicts (also in lists) read the same
    way, as copies for reading. Iteration, equality and JSON output see the keys as stored.
    """

    def _other(self, key: Any) -> Any:
        if not isinstance(key, str):
            return key
        return to_snake_case(key) if _is_camel(key) else to_camel_case(key)

    def __missing__(self, key: Any) -> Any:
        other = self._other(key)
        if other != key and dict.__contains__(self, other):
            return self[other]
        raise KeyError(key)

    def __getitem__(self, key: Any) -> Any:
        if not dict.__contains__(self, key):
            return self.__missing__(key)
        return _both(dict.__getitem__(self, key))

    def __contains__(self, key: Any) -> bool:
        return dict.__contains__(self, key) or dict.__contains__(self, self._other(key))

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if key in self else default


def _both(value: Any) -> Any:
    """Nested dicts (also inside lists, e.g. a Sequential's layers) read in both spellings."""
    if type(value) is dict:
        return BothSpellings(value)
    if type(value) is list and any(type(v) is dict for v in value):
        return [_both(v) for v in value]
    return value


def _io_name(key: str | None, index: int, value: Any) -> bool:
    return (
        key in ("inboundNodes", "outputLayers", "inputLayers")
        and index == 0
        and isinstance(value, str)
    )


def pythonic_to_ts(value: Any, key: str | None = None) -> Any:
    """TF.js's `convertPythonicToTs` (serialization_utils.ts): a config as files store it
    (snake_case keys and string values) in TF.js's form (camelCase), names left alone."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return to_camel_case(value)
    if isinstance(value, (list, tuple)):
        return [v if _io_name(key, i, v) else pythonic_to_ts(v, key) for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if k == "name" and isinstance(v, str):
                out[k] = v
            else:
                out[to_camel_case(k)] = pythonic_to_ts(v, to_camel_case(k))
        return out
    return value


def ts_to_pythonic(value: Any, key: str | None = None) -> Any:
    """TF.js's `convertTsToPythonic`: a TF.js-form config as files store it."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return to_snake_case(value)
    if isinstance(value, (list, tuple)):
        return [v if _io_name(key, i, v) else ts_to_pythonic(v, key) for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if k in ("name", "className") and isinstance(v, str):
                out[to_snake_case(k)] = v
            else:
                out[to_snake_case(k)] = ts_to_pythonic(v, k)
        return out
    return value
