"""Building a model from a file without trusting the file's sizes.

A hostile topology can ask for `units: 10**9`, and layers create their weights while the model
is built, before any weight is read. `weight_budget` bounds the values the build may allocate:
in strict mode every variable must receive a tensor from the weight files, so the variables
cannot need more values than the files hold. As TF.js's `fastWeightInit` does, the initializers
are replaced by zeros when every weight will be overwritten (no slow orthogonal draws).

It sets the Layer base's `weight_check` (a ContextVar) for the block, so only this thread's
build is checked and other code building models meanwhile is unaffected.
"""

from __future__ import annotations

import contextlib
import math
import operator
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..io.errors import ModelFormatError
from ..layers.base import weight_check


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


@contextlib.contextmanager
def weight_budget(limit: int, fast_init: bool, path: Path) -> Iterator[None]:
    """Within the block, layers may create at most `limit` weight values in total."""
    budget = _Budget(limit, fast_init, path)

    def check(layer_name: str, name: str, shape: Any, initializer: Any) -> Any:
        budget.take(layer_name, name, shape)
        return "zeros" if budget.fast_init else initializer

    token = weight_check.set(check)
    try:
        yield
    finally:
        weight_check.reset(token)
