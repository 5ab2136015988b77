"""`Embedding`: turns integer indices into dense vectors (`tfjs-layers/src/layers/embeddings.ts`).

A lookup in the `embeddings [input_dim, output_dim]` weight; its gradient scatter-adds into the
rows that were used (`ops.gather`). With `mask_zero`, index 0 is padding and the layer emits
the mask `x != 0` for the recurrent layers downstream.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import constraints, initializers, regularizers
from ..engine import ops
from ..tensor import Tensor
from .base import Layer
from .core import (
    constraint_serial,
    init_serial,
    one_input,
    one_shape,
    positive_int,
    reg_serial,
)
from .options import bool_option, or_default, shape_option
from .topology import Shape, format_shape


def _as_list(x: int | Sequence[int | None]) -> list[int | None]:
    return list(x) if isinstance(x, (list, tuple)) else [x]


class Embedding(Layer):
    """Maps each index in [0, input_dim) of a [batch, ...] input to a vector of `output_dim`.

    Float inputs are truncated to int32, as TF.js's cast does. Without an input shape the
    layer declares `batch_input_shape = [batch_size, input_length]` (or `[batch_size, None]`),
    so it can start a Sequential model. `mask_zero` defaults to None (serialized as null, as
    TF.js writes it), which behaves as False.
    """

    class_name = "Embedding"
    factory_name = "embedding"

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "randomUniform",
        embeddings_regularizer: Any = None,
        activity_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool | None = None,
        input_length: int | Sequence[int | None] | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        where = f"Embedding {self.name}"
        if input_length is not None:
            shape_option(where, "input_length", input_length, minimum=1)
        if self.batch_input_shape is None:
            batch = kwargs.get("batch_size")
            lengths = [None] if input_length is None else _as_list(input_length)
            self.batch_input_shape = (batch, *lengths)
        # the message names TF.js's option (inputDim) and lstmkit's keyword (input_dim)
        self.input_dim = positive_int(f"{where} (inputDim)", "input_dim", input_dim)
        self.output_dim = positive_int(f"{where} (outputDim)", "output_dim", output_dim)
        self.embeddings_initializer = initializers.get(
            or_default(embeddings_initializer, "randomUniform")
        )
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool_option(where, "mask_zero", mask_zero)
        self.supports_masking = bool(mask_zero)
        self.input_length = input_length
        self.embeddings = None

    def build(self, input_shape: Any) -> None:
        self.embeddings = self.add_weight(
            "embeddings",
            [self.input_dim, self.output_dim],
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )

    def compute_mask(self, inputs: Any, mask: Any = None) -> Tensor | None:
        if not self.mask_zero:
            return None
        return ops.not_equal(one_input(self, inputs), 0)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shape = one_shape(self, input_shape)
        if self.input_length is None:
            return (*shape, self.output_dim)
        lengths = _as_list(self.input_length)
        if len(lengths) != len(shape) - 1 or any(
            a is not None and b is not None and a != b for a, b in zip(lengths, shape[1:])
        ):
            raise ValueError(
                f"Embedding {self.name}: input_length is {self.input_length}, but the input has "
                f"shape {format_shape(shape)}. Feed sequences of that length, or drop "
                "input_length."
            )
        lengths = [b if a is None else a for a, b in zip(lengths, shape[1:])]
        return (shape[0], *lengths, self.output_dim)

    def _indices(self, x: Tensor) -> np.ndarray:
        data = x._data
        if data.dtype.kind == "f" and not np.all(np.isfinite(data)):
            raise ValueError(f"Embedding {self.name}: the input holds NaN or infinite indices.")
        idx = data.astype(np.int32)  # truncation toward zero, as TF.js's cast
        if idx.size and (idx.min() < 0 or idx.max() >= self.input_dim):
            raise ValueError(
                f"Embedding {self.name}: indices must be in [0, {self.input_dim}) "
                f"(input_dim={self.input_dim}), got values from {int(idx.min())} to "
                f"{int(idx.max())}. Make input_dim the vocabulary size (+1 when index 0 is "
                "padding)."
            )
        return idx

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = one_input(self, inputs)
        out_shape = self.compute_output_shape(tuple(x.shape))
        rows = ops.gather(self.embeddings, self._indices(x).reshape(-1))
        return ops.reshape(rows, out_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": init_serial(self.embeddings_initializer),
            "embeddings_regularizer": reg_serial(self.embeddings_regularizer),
            "activity_regularizer": reg_serial(self.activity_regularizer),
            "embeddings_constraint": constraint_serial(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "input_length": self.input_length,
            **super().get_config(),
        }
