"""A graph node's call, read from what the graph computed so far: shared by the graph run
(`LayersModel.run_graph`, functional.py) and TF.js's `model.execute` (training.py), which
both walk the nodes in order. Below both, so neither imports the other for it.
"""

from __future__ import annotations

from typing import Any

from ..layers.topology import SymbolicTensor, _flat


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
