"""`save_model` and `load_layers_model`: TF.js layers-model folders in and out.

Saving writes what tfjs-node's `model.save('file://dir')` writes (training.ts `save` and
tfjs-node's file_system.ts): model.json with the keys `modelTopology, weightsManifest, format,
generatedBy, convertedBy[, trainingConfig][, userDefinedMetadata]` and weights.bin. `generatedBy`
is TF.js's own string, `"TensorFlow.js tfjs-layers v4.22.0"`: the files are exactly what
TF.js 4.22 would write for the same model (the topology already says `keras_version:
"tfjs-layers 4.22.0"`), so a TF.js file loaded and saved again comes back byte for byte.

Loading follows `tf.loadLayersModel` (models.ts): the topology builds the model, a top-level
`trainingConfig` compiles it, weights are matched by name (with TF.js's cell-segment fallback,
`lstm/lstm_cell/kernel` -> `lstm/kernel`), optimizer weights restore the optimizer's state,
and strict mode reports unmatched weights with TF.js's messages.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .. import _async
from .._options import merge_options
from ..io import handlers, memory, model_json, remote, router, weights
from ..io.errors import ModelFormatError
from . import training_config
from .functional import PERSISTENCE, LayersModel
from .serialization import TFJS_VERSION, model_from_config, model_to_topology
from .weight_budget import OverFilesError, cell_fallback, check_max_init, weight_budget

GENERATED_BY = f"TensorFlow.js tfjs-layers v{TFJS_VERSION}"
FORMAT = "layers-model"
DEFAULT_SHARD_SIZE = 4 * 1024 * 1024  # the converter's 4 MiB, the browsers' cache limit
WEIGHTS_FILE = "weights.bin"
METADATA_WARN_BYTES = 1024 * 1024  # TF.js warns above 1 MiB of userDefinedMetadata


# -- saving -----------------------------------------------------------------------------------


class SaveResult(type(Path())):  # type: ignore[misc]  # PosixPath or WindowsPath, as Path() is
    """The folder a save wrote, which is also TF.js's `SaveResult`.

    It is a `Path` (`model.save(d) / "model.json"` works), and it can be awaited, as TF.js's
    `await model.save(url)` is written; `model_artifacts_info` (`modelArtifactsInfo`) holds
    TF.js's `dateSaved`, `modelTopologyType`, `modelTopologyBytes`, `weightSpecsBytes` and
    `weightDataBytes`.
    """

    def __await__(self) -> Generator[Any, None, SaveResult]:
        yield from ()
        return self

    @property
    def model_artifacts_info(self) -> dict[str, Any] | None:
        """TF.js's `ModelArtifactsInfo` of the save (None on a path derived from this one)."""
        return self.__dict__.get("_info")

    modelArtifactsInfo = model_artifacts_info  # noqa: N815  (TF.js's name)


def model_to_json(model: LayersModel) -> str:
    """The topology as TF.js's `model.toJSON()` returns it (JSON text of `modelTopology`)."""
    return model_json.dumps(model_to_topology(model), "modelTopology")


_SAVE_OPTIONS = ("include_optimizer", "trainable_only")


