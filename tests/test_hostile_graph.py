"""Hostile graphs: deep, long or backwards-listed models build, save, load, summarize and run
with iterative algorithms in linear time (issue 14, item 12).

- 5,000-layer Sequential and functional chains (far past Python's recursion limit of 1,000):
  built, saved, loaded (the functional one from a model.json listing its layers from output
  to input), summarized and run, each under a hang-guard alarm; the results are checked
  against the chain's arithmetic done here in NumPy.
- Linear work: every Python call lstmkit makes while building, loading, describing and
  running a chain is counted (`sys.setprofile`), with list-membership tests on nodes, layers
  and symbolic tensors made visible as calls; 4x the layers must cost at most ~4x the calls
  (a quadratic step gives ~16x).
- Nesting: models nested as deep as model.json's depth limit (`io.model_json.MAX_DEPTH`)
  allows load, run, summarize and save; nested lists in inbound nodes and shapes up to that
  limit give a clear error, never a RecursionError.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from guards import deadline

import lstmkit as tf
from lstmkit.io import ModelFormatError, model_json
from lstmkit.layers.base import Layer
from lstmkit.layers.topology import Node, SymbolicTensor, _flat
from lstmkit.models.functional import get_source_inputs
from lstmkit.models.serialization import model_from_config

DEEP = 5000  # layers: five times Python's default recursion limit
DENSE_EVERY = 50  # one Dense(1) (weights to save and match) every DENSE_EVERY layers


def chain_layers(n: int) -> list[Layer]:
    """Dense(1) first (it knows the input shape), then Activation('linear') with a Dense(1)
    every DENSE_EVERY layers; fixed, distinct weights so the output says the order ran."""
    layers: list[Layer] = []
    for i in range(n):
        if i % DENSE_EVERY == 0:
            kw: dict[str, Any] = {"units": 1, "kernelInitializer": "ones"}
            if i == 0:
                kw["inputShape"] = [1]
            layers.append(tf.layers.dense(kw))
        else:
            layers.append(tf.layers.activation({"activation": "linear"}))
    return layers


def set_chain_weights(layers: list[Layer]) -> None:
    rng = np.random.default_rng(12)
    for layer in layers:
        if layer.weights:
            k = rng.uniform(0.9, 1.1, size=(1, 1)).astype(np.float32)
            b = rng.uniform(-0.01, 0.01, size=(1,)).astype(np.float32)
            layer.set_weights([k, b])


def expected_output(layers: list[Layer], x: np.ndarray) -> np.ndarray:
    """The chain's arithmetic in NumPy (float32, one Dense at a time, in order)."""
    y = x.astype(np.float32)
    for layer in layers:
        if layer.weights:
            k, b = (np.asarray(w._data) for w in layer.get_weights())
            y = (y @ k + b).astype(np.float32)
    return y


def functional_chain(n: int) -> tuple[tf.LayersModel, list[Layer]]:
    layers = chain_layers(n)
    x = tf.input({"shape": [1]})
    y = x
    for layer in layers:
        y = layer.apply(y)
    return tf.model({"inputs": x, "outputs": y}), layers


def sequential_chain(n: int, layers: list[Layer] | None = None) -> tf.Sequential:
    model = tf.sequential()
    for layer in layers if layers is not None else chain_layers(n):
        model.add(layer)
    return model


def reverse_layer_list(path: Path) -> None:
    """Rewrite model.json with its topology's layers from output to input."""
    data = json.loads(path.read_text())
    data["modelTopology"]["config"]["layers"].reverse()
    path.write_text(json.dumps(data))


def assert_summary_rows(model: tf.LayersModel) -> None:
    """One row per layer, in order, between TF.js's rules (a chain prints sequential-like)."""
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    layers = model.layers
    assert len(lines) == 3 + 2 * len(layers) + 4
    for i, layer in enumerate(layers):
        row = lines[3 + 2 * i]
        assert row[:27].rstrip() == f"{layer.name} ({layer.class_name})"[:27], (i, row)


X = np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)


