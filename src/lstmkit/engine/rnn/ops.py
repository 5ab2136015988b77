"""The three fused recurrent ops: check the arguments once, then the compiled or NumPy loops.

Each op is one tape node over the whole sequence (MATH.md has the maths). The compiled loops
run it when they are built and switched on and have the activations and dtype
(`compiled.native_cell`); otherwise the NumPy loops of `numpy_lstm`, `numpy_gru` and
`numpy_simple_rnn` do. Both give the same results to rounding.
"""

from __future__ import annotations

from ...tensor import Tensor
from .. import tape
from .activations import _resolve_activation
from .args import _Args
from .compiled import native_cell, run_compiled
from .numpy_gru import run_gru
from .numpy_lstm import run_lstm
from .numpy_simple_rnn import run_simple_rnn


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

    The forward equations and the BPTT derivation are in MATH.md: per step
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
    cell = native_cell("lstm", a, act, rec)
    if cell is not None:
        return run_compiled(cell, a, return_sequences, keep)
    a.numpy_layout()
    return run_lstm(a, act, rec, return_sequences, keep)


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
    Backward (MATH.md): ``dz_z = dh̃⊙(hd-hh)⊙σ'``, ``dz_h = dh̃⊙(1-z)⊙φ'``, then either
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
    cell = native_cell("gru", a, act, rec, reset_after=reset_after)
    if cell is not None:
        return run_compiled(cell, a, return_sequences, keep)
    a.numpy_layout()
    return run_gru(a, act, rec, reset_after, return_sequences, keep)


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
    cell = native_cell("rnn", a, act, None)
    if cell is not None:
        return run_compiled(cell, a, return_sequences, keep)
    a.numpy_layout()
    return run_simple_rnn(a, act, return_sequences, keep)
