"""Work the booth does on the side, on a worker thread so that the screens keep their frame
rate: deleting photos past their retention (once an hour, while idle), and photos their owners
asked to delete on the share page (looked for every ``DELETION_INTERVAL``, in any phase, so
that they are gone within a minute)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from kiosk.config import StorageConfig
from kiosk.photos.retention import PurgeResult, delete_on_request, purge_quietly
from kiosk.share.state import deletion_requests

log = logging.getLogger(__name__)

PURGE_INTERVAL = 3600.0
DELETION_INTERVAL = 20.0


class Housekeeping:
    def __init__(
        self,
        storage: StorageConfig,
        worker: ThreadPoolExecutor,
        purged: Callable[[str], None] | None = None,
    ):
        self.storage = storage
        self.worker = worker
        # Told of each photo whose retention ended (the object store deletes its copy).
        self.purged = purged
        self._purged_at: float | None = None
        self._purging: Future | None = None
        self._deletions_at: float | None = None
        self._deleting: Future | None = None

    def now_and_then(self, now: float) -> None:
        if self._purging is not None and not self._purging.done():
            return
        if self._purged_at is not None and now - self._purged_at < PURGE_INTERVAL:
            return
        self._purged_at = now
        self._purging = self.worker.submit(self._purge)

    def _purge(self) -> PurgeResult | None:
        storage = self.storage
        result = purge_quietly(storage.layout, storage.retention)
        if result is not None and self.purged is not None:
            for token in result.tokens:
                self.purged(token)
        return result

    def deletions_now_and_then(self, now: float) -> None:
        if self._deleting is not None and not self._deleting.done():
            return
        if self._deletions_at is not None and now - self._deletions_at < DELETION_INTERVAL:
            return
        self._deletions_at = now
        self._deleting = self.worker.submit(self.delete_requested)

    def delete_requested(self) -> int:
        storage = self.storage
        try:
            tokens = deletion_requests(storage.layout.share_state_dir)
            deleted = delete_on_request(storage.layout, tokens) if tokens else []
        except (sqlite3.Error, OSError) as error:
            log.error("cannot delete photos their owners asked to delete: %s", error)
            return 0
        if self.purged is not None:
            for token in deleted:
                self.purged(token)
        return len(deleted)
