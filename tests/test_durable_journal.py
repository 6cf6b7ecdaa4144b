"""The journal primitive (kiosk/journal.py) on real files, threads and processes: torn tails,
garbled lines, fsync, concurrent appends during compaction, a writer killed mid-stream."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import patient

from kiosk.journal import Journal, parse


def test_an_append_after_a_torn_tail_starts_a_line_of_its_own(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    journal.append({"n": 1})
    with journal.path.open("ab") as file:
        file.write(b'{"n":2,"tok')  # power cut mid-write
    assert journal.replay().torn_tail
    journal.append({"n": 3})
    replay = journal.replay()
    assert [record["n"] for record in replay.records] == [1, 3]
    assert (replay.lines, replay.unreadable, replay.torn_tail) == (3, 1, False)


def test_replay_skips_garbled_lines_and_never_the_next(tmp_path: Path) -> None:
    data = b'{"n":1}\n\x00\x00\xff\xfe\n[1,2]\n"text"\n{"n":2}\n\n{"n":3'
    replay = parse(data)
    assert [record["n"] for record in replay.records] == [1, 2]
    assert (replay.lines, replay.unreadable, replay.torn_tail) == (6, 4, True)


def test_a_torn_record_run_into_a_whole_one_gives_back_the_whole_one() -> None:
    """Files written before the newline rule (a torn line, then an append right after it)."""
    replay = parse(b'{"op":"upload","token":"a","fi{"op":"delete","token":"b"}\n{"op":"x"}\n')
    assert replay.records == [{"op": "delete", "token": "b"}, {"op": "x"}]
    assert replay.unreadable == 1


def test_durable_appends_fsync_the_line_and_a_new_journals_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", spy)
    journal = Journal(tmp_path / "j.jsonl")
    journal.append({"n": 1})
    assert synced == [str(journal.path), str(tmp_path)]
    synced.clear()
    journal.append({"n": 2})
    assert synced == [str(journal.path)]
    synced.clear()
    journal.append({"n": 3}, durable=False)
    assert synced == []


def test_no_append_is_lost_while_another_thread_compacts(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    journal.append_many({"n": n, "drop": True} for n in range(500))

    def append_more() -> None:
        other = Journal(journal.path)  # as another part of the program would
        for n in range(1000, 1200):
            other.append({"n": n}, durable=False)

    writer = threading.Thread(target=append_more)
    writer.start()
    for _ in range(20):
        journal.compact(lambda records: [r for r in records if not r.get("drop")])
    writer.join()
    journal.compact(lambda records: [r for r in records if not r.get("drop")])
    replay = journal.replay()
    assert sorted(record["n"] for record in replay.records) == list(range(1000, 1200))
    assert replay.unreadable == 0


def test_no_append_is_lost_while_another_process_compacts(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from kiosk.journal import Journal\n"
            "j = Journal(Path(sys.argv[1]))\n"
            "for n in range(300): j.append({'n': n}, durable=False)\n",
            str(path),
        ]
    )
    journal = Journal(path)
    try:
        while writer.poll() is None:
            journal.compact(lambda records: records)
        assert writer.wait(patient(30)) == 0
    finally:
        writer.kill()
        writer.wait()
    assert [record["n"] for record in journal.replay().records] == list(range(300))


def test_every_acknowledged_append_survives_a_writer_killed_mid_stream(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from kiosk.journal import Journal\n"
            "j = Journal(Path(sys.argv[1]))\n"
            "n = 0\n"
            "while True:\n"
            "    j.append({'n': n, 'pad': 'x' * 3000}); print(n, flush=True); n += 1\n",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        acknowledged = [int(writer.stdout.readline()) for _ in range(40)]
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.kill()
        writer.wait()
    Journal(path).append({"n": "after"})
    numbers = [record["n"] for record in Journal(path).replay().records]
    assert numbers[: len(acknowledged)] == acknowledged and numbers[-1] == "after"


def test_a_failed_compaction_leaves_the_journal_as_it_was(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl", mode=0o600)
    journal.append_many([{"n": 1}, {"n": 2}])
    before = journal.path.read_bytes()

    def broken(records: list) -> list:
        return [*records, {"unencodable": object()}]

    with pytest.raises(TypeError):
        journal.compact(broken)
    assert journal.path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["j.jsonl", "j.jsonl.lock"]
    assert journal.compact(lambda records: records[1:]) == (2, 1)
    assert journal.replay().records == [{"n": 2}]
    assert journal.path.stat().st_mode & 0o777 == 0o600
