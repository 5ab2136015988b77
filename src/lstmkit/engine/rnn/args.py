"""The fused ops' argument checks: shapes, dtypes, masks, with errors that name what came.

`_Args` validates once what all three ops take and converts it into the arrays both
implementations use: the caller's batch-major arrays for the compiled loops, and
(`numpy_layout`) the feature-major views the NumPy loops use. The checks of x, the recurrent
kernel (which gives the units), the bias and the initial states are the helpers at the end
(`_check_x`, `_check_units`, `_checked_bias`, `_checked_states`). They run in a fixed order,
x, recurrent kernel, kernel, bias, initial states, then the masks, and the first wrong
argument is the one reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...tensor import Tensor, as_tensor
from .common import _unpermute


def _float_tensor(op: str, name: str, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        t = value
    else:
        if isinstance(value, np.ndarray) and value.dtype.kind not in "fc":
            raise ValueError(
                f"{op}: {name} must be a float tensor, got an array of dtype {value.dtype}."
            )
        t = as_tensor(value, op)
    if t._data.dtype.kind != "f":
        raise ValueError(f"{op}: {name} must be a float tensor, got dtype {t.dtype}.")
    return t


def _fmt(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(int(d)) for d in shape) + "]"


def _shape_error(op: str, name: str, t: Tensor, desc: str) -> None:
    raise ValueError(f"{op}: {name} must have shape {desc}, got {_fmt(t.shape)}.")


def _gmul(n_gates: int) -> str:
    return f"{n_gates}*units" if n_gates > 1 else "units"


def _mask_array(op: str, mask: Any, B: int, T: int, dtype) -> np.ndarray:
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype.kind not in "biuf":
        raise ValueError(f"{op}: mask must be bool or 0/1 numbers, got dtype {m.dtype}.")
    if m.shape != (B, T):
        raise ValueError(f"{op}: mask must have shape [batch={B}, time={T}], got {_fmt(m.shape)}.")
    return m.astype(dtype)


def _const_mask(op: str, name: str, value: Any, shape: tuple, desc: str, dtype) -> np.ndarray:
    m = value._data if isinstance(value, Tensor) else np.asarray(value)
    if m.dtype.kind not in "biuf":
        raise ValueError(f"{op}: {name} must hold numbers, got dtype {m.dtype}.")
    if m.shape != shape:
        raise ValueError(f"{op}: {name} must have shape {desc}, got {_fmt(m.shape)}.")
    return np.ascontiguousarray(m, dtype=dtype)


class _Args:
    """Checked, converted arguments shared by the three kernels.

    Inside the NumPy loops every per-step quantity is feature-major, ``[features, batch]``
    (states ``[U, B]``, pre-activations ``[n_gates*U, B]``), so each gate is a contiguous block
    and the recurrent GEMM is ``R^T·h``; buffers over time are ``[T, features, B]``
    (`numpy_layout`). The compiled loops take the batch-major arrays (``mask_tb``, ``rdm_bu``).
    """

    def __init__(
        self,
        op: str,
        n_gates: int,
        x,
        kernel,
        recurrent_kernel,
        bias,
        initial_state,
        n_states: int,
        mask,
        dropout_mask,
        recurrent_dropout_mask,
        go_backwards: bool,
        bias_rows: int = 1,
    ):
        ng = n_gates
        xt = _float_tensor(op, "x", x)
        B, T, I = _check_x(op, xt)
        rt = _float_tensor(op, "recurrent_kernel", recurrent_kernel)
        U = _check_units(op, rt, ng)
        G = ng * U
        kt = _float_tensor(op, "kernel", kernel)
        if kt._data.shape != (I, G):
            _shape_error(op, "kernel", kt, f"[in_dim={I}, {_gmul(ng)}={G}]")
        bt = None if bias is None else _checked_bias(op, bias, ng, G, bias_rows)
        states = _checked_states(op, initial_state, n_states, B, U)

        dtype = xt._data.dtype
        self.op = op
        self.B, self.T, self.I, self.U, self.G = B, T, I, U, ng * U
        self.dtype = dtype
        self.x_t, self.k_t, self.r_t, self.b_t, self.state_ts = xt, kt, rt, bt, states
        self.inputs: list[Tensor] = [xt, kt, rt]
        if bt is not None:
            self.inputs.append(bt)
        if states:
            self.inputs += states
        self.K = kt._data if kt._data.dtype == dtype else kt._data.astype(dtype)
        self.R = rt._data if rt._data.dtype == dtype else rt._data.astype(dtype)
        self.b = None if bt is None else np.ascontiguousarray(bt._data, dtype=dtype)

        self.go_backwards = bool(go_backwards)
        self.mask_tb = None  # [T, B] in processing order
        if mask is not None:
            m = _mask_array(op, mask, B, T, dtype).T
            self.mask_tb = np.ascontiguousarray(m[::-1] if self.go_backwards else m)
        self.dm = None
        if dropout_mask is not None:
            self.dm = _const_mask(
                op, "dropout_mask", dropout_mask, (B, I), f"[batch={B}, in_dim={I}]", dtype
            )
        self.rdm_bu = None  # [B, U]
        if recurrent_dropout_mask is not None:
            self.rdm_bu = _const_mask(
                op,
                "recurrent_dropout_mask",
                recurrent_dropout_mask,
                (B, U),
                f"[batch={B}, units={U}]",
                dtype,
            )

    def numpy_layout(self) -> None:
        """The feature-major views of the NumPy loops: M, MC [T, 1, B], rdm [U, B], h0 [U, B]."""
        self.M = self.MC = None
        if self.mask_tb is not None:
            self.M = self.mask_tb[:, None, :]
            self.MC = 1.0 - self.M
        self.rdm = None if self.rdm_bu is None else np.ascontiguousarray(self.rdm_bu.T)
        self.h0 = [s._data.T.astype(self.dtype) for s in self.state_ts]

    def project_fm(self, Kf: np.ndarray, bf: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Xd [T, B, I] (dropped-out x, processing order) and Z = Xd·Kf + bf as [T, G, B].

        One GEMM for all steps, then one transposing copy into the feature-major layout.
        """
        T, B, I, G = self.T, self.B, self.I, self.G
        xs = self.x_t._data.astype(self.dtype, copy=False).transpose(1, 0, 2)
        if self.go_backwards:
            xs = xs[::-1]
        Xd = np.multiply(xs, self.dm) if self.dm is not None else np.ascontiguousarray(xs)
        Z2 = np.dot(Xd.reshape(T * B, I), Kf)
        if bf is not None:
            Z2 += bf
        Z = np.empty((T, G, B), self.dtype)
        np.copyto(Z, Z2.reshape(T, B, G).transpose(0, 2, 1))
        return Xd, Z

    def initial(self, k: int, out: np.ndarray) -> None:
        if self.h0:
            out[...] = self.h0[k]
        else:
            out[...] = 0

    def output_grads(self, grads: list, return_sequences: bool):
        """(dh [U, B] fresh, dY [T, U, B] or None) from the op's output gradients."""
        g_out, g_h = grads[0], grads[1]
        dh = np.array(np.asarray(g_h).T, dtype=self.dtype, order="C")
        dY = None
        if return_sequences:
            dY = np.empty((self.T, self.U, self.B), self.dtype)
            np.copyto(dY, np.asarray(g_out).transpose(1, 2, 0))
        else:
            dh += np.asarray(g_out).T
        return dh, dY

    def weight_grads(
        self, g: dict, Xd: np.ndarray, dZc: np.ndarray, Kin: np.ndarray, cols=None
    ) -> None:
        """Fill g['kernel'], g['bias'] (one row) and g['x'] from dZc = dZ as [G, T*B]."""
        T, B, I = self.T, self.B, self.I
        if _needs(self.k_t):
            g["kernel"] = _unpermute(np.dot(Xd.reshape(T * B, I).T, dZc.T), cols)
        if _needs(self.b_t) and "bias" not in g:
            g["bias"] = _unpermute(dZc.sum(axis=1), cols)
        if _needs(self.x_t):
            dX = np.dot(dZc.T, Kin.T).reshape(T, B, I)
            if self.dm is not None:
                np.multiply(dX, self.dm, out=dX)
            if self.go_backwards:
                dX = dX[::-1]
            g["x"] = np.ascontiguousarray(dX.transpose(1, 0, 2))

    def finish(self, grads_by_role: dict) -> list:
        """Input gradients in input order, cast to each input's dtype; None when not needed."""
        out = []
        names = ["x", "kernel", "recurrent_kernel"]
        if self.b_t is not None:
            names.append("bias")
        names += [f"state{k}" for k in range(len(self.state_ts))]
        for name, t in zip(names, self.inputs):
            g = grads_by_role.get(name)
            if g is not None and g.dtype != t._data.dtype:
                g = g.astype(t._data.dtype)
            out.append(g)
        return out