def save_model(
    model: LayersModel,
    path: Any,
    include_optimizer: bool | dict[str, Any] = False,
    shard_size: int | bool | None = None,
    quantization: str | dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
) -> SaveResult:
    """Save `model` as a TF.js layers-model folder at `path`; returns the folder.

    `path` is a folder, a `file://` URL (tfjs-node's) or `tf.io.fileSystem(path)`; the
    browser's `localstorage://`, `indexeddb://`, `downloads://` and `http(s)://` are refused
    with what to use instead (`io.router`). It may also be a TF.js IOHandler, an object with
    a `save(artifacts)` method such as `tf.io.withSaveHandler(fn)`: it is called with the
    ModelArtifacts a folder save would write (model.json's fields, `weightSpecs` and the
    weight bytes as `weightData`), and its SaveResult is returned (awaitable).

    - include_optimizer: also write `trainingConfig` and the optimizer's state (group
      "optimizer") when the model is compiled, as TF.js's `includeOptimizer: true`. TF.js's
      SaveConfig `{includeOptimizer, trainableOnly}` may be given here instead
      (`trainableOnly` leaves out the non-trainable weights, as TF.js does).
    - shard_size: None writes one `weights.bin` (tfjs-node); a byte count (True for 4 MiB)
      writes the converter's `group1-shard{i}of{n}.bin` files.
    - quantization: 'uint8', 'uint16' or 'float16' for every float32 model weight, or the
      converter's `{dtype: fnmatch pattern(s) | True}` map; optimizer state stays float32.
    - metadata: a JSON object stored as `userDefinedMetadata` (default: the metadata the model
      was loaded with, as TF.js keeps it).
    """
    trainable_only = False
    if isinstance(include_optimizer, dict):  # TF.js's SaveConfig: model.save(url, {...})
        config = merge_options("model.save", include_optimizer, {}, _SAVE_OPTIONS)
        include_optimizer = bool(config.get("include_optimizer", False))
        trainable_only = bool(config.get("trainable_only", False))
    saved = model.trainable_weights if trainable_only else model.weights
    entries = [(w.original_name, w.numpy(), None) for w in saved]
    plan = weights.quantization_plan([e[0] for e in entries], quantization)
    doc: dict[str, Any] = {
        "modelTopology": model_to_topology(model),
        "weightsManifest": None,
        "format": FORMAT,
        "generatedBy": GENERATED_BY,
        "convertedBy": None,
    }
    if include_optimizer and model.optimizer is not None:
        doc["trainingConfig"] = training_config.training_config(model)
        entries += [(n, v, "optimizer") for n, v in _optimizer_weights(model.optimizer)]
    if metadata is None:
        metadata = getattr(model, "user_defined_metadata", None)
    if metadata is not None:
        doc["userDefinedMetadata"] = _check_metadata(metadata, model.name)
    save = _save_method(path)
    if save is not None:
        if shard_size is not None and shard_size is not False:
            raise ValueError(
                "model.save(handler, shard_size=...): shards are weight files of a folder; an "
                "IOHandler receives the weights as one buffer (weightData)."
            )
        specs, data = weights.encode_weights(entries, plan)
        doc["weightsManifest"] = [{"paths": [WEIGHTS_FILE], "weights": specs}]
        artifacts = memory.model_artifacts(model_json.dumps(doc, "model.json"), data)
        return _resolved(_async.run(save(artifacts)))
    folder = router.save_path(path, "model.save")  # a bad scheme fails before any encoding
    specs, data = weights.encode_weights(entries, plan)
    files: dict[str, bytes] = {}
    if shard_size is None or shard_size is False:
        paths = [WEIGHTS_FILE]
        files[WEIGHTS_FILE] = data
    else:
        size = DEFAULT_SHARD_SIZE if shard_size is True else int(shard_size)
        shards = weights.shard(data, size)
        paths = [f"group1-shard{i + 1}of{len(shards)}.bin" for i in range(len(shards))]
        files.update(zip(paths, shards))
    doc["weightsManifest"] = [{"paths": paths, "weights": specs}]
    text = model_json.dumps(doc, "model.json")
    written = handlers.write_model_folder(
        folder, {handlers.MODEL_JSON: text.encode("utf-8"), **files}
    )
    result = SaveResult(written)
    result.__dict__["_info"] = {
        "dateSaved": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "modelTopologyType": "JSON",
        "modelTopologyBytes": len(model_json.dumps(doc["modelTopology"], "modelTopology")),
        "weightSpecsBytes": len(model_json.dumps(specs, "weightsManifest")),
        "weightDataBytes": len(data),
    }
    return result


_NOT_HANDLERS = (str, bytes, bytearray, int, float, list, tuple, os.PathLike)


def _is_handler(target: Any) -> bool:
    """True for a TF.js IOHandler object (anything but a path, a URL or a plain value)."""
    if target is None or isinstance(target, _NOT_HANDLERS):
        return False
    return not isinstance(target, (router.HTTPHandler, router.FileSystemHandler))


def _handler_method(target: Any, name: str) -> Any:
    method = target.get(name) if isinstance(target, dict) else getattr(target, name, None)
    return method if callable(method) else None


