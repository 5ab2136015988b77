"""Model folders on disk: safe reads of model.json and weight files, atomic writes.

Reading: a weight path from a manifest must name a regular file inside the model's folder.
Absolute paths, URLs, `..`, backslashes and symlinks that resolve outside the folder are
refused, and file sizes are compared with what the manifest declares before any byte is read.

Writing: the files go into a temporary folder beside the target, which then takes the
target's place in one rename (an atomic exchange on Linux when the target exists), so a save
that dies midway leaves the previous model whole and nothing half-written under its name.
Files of the user's own in the target (e.g. metadata.json) are hard-linked into the new folder
first, so they stay.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from .errors import ModelFormatError

MAX_MODEL_JSON_BYTES = 256 * 2**20
"""model.json files larger than this are refused (real ones are kilobytes)."""

MODEL_JSON = "model.json"
# the only names a folder may hold for `save` to replace it: what TF.js writers leave there
_MODEL_FILE = re.compile(r"(model\.json|weights_manifest\.json|[^/]*\.bin)")


def model_json_path(path: str | os.PathLike) -> Path:
    """model.json of a model folder, or the given file (e.g. `my-model.json`) itself.

    A leading `file://` is dropped (tfjs-node's scheme; see `router` for the others)."""
    text = os.fspath(path)
    if isinstance(text, str) and text.startswith("file://"):
        text = text[len("file://") :]
    p = Path(text)
    if p.is_dir():
        return p / MODEL_JSON
    return p


def read_model_json(path: Path) -> bytes:
    """The bytes of model.json (a regular file of at most MAX_MODEL_JSON_BYTES)."""
    try:
        st = path.stat()
    except OSError as e:
        raise ModelFormatError(path, f"cannot read the model file: {e.strerror or e}.") from None
    if not stat.S_ISREG(st.st_mode):
        raise ModelFormatError(path, "not a regular file.")
    if st.st_size > MAX_MODEL_JSON_BYTES:
        raise ModelFormatError(path, f"{st.st_size} bytes is too large for a model.json.")
    return _read_exactly(path, st.st_size)


def relative_parts(rel: str, manifest: str | Path) -> list[str]:
    """The parts of a manifest's weight path, if it is a plain relative path (no absolute
    path, URL, `..`, backslash or NUL): what keeps a load inside the model's folder."""
    parts = rel.split("/")
    if (
        not rel
        or rel.startswith("/")
        or "\\" in rel
        or "\0" in rel
        or ":" in parts[0]
        or ".." in parts
    ):
        raise ModelFormatError(
            manifest, f"weight path {rel!r} is not a plain relative path inside the model folder."
        )
    parts = [p for p in parts if p not in ("", ".")]
    if not parts:
        raise ModelFormatError(manifest, f"weight path {rel!r} names no file.")
    return parts


def weight_file(folder: Path, rel: str, manifest: Path) -> Path:
    """The file a manifest path names, if it is a regular file inside `folder`."""
    candidate = folder.joinpath(*relative_parts(rel, manifest))
    try:
        root = os.path.realpath(folder)
        real = os.path.realpath(candidate)
    except (OSError, ValueError):  # e.g. a lone surrogate the file system cannot encode
        raise ModelFormatError(
            manifest, f"weight path {rel!r} is not a usable file name."
        ) from None
    if os.path.commonpath([root, real]) != root:
        raise ModelFormatError(manifest, f"weight path {rel!r} leads outside the model folder.")
    try:
        st = os.stat(real)
    except (OSError, ValueError):
        raise ModelFormatError(candidate, "weight file not found.") from None
    if not stat.S_ISREG(st.st_mode):
        raise ModelFormatError(candidate, "weight path is not a regular file.")
    return Path(real)


def size_problem(paths: list[str], sizes: list[int], min_bytes: int) -> str:
    """The message for a group whose files do not hold the bytes its manifest declares."""
    total = sum(sizes)
    listing = ", ".join(f"{p} ({s} bytes)" for p, s in zip(paths, sizes)) or "no files"
    return (
        f"the manifest declares {min_bytes} bytes of weights for {listing}, which hold "
        f"{total} bytes ({'truncated' if total < min_bytes else 'extra bytes'})."
    )


def read_group(
    folder: Path,
    paths: list[str],
    min_bytes: int,
    exact: bool,
    manifest: Path,
    allow_extra: bool = False,
    progress: Callable[[], None] | None = None,
) -> tuple[bytes, str | None]:
    """The concatenated bytes of one group's files, sizes checked before reading.

    `min_bytes` is what the manifest declares (exactly, unless `exact` is False because the
    group holds strings whose lengths are in the data). Files holding more than that are
    refused, unless `allow_extra`: then only the declared bytes are read (TF.js reads the
    weights the manifest lists and leaves the rest) and the second value is the problem text
    (None when the sizes agree), for a strict load to report once the model is checked.
    `progress` is called once per file when it is found and its size known, once when read.
    """
    files = [weight_file(folder, p, manifest) for p in paths]
    sizes = []
    for f in files:
        sizes.append(f.stat().st_size)
        if progress is not None:
            progress()
    total = sum(sizes)
    extra = None
    if total < min_bytes or (exact and total != min_bytes):
        problem = size_problem(paths, sizes, min_bytes)
        if total < min_bytes or not allow_extra:
            raise ModelFormatError(manifest, problem)
        extra = problem
    want = min_bytes if exact else total
    chunks = []
    for f, s in zip(files, sizes):
        take = min(s, want)
        if take:
            chunks.append(_read_exactly(f, take, s))
        want -= take
        if progress is not None:
            progress()
    return b"".join(chunks), extra


def _read_exactly(path: Path, size: int, file_size: int | None = None) -> bytes:
    """The first `size` bytes of a file that held `file_size` (default `size`) when checked."""
    try:
        with open(path, "rb") as f:
            data = f.read(size)
            changed = file_size is None and f.read(1)
    except OSError as e:
        raise ModelFormatError(path, f"cannot read: {e.strerror or e}.") from None
    if len(data) != size or changed:
        raise ModelFormatError(path, f"file changed while reading (expected {size} bytes).")
    return data


# -- writing ----------------------------------------------------------------------------------


def write_model_folder(target: str | os.PathLike, files: Mapping[str, bytes]) -> Path:
    """Write `files` (name -> bytes) as the folder `target`, replacing a previous model there.

    The previous model's files (model.json, *.bin, weights_manifest.json) go; any other
    regular file in the folder stays, as with TF.js's file:// writer (the sentiment example
    writes metadata.json there before saving): it is hard-linked into the new folder before
    the swap, so it is kept whole without a copy. A folder holding sub-folders or symlinks,
    the working directory, or one on a file system without hard links is refused, so a wrong
    path cannot move or delete other data.
    """
    target = Path(os.path.realpath(os.fspath(target)))  # a symlinked folder is saved in place
    if target.exists() and not target.is_dir():
        raise ValueError(f"{target}: cannot save a model there; it is a file, not a folder.")
    kept = _files_to_keep(target) if target.is_dir() else []
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.saving-", dir=parent))
    try:
        for name, data in files.items():
            _write_file(tmp / name, data)
        _link_kept(target, tmp, [name for name in kept if name not in files])
        _fsync_dir(tmp)
        if target.is_dir():
            _replace_folder(tmp, target)
        else:
            os.rename(tmp, target)
        _fsync_dir(parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


_MAX_KEPT_FILES = 1000  # a model folder with more other files is surely the wrong folder


def _files_to_keep(target: Path) -> list[str]:
    """The names of the non-model files in `target` that a save keeps; refuse unsafe folders."""
    if target == Path(os.path.realpath(os.getcwd())) or target in Path.cwd().resolve().parents:
        raise ValueError(
            f"{target}: refusing to save a model as the working directory (or a folder above "
            "it); save to a sub-folder, e.g. model.save('my-model')."
        )
    others, unsafe = [], []
    for e in os.scandir(target):
        if e.is_file(follow_symlinks=False):
            if not _MODEL_FILE.fullmatch(e.name):
                others.append(e.name)
        else:
            unsafe.append(e.name + ("/" if e.is_dir(follow_symlinks=False) else ""))
    if unsafe or len(others) > _MAX_KEPT_FILES:
        listed = sorted(unsafe) or sorted(others)
        shown = ", ".join(listed[:5]) + (", ..." if len(listed) > 5 else "")
        why = "folders or symlinks" if unsafe else f"more than {_MAX_KEPT_FILES} other files"
        raise ValueError(
            f"{target}: refusing to save a model into this folder, it holds {why} "
            f"({shown}); save to a new or empty folder."
        )
    return sorted(others)


def _link_kept(target: Path, tmp: Path, names: list[str]) -> None:
    """Hard-link the files a save keeps from `target` into the new folder `tmp`."""
    for name in names:
        try:
            os.link(target / name, tmp / name, follow_symlinks=False)
        except OSError as e:
            raise ValueError(
                f"{target}: cannot keep {name} beside the model ({e.strerror or e}: this file "
                "system has no hard links); save to a new or empty folder."
            ) from None


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _replace_folder(new: Path, target: Path) -> None:
    """Put `new` at `target`; afterwards `new`'s path holds nothing of value."""
    if _exchange(new, target):  # `new` now holds the previous model
        shutil.rmtree(new, ignore_errors=True)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2(RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


# -- sources: where a load reads model.json and the weight groups -----------------------------


class FolderSource:
    """A model on disk: `model.json` (or another .json) and its weight files beside it."""

    def __init__(self, json_path: Path):
        self.location = json_path

    def read_model_json(self) -> bytes:
        """The bytes of model.json."""
        return read_model_json(self.location)

    def read_group(
        self,
        paths: list[str],
        min_bytes: int,
        exact: bool,
        allow_extra: bool,
        progress: Callable[[], None] | None = None,
    ) -> tuple[bytes, str | None]:
        """One group's bytes and the extra-bytes problem (see `read_group`)."""
        return read_group(
            self.location.parent, paths, min_bytes, exact, self.location, allow_extra, progress
        )
