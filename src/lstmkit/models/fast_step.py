"""A lean training step for the common forecasting stack: recurrent layers, Dense, MSE.

The general step (`TrainingMixin._train_step`) runs the graph through `Layer.apply`, records every
op on the tape, builds the loss from ops and backpropagates generically. For a small model that
Python costs as much as a third of a batch (W2 of bench/: ~290 us beside ~500 us of kernels).

`ChainStep` runs the same arithmetic directly for a plain chain: one input, fused LSTM / GRU /
SimpleRNN layers (no dropout, masks, states or stateful layers), then linear Dense layers on
rank-2 data, one output, the mean squared error, no sample weights, regularizers or
constraints, every layer trainable. A recurrent layer calls the compiled loops directly
(`_DirectCall`: its op's two extension calls without the op's checks and tape node); on the
NumPy loops it runs its fused kernel op, forward now and its recorded backward called by hand.
Dense and the loss are the NumPy operations of `ops.matmul_bias`, `ops.matmul`,
`ops.squared_difference` and `ops.mean`, in the same order.
The loss, metrics and updates are therefore bit-identical to the general step's
(tests/test_fast_step.py compares whole trainings). Any other model, or a batch with sample
weights, takes the general step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import losses as losses_mod
from ..engine import rnn as recurrent_mod
from ..engine import tape
from ..layers.core import Dense
from ..layers.input_layer import InputLayer
from ..layers.recurrent import _CellRNN, _FusedCell
from ..tensor import Tensor


class _DirectCall:
    """A recurrent layer of the chain on the compiled loops, called directly.

    The same two extension calls, with the same arrays, as the layer's op (`lstm_sequence`,
    `gru_sequence`, `simple_rnn_sequence` through `recurrent._*_compiled`) makes for a call
    with no mask, dropout or initial state, without the op's argument checks and tape node
    (`forward` checks the batch's shapes and dtypes and hands anything else back to the op).
    Work buffers are kept from one batch to the next (a batch's backward runs before the next
    forward).
    """

    KINDS = {
        recurrent_mod.lstm_sequence: ("lstm", 4),
        recurrent_mod.gru_sequence: ("gru", 3),
        recurrent_mod.simple_rnn_sequence: ("rnn", 1),
    }

    def __init__(self, ext: Any, layer: Any, kwargs: dict[str, Any]):
        cell = layer.cell
        self.ext, self.cell = ext, cell
        self.kind, self.n_gates = self.KINDS[cell._kernel_fn()]
        resolve = recurrent_mod._resolve_activation
        self.act = resolve(self.kind, "activation", kwargs["activation"]).code
        self.rec = None
        if "recurrent_activation" in kwargs:
            self.rec = resolve(self.kind, "recurrent_activation", kwargs["recurrent_activation"])
            self.rec = self.rec.code
        self.reset_after = bool(kwargs.get("reset_after", False))
        self.go_backwards = bool(layer.go_backwards)
        self.return_sequences = bool(layer.return_sequences)
        self.units = cell.units
        self.buffers: tuple | None = None  # (key, A, H, C or ZH or None, S or None)
        self.saved: tuple | None = None  # from forward for backward

    @classmethod
    def make(cls, layer: Any, kwargs: dict[str, Any]) -> _DirectCall | None:
        """The direct call for a fused recurrent layer when the compiled loops run it."""
        if layer.cell._kernel_fn() not in cls.KINDS or not recurrent_mod.use_extension():
            return None
        ext = recurrent_mod._load_extension()
        if ext is None:
            return None
        call = cls(ext, layer, kwargs)
        if call.act is None or (call.kind != "rnn" and call.rec is None):
            return None  # an activation the compiled loops do not have
        return call

    def _buffers(self, B: int, T: int, I: int, dt) -> tuple:
        key = (B, T, I, dt)
        if self.buffers is None or self.buffers[0] != key:
            U, G = self.units, self.n_gates * self.units
            state = np.empty((T + 1, B, U), dt)  # LSTM: C
            seq = np.empty((T, B, U), dt)  # LSTM: S
            if self.kind == "gru":
                state, seq = (np.empty((T, B, G), dt) if self.reset_after else None), None
            elif self.kind == "rnn":
                state = seq = None
            self.buffers = (key, np.empty((T, B, G), dt), np.empty((T + 1, B, U), dt), state, seq)
        return self.buffers

    def forward(self, x: np.ndarray, needs_dx: bool) -> np.ndarray | None:
        """The layer's output for x [B, T, I], or None when this batch must take the op."""
        cell = self.cell
        K, R = cell.kernel._data, cell.recurrent_kernel._data
        b = None if cell.bias is None else cell.bias._data
        dt = x.dtype
        if dt not in (np.float32, np.float64) or K.dtype != dt or R.dtype != dt:
            return None
        B, T, I = x.shape
        U, G = self.units, self.n_gates * self.units
        b_shape = (2, G) if self.kind == "gru" and self.reset_after else (G,)
        if B == 0 or T == 0 or K.shape != (I, G) or R.shape != (U, G):
            return None
        if b is not None and (b.dtype != dt or b.shape != b_shape):
            return None
        _, A, H, C, S = self._buffers(B, T, I, dt)
        H[0] = 0
        x = np.ascontiguousarray(x)
        W = np.concatenate((K, R))
        out = np.empty((B, T, U), dt) if self.return_sequences else None
        dbl, gb, ext = dt == np.float64, self.go_backwards, self.ext
        if self.kind == "lstm":
            C[0] = 0
            ext.lstm_fwd(dbl, B, T, U, I, self.act, self.rec, True, gb,
                         x, W, b, None, A, H, C, S, None, None, out)  # fmt: skip
        elif self.kind == "gru":
            b_in, b_rec = b, None
            if b is not None and self.reset_after:
                b_in, b_rec = np.ascontiguousarray(b[0]), np.ascontiguousarray(b[1])
            ext.gru_fwd(dbl, B, T, U, I, self.act, self.rec, self.reset_after, True, gb,
                        x, W, b_in, b_rec, None, A, H, C, None, None, out)  # fmt: skip
        else:
            ext.rnn_fwd(dbl, B, T, U, I, self.act, True, gb, x, W, b, None, A, H, None, None, out)
        self.saved = (x, W, b_shape if b is not None else None, needs_dx)
        return out if out is not None else H[T].copy()

    def backward(self, g: np.ndarray, grads: dict[int, np.ndarray]) -> np.ndarray | None:
        """Weight gradients into `grads` (by id of the variable); returns dL/dx or None."""
        x, W, b_shape, needs_dx = self.saved
        self.saved = None
        _, A, H, C, S = self.buffers
        B, T, I = x.shape
        U = self.units
        dt = x.dtype
        dY = None
        if self.return_sequences:
            dY = np.ascontiguousarray(g, dtype=dt)
            dh = np.zeros((B, U), dt)
        else:
            dh = np.array(g, dtype=dt, order="C")
        dW = np.empty(W.shape, dt)
        db = None if b_shape is None else np.empty(b_shape, dt)
        dX = np.empty((B, T, I), dt) if needs_dx else None
        dbl, gb, ext = dt == np.float64, self.go_backwards, self.ext
        if self.kind == "lstm":
            dc = np.zeros((B, U), dt)
            ext.lstm_bwd(dbl, B, T, U, I, self.act, self.rec, gb, x, W, None, A, H, C, S,
                         None, None, dY, dh, dc, dW, db, dX)  # fmt: skip
        elif self.kind == "gru":
            ext.gru_bwd(dbl, B, T, U, I, self.act, self.rec, self.reset_after, gb, x, W, None,
                        A, H, C, None, None, dY, dh, dW, db, dX)  # fmt: skip
        else:
            ext.rnn_bwd(dbl, B, T, U, I, self.act, gb, x, W, None, A, H, None, None,
                        dY, dh, dW, db, dX)  # fmt: skip
        cell = self.cell
        grads[id(cell.kernel)] = dW[:I]
        grads[id(cell.recurrent_kernel)] = dW[I:]
        if db is not None:
            grads[id(cell.bias)] = db
        return dX


class ChainStep:
    """One training step of an eligible model (see the module docstring); `build` decides."""

    def __init__(self, model: Any, recurrent: list[Any], dense: list[Any]):
        self.model = model
        # (kernel function, cell, keyword arguments, direct call or None) per recurrent layer
        self.recurrent = []
        for layer in recurrent:
            kwargs = dict(
                go_backwards=layer.go_backwards,
                return_sequences=layer.return_sequences,
                **layer.cell._kernel_kwargs(),
            )
            direct = _DirectCall.make(layer, kwargs)
            self.recurrent.append((layer.cell._kernel_fn(), layer.cell, kwargs, direct))
        self.dense = dense
        self.rank = 3 if recurrent else 2
        self.out_units = dense[-1].units if dense else recurrent[-1].cell.units

    @classmethod
    def build(cls, model: Any) -> ChainStep | None:
        """The step for `model`, or None when the general step must run."""
        if len(model.inputs) != 1 or len(model.outputs) != 1:
            return None
        if model._loss_fns != [losses_mod.mean_squared_error]:
            return None
        nodes = [n for n in model._nodes if not isinstance(n.layer, InputLayer)]
        if not nodes or len({id(n.layer) for n in nodes}) != len(nodes):
            return None  # empty, or a layer used twice (its gradients would have to add up)
        previous = model.inputs[0]
        recurrent, dense = [], []
        for node in nodes:
            layer = node.layer
            if node.kwargs or getattr(node, "structure", None) is not previous:
                return None
            if not (layer.built and layer.trainable and _plain_weights(layer)):
                return None
            if isinstance(layer, _CellRNN) and isinstance(layer.cell, _FusedCell) and not dense:
                cell = layer.cell
                if layer.stateful or layer.return_state or cell.dropout or cell.recurrent_dropout:
                    return None
                recurrent.append(layer)
            elif isinstance(layer, Dense) and layer.activation.name == "linear":
                dense.append(layer)
            else:
                return None
            previous = node.outputs[0]
        if previous is not model.outputs[0]:
            return None
        if recurrent and (
            any(not r.return_sequences for r in recurrent[:-1]) or recurrent[-1].return_sequences
        ):
            return None
        return cls(model, recurrent, dense)

    def __call__(
        self, xs: list[np.ndarray], ys: list[np.ndarray], weights: list[Any]
    ) -> list[float] | None:
        """`_train_step`'s result, or None when this batch needs the general step."""
        x, y = xs[0], ys[0]
        if weights[0] is not None or x.ndim != self.rank or x.dtype.kind != "f":
            return None
        if y.dtype != x.dtype or y.shape != (x.shape[0], self.out_units):
            return None
        grads: dict[int, np.ndarray] = {}

        # forward: each recurrent layer a direct call or its op recorded (the backward is
        # needed), the rest in NumPy
        a = x
        steps = []  # per recurrent layer: its direct call, or its op's tape node
        with tape.recording():
            for k, (fn, cell, kwargs, direct) in enumerate(self.recurrent):
                out = None if direct is None else direct.forward(a, needs_dx=k > 0)
                if out is not None:
                    steps.append(direct)
                else:
                    xt = Tensor._wrap(a)
                    xt._requires_grad = k > 0  # dL/dx feeds the layer below
                    h, _ = fn(xt, cell.kernel, cell.recurrent_kernel, cell.bias, None, **kwargs)
                    steps.append(h._node)
                    out = h._data
                a = out
        dense_inputs = []
        for layer in self.dense:
            dense_inputs.append(a)
            a = np.matmul(a, layer.kernel._data)
            if layer.bias is not None:
                a += layer.bias._data

        # loss: ops.mean(ops.mean(ops.squared_difference(pred, y), -1)) as ops compute it
        d = np.subtract(a, y)
        n_last = d.shape[-1]
        per_sample = (np.add.reduce(np.square(d), axis=(d.ndim - 1,)) / n_last).astype(
            d.dtype, copy=False
        )
        batch = per_sample.shape[0]
        total = np.asarray(np.add.reduce(per_sample, axis=(0,)) / batch).astype(d.dtype)
        loss_value = float(total)
        values = [loss_value] + self.model._metric_values([Tensor._wrap(a)], ys)
        if not np.isfinite(loss_value):
            return values + [None]

        # backward, in the general step's arithmetic: the two means spread 1 / batch, then
        # (1 / batch) / n_last, each rounded to the dtype; the squared difference gives g*(2*d)
        g = (np.ones((), d.dtype) / batch / n_last).astype(d.dtype) * (2 * d)
        for layer, inp in zip(reversed(self.dense), reversed(dense_inputs)):
            kernel = layer.kernel._data
            if layer.bias is not None:
                grads[id(layer.bias)] = np.add.reduce(g, axis=0)
            grads[id(layer.kernel)] = np.ascontiguousarray(np.matmul(inp.T, g))
            g = np.ascontiguousarray(np.matmul(g, kernel.T))
        for step in reversed(steps):
            if isinstance(step, _DirectCall):
                g = step.backward(g, grads)
                continue
            out_grads = [g] + [np.zeros(shape, dt) for shape, dt in step.out_specs[1:]]
            in_grads = step.backward(out_grads)
            for t, gi in zip(step.inputs[1:], in_grads[1:]):
                if gi is not None and t._requires_grad:
                    grads[id(t)] = gi
            g = in_grads[0]

        self.model.optimizer._apply_pairs(
            [(v, grads.get(id(v))) for v in self.model.trainable_weights]
        )
        return values


def _plain_weights(layer: Any) -> bool:
    """No regularizer or constraint on any weight, no activity regularizer."""
    if getattr(layer, "activity_regularizer", None) is not None:
        return False
    return all(w.regularizer is None and w.constraint is None for w in layer._all_weights())
