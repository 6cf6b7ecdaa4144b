"""Photos on their way to the object store: a queue that survives everything.

Every change is first appended to a journal next to the photos and fsynced (``uploads.jsonl``):
a photo to upload, an upload done, a failed try with its reason, a photo to delete from the
store, a deletion done. On start the journal is read back, so a booth killed with photos queued
uploads them after its restart, and a photo deleted at the booth is deleted from the store too.
Uploads put the same object keys again when repeated, so a photo arrives exactly once however
often it is tried. After a failed try the whole queue waits, longer after each failure in a row
(``BACKOFF``; a store that is down is down for every photo), and it goes on for as long as it
takes: a booth offline for hours uploads everything when the network is back.

``UploadQueue`` is the journal and the schedule, driven by ``work_once(now)`` (tests call it with
their own clock); ``UploadWorker`` runs it on a thread of its own, off the booth's UI thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.share.cloud import CloudError

log = logging.getLogger(__name__)

BACKOFF = (2.0, 5.0, 15.0, 30.0, 60.0, 120.0)
# How much lower than the booth's UI the upload thread runs (as the download server does).
UPLOAD_NICENESS = 10
# Rewrite the journal without finished work once it holds this many lines.
COMPACT_AFTER = 2000


@dataclass
class Job:
    token: str
    action: str  # "upload" or "delete"
    file: str = ""  # relative to the storage folder (uploads)
    created: float = 0.0  # when the photo was taken (epoch seconds)
    attempts: int = 0
    last_error: str | None = None


@dataclass
class UploadCounts:
    queued: int
    uploaded: int
    failed_tries: int
    last_error: str | None
    deletions_queued: int


@dataclass
class JournalState:
    jobs: dict[tuple[str, str], Job] = field(default_factory=dict)
    uploaded: set[str] = field(default_factory=set)
    uploaded_before: int = 0  # uploads done before the journal was last compacted
    failed_tries: int = 0
    last_error: str | None = None


class UploadJournal:
    def __init__(self, path: Path):
        self.path = path
        self.lines = 0

    def append(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, separators=(",", ":")) + "\n"
        with self.path.open("a", encoding="utf-8") as journal:
            journal.write(line)
            journal.flush()
            os.fsync(journal.fileno())
        self.lines += 1

    def replay(self) -> JournalState:
        """The journal's story so far. A torn last line (power cut mid-write) is skipped."""
        state = JournalState()
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return state
        self.lines = len(lines)
        for line in lines:
            try:
                record = json.loads(line)
                apply(state, record)
            except (ValueError, KeyError, TypeError):
                log.warning("upload journal %s: skipping a damaged line", self.path)
        return state

    def compact(self, state: JournalState) -> None:
        """The same state in as few lines as possible, written atomically."""
        records: list[dict[str, Any]] = [
            {"op": "uploaded_before", "count": state.uploaded_before + len(state.uploaded)}
        ]
        for job in state.jobs.values():
            if job.action == "upload":
                records.append(
                    {"op": "upload", "token": job.token, "file": job.file, "created": job.created}
                )
            else:
                records.append({"op": "delete", "token": job.token})
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        with temporary.open("w", encoding="utf-8") as journal:
            journal.writelines(json.dumps(record) + "\n" for record in records)
            journal.flush()
            os.fsync(journal.fileno())
        os.replace(temporary, self.path)
        self.lines = len(records)
        state.uploaded_before += len(state.uploaded)
        state.uploaded = set()


def apply(state: JournalState, record: dict[str, Any]) -> None:
    """One journal line's change to the state."""
    op = record["op"]
    token = record.get("token", "")
    if op == "upload":
        if token not in state.uploaded:
            state.jobs[(token, "upload")] = Job(token, "upload", record["file"], record["created"])
    elif op == "uploaded":
        state.jobs.pop((token, "upload"), None)
        state.uploaded.add(token)
    elif op == "delete":
        state.jobs.pop((token, "upload"), None)
        state.uploaded.discard(token)
        state.jobs[(token, "delete")] = Job(token, "delete")
    elif op in ("deleted", "skipped"):
        state.jobs.pop((token, "delete" if op == "deleted" else "upload"), None)
    elif op == "failed":
        state.failed_tries += 1
        state.last_error = record.get("error")
    elif op == "uploaded_before":
        state.uploaded_before = int(record["count"])
    else:
        raise ValueError(f"unknown journal op {op!r}")


