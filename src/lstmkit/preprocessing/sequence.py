"""Keras's `pad_sequences` (keras/src/utils/sequence_utils.py; `keras.preprocessing.sequence`
and `keras.utils`), with Keras's semantics: a NumPy array, as Keras returns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["pad_sequences"]


def pad_sequences(
    sequences: Any,
    maxlen: int | None = None,
    dtype: Any = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: Any = 0.0,
) -> np.ndarray:
    """Pad (or cut) each sequence to `maxlen` (default: the longest): an array of shape
    `(len(sequences), maxlen) + sample_shape`, filled with `value`; 'pre' pads or cuts at the
    start, 'post' at the end (Keras's `pad_sequences`)."""
    where = "pad_sequences()"
    if not hasattr(sequences, "__len__"):
        raise ValueError(
            f"{where}: `sequences` must be a list of sequences, got "
            f"{type(sequences).__name__}; e.g. pad_sequences([[1, 2], [3]])."
        )
    lengths = []
    sample_shape: tuple[int, ...] = ()
    found = False
    for x in sequences:
        try:
            lengths.append(len(x))
        except TypeError:
            raise ValueError(
                f"{where}: `sequences` must be a list of iterables; found the non-iterable "
                f"{x!r}. Wrap single values in a list: [[5], [1, 2]]."
            ) from None
        if not found and len(x):
            sample_shape = np.asarray(x).shape[1:]
            found = True
    if maxlen is None:
        if not lengths:
            raise ValueError(
                f"{where}: `sequences` is empty, so there is no longest sequence to pad to; "
                "give at least one sequence or pass maxlen."
            )
        maxlen = int(np.max(lengths))
    if padding not in ("pre", "post"):
        raise ValueError(f'{where}: padding type "{padding}" not understood; use "pre" or "post".')
    if truncating not in ("pre", "post"):
        raise ValueError(
            f'{where}: truncating type "{truncating}" not understood; use "pre" or "post".'
        )
    is_text = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_text:
        raise ValueError(
            f"{where}: dtype {dtype} is not compatible with the padding value {value!r} "
            "(a str); set dtype=object for variable-length strings."
        )
    out = np.full((len(sequences), maxlen) + tuple(sample_shape), value, dtype=dtype)
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(
                f"{where}: the items of sequence {idx} have shape {trunc.shape[1:]}, unlike "
                f"the first non-empty sequence's {sample_shape}; give every item one shape."
            )
        if padding == "post":
            out[idx, : len(trunc)] = trunc
        else:
            out[idx, -len(trunc) :] = trunc
    return out
