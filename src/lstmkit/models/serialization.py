"""Models from their topology config (model.json's `modelTopology`) and back.

Accepts what TF.js and the Keras converter write: the `model_config` wrapper, a Sequential
config as a list or as `{name, layers}`, `Model`/`Functional`/`Sequential` class names, and
functional graphs with `inbound_nodes` (layers applied once their inputs exist, so the order
of the layer list does not matter).
"""

from __future__ import annotations

import json
from typing import Any

from ..layers.base import Layer
from ..layers.input_layer import InputLayer
from ..layers.serialization import deserialize as deserialize_layer
from .functional import LayersModel
from .sequential import Sequential

TFJS_VERSION = "4.22.0"


def model_from_config(topology: dict[str, Any]) -> LayersModel:
    """A model from `{"class_name": ..., "config": ...}` (or the converter's wrapper)."""
    if not isinstance(topology, dict):
        raise ValueError(f"A model topology must be a JSON object, got {type(topology).__name__}.")
    if "model_config" in topology:
        topology = topology["model_config"]
    class_name = topology.get("class_name", topology.get("className"))
    config = topology.get("config")
    if class_name == "Sequential":
        return _sequential(config)
    if class_name in ("Model", "Functional"):
        return _functional(config)
    raise ValueError(
        f"Unknown model class {class_name!r}; expected 'Sequential', 'Model' or 'Functional'."
    )


def _sequential(config: Any) -> Sequential:
    if isinstance(config, list):
        layers_cfg, name = config, None
    elif isinstance(config, dict):
        layers_cfg, name = config.get("layers", []), config.get("name")
    else:
        raise ValueError("A Sequential config must be a list of layers or {name, layers}.")
    model = Sequential(name=name)
    for layer_cfg in layers_cfg:
        layer = deserialize_layer(_layer_entry(layer_cfg))
        if isinstance(layer, InputLayer) and model.outputs:
            continue
        model.add(layer)
    return model


def _layer_entry(cfg: dict[str, Any]) -> dict[str, Any]:
    """Keras 3 writes `batch_shape` where TF.js reads `batch_input_shape`."""
    inner = dict(cfg.get("config", {}))
    if "batch_shape" in inner and "batch_input_shape" not in inner:
        inner["batch_input_shape"] = inner.pop("batch_shape")
    return {"class_name": cfg.get("class_name", cfg.get("className")), "config": inner}


def _functional(config: dict[str, Any]) -> LayersModel:
    layers: dict[str, Layer] = {}
    pending: list[tuple[Layer, list]] = []
    for entry in config.get("layers", []):
        layer = deserialize_layer(_layer_entry(entry))
        name = entry.get("name", layer.name)
        layers[name] = layer
        for node in entry.get("inbound_nodes", []):
            pending.append((layer, _node_refs(node)))
    outputs: dict[tuple[str, int], Any] = {}
    for name, layer in layers.items():
        if isinstance(layer, InputLayer):
            outputs[(name, 0)] = [layer._inbound_nodes[0].outputs[0]]
    while pending:
        progressed = False
        for item in list(pending):
            layer, refs = item
            try:
                args = [outputs[(r[0], r[1])][r[2]] for r in refs]
            except KeyError:
                continue
            kwargs = (
                refs[0][3] if refs and len(refs[0]) > 3 and isinstance(refs[0][3], dict) else {}
            )
            out = layer.apply(args if len(args) > 1 else args[0], **_node_kwargs(kwargs))
            outputs[(layer.name, len(layer._inbound_nodes) - 1)] = (
                out if isinstance(out, list) else [out]
            )
            pending.remove(item)
            progressed = True
        if not progressed:
            missing = sorted({r[0] for _, refs in pending for r in refs if r[0] not in layers})
            raise ValueError(
                "Model config: cannot connect the layers"
                + (f"; unknown inbound layers {missing}." if missing else " (a cycle?).")
            )

    def resolve(refs: list) -> list:
        out = []
        for r in refs:
            key = (r[0], r[1])
            if key not in outputs:
                raise ValueError(f"Model config: output/input layer {r[0]!r} is not in the graph.")
            out.append(outputs[key][r[2]])
        return out

    inputs = resolve(_refs(config.get("input_layers", [])))
    outs = resolve(_refs(config.get("output_layers", [])))
    return LayersModel(
        inputs if len(inputs) > 1 else inputs[0],
        outs if len(outs) > 1 else outs[0],
        name=config.get("name"),
    )


def _refs(value: list) -> list:
    # a single [name, node, tensor] or a list of them
    if value and isinstance(value[0], str):
        return [value]
    return value


def _node_refs(node: Any) -> list:
    if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
        raise ValueError(
            "Keras 3 node format in inbound_nodes is not supported; convert with TF.js."
        )
    return [list(r) for r in node]


def _node_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if k not in ("mask", "training")}


def model_to_topology(model: LayersModel) -> dict[str, Any]:
    """`modelTopology` as TF.js writes it."""
    return {
        "class_name": model.class_name,
        "config": model.get_config(),
        "keras_version": f"tfjs-layers {TFJS_VERSION}",
        "backend": "tensor_flow.js",
    }


def models_from_json(text: str | dict[str, Any]) -> LayersModel:
    """A model (fresh weights) from topology JSON text or a parsed dict."""
    data = json.loads(text) if isinstance(text, str) else text
    if "modelTopology" in data:
        data = data["modelTopology"]
    return model_from_config(data)
