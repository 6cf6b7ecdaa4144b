"""The visit log: one JSON line per visit, for tuning thresholds from real use.

The file under the storage folder holds the whole line; the system journal, which more people
can read than the photos and which keeps lines past a link's expiry, gets it without the token.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from kiosk.journal import Journal

log = logging.getLogger(__name__)

# What leads to the photo: kept in the visit log's file, never written to the system journal.
PRIVATE_KEYS = frozenset({"token"})


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
        public = {key: value for key, value in line.items() if key not in PRIVATE_KEYS}
        log.info("visit %s", json.dumps(public, ensure_ascii=False, separators=(",", ":")))
        try:
            # Statistics: no fsync (a visit's photo and link have their own durable journal).
            Journal(self.path).append(line, durable=False)
        except OSError as error:
            # The journal already holds the line; a full disk must not stop the booth here.
            log.error("cannot append to visit log %s: %s", self.path, error)
        return line
