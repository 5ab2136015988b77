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
from ..layers.base import format_shape
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
                f"Error when checking {kind}: layer {layer_name} expects {name} to have shape "
                f"{format_shape(expected)}, but got an array with shape "
                f"{format_shape(arr.shape)} (axis {i}: {got} instead of {want})."
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
        return [data]
    if not isinstance(data, (list, tuple)) or len(data) != len(names):
        raise ValueError(
            f"{what}: the model has {len(names)} ({', '.join(names)}); pass a list of "
            f"{len(names)} arrays or a dict keyed by these names."
        )
    return list(data)


def _is_array_like(x: Any) -> bool:
    return isinstance(x, (Tensor, np.ndarray))


def sample_count(arrays: Sequence[np.ndarray], what: str) -> int:
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
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    return int(batch_size)
