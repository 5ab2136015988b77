"""Model folders on disk: safe reads of model.json and weight files, atomic writes.

Reading: a weight path from a manifest must name a regular file inside the model's folder.
Absolute paths, URLs, `..`, backslashes and symlinks that resolve outside the folder are
refused. Every file is opened relative to the folder's descriptor without following a link
(`safe_open`), checked with fstat (a regular file; sizes compared with what the manifest
declares before any byte is read) and read from that descriptor only, so a link swapped in
meanwhile is never followed.

Writing: the files go into a temporary folder beside the target, which then takes the
target's place in one rename (an atomic exchange on Linux and macOS when the target exists),
so a save that dies midway leaves the previous model whole and nothing half-written under
its name. Files of the user's own in the target (e.g. metadata.json) are hard-linked into the
new folder first, so they stay. What a killed save leaves beside the target is repaired by
the next save or load of it (`recover`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import stat
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from .errors import ModelFormatError
from .model_json import MAX_JSON_BYTES
from .safe_open import MAX_SYMLINKS, MAX_WALK_STEPS, O_DIRECTORY, ModelFolder, OutsideFolderError

MAX_MODEL_JSON_BYTES = MAX_JSON_BYTES
"""model.json files larger than this (64 MiB, what `model_json.loads` parses at most) are refused
before a byte is read; real ones are kilobytes, a 24,000-layer graph is 14.4 MiB."""

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
    """The bytes of model.json (a regular file of at most MAX_MODEL_JSON_BYTES), opened
    without following a symlink out of its folder (see `ModelFolder`)."""
    with contextlib.closing(ModelFolder(path.parent)) as folder:
        return folder_model_json(folder, path.name, path)


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


def size_problem(paths: list[str], sizes: list[int], min_bytes: int) -> str:
    """The message for a group whose files do not hold the bytes its manifest declares."""
    total = sum(sizes)
    listing = ", ".join(f"{p} ({s} bytes)" for p, s in zip(paths, sizes)) or "no files"
    return (
        f"the manifest declares {min_bytes} bytes of weights for {listing}, which hold "
        f"{total} bytes ({'truncated' if total < min_bytes else 'extra bytes'})."
    )


def folder_model_json(folder: ModelFolder, name: str, shown: Path) -> bytes:
    """The bytes of the folder's `name` (model.json), a regular file of at most
    MAX_MODEL_JSON_BYTES; `shown` is its path in messages."""
    try:
        fd = folder.open([name])
    except OutsideFolderError:
        raise ModelFormatError(
            shown,
            "a symlink leading outside the model folder; load the folder it points to, "
            "or copy the file in.",
        ) from None
    except (OSError, ValueError) as e:
        why = getattr(e, "strerror", None) or e
        raise ModelFormatError(shown, f"cannot read the model file: {why}.") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ModelFormatError(shown, "not a regular file.")
        if st.st_size > MAX_MODEL_JSON_BYTES:
            raise ModelFormatError(
                shown,
                f"{st.st_size} bytes is too large for a model.json: at most "
                f"{MAX_MODEL_JSON_BYTES} bytes are read (lstmkit.io.model_json.MAX_JSON_BYTES; "
                "real ones are kilobytes, a 24,000-layer graph is 14.4 MiB).",
            )
        return _read_exactly(f, shown, st.st_size)


def weight_file(folder: ModelFolder, rel: str, manifest: Path) -> tuple[int, os.stat_result, Path]:
    """An open descriptor of the regular file a manifest path names inside the folder, its
    fstat, and the path to name in messages."""
    parts = relative_parts(rel, manifest)
    candidate = folder.path.joinpath(*parts)
    try:
        fd = folder.open(parts)
    except OutsideFolderError:
        raise ModelFormatError(
            manifest, f"weight path {rel!r} leads outside the model folder."
        ) from None
    except ValueError:  # e.g. a lone surrogate the file system cannot encode
        raise ModelFormatError(
            manifest, f"weight path {rel!r} is not a usable file name."
        ) from None
    except OSError as e:
        loop = e.errno == errno.ELOOP
        why = (
            f": more than {MAX_SYMLINKS} symlinks or {MAX_WALK_STEPS} steps on its path (a loop?)"
            if loop
            else ""
        )
        raise ModelFormatError(candidate, f"weight file not found{why}.") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise ModelFormatError(candidate, "weight path is not a regular file.")
    return fd, st, candidate


def read_group(
    folder: Path | ModelFolder,
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

    Each file is opened (see `ModelFolder`) and its size taken from the descriptor; to read,
    it is opened again and must be the same file (device, inode and size), so at most one
    weight file is open at a time whatever the number of shards.
    """
    own = not isinstance(folder, ModelFolder)
    where = ModelFolder(folder) if not isinstance(folder, ModelFolder) else folder
    try:
        found = []
        for p in paths:
            fd, st, _ = weight_file(where, p, manifest)
            os.close(fd)
            found.append(st)
            if progress is not None:
                progress()
        sizes = [st.st_size for st in found]
        total = sum(sizes)
        extra = None
        if total < min_bytes or (exact and total != min_bytes):
            problem = size_problem(paths, sizes, min_bytes)
            if total < min_bytes or not allow_extra:
                raise ModelFormatError(manifest, problem)
            extra = problem
        want = min_bytes if exact else total
        chunks = []
        for p, first in zip(paths, found):
            take = min(first.st_size, want)
            if take:
                fd, st, shown = weight_file(where, p, manifest)
                with os.fdopen(fd, "rb") as f:
                    if (st.st_dev, st.st_ino, st.st_size) != (
                        first.st_dev,
                        first.st_ino,
                        first.st_size,
                    ):
                        raise ModelFormatError(
                            shown, f"file changed while reading (expected {first.st_size} bytes)."
                        )
                    chunks.append(_read_exactly(f, shown, take, st.st_size))
            want -= take
            if progress is not None:
                progress()
        return b"".join(chunks), extra
    finally:
        if own:
            where.close()


