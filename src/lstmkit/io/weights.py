"""The weights manifest and the binary weight data of a TF.js layers model.

Layout (tfjs-core `io_utils.ts`, converter `write_weights.py`): every group's files are one byte
stream cut at arbitrary offsets (a tensor may straddle two shards); its tensors follow each
other in manifest order with no padding, little-endian, C order. float32/int32 take 4 bytes,
bool 1, a string is a uint32 length then UTF-8 bytes. A quantized entry stores uint8/uint16
values `q` read back as `q * scale + min`, or float16 values; `quantize` nudges the range as
the converter does so that 0.0 stays exact.

`parse_manifest` validates every field before any tensor is allocated, so a hostile manifest
(negative or huge dimensions, numbers beyond float64, unknown dtypes, duplicate names, more
than `MAX_STRING_VALUES` strings) is refused with a `ModelFormatError`, and `iter_group`
checks the bytes present against the bytes declared and decodes only the entries asked for.

Memory: a decoded entry costs its output array only. Plain float32/int32 entries can be read
as views of the bytes (`copy=False`), quantized ones are dequantized chunk by chunk
(`DEQUANTIZE_CHUNK` values at a time through float64, the converter's arithmetic, into the
float32/int32 output), so the peak is the output plus a few MiB, whatever the entry's size.
"""

from __future__ import annotations

import fnmatch
import math
import re
import struct
from collections.abc import Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelFormatError

# dtype name in a manifest -> stored little-endian NumPy dtype
STORED: dict[str, np.dtype] = {
    "float32": np.dtype("<f4"),
    "int32": np.dtype("<i4"),
    "bool": np.dtype("u1"),
    "float16": np.dtype("<f2"),
    "uint8": np.dtype("u1"),
    "uint16": np.dtype("<u2"),
}
_NATIVE = {"float32": np.float32, "int32": np.int32}
DTYPES = ("float32", "int32", "bool", "string")
QUANTIZED = ("uint8", "uint16", "float16")
MAX_DIM = 2**31 - 1  # TF.js shapes index typed arrays: larger sizes cannot exist there
MAX_RANK = 64
MAX_STRING_VALUES = 2**20
"""Strings a manifest may list in total: string entries are decoded one by one (no layer has
string weights; they only pass through a non-strict load)."""
DEQUANTIZE_CHUNK = 2**18  # values dequantized at a time (2 MiB of float64 scratch)
_FLOAT_MAX = float(np.finfo(np.float64).max)
_INDEX_SUFFIX = re.compile(r":\d+$")


@dataclass(frozen=True)
class WeightSpec:
    """One manifest entry, validated. `key` is the name with a `:0` suffix dropped."""

    name: str
    key: str
    shape: tuple[int, ...]
    dtype: str
    group: str | None = None
    quantization: dict[str, Any] | None = None

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def stored_dtype(self) -> str:
        return self.quantization["dtype"] if self.quantization else self.dtype

    @property
    def nbytes(self) -> int | None:
        """Bytes in the weight data; None for strings (their length is in the data)."""
        if self.dtype == "string":
            return None
        return self.size * STORED[self.stored_dtype].itemsize


