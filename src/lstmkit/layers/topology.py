"""Where layers sit in a graph: the symbolic tensors they are wired with, the `Node` each call
records, what a layer accepts (`InputSpec` and its checks), and the shape helpers all of them use.

A layer called on `SymbolicTensor`s (from `tf.input()`) records a `Node` and returns symbolic
outputs; `LayerNodes` gives a layer TF.js's views of its nodes (`inboundNodes`, `inputShape`,
`getOutputAt`, ...). `Layer` itself is in `layers/base.py`.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._names import BothSpellings, add_camel_case_aliases, to_snake_case
from ..tensor import Tensor, as_tensor

Shape = tuple  # a shape with None for unknown dimensions

_uids: dict[str, itertools.count] = defaultdict(lambda: itertools.count(1))
_node_ids = itertools.count()  # TF.js's node `id`s


def unique_name(prefix: str) -> str:
    """`prefix` + a counter per prefix in this process, as TF.js's getUid."""
    return f"{prefix}{next(_uids[prefix])}"


def default_layer_name(class_name: str) -> str:
    """TF.js's default: snake(className) + '_' + className + counter, e.g. lstm_LSTM1."""
    return unique_name(f"{to_snake_case(class_name)}_{class_name}")


def format_shape(shape: Sequence[int | None] | None) -> str:
    """A shape as TF.js writes it in messages: [null,4,2]."""
    if shape is None:
        return "null"
    return "[" + ",".join("null" if d is None else str(d) for d in shape) + "]"


class InputSpec:
    """What a layer accepts as input (TF.js's `InputSpec`): `dtype`, `shape`, `ndim`,
    `maxNDim`, `minNDim`, `axes` ({axis: size}); checked by `assert_input_compatibility`.
    A `shape` fixes `ndim` to its length. Takes TF.js's one dict or keywords, either spelling.
    """

    def __init__(self, args: Mapping[str, Any] | None = None, **kwargs: Any):
        given = {**(dict(args) if args else {}), **kwargs}
        opts = {to_snake_case(k).replace("n_dim", "ndim"): v for k, v in given.items()}
        unknown = set(opts) - {"dtype", "shape", "ndim", "max_ndim", "min_ndim", "axes"}
        if unknown:
            raise ValueError(f"InputSpec: unknown options {sorted(unknown)}.")
        self.dtype: str | None = opts.get("dtype")
        shape = opts.get("shape")
        self.shape: list | None = None if shape is None else list(shape)
        self.ndim: int | None = len(shape) if shape is not None else opts.get("ndim")
        self.max_ndim: int | None = opts.get("max_ndim")
        self.min_ndim: int | None = opts.get("min_ndim")
        self.axes: dict[int, int] = {int(k): v for k, v in (opts.get("axes") or {}).items()}

    @property
    def maxNDim(self) -> int | None:  # noqa: N802  (TF.js's name)
        return self.max_ndim

    @property
    def minNDim(self) -> int | None:  # noqa: N802  (TF.js's name)
        return self.min_ndim

    def __repr__(self) -> str:
        fields = ("dtype", "shape", "ndim", "max_ndim", "min_ndim")
        given = {k: getattr(self, k) for k in fields if getattr(self, k) is not None}
        return f"InputSpec({given}{', axes=' + str(self.axes) if self.axes else ''})"