def test_deep_sequential_builds_saves_loads_summarizes_and_runs(tmp_path):
    with deadline(120):
        layers = chain_layers(DEEP)
        model = sequential_chain(DEEP, layers)
        set_chain_weights(layers)
        assert len(model.layers) == DEEP and model.layers[0] is layers[0]
        want = expected_output(layers, X)
        np.testing.assert_allclose(np.asarray(model.predict(X)._data), want, rtol=1e-5)
        model.save(f"file://{tmp_path}")
        loaded = tf.load_layers_model(f"file://{tmp_path}/model.json")
        assert [layer.name for layer in loaded.layers] == [layer.name for layer in layers]
        np.testing.assert_allclose(np.asarray(loaded.predict(X)._data), want, rtol=1e-5)
        assert_summary_rows(loaded)
        lines: list[str] = []
        loaded.summary(print_fn=lines.append)
        assert lines[-4] == f"Total params: {2 * len(range(0, DEEP, DENSE_EVERY))}"
        assert loaded.get_config() == model.get_config()
        loaded.pop()  # pop rebuilds the whole graph: iterative too
        assert len(loaded.layers) == DEEP - 1


def test_deep_functional_chain_listed_backwards_loads_as_written(tmp_path):
    with deadline(120):
        model, layers = functional_chain(DEEP)
        set_chain_weights(layers)
        assert len(model.layers) == DEEP + 1  # the InputLayer first
        want = expected_output(layers, X)
        np.testing.assert_allclose(np.asarray(model.predict(X)._data), want, rtol=1e-5)
        model.save(f"file://{tmp_path}")
        reverse_layer_list(tmp_path / "model.json")
        loaded = tf.load_layers_model(f"file://{tmp_path}/model.json")
        assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
        np.testing.assert_allclose(np.asarray(loaded.predict(X)._data), want, rtol=1e-5)
        assert loaded.get_config() == model.get_config()  # the same graph, input first again
        assert_summary_rows(loaded)
        sources = get_source_inputs(loaded.outputs[0])
        assert len(sources) == 1 and sources[0] is loaded.inputs[0]
        inner = tf.model({"inputs": loaded.inputs[0], "outputs": loaded.outputs[0]})
        np.testing.assert_allclose(np.asarray(inner.predict(X)._data), want, rtol=1e-5)


# -- linear work ------------------------------------------------------------------------------


