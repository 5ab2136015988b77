"""The SimpleRNN on the NumPy loops; layouts and equations in MATH.md.

As the LSTM and GRU: `_forward` runs the steps and, when a gradient is being recorded, what it
kept (`_Saved`) goes to the tape node's backward, `_backward`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ...tensor import Tensor
from .activations import _Act
from .args import _Args, _needs
from .common import _blend, _feature_major, _outputs, _record, _wrap_outs


@dataclass(slots=True)
class _Saved:
    """What the forward keeps for the backward (layouts feature-major, see MATH.md)."""

    a: _Args
    act: _Act
    return_sequences: bool
    Xd: np.ndarray  # dropped-out x [T, B, I], processing order
    Z: np.ndarray  # x·K + b [T, U, B]; the whole pre-activation z for a generic activation
    H: np.ndarray  # hidden states [T+1, U, B]
    Ht: np.ndarray  # h̃, the activation's output [T, U, B] (H[1:] itself without a mask)
    Hd: np.ndarray | None  # dropped-out h_{t-1} (recurrent dropout)


def run_simple_rnn(
    a: _Args, act: _Act, return_sequences: bool, keep: bool
) -> tuple[Tensor, list[Tensor]]:
    """The op's result on the NumPy loops (a tape node when `keep`)."""
    a.numpy_layout()
    Xd, Z = a.project_fm(a.K, a.b)  # [T, U, B]
    saved = _forward(a, act, keep, Z)
    outs = _outputs(saved["H"], return_sequences, [])
    if not keep:
        return _wrap_outs(outs)
    ctx = _Saved(a, act, return_sequences, Xd, Z, **saved)
    return _record(a.op, outs, a.inputs, functools.partial(_backward, ctx))


def _forward(a: _Args, act: _Act, keep: bool, Z: np.ndarray) -> dict:
    """The loop over the steps; the arrays `_Saved` keeps (H, Ht, Hd)."""
    B, T, U = a.B, a.T, a.U
    dt = a.dtype
    has_mask = a.M is not None
    rdm = a.rdm
    M, MC = a.M, a.MC
    RT = np.ascontiguousarray(a.R.T)
    H = np.empty((T + 1, U, B), dt)
    a.initial(0, H[0])
    # h̃ (the activation's output) per step: H[1:] itself without a mask.
    if has_mask:
        Ht = np.empty((T if keep else 1, U, B), dt)
    else:
        Ht = H[1:]
    Hd = np.empty((T if keep else 1, U, B), dt) if rdm is not None else None
    tmp = np.empty((U, B), dt)
    tmpU = np.empty((U, B), dt)
    keep_z = keep and not act.fast
    for t in range(T):
        hp = H[t]
        if rdm is not None:
            hd = Hd[t if keep else 0]
            np.multiply(hp, rdm, out=hd)
        else:
            hd = hp
        np.dot(RT, hd, out=tmp)
        zt = Z[t]
        if keep_z:
            np.add(zt, tmp, out=zt)
        else:
            np.add(zt, tmp, out=tmp)
            zt = tmp
        ht = Ht[t if (keep or not has_mask) else 0]
        act.apply(zt, ht)
        if has_mask:
            _blend(ht, hp, M[t], MC[t], H[t + 1], tmpU)
    return {"H": H, "Ht": Ht, "Hd": Hd}


def _backward(ctx: _Saved, grads: list) -> list:
    """BPTT: the pre-activation gradients dZ step by step, then the weight and input
    gradients."""
    a = ctx.a
    dh, dY = a.output_grads(grads, ctx.return_sequences)
    dZ = np.empty((a.T, a.U, a.B), a.dtype)
    dh = _bptt(ctx, dh, dY, dZ)
    g: dict[str, np.ndarray] = {}
    dZc = _feature_major(dZ)
    del dZ
    if _needs(a.r_t):
        Hin = _feature_major(ctx.Hd if ctx.Hd is not None else ctx.H[:-1])
        g["recurrent_kernel"] = np.dot(Hin, dZc.T)
    a.weight_grads(g, ctx.Xd, dZc, a.K)
    if a.state_ts:
        g["state0"] = np.ascontiguousarray(dh.T)
    return a.finish(g)


def _bptt(ctx: _Saved, dh, dY, dZ) -> np.ndarray:
    """The steps backward; fills dZ; returns the initial state's dh."""
    a, act, Ht = ctx.a, ctx.act, ctx.Ht
    T, U, B, dt = a.T, a.U, a.B, a.dtype
    M, MC, rdm, has_mask = a.M, a.MC, a.rdm, a.M is not None
    D = act.deriv(Ht) if act.fast else None
    R = a.R
    dhd = np.empty((U, B), dt)
    dht = np.empty((U, B), dt) if has_mask else None
    for t in range(T - 1, -1, -1):
        if dY is not None:
            np.add(dh, dY[t], out=dh)
        if has_mask:
            np.multiply(dh, M[t], out=dht)
            np.multiply(dh, MC[t], out=dh)
        else:
            dht = dh  # dh is rebound (buffer swap) at the end of a step
        if D is not None:
            np.multiply(dht, D[t], out=dZ[t])
        else:
            dZ[t] = act.grad(ctx.Z[t], Ht[t], dht)
        if rdm is None and not has_mask:
            np.dot(R, dZ[t], out=dh)
        else:
            np.dot(R, dZ[t], out=dhd)
            if rdm is not None:
                np.multiply(dhd, rdm, out=dhd)
            if has_mask:
                np.add(dh, dhd, out=dh)
            else:
                dh, dhd = dhd, dh
    return dh
