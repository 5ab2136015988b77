"""A lean training step for the common forecasting stack: recurrent layers, Dense, MSE.

The general step (`TrainingMixin._train_step`) runs the graph through `Layer.apply`, records every
op on the tape, builds the loss from ops and backpropagates generically. For a small model that
Python costs as much as a third of a batch (W2 of bench/: ~290 us beside ~500 us of kernels).

`ChainStep` runs the same arithmetic directly for a plain chain: one input, fused LSTM / GRU /
SimpleRNN layers (no dropout, masks, states or stateful layers), then linear Dense layers on
rank-2 data, one output, the mean squared error, no sample weights, regularizers or
constraints, every layer trainable. Each recurrent layer is its fused kernel op, forward now and
its recorded backward called by hand; Dense and the loss are the NumPy operations of
`ops.matmul_bias`, `ops.matmul`, `ops.squared_difference` and `ops.mean`, in the same order.
The loss, metrics and updates are therefore bit-identical to the general step's
(tests/test_fast_step.py compares whole trainings). Any other model, or a batch with sample
weights, takes the general step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import losses as losses_mod
from ..autograd import tape
from ..layers.core import Dense
from ..layers.input_layer import InputLayer
from ..layers.recurrent import _CellRNN, _FusedCell
from ..tensor import Tensor


class ChainStep:
    """One training step of an eligible model (see the module docstring); `build` decides."""

    def __init__(self, model: Any, recurrent: list[Any], dense: list[Any]):
        self.model = model
        # (kernel function, cell, keyword arguments) per recurrent layer, resolved once
        self.recurrent = [
            (
                layer.cell._kernel_fn(),
                layer.cell,
                dict(
                    go_backwards=layer.go_backwards,
                    return_sequences=layer.return_sequences,
                    **layer.cell._kernel_kwargs(),
                ),
            )
            for layer in recurrent
        ]
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

        # forward: the recurrent ops recorded (their backward is needed), the rest in NumPy
        h = Tensor._wrap(x)
        nodes = []
        with tape.recording():
            for fn, cell, kwargs in self.recurrent:
                h, _ = fn(h, cell.kernel, cell.recurrent_kernel, cell.bias, None, **kwargs)
                nodes.append(h._node)
        a = h._data
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
        for node in reversed(nodes):
            out_grads = [g] + [np.zeros(shape, dt) for shape, dt in node.out_specs[1:]]
            in_grads = node.backward(out_grads)
            for t, gi in zip(node.inputs[1:], in_grads[1:]):
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
