r"""Fused recurrent kernels: a whole LSTM / GRU / SimpleRNN sequence as ONE tape op.

`lstm_sequence`, `gru_sequence` and `simple_rnn_sequence` run the TF.js 4.22 cell math (gate
orders, masking, dropout and `goBackwards` as `tfjs-layers/src/layers/recurrent.ts` does them)
over every time step and record a single tape node whose backward is hand-derived
backpropagation through time (BPTT). This is where the library gets its speed:

* forward: the input projection of all steps is ONE GEMM, ``Zx = Xd·K + b`` with ``Xd`` the
  (dropped-out) input laid out time-major ``[T*B, in]``; the time loop only does the recurrent
  GEMM (``np.dot(..., out=)``) and in-place element-wise work on preallocated ``[T, B, ...]``
  buffers;
* backward: the time loop only propagates ``dh`` (and ``dc``) and stores the gradient of every
  gate pre-activation into a preallocated ``dZ [T, B, n_gates*units]``; the weight gradients are
  then batched GEMMs ``dK = Xd^T·dZ``, ``dR = Hd^T·dZ``, ``db = Σ dZ``, ``dx = dZ·K^T``;
* inference (no gradient being recorded) keeps no caches at all.

Notation
--------
``B`` batch, ``T`` time steps, ``I`` input features, ``U`` units. Steps are numbered in the order
they are processed (``go_backwards`` reverses x and the mask first; the returned sequence is
*not* re-reversed, as in TF.js). ``σ`` is the recurrent activation, ``φ`` the activation, ``⊙``
the element-wise product, ``·`` the matrix product. ``d(v)`` is the gradient of the loss with
respect to ``v``; for an activation ``y = a(z)``, ``dz = a'(z) ⊙ dy`` is what the registry's
``backward_np(z, y, dy)`` returns (softmax-like activations act on one gate's ``[B, U]`` slice).

Dropout masks (constants, already scaled by the caller; TF.js uses only ``dpMask[0]`` and
``recDpMask[0]`` for every gate): ``Xd = x ⊙ m_x`` (same ``[B, I]`` mask every step) and
``hd_{t-1} = h_{t-1} ⊙ m_h`` (``[B, U]``). ``dx = (dZ·K^T) ⊙ m_x`` and ``dh_{t-1} = dhd ⊙ m_h``
(+ the mask carry below).

Masking (TF.js ``rnn()``): with ``m_t`` the ``[B, 1]`` step mask every state and the output are
blended, ``s_t = s̃_t ⊙ m_t + s_{t-1} ⊙ (1 - m_t)`` where ``s̃_t`` is the cell's new value (for
these cells the output equals ``h`` so the output blend is the ``h`` blend). Backward, for every
state: ``d(s̃_t) = d(s_t) ⊙ m_t`` and ``d(s_{t-1}) += d(s_t) ⊙ (1 - m_t)``.

LSTM (gates i, f, c, o; kernel ``[I, 4U]``, recurrent ``[U, 4U]``, bias ``[4U]``)
------------------------------------------------------------------------------
Forward::

    z  = Zx_t + hd_{t-1}·R                 (Zx_t = Xd_t·K + b)
    i = σ(z_i)   f = σ(z_f)   g = φ(z_c)   o = σ(z_o)
    c̃ = f ⊙ c_{t-1} + i ⊙ g
    s  = φ(c̃)
    h̃ = o ⊙ s                             (then the mask blend gives h_t, c_t)

Backward with ``dh̃``, ``dc̃`` the (masked) gradients arriving at step t (``dh`` includes the
output gradient of step t when ``return_sequences``, and the final-state gradients at t = T-1)::

    dc̃ += dh̃ ⊙ o ⊙ φ'(c̃)
    dz_o = dh̃ ⊙ s ⊙ σ'(z_o)
    dz_i = dc̃ ⊙ g ⊙ σ'(z_i)
    dz_f = dc̃ ⊙ c_{t-1} ⊙ σ'(z_f)
    dz_c = dc̃ ⊙ i ⊙ φ'(z_c)
    dc_{t-1} = dc̃ ⊙ f                      (+ mask carry)
    dh_{t-1} = (dz·R^T) ⊙ m_h               (+ mask carry)

For the built-in element-wise activations ``a'`` is a function of the output ``y`` (tanh:
``1-y²``; sigmoid: ``y(1-y)``; hardSigmoid: ``0.2`` where ``0 < y < 1``, else 0; relu: ``y > 0``;
linear: 1), so the products ``s⊙σ'(o)``, ``g⊙σ'(i)``, ``c_{t-1}⊙σ'(f)``, ``i⊙φ'(g)`` and
``o⊙φ'(c̃)`` are computed for all steps at once before the loop, leaving ~6 NumPy calls per step.
Internally the gate columns are permuted to ``[o, i, f, c]`` so that the three σ gates are one
contiguous block and the three ``dc̃``-driven gate gradients are one broadcast multiply; the
weight gradients are permuted back.

GRU (gates z, r, h; kernel ``[I, 3U]``, recurrent ``[U, 3U]``)
--------------------------------------------------------------
``reset_after=False`` (TF.js; bias ``[3U]``)::

    z = σ(Zx_z + hd·R_z)   r = σ(Zx_r + hd·R_r)
    q = r ⊙ hd
    hh = φ(Zx_h + q·R_h)
    h̃ = z ⊙ hd + (1 - z) ⊙ hh

Note that TF.js (and Keras) multiply ``h_{t-1}`` by the recurrent dropout mask *before* the cell,
so the dropped ``hd`` is also the one mixed into ``h̃``; the mask carry uses the undropped
``h_{t-1}``. Backward::

    dz_z  = dh̃ ⊙ (hd - hh) ⊙ σ'(z)
    dz_h  = dh̃ ⊙ (1 - z) ⊙ φ'(hh)
    dq    = dz_h·R_h^T
    dz_r  = dq ⊙ hd ⊙ σ'(r)
    dhd   = dh̃ ⊙ z + dq ⊙ r + [dz_z, dz_r]·[R_z, R_r]^T
    dR_{z,r} = Hd^T·dZ_{z,r}    dR_h = Q^T·dZ_h    (Q = all steps' q)

``reset_after=True`` (Keras layout; bias ``[2, 3U]``: row 0 input bias ``b_i``, row 1 recurrent
bias ``b_r``)::

    zh = hd·R + b_r                          (one recurrent GEMM)
    z = σ(Zx_z + zh_z)   r = σ(Zx_r + zh_r)  (Zx = Xd·K + b_i)
    hh = φ(Zx_h + r ⊙ zh_h)
    h̃ = z ⊙ hd + (1 - z) ⊙ hh

Backward: ``dz_z`` and ``dz_h`` as above, then with ``G`` the gradient of ``zh``::

    G_z = dz_z    G_r = dz_r = dz_h ⊙ zh_h ⊙ σ'(r)    G_h = dz_h ⊙ r
    dhd = dh̃ ⊙ z + G·R^T
    dR = Hd^T·G   db_r = Σ G   dK = Xd^T·[dz_z, dz_r, dz_h]   db_i = Σ [dz_z, dz_r, dz_h]

SimpleRNN (kernel ``[I, U]``, recurrent ``[U, U]``, bias ``[U]``)
-----------------------------------------------------------------
``h̃ = φ(Zx_t + hd·R)``; backward ``dz = dh̃ ⊙ φ'(z)``, ``dh_{t-1} = (dz·R^T) ⊙ m_h``.

Folding: a recurrent activation that is affine before a cheap core (hardSigmoid
``clip(0.2z+0.5)``, sigmoid ``0.5·tanh(0.5z)+0.5``) has its scale and shift folded into the
gate columns of K, R and b, so each step only applies the core. Gradients are always taken with
respect to the true (unfolded) pre-activations and weights.

The hardSigmoid derivative is 0.2 strictly inside ``0 < 0.2z+0.5 < 1`` (TF.js's clipByValue
gradient also passes the two boundary points; they have measure zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor, as_tensor
from . import tape

__all__ = ["lstm_sequence", "gru_sequence", "simple_rnn_sequence"]

try:  # the clip ufunc: no Python wrapper overhead (np.clip costs ~3 µs more per call)
    _clip = np._core.umath.clip  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - NumPy < 2
    try:
        _clip = np.core.umath.clip  # type: ignore[attr-defined]
    except AttributeError:
        _clip = np.clip


# ---------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------
class _Act:
    """An activation as the kernels use it.

    Built-in element-wise activations are `fast`: `core_to` applies them to a folded
    pre-activation (`scale*z + shift` already added through the weights), and their derivative
    is a function of the output (`deriv`). Any other activation wraps a registry object with
    `forward_np` / `backward_np` and is applied gate by gate.
    """

    fast = True
    scale = 1.0
    shift = 0.0
    name = "?"

    def core_to(self, a: np.ndarray, out: np.ndarray) -> None:  # folded pre-activation -> y
        raise NotImplementedError

    def apply(self, z: np.ndarray, out: np.ndarray) -> None:
        """`out[...] = act(z)` for an unfolded pre-activation (`out` may be `z`)."""
        if self.scale != 1.0:
            np.multiply(z, self.scale, out=out)
            z = out
        if self.shift != 0.0:
            np.add(z, self.shift, out=out)
            z = out
        self.core_to(z, out)

    def deriv(self, y: np.ndarray) -> np.ndarray:
        """`act'(z)` as a new array, from the output `y` (fast activations only)."""
        raise NotImplementedError

    def grad(self, z: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """`dy * act'(z)`."""
        return np.multiply(dy, self.deriv(y))


class _Linear(_Act):
    name = "linear"

    def core_to(self, a, out):
        if out is not a:
            np.copyto(out, a)

    def deriv(self, y):
        return np.ones_like(y)

    def grad(self, z, y, dy):
        return dy.copy()


class _Tanh(_Act):
    name = "tanh"

    def core_to(self, a, out):
        np.tanh(a, out=out)

    def deriv(self, y):
        d = np.multiply(y, y)
        np.subtract(1.0, d, out=d)
        return d


class _Sigmoid(_Act):
    """sigmoid(z) = 0.5*tanh(0.5*z) + 0.5 (no overflow, one transcendental)."""

    name = "sigmoid"
    scale = 0.5

    def core_to(self, a, out):
        np.tanh(a, out=out)
        np.multiply(out, 0.5, out=out)
        np.add(out, 0.5, out=out)

    def deriv(self, y):
        d = np.subtract(1.0, y)
        np.multiply(d, y, out=d)
        return d


class _HardSigmoid(_Act):
    """TF.js / Keras 2: clip(0.2*z + 0.5, 0, 1)."""

    name = "hardSigmoid"
    scale = 0.2
    shift = 0.5

    def core_to(self, a, out):
        _clip(a, 0.0, 1.0, out=out)

    def deriv(self, y):
        d = np.greater(y, 0.0)
        np.logical_and(d, np.less(y, 1.0), out=d)
        return np.multiply(d, np.asarray(0.2, y.dtype), dtype=y.dtype)


class _Relu(_Act):
    name = "relu"

    def core_to(self, a, out):
        np.maximum(a, 0.0, out=out)

    def deriv(self, y):
        return np.greater(y, 0.0).astype(y.dtype)


class _Generic(_Act):
    """A registry activation: `forward_np(x)` and `backward_np(x, y, dy)`."""

    fast = False

    def __init__(self, obj: Any):
        self.obj = obj
        self.name = getattr(obj, "name", type(obj).__name__)

    def core_to(self, a, out):
        out[...] = self.obj.forward_np(a)

    def apply(self, z, out):
        out[...] = self.obj.forward_np(z)

    def grad(self, z, y, dy):
        return self.obj.backward_np(z, y, dy)


_FAST_ACTS: dict[str, _Act] = {
    "linear": _Linear(),
    "tanh": _Tanh(),
    "sigmoid": _Sigmoid(),
    "hardSigmoid": _HardSigmoid(),
    "hard_sigmoid": _HardSigmoid(),
    "relu": _Relu(),
}


def _resolve_activation(op: str, role: str, identifier: Any) -> _Act:
    if identifier is None:  # TF.js GRU/LSTM: an explicit null means linear
        return _FAST_ACTS["linear"]
    if isinstance(identifier, str):
        fast = _FAST_ACTS.get(identifier)
        if fast is not None:
            return fast
    elif hasattr(identifier, "forward_np") and hasattr(identifier, "backward_np"):
        return _Generic(identifier)
    try:
        from .. import activations
    except ImportError as e:  # pragma: no cover - the registry is part of the package
        raise ValueError(
            f"{op}: {role} {identifier!r} is not one of the built-in kernels' activations "
            f"({', '.join(sorted(_FAST_ACTS))}) and the activation registry could not be "
            f"imported ({e})."
        ) from None
    try:
        obj = activations.get(identifier)
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{op}: unknown {role} {identifier!r}: {e}") from None
    if not (hasattr(obj, "forward_np") and hasattr(obj, "backward_np")):
        raise ValueError(
            f"{op}: {role} {identifier!r} resolved to {obj!r}, which has no forward_np / "
            "backward_np."
        )
    return _Generic(obj)


# ---------------------------------------------------------------------------------------------
# Argument checking
# ---------------------------------------------------------------------------------------------
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


def _check_shape(op: str, name: str, t: Tensor, expected: tuple, desc: str) -> None:
    if tuple(t.shape) != tuple(expected):
        raise ValueError(f"{op}: {name} must have shape {desc}, got {_fmt(t.shape)}.")


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
    """Checked, converted arguments shared by the three kernels."""

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
        if xt.rank != 3:
            raise ValueError(
                f"{op}: x must be a rank-3 tensor [batch, time, in_dim], got rank {xt.rank} "
                f"(shape {_fmt(xt.shape)})."
            )
        B, T, I = xt.shape
        if T == 0:
            raise ValueError(
                f"{op}: x must have at least one time step, got shape {_fmt(xt.shape)}."
            )
        rt = _float_tensor(op, "recurrent_kernel", recurrent_kernel)
        gmul = f"{ng}*units" if ng > 1 else "units"
        if rt.rank != 2:
            raise ValueError(
                f"{op}: recurrent_kernel must be a rank-2 tensor [units, {gmul}], got rank "
                f"{rt.rank} (shape {_fmt(rt.shape)})."
            )
        U = rt.shape[0]
        if U == 0 or rt.shape[1] != ng * U:
            raise ValueError(
                f"{op}: recurrent_kernel must have shape [units={U}, {gmul}={ng * U}] "
                f"(units > 0), got {_fmt(rt.shape)}."
            )
        kt = _float_tensor(op, "kernel", kernel)
        _check_shape(op, "kernel", kt, (I, ng * U), f"[in_dim={I}, {gmul}={ng * U}]")
        bt = None
        if bias is not None:
            bt = _float_tensor(op, "bias", bias)
            if bias_rows == 1:
                _check_shape(op, "bias", bt, (ng * U,), f"[{gmul}={ng * U}]")
            else:
                _check_shape(
                    op,
                    "bias",
                    bt,
                    (2, ng * U),
                    f"[2, {gmul}={ng * U}] (row 0 input bias, row 1 recurrent bias; "
                    "reset_after=True)",
                )
        states: list[Tensor] = []
        if initial_state is not None:
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
            for k, s in enumerate(initial_state):
                name = f"initial_state[{k}]"
                st = _float_tensor(op, name, s)
                _check_shape(op, name, st, (B, U), f"[batch={B}, units={U}]")
                states.append(st)

        dtype = xt._data.dtype
        self.op = op
        self.B, self.T, self.I, self.U, self.G = B, T, I, U, ng * U
        self.dtype = dtype
        self.x_t, self.k_t, self.r_t, self.b_t, self.state_ts = xt, kt, rt, bt, states
        self.inputs: list[Tensor] = [xt, kt, rt] + ([bt] if bt is not None else []) + states
        self.K = kt._data.astype(dtype, copy=False)
        self.R = rt._data.astype(dtype, copy=False)
        self.b = None if bt is None else bt._data.astype(dtype, copy=False)
        self.h0 = [s._data.astype(dtype, copy=False) for s in states]

        self.go_backwards = bool(go_backwards)
        self.M = self.MC = None
        if mask is not None:
            m = _mask_array(op, mask, B, T, dtype).T  # [T, B]
            if self.go_backwards:
                m = m[::-1]
            self.M = np.ascontiguousarray(m)[:, :, None]  # [T, B, 1]
            self.MC = 1.0 - self.M
        self.dm = None
        if dropout_mask is not None:
            self.dm = _const_mask(
                op, "dropout_mask", dropout_mask, (B, I), f"[batch={B}, in_dim={I}]", dtype
            )
        self.rdm = None
        if recurrent_dropout_mask is not None:
            self.rdm = _const_mask(
                op,
                "recurrent_dropout_mask",
                recurrent_dropout_mask,
                (B, U),
                f"[batch={B}, units={U}]",
                dtype,
            )

    def time_major_input(self) -> np.ndarray:
        """Xd: x (dropped out) in processing order, [T, B, I], C-contiguous, compute dtype."""
        xs = self.x_t._data.astype(self.dtype, copy=False).transpose(1, 0, 2)
        if self.go_backwards:
            xs = xs[::-1]
        if self.dm is not None:
            return np.multiply(xs, self.dm)
        return np.ascontiguousarray(xs)

    def input_grad(self, dX: np.ndarray) -> np.ndarray:
        """dx [B, T, I] in the caller's order from dXd [T, B, I] in processing order."""
        if self.dm is not None:
            np.multiply(dX, self.dm, out=dX)
        if self.go_backwards:
            dX = dX[::-1]
        return np.ascontiguousarray(dX.transpose(1, 0, 2))

    def output_grads(self, grads: list, return_sequences: bool):
        """Initial (dh, dY) from the op's output gradients: dh fresh, dY [T,B,U] view or None."""
        g_out, g_h = grads[0], grads[1]
        dh = np.array(g_h, dtype=self.dtype, copy=True)
        dY = None
        if return_sequences:
            dY = np.asarray(g_out, dtype=self.dtype).transpose(1, 0, 2)
        else:
            dh += g_out
        return dh, dY

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