class CallCounter:
    """Counts Python calls (lstmkit's and the library's alike) while active; `==` on nodes,
    layers and symbolic tensors becomes a counted call, so a membership test over a list of
    them (`node in nodes`) shows as the work it is."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.calls = 0
        for cls in (Node, Layer, SymbolicTensor):
            monkeypatch.setattr(cls, "__eq__", CallCounter._identity, raising=False)
            monkeypatch.setattr(cls, "__hash__", object.__hash__, raising=False)

    @staticmethod
    def _identity(a: Any, b: Any) -> bool:
        return a is b

    def _profile(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            self.calls += 1

    @contextmanager
    def counting(self):
        sys.setprofile(self._profile)
        try:
            yield
        finally:
            sys.setprofile(None)


def _work(n: int, counter: CallCounter, tmp: Path) -> int:
    """Calls spent on the graph work for an n-layer chain (the layers' own construction,
    which is per layer by nature, is left out where the test makes them)."""
    seq_layers = chain_layers(n)
    fn_layers = chain_layers(n)
    x = tf.input({"shape": [1]})
    before = counter.calls
    with counter.counting():
        seq = sequential_chain(n, seq_layers)  # n adds
        y = x
        for layer in fn_layers:
            y = layer.apply(y)
        fn = tf.model({"inputs": x, "outputs": y})
        config = fn.get_config()
        config["layers"].reverse()
        back = model_from_config({"class_name": "Model", "config": config})
        again = model_from_config({"class_name": "Sequential", "config": seq.get_config()})
        for m in (seq, back, again):
            m.summary(print_fn=lambda line: None)
            m.predict(X)
            _ = m.layers
        fn.save(f"file://{tmp}")
        tf.load_layers_model(f"file://{tmp}/model.json")
    return counter.calls - before


def test_graph_work_is_linear_in_the_layers(monkeypatch, tmp_path):
    counter = CallCounter(monkeypatch)
    with deadline(120):
        _work(20, counter, tmp_path / "warm")  # one-time costs (caches, imports) out of the way
        small = _work(100, counter, tmp_path / "small")
        large = _work(400, counter, tmp_path / "large")
    ratio = large / small
    assert ratio < 4.6, f"4x the layers took {ratio:.2f}x the calls ({small} -> {large})"


def test_nested_models_work_is_linear(monkeypatch):
    """A chain of n one-layer Sequentials inside a Sequential: build, config round trip,
    run and summary grow linearly too."""
    counter = CallCounter(monkeypatch)

    def work(n: int) -> int:
        inner = []
        for _ in range(n):
            dense = tf.layers.dense({"units": 1, "inputShape": [1]})
            inner.append(tf.sequential({"layers": [dense]}))
        before = counter.calls
        with counter.counting():
            outer = sequential_chain(n, inner)
            back = model_from_config({"class_name": "Sequential", "config": outer.get_config()})
            back.predict(X)
            back.summary(print_fn=lambda line: None)
        return counter.calls - before

    with deadline(120):
        work(5)
        small, large = work(40), work(160)
    assert large / small < 4.6, f"{small} -> {large} calls for 4x the nested models"


# -- nesting depth ------------------------------------------------------------------------------


def _nested_sequential(levels: int) -> dict[str, Any]:
    """`levels` Sequentials, each holding the next; the innermost holds one Dense(1)."""
    topology: dict[str, Any] = {
        "class_name": "Dense",
        "config": {
            "name": "d0",
            "units": 1,
            "batch_input_shape": [None, 1],
            "kernel_initializer": {"class_name": "Ones", "config": {}},
        },
    }
    for i in range(levels):
        topology = {"class_name": "Sequential", "config": {"name": f"s{i}", "layers": [topology]}}
    return topology


def _depth(value: Any) -> int:
    """Nesting depth of a JSON value, counted iteratively."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, d = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, d)
            stack.extend((c, d + 1) for c in (item.values() if isinstance(item, dict) else item))
    return deepest


def test_models_nested_up_to_the_json_depth_limit_work(tmp_path):
    levels = 0
    while _depth({"modelTopology": _nested_sequential(levels + 1)}) <= model_json.MAX_DEPTH:
        levels += 1
    assert levels >= 60  # each nesting costs three levels of JSON
    text = json.dumps({"modelTopology": _nested_sequential(levels)})
    model_json.loads(text)  # within the reader's limit
    with pytest.raises(ModelFormatError, match="nested deeper"):
        model_json.loads(json.dumps({"modelTopology": _nested_sequential(levels + 1)}))
    with deadline(120):
        model = tf.models.model_from_json(text)
        assert model.name == f"s{levels - 1}"
        np.testing.assert_array_equal(np.asarray(model.predict(X)._data), X)  # ones, zero bias
        model.summary(print_fn=lambda line: None)
        model.save(f"file://{tmp_path}")
        loaded = tf.load_layers_model(f"file://{tmp_path}/model.json")
        np.testing.assert_array_equal(np.asarray(loaded.predict(X)._data), X)


