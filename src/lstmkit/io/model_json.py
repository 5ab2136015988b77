"""model.json text as TF.js reads and writes it.

Writing emulates `JSON.stringify` byte for byte, so a saved file matches what tfjs-node's
`model.save('file://...')` writes: no spaces, JS number formatting (`1e-7`, `1` for `1.0`,
`1e+21`), NaN and Infinity as `null`, integer-like object keys first in ascending order (JS
object key order), non-ASCII characters kept as UTF-8 and lone surrogates escaped.

Reading is strict JSON (JSON.parse): NaN/Infinity literals, invalid UTF-8 and nesting deeper
than `MAX_DEPTH` raise `ModelFormatError` instead of being accepted or crashing. Before anything
is decoded, a NumPy scan of the bytes counts what the parsed value would hold (containers,
strings and their bytes, numbers) and bounds the memory parsing takes (`parse_cost`): a file
that would cost more than `MAX_PARSE_BYTES` is refused, whatever its shape (20 MB of `{},`
costs ~0.5 GB as Python objects: 24 bytes per byte, where a long string costs 1).
"""

from __future__ import annotations

import gc
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._format import _js_number_to_string
from .errors import ModelFormatError

MAX_DEPTH = 200
"""Deepest nesting of arrays and objects accepted in model.json (TF.js files stay under 30)."""

MAX_JSON_BYTES = 64 << 20
"""The longest model.json text `loads` parses: 64 MiB. Parsing takes time in proportion to the
bytes (up to ~0.3 us a byte for numbers on a 2-vCPU EPYC under load), so this bounds the time;
a 24,000-layer graph is 14.4 MiB."""

