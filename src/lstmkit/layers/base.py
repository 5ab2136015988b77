"""`Layer`, the symbolic tensors layers are wired with, and option handling shared by all layers.

A layer is called either on concrete data (Tensors, NumPy arrays, lists), which runs it, or on
`SymbolicTensor`s from `tf.input()`, which records a graph `Node` for a functional model and
returns symbolic outputs whose shapes come from `compute_output_shape`. Either way the layer
builds its weights on first use from the input shape, as TF.js does.

Options are snake_case; TF.js's camelCase spellings are accepted too (`inputShape`,
`returnSequences`), as keywords or as one dict, through `make_layer`.
"""

from __future__ import annotations

import contextvars
import difflib
import inspect
import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from .. import constraints as constraints_mod
from .. import initializers as initializers_mod
from .. import regularizers as regularizers_mod
from .._names import to_camel_case, to_snake_case
from ..engine.api import Variable
from ..tensor import Tensor, as_tensor
from . import registry

Shape = tuple  # a shape with None for unknown dimensions

_uids: dict[str, itertools.count] = defaultdict(lambda: itertools.count(1))

# While a model is built from a file, `io` sets a check here that sees every weight before it is
# allocated (sizes against the weight files) and may replace its initializer; None otherwise.
weight_check: contextvars.ContextVar[Callable[..., Any] | None] = contextvars.ContextVar(
    "weight_check", default=None
)


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


class LayerVariable(Variable):
    """A layer's weight: a Variable that knows its saved name, regularizer and constraint."""

    __slots__ = ("original_name", "regularizer", "constraint")


