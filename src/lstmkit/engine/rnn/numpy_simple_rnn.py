"""The SimpleRNN on the NumPy loops; layouts and equations in MATH.md."""

from __future__ import annotations

import numpy as np

from ...tensor import Tensor
from .activations import _Act
from .args import _Args, _needs
from .common import _blend, _feature_major, _outputs, _record, _wrap_outs


def run_simple_rnn(
    a: _Args, act: _Act, return_sequences: bool, keep: bool
) -> tuple[Tensor, list[Tensor]]:
    """The op's result on the NumPy loops (a tape node when `keep`)."""
    op = a.op
    a.numpy_layout()
    B, T, U = a.B, a.T, a.U
    dt = a.dtype
    has_mask = a.M is not None
    rdm = a.rdm
    M, MC = a.M, a.MC
    RT = np.ascontiguousarray(a.R.T)

    Xd, Z = a.project_fm(a.K, a.b)  # [T, U, B]
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

    outs = _outputs(H, return_sequences, [])
    if not keep:
        return _wrap_outs(outs)

    def backward(grads):
        dh, dY = a.output_grads(grads, return_sequences)
        dZ = np.empty((T, U, B), dt)
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
                dZ[t] = act.grad(Z[t], Ht[t], dht)
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
        g: dict[str, np.ndarray] = {}
        dZc = _feature_major(dZ)
        del dZ
        if _needs(a.r_t):
            g["recurrent_kernel"] = np.dot(_feature_major(Hd if Hd is not None else H[:-1]), dZc.T)
        a.weight_grads(g, Xd, dZc, a.K)
        if a.state_ts:
            g["state0"] = np.ascontiguousarray(dh.T)
        return a.finish(g)

    return _record(op, outs, a.inputs, backward)
