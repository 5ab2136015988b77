"""Checking and batching the data given to fit, evaluate and predict.

Data may be Tensors, NumPy arrays or nested lists; a model with several inputs (or outputs)
takes a list of them or a dict keyed by input (output) name. Every check raises a ValueError that
names the model's input, the shape it expects, the shape it got and how to fix it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _precision
from ..engine import ops
from ..layers.topology import format_shape
from ..tensor import Tensor


def to_array(x: Any, what: str, dtype: str = "float32") -> np.ndarray:
    """An ndarray of the engine dtype for float inputs, int32 for int inputs."""
    if isinstance(x, Tensor):
        arr = x._data
    else:
        try:
            arr = np.asarray(x)
        except ValueError as e:
            raise ValueError(f"{what}: could not read the data as an array ({e}).") from None
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise ValueError(
            f"{what}: expected numbers, got data of type {arr.dtype} (non-numeric values or "
            "rows of different lengths)."
        )
    target = np.int32 if dtype == "int32" else _precision.float_dtype()
    if arr.dtype != target:
        arr = arr.astype(target)
    return arr


def check_finite(arr: np.ndarray, what: str) -> None:
    if arr.dtype.kind != "f":
        return
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{what} holds {int(bad.sum())} NaN or infinite value(s); the first at index "
            f"{list(first)}. Clean or impute the data before training."
        )


def _rank_hint(expected: tuple, got: tuple, kind: str) -> str:
    """How to fix a rank mismatch: a reshape with the model's sizes when one fits."""
    n = got[0] if got else 1
    want = tuple(n if i == 0 or d is None else d for i, d in enumerate(expected))
    if None not in want and int(np.prod(want)) == int(np.prod(got)) and len(want) > len(got):
        sample = ", ".join(str(d) for d in want)
        ranked = f"tf.tensor{len(want)}d" if 1 <= len(want) <= 4 else "tf.tensor"
        return (
            f" Reshape the data: x.reshape({sample}) (NumPy or Tensor), or build it with "
            f"{ranked}(...) nested {len(want)} levels deep"
            + (
                ", e.g. tf.tensor3d([[[1]], [[2]]]) for 2 samples of 1 step with 1 feature."
                if len(want) == 3
                else "."
            )
        )
    if len(expected) == 3 and kind == "input":
        return " Recurrent layers take [batch, timesteps, features]."
    return ""


def check_input(arr: np.ndarray, expected: tuple, name: str, layer_name: str, kind: str) -> None:
    """Rank and fixed sizes of one input (or target) against the model's shape."""
    if arr.ndim != len(expected):
        layout = ""
        if len(expected) == 3 and kind == "input":
            layout = " [batch, timesteps, features]"
        raise ValueError(
            f"Error when checking {kind}: layer {layer_name} expects {name} to have "
            f"{len(expected)} dimension(s){layout} = {format_shape(expected)}, but got an array "
            f"with shape {format_shape(arr.shape)}." + _rank_hint(expected, arr.shape, kind)
        )
    for i, (want, got) in enumerate(zip(expected, arr.shape)):
        if want is not None and want != got and i > 0:
            raise ValueError(
                f"Error when checking {kind}: expected {name} to have shape "
                f"{format_shape(expected)} but got array with shape {format_shape(arr.shape)} "
                f"(layer {layer_name}, axis {i}: {got} instead of {want})."
            )


def as_list(data: Any, names: Sequence[str], what: str) -> list[Any]:
    """One entry per model input/output from a single array, a list or a dict by name."""
    if isinstance(data, dict):
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError(f"{what}: no data for {missing}; the dict has {sorted(data)}.")
        return [data[n] for n in names]
    if len(names) == 1:
        if isinstance(data, (list, tuple)) and len(data) == 1 and _is_array_like(data[0]):
            return [data[0]]
        if (
            isinstance(data, (list, tuple))
            and len(data) > 1
            and all(isinstance(d, Tensor) for d in data)
        ):
            raise ValueError(_count_message(what, names, len(data)))
        return [data]
    if not isinstance(data, (list, tuple)):
        raise ValueError(
            f"{what}: the model has {len(names)} ({', '.join(names)}); pass a list of "
            f"{len(names)} arrays or a dict keyed by these names."
        )
    if len(data) != len(names):
        raise ValueError(_count_message(what, names, len(data)))
    return list(data)