def _nested_list(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "where", ["inbound_nodes", "inbound_ref", "call_kwargs", "shape", "output_layers"]
)
def test_deeply_nested_lists_in_a_graph_config_give_clear_errors(tmp_path, where):
    """Nested lists as deep as model.json admits, where a reference or a shape belongs: a
    ModelFormatError naming the file and the problem, never a RecursionError."""
    model, _ = functional_chain(3)
    model.save(f"file://{tmp_path}")
    path = tmp_path / "model.json"
    data = json.loads(path.read_text())
    config = data["modelTopology"]["config"]
    room = model_json.MAX_DEPTH - 12  # the depth left below the entries
    if where == "inbound_nodes":
        config["layers"][2]["inbound_nodes"] = _nested_list(room, "x")
    elif where == "inbound_ref":
        config["layers"][2]["inbound_nodes"][0][0] = [_nested_list(room, "a"), 0, 0, {}]
    elif where == "call_kwargs":
        config["layers"][2]["inbound_nodes"][0][0][3] = {"extra": _nested_list(room, 1)}
    elif where == "shape":
        config["layers"][0]["config"]["batch_input_shape"] = [None, _nested_list(room, 1)]
    else:
        config["output_layers"] = _nested_list(room, "y")
    path.write_text(json.dumps(data))
    assert _depth(data) <= model_json.MAX_DEPTH
    if where == "call_kwargs":  # a call keyword the layer ignores, as TF.js's kwargs
        with deadline(60):
            loaded = tf.load_layers_model(f"file://{path}")
            assert tuple(loaded.predict(X).shape) == (3, 1)
        return
    with deadline(60):
        with pytest.raises(ModelFormatError) as caught:
            tf.load_layers_model(f"file://{path}")
    message = str(caught.value)
    assert str(path) in message or "model.json" in message
    assert "recursion" not in message.lower()
    assert not isinstance(caught.value.__cause__, RecursionError)
    with pytest.raises((ValueError, TypeError)) as direct:  # the same config, without a file
        model_from_config(data["modelTopology"])
    assert not isinstance(direct.value, RecursionError)


def test_bad_inbound_references_name_the_layer_and_the_fix():
    model, _ = functional_chain(3)
    config = model.get_config()
    config["layers"][2]["inbound_nodes"] = [[["dense_x", "first", 0, {}]]]
    name = config["layers"][2]["name"]
    with pytest.raises(ValueError, match=rf"layer '{name}'.*\[layer name, node index"):
        model_from_config({"class_name": "Model", "config": config})
    config["layers"][2]["inbound_nodes"] = [[]]
    with pytest.raises(ValueError, match=rf"layer '{name}' has an empty inbound node"):
        model_from_config({"class_name": "Model", "config": config})
    config = model.get_config()
    config["output_layers"] = [[config["layers"][-1]["name"], 0, 5]]
    with pytest.raises(ValueError, match="output_layers names tensor 5"):
        model_from_config({"class_name": "Model", "config": config})


def test_flat_is_iterative_and_keeps_the_order():
    deep = _nested_list(5000, 7)
    assert _flat(deep) == [7]
    assert _flat([1, (2, [3, [4]]), [], 5]) == [1, 2, 3, 4, 5]
    assert _flat(3) == [3]


def test_diamond_ladders_are_walked_once_per_node():
    """40 diamonds in a row: 2^40 paths from output to input, each node visited once."""
    x = tf.input({"shape": [2]})
    y = x
    for _ in range(40):
        left = tf.layers.activation({"activation": "linear"}).apply(y)
        right = tf.layers.activation({"activation": "linear"}).apply(y)
        y = tf.layers.add().apply([left, right])
    with deadline(60):
        assert get_source_inputs(y) == [x]
        model = tf.model({"inputs": x, "outputs": y})
        assert len(model.layers) == 1 + 3 * 40
        out = np.asarray(model.predict(np.ones((1, 2), np.float32))._data)
        np.testing.assert_array_equal(out, np.full((1, 2), 2.0**40, np.float32))


def _passes_connect(layers: dict, pending: list, outputs: dict) -> None:
    """The connection order before the event queue (repeated passes over the pending nodes,
    O(n^2)): the oracle the queue must match node for node."""
    from lstmkit.layers.recurrent import RNN
    from lstmkit.layers.wrappers import Bidirectional
    from lstmkit.models import serialization as ser

    pending = list(pending)
    while pending:
        progressed = False
        for item in list(pending):
            layer, name, refs = item
            try:
                args = [outputs[ser._node_key(layers, r)][r[2]] for r in refs]
            except (KeyError, IndexError):
                continue
            kwargs = ser._node_kwargs(refs[0][3] if len(refs[0]) > 3 else {})
            if len(args) > 1 and isinstance(layer, (RNN, Bidirectional)):
                args, kwargs = args[:1], {**kwargs, "initial_state": args[1:]}
            out = layer.apply(args if len(args) > 1 else args[0], **kwargs)
            outputs[(name, len(layer._inbound_nodes) - 1)] = out if isinstance(out, list) else [out]
            pending.remove(item)
            progressed = True
        if not progressed:
            raise ValueError("Model config: cannot connect the layers")