def _save_method(target: Any) -> Any:
    """The `save` of an IOHandler (None for a folder); TF.js's error for one without it."""
    if not _is_handler(target):
        return None
    save = _handler_method(target, "save")
    if save is None:
        raise ValueError(
            "LayersModel.save() cannot proceed because the IOHandler provided does not have "
            "the `save` attribute defined."
        )
    return save


def _resolved(value: Any) -> Any:
    """A handler's SaveResult, awaitable as TF.js's promise of it."""
    if isinstance(value, dict) and not isinstance(value, _async.Ready):
        return _async.ReadyDict(value)
    if value is None:
        return _async.Done()
    return value


def _optimizer_weights(optimizer: Any) -> list[tuple[str, np.ndarray]]:
    if not optimizer.tfjs_saves_state:
        name = optimizer.class_name
        raise ValueError(
            f"include_optimizer=True with {name}: TF.js cannot save or restore {name}'s state "
            f"(getWeights()/setWeights() are not implemented for {name}), so such a file would "
            "not load in TF.js. Save with include_optimizer=False, or train with another optimizer."
        )
    return [(name, np.asarray(value)) for name, value in optimizer.get_weights()]


def _check_metadata(metadata: Any, model_name: str) -> dict[str, Any]:
    if not isinstance(metadata, dict):
        raise ValueError(
            f"metadata for model {model_name} must be a JSON object (a dict), "
            f"got {type(metadata).__name__}."
        )
    size = len(model_json.dumps(metadata, "metadata"))
    if size > METADATA_WARN_BYTES:
        warnings.warn(
            f"User-defined metadata of model {model_name} is {size} characters long, more than "
            "the 1 MiB TF.js recommends.",
            stacklevel=3,
        )
    return metadata


# -- loading ----------------------------------------------------------------------------------


_LOAD_OPTIONS = ("strict", "request_init", "on_progress", "max_init_params")
_LOAD_IGNORED = ("fetchFunc", "fetch_func", "weightUrlConverter", "weight_url_converter")


def load_layers_model(
    path: Any, options: dict[str, Any] | None = None, **kwargs: Any
) -> LayersModel:
    """Load a TF.js layers model (`tf.loadLayersModel`) from a folder, a model.json path, a
    `file://` URL, an `http(s)://` URL of a model.json, or a `tf.io` handler.

    Options, as TF.js's `LoadOptions` object or keywords: `strict` (default True: every weight
    in the files must have a variable, every variable a weight, and the weight files hold
    exactly the bytes the manifest lists; False loads what matches, keeps the initial values
    of the rest and reads only the bytes up to the last weight it uses), `requestInit` (its
    `headers` are sent over http), `onProgress` (TF.js's fractions: two steps per weight file,
    found and read; 1.0 once loaded when there are no weight files), and lstmkit's
    `max_init_params`: the weight values the load may draw from initializers (a topology
    without weights is built with them, as TF.js does; default
    `weight_budget.MAX_INIT_PARAMS`, 2**24, or the LSTMKIT_MAX_INIT_PARAMS environment
    variable; the orthogonal initializer's values count min(rows, cols) // 8 each).

    The model is built and its weights matched by name, shape and dtype with the manifest
    before any weight byte is read; weights the files will set are made as zeros. Accepts the
    tfjs-node, browser-download and converter layouts, quantized weights, shards, the
    converter's `model_config` wrapper and Keras 2 weight names. Anything wrong with the files
    raises `ModelFormatError` naming the file.

    `path` may also be a TF.js IOHandler, an object with a `load()` method returning
    ModelArtifacts (awaitable or not), such as `tf.io.fromMemory(artifacts)`: they are checked
    as a folder's files are, errors naming "the in-memory model".
    """
    if isinstance(options, bool):  # the Python positional form load_layers_model(path, False)
        kwargs = {"strict": options, **kwargs}
        options = None
    opts = merge_options("tf.loadLayersModel", options, kwargs, _LOAD_OPTIONS, _LOAD_IGNORED)
    strict = bool(opts.get("strict", True))
    max_init = check_max_init(opts.get("max_init_params"))
    if _is_handler(path):
        load = _handler_method(path, "load")
        if load is None:
            raise ValueError(
                "Cannot proceed with model loading because the IOHandler provided does not "
                "have the `load` method implemented."
            )
        src: Any = memory.MemorySource(_async.run(load()))
        return _load(src, strict, opts.get("on_progress"), max_init)
    target = router.load_target(path)
    if isinstance(target, router.HTTPHandler):
        handler_opts = merge_options("tf.io.http", target.options, {}, _LOAD_OPTIONS, _LOAD_IGNORED)
        opts = {**handler_opts, **opts}  # tf.io.http's own LoadOptions, the call's win
        strict = bool(opts.get("strict", True))
        max_init = check_max_init(opts.get("max_init_params"))
        src = remote.source(target.url, opts)
    else:
        src = handlers.FolderSource(target)
    return _load(src, strict, opts.get("on_progress"), max_init)


