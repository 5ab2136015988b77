"""How a command fails: its two kinds of error, their exit statuses, and the optional imports.

Every failure the user can fix ends the command with one line on stderr and no traceback:
bad input (a CliError, or a ValueError from the library's own checks) with status 2, a
missing `cli` extra (pandas, matplotlib) with status 1. `entry.main` maps them.
"""

from __future__ import annotations

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
