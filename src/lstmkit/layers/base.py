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
import json
import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from .. import constraints as constraints_mod
from .. import initializers as initializers_mod
from .. import regularizers as regularizers_mod
from .._names import (
    BothSpellings,
    add_camel_case_aliases,
    pythonic_to_ts,
    to_camel_case,
    to_snake_case,
)
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
_layer_ids = itertools.count()  # TF.js's layer `id`s
_node_ids = itertools.count()  # TF.js's node `id`s
_VALID_TENSOR_NAME = re.compile(r"^[A-Za-z0-9][-A-Za-z0-9\._/]*$")  # TF.js's isValidTensorName

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
        layer: Layer | None = None,
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
        self.layer: Layer = layer
        self.inputs: list[SymbolicTensor] = list(inputs or [])
        self.kwargs: dict[str, Any] = dict(kwargs or {})
        self.id = next(_node_ids)
        if self._given:
            for inbound in self._given.get("inbound_layers") or []:
                if inbound is not None:
                    inbound._outbound_nodes.append(self)
            layer._inbound_nodes.append(self)

    @property
    def outbound_layer(self) -> Layer:
        """The layer this node is a call of (TF.js's `outboundLayer`)."""
        return self.layer

    @property
    def inbound_layers(self) -> list[Layer]:
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
    if isinstance(x, (list, tuple)):
        return list(itertools.chain.from_iterable(_flat(i) for i in x))
    return [x]


