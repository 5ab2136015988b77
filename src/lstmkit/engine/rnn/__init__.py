r"""Fused recurrent kernels: a whole LSTM / GRU / SimpleRNN sequence as ONE tape op.

`lstm_sequence`, `gru_sequence` and `simple_rnn_sequence` run the TF.js 4.22 cell math (gate
orders, masking, dropout and `goBackwards` as `tfjs-layers/src/layers/recurrent.ts` does them)
over every time step and record a single tape node whose backward is hand-derived
backpropagation through time (BPTT). This is where the library gets its speed. In the NumPy
loops:

* forward: the input projection of all steps is ONE GEMM, ``Zx = Xd·K + b`` with ``Xd`` the
  (dropped-out) input laid out time-major ``[T*B, in]``; the time loop only does the recurrent
  GEMM (``np.dot(..., out=)``) and in-place element-wise work on preallocated ``[T, B, ...]``
  buffers;
* backward: the time loop only propagates ``dh`` (and ``dc``) and stores the gradient of every
  gate pre-activation into a preallocated ``dZ [T, B, n_gates*units]``; the weight gradients are
  then batched GEMMs ``dK = Xd^T·dZ``, ``dR = Hd^T·dZ``, ``db = Σ dZ``, ``dx = dZ·K^T``;
* inference (no gradient being recorded) keeps no caches at all.

Two implementations of the time loops give the same results (to rounding; the tests check
both against the same references):

* the compiled loops, the optional C extension ``_fastrnn`` (built by ``pip install`` when a
  C compiler is there; see setup.py), used for the built-in element-wise activations (linear,
  tanh, sigmoid, hardSigmoid, relu) in float32 and float64. One C call runs a whole sequence
  forward, one the whole BPTT, without the GIL: per step ONE GEMM ``[x_t·m_x | h·m_h]·[K; R]``
  (input projection and recurrent term together; GRU: two) and one fused pass over the step's
  element-wise work (vectorised float32 sigmoid / tanh of ~2 ulp); backward, per step, the
  element-wise pass gives ``dz_t``, then ``dh = dz_t·R^T``, ``d[K; R] += cat_t^T·dz_t``,
  ``db += Σ dz_t`` and ``dx_t = dz_t·K^T`` while ``dz_t`` is in cache (``dZ`` over time is
  never stored). Layout there is batch-major: ``[T, B, features]`` buffers, x and the output
  sequence in the caller's ``[B, T, ...]``. GEMMs are a register-blocked micro-kernel on
  weights packed once per call (small and medium sizes) or the BLAS NumPy uses (large ones);
  AVX2+FMA code is picked at run time. Threads (`set_num_threads`): a call with enough work
  whose GEMMs use the micro-kernel is split into batch-row chunks run on threads, none of
  which waits for another until the end; one whose GEMMs go to BLAS uses BLAS's threads, each
  step timed. After a call where a thread lagged or a step stalled (a core busy with another
  process) the next calls run on one thread for a while. An LSTM forward step runs in blocks of
  batch rows, GEMM then element-wise pass per block, so the pass reads the block from cache.
  Large work buffers are reused between calls (`_BufferPool`; `release_buffers()` frees them).
  ``LSTMKIT_NO_EXTENSION=1`` in the environment or `use_extension(False)` turns it off;
* the NumPy loops below (any activation of the registry, any float dtype): a Python loop over
  the steps calling NumPy, with the layout described next.

Layout: inside the NumPy loops every per-step quantity is feature-major, ``[features, batch]``
(states ``[U, B]``, pre-activations ``[n_gates*U, B]`` computed as ``R^T·h``), so each gate is a
contiguous block and every element-wise NumPy call runs on contiguous memory (strided gate
slices of a ``[B, n_gates*U]`` row cost 2-3x more per call at these sizes). The input
projection is transposed into this layout once after its GEMM, and ``dZ`` once before the
weight GEMMs. Registry activations still see ``[batch, units]`` (transposed views).

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

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...tensor import Tensor, as_tensor
from .. import native, tape
from ..native import POOL as _POOL  # noqa: F401  (the tests read the pool)
from ..native import _load_extension as _load_extension
from ..native import extension_info, release_buffers, set_num_threads, use_extension

__all__ = [
    "lstm_sequence",
    "gru_sequence",
    "simple_rnn_sequence",
    "use_extension",
    "extension_info",
    "set_num_threads",
    "release_buffers",
]

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
    code: int | None = None  # the compiled loops' code for this activation (None: not there)

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
    code = 0

    def core_to(self, a, out):
        if out is not a:
            np.copyto(out, a)

    def deriv(self, y):
        return np.ones_like(y)

    def grad(self, z, y, dy):
        return dy.copy()


class _Tanh(_Act):
    name = "tanh"
    code = 1

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
    code = 2

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
    code = 3

    def core_to(self, a, out):
        _clip(a, 0.0, 1.0, out=out)

    def deriv(self, y):
        d = np.greater(y, 0.0)
        np.logical_and(d, np.less(y, 1.0), out=d)
        return np.multiply(d, np.asarray(0.2, y.dtype), dtype=y.dtype)


class _Relu(_Act):
    name = "relu"
    code = 4

    def core_to(self, a, out):
        np.maximum(a, 0.0, out=out)

    def deriv(self, y):
        return np.greater(y, 0.0).astype(y.dtype)


class _Generic(_Act):
    """A registry activation: `forward_np(x)` and `backward_np(x, y, dy)`.

    The kernels hold one gate as a `[units, batch]` block; the registry functions get the
    `[batch, units]` orientation (transposed views), so softmax-like activations reduce over
    the units as in TF.js.
    """

    fast = False

    def __init__(self, obj: Any):
        self.obj = obj
        self.name = getattr(obj, "name", type(obj).__name__)

    def core_to(self, a, out):
        out[...] = np.asarray(self.obj.forward_np(a.T)).T

    def apply(self, z, out):
        out[...] = np.asarray(self.obj.forward_np(z.T)).T

    def grad(self, z, y, dy):
        return np.asarray(self.obj.backward_np(z.T, y.T, dy.T)).T


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
        from ... import activations
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
        xshape = xt._data.shape
        if len(xshape) != 3:
            raise ValueError(
                f"{op}: x must be a rank-3 tensor [batch, time, in_dim], got rank {len(xshape)} "
                f"(shape {_fmt(xshape)})."
            )
        B, T, I = xshape
        if T == 0:
            raise ValueError(f"{op}: x must have at least one time step, got shape {_fmt(xshape)}.")
        rt = _float_tensor(op, "recurrent_kernel", recurrent_kernel)
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
        kt = _float_tensor(op, "kernel", kernel)
        if kt._data.shape != (I, G):
            _shape_error(op, "kernel", kt, f"[in_dim={I}, {_gmul(ng)}={G}]")
        bt = None
        if bias is not None:
            bt = _float_tensor(op, "bias", bias)
            if bias_rows == 1:
                if bt._data.shape != (G,):
                    _shape_error(op, "bias", bt, f"[{_gmul(ng)}={G}]")
            elif bt._data.shape != (2, G):
                desc = (
                    f"[2, {_gmul(ng)}={G}] (row 0 input bias, row 1 recurrent bias; "
                    "reset_after=True)"
                )
                _shape_error(op, "bias", bt, desc)
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
                if st._data.shape != (B, U):
                    _shape_error(op, name, st, f"[batch={B}, units={U}]")
                states.append(st)

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


def _needs(t: Tensor | None) -> bool:
    return t is not None and t._requires_grad


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


# ---------------------------------------------------------------------------------------------
# The compiled loops (the optional extension `_fastrnn`)
# ---------------------------------------------------------------------------------------------
def _compiled(a: _Args, act: _Act, rec: _Act) -> Any:
    """The extension when it can run this call (built-in activations, float32/64), else None."""
    if act.code is None or rec.code is None or a.B == 0:
        return None
    if a.dtype != np.float32 and a.dtype != np.float64:
        return None
    return native.fastrnn()


def _c_initial(a: _Args, k: int, out: np.ndarray) -> None:
    if a.state_ts:
        np.copyto(out, a.state_ts[k]._data)
    else:
        out.fill(0)


class _CCall:
    """The arrays every compiled loop takes (layouts in `_lstm_compiled`)."""

    def __init__(self, a: _Args, keep: bool):
        self.dt = a.dtype
        self.dbl = a.dtype == np.float64
        self.x = np.ascontiguousarray(a.x_t._data, dtype=a.dtype)  # [B, T, I], caller's order
        self.W = np.concatenate((a.K, a.R))  # [K; R]: [I+U, G]
        self.nkeep = a.T if keep else 1
        self.bufs: list[np.ndarray] = []
        self.H = self.buffer((a.T + 1, a.B, a.U))
        _c_initial(a, 0, self.H[0])

    def buffer(self, shape: tuple) -> np.ndarray:
        """A work buffer (uninitialised) that lives as long as the call's backward."""
        if math.prod(shape) * self.dt.itemsize < native.POOL.MIN_BYTES:
            return np.empty(shape, self.dt)
        buf = native.POOL.take(shape, self.dt)
        self.bufs.append(buf)
        return buf

    def done(self, backward: Any = None) -> None:
        """The work buffers go back to the pool now (inference) or once `backward` is dead."""
        if not self.bufs:
            return
        if backward is None:
            native.POOL.give(self.bufs)
        else:
            native.POOL.give_when_dead(backward, self.bufs)
        self.bufs = []

    def grads_in(self, a: _Args, grads: list, return_sequences: bool) -> tuple:
        """(dh [B, U] fresh, dY [B, T, U] or None, dW, db, dX) for a backward loop."""
        dh = np.array(grads[1], dtype=self.dt, order="C")
        dY = None
        if return_sequences:
            dY = np.ascontiguousarray(grads[0], dtype=self.dt)
        else:
            dh += grads[0]
        dW = np.empty(self.W.shape, self.dt) if _needs(a.k_t) or _needs(a.r_t) else None
        db = None
        if _needs(a.b_t):
            db = np.empty(a.b.shape, self.dt)
        dX = np.empty((a.B, a.T, a.I), self.dt) if _needs(a.x_t) else None
        return dh, dY, dW, db, dX

    def grads_out(self, a: _Args, dW, db, dX, states: list) -> list:
        g: dict[str, np.ndarray] = {}
        if dW is not None:
            g["kernel"], g["recurrent_kernel"] = dW[: a.I], dW[a.I :]
        if db is not None:
            g["bias"] = db
        if dX is not None:
            g["x"] = dX
        for k, s in enumerate(states):
            g[f"state{k}"] = s
        return a.finish(g)


