"""TF.js's name conversions (tfjs-layers `generic_utils.ts`), in one place.

Configs, options and file keys arrive in camelCase (TF.js) or snake_case (Keras, Python); every
module that accepts both converts with these two functions.
"""

from __future__ import annotations

import re


def to_snake_case(name: str) -> str:
    """TF.js's `toSnakeCase` (Keras's rule): 'hardSigmoid' -> 'hard_sigmoid',
    'simpleRNN' -> 'simple_rnn'; a name that would start with '_' gets 'private' in front."""
    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()
    return s if not s.startswith("_") else "private" + s


def to_camel_case(name: str) -> str:
    """TF.js's `toCamelCase`: 'hard_sigmoid' -> 'hardSigmoid'."""
    return re.sub(r"[_]+(\w|$)", lambda m: m.group(1).upper(), name)
