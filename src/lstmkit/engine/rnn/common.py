"""Helpers shared by the NumPy loops and the tape glue: mask blends, layouts, folding.

`_wrap_outs` and `_record` turn a loop's NumPy outputs into Tensors, with a tape node when a
gradient is being recorded; `_fold` gives the column scale and shift that fold an affine
recurrent activation (hardSigmoid, sigmoid) into the weights (see MATH.md, "Folding").
"""

from __future__ import annotations

import functools

import numpy as np

from ...tensor import Tensor
from .. import tape
from .activations import _Act


def _blend(new, prev, m, mc, out, tmp) -> None:
    """out = new*m + prev*(1-m) (TF.js's mask formula; exact for 0/1 masks)."""
    np.multiply(new, m, out=out)
    np.multiply(prev, mc, out=tmp)
    np.add(out, tmp, out=out)


def _feature_major(A: np.ndarray) -> np.ndarray:
    """[T, F, B] -> [F, T*B] (a copy), the layout of the after-loop weight GEMMs."""
    T, F, B = A.shape
    out = np.empty((F, T, B), A.dtype)
    np.copyto(out, A.transpose(1, 0, 2))
    return out.reshape(F, T * B)


def _outputs(H: np.ndarray, return_sequences: bool, extra: list[np.ndarray]) -> list[np.ndarray]:
    """[output, h, *extra] in the caller's layout from the feature-major state buffer H."""
    T1, U, B = H.shape
    h = np.ascontiguousarray(H[-1].T)
    if return_sequences:
        out = np.empty((B, T1 - 1, U), H.dtype)
        np.copyto(out, H[1:].transpose(2, 0, 1))
    else:
        out = h.copy()
    return [out, h] + [np.ascontiguousarray(e.T) for e in extra]


def _unpermute(gp: np.ndarray, cols: np.ndarray | None) -> np.ndarray:
    if cols is None:
        return gp
    g = np.empty_like(gp)
    g[..., cols] = gp
    return g


def _wrap_outs(outs: list[np.ndarray]) -> tuple[Tensor, list[Tensor]]:
    ts = [Tensor._wrap(o) for o in outs]
    return ts[0], ts[1:]


def _record(op, outs, inputs, backward) -> tuple[Tensor, list[Tensor]]:
    ts = tape.record_multi(op, outs, inputs, backward)
    return ts[0], list(ts[1:])


@functools.lru_cache(maxsize=64)
def _fold_cached(U: int, G: int, n_rec_rows: int, scale_v: float, shift_v: float, dt):
    scale = np.ones(G, dt)
    scale[: n_rec_rows * U] = scale_v
    shift = np.zeros(G, dt)
    shift[: n_rec_rows * U] = shift_v
    scale.flags.writeable = False
    shift.flags.writeable = False
    return scale, shift


def _fold(U: int, G: int, n_rec_rows: int, act: _Act, dt) -> tuple[np.ndarray, np.ndarray] | None:
    """Column scale and shift folding `act`'s affine part into the first n_rec_rows*U gates.

    The arrays are cached and read-only.
    """
    if act.scale == 1.0 and act.shift == 0.0:
        return None
    return _fold_cached(U, G, n_rec_rows, act.scale, act.shift, np.dtype(dt))
