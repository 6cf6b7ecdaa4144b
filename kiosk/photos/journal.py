"""The photo journal: an append-only record of every link, from which the index can be rebuilt.

One JSON line per change, next to the photos folder, fsynced before the photo's link is shown:
``add`` (token, file, created, expires), ``remove`` (token), ``signed`` (token). Replaying it
gives the links that should exist, so a damaged or emptied SQLite index loses none of them, and
the download server can still find a photo while the index is unusable.

The file's rules (a lock for appends and compaction, a torn line from a crash kept on a line of
its own, fsync, tolerant replay) are ``kiosk.journal``'s.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.journal import Journal, Replay
from kiosk.photos.index import PhotoRecord

log = logging.getLogger(__name__)


@dataclass
class JournalState:
    """What the journal says now: the live links, which of them are not yet signed, and the
    tokens it has seen removed."""

    live: dict[str, PhotoRecord] = field(default_factory=dict)
    crops: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    unsigned: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    lines: int = 0
    unreadable: int = 0


class PhotoJournal:
    def __init__(self, path: Path):
        self.path = path
        self._file = Journal(path)
        self._cached: tuple[tuple[int, int, int], JournalState] | None = None

    def exists(self) -> bool:
        return self.path.is_file()

    def add(self, record: PhotoRecord, crop: tuple[int, int, int, int] | None = None) -> None:
        """``crop`` (left, top, width, height in the sensor image) lets a photo left unsigned by
        a crash be signed later with the same facts."""
        self._append(_add_entry(record, crop))

    def remove(self, token: str) -> None:
        self._append({"op": "remove", "token": token})

    def signed(self, token: str) -> None:
        self._append({"op": "signed", "token": token})

    def _append(self, entry: dict) -> None:
        self._file.append(entry)

    def replay(self) -> JournalState:
        """The journal's state (cached until the file changes)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return JournalState()
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if self._cached is not None and self._cached[0] == key:
            return self._cached[1]
        state = _state_of(self._file.replay())
        self._cached = (key, state)
        return state

    def compact(self) -> None:
        """Rewrite the journal with only its live links, once removals outnumber them."""
        if self.replay().lines < 2 * len(self.replay().live) + 64:
            return
        before, after = self._file.compact(_live_entries)
        log.info("journal compacted: %d lines to %d", before, after)


def _state_of(replay: Replay) -> JournalState:
    state = JournalState(lines=replay.lines, unreadable=replay.unreadable)
    for entry in replay.records:
        try:
            _apply(state, entry)
        except (ValueError, KeyError, TypeError):
            state.unreadable += 1
    return state


def _live_entries(entries: list[dict]) -> list[dict]:
    """The journal's live links and their signed marks: all a compacted journal needs."""
    state = _state_of(Replay(records=entries))
    lines = []
    for record in state.live.values():
        lines.append(_add_entry(record, state.crops.get(record.token)))
        if record.token not in state.unsigned:
            lines.append({"op": "signed", "token": record.token})
    return lines


def _add_entry(record: PhotoRecord, crop: tuple[int, int, int, int] | None) -> dict:
    entry = {
        "op": "add",
        "token": record.token,
        "file": record.file,
        "created": record.created,
        "expires": record.expires,
    }
    if crop is not None:
        entry["crop"] = list(crop)
    return entry


def _apply(state: JournalState, entry: dict) -> None:
    token = entry["token"]
    match entry["op"]:
        case "add":
            state.live[token] = PhotoRecord(
                token, str(entry["file"]), float(entry["created"]), float(entry["expires"]), 0
            )
            if "crop" in entry:
                left, top, width, height = (int(value) for value in entry["crop"])
                state.crops[token] = (left, top, width, height)
            state.unsigned.add(token)
            state.removed.discard(token)
        case "remove":
            state.live.pop(token, None)
            state.crops.pop(token, None)
            state.unsigned.discard(token)
            state.removed.add(token)
        case "signed":
            state.unsigned.discard(token)
        case _:
            raise ValueError(entry["op"])
