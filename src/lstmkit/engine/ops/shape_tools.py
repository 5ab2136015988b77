"""Shape helpers TF.js has beside the basic shape ops: `mirrorPad`, `meshgrid`,
`ensureShape`, `broadcastArgs`, `clone`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...tensor import Tensor, ones
from .. import tape
from ._common import _t
from .arithmetic import matmul
from .scatter_gather import int_operand
from .shape import reshape

# -- mirrorPad ----------------------------------------------------------------------------------


def mirror_pad(x: Any, paddings: Sequence[Sequence[int]], mode: str) -> Tensor:
    """`tf.mirrorPad(x, paddings, mode)`: pad each axis with a mirror image of the values,
    'reflect' (the edge not repeated: each padding < the axis size) or 'symmetric' (the edge
    repeated: each padding <= the axis size). Differentiable (the gradient folds back)."""
    op = "mirrorPad"
    if mode not in ("reflect", "symmetric"):
        raise ValueError(
            f"{op}: Invalid mode. Mode must be either reflect or symmetric. Got {mode}."
        )
    xt = _t(x, op)
    if xt.rank == 0:
        raise ValueError(f"{op}: mirrorPad(scalar) is not defined. Pass non-scalar to mirrorPad.")
    if len(paddings) != xt.rank:
        raise ValueError(
            f"{op}: Padding doesn't match input. Must be {xt.rank}. Got {len(paddings)}."
        )
    offset = 1 if mode == "reflect" else 0
    pads = []
    for i, p in enumerate(paddings):
        if len(p) != 2:
            raise ValueError(f"{op}: Invalid number of paddings. Must be length of 2 each.")
        lim = xt.shape[i] - offset
        if not (0 <= p[0] <= lim and 0 <= p[1] <= lim):
            raise ValueError(
                f"{op}: Padding in dimension {i} cannot be greater than or equal to {lim} or "
                f"less than 0 for input of shape {list(xt.shape)}; got {list(p)}."
            )
        pads.append((int(p[0]), int(p[1])))
    # per axis, the source position of every output position
    sources = [
        np.pad(np.arange(n), pad, mode=mode)  # type: ignore[call-overload]
        for n, pad in zip(xt.shape, pads)
    ]
    out = xt._data
    for ax, src in enumerate(sources):
        out = np.take(out, src, axis=ax)
    xshape = xt.shape

    def back(g: np.ndarray) -> tuple[np.ndarray]:
        for ax in range(len(sources) - 1, -1, -1):
            moved = np.moveaxis(g, ax, 0)
            folded = np.zeros((xshape[ax],) + moved.shape[1:], g.dtype)
            np.add.at(folded, sources[ax], moved)
            g = np.moveaxis(folded, 0, ax)
        return (np.ascontiguousarray(g),)

    return tape.record(op, np.ascontiguousarray(out), (xt,), back)


# -- meshgrid -----------------------------------------------------------------------------------


def meshgrid(
    x: Any = None,
    y: Any = None,
    options: dict[str, Any] | None = None,
    *,
    indexing: str | None = None,
) -> list[Tensor]:
    """`tf.meshgrid(x?, y?, {indexing = 'xy'})`: coordinate matrices from two vectors
    ('xy': both [len(y), len(x)]; 'ij': both [len(x), len(y)]). The options may be passed as
    TF.js does (a dict third) or as `indexing=`."""
    mode = indexing if indexing is not None else (options or {}).get("indexing", "xy")
    if mode not in ("xy", "ij"):
        raise TypeError(f"meshgrid: {mode} is not a valid third argument to meshgrid.")
    if x is None:
        return []
    xt = _t(x, "meshgrid") if isinstance(x, Tensor) else Tensor._wrap(_as_float(x))
    if y is None:
        return [xt]
    yt = _t(y, "meshgrid") if isinstance(y, Tensor) else Tensor._wrap(_as_float(y))
    w, h = xt.size, yt.size
    if mode == "xy":
        xr, yr = reshape(xt, [1, -1]), reshape(yt, [-1, 1])
        return [matmul(ones([h, 1], xt.dtype), xr), matmul(yr, ones([1, w], yt.dtype))]
    xr, yr = reshape(xt, [-1, 1]), reshape(yt, [1, -1])
    return [matmul(xr, ones([1, h], xt.dtype)), matmul(ones([w, 1], yt.dtype), yr)]


def _as_float(values: Any) -> np.ndarray:
    return _t(values, "meshgrid")._data.astype(np.float32)


# -- ensureShape, broadcastArgs, clone ---------------------------------------------------------


def ensure_shape(x: Any, shape: Sequence[int | None]) -> Tensor:
    """`tf.ensureShape(x, shape)`: x itself when its shape matches `shape` (None matches any
    size), else an error."""
    xt = _t(x, "ensureShape")
    want = list(shape)
    ok = len(want) == xt.rank and all(w is None or w == n for w, n in zip(want, xt.shape))
    if not ok:
        shown = ",".join("null" if w is None else str(w) for w in want)
        raise ValueError(
            f"ensureShape: EnsureShape: Shape of tensor {','.join(map(str, xt.shape))} is not "
            f"compatible with expected shape {shown} (x has shape {list(xt.shape)}, expected "
            f"{want})."
        )
    return xt


def broadcast_args(s0: Any, s1: Any) -> Tensor:
    """`tf.broadcastArgs(s0, s1)`: the broadcast shape of the shapes `s0` and `s1` (int32
    vectors), as an int32 vector."""
    a = int_operand(s0, "s0", "broadcastArgs")
    b = int_operand(s1, "s1", "broadcastArgs")
    if a.rank != 1:
        raise ValueError(
            f"broadcastArgs: broadcastArgs(): first input must be a vector (rank=1). Has rank "
            f"{a.rank}."
        )
    if b.rank != 1:
        raise ValueError(
            f"broadcastArgs: broadcastArgs(): second input must be a vector (rank=1). Has rank "
            f"{b.rank}."
        )
    sa, sb = a.tolist(), b.tolist()
    n = max(len(sa), len(sb))
    out = []
    for i in range(1, n + 1):
        da = sa[-i] if i <= len(sa) else 1
        db = sb[-i] if i <= len(sb) else 1
        if da == 1:
            out.append(db)
        elif db == 1 or da == db:
            out.append(da)
        else:
            raise ValueError(
                f"broadcastArgs: Operands could not be broadcast together with shapes "
                f"{','.join(map(str, sa))} and {','.join(map(str, sb))}."
            )
    return Tensor._wrap(np.array(out[::-1], np.int32))


def clone(x: Any) -> Tensor:
    """`tf.clone(x)`: a new tensor with the same values (the gradient passes through)."""
    xt = _t(x, "clone")
    return tape.record("clone", xt._data.copy(), (xt,), lambda g: (g,))
