"""Checking and rebuilding the photo index from the journal, and tidying up after a crash.

The index (SQLite) is what booth, purge and server normally use; the journal is what it can be
rebuilt from. A damaged index is set aside (never deleted: someone may want to look at it) and
a fresh one is written from the journal, plus whatever rows of the old one are still readable.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import StorageLayout
from kiosk.exits import counted
from kiosk.photos.index import PhotoIndex, PhotoRecord
from kiosk.photos.journal import PhotoJournal

log = logging.getLogger(__name__)

_SQLITE_FILES = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class IndexCheck:
    """Whether the index can be trusted; ``problem`` says why not."""

    problem: str | None
    rows: int
    expected: int
    # Links of the journal the (otherwise sound) index lacks: a stop between the two writes.
    missing: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        if self.problem is None:
            return f"index sound: {counted(self.rows, 'link')}, the journal expects {self.expected}"
        return f"index damaged: {self.problem}"


def check_index(index_path: Path, journal: PhotoJournal) -> IndexCheck:
    """``PRAGMA quick_check`` and every live link of the journal present; never writes."""
    state = journal.replay()
    expected = len(state.live)
    try:
        index = PhotoIndex(index_path, read_only=True)
    except sqlite3.Error as error:
        new = not index_path.exists() or index_path.stat().st_size == 0
        if new and expected == 0:
            return IndexCheck(None, 0, 0)  # a new booth (perhaps creating its index just now)
        return IndexCheck(str(error), 0, expected)
    try:
        problem = index.quick_check()
        if problem is not None:
            return IndexCheck(f"SQLite finds {problem}", 0, expected)
        tokens = index.tokens()
    except sqlite3.Error as error:
        return IndexCheck(str(error), 0, expected)
    finally:
        index.close()
    missing = tuple(sorted(set(state.live) - tokens))
    if missing:
        problem = f"{len(missing)} of the journal's {expected} links are missing"
        return IndexCheck(problem, len(tokens), expected, missing)
    return IndexCheck(None, len(tokens), expected)


def rebuild_index(layout: StorageLayout, journal: PhotoJournal) -> int:
    """Write a new index from the journal (plus readable rows of the old one whose photo is
    still there and the journal does not know); the old files are kept beside it as
    ``*.damaged-<time>``. Returns the rows."""
    index_path = layout.index_path
    state = journal.replay()
    # A save cut short may leave an old row for a photo the journal links under another token:
    # the journal's link is the one that counts (a photo has one link).
    journalled = {record.file for record in state.live.values()}
    kept: dict[str, PhotoRecord] = {}
    for record in _readable_rows(index_path):
        if (
            record.token not in state.removed
            and record.file not in journalled
            and layout.photo_path(record.file).is_file()
        ):
            kept[record.token] = record
    kept.update(state.live)
    fresh = index_path.with_name(index_path.name + ".rebuilding")
    for suffix in _SQLITE_FILES:
        Path(f"{fresh}{suffix}").unlink(missing_ok=True)
    index = PhotoIndex(fresh)
    try:
        for record in kept.values():
            index.add(record.token, record.file, record.created, record.expires)
    finally:
        index.close()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for suffix in _SQLITE_FILES:
        old = Path(f"{index_path}{suffix}")
        if old.exists():
            old.replace(f"{index_path}.damaged-{stamp}{suffix}")
    fresh.replace(index_path)
    log.warning(
        "index rebuilt from the journal: %s (old index kept as %s.damaged-%s)",
        counted(len(kept), "link"),
        index_path.name,
        stamp,
    )
    return len(kept)


def _readable_rows(index_path: Path) -> list[PhotoRecord]:
    try:
        index = PhotoIndex(index_path, read_only=True)
    except sqlite3.Error:
        return []
    try:
        return index.records()
    except sqlite3.Error:
        return []
    finally:
        index.close()


def seed_journal(index_path: Path, journal: PhotoJournal) -> int:
    """A booth from before the journal: write the index's links into a new journal once."""
    if journal.exists():
        return 0
    records = _readable_rows(index_path)
    for record in records:
        journal.add(record)
        journal.signed(record.token)
    if records:
        log.info("journal started from the index's %s", counted(len(records), "link"))
    return len(records)


def remove_temporary_files(photos_dir: Path) -> int:
    """Half-written photos a crash left behind (``write_atomically``'s ``.NAME.PID.tmp``)."""
    removed = 0
    if photos_dir.is_dir():
        for path in photos_dir.rglob(".*.tmp"):
            if path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
                removed += 1
    if removed:
        log.info("removed %s a crash left in %s", counted(removed, "temporary file"), photos_dir)
    return removed


def ensure_index(layout: StorageLayout, journal: PhotoJournal) -> str | None:
    """At the booth's start: check the index, rebuild it if damaged or emptied. Returns None
    when the index can be used, else why not (the booth then shows out of order)."""
    index_path = layout.index_path
    try:
        seed_journal(index_path, journal)
    except OSError as error:
        log.error("cannot start the photo journal %s: %s", journal.path, error)
    verdict = check_index(index_path, journal)
    if verdict.ok:
        return None
    if verdict.rows and verdict.missing and _add_missing(index_path, journal, verdict.missing):
        return None
    log.error("%s; rebuilding it from the journal", verdict.describe())
    try:
        rebuild_index(layout, journal)
    except (OSError, sqlite3.Error) as error:
        reason = f"photo index damaged ({verdict.problem}) and cannot be rebuilt: {error}"
        log.error("%s", reason)
        return reason
    again = check_index(index_path, journal)
    if not again.ok:
        reason = f"photo index still damaged after rebuilding: {again.problem}"
        log.error("%s", reason)
        return reason
    return None


def _add_missing(index_path: Path, journal: PhotoJournal, tokens: tuple[str, ...]) -> bool:
    """Index the few links a stop between journal and index left out; False if that fails."""
    live = journal.replay().live
    try:
        index = PhotoIndex(index_path)
        try:
            for token in tokens:
                record = live[token]
                index.add(record.token, record.file, record.created, record.expires)
        finally:
            index.close()
    except sqlite3.Error as error:
        log.error("cannot add the journal's missing links to the index: %s", error)
        return False
    log.info("indexed %s the journal had and the index lacked", counted(len(tokens), "link"))
    return True


def open_booth_index(layout: StorageLayout, journal: PhotoJournal) -> tuple[PhotoIndex, str | None]:
    """The booth's start (after ``remove_temporary_files``): the index is checked, rebuilt if
    need be, and opened. If it cannot be used, an in-memory stand-in comes back with the
    reason: photos and their journal lines are still written, and the booth shows out of
    order until the index works again."""
    index_path = layout.index_path
    problem = ensure_index(layout, journal)
    if problem is None:
        try:
            return PhotoIndex(index_path), None
        except sqlite3.Error as error:
            problem = f"cannot open the photo index {index_path}: {error}"
            log.error("%s", problem)
    return PhotoIndex(Path(":memory:")), problem
