"""Stopping a child process, the one way: ask (SIGTERM), give it a grace period, then kill."""

from __future__ import annotations

import subprocess


def stop_process(process: subprocess.Popen, grace: float) -> None:
    """Stop ``process`` and reap it: SIGTERM, up to ``grace`` seconds to finish what it is
    doing, then SIGKILL. A process that already ended is only reaped."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
