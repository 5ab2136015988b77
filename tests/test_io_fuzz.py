"""Hostile model files: mutated fixtures load or raise ModelFormatError, nothing else.

Hypothesis mutates the golden TF.js files (tests/fixtures/tfjs): JSON values replaced or
deleted anywhere in model.json (the manifest more often), model.json bytes and weight bytes
flipped, cut or extended. Every load must either succeed or raise `ModelFormatError`; any
other exception, a hang or a crash is a bug.

The default run is bounded and derandomized (about 10 s). A longer, random run:

    LSTMKIT_FUZZ_EXAMPLES=5000 pytest tests/test_io_fuzz.py     # or: pytest -m fuzz
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lstmkit as tf
from lstmkit.io import ModelFormatError
from tfjs_fixtures import FIXTURES

CASES = sorted(
    p.name for p in FIXTURES.iterdir() if p.is_dir() and (p / "weights.bin").stat().st_size < 4096
)
DEFAULT_EXAMPLES = 800
LONG_EXAMPLES = 3000

TRICKY = st.sampled_from(
    [
        -1,
        0,
        1,
        2**31,
        2**53,
        10**9,
        -(10**9),
        1e308,
        -0.0,
        0.5,
        "",
        "float64",
        "string",
        "int32",
        "bool",
        "uint8",
        "float16",
        "optimizer",
        "../weights.bin",
        "/etc/passwd",
        "weights.bin",
        "Sequential",
        "Model",
        "LSTM",
        "Bidirectional",
        "hard_sigmoid",
        "\ud800",
        "\ud800.bin",
        "a" * 300,
        "a/" * 40,
        "./weights.bin",
        "weights.bin:0",
        "lstm/lstm_cell/kernel",
        [],
        {},
        [None],
        [-1, 3],
        [3, 2**31],
        {"dtype": "uint8", "min": 0, "scale": 1},
    ]
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | TRICKY,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value, prefix=()):
    """Every (container path, key) in a JSON value, depth first."""
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    for key, child in items:
        yield prefix, key
        yield from _paths(child, (*prefix, key))


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


@st.composite
def mutated_files(draw):
    name = draw(st.sampled_from(CASES))
    text = (FIXTURES / name / "model.json").read_bytes()
    data = (FIXTURES / name / "weights.bin").read_bytes()
    doc = json.loads(text)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["replace", "replace_manifest", "delete", "text", "weights"]))
        if kind in ("replace", "replace_manifest", "delete"):
            root = ("weightsManifest",) if kind == "replace_manifest" else ()
            if root and not (isinstance(doc, dict) and isinstance(doc.get(root[0]), list)):
                root = ()
            paths = list(_paths(_get(doc, root), root))
            if not paths:
                continue
            parent, key = draw(st.sampled_from(paths))
            container = _get(doc, parent)
            if kind == "delete":
                del container[key]
            else:
                container[key] = copy.deepcopy(draw(JSON_VALUES))  # TRICKY is shared
            text = json.dumps(doc).encode("utf-8", "surrogatepass")
        elif kind == "text":
            text = _mutate_bytes(draw, text)
        else:
            data = _mutate_bytes(draw, data)
    return text, data


def _mutate_bytes(draw, raw: bytes) -> bytes:
    op = draw(st.sampled_from(["cut", "extend", "flip", "insert"]))
    at = draw(st.integers(0, max(len(raw) - 1, 0)))
    if op == "cut":
        return raw[:at]
    if op == "extend":
        return raw + draw(st.binary(min_size=1, max_size=16))
    if op == "insert":
        return raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    if not raw:
        return raw
    return raw[:at] + bytes([raw[at] ^ (1 << draw(st.integers(0, 7)))]) + raw[at + 1 :]


def _examples(config) -> tuple[int, bool]:
    env = os.environ.get("LSTMKIT_FUZZ_EXAMPLES")
    if env:
        return int(env), False
    if "fuzz" in (config.getoption("markexpr", "") or ""):
        return LONG_EXAMPLES, False
    return DEFAULT_EXAMPLES, True


@pytest.mark.fuzz
def test_mutated_fixtures_load_or_raise_model_format_error(request):
    examples, derandomize = _examples(request.config)
    work = Path(tempfile.mkdtemp(prefix="lstmkit-fuzz-"))

    @settings(
        max_examples=examples,
        derandomize=derandomize,
        deadline=None,
        database=None if derandomize else settings.default.database,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(mutated_files())
    def check(files):
        text, data = files
        folder = work / "m"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        (folder / "model.json").write_bytes(text)
        (folder / "weights.bin").write_bytes(data)
        try:
            tf.load_layers_model(folder)
        except ModelFormatError as e:
            assert str(e).startswith(str(folder)), str(e)

    try:
        check()
    finally:
        shutil.rmtree(work, ignore_errors=True)
