"""The reverse-mode tape.

Each differentiable op computes its result on NumPy arrays and, only while a gradient is being
computed (`grad`, `value_and_grad`, `variable_grads`, an optimizer's `minimize`), records a `Node`:
the input tensors and a vector-Jacobian product that maps the output gradient(s) to one gradient
per input. Outside those calls nothing is recorded, so inference costs no tape.

Backpropagation runs the nodes reachable from the result newest first (a topological order) and
accumulates gradients per node output and per leaf. Ops may have several outputs (`split`,
`unstack`, the fused recurrent kernels); their backward then gets one gradient per output, with
zeros for outputs that did not reach the result.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..tensor import Tensor

_recording = 0
_sequence = itertools.count()


def is_recording() -> bool:
    """True while a gradient computation is running and ops must record themselves."""
    return _recording > 0


@contextlib.contextmanager
def recording() -> Iterator[None]:
    """Record ops inside the block."""
    global _recording
    _recording += 1
    try:
        yield
    finally:
        _recording -= 1


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Record nothing inside the block (used by `custom_grad` and optimizers)."""
    global _recording
    saved, _recording = _recording, 0
    try:
        yield
    finally:
        _recording = saved


class Node:
    """One recorded op: its inputs and the function from output gradient(s) to input gradients."""

    __slots__ = ("name", "inputs", "backward", "out_specs", "multi", "seq")

    def __init__(self, name, inputs, backward, out_specs, multi):
        self.seq = next(_sequence)  # creation order: a node's consumers come later
        self.name = name
        self.inputs = inputs
        self.backward = backward
        self.out_specs = out_specs  # (shape, dtype) per output, to make zero gradients
        self.multi = multi


def needs_record(inputs: Sequence[Tensor]) -> bool:
    """Whether an op on these inputs must be recorded."""
    if _recording == 0:
        return False
    for t in inputs:
        if t._requires_grad:
            return True
    return False


def record(name: str, out: np.ndarray, inputs: Sequence[Tensor], backward: Callable) -> Tensor:
    """Wrap `out` as a Tensor, recording the op when a gradient may flow through it.

    `backward(dy)` returns one gradient (ndarray or None) per input, in input order.
    """
    t = _wrap(out)
    if _is_float(out) and needs_record(inputs):
        t._requires_grad = True
        t._node = Node(name, tuple(inputs), backward, ((out.shape, out.dtype),), False)
        t._index = 0
    return t


def record_multi(
    name: str, outs: Sequence[np.ndarray], inputs: Sequence[Tensor], backward: Callable
) -> list[Tensor]:
    """Like `record` for an op with several outputs; `backward` takes a list of gradients."""
    ts = [_wrap(o) for o in outs]
    if needs_record(inputs):
        node = Node(name, tuple(inputs), backward, tuple((o.shape, o.dtype) for o in outs), True)
        for i, t in enumerate(ts):
            if _is_float(outs[i]):
                t._requires_grad = True
                t._node = node
                t._index = i
    return ts


def _wrap(a: np.ndarray) -> Tensor:
    """`Tensor._wrap` (tensor.py imports this module, so the name is bound on first use)."""
    global _wrap
    from ..tensor import Tensor

    _wrap = Tensor._wrap  # type: ignore[assignment]  # the same call, bound once
    return _wrap(a)


def _is_float(a: np.ndarray) -> bool:
    return a.dtype.kind == "f"


def backprop(y: Tensor, dy: np.ndarray | None, leaves: Sequence[Tensor]) -> list[np.ndarray | None]:
    """Gradients of `y` (seeded with `dy`, ones by default) with respect to each leaf tensor.

    A leaf that `y` does not depend on gets None.
    """
    seed = np.ones(y.shape, y._data.dtype) if dy is None else np.asarray(dy, y._data.dtype)
    if seed.shape != y.shape:
        raise ValueError(
            f"grad(): dy must have the shape of the result {list(y.shape)}, got {list(seed.shape)}."
        )
    leaf_grads: dict[int, np.ndarray] = {}
    if y._node is None:
        if y._requires_grad:
            leaf_grads[id(y)] = seed
        return [leaf_grads.get(id(t)) for t in leaves]

    # Nodes run from the newest back: every consumer of a node was created after it, so by the
    # time the newest pending node runs, all its consumers have run and its gradient is whole.
    # A node is queued when the first gradient reaches it (nodes no gradient reaches never run).
    root = y._node
    node_grads: dict[int, list] = {id(root): [None] * len(root.out_specs)}
    node_grads[id(root)][y._index] = seed
    pending = [(-root.seq, root)]
    while pending:
        node = heapq.heappop(pending)[1]
        gs = node_grads.pop(id(node))
        if node.multi:
            for i, g in enumerate(gs):
                if g is None:
                    shape, dtype = node.out_specs[i]
                    gs[i] = np.zeros(shape, dtype)
            in_grads = node.backward(gs)
        else:
            in_grads = node.backward(gs[0])
        for t, g in zip(node.inputs, in_grads):
            if g is None or not t._requires_grad:
                continue
            if g.shape != t._data.shape:
                raise AssertionError(
                    f"op {node.name}: gradient shape {g.shape} does not match input {t.shape}"
                )
            child = t._node
            if child is None:
                key = id(t)
                prev = leaf_grads.get(key)
                leaf_grads[key] = g if prev is None else prev + g
            else:
                slots = node_grads.get(id(child))
                if slots is None:
                    slots = node_grads[id(child)] = [None] * len(child.out_specs)
                    heapq.heappush(pending, (-child.seq, child))
                prev = slots[t._index]
                slots[t._index] = g if prev is None else prev + g
    return [leaf_grads.get(id(t)) for t in leaves]


def _topological_order(root: Node) -> list[Node]:
    """Nodes reachable from `root`, each after all the nodes it consumes."""
    order: list[Node] = []
    seen: set[int] = {id(root)}
    stack: list[tuple[Node, int]] = [(root, 0)]
    while stack:
        node, i = stack.pop()
        if i < len(node.inputs):
            stack.append((node, i + 1))
            child = node.inputs[i]._node
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                stack.append((child, 0))
        else:
            order.append(node)
    return order
