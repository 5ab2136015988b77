"""Building a model from a file without trusting the file's sizes.

A hostile topology can ask for `units: 10**9`, and layers create their weights while the model
is built, before any weight is read. `weight_budget` sees every weight in `Layer.add_weight`
(the Layer base's `weight_check`, a ContextVar, so only this thread's build is checked) before
it is allocated or drawn, and bounds two things:

- weights the files will overwrite (their name is in the manifest, directly or by TF.js's
  cell-segment fallback) and, in a strict load, weights the files lack (the load then fails):
  at most the values the manifest lists plus `STRICT_MARGIN_VALUES`, made as zeros (as TF.js's
  `fastWeightInit`: no slow orthogonal draws for values about to be replaced);
- weights drawn from their initializers (a topology without a manifest, as TF.js builds it; a
  non-strict load's weights the files lack): at most `max_init` cost units, default
  `MAX_INIT_PARAMS` (2**24) or the `LSTMKIT_MAX_INIT_PARAMS` environment variable. A value
  costs 1, except under the orthogonal initializer (a QR decomposition), where it costs
  `min(rows, cols) // 8` (at least 1): its work grows with the matrix, not only its size
(calibrated on a 2-core EPYC: a unit costs about 10-15 ns either way, so the default budget
is about 0.25-0.5 s of drawing; glorotUniform peaks at about 17 bytes per value).

A weight over either bound raises `ModelFormatError` naming the file, the layer, the weight,
its shape, the count and how to raise the budget, before anything is allocated.
"""

from __future__ import annotations

import contextlib
import math
import operator
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .. import initializers as initializers_mod
from ..io.errors import ModelFormatError
from ..layers.base import weight_check

MAX_INIT_PARAMS = 2**24
"""Default cost units a load may draw from initializers (16,777,216: 64 MiB of float32)."""
INIT_ENV = "LSTMKIT_MAX_INIT_PARAMS"
STRICT_MARGIN_VALUES = 2**20
"""Values beyond the manifest's a strict build may make (as zeros) so that a near miss reports
which weights are missing instead of a budget."""
ORTHOGONAL_VALUES_PER_UNIT = 8


class OverFilesError(ModelFormatError):
    """The build needs more zeros than the manifest's weights (plus the margin) allow."""


def default_max_init() -> int:
    """`LSTMKIT_MAX_INIT_PARAMS` when set (a non-negative integer), else MAX_INIT_PARAMS."""
    text = os.environ.get(INIT_ENV)
    if text is None or not text.strip():
        return MAX_INIT_PARAMS
    try:
        value = int(text.strip().replace("_", ""))
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(
            f"{INIT_ENV}={text!r}: expected a non-negative whole number of weight values "
            f"(the default is {MAX_INIT_PARAMS})."
        )
    return value


def check_max_init(value: Any, where: str = "tf.loadLayersModel") -> int:
    """A `max_init_params` option: a non-negative integer (None: the default)."""
    if value is None:
        return default_max_init()
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"{where}: max_init_params must be a non-negative integer (weight values the load "
            f"may draw from initializers), got {value!r}."
        )
    return value


def cell_fallback(name: str) -> str:
    """TF.js's fallback for a weight name: the segment before the last dropped
    (`lstm/lstm_cell/kernel` -> `lstm/kernel`)."""
    tokens = name.split("/")
    return "/".join(tokens[:-2] + tokens[-1:])


