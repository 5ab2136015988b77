"""`Layer`: weights, building on first use, calling on data or on symbolic tensors, config.

A layer is called either on concrete data (Tensors, NumPy arrays, lists), which runs it, or on
`SymbolicTensor`s from `tf.input()`, which records a graph `Node` for a functional model and
returns symbolic outputs whose shapes come from `compute_output_shape`. Either way the layer
builds its weights on first use from the input shape, as TF.js does.

Options are snake_case; TF.js's camelCase spellings are accepted too (`inputShape`,
`returnSequences`), as keywords or as one dict, through `make_layer` (`layers/options.py`).
The symbolic tensors, graph nodes and input specs are in `layers/topology.py`.
"""

from __future__ import annotations

import contextvars
import itertools
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from .. import constraints as constraints_mod
from .. import initializers as initializers_mod
from .. import regularizers as regularizers_mod
from .._names import (
    add_camel_case_aliases,
    to_snake_case,
)
from ..engine.api import Variable
from ..tensor import Tensor
from . import registry, tfjs_style
from .options import (  # noqa: F401  (make_layer and co. are imported from here by the layers)
    BASE_ARGS,
    IGNORED_CONFIG_KEYS,
    check_base_options,
    layer_options,
    make_layer,
    normalize_options,
    raise_unknown_options,
)
from .topology import InputSpec as InputSpec  # the public path lstmkit.layers.base.InputSpec
from .topology import (
    LayerNodes,
    Node,
    Shape,
    SymbolicTensor,
    _flat,
    _is_shape_list,
    _js_shape,
    _shape_tuple,
    _shapes_of,
    check_axis_size,
    check_input_spec,
    default_layer_name,
    format_shape,
    to_tensors,
)

_layer_ids = itertools.count()  # TF.js's layer `id`s
_VALID_TENSOR_NAME = re.compile(r"^[A-Za-z0-9][-A-Za-z0-9\._/]*$")  # TF.js's isValidTensorName

# While a model is built from a file, `io` sets a check here that sees every weight before it is
# allocated (sizes against the weight files) and may replace its initializer; None otherwise.
weight_check: contextvars.ContextVar[Callable[..., Any] | None] = contextvars.ContextVar(
    "weight_check", default=None
)


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


class Layer(LayerNodes):
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
                tfjs_style.config_in_both_spellings(klass)
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
        check_base_options(type(self), kwargs)
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
        if check is not None:  # sees the weight's saved name too, to match it with the files
            initializer = check(
                self.name, name, shape, initializer, f"{self._scope or self.name}/{name}"
            )
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
        inputs = to_tensors(inputs, self.name)
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


registry.register(Layer)  # the base too: TF.js deserializes a plain Layer
_NOT_ALIASED: frozenset[str] = frozenset()


add_camel_case_aliases(Layer, _NOT_ALIASED)
tfjs_style.config_in_both_spellings(Layer)
Layer._camel_case_aliased = True  # type: ignore[attr-defined]
Layer.className = Layer.class_name  # type: ignore[attr-defined]
