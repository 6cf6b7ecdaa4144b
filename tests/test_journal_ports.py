"""The four journals on the one primitive (issue 23, faults 3 and 6): a torn line from a power
cut never swallows the next record, and compaction keeps what was uploaded and what waits."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from kiosk.booth.visit_log import VisitLog
from kiosk.config import Config
from kiosk.photos.index import PhotoIndex, PhotoRecord
from kiosk.photos.journal import PhotoJournal
from kiosk.photos.retention import delete_on_request
from kiosk.share import uploads
from kiosk.share.server import DownloadServer
from kiosk.share.state import ShareState, deletion_requests
from kiosk.share.uploads import UploadJournal, UploadQueue, counts_of


def tear(path: Path) -> None:
    with path.open("ab") as file:
        file.write(b'{"op":"upload","token":"to')  # the power went mid-line


def test_the_upload_after_a_torn_line_is_not_lost(tmp_path: Path) -> None:
    journal = UploadJournal(tmp_path / "uploads.jsonl")
    journal.append({"op": "upload", "token": "t1", "file": "photos/a.jpg", "created": 1.0})
    tear(journal.path)
    journal.append({"op": "upload", "token": "t2", "file": "photos/b.jpg", "created": 2.0})
    state = UploadJournal(journal.path).replay()
    assert sorted(token for token, _ in state.jobs) == ["t1", "t2"]


def test_a_deletion_request_after_a_torn_line_is_not_lost(tmp_path: Path) -> None:
    state = ShareState(tmp_path / "share-state")
    assert state.request_deletion("first", 1.0)
    tear(tmp_path / "share-state" / "deletions.jsonl")
    assert state.request_deletion("second", 2.0)
    assert deletion_requests(tmp_path / "share-state") == ["first", "second"]
    assert ShareState(tmp_path / "share-state").deleted == {"first", "second"}


def test_a_visit_after_a_torn_line_is_not_lost(tmp_path: Path) -> None:
    log = VisitLog(tmp_path / "visits.jsonl")
    log.append({"outcome": "kept"}, dt.datetime(2026, 7, 4, 12))
    tear(log.path)
    log.append({"outcome": "cancelled"}, dt.datetime(2026, 7, 4, 13))
    lines = [json.loads(line) for line in log.path.read_text().splitlines() if line.endswith("}")]
    assert [line.get("outcome") for line in lines] == ["kept", "cancelled"]


def test_the_photo_journal_after_a_torn_line_loses_no_link(tmp_path: Path) -> None:
    journal = PhotoJournal(tmp_path / "photos-journal.jsonl")
    tear(journal.path)
    journal.add(PhotoRecord("t" * 22, "photos/a.jpg", 1.0, 2.0, 0))
    assert set(PhotoJournal(journal.path).replay().live) == {"t" * 22}


class Store:
    def __init__(self) -> None:
        self.uploaded: list[str] = []

    def upload(self, job) -> None:
        self.uploaded.append(job.token)

    def delete(self, job) -> None:
        raise OSError("store unreachable")


def test_compaction_keeps_uploaded_marks_and_pending_deletions(tmp_path: Path) -> None:
    """cloud-when-uploaded links stay cloud links after the journal is compacted."""
    path = tmp_path / "uploads.jsonl"
    store = Store()
    queue = UploadQueue(path, store.upload, store.delete, clock=lambda: 0.0)
    queue.add("kept", "photos/a.jpg", 1.0)
    queue.add("gone", "photos/b.jpg", 2.0)
    while queue.work_once():
        pass
    queue.remove("gone")  # its store copy waits to be deleted
    queue.journal.compact()
    again = UploadQueue(path, store.upload, store.delete, clock=lambda: 0.0)
    assert again.uploaded("kept") and not again.uploaded("gone")
    assert list(again.state.jobs) == [("gone", "delete")]
    counts = counts_of(again.state)
    assert (counts.uploaded, counts.queued, counts.deletions_queued) == (1, 0, 1)


def test_a_journal_of_many_live_uploads_is_not_rewritten_on_every_append(
    tmp_path: Path, monkeypatch
) -> None:
    """Past COMPACT_AFTER live uploads, compaction keeps them all: it must then wait until the
    journal has doubled, not run again at every line (as it did)."""
    monkeypatch.setattr(uploads, "COMPACT_AFTER", 40)  # a smaller journal, the same rule
    path = tmp_path / "uploads.jsonl"
    store = Store()
    queue = UploadQueue(path, store.upload, store.delete, clock=lambda: 0.0)
    compactions: list[tuple[int, int]] = []  # lines before, lines the one before had kept
    compact = queue.journal.compact

    def counted() -> None:
        compactions.append((queue.journal.lines, queue.journal.lines_kept))
        compact()

    queue.journal.compact = counted
    for number in range(400):
        queue.add(f"t{number}", f"photos/{number}.jpg", float(number))
        queue.work_once()
    assert 2 <= len(compactions) <= 10, compactions  # it was 728
    assert all(lines > max(40, 2 * kept) for lines, kept in compactions)
    again = UploadQueue(path, store.upload, store.delete, clock=lambda: 0.0)
    assert all(again.uploaded(f"t{number}") for number in range(400))


def test_a_restart_does_not_rewrite_a_compacted_journal(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(uploads, "COMPACT_AFTER", 40)
    path = tmp_path / "uploads.jsonl"
    store = Store()
    queue = UploadQueue(path, store.upload, store.delete, clock=lambda: 0.0)
    for number in range(300):
        queue.add(f"t{number}", f"photos/{number}.jpg", float(number))
        queue.work_once()
    for restart in range(2):
        written = path.stat().st_ino  # a compaction writes a new file in its place
        again = UploadQueue(path, store.upload, store.delete, clock=lambda: 0.0)
        again.add(f"new{restart}", "photos/new.jpg", 301.0)
        assert path.stat().st_ino == written, "the first line after a start rewrote the journal"


def test_journals_of_the_server_before_it_had_its_own_user_open_to_the_booth(
    tmp_path: Path, monkeypatch
) -> None:
    """The server ran as the booth's user with 0600 journals; systemd hands them to its own
    user, and the server opens them to the group, or the booth could not read deletions."""
    folder = tmp_path / "share-state"
    folder.mkdir()
    for name in ("deletions.jsonl", "downloads.jsonl"):
        (folder / name).write_text('{"token":"old","at":1.0}\n')
        (folder / name).chmod(0o600)
    assert ShareState(folder).deleted == {"old"}
    assert {p.name: p.stat().st_mode & 0o777 for p in folder.glob("*.jsonl")} == {
        "deletions.jsonl": 0o640,
        "downloads.jsonl": 0o640,
    }
    # A folder where modes cannot change (read-only): deletions are still honoured.
    (folder / "deletions.jsonl").chmod(0o600)

    def refused(self, mode):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(Path, "chmod", refused)
    state = ShareState(folder)
    assert state.deleted == {"old"} and state.problem is None


def test_deletion_requests_are_compacted_keeping_the_pending_ones(config: Config) -> None:
    """The server's deletion requests (never compacted before): at a start, a request whose
    photo the booth has not deleted yet stays, and so does a recent one (its link keeps saying
    "deleted"); one carried out longer than a link's lifetime ago goes."""
    layout, now, ttl = config.storage.layout, 1_000_000.0, config.share.link_ttl
    pending, long_ago, lately = (name.ljust(22, "x") for name in ("pending", "long", "lately"))
    journal, index = PhotoJournal(layout.journal_path), PhotoIndex(layout.index_path)
    for token in (pending, long_ago, lately):
        journal.add(PhotoRecord(token, f"photos/{token}.jpg", now, now + ttl, 0))
        index.add(token, f"photos/{token}.jpg", now, now + ttl)
    index.close()
    state = ShareState(layout.share_state_dir)
    asked = {pending: now - 2 * ttl, long_ago: now - 2 * ttl, lately: now - 60}
    for token, moment in asked.items():
        assert state.request_deletion(token, moment)
    # The booth carries two of them out (the third waits, e.g. the booth was off).
    assert delete_on_request(layout, [long_ago, lately]) == [long_ago, lately]
    assert len(deletion_requests(layout.share_state_dir)) == 3

    server = DownloadServer(config, clock=lambda: now)  # a start of the share server
    server.photos.close()
    assert deletion_requests(layout.share_state_dir) == [pending, lately]
    assert (layout.share_state_dir / "deletions.jsonl").stat().st_mode & 0o777 == 0o640
    assert server.state.deleted == set(asked)  # "deleted" answers until the next restart
    # The pending one is still carried out by the booth after the compaction.
    assert delete_on_request(layout, [pending, lately]) == [pending]


def test_deletion_requests_are_all_kept_when_nobody_can_say_a_photo_is_gone(
    tmp_path: Path,
) -> None:
    state = ShareState(tmp_path / "share-state")
    assert state.request_deletion("a" * 22, 1.0)

    def unreadable(token: str) -> bool:
        raise OSError("the photo journal cannot be read")

    state.compact_deletions(unreadable, now=1e9, keep_for=60.0)
    assert deletion_requests(tmp_path / "share-state") == ["a" * 22]
