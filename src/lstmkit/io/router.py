"""URL schemes on save and load, as TF.js's IO router (`tfjs-core/src/io/router_registry.ts`).

TF.js picks a handler by the start of the string: tfjs-node's `file://` (the rest is a path:
`file://./m`, `file:///tmp/m` and `file://m` are `./m`, `/tmp/m` and `m`), `http(s)://` (load
over the network, save by POST), and the browser's `localstorage://`, `indexeddb://` and
`downloads://`. Here:

- a plain path or `file://` is a folder on disk (load also takes the model.json path, as
  TF.js, or the folder);
- `http://` and `https://` load with `lstmkit.io.http` (bounded sizes, same-origin redirects
  only, timeouts); saving there is refused (save to a folder, then upload);
- the browser schemes and any other `scheme://` (gs://, s3://, ...) are refused with a message
  that names the scheme and says what to use instead.

Only `<letters>://` is a scheme: a path that merely contains ':' (`run:3/model`) stays a path.
The handler objects `file_system(path)` (tfjs-node's `tf.io.fileSystem`) and `http(url)` (TF.js's
`tf.io.http` / `tf.io.browserHTTPRequest`) may be passed instead of a string.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FILE_SCHEME = "file://"
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://")

_BROWSER = {
    "localstorage": "the browser's localStorage",
    "indexeddb": "the browser's IndexedDB",
    "downloads": "a browser download",
}


@dataclass(frozen=True)
class FileSystemHandler:
    """tfjs-node's `tf.io.fileSystem(path)`: a model folder (or its model.json) on disk."""

    path: str

    def __fspath__(self) -> str:
        return self.path


@dataclass(frozen=True)
class HTTPHandler:
    """TF.js's `tf.io.http(url, options)`: a model.json URL to load from (no saving)."""

    url: str
    options: dict[str, Any] = field(default_factory=dict)


def file_system(path: str | os.PathLike) -> FileSystemHandler:
    """tfjs-node's `tf.io.fileSystem(path)`; `file://` in front of `path` is allowed."""
    return FileSystemHandler(os.fspath(strip_file_scheme(path)))


def http(path: str, options: dict[str, Any] | None = None) -> HTTPHandler:
    """TF.js's `tf.io.http(url, loadOptions)` / `tf.io.browserHTTPRequest`: load a model.json
    over http(s). Of TF.js's load options only `strict` and `onProgress` (ignored) apply;
    saving to an http handler is refused (TF.js POSTs the files; save to a folder instead)."""
    if not isinstance(path, str) or scheme_of(path) not in ("http", "https"):
        raise ValueError(
            f"tf.io.http: expected an http:// or https:// URL of a model.json, got {path!r}."
        )
    return HTTPHandler(path, dict(options or {}))


def scheme_of(path: Any) -> str | None:
    """The lower-case scheme of `scheme://...`, or None for a plain path."""
    if not isinstance(path, str):
        return None
    m = _SCHEME.match(path)
    if m is None:
        return None
    scheme = m.group(1).lower()
    if len(scheme) == 1 and os.name == "nt":  # C://dir is a drive, not a scheme
        return None
    return scheme


def strip_file_scheme(path: Any) -> Any:
    """`path` without a leading `file://` (TF.js's tfjs-node keeps the rest as the path)."""
    if isinstance(path, FileSystemHandler):
        return path.path
    if scheme_of(path) == "file":
        rest = path[len(FILE_SCHEME) :]
        if not rest:
            raise ValueError("file:// needs a path after it, e.g. 'file://./my-model'.")
        return rest
    return path


def save_path(path: Any, where: str = "model.save") -> str | os.PathLike:
    """The folder a save writes to, or a ValueError for a scheme that cannot be saved to."""
    if isinstance(path, HTTPHandler):
        path = path.url
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{where}: expected a folder path or a 'file://' URL, got {type(path).__name__}."
        )
    scheme = scheme_of(path)
    if scheme is None or scheme == "file" or isinstance(path, FileSystemHandler):
        return strip_file_scheme(path)
    assert isinstance(path, str)
    if scheme in ("http", "https"):
        raise ValueError(
            f"{where}({path!r}): saving over http(s) is not supported (TF.js POSTs the files "
            "to a server). Save to a folder, e.g. model.save('file://my-model'), and upload "
            "my-model/model.json and my-model/weights.bin yourself."
        )
    raise ValueError(_unusable(where, path, scheme, "save to"))


def load_target(path: Any, where: str = "tf.loadLayersModel") -> Path | HTTPHandler:
    """A model.json path on disk, or the HTTPHandler to load from; a ValueError otherwise."""
    if isinstance(path, HTTPHandler):
        return path
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{where}: expected a model folder, a model.json path or a 'file://' or "
            f"'http(s)://' URL, got {type(path).__name__}."
        )
    scheme = scheme_of(path)
    if scheme in ("http", "https"):
        assert isinstance(path, str)
        return HTTPHandler(path)
    if scheme is not None and scheme != "file":
        assert isinstance(path, str)
        raise ValueError(_unusable(where, path, scheme, "load from"))
    from .handlers import model_json_path

    return model_json_path(strip_file_scheme(path))


def _unusable(where: str, path: str, scheme: str, action: str) -> str:
    rest = path[len(scheme) + 3 :] or "my-model"
    if scheme in _BROWSER:
        return (
            f"{where}({path!r}): {scheme}:// is {_BROWSER[scheme]}, which exists only in a web "
            f"browser running TF.js. {action.capitalize()} a folder instead: "
            f"'file://{rest}' or the plain path '{rest}' (model.json + weights.bin, the files "
            "tfjs-node's file:// writes)."
        )
    return (
        f"{where}({path!r}): unknown URL scheme {scheme}://. lstmkit can {action} a folder "
        f"(a plain path or 'file://<folder>')"
        + (" or an 'http(s)://<url>/model.json'" if action == "load from" else "")
        + f"; for {scheme}:// copy the files to a local folder first."
    )
