"""A graph's nodes: the walk from the outputs that orders them (iterative, each node and edge
once, so a graph's depth meets no recursion limit), the inputs a tensor depends on, and a
node's call read from what the graph computed so far, shared by the graph run
(`LayersModel.run_graph`, functional.py) and TF.js's `model.execute` (training.py), which
both walk the nodes in order. Below both, so neither imports the other for it.
"""

from __future__ import annotations

from typing import Any

from ..layers.topology import Node, SymbolicTensor, _flat


def node_arguments(
    node: Any, values: dict[int, Any], mask_of: dict[int, Any]
) -> tuple[Any, dict[str, Any], Any]:
    """A graph node's call: its inputs, keywords (with `mask` when any input has one) and the
    input mask, read from the values and masks computed so far (keyed by symbolic id)."""
    structure = getattr(node, "structure", node.inputs)
    args = substitute(structure, values)
    kwargs = substitute(node.kwargs, values)
    in_mask = substitute(structure, mask_of)
    if isinstance(in_mask, list) and all(m is None for m in _flat(in_mask)):
        in_mask = None
    if in_mask is not None:
        kwargs["mask"] = in_mask
    return args, kwargs, in_mask


def substitute(structure: Any, values: dict[int, Any]) -> Any:
    """`structure` with every SymbolicTensor replaced by its value."""
    if isinstance(structure, SymbolicTensor):
        return values[id(structure)]
    if isinstance(structure, (list, tuple)):
        return [substitute(s, values) for s in structure]
    if isinstance(structure, dict):
        return {k: substitute(v, values) for k, v in structure.items()}
    return structure


def get_source_inputs(tensor: SymbolicTensor) -> list[SymbolicTensor]:
    """TF.js's `getSourceInputs(tensor)`: the `tf.input()` tensors `tensor` depends on, in
    the order a depth-first walk meets them (iterative, each node once)."""
    found: list[SymbolicTensor] = []
    found_ids: set[int] = set()
    seen: set[int] = set()
    stack = [iter([tensor])]
    while stack:
        for t in stack[-1]:
            node = producer(t)
            if not node.inputs:
                if id(t) not in found_ids:
                    found_ids.add(id(t))
                    found.append(t)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append(iter(node.inputs))
                break
        else:
            stack.pop()
    return found


def producer(t: SymbolicTensor) -> Node:
    """The node (layer call) that made `t`."""
    return t.source_layer._inbound_nodes[t.node_index]


def walk_graph(outs: list[SymbolicTensor]) -> tuple[list[Node], list[Node]]:
    """The nodes the outputs depend on, each after the nodes that feed it (a depth-first
    post-order from the outputs), and the same nodes in the order that walk entered them.
    Iterative, each node and edge once: no recursion limit on a graph's depth."""
    order: list[Node] = []
    entered: list[Node] = []
    seen: set[int] = set()
    for t in outs:
        root = producer(t)
        if id(root) in seen:
            continue
        seen.add(id(root))
        entered.append(root)
        stack = [(root, iter(root.inputs))]
        while stack:
            node, pending = stack[-1]
            for i in pending:
                child = producer(i)
                if id(child) not in seen:
                    seen.add(id(child))
                    entered.append(child)
                    stack.append((child, iter(child.inputs)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order, entered
