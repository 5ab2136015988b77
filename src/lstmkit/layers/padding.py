"""Padding of sequences (`tfjs-layers/src/layers/padding.ts`, its 1-D part).

`temporal_padding` (TF.js's `temporalPadding`) pads the time axis of a [batch, steps, features]
tensor with zeros. TF.js's 2-D helpers and layers (`spatial2dPadding`, `ZeroPadding2D`) are
image tools lstmkit does not have (`lstmkit.unavailable`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine import ops
from ..tensor import Tensor, as_tensor


def temporal_padding(x: Any, padding: Sequence[int] | None = None) -> Tensor:
    """Zeros before and after the steps of a 3-D tensor: `padding` = [before, after], [1, 1]
    by default. TF.js's `temporalPadding(x, padding?)`, with its errors."""
    x = as_tensor(x, "temporalPadding")
    if x.rank != 3:
        raise ValueError(
            "temporalPadding expects input tensor to be 3-D, but received a "
            f"{x.rank}-D tensor (shape {list(x.shape)})."
        )
    if padding is None:
        padding = [1, 1]
    if len(padding) != 2:
        raise ValueError(
            "temporalPadding expects input padding pattern to be a length-2 array, but "
            f"received a length-{len(padding)} array ({list(padding)})."
        )
    return ops.pad(x, [[0, 0], [int(padding[0]), int(padding[1])], [0, 0]])


temporalPadding = temporal_padding  # noqa: N816  (TF.js's name)
