"""Models from their topology config (model.json's `modelTopology`) and back.

Accepts what TF.js and the Keras converter write: the `model_config` wrapper, a Sequential
config as a list or as `{name, layers}`, `Model`/`Functional`/`Sequential` class names, and
functional graphs with `inbound_nodes` (layers applied once their inputs exist, so the order
of the layer list does not matter).
"""

from __future__ import annotations

import heapq
from typing import Any

from .._names import to_camel_case
from ..io import model_json
from ..layers.base import Layer
from ..layers.input_layer import InputLayer
from ..layers.recurrent import RNN
from ..layers.serialization import deserialize as deserialize_layer
from ..layers.wrappers import Bidirectional
from .functional import PERSISTENCE, LayersModel
from .sequential import Sequential

TFJS_VERSION = "4.22.0"


def model_from_config(topology: dict[str, Any], _scalars_done: bool = False) -> LayersModel:
    """A model from `{"class_name": ..., "config": ...}` (or the converter's wrapper)."""
    if not isinstance(topology, dict):
        raise ValueError(f"A model topology must be a JSON object, got {type(topology).__name__}.")
    if "model_config" in topology:
        topology = topology["model_config"]
    if not _scalars_done:  # once for the whole topology, not again for each nested model
        topology = ndarray_scalars(topology)
    class_name = topology.get("class_name", topology.get("className"))
    config = topology.get("config")
    if class_name == "Sequential":
        return _sequential(config)
    if class_name in ("Model", "Functional"):
        return _functional(config)
    raise ValueError(
        f"Unknown model class {class_name!r}; expected 'Sequential', 'Model' or 'Functional'."
    )


def ndarray_scalars(config: Any) -> Any:
    """`config` with tf.keras's ndarray-style scalars `{"type": "ndarray", "value": 6}` as the
    numbers they hold (TF.js's `convertNDArrayScalarsInConfig`); a copy when any is found."""
    if isinstance(config, list):
        items = [ndarray_scalars(v) for v in config]
        return items if any(a is not b for a, b in zip(items, config)) else config
    if not isinstance(config, dict):
        return config
    out = {}
    for key, value in config.items():
        if (
            isinstance(value, dict)
            and value.get("type") == "ndarray"
            and isinstance(value.get("value"), (int, float))
            and not isinstance(value.get("value"), bool)
        ):
            out[key] = value["value"]
        else:
            out[key] = ndarray_scalars(value)
    return out if any(out[k] is not config[k] for k in config) else config


def _sequential(config: Any) -> Sequential:
    if isinstance(config, list):
        layers_cfg, name = config, None
    elif isinstance(config, dict):
        layers_cfg, name = config.get("layers", []), config.get("name")
    else:
        raise ValueError("A Sequential config must be a list of layers or {name, layers}.")
    model = Sequential(name=name)
    for layer_cfg in layers_cfg:
        layer = _deserialize(layer_cfg)
        if isinstance(layer, InputLayer) and model.outputs:
            continue
        model.add(layer)
    return model


_MODEL_CLASSES = ("Sequential", "Model", "Functional")


def _deserialize(cfg: dict[str, Any]) -> Layer:
    """A layer, or a whole model used as a layer (a nested Sequential or functional model)."""
    entry = _layer_entry(cfg)
    if entry["class_name"] in _MODEL_CLASSES:
        return model_from_config(entry, _scalars_done=True)
    return deserialize_layer(entry)


def _layer_entry(cfg: dict[str, Any]) -> dict[str, Any]:
    """Keras 3 writes `batch_shape` where TF.js reads `batch_input_shape`."""
    inner = dict(cfg.get("config", {}))
    if "batch_shape" in inner and "batch_input_shape" not in inner:
        inner["batch_input_shape"] = inner.pop("batch_shape")
    return {"class_name": cfg.get("class_name", cfg.get("className")), "config": inner}


def _either(config: dict[str, Any], key: str) -> Any:
    """`config[key]` in the JSON (snake_case) spelling or TF.js's in-memory camelCase one
    (`deserialize(convertPythonicToTs(model.toJSON()))` gives `inboundNodes`, `inputLayers`)."""
    if key in config:
        return config[key]
    return config.get(to_camel_case(key), [])