def _blend(new, prev, m, mc, out, tmp) -> None:
    """out = new*m + prev*(1-m) (TF.js's mask formula; exact for 0/1 masks)."""
    np.multiply(new, m, out=out)
    np.multiply(prev, mc, out=tmp)
    np.add(out, tmp, out=out)


def _sequence_output(H: np.ndarray, return_sequences: bool) -> np.ndarray:
    if return_sequences:
        return np.ascontiguousarray(H[1:].transpose(1, 0, 2))
    return H[-1].copy()


def _needs(t: Tensor | None) -> bool:
    return t is not None and t._requires_grad


# ---------------------------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------------------------
# Internal gate order [o, i, f, c]: the three recurrent-activation gates are contiguous and the
# three gates driven by dc̃ (i, f, c) too. _LSTM_PERM[k] = TF.js gate index of internal gate k.
_LSTM_PERM = (3, 0, 1, 2)
_O, _I, _F, _C = 0, 1, 2, 3


def lstm_sequence(
    x,
    kernel,
    recurrent_kernel,
    bias=None,
    initial_state=None,
    *,
    activation="tanh",
    recurrent_activation="hardSigmoid",
    go_backwards: bool = False,
    return_sequences: bool = False,
    mask=None,
    dropout_mask=None,
    recurrent_dropout_mask=None,
) -> tuple[Tensor, list[Tensor]]:
    """Run an LSTM (TF.js `LSTMCell` math) over a whole sequence as one differentiable op.

    Args:
        x: ``[batch, time, in_dim]`` input.
        kernel: ``[in_dim, 4*units]``, gates ``i, f, c, o``.
        recurrent_kernel: ``[units, 4*units]``.
        bias: ``[4*units]`` or None.
        initial_state: ``[h0, c0]`` (each ``[batch, units]``) or None for zeros.
        activation, recurrent_activation: names (TF.js ``'hardSigmoid'`` or Keras
            ``'hard_sigmoid'`` spellings), None (linear), or an object with ``forward_np`` and
            ``backward_np``.
        go_backwards: process the steps last to first (the output sequence is not re-reversed).
        return_sequences: return ``[batch, time, units]`` (else the last output ``[batch, units]``).
        mask: ``[batch, time]`` bool or 0/1 numbers; a masked step carries h and c forward.
        dropout_mask: ``[batch, in_dim]`` multiplier of x (every step), a constant.
        recurrent_dropout_mask: ``[batch, units]`` multiplier of h before the recurrent matmul.

    Returns:
        ``(output, [h, c])`` with the final states.

    The forward equations and the BPTT derivation are in the module docstring: per step
    ``z = Zx_t + hd·R``, ``c̃ = σ(z_f)⊙c + σ(z_i)⊙φ(z_c)``, ``h̃ = σ(z_o)⊙φ(c̃)``; backward
    ``dc̃ += dh̃⊙o⊙φ'(c̃)``, ``dz_o = dh̃⊙s⊙σ'``, ``dz_i = dc̃⊙g⊙σ'``, ``dz_f = dc̃⊙c_{t-1}⊙σ'``,
    ``dz_c = dc̃⊙i⊙φ'``, ``dc_{t-1} = dc̃⊙f``, ``dh_{t-1} = (dz·R^T)⊙m_h``.
    """
    op = "lstm_sequence"
    a = _Args(
        op,
        4,
        x,
        kernel,
        recurrent_kernel,
        bias,
        initial_state,
        2,
        mask,
        dropout_mask,
        recurrent_dropout_mask,
        go_backwards,
    )
    act = _resolve_activation(op, "activation", activation)
    rec = _resolve_activation(op, "recurrent_activation", recurrent_activation)
    B, T, I, U, G = a.B, a.T, a.I, a.U, a.G
    dt = a.dtype
    keep = tape.needs_record(a.inputs)
    fast = act.fast and rec.fast
    has_mask = a.M is not None
    rdm = a.rdm

    # Permuted ([o, i, f, c]) and folded weights.
    cols = np.concatenate([np.arange(k * U, (k + 1) * U) for k in _LSTM_PERM])
    Kp = a.K[:, cols]
    Rp = a.R[:, cols]
    bp = None if a.b is None else a.b[cols]
    Kf, Rf, bf = Kp, Rp, bp
    if rec.scale != 1.0 or rec.shift != 0.0:
        scale = np.ones(G, dt)
        scale[: 3 * U] = rec.scale
        shift = np.zeros(G, dt)
        shift[: 3 * U] = rec.shift
        Kf = Kp * scale
        Rf = Rp * scale
        bf = shift if bp is None else bp * scale + shift

    Xd = a.time_major_input()
    Z2 = np.dot(Xd.reshape(T * B, I), Kf)
    if bf is not None:
        Z2 += bf
    Z = Z2.reshape(T, B, 4, U)
    A = np.empty_like(Z) if (keep and not fast) else Z  # gate activations

    H = np.empty((T + 1, B, U), dt)
    C = np.empty((T + 1, B, U), dt)
    if a.h0:
        H[0] = a.h0[0]
        C[0] = a.h0[1]
    else:
        H[0] = 0
        C[0] = 0
    S = np.empty((T if keep else 1, B, U), dt)  # φ(c̃)
    need_ctil = keep and has_mask and not act.fast
    Ctil = np.empty((T, B, U), dt) if need_ctil else None
    ctil_s = np.empty((B, U), dt) if has_mask else None
    Hd = None
    if rdm is not None:
        Hd = np.empty((T if keep else 1, B, U), dt)
    tmp = np.empty((B, G), dt)
    tmp3 = tmp.reshape(B, 4, U)
    tmpU = np.empty((B, U), dt)
    htil = np.empty((B, U), dt) if has_mask else None
    M, MC = a.M, a.MC

    for t in range(T):
        hp = H[t]
        if rdm is not None:
            hd = Hd[t if keep else 0]
            np.multiply(hp, rdm, out=hd)
        else:
            hd = hp
        np.dot(hd, Rf, out=tmp)
        zt = Z[t]
        np.add(zt, tmp3, out=zt)
        at = A[t]
        if rec.fast:
            rec.core_to(zt[:, :3], at[:, :3])
        else:
            for k in range(3):
                rec.apply(zt[:, k], at[:, k])
        act.apply(zt[:, _C], at[:, _C])
        cp = C[t]
        if not has_mask:
            ct = C[t + 1]
        else:
            ct = Ctil[t] if need_ctil else ctil_s
        np.multiply(at[:, _F], cp, out=ct)
        np.multiply(at[:, _I], at[:, _C], out=tmpU)
        np.add(ct, tmpU, out=ct)
        st = S[t if keep else 0]
        act.apply(ct, st)
        if not has_mask:
            np.multiply(at[:, _O], st, out=H[t + 1])
        else:
            np.multiply(at[:, _O], st, out=htil)
            _blend(htil, hp, M[t], MC[t], H[t + 1], tmpU)
            _blend(ct, cp, M[t], MC[t], C[t + 1], tmpU)

    out = _sequence_output(H, return_sequences)
    outs = [out, H[-1].copy(), C[-1].copy()]
    if not keep:
        return _wrap_outs(outs)

    x_t, k_t, r_t, b_t = a.x_t, a.k_t, a.r_t, a.b_t

    def backward(grads):
        dh, dY = a.output_grads(grads, return_sequences)
        dc = np.array(grads[2], dtype=dt, copy=True)
        dZ = np.empty((T, B, 4, U), dt)
        dZ2 = dZ.reshape(T, B, G)
        RpT = np.ascontiguousarray(Rp.T)
        tU = np.empty((B, U), dt)
        dhd = np.empty((B, U), dt)
        dht = np.empty((B, U), dt) if has_mask else None
        dct = np.empty((B, U), dt) if has_mask else dc

        if fast:
            # Everything but dh̃ / dc̃ in the gate gradients, for all steps at once.
            P = np.empty((T, B, 4, U), dt)
            Dr = rec.deriv(A[:, :, :3])
            np.multiply(S, Dr[:, :, _O], out=P[:, :, _O])
            np.multiply(A[:, :, _C], Dr[:, :, _I], out=P[:, :, _I])
            np.multiply(C[:-1], Dr[:, :, _F], out=P[:, :, _F])
            np.multiply(A[:, :, _I], act.deriv(A[:, :, _C]), out=P[:, :, _C])
            del Dr
            Q = act.deriv(S)
            np.multiply(Q, A[:, :, _O], out=Q)
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
                dzt = dZ[t]
                np.multiply(dht, P[t, :, _O], out=dzt[:, _O])
                np.multiply(dct[:, None, :], P[t, :, _I:], out=dzt[:, _I:])
                if has_mask:
                    np.multiply(dct, A[t, :, _F], out=tU)
                    np.add(dc, tU, out=dc)
                else:
                    np.multiply(dc, A[t, :, _F], out=dc)
                if rdm is None and not has_mask:
                    np.dot(dZ2[t], RpT, out=dh)
                else:
                    np.dot(dZ2[t], RpT, out=dhd)
                    if rdm is not None:
                        np.multiply(dhd, rdm, out=dhd)
                    if has_mask:
                        np.add(dh, dhd, out=dh)
                    else:
                        dh, dhd = dhd, dh
            del P, Q
        else:
            Ct = Ctil if need_ctil else C[1:]
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
                at, zt, st = A[t], Z[t], S[t]
                np.multiply(dht, at[:, _O], out=tU)
                np.add(dct, act.grad(Ct[t], st, tU), out=dct)
                dzt = dZ[t]
                np.multiply(dht, st, out=tU)
                dzt[:, _O] = rec.grad(zt[:, _O], at[:, _O], tU)
                np.multiply(dct, at[:, _C], out=tU)
                dzt[:, _I] = rec.grad(zt[:, _I], at[:, _I], tU)
                np.multiply(dct, C[t], out=tU)
                dzt[:, _F] = rec.grad(zt[:, _F], at[:, _F], tU)
                np.multiply(dct, at[:, _I], out=tU)
                dzt[:, _C] = act.grad(zt[:, _C], at[:, _C], tU)
                if has_mask:
                    np.multiply(dct, at[:, _F], out=tU)
                    np.add(dc, tU, out=dc)
                else:
                    np.multiply(dc, at[:, _F], out=dc)
                np.dot(dZ2[t], RpT, out=dhd)
                if rdm is not None:
                    np.multiply(dhd, rdm, out=dhd)
                if has_mask:
                    np.add(dh, dhd, out=dh)
                else:
                    dh, dhd = dhd, dh

        dZf = dZ.reshape(T * B, G)
        g: dict[str, np.ndarray] = {}
        if _needs(k_t):
            g["kernel"] = _unpermute(np.dot(Xd.reshape(T * B, I).T, dZf), cols)
        if _needs(r_t):
            Hin = (Hd if Hd is not None else H[:-1]).reshape(T * B, U)
            g["recurrent_kernel"] = _unpermute(np.dot(Hin.T, dZf), cols)
        if _needs(b_t):
            g["bias"] = _unpermute(dZf.sum(axis=0), cols)
        if _needs(x_t):
            g["x"] = a.input_grad(np.dot(dZf, Kp.T).reshape(T, B, I))
        if a.state_ts:
            g["state0"] = dh
            g["state1"] = dc
        return a.finish(g)

    return _record(op, outs, a.inputs, backward)


