"""Stand-in analyser processes that misbehave on purpose (run in a spawned child)."""

from __future__ import annotations

import os
import time


def exits_at_once(connection, models_dir: str, threads: int) -> None:
    os._exit(3)


def hangs_while_loading(connection, models_dir: str, threads: int) -> None:
    time.sleep(3600)


def hangs_after_ready(connection, models_dir: str, threads: int) -> None:
    connection.send(("ready", None))
    connection.recv()
    time.sleep(3600)


def five_times_slower(connection, models_dir: str, threads: int) -> None:
    """The real analyser on a device five times slower: each analysis takes four more times
    as long again."""
    from pathlib import Path

    from kiosk.vision.analyser import frame_analysis, serve_frames

    analyse, reset, warm_up = frame_analysis(Path(models_dir), threads)

    def slowly(rgb, single):
        started = time.perf_counter()
        faces = analyse(rgb, single)
        time.sleep(4 * (time.perf_counter() - started))
        return faces

    serve_frames(connection, slowly, reset, warm_up)
