"""kiosk/processes.py: a child is asked to stop, and killed only when it does not."""

from __future__ import annotations

import signal
import subprocess
import sys

from kiosk.processes import stop_process

# Says it is ready once its SIGTERM handling is in place, then waits to be stopped.
WAITING = """
import signal, sys, time
{setup}
print("ready", flush=True)
time.sleep(60)
"""


def child(setup: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", WAITING.format(setup=setup)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline() == "ready\n"
    return process


def test_a_child_that_heeds_sigterm_ends_by_it() -> None:
    process = child("")
    stop_process(process, 10)
    assert process.returncode == -signal.SIGTERM


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace() -> None:
    process = child("signal.signal(signal.SIGTERM, signal.SIG_IGN)")
    stop_process(process, 0.2)
    assert process.returncode == -signal.SIGKILL


def test_a_child_that_ended_is_only_reaped() -> None:
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    process.wait()
    stop_process(process, 10)
    assert process.returncode == 3