class SymbolicTensor:
    """A placeholder in a functional graph: a shape (None for the batch) and where it comes from.

    Made by `tf.input()` and `layer.apply()`. TF.js's constructor order also works
    (`SymbolicTensor('float32', [16, 10, 8], None, [], None)`): a free-standing placeholder
    a layer can be applied to, to see its output shape.
    """

    def __init__(
        self,
        shape: Any,
        dtype: Any,
        layer: Any = None,
        node_index: Any = 0,
        tensor_index: Any = 0,
        name: str | None = None,
        output_tensor_index: int | None = None,
    ):
        self.inputs: list[SymbolicTensor] = []  # what the producing call took (TF.js)
        self.call_args: dict[str, Any] = {}
        if isinstance(shape, str):  # TF.js: (dtype, shape, sourceLayer, inputs, callArgs, ...)
            shape, dtype = dtype, shape
            self.inputs = list(node_index or [])
            self.call_args = dict(tensor_index or {})
            node_index, tensor_index = 0, output_tensor_index or 0
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.source_layer = layer
        self.node_index = int(node_index)
        self.tensor_index = int(tensor_index)
        self.output_tensor_index = self.tensor_index
        self.id = next(_node_ids)
        if name is not None:
            self.name = name
        elif layer is None:
            self.name = "symbolic_tensor"
        else:
            self.name = f"{layer.name}/{layer.name}" if tensor_index == 0 else layer.name

    @property
    def rank(self) -> int:
        return len(self.shape)

    def __getattr__(self, name: str) -> Any:
        """TF.js's camelCase spelling of an attribute (`sourceLayer`, `nodeIndex`, ...)."""
        if "_" not in name and name[:1].islower() and name != name.lower():
            snake = to_snake_case(name)
            if snake in self.__dict__:
                return self.__dict__[snake]
        raise AttributeError(f"'SymbolicTensor' object has no attribute {name!r}")

    def __repr__(self) -> str:
        return (
            f"SymbolicTensor(shape={format_shape(self.shape)}, dtype={self.dtype}, "
            f"from={getattr(self.source_layer, 'name', None)})"
        )


class Node:
    """One call of a layer in a graph: the symbolic inputs it took and outputs it made.

    `Node(layer, inputs, kwargs)` here; TF.js's `new Node({outboundLayer, inboundLayers,
    nodeIndices, tensorIndices, inputTensors, outputTensors, inputMasks, outputMasks,
    inputShapes, outputShapes}, callArgs)` too, which (as TF.js) adds the node to the inbound
    layers' `outboundNodes` and to the outbound layer's `inboundNodes`.
    """

    def __init__(self, layer: Any, inputs: Any = None, kwargs: Any = None):
        self._given: dict[str, Any] = {}
        if isinstance(layer, Mapping):  # TF.js's NodeArgs and callArgs
            given = {to_snake_case(k): v for k, v in layer.items()}
            self._given = given
            layer = given["outbound_layer"]
            kwargs, inputs = inputs, list(given.get("input_tensors") or [])
            self.outputs: list[SymbolicTensor] = list(given.get("output_tensors") or [])
        else:
            self.outputs = []
        self.layer: Any = layer
        self.inputs: list[SymbolicTensor] = list(inputs or [])
        self.kwargs: dict[str, Any] = dict(kwargs or {})
        self.id = next(_node_ids)
        if self._given:
            for inbound in self._given.get("inbound_layers") or []:
                if inbound is not None:
                    inbound._outbound_nodes.append(self)
            layer._inbound_nodes.append(self)

    @property
    def outbound_layer(self) -> Any:
        """The layer this node is a call of (TF.js's `outboundLayer`)."""
        return self.layer

    @property
    def inbound_layers(self) -> list[Any]:
        """The layers that made this call's inputs."""
        if "inbound_layers" in self._given:
            return list(self._given["inbound_layers"])
        return [t.source_layer for t in self.inputs]

    @property
    def node_indices(self) -> list[int]:
        if "node_indices" in self._given:
            return list(self._given["node_indices"])
        return [t.node_index for t in self.inputs]

    @property
    def tensor_indices(self) -> list[int]:
        if "tensor_indices" in self._given:
            return list(self._given["tensor_indices"])
        return [t.tensor_index for t in self.inputs]

    @property
    def input_tensors(self) -> list[SymbolicTensor]:
        if not self.inputs and not self._given and self.outputs:  # an InputLayer's node
            return list(self.outputs)
        return list(self.inputs)

    @property
    def output_tensors(self) -> list[SymbolicTensor]:
        return list(self.outputs)

    @property
    def input_masks(self) -> list[Any]:
        if "input_masks" in self._given:
            return list(self._given["input_masks"])
        return [None] * len(self.input_tensors)

    @property
    def output_masks(self) -> list[Any]:
        if "output_masks" in self._given:
            return list(self._given["output_masks"])
        return [None] * len(self.outputs)

    @property
    def call_args(self) -> dict[str, Any]:
        return self.kwargs

    @property
    def input_shapes(self) -> list[Shape]:
        if "input_shapes" in self._given:
            return list(self._given["input_shapes"])
        return [t.shape for t in self.input_tensors]

    @property
    def output_shapes(self) -> list[Shape]:
        if "output_shapes" in self._given:
            return list(self._given["output_shapes"])
        return [t.shape for t in self.outputs]

    def get_config(self) -> dict[str, Any]:
        """TF.js's SerializableNodeConfig: layer names and indices (either spelling)."""
        return BothSpellings(
            {
                "outbound_layer": self.layer.name if self.layer is not None else None,
                "inbound_layers": [None if x is None else x.name for x in self.inbound_layers],
                "node_indices": self.node_indices,
                "tensor_indices": self.tensor_indices,
            }
        )

    getConfig = get_config  # noqa: N815  (TF.js's name)


