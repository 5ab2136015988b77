"""Picking values: `topk` (the k largest along the last axis) and `multinomial` (sampling)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ... import _random
from ...tensor import Tensor
from .. import tape
from ._common import _t


class ValuesAndIndices:
    """TF.js's `{values, indices}` results (`topk`, `unique`).

    Read one as TF.js does (`r.values`, `r.indices`), as a dict (`r['values']`) or unpack it
    (`values, indices = tf.topk(x, 2)`).
    """

    __slots__ = ("values", "indices")
    _op = "result"

    def __init__(self, values: Tensor, indices: Tensor):
        self.values = values
        self.indices = indices

    def __getitem__(self, key: str | int) -> Tensor:
        if key in ("values", 0):
            return self.values
        if key in ("indices", 1):
            return self.indices
        raise KeyError(f"{self._op} result: no {key!r}; it holds 'values' and 'indices'.")

    def keys(self) -> tuple[str, str]:
        return ("values", "indices")

    def __iter__(self) -> Iterator[Tensor]:
        return iter((self.values, self.indices))

    def __len__(self) -> int:
        return 2

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(values={self.values.tolist()}, indices={self.indices.tolist()})"
        )


class TopK(ValuesAndIndices):
    """What `topk` returns: TF.js's `{values, indices}`."""

    __slots__ = ()
    _op = "topk"


def topk(x: Any, k: int = 1, sorted: bool = True) -> TopK:
    """The `k` largest values along the last axis and their indices (int32), largest first;
    equal values keep their order (the lower index first), as TF.js's `topk`.

    The values are differentiable (the gradient goes back to where each value came from).
    """
    x = _t(x, "topk")
    if x.rank == 0:
        raise ValueError("topk(): expects the input to be of rank 1 or higher, got a scalar.")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"topk(): 'k' must be an integer, got {k!r}.")
    last = x.shape[-1]
    if k < 0:
        raise ValueError(f"topk(): 'k' passed to topk() must be >= 0 but got {k}.")
    if k > last:
        raise ValueError(
            f"topk(): 'k' passed to topk() must be <= the last dimension ({last}) but got {k}; "
            f"x has shape {list(x.shape)}."
        )
    xd = x._data
    # a stable sort of the negated values: largest first, ties by index
    key = np.logical_not(xd) if xd.dtype == np.bool_ else -xd.astype(np.float64)
    idx = np.argsort(key, axis=-1, kind="stable")[..., : int(k)]
    vals = np.ascontiguousarray(np.take_along_axis(xd, idx, axis=-1))
    shape, dt = xd.shape, xd.dtype

    def back(g):
        full = np.zeros(shape, g.dtype if g.dtype.kind == "f" else dt)
        np.put_along_axis(full, idx, g, axis=-1)
        return (full,)

    values = tape.record("topk", vals, (x,), back) if dt.kind == "f" else Tensor._wrap(vals)
    return TopK(values, Tensor._wrap(idx.astype(np.int32)))


def multinomial(
    logits: Any, num_samples: int, seed: Any = None, normalized: bool = False
) -> Tensor:
    """Draw `num_samples` category indices (int32) per row of `logits` ([n] or [batch, n]);
    with `normalized` the rows are probabilities, else unnormalized log-probabilities
    (TF.js's `multinomial`). Seeded by `seed`, else by lstmkit's generator (`tf.set_seed`)."""
    x = _t(logits, "multinomial")
    if x.size < 2:
        raise ValueError(
            f"multinomial(): you need at least 2 outcomes, but got {x.size} "
            f"(logits of shape {list(x.shape)})."
        )
    if x.rank not in (1, 2):
        raise ValueError(
            f"multinomial(): Rank of probabilities must be 1 or 2, but is {x.rank}; pass "
            "[numOutcomes] or [batch, numOutcomes]."
        )
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)):
        raise ValueError(f"multinomial(): numSamples must be an integer, got {num_samples!r}.")
    if num_samples < 0:
        raise ValueError(f"multinomial(): numSamples must be >= 0, got {num_samples}.")
    rows = x._data.reshape(1, -1) if x.rank == 1 else x._data
    rows = rows.astype(np.float64)
    if normalized:
        probs = rows
    else:
        e = np.exp(rows - rows.max(axis=1, keepdims=True))
        probs = e / e.sum(axis=1, keepdims=True)
    cdf = np.cumsum(probs, axis=1)
    gen = _random.generator(seed)
    draws = gen.random((rows.shape[0], int(num_samples))) * cdf[:, -1:]
    out = np.empty(draws.shape, np.int32)
    for b in range(rows.shape[0]):
        pick = np.searchsorted(cdf[b], draws[b], side="right")
        out[b] = np.minimum(pick, rows.shape[1] - 1)
    return Tensor._wrap(out.reshape(-1) if x.rank == 1 else out)
