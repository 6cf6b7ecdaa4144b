"""Finding the photo behind a token, for the download server: the one door into the photos.

The index is read-only here and reopened when the booth replaces it (a rebuild); the photo
journal stands behind it, so a link the booth made is found even while the index lacks it or
cannot be read. Only the file a record names inside the photos folder is ever handed out.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.config import StorageLayout
from kiosk.photos.index import PhotoIndex, PhotoRecord
from kiosk.photos.journal import PhotoJournal
from kiosk.photos.repair import check_index

log = logging.getLogger(__name__)

INDEX_RECHECK = 10.0  # seconds between looks at whether the booth replaced the index


class PhotoLookup:
    """Thread-safe: the server looks the index over again on a worker thread (the look reads
    the whole journal and index: tens of milliseconds on a Pi with an event's photos) while its
    event loop keeps finding tokens; the index in use is swapped under a lock."""

    def __init__(self, layout: StorageLayout, monotonic: Callable[[], float] = time.monotonic):
        self.layout = layout
        self.monotonic = monotonic
        self.journal = PhotoJournal(layout.journal_path)
        self.problem: str | None = None
        # False when the caller looks the index over itself (the server, off its event loop).
        self.recheck_on_find = True
        self._index: PhotoIndex | None = None
        self._index_identity: tuple[int, ...] | None = None
        self._in_use = threading.RLock()
        self._looked_at = -INDEX_RECHECK
        self._open_index(monotonic())

    def find(self, token: str) -> PhotoRecord | None:
        """The record behind ``token``, from the index or else the journal; None if unknown."""
        return self.in_index(token) or self.in_journal(token)

    def in_index(self, token: str) -> PhotoRecord | None:
        """The index's record for ``token`` (a quick lookup); None if it lacks one."""
        if self.recheck_on_find:
            self.recheck_if_due()
        with self._in_use:
            if self._index is None:
                return None
            try:
                return self._index.get(token)
            except sqlite3.Error as error:
                self._index_failed(str(error))
                return None

    def in_journal(self, token: str) -> PhotoRecord | None:
        """The journal's record for ``token``: reads the whole journal when it changed."""
        try:
            return self.journal.replay().live.get(token)
        except OSError as error:
            log.error("cannot read the photo journal: %s", error)
            return None

    def still_there(self, token: str) -> bool:
        """Whether the booth still has ``token``'s photo (in the index, or live in the
        journal). Raises OSError when the journal cannot be read: then nobody can say."""
        return self.in_index(token) is not None or token in self.journal.replay().live

    def file_of(self, record: PhotoRecord) -> Path | None:
        """The photo file ``record`` names, if it is there inside the photos folder: the index
        is ours, but a file outside that folder is never sent."""
        path = self.layout.photo_inside(record.file)
        return path if path is not None and path.is_file() else None

    def photos_since(self, since: float) -> int:
        return sum(1 for r in self.journal.replay().live.values() if r.created >= since)

    def recheck_if_due(self) -> None:
        now = self.monotonic()
        if now - self._looked_at >= INDEX_RECHECK:
            self._open_index(now)

    def close(self) -> None:
        with self._in_use:
            if self._index is not None:
                self._index.close()
                self._index = None

    def _open_index(self, now: float) -> None:
        """(Re)open the index if it is new or was replaced (the booth rebuilt it). The check
        (reading journal and index whole) is done first; only the swap holds the lock that
        lookups take."""
        self._looked_at = now
        path = self.layout.index_path
        try:
            stat = path.stat()
            # The modification time too: damage written into the file in place is seen.
            identity = (stat.st_dev, stat.st_ino, stat.st_mtime_ns) if stat.st_size else None
        except OSError:
            identity = None
        index = self._index
        if index is not None and identity == self._index_identity and not index.snapshot:
            return  # (a snapshot is taken afresh each time, until a real reader works)
        verdict = check_index(path, self.journal)
        opened, problem = None, None
        # The old connection is closed before the new one opens: SQLite keeps a closed file
        # open while another connection of the process holds a lock on it.
        with self._in_use:
            self.close()
            self._index_identity = identity
            # A sound index lacking a few rows is the booth between its two writes (or
            # retrying them): those links are found in the journal.
            if verdict.ok and identity is None:
                pass  # a new booth: no index yet, or one being created
            elif not verdict.ok and not (verdict.rows and verdict.missing):
                problem = verdict.problem or ""
            else:
                try:
                    opened = self._index = PhotoIndex(path, read_only=True)
                except sqlite3.Error as error:
                    problem = str(error)
        if problem is not None:
            self._index_failed(problem)
            return
        if opened is not None and self.problem is not None:
            log.info("photo index usable again")
        self.problem = None
        if opened is not None and not verdict.journal_ok:
            # links served from the index; the booth repairs the journal
            self.problem = f"photo journal damaged: {verdict.describe()}"

    def _index_failed(self, problem: str) -> None:
        if self.problem is None:
            log.error("photo index unusable (%s); serving links from the photo journal", problem)
        self.problem = f"photo index unusable: {problem}"
        self.close()