def _c_outputs(out: np.ndarray | None, states: list[np.ndarray]) -> list[np.ndarray]:
    states = [s.copy() for s in states]  # H[T] etc. are views of the big per-step buffers
    return [out if out is not None else states[0].copy()] + states


def _lstm_compiled(ext, a: _Args, act: _Act, rec: _Act, return_sequences: bool, keep: bool):
    """`lstm_sequence` on the compiled loops.

    One C call per direction. x stays [B, T, I]; per step the loop builds
    ``cat = [x_t*m_x | h_{t-1}*m_h]`` and ONE GEMM ``cat·[K; R] + b`` gives the pre-activations
    (gates i, f, c, o as TF.js) into ``A[t]`` ([B, 4U]), which the fused element-wise pass turns
    into the gate activations; H, C are [T+1, B, U], S = φ(c̃) [T, B, U], the output sequence
    is written [B, T, U]. Backward: per step the element-wise pass gives ``dz_t``, then
    ``dh = dz_t·R^T``, ``d[K; R] += cat_t^T·dz_t``, ``db += Σ dz_t``, ``dx_t = dz_t·K^T``.
    """
    B, T, U, I, G = a.B, a.T, a.U, a.I, a.G
    cc = _CCall(a, keep)
    dt = cc.dt
    A = cc.buffer((cc.nkeep, B, G))
    C = cc.buffer((T + 1, B, U))
    _c_initial(a, 1, C[0])
    S = cc.buffer((cc.nkeep, B, U))
    out = np.empty((B, T, U), dt) if return_sequences else None
    M, rdm, dm, gb = a.mask_tb, a.rdm_bu, a.dm, a.go_backwards
    ext.lstm_fwd(
        cc.dbl,
        B,
        T,
        U,
        I,
        act.code,
        rec.code,
        keep,
        gb,
        cc.x,
        cc.W,
        a.b,
        dm,
        A,
        cc.H,
        C,
        S,
        M,
        rdm,
        out,
    )
    outs = _c_outputs(out, [cc.H[T], C[T]])
    if not keep:
        cc.done()
        return _wrap_outs(outs)

    def backward(grads):
        dh, dY, dW, db, dX = cc.grads_in(a, grads, return_sequences)
        dc = np.array(grads[2], dtype=dt, order="C")
        ext.lstm_bwd(
            cc.dbl,
            B,
            T,
            U,
            I,
            act.code,
            rec.code,
            gb,
            cc.x,
            cc.W,
            dm,
            A,
            cc.H,
            C,
            S,
            M,
            rdm,
            dY,
            dh,
            dc,
            dW,
            db,
            dX,
        )
        return cc.grads_out(a, dW, db, dX, [dh, dc] if a.state_ts else [])

    cc.done(backward)
    return _record(a.op, outs, a.inputs, backward)


