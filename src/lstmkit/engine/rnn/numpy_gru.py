"""The GRU on the NumPy loops (both `reset_after` forms); layouts and equations in MATH.md."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ...tensor import Tensor
from .activations import _Act
from .args import _Args, _needs
from .common import _blend, _feature_major, _fold, _outputs, _record, _wrap_outs


@dataclass(slots=True)
class _Saved:
    """What the forward keeps for the backward (layouts feature-major, see MATH.md)."""

    a: _Args
    act: _Act
    rec: _Act
    reset_after: bool
    return_sequences: bool
    Xd: np.ndarray  # dropped-out x [T, B, I], processing order
    Z: np.ndarray  # pre-activations [T, 3U, B]
    A3: np.ndarray  # gate activations [T, 3, U, B]: z, r, hh
    H: np.ndarray  # hidden states [T+1, U, B]
    Hd: np.ndarray | None  # dropped-out h_{t-1} (recurrent dropout)
    ZH: np.ndarray | None  # reset_after: zh = R^T·hd + b_rec [T, 3U, B] (z, r folded)
    Qb: np.ndarray | None  # reset before: q = r ⊙ hd [T, U, B]


def run_gru(
    a: _Args, act: _Act, rec: _Act, reset_after: bool, return_sequences: bool, keep: bool
) -> tuple[Tensor, list[Tensor]]:
    """The op's result on the NumPy loops (a tape node when `keep`)."""
    a.numpy_layout()
    Kf, Rf, bf_in, bf_rec_col = _folded_weights(a, rec, reset_after)
    Xd, Z = a.project_fm(Kf, bf_in)  # [T, 3U, B]
    saved = _forward(a, act, rec, reset_after, keep, Rf, bf_rec_col, Z)
    outs = _outputs(saved["H"], return_sequences, [])
    if not keep:
        return _wrap_outs(outs)
    ctx = _Saved(a, act, rec, reset_after, return_sequences, Xd, Z, **saved)
    return _record(a.op, outs, a.inputs, functools.partial(_backward, ctx))


def _folded_weights(a: _Args, rec: _Act, reset_after: bool) -> tuple:
    """Kf, Rf, the input bias and the recurrent bias column, with the recurrent activation's
    affine part folded into the z and r columns (MATH.md, folding)."""
    b_in = b_rec = None
    if a.b is not None:
        if reset_after:
            b_in, b_rec = a.b[0], a.b[1]
        else:
            b_in = a.b
    Kf, Rf, bf_in, bf_rec = a.K, a.R, b_in, b_rec
    fold = _fold(a.U, a.G, 2, rec, a.dtype)
    if fold is not None:
        scale, shift = fold
        Kf = a.K * scale
        Rf = a.R * scale
        bf_in = shift if b_in is None else b_in * scale + shift
        bf_rec = None if b_rec is None else b_rec * scale
    bf_rec_col = None if bf_rec is None else np.ascontiguousarray(bf_rec[:, None])
    return Kf, Rf, bf_in, bf_rec_col


