"""`main`: the `lstmkit` console script. Parses, runs the subcommand, and turns every error
the user can fix into one line on stderr with its exit status (see `errors`)."""

from __future__ import annotations

import re
import sys

from .errors import EXIT_BAD_INPUT, EXIT_MISSING_EXTRA, CliError, MissingExtra
from .parser import build_parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `lstmkit` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    prog = f"lstmkit {args.command}"
    try:
        return args.run(args)
    except CliError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MissingExtra as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return EXIT_MISSING_EXTRA
    except ValueError as e:  # the library's checks (e.g. a series too short to split)
        print(f"{prog}: error: {_one_line(str(e))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `lstmkit predict ... | head -3`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _one_line(text: str) -> str:
    """A message on one line: newlines and the spaces around them become one space."""
    return re.sub(r"\s*\n\s*", " ", text.strip())
