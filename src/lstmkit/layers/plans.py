"""NumPy forward/backward plans that layers offer to the tape-free training step.

The general training step records every op on the tape and backpropagates generically; for
a small model that Python costs as much as a third of a batch. A layer that can say exactly
what its forward and backward compute in NumPy offers a plan (`Layer.tape_free_plan()`), and a
model whose layers all do trains without the tape (`lstmkit.models.tape_free`), falling back to
the general step otherwise. A plan must give the general step's numbers bit for bit: it runs
the same NumPy operations, in the same order, as the ops the layer's `call` records
(tests/test_tape_free_step.py compares whole trainings).

The protocol (`TapeFreePlan`):

* `output_rank(input_rank)`: the output's rank, or None when the plan cannot take that rank;
* `forward(x, needs_dx)`: the output array, or None when this batch must take the general step
  (an unusual dtype, say); it keeps what `backward` needs;
* `backward(g, grads)`: stores each weight's gradient in `grads` (keyed by ``id(variable)``)
  and returns dL/dx (None when `forward` was told it is not needed).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from ..engine import native, tape
from ..engine import rnn as rnn_kernels
from ..tensor import Tensor


class TapeFreePlan(Protocol):
    """What a layer's plan offers (see the module docstring)."""

    def output_rank(self, input_rank: int) -> int | None: ...

    def forward(self, x: np.ndarray, needs_dx: bool) -> np.ndarray | None: ...

    def backward(self, g: np.ndarray, grads: dict[int, np.ndarray]) -> np.ndarray | None: ...


class DensePlan:
    """A linear Dense layer on rank-2 data: ``x·K + b``, as `ops.matmul_bias` computes it."""

    def __init__(self, layer: Any):
        self.layer = layer
        self.saved: tuple | None = None

    def output_rank(self, input_rank: int) -> int | None:
        return 2 if input_rank == 2 else None

    def forward(self, x: np.ndarray, needs_dx: bool) -> np.ndarray:
        layer = self.layer
        out = np.matmul(x, layer.kernel._data)
        if layer.bias is not None:
            out += layer.bias._data
        self.saved = (x, needs_dx)
        return out

    def backward(self, g: np.ndarray, grads: dict[int, np.ndarray]) -> np.ndarray | None:
        x, needs_dx = self.saved
        self.saved = None
        layer = self.layer
        if layer.bias is not None:
            grads[id(layer.bias)] = np.add.reduce(g, axis=0)
        grads[id(layer.kernel)] = np.ascontiguousarray(np.matmul(x.T, g))
        if not needs_dx:
            return None
        return np.ascontiguousarray(np.matmul(g, layer.kernel._data.T))


_KINDS = {
    rnn_kernels.lstm_sequence: "lstm",
    rnn_kernels.gru_sequence: "gru",
    rnn_kernels.simple_rnn_sequence: "rnn",
}