def _load(
    src: Any, strict: bool, on_progress: Any = None, max_init: int | None = None
) -> LayersModel:
    json_path = src.location
    doc = model_json.loads(src.read_model_json(), json_path)
    if not isinstance(doc, dict):
        raise ModelFormatError(json_path, "model.json must hold a JSON object.")
    topology = doc.get("modelTopology")
    if not isinstance(topology, dict):
        raise ModelFormatError(json_path, "'modelTopology' is missing or not an object.")
    groups = weights.parse_manifest(doc.get("weightsManifest"), json_path)
    has_weights = doc.get("weightsManifest") is not None
    specs = [s for g in groups for s in g.specs]
    model_specs = [s for s in specs if s.group != "optimizer"]
    keys = [s.key for s in model_specs] if has_weights else None
    held = sum(s.size for s in model_specs)
    preread: dict[int, bytes] | None = None
    try:  # the manifest's sizes are unchecked yet: at most UNVERIFIED_VALUES zeros on its word
        model = _build(topology, json_path, keys, min(held, UNVERIFIED_VALUES), strict, max_init)
    except OverFilesError:
        if held <= UNVERIFIED_VALUES:
            raise
        # a large model: its files, read as declared (sizes checked first, nothing decoded),
        # show that they hold what the manifest says; then the build may make that many zeros
        preread = _read_declared(src, groups, strict, on_progress)
        model = _build(topology, json_path, keys, held, strict, max_init)
    if doc.get("trainingConfig") is not None:
        training_config.compile_from(model, doc["trainingConfig"], json_path)
    # Everything about the weights is checked against the model before any byte is read.
    targets = _match(model, model_specs, strict, json_path) if has_weights else {}
    wanted = set(targets)
    optimizer_specs = _optimizer_specs(specs, model, json_path)
    if model.optimizer is not None:
        wanted.update(s.key for s in optimizer_specs)
    optimizer_values = []
    progress = on_progress if callable(on_progress) else None
    for spec, value in _read_weights(src, groups, strict, progress, wanted, preread):
        if spec.group == "optimizer":
            optimizer_values.append((spec.key, value))
        else:
            targets[spec.key].assign(value)
    if model.optimizer is not None and optimizer_values:
        try:
            model.optimizer.set_weights(optimizer_values)
        except Exception as e:
            raise ModelFormatError(json_path, f"optimizer weights: {e}") from None
    meta = doc.get("userDefinedMetadata")
    if meta is not None:
        if not isinstance(meta, dict):
            raise ModelFormatError(json_path, "'userDefinedMetadata' must be an object.")
        model.user_defined_metadata = meta
    if callable(on_progress) and not any(g.paths for g in groups):
        on_progress(1.0)  # no weight files to report on: done
    return model