def _flat(x: Any) -> list:
    """The leaves of nested lists and tuples, in order (iterative: any depth)."""
    if not isinstance(x, (list, tuple)):
        return [x]
    out: list = []
    stack = [iter(x)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, (list, tuple)):
                stack.append(iter(item))
                break
            out.append(item)
        else:
            stack.pop()
    return out


class LayerNodes:
    """TF.js's views of a layer's calls in graphs (`inboundNodes`, `inputShape`, `output`,
    `getInputAt`, ...), read from the nodes `Layer` records in `_inbound_nodes`."""

    name: str
    _inbound_nodes: list[Node]

    @property
    def inbound_nodes(self) -> list[Node]:
        return self._inbound_nodes

    @property
    def input_shape(self) -> Any:
        """The input shape of the first call (one shape, or a list for several inputs)."""
        if not self._inbound_nodes:
            raise ValueError(
                f"The layer {self.name} has never been called and thus has no defined input "
                "shape: apply it to an input first."
            )
        shapes = self._inbound_nodes[0].input_shapes
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Any:
        if not self._inbound_nodes:
            raise ValueError(
                f"The layer {self.name} has never been called and thus has no defined output shape."
            )
        all_shapes = [_js_shape(n.output_shapes) for n in self._inbound_nodes]
        if len(set(all_shapes)) > 1:
            raise ValueError(
                f"The layer {self.name} has multiple inbound nodes with different output "
                'shapes. Hence the notion of "output shape" is ill-defined for the layer.'
            )
        shapes = self._inbound_nodes[0].output_shapes
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def input(self) -> Any:
        """The layer's input (TF.js: an error when it was called more than once)."""
        if len(self._inbound_nodes) > 1:
            raise ValueError(
                f'Layer {self.name} with multiple inbound nodes, the "layer input" is '
                "ill-defined. Use `getInputAt(nodeIndex)` instead."
            )
        if not self._inbound_nodes:
            raise ValueError(f"Layer {self.name} is not connected, no input to return.")
        return self.get_input_at(0)

    @property
    def output(self) -> Any:
        if not self._inbound_nodes:
            raise ValueError(f"Layer {self.name} has no inbound nodes.")
        if len(self._inbound_nodes) > 1:
            raise ValueError(
                f'Layer {self.name} with multiple inbound nodes, the "layer output" is '
                "ill-defined. Use `getOutputAt(nodeIndex)` instead."
            )
        return self.get_output_at(0)

    def _node_at(self, node_index: int, what: str) -> Node:
        if not 0 <= node_index < len(self._inbound_nodes):
            raise ValueError(
                f"Asked to get {what} at node {node_index}, but the layer has only "
                f"{len(self._inbound_nodes)} inbound nodes."
            )
        return self._inbound_nodes[node_index]

    def get_input_at(self, node_index: int) -> Any:
        """The input(s) of the layer's `node_index`-th call (TF.js's getInputAt)."""
        ins = self._node_at(node_index, "input").input_tensors
        return ins[0] if len(ins) == 1 else ins

    def get_output_at(self, node_index: int) -> Any:
        """The output(s) of the layer's `node_index`-th call (TF.js's getOutputAt)."""
        outs = self._node_at(node_index, "output").outputs
        return outs[0] if len(outs) == 1 else outs


