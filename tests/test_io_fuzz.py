"""Hostile model files: mutated fixtures load or raise ModelFormatError, nothing else.

Hypothesis mutates the golden TF.js files (tests/fixtures/tfjs): JSON values replaced or
deleted anywhere in model.json (the manifest more often), model.json bytes and weight bytes
flipped, cut or extended. Every load must either succeed or raise `ModelFormatError`; any
other exception, a hang or a crash is a bug.

The second target starts from the same models saved quantized (uint8, uint16, float16) or
as a topology without weights (no manifest, no weight file), and grows layer sizes and the
manifest's numbers to absurd values (10**400, 2**63, -1, True, 1.5): each case must also
stay within its work bound, a `max_init_params` of FUZZ_INIT_BUDGET and a traced memory peak
of at most FUZZ_MEMORY_FACTOR times its bytes on disk plus the float32 bytes of twice the
budget, of the strict margin (`weight_budget.STRICT_MARGIN_VALUES`) and of the zeros made
before the files are read (`saving.UNVERIFIED_VALUES`) plus 4 MiB (tracemalloc), under a
hang guard.

The default run is bounded and derandomized (about 10 s, then about 5 s). A longer, random
run of both:

    LSTMKIT_FUZZ_EXAMPLES=5000 pytest tests/test_io_fuzz.py     # or: pytest -m fuzz
"""

from __future__ import annotations

import copy
import functools
import json
import shutil
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from guards import deadline, fuzz_examples, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

import lstmkit as tf
from lstmkit.io import ModelFormatError
from lstmkit.models import weight_budget
from lstmkit.models.saving import UNVERIFIED_VALUES
from tfjs_fixtures import FIXTURES

CASES = sorted(
    p.name for p in FIXTURES.iterdir() if p.is_dir() and (p / "weights.bin").stat().st_size < 4096
)
DEFAULT_EXAMPLES = 800
LONG_EXAMPLES = 3000
BOMB_EXAMPLES = 150  # the second target's default run
FUZZ_INIT_BUDGET = 2**16  # max_init_params of each case of the second target
FUZZ_MEMORY_FACTOR = 64
CASE_SECONDS = 30  # a hang guard per case, not a speed check

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
        10**400,
        -(10**400),
        2**63,
        True,
        1.5,
        {"dtype": "uint8", "min": 10**400, "scale": 1},
        {"dtype": "uint16", "min": 0, "scale": -(10**400)},
        {"dtype": "float16", "original_dtype": 10**400},
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


@pytest.mark.fuzz
def test_mutated_fixtures_load_or_raise_model_format_error(request):
    examples, derandomize = fuzz_examples(request.config, DEFAULT_EXAMPLES, LONG_EXAMPLES)
    work = Path(tempfile.mkdtemp(prefix="lstmkit-fuzz-"))

    @fuzz_settings(examples, derandomize)
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


# -- the second target: quantized and weightless folders, absurd sizes -------------------------

SIZE_KEYS = ("units", "input_dim", "output_dim", "filters", "kernel_size", "n")
BIG = st.sampled_from([0, 1, 7, 300, 4000, 10**5, 10**9, 2**31, 2**63, 10**400, -1, True, 1.5])


@functools.cache
def _variant(name: str, kind: str) -> tuple[bytes, bytes | None]:
    """A fixture's (model.json, weights.bin) saved quantized, or its topology alone."""
    if kind == "weightless":
        doc = json.loads((FIXTURES / name / "model.json").read_bytes())
        return json.dumps({"modelTopology": doc["modelTopology"]}).encode(), None
    folder = Path(tempfile.mkdtemp(prefix="lstmkit-fuzz-q-"))
    try:
        tf.load_layers_model(FIXTURES / name).save(folder / "m", quantization=kind)
        return (folder / "m" / "model.json").read_bytes(), (
            folder / "m" / "weights.bin"
        ).read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _size_paths(value, prefix=()):
    """The (container path, key) of every layer size and input dimension in a topology."""
    for parent, key in _paths(value, prefix):
        if key in SIZE_KEYS:
            yield parent, key
        elif key in ("batch_input_shape", "batch_shape", "shape"):
            yield (*parent, key), -1


@st.composite
def bomb_files(draw):
    name = draw(st.sampled_from(CASES))
    kind = draw(st.sampled_from(["weightless", "uint8", "uint16", "float16"]))
    text, data = _variant(name, kind)
    doc = json.loads(text)
    for _ in range(draw(st.integers(1, 3))):
        what = draw(st.sampled_from(["size", "size", "manifest", "weights"]))
        if what == "size":
            paths = list(_size_paths(doc["modelTopology"], ("modelTopology",)))
            if paths:
                parent, key = draw(st.sampled_from(paths))
                container = _get(doc, parent)
                if isinstance(container, list) and container:
                    container[key] = draw(BIG)
                elif isinstance(container, dict):
                    container[key] = draw(BIG)
        elif what == "manifest" and isinstance(doc.get("weightsManifest"), list):
            paths = list(_paths(doc["weightsManifest"], ("weightsManifest",)))
            if paths:
                parent, key = draw(st.sampled_from(paths))
                _get(doc, parent)[key] = copy.deepcopy(draw(JSON_VALUES | BIG))
        elif data is not None:
            data = _mutate_bytes(draw, data)
    return json.dumps(doc).encode("utf-8", "surrogatepass"), data


@pytest.mark.fuzz
def test_quantized_and_weightless_bombs_stay_within_their_bounds(request):
    examples, derandomize = fuzz_examples(request.config, DEFAULT_EXAMPLES, LONG_EXAMPLES)
    if derandomize:
        examples = BOMB_EXAMPLES
    work = Path(tempfile.mkdtemp(prefix="lstmkit-fuzz-"))

    @fuzz_settings(examples, derandomize)
    @given(bomb_files())
    def check(files):
        text, data = files
        folder = work / "m"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        (folder / "model.json").write_bytes(text)
        on_disk = len(text)
        if data is not None:
            (folder / "weights.bin").write_bytes(data)
            on_disk += len(data)
        made = 2 * FUZZ_INIT_BUDGET + weight_budget.STRICT_MARGIN_VALUES + UNVERIFIED_VALUES
        bound = FUZZ_MEMORY_FACTOR * on_disk + 4 * made + 4 * 2**20
        tracemalloc.start()
        try:
            with deadline(CASE_SECONDS):
                tf.load_layers_model(folder, max_init_params=FUZZ_INIT_BUDGET)
        except ModelFormatError as e:
            assert str(e).startswith(str(folder)), str(e)
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert peak <= bound, (peak, bound, text[:300])

    try:
        check()
    finally:
        shutil.rmtree(work, ignore_errors=True)
