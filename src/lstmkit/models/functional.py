"""`LayersModel`: a graph of layers from symbolic inputs to outputs (`tf.model`).

The graph is the `Node`s recorded when layers were applied to symbolic tensors. Running the
model walks those nodes in dependency order on concrete tensors, passing each layer the masks
its inputs carry (from Embedding(mask_zero) or Masking) as TF.js's executor does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _options
from ..layers.base import (
    Layer,
    LayerVariable,
    Node,
    SymbolicTensor,
    _flat,
    format_shape,
    unique_name,
)
from ..layers.input_layer import InputLayer
from ..tensor import Tensor
from .training import TrainingMixin


def _substitute(structure: Any, values: dict[int, Any]) -> Any:
    """`structure` with every SymbolicTensor replaced by its value."""
    if isinstance(structure, SymbolicTensor):
        return values[id(structure)]
    if isinstance(structure, (list, tuple)):
        return [_substitute(s, values) for s in structure]
    if isinstance(structure, dict):
        return {k: _substitute(v, values) for k, v in structure.items()}
    return structure


class LayersModel(TrainingMixin, Layer):
    """A model of layers wired from `inputs` to `outputs` (TF.js's `tf.LayersModel`)."""

    class_name = "Model"
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
        Layer.__init__(self, name=name or unique_name("model"))
        if opts.get("trainable") is False:
            self.trainable = False
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
        for t in ins:
            if not isinstance(t.source_layer, InputLayer):
                raise ValueError(
                    f"Model {self.name}: every input must come from tf.input(); "
                    f"{t.source_layer.name} is a {t.source_layer.class_name}."
                )
        self.inputs, self.outputs = ins, outs
        self._single_output = not isinstance(outputs, (list, tuple))
        self._nodes = self._collect_nodes(outs)
        reached = {id(n.layer) for n in self._nodes}
        for t in ins:
            if id(t.source_layer) not in reached:
                self._nodes.insert(0, t.source_layer._inbound_nodes[0])
                reached.add(id(t.source_layer))
        self._check_inputs_reach(ins)
        self._layers = self._layers_by_depth(outs)
        self.built = True

    def _layers_by_depth(self, outs: list[SymbolicTensor]) -> list[Layer]:
        """TF.js's `model.layers` order (container.ts): deepest first (the inputs), ties in the
        order a depth-first walk from the outputs first meets the layers."""
        first_seen: dict[int, int] = {}
        by_id: dict[int, Layer] = {}

        def walk(t: SymbolicTensor, done: set[int]) -> None:
            node = _producer(t)
            if id(node) in done:
                return
            first_seen.setdefault(id(node.layer), len(first_seen))
            by_id[id(node.layer)] = node.layer
            for i in node.inputs:
                walk(i, done)
            done.add(id(node))

        done: set[int] = set()
        for t in outs:
            walk(t, done)
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

    def _collect_nodes(self, outs: list[SymbolicTensor]) -> list[Node]:
        """Nodes the outputs depend on, each after the nodes that feed it."""
        order: list[Node] = []
        seen: set[int] = set()

        def visit(t: SymbolicTensor) -> None:
            node = t.source_layer._inbound_nodes[t.node_index]
            if id(node) in seen:
                return
            seen.add(id(node))
            for i in node.inputs:
                visit(i)
            order.append(node)

        for t in outs:
            visit(t)
        return order

    def _check_inputs_reach(self, ins: list[SymbolicTensor]) -> None:
        given = {id(t) for t in ins}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer) and id(node.outputs[0]) not in given:
                raise ValueError(
                    f"Model {self.name}: the graph needs input {node.layer.name}, which is not "
                    "in `inputs`; pass every tf.input() the outputs depend on."
                )

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"Model {self.name} has no layer named {name!r}.")

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
    def input_names(self) -> list[str]:
        return [t.source_layer.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        return [t.source_layer.name for t in self.outputs]

    # -- running ----------------------------------------------------------------------------
    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

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
            structure = getattr(node, "structure", node.inputs)
            args = _substitute(structure, values)
            kwargs = _substitute(node.kwargs, values)
            in_mask = _substitute(structure, mask_of)
            if isinstance(in_mask, list) and all(m is None for m in _flat(in_mask)):
                in_mask = None
            if in_mask is not None:
                kwargs["mask"] = in_mask
            if direct:
                out = layer.call(args, training=training, **kwargs)
            else:
                out = layer.apply(args, training=training, **kwargs)
            out_mask = layer.compute_mask(args, in_mask)
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
        node_index: dict[int, int] = {}
        for layer in self.layers:
            kept = [n for n in layer._inbound_nodes if n in self._nodes]
            for i, n in enumerate(kept):
                node_index[id(n)] = i
        layer_configs = []
        for layer in self.layers:
            inbound = []
            for n in layer._inbound_nodes:
                if n not in self._nodes or isinstance(layer, InputLayer):
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
        from ..layers.tfjs_style import config_args
        from .serialization import model_from_config

        cls, config = config_args(cls, args)

        return model_from_config({"class_name": cls.class_name, "config": config})

    def save(
        self,
        path: Any,
        include_optimizer: bool = False,
        shard_size: int | bool | None = None,
        quantization: Any = None,
        metadata: dict[str, Any] | None = None,
    ) -> Any:
        """Save as a TF.js layers-model folder (model.json + weights.bin); see models.saving."""
        from .saving import save_model  # saving builds on this class: imported when called

        return save_model(self, path, include_optimizer, shard_size, quantization, metadata)

    def to_json(self, unused: Any = None, return_string: bool = True, **kwargs: Any) -> Any:
        """The topology as JSON text, as TF.js's `model.toJSON()` (with `returnString=False`
        the parsed object)."""
        import json

        from .saving import model_to_json

        text = model_to_json(self)
        if kwargs.get("returnString", return_string):
            return text
        return json.loads(text)

    toJSON = to_json  # noqa: N815  (TF.js's name)

    def __repr__(self) -> str:
        ins = ", ".join(format_shape(t.shape) for t in self.inputs)
        return f"<{self.class_name} {self.name} inputs=[{ins}]>"


def _producer(t: SymbolicTensor) -> Node:
    return t.source_layer._inbound_nodes[t.node_index]


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
