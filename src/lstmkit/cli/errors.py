"""How a command fails: its two kinds of error, their exit statuses, and the optional imports.

Every failure the user can fix ends the command with one line on stderr and no traceback:
bad input (a CliError, or a ValueError from the library's own checks) with status 2, a
missing `cli` extra (pandas, matplotlib) with status 1. `entry.main` maps them.

Names from the user or the file (columns, options, arguments) go into messages through
`quote`, so a newline or a terminal escape in a column name cannot break the one line;
`one_line` is the last guard over the whole message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

EXIT_BAD_INPUT = 2
"""Exit status of bad input: a wrong option, file, column or value."""
EXIT_MISSING_EXTRA = 1
"""Exit status when pandas or matplotlib (the `cli` extra) is not installed."""


class CliError(Exception):
    """Bad input: printed as one line, exit status 2."""


class MissingExtra(Exception):  # noqa: N818 (not a bug: an extra to install)
    """pandas or matplotlib is not installed: printed as one line, exit status 1."""


def require(name: str) -> Any:
    """Import pandas or matplotlib, or raise MissingExtra saying how to install them.

    They come with the `cli` extra and are imported only when a command needs them, so the
    library (and `import lstmkit.cli`) works with NumPy alone.
    """
    try:
        return __import__(name)
    except ImportError:
        raise MissingExtra(
            f"this command needs {name}, which comes with the 'cli' extra: "
            'pip install "lstmkit[cli]"'
        ) from None


def quote(name: object) -> str:
    """`'name'`, with control characters escaped as Python writes them (`'co\\n2'`): a name
    from a file or the command line, safe to put in a one-line message."""
    return repr(str(name))


def quote_all(names: Iterable[object]) -> str:
    """`'a', 'b'`: each name quoted, for "available columns: ..." lists."""
    return ", ".join(quote(n) for n in names)


def one_line(text: str, join_lines: bool = False) -> str:
    """`text` safe to print as one line: every character that is not printable (a newline,
    a terminal escape) is escaped as Python writes it (`\\n`, `\\x1b`). `join_lines` first
    turns line breaks and the spaces around them into one space (a library's message
    written over several lines)."""
    if join_lines:
        text = re.sub(r"\s*[\r\n]+\s*", " ", text.strip())
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
