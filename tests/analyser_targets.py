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


def five_times_slower(connection, models_dir: str, threads: int) -> None:
    """The real analyser on a device five times slower: each answer waits four more times as
    long as its analysis took."""
    from pathlib import Path

    import numpy as np

    from kiosk.vision.faces import FaceAnalyser

    analyser = FaceAnalyser(Path(models_dir), threads)
    connection.send(("ready", None))
    while True:
        try:
            moment, frame = connection.recv()
        except EOFError:
            return
        started = time.perf_counter()
        rgb = frame if frame.ndim == 3 else np.repeat(frame[..., None], 3, axis=2)
        faces = analyser.analyse(np.ascontiguousarray(rgb))
        time.sleep(4 * (time.perf_counter() - started))
        connection.send((moment, faces, time.perf_counter() - started))
