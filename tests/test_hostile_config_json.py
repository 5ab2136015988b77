"""model.json parsing is bounded by what the JSON costs, not only by its bytes (issue 14,
item 4): `model_json.parse_cost` scans the bytes before anything is decoded, its bound holds
tracemalloc's peak of `model_json.loads` for every shape of JSON (many small objects, short
strings, numbers, deep nesting, long strings, escapes, non-ASCII text), and a file whose bound
passes `MAX_PARSE_BYTES` is refused with ModelFormatError naming it, never MemoryError."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from guards import fuzz_examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lstmkit as tf
from lstmkit.io import ModelFormatError, model_json

N = 100_000  # bytes per shape: big enough for the per-item costs to dominate


def _join(item: str, count: int) -> bytes:
    return ("[" + ",".join([item] * count) + "]").encode()


SHAPES = {
    "empty objects": _join("{}", N // 3),
    "empty arrays": _join("[]", N // 3),
    "arrays in arrays": _join("[[]]", N // 5),
    "arrays of one": _join("[1]", N // 4),
    "objects of one": _join('{"a":1}', N // 8),
    "objects of six": _join('{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}', N // 38),
    "unique keys": ("{" + ",".join(f'"{i:x}":0' for i in range(N // 8)) + "}").encode(),
    "unique keys in objects": (
        "[" + ",".join(f'{{"{i:x}":"{i}"}}' for i in range(N // 14)) + "]"
    ).encode(),
    "short strings": _join('"ab"', N // 5),
    "unique short strings": ("[" + ",".join(f'"{i}"' for i in range(N // 8)) + "]").encode(),
    "escaped quotes": _join('"\\""', N // 5),
    "backslash runs": ('["' + "\\\\" * (N // 2) + '"]').encode(),
    "u escapes": _join('"\\u0100\\u0101"', N // 15),
    "surrogate pairs": ('["' + "a" * N + '\\ud83d\\ude00"]').encode(),
    "astral text": ('["' + "a" * N + '\U0001f600"]').encode(),
    "latin text": ("[" + ",".join(f'"é{i}"' for i in range(N // 9)) + "]").encode(),
    "small ints": _join("1000", N // 5),
    "floats": _join("1.5e-300", N // 9),
    "big ints": _join("9" * 4000, N // 4001),
    "literals": _join("true", N // 5),
    "long string": ('["' + "a" * N + '"]').encode(),
    "whitespace": ("[" + ",\n  ".join(["[ ]"] * (N // 7)) + "]").encode(),
    "deep": b"[" * model_json.MAX_DEPTH + b"]" * model_json.MAX_DEPTH,
    "deep objects": b'{"a":' * (model_json.MAX_DEPTH - 1)
    + b"{}"
    + b"}" * (model_json.MAX_DEPTH - 1),
}


def _peak(data: bytes) -> int:
    """tracemalloc's peak while `model_json.loads(data)` runs (NumPy's arrays included)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        value = model_json.loads(data, "model.json")
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert value == json.loads(data)
    return peak


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_parse_cost_bounds_the_memory_parsing_takes(shape):
    data = SHAPES[shape]
    cost = model_json.parse_cost(data)
    assert _peak(data) <= cost.total


def _walk(value, depth=1):
    """(containers, strings, numbers, deepest nesting) of a parsed value, counted directly."""
    if isinstance(value, (dict, list)):
        items = list(value.values()) if isinstance(value, dict) else value
        counts = [1, len(value) if isinstance(value, dict) else 0, 0, depth]
        for item in items:
            c, s, n, d = _walk(item, depth + 1)
            counts = [counts[0] + c, counts[1] + s, counts[2] + n, max(counts[3], d)]
        return tuple(counts)
    if isinstance(value, str):
        return 0, 1, 0, 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return 0, 0, 1, 0
    return 0, 0, 0, 0


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=6), inner, max_size=6)
    ),
    max_leaves=40,
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(JSON, st.sampled_from([1, 2, 3, 5, 8, 64]), st.booleans())
def test_parse_cost_counts_what_json_holds_in_any_chunking(value, chunk, ascii_only):
    """The counts match the parsed value's (strings, keys included), whatever the chunk size
    the scan reads (strings, escapes and backslash runs across chunk edges), and the bound
    holds the peak."""
    data = json.dumps(value, ensure_ascii=ascii_only, indent=1 if chunk == 3 else None)
    raw = data.encode("utf-8", "surrogatepass")
    whole = model_json.parse_cost(raw)
    containers, strings, numbers, depth = _walk(json.loads(raw))
    assert (whole.containers, whole.strings, whole.depth) == (containers, strings, depth)
    assert whole.numbers >= numbers
    old = model_json._CHUNK
    model_json._CHUNK = chunk
    try:
        chunked = model_json.parse_cost(raw)
    finally:
        model_json._CHUNK = old
    assert (chunked.containers, chunked.strings, chunked.numbers, chunked.depth) == (
        whole.containers,
        whole.strings,
        whole.numbers,
        whole.depth,
    )
    if b"\xed" not in raw:  # lone surrogates are not UTF-8: refused, checked elsewhere
        assert _peak(raw) <= whole.total