MAX_PARSE_BYTES = 1 << 30
"""The most memory (bytes, as `parse_cost` bounds it) parsing one model.json may take: 1 GiB.
A TF.js model.json holds a topology and a manifest (kilobytes; a 24,000-layer graph is ~15 MB,
~0.3 GiB by this bound); its weights are in the weight files."""

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
    """Parse model.json content strictly; any problem is a ModelFormatError naming `path`.

    `data` is at most `MAX_JSON_BYTES` long (bounding the time), and the memory parsing takes
    beyond it is at most `parse_cost(data)` bytes, which must not pass `MAX_PARSE_BYTES`
    (both checked before anything is decoded)."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_JSON_BYTES:
        raise ModelFormatError(
            path,
            f"model.json is {len(raw)} bytes, more than the {MAX_JSON_BYTES >> 20} MiB lstmkit "
            "parses (MAX_JSON_BYTES in lstmkit.io.model_json). A TF.js model.json holds a "
            "topology and a weights manifest, kilobytes to a few MB; its weights belong in the "
            "weight files. If this file is a real model, raise "
            "lstmkit.io.model_json.MAX_JSON_BYTES.",
        )
    cost = parse_cost(raw, MAX_PARSE_BYTES)
    if cost.depth > MAX_DEPTH:
        raise ModelFormatError(path, f"invalid JSON: nested deeper than {MAX_DEPTH} levels.")
    if cost.total > MAX_PARSE_BYTES:
        raise ModelFormatError(path, cost.refusal(len(raw)))
    if isinstance(data, bytes):
        del raw
        view = memoryview(data)[3:] if data.startswith(b"\xef\xbb\xbf") else data
        try:
            text = str(view, "utf-8")
        except UnicodeDecodeError as e:
            at = e.start + (len(data) - len(view))
            raise ModelFormatError(path, f"not UTF-8 text ({e.reason} at byte {at}).") from None
    else:
        del raw
        text = data.removeprefix("\ufeff")
    collecting = gc.isenabled()
    gc.disable()  # json.loads makes no cycles: collections would only cost time (3x on [[]])
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ModelFormatError(path, "invalid JSON: nested too deeply.") from None
    except ValueError as e:
        raise ModelFormatError(path, f"invalid JSON: {e}") from None
    finally:
        if collecting:
            gc.enable()
    return value


_CHUNK = 1 << 20  # bytes scanned at a time: the scan's own arrays stay under 24 MB
_WHITESPACE = np.zeros(256, bool)
_WHITESPACE[list(b" \t\n\r")] = True
_OPEN = np.zeros(256, np.int8)
_OPEN[list(b"[{")] = 1
_CLOSE = np.zeros(256, np.int8)
_CLOSE[list(b"]}")] = 1
_NUMBER = np.zeros(256, bool)
_NUMBER[list(b"0123456789+-.eE")] = True
# parse_cost's counts and the bytes each costs at most: empty objects, empty arrays, objects
# (non-empty: 200 more than empty), arrays (112 more), commas, colons, strings, string bytes
# (1 or 8, set per file), numbers, number characters
_WEIGHTS = (64 - 200, 56 - 112, 200, 112, 18, 160, 72, 1, 40, 2)
_CONTENT = 7


@dataclass(frozen=True)
class ParseCost:
    """What parsing one model.json would hold, counted from its bytes (`parse_cost`)."""

    total: int
    """Bytes: an upper bound on the memory `loads` takes beyond its argument (CPython 3.10+,
    64-bit: the decoded text and every object json.loads makes, with their growth slack)."""
    containers: int
    strings: int
    numbers: int
    depth: int
    """The deepest nesting of arrays and objects."""

    def refusal(self, size: int) -> str:
        return (
            f"parsing this {size}-byte model.json would take more than "
            f"{MAX_PARSE_BYTES >> 20} MiB of memory (at least {self.total >> 20} MiB by "
            f"lstmkit's bound: {self.containers} arrays and objects, {self.strings} strings, "
            f"{self.numbers} numbers), more than lstmkit allows (MAX_PARSE_BYTES in "
            "lstmkit.io.model_json). A TF.js model.json holds a topology and a weights "
            "manifest, kilobytes to a few MB; its weights belong in the weight files. If this "
            "file is a real model, raise lstmkit.io.model_json.MAX_PARSE_BYTES."
        )


def _escaped(chunk: np.ndarray, carry: int) -> tuple[np.ndarray, int]:
    """The positions a backslash escapes (after an odd run of backslashes), and the parity of
    a run the chunk ends in; `carry` is that parity for the chunk before."""
    bs = chunk == 92
    escaped = np.zeros(chunk.size, bool)
    if not bs.any():
        escaped[0] = bool(carry)
        return escaped, 0
    edge = np.diff(bs.view(np.int8), prepend=0, append=0)
    starts = np.flatnonzero(edge == 1)
    ends = np.flatnonzero(edge == -1)  # one past each run
    lengths = ends - starts
    if starts[0] == 0:
        lengths[0] += carry
    elif carry:
        escaped[0] = True
    after = ends[(lengths & 1) == 1]
    escaped[after[after < chunk.size]] = True
    return escaped, int(lengths[-1] & 1) if bs[-1] else 0


def parse_cost(data: bytes, limit: int | None = None) -> ParseCost:
    """An upper bound on the memory `json.loads` takes for `data`, from a linear scan of the
    bytes (NumPy, 1 MiB at a time), before anything is decoded.

    Outside strings it counts arrays and objects (empty or not, and their deepest nesting),
    commas, colons and number tokens; it counts strings and their bytes. Each is charged at
    least its CPython size: an empty list 56 bytes, a non-empty one 112 + 18 per element
    (growth slack and one copy while it grows), an empty object 64, a non-empty one 200 + 160
    per member (its slot and json's memo of keys, through a resize), a string 72 plus its
    bytes (8 per byte when the file has escapes or non-ASCII text: a wide string and its
    builder), a number 40 + 2 per character; plus the decoded text (1 byte per byte for
    ASCII, 5 otherwise) and the scan's own arrays (40 bytes per byte of a 1 MiB chunk).
    Invalid JSON is charged as if valid, up to where json.loads stops.
    `tests/test_hostile_config_json.py` checks the bound against tracemalloc's peak.

    With `limit`, the scan stops once the bound passes it or the nesting passes MAX_DEPTH;
    the counts are then those of the part scanned (enough to refuse the file).
    """
    arr = np.frombuffer(data, np.uint8)
    backslashes = b"\\" in data
    ascii_text = data.isascii()
    weights = np.array(_WEIGHTS, np.int64)
    weights[_CONTENT] = 1 if ascii_text and not backslashes else 8
    counts = np.zeros(len(_WEIGHTS), np.int64)
    fixed = (arr.size + 64 if ascii_text else 5 * arr.size) + 40 * min(arr.size, _CHUNK) + 65536
    in_string = carry = level = depth = 0
    last = np.full(1, 32, np.uint8)  # the last kept byte of the chunk before
    for lo in range(0, arr.size, _CHUNK):
        chunk = arr[lo : lo + _CHUNK]
        quote = chunk == 34
        if backslashes:
            escaped, carry = _escaped(chunk, carry)
            quote &= ~escaped
        inside = np.bitwise_xor.accumulate(quote.view(np.uint8)) != in_string
        in_string = int(inside[-1])
        opening = quote & inside
        keep = opening | ~(inside | quote | _WHITESPACE[chunk])
        s = np.concatenate((last, chunk[keep]))  # a string shows as its opening quote
        last = s[-1:]
        prev, body = s[:-1], s[1:]
        number = _NUMBER[s]
        counts += [
            np.count_nonzero((prev == 123) & (body == 125)),
            np.count_nonzero((prev == 91) & (body == 93)),
            np.count_nonzero(body == 123),
            np.count_nonzero(body == 91),
            np.count_nonzero(body == 44),
            np.count_nonzero(body == 58),
            np.count_nonzero(opening),
            np.count_nonzero(inside & ~quote),
            np.count_nonzero(number[1:] & ~number[:-1]),
            np.count_nonzero(number[1:]),
        ]
        step = _OPEN[body] - _CLOSE[body]
        if step.size:
            levels = np.cumsum(step, dtype=np.int32)
            levels += level
            depth = max(depth, int(levels.max()))
            level = int(levels[-1])
        if limit is not None and (depth > MAX_DEPTH or int(counts @ weights) + fixed > limit):
            break
    n = [int(c) for c in counts]
    return ParseCost(int(counts @ weights) + fixed, n[2] + n[3], n[6], n[8], depth)
