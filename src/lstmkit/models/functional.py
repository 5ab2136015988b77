"""`LayersModel`: a graph of layers from symbolic inputs to outputs (`tf.model`).

The graph is the `Node`s recorded when layers were applied to symbolic tensors. Running the
model walks those nodes in dependency order on concrete tensors, passing each layer the masks
its inputs carry (from Embedding(mask_zero) or Masking) as TF.js's executor does.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import _options
from ..layers import tfjs_style
from ..layers.base import Layer, LayerVariable
from ..layers.input_layer import InputLayer
from ..layers.topology import Node, SymbolicTensor, _flat, format_shape, unique_name
from ..tensor import Tensor
from .nodes import get_source_inputs, node_arguments, walk_graph
from .nodes import producer as _producer
from .training import TrainingMixin

PERSISTENCE: dict[str, Callable[..., Any]] = {}
"""`model_from_config`, `save_model` and `model_to_json`, put here by models/serialization.py
and models/saving.py when they are imported (models/__init__ imports both): they build on this
class, so it reaches them through this table instead of importing them (no import cycle)."""


def persistence(name: str) -> Callable[..., Any]:
    """The persistence function `name` (models.saving / models.serialization registered it)."""
    try:
        return PERSISTENCE[name]
    except KeyError:
        raise RuntimeError(
            f"lstmkit.models: {name} is not registered; import lstmkit (or lstmkit.models), "
            "which loads models.saving and models.serialization."
        ) from None


class LayersModel(TrainingMixin, Layer):
    """A model of layers wired from `inputs` to `outputs` (TF.js's `tf.LayersModel`)."""

    class_name = "Model"
    _track_internal_containers = True  # TF.js's internalContainerRefs (not a Sequential's)
    _note_options_dict = True  # made from TF.js's {inputs, outputs}: TrainingMixin._one_result

    def __init__(
        self, inputs: Any = None, outputs: Any = None, name: str | None = None, **kwargs: Any
    ):
        """`LayersModel(inputs, outputs, name)` (Keras's `Model(inputs=..., outputs=...)`) or
        TF.js's `new tf.LayersModel({inputs, outputs, name})`."""
        config = None
        if _options.is_options(inputs):
            config, inputs = inputs, None
        given = {"inputs": inputs, "outputs": outputs, "name": name}
        opts = _options.merge_options(
            f"{type(self).__name__}()",
            config,
            {**{k: v for k, v in given.items() if v is not None}, **kwargs},
            ("inputs", "outputs", "name", "trainable"),
        )
        inputs, outputs, name = opts.get("inputs"), opts.get("outputs"), opts.get("name")
        Layer.__init__(self, name=name or unique_name(self.class_name.lower()))
        if opts.get("trainable") is False:
            self.trainable = False
        self._refcount = 1  # TF.js: a container's reference count starts at 1
        self._internal_containers: list[LayersModel] = []
        TrainingMixin.__init__(self)
        self.inputs: list[SymbolicTensor] = []
        self.outputs: list[SymbolicTensor] = []
        self._nodes: list[Node] = []
        self._layers: list[Layer] = []
        if inputs is not None or outputs is not None:
            self._init_graph(inputs, outputs)

    # -- graph ------------------------------------------------------------------------------
    def _init_graph(self, inputs: Any, outputs: Any) -> None:
        ins = _flat(inputs)
        outs = _flat(outputs)
        for t in ins + outs:
            if not isinstance(t, SymbolicTensor):
                raise ValueError(
                    f"Model {self.name}: inputs and outputs must be symbolic tensors from "
                    f"tf.input() and layer.apply(), got {type(t).__name__}."
                )
        if len({id(t) for t in ins}) != len(ins):
            raise ValueError(
                f"Model {self.name}: The list of inputs passed to the model is redundant. All "
                f"inputs should only appear once. Found: {[t.name for t in ins]}"
            )
        for i, t in enumerate(ins):
            if not isinstance(t.source_layer, InputLayer):
                source = t.source_layer
                kind = "none" if source is None else source.class_name
                raise ValueError(
                    f"Model {self.name}: Input layers to a LayersModel must be InputLayer "
                    f"objects (from tf.input()). Input {i} (0-based) originates from layer type "
                    f"{kind}."
                )
        self.inputs, self.outputs = ins, outs
        self._single_output = not isinstance(outputs, (list, tuple))
        self._nodes, entered = walk_graph(outs)
        reached = {id(n.layer) for n in self._nodes}
        for t in ins:
            if id(t.source_layer) not in reached:
                self._nodes.insert(0, t.source_layer._inbound_nodes[0])
                reached.add(id(t.source_layer))
        self._check_inputs_reach(ins)
        self._layers = self._layers_by_depth(entered)
        counts = Counter(layer.name for layer in self._layers)
        for layer_name, count in counts.items():
            if count != 1:
                raise ValueError(
                    f'Model {self.name}: The name "{layer_name}" is used {count} times in the '
                    "model. All layer names should be unique. Layer names: "
                    f"{[layer.name for layer in self._layers]}"
                )
        if self._track_internal_containers:
            self._internal_containers = [x for x in self._layers if isinstance(x, LayersModel)]
        self.built = True

    def _layers_by_depth(self, entered: list[Node]) -> list[Layer]:
        """TF.js's `model.layers` order (container.ts): deepest first (the inputs), ties in the
        order a depth-first walk from the outputs first meets the layers (`entered`: the
        nodes in the order that walk entered them). Linear in nodes + edges, then a sort."""
        first_seen: dict[int, int] = {}
        by_id: dict[int, Layer] = {}
        for node in entered:
            first_seen.setdefault(id(node.layer), len(first_seen))
            by_id[id(node.layer)] = node.layer
        for t in self.inputs:  # an input no output depends on still belongs to the model
            first_seen.setdefault(id(t.source_layer), len(first_seen))
            by_id[id(t.source_layer)] = t.source_layer
        node_depth: dict[int, int] = {}
        layer_depth: dict[int, int] = {}
        for node in reversed(self._nodes):  # outputs first
            depth = max(node_depth.get(id(node), 0), layer_depth.get(id(node.layer), 0))
            layer_depth[id(node.layer)] = depth
            node_depth[id(node)] = depth
            for t in node.inputs:
                producer = _producer(t)
                node_depth[id(producer)] = max(depth + 1, node_depth.get(id(producer), 0))
        for key in by_id:
            layer_depth.setdefault(key, 0)
        order = sorted(by_id, key=lambda k: (-layer_depth[k], first_seen[k]))
        return [by_id[k] for k in order]

    def _append_node(self, node: Node) -> bool:
        """Extend a chain by `node` (a new layer's first call, on the only output) in O(1),
        giving what `_init_graph(inputs, node's output)` gives; False when the graph is not
        such a chain end (`_init_graph` must run). Sequential.add uses it: n adds cost O(n)."""
        layer = node.layer
        if (
            not self._nodes
            or len(self._layers) != len(self._nodes)  # a layer called twice: not a plain chain
            or len(self.outputs) != 1
            or len(node.inputs) != 1
            or node.inputs[0] is not self.outputs[0]
            or len(node.outputs) != 1
            or self._nodes[-1] is not _producer(self.outputs[0])
            or len(layer._inbound_nodes) != 1  # called before: maybe in this graph already
            or layer._inbound_nodes[0] is not node
            or isinstance(layer, InputLayer)
        ):
            return False
        names = self.__dict__.get("_chain_names")
        if names is None or names[0] is not self._nodes or len(names[1]) != len(self._layers):
            names = self._chain_names = (self._nodes, {x.name for x in self._layers})
        if layer.name in names[1]:
            return False  # _init_graph names the clash
        self._nodes.append(node)
        self._layers.append(layer)
        names[1].add(layer.name)
        self.outputs = [node.outputs[0]]
        self._single_output = True
        if self._track_internal_containers and isinstance(layer, LayersModel):
            self._internal_containers.append(layer)
        self.__dict__.pop("_checked_signatures", None)  # run_graph's cache keys the node list
        return True

    def _check_inputs_reach(self, ins: list[SymbolicTensor]) -> None:
        given = {id(t) for t in ins}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer) and id(node.outputs[0]) not in given:
                raise ValueError(
                    f"Model {self.name}: Graph disconnected: cannot obtain value for tensor "
                    f"{node.layer.name}: the graph needs input {node.layer.name}, which is not "
                    "in `inputs`; pass every tf.input() the outputs depend on."
                )

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def get_layer(self, name: str | int | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index (TF.js's `getLayer(name)`, `getLayer(index)` and
        `getLayer(null, index)`; Keras's `get_layer(name=None, index=None)`)."""
        if index is None and isinstance(name, (int, np.integer)) and not isinstance(name, bool):
            name, index = None, int(name)
        if index is not None:
            layers = self.layers
            if not 0 <= index < len(layers) and not -len(layers) <= index < 0:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index}, but model {self.name} only "
                    f"has {len(layers)} layer(s)."
                )
            return layers[index]
        if name is None:
            raise ValueError("Provide either a layer name or layer index")
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name} (model {self.name} has no layer named so).")

    def calculate_losses(self) -> list[Tensor]:
        """TF.js's `calculateLosses()`: every layer's losses (regularizer penalties and
        `add_loss` terms), computed now."""
        return self.regularization_losses()

    @property
    def stateful(self) -> bool:  # type: ignore[override]
        """True when any layer is stateful (TF.js's Container.stateful)."""
        return any(getattr(layer, "stateful", False) for layer in self.layers)

    def _assert_not_disposed(self) -> None:
        if self.__dict__.get("_refcount") == 0:
            raise ValueError(f"Container '{self.name}' is already disposed.")

    def dispose(self) -> dict[str, int]:
        """TF.js's `model.dispose()`: one reference fewer (a model starts with one, and each
        use as a layer of another model adds one); at zero every layer is disposed (shared
        layers only lose that model's reference) and the model refuses to run."""
        self._assert_not_disposed()
        self._refcount -= 1
        count = 0
        if self._refcount == 0:
            for layer in self.layers:
                count += layer.dispose()["numDisposedVariables"]
            for inner in self._internal_containers:
                if inner.__dict__.get("_refcount") != 0:
                    count += inner.dispose()["numDisposedVariables"]
        return {"refCountAfterDispose": self._refcount, "numDisposedVariables": count}

    def predict(self, *args: Any, **kwargs: Any) -> Any:
        self._assert_not_disposed()
        return TrainingMixin.predict(self, *args, **kwargs)

    def predict_on_batch(self, *args: Any, **kwargs: Any) -> Any:
        self._assert_not_disposed()
        return TrainingMixin.predict_on_batch(self, *args, **kwargs)

    def evaluate(self, *args: Any, **kwargs: Any) -> Any:
        self._assert_not_disposed()
        return TrainingMixin.evaluate(self, *args, **kwargs)

    def fit(self, *args: Any, **kwargs: Any) -> Any:
        self._assert_not_disposed()
        return TrainingMixin.fit(self, *args, **kwargs)

    def train_on_batch(self, *args: Any, **kwargs: Any) -> Any:
        self._assert_not_disposed()
        return TrainingMixin.train_on_batch(self, *args, **kwargs)

    def loadWeights(self, weights: Any, strict: bool = True) -> None:  # noqa: N802  (TF.js's)
        """TF.js's `loadWeights(namedTensorMap, strict = true)`: set weights by their original
        names (`dense_1/kernel`; TF 2.2's `layer/cell/weight` and Keras 3's `layer/0` also
        match). Strict: every given weight must have a target and every weight must be set."""
        items = dict(weights)
        keras_format = bool(items) and next(iter(items)).split("/")[-1].isdigit()
        targets: dict[str, Any] = {}
        total = 0
        for layer in self.layers:
            for i, w in enumerate(layer.weights):
                key = w.name.rsplit("/", 1)[0] + f"/{i}" if keras_format else w.original_name
                if key in targets:
                    raise ValueError(f"Duplicate weight name: {key}")
                targets[key] = w
                total += 1
        pairs = []
        for name, value in items.items():
            key = name
            if key not in targets:
                tokens = name.split("/")
                key = "/".join(tokens[:-2] + tokens[-1:])
            if key in targets:
                pairs.append((targets.pop(key), value))
            elif strict:
                raise ValueError(f"Provided weight data has no target variable: {name}")
        if strict and targets:
            raise ValueError(f"{len(targets)} of {total} weights are not set: {','.join(targets)}")
        arrays = []
        for var, value in pairs:
            arr = np.asarray(value._data if isinstance(value, Tensor) else value)
            if tuple(arr.shape) != tuple(var.shape):
                raise ValueError(
                    f"Shape mismatch: {format_shape(var.shape)} vs. {format_shape(arr.shape)} "
                    f"(weight {var.name})"
                )
            arrays.append((var, arr))
        for var, arr in arrays:
            var.assign(arr)

    def _all_weights(self) -> list[LayerVariable]:
        out: list[LayerVariable] = []
        seen: set[int] = set()
        for layer in self.layers:
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def trainable_weights(self) -> list[LayerVariable]:
        if not self.trainable:
            return []
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self) -> list[LayerVariable]:
        if not self.trainable:
            return self._all_weights()
        return [w for layer in self.layers for w in layer.non_trainable_weights]

    def regularization_losses(self) -> list[Tensor]:
        return [p for layer in self.layers for p in layer.regularization_losses()]

    def reset_states(self) -> None:
        """Reset the states of every stateful layer (TF.js's model.resetStates())."""
        for layer in self.layers:
            if getattr(layer, "stateful", False) or isinstance(layer, LayersModel):
                layer.reset_states()

    @property
    def input_shape(self) -> Any:
        """The inputs' shapes (one shape, or a list for several inputs)."""
        shapes = [t.shape for t in self.inputs]
        if not shapes:
            raise ValueError(f"Model {self.name} has no inputs yet: add or apply a layer first.")
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Any:
        """The outputs' shapes (TF.js's `model.outputShape`: one shape, or a list)."""
        shapes = [t.shape for t in self.outputs]
        if not shapes:
            raise ValueError(
                f"Model {self.name} has no outputs yet, so it has no output shape: add a "
                "layer first."
            )
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def input(self) -> Any:
        return self.inputs[0] if len(self.inputs) == 1 else list(self.inputs)

    @property
    def output(self) -> Any:
        return self.outputs[0] if len(self.outputs) == 1 else list(self.outputs)

    @property
    def input_layers(self) -> list[Layer]:
        return [t.source_layer for t in self.inputs]

    @property
    def output_layers(self) -> list[Layer]:
        return [t.source_layer for t in self.outputs]

    @property
    def input_names(self) -> list[str]:
        return [t.source_layer.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        return [t.source_layer.name for t in self.outputs]

    # -- running ----------------------------------------------------------------------------
    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape(s) for inputs of `input_shape`, through every layer's
        compute_output_shape (the recorded shapes when a layer cannot say)."""
        shapes = [t.shape for t in self.outputs]
        given = input_shape if _is_shape_list_like(input_shape) else [input_shape]
        if (
            len(given) == len(self.inputs)
            and given
            and any(tuple(g) != tuple(t.shape) for g, t in zip(given, self.inputs))
        ):
            try:
                shapes = self._propagate_shapes([tuple(g) for g in given])
            except Exception:  # a layer that cannot compute it: the recorded shapes
                pass
        return shapes[0] if len(shapes) == 1 else shapes

    def _propagate_shapes(self, given: list[tuple]) -> list[tuple]:
        known: dict[int, Any] = {id(t): s for t, s in zip(self.inputs, given)}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            structure = getattr(node, "structure", node.inputs)
            ins = _substitute_shapes(structure, known)
            out = node.layer.compute_output_shape(ins)
            outs = (
                out
                if isinstance(out, list) and out and isinstance(out[0], (list, tuple))
                else [out]
            )
            for sym, shape in zip(node.outputs, outs):
                known[id(sym)] = tuple(shape)
        return [known[id(t)] for t in self.outputs]

    def build(self, input_shape: Any) -> None:
        pass

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Any:
        outs, _ = self.run_graph(inputs, training=training, masks=mask)
        return outs[0] if len(outs) == 1 and self._single_output else outs

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        _, masks = self.run_graph(inputs, training=False, masks=mask)
        return masks[0] if len(masks) == 1 else masks

    def run_graph(
        self, inputs: Any, training: bool = False, masks: Any = None
    ) -> tuple[list[Tensor], list[Tensor | None]]:
        """Run every node on concrete tensors; the outputs and their masks."""
        xs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(xs) != len(self.inputs):
            raise ValueError(
                f"Model {self.name} expects {len(self.inputs)} input(s), got {len(xs)}."
            )
        in_masks = list(masks) if isinstance(masks, (list, tuple)) else [masks] * len(xs)
        # Once the graph ran on inputs of these shapes with every layer's checks passing, the
        # same shapes flow through every layer again: later runs call the layers directly,
        # without `apply`'s conversion, input checks and build step (per-batch overhead).
        signature = None
        if all(type(x) is Tensor for x in xs):
            signature = tuple(x._data.shape for x in xs)
        checked = self.__dict__.get("_checked_signatures")
        if checked is None or checked[0] is not self._nodes:
            checked = self._checked_signatures = (self._nodes, set())
        direct = signature is not None and signature in checked[1]
        values: dict[int, Any] = {}
        mask_of: dict[int, Any] = {}
        for sym, x, m in zip(self.inputs, xs, in_masks):
            values[id(sym)] = x
            mask_of[id(sym)] = m
        for node in self._nodes:
            layer = node.layer
            if isinstance(layer, InputLayer):
                continue
            args, kwargs, in_mask = node_arguments(node, values, mask_of)
            if isinstance(layer, LayersModel):  # outputs and masks from one run
                layer._assert_not_disposed()
                sub_outs, sub_masks = layer.run_graph(args, training=training, masks=in_mask)
                single = len(sub_outs) == 1 and layer._single_output
                out = sub_outs[0] if single else sub_outs
                out_mask = sub_masks[0] if single else sub_masks
            elif direct:
                out = layer.call(args, training=training, **kwargs)
            else:
                out = layer.apply(args, training=training, **kwargs)
            if isinstance(layer, LayersModel):
                pass
            elif (
                in_mask is None
                or layer.supports_masking
                or (type(layer).compute_mask is not Layer.compute_mask)
            ):
                out_mask = layer.compute_mask(args, in_mask)
            else:
                out_mask = None  # a layer that does not support masking stops the mask
            outs = out if isinstance(out, (list, tuple)) else [out]
            out_masks = out_mask if isinstance(out_mask, (list, tuple)) else [out_mask] * len(outs)
            for sym, value, m in zip(node.outputs, outs, out_masks):
                values[id(sym)] = value
                mask_of[id(sym)] = m
        if signature is not None:
            checked[1].add(signature)
        return [values[id(t)] for t in self.outputs], [mask_of[id(t)] for t in self.outputs]

    # -- config -----------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """TF.js's functional config: layers with inbound nodes, input and output layers."""
        in_graph = {id(n) for n in self._nodes}
        node_index: dict[int, int] = {}
        for layer in self.layers:
            kept = [n for n in layer._inbound_nodes if id(n) in in_graph]
            for i, n in enumerate(kept):
                node_index[id(n)] = i
        layer_configs = []
        for layer in self.layers:
            inbound = []
            for n in layer._inbound_nodes:
                if id(n) not in in_graph or isinstance(layer, InputLayer):
                    continue
                inbound.append(
                    [
                        [t.source_layer.name, node_index[id(_producer(t))], t.tensor_index, {}]
                        for t in n.inputs
                    ]
                )
            layer_configs.append(
                {
                    "name": layer.name,
                    "class_name": layer.class_name,
                    "config": layer.get_config(),
                    "inbound_nodes": inbound,
                }
            )

        def ref(t: SymbolicTensor) -> list:
            return [t.source_layer.name, node_index[id(_producer(t))], t.tensor_index]

        return {
            "name": self.name,
            "layers": layer_configs,
            "input_layers": [ref(t) for t in self.inputs],
            "output_layers": [ref(t) for t in self.outputs],
        }

    # -- files (models.saving) --------------------------------------------------------------
    @classmethod
    def from_config(cls, *args: Any) -> LayersModel:
        """A model from its `get_config()` (fresh weights); TF.js's `fromConfig(cls, config)`
        too."""
        cls, config = tfjs_style.config_args(cls, args)

        name = (
            cls.class_name if cls.class_name in ("Sequential", "Model", "Functional") else "Model"
        )
        return persistence("model_from_config")({"class_name": name, "config": config})

    def save(
        self,
        path: Any,
        include_optimizer: bool = False,
        shard_size: int | bool | None = None,
        quantization: Any = None,
        metadata: dict[str, Any] | None = None,
    ) -> Any:
        """Save as a TF.js layers-model folder (model.json + weights.bin); see models.saving."""
        save_model = persistence("save_model")
        return save_model(self, path, include_optimizer, shard_size, quantization, metadata)

    def to_json(self, unused: Any = None, return_string: bool = True, **kwargs: Any) -> Any:
        """The topology as JSON text, as TF.js's `model.toJSON()` (with `returnString=False`
        the parsed object)."""
        text = persistence("model_to_json")(self)
        if kwargs.get("returnString", return_string):
            return text
        return json.loads(text)

    toJSON = to_json  # noqa: N815  (TF.js's name)

    def __repr__(self) -> str:
        ins = ", ".join(format_shape(t.shape) for t in self.inputs)
        return f"<{self.class_name} {self.name} inputs=[{ins}]>"


def _is_shape_list_like(x: Any) -> bool:
    return isinstance(x, list) and len(x) > 0 and all(isinstance(s, (tuple, list)) for s in x)


def _substitute_shapes(structure: Any, known: dict[int, Any]) -> Any:
    if isinstance(structure, SymbolicTensor):
        return known.get(id(structure), structure.shape)
    if isinstance(structure, (list, tuple)):
        return [_substitute_shapes(s, known) for s in structure]
    return structure


getSourceInputs = get_source_inputs  # noqa: N816  (TF.js's name)


def model(
    inputs: Any = None, outputs: Any = None, name: str | None = None, **kwargs: Any
) -> LayersModel:
    """A functional model (`tf.model({inputs, outputs})`, or keywords)."""
    if _options.is_options(inputs):
        kwargs = {**inputs, **kwargs}
        inputs = None
    given = {"inputs": inputs, "outputs": outputs, "name": name}
    made = LayersModel(**{k: v for k, v in given.items() if v is not None}, **kwargs)
    if not made.outputs:
        raise ValueError("model(): give both `inputs` (from tf.input()) and `outputs`.")
    return made


def _as_list(x: Any) -> list:
    return list(x) if isinstance(x, Sequence) and not isinstance(x, (str, np.ndarray)) else [x]