def _unpermute(gp: np.ndarray, cols: np.ndarray) -> np.ndarray:
    g = np.empty_like(gp)
    g[..., cols] = gp
    return g


def _wrap_outs(outs: list[np.ndarray]) -> tuple[Tensor, list[Tensor]]:
    ts = [Tensor._wrap(o) for o in outs]
    return ts[0], ts[1:]


def _record(op, outs, inputs, backward) -> tuple[Tensor, list[Tensor]]:
    ts = tape.record_multi(op, outs, inputs, backward)
    return ts[0], list(ts[1:])


# ---------------------------------------------------------------------------------------------
# GRU
# ---------------------------------------------------------------------------------------------
_Z, _R, _HH = 0, 1, 2


def gru_sequence(
    x,
    kernel,
    recurrent_kernel,
    bias=None,
    initial_state=None,
    *,
    activation="tanh",
    recurrent_activation="hardSigmoid",
    reset_after: bool = False,
    go_backwards: bool = False,
    return_sequences: bool = False,
    mask=None,
    dropout_mask=None,
    recurrent_dropout_mask=None,
) -> tuple[Tensor, list[Tensor]]:
    """Run a GRU (TF.js `GRUCell` math, or Keras `reset_after=True`) over a whole sequence.

    Args:
        x: ``[batch, time, in_dim]``.
        kernel: ``[in_dim, 3*units]``, gates ``z, r, h``.
        recurrent_kernel: ``[units, 3*units]``.
        bias: ``[3*units]`` (``reset_after=False``), ``[2, 3*units]`` (``reset_after=True``: row
            0 input bias, row 1 recurrent bias), or None.
        initial_state: ``[h0]`` (or a single ``[batch, units]`` tensor) or None for zeros.
        reset_after: False: ``hh = φ(x_h + b_h + (r⊙h)·R_h)`` (TF.js); True:
            ``hh = φ(x_h + b_ih + r⊙(h·R_h + b_rh))`` (Keras default, CuDNN-compatible).
        Other arguments as `lstm_sequence`.

    Returns:
        ``(output, [h])``.

    ``h̃ = z⊙hd + (1-z)⊙hh`` with ``hd`` the recurrently dropped-out previous state (as TF.js).
    Backward (module docstring): ``dz_z = dh̃⊙(hd-hh)⊙σ'``, ``dz_h = dh̃⊙(1-z)⊙φ'``, then either
    ``dq = dz_h·R_h^T``, ``dz_r = dq⊙hd⊙σ'`` (reset before) or ``G_h = dz_h⊙r``,
    ``dz_r = dz_h⊙zh_h⊙σ'`` (reset after); ``dhd = dh̃⊙z + (recurrent GEMM of the gate grads)``.
    """
    op = "gru_sequence"
    reset_after = bool(reset_after)
    a = _Args(
        op,
        3,
        x,
        kernel,
        recurrent_kernel,
        bias,
        initial_state,
        1,
        mask,
        dropout_mask,
        recurrent_dropout_mask,
        go_backwards,
        bias_rows=2 if reset_after else 1,
    )
    act = _resolve_activation(op, "activation", activation)
    rec = _resolve_activation(op, "recurrent_activation", recurrent_activation)
    B, T, I, U, G = a.B, a.T, a.I, a.U, a.G
    dt = a.dtype
    keep = tape.needs_record(a.inputs)
    has_mask = a.M is not None
    rdm = a.rdm
    M, MC = a.M, a.MC

    # Fold the recurrent activation's affine part into the z and r columns.
    scale = np.ones(G, dt)
    scale[: 2 * U] = rec.scale
    shift = np.zeros(G, dt)
    shift[: 2 * U] = rec.shift
    folded = rec.scale != 1.0 or rec.shift != 0.0
    b_in = b_rec = None
    if a.b is not None:
        if reset_after:
            b_in, b_rec = a.b[0], a.b[1]
        else:
            b_in = a.b
    Kf = a.K * scale if folded else a.K
    Rf = a.R * scale if folded else a.R
    bf_in = b_in
    if folded:
        bf_in = shift if b_in is None else b_in * scale + shift
    bf_rec = None if b_rec is None else (b_rec * scale if folded else b_rec)

    Xd = a.time_major_input()
    Z2 = np.dot(Xd.reshape(T * B, I), Kf)
    if bf_in is not None:
        Z2 += bf_in
    Z = Z2.reshape(T, B, 3, U)
    A = np.empty_like(Z) if (keep and not (act.fast and rec.fast)) else Z

    H = np.empty((T + 1, B, U), dt)
    if a.h0:
        H[0] = a.h0[0]
    else:
        H[0] = 0
    Hd = np.empty((T if keep else 1, B, U), dt) if rdm is not None else None
    tmpU = np.empty((B, U), dt)
    htil = np.empty((B, U), dt) if has_mask else None
    if reset_after:
        ZH = np.empty((T if keep else 1, B, G), dt)  # hd·R + b_rec (folded z, r columns)
        Rzr = Rh = None
        tmp2 = None
    else:
        ZH = None
        Rzr = np.ascontiguousarray(Rf[:, : 2 * U])
        Rh = np.ascontiguousarray(Rf[:, 2 * U :])
        tmp2 = np.empty((B, 2 * U), dt)
        Qb = np.empty((T if keep else 1, B, U), dt)  # q = r ⊙ hd

    for t in range(T):
        hp = H[t]
        if rdm is not None:
            hd = Hd[t if keep else 0]
            np.multiply(hp, rdm, out=hd)
        else:
            hd = hp
        zt = Z[t]
        at = A[t]
        if reset_after:
            zh = ZH[t if keep else 0]
            np.dot(hd, Rf, out=zh)
            if bf_rec is not None:
                np.add(zh, bf_rec, out=zh)
            zh3 = zh.reshape(B, 3, U)
            np.add(zt[:, :2], zh3[:, :2], out=zt[:, :2])
        else:
            np.dot(hd, Rzr, out=tmp2)
            np.add(zt[:, :2], tmp2.reshape(B, 2, U), out=zt[:, :2])
        if rec.fast:
            rec.core_to(zt[:, :2], at[:, :2])
        else:
            rec.apply(zt[:, _Z], at[:, _Z])
            rec.apply(zt[:, _R], at[:, _R])
        r = at[:, _R]
        if reset_after:
            np.multiply(r, zh3[:, _HH], out=tmpU)
        else:
            q = Qb[t if keep else 0]
            np.multiply(r, hd, out=q)
            np.dot(q, Rh, out=tmpU)
        np.add(zt[:, _HH], tmpU, out=zt[:, _HH])
        act.apply(zt[:, _HH], at[:, _HH])
        hh = at[:, _HH]
        np.subtract(hd, hh, out=tmpU)
        np.multiply(at[:, _Z], tmpU, out=tmpU)
        if not has_mask:
            np.add(hh, tmpU, out=H[t + 1])
        else:
            np.add(hh, tmpU, out=htil)
            _blend(htil, hp, M[t], MC[t], H[t + 1], tmpU)

    out = _sequence_output(H, return_sequences)
    outs = [out, H[-1].copy()]
    if not keep:
        return _wrap_outs(outs)

    x_t, k_t, r_t, b_t = a.x_t, a.k_t, a.r_t, a.b_t

    def backward(grads):
        dh, dY = a.output_grads(grads, return_sequences)
        HdAll = Hd if Hd is not None else H[:-1]
        dZ = np.empty((T, B, 3, U), dt)  # reset_before: dz; reset_after: G (grad of zh)
        dZ2 = dZ.reshape(T, B, G)
        DHH = np.empty((T, B, U), dt) if reset_after else None
        tU = np.empty((B, U), dt)
        tU2 = np.empty((B, U), dt)
        dhd = np.empty((B, U), dt)
        dht = np.empty((B, U), dt) if has_mask else None
        z_all, hh_all = A[:, :, _Z], A[:, :, _HH]
        DIFF = np.subtract(HdAll, hh_all)  # hd - hh
        Pz = Phh = Pr = None
        if rec.fast:
            Dr = rec.deriv(A[:, :, :2])
            Pz = np.multiply(DIFF, Dr[:, :, _Z])
            Pr = np.multiply(
                ZH.reshape(T, B, 3, U)[:, :, _HH] if reset_after else HdAll, Dr[:, :, _R]
            )
            del Dr
        if act.fast:
            Phh = act.deriv(hh_all)
            Phh *= 1.0 - z_all
            OMZ = None
        else:
            OMZ = 1.0 - z_all
        RT = np.ascontiguousarray(a.R.T)  # [3U, U]
        RzrT = np.ascontiguousarray(a.R[:, : 2 * U].T)
        RhT = np.ascontiguousarray(a.R[:, 2 * U :].T)
        for t in range(T - 1, -1, -1):
            if dY is not None:
                np.add(dh, dY[t], out=dh)
            if has_mask:
                np.multiply(dh, M[t], out=dht)
                np.multiply(dh, MC[t], out=dh)
            else:
                dht = dh  # dh is rebound (buffer swap) at the end of a step
            at, zt, dzt = A[t], Z[t], dZ[t]
            hd = HdAll[t]
            # update gate
            if Pz is not None:
                np.multiply(dht, Pz[t], out=dzt[:, _Z])
            else:
                np.multiply(dht, DIFF[t], out=tU)
                dzt[:, _Z] = rec.grad(zt[:, _Z], at[:, _Z], tU)
            # candidate: dz_h
            dzh = DHH[t] if reset_after else dzt[:, _HH]
            if Phh is not None:
                np.multiply(dht, Phh[t], out=dzh)
            else:
                np.multiply(dht, OMZ[t], out=tU)
                dzh[...] = act.grad(zt[:, _HH], at[:, _HH], tU)
            np.multiply(dht, at[:, _Z], out=dhd)
            if reset_after:
                np.multiply(dzh, at[:, _R], out=dzt[:, _HH])  # G_h
                if Pr is not None:
                    np.multiply(dzh, Pr[t], out=dzt[:, _R])
                else:
                    np.multiply(dzh, ZH[t].reshape(B, 3, U)[:, _HH], out=tU)
                    dzt[:, _R] = rec.grad(zt[:, _R], at[:, _R], tU)
                np.dot(dZ2[t], RT, out=tU2)
                np.add(dhd, tU2, out=dhd)
            else:
                np.dot(dzh, RhT, out=tU2)  # dq
                if Pr is not None:
                    np.multiply(tU2, Pr[t], out=dzt[:, _R])
                else:
                    np.multiply(tU2, hd, out=tU)
                    dzt[:, _R] = rec.grad(zt[:, _R], at[:, _R], tU)
                np.multiply(tU2, at[:, _R], out=tU)
                np.add(dhd, tU, out=dhd)
                np.dot(dZ2[t, :, : 2 * U], RzrT, out=tU2)
                np.add(dhd, tU2, out=dhd)
            if rdm is not None:
                np.multiply(dhd, rdm, out=dhd)
            if has_mask:
                np.add(dh, dhd, out=dh)
            else:
                dh, dhd = dhd, dh

        g: dict[str, np.ndarray] = {}
        dZf = dZ.reshape(T * B, G)
        Hin = HdAll.reshape(T * B, U)
        if reset_after:
            if _needs(r_t):
                g["recurrent_kernel"] = np.dot(Hin.T, dZf)
            gb_rec = dZf.sum(axis=0) if _needs(b_t) else None
            dZ[:, :, _HH] = DHH  # now the gradient of the input-side pre-activations
            if _needs(b_t):
                g["bias"] = np.stack([dZf.sum(axis=0), gb_rec])
        else:
            if _needs(r_t):
                gR = np.empty((U, G), dt)
                gR[:, : 2 * U] = np.dot(Hin.T, dZf[:, : 2 * U])
                gR[:, 2 * U :] = np.dot(Qb.reshape(T * B, U).T, dZf[:, 2 * U :])
                g["recurrent_kernel"] = gR
            if _needs(b_t):
                g["bias"] = dZf.sum(axis=0)
        if _needs(k_t):
            g["kernel"] = np.dot(Xd.reshape(T * B, I).T, dZf)
        if _needs(x_t):
            g["x"] = a.input_grad(np.dot(dZf, a.K.T).reshape(T, B, I))
        if a.state_ts:
            g["state0"] = dh
        return a.finish(g)

    return _record(op, outs, a.inputs, backward)