def _needs(t: Tensor | None) -> bool:
    return t is not None and t._requires_grad


def _check_x(op: str, xt: Tensor) -> tuple[int, int, int]:
    """x's [batch, time, in_dim], refused unless rank 3 with at least one time step."""
    xshape = xt._data.shape
    if len(xshape) != 3:
        raise ValueError(
            f"{op}: x must be a rank-3 tensor [batch, time, in_dim], got rank {len(xshape)} "
            f"(shape {_fmt(xshape)})."
        )
    B, T, I = xshape
    if T == 0:
        raise ValueError(f"{op}: x must have at least one time step, got shape {_fmt(xshape)}.")
    return B, T, I


def _check_units(op: str, rt: Tensor, ng: int) -> int:
    """The units: the recurrent kernel's rows, which must be [units, n_gates*units], units > 0."""
    rshape = rt._data.shape
    if len(rshape) != 2:
        raise ValueError(
            f"{op}: recurrent_kernel must be a rank-2 tensor [units, {_gmul(ng)}], got rank "
            f"{len(rshape)} (shape {_fmt(rshape)})."
        )
    U = rshape[0]
    G = ng * U
    if U == 0 or rshape[1] != G:
        raise ValueError(
            f"{op}: recurrent_kernel must have shape [units={U}, {_gmul(ng)}={G}] "
            f"(units > 0), got {_fmt(rshape)}."
        )
    return U