class RecurrentPlan:
    """A fused LSTM / GRU / SimpleRNN layer with no mask, dropout or initial state.

    On the compiled loops it calls its cell's `NativeCell` directly (the same calls, with the
    same arrays, as the layer's op makes), without the op's argument checks and tape node,
    and keeps its work buffers from one batch to the next (a batch's backward runs before the
    next forward). On the NumPy loops it runs the op and calls the recorded backward by hand.
    The units are read from the recurrent kernel, the one source of truth for the sizes.
    """

    def __init__(self, layer: Any):
        cell = layer.cell
        self.layer, self.cell = layer, cell
        self.op = cell._kernel_fn()
        self.kind = _KINDS[self.op]
        self.kwargs = dict(
            go_backwards=layer.go_backwards,
            return_sequences=layer.return_sequences,
            **cell._kernel_kwargs(),
        )
        self.native = self._native_cell()
        self.workspace: Any = None
        self.saved: Any = None

    def _native_cell(self) -> rnn_kernels.NativeCell | None:
        """The cell's native-call object when the compiled loops can run it, else None."""
        ext = native.fastrnn()
        if ext is None:
            return None
        resolve = rnn_kernels._resolve_activation
        act = resolve(self.kind, "activation", self.kwargs["activation"])
        rec = None
        if "recurrent_activation" in self.kwargs:
            rec = resolve(self.kind, "recurrent_activation", self.kwargs["recurrent_activation"])
        if not rnn_kernels.NativeCell.available(act, rec, np.float32):
            return None  # an activation the compiled loops do not have
        units = self.cell.recurrent_kernel.shape[0]
        options = {"reset_after": bool(self.kwargs.get("reset_after", False))}
        return rnn_kernels.NATIVE_CELLS[self.kind](
            ext, units, act, rec, go_backwards=self.layer.go_backwards, **options
        )

    def output_rank(self, input_rank: int) -> int | None:
        if input_rank != 3:
            return None
        return 3 if self.layer.return_sequences else 2

    def forward(self, x: np.ndarray, needs_dx: bool) -> np.ndarray | None:
        out = None if self.native is None else self._native_forward(x, needs_dx)
        if out is not None:
            return out
        cell = self.cell
        with tape.recording():
            xt = Tensor._wrap(x)
            xt._requires_grad = needs_dx  # dL/dx feeds the layer below
            h, _ = self.op(xt, cell.kernel, cell.recurrent_kernel, cell.bias, None, **self.kwargs)
        self.saved = h._node
        return h._data

    def _native_forward(self, x: np.ndarray, needs_dx: bool) -> np.ndarray | None:
        """The output on the compiled loops, or None when this batch must take the op."""
        native, cell = self.native, self.cell
        K, R = cell.kernel._data, cell.recurrent_kernel._data
        b = None if cell.bias is None else cell.bias._data
        dt = x.dtype
        if dt not in (np.float32, np.float64) or K.dtype != dt or R.dtype != dt:
            return None
        B, T, I = x.shape
        U = native.units
        G = native.n_gates * U
        b_shape = (2, G) if native.reset_after else (G,)
        if B == 0 or T == 0 or K.shape != (I, G) or R.shape != (U, G):
            return None
        if b is not None and (b.dtype != dt or b.shape != b_shape):
            return None
        key = (B, T, I, dt)
        if self.workspace is None or self.workspace[0] != key:
            self.workspace = (key, native.workspace(B, T, I, dt, True, np.empty))
        ws = self.workspace[1]
        out = np.empty((B, T, U), dt) if self.layer.return_sequences else None
        native.forward(ws, x, K, R, b, keep=True, out=out)
        self.saved = (ws, b is not None, needs_dx)
        return out if out is not None else ws.H[T].copy()

    def backward(self, g: np.ndarray, grads: dict[int, np.ndarray]) -> np.ndarray | None:
        saved, self.saved = self.saved, None
        if not isinstance(saved, tuple):  # the op's tape node
            out_grads = [g] + [np.zeros(shape, dt) for shape, dt in saved.out_specs[1:]]
            in_grads = saved.backward(out_grads)
            for t, gi in zip(saved.inputs[1:], in_grads[1:]):
                if gi is not None and t._requires_grad:
                    grads[id(t)] = gi
            return in_grads[0]
        ws, has_bias, needs_dx = saved
        native, cell = self.native, self.cell
        B, T, I, dt = ws.B, ws.T, ws.I, ws.dtype
        U = native.units
        dY = None
        if self.layer.return_sequences:
            dY = np.ascontiguousarray(g, dtype=dt)
            dh = np.zeros((B, U), dt)
        else:
            dh = np.array(g, dtype=dt, order="C")
        dc = np.zeros((B, U), dt) if native.n_states == 2 else None
        dW = np.empty(ws.W.shape, dt)
        db = np.empty(cell.bias._data.shape, dt) if has_bias else None
        dX = np.empty((B, T, I), dt) if needs_dx else None
        native.backward(ws, dY=dY, dh=dh, dc=dc, dW=dW, db=db, dX=dX)
        grads[id(cell.kernel)] = dW[:I]
        grads[id(cell.recurrent_kernel)] = dW[I:]
        if db is not None:
            grads[id(cell.bias)] = db
        return dX