def _count_message(what: str, names: Sequence[str], got: int) -> str:
    return (
        f"Error when checking model {what}: the Array of Tensors that you are passing to your "
        f"model is not the size the model expected. Expected to see {len(names)} Tensor(s), "
        f"but instead got {got} Tensors(s). The model has {len(names)} "
        f"({', '.join(names)}); pass a list of {len(names)} arrays or a dict keyed by these "
        "names."
    )


def _is_array_like(x: Any) -> bool:
    return isinstance(x, (Tensor, np.ndarray))


def sample_count(arrays: Sequence[np.ndarray], what: str) -> int:
    if not arrays:
        raise ValueError(
            f"{what}: no input arrays were given (the model has no inputs, or none were "
            "passed); give one array per model input."
        )
    counts = {a.shape[0] if a.ndim else 1 for a in arrays}
    if len(counts) > 1:
        raise ValueError(
            f"{what}: all arrays must have the same number of samples, got {sorted(counts)}."
        )
    return counts.pop()


def batches(n: int, batch_size: int) -> list[tuple[int, int]]:
    """[start, end) of each batch; the last may be partial (TF.js's makeBatches)."""
    return [(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]


def check_batch_size(batch_size: Any) -> int:
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(
            f"batchSize is required to be a positive integer, but got {batch_size} "
            f"(batch_size must be a positive integer, got {batch_size!r})."
        )
    return int(batch_size)


# -- TF.js's helpers of engine/training.ts and engine/training_tensors.ts ------------------------
def is_data_tensor(x: Any) -> bool:
    """TF.js's `isDataTensor`: one Tensor (not a list or dict of them)."""
    return isinstance(x, Tensor)


def is_data_array(x: Any) -> bool:
    """TF.js's `isDataArray`: a list (or tuple) of Tensors."""
    return isinstance(x, (list, tuple))


def is_data_dict(x: Any) -> bool:
    """TF.js's `isDataDict`: a dict of Tensors by name."""
    return isinstance(x, dict)


def _shape_text(shape: Sequence[Any]) -> str:
    return ",".join("null" if d is None else str(d) for d in shape)


def standardize_input_data(
    data: Any,
    names: Sequence[str] | None,
    shapes: Sequence[Sequence[int | None] | None] | None = None,
    check_batch_axis: bool = True,
    exception_prefix: str = "",
) -> list[Any]:
    """TF.js's `standardizeInputData`: a list with one Tensor per name from one Tensor, a list
    or a dict by name, 1-D Tensors made [n, 1], each checked against `shapes` (None entries and
    dimensions are not checked; the batch axis only with `check_batch_axis`)."""
    if not names:
        if data is not None:
            unexpected = (len(data) > 0) if is_data_array(data) or is_data_dict(data) else True
            if unexpected:
                raise ValueError(
                    f"Error when checking model {exception_prefix} expected no data, but got {data}"
                )
        return []
    if data is None:
        return [None for _ in names]
    arrays: list[Any]
    if is_data_dict(data):
        arrays = []
        for name in names:
            if data.get(name) is None:
                raise ValueError(
                    f'No data provided for "{name}". Need data for each key in: {",".join(names)}'
                )
            arrays.append(data[name])
    elif is_data_array(data):
        if len(data) != len(names):
            raise ValueError(
                f"Error when checking model {exception_prefix}: the Array of Tensors that you "
                f"are passing to your model is not the size the model expected. Expected to "
                f"see {len(names)} Tensor(s), but instead got the following list of "
                f"Tensor(s): {', '.join(str(d) for d in data)}"
            )
        arrays = list(data)
    else:
        if len(names) > 1:
            raise ValueError(
                f"The model {exception_prefix} expects {len(names)} Tensor(s), but only "
                f"received one Tensor. Found: Tensor with shape {list(data.shape)}"
            )
        arrays = [data]
    arrays = [a.expandDims(1) if isinstance(a, Tensor) and a.rank == 1 else a for a in arrays]
    if shapes is not None:
        for i, name in enumerate(names):
            ref = shapes[i]
            if ref is None:
                continue
            got = list(arrays[i].shape)
            if len(got) != len(ref):
                raise ValueError(
                    f"Error when checking {exception_prefix}: expected {name} to have "
                    f"{len(ref)} dimension(s). but got array with shape {got}"
                )
            for j, ref_dim in enumerate(ref):
                if j == 0 and not check_batch_axis:
                    continue
                if ref_dim is not None and ref_dim >= 0 and got[j] != ref_dim:
                    raise ValueError(
                        f"{exception_prefix} expected a batch of elements where each example "
                        f"has shape [{_shape_text(ref[1:])}] (i.e.,tensor shape "
                        f"[*,{_shape_text(ref[1:])}]) but the {exception_prefix} received an "
                        f"input with {got[0]} examples, each with shape "
                        f"[{_shape_text(got[1:])}] (tensor shape [{_shape_text(got)}])"
                    )
    return arrays


def check_array_lengths(inputs: Sequence[Any], targets: Sequence[Any], weights: Any = None) -> None:
    """TF.js's `checkArrayLengths`: every input, and every target, has the same number of
    samples, and inputs as many as targets."""
    set_x = sorted({int(x.shape[0]) for x in inputs})
    set_y = sorted({int(y.shape[0]) for y in targets})
    if len(set_x) > 1:
        raise ValueError(
            "All input Tensors (x) should have the same number of samples. Got array shapes: "
            f"{[list(x.shape) for x in inputs]}"
        )
    if len(set_y) > 1:
        raise ValueError(
            "All target Tensors (y) should have the same number of samples. Got array shapes: "
            f"{[list(y.shape) for y in targets]}"
        )
    if set_x and set_y and set_x != set_y:
        raise ValueError(
            "Input Tensors should have the same number of samples as target Tensors. Found "
            f"{set_x[0]} input sample(s) and {set_y[0]} target sample(s)."
        )


def collect_metrics(metrics: Any, output_names: Sequence[str]) -> list[list[Any]]:
    """TF.js's `collectMetrics`: the metrics of each output, from one name or function, a list
    (the same for every output) or a dict by output name."""
    if metrics is None or (isinstance(metrics, (list, tuple)) and len(metrics) == 0):
        return [[] for _ in output_names]
    if isinstance(metrics, str) or callable(metrics):
        wrapped: Any = [metrics]
    elif isinstance(metrics, (list, tuple, dict)):
        wrapped = metrics
    else:
        raise TypeError(
            "Type of metrics argument not understood. Expected an string,function, Array, or "
            f"Object, found: {metrics!r}"
        )
    if isinstance(wrapped, (list, tuple)):
        return [list(wrapped) for _ in output_names]
    nested = []
    for name in output_names:
        out = wrapped.get(name, [])
        nested.append(list(out) if isinstance(out, (list, tuple)) else [out])
    return nested


def slice_arrays_by_indices(arrays: Any, indices: Any) -> Any:
    """TF.js's `sliceArraysByIndices`: the rows `indices` (cast to int32) of a Tensor or of
    each Tensor of a list; None gives None."""
    if arrays is None:
        return None
    if isinstance(arrays, (list, tuple)):
        return [slice_arrays_by_indices(a, indices) for a in arrays]
    idx = indices if isinstance(indices, Tensor) else Tensor._wrap(np.asarray(indices))
    if idx.dtype != "int32":
        idx = ops.cast(idx, "int32")
    return ops.gather(arrays, idx)


def make_batches(size: int, batch_size: int) -> list[list[int]]:
    """TF.js's `makeBatches`: [start, end] of each batch of `size` samples."""
    return [[s, e] for s, e in batches(size, batch_size)]
