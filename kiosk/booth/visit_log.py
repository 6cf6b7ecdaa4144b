"""The visit log: one JSON line per visit, for tuning thresholds from real use."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class VisitLog:
    def __init__(self, path: Path):
        self.path = path

    def append(self, record: dict[str, Any], ended_at: dt.datetime) -> dict[str, Any]:
        started_at = ended_at - dt.timedelta(seconds=record.get("duration_s", 0.0))
        line = {
            "started": started_at.isoformat(timespec="seconds"),
            "ended": ended_at.isoformat(timespec="seconds"),
            **record,
        }
        text = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
        log.info("visit %s", text)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(text + "\n")
        except OSError as error:
            # The journal already holds the line; a full disk must not stop the booth here.
            log.error("cannot append to visit log %s: %s", self.path, error)
        return line