def _random_graph(rng: np.random.Generator) -> tf.LayersModel:
    """A random DAG over 3-wide tensors: shared Dense layers applied several times, adds,
    two inputs, one or two outputs."""
    inputs = [tf.input({"shape": [3]}), tf.input({"shape": [3]})]
    tensors = list(inputs)
    shared = [tf.layers.dense({"units": 3}) for _ in range(3)]
    for _ in range(int(rng.integers(4, 14))):
        kind = rng.integers(3)
        if kind == 0:
            a, b = rng.choice(len(tensors), 2, replace=False)
            tensors.append(tf.layers.add().apply([tensors[a], tensors[b]]))
        elif kind == 1:
            tensors.append(shared[rng.integers(3)].apply(tensors[rng.integers(len(tensors))]))
        else:
            layer = tf.layers.activation({"activation": "tanh"})
            tensors.append(layer.apply(tensors[rng.integers(len(tensors))]))
    outputs = [tensors[-1]] if rng.integers(2) else [tensors[-1], tensors[-2]]
    joined = tf.layers.add().apply([*inputs, *outputs]) if len(outputs) == 1 else outputs[0]
    return tf.model({"inputs": inputs, "outputs": [joined, *outputs[1:]]})


def test_backwards_and_shuffled_configs_connect_as_the_passes_did(monkeypatch):
    """Shuffled layer lists (shared layers, several nodes per layer): the event queue applies
    the nodes in the order the old passes did, so the same graph and the same numbers."""
    from lstmkit.models import serialization as ser

    rng = np.random.default_rng(3)
    xs = [rng.normal(size=(2, 3)).astype(np.float32) for _ in range(2)]
    for _ in range(25):
        config = _random_graph(rng).get_config()
        order = rng.permutation(len(config["layers"]))
        config["layers"] = [config["layers"][i] for i in order]
        topology = {"class_name": "Model", "config": config}
        tf.set_seed(1)
        new = model_from_config(topology)
        with monkeypatch.context() as m:
            m.setattr(ser, "_connect", _passes_connect)
            tf.set_seed(1)
            old = model_from_config(topology)
        assert new.get_config() == old.get_config()
        old.set_weights(new.get_weights())
        for a, b in zip(_as_list(new.predict(xs)), _as_list(old.predict(xs))):
            np.testing.assert_array_equal(np.asarray(a._data), np.asarray(b._data))


def _as_list(x: Any) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def test_sequential_add_keeps_what_a_full_rebuild_gives():
    """The O(1) add at a chain's end and the whole-graph rebuild agree, nested models and a
    layer added twice (which takes the rebuild) included."""
    inner = tf.sequential([tf.layers.dense({"units": 2, "inputShape": [3]})])
    shared = tf.layers.dense({"units": 2})
    model = tf.sequential()
    for layer in [
        tf.layers.dense({"units": 3, "inputShape": [4]}),
        inner,
        tf.layers.activation({"activation": "relu"}),
        shared,
        shared,
        tf.layers.dense({"units": 1}),
    ]:
        model.add(layer)
        nodes, layers, outputs = list(model._nodes), list(model._layers), list(model.outputs)
        model._init_graph(model.inputs[0], model.outputs[0])
        assert model._nodes == nodes and model._layers == layers and model.outputs == outputs
    x = np.ones((2, 4), np.float32)
    first = np.asarray(model.predict(x)._data)
    model.add(tf.layers.activation({"activation": "linear"}))  # after a run: the cache resets
    np.testing.assert_array_equal(np.asarray(model.predict(x)._data), first)
    assert len(model.layers) == 7