def _gru_compiled(ext, a: _Args, act, rec, reset_after: bool, return_sequences: bool, keep: bool):
    """`gru_sequence` on the compiled loops (layouts as `_lstm_compiled`, gates z, r, h).

    reset_after=False: two GEMMs per step, ``[x_t | hd]·[K_zr; R_zr]`` and, after z and r,
    ``[x_t | r⊙hd]·[K_h; R_h]``. reset_after=True: ``x_t·K + b_in`` and ``zh = hd·R + b_rec``
    (kept in ZH [T, B, 3U] for the backward).
    """
    B, T, U, I, G = a.B, a.T, a.U, a.I, a.G
    cc = _CCall(a, keep)
    dt = cc.dt
    b_in = b_rec = None
    if a.b is not None:
        if reset_after:
            b_in, b_rec = np.ascontiguousarray(a.b[0]), np.ascontiguousarray(a.b[1])
        else:
            b_in = a.b
    A = cc.buffer((cc.nkeep, B, G))
    ZH = cc.buffer((cc.nkeep, B, G)) if reset_after else None
    out = np.empty((B, T, U), dt) if return_sequences else None
    M, rdm, dm, gb = a.mask_tb, a.rdm_bu, a.dm, a.go_backwards
    ext.gru_fwd(
        cc.dbl,
        B,
        T,
        U,
        I,
        act.code,
        rec.code,
        reset_after,
        keep,
        gb,
        cc.x,
        cc.W,
        b_in,
        b_rec,
        dm,
        A,
        cc.H,
        ZH,
        M,
        rdm,
        out,
    )
    outs = _c_outputs(out, [cc.H[T]])
    if not keep:
        cc.done()
        return _wrap_outs(outs)

    def backward(grads):
        dh, dY, dW, db, dX = cc.grads_in(a, grads, return_sequences)
        ext.gru_bwd(
            cc.dbl,
            B,
            T,
            U,
            I,
            act.code,
            rec.code,
            reset_after,
            gb,
            cc.x,
            cc.W,
            dm,
            A,
            cc.H,
            ZH,
            M,
            rdm,
            dY,
            dh,
            dW,
            db,
            dX,
        )
        return cc.grads_out(a, dW, db, dX, [dh] if a.state_ts else [])

    cc.done(backward)
    return _record(a.op, outs, a.inputs, backward)


