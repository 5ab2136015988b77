"""The GRU on the NumPy loops (both `reset_after` forms); layouts and equations in MATH.md."""

from __future__ import annotations

import numpy as np

from ...tensor import Tensor
from .activations import _Act
from .args import _Args, _needs
from .common import _blend, _feature_major, _fold, _outputs, _record, _wrap_outs


def run_gru(
    a: _Args, act: _Act, rec: _Act, reset_after: bool, return_sequences: bool, keep: bool
) -> tuple[Tensor, list[Tensor]]:
    """The op's result on the NumPy loops (a tape node when `keep`)."""
    op = a.op
    a.numpy_layout()
    B, T, U, G = a.B, a.T, a.U, a.G
    U2 = 2 * U
    dt = a.dtype
    has_mask = a.M is not None
    rdm = a.rdm
    M, MC = a.M, a.MC

    # Fold the recurrent activation's affine part into the z and r columns.
    b_in = b_rec = None
    if a.b is not None:
        if reset_after:
            b_in, b_rec = a.b[0], a.b[1]
        else:
            b_in = a.b
    Kf, Rf, bf_in, bf_rec = a.K, a.R, b_in, b_rec
    fold = _fold(U, G, 2, rec, dt)
    if fold is not None:
        scale, shift = fold
        Kf = a.K * scale
        Rf = a.R * scale
        bf_in = shift if b_in is None else b_in * scale + shift
        bf_rec = None if b_rec is None else b_rec * scale
    bf_rec_col = None if bf_rec is None else np.ascontiguousarray(bf_rec[:, None])

    Xd, Z = a.project_fm(Kf, bf_in)  # [T, 3U, B]
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

    outs = _outputs(H, return_sequences, [])
    if not keep:
        return _wrap_outs(outs)

    def backward(grads):
        dh, dY = a.output_grads(grads, return_sequences)
        HdAll = Hd if Hd is not None else H[:-1]
        dZ = np.empty((T, G, B), dt)  # reset before: dz; reset after: G (the grad of zh)
        dZ3 = dZ.reshape(T, 3, U, B)
        Z3 = Z.reshape(T, 3, U, B)
        DHH = np.empty((T, U, B), dt) if reset_after else None
        tU = np.empty((U, B), dt)
        tU2 = np.empty((U, B), dt)
        dhd = np.empty((U, B), dt)
        dht = np.empty((U, B), dt) if has_mask else None
        z_all, hh_all = A3[:, 0], A3[:, 2]
        DIFF = np.subtract(HdAll, hh_all)  # hd - hh
        ZHh = ZH.reshape(T, 3, U, B)[:, 2] if reset_after else None  # zh_h (never folded)
        Pz = Phh = Pr = OMZ = None
        if rec.fast:
            Dr = rec.deriv(A3[:, :2])
            Pz = np.multiply(DIFF, Dr[:, 0])  # (hd - hh) ⊙ σ'(z)
            Pr = np.multiply(ZHh if reset_after else HdAll, Dr[:, 1])  # (zh_h or hd) ⊙ σ'(r)
            del Dr
        if act.fast:
            Phh = act.deriv(hh_all)
            Phh *= 1.0 - z_all  # (1 - z) ⊙ φ'(hh)
        else:
            OMZ = 1.0 - z_all
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

        g: dict[str, np.ndarray] = {}
        dZc = _feature_major(dZ)
        del dZ
        Hin = _feature_major(HdAll) if _needs(a.r_t) else None
        if reset_after:
            if _needs(a.r_t):
                g["recurrent_kernel"] = np.dot(Hin, dZc.T)
            gb_rec = dZc.sum(axis=1) if _needs(a.b_t) else None
            dZc[U2:] = _feature_major(DHH)  # now the input-side pre-activation gradients
            if _needs(a.b_t):
                g["bias"] = np.stack([dZc.sum(axis=1), gb_rec])
        elif _needs(a.r_t):
            gR = np.empty((U, G), dt)
            gR[:, :U2] = np.dot(Hin, dZc[:U2].T)
            gR[:, U2:] = np.dot(_feature_major(Qb), dZc[U2:].T)
            g["recurrent_kernel"] = gR
        a.weight_grads(g, Xd, dZc, a.K)
        if a.state_ts:
            g["state0"] = np.ascontiguousarray(dh.T)
        return a.finish(g)

    return _record(op, outs, a.inputs, backward)
