"""Opening the files of a model folder without following a link out of it.

Every file of a load is opened relative to a descriptor of the model folder, one path
component at a time with O_NOFOLLOW (`os.open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC,
dir_fd=...)`, sub-folders with O_DIRECTORY), so a symlink swapped in between a check and the
open is never followed by the kernel: the caller then checks what it opened with `os.fstat`
and reads from that descriptor only. Where `os.open` takes no `dir_fd` (Windows) the path
is resolved, checked to stay inside the folder, opened, and the opened file must be the one
the path resolved to.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in opens at once (then fails fstat)
    | getattr(os, "O_BINARY", 0)
)
DIR_FD_OPENS = bool(
    _O_NOFOLLOW
    and O_DIRECTORY
    and os.open in os.supports_dir_fd
    and os.readlink in os.supports_dir_fd
)
"""True where a load opens every file relative to the folder's descriptor (Linux, macOS, the
BSDs); elsewhere (Windows) by path, checked before and after the open."""

MAX_SYMLINKS = 40
"""Symlinks followed (by hand, inside the folder) for one file, as Linux's own limit."""

MAX_WALK_STEPS = 256
"""Path components (folders, `..`, links' own components) walked for one file at most: opening
a file costs at most this many system calls however its links are made."""

_NOT_FOLLOWED = {errno.ELOOP, errno.ENOTDIR, getattr(errno, "EMLINK", errno.ELOOP)}


class OutsideFolderError(Exception):
    """A path (or a symlink on it) that leads outside the model folder."""


class ModelFolder:
    """An open model folder: each file of a load is opened relative to the folder's descriptor,
    one path component at a time with O_NOFOLLOW, and read from that descriptor only.

    A symlink met on the way is resolved by hand, inside the folder: a relative link from the
    directory holding it; an absolute one, or `..` above the folder, only if it resolves to a
    path in the folder, as os.path.realpath would; at most MAX_SYMLINKS per file. A file that
    stays in the folder loads (TF.js's file:// loader follows links), one that leaves it is
    refused however the links are swapped meanwhile, since the kernel never follows a link.
    The caller checks what was opened with fstat (a regular file, of the size found first)."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None
        self._real: str | None = None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def _root(self) -> int | None:
        """The folder's descriptor (opened once: every file comes from the same folder), or
        None where descriptors cannot be used (then paths are checked)."""
        if self._fd is None and DIR_FD_OPENS:
            self._fd = os.open(self.path, _O_FLAGS | O_DIRECTORY)
            self._real = os.path.realpath(self.path)
        return self._fd

    def _real_root(self) -> str:
        if self._real is None:
            self._real = os.path.realpath(self.path)
        return self._real

    def open(self, parts: list[str]) -> int:
        """A descriptor of the file `parts` names in the folder (OSError, or OutsideFolderError)."""
        root = self._root()
        if root is None:
            return self._open_by_path(parts)
        stack: list[int] = []  # descriptors of the sub-folders entered, innermost last
        todo, links, steps = list(parts), 0, 0
        try:
            while todo:
                name = todo.pop(0)
                steps += 1
                if steps > MAX_WALK_STEPS:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))
                if name in ("", "."):
                    if not todo:  # "dir/" or a link to "." names a folder, not a file
                        name = "."
                    else:
                        continue
                if name == "..":
                    if not stack:  # above the folder: allowed only if it comes back in
                        above = os.path.dirname(self._real_root())
                        todo[:] = self._absolute(os.path.join(above, *todo), stack)
                        continue
                    os.close(stack.pop())
                    if not todo:  # ends on a folder: open it, to be refused as one
                        todo.append(".")
                    continue
                here = stack[-1] if stack else root
                flags = _O_FLAGS | _O_NOFOLLOW | (O_DIRECTORY if todo else 0)
                try:
                    stack.append(os.open(name, flags, dir_fd=here))
                    continue
                except OSError as e:
                    if e.errno not in _NOT_FOLLOWED:
                        raise
                    try:
                        text = os.readlink(name, dir_fd=here)
                    except OSError:
                        raise e from None  # not a symlink: a file where a folder should be
                links += 1
                if links > MAX_SYMLINKS:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))
                todo[:0] = self._link_parts(text, stack)
            fd = stack.pop()
        finally:
            for d in stack:
                os.close(d)
        return fd

    def _link_parts(self, text: str, stack: list[int]) -> list[str]:
        """The components a symlink's text leads to, from where the walk stands; an absolute
        link restarts at the folder if it names a path inside it."""
        if not os.path.isabs(text):
            return text.split(os.sep)
        return self._absolute(text, stack)

    def _absolute(self, text: str, stack: list[int]) -> list[str]:
        """The components, from the folder, of the absolute path `text` if it resolves inside
        the folder (the walk then restarts at the folder); OutsideFolderError otherwise."""
        root = self._real_root()
        real = os.path.realpath(text)  # only to name the place; it is then walked by hand
        if real != root and os.path.commonpath([root, real]) != root:
            raise OutsideFolderError
        while stack:
            os.close(stack.pop())
        return os.path.relpath(real, root).split(os.sep)

    def _open_by_path(self, parts: list[str]) -> int:
        """Without directory descriptors: the path must resolve inside the folder, and what
        was opened must still be the file at that path, with no link on it (so a link swapped
        in for the open is caught afterwards; best effort: the checks are paths again)."""
        root = self._real_root()
        real = os.path.realpath(self.path.joinpath(*parts))
        if os.path.commonpath([root, real]) != root:
            raise OutsideFolderError
        fd = os.open(real, _O_FLAGS | _O_NOFOLLOW)
        try:
            if os.path.realpath(real) != real or not os.path.samestat(os.fstat(fd), os.lstat(real)):
                raise OutsideFolderError
        except BaseException:
            os.close(fd)
            raise
        return fd
