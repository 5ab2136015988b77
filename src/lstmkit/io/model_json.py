"""model.json text as TF.js reads and writes it.

Writing emulates `JSON.stringify` byte for byte, so a saved file matches what tfjs-node's
`model.save('file://...')` writes: no spaces, JS number formatting (`1e-7`, `1` for `1.0`,
`1e+21`), NaN and Infinity as `null`, integer-like object keys first in ascending order (JS
object key order), non-ASCII characters kept as UTF-8 and lone surrogates escaped.

Reading is strict JSON (JSON.parse): NaN/Infinity literals, invalid UTF-8 and nesting deeper
than `MAX_DEPTH` raise `ModelFormatError` instead of being accepted or crashing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._format import _js_number_to_string
from .errors import ModelFormatError

MAX_DEPTH = 200
"""Deepest nesting of arrays and objects accepted in model.json (TF.js files stay under 30)."""

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


_PLAIN = re.compile('[^"\\\\\x00-\x1f\ud800-\udfff]*')


def _quote(s: str) -> str:
    if _PLAIN.fullmatch(s):
        return f'"{s}"'
    out = ['"']
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDBFF and i + 1 < n and 0xDC00 <= ord(s[i + 1]) <= 0xDFFF:
            # a UTF-16 pair is one character to JS (Python keeps such pairs as two)
            out.append(chr(0x10000 + ((code - 0xD800) << 10) + ord(s[i + 1]) - 0xDC00))
            i += 1
        elif 0xD800 <= code <= 0xDFFF:  # a lone surrogate: escaped by well-formed stringify
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
        i += 1
    out.append('"')
    return "".join(out)


def _is_array_index(key: str) -> bool:
    """JS orders these keys first (canonical uint32 array indices)."""
    return (
        key.isdigit() and key.isascii() and (key == "0" or key[0] != "0") and int(key) < 2**32 - 1
    )


def _ordered_keys(obj: Mapping[str, Any]) -> list[str]:
    keys = list(obj)
    index_keys = sorted((k for k in keys if _is_array_index(k)), key=int)
    return index_keys + [k for k in keys if not _is_array_index(k)]


def _number(x: float) -> str:
    return "null" if not math.isfinite(x) else _js_number_to_string(x)


def _encode(value: Any, out: list[str], where: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ValueError(f"{where}: nested deeper than {MAX_DEPTH} levels.")
    if value is None:
        out.append("null")
    elif isinstance(value, (bool, np.bool_)):
        out.append("true" if value else "false")
    elif isinstance(value, (int, np.integer)):
        out.append(str(int(value)))
    elif isinstance(value, (float, np.floating)):
        out.append(_number(float(value)))
    elif isinstance(value, str):
        out.append(_quote(value))
    elif isinstance(value, Mapping):
        out.append("{")
        first = True
        for key in _ordered_keys(value):
            if not isinstance(key, str):
                raise ValueError(f"{where}: object keys must be strings, got {key!r}.")
            if not first:
                out.append(",")
            first = False
            out.append(_quote(key))
            out.append(":")
            _encode(value[key], out, f"{where}.{key}", depth + 1)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _encode(item, out, f"{where}[{i}]", depth + 1)
        out.append("]")
    else:
        raise ValueError(
            f"{where}: {type(value).__name__} cannot be written to model.json; use JSON types "
            "(dict, list, str, int, float, bool, None)."
        )


def dumps(value: Any, where: str = "value") -> str:
    """`JSON.stringify(value)` as TF.js would produce it for the same JS value."""
    out: list[str] = []
    _encode(value, out, where, 0)
    return "".join(out)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def loads(data: bytes | str, path: str | Path | None = None) -> Any:
    """Parse model.json content strictly; any problem is a ModelFormatError naming `path`."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ModelFormatError(
                path, f"not UTF-8 text ({e.reason} at byte {e.start})."
            ) from None
    else:
        text = data
    text = text.removeprefix("\ufeff")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ModelFormatError(path, "invalid JSON: nested too deeply.") from None
    except ValueError as e:
        raise ModelFormatError(path, f"invalid JSON: {e}") from None
    _check_depth(value, path)
    return value


def _check_depth(value: Any, path: str | Path | None) -> None:
    """Refuse nesting deeper than MAX_DEPTH (iteratively, so the check itself cannot recurse)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth >= MAX_DEPTH:
                raise ModelFormatError(
                    path, f"invalid JSON: nested deeper than {MAX_DEPTH} levels."
                )
            children = item.values() if isinstance(item, dict) else item
            stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
