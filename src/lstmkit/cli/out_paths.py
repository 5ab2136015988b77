"""Where a command writes, checked before any work: the `--out` folder or file.

Minutes of training must not end in a traceback because `--out` names a file where a folder
is needed (or a folder where a file is), a path under a file, or a place that cannot be
written. `output_folder` and `output_file` check the path, and the files the command will
put there, creating nothing (a refused command leaves no trace); writing later makes what is
missing, parents included.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from pathlib import Path

from .errors import CliError, quote

FORECAST_FILES = ("forecast.csv", "metrics.json", "forecast.png")
"""The files `lstmkit forecast` writes in its `--out` folder."""
FORECAST_FOLDERS = ("model",)
"""The folders it writes there."""

_WRITABLE = os.W_OK | os.X_OK


def output_folder(
    text: str,
    option: str = "--out",
    files: Sequence[str] = FORECAST_FILES,
    folders: Sequence[str] = FORECAST_FOLDERS,
) -> Path:
    """The folder `text`, checked: a writable folder whose `files` are not folders and whose
    `folders` are not files, or a path whose nearest existing parent is a writable folder."""
    p = Path(text)
    where = f"{option} {quote(text)}"
    _not_empty(text, where, "folder")
    if not _exists(p, where):
        _check_creatable(p, where, "folder")
        return p
    if not p.is_dir():
        raise CliError(
            f"{where} is {_what(p)}, not a folder; name a folder (it is made if missing), or "
            "move that file away."
        )
    if not os.access(p, _WRITABLE):
        raise CliError(f"{where}: the folder is not writable; name another folder with {option}.")
    for name in files:
        if _exists(p / name, where) and (p / name).is_dir():
            raise CliError(
                f"{where}: {quote(str(p / name))} is a folder, where the file {quote(name)} is "
                f"to be written; move it away or name another folder with {option}."
            )
    for name in folders:
        if _exists(p / name, where) and not (p / name).is_dir():
            raise CliError(
                f"{where}: {quote(str(p / name))} is {_what(p / name)}, where the folder "
                f"{quote(name)} is to be written; move it away or name another folder with "
                f"{option}."
            )
    return p


def output_file(text: str, option: str = "--out") -> Path:
    """The file `text`, checked: a writable file, or a new file whose nearest existing
    parent is a writable folder (missing folders between are made when it is written)."""
    p = Path(text)
    where = f"{option} {quote(text)}"
    _not_empty(text, where, "file")
    if text.endswith(("/", os.sep)):
        raise CliError(f"{where} ends with a slash: name a file, e.g. {quote(text + 'out.csv')}.")
    if not _exists(p, where):
        _check_creatable(p, where, "file")
        return p
    if p.is_dir():
        raise CliError(
            f"{where} is a folder; name a file for the forecast CSV, e.g. "
            f"{quote(str(p / 'forecast.csv'))}."
        )
    if not os.access(p, os.W_OK):
        raise CliError(f"{where}: the file is not writable; name another file with {option}.")
    return p


def _not_empty(text: str, where: str, kind: str) -> None:
    if not text.strip():
        raise CliError(f"{where} names no {kind}; name one, or drop the option.")


def _exists(p: Path, where: str) -> bool:
    """Whether anything (a broken link too) is at `p`; CliError when the path itself is bad
    (a name too long, a loop of links, a folder that cannot be looked into)."""
    try:
        os.lstat(p)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as e:
        reason = e.strerror or type(e).__name__
        if e.errno == errno.EACCES:
            reason = "a folder on the way cannot be looked into (permission denied)"
        raise CliError(f"{where}: {reason}; name another path.") from None
    except ValueError:  # a NUL character
        raise CliError(f"{where}: not a valid path; name another path.") from None
    return True


def _what(p: Path) -> str:
    if p.is_symlink() and not p.exists():
        return "a broken link"
    return "a file" if p.is_file() else "not a folder"


def _check_creatable(p: Path, where: str, kind: str) -> None:
    """The nearest existing parent of `p` must be a folder this process can write in."""
    parent = p.parent
    while not _exists(parent, where) and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise CliError(
            f"{where}: the {kind} cannot be made, {quote(str(parent))} is {_what(parent)}, not "
            "a folder; name another path."
        )
    if not os.access(parent, _WRITABLE):
        raise CliError(
            f"{where}: the {kind} cannot be made, the folder {quote(str(parent))} is not "
            "writable; name another path."
        )
