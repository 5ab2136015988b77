"""The LSTM on the NumPy loops: a Python loop over the steps, NumPy calls on [features, batch].

Any activation of the registry and any float dtype; the layout and the equations are in
MATH.md (internal gate order [o, i, f, c], folded recurrent activation).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ...tensor import Tensor
from .activations import _Act
from .args import _Args, _needs
from .common import _blend, _feature_major, _fold, _outputs, _record, _unpermute, _wrap_outs

# Internal gate order [o, i, f, c]: the three recurrent-activation gates are contiguous and the
# three gates driven by dc̃ (i, f, c) too. _LSTM_PERM[k] = TF.js gate index of internal gate k.
_LSTM_PERM = (3, 0, 1, 2)


@functools.lru_cache(maxsize=64)
def _lstm_cols(U: int) -> np.ndarray:
    """Column indices of the internal [o, i, f, c] order in TF.js's [i, f, c, o] (read-only)."""
    cols = np.concatenate([np.arange(k * U, (k + 1) * U) for k in _LSTM_PERM])
    cols.flags.writeable = False
    return cols


@dataclass(slots=True)
class _Saved:
    """What the forward keeps for the backward (layouts feature-major, see MATH.md)."""

    a: _Args
    act: _Act
    rec: _Act
    return_sequences: bool
    cols: np.ndarray  # the [o, i, f, c] permutation of TF.js's columns
    Kp: np.ndarray  # the permuted, unfolded input kernel
    Xd: np.ndarray  # dropped-out x [T, B, I], processing order
    Z: np.ndarray  # pre-activations [T, 4U, B]
    A4: np.ndarray  # gate activations [T, 4, U, B]
    H: np.ndarray  # hidden states [T+1, U, B]
    C: np.ndarray  # cell states [T+1, U, B]
    S: np.ndarray  # φ(c̃) [T, U, B]
    Ctil: np.ndarray | None  # c̃ before the mask blend (generic φ under a mask)
    Hd: np.ndarray | None  # dropped-out h_{t-1} (recurrent dropout)


def run_lstm(
    a: _Args, act: _Act, rec: _Act, return_sequences: bool, keep: bool
) -> tuple[Tensor, list[Tensor]]:
    """The op's result on the NumPy loops (a tape node when `keep`)."""
    a.numpy_layout()
    cols = _lstm_cols(a.U)
    Kp, Kf, bf, RfT = _folded_weights(a, rec, cols)
    Xd, Z = a.project_fm(Kf, bf)  # Z [T, 4U, B]
    saved = _forward(a, act, rec, keep, RfT, Z)
    outs = _outputs(saved["H"], return_sequences, [saved["C"][-1]])
    if not keep:
        return _wrap_outs(outs)
    ctx = _Saved(a, act, rec, return_sequences, cols, Kp, Xd, Z, **saved)
    return _record(a.op, outs, a.inputs, functools.partial(_backward, ctx))


def _folded_weights(a: _Args, rec: _Act, cols: np.ndarray) -> tuple:
    """Permuted ([o, i, f, c]) kernel Kp, and the folded Kf, bf and R^T (MATH.md, folding)."""
    U, G, dt = a.U, a.G, a.dtype
    Kp = a.K[:, cols]
    bp = None if a.b is None else a.b[cols]
    RfT = a.R.T[cols]  # [4U, U], C-contiguous (fancy indexing copies)
    Kf, bf = Kp, bp
    fold = _fold(U, G, 3, rec, dt)
    if fold is not None:
        scale, shift = fold
        Kf = Kp * scale
        np.multiply(RfT, scale[:, None], out=RfT)
        bf = shift if bp is None else bp * scale + shift
    return Kp, Kf, bf, RfT


