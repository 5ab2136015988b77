"""The only callers of the compiled time loops: one native-call object per fused cell.

`NativeLSTM`, `NativeGRU` and `NativeSimpleRNN` each own the pair of extension calls of their
cell (``*_fwd`` and ``*_bwd`` of `lstmkit.engine._fastrnn`): the argument order, the work
buffers the pair shares and what the forward must keep for the backward. Two callers use
them, so the two training paths cannot drift apart:

* the tape op (`compiled.py`: `lstm_sequence` and co. on the compiled loops), which records
  the backward on the tape;
* the tape-free training step (`lstmkit.models.tape_free`), which calls `forward` and
  `backward` itself and keeps one workspace from batch to batch.

Layouts (batch-major; MATH.md has the equations): x ``[B, T, I]`` in the caller's order,
``W = [K; R]`` ``[I+U, G]``, H (and the LSTM's C) ``[T+1, B, U]`` with the initial state in
row 0, A the gate activations ``[T, B, G]`` (one step when nothing is kept for a backward), S
(LSTM) ``φ(c̃)`` ``[T, B, U]``, ZH (GRU ``reset_after``) the recurrent GEMM ``[T, B, G]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .activations import _Act

Alloc = Callable[[tuple, Any], np.ndarray]


@dataclass(slots=True)
class Workspace:
    """The buffers of one forward/backward pair, and what the forward saved for the backward.

    `H` and (LSTM) `C` hold every state; `A`, `S` and `ZH` what the backward needs. After
    `NativeCell.forward` it is also the call's context: `x`, `W` and the masks are kept.
    """

    B: int
    T: int
    I: int
    dtype: np.dtype
    A: np.ndarray
    H: np.ndarray
    C: np.ndarray | None = None  # LSTM cell states
    S: np.ndarray | None = None  # LSTM φ(c̃)
    ZH: np.ndarray | None = None  # GRU reset_after: hd·R + b_rec
    x: np.ndarray | None = None
    W: np.ndarray | None = None
    dropout: np.ndarray | None = None
    mask: np.ndarray | None = None
    recurrent_dropout: np.ndarray | None = None

    def final_states(self) -> list[np.ndarray]:
        """Views of the last step's states: [h] or [h, c] (copy them to keep them)."""
        T = self.T
        return [self.H[T]] if self.C is None else [self.H[T], self.C[T]]


class NativeCell:
    """A fused cell's forward and backward calls into the compiled loops.

    Subclasses set `kind`, `n_gates`, `n_states` and implement `_forward` / `_backward`,
    which are the only places that spell out an extension call's arguments.
    """

    kind: ClassVar[str]
    n_gates: ClassVar[int]
    n_states: ClassVar[int] = 1

    def __init__(
        self,
        ext: Any,
        units: int,
        activation: _Act,
        recurrent_activation: _Act | None = None,
        *,
        go_backwards: bool = False,
        reset_after: bool = False,
    ):
        self.ext = ext
        self.units = int(units)
        self.act = activation.code
        self.rec = None if recurrent_activation is None else recurrent_activation.code
        self.go_backwards = bool(go_backwards)
        self.reset_after = bool(reset_after)

    @staticmethod
    def available(activation: _Act, recurrent_activation: _Act | None, dtype: Any) -> bool:
        """Whether the compiled loops have these activations and this dtype."""
        if activation.code is None:
            return False
        if recurrent_activation is not None and recurrent_activation.code is None:
            return False
        return dtype == np.float32 or dtype == np.float64

    def workspace(self, B: int, T: int, I: int, dtype: Any, keep: bool, alloc: Alloc) -> Workspace:
        """Uninitialised buffers for a call on ``[B, T, I]``; `keep`: for a backward too."""
        U, G = self.units, self.n_gates * self.units
        n = T if keep else 1
        dt = np.dtype(dtype)
        ws = Workspace(B, T, I, dt, A=alloc((n, B, G), dt), H=alloc((T + 1, B, U), dt))
        self._extra_buffers(ws, n, alloc)
        return ws

    def _extra_buffers(self, ws: Workspace, n: int, alloc: Alloc) -> None:
        """Cell-specific buffers beside A and H (none by default)."""

    def forward(
        self,
        ws: Workspace,
        x: np.ndarray,
        kernel: np.ndarray,
        recurrent_kernel: np.ndarray,
        bias: np.ndarray | None,
        *,
        keep: bool,
        initial: Sequence[np.ndarray] = (),
        dropout: np.ndarray | None = None,
        mask: np.ndarray | None = None,
        recurrent_dropout: np.ndarray | None = None,
        out: np.ndarray | None = None,
    ) -> Workspace:
        """Run the sequence; returns `ws`, now the context `backward` takes.

        x ``[B, T, I]`` and the weights in `ws.dtype`; `initial` the states (zeros when
        empty); `mask` ``[T, B]`` in processing order; `out` ``[B, T, U]`` receives the output
        sequence when given.
        """
        ws.x = np.ascontiguousarray(x, dtype=ws.dtype)
        ws.W = np.concatenate((kernel, recurrent_kernel))
        ws.dropout, ws.mask, ws.recurrent_dropout = dropout, mask, recurrent_dropout
        states = [ws.H] if ws.C is None else [ws.H, ws.C]
        for k, buf in enumerate(states):
            if k < len(initial):
                np.copyto(buf[0], initial[k])
            else:
                buf[0].fill(0)
        self._forward(ws, bias, keep, out)
        return ws

    def backward(
        self,
        ws: Workspace,
        *,
        dY: np.ndarray | None,
        dh: np.ndarray,
        dc: np.ndarray | None = None,
        dW: np.ndarray | None = None,
        db: np.ndarray | None = None,
        dX: np.ndarray | None = None,
    ) -> None:
        """BPTT from a kept forward: `dh` (and `dc`) come in as the final states' gradients
        and leave as the initial states'; `dW` ``[I+U, G]``, `db`, `dX` are filled when given.
        """
        self._backward(ws, dY, dh, dc, dW, db, dX)

    def _forward(self, ws: Workspace, bias, keep: bool, out) -> None:
        raise NotImplementedError

    def _backward(self, ws: Workspace, dY, dh, dc, dW, db, dX) -> None:
        raise NotImplementedError

    def _dims(self, ws: Workspace) -> tuple:
        return ws.dtype == np.float64, ws.B, ws.T, self.units, ws.I


