"""The ``aequa`` command: ``audit``, ``check`` and ``diff`` (one module per command).

Exit codes (the same for every command):

- 0: done, every check passed, no regression;
- 1: a policy check failed (``check``) or a metric regressed beyond the tolerance (``diff``);
- 2: bad input: an unreadable or empty file, a column that is not in the data, an invalid
  policy or option. One line on stderr says what and where. An unexpected error also exits
  with 2 (never 1, which CI would read as a violation); ``AEQUA_DEBUG=1`` shows its traceback.

Examples
--------
>>> from aequa.cli import main
>>> main(["--version"])  # doctest: +ELLIPSIS
aequa ...
0
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from aequa.cli._errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATION, CliError

__all__ = ["main", "EXIT_OK", "EXIT_VIOLATION", "EXIT_BAD_INPUT", "CliError"]

_EPILOG = """exit codes: 0 ok; 1 a check failed (check) or a metric regressed (diff);
2 bad input (unreadable or empty file, unknown column, invalid policy or option)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    from aequa import __version__
    from aequa.cli import audit, check, diff

    parser = _Parser(
        prog="aequa",
        description="Fairness audits, policy checks and regression diffs for CI.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"aequa {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in (audit, check, diff):
        p = module.add_parser(sub)
        p.epilog = _EPILOG
        p.formatter_class = argparse.RawDescriptionHelpFormatter
        p.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0, 1 or 2)."""
    from aequa._core import AequaError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version (0) or a usage error (2)
        if e.code in (None, 0):
            return EXIT_OK
        return int(e.code) if isinstance(e.code, int) else EXIT_BAD_INPUT
    if getattr(args, "run", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return int(args.run(args))
    except CliError as e:
        sys.stderr.write(f"aequa {args.command}: error: {e}\n")
        return EXIT_BAD_INPUT
    except AequaError as e:
        sys.stderr.write(f"aequa {args.command}: error: {_one_line(e)}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("\naequa: interrupted\n")
        return 130
    except Exception as e:  # noqa: BLE001 - never exit 1 (a violation) on a crash
        if os.environ.get("AEQUA_DEBUG"):
            raise
        sys.stderr.write(
            f"aequa {args.command}: error: unexpected {type(e).__name__}: {_one_line(e)} "
            "(set AEQUA_DEBUG=1 for the traceback; please report it)\n"
        )
        return EXIT_BAD_INPUT


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())
