"""TF.js's preprocessing layers Rescaling and CategoryEncoding
(`tfjs-layers/src/layers/preprocessing/image_preprocessing.ts`, `category_encoding.ts`).

Rescaling computes `x * scale + offset` (gradients flow through it); CategoryEncoding turns
integer token ids into multi-hot, one-hot or count vectors (a constant: no gradient, as in
TF.js, whose bincount has none). Both keep TF.js's arguments, defaults, default names and
`getConfig()` keys. Keras's `output_mode` spellings (`'multi_hot'`, `'one_hot'`) are read as
TF.js's (`'multiHot'`, `'oneHot'`).

TF.js's `resizing` and `centerCrop` (image resizing with bilinear / nearest interpolation and
crop-and-resize) are not here: they need image ops lstmkit's engine does not have.

(The module is not `layers/preprocessing.py`, so it is not confused with `lstmkit.preprocessing`,
Keras's sequence utilities.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._precision import float_dtype
from ..engine import ops
from ..tensor import Tensor, as_tensor
from .base import Layer
from .core import one_input, one_shape
from .options import number_option, or_default, positive_int
from .topology import Shape, format_shape


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float, np.number))


class Rescaling(Layer):
    """`inputs * scale + offset`, the input cast to float32 first (TF.js's
    `tf.layers.rescaling`; e.g. scale=1/255 maps bytes to [0, 1])."""

    class_name = "Rescaling"
    factory_name = "rescaling"

    def __init__(self, scale: float, offset: float | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        for option, value in (("scale", scale), ("offset", offset)):
            if value is not None and not _is_number(value):
                raise ValueError(
                    f"Rescaling {self.name}: {option} must be a number, got {value!r}."
                )
            number_option(f"Rescaling {self.name}", option, value, allow_none=True)
        self.scale = scale
        self.offset = offset if offset else 0  # TF.js: `if (args.offset) ... else 0`

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        x = one_input(self, inputs)
        if x._data.dtype.kind != "f":
            x = ops.cast(x, "float32")
        return ops.add(ops.mul(x, self.scale), self.offset)

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale, "offset": self.offset, **super().get_config()}


OUTPUT_MODES = ("multiHot", "oneHot", "count")
_KERAS_MODES = {"multi_hot": "multiHot", "one_hot": "oneHot"}


class CategoryEncoding(Layer):
    """Integer ids in [0, num_tokens) to vectors of length `num_tokens` (TF.js's
    `tf.layers.categoryEncoding`).

    `output_mode`: `'multiHot'` (default; 1 where an id of the sample occurs), `'oneHot'` (one
    vector per id: the input is [batch] or [batch, 1]) or `'count'` (how often each id occurs,
    or the sum of `count_weights` given to `apply`, same shape as the input). Inputs are cast
    to int32 (floats truncated); the output is float32 of rank at most 2.
    """

    class_name = "CategoryEncoding"
    factory_name = "categoryEncoding"

    def __init__(self, num_tokens: int, output_mode: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.num_tokens = positive_int(f"CategoryEncoding {self.name}", "numTokens", num_tokens)
        mode = or_default(output_mode, "multiHot")
        mode = _KERAS_MODES.get(mode, mode) if isinstance(mode, str) else mode
        if not isinstance(mode, str) or mode not in OUTPUT_MODES:
            raise ValueError(
                f"CategoryEncoding {self.name}: outputMode must be one of "
                f"{', '.join(repr(m) for m in OUTPUT_MODES)}, got {output_mode!r}."
            )
        self.output_mode = mode

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shape = one_shape(self, input_shape)
        if not shape:
            return (self.num_tokens,)
        if self.output_mode == "oneHot" and shape[-1] != 1:
            return shape + (self.num_tokens,)
        return shape[:-1] + (self.num_tokens,)

    def call(
        self,
        inputs: Any,
        training: bool = False,
        mask: Any = None,
        count_weights: Any = None,
        **kwargs: Any,
    ) -> Tensor:
        x = one_input(self, inputs)
        ids = np.asarray(x._data).astype(np.int32)  # TF.js's cast: floats truncated
        weights = None
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(
                    "countWeights is not used when outputMode !== count. Received "
                    f"countWeights={count_weights!r} (layer {self.name}, outputMode "
                    f"{self.output_mode!r})."
                )
            weights = as_tensor(count_weights, self.name)._data
        if ids.size and not (ids.max() < self.num_tokens and ids.min() >= 0):
            raise ValueError(
                "Input values must be between 0 < values <= numTokens with "
                f"numTokens={self.num_tokens}"
            )
        return Tensor._wrap(self._encode(ids, weights, x.shape))

    def _encode(self, ids: np.ndarray, weights: np.ndarray | None, shape: tuple) -> np.ndarray:
        """TF.js's encodeCategoricalInputs: a dense bincount per row (of a rank <= 2 input)."""
        if ids.ndim == 0:
            ids = ids.reshape(1)
        if self.output_mode == "oneHot" and ids.shape[-1] != 1:
            ids = ids[..., None]
        if ids.ndim > 2:
            raise ValueError(
                "When outputMode is not int, maximum output rank is 2 Received outputMode "
                f"{self.output_mode} and input shape {','.join(str(d) for d in shape)} which "
                f"would result in output rank {ids.ndim}."
            )
        rows = ids.reshape(-1, ids.shape[-1]) if ids.ndim == 2 else ids.reshape(1, -1)
        dtype = float_dtype()
        counts = np.zeros((rows.shape[0], self.num_tokens), dtype)
        add = np.ones(rows.shape, dtype)
        if weights is not None:
            if weights.size != ids.size:
                raise ValueError(
                    f"CategoryEncoding {self.name}: countWeights must have the shape of the "
                    f"input {format_shape(shape)}, got {format_shape(weights.shape)}."
                )
            add = weights.astype(dtype).reshape(rows.shape)
        np.add.at(counts, (np.arange(rows.shape[0])[:, None], rows), add)
        if self.output_mode in ("multiHot", "oneHot"):
            counts = (counts > 0).astype(dtype)
        return counts if ids.ndim == 2 else counts[0]

    def get_config(self) -> dict[str, Any]:
        return {
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
            **super().get_config(),
        }