def init_cost(shape: tuple[int, ...], initializer: Any) -> int:
    """Cost units of drawing a weight of `shape` from `initializer` (see the module doc)."""
    size = math.prod(shape)
    if len(shape) >= 2 and _is_orthogonal(initializer):
        rows, cols = math.prod(shape[:-1]), shape[-1]
        return size * max(1, min(rows, cols) // ORTHOGONAL_VALUES_PER_UNIT)
    return size


def _is_orthogonal(initializer: Any) -> bool:
    try:
        resolved = initializers_mod.get(initializer)
    except Exception:  # an unknown name: the layer's own lookup reports it
        return False
    return getattr(resolved, "class_name", None) == "Orthogonal"


def _fmt(n: int) -> str:
    return f"{n:,}"


class _Budget:
    def __init__(
        self,
        path: str | Path,
        file_keys: Iterable[str] | None,
        file_values: int,
        strict: bool,
        max_init: int,
    ):
        self.path = path
        self.has_files = file_keys is not None
        keys = list(file_keys or ())
        self.covered = set(keys) | {cell_fallback(k) for k in keys}
        self.file_limit = file_values + STRICT_MARGIN_VALUES
        self.strict = strict
        self.max_init = max_init
        self.zeros_used = 0
        self.init_used = 0

    def check(
        self, layer: str, name: str, shape: Any, initializer: Any, full_name: str | None = None
    ) -> Any:
        if full_name is not None:
            layer, name = full_name.rsplit("/", 1)[0], f"{name} (of {layer})"
        dims = self._dims(layer, name, shape)
        from_files = full_name is not None and full_name in self.covered
        if self.has_files and (self.strict or from_files):
            self.zeros_used += math.prod(dims)
            if self.zeros_used > self.file_limit:
                raise OverFilesError(
                    self.path,
                    f"modelTopology: layer {layer} needs a weight {name} of shape {dims}, which "
                    f"brings the model to {self.zeros_used} values, more than the "
                    f"{self.file_limit - STRICT_MARGIN_VALUES} the weight files hold; the "
                    "topology and the weights do not belong together.",
                )
            return "zeros"
        self.init_used += init_cost(dims, initializer)
        if self.init_used > self.max_init:
            raise ModelFormatError(self.path, self._init_problem(layer, name, dims, initializer))
        return initializer

    def _init_problem(self, layer: str, name: str, dims: list[int], initializer: Any) -> str:
        why = (
            "a topology without weights is built with its initializers, as TF.js does"
            if not self.has_files
            else "the weight files do not hold it, so a non-strict load draws it"
        )
        ortho = (
            f" (orthogonal: a value costs min(rows, cols) // {ORTHOGONAL_VALUES_PER_UNIT})"
            if len(dims) >= 2 and _is_orthogonal(initializer)
            else ""
        )
        return (
            f"modelTopology: layer {layer}: weight {name} of shape {dims} ({_fmt(math.prod(dims))} "
            f"values) brings the weights drawn from initializers to {_fmt(self.init_used)} "
            f"cost units{ortho}, more than the budget of {_fmt(self.max_init)}; {why}. Load "
            "the model with its weights, or raise the budget: "
            "tf.load_layers_model(path, max_init_params=N), or the environment variable "
            f"{INIT_ENV}=N (also for the lstmkit command)."
        )

    def _dims(self, layer: str, name: str, shape: Any) -> list[int]:
        try:
            dims = [operator.index(d) for d in shape]
        except TypeError:
            raise ModelFormatError(
                self.path, f"layer {layer}: weight {name} has an invalid shape {shape!r}."
            ) from None
        if any(d < 0 for d in dims):
            raise ModelFormatError(
                self.path, f"layer {layer}: weight {name} has a negative dimension {dims}."
            )
        return dims


@contextlib.contextmanager
def weight_budget(
    path: str | Path,
    file_keys: Iterable[str] | None = None,
    file_values: int = 0,
    strict: bool = True,
    max_init: int | None = None,
) -> Iterator[_Budget]:
    """Within the block, layers' weights are checked as the module doc says.

    `file_keys`: the manifest's model weight names (None: no manifest); `file_values`: the
    values they hold; `strict`: every weight must come from the files.
    """
    budget = _Budget(
        path, file_keys, file_values, strict, default_max_init() if max_init is None else max_init
    )
    token = weight_check.set(budget.check)
    try:
        yield budget
    finally:
        weight_check.reset(token)
