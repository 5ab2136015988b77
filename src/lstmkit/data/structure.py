"""Batching and unbatching dataset elements: TF.js's `deepBatchConcat` (tfjs-data dataset.ts).

An element is a leaf or a structure of leaves. `batch` looks at the first row: a leaf there
(a number, a boolean, a Tensor, a NumPy array, or a list of numbers, which TF.js turns into a
tensor) stacks the rows into one Tensor; a dict, a tuple, or a list holding tensors, arrays,
dicts or tuples is a structure, recursed into key by key, so `{xs, ys}` dicts and Keras's
`(x, y)` pairs come out as the same structure with batched tensors.

Dtypes as TF.js: plain numbers become float32 (`tf.tensor([1, 2])`), booleans bool, Tensors
keep theirs (`tf.stack`), NumPy arrays follow `tf.tensor` (floats to the float dtype, integers
to int32). TF.js would also batch strings into a string tensor; lstmkit has no string dtype,
so a string leaf is an error that says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor, tensor

_NUMBER = (bool, int, float, np.generic)


def _is_structure_item(value: Any) -> bool:
    if isinstance(value, (dict, tuple, Tensor, np.ndarray)):
        return True
    return isinstance(value, list) and not is_leaf(value)


def is_leaf(value: Any) -> bool:
    """True when `value` is batched as one tensor (see the module docstring)."""
    if isinstance(value, (Tensor, np.ndarray, str, *_NUMBER)):
        return True
    if isinstance(value, list):
        return not any(_is_structure_item(v) for v in value)
    return False


def _describe(value: Any) -> str:
    if isinstance(value, Tensor):
        return f"a {value.dtype} Tensor of shape {list(value.shape)}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {list(value.shape)} ({value.dtype})"
    return f"{type(value).__name__} {value!r}"[:120]


def _stack(rows: Sequence[Any], where: str) -> Tensor:
    """One Tensor from same-shape leaves, with TF.js's dtypes."""
    first = rows[0]
    if any(isinstance(r, str) for r in rows) or (
        isinstance(first, np.ndarray) and first.dtype.kind in "USO"
    ):
        raise ValueError(
            f"Dataset.batch(): {where} holds strings; lstmkit tensors hold numbers and booleans "
            "(TF.js would make a string tensor). Map the strings to numbers first, e.g. "
            "ds.map(lambda e: {**e, 'label': vocabulary.index(e['label'])})."
        )
    if isinstance(first, (Tensor, np.ndarray)):
        arrays = [r._data if isinstance(r, Tensor) else np.asarray(r) for r in rows]
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            raise ValueError(
                f"Dataset.batch(): {where} has rows of different shapes "
                f"{sorted(list(s) for s in shapes)}; a batch stacks rows of one shape. Pad or "
                "crop them to one shape (tf.preprocessing.pad_sequences), or batch(1)."
            )
        stacked = np.stack(arrays)
        if isinstance(first, Tensor) and all(isinstance(r, Tensor) for r in rows):
            return Tensor._wrap(stacked)  # tf.stack: the rows' dtype
        return tensor(stacked)
    try:
        return tensor(list(rows))
    except ValueError as e:
        raise ValueError(
            f"Dataset.batch(): could not stack {where} into one tensor: {e} Give every "
            "element the same shape (pad the rows), or batch(1)."
        ) from None


def batch_rows(rows: Sequence[Any], where: str = "the element") -> Any:
    """TF.js's `deepBatchConcat`: the rows' common structure with each leaf stacked."""
    if not rows:
        raise ValueError("Dataset.batch(): can't make a batch of zero elements.")
    first = rows[0]
    if first is None:
        raise ValueError(
            f"Dataset.batch(): {where} is None; elements must be numbers, arrays, Tensors, or "
            "dicts/lists/tuples of them. Drop the None elements first (ds.filter(...))."
        )
    if is_leaf(first):
        return _stack(rows, where)
    if isinstance(first, dict):
        out = {}
        for key in first:
            column = []
            for i, row in enumerate(rows):
                if not isinstance(row, dict) or key not in row:
                    raise ValueError(
                        f"Dataset.batch(): row {i} of the batch lacks the key {key!r} that "
                        f"the first row has in {where}; got {_describe(row)}. Give every "
                        "element the same keys."
                    )
                column.append(row[key])
            out[key] = batch_rows(column, f"{where}[{key!r}]")
        return out
    if isinstance(first, (list, tuple)):
        for i, row in enumerate(rows):
            if not isinstance(row, (list, tuple)) or len(row) != len(first):
                raise ValueError(
                    f"Dataset.batch(): row {i} of the batch is {_describe(row)}, but the first "
                    f"row of {where} is a {type(first).__name__} of {len(first)} items; give "
                    "every element the same structure."
                )
        parts = [batch_rows([r[j] for r in rows], f"{where}[{j}]") for j in range(len(first))]
        return tuple(parts) if isinstance(first, tuple) else parts
    raise ValueError(
        f"Dataset.batch(): cannot batch {where}, {_describe(first)}; elements must be numbers, "
        "booleans, arrays, Tensors, or dicts/lists/tuples of them."
    )


def _leaf_length(value: Any, where: str) -> int:
    if isinstance(value, Tensor):
        shape = value.shape
    elif isinstance(value, np.ndarray):
        shape = value.shape
    elif isinstance(value, list):
        return len(value)
    else:
        shape = ()
    if not shape:
        raise ValueError(
            f"Dataset.unbatch(): {where} is {_describe(value)}, which has no batch axis to "
            "split; unbatch elements whose leaves have a leading batch dimension."
        )
    return int(shape[0])


def _lengths(element: Any, where: str, out: list[tuple[int, str]]) -> None:
    if is_leaf(element):
        out.append((_leaf_length(element, where), where))
    elif isinstance(element, dict):
        for k, v in element.items():
            _lengths(v, f"{where}[{k!r}]", out)
    elif isinstance(element, (list, tuple)):
        for j, v in enumerate(element):
            _lengths(v, f"{where}[{j}]", out)
    else:
        raise ValueError(f"Dataset.unbatch(): cannot split {where}, {_describe(element)}.")


def _row(element: Any, i: int) -> Any:
    if isinstance(element, Tensor):
        return Tensor._wrap(element._data[i])
    if isinstance(element, np.ndarray):
        return element[i]
    if isinstance(element, dict):
        return {k: _row(v, i) for k, v in element.items()}
    if isinstance(element, tuple):
        return tuple(_row(v, i) for v in element)
    if isinstance(element, list):
        if is_leaf(element):
            return element[i]
        return [_row(v, i) for v in element]
    return element


def unbatch_element(element: Any) -> Iterator[Any]:
    """The rows of one batched element (every leaf split along its first axis)."""
    found: list[tuple[int, str]] = []
    _lengths(element, "the element", found)
    sizes = {n for n, _ in found}
    if len(sizes) > 1:
        detail = ", ".join(f"{w} has {n}" for n, w in found)
        raise ValueError(
            f"Dataset.unbatch(): the leaves of one element have different batch sizes "
            f"({detail}); every leaf needs the same leading dimension."
        )
    for i in range(sizes.pop() if sizes else 0):
        yield _row(element, i)