class SymbolicTensor:
    """A placeholder in a functional graph: a shape (None for the batch) and where it comes from."""

    def __init__(self, shape: Shape, dtype: str, layer: Layer, node_index: int, tensor_index: int):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.source_layer = layer
        self.node_index = node_index
        self.tensor_index = tensor_index
        self.name = f"{layer.name}/{layer.name}" if tensor_index == 0 else layer.name

    @property
    def rank(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return (
            f"SymbolicTensor(shape={format_shape(self.shape)}, dtype={self.dtype}, "
            f"from={self.source_layer.name})"
        )


class Node:
    """One call of a layer in a graph: the symbolic inputs it took and outputs it made."""

    def __init__(self, layer: Layer, inputs: list[SymbolicTensor], kwargs: dict[str, Any]):
        self.layer = layer
        self.inputs = inputs
        self.kwargs = kwargs
        self.outputs: list[SymbolicTensor] = []

    @property
    def input_shapes(self) -> list[Shape]:
        if not self.inputs and self.outputs:  # an InputLayer's node: TF.js lists its own shape
            return [t.shape for t in self.outputs]
        return [t.shape for t in self.inputs]

    @property
    def output_shapes(self) -> list[Shape]:
        return [t.shape for t in self.outputs]


def _flat(x: Any) -> list:
    if isinstance(x, (list, tuple)):
        return list(itertools.chain.from_iterable(_flat(i) for i in x))
    return [x]


_BASE_ARGS = {
    "name",
    "trainable",
    "input_shape",
    "batch_input_shape",
    "batch_size",
    "dtype",
    "weights",
    "input_dtype",
}


class Layer:
    """The base of every layer (TF.js's `tf.layers.Layer`).

    Subclasses implement `build(input_shape)`, `call(inputs, **kwargs)`, `compute_output_shape`
    (default: unchanged), `compute_mask` (default: masks pass through only if supports_masking)
    and `get_config`.
    """

    class_name: str = "Layer"
    """TF.js's class name: what files call the layer. A class that sets its own registers
    itself (`layers.registry`), so files and `tf.layers.deserialize` find it."""
    factory_name: ClassVar[str | None] = None
    """TF.js's camelCase `tf.layers.<name>` factory ('lstm', 'simpleRNN'), or None: none. The
    snake_case form is exported too; `factory_aliases` lists TF.js's other names."""
    factory_aliases: ClassVar[tuple[str, ...]] = ()
    supports_masking: bool = False
    # the rank this layer needs (e.g. 3 for RNNs); checked with a clear message at call time
    input_ndim: int | None = None
    min_ndim: int | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "class_name" in cls.__dict__ and not cls.__name__.startswith("_"):
            registry.register(cls)

    def __init__(self, **kwargs: Any):
        unknown = set(kwargs) - _BASE_ARGS
        if unknown:
            raise_unknown_options(type(self), sorted(unknown))
        self.name: str = kwargs.get("name") or default_layer_name(self.class_name)
        self.trainable: bool = kwargs.get("trainable", True) is not False
        self.dtype: str = kwargs.get("dtype") or kwargs.get("input_dtype") or "float32"
        batch_input_shape = kwargs.get("batch_input_shape")
        input_shape = kwargs.get("input_shape")
        if batch_input_shape is not None:
            self.batch_input_shape: Shape | None = _shape_tuple(batch_input_shape)
        elif input_shape is not None:
            self.batch_input_shape = (kwargs.get("batch_size"),) + _shape_tuple(input_shape)
        else:
            self.batch_input_shape = None
        self._dtype_given = kwargs.get("dtype") is not None or self.batch_input_shape is not None
        self._initial_weights = kwargs.get("weights")
        self.built = False
        self._weights: list[LayerVariable] = []
        self._inbound_nodes: list[Node] = []
        self._scope: str | None = None  # weight-name prefix set by wrappers (RNN, Bidirectional)
        self._built_input_shape: Any = None  # the input shape build() saw

    # -- weights ----------------------------------------------------------------------------
    def add_weight(
        self,
        name: str,
        shape: Sequence[int],
        initializer: Any = "zeros",
        regularizer: Any = None,
        constraint: Any = None,
        trainable: bool = True,
        dtype: str = "float32",
    ) -> LayerVariable:
        """Create a weight named `<layer name>/<name>` from an initializer."""
        check = weight_check.get()
        if check is not None:
            initializer = check(self.name, name, shape, initializer)
        init = initializers_mod.get(initializer)
        value = init(tuple(int(d) for d in shape), dtype)
        v = LayerVariable(
            value, trainable=trainable, name=f"{self._scope or self.name}/{name}", dtype=dtype
        )
        v.original_name = v.name
        v.regularizer = regularizers_mod.get(regularizer)
        v.constraint = constraints_mod.get(constraint)
        self._weights.append(v)
        return v

    @property
    def weights(self) -> list[LayerVariable]:
        """Trainable weights first, then non-trainable ones (TF.js's order)."""
        return self.trainable_weights + self.non_trainable_weights

    @property
    def trainable_weights(self) -> list[LayerVariable]:
        return [w for w in self._all_weights() if w.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[LayerVariable]:
        if not self.trainable:
            return list(self._all_weights())
        return [w for w in self._all_weights() if not w.trainable]

    def _all_weights(self) -> list[LayerVariable]:
        return list(self._weights)

    def get_weights(self) -> list[Tensor]:
        return [Tensor._wrap(w._data.copy()) for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Replace the weights, in `weights` order; shapes are checked."""
        params = self.weights
        if len(weights) != len(params):
            raise ValueError(
                f"Layer {self.name}: set_weights() got {len(weights)} arrays, but the layer has "
                f"{len(params)} weights ({', '.join(w.name for w in params)})."
            )
        for w, value in zip(params, weights):
            arr = np.asarray(value._data if isinstance(value, Tensor) else value)
            if arr.shape != w.shape:
                raise ValueError(
                    f"Layer {self.name}: weight {w.name} has shape {list(w.shape)}, "
                    f"but the value given has shape {list(arr.shape)}."
                )
            w.assign(arr)

    def count_params(self) -> int:
        return int(sum(w.size for w in self.weights))

    def regularization_losses(self) -> list[Tensor]:
        """The penalties of this layer's weight regularizers (added to the training loss)."""
        return [w.regularizer(w) for w in self._all_weights() if w.regularizer is not None]

    # -- building and calling ---------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create the weights for this input shape (batch dimension may be None)."""

    def call(self, inputs: Any, **kwargs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return mask if self.supports_masking else None

    def _maybe_build(self, input_shape: Any) -> None:
        if not self.built:
            self.build(input_shape)
            self.built = True
            self._built_input_shape = input_shape
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
                self._initial_weights = None

    def __call__(self, inputs: Any, **kwargs: Any) -> Any:
        return self.apply(inputs, **kwargs)

    def apply(self, inputs: Any, **kwargs: Any) -> Any:
        """Run the layer on data, or wire it into a graph when given symbolic tensors."""
        flat = _flat(inputs)
        if any(isinstance(t, SymbolicTensor) for t in flat):
            return self._apply_symbolic(inputs, kwargs)
        inputs = _to_tensors(inputs, self.name)
        shapes = _shapes_of(inputs)
        self.assert_input_compatibility(shapes)
        self._maybe_build(shapes)
        return self.call(inputs, **kwargs)

    def _apply_symbolic(self, inputs: Any, kwargs: dict[str, Any]) -> Any:
        sym_inputs = [t for t in _flat(inputs) if isinstance(t, SymbolicTensor)]
        for value in kwargs.values():  # e.g. initial_state given as symbolic tensors
            sym_inputs += [t for t in _flat(value) if isinstance(t, SymbolicTensor)]
        shapes = _shapes_of(inputs)
        self.assert_input_compatibility(shapes)
        self._maybe_build(shapes)
        out_shape = self.compute_output_shape(shapes)
        node = Node(self, sym_inputs, {k: v for k, v in kwargs.items() if k != "mask"})
        node.structure = inputs  # the call's nesting, rebuilt when the graph runs
        self._inbound_nodes.append(node)
        index = len(self._inbound_nodes) - 1
        dtype = self._output_dtype(sym_inputs)
        if _is_shape_list(out_shape):
            node.outputs = [
                SymbolicTensor(s, dtype, self, index, i) for i, s in enumerate(out_shape)
            ]
            return list(node.outputs)
        node.outputs = [SymbolicTensor(out_shape, dtype, self, index, 0)]
        return node.outputs[0]

    def _output_dtype(self, inputs: list[SymbolicTensor]) -> str:
        return "float32"

    def spec_axes(self) -> dict[int, int]:
        """{axis: size} the built layer's weights fix (TF.js's InputSpec axes); none by default,
        so weightless layers and sequence axes accept any size."""
        return {}

    def assert_input_compatibility(self, shapes: Any) -> None:
        """Refuse a wrong rank or a wrong size on an axis the weights fix, saying how to fix it."""
        for shape in shapes if _is_shape_list(shapes) else [shapes]:
            ndim = len(shape)
            if (self.input_ndim is not None and ndim != self.input_ndim) or (
                self.min_ndim is not None and ndim < self.min_ndim
            ):
                raise ValueError(self._rank_error(shape))
        for axis, size in self.spec_axes().items():
            check_axis_size(self, shapes, axis, size)

    def _rank_error(self, shape: Shape) -> str:
        want = self.input_ndim or self.min_ndim
        return (
            f"Input 0 is incompatible with layer {self.name}: expected ndim="
            f"{want}{' or more' if self.input_ndim is None else ''}, found ndim={len(shape)} "
            f"(shape {format_shape(shape)})."
        )

    def reset_states(self, states: Any = None) -> None:
        """Only stateful recurrent layers have states to reset."""

    # -- nodes for summary and serialization ------------------------------------------------
    @property
    def inbound_nodes(self) -> list[Node]:
        return self._inbound_nodes

    @property
    def output_shape(self) -> Any:
        if not self._inbound_nodes:
            raise ValueError(f"Layer {self.name} has never been called, so it has no output shape.")
        shapes = self._inbound_nodes[0].output_shapes
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def input(self) -> Any:
        ins = self._inbound_nodes[0].inputs
        return ins[0] if len(ins) == 1 else ins

    @property
    def output(self) -> Any:
        outs = self._inbound_nodes[0].outputs
        return outs[0] if len(outs) == 1 else outs

    # -- config -----------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The base config TF.js writes: name and trainable, then input shape and dtype."""
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable}
        if self.batch_input_shape is not None:
            config["batch_input_shape"] = list(self.batch_input_shape)
        if self._dtype_given:
            config["dtype"] = self.dtype
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        return make_layer(cls, config, _strict=False)

    def __repr__(self) -> str:
        return f"<{self.class_name} {self.name}>"


def check_axis_size(layer: Layer, shapes: Any, axis: int, size: int | None) -> None:
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


def _to_tensors(inputs: Any, where: str) -> Any:
    if isinstance(inputs, (list, tuple)):
        return [_to_tensors(i, where) for i in inputs]
    if isinstance(inputs, Tensor):
        return inputs
    try:
        return as_tensor(inputs, where)
    except ValueError as e:
        raise ValueError(f"Layer {where}: input could not be read as a tensor: {e}") from None


# -- options ------------------------------------------------------------------------------------


def layer_options(cls: type) -> set[str]:
    """Every keyword the class's constructors accept, through the class hierarchy."""
    names = set(_BASE_ARGS)
    cell_class = getattr(cls, "cell_class", None)  # LSTM, GRU, SimpleRNN take their cell's options
    for klass in cls.__mro__ + (cell_class.__mro__ if cell_class else ()):
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self":
                names.add(p.name)
    if cell_class:
        names.discard("cell")
    return names


registry.register(Layer)  # the base too: TF.js deserializes a plain Layer


def raise_unknown_options(cls: type, unknown: Sequence[str]) -> None:
    known = sorted(layer_options(cls))
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
        parts.append(f"{key!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
    name = getattr(cls, "class_name", cls.__name__)
    raise ValueError(
        f"{name}: unknown option{'s' if len(parts) > 1 else ''} {', '.join(parts)}. "
        f"Known options: {', '.join(known)}."
    )


def normalize_options(args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Merge TF.js's single-dict form and keywords; camelCase keys become snake_case."""
    merged: dict[str, Any] = {}
    for a in args:
        if not isinstance(a, dict):
            raise ValueError(
                f"Layer options are given as keywords or as one dict, got a positional {a!r}."
            )
        merged.update(a)
    merged.update(kwargs)
    return {to_snake_case(k) if k != "input_dType" else "input_dtype": v for k, v in merged.items()}


# Keys TF.js serializes that a layer accepts and ignores (as TF.js does).
IGNORED_CONFIG_KEYS = {
    "activity_regularizer",
    "implementation",
    "unroll",
    "input_dim",
    "input_length",
    "time_major",
    "seed",
    "ragged",
    "sparse",
    "module",
    "registered_name",
    "build_config",
    "zero_output_for_mask",
    "use_cudnn",
}


def make_layer(cls: type, *args: Any, _strict: bool = True, **kwargs: Any) -> Layer:
    """Build a layer from snake_case or camelCase options, refusing unknown ones with hints.

    With `_strict=False` (loading a config) unknown keys are ignored, as TF.js does.
    """
    opts = normalize_options(args, kwargs)
    known = layer_options(cls)
    unknown = [k for k in opts if k not in known and k not in IGNORED_CONFIG_KEYS]
    if unknown and _strict:
        raise_unknown_options(cls, unknown)
    opts = {k: v for k, v in opts.items() if k in known}
    return cls(**opts)


def camel(name: str) -> str:
    return to_camel_case(name)