def _checked_bias(op: str, bias: Any, ng: int, G: int, bias_rows: int) -> Tensor:
    """The bias as a float tensor: [G], or [2, G] (GRU reset_after: input and recurrent)."""
    bt = _float_tensor(op, "bias", bias)
    if bias_rows == 1:
        if bt._data.shape != (G,):
            _shape_error(op, "bias", bt, f"[{_gmul(ng)}={G}]")
    elif bt._data.shape != (2, G):
        desc = f"[2, {_gmul(ng)}={G}] (row 0 input bias, row 1 recurrent bias; reset_after=True)"
        _shape_error(op, "bias", bt, desc)
    return bt


def _checked_states(op: str, initial_state: Any, n_states: int, B: int, U: int) -> list[Tensor]:
    """The initial states as float tensors [batch, units] ([h] or [h, c]); [] when None."""
    if initial_state is None:
        return []
    if isinstance(initial_state, (Tensor, np.ndarray)) and n_states == 1:
        initial_state = [initial_state]
    if not isinstance(initial_state, (list, tuple)):
        raise ValueError(
            f"{op}: initial_state must be a list of {n_states} tensor(s), got "
            f"{type(initial_state).__name__}."
        )
    if len(initial_state) != n_states:
        what = "[h, c]" if n_states == 2 else "[h]"
        raise ValueError(
            f"{op}: initial_state must be a list of {n_states} tensor(s) {what}, got "
            f"{len(initial_state)}."
        )
    states = []
    for k, s in enumerate(initial_state):
        name = f"initial_state[{k}]"
        st = _float_tensor(op, name, s)
        if st._data.shape != (B, U):
            _shape_error(op, name, st, f"[batch={B}, units={U}]")
        states.append(st)
    return states