def _read_exactly(f: BinaryIO, path: Path, size: int, file_size: int | None = None) -> bytes:
    """The first `size` bytes of an open file that held `file_size` (default `size`) when
    checked."""
    try:
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

    Saves into one parent folder take turns (an flock on the parent), and each first repairs
    what a killed save of the same target left (see `recover`).
    """
    target = Path(os.path.realpath(os.fspath(target)))  # a symlinked folder is saved in place
    if target.exists() and not target.is_dir():
        raise ValueError(f"{target}: cannot save a model there; it is a file, not a folder.")
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    with _parent_lock(parent) as locked:
        if locked:
            _recover(target)
        kept = _files_to_keep(target) if target.is_dir() else []
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
    """Put `new` at `target`; afterwards `new`'s path holds nothing of value.

    Without an atomic exchange the previous model is renamed aside to `.NAME.old-*` and kept
    until the new folder is in place; a process killed between the two renames leaves no
    folder at `target` but the previous model whole beside it, which the next save or load
    of `target` puts back (`recover`)."""
    if USE_EXCHANGE and _exchange(new, target):  # `new` now holds the previous model
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
    _fsync_dir(target.parent)
    shutil.rmtree(old, ignore_errors=True)


USE_EXCHANGE = True
"""False forces the fallback of file systems without an atomic exchange (two renames)."""


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux's renameat2(RENAME_EXCHANGE), macOS's
    renamex_np(RENAME_SWAP)); False where the system or the file system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if sys.platform.startswith("linux"):
            fn = libc.renameat2
            fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
            fn.argtypes += [ctypes.c_uint]
            at_fdcwd, rename_exchange = -100, 2
            args: tuple = (at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
        elif sys.platform == "darwin":
            fn = libc.renamex_np
            fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
            args = (os.fsencode(a), os.fsencode(b), 2)  # RENAME_SWAP
        else:
            return False
    except (OSError, AttributeError, TypeError):
        return False
    fn.restype = ctypes.c_int
    return fn(*args) == 0


# -- after a killed save: the recovery rule ---------------------------------------------------

LOAD_WAIT_SECONDS = 30.0
"""How long a load that finds its folder missing waits for a save in progress to finish."""

SAVE_WAIT_SECONDS = 300.0
"""How long a save waits for another save into the same parent folder to finish."""

_MAX_LEFTOVER_FILES = 10_000  # more than a save writes and keeps: not a leftover


def _leftover_name(name: str) -> re.Pattern[str]:
    """What a save's temporary folders for `name` are called (mkdtemp's 8 random letters)."""
    return re.compile(r"\." + re.escape(name) + r"\.(saving|old)-[a-z0-9_]{8}")


@contextlib.contextmanager
def _parent_lock(parent: Path, wait: float = SAVE_WAIT_SECONDS) -> Iterator[bool]:
    """Hold an exclusive flock on the folder `parent` (True), waiting at most `wait` seconds;
    False where there is no flock (Windows, some network file systems) or the wait ran out
    (a save hung, or a process that forked during one still holds it): then nothing is
    repaired or deleted, and a save goes on unserialized, as before there was a lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield False
        return
    try:
        fd = os.open(parent, os.O_RDONLY | O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        yield False
        return
    try:
        held, deadline, pause = False, time.monotonic() + wait, 0.001
        while not held:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    break
                time.sleep(pause)
                pause = min(2 * pause, 0.05)
            except OSError:  # e.g. ENOLCK
                break
        yield held
    finally:
        os.close(fd)  # releases the lock


def _leftovers(target: Path) -> list[tuple[str, Path, int]]:
    """(kind, path, ctime) of the save leftovers beside `target` that a save of lstmkit made:
    the name pattern, a real folder of this user holding regular files only."""
    pattern, found = _leftover_name(target.name), []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return []
    for e in entries:
        m = pattern.fullmatch(e.name)
        if m is None or not e.is_dir(follow_symlinks=False):
            continue
        try:
            st = e.stat(follow_symlinks=False)
            inside = list(os.scandir(e.path))
        except OSError:
            continue
        mine = not hasattr(os, "geteuid") or st.st_uid == os.geteuid()
        flat = len(inside) <= _MAX_LEFTOVER_FILES and all(
            f.is_file(follow_symlinks=False) for f in inside
        )
        if mine and flat:
            found.append((m.group(1), Path(e.path), st.st_ctime_ns))
    return found


def _recover(target: Path) -> bool:
    """Under the parent's lock: repair what killed saves of `target` left. True if a previous
    model was put back.

    The rule: if `target` is missing, the newest `.NAME.old-*` (the previous model, renamed
    aside by a save killed before the new one took its place) is renamed back to `target`.
    Then every other leftover is deleted: its model files, and other files only if they are
    linked elsewhere too (a kept file hard-linked in the target); a folder still holding a
    file found nowhere else stays, with a warning naming it."""
    found = _leftovers(target)
    restored = None
    if not os.path.lexists(target):
        olds = sorted((ctime, path) for kind, path, ctime in found if kind == "old")
        if olds:
            try:
                os.rename(olds[-1][1], target)
            except OSError:
                return False  # cannot put it back: delete nothing, it may be the only model
            restored = olds[-1][1]
            _fsync_dir(target.parent)
    for _, path, _ in found:
        if path != restored:
            _remove_leftover(path)
    return restored is not None


def _remove_leftover(folder: Path) -> None:
    left = []
    with contextlib.suppress(OSError):
        for e in list(os.scandir(folder)):
            st = e.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and (_MODEL_FILE.fullmatch(e.name) or st.st_nlink > 1):
                with contextlib.suppress(OSError):
                    os.unlink(e.path)
                    continue
            left.append(e.name)
    try:
        os.rmdir(folder)
    except OSError:
        warnings.warn(
            f"{folder}: an interrupted save of lstmkit left this folder; it holds "
            f"{', '.join(sorted(left)[:5]) or 'files'} found nowhere else, so it stays: move "
            "what you need, then delete it.",
            stacklevel=4,
        )


def recover(folder: Path, wait: float = LOAD_WAIT_SECONDS) -> bool:
    """For a load that found no model at `folder`: if a killed save left the previous model
    beside it, put it back (after waiting up to `wait` seconds for a save in progress to
    finish). True if `folder` is a folder now (put back, or back since the load looked)."""
    if not os.path.lexists(folder) and any(k == "old" for k, _, _ in _leftovers(folder)):
        with _parent_lock(folder.parent, wait) as locked:
            if locked:
                _recover(folder)
    return os.path.isdir(folder)


# -- sources: where a load reads model.json and the weight groups -----------------------------


class FolderSource:
    """A model on disk: `model.json` (or another .json) and its weight files beside it, all
    read through one descriptor of their folder (`ModelFolder`).

    A folder that is missing because a save was killed between its two renames (file systems
    without an atomic exchange) is first put back from the previous model the save left
    beside it (`recover`); a save in progress is waited for."""

    def __init__(self, json_path: Path):
        self.location = json_path
        self._folder: ModelFolder | None = None

    def _opened(self) -> ModelFolder:
        if self._folder is None:
            self._folder = ModelFolder(self.location.parent)
        return self._folder

    def read_model_json(self) -> bytes:
        """The bytes of model.json."""
        try:
            return folder_model_json(self._opened(), self.location.name, self.location)
        except ModelFormatError:
            given = self.location
            if not any([recover(p) for p in (given, given.parent) if p != p.parent]):
                raise
        self.location = model_json_path(given)
        self._folder = None
        try:
            return folder_model_json(self._opened(), self.location.name, self.location)
        except ModelFormatError as e:
            for p in (given, given.parent):
                aside = [path for kind, path, _ in _leftovers(p) if kind == "old"]
                if aside and not os.path.lexists(p):
                    raise ModelFormatError(
                        e.path,
                        f"{e.problem} An interrupted save left the previous model in "
                        f"{aside[0]}, which could not be put back: rename it to {p}.",
                    ) from None
            raise

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
            self._opened(), paths, min_bytes, exact, self.location, allow_extra, progress
        )