@pytest.mark.parametrize("shape", ["empty objects", "unique keys", "floats", "u escapes"])
def test_a_file_over_the_budget_is_refused_before_parsing(shape, monkeypatch, tmp_path):
    """With the budget lowered under a shape's bound, loading it is a ModelFormatError that
    names the file and the budget; nothing near the parse's cost is allocated."""
    data = SHAPES[shape]
    cost = model_json.parse_cost(data)
    monkeypatch.setattr(model_json, "MAX_PARSE_BYTES", cost.total // 2)
    (tmp_path / "model.json").write_bytes(data)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFormatError, match="MAX_PARSE_BYTES") as e:
            tf.load_layers_model(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(e.value).startswith(str(tmp_path / "model.json"))
    assert peak < len(data) + 45 * 2**20  # the bytes read and the scan's chunk


def test_a_250_mb_bomb_is_a_model_format_error(tmp_path):
    """20 MB of `{},` would take ~0.5 GB as objects; 250 MB under the 256 MB file cap would
    take ~6 GB: refused (by its length, or by the scan), the memory beyond the bytes read is
    at most the scan's."""
    path = tmp_path / "model.json"
    size = 250 * 10**6
    with open(path, "wb") as f:
        f.write(b"[")
        block = b"{}," * (2**20)
        for _ in range(size // len(block)):
            f.write(block)
        f.write(b"{}]")
    tracemalloc.start()
    try:
        with pytest.raises(ModelFormatError, match="MAX_JSON_BYTES|MAX_PARSE_BYTES") as e:
            tf.load_layers_model(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(e.value).startswith(str(path))
    assert peak < path.stat().st_size + 45 * 2**20


def test_a_bomb_under_the_length_cap_is_refused_by_its_cost(tmp_path):
    """45 MB of `{},`: under MAX_JSON_BYTES, over MAX_PARSE_BYTES by the scan (~1.4 GiB)."""
    data = b"[" + b"{}," * (15 * 10**6) + b"{}]"
    assert len(data) < model_json.MAX_JSON_BYTES
    (tmp_path / "model.json").write_bytes(data)
    with pytest.raises(ModelFormatError, match="MAX_PARSE_BYTES") as e:
        tf.load_layers_model(tmp_path)
    assert str(e.value).startswith(str(tmp_path / "model.json"))


def test_depth_is_refused_from_the_scan():
    for text in [b"[" * 201 + b"]" * 201, b'{"a":' * 201 + b"1" + b"}" * 201, b"[" * 10**6]:
        with pytest.raises(ModelFormatError, match="nested deeper than 200"):
            model_json.loads(text, "x.json")
    # brackets in strings are text, not nesting
    assert model_json.loads(b'["' + b"[" * 1000 + b'"]') == ["[" * 1000]


ATOMS = [
    "{}",
    "[]",
    "[[]]",
    '{"a":1}',
    '"ab"',
    '"\\u0100"',
    '"\\ud83d\\ude00"',
    '"\\\\"',
    '"\\""',
    "1000",
    "1.5e-300",
    "9" * 300,
    "true",
    "null",
    '"é"',
    "[1]",
    '" "',
]


@st.composite
def json_bombs(draw):
    """Repeated atoms in arrays or objects, nested, with whitespace, sometimes cut, flipped
    or extended: valid and invalid JSON of every costly shape."""
    atom = draw(st.sampled_from(ATOMS))
    count = draw(st.integers(0, 30_000))
    sep = draw(st.sampled_from([",", ", ", ",\n"]))
    if draw(st.booleans()):
        body = "[" + sep.join([atom] * count) + "]"
    else:
        body = "{" + sep.join(f'"{i:x}":{atom}' for i in range(count)) + "}"
    depth = draw(st.integers(0, model_json.MAX_DEPTH + 2))
    raw = ("[" * depth + body + "]" * depth).encode()
    op = draw(st.sampled_from(["keep", "keep", "cut", "flip", "extend"]))
    at = draw(st.integers(0, max(len(raw) - 1, 0)))
    if op == "cut":
        raw = raw[:at]
    elif op == "flip" and raw:
        raw = raw[:at] + bytes([raw[at] ^ (1 << draw(st.integers(0, 7)))]) + raw[at + 1 :]
    elif op == "extend":
        raw += draw(st.binary(min_size=1, max_size=8))
    return raw


@pytest.mark.fuzz
def test_json_bombs_parse_within_the_budget_or_are_refused(request, monkeypatch):
    """Fuzz target of the model.json parser: every input parses to json.loads's value or is a
    ModelFormatError naming the file; with the budget lowered to 4 MiB, whatever parses stays
    under its bound and the budget. LSTMKIT_FUZZ_EXAMPLES=N (or -m fuzz) for a long run."""
    examples, derandomize = fuzz_examples(request.config, 40, 1000)
    monkeypatch.setattr(model_json, "MAX_PARSE_BYTES", 4 * 2**20)

    @settings(
        max_examples=examples,
        derandomize=derandomize,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(json_bombs())
    def check(raw):
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            value = model_json.loads(raw, "bomb/model.json")
            peak = tracemalloc.get_traced_memory()[1] - base
        except ModelFormatError as e:
            assert str(e).startswith("bomb/model.json: "), str(e)
            return
        finally:
            tracemalloc.stop()
        assert value == json.loads(raw)
        assert peak <= model_json.parse_cost(raw).total <= model_json.MAX_PARSE_BYTES

    check()