def _functional(config: dict[str, Any]) -> LayersModel:
    layers: dict[str, Layer] = {}
    pending: list[tuple[Layer, str, list]] = []
    for entry in config.get("layers", []):
        layer = _deserialize(entry)
        name = entry.get("name", layer.name)  # TF.js keys the graph by the entry's name
        layers[name] = layer
        for node in _either(entry, "inbound_nodes"):
            pending.append((layer, name, _node_refs(node, name)))
    outputs: dict[tuple[str, int], Any] = {}
    for name, layer in layers.items():
        if isinstance(layer, InputLayer):
            outputs[(name, 0)] = [layer._inbound_nodes[0].outputs[0]]
    _connect(layers, pending, outputs)

    def resolve(refs: list, what: str) -> list:
        if not isinstance(refs, list):
            raise ValueError(
                f"Model config: {what} must be a list of [layer name, node index, tensor "
                f"index] references, got {type(refs).__name__}."
            )
        out = []
        for r in refs:
            r = _checked_ref(r, f"an entry of {what}")
            key = _node_key(layers, r)
            if key not in outputs:
                raise ValueError(f"Model config: output/input layer {r[0]!r} is not in the graph.")
            if not -len(outputs[key]) <= r[2] < len(outputs[key]):
                raise ValueError(
                    f"Model config: {what} names tensor {r[2]} of layer {r[0]!r}, which has "
                    f"{len(outputs[key])} output(s)."
                )
            out.append(outputs[key][r[2]])
        return out

    inputs = resolve(_refs(_either(config, "input_layers")), "input_layers")
    outs = resolve(_refs(_either(config, "output_layers")), "output_layers")
    return LayersModel(
        inputs if len(inputs) != 1 else inputs[0],
        outs if len(outs) != 1 else outs[0],
        name=config.get("name"),
    )


def _node_key(layers: dict[str, Layer], ref: list) -> tuple[str, int]:
    """(layer name, lstmkit node index) of a [name, node, tensor] reference. TF.js counts a
    nested model's own graph as its node 0, which lstmkit's models do not record."""
    name, index = ref[0], ref[1]
    return (name, index - 1) if isinstance(layers.get(name), LayersModel) else (name, index)


def _connect(
    layers: dict[str, Layer], pending: list[tuple[Layer, str, list]], outputs: dict
) -> None:
    """Apply each pending node once its inputs exist, in the order TF.js's (and lstmkit's
    earlier) repeated passes over the list would: node i runs in the first pass that reaches
    it after its last input was made. An event queue gives that order in O((n + e) log n)
    (n nodes, e references), where the passes took O(n^2) on a graph listed backwards."""
    made_at: dict[tuple[str, int], tuple[int, int]] = {key: (0, -1) for key in outputs}
    waiting: dict[tuple[str, int], list[int]] = {}
    missing = [0] * len(pending)
    keys_of: list[list[tuple[str, int]] | None] = []
    ready: list[tuple[int, int]] = []
    for pos, (_, _, refs) in enumerate(pending):
        keys = list(dict.fromkeys(_node_key(layers, r) for r in refs))
        keys_of.append(keys)
        for key in keys:
            if key not in outputs:
                missing[pos] += 1
                waiting.setdefault(key, []).append(pos)
        if not missing[pos]:
            heapq.heappush(ready, _turn(pos, [made_at[k] for k in keys]))
    done = [False] * len(pending)
    while ready:
        turn, pos = heapq.heappop(ready)
        layer, name, refs = pending[pos]
        try:
            args = [outputs[_node_key(layers, r)][r[2]] for r in refs]
        except IndexError:  # a tensor index the node does not have: never connects
            continue
        kwargs = refs[0][3] if refs and len(refs[0]) > 3 and isinstance(refs[0][3], dict) else {}
        kwargs = _node_kwargs(kwargs)
        if len(args) > 1 and isinstance(layer, (RNN, Bidirectional)):
            # TF.js's standardizeArgs: an RNN's extra inputs are its initial state
            args, kwargs = args[:1], {**kwargs, "initial_state": args[1:]}
        out = layer.apply(args if len(args) > 1 else args[0], **kwargs)
        key = (name, len(layer._inbound_nodes) - 1)
        outputs[key] = out if isinstance(out, list) else [out]
        done[pos] = True
        if key in made_at:
            continue
        made_at[key] = (turn, pos)
        for other in waiting.pop(key, []):
            missing[other] -= 1
            if not missing[other]:
                keys = keys_of[other] or []
                heapq.heappush(ready, _turn(other, [made_at[k] for k in keys]))
    left = [item for item, finished in zip(pending, done) if not finished]
    if left:
        unknown = sorted({r[0] for _, _, refs in left for r in refs if r[0] not in layers})
        raise ValueError(
            "Model config: cannot connect the layers"
            + (f"; unknown inbound layers {unknown}." if unknown else " (a cycle?).")
        )


