"""Stand-in analyser processes that misbehave on purpose (run in a spawned child)."""

from __future__ import annotations

import os
import time


def exits_at_once(connection, models_dir: str, threads: int) -> None:
    os._exit(3)


def hangs_after_ready(connection, models_dir: str, threads: int) -> None:
    connection.send(("ready", None))
    connection.recv()
    time.sleep(3600)
