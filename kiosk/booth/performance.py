"""How fast the booth actually runs on this device: the frame rate the screen achieves and the
analyser's pace, written now and then to a small file that `kiosk status` reads."""

from __future__ import annotations

import datetime as dt
import json
from collections import deque
from pathlib import Path
from typing import Any

from kiosk.files import write_atomically

REPORT_INTERVAL = 60.0


class FrameRate:
    """Frames per second over the last few seconds of booth time."""

    def __init__(self, window: float = 5.0):
        self.window = window
        self._times: deque[float] = deque()

    def frame(self, now: float) -> None:
        self._times.append(now)
        while self._times and now - self._times[0] > self.window:
            self._times.popleft()

    @property
    def fps(self) -> float | None:
        if len(self._times) < 2 or self._times[-1] == self._times[0]:
            return None
        return (len(self._times) - 1) / (self._times[-1] - self._times[0])


def performance_record(
    fps: float | None,
    target_fps: int,
    analysis_seconds: float | None,
    answer_limit: float | None,
    when: dt.datetime,
) -> dict[str, Any]:
    return {
        "measured": when.isoformat(timespec="seconds"),
        "screen_fps": round(fps, 1) if fps is not None else None,
        "target_fps": target_fps,
        "analysis_ms": round(analysis_seconds * 1000, 1) if analysis_seconds is not None else None,
        "answer_limit_s": round(answer_limit, 2) if answer_limit is not None else None,
    }


def write_performance(path: Path, record: dict[str, Any]) -> None:
    write_atomically(path, json.dumps(record).encode())


def read_performance(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None
