"""TF.js's in-memory IO handlers (`tfjs-core/src/io/passthrough.ts`) and its `ModelArtifacts`.

    saved = {}
    model.save(tf.io.withSaveHandler(lambda artifacts: saved.update(artifacts) or {}))
    model2 = tf.loadLayersModel(tf.io.fromMemory(saved))

- `from_memory(artifacts)` (`tf.io.fromMemory`) gives a handler whose `load()` returns the
  artifacts (awaitable, as TF.js's promise); `from_memory_sync` (`tf.io.fromMemorySync`) the
  same with a plain dict. TF.js's deprecated forms are kept: one argument that is not
  artifacts (no `modelTopology`, no `weightSpecs`) is the topology itself, and
  `fromMemory(modelTopology, weightSpecs, weightData, trainingConfig)`; both warn with TF.js's
  words.
- `with_save_handler(fn)` (`tf.io.withSaveHandler`, `withSaveHandlerSync`) gives a handler
  whose `save(artifacts)` returns `fn(artifacts)` (`fn` may be `async`).

`ModelArtifacts` is a dict with TF.js's keys: `modelTopology` (the JSON object model.json
holds), `weightSpecs` (the manifest's `weights` list), `weightData` (the weight bytes: `bytes`,
`bytearray`, `memoryview`, a uint8 NumPy array, or a list of them, TF.js 4.22's concatenated
buffers), `format`, `generatedBy`, `convertedBy`, `trainingConfig`, `userDefinedMetadata`,
`modelInitializer` (snake_case spellings are accepted on input). `MemorySource` is what a load
reads them through: the same strict checks as a folder (JSON values only, the manifest checked
before allocation, the bytes' size against it), errors naming "the in-memory model".
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, cast

import numpy as np

from .._async import ReadyDict
from . import model_json
from .errors import ModelFormatError

LOCATION = "the in-memory model"
"""What a ModelFormatError about in-memory artifacts names instead of a file."""

ARTIFACT_KEYS = (
    "modelTopology",
    "weightSpecs",
    "weightData",
    "format",
    "generatedBy",
    "convertedBy",
    "trainingConfig",
    "userDefinedMetadata",
    "modelInitializer",
    "initializerSignature",
    "signature",
)
_SNAKE = {
    "model_topology": "modelTopology",
    "weight_specs": "weightSpecs",
    "weight_data": "weightData",
    "generated_by": "generatedBy",
    "converted_by": "convertedBy",
    "training_config": "trainingConfig",
    "user_defined_metadata": "userDefinedMetadata",
    "model_initializer": "modelInitializer",
    "initializer_signature": "initializerSignature",
}
_DEPRECATED = (
    "Please call tf.io.fromMemory() with only one argument. The argument should be of type "
    "ModelArtifacts. The multi-argument signature of tf.io.fromMemory() has been deprecated "
    "and will be removed in a future release."
)
_UNSET: Any = object()


def _get(artifacts: dict[str, Any], key: str) -> Any:
    for k, v in artifacts.items():
        if k == key or _SNAKE.get(k) == key:
            return v
    return None


def is_artifacts(value: Any) -> bool:
    """TF.js's test: an object with a `modelTopology` or `weightSpecs` is ModelArtifacts."""
    return isinstance(value, dict) and (
        _get(value, "modelTopology") is not None or _get(value, "weightSpecs") is not None
    )


class MemoryLoader:
    """TF.js's `PassthroughLoader` (sync) / `PassthroughAsync` (`load()` awaitable)."""

    def __init__(self, artifacts: dict[str, Any], sync: bool = False):
        self.model_artifacts = artifacts
        self.sync = sync

    def load(self) -> dict[str, Any]:
        """The artifacts given (awaitable unless made by `fromMemorySync`)."""
        return self.model_artifacts if self.sync else ReadyDict(self.model_artifacts)

    def __repr__(self) -> str:
        return f"<tf.io.fromMemory{'Sync' if self.sync else ''} handler>"


