"""TF.js's engine/training_utils.ts: class weights turned into per-sample weights.

`standardize_class_weights` gives one `{class: weight}` (or None) per model output from what
`fit(class_weight=...)` takes: one dict for a one-output model, a list with one per output, or a
dict by output name. `class_sample_weights` turns one output's targets into the weight of each
sample: class indices (rank 1, or rank 2 with one column) or one-hot rows (the arg max); as in
TF.js, a class in the data but not in the dict is an error (Keras would weigh it 1).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor


def standardize_class_weights(class_weight: Any, output_names: Sequence[str]) -> list[Any]:
    """One class-weight dict (or None) per output, in TF.js's rules and words."""
    return _standardize(class_weight, list(output_names), "classWeight")


def standardize_sample_weights(sample_weight: Any, output_names: Sequence[str]) -> list[Any]:
    """TF.js's standardizeSampleWeights: the same rules for sample weights."""
    return _standardize(sample_weight, list(output_names), "sampleWeight")


def _standardize(weight: Any, names: list[str], kind: str) -> list[Any]:
    n = len(names)
    if weight is None or (isinstance(weight, (list, tuple)) and len(weight) == 0):
        return [None] * n
    if n == 1:
        if isinstance(weight, (list, tuple)) and len(weight) == 1:
            return list(weight)
        if isinstance(weight, Mapping) and names[0] in weight:
            return [weight[names[0]]]
        return [weight]
    if isinstance(weight, (list, tuple)):
        if len(weight) != n:
            raise ValueError(
                f"Provided {kind} is an array of {len(weight)} element(s), but the model has "
                f"{n} outputs. Make sure a set of weights is provided for each model output."
            )
        return list(weight)
    if isinstance(weight, Mapping) and weight and isinstance(next(iter(weight.values())), Mapping):
        return [weight.get(name) for name in names]
    raise ValueError(
        f"The model has multiple ({n}) outputs, so {kind} must be either an array with {n} "
        f"elements or an object with {','.join(names)} keys. Provided {kind} not understood: "
        f"{_json(weight)}"
    )


def _json(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def class_sample_weights(y: Any, class_weight: Mapping[Any, Any]) -> np.ndarray:
    """Each sample's weight from its class (TF.js's standardizeWeights with a classWeight)."""
    arr = np.asarray(y._data if isinstance(y, Tensor) else y)
    if arr.ndim == 1:
        classes = arr
    elif arr.ndim == 2 and arr.shape[1] > 1:
        classes = np.argmax(arr, axis=1)
    elif arr.ndim == 2 and arr.shape[1] == 1:
        classes = arr.reshape(-1)
    elif arr.ndim == 2:
        raise ValueError(
            f"Encountered unexpected last-dimension size ({arr.shape[1]}) during handling of "
            "class weights. The size is expected to be >= 1."
        )
    else:
        raise ValueError(
            f"Unexpected rank of target (y) tensor ({arr.ndim}) during handling of class "
            "weights. The rank is expected to be 1 or 2: class indices, or one-hot rows."
        )
    table = {_class_key(k): float(v) for k, v in class_weight.items() if v is not None}
    out = np.empty(classes.shape[0], dtype=np.float64)
    for i, c in enumerate(classes.tolist()):
        key = _class_key(c)
        if key not in table:
            shown = int(key) if isinstance(key, float) and key.is_integer() else key
            raise ValueError(
                "classWeight must contain all classes in the training data. The class "
                f"{shown} exists in the data but not in classWeight (it has "
                f"{sorted(table, key=str)}); add a weight for it."
            )
        out[i] = table[key]
    return out


def _class_key(value: Any) -> Any:
    """A class as a key: 1, 1.0, '1' and np.int64(1) are the same class (JavaScript's keys)."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value
    value = float(value)
    return int(value) if value.is_integer() else value


async def _standardize_weights(
    y: Any, sample_weight: Any = None, class_weight: Any = None, sample_weight_mode: Any = None
) -> Tensor | None:
    if sample_weight is not None or sample_weight_mode is not None:
        raise NotImplementedError("Support sampleWeight is not implemented yet")
    if class_weight is None:
        return None
    return Tensor(class_sample_weights(y, class_weight).astype(np.float32))


def standardize_weights(
    y: Any, sample_weight: Any = None, class_weight: Any = None, sample_weight_mode: Any = None
) -> Any:
    """TF.js's `standardizeWeights(y, sampleWeight, classWeight)` (a Promise there: await it):
    the per-sample weights of `class_weight` as a float32 Tensor, None without one."""
    return _standardize_weights(y, sample_weight, class_weight, sample_weight_mode)


standardizeWeights = standardize_weights  # noqa: N816  (TF.js's names)
standardizeClassWeights = standardize_class_weights  # noqa: N816
standardizeSampleWeights = standardize_sample_weights  # noqa: N816