def _forward(a: _Args, act: _Act, rec: _Act, reset_after: bool, keep: bool, Rf, bf_rec_col, Z):
    """The loop over the steps; the arrays `_Saved` keeps (A3, H, Hd, ZH, Qb)."""
    B, T, U, G = a.B, a.T, a.U, a.G
    U2 = 2 * U
    dt = a.dtype
    has_mask = a.M is not None
    rdm = a.rdm
    M, MC = a.M, a.MC
    A = np.empty_like(Z) if (keep and not (act.fast and rec.fast)) else Z
    A3 = A.reshape(T, 3, U, B)

    H = np.empty((T + 1, U, B), dt)
    a.initial(0, H[0])
    Hd = np.empty((T if keep else 1, U, B), dt) if rdm is not None else None
    tmpU = np.empty((U, B), dt)
    htil = np.empty((U, B), dt) if has_mask else None
    ZH = Qb = RfT = RzrT = RhT = tmp2 = None
    if reset_after:
        ZH = np.empty((T if keep else 1, G, B), dt)  # zh = R^T·hd + b_rec (z, r folded)
        RfT = np.ascontiguousarray(Rf.T)
    else:
        RzrT = np.ascontiguousarray(Rf[:, :U2].T)
        RhT = np.ascontiguousarray(Rf[:, U2:].T)
        tmp2 = np.empty((U2, B), dt)
        Qb = np.empty((T if keep else 1, U, B), dt)  # q = r ⊙ hd

    for t in range(T):
        hp = H[t]
        if rdm is not None:
            hd = Hd[t if keep else 0]
            np.multiply(hp, rdm, out=hd)
        else:
            hd = hp
        zt, at = Z[t], A[t]
        if reset_after:
            zh = ZH[t if keep else 0]
            np.dot(RfT, hd, out=zh)
            if bf_rec_col is not None:
                np.add(zh, bf_rec_col, out=zh)
            np.add(zt[:U2], zh[:U2], out=zt[:U2])
        else:
            np.dot(RzrT, hd, out=tmp2)
            np.add(zt[:U2], tmp2, out=zt[:U2])
        if rec.fast:
            rec.core_to(zt[:U2], at[:U2])
        else:
            rec.apply(zt[:U], at[:U])
            rec.apply(zt[U:U2], at[U:U2])
        z, r, hh = A3[t]
        if reset_after:
            np.multiply(r, zh[U2:], out=tmpU)
        else:
            q = Qb[t if keep else 0]
            np.multiply(r, hd, out=q)
            np.dot(RhT, q, out=tmpU)
        zth = zt[U2:]
        np.add(zth, tmpU, out=zth)
        act.apply(zth, hh)
        np.subtract(hd, hh, out=tmpU)
        np.multiply(z, tmpU, out=tmpU)
        if not has_mask:
            np.add(hh, tmpU, out=H[t + 1])
        else:
            np.add(hh, tmpU, out=htil)
            _blend(htil, hp, M[t], MC[t], H[t + 1], tmpU)
    return {"A3": A3, "H": H, "Hd": Hd, "ZH": ZH, "Qb": Qb}


def _backward(ctx: _Saved, grads: list) -> list:
    """BPTT: the gate gradients step by step, then the weight and input gradients."""
    a = ctx.a
    dh, dY = a.output_grads(grads, ctx.return_sequences)
    dZ = np.empty((a.T, a.G, a.B), a.dtype)  # reset before: dz; reset after: G (grad of zh)
    DHH = np.empty((a.T, a.U, a.B), a.dtype) if ctx.reset_after else None
    dh = _bptt(ctx, dh, dY, dZ, DHH)
    g = _weight_grads(ctx, dZ, DHH)
    if a.state_ts:
        g["state0"] = np.ascontiguousarray(dh.T)
    return a.finish(g)


def _step_factors(ctx: _Saved) -> tuple:
    """The parts of the gate gradients that do not depend on the upstream gradient, for all
    steps at once where the activations are fast: Pz, Pr, Phh (else None) and 1 - z."""
    a, act, rec, A3 = ctx.a, ctx.act, ctx.rec, ctx.A3
    HdAll = ctx.Hd if ctx.Hd is not None else ctx.H[:-1]
    z_all, hh_all = A3[:, 0], A3[:, 2]
    DIFF = np.subtract(HdAll, hh_all)  # hd - hh
    ZHh = ctx.ZH.reshape(a.T, 3, a.U, a.B)[:, 2] if ctx.reset_after else None  # never folded
    Pz = Phh = Pr = OMZ = None
    if rec.fast:
        Dr = rec.deriv(A3[:, :2])
        Pz = np.multiply(DIFF, Dr[:, 0])  # (hd - hh) ⊙ σ'(z)
        Pr = np.multiply(ZHh if ctx.reset_after else HdAll, Dr[:, 1])  # (zh_h or hd) ⊙ σ'(r)
        del Dr
    if act.fast:
        Phh = act.deriv(hh_all)
        Phh *= 1.0 - z_all  # (1 - z) ⊙ φ'(hh)
    else:
        OMZ = 1.0 - z_all
    return HdAll, DIFF, ZHh, Pz, Pr, Phh, OMZ


