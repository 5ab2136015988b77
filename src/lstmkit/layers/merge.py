"""Merge layers taking a list of inputs: Add, Multiply, Average, Maximum, Minimum, Concatenate
and Dot (`tfjs-layers/src/layers/merge.ts`).

Elementwise merges broadcast like TF.js's: same-rank inputs broadcast axis by axis, and lower
rank inputs get size-1 axes inserted after the batch axis. Masks combine as Keras does: the
elementwise merges keep a step only where every given mask keeps it (TF.js's own loop skips
the last mask and returns an extra leading axis, a bug not copied here); Concatenate joins the
masks along its axis, with all-true masks for unmasked inputs, then reduces the last axis.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import numpy as np

from ..engine import ops
from ..tensor import Tensor
from .base import Layer
from .options import axis_option, bool_option
from .topology import Shape, format_shape


def _shapes(layer: Layer, input_shape: Any, exactly: int | None = None) -> list[Shape]:
    """The list of input shapes of a merge layer, or a clear error for a single input."""
    is_list = isinstance(input_shape, list) and all(
        isinstance(s, (list, tuple)) for s in input_shape
    )
    shapes = [tuple(s) for s in input_shape] if is_list else [tuple(input_shape)]
    want = exactly or 2
    if len(shapes) < want or (exactly is not None and len(shapes) != exactly):
        count = f"exactly {exactly}" if exactly else "at least 2"
        raise ValueError(
            f"A merge layer ({layer.class_name} {layer.name}) should be called on a list of "
            f"{count} inputs. Got {len(shapes)} input(s): pass [x1, x2, ...]."
        )
    return shapes


def _inputs(layer: Layer, inputs: Any) -> list[Tensor]:
    if not isinstance(inputs, (list, tuple)):
        raise ValueError(
            f"A merge layer ({layer.class_name} {layer.name}) should be called on a list of "
            "at least 2 inputs. Got 1 input: pass [x1, x2, ...]."
        )
    return list(inputs)


def _elementwise_shape(layer: Layer, a: Shape | None, b: Shape | None) -> Shape | None:
    """The broadcast shape of two shapes aligned from the right (TF.js's rules)."""
    if a is None or b is None:
        return None
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return a
    out = list(a[: len(a) - len(b)])
    for i, j in zip(a[len(a) - len(b) :], b):
        if i is None or j is None:
            out.append(None)
        elif i == 1 or j == 1 or i == j:
            out.append(j if i == 1 else i)
        else:
            raise ValueError(
                f"{layer.class_name} {layer.name}: Operands could not be broadcast together "
                f"with shapes {format_shape(a)} {format_shape(b)}; each axis must match or be 1."
            )
    return tuple(out)


def _check_mask_lists(layer: Layer, inputs: Any, mask: Any, where: str = "") -> None:
    """TF.js's checks, in its order: the masks, then the inputs, must be lists (Arrays)."""
    array = "array" if where else "Array"
    for what, value in (("mask", mask), ("inputs", inputs)):
        if not isinstance(value, (list, tuple)):
            raise ValueError(
                f"{layer.class_name} {layer.name}: `{what}` should be an {array}{where} "
                f"(a list, one per input), got {type(value).__name__}."
            )


def _js(dim: int | None) -> str:
    return "null" if dim is None else str(dim)


def _and_masks(masks: list[Any]) -> Tensor | None:
    given = [m._data if isinstance(m, Tensor) else np.asarray(m) for m in masks if m is not None]
    if not given:
        return None
    return Tensor._wrap(np.asarray(reduce(np.logical_and, given)))


class _Merge(Layer):
    """Elementwise merge of two or more inputs; subclasses give `_merge(tensors)`."""

    supports_masking = True

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        raise NotImplementedError

    def build(self, input_shape: Any) -> None:
        shapes = _shapes(self, input_shape)
        batches = {s[0] for s in shapes if s and s[0] is not None}
        if len(batches) > 1:
            raise ValueError(
                f"{self.class_name} {self.name}: Can not merge tensors with different batch "
                f"sizes. Got tensors with shapes: [{','.join(format_shape(s) for s in shapes)}]."
            )
        self.compute_output_shape(shapes)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shapes = _shapes(self, input_shape)
        out = reduce(lambda a, b: _elementwise_shape(self, a, b), [s[1:] for s in shapes])
        batches = {s[0] for s in shapes if s and s[0] is not None}
        return (batches.pop() if len(batches) == 1 else None, *out)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        xs = _inputs(self, inputs)
        rank = max(x.rank for x in xs)
        # lower-rank inputs get size-1 axes after the batch axis, as TF.js's reshape path
        xs = [
            ops.reshape(x, (x.shape[0], *[1] * (rank - x.rank), *x.shape[1:]))
            if x.rank < rank and x.rank > 0
            else x
            for x in xs
        ]
        return self._merge(xs)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Tensor | None:
        if mask is None:
            return None
        _check_mask_lists(self, inputs, mask)
        if len(mask) != len(inputs):
            raise ValueError(
                f"{self.class_name} {self.name}: The Array 'inputs' and 'mask' are expected to "
                f"have the same length, but have different lengths ({len(inputs)} vs "
                f"{len(mask)})."
            )
        return _and_masks(list(mask))


class Add(_Merge):
    """The elementwise sum of the inputs."""

    class_name = "Add"
    factory_name = "add"

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        return reduce(ops.add, inputs)


class Multiply(_Merge):
    """The elementwise product of the inputs."""

    class_name = "Multiply"
    factory_name = "multiply"

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        return reduce(ops.mul, inputs)


class Average(_Merge):
    """The elementwise mean of the inputs."""

    class_name = "Average"
    factory_name = "average"

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        return ops.mul(reduce(ops.add, inputs), 1 / len(inputs))


class Maximum(_Merge):
    """The elementwise maximum of the inputs."""

    class_name = "Maximum"
    factory_name = "maximum"

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        return reduce(ops.maximum, inputs)


class Minimum(_Merge):
    """The elementwise minimum of the inputs."""

    class_name = "Minimum"
    factory_name = "minimum"

    def _merge(self, inputs: list[Tensor]) -> Tensor:
        return reduce(ops.minimum, inputs)


class Concatenate(_Merge):
    """Joins the inputs along `axis` (the last by default); other axes must match."""

    class_name = "Concatenate"
    factory_name = "concatenate"

    def __init__(self, axis: int = -1, **kwargs: Any):
        super().__init__(**kwargs)
        axis = -1 if axis is None else axis_option(f"Concatenate {self.name}", "axis", axis, False)
        self.axis = int(axis)

    def _axis(self, rank: int) -> int:
        axis = self.axis + rank if self.axis < 0 else self.axis
        if not 0 <= axis < rank:
            raise ValueError(
                f"Concatenate {self.name}: axis {self.axis} is out of range for inputs of rank "
                f"{rank}."
            )
        return axis

    def build(self, input_shape: Any) -> None:
        shapes = _shapes(self, input_shape)
        ranks = {len(s) for s in shapes}
        ok = len(ranks) == 1
        if ok:
            axis = self._axis(len(shapes[0]))
            for s in shapes[1:]:
                ok = ok and all(
                    a is None or b is None or a == b
                    for i, (a, b) in enumerate(zip(shapes[0], s))
                    if i != axis
                )
        if not ok:
            raise ValueError(
                f"Concatenate {self.name}: a `Concatenate` layer requires inputs with matching "
                f"shapes except for the concat axis ({self.axis}). Got input shapes: "
                f"{[format_shape(s) for s in shapes]}."
            )

    def compute_output_shape(self, input_shape: Any) -> Shape:
        shapes = _shapes(self, input_shape)
        out = list(shapes[0])
        axis = self._axis(len(out))
        sizes = [s[axis] for s in shapes]
        out[axis] = None if any(d is None for d in sizes) else sum(sizes)
        return tuple(out)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        xs = _inputs(self, inputs)
        return ops.concat(xs, self._axis(xs[0].rank))

    def compute_mask(self, inputs: Any, mask: Any = None) -> Tensor | None:
        if mask is None:
            return None
        _check_mask_lists(self, inputs, mask, " for Concatenate")
        if len(mask) != len(inputs):
            raise ValueError(
                f"Concatenate {self.name}: Mismatch in the length of mask ({len(mask)}) and the "
                f"length of inputs ({len(inputs)})."
            )
        if all(m is None for m in mask):
            return None
        parts = []
        for x, m in zip(inputs, mask):
            xd = x._data if isinstance(x, Tensor) else np.asarray(x)
            if m is None:
                parts.append(np.ones(xd.shape, bool))
                continue
            md = m._data if isinstance(m, Tensor) else np.asarray(m)
            parts.append(md[..., None] if md.ndim < xd.ndim else md)
        joined = np.concatenate(parts, axis=self._axis(parts[0].ndim))
        return Tensor._wrap(np.asarray(np.all(joined, axis=-1)))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis, **super().get_config()}


