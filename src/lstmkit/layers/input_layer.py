"""`InputLayer` and `tf.input()`: where a functional graph starts."""

from __future__ import annotations

from typing import Any

from .base import Layer, Node, SymbolicTensor, _shape_tuple, make_layer, unique_name


class InputLayer(Layer):
    """A layer with no weights that only stands for the model's input (TF.js's InputLayer)."""

    class_name = "InputLayer"
    factory_name = "inputLayer"

    def __init__(self, sparse: bool = False, **kwargs: Any):
        if kwargs.get("name") is None:
            kwargs["name"] = unique_name("input")
        if kwargs.get("batch_input_shape") is None and kwargs.get("input_shape") is None:
            raise ValueError(
                "An InputLayer should be passed either a `batch_input_shape` or an `input_shape`."
            )
        super().__init__(**kwargs)
        self.sparse = bool(sparse)
        self._dtype_given = True
        self.built = True
        node = Node(self, [], {})
        node.outputs = [SymbolicTensor(self.batch_input_shape, self.dtype, self, 0, 0)]
        self._inbound_nodes.append(node)

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
    dtype: str = "float32",
    sparse: bool = False,
    **kwargs: Any,
) -> SymbolicTensor:
    """A symbolic input for a functional model (`tf.input({shape: [5, 3]})`)."""
    if kwargs.get("batchShape") is not None:
        batch_shape = kwargs.pop("batchShape")
    if kwargs:
        raise ValueError(
            f"input(): unknown options {sorted(kwargs)}; use shape, batch_shape, name, dtype."
        )
    if shape is None and batch_shape is None:
        raise ValueError("input(): give `shape` (without the batch) or `batch_shape`.")
    if shape is not None and batch_shape is not None:
        raise ValueError("input(): give `shape` or `batch_shape`, not both.")
    bis = _shape_tuple(batch_shape) if batch_shape is not None else (None,) + _shape_tuple(shape)
    layer = make_layer(InputLayer, batch_input_shape=bis, name=name, dtype=dtype, sparse=sparse)
    return layer._inbound_nodes[0].outputs[0]