def _forward(a: _Args, act: _Act, rec: _Act, keep: bool, RfT: np.ndarray, Z: np.ndarray) -> dict:
    """The loop over the steps; the arrays `_Saved` keeps (A4, H, C, S, Ctil, Hd)."""
    B, T, U, G = a.B, a.T, a.U, a.G
    U3 = 3 * U
    dt = a.dtype
    fast = act.fast and rec.fast
    has_mask = a.M is not None
    rdm = a.rdm
    M, MC = a.M, a.MC
    A = np.empty_like(Z) if (keep and not fast) else Z  # gate activations
    A4 = A.reshape(T, 4, U, B)

    H = np.empty((T + 1, U, B), dt)
    C = np.empty((T + 1, U, B), dt)
    a.initial(0, H[0])
    a.initial(1, C[0])
    S = np.empty((T if keep else 1, U, B), dt)  # s = φ(c̃)
    need_ctil = keep and has_mask and not act.fast
    Ctil = np.empty((T, U, B), dt) if need_ctil else None
    ctil_s = np.empty((U, B), dt) if has_mask else None
    Hd = np.empty((T if keep else 1, U, B), dt) if rdm is not None else None
    tmp = np.empty((G, B), dt)
    tmpU = np.empty((U, B), dt)
    htil = np.empty((U, B), dt) if has_mask else None

    for t in range(T):
        hp = H[t]
        if rdm is not None:
            hd = Hd[t if keep else 0]
            np.multiply(hp, rdm, out=hd)
        else:
            hd = hp
        np.dot(RfT, hd, out=tmp)
        zt = Z[t]
        np.add(zt, tmp, out=zt)
        at = A[t]
        if rec.fast:
            rec.core_to(zt[:U3], at[:U3])
        else:
            for k in range(3):
                rec.apply(zt[k * U : (k + 1) * U], at[k * U : (k + 1) * U])
        act.apply(zt[U3:], at[U3:])
        o, i, f, g = A4[t]
        cp = C[t]
        if not has_mask:
            ct = C[t + 1]
        else:
            ct = Ctil[t] if need_ctil else ctil_s
        np.multiply(f, cp, out=ct)
        np.multiply(i, g, out=tmpU)
        np.add(ct, tmpU, out=ct)
        st = S[t if keep else 0]
        act.apply(ct, st)
        if not has_mask:
            np.multiply(o, st, out=H[t + 1])
        else:
            np.multiply(o, st, out=htil)
            _blend(htil, hp, M[t], MC[t], H[t + 1], tmpU)
            _blend(ct, cp, M[t], MC[t], C[t + 1], tmpU)
    return {"A4": A4, "H": H, "C": C, "S": S, "Ctil": Ctil, "Hd": Hd}


def _backward(ctx: _Saved, grads: list) -> list:
    """BPTT: the gate gradients dZ step by step, then the weight and input gradients."""
    a, T, B, G, dt = ctx.a, ctx.a.T, ctx.a.B, ctx.a.G, ctx.a.dtype
    dh, dY = a.output_grads(grads, ctx.return_sequences)
    dc = np.array(np.asarray(grads[2]).T, dtype=dt, order="C")
    dZ = np.empty((T, G, B), dt)
    if ctx.act.fast and ctx.rec.fast:
        dh, dc = _bptt_fast(ctx, dh, dY, dc, dZ)
    else:
        dh, dc = _bptt_generic(ctx, dh, dY, dc, dZ)
    dZc = _feature_major(dZ)
    del dZ
    g: dict[str, np.ndarray] = {}
    if _needs(a.r_t):
        Hin = _feature_major(ctx.Hd if ctx.Hd is not None else ctx.H[:-1])
        g["recurrent_kernel"] = _unpermute(np.dot(Hin, dZc.T), ctx.cols)
    a.weight_grads(g, ctx.Xd, dZc, ctx.Kp, ctx.cols)
    if a.state_ts:
        g["state0"] = np.ascontiguousarray(dh.T)
        g["state1"] = np.ascontiguousarray(dc.T)
    return a.finish(g)