class MemorySaver:
    """TF.js's `PassthroughSaver`: `save(artifacts)` returns `save_handler(artifacts)`."""

    def __init__(self, save_handler: Callable[[dict[str, Any]], Any], sync: bool = False):
        if not callable(save_handler):
            name = "withSaveHandlerSync" if sync else "withSaveHandler"
            raise TypeError(
                f"tf.io.{name}: expected a function (artifacts) => SaveResult, "
                f"got {type(save_handler).__name__}."
            )
        self.save_handler = save_handler
        self.sync = sync

    def save(self, model_artifacts: dict[str, Any]) -> Any:
        """What the save handler returns for `model_artifacts` (TF.js's SaveResult)."""
        return self.save_handler(model_artifacts)

    def __repr__(self) -> str:
        return f"<tf.io.withSaveHandler{'Sync' if self.sync else ''} handler>"


def from_memory_sync(
    model_artifacts: Any,
    weight_specs: Any = _UNSET,
    weight_data: Any = _UNSET,
    training_config: Any = _UNSET,
) -> MemoryLoader:
    """TF.js's `tf.io.fromMemorySync(modelArtifacts)`: a handler whose `load()` returns them."""
    return MemoryLoader(
        _artifacts_of(model_artifacts, weight_specs, weight_data, training_config), sync=True
    )


def from_memory(
    model_artifacts: Any,
    weight_specs: Any = _UNSET,
    weight_data: Any = _UNSET,
    training_config: Any = _UNSET,
) -> MemoryLoader:
    """TF.js's `tf.io.fromMemory(modelArtifacts)`: a handler whose awaitable `load()` returns
    them; `tf.loadLayersModel(tf.io.fromMemory(artifacts))` loads the model they describe."""
    return MemoryLoader(_artifacts_of(model_artifacts, weight_specs, weight_data, training_config))


def _artifacts_of(artifacts: Any, specs: Any, data: Any, training: Any) -> dict[str, Any]:
    if specs is _UNSET and data is _UNSET and training is _UNSET:
        if is_artifacts(artifacts):
            return artifacts
        warnings.warn(_DEPRECATED, stacklevel=3)
        return {"modelTopology": artifacts}
    warnings.warn(_DEPRECATED, stacklevel=3)
    out: dict[str, Any] = {"modelTopology": artifacts}
    for key, value in (("weightSpecs", specs), ("weightData", data), ("trainingConfig", training)):
        if value is not _UNSET:
            out[key] = value
    return out


def with_save_handler(save_handler: Callable[[dict[str, Any]], Any]) -> MemorySaver:
    """TF.js's `tf.io.withSaveHandler(async (artifacts) => SaveResult)`: `model.save(handler)`
    calls the function with the artifacts a folder save would write."""
    return MemorySaver(save_handler)


def with_save_handler_sync(save_handler: Callable[[dict[str, Any]], Any]) -> MemorySaver:
    """TF.js's `tf.io.withSaveHandlerSync((artifacts) => SaveResult)`."""
    return MemorySaver(save_handler, sync=True)


# -- ModelArtifacts in and out ----------------------------------------------------------------


def weight_data_bytes(data: Any, where: str = LOCATION) -> bytes:
    """The bytes of TF.js's `WeightData`: one buffer or a list of them, concatenated."""
    parts = data if isinstance(data, (list, tuple)) else [data]
    views: list[bytes | memoryview] = []
    for i, part in enumerate(parts):
        label = "weightData" if part is data else f"weightData[{i}]"
        if isinstance(part, np.ndarray):
            if part.dtype != np.uint8:
                raise ModelFormatError(
                    where,
                    f"{label}: a NumPy array of weight bytes must have dtype uint8, got "
                    f"{part.dtype} (pass arr.view(np.uint8) for raw bytes).",
                )
            part = np.ascontiguousarray(part).reshape(-1)
        if not isinstance(part, (bytes, bytearray, memoryview, np.ndarray)):
            raise ModelFormatError(
                where,
                f"{label} must be bytes (an ArrayBuffer: bytes, bytearray, memoryview or a "
                f"uint8 NumPy array) or a list of them, got {type(part).__name__}.",
            )
        if isinstance(part, bytes):
            views.append(part)
            continue
        try:
            views.append(memoryview(cast(Any, part)).cast("B"))
        except TypeError as e:  # e.g. a strided (non-contiguous) memoryview
            raise ModelFormatError(where, f"{label}: not a contiguous buffer ({e}).") from None
    return b"".join(views)


