"""Power cuts as the tests and benches make them: a child process does the booth's (or the
server's) work and writes a line to a pipe for each thing it confirmed, and is SIGKILLed at a
random moment. Not a test itself: tests/test_kills.py and bench/faults.py use it.

The children come from multiprocessing's fork server, not from a fork of the caller: pytest's
process has threads of earlier tests by then, and a fork taken while one of them held a lock
(the allocator's, logging's) leaves the child waiting on it for ever. The server is a fresh,
single-threaded process that has already imported the child's module, so each child still
starts in milliseconds.

A kill waits for a number of the child's lines first (with a deadline, never a fixed time: a
busy machine only makes the wait longer), then a random moment more, so kills land while the
work is under way however slow the machine is.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import multiprocessing.forkserver
import os
import random
import select
import sys
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


def _start_fork_server(context: multiprocessing.context.BaseContext, module: str) -> None:
    """Start the fork server with ``module`` imported. Python 3.11's server ignores the sys.path
    it is given, so the module's folder (tests/ or bench/) goes in through PYTHONPATH."""
    context.set_forkserver_preload([module])
    folder = os.path.dirname(os.path.abspath(sys.modules[module].__file__ or "."))
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [folder, before]))
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before


def _run_child(
    child: Callable[..., None], arguments: tuple, report: multiprocessing.connection.Connection
) -> None:
    child(*arguments, report.fileno())


def kill_repeatedly(
    child: Callable[..., None],
    arguments: tuple,
    kills: int,
    lines_first: Callable[[random.Random], int],
    then: tuple[float, float],
    seed: int,
) -> list[str]:
    """Run ``child(*arguments, pipe)`` in a child process ``kills`` times, each killed once it
    wrote ``lines_first(chooser)`` lines (0: during its start) and a random ``then`` seconds
    more. Every line all the children wrote, in order. ``child`` and ``arguments`` must pickle,
    and ``child`` must come from a module other than ``__main__``. Each child still runs the
    caller's script again as multiprocessing starts it (20-30 ms with the bench's imports): a
    kill meant for the work waits for a line first.

    The fork server starts once per process, with the first caller's module; a later caller's
    module is imported by each of its children at start (they get the caller's sys.path)."""
    if child.__module__ == "__main__":
        raise ValueError(
            f"{child.__name__} is the script's own: each child would run the whole script again "
            "before its work; give the children a module of their own"
        )
    context = multiprocessing.get_context("forkserver")
    _start_fork_server(context, child.__module__)
    chooser = random.Random(seed)
    lines: list[str] = []
    for _ in range(kills):
        reading, writing = context.Pipe(duplex=False)
        process = context.Process(target=_run_child, args=(child, arguments, writing), daemon=True)
        process.start()
        writing.close()
        reports = ChildReports(reading.fileno())
        wanted = lines_first(chooser)
        try:
            started = time.monotonic()
            reports.read_until(started + REPORT_DEADLINE, wanted)
            if len(reports.lines) < wanted:
                process.join(0.1)
                state = "still running" if process.exitcode is None else process.exitcode
                raise AssertionError(
                    f"the child wrote {len(reports.lines)} of {wanted} lines in "
                    f"{time.monotonic() - started:.1f} s ({state}; its traceback, if any, is in "
                    "the captured stderr)"
                )
            reports.read_until(time.monotonic() + chooser.uniform(*then))
        finally:
            process.kill()
            process.join()
        reports.read_until(time.monotonic())  # what it wrote before it died
        reading.close()
        lines += reports.lines
    return lines