def _bptt(ctx: _Saved, dh, dY, dZ, DHH) -> np.ndarray:
    """The steps backward; fills dZ (and DHH, reset_after); returns the initial state's dh."""
    a, act, rec, reset_after = ctx.a, ctx.act, ctx.rec, ctx.reset_after
    T, U, B, dt = a.T, a.U, a.B, a.dtype
    U2 = 2 * U
    M, MC, rdm, has_mask = a.M, a.MC, a.rdm, a.M is not None
    A3 = ctx.A3
    dZ3 = dZ.reshape(T, 3, U, B)
    Z3 = ctx.Z.reshape(T, 3, U, B)
    tU = np.empty((U, B), dt)
    tU2 = np.empty((U, B), dt)
    dhd = np.empty((U, B), dt)
    dht = np.empty((U, B), dt) if has_mask else None
    HdAll, DIFF, ZHh, Pz, Pr, Phh, OMZ = _step_factors(ctx)
    R = a.R  # [U, 3U]: dhd = R·dZ_t
    Rzr = np.ascontiguousarray(R[:, :U2])
    Rh = np.ascontiguousarray(R[:, U2:])
    for t in range(T - 1, -1, -1):
        if dY is not None:
            np.add(dh, dY[t], out=dh)
        if has_mask:
            np.multiply(dh, M[t], out=dht)
            np.multiply(dh, MC[t], out=dh)
        else:
            dht = dh  # dh is rebound (buffer swap) at the end of a step
        (z, r, hh), (zz, zr, zhh), dzt = A3[t], Z3[t], dZ3[t]
        # update gate
        if Pz is not None:
            np.multiply(dht, Pz[t], out=dzt[0])
        else:
            np.multiply(dht, DIFF[t], out=tU)
            dzt[0] = rec.grad(zz, z, tU)
        # candidate pre-activation
        dzh = DHH[t] if reset_after else dzt[2]
        if Phh is not None:
            np.multiply(dht, Phh[t], out=dzh)
        else:
            np.multiply(dht, OMZ[t], out=tU)
            dzh[...] = act.grad(zhh, hh, tU)
        np.multiply(dht, z, out=dhd)
        if reset_after:
            np.multiply(dzh, r, out=dzt[2])  # G_h
            if Pr is not None:
                np.multiply(dzh, Pr[t], out=dzt[1])
            else:
                np.multiply(dzh, ZHh[t], out=tU)
                dzt[1] = rec.grad(zr, r, tU)
            np.dot(R, dZ[t], out=tU2)
            np.add(dhd, tU2, out=dhd)
        else:
            np.dot(Rh, dzh, out=tU2)  # dq
            if Pr is not None:
                np.multiply(tU2, Pr[t], out=dzt[1])
            else:
                np.multiply(tU2, HdAll[t], out=tU)
                dzt[1] = rec.grad(zr, r, tU)
            np.multiply(tU2, r, out=tU)
            np.add(dhd, tU, out=dhd)
            np.dot(Rzr, dZ[t, :U2], out=tU2)
            np.add(dhd, tU2, out=dhd)
        if rdm is not None:
            np.multiply(dhd, rdm, out=dhd)
        if has_mask:
            np.add(dh, dhd, out=dh)
        else:
            dh, dhd = dhd, dh
    return dh


def _weight_grads(ctx: _Saved, dZ: np.ndarray, DHH: np.ndarray | None) -> dict:
    """The kernel, recurrent kernel, bias and x gradients from the gate gradients."""
    a = ctx.a
    U2, G = 2 * a.U, a.G
    g: dict[str, np.ndarray] = {}
    dZc = _feature_major(dZ)
    del dZ
    HdAll = ctx.Hd if ctx.Hd is not None else ctx.H[:-1]
    Hin = _feature_major(HdAll) if _needs(a.r_t) else None
    if ctx.reset_after:
        if _needs(a.r_t):
            g["recurrent_kernel"] = np.dot(Hin, dZc.T)
        gb_rec = dZc.sum(axis=1) if _needs(a.b_t) else None
        dZc[U2:] = _feature_major(DHH)  # now the input-side pre-activation gradients
        if _needs(a.b_t):
            g["bias"] = np.stack([dZc.sum(axis=1), gb_rec])
    elif _needs(a.r_t):
        gR = np.empty((a.U, G), a.dtype)
        gR[:, :U2] = np.dot(Hin, dZc[:U2].T)
        gR[:, U2:] = np.dot(_feature_major(ctx.Qb), dZc[U2:].T)
        g["recurrent_kernel"] = gR
    a.weight_grads(g, ctx.Xd, dZc, a.K)
    return g
