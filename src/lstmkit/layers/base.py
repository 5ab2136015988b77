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
import itertools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from .. import constraints as constraints_mod
from .. import initializers as initializers_mod
from .. import regularizers as regularizers_mod
from .._names import BothSpellings, add_camel_case_aliases, to_camel_case, to_snake_case
from ..engine.api import Variable
from ..tensor import Tensor, as_tensor
from . import registry, tfjs_style
from .options import (  # noqa: F401  (make_layer and co. are imported from here by the layers)
    BASE_ARGS,
    IGNORED_CONFIG_KEYS,
    layer_options,
    make_layer,
    normalize_options,
    raise_unknown_options,
)

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

    @property
    def originalName(self) -> str:  # noqa: N802  (TF.js's name)
        return self.original_name

    def read(self) -> Variable:
        """TF.js's `layerVariable.read()`: the value to compute with (the variable itself, so
        gradients reach it)."""
        return self

    def write(self, value: Any) -> LayerVariable:
        """TF.js's `layerVariable.write(value)`: assign a new value (shape checked)."""
        self.assign(value)
        return self


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
        layer: Layer | None = None,
        node_index: Any = 0,
        tensor_index: Any = 0,
        name: str | None = None,
        output_tensor_index: int | None = None,
    ):
        if isinstance(shape, str):  # TF.js: (dtype, shape, sourceLayer, inputs, callArgs, ...)
            shape, dtype = dtype, shape
            node_index, tensor_index = 0, output_tensor_index or 0
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.source_layer = layer
        self.node_index = int(node_index)
        self.tensor_index = int(tensor_index)
        if name is not None:
            self.name = name
        elif layer is None:
            self.name = "symbolic_tensor"
        else:
            self.name = f"{layer.name}/{layer.name}" if tensor_index == 0 else layer.name

    @property
    def rank(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return (
            f"SymbolicTensor(shape={format_shape(self.shape)}, dtype={self.dtype}, "
            f"from={getattr(self.source_layer, 'name', None)})"
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

    # a cell's `call` takes (inputs, states): how a TF.js-style call is adapted (tfjs_style)
    _call_takes_states: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = tfjs_style.adapt_class_name(cls)
        tfjs_style.adapt_init(cls, layer_options)
        tfjs_style.adapt_call(cls, cls._call_takes_states)
        for klass in cls.__mro__:  # the class and any mixin it brings (TrainingMixin...)
            if klass is not object and "_camel_case_aliased" not in klass.__dict__:
                add_camel_case_aliases(klass, _NOT_ALIASED)
                _config_in_both_spellings(klass)
                klass._camel_case_aliased = True  # type: ignore[attr-defined]
        if declared and not cls.__name__.startswith("_"):
            registry.register(cls)

    def __init__(self, config: Mapping[str, Any] | None = None, **kwargs: Any):
        """Keywords, or TF.js's one options dict (`super().__init__(config)` in a custom
        layer): camelCase or snake_case keys; in the dict, keys a plain Layer does not take
        are left to the subclass, as TF.js's args objects do."""
        if config is not None:
            if not tfjs_style.is_options_dict(config):
                raise TypeError(
                    f"{type(self).__name__}: Layer options are keywords or one dict such as "
                    f"{{'name': 'my_layer', 'inputShape': [4]}}, got {config!r}."
                )
            given = tfjs_style.snake_keys(config)
            kwargs = {**{k: v for k, v in given.items() if k in BASE_ARGS}, **kwargs}
        kwargs = tfjs_style.snake_keys(kwargs)
        unknown = set(kwargs) - BASE_ARGS
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

    @property
    def supportsMasking(self) -> bool:  # noqa: N802  (TF.js's name, set in constructors)
        return bool(self.supports_masking)

    @supportsMasking.setter
    def supportsMasking(self, value: bool) -> None:  # noqa: N802  (TF.js's name)
        self.supports_masking = bool(value)

    def __getattr__(self, name: str) -> Any:
        """TF.js's camelCase spelling of an attribute the instance holds (`layer.units`,
        `lstm.returnSequences`, `layer.batchInputShape`, `model.metricsNames`); methods and
        properties have both spellings on the class (`add_camel_case_aliases`)."""
        if "_" not in name and name[:1].islower() and name != name.lower():
            own = self.__dict__
            snake = to_snake_case(name)
            if snake in own:
                return own[snake]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # -- weights ----------------------------------------------------------------------------
    def add_weight(
        self,
        name: str,
        shape: Sequence[int],
        dtype: Any = None,
        initializer: Any = None,
        regularizer: Any = None,
        trainable: bool | None = True,
        constraint: Any = None,
    ) -> LayerVariable:
        """Create a weight named `<layer name>/<name>` from an initializer (default zeros).

        The positional order is TF.js's and Keras 2's: `add_weight(name, shape, dtype,
        initializer, regularizer, trainable, constraint)`; an initializer given third (where
        the dtype goes) is read as the initializer.
        """
        if dtype is not None and not tfjs_style.is_dtype_name(dtype):
            if initializer is not None:
                raise ValueError(
                    f"Layer {self.name}: add_weight({name!r}): dtype must be a dtype name such "
                    f"as 'float32', got {dtype!r}. The order is add_weight(name, shape, dtype, "
                    "initializer, regularizer, trainable, constraint); pass the others by "
                    "keyword."
                )
            dtype, initializer = None, dtype
        dtype = dtype or "float32"
        initializer = "zeros" if initializer is None else initializer
        trainable = trainable is not False
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

    def add_loss(self, losses: Any) -> None:
        """Add a loss (a scalar Tensor or a function of no arguments returning one, or a list
        of them) to the training loss, as TF.js's `addLoss`; functions are called each step."""
        items = losses if isinstance(losses, (list, tuple)) else [losses]
        self.__dict__.setdefault("_added_losses", []).extend(items)

    @property
    def losses(self) -> list[Tensor]:
        """The losses `add_loss` added and the weight regularizers' penalties."""
        return self.regularization_losses()

    def regularization_losses(self) -> list[Tensor]:
        """The penalties of this layer's weight regularizers (added to the training loss)."""
        penalties = [w.regularizer(w) for w in self._all_weights() if w.regularizer is not None]
        for item in self.__dict__.get("_added_losses", ()):
            penalties.append(item() if callable(item) else item)
        return penalties

    # -- building and calling ---------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create the weights for this input shape (batch dimension may be None)."""

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """The computation (subclasses): the identity here. TF.js's `call(inputs, kwargs)`
        and Keras's `call(inputs, training=None)` both work in a subclass."""
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

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        return self.apply(inputs, *args, **kwargs)

    def apply(self, inputs: Any, kwargs: Mapping[str, Any] | None = None, **kw: Any) -> Any:
        """Run the layer on data, or wire it into a graph when given symbolic tensors.

        Call options (`training`, `mask`, `initial_state`) come as keywords or as TF.js's
        dict: `layer.apply(x, {"initialState": [h, c], "training": True})`.
        """
        if kwargs is not None:
            if not tfjs_style.is_options_dict(kwargs):
                raise TypeError(
                    f"Layer {self.name}: apply(inputs, kwargs): kwargs must be a dict such as "
                    f"{{'training': True}}, got {type(kwargs).__name__}."
                )
            kw = {**tfjs_style.snake_keys(kwargs), **kw}
        kwargs = {k: v for k, v in tfjs_style.snake_keys(kw).items() if v is not None}
        return self._apply(inputs, kwargs)

    def _apply(self, inputs: Any, kwargs: dict[str, Any]) -> Any:
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

    def dispose(self) -> dict[str, int]:
        """TF.js's `layer.dispose()`: NumPy frees the weights when nothing refers to them, so
        this only reports as TF.js does (`{refCountAfterDispose, numDisposedVariables}`)."""
        count = len(self._all_weights())
        return {"refCountAfterDispose": 0, "numDisposedVariables": count}

    # -- nodes for summary and serialization ------------------------------------------------
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
    def from_config(cls, *args: Any) -> Layer:
        """A layer from its config (`Dense.from_config(config)`, or TF.js's
        `Dense.fromConfig(Dense, config)`)."""
        cls, config = tfjs_style.config_args(cls, args)
        return make_layer(cls, config, _strict=False)

    def get_class_name(self) -> str:
        """TF.js's class name of the layer (`getClassName()`), e.g. 'LSTM'."""
        return self.class_name

    def __repr__(self) -> str:
        return f"<{self.class_name} {self.name}>"


def full_config(layer: Layer) -> dict[str, Any]:
    """`layer.get_config()`, with the base layer's fields (name, trainable, shapes) in front
    when a custom layer's own `get_config` leaves them out (TF.js merges them with
    `super.getConfig()`)."""
    config = dict(layer.get_config())
    if "name" not in config:
        config = {**Layer.get_config(layer), **config}
    return config


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


registry.register(Layer)  # the base too: TF.js deserializes a plain Layer
_NOT_ALIASED: frozenset[str] = frozenset()


def _config_in_both_spellings(klass: type) -> None:
    """`getConfig()` (TF.js's spelling) answers TF.js's camelCase keys too: where the class's
    `getConfig` is the alias of its own `get_config`, it returns a `BothSpellings` dict. A
    class that writes its own `getConfig` (the TF.js way) keeps it as written."""
    own = klass.__dict__
    get_config = own.get("get_config")
    written_as_keras = getattr(get_config, "__name__", "") == "get_config"
    if get_config is not None and written_as_keras and own.get("getConfig") is get_config:

        def getConfig(self: Any) -> dict[str, Any]:  # noqa: N802  (TF.js's name)
            # this class's own get_config (a subclass's TF.js-style getConfig may call
            # super().getConfig(), and its get_config is that very getConfig)
            return BothSpellings(get_config(self))

        getConfig.__doc__ = (get_config.__doc__ or "") + (
            "\n\n(TF.js's spelling: the keys also answer in camelCase.)"
        )
        klass.getConfig = getConfig  # type: ignore[attr-defined]


add_camel_case_aliases(Layer, _NOT_ALIASED)
_config_in_both_spellings(Layer)
Layer._camel_case_aliased = True  # type: ignore[attr-defined]
Layer.className = Layer.class_name  # type: ignore[attr-defined]


def camel(name: str) -> str:
    return to_camel_case(name)