@dataclass
class WeightGroup:
    paths: list[str]
    specs: list[WeightSpec] = field(default_factory=list)

    @property
    def min_bytes(self) -> int:
        """Bytes the group needs at least (exactly, unless it holds strings)."""
        return sum(4 * s.size if s.nbytes is None else s.nbytes for s in self.specs)

    @property
    def has_strings(self) -> bool:
        return any(s.dtype == "string" for s in self.specs)


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: Any) -> bool:
    """A finite JSON number a float64 can hold (an integer literal such as 10**400 is not)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return False
    if isinstance(x, int):
        return -_FLOAT_MAX <= x <= _FLOAT_MAX
    return math.isfinite(x)


def _spec(entry: Any, where: str, path: str | Path) -> WeightSpec:
    if not isinstance(entry, dict):
        raise ModelFormatError(path, f"{where} must be an object, got {type(entry).__name__}.")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise ModelFormatError(path, f"{where} needs a non-empty string 'name'.")
    where = f"{where} ({name!r})"
    shape = entry.get("shape")
    if not isinstance(shape, list) or len(shape) > MAX_RANK:
        raise ModelFormatError(path, f"{where}: 'shape' must be a list of at most {MAX_RANK} dims.")
    for d in shape:
        if not _is_int(d) or d < 0 or d > MAX_DIM:
            raise ModelFormatError(
                path, f"{where}: invalid dimension {d!r} in shape {shape} (need 0..{MAX_DIM})."
            )
    if math.prod(shape) > MAX_DIM:
        raise ModelFormatError(path, f"{where}: shape {shape} has more than {MAX_DIM} elements.")
    dtype = entry.get("dtype")
    if dtype not in DTYPES:
        raise ModelFormatError(
            path, f"{where}: unsupported dtype {dtype!r}; expected one of {', '.join(DTYPES)}."
        )
    group = entry.get("group")
    if group is not None and not isinstance(group, str):
        raise ModelFormatError(path, f"{where}: 'group' must be a string.")
    quant = entry.get("quantization")
    if quant is not None:
        quant = _quantization(quant, dtype, where, path)
    key = _INDEX_SUFFIX.sub("", name)
    return WeightSpec(name, key, tuple(shape), dtype, group, quant)


def _quantization(q: Any, dtype: str, where: str, path: str | Path) -> dict[str, Any]:
    if not isinstance(q, dict) or q.get("dtype") not in QUANTIZED:
        raise ModelFormatError(
            path, f"{where}: 'quantization' must be an object with dtype uint8, uint16 or float16."
        )
    qdtype = q["dtype"]
    if qdtype == "float16":
        if dtype != "float32":
            raise ModelFormatError(path, f"{where}: float16 quantization needs dtype float32.")
        return {"dtype": qdtype}
    if dtype not in ("float32", "int32"):
        raise ModelFormatError(path, f"{where}: {qdtype} quantization needs float32 or int32.")
    if not (_is_number(q.get("min")) and _is_number(q.get("scale"))):
        raise ModelFormatError(
            path,
            f"{where}: {qdtype} quantization needs finite numbers 'min' and 'scale' (within "
            f"float64's range), got min={_short(q.get('min'))}, scale={_short(q.get('scale'))}.",
        )
    return {"dtype": qdtype, "min": float(q["min"]), "scale": float(q["scale"])}


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else "a huge integer"
    return text if len(text) <= 40 else text[:37] + "..."


def parse_manifest(manifest: Any, path: str | Path) -> list[WeightGroup]:
    """Validate `weightsManifest`; names must be unique across groups (after `:0` removal)."""
    if manifest is None:
        return []
    if not isinstance(manifest, list):
        raise ModelFormatError(path, "'weightsManifest' must be a list of weight groups.")
    groups: list[WeightGroup] = []
    seen: set[str] = set()
    strings = 0
    for g, group in enumerate(manifest):
        where = f"weightsManifest[{g}]"
        if not isinstance(group, dict):
            raise ModelFormatError(path, f"{where} must be an object with 'paths' and 'weights'.")
        paths, entries = group.get("paths"), group.get("weights")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise ModelFormatError(path, f"{where}.paths must be a list of file names.")
        if not isinstance(entries, list):
            raise ModelFormatError(path, f"{where}.weights must be a list.")
        out = WeightGroup(list(paths))
        for i, entry in enumerate(entries):
            spec = _spec(entry, f"{where}.weights[{i}]", path)
            if spec.key in seen:
                raise ModelFormatError(path, f"duplicate weight name {spec.key!r} in the manifest.")
            seen.add(spec.key)
            if spec.dtype == "string":
                strings += spec.size
                if strings > MAX_STRING_VALUES:
                    raise ModelFormatError(
                        path,
                        f"{where}.weights[{i}] ({spec.name!r}): the manifest lists more than "
                        f"{MAX_STRING_VALUES} string values (MAX_STRING_VALUES); no layer has "
                        "string weights, so a layers model holds none: remove them.",
                    )
            out.specs.append(spec)
        groups.append(out)
    return groups


def decode_group(
    group: WeightGroup, data: bytes | memoryview, path: str | Path, allow_extra: bool = False
) -> list[tuple[WeightSpec, np.ndarray]]:
    """The tensors of one group from its concatenated bytes (each array its own copy).

    Every byte must be used, unless `allow_extra`: then bytes after the listed tensors are
    left unread, as TF.js's `decodeWeights` leaves them (a non-strict load).
    """
    return list(iter_group(group, data, path, allow_extra=allow_extra))


def prefix_bytes(group: WeightGroup, wanted: Container[str]) -> int | None:
    """The bytes from the group's start to the end of its last entry whose key is `wanted`
    (0 if none); None when a string entry comes before that end (its length is in the data)."""
    offset = end = 0
    for i, spec in enumerate(group.specs):
        if spec.nbytes is None:
            return None if any(s.key in wanted for s in group.specs[i:]) else end
        offset += spec.nbytes
        if spec.key in wanted:
            end = offset
    return end


def iter_group(
    group: WeightGroup,
    data: bytes | memoryview,
    path: str | Path,
    wanted: Container[str] | None = None,
    allow_extra: bool = False,
    copy: bool = True,
) -> Iterator[tuple[WeightSpec, np.ndarray]]:
    """Decode, one at a time, the entries of a group whose key is in `wanted` (all: None).

    The others are skipped without decoding (a string entry's lengths are walked). With
    `copy=False` a plain float32/int32 entry is a read-only view of `data`. `data` may stop
    after the last wanted entry when `allow_extra` (a prefix read); otherwise every byte must
    be used.
    """
    view = memoryview(data).cast("B")
    offset = 0
    last = len(group.specs) - 1
    if wanted is not None:
        needed = [i for i, s in enumerate(group.specs) if s.key in wanted]
        last = needed[-1] if needed else -1
    for i, spec in enumerate(group.specs):
        if i > last and allow_extra:
            return
        want = wanted is None or spec.key in wanted
        if spec.dtype == "string":
            arr, offset = _strings(spec, view, offset, path, want)
        else:
            n = spec.nbytes
            assert n is not None  # numeric weights have a size in bytes
            if offset + n > len(view):
                raise ModelFormatError(
                    path,
                    f"weight {spec.name!r} needs bytes {offset}..{offset + n}, but the "
                    f"group's files hold only {len(view)} bytes (truncated?).",
                )
            arr = _decode_numeric(spec, view[offset : offset + n], copy) if want else None
            offset += n
        if want:
            assert arr is not None
            yield spec, arr
    if offset != len(view) and not allow_extra:
        raise ModelFormatError(
            path,
            f"the weight files of group {group.paths} hold {len(view)} bytes, but the "
            f"manifest describes {offset} ({len(view) - offset} extra bytes).",
        )


def _decode_numeric(spec: WeightSpec, raw: memoryview, copy: bool = True) -> np.ndarray:
    stored = np.frombuffer(raw, STORED[spec.stored_dtype])
    q = spec.quantization
    if q is None:
        if spec.dtype == "bool":
            values = stored != 0
        elif copy or stored.dtype != np.dtype(_NATIVE[spec.dtype]):
            values = stored.astype(_NATIVE[spec.dtype])
        else:
            values = stored  # little-endian float32/int32 on a little-endian machine
    elif q["dtype"] == "float16":
        values = stored.astype(np.float32)
    else:
        values = _dequantize(stored, q["scale"], q["min"], spec.dtype == "int32")
    return values.reshape(spec.shape)


def _dequantize(stored: np.ndarray, scale: float, lo: float, to_int: bool) -> np.ndarray:
    """`q * scale + min` in float64 (the converter's and TF.js's arithmetic), cast to float32
    or rounded to int32 as JS's Math.round (half up), DEQUANTIZE_CHUNK values at a time."""
    out = np.empty(stored.shape, np.int32 if to_int else np.float32)
    scratch = np.empty(min(stored.size, DEQUANTIZE_CHUNK), np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, stored.size, DEQUANTIZE_CHUNK):
            part = stored[start : start + DEQUANTIZE_CHUNK]
            tmp = scratch[: part.size]
            tmp[...] = part
            tmp *= scale
            tmp += lo
            if to_int:
                tmp += 0.5
                np.floor(tmp, out=tmp)
                np.clip(tmp, -(2**31), 2**31 - 1, out=tmp)
            out[start : start + part.size] = tmp
    return out


_U32 = struct.Struct("<I")


def _strings(
    spec: WeightSpec, view: memoryview, offset: int, path: str | Path, decode: bool
) -> tuple[np.ndarray | None, int]:
    """A string entry (a uint32 length, then UTF-8 bytes, per value) from `offset`; with
    `decode` False only walked, to find where it ends. Its count is bounded by the bytes
    (4 per value at least) before the walk starts."""
    n = spec.size
    if offset + 4 * n > len(view):
        raise ModelFormatError(
            path,
            f"string weight {spec.name!r} lists {n} values, which need at least {4 * n} "
            f"bytes from byte {offset}, but the group's files hold {len(view)} (truncated?).",
        )
    raw = view.obj if isinstance(view.obj, bytes) and view.nbytes == len(view.obj) else view
    unpack = _U32.unpack_from
    values: list[str] = []
    end = len(view)
    for _ in range(n):
        if offset + 4 > end:
            raise ModelFormatError(path, f"string weight {spec.name!r} is truncated.")
        (size,) = unpack(raw, offset)
        offset += 4
        if offset + size > end:
            raise ModelFormatError(path, f"string weight {spec.name!r} is truncated.")
        if decode:
            values.append(bytes(raw[offset : offset + size]).decode("utf-8", "replace"))
        offset += size
    if not decode:
        return None, offset
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr.reshape(spec.shape), offset


# -- writing ----------------------------------------------------------------------------------


def tfjs_dtype(arr: np.ndarray) -> str:
    """The manifest dtype for an array (float64 is written as float32, as the converter does)."""
    kind = arr.dtype.kind
    if kind == "f":
        return "float32"
    if kind in "iu":
        return "int32"
    if kind == "b":
        return "bool"
    if kind in "OUS":
        return "string"
    raise ValueError(f"cannot write a weight of NumPy dtype {arr.dtype} to a TF.js file.")


def _encode_array(arr: np.ndarray, dtype: str) -> bytes:
    if dtype == "string":
        chunks = []
        for s in arr.reshape(-1).tolist():
            b = s if isinstance(s, bytes) else str(s).encode("utf-8")
            chunks.append(len(b).to_bytes(4, "little") + b)
        return b"".join(chunks)
    return np.ascontiguousarray(arr, dtype=STORED[dtype]).tobytes()


def quantize(data: np.ndarray, qdtype: str) -> tuple[bytes, dict[str, Any]]:
    """Quantize float32 values as the TF.js converter (`quantization.py`) does.

    uint8/uint16 are affine: `scale = (max - min) / qmax`, and when 0 lies in [min, max] the
    minimum is nudged to `-round(-min / scale) * scale` so that 0.0 is exactly representable;
    a constant tensor gets `scale = 1`. The arithmetic is float64 (the converter under NumPy 2).
    Returns the stored bytes and the manifest's quantization fields (dtype, min, scale).
    """
    if qdtype == "float16":
        return np.asarray(data, "<f2").tobytes(), {"dtype": "float16"}
    if qdtype not in ("uint8", "uint16"):
        raise ValueError(f"quantization must be 'uint8', 'uint16' or 'float16', got {qdtype!r}.")
    values = np.asarray(data, np.float64)
    if values.size and not np.all(np.isfinite(values)):
        raise ValueError("cannot quantize weights that hold NaN or Infinity.")
    out_dtype = STORED[qdtype]
    lo = float(values.min()) if values.size else 0.0
    hi = float(values.max()) if values.size else 0.0
    if lo == hi:
        q = np.zeros(values.shape, out_dtype)
        scale, nudged_min = 1.0, lo
    else:
        qmax = float(np.iinfo(out_dtype).max)
        scale = (hi - lo) / qmax
        nudged_min, nudged_max = lo, hi
        if lo <= 0 <= hi:
            nudged_min = -float(np.round(-lo / scale)) * scale
            nudged_max = qmax * scale + nudged_min
        q = np.round((np.clip(values, nudged_min, nudged_max) - nudged_min) / scale)
        q = np.clip(q, 0, qmax).astype(out_dtype)
    return q.tobytes(), {"dtype": qdtype, "min": nudged_min, "scale": scale}


def quantization_plan(names: Sequence[str], quantization: Any) -> dict[str, str]:
    """Which weights to quantize to which dtype.

    `quantization` is a dtype for every weight ('uint8', 'uint16', 'float16'), or the
    converter's map `{dtype: pattern | [patterns] | True}` (fnmatch patterns on weight names;
    True marks the dtype for the weights no pattern matched).
    """
    if quantization is None:
        return {}
    if isinstance(quantization, str):
        quantization = {quantization: True}
    if not isinstance(quantization, Mapping):
        raise ValueError(
            "quantization must be 'uint8', 'uint16', 'float16' or a {dtype: patterns} dict."
        )
    plan: dict[str, str] = {}
    fallthrough = None
    for qdtype, patterns in quantization.items():
        if qdtype not in QUANTIZED:
            raise ValueError(f"quantization dtype must be one of {QUANTIZED}, got {qdtype!r}.")
        if patterns is True:
            if fallthrough is not None:
                raise ValueError("quantization: only one dtype can be the fallthrough (True).")
            fallthrough = qdtype
            continue
        for pattern in [patterns] if isinstance(patterns, str) else list(patterns):
            for name in fnmatch.filter(names, pattern):
                if plan.get(name, qdtype) != qdtype:
                    raise ValueError(f"quantization: two dtypes match weight {name!r}.")
                plan[name] = qdtype
    if fallthrough is not None:
        for name in names:
            plan.setdefault(name, fallthrough)
    return plan


def encode_weights(
    entries: Sequence[tuple[str, np.ndarray, str | None]], plan: Mapping[str, str] | None = None
) -> tuple[list[dict[str, Any]], bytes]:
    """Manifest entries and concatenated bytes for `(name, values, group)` triples.

    Entries are `{"name", "shape", "dtype"[, "quantization"][, "group"]}` as TF.js's
    `encodeWeights` and the converter write them; only float32 weights are quantized.
    """
    plan = plan or {}
    specs: list[dict[str, Any]] = []
    chunks: list[bytes] = []
    for name, values, group in entries:
        arr = np.asarray(values)
        dtype = tfjs_dtype(arr)
        spec: dict[str, Any] = {"name": name, "shape": [int(d) for d in arr.shape], "dtype": dtype}
        qdtype = plan.get(name) if dtype == "float32" else None
        if qdtype:
            data, meta = quantize(arr, qdtype)
            spec["quantization"] = {**meta, "original_dtype": "float32"}
        else:
            data = _encode_array(arr, dtype)
        if group is not None:
            spec["group"] = group
        specs.append(spec)
        chunks.append(data)
    return specs, b"".join(chunks)


def shard(data: bytes, shard_size: int) -> list[bytes]:
    """Cut a group's bytes into `shard_size` pieces (the last one shorter), as the converter."""
    if shard_size <= 0:
        raise ValueError(f"shard_size must be a positive number of bytes, got {shard_size}.")
    return [data[i : i + shard_size] for i in range(0, len(data), shard_size)]
