"""Power cuts as the tests and benches make them: a forked child does the booth's (or the
server's) work and writes a line to a pipe for each thing it confirmed, and is SIGKILLed at a
random moment. Not a test itself: tests/test_kills.py and bench/faults.py use it.

A kill waits for a number of the child's lines first (with a deadline, never a fixed time: a
busy machine only makes the wait longer), then a random moment more, so kills land while the
work is under way however slow the machine is.
"""

from __future__ import annotations

import os
import random
import select
import signal
import time
from collections.abc import Callable

# How long a child may take to write the lines a kill waits for (a starved machine).
REPORT_DEADLINE = 60.0


class ChildReports:
    """The whole lines a child wrote to ``pipe``; a line cut by the kill is not one."""

    def __init__(self, pipe: int):
        self.pipe = pipe
        self.lines: list[str] = []
        self._partial = b""
        self.closed = False

    def read_until(self, deadline: float, lines: int | None = None) -> None:
        """Read until there are ``lines`` lines (None: no such end), the pipe closes, or
        ``deadline`` (time.monotonic) passes."""
        while not self.closed and (lines is None or len(self.lines) < lines):
            ready, _, _ = select.select([self.pipe], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                return
            chunk = os.read(self.pipe, 65536)
            if not chunk:
                self.closed = True
                return
            *whole, self._partial = (self._partial + chunk).split(b"\n")
            self.lines += [line.decode() for line in whole if line]


def kill_repeatedly(
    child: Callable[..., None],
    arguments: tuple,
    kills: int,
    lines_first: Callable[[random.Random], int],
    then: tuple[float, float],
    seed: int,
) -> list[str]:
    """Run ``child(*arguments, pipe)`` in a forked process ``kills`` times, each killed once it
    wrote ``lines_first(chooser)`` lines (0: during its start) and a random ``then`` seconds
    more. Every line all the children wrote, in order."""
    chooser = random.Random(seed)
    lines: list[str] = []
    for _ in range(kills):
        reading, writing = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child is killed, never returns
            os.close(reading)
            try:
                child(*arguments, writing)
            finally:
                os._exit(1)
        os.close(writing)
        reports = ChildReports(reading)
        wanted = lines_first(chooser)
        try:
            deadline = time.monotonic() + REPORT_DEADLINE
            reports.read_until(deadline, wanted)
            if len(reports.lines) < wanted:
                raise AssertionError(
                    f"the child wrote {len(reports.lines)} of {wanted} lines in {REPORT_DEADLINE} s"
                )
            reports.read_until(time.monotonic() + chooser.uniform(*then))
        finally:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        reports.read_until(time.monotonic())  # what it wrote before it died
        os.close(reading)
        lines += reports.lines
    return lines
