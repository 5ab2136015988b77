"""`main`: the `lstmkit` console script. Parses, runs the subcommand, and turns every error
the user can fix into one line on stderr with its exit status (see `errors`)."""

from __future__ import annotations

import sys

from .errors import EXIT_BAD_INPUT, EXIT_MISSING_EXTRA, CliError, MissingExtra, one_line, quote
from .parser import build_parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `lstmkit` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    prog = f"lstmkit {args.command}"
    try:
        return args.run(args)
    except CliError as e:
        return _fail(prog, one_line(str(e)), EXIT_BAD_INPUT)
    except MissingExtra as e:
        return _fail(prog, one_line(str(e)), EXIT_MISSING_EXTRA)
    except ValueError as e:  # the library's checks (e.g. a series too short to split)
        return _fail(prog, one_line(str(e), join_lines=True), EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `lstmkit predict ... | head -3`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as e:  # a file that changed after the checks, a full disk, ...
        return _fail(prog, _os_error(e), EXIT_BAD_INPUT)


def _fail(prog: str, message: str, status: int) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return status


def _os_error(e: OSError) -> str:
    """'cannot use 'out/model': No space left on device (errno 28).'"""
    what = f"cannot use {quote(e.filename)}: " if e.filename is not None else ""
    reason = e.strerror or type(e).__name__
    return one_line(f"{what}{reason}" + (f" (errno {e.errno})." if e.errno else "."))
