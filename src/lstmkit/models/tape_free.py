"""The tape-free training step: a model whose layers all offer NumPy plans trains without the tape.

The general step (`TrainingMixin._train_step`) runs the graph through `Layer.apply`, records
every op on the tape, builds the loss from ops and backpropagates generically. For a small
model that Python costs as much as a third of a batch (W2 of bench/: ~290 us beside ~500 us of
kernels). `TapeFreeStep` runs the same arithmetic directly when it can:

* the model is a plain chain: one input, one output, each layer used once, no call options;
* every layer is built, trainable, has no regularizer or constraint, and offers a plan
  (`layer.tape_free_plan()`, see `lstmkit.layers.plans`) that takes the ranks flowing through;
* the loss offers a plan (`lstmkit.losses.tape_free_plan`) and the batch has no sample weights.

Otherwise the general step runs (Keras falls back the same way when a backend raises
NotImplementedError). Plans compute what the layers' ops compute, in the same order, so loss,
metrics and updates are bit-identical to the general step's (tests/test_tape_free_step.py compares
whole trainings). `use_tape_free_step(False)` turns it off for every model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import losses as losses_mod
from ..layers.input_layer import InputLayer
from ..tensor import Tensor
from .step_result import StepResult

_enabled = True


def use_tape_free_step(enabled: bool | None = None) -> bool:
    """Whether `fit` may train eligible models without the tape; returns the old setting.

    ``use_tape_free_step(False)`` makes every batch take the general (tape) step, which gives
    the same numbers more slowly; ``use_tape_free_step(True)`` allows the tape-free step again.
    """
    global _enabled
    previous = _enabled
    if enabled is not None:
        _enabled = bool(enabled)
    return previous


class TapeFreeStep:
    """One training step of an eligible model (see the module docstring); `build` decides."""

    def __init__(self, model: Any, plans: list[Any], loss_plan: Any, input_rank: int):
        self.model = model
        self.plans = plans
        self.loss_plan = loss_plan
        self.input_rank = input_rank
        self.out_shape = tuple(model.outputs[0].shape[1:])

    @classmethod
    def build(cls, model: Any) -> TapeFreeStep | None:
        """The step for `model`, or None when the general step must run."""
        if not _enabled or len(model.inputs) != 1 or len(model.outputs) != 1:
            return None
        if len(model._loss_fns) != 1:
            return None
        loss_plan = losses_mod.tape_free_plan(model._loss_fns[0])
        if loss_plan is None:
            return None
        nodes = [n for n in model._nodes if not isinstance(n.layer, InputLayer)]
        if not nodes or len({id(n.layer) for n in nodes}) != len(nodes):
            return None  # empty, or a layer used twice (its gradients would have to add up)
        input_rank = rank = len(model.inputs[0].shape)
        previous = model.inputs[0]
        plans = []
        for node in nodes:
            plan = _layer_plan(node, previous)
            rank = None if plan is None else plan.output_rank(rank)
            if rank is None:
                return None
            plans.append(plan)
            previous = node.outputs[0]
        if previous is not model.outputs[0] or not loss_plan.accepts_rank(rank):
            return None
        return cls(model, plans, loss_plan, input_rank)

    def __call__(
        self, xs: list[np.ndarray], ys: list[np.ndarray], weights: list[Any]
    ) -> StepResult | None:
        """`_train_step`'s result, or None when this batch needs the general step."""
        x, y = xs[0], ys[0]
        if weights[0] is not None or x.ndim != self.input_rank or x.dtype.kind != "f":
            return None
        if y.dtype != x.dtype or y.shape != (x.shape[0], *self.out_shape):
            return None
        a = x
        for k, plan in enumerate(self.plans):
            a = plan.forward(a, needs_dx=k > 0)
            if a is None:
                return None
        loss_value, g = self.loss_plan.value_and_grad(a, y)
        values = [loss_value] + self.model._metric_values([Tensor._wrap(a)], ys)
        if g is None:
            return StepResult(values, finite=False)
        grads: dict[int, np.ndarray] = {}
        for plan in reversed(self.plans):
            g = plan.backward(g, grads)
        refused = self.model.optimizer._apply_pairs(
            [(v, grads.get(id(v))) for v in self.model.trainable_weights], check_finite=True
        )
        return StepResult(values, finite=not refused, refused=refused)


def _layer_plan(node: Any, previous: Any) -> Any:
    """The plan of the node's layer when the chain may use it, else None."""
    layer = node.layer
    if node.kwargs or getattr(node, "structure", None) is not previous:
        return None
    if not (layer.built and layer.trainable and _plain_weights(layer)):
        return None
    offer = getattr(layer, "tape_free_plan", None)
    return None if offer is None else offer()


def _plain_weights(layer: Any) -> bool:
    """No regularizer or constraint on any weight, no activity regularizer."""
    if getattr(layer, "activity_regularizer", None) is not None:
        return False
    return all(w.regularizer is None and w.constraint is None for w in layer._all_weights())