class NativeLSTM(NativeCell):
    kind = "lstm"
    n_gates = 4
    n_states = 2

    def _extra_buffers(self, ws: Workspace, n: int, alloc: Alloc) -> None:
        ws.C = alloc((ws.T + 1, ws.B, self.units), ws.dtype)
        ws.S = alloc((n, ws.B, self.units), ws.dtype)

    def _forward(self, ws, bias, keep, out):
        self.ext.lstm_fwd(*self._dims(ws), self.act, self.rec, keep, self.go_backwards,
                          ws.x, ws.W, bias, ws.dropout, ws.A, ws.H, ws.C, ws.S, ws.mask,
                          ws.recurrent_dropout, out)  # fmt: skip

    def _backward(self, ws, dY, dh, dc, dW, db, dX):
        self.ext.lstm_bwd(*self._dims(ws), self.act, self.rec, self.go_backwards,
                          ws.x, ws.W, ws.dropout, ws.A, ws.H, ws.C, ws.S, ws.mask,
                          ws.recurrent_dropout, dY, dh, dc, dW, db, dX)  # fmt: skip


class NativeGRU(NativeCell):
    kind = "gru"
    n_gates = 3

    def _extra_buffers(self, ws: Workspace, n: int, alloc: Alloc) -> None:
        if self.reset_after:
            ws.ZH = alloc((n, ws.B, self.n_gates * self.units), ws.dtype)

    def _forward(self, ws, bias, keep, out):
        b_in = b_rec = None
        if bias is not None:
            if self.reset_after:  # [2, 3U]: row 0 the input bias, row 1 the recurrent bias
                b_in, b_rec = np.ascontiguousarray(bias[0]), np.ascontiguousarray(bias[1])
            else:
                b_in = bias
        self.ext.gru_fwd(*self._dims(ws), self.act, self.rec, self.reset_after, keep,
                         self.go_backwards, ws.x, ws.W, b_in, b_rec, ws.dropout, ws.A, ws.H,
                         ws.ZH, ws.mask, ws.recurrent_dropout, out)  # fmt: skip

    def _backward(self, ws, dY, dh, dc, dW, db, dX):
        self.ext.gru_bwd(*self._dims(ws), self.act, self.rec, self.reset_after,
                         self.go_backwards, ws.x, ws.W, ws.dropout, ws.A, ws.H, ws.ZH, ws.mask,
                         ws.recurrent_dropout, dY, dh, dW, db, dX)  # fmt: skip


class NativeSimpleRNN(NativeCell):
    kind = "rnn"
    n_gates = 1

    def _forward(self, ws, bias, keep, out):
        self.ext.rnn_fwd(*self._dims(ws), self.act, keep, self.go_backwards, ws.x, ws.W, bias,
                         ws.dropout, ws.A, ws.H, ws.mask, ws.recurrent_dropout, out)  # fmt: skip

    def _backward(self, ws, dY, dh, dc, dW, db, dX):
        self.ext.rnn_bwd(*self._dims(ws), self.act, self.go_backwards, ws.x, ws.W, ws.dropout,
                         ws.A, ws.H, ws.mask, ws.recurrent_dropout, dY, dh, dW, db,
                         dX)  # fmt: skip


NATIVE_CELLS: dict[str, type[NativeCell]] = {
    cls.kind: cls for cls in (NativeLSTM, NativeGRU, NativeSimpleRNN)
}
"""The native-call class of each fused kernel, by kind ("lstm", "gru", "rnn")."""
