"""The fused ops on the compiled loops: one tape node around a native cell's two calls.

`run_compiled` checks nothing itself (`_Args` did): it takes the work buffers from the
pool (`native.POOL`), runs the cell's forward through its `NativeCell` object and, when a
gradient is being recorded, records a backward that calls the same object's backward. The
buffers go back to the pool at once for inference, or when the tape node dies.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...tensor import Tensor
from .. import native
from .activations import _Act
from .args import _Args, _needs
from .common import _record, _wrap_outs
from .native_cells import NATIVE_CELLS, NativeCell

_CELLS: dict[tuple, NativeCell | None] = {}
"""The native cell of each call signature seen (None: the compiled loops cannot run it). Cells
are immutable, so a layer called again reuses its cell instead of building one per call."""
_MAX_CELLS = 256


def native_cell(
    kind: str, a: _Args, act: _Act, rec: _Act | None, reset_after: bool = False
) -> NativeCell | None:
    """The `NativeCell` for this call when the compiled loops can run it, else None."""
    ext = native.fastrnn()
    if ext is None or a.B == 0:
        return None
    rec_code = None if rec is None else rec.code
    key = (kind, a.U, act.code, rec_code, a.dtype, a.go_backwards, reset_after, ext)
    cell = _CELLS.get(key, _CELLS)
    if cell is _CELLS:  # first call of this signature
        cell = None
        if NativeCell.available(act, rec, a.dtype):
            cls = NATIVE_CELLS[kind]
            cell = cls(ext, a.U, act, rec, go_backwards=a.go_backwards, reset_after=reset_after)
        if len(_CELLS) >= _MAX_CELLS:
            _CELLS.clear()
        _CELLS[key] = cell
    return cell  # type: ignore[return-value]


class _PooledBuffers:
    """Work buffers of one call: large ones from the pool, returned when nothing needs them."""

    def __init__(self) -> None:
        self.bufs: list[np.ndarray] = []

    def __call__(self, shape: tuple, dtype: np.dtype) -> np.ndarray:
        if math.prod(shape) * dtype.itemsize < native.POOL.MIN_BYTES:
            return np.empty(shape, dtype)
        buf = native.POOL.take(shape, dtype)
        self.bufs.append(buf)
        return buf

    def done(self, backward: Any = None) -> None:
        """Back to the pool now (inference) or once `backward` is garbage-collected."""
        if not self.bufs:
            return
        if backward is None:
            native.POOL.give(self.bufs)
        else:
            native.POOL.give_when_dead(backward, self.bufs)
        self.bufs = []


def run_compiled(
    cell: NativeCell, a: _Args, return_sequences: bool, keep: bool
) -> tuple[Tensor, list[Tensor]]:
    """`(output, states)` of the op on the compiled loops; a tape node when `keep`."""
    B, T, U, I, dt = a.B, a.T, a.U, a.I, a.dtype
    pool = _PooledBuffers()
    ws = cell.workspace(B, T, I, dt, keep, pool)
    out = np.empty((B, T, U), dt) if return_sequences else None
    cell.forward(
        ws,
        a.x_t._data,
        a.K,
        a.R,
        a.b,
        keep=keep,
        initial=[s._data for s in a.state_ts],
        dropout=a.dm,
        mask=a.mask_tb,
        recurrent_dropout=a.rdm_bu,
        out=out,
    )
    states = [s.copy() for s in ws.final_states()]  # views of the big per-step buffers
    outs = [out if out is not None else states[0].copy()] + states
    if not keep:
        pool.done()
        return _wrap_outs(outs)

    def backward(grads: list) -> list:
        dh = np.array(grads[1], dtype=dt, order="C")
        dY = None
        if return_sequences:
            dY = np.ascontiguousarray(grads[0], dtype=dt)
        else:
            dh += grads[0]
        dc = np.array(grads[2], dtype=dt, order="C") if cell.n_states == 2 else None
        dW = np.empty(ws.W.shape, dt) if _needs(a.k_t) or _needs(a.r_t) else None
        db = np.empty(a.b.shape, dt) if _needs(a.b_t) else None
        dX = np.empty((B, T, I), dt) if _needs(a.x_t) else None
        cell.backward(ws, dY=dY, dh=dh, dc=dc, dW=dW, db=db, dX=dX)
        g: dict[str, np.ndarray] = {}
        if dW is not None:
            g["kernel"], g["recurrent_kernel"] = dW[:I], dW[I:]
        if db is not None:
            g["bias"] = db
        if dX is not None:
            g["x"] = dX
        if a.state_ts:
            g["state0"] = dh
            if dc is not None:
                g["state1"] = dc
        return a.finish(g)

    pool.done(backward)
    return _record(a.op, outs, a.inputs, backward)
