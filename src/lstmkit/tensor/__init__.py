"""`lstmkit.tensor`: the `Tensor` (core.py), the functions that create tensors (creation.py),
and TF.js's tensor lifetime calls (lifetime.py: tidy, dispose, keep, memory).

Nothing here imports the ops: `engine.ops.tensor_methods` binds Tensor's operators and chained
methods onto the class when the engine is imported.
"""

from __future__ import annotations

from .core import (
    _DISPOSED,
    ShapeLike,
    Tensor,
    _check_shape,
    _dtype_name,
    _np_dtype,
    _to_array,
    as_tensor,
)
from .creation import (
    eye,
    fill,
    linspace,
    normal_array,
    ones,
    ones_like,
    random_normal,
    random_uniform,
    range,
    scalar,
    tensor,
    tensor1d,
    tensor2d,
    tensor3d,
    tensor4d,
    tensor5d,
    tensor6d,
    truncated_normal,
    truncated_normal_array,
    uniform_array,
    zeros,
    zeros_like,
)
from .lifetime import MemoryInfo, dispose, keep, memory, tidy

__all__ = [
    "_DISPOSED",
    "MemoryInfo",
    "ShapeLike",
    "Tensor",
    "_check_shape",
    "_dtype_name",
    "_np_dtype",
    "_to_array",
    "as_tensor",
    "dispose",
    "eye",
    "fill",
    "keep",
    "linspace",
    "memory",
    "normal_array",
    "ones",
    "ones_like",
    "random_normal",
    "random_uniform",
    "range",
    "scalar",
    "tensor",
    "tensor1d",
    "tensor2d",
    "tensor3d",
    "tensor4d",
    "tensor5d",
    "tensor6d",
    "tidy",
    "truncated_normal",
    "truncated_normal_array",
    "uniform_array",
    "zeros",
    "zeros_like",
]