def _turn(pos: int, inputs_made: list[tuple[int, int]]) -> tuple[int, int]:
    """(pass, position) at which the passes would apply the node at `pos`, whose inputs
    were made at `inputs_made` (pass, position): this pass if it comes later, else the next."""
    turn, at = max(inputs_made, default=(0, -1))
    return (turn, pos) if pos > at else (turn + 1, pos)


def _refs(value: list) -> list:
    # a single [name, node, tensor] or a list of them
    if isinstance(value, list) and value and isinstance(value[0], str):
        return [value]
    return value


def _node_refs(node: Any, layer_name: Any) -> list:
    """A node's `[[layer name, node index, tensor index(, kwargs)], ...]`, checked."""
    if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
        raise ValueError(
            "Keras 3 node format in inbound_nodes is not supported; convert with TF.js."
        )
    if not isinstance(node, (list, tuple)):
        raise ValueError(
            f"Model config: layer {layer_name!r}: an inbound node must be a list of "
            f"[layer name, node index, tensor index] references, got {type(node).__name__}."
        )
    if not node:
        raise ValueError(
            f"Model config: layer {layer_name!r} has an empty inbound node; list the "
            'references it is called on, e.g. [["dense_1", 0, 0, {}]], or remove it.'
        )
    return [_checked_ref(r, f"layer {layer_name!r}: an inbound reference") for r in node]


def _checked_ref(r: Any, where: str) -> list:
    """`[layer name, node index, tensor index, ...]` with integer indices, or a clear error."""
    ok = isinstance(r, (list, tuple)) and len(r) >= 3 and isinstance(r[0], str)
    indices = [_index(v) for v in r[1:3]] if ok else []
    if not ok or None in indices:
        raise ValueError(
            f"Model config: {where} must be [layer name, node index, tensor index(, call "
            f"kwargs)], got {_short(r)}; write the layer's name and two integers, e.g. "
            '["dense_1", 0, 0].'
        )
    return [r[0], *indices, *r[3:]]


def _index(value: Any) -> int | None:
    """A node or tensor index: an integer (an integral float, as JSON may write it)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _node_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if k not in ("mask", "training")}


def model_to_topology(model: LayersModel) -> dict[str, Any]:
    """`modelTopology` as TF.js writes it."""
    return {
        "class_name": model.class_name,
        "config": _tfjs_node_indices(model.class_name, model.get_config()),
        "keras_version": f"tfjs-layers {TFJS_VERSION}",
        "backend": "tensor_flow.js",
    }


def _tfjs_node_indices(class_name: str, config: Any) -> Any:
    """Number a nested model's nodes as TF.js does (its own graph is node 0), at every level."""
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        return config
    entries = [
        {**e, "config": _tfjs_node_indices(e.get("class_name"), e.get("config"))}
        for e in config["layers"]
    ]
    if class_name not in ("Model", "Functional"):
        return {**config, "layers": entries}
    nested = {e.get("name") for e in entries if e.get("class_name") in _MODEL_CLASSES}

    def bump(ref: list) -> list:
        return [ref[0], ref[1] + 1, *ref[2:]] if ref[0] in nested else ref

    for e in entries:
        e["inbound_nodes"] = [[bump(r) for r in node] for node in e.get("inbound_nodes", [])]
    return {
        **config,
        "layers": entries,
        "input_layers": [bump(r) for r in config.get("input_layers", [])],
        "output_layers": [bump(r) for r in config.get("output_layers", [])],
    }


def models_from_json(text: str | dict[str, Any]) -> LayersModel:
    """A model (fresh weights) from topology JSON text or a parsed dict."""
    if isinstance(text, (str, bytes)):
        data = model_json.loads(text)  # the strict JSON reader (no NaN, bounded depth)
    else:
        data = text
    if "modelTopology" in data:
        data = data["modelTopology"]
    return model_from_config(data)


PERSISTENCE["model_from_config"] = model_from_config  # LayersModel.from_config reaches it here
