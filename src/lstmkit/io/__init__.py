"""TF.js model files, the format alone: `model.json` and binary weights, as TF.js 4.22 has them.

This package knows files, not models: `model_json` (strict JSON in and out), `weights` (the
manifest, dtypes, quantization, shards), `handlers` (folders, layouts, atomic writes) and
`ModelFormatError`. It imports nothing of lstmkit's layers or models; saving and loading a
model (`model.save`, `tf.load_layers_model`) live in `lstmkit.models.saving`, which builds on it.

    model.save("my-model")                        # my-model/model.json + weights.bin
    model = tf.load_layers_model("my-model")      # or "my-model/model.json"
    model.save("file://my-model")                 # TF.js's tfjs-node URL: the same folder
    tf.loadLayersModel("https://host/m/model.json")  # over http(s), bounded (io.remote)

In memory (`memory`, TF.js's passthrough handlers): `tf.io.fromMemory(artifacts)` loads
TF.js's ModelArtifacts dict (`modelTopology`, `weightSpecs`, `weightData` bytes, ...) with the
checks a folder gets; `model.save(tf.io.withSaveHandler(fn))` hands `fn` the artifacts a folder
save would write (also `fromMemorySync`, `withSaveHandlerSync`).

URL schemes are TF.js's (`router`): `file://` and plain paths are folders; `http(s)://` loads
(`io.http`, `io.browserHTTPRequest`); the browser's `localstorage://`, `indexeddb://`,
`downloads://` and other schemes are refused with a message saying what to use instead.

Files are parsed as JSON and raw little-endian bytes only (no pickle, no code from a file);
weight paths must stay inside the model's folder, sizes are checked before allocation, and
every problem raises `ModelFormatError` (a ValueError) naming the file.

`lstmkit.io.save_model`, `load_layers_model`, `model_to_json` and `GENERATED_BY` still work:
they are looked up in `lstmkit.models.saving` when first used (PEP 562), so importing this
package never imports the models.
"""

from __future__ import annotations

from typing import Any

from .errors import ModelFormatError
from .memory import (
    from_memory,
    from_memory_sync,
    fromMemory,
    fromMemorySync,
    with_save_handler,
    with_save_handler_sync,
    withSaveHandler,
    withSaveHandlerSync,
)
from .router import FileSystemHandler, HTTPHandler, file_system, http

_FROM_MODELS = ("GENERATED_BY", "load_layers_model", "model_to_json", "save_model")

browser_http_request = http
"""TF.js's older name of `http` (`tf.io.browserHTTPRequest`)."""


def browser_downloads(file_name_prefix: str = "model") -> Any:
    """TF.js's `tf.io.browserDownloads`: a browser download, which Python has no use for."""
    raise ValueError(
        f"tf.io.browserDownloads({file_name_prefix!r}): downloads exist only in a web browser. "
        f"Save to a folder instead: model.save('file://{file_name_prefix}')."
    )


def browser_files(files: Any = None) -> Any:
    """TF.js's `tf.io.browserFiles`: files picked in a browser; here, load the folder."""
    raise ValueError(
        "tf.io.browserFiles: file inputs exist only in a web browser. Load the files from "
        "disk instead: tf.loadLayersModel('file://my-model/model.json')."
    )


# TF.js's camelCase spellings
fileSystem = file_system  # noqa: N816  (TF.js's name)
browserHTTPRequest = http  # noqa: N816  (TF.js's name)
browserDownloads = browser_downloads  # noqa: N816  (TF.js's name)
browserFiles = browser_files  # noqa: N816  (TF.js's name)

__all__ = [
    "GENERATED_BY",
    "FileSystemHandler",
    "HTTPHandler",
    "ModelFormatError",
    "browserDownloads",
    "browserFiles",
    "browserHTTPRequest",
    "browser_downloads",
    "browser_files",
    "browser_http_request",
    "fileSystem",
    "file_system",
    "fromMemory",
    "fromMemorySync",
    "from_memory",
    "from_memory_sync",
    "http",
    "load_layers_model",
    "model_to_json",
    "save_model",
    "withSaveHandler",
    "withSaveHandlerSync",
    "with_save_handler",
    "with_save_handler_sync",
]


def __getattr__(name: str) -> Any:
    """The model-level names kept here for compatibility, from `lstmkit.models.saving`."""
    if name in _FROM_MODELS:
        from ..models import saving  # compatibility only: io itself never needs the models

        return getattr(saving, name)
    raise AttributeError(f"module 'lstmkit.io' has no attribute {name!r}")
