"""Work the idle booth does on the side: deleting photos past their retention, once an hour, on
a worker thread so the attract screen keeps its frame rate."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from kiosk.config import StorageConfig
from kiosk.photos.retention import purge_quietly

PURGE_INTERVAL = 3600.0


class Housekeeping:
    def __init__(self, storage: StorageConfig, worker: ThreadPoolExecutor):
        self.storage = storage
        self.worker = worker
        self._purged_at: float | None = None
        self._purging: Future | None = None

    def now_and_then(self, now: float) -> None:
        if self._purging is not None and not self._purging.done():
            return
        if self._purged_at is not None and now - self._purged_at < PURGE_INTERVAL:
            return
        self._purged_at = now
        storage = self.storage
        self._purging = self.worker.submit(
            purge_quietly, storage.index_path, storage.dir.expanduser(), storage.retention
        )
