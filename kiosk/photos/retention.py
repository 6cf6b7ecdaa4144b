"""Privacy over time: photos and their links are deleted once their retention has passed."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import describe_duration
from kiosk.photos.index import PhotoIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeResult:
    records: int
    files: int
    tokens: tuple[str, ...] = ()  # the links that were deleted


def purge(index: PhotoIndex, storage_dir: Path, now: float, retention: float) -> PurgeResult:
    """Delete every photo taken more than ``retention`` seconds before ``now``, with its link.

    Files under ``photos/`` that no record names (a crash between writing a photo and indexing
    it, a retake's leftovers) go too once they are that old, so nothing stays for ever.
    """
    cutoff = now - retention
    photos_dir = storage_dir / "photos"
    files = 0
    old = index.created_before(cutoff)
    for record in old:
        # The link goes first: a photo is never served while it is being deleted.
        index.remove(record.token)
        path = storage_dir / record.file
        if path.is_relative_to(photos_dir) and _unlink(path):
            files += 1
    known = index.files()
    if photos_dir.is_dir():
        for path in photos_dir.rglob("*"):
            relative = path.relative_to(storage_dir).as_posix()
            if path.is_file() and relative not in known and path.stat().st_mtime < cutoff:
                files += _unlink(path)
        for folder in sorted(photos_dir.iterdir(), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    if old or files:
        log.info(
            "purged %d links and %d photo files older than %s",
            len(old),
            files,
            describe_duration(retention),
        )
    return PurgeResult(records=len(old), files=files, tokens=tuple(r.token for r in old))


def purge_files(index_path: Path, storage_dir: Path, retention: float) -> PurgeResult:
    """``purge`` as of now, with a connection of its own (for a worker thread or a command)."""
    index = PhotoIndex(index_path)
    try:
        return purge(index, storage_dir, time.time(), retention)
    finally:
        index.close()


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as error:
        log.error("cannot delete %s: %s", path, error)
        return False
    return True
