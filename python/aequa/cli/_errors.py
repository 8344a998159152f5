"""The command line's exit codes and the error that ends a command with code 2."""

from __future__ import annotations

#: Everything passed: no violation, no regression.
EXIT_OK = 0
#: A policy check failed (``check``) or a metric regressed beyond the tolerance (``diff``).
EXIT_VIOLATION = 1
#: Bad input: unreadable or empty file, unknown column, invalid policy, bad option.
EXIT_BAD_INPUT = 2


class CliError(Exception):
    """Bad input or policy: printed as one line on stderr, exit code 2."""


def echo(text: str) -> None:
    """Print to stdout; a closed pipe (``aequa check ... | head``) is not an error."""
    import os
    import sys

    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Send the rest to /dev/null so the interpreter's final flush does not fail either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def read_text(path: str, what: str) -> str:
    """A text file's content; unreadable, non-UTF-8 or empty files end with exit code 2."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise CliError(f"{path}: cannot read {what} ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: {what} is not UTF-8 text") from None
    if not text.strip():
        raise CliError(f"{path}: {what} is empty")
    return text