class Layer:
    """The base of every layer (TF.js's `tf.layers.Layer`).

    Subclasses implement `build(input_shape)`, `call(inputs, **kwargs)`, `compute_output_shape`
    (default: unchanged), `compute_mask` (default: masks pass through only if supports_masking)
    and `get_config`.
    """

    stateful: bool = False  # TF.js's default; recurrent layers set their own
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
        self.id: int = next(_layer_ids)
        self._weights: list[LayerVariable] = []
        self._added_weight_names: list[str] = []
        self._outbound_nodes: list[Node] = []
        self._input_spec: Any = None
        self._refcount: int | None = None  # TF.js's _refCount: None until first used
        self.trainable = kwargs.get("trainable", True) is not False
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
        self._given_weights = self._initial_weights
        self.built = False
        self._inbound_nodes: list[Node] = []
        self._scope: str | None = None  # weight-name prefix set by wrappers (RNN, Bidirectional)
        self._built_input_shape: Any = None  # the input shape build() saw

    @property
    def trainable(self) -> bool:
        return self.__dict__.get("_trainable", True)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """As TF.js: the layer's trainable weights follow (`variable.trainable`); weights
        declared non-trainable stay so."""
        value = bool(value)
        if not value:
            flipped = self.__dict__.setdefault("_flipped", [])
            for w in self._all_weights_safe():
                if w.trainable:
                    w.trainable = False
                    flipped.append(w)
        else:
            for w in self.__dict__.pop("_flipped", []):
                w.trainable = True
        self.__dict__["_trainable"] = value

    def _all_weights_safe(self) -> list[LayerVariable]:
        try:
            return self._all_weights()
        except AttributeError:  # a subclass's weights that do not exist yet
            return list(self.__dict__.get("_weights", []))

    def _declared_trainable(self, w: Any) -> bool:
        return bool(w.trainable) or any(w is f for f in self.__dict__.get("_flipped", ()))

    @property
    def input_spec(self) -> Any:
        """TF.js's `inputSpec`: None, or a list of `InputSpec` the inputs are checked against."""
        return self.__dict__.get("_input_spec")

    @input_spec.setter
    def input_spec(self, value: Any) -> None:
        self.__dict__["_input_spec"] = value

    @property
    def initial_weights(self) -> Any:
        """The `weights` given at construction (set when the layer is built), or None."""
        return self.__dict__.get("_given_weights")

    @property
    def updates(self) -> list[Any]:
        return []

    @property
    def outbound_nodes(self) -> list[Node]:
        """The nodes of the layers that were applied to this layer's outputs."""
        return self.__dict__.setdefault("_outbound_nodes", [])

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
        added = self.__dict__.setdefault("_added_weight_names", [])
        if name in added:
            raise ValueError(f"Duplicate weight name {name} for layer {self.name}")
        added.append(name)
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

    @trainable_weights.setter
    def trainable_weights(self, weights: Sequence[Any]) -> None:
        """TF.js's `layer.trainableWeights = [...]`: replace the trainable weights."""
        keep = [w for w in self._weights if not self._declared_trainable(w)]
        flipped = self.__dict__.setdefault("_flipped", [])
        flipped[:] = [f for f in flipped if any(f is w for w in keep)]
        for w in weights:
            w.trainable = self.trainable
            if not self.trainable:
                flipped.append(w)
        self._weights = list(weights) + keep

    @property
    def non_trainable_weights(self) -> list[LayerVariable]:
        if not self.trainable:
            return list(self._all_weights())
        return [w for w in self._all_weights() if not w.trainable]

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights: Sequence[Any]) -> None:
        """TF.js's `layer.nonTrainableWeights = [...]`: replace the non-trainable weights."""
        keep = [w for w in self._weights if self._declared_trainable(w)]
        flipped = self.__dict__.setdefault("_flipped", [])
        flipped[:] = [f for f in flipped if not any(f is w for w in weights)]
        for w in weights:
            w.trainable = False
        self._weights = keep + list(weights)

    def _all_weights(self) -> list[LayerVariable]:
        return list(self._weights)

    def get_weights(self) -> list[Tensor]:
        return [Tensor._wrap(w._data.copy()) for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Replace the weights, in `weights` order; shapes are checked."""
        params = self.weights
        if len(weights) != len(params):
            raise ValueError(
                f'You called setWeights(weights) on layer "{self.name}" with a weight list '
                f"of length {len(weights)}, but the layer was expecting {len(params)} weights "
                f"({', '.join(w.name for w in params)})."
            )
        for w, value in zip(params, weights):
            arr = np.asarray(value._data if isinstance(value, Tensor) else value)
            if arr.shape != w.shape:
                raise ValueError(
                    f"Layer {self.name}: weight shape {list(w.shape)} of {w.name} is not "
                    f"compatible with provided weight shape {list(arr.shape)}."
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
        if self.__dict__.get("_refcount") == 0:
            self._assert_not_disposed()
        flat = _flat(inputs)
        if any(isinstance(t, SymbolicTensor) for t in flat):
            if any(isinstance(t, (Tensor, np.ndarray)) for t in flat):
                raise ValueError(
                    f"Layer {self.name}: Arguments to apply() must be all SymbolicTensors or "
                    "all Tensors."
                )
            return self._apply_symbolic(inputs, kwargs)
        inputs = _to_tensors(inputs, self.name)
        shapes = _shapes_of(inputs)
        self.assert_input_compatibility(shapes)
        if not self.built:
            self._maybe_build(shapes)
            if self.__dict__.get("_refcount") is None:
                self._refcount = 1  # TF.js: the first use is a concrete call
        self._check_input_specs(inputs)
        return self.call(inputs, **kwargs)

    def _assert_not_disposed(self) -> None:
        if self.__dict__.get("_refcount") == 0:
            raise ValueError(f"Layer '{self.name}' is already disposed.")

    def _apply_symbolic(self, inputs: Any, kwargs: dict[str, Any]) -> Any:
        if not _VALID_TENSOR_NAME.match(self.name):
            raise ValueError(f"Not a valid tensor name: '{self.name}'")
        sym_inputs = [t for t in _flat(inputs) if isinstance(t, SymbolicTensor)]
        for value in kwargs.values():  # e.g. initial_state given as symbolic tensors
            sym_inputs += [t for t in _flat(value) if isinstance(t, SymbolicTensor)]
        shapes = _shapes_of(inputs)
        self.assert_input_compatibility(shapes)
        self._maybe_build(shapes)
        self._check_input_specs(inputs)
        out_shape = self.compute_output_shape(shapes)
        self._warn_on_incompatible_input_shape(shapes[0] if _is_shape_list(shapes) else shapes)
        node = Node(self, sym_inputs, {k: v for k, v in kwargs.items() if k != "mask"})
        node.structure = inputs  # the call's nesting, rebuilt when the graph runs
        self._inbound_nodes.append(node)
        for t in sym_inputs:
            if t.source_layer is not None and t in _flat(inputs):
                t.source_layer.outbound_nodes.append(node)
        self._refcount = (self.__dict__.get("_refcount") or 0) + 1
        index = len(self._inbound_nodes) - 1
        dtype = self._output_dtype(sym_inputs)
        if _is_shape_list(out_shape):
            node.outputs = [
                SymbolicTensor(s, dtype, self, index, i) for i, s in enumerate(out_shape)
            ]
        else:
            node.outputs = [SymbolicTensor(out_shape, dtype, self, index, 0)]
        for out in node.outputs:
            out.inputs = [t for t in _flat(inputs) if isinstance(t, SymbolicTensor)]
            out.call_args = dict(kwargs)
        return list(node.outputs) if _is_shape_list(out_shape) else node.outputs[0]

    def _warn_on_incompatible_input_shape(self, shape: Any) -> None:
        """TF.js's console warning when a symbolic input's shape is not the `inputShape` the
        layer was given (the layer still runs, built for the shape it got)."""
        expected = self.batch_input_shape
        if expected is None or shape is None:
            return
        got, want = _js_shape(shape), _js_shape(expected)
        if len(shape) != len(expected):
            warnings.warn(
                f"The rank of the input tensor provided (shape: {got}) does not match that of "
                f"the batchInputShape ({want}) of the layer {self.name}",
                stacklevel=4,
            )
        elif any(e is not None and d is not None and d != e for d, e in zip(shape, expected)):
            warnings.warn(
                f"The shape of the input tensor ({got}) does not match the expectation of "
                f"layer {self.name}: {want}",
                stacklevel=4,
            )

    def _check_input_specs(self, inputs: Any) -> None:
        """Check the inputs against `input_spec` (TF.js's assertInputCompatibility)."""
        specs = self.__dict__.get("_input_spec")
        if specs:
            check_input_spec(self, inputs, specs)

    def _output_dtype(self, inputs: list[SymbolicTensor]) -> str:
        return "float32"

    def spec_axes(self) -> dict[int, int]:
        """{axis: size} the built layer's weights fix (TF.js's InputSpec axes); none by default,
        so weightless layers and sequence axes accept any size."""
        return {}

    def assert_input_compatibility(self, shapes: Any) -> None:
        """Refuse a wrong rank or a wrong size on an axis the weights fix, saying how to fix it.

        Takes the input shapes, or (as TF.js's assertInputCompatibility) the inputs themselves,
        which are also checked against `input_spec`."""
        items = shapes if isinstance(shapes, (list, tuple)) else [shapes]
        if items and all(hasattr(x, "shape") and not isinstance(x, tuple) for x in items):
            self._check_input_specs(shapes)
            shapes = _shapes_of(shapes)
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
        """TF.js's `layer.dispose()`: the layer counts its uses (its first concrete call, each
        symbolic call); dispose takes one away, and at zero the layer is disposed: its weights
        are let go (NumPy frees them when nothing else refers to them) and it refuses to run.
        Returns TF.js's `{refCountAfterDispose, numDisposedVariables}`."""
        if not self.built:
            raise ValueError(f"Cannot dispose Layer {self.name} because it has not been built yet.")
        if self.__dict__.get("_refcount") is None:
            raise ValueError(f"Cannot dispose Layer {self.name} because it has not been used yet.")
        self._assert_not_disposed()
        self._refcount -= 1
        count = 0
        if self._refcount == 0:
            count = len(self.weights)
        return {"refCountAfterDispose": self._refcount, "numDisposedVariables": count}

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


def _js_shape(shape: Any) -> str:
    """A shape as JSON.stringify writes it: [null,4,2]."""
    return json.dumps(_plain_shape(shape), separators=(",", ":"))


def _plain_shape(shape: Any) -> Any:
    if isinstance(shape, (list, tuple)):
        return [_plain_shape(d) for d in shape]
    return shape


def check_input_spec(layer: Layer, inputs: Any, specs: Any) -> None:
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
    """`getConfig()` (TF.js's spelling) gives TF.js's form of the config, as TF.js's own
    `getConfig()` does: `convertPythonicToTs(get_config())` (camelCase keys and string values,
    'hardSigmoid', 'channelsFirst'), in a `BothSpellings` dict so snake_case keys answer too.
    `get_config()` stays Keras's and the files' form. A class that writes its own `getConfig`
    (the TF.js way) keeps it as written."""
    own = klass.__dict__
    get_config = own.get("get_config")
    written_as_keras = getattr(get_config, "__name__", "") == "get_config"
    if get_config is not None and written_as_keras and own.get("getConfig") is get_config:

        def getConfig(self: Any) -> dict[str, Any]:  # noqa: N802  (TF.js's name)
            # this class's own get_config (a subclass's TF.js-style getConfig may call
            # super().getConfig(), and its get_config is that very getConfig)
            return BothSpellings(pythonic_to_ts(get_config(self)))

        getConfig.__doc__ = (get_config.__doc__ or "") + (
            "\n\n(TF.js's form: camelCase keys and values; snake_case keys answer too.)"
        )
        klass.getConfig = getConfig  # type: ignore[attr-defined]


add_camel_case_aliases(Layer, _NOT_ALIASED)
add_camel_case_aliases(Node)
add_camel_case_aliases(InputSpec)
_config_in_both_spellings(Layer)
Layer._camel_case_aliased = True  # type: ignore[attr-defined]
Layer.className = Layer.class_name  # type: ignore[attr-defined]


def camel(name: str) -> str:
    return to_camel_case(name)