def _js_shape(shape: Any) -> str:
    """A shape as JSON.stringify writes it: [null,4,2]."""
    return json.dumps(_plain_shape(shape), separators=(",", ":"))


def _plain_shape(shape: Any) -> Any:
    if isinstance(shape, (list, tuple)):
        return [_plain_shape(d) for d in shape]
    return shape


def check_input_spec(layer: Any, inputs: Any, specs: Any) -> None:
    """TF.js's assertInputCompatibility against `layer.input_spec` (TF.js's words)."""
    xs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    specs = list(specs) if isinstance(specs, (list, tuple)) else [specs]
    if len(xs) != len(specs):
        raise ValueError(
            f"Layer {layer.name} expects {len(specs)} inputs, but it received {len(xs)} input "
            "tensors."
        )
    for i, (x, spec) in enumerate(zip(xs, specs)):
        if spec is None:
            continue
        if isinstance(spec, Mapping):
            spec = InputSpec(spec)
        shape = tuple(x.shape)
        ndim = len(shape)
        where = f"Input {i} is incompatible with layer {layer.name}"
        if spec.ndim is not None and ndim != spec.ndim:
            raise ValueError(f"{where}: expected ndim={spec.ndim}, found ndim={ndim}")
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ValueError(f"{where}: expected max_ndim={spec.max_ndim}, found ndim={ndim}")
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ValueError(f"{where}: expected min_ndim={spec.min_ndim}, found ndim={ndim}.")
        dtype = getattr(x, "dtype", None)
        if spec.dtype is not None and dtype is not None and str(dtype) != spec.dtype:
            raise ValueError(f"{where} : expected dtype={spec.dtype}, found dtype={dtype}.")
        for axis, value in spec.axes.items():
            at = shape[axis] if -ndim <= axis < ndim else "missing"
            if value is not None and at not in (value, None):
                raise ValueError(
                    f"{where}: expected axis {axis} of input shape to have value {value} but "
                    f"got shape {format_shape(shape)}."
                )
        if spec.shape is not None:
            for want, dim in zip(spec.shape, shape):
                if want is not None and dim is not None and want != dim:
                    raise ValueError(
                        f"{where}: expected shape={format_shape(spec.shape)}, found "
                        f"shape={format_shape(shape)}."
                    )


def check_axis_size(layer: Any, shapes: Any, axis: int, size: int | None) -> None:
    """Refuse an input whose `axis` differs from the size the layer was built for."""
    if size is None:
        return
    for shape in shapes if _is_shape_list(shapes) else [shapes]:
        ax = axis if axis >= 0 else len(shape) + axis
        if 0 <= ax < len(shape) and shape[ax] is not None and shape[ax] != size:
            raise ValueError(
                f"Input 0 is incompatible with layer {layer.name}: expected axis {axis} of "
                f"input shape to have value {size} but got shape {format_shape(shape)}. The "
                f"layer was built for inputs with {size} features there; feed matching data "
                "or create a new layer."
            )


def _shape_tuple(shape: Any) -> Shape:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(None if d is None or d == -1 else int(d) for d in shape)


def _is_shape_list(x: Any) -> bool:
    """True for a list of shapes ([[None, 3], [None, 4]]), False for one shape."""
    return isinstance(x, list) and len(x) > 0 and all(isinstance(s, (tuple, list)) for s in x)


def _shapes_of(inputs: Any) -> Any:
    if isinstance(inputs, (list, tuple)):
        return [tuple(t.shape) for t in inputs]
    return tuple(inputs.shape)


def to_tensors(inputs: Any, where: str) -> Any:
    """A concrete call's inputs as Tensors (nested lists kept), or an error naming the layer."""
    if isinstance(inputs, (list, tuple)):
        return [to_tensors(i, where) for i in inputs]
    if isinstance(inputs, Tensor):
        return inputs
    try:
        return as_tensor(inputs, where)
    except ValueError as e:
        raise ValueError(f"Layer {where}: input could not be read as a tensor: {e}") from None


add_camel_case_aliases(Node)
add_camel_case_aliases(InputSpec)
add_camel_case_aliases(LayerNodes)