def artifacts_to_model_json(artifacts: Any, where: str = LOCATION) -> tuple[bytes, bytes | None]:
    """model.json's text for in-memory artifacts, and their weight bytes (None without any).

    The artifacts are checked as a folder's files are: a dict of TF.js's keys holding JSON
    values only (NaN becomes null, as JSON.stringify writes it), weight data only with
    weight specs (TF.js's error otherwise)."""
    if not isinstance(artifacts, dict):
        raise ModelFormatError(
            where,
            f"the model artifacts must be a dict (TF.js's ModelArtifacts), got "
            f"{type(artifacts).__name__}.",
        )
    fields: dict[str, Any] = {}
    for key, value in artifacts.items():
        name = _SNAKE.get(key, key) if isinstance(key, str) else key
        if name == "weightsManifest":
            raise ModelFormatError(
                where,
                "'weightsManifest' is model.json's field; in-memory ModelArtifacts give "
                "'weightSpecs' (the list of weight entries) and 'weightData' (their bytes).",
            )
        if name not in ARTIFACT_KEYS:
            raise ModelFormatError(
                where,
                f"unknown ModelArtifacts field {key!r}; expected some of "
                f"{', '.join(ARTIFACT_KEYS)}.",
            )
        if name in fields:
            raise ModelFormatError(where, f"ModelArtifacts field {name!r} is given twice.")
        fields[name] = value
    topology = fields.get("modelTopology")
    if topology is not None and not isinstance(topology, dict):
        raise ModelFormatError(
            where,
            "'modelTopology' must be the JSON object of a layers model, got "
            f"{type(topology).__name__} (a graph model's binary topology cannot be loaded "
            "as a layers model).",
        )
    specs, data = fields.get("weightSpecs"), fields.get("weightData")
    if data is not None and specs is None:
        raise ModelFormatError(
            where,
            "LayersModel artifacts contains weight data, but not weight specs. Therefore "
            "loading of weights cannot proceed.",
        )
    doc: dict[str, Any] = {
        "modelTopology": topology,
        "weightsManifest": None if data is None else [{"paths": [], "weights": specs}],
    }
    for key in ("format", "generatedBy", "convertedBy", "trainingConfig", "userDefinedMetadata"):
        if fields.get(key) is not None:
            doc[key] = fields[key]
    try:
        text = model_json.dumps(doc, "artifacts")
    except ValueError as e:
        raise ModelFormatError(where, str(e)) from None
    return text.encode("utf-8"), None if data is None else weight_data_bytes(data, where)


class MemorySource:
    """In-memory artifacts as a load reads them (the interface of `handlers.FolderSource`)."""

    def __init__(self, artifacts: Any):
        self.location = LOCATION
        self._json, self._data = artifacts_to_model_json(artifacts)

    def read_model_json(self) -> bytes:
        """model.json's bytes for the artifacts."""
        return self._json

    def read_group(
        self,
        paths: list[str],
        min_bytes: int,
        exact: bool,
        allow_extra: bool,
        progress: Callable[[], None] | None = None,
    ) -> tuple[bytes, str | None]:
        """The weight bytes, their size checked against the specs as a folder's files are
        (no files: `progress` is never called, as TF.js's fromMemory reports none)."""
        data = self._data or b""
        total, extra = len(data), None
        if total < min_bytes or (exact and total != min_bytes):
            problem = (
                f"the weightSpecs declare {min_bytes} bytes of weights, but weightData holds "
                f"{total} bytes ({'truncated' if total < min_bytes else 'extra bytes'})."
            )
            if total < min_bytes or not allow_extra:
                raise ModelFormatError(self.location, problem)
            extra = problem
        return (data[:min_bytes] if exact else data), extra


def model_artifacts(text: str, data: bytes) -> dict[str, Any]:
    """TF.js's ModelArtifacts for model.json's `text` and its weight bytes: every field the
    file holds, as a load of it would see them, with `weightSpecs` (the manifest's entries,
    in order) and `weightData` in place of `weightsManifest`."""
    parsed = model_json.loads(text, LOCATION)
    out: dict[str, Any] = {}
    for key, value in parsed.items():
        if key == "weightsManifest":
            out["weightSpecs"] = [w for group in value or [] for w in group["weights"]]
            out["weightData"] = data
        else:
            out[key] = value
    return out


fromMemory = from_memory  # noqa: N816  (TF.js's name)
fromMemorySync = from_memory_sync  # noqa: N816  (TF.js's name)
withSaveHandler = with_save_handler  # noqa: N816  (TF.js's name)
withSaveHandlerSync = with_save_handler_sync  # noqa: N816  (TF.js's name)