class UploadQueue:
    def __init__(
        self,
        journal_path: Path,
        upload: Callable[[Job], None],
        delete: Callable[[Job], None],
        clock: Callable[[], float] = time.monotonic,
    ):
        self.journal = UploadJournal(journal_path)
        self._upload = upload
        self._delete = delete
        self.clock = clock
        self._lock = threading.Lock()
        self.state = self.journal.replay()
        self.changed = threading.Event()
        self._failures_in_a_row = 0
        self._resume_at = 0.0
        if self.state.jobs:
            log.info("%d upload job(s) waiting from before the restart", len(self.state.jobs))

    # -- the booth's side --

    def add(self, token: str, file: str, created: float) -> None:
        """A saved (and signed) photo to upload."""
        record = {"op": "upload", "token": token, "file": file, "created": created}
        self._record(record)

    def remove(self, token: str) -> None:
        """The photo was deleted at the booth: delete it from the store too (or never upload)."""
        self._record({"op": "delete", "token": token})

    def uploaded(self, token: str) -> bool:
        with self._lock:
            return token in self.state.uploaded

    def counts(self) -> UploadCounts:
        with self._lock:
            return counts_of(self.state)

    # -- the worker's side --

    def next_due(self) -> float | None:
        """When the next job is due (queue clock), or None when there is none."""
        with self._lock:
            return self._resume_at if self.state.jobs else None

    def work_once(self) -> bool:
        """Do the job that is due first, if any; True when one was tried."""
        now = self.clock()
        with self._lock:
            if now < self._resume_at or not self.state.jobs:
                return False
            # Deletions first (a person asked for them), then the oldest photo.
            job = min(
                self.state.jobs.values(), key=lambda job: (job.action != "delete", job.created)
            )
        try:
            (self._delete if job.action == "delete" else self._upload)(job)
        except FileNotFoundError:
            self._record({"op": "skipped", "token": job.token})
            log.warning("photo %s is gone from the booth before its upload", job.file)
            return True
        except CloudError as error:
            self._failed(job, str(error))
            return True
        done = "deleted" if job.action == "delete" else "uploaded"
        self._failures_in_a_row = 0
        self._record({"op": done, "token": job.token})
        log.info("%s %s", done, job.file or job.token[:6])
        return True

    def _failed(self, job: Job, reason: str) -> None:
        with self._lock:
            pause = BACKOFF[min(self._failures_in_a_row, len(BACKOFF) - 1)]
            self._failures_in_a_row += 1
            self._resume_at = self.clock() + pause
            job.attempts += 1
            job.last_error = reason
        self._record({"op": "failed", "token": job.token, "error": reason})
        log.warning(
            "%s of %s failed (%s); next try in %.0f s", job.action, job.token[:6], reason, pause
        )

    def _record(self, record: dict[str, Any]) -> None:
        with self._lock:
            self.journal.append(record)
            apply(self.state, record)
            if self.journal.lines > COMPACT_AFTER:
                self.journal.compact(self.state)
        self.changed.set()


def counts_of(state: JournalState) -> UploadCounts:
    uploads = [job for job in state.jobs.values() if job.action == "upload"]
    return UploadCounts(
        queued=len(uploads),
        uploaded=state.uploaded_before + len(state.uploaded),
        failed_tries=state.failed_tries,
        last_error=state.last_error,
        deletions_queued=len(state.jobs) - len(uploads),
    )


class UploadWorker:
    """The queue's jobs on a thread of their own: a slow or absent store never blocks a visit."""

    def __init__(self, queue: UploadQueue):
        self.queue = queue
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="uploads", daemon=True)

    def start(self) -> UploadWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self.queue.changed.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        # On Linux a thread is a task of its own: uploads yield the CPU to the booth's screen.
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), UPLOAD_NICENESS)
        while not self._stopping.is_set():
            if self.queue.work_once():
                continue
            due = self.queue.next_due()
            wait = None if due is None else max(0.0, due - self.queue.clock())
            self.queue.changed.wait(wait)
            self.queue.changed.clear()
