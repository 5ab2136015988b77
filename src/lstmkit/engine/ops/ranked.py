"""TF.js's rank-suffixed forms of concat, slice, reverse and pad (`concat2d`, `slice3d`, ...):
each checks what TF.js checks and calls the general op, so each is differentiable as it is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...tensor import Tensor
from ._common import _t
from .shape import concat, pad, reverse, slice

# -- concat -------------------------------------------------------------------------------------


def concat1d(tensors: Sequence[Any]) -> Tensor:
    """`tf.concat1d(tensors)`: concat along axis 0."""
    return concat(tensors, 0)


def concat2d(tensors: Sequence[Any], axis: int) -> Tensor:
    """`tf.concat2d(tensors, axis)`."""
    return concat(tensors, axis)


def concat3d(tensors: Sequence[Any], axis: int) -> Tensor:
    """`tf.concat3d(tensors, axis)`."""
    return concat(tensors, axis)


def concat4d(tensors: Sequence[Any], axis: int) -> Tensor:
    """`tf.concat4d(tensors, axis)`."""
    return concat(tensors, axis)


# -- slice --------------------------------------------------------------------------------------


def _ranked_input(x: Any, rank: int, op: str) -> Tensor:
    t = _t(x, op)
    if t.rank != rank:
        raise ValueError(f"{op} expects a rank-{rank} tensor, but got a rank-{t.rank} tensor.")
    return t


def slice1d(x: Any, begin: int, size: int) -> Tensor:
    """`tf.slice1d(x, begin, size)` on a rank-1 tensor."""
    return slice(_ranked_input(x, 1, "slice1d"), [begin], [size])


def slice2d(x: Any, begin: Sequence[int], size: Sequence[int]) -> Tensor:
    """`tf.slice2d(x, begin, size)` on a rank-2 tensor."""
    return slice(_ranked_input(x, 2, "slice2d"), begin, size)


def slice3d(x: Any, begin: Sequence[int], size: Sequence[int]) -> Tensor:
    """`tf.slice3d(x, begin, size)` on a rank-3 tensor."""
    return slice(_ranked_input(x, 3, "slice3d"), begin, size)


def slice4d(x: Any, begin: Sequence[int], size: Sequence[int]) -> Tensor:
    """`tf.slice4d(x, begin, size)` on a rank-4 tensor."""
    return slice(_ranked_input(x, 4, "slice4d"), begin, size)


# -- reverse ------------------------------------------------------------------------------------


def _reverse_input(x: Any, rank: int) -> Tensor:
    t = _t(x, "reverse")
    if t.rank != rank:
        raise ValueError(
            f"reverse{rank}d: Error in reverse{rank}D: x must be rank {rank} but got rank {t.rank}."
        )
    return t


def reverse1d(x: Any) -> Tensor:
    """`tf.reverse1d(x)` on a rank-1 tensor."""
    return reverse(_reverse_input(x, 1), 0)


def reverse2d(x: Any, axis: Any = None) -> Tensor:
    """`tf.reverse2d(x, axis?)` on a rank-2 tensor (all axes when `axis` is None)."""
    return reverse(_reverse_input(x, 2), axis)


def reverse3d(x: Any, axis: Any = None) -> Tensor:
    """`tf.reverse3d(x, axis?)` on a rank-3 tensor."""
    return reverse(_reverse_input(x, 3), axis)


def reverse4d(x: Any, axis: Any = None) -> Tensor:
    """`tf.reverse4d(x, axis?)` on a rank-4 tensor."""
    return reverse(_reverse_input(x, 4), axis)


# -- pad ----------------------------------------------------------------------------------------


def _check_pairs(paddings: Any, n: int, op: str) -> None:
    ok = len(paddings) == n and all(len(p) == 2 for p in paddings)
    if not ok:
        raise ValueError(
            f"{op}: Invalid number of paddings. Must be length of 2 each; expected {n} pairs "
            f"[before, after], got {paddings!r}."
        )


def pad1d(x: Any, paddings: Sequence[int], constant_value: float = 0) -> Tensor:
    """`tf.pad1d(x, [before, after], constantValue = 0)`."""
    if len(paddings) != 2:
        raise ValueError(
            f"pad1d: Invalid number of paddings. Must be length of 2; got {list(paddings)!r}."
        )
    return pad(x, [paddings], constant_value)


def pad2d(x: Any, paddings: Sequence[Sequence[int]], constant_value: float = 0) -> Tensor:
    """`tf.pad2d(x, [[b0, a0], [b1, a1]], constantValue = 0)`."""
    _check_pairs(paddings, 2, "pad2d")
    return pad(x, paddings, constant_value)


def pad3d(x: Any, paddings: Sequence[Sequence[int]], constant_value: float = 0) -> Tensor:
    """`tf.pad3d(x, paddings, constantValue = 0)`: three [before, after] pairs."""
    _check_pairs(paddings, 3, "pad3d")
    return pad(x, paddings, constant_value)


def pad4d(x: Any, paddings: Sequence[Sequence[int]], constant_value: float = 0) -> Tensor:
    """`tf.pad4d(x, paddings, constantValue = 0)`: four [before, after] pairs."""
    _check_pairs(paddings, 4, "pad4d")
    return pad(x, paddings, constant_value)
