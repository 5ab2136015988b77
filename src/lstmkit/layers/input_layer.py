"""`InputLayer` and `tf.input()`: where a functional graph starts."""

from __future__ import annotations

from typing import Any

from .. import _options
from .base import Layer, make_layer
from .options import bool_option, shape_option
from .topology import InputSpec, Node, SymbolicTensor, _shape_tuple, unique_name


class InputLayer(Layer):
    """A layer with no weights that only stands for the model's input (TF.js's InputLayer)."""

    class_name = "InputLayer"
    factory_name = "inputLayer"

    def __init__(self, sparse: bool = False, **kwargs: Any):
        if kwargs.get("name") is None:
            kwargs["name"] = unique_name("input")
        if kwargs.get("batch_input_shape") is None and kwargs.get("input_shape") is None:
            raise ValueError(
                "An InputLayer should be passed either a `batchInputShape` or an `inputShape` "
                "(batch_input_shape or input_shape)."
            )
        if kwargs.get("batch_input_shape") is not None and kwargs.get("input_shape") is not None:
            raise ValueError(
                "Only provide the inputShape OR batchInputShape argument to inputLayer, not "
                "both at the same time."
            )
        if kwargs.get("batch_input_shape") is not None and kwargs.get("batch_size") is not None:
            raise ValueError(
                "Cannot specify batchSize if batchInputShape is specified when creating an "
                "InputLayer."
            )
        super().__init__(**kwargs)
        self.trainable = False
        self.sparse = bool_option(f"InputLayer {self.name}", "sparse", sparse, False)
        self._dtype_given = True
        self.built = True
        node = Node(self, [], {})
        node.outputs = [SymbolicTensor(self.batch_input_shape, self.dtype, self, 0, 0)]
        self._inbound_nodes.append(node)
        self.input_spec = [InputSpec(shape=list(self.batch_input_shape))]

    def apply(self, inputs: Any, kwargs: Any = None, **kw: Any) -> Any:
        raise ValueError(
            f"Cannot pass any input to an InputLayer's apply() method. InputLayer name: {self.name}"
        )

    def dispose(self) -> dict[str, Any]:
        """A no-op, as TF.js's (an InputLayer has no weights)."""
        return {"refCountAfterDispose": self.__dict__.get("_refcount"), "numDisposedVariables": 0}

    def get_config(self) -> dict[str, Any]:
        return {
            "batch_input_shape": list(self.batch_input_shape),
            "dtype": self.dtype,
            "sparse": self.sparse,
            "name": self.name,
        }


def input(
    shape: Any = None,
    batch_shape: Any = None,
    name: str | None = None,
    dtype: str | None = None,
    sparse: bool | None = None,
    **kwargs: Any,
) -> SymbolicTensor:
    """A symbolic input for a functional model.

    TF.js's `tf.input({shape: [5, 3]})` (one dict, either spelling: `batchShape`, `name`,
    `dtype`, `sparse`) and Keras's `keras.Input(shape=(None,), dtype="int32")` (also
    `batch_size`, and `shape` positional) are the same function (`tf.Input` is this one).
    """
    config = None
    if _options.is_options(shape):
        config, shape = shape, None
    given = {"shape": shape, "batch_shape": batch_shape, "name": name, "dtype": dtype}
    given["sparse"] = sparse
    opts = _options.merge_options(
        "input()",
        config,
        {**{k: v for k, v in given.items() if v is not None}, **kwargs},
        ("shape", "batch_shape", "batch_size", "name", "dtype", "sparse", "tensor", "optional"),
    )
    if opts.get("tensor") is not None:
        raise ValueError(
            "input(): `tensor` (Keras's wrapping of an existing tensor) is not supported; "
            "give `shape` and feed the data when the model runs."
        )
    shape, batch_shape = opts.get("shape"), opts.get("batch_shape")
    if shape is None and batch_shape is None:
        raise ValueError(
            "input(): Please provide to Input either a `shape` or a `batchShape` argument. "
            "Note that `shape` does not include the batch dimension (one sample's shape, e.g. "
            "{'shape': [10, 3]})."
        )
    if shape is not None and batch_shape is not None:
        raise ValueError(
            "input(): Please provide either a `shape` or `batchShape` argument to Input, but "
            "not both: give either a `shape` or a `batchShape` (`shape` does not include the batch "
            "dimension)."
        )
    if batch_shape is not None:
        shape_option("input()", "batch_shape", batch_shape)
        bis = _shape_tuple(batch_shape)
    else:
        shape_option("input()", "shape", shape)
        bis = (opts.get("batch_size"),) + _shape_tuple(shape)
    layer = make_layer(
        InputLayer,
        batch_input_shape=bis,
        name=opts.get("name"),
        dtype=opts.get("dtype") or "float32",
        sparse=bool(opts.get("sparse", False)),
    )
    return layer._inbound_nodes[0].outputs[0]


Input = input  # Keras's spelling: keras.Input(shape=(None,)), keras.layers.Input(...)
