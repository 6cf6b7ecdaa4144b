"""Progress of work that takes more than a few seconds, on standard error: a count people can
watch (``writing every screen: 6 of 18``), rewritten in place on a terminal and a line at each
tenth elsewhere (a log, CI), so a long job is never silent."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``total`` steps of ``what``; ``advance`` after each, ``done`` at the end."""

    def __init__(self, what: str, total: int, unit: str = "", stream: TextIO | None = None):
        self.what = what
        self.total = max(1, total)
        self.unit = f" {unit}" if unit else ""
        self.count = 0
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self.started = time.monotonic()
        self._shown_tenth = -1
        self._show()

    def advance(self, steps: int = 1) -> None:
        self.count = min(self.total, self.count + steps)
        self._show()

    def done(self) -> None:
        """The end: on a terminal the line is kept; elsewhere the last count is written."""
        self.count = self.total
        if self.terminal:
            self._show()
            self.stream.write("\n")
            self.stream.flush()
        elif self._shown_tenth != 10:
            self._show()

    def _show(self) -> None:
        tenth = self.count * 10 // self.total
        if not self.terminal and tenth == self._shown_tenth:
            return
        self._shown_tenth = tenth
        seconds = time.monotonic() - self.started
        line = f"{self.what}: {self.count} of {self.total}{self.unit} ({seconds:.0f} s)"
        self.stream.write(f"\r\033[K{line}" if self.terminal else f"{line}\n")
        self.stream.flush()
