"""Building a model from a file without trusting the file's sizes.

A hostile topology can ask for `units: 10**9`, and layers create their weights while the model
is built, before any weight is read. `weight_budget` bounds the values the build may allocate:
in strict mode every variable must receive a tensor from the weight files, so the variables
cannot need more values than the files hold. As TF.js's `fastWeightInit` does, the initializers
are replaced by zeros when every weight will be overwritten (no slow orthogonal draws).

It wraps `Layer.add_weight` once, and the wrapper only acts inside a `weight_budget` block of
the same thread (a ContextVar), so other code building models meanwhile is unaffected.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import math
import operator
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..layers.base import Layer
from .errors import ModelFormatError

_active: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "weight_budget", default=None
)


class _Budget:
    def __init__(self, limit: int, fast_init: bool, path: Path):
        self.limit = limit
        self.used = 0
        self.fast_init = fast_init
        self.path = path

    def take(self, layer_name: str, name: str, shape: Any) -> None:
        try:
            dims = [operator.index(d) for d in shape]
        except TypeError:
            raise ModelFormatError(
                self.path, f"layer {layer_name}: weight {name} has an invalid shape {shape!r}."
            ) from None
        if any(d < 0 for d in dims):
            raise ModelFormatError(
                self.path, f"layer {layer_name}: weight {name} has a negative dimension {dims}."
            )
        self.used += math.prod(dims)
        if self.used > self.limit:
            raise ModelFormatError(
                self.path,
                f"modelTopology: layer {layer_name} needs a weight {name} of shape {dims}, which "
                f"brings the model to {self.used} values, more than the {self.limit} the weight "
                "files hold; the topology and the weights do not belong together.",
            )


_original_add_weight = Layer.add_weight
_signature = inspect.signature(_original_add_weight)


@functools.wraps(_original_add_weight)
def _add_weight(self: Layer, *args: Any, **kwargs: Any) -> Any:
    budget = _active.get()
    if budget is not None:
        bound = _signature.bind(self, *args, **kwargs)
        budget.take(self.name, bound.arguments.get("name"), bound.arguments.get("shape", ()))
        if budget.fast_init:
            bound.arguments["initializer"] = "zeros"
        return _original_add_weight(*bound.args, **bound.kwargs)
    return _original_add_weight(self, *args, **kwargs)


def _install() -> None:
    if Layer.add_weight is not _add_weight:
        Layer.add_weight = _add_weight  # type: ignore[method-assign]


@contextlib.contextmanager
def weight_budget(limit: int, fast_init: bool, path: Path) -> Iterator[None]:
    """Within the block, layers may create at most `limit` weight values in total."""
    _install()
    token = _active.set(_Budget(limit, fast_init, path))
    try:
        yield
    finally:
        _active.reset(token)
