"""The photo journal on a real file: torn lines, removals, compaction under concurrent appends."""

from __future__ import annotations

import threading
from pathlib import Path

from kiosk.config import StorageLayout
from kiosk.photos.index import PhotoIndex, PhotoRecord
from kiosk.photos.journal import PhotoJournal
from kiosk.photos.repair import rebuild_index


def record(n: int) -> PhotoRecord:
    return PhotoRecord(f"{n:022d}", f"photos/2026-07-04/p{n}.jpg", 1000.0 + n, 2000.0 + n, 0)


def test_replay_survives_a_torn_line_and_keeps_order(tmp_path: Path) -> None:
    journal = PhotoJournal(tmp_path / "photos-journal.jsonl")
    journal.add(record(1), (0, 0, 10, 20))
    with journal.path.open("ab") as file:
        file.write(b'{"op":"add","token":"torn')  # a crash in the middle of a line
    journal.add(record(2))
    journal.signed(record(1).token)
    journal.remove(record(3).token)
    state = journal.replay()
    assert set(state.live) == {record(1).token, record(2).token}
    assert state.crops == {record(1).token: (0, 0, 10, 20)}
    assert state.unsigned == {record(2).token}
    assert state.unreadable == 1 and state.removed == {record(3).token}


def test_compaction_keeps_every_live_link_even_while_others_append(tmp_path: Path) -> None:
    journal = PhotoJournal(tmp_path / "photos-journal.jsonl")
    for n in range(300):
        journal.add(record(n), (n, 0, 10, 10))
        if n % 3:
            journal.remove(record(n).token)
    live_before = set(journal.replay().live)

    def append_more() -> None:
        other = PhotoJournal(journal.path)  # as another thread or process would
        for n in range(1000, 1100):
            other.add(record(n))

    writer = threading.Thread(target=append_more)
    writer.start()
    for _ in range(5):
        journal.compact()
    writer.join()
    state = PhotoJournal(journal.path).replay()
    assert set(state.live) == live_before | {record(n).token for n in range(1000, 1100)}
    assert state.crops[record(0).token] == (0, 0, 10, 10)
    assert state.lines < 300 + 200 + 100


def test_a_rebuild_keeps_the_journals_link_where_the_old_index_has_another_for_the_photo(
    tmp_path: Path,
) -> None:
    """A save killed midway left an index row for a photo the journal links under another
    token: the rebuild keeps one link per photo, the journal's, and does not fail."""
    layout = StorageLayout(tmp_path)
    layout.photos_dir.mkdir()
    (layout.photos_dir / "a.jpg").write_bytes(b"jpeg")
    index_path = layout.index_path
    index_path.parent.mkdir()
    index = PhotoIndex(index_path)
    index.add("old-token", "photos/a.jpg", 1.0, 2.0)
    index.close()
    journal = PhotoJournal(tmp_path / "journal.jsonl")
    journal.add(PhotoRecord("journal-token", "photos/a.jpg", 1.0, 2.0, 0))
    assert rebuild_index(layout, journal) == 1
    rebuilt = PhotoIndex(index_path, read_only=True)
    try:
        assert [record.token for record in rebuilt.records()] == ["journal-token"]
    finally:
        rebuilt.close()