def _rnn_compiled(ext, a: _Args, act: _Act, return_sequences: bool, keep: bool):
    """`simple_rnn_sequence` on the compiled loops (layouts as `_lstm_compiled`)."""
    B, T, U, I = a.B, a.T, a.U, a.I
    cc = _CCall(a, keep)
    dt = cc.dt
    A = cc.buffer((cc.nkeep, B, U))  # h~ = φ(z)
    out = np.empty((B, T, U), dt) if return_sequences else None
    M, rdm, dm, gb = a.mask_tb, a.rdm_bu, a.dm, a.go_backwards
    ext.rnn_fwd(cc.dbl, B, T, U, I, act.code, keep, gb, cc.x, cc.W, a.b, dm, A, cc.H, M, rdm, out)
    outs = _c_outputs(out, [cc.H[T]])
    if not keep:
        cc.done()
        return _wrap_outs(outs)

    def backward(grads):
        dh, dY, dW, db, dX = cc.grads_in(a, grads, return_sequences)
        ext.rnn_bwd(
            cc.dbl, B, T, U, I, act.code, gb, cc.x, cc.W, dm, A, cc.H, M, rdm, dY, dh, dW, db, dX
        )
        return cc.grads_out(a, dW, db, dX, [dh] if a.state_ts else [])

    cc.done(backward)
    return _record(a.op, outs, a.inputs, backward)