def _l2_normalize(x: Tensor, axis: int) -> Tensor:
    """x / sqrt(max(sum(x^2), 1e-7)) along `axis` (TF.js's l2Normalize)."""
    square_sum = ops.sum(ops.square(x), axis, keepdims=True)
    return ops.div(x, ops.sqrt(ops.maximum(square_sum, 1e-7)))


class Dot(_Merge):
    """The dot product of two inputs of rank 2 or 3 along `axes` (per sample).

    `axes` is one int for both inputs or a pair; `normalize=True` L2-normalizes both inputs
    along those axes first, giving the cosine proximity. Masks are not propagated.
    """

    class_name = "Dot"
    factory_name = "dot"

    def __init__(self, axes: int | list[int], normalize: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        if axes is None:
            raise ValueError(f"Dot {self.name}: axes is required (an int or a pair of ints).")
        axis_option(f"Dot {self.name}", "axes", axes)
        self.axes = list(axes) if isinstance(axes, (list, tuple)) else int(axes)
        self.normalize = bool_option(f"Dot {self.name}", "normalize", normalize, False)

    def _pair(self, r1: int, r2: int) -> list[int]:
        axes = self.axes if isinstance(self.axes, list) else [self.axes, self.axes]
        if len(axes) != 2:
            raise ValueError(f"Dot {self.name}: axes must be an int or a pair, got {self.axes}.")
        return [a % r if a < 0 else a for a, r in zip(axes, (r1, r2))]

    def build(self, input_shape: Any) -> None:
        s1, s2 = _shapes(self, input_shape, exactly=2)
        if len(s1) > 3 or len(s2) > 3 or len(s1) < 2 or len(s2) < 2:
            raise ValueError(
                f"Dot {self.name}: supports inputs of rank 2 or 3 only, got shapes "
                f"{format_shape(s1)} and {format_shape(s2)}."
            )
        a1, a2 = self._pair(len(s1), len(s2))
        if s1[a1] != s2[a2]:
            raise ValueError(
                f"Dot {self.name}: Dimension incompatibility: {_js(s1[a1])} !== {_js(s2[a2])}; "
                f"the contracted axes must have one size, but there is a dimension "
                f"incompatibility: axis {a1} of the first input has size {s1[a1]}, axis {a2} of "
                f"the second has size {s2[a2]}."
            )

    def compute_output_shape(self, input_shape: Any) -> Shape:
        s1, s2 = (list(s) for s in _shapes(self, input_shape, exactly=2))
        a1, a2 = self._pair(len(s1), len(s2))
        del s1[a1]
        del s2[a2]
        out = s1 + s2[1:]
        return tuple(out + [1] if len(out) == 1 else out)

    def call(self, inputs: Any, training: bool = False, mask: Any = None, **kwargs: Any) -> Tensor:
        xs = _inputs(self, inputs)
        if len(xs) != 2:
            raise ValueError(f"Dot {self.name}: must be called on exactly 2 inputs, got {len(xs)}.")
        x, y = xs
        a1, a2 = self._pair(x.rank, y.rank)
        if self.normalize:
            x, y = _l2_normalize(x, a1), _l2_normalize(y, a2)
        # move the contracted axis last in x and first (after batch) in y, then batch-matmul
        x = ops.transpose(x, [i for i in range(x.rank) if i != a1] + [a1])
        y = ops.transpose(y, [0, a2] + [i for i in range(1, y.rank) if i != a2])
        x3 = ops.reshape(x, (x.shape[0], -1, x.shape[-1]))
        y3 = ops.reshape(y, (y.shape[0], y.shape[1], -1))
        out = ops.matmul(x3, y3)  # [batch, rest_x, rest_y]
        shape = (x.shape[0], *x.shape[1:-1], *y.shape[2:])
        return ops.reshape(out, shape if len(shape) > 1 else (shape[0], 1))

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None

    def get_config(self) -> dict[str, Any]:
        return {"axes": self.axes, "normalize": self.normalize, **super().get_config()}
