"""Hostile graph wiring: a fuzz target for the functional-config path of the loader.

Random functional graphs (shared layers called several times, adds, two inputs, one or two
outputs) are saved, then their wiring is mutated in model.json: the layer list shuffled or
reversed, inbound references pointed at other layers, unknown layers, absent nodes and
tensors, odd index values (negative, huge, floats, bools, strings), cycles, duplicated or
deleted nodes and layers, input/output lists replaced, lists nested as deep as the JSON
reader admits. Every load must succeed, and then run, or raise `ModelFormatError` naming
the file; any other exception, a RecursionError or a hang is a bug.

The default run is bounded and derandomized (a few seconds). A longer, random run:

    LSTMKIT_FUZZ_EXAMPLES=5000 pytest tests/test_hostile_graph_fuzz.py     # or: pytest -m fuzz
"""

from __future__ import annotations

import copy
import functools
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from guards import deadline, fuzz_examples, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from test_hostile_graph import _random_graph

import lstmkit as tf
from lstmkit.io import ModelFormatError, model_json

DEFAULT_EXAMPLES = 150
LONG_EXAMPLES = 3000
GRAPHS = 6

ODD_INDEX = st.sampled_from(
    [-1, -2, 0, 1, 2, 3, 7, 2**31, 10**400, 1.0, 0.5, True, None, "0", [], {}]
)


@functools.cache
def _saved(seed: int) -> tuple[bytes, bytes]:
    """A random graph's model.json and weights.bin (saved once per seed)."""
    model = _random_graph(np.random.default_rng(seed))
    folder = Path(tempfile.mkdtemp(prefix="lstmkit-graph-fuzz-"))
    try:
        model.save(folder / "m")
        return (folder / "m" / "model.json").read_bytes(), (
            folder / "m" / "weights.bin"
        ).read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _deep(depth: int, leaf: object) -> object:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


@st.composite
def rewired(draw) -> tuple[bytes, bytes]:
    text, weights = _saved(draw(st.integers(0, GRAPHS - 1)))
    doc = json.loads(text)
    config = doc["modelTopology"]["config"]
    layers = config["layers"]
    names = [e["name"] for e in layers]
    for _ in range(draw(st.integers(1, 3))):
        refs = [
            (i, j, k)
            for i, e in enumerate(layers)
            for j, node in enumerate(e.get("inbound_nodes", []))
            if isinstance(node, list)
            for k in range(len(node))
            if isinstance(node[k], list) and len(node[k]) >= 3
        ]
        kind = draw(
            st.sampled_from(
                [
                    "shuffle",
                    "reverse",
                    "ref_name",
                    "ref_index",
                    "ref_kwargs",
                    "cycle",
                    "dup_node",
                    "drop_node",
                    "drop_layer",
                    "dup_layer",
                    "rename",
                    "io",
                    "deep",
                ]
            )
        )
        if kind == "shuffle":
            layers[:] = draw(st.permutations(layers))
        elif kind == "reverse":
            layers.reverse()
        elif kind in ("ref_name", "ref_index", "ref_kwargs", "cycle") and refs:
            i, j, k = draw(st.sampled_from(refs))
            ref = layers[i]["inbound_nodes"][j][k]
            if kind == "ref_name":
                ref[0] = draw(st.sampled_from([*names, "nowhere", ""]))
            elif kind == "ref_index":
                ref[draw(st.sampled_from([1, 2]))] = draw(ODD_INDEX)
            elif kind == "ref_kwargs":
                ref[3:] = [draw(st.sampled_from([{}, {"mask": None}, {"training": True}, [], 3]))]
            else:  # a layer fed by its own output, or by a layer after it
                ref[0] = draw(st.sampled_from([layers[i]["name"], names[-1]]))
        elif kind == "dup_node" and refs:
            i, j, _ = draw(st.sampled_from(refs))
            layers[i]["inbound_nodes"].append(copy.deepcopy(layers[i]["inbound_nodes"][j]))
        elif kind == "drop_node" and refs:
            i, j, _ = draw(st.sampled_from(refs))
            del layers[i]["inbound_nodes"][j]
        elif kind == "drop_layer" and layers:
            del layers[draw(st.integers(0, len(layers) - 1))]
        elif kind == "dup_layer" and layers:
            layers.insert(0, copy.deepcopy(layers[draw(st.integers(0, len(layers) - 1))]))
        elif kind == "rename" and layers:
            layers[draw(st.integers(0, len(layers) - 1))]["name"] = draw(
                st.sampled_from([*names, "renamed"])
            )
        elif kind == "io":
            key = draw(st.sampled_from(["input_layers", "output_layers"]))
            config[key] = draw(
                st.sampled_from(
                    [
                        [],
                        [[names[-1], 0, 0]],
                        [names[0], 0, 0],
                        [[names[0], 0, 0], [names[0], 0, 0]],
                        [["nowhere", 0, 0]],
                        [[names[-1], 5, 0]],
                        [[names[-1], 0, 9]],
                        {"a": 1},
                        "x",
                    ]
                )
            )
        elif kind == "deep" and refs:
            i, j, _ = draw(st.sampled_from(refs))
            room = model_json.MAX_DEPTH - 12
            layers[i]["inbound_nodes"][j] = _deep(draw(st.integers(2, room)), names[0])
    return json.dumps(doc).encode(), weights


@pytest.mark.fuzz
def test_rewired_graphs_load_and_run_or_raise_model_format_error(request):
    examples, derandomize = fuzz_examples(request.config, DEFAULT_EXAMPLES, LONG_EXAMPLES)
    work = Path(tempfile.mkdtemp(prefix="lstmkit-graph-fuzz-"))

    @fuzz_settings(examples, derandomize)
    @given(rewired())
    def check(files):
        text, weights = files
        folder = work / "m"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        (folder / "model.json").write_bytes(text)
        (folder / "weights.bin").write_bytes(weights)
        with deadline(60):
            try:
                model = tf.load_layers_model(folder)
            except ModelFormatError as e:
                assert str(e).startswith(str(folder)), str(e)
                assert "recursion" not in str(e).lower(), str(e)
                return
            if not model.inputs or not model.outputs:
                return  # TF.js's minimal container (no inputs, no outputs) loads too
            xs = [np.ones((2, *t.shape[1:]), np.float32) for t in model.inputs]
            model.predict(xs if len(xs) != 1 else xs[0])

    try:
        check()
    finally:
        shutil.rmtree(work, ignore_errors=True)