# ---------------------------------------------------------------------------------------------
# SimpleRNN
# ---------------------------------------------------------------------------------------------
def simple_rnn_sequence(
    x,
    kernel,
    recurrent_kernel,
    bias=None,
    initial_state=None,
    *,
    activation="tanh",
    go_backwards: bool = False,
    return_sequences: bool = False,
    mask=None,
    dropout_mask=None,
    recurrent_dropout_mask=None,
) -> tuple[Tensor, list[Tensor]]:
    """Run a SimpleRNN (TF.js `SimpleRNNCell`: ``h = φ(x·K + b + hd·R)``) over a sequence.

    Args:
        x: ``[batch, time, in_dim]``; kernel ``[in_dim, units]``; recurrent_kernel
            ``[units, units]``; bias ``[units]`` or None; initial_state ``[h0]`` or None.
        Other arguments as `lstm_sequence` (there is no recurrent activation).

    Returns:
        ``(output, [h])``.

    Backward: ``dz_t = dh̃_t⊙φ'(z_t)``, ``dh_{t-1} = (dz_t·R^T)⊙m_h`` (+ mask carry), then
    ``dK = Xd^T·dZ``, ``dR = Hd^T·dZ``, ``db = Σ dZ``, ``dx = (dZ·K^T)⊙m_x``.
    """
    op = "simple_rnn_sequence"
    a = _Args(
        op,
        1,
        x,
        kernel,
        recurrent_kernel,
        bias,
        initial_state,
        1,
        mask,
        dropout_mask,
        recurrent_dropout_mask,
        go_backwards,
    )
    act = _resolve_activation(op, "activation", activation)
    B, T, I, U = a.B, a.T, a.I, a.U
    dt = a.dtype
    keep = tape.needs_record(a.inputs)
    has_mask = a.M is not None
    rdm = a.rdm
    M, MC = a.M, a.MC
    R = a.R

    Xd = a.time_major_input()
    Z2 = np.dot(Xd.reshape(T * B, I), a.K)
    if a.b is not None:
        Z2 += a.b
    Z = Z2.reshape(T, B, U)
    H = np.empty((T + 1, B, U), dt)
    if a.h0:
        H[0] = a.h0[0]
    else:
        H[0] = 0
    # h̃ (activation output) per step: H[1:] itself without a mask.
    if has_mask:
        Ht = np.empty((T, B, U), dt) if keep else np.empty((1, B, U), dt)
    else:
        Ht = H[1:]
    Hd = np.empty((T if keep else 1, B, U), dt) if rdm is not None else None
    tmp = np.empty((B, U), dt)
    tmpU = np.empty((B, U), dt)
    for t in range(T):
        hp = H[t]
        if rdm is not None:
            hd = Hd[t if keep else 0]
            np.multiply(hp, rdm, out=hd)
        else:
            hd = hp
        np.dot(hd, R, out=tmp)
        zt = Z[t]
        if keep and not act.fast:
            np.add(zt, tmp, out=zt)
        else:
            np.add(zt, tmp, out=tmp)
            zt = tmp
        ht = Ht[t if (keep or not has_mask) else 0]
        act.apply(zt, ht)
        if has_mask:
            _blend(ht, hp, M[t], MC[t], H[t + 1], tmpU)

    out = _sequence_output(H, return_sequences)
    outs = [out, H[-1].copy()]
    if not keep:
        return _wrap_outs(outs)

    x_t, k_t, r_t, b_t = a.x_t, a.k_t, a.r_t, a.b_t

    def backward(grads):
        dh, dY = a.output_grads(grads, return_sequences)
        dZ = np.empty((T, B, U), dt)
        D = act.deriv(Ht) if act.fast else None
        RT = np.ascontiguousarray(R.T)
        dhd = np.empty((B, U), dt)
        dht = np.empty((B, U), dt) if has_mask else None
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
                np.dot(dZ[t], RT, out=dh)
            else:
                np.dot(dZ[t], RT, out=dhd)
                if rdm is not None:
                    np.multiply(dhd, rdm, out=dhd)
                if has_mask:
                    np.add(dh, dhd, out=dh)
                else:
                    dh, dhd = dhd, dh
        g: dict[str, np.ndarray] = {}
        dZf = dZ.reshape(T * B, U)
        if _needs(k_t):
            g["kernel"] = np.dot(Xd.reshape(T * B, I).T, dZf)
        if _needs(r_t):
            Hin = (Hd if Hd is not None else H[:-1]).reshape(T * B, U)
            g["recurrent_kernel"] = np.dot(Hin.T, dZf)
        if _needs(b_t):
            g["bias"] = dZf.sum(axis=0)
        if _needs(x_t):
            g["x"] = a.input_grad(np.dot(dZf, a.K.T).reshape(T, B, I))
        if a.state_ts:
            g["state0"] = dh
        return a.finish(g)

    return _record(op, outs, a.inputs, backward)