def _bptt_fast(ctx: _Saved, dh, dY, dc, dZ) -> tuple[np.ndarray, np.ndarray]:
    """The steps backward for fast activations (derivatives from the outputs, all steps at
    once); fills dZ; returns the initial states' dh, dc."""
    a, act, rec, A4, S, C = ctx.a, ctx.act, ctx.rec, ctx.A4, ctx.S, ctx.C
    T, U, B, dt = a.T, a.U, a.B, a.dtype
    M, MC, rdm, has_mask = a.M, a.MC, a.rdm, a.M is not None
    Rp = a.R[:, ctx.cols]  # [U, 4U] unfolded, permuted: dhd = Rp·dz
    dZ4 = dZ.reshape(T, 4, U, B)
    tU = np.empty((U, B), dt)
    dhd = np.empty((U, B), dt)
    dht = np.empty((U, B), dt) if has_mask else None
    dct = np.empty((U, B), dt) if has_mask else dc
    # Everything but dh̃ / dc̃ in the gate gradients, for all steps at once.
    P = np.empty((T, 4, U, B), dt)
    Dr = rec.deriv(A4[:, :3])
    np.multiply(S, Dr[:, 0], out=P[:, 0])  # s ⊙ σ'(o)
    np.multiply(A4[:, 3], Dr[:, 1], out=P[:, 1])  # g ⊙ σ'(i)
    np.multiply(C[:-1], Dr[:, 2], out=P[:, 2])  # c_{t-1} ⊙ σ'(f)
    np.multiply(A4[:, 1], act.deriv(A4[:, 3]), out=P[:, 3])  # i ⊙ φ'(g)
    del Dr
    Q = act.deriv(S)
    np.multiply(Q, A4[:, 0], out=Q)  # o ⊙ φ'(c̃)
    for t in range(T - 1, -1, -1):
        if dY is not None:
            np.add(dh, dY[t], out=dh)
        if has_mask:
            np.multiply(dh, M[t], out=dht)
            np.multiply(dh, MC[t], out=dh)
            np.multiply(dc, M[t], out=dct)
            np.multiply(dc, MC[t], out=dc)
        else:
            dht = dh  # dh is rebound (buffer swap) at the end of a step
        np.multiply(dht, Q[t], out=tU)
        np.add(dct, tU, out=dct)
        dzt, pt = dZ4[t], P[t]
        np.multiply(dht, pt[0], out=dzt[0])
        np.multiply(dct, pt[1:], out=dzt[1:])
        if has_mask:
            np.multiply(dct, A4[t, 2], out=tU)
            np.add(dc, tU, out=dc)
        else:
            np.multiply(dc, A4[t, 2], out=dc)
        if rdm is None and not has_mask:
            np.dot(Rp, dZ[t], out=dh)
        else:
            np.dot(Rp, dZ[t], out=dhd)
            if rdm is not None:
                np.multiply(dhd, rdm, out=dhd)
            if has_mask:
                np.add(dh, dhd, out=dh)
            else:
                dh, dhd = dhd, dh
    return dh, dc


def _bptt_generic(ctx: _Saved, dh, dY, dc, dZ) -> tuple[np.ndarray, np.ndarray]:
    """The steps backward for any activation: each derivative needs the step's upstream
    gradient. For a fast φ the derivative comes from s alone, so C[1:] may stand in for c̃
    under a mask. Fills dZ; returns the initial states' dh, dc."""
    a, act, rec, A4, S, C = ctx.a, ctx.act, ctx.rec, ctx.A4, ctx.S, ctx.C
    T, U, B, dt = a.T, a.U, a.B, a.dtype
    M, MC, rdm, has_mask = a.M, a.MC, a.rdm, a.M is not None
    Rp = a.R[:, ctx.cols]  # [U, 4U] unfolded, permuted: dhd = Rp·dz
    dZ4 = dZ.reshape(T, 4, U, B)
    tU = np.empty((U, B), dt)
    dhd = np.empty((U, B), dt)
    dht = np.empty((U, B), dt) if has_mask else None
    dct = np.empty((U, B), dt) if has_mask else dc
    Ct = ctx.Ctil if ctx.Ctil is not None else C[1:]
    Z4 = ctx.Z.reshape(T, 4, U, B)
    for t in range(T - 1, -1, -1):
        if dY is not None:
            np.add(dh, dY[t], out=dh)
        if has_mask:
            np.multiply(dh, M[t], out=dht)
            np.multiply(dh, MC[t], out=dh)
            np.multiply(dc, M[t], out=dct)
            np.multiply(dc, MC[t], out=dc)
        else:
            dht = dh
        (o, i, f, g), (zo, zi, zf, zc), st = A4[t], Z4[t], S[t]
        np.multiply(dht, o, out=tU)
        np.add(dct, act.grad(Ct[t], st, tU), out=dct)
        dzt = dZ4[t]
        np.multiply(dht, st, out=tU)
        dzt[0] = rec.grad(zo, o, tU)
        np.multiply(dct, g, out=tU)
        dzt[1] = rec.grad(zi, i, tU)
        np.multiply(dct, C[t], out=tU)
        dzt[2] = rec.grad(zf, f, tU)
        np.multiply(dct, i, out=tU)
        dzt[3] = act.grad(zc, g, tU)
        if has_mask:
            np.multiply(dct, f, out=tU)
            np.add(dc, tU, out=dc)
        else:
            np.multiply(dc, f, out=dc)
        np.dot(Rp, dZ[t], out=dhd)
        if rdm is not None:
            np.multiply(dhd, rdm, out=dhd)
        if has_mask:
            np.add(dh, dhd, out=dh)
        else:
            dh, dhd = dhd, dh
    return dh, dc