# ---------------------------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------------------------
# Internal gate order [o, i, f, c]: the three recurrent-activation gates are contiguous and the
# three gates driven by dc̃ (i, f, c) too. _LSTM_PERM[k] = TF.js gate index of internal gate k.
_LSTM_PERM = (3, 0, 1, 2)


@functools.lru_cache(maxsize=64)
def _lstm_cols(U: int) -> np.ndarray:
    """Column indices of the internal [o, i, f, c] order in TF.js's [i, f, c, o] (read-only)."""
    cols = np.concatenate([np.arange(k * U, (k + 1) * U) for k in _LSTM_PERM])
    cols.flags.writeable = False
    return cols


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
    keep = tape.needs_record(a.inputs)
    ext = _compiled(a, act, rec)
    if ext is not None:
        return _lstm_compiled(ext, a, act, rec, return_sequences, keep)
    a.numpy_layout()
    B, T, U, G = a.B, a.T, a.U, a.G
    U3 = 3 * U
    dt = a.dtype
    fast = act.fast and rec.fast
    has_mask = a.M is not None
    rdm = a.rdm
    M, MC = a.M, a.MC

    # Permuted ([o, i, f, c]) and folded weights.
    cols = _lstm_cols(U)
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

    Xd, Z = a.project_fm(Kf, bf)  # Z [T, 4U, B]
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

    outs = _outputs(H, return_sequences, [C[-1]])
    if not keep:
        return _wrap_outs(outs)

    def backward(grads):
        Rp = a.R[:, cols]  # [U, 4U] unfolded, permuted: dhd = Rp·dz
        dh, dY = a.output_grads(grads, return_sequences)
        dc = np.array(np.asarray(grads[2]).T, dtype=dt, order="C")
        dZ = np.empty((T, G, B), dt)
        dZ4 = dZ.reshape(T, 4, U, B)
        tU = np.empty((U, B), dt)
        dhd = np.empty((U, B), dt)
        dht = np.empty((U, B), dt) if has_mask else None
        dct = np.empty((U, B), dt) if has_mask else dc

        if fast:
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
            del P, Q
        else:
            # Generic activations: derivatives need the step's upstream gradient. For a fast
            # φ the derivative comes from s alone, so C[1:] may stand in for c̃ under a mask.
            Ct = Ctil if need_ctil else C[1:]
            Z4 = Z.reshape(T, 4, U, B)
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

        dZc = _feature_major(dZ)
        del dZ
        g: dict[str, np.ndarray] = {}
        if _needs(a.r_t):
            Hin = _feature_major(Hd if Hd is not None else H[:-1])
            g["recurrent_kernel"] = _unpermute(np.dot(Hin, dZc.T), cols)
        a.weight_grads(g, Xd, dZc, Kp, cols)
        if a.state_ts:
            g["state0"] = np.ascontiguousarray(dh.T)
            g["state1"] = np.ascontiguousarray(dc.T)
        return a.finish(g)

    return _record(op, outs, a.inputs, backward)


# ---------------------------------------------------------------------------------------------
# GRU
# ---------------------------------------------------------------------------------------------
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
    keep = tape.needs_record(a.inputs)
    ext = _compiled(a, act, rec)
    if ext is not None:
        return _gru_compiled(ext, a, act, rec, reset_after, return_sequences, keep)
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
    keep = tape.needs_record(a.inputs)
    ext = _compiled(a, act, act)
    if ext is not None:
        return _rnn_compiled(ext, a, act, return_sequences, keep)
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
