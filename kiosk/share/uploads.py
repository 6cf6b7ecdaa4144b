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
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.journal import Journal
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
    oldest_waiting: float | None = None  # when the oldest photo still to upload was taken


@dataclass
class JournalState:
    jobs: dict[tuple[str, str], Job] = field(default_factory=dict)
    uploaded: set[str] = field(default_factory=set)
    uploaded_before: int = 0  # uploads done before the journal was last compacted
    failed_tries: int = 0
    last_error: str | None = None


class UploadJournal:
    """The queue's journal (``kiosk.journal``'s rules: locked, fsynced, torn lines skipped)."""

    def __init__(self, path: Path):
        self.path = path
        self._file = Journal(path)
        self.lines = 0
        self.lines_kept = 0  # what the last compaction left: the live uploads' marks

    def append(self, record: dict[str, Any]) -> None:
        self._file.append(record)
        self.lines += 1

    def replay(self) -> JournalState:
        """The journal's story so far. A torn line (power cut mid-write) is skipped."""
        replay = self._file.replay()
        self.lines = replay.lines
        state = state_of(replay.records)
        # As if just compacted: a restart does not rewrite a journal that is as short as it gets.
        self.lines_kept = min(self.lines, len(compacted(state)))
        if replay.unreadable:
            log.warning(
                "upload journal %s: skipped %d damaged line(s)", self.path, replay.unreadable
            )
        return state

    def compact(self) -> None:
        """The same state in as few lines as possible, written atomically: what was uploaded
        (cloud-when-uploaded links depend on it), what waits, and the tallies."""
        _, self.lines = self._file.compact(lambda records: compacted(state_of(records)))
        self.lines_kept = self.lines

    def compact_if_due(self) -> None:
        """Compact past ``COMPACT_AFTER`` lines and twice what the last compaction kept: a
        booth with thousands of live uploads would otherwise rewrite them all on every append."""
        if self.lines > max(COMPACT_AFTER, 2 * self.lines_kept):
            self.compact()


def state_of(records: list[dict[str, Any]]) -> JournalState:
    state = JournalState()
    for record in records:
        try:
            apply(state, record)
        except (ValueError, KeyError, TypeError):
            log.warning("upload journal: skipping a record it cannot read: %.80s", record)
    return state


def compacted(state: JournalState) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = [
        {
            "op": "uploaded_before",
            "count": state.uploaded_before,
            "failed_tries": state.failed_tries,
            "error": state.last_error,
        }
    ]
    records += [{"op": "uploaded", "token": token} for token in sorted(state.uploaded)]
    for job in state.jobs.values():
        if job.action == "upload":
            records.append(
                {"op": "upload", "token": job.token, "file": job.file, "created": job.created}
            )
        else:
            records.append({"op": "delete", "token": job.token})
    return records


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
    elif op == "uploaded_before":  # a compacted journal's tallies
        state.uploaded_before = int(record["count"])
        state.failed_tries = int(record.get("failed_tries", 0))
        state.last_error = record.get("error")
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
        self._record_or_remember({"op": "upload", "token": token, "file": file, "created": created})

    def remove(self, token: str) -> None:
        """The photo was deleted at the booth: delete it from the store too (or never upload)."""
        self._record_or_remember({"op": "delete", "token": token})

    def _record_or_remember(self, record: dict[str, Any]) -> None:
        """The booth's requests: when the journal cannot take one, the worker still does it
        while the booth runs (the error goes up, for the caller's log)."""
        try:
            self._record(record)
        except OSError:
            with self._lock:
                apply(self.state, record)
            self.changed.set()
            raise

    def uploaded(self, token: str) -> bool:
        with self._lock:
            return token in self.state.uploaded

    def knows(self, token: str) -> bool:
        """Whether the photo was queued, uploaded or is to be deleted."""
        with self._lock:
            state = self.state
            jobs = ((token, "upload") in state.jobs) or ((token, "delete") in state.jobs)
            return token in state.uploaded or jobs

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
            self._do(job)
        except Exception as error:  # the worker outlives any fault: log, back off, try again
            self._failed(job, describe(error))
        return True

    def _do(self, job: Job) -> None:
        try:
            (self._delete if job.action == "delete" else self._upload)(job)
        except FileNotFoundError:
            self._record({"op": "skipped", "token": job.token})
            log.warning("photo %s is gone from the booth before its upload", job.file)
            return
        done = "deleted" if job.action == "delete" else "uploaded"
        # A journal that cannot say so fails the job: it is done again (the same keys) later.
        self._record({"op": done, "token": job.token})
        self._failures_in_a_row = 0
        log.info("%s %s", done, job.file or job.token[:6])

    def _failed(self, job: Job, reason: str) -> None:
        with self._lock:
            pause = BACKOFF[min(self._failures_in_a_row, len(BACKOFF) - 1)]
            self._failures_in_a_row += 1
            self._resume_at = self.clock() + pause
            job.attempts += 1
            job.last_error = reason
        failed = {"op": "failed", "token": job.token, "error": reason}
        try:
            self._record(failed)
        except OSError as error:
            with self._lock:
                apply(self.state, failed)  # kiosk status cannot see it, the booth's log does
            log.error("cannot write the upload journal %s: %s", self.journal.path, error)
        log.warning(
            "%s of %s failed (%s); next try in %.0f s", job.action, job.token[:6], reason, pause
        )

    def _record(self, record: dict[str, Any]) -> None:
        with self._lock:
            self.journal.append(record)
            apply(self.state, record)
            self.journal.compact_if_due()
        self.changed.set()


def describe(error: Exception) -> str:
    """An error as one line for the journal and ``kiosk status``."""
    return str(error) if isinstance(error, CloudError) else f"{type(error).__name__}: {error}"


def counts_of(state: JournalState) -> UploadCounts:
    uploads = [job for job in state.jobs.values() if job.action == "upload"]
    return UploadCounts(
        queued=len(uploads),
        uploaded=state.uploaded_before + len(state.uploaded),
        failed_tries=state.failed_tries,
        last_error=state.last_error,
        deletions_queued=len(state.jobs) - len(uploads),
        oldest_waiting=min((job.created for job in uploads), default=None),
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
            try:
                if self.queue.work_once():
                    continue
                due = self.queue.next_due()
            except Exception:  # a fault outside a job (a bug): the thread must not end
                log.exception("the upload worker hit an unexpected fault; trying again")
                self._stopping.wait(BACKOFF[0])
                continue
            wait = None if due is None else max(0.0, due - self.queue.clock())
            self.queue.changed.wait(wait)
            self.queue.changed.clear()