def load_weights_from_manifest(model: LayersModel, manifest: Any, path_prefix: Any) -> None:
    """TF.js's `modelFromJSON({modelTopology, weightsManifest, pathPrefix})` weights
    (`io.loadWeights`): the model's weights, by their original names, from the files the
    manifest lists under `path_prefix` (a folder, `file://` or an `http(s)://` prefix); a
    weight of the model missing from the manifest is TF.js's error, the rest is a strict load.
    """
    prefix = "." if path_prefix is None else path_prefix
    if isinstance(prefix, str) and router.scheme_of(prefix) in ("http", "https"):
        src: Any = remote.source(prefix.rstrip("/") + "/model.json")
    else:
        folder = router.strip_file_scheme(router.save_path(prefix, "tf.models.modelFromJSON"))
        src = handlers.FolderSource(Path(folder) / handlers.MODEL_JSON)
    groups = weights.parse_manifest(manifest, src.location)
    wanted = [w.original_name for w in model.weights]
    listed = [spec.key for group in groups for spec in group.specs]
    missing = [name for name in wanted if name not in listed]
    if missing:
        raise ValueError(
            f"Could not find weights in manifest with names: {', '.join(missing)}. \n"
            f"Manifest JSON has weights with names: {', '.join(listed)}."
        )
    needed = [g for g in groups if any(spec.key in wanted for spec in g.specs)]
    specs = [s for g in needed for s in g.specs if s.key in wanted]
    targets = _match(model, specs, True, src.location)
    for spec, value in _read_weights(src, needed, True, None, set(targets)):
        targets[spec.key].assign(value)


UNVERIFIED_VALUES = 2**22
"""Zeros (16 MiB of float32) a build may make for weights the files should hold before any
file is read: a model beyond it has its files read first, their sizes as the manifest
declares, so a manifest cannot make a load allocate what its files do not hold."""


def _read_declared(
    src: Any, groups: list[weights.WeightGroup], strict: bool, on_progress: Any
) -> dict[int, bytes]:
    """Every group's declared bytes (a strict load's files hold exactly those), by index."""
    progress = _progress(groups, on_progress if callable(on_progress) else None)
    out = {}
    for i, group in enumerate(groups):
        args = (group.paths, group.min_bytes, not group.has_strings, not strict)
        data, _extra = src.read_group(*args, progress) if progress else src.read_group(*args)
        out[i] = data
    return out


def _progress(groups: list[weights.WeightGroup], on_progress: Any) -> Any:
    if on_progress is None:
        return None
    total = 2 * sum(len(g.paths) for g in groups)
    done = [0]

    def progress() -> None:
        done[0] += 1
        if total:
            on_progress(min(done[0], total) / total)

    return progress


def _read_weights(
    src: Any,
    groups: list[weights.WeightGroup],
    strict: bool,
    on_progress: Any = None,
    wanted: set[str] | None = None,
    preread: dict[int, bytes] | None = None,
) -> Iterator[tuple[weights.WeightSpec, np.ndarray]]:
    """The decoded tensors whose key is `wanted`, group by group, one at a time.

    A strict load reads every group whole (the files must hold exactly the manifest's bytes;
    the manifest was matched with the model, so they are the model's and its optimizer's); a
    non-strict one reads only the bytes up to the last weight it uses in each group (a group
    with none is not read). Plain float32 tensors are views of the bytes read (`assign`
    copies them). `on_progress(fraction)` follows TF.js's `loadWeightsAsArrayBuffer`: each
    weight file counts two steps, found (its response or size known) and read, and after each
    step the fraction of the steps done is reported, ending at 1 once the last file is read."""
    progress = _progress(groups, on_progress) if preread is None else None
    keys = set() if wanted is None else wanted
    for i, group in enumerate(groups):
        if preread is not None:
            data = preread.pop(i)  # the group's declared bytes, read before the build
        else:
            args = _group_read(group, strict, keys)
            if args is None:  # nothing used in this group: not read
                for _ in range(2 * len(group.paths) if progress else 0):
                    progress()
                continue
            data, _ = src.read_group(*args, progress) if progress else src.read_group(*args)
        yield from weights.iter_group(
            group, data, src.location, keys, allow_extra=not strict, copy=False
        )


def _group_read(group: weights.WeightGroup, strict: bool, keys: set[str]) -> tuple | None:
    """`read_group`'s arguments for a group (None: nothing in it is used, not read)."""
    if strict:
        return (group.paths, group.min_bytes, not group.has_strings, False)
    need = weights.prefix_bytes(group, keys)
    if need == 0:
        return None
    exact = need is not None
    return (group.paths, need if exact else group.min_bytes, exact, True)


