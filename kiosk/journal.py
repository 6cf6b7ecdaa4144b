"""The one way to keep an append-only JSON-lines journal on disk.

Every journal of the booth and the download server (the photo journal, the upload queue, the
server's deletion requests, the visit log) is a file of one JSON object per line, written by
appending. The rules that make such a file survive power cuts and concurrent writers live here
once:

- **Appends hold a lock** (``flock`` on a ``.lock`` file beside the journal, which serialises
  threads and processes alike), so two writers never interleave, and an append never lands in
  a file that a compaction is about to replace.
- **A newline before a torn tail**: a crash mid-write can leave a last line without its
  newline. The next append starts with a newline, so the torn line stays a line of its own and
  the new record is whole.
- **fsync where the record must survive** (``durable=True``, the default): the call returns
  only once the line is on the storage, and a newly created journal's folder entry too.
- **Tolerant replay**: a line that is not a JSON object is counted and skipped, never the lines
  after it. A line where a torn record runs into a whole one (a file written by code without the
  newline rule) gives back the whole one.
- **Atomic compaction**: ``compact(rewrite)`` reads the records and writes ``rewrite``'s result
  to a temporary file, fsyncs and renames it over the journal, all under the lock: readers see
  the old file or the new one, and no append made meanwhile is lost.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.files import write_atomically

Record = dict[str, Any]


@dataclass
class Replay:
    """A journal read back: its whole records in order, and how many lines it has."""

    records: list[Record] = field(default_factory=list)
    lines: int = 0  # non-empty lines, readable or not
    unreadable: int = 0  # lines (or parts of lines) skipped because they are not a record
    torn_tail: bool = False  # the last line has no newline (a write cut short)


class Journal:
    """An append-only JSON-lines file (see the module's notes for the rules it keeps)."""

    def __init__(self, path: Path, mode: int = 0o644):
        self.path = path
        self.mode = mode

    def exists(self) -> bool:
        return self.path.is_file()

    def append(self, record: Record, durable: bool = True) -> None:
        """Append one record; with ``durable`` it is on the storage when this returns."""
        self.append_many([record], durable)

    def append_many(self, records: Iterable[Record], durable: bool = True) -> None:
        data = b"".join(encode(record) for record in records)
        if not data:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.locked():
            created = not self.path.exists()
            descriptor = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, self.mode)
            try:
                size = os.fstat(descriptor).st_size
                if size and os.pread(descriptor, 1, size - 1) != b"\n":
                    data = b"\n" + data  # the torn line stays a line of its own
                _write_all(descriptor, data)
                if durable:
                    os.fsync(descriptor)
            finally:
                os.close(descriptor)
            if durable and created:
                _fsync_folder(self.path.parent)

    def replay(self) -> Replay:
        """Every whole record in order; an absent journal is an empty one."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return Replay()
        return parse(data)

    def compact(self, rewrite: Callable[[list[Record]], Iterable[Record]]) -> tuple[int, int]:
        """Replace the journal by ``rewrite(records)``, atomically and under the lock (so no
        append is lost meanwhile). Returns the line counts before and after."""
        with self.locked():
            before = self.replay()
            kept = list(rewrite(before.records))
            write_atomically(self.path, b"".join(encode(record) for record in kept), self.mode)
        return before.lines, len(kept)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the journal's lock (threads and processes): for a read-decide-rewrite."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, self.mode)
        except PermissionError:
            # Another user's lock file (the booth's and the server's users share a group, and
            # its mode lets the group read): flock needs only a descriptor, not write access.
            descriptor = os.open(lock_path, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)


def encode(record: Record) -> bytes:
    """One record as its journal line (compact JSON, UTF-8, newline-terminated)."""
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def parse(data: bytes) -> Replay:
    """The records of a journal's bytes; what is not a record is counted, never fatal."""
    replay = Replay(torn_tail=bool(data) and not data.endswith(b"\n"))
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        replay.lines += 1
        record = _record(raw)
        if record is None:
            record = _whole_record_after_torn_one(raw)
            replay.unreadable += 1
        if record is not None:
            replay.records.append(record)
    return replay


def _record(raw: bytes) -> Record | None:
    try:
        record = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return record if isinstance(record, dict) else None


def _whole_record_after_torn_one(raw: bytes) -> Record | None:
    """The record at the end of a line where a torn one runs into it (``{"op":"up{"op":...}``)."""
    start = raw.find(b"{", 1)
    while start != -1:
        record = _record(raw[start:])
        if record is not None:
            return record
        start = raw.find(b"{", start + 1)
    return None


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
