"""How every ``kiosk`` command ends: the exit codes of the README's table ("Commands"), and the
one way a command refuses to start (each problem on a line, then a count and why)."""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_FAILURE = 1  # the command could not do its work; the last line says why
EXIT_BAD_CONFIG = 2  # the config, an option or an input file is wrong
EXIT_NO_CREDENTIALS = 3  # kiosk verify: the photo carries no Content Credentials
EXIT_UNTRUSTED = 4  # kiosk verify: intact, but not signed under the --trust CA
EXIT_BAD_TRUST = 5  # kiosk verify: the --trust file is no usable CA certificate
EXIT_INVALID = 1  # kiosk verify: the credentials are broken or the photo was changed
EXIT_INTERRUPTED = 130


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun`` agreeing in number: "1 photo", "2 photos"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def refuse(problems: list[str], summary: str) -> int:
    """Print each problem and a closing line; the exit code for a wrong config."""
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{counted(len(problems), 'problem')}; {summary}", file=sys.stderr)
    return EXIT_BAD_CONFIG


def fail(message: str) -> int:
    """One line on stderr saying why the command could not do its work."""
    print(message, file=sys.stderr)
    return EXIT_FAILURE