def _build(
    topology: dict[str, Any],
    json_path: str | Path,
    keys: list[str] | None,
    held: int,
    strict: bool,
    max_init: int | None,
) -> LayersModel:
    """The model of `topology`, every weight checked by `weight_budget` before it is made:
    the files' weights as zeros (at most the values the manifest lists, plus a margin), the
    others drawn from their initializers within `max_init`."""
    try:
        with weight_budget(json_path, keys, held, strict, max_init):
            return model_from_config(topology)
    except ModelFormatError:
        raise
    except Exception as e:  # a topology this library cannot build, whatever the layer says
        raise ModelFormatError(
            json_path, f"modelTopology: cannot build the model: {type(e).__name__}: {e}"
        ) from None


_KIND = {"float32": "f", "int32": "i", "bool": "b", "string": "O"}
_NUMPY_NAME = {"string": "object"}


def _match(
    model: LayersModel, specs: list[weights.WeightSpec], strict: bool, path: str | Path
) -> dict[str, Any]:
    """TF.js's `Container.loadWeights` matching, on the manifest alone (no byte read yet):
    each entry's variable by name, falling back to dropping the cell segment; strict mode
    requires every entry and every variable matched; shapes and dtypes must agree. Returns
    {entry key: variable}."""
    targets: dict[str, Any] = {}
    total = 0
    for layer in model.layers:
        for w in layer.weights:
            if w.original_name in targets:
                raise ModelFormatError(path, f"Duplicate weight name: {w.original_name}")
            targets[w.original_name] = w
            total += 1
    pairs = []
    for spec in specs:
        key = spec.key
        if key not in targets:
            key = cell_fallback(spec.key)
        if key in targets:
            pairs.append((targets.pop(key), spec))
        elif strict:
            raise ModelFormatError(path, f"Provided weight data has no target variable: {spec.key}")
    if strict and targets:
        raise ModelFormatError(
            path, f"{len(targets)} of {total} weights are not set: {','.join(targets)}"
        )
    for var, spec in pairs:
        if spec.shape != tuple(var.shape):
            raise ModelFormatError(
                path,
                f"weight {spec.key}: Shape mismatch: {list(var.shape)} vs. {list(spec.shape)} "
                "(the model's variable vs. the file's tensor).",
            )
        if _KIND[spec.dtype] != var._data.dtype.kind:
            raise ModelFormatError(
                path,
                f"weight {spec.key}: the file holds {_NUMPY_NAME.get(spec.dtype, spec.dtype)} "
                f"values for a {var.dtype} variable.",
            )
    return {spec.key: var for var, spec in pairs}


OPTIMIZER_SLOTS = 3  # state values per weight value at most (RMSprop centered: rms, mg, momentum)
OPTIMIZER_MARGIN_VALUES = 1024  # e.g. Adam's iterations


def _optimizer_specs(
    specs: list[weights.WeightSpec], model: LayersModel, path: str | Path
) -> list[weights.WeightSpec]:
    """The manifest's optimizer entries, checked before any byte is read: numeric, and no more
    values than an optimizer keeps for this model (OPTIMIZER_SLOTS per weight value)."""
    out = [s for s in specs if s.group == "optimizer"]
    for s in out:
        if s.dtype == "string":
            raise ModelFormatError(
                path, f"optimizer weight {s.name!r} has dtype string; optimizer state is numeric."
            )
    limit = OPTIMIZER_SLOTS * model.count_params() + OPTIMIZER_MARGIN_VALUES
    listed = sum(s.size for s in out)
    if listed > limit:
        raise ModelFormatError(
            path,
            f"the optimizer group lists {listed} values, more than the {limit} an optimizer "
            f"keeps for this model of {model.count_params()} weight values "
            f"({OPTIMIZER_SLOTS} per value + {OPTIMIZER_MARGIN_VALUES}); the optimizer "
            "weights do not belong to this model.",
        )
    return out


# LayersModel.save and .to_json reach these here (this module builds on that class)
PERSISTENCE.update(save_model=save_model, model_to_json=model_to_json)
