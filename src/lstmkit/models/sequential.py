"""`Sequential`: a linear stack of layers (`tf.sequential`).

As in TF.js, the first layer must know its input shape (`input_shape` or `batch_input_shape`);
an implicit InputLayer named `<first layer>_input` starts the graph and is not listed in
`layers`. Each `add` applies the new layer to the current output, so shapes are checked and
weights built as layers are added.
"""

from __future__ import annotations

from typing import Any

from .. import _options
from ..layers.base import Layer
from ..layers.input_layer import InputLayer
from ..layers.topology import SymbolicTensor, unique_name
from .functional import LayersModel


class Sequential(LayersModel):
    class_name = "Sequential"
    _track_internal_containers = False

    def __init__(self, layers: Any = None, name: str | None = None, **kwargs: Any):
        """`Sequential([...])` (Keras: `Sequential(layers=None, trainable=True, name=None)`)
        or TF.js's `new tf.Sequential({layers, name})`."""
        config = None
        if _options.is_options(layers):
            config, layers = layers, None
        given = {k: v for k, v in {"layers": layers, "name": name}.items() if v is not None}
        opts = _options.merge_options(
            "sequential()", config, {**given, **kwargs}, ("layers", "name", "trainable")
        )
        layers, name = opts.get("layers"), opts.get("name")
        super().__init__(name=name or unique_name("sequential_"))
        if opts.get("trainable") is False:
            self.trainable = False
        self._stack: list[Layer] = []
        self._explicit_input: InputLayer | None = None  # an InputLayer the user added first
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)

    def add(self, layer: Layer) -> None:
        """Append a layer and wire it to the current output. The first item may be an input
        (`tf.input(...)`, Keras's `Input(shape=...)`): the model starts from it."""
        if isinstance(layer, SymbolicTensor) and isinstance(layer.source_layer, InputLayer):
            layer = layer.source_layer
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Sequential.add() expects a layer (e.g. tf.layers.dense(...)), got "
                f"{type(layer).__name__}."
            )
        if isinstance(layer, LayersModel):  # TF.js: a model as a layer has one output, one input
            if len(layer.outputs) != 1:
                raise ValueError(
                    "All layers in a Sequential model should have a single output tensor. For "
                    f"multi-output layers, use the functional API. ({layer.name} has "
                    f"{len(layer.outputs)} outputs.)"
                )
            if len(layer.inputs) != 1:
                raise ValueError(
                    "All layers in a Sequential model should have a single input tensor. For "
                    f"multi-input layers, use the functional API. ({layer.name} has "
                    f"{len(layer.inputs)} inputs.)"
                )
        if isinstance(layer, InputLayer):
            if self._stack or self.outputs:
                raise ValueError("Sequential.add(): an InputLayer can only come first.")
            self.inputs = [layer._inbound_nodes[0].outputs[0]]
            self.outputs = list(self.inputs)
            self._explicit_input = layer
            return
        if not self.outputs and isinstance(layer, LayersModel) and len(layer.inputs) == 1:
            start = layer.inputs[0]  # a model first: the stack starts from its input's shape
            inp = InputLayer(
                batch_input_shape=start.shape, dtype=start.dtype, name=f"{layer.name}_input"
            )
            self.inputs = [inp._inbound_nodes[0].outputs[0]]
            self.outputs = list(self.inputs)
        if not self.outputs:
            if layer.batch_input_shape is None:
                raise ValueError(
                    "The first layer in a Sequential model must get an `inputShape` or "
                    f"`batchInputShape` argument: give {layer.name} input_shape=[...] "
                    "(the shape of one sample, e.g. [timesteps, features] for an LSTM)."
                )
            inp = InputLayer(
                batch_input_shape=layer.batch_input_shape,
                dtype=layer.dtype,
                name=f"{layer.name}_input",
            )
            self.inputs = [inp._inbound_nodes[0].outputs[0]]
            self.outputs = list(self.inputs)
        out = layer.apply(self.outputs[0])
        if isinstance(out, list):
            if len(out) != 1:
                raise ValueError(
                    f"All layers in a Sequential model should have a single output tensor; "
                    f"{layer.name} has {len(out)}. Use the functional API (tf.model) instead."
                )
            out = out[0]
        if any(d is not None and d < 0 for d in out.shape):  # TF.js's checkShape
            raise ValueError(
                f"Negative dimension size caused by adding layer {layer.name} with input shape "
                f"[{','.join('null' if d is None else str(d) for d in self.outputs[0].shape)}]"
            )
        self._stack.append(layer)
        producer = out.source_layer._inbound_nodes[out.node_index]
        if not self._append_node(producer):  # O(1) at a chain's end, else the whole graph
            self._init_graph(self.inputs[0], out)

    def _check_compiled(self, what: str) -> None:
        """TF.js's Sequential refuses fit/evaluate before compile with its own words."""
        if self.optimizer is None:
            raise ValueError(
                f"The model needs to be compiled before being used ({what}): call "
                "model.compile(optimizer='adam', loss='meanSquaredError') first."
            )

    def pop(self) -> None:
        """Remove the last layer."""
        if not self._stack:
            raise ValueError("There are no layers in the model.")
        self._stack.pop()
        if not self._stack:
            self.outputs = list(self.inputs)
            self._nodes = []
            self._layers = []
            return
        last = self._stack[-1]
        self._init_graph(self.inputs[0], last._inbound_nodes[-1].outputs[0])

    def get_config(self) -> dict[str, Any]:
        layers = []
        if self._explicit_input is not None:
            layers.append({"class_name": "InputLayer", "config": self._explicit_input.get_config()})
        for layer in self._stack:
            layers.append({"class_name": layer.class_name, "config": layer.get_config()})
        return {"name": self.name, "layers": layers}


def sequential(layers: Any = None, name: str | None = None, **kwargs: Any) -> Sequential:
    """A Sequential model (`tf.sequential()`, `tf.sequential({"layers": [...]})`, or
    `tf.sequential([...], name=...)`)."""
    return Sequential(layers, name, **kwargs)
