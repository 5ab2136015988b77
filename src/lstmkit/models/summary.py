"""`model.summary()` exactly as TF.js prints it (tfjs-layers `utils/layer_utils.ts`).

Sequential-like models (a chain, no shared layers) get 90 columns at [0.32, 0.61, 0.89, 1];
other models 115 columns at [0.24, 0.48, 0.70, 0.80, 1] and a "Receives inputs" column.
Shapes are printed as JSON (`[null,3]`); each field is cut to its column.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import Any


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _as_json_shape(shape: Any) -> Any:
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
        return [list(s) for s in shape]
    return list(shape)


def _node_depths(model: Any) -> dict[int, int]:
    """Depth of each node: 0 for the nodes making the outputs, growing towards the inputs."""
    depth: dict[int, int] = {}
    for node in reversed(model._nodes):
        d = depth.setdefault(id(node), 0)
        for t in node.inputs:
            producer = t.source_layer._inbound_nodes[t.node_index]
            depth[id(producer)] = max(depth.get(id(producer), 0), d + 1)
    return depth


def _sequential_like(model: Any) -> bool:
    """TF.js's isModelSequentialLike: one node per depth, none with several inputs, and no
    layer called twice in the model (linear in the nodes)."""
    by_depth: dict[int, list] = {}
    depths = _node_depths(model)
    for node in model._nodes:
        by_depth.setdefault(depths[id(node)], []).append(node)
    nodes: set[int] = set()
    for group in by_depth.values():
        if len(group) > 1 or (len(group) == 1 and len(group[0].inputs) > 1):
            return False
        nodes.update(id(n) for n in group)
    for layer in model.layers:
        if sum(1 for n in layer._inbound_nodes if id(n) in nodes) > 1:
            return False
    return True


def _print_row(fields: Sequence[str], positions: Sequence[int], print_fn: Callable) -> None:
    line = ""
    for i, field in enumerate(fields):
        if i > 0:
            line = line[:-1] + " "
        line += field
        line = line[: positions[i]]
        line += " " * (positions[i] - len(line))
    print_fn(line)


def _shapes(layer: Any) -> tuple[str, str]:
    input_shape = ",".join(
        _json([_as_json_shape(list(s)) for s in n.input_shapes]) for n in layer._inbound_nodes
    )
    outs = {_json([_as_json_shape(list(s)) for s in n.output_shapes]) for n in layer._inbound_nodes}
    if len(outs) != 1:
        return input_shape, "multiple"
    shapes = layer._inbound_nodes[0].output_shapes
    output = _json(list(shapes[0]) if len(shapes) == 1 else [list(s) for s in shapes])
    return input_shape, output


def print_summary(
    model: Any,
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    print_fn: Callable[[str], Any] = print,
) -> None:
    seq = _sequential_like(model)
    headers = ["Layer (type)", "Input Shape", "Output shape", "Param #"]
    if seq:
        line_length = line_length or 90
        positions = positions or [0.32, 0.61, 0.89, 1]
    else:
        line_length = line_length or 115
        positions = positions or [0.24, 0.48, 0.70, 0.80, 1]
        headers.append("Receives inputs")
    if positions[-1] <= 1:
        positions = [math.floor(line_length * p) for p in positions]
    print_fn("_" * line_length)
    _print_row(headers, positions, print_fn)
    print_fn("=" * line_length)
    layers = model.layers
    relevant = {id(n) for n in model._nodes}
    for i, layer in enumerate(layers):
        input_shape, output_shape = _shapes(layer)
        fields = [
            f"{layer.name} ({layer.class_name})",
            input_shape,
            output_shape,
            str(layer.count_params()),
        ]
        if seq:
            _print_row(fields, positions, print_fn)
        else:
            connections = [
                f"{t.source_layer.name}[{t.node_index}][{t.tensor_index}]"
                for n in layer._inbound_nodes
                if id(n) in relevant
                for t in n.inputs
            ]
            _print_row(fields + [connections[0] if connections else ""], positions, print_fn)
            for c in connections[1:]:
                _print_row(["", "", "", "", c], positions, print_fn)
        print_fn(("=" if i == len(layers) - 1 else "_") * line_length)
    trainable = sum(w.size for w in model.trainable_weights)
    non_trainable = sum(w.size for w in model.non_trainable_weights)
    print_fn(f"Total params: {trainable + non_trainable}")
    print_fn(f"Trainable params: {trainable}")
    print_fn(f"Non-trainable params: {non_trainable}")
    print_fn("_" * line_length)
