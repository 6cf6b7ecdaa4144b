"""Privacy over time: photos and their links are deleted once their retention has passed."""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import StorageLayout, describe_duration
from kiosk.exits import counted
from kiosk.photos.index import PhotoIndex
from kiosk.photos.journal import PhotoJournal
from kiosk.photos.repair import check_index

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeResult:
    records: int
    files: int
    tokens: tuple[str, ...] = ()  # the links that were deleted


def purge(index: PhotoIndex, layout: StorageLayout, now: float, retention: float) -> PurgeResult:
    """Delete every photo taken more than ``retention`` seconds before ``now``, with its link.

    Files under ``photos/`` that no record names (a crash between writing a photo and indexing
    it, a retake's leftovers) go too once they are that old, so nothing stays for ever.
    """
    cutoff = now - retention
    photos_dir = layout.photos_dir
    journal = PhotoJournal(layout.journal_path)
    files = 0
    old = index.created_before(cutoff)
    for record in old:
        # The link goes first: a photo is never served while it is being deleted.
        index.remove(record.token)
        _note_removal(journal, record.token)
        if _unlink(_inside(layout, record.file)):
            files += 1
    known = index.files()
    if photos_dir.is_dir():
        for path in photos_dir.rglob("*"):
            if path.is_symlink() or not path.is_file():
                continue  # a link is never followed out of the folder
            if layout.photo_name(path) not in known and path.stat().st_mtime < cutoff:
                files += _unlink(path)
        for folder in sorted(photos_dir.iterdir(), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    try:
        journal.compact()
    except OSError as error:
        log.error("cannot compact the photo journal: %s", error)
    if old or files:
        log.info(
            "purged %s and %s older than %s",
            counted(len(old), "link"),
            counted(files, "photo file"),
            describe_duration(retention),
        )
    return PurgeResult(records=len(old), files=files, tokens=tuple(r.token for r in old))


def purge_files(layout: StorageLayout, retention: float) -> PurgeResult:
    """``purge`` as of now, with a connection of its own (for a worker thread or a command).
    Raises ``sqlite3.Error`` for a damaged or emptied index (``kiosk index rebuild`` mends it),
    rather than purging against a fresh empty one."""
    verdict = check_index(layout.index_path, PhotoJournal(layout.journal_path))
    if not verdict.ok:
        raise sqlite3.DatabaseError(verdict.describe())
    index = PhotoIndex(layout.index_path)
    try:
        return purge(index, layout, time.time(), retention)
    finally:
        index.close()


def purge_quietly(layout: StorageLayout, retention: float) -> PurgeResult | None:
    """``purge_files`` for the booth's housekeeping: a failure is a log line, not an error."""
    try:
        return purge_files(layout, retention)
    except (sqlite3.Error, OSError) as error:
        log.error("cannot purge old photos: %s", error)
        return None


def _inside(layout: StorageLayout, name: str) -> Path | None:
    """The file a row names, if it lies in the photos folder: a row naming ``photos/../x``
    must never delete ``x``."""
    real = layout.photo_inside(name)
    if real is None:
        log.error("not deleting %s: it lies outside the photos folder %s", name, layout.photos_dir)
    return real


def _note_removal(journal: PhotoJournal, token: str) -> None:
    try:
        journal.remove(token)
    except OSError as error:  # the row and file go anyway; a rebuild skips missing files
        log.error("cannot note a purged link in the journal: %s", error)


def _unlink(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as error:
        log.error("cannot delete %s: %s", path, error)
        return False
    return True


def delete_on_request(layout: StorageLayout, tokens: list[str]) -> list[str]:
    """Delete the photos whose owners asked for it (from the share page): link, then file.
    Tokens already gone cost a lookup. Returns the tokens of the photos deleted now."""
    journal = PhotoJournal(layout.journal_path)
    live = journal.replay().live
    index = PhotoIndex(layout.index_path)
    deleted: list[str] = []
    try:
        for token in tokens:
            record = index.get(token) or live.get(token)
            if record is None:
                continue
            index.remove(token)
            if token in live:
                _note_removal(journal, token)
            _unlink(_inside(layout, record.file))
            log.info("deleted a photo at its owner's request: %s", record.file)
            deleted.append(token)
    finally:
        index.close()
    return deleted
