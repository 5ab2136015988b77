"""Text rendering of tensors, byte-for-byte as TF.js 4.22 prints them.

``format_tensor`` ports ``tensorToString`` from tfjs-core/src/tensor_format.ts so that
``Tensor.toString()`` / ``Tensor.print()`` in lstmkit show exactly what TF.js shows. That
includes its quirks: per-column padding computed over the whole tensor (rank >= 2 only),
``parseFloat(x.toFixed(7))`` rounding of elements, the unrounded ``String(x)`` of scalars,
``...`` elision of any axis longer than 20 (keeping the first and last 3 entries), the
``[[x],]`` form of length-1 rows and the blank lines between rank >= 3 blocks.

JS number semantics are emulated rather than approximated with Python formatting:
``toFixed`` rounds the exact binary value half away from zero (Python rounds half to even)
and ``Number.prototype.toString`` switches to exponent form outside [1e-7, 1e21).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np

FORMAT_LIMIT_NUM_VALS = 20  # longer axes are elided with '...'
FORMAT_NUM_FIRST_LAST_VALS = 3  # entries kept at each end of an elided axis
FORMAT_NUM_SIG_DIGITS = 7  # digits passed to toFixed (decimal places, despite the name)

_Value = float | int


def _js_number_to_string(x: float) -> str:
    """``String(x)`` for a JS number (ECMAScript Number::toString, radix 10)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"  # also for -0
    sign = "-" if x < 0 else ""
    # repr gives the shortest round-tripping digits, as JS does.
    _, digit_tuple, exp = Decimal(repr(abs(float(x)))).as_tuple()
    assert isinstance(exp, int)  # a finite number (NaN and Infinity returned above)
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    k = len(digits)
    n = exp + len(digit_tuple)  # value = 0.<digits> * 10**n
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * -n + digits
    else:
        mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
        body = f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return sign + body


def _js_to_fixed_round_trip(x: float) -> float:
    """``parseFloat(x.toFixed(7))``: round the exact value to 7 places, ties away from 0."""
    if not math.isfinite(x) or abs(x) >= 1e21:  # toFixed falls back to String(x) here
        return x
    with localcontext() as ctx:
        ctx.prec = 60
        q = Decimal(x).quantize(Decimal(1).scaleb(-FORMAT_NUM_SIG_DIGITS), ROUND_HALF_UP)
    return float(q)


def _right_pad(s: str, size: int) -> str:
    return s + " " * (size - len(s))


def _val_to_string(val: _Value, pad: int, dtype: str) -> str:
    if dtype == "bool":
        s = "false" if val == 0 else "true"
    else:
        s = _js_number_to_string(_js_to_fixed_round_trip(float(val)))
    return _right_pad(s, pad)


def _compute_strides(shape: list[int]) -> list[int]:
    strides = [0] * max(len(shape) - 1, 0)
    for i in range(len(shape) - 2, -1, -1):
        strides[i] = shape[i + 1] * (strides[i + 1] if i + 1 < len(strides) else 1)
    return strides


def _compute_max_size_per_column(vals: list[_Value], shape: list[int], dtype: str) -> list[int]:
    if len(shape) <= 1:
        return []  # JS pads are [0] then undefined: rank-1 values are never padded
    num_cols = shape[-1]
    pads = [0] * num_cols
    for i, v in enumerate(vals):
        pads[i % num_cols] = max(pads[i % num_cols], len(_val_to_string(v, 0, dtype)))
    return pads


def _sub_tensor_to_string(
    vals: list[_Value],
    shape: list[int],
    dtype: str,
    strides: list[int],
    pads: list[int],
    is_last: bool = True,
) -> list[str]:
    rank = len(shape)
    if rank == 0:
        if dtype == "bool":
            return ["false" if vals[0] == 0 else "true"]
        return [_js_number_to_string(vals[0]) if dtype == "float32" else str(vals[0])]

    def pad_at(i: int) -> int:
        return pads[i] if i < len(pads) else 0

    size = shape[0]
    if rank == 1:

        def fmt(start: int, part: list[_Value]) -> str:
            return ", ".join(
                _val_to_string(v, pad_at(start + i), dtype) for i, v in enumerate(part)
            )

        if size > FORMAT_LIMIT_NUM_VALS:
            first = FORMAT_NUM_FIRST_LAST_VALS
            return [
                f"[{fmt(0, vals[:first])}, ..., {fmt(size - first, vals[size - first : size])}]"
            ]
        return [f"[{fmt(0, vals)}]"]

    sub_shape, sub_strides, stride = shape[1:], strides[1:], strides[0]

    def block(i: int, last: bool) -> list[str]:
        chunk = vals[i * stride : (i + 1) * stride]
        return _sub_tensor_to_string(chunk, sub_shape, dtype, sub_strides, pads, last)

    lines: list[str] = []
    if size > FORMAT_LIMIT_NUM_VALS:
        for i in range(FORMAT_NUM_FIRST_LAST_VALS):
            lines.extend(block(i, False))
        lines.append("...")
        for i in range(size - FORMAT_NUM_FIRST_LAST_VALS, size):
            lines.extend(block(i, i == size - 1))
    else:
        for i in range(size):
            lines.extend(block(i, i == size - 1))

    sep = "," if rank == 2 else ""
    if not lines:
        lines.append("undefined")  # JS: '[' + lines[0] with lines empty
    lines[0] = "[" + lines[0] + sep
    for i in range(1, len(lines) - 1):
        lines[i] = " " + lines[i] + sep
    new_line_sep = ",\n" + "\n" * (rank - 2)
    lines[-1] = " " + lines[-1] + "]" + ("" if is_last else new_line_sep)
    return lines


def format_tensor(data: np.ndarray, dtype: str, verbose: bool = False) -> str:
    """Return what TF.js 4.22 ``tensor.toString(verbose)`` gives for ``data`` of ``dtype``.

    ``dtype`` is the TF.js dtype name: 'float32', 'int32' or 'bool'. Values are taken as
    the corresponding TF.js storage (float32 data is cast to float32 first).
    """
    arr = np.asarray(data)
    shape = [int(d) for d in arr.shape]
    flat = arr.reshape(-1)
    vals: list[_Value]
    if dtype == "float32":
        vals = [float(v) for v in flat.astype(np.float32)]
    elif dtype == "int32":
        vals = [int(v) for v in flat.astype(np.int32)]
    elif dtype == "bool":
        vals = [int(v) for v in (flat != 0)]
    else:
        raise ValueError(f"Unsupported dtype {dtype!r}; expected 'float32', 'int32' or 'bool'")

    strides = _compute_strides(shape)
    pads = _compute_max_size_per_column(vals, shape, dtype)
    lines = ["Tensor"]
    if verbose:
        lines.append(f"  dtype: {dtype}")
        lines.append(f"  rank: {len(shape)}")
        lines.append(f"  shape: [{','.join(map(str, shape))}]")
        lines.append("  values:")
    body = _sub_tensor_to_string(vals, shape, dtype, strides, pads)
    lines.append("\n".join("    " + line for line in body))
    return "\n".join(lines)
