"""The elements of a dataset as the model's arrays, for fitDataset and evaluateDataset
(tfjs-layers training_dataset.ts `standardizeDataIteratorOutput`, `isDatasetObject`).

A dataset is what TF.js accepts: a tf.data Dataset, or any object with an `iterator()` method
(TF.js only checks for it; programs pass `{iterator: function* () {...}}`, here a dict with an
'iterator' function or an object with that method, plain or `async`); evaluateDataset also
takes an iterator (a tf.data LazyIterator, a Python iterator or generator, an async generator,
or an object whose `next()` gives `{'value', 'done'}`).

An element is TF.js's `{xs, ys}` (each a Tensor, a list of them, or a dict keyed by input or
output name), a `[xs, ys]` list, or Keras's `(x, y)` / `(x, y, sample_weight)` tuple. Every
input and target of one element must hold the same number of samples.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from .._async import run
from ..data import Dataset, LazyIterator
from ..data.readers import iterate as iterate_source
from ..tensor import Tensor
from . import data as data_mod


def _iterator_method(value: Any) -> Any:
    """The `iterator` function of a TF.js-style dataset object (a dict or an object), or None."""
    if isinstance(value, Dataset):
        return value.iterator
    if isinstance(value, Mapping):
        fn = value.get("iterator")
    else:
        fn = getattr(value, "iterator", None)
    return fn if callable(fn) else None


def is_dataset_object(value: Any) -> bool:
    """TF.js's isDatasetObject: a Dataset, or anything with an `iterator()` function."""
    return _iterator_method(value) is not None


def is_iterator(value: Any) -> bool:
    """An iterator to read batches from: Python's (`__next__`), an async generator, or a
    TF.js-style object with a `next()` function (TF.js's isLazyIteratorObject)."""
    if isinstance(value, (Tensor, np.ndarray, Mapping, list, tuple, str)):
        return False
    return (
        isinstance(value, LazyIterator)
        or hasattr(value, "__next__")
        or hasattr(value, "__anext__")
        or callable(getattr(value, "next", None))
    )


def is_dataset(value: Any) -> bool:
    """A dataset (see the module docstring) or an iterator of batches."""
    return is_dataset_object(value) or is_iterator(value)


def size_of(source: Any) -> float | None:
    """The dataset's `size` when it says one (TF.js reads `dataset.size`), else None."""
    size = source.get("size") if isinstance(source, Mapping) else getattr(source, "size", None)
    if isinstance(size, bool) or not isinstance(size, (int, float, np.integer, np.floating)):
        return None
    return float(size)


def iterate(source: Any, where: str = "fitDataset()") -> Iterator[Any]:
    """A fresh iterator of a dataset (`await dataset.iterator()`), or the iterator itself,
    read as Python iterators are whatever form it has."""
    fn = _iterator_method(source)
    if isinstance(source, Dataset):
        return iter(source)
    if fn is not None:
        return iterate_source(run(fn()), where)
    return iterate_source(source, where)


def split_element(item: Any, where: str) -> tuple[Any, Any, Any]:
    """(xs, ys, sample_weight or None) of one element."""
    if isinstance(item, Mapping):
        if item.get("xs") is None or item.get("ys") is None:
            raise ValueError(
                f"{where}: a dataset for training is expected to give elements of the form "
                "{'xs': x, 'ys': y} (or (x, y) pairs), where x and y may be a Tensor, a list of "
                "Tensors, or a dict keyed by input/output name; this one gave a dict with keys "
                f"{sorted(map(str, item))}. Map the elements, e.g. "
                "ds.map(lambda e: {'xs': e['features'], 'ys': e['label']})."
            )
        return item["xs"], item["ys"], None
    if isinstance(item, (list, tuple)) and len(item) in (2, 3):
        return item[0], item[1], item[2] if len(item) == 3 else None
    kind = f"{type(item).__name__}" + (
        f" of {len(item)} items" if isinstance(item, (list, tuple)) else ""
    )
    raise ValueError(
        f"{where}: a dataset for training is expected to give elements of the form "
        "{'xs': x, 'ys': y}, [x, y] or (x, y[, sample_weight]); this one gave a "
        f"{kind}. Map the elements into that form (ds.map(...)), and batch them "
        "(ds.batch(32)) so each element is one batch."
    )


def _check_count(values: Any, names: list[str], kind: str, where: str) -> None:
    """TF.js's check that a list of tensors has one per model input (output)."""
    if (
        isinstance(values, (list, tuple))
        and values
        and all(isinstance(v, (Tensor, np.ndarray)) for v in values)
        and len(values) != len(names)
    ):
        raise ValueError(
            f"{where}: the model has {len(names)} {kind}(s) {names}, but the dataset provides "
            f"{len(values)}. Give one Tensor per {kind}, a dict keyed by these names, or a "
            f"single Tensor for a model with one {kind}."
        )


def element_arrays(
    model: Any, item: Any, where: str
) -> tuple[list[np.ndarray], list[np.ndarray], Any]:
    """The model's input and target arrays of one element, and its sample weights (or None)."""
    bx, by, sw = split_element(item, where)
    _check_count(bx, model.input_names, "input", where)
    _check_count(by, model.output_names, "output", where)
    xs = model._inputs_arrays(bx)
    ys = model._target_arrays(by)
    n = data_mod.sample_count(xs, f"{where}: batch inputs")
    for name, y in zip(model.output_names, ys):
        got = y.shape[0] if y.ndim else 1
        if got != n:
            raise ValueError(
                f"{where}: batch size mismatch: output {name} has {got} samples; expected {n} "
                f"based on input {model.input_names[0]}. Give x and y of each element the "
                "same number of rows."
            )
    return xs, ys, sw


def evaluate_values(
    model: Any,
    source: Any,
    batches: int | None,
    where: str,
    stacklevel: int = 3,
    what: str = "the dataset",
) -> list[float]:
    """TF.js's evaluateDataset: each batch's loss and metrics, weighted by its size.

    A dataset with no batches is an error here (TF.js gives undefined values, Keras leaves
    the val_ keys out): it is almost always windows longer than the data, or a used iterator.
    """
    it = iterate(source, where)
    sums: np.ndarray | None = None
    seen = 0
    done = 0
    while batches is None or done < batches:
        try:
            item = next(it)
        except StopIteration:
            if batches is not None:
                warnings.warn(
                    f"{where}: the dataset ran out after {done} batch(es), though "
                    f"batches={batches}; evaluation stops there. Give at least {batches} "
                    "batches (ds.repeat() makes a dataset endless).",
                    RuntimeWarning,
                    stacklevel=stacklevel,
                )
            break
        xs, ys, _ = element_arrays(model, item, where)
        n = data_mod.sample_count(xs, f"{where}: batch inputs")
        values = np.asarray(model._evaluate_arrays(xs, ys, max(n, 1))) * n
        sums = values if sums is None else sums + values
        seen += n
        done += 1
    if sums is None or seen == 0:
        raise ValueError(
            f"{where}: {what} gave no samples to evaluate. Check that it is not empty "
            "(ds.size: a timeseries_dataset_from_array of fewer rows than one window, or "
            "with no targets, is empty) and not exhausted (pass the Dataset, not a used "
            "iterator)."
        )
    return list(sums / seen)


def positive_int(value: Any, where: str, name: str) -> int | None:
    """None, or `value` as a positive integer (TF.js's asserts on epochs, batches...)."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer, float))
        or (isinstance(value, float) and not value.is_integer())
        or value <= 0
    ):
        raise ValueError(
            f"{where}: {name} is expected to be a positive integer, but got {value!r}."
        )
    return int(value)
