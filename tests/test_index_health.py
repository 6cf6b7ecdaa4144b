"""Journal and index checked both ways (issue 23, fault 10), on real SQLite files and the real
server: a damaged journal is noticed by `kiosk index check`, `kiosk status` and /healthz and
repaired from the sound index at the booth's start, damage written into the index in place is
seen, a rebuild keeps the rows of every readable page, and old damaged copies are bounded."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import FIXED_TIME
from test_server import RunningServer

from kiosk.cli import main
from kiosk.config import Config
from kiosk.photos.index import PhotoIndex, PhotoRecord
from kiosk.photos.journal import PhotoJournal
from kiosk.photos.repair import KEEP_DAMAGED, check_index, open_booth_index, rebuild_index
from kiosk.status import collect


def links(config: Config, count: int, journal: bool = True) -> list[str]:
    """``count`` photos (small files) linked in the index, and in the journal if asked."""
    layout = config.storage.layout
    index = PhotoIndex(layout.index_path)
    log = PhotoJournal(layout.journal_path)
    created = FIXED_TIME.timestamp()
    tokens = []
    for n in range(count):
        token = f"{n:022d}"
        name = f"photos/p{n:04d}.jpg"
        layout.photo_path(name).parent.mkdir(parents=True, exist_ok=True)
        layout.photo_path(name).write_bytes(b"\xff\xd8 jpeg")
        index.add(token, name, created, created + 10 * 365 * 86400)
        if journal:
            log.add(PhotoRecord(token, name, created, created + 10 * 365 * 86400, 0))
        tokens.append(token)
    index.close()
    return tokens


def config_file(config: Config, tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[storage]\ndir = "{config.storage.dir}"\n')
    return path


def test_a_journal_cut_in_half_is_noticed_everywhere_and_repaired_from_the_index(
    config: Config, tmp_path: Path
) -> None:
    layout = config.storage.layout
    tokens = links(config, 24)
    data = layout.journal_path.read_bytes()
    layout.journal_path.write_bytes(data[: len(data) // 2])  # a journal cut in half
    verdict = check_index(layout.index_path, PhotoJournal(layout.journal_path))
    assert verdict.ok and not verdict.journal_ok and "journal damaged" in verdict.describe()
    assert main(["--config", str(config_file(config, tmp_path)), "index", "check"]) == 1
    check = {check.name: check for check in collect(config)}["index"]
    assert not check.ok and "journal damaged" in check.text
    server = RunningServer(config)
    try:
        status, _, body = server.request("/healthz")
        assert status == 503 and "photo journal damaged" in " ".join(json.loads(body)["problems"])
    finally:
        server.stop()
    # The booth's start writes the index's links back into the journal ...
    index, problem = open_booth_index(layout, PhotoJournal(layout.journal_path))
    index.close()
    assert problem is None
    assert set(PhotoJournal(layout.journal_path).replay().live) == set(tokens)
    # ... so that a damaged index afterwards loses none of them.
    layout.index_path.write_bytes(os.urandom(layout.index_path.stat().st_size))
    assert rebuild_index(layout, PhotoJournal(layout.journal_path)) == 24


def test_damage_written_into_the_index_in_place_is_seen_by_healthz(config: Config) -> None:
    layout = config.storage.layout
    links(config, 40)
    server = RunningServer(config)
    try:
        assert server.request("/healthz")[0] == 200
        with layout.index_path.open("r+b") as file:  # the same file, damaged where it lies
            file.seek(4096)
            file.write(os.urandom(4096))
        server.server.photos._looked_at = -1e9  # the next look is due (every 10 s)
        status, _, body = server.request("/healthz")
        assert status == 503 and "photo index unusable" in " ".join(json.loads(body)["problems"])
    finally:
        server.stop()


def test_a_rebuild_keeps_the_rows_of_every_readable_page(config: Config) -> None:
    layout = config.storage.layout
    links(config, 400, journal=False)  # a booth whose journal is gone: the index is all
    with layout.index_path.open("r+b") as file:
        file.seek(4 * 4096)  # a leaf page of the table: a scan through it fails
        file.write(os.urandom(4096))
    kept = rebuild_index(layout, PhotoJournal(layout.journal_path))
    assert kept >= 300, f"only {kept} of 400 rows kept"


def test_old_damaged_copies_are_bounded(config: Config) -> None:
    layout = config.storage.layout
    links(config, 3)
    for day in range(1, 6):
        Path(f"{layout.index_path}.damaged-202601{day:02d}-120000").write_bytes(b"old")
    rebuild_index(layout, PhotoJournal(layout.journal_path))
    left = sorted(path.name for path in layout.index_path.parent.glob("*.damaged-*"))
    assert len({name.split(".damaged-")[1][:15] for name in left}) == KEEP_DAMAGED
    assert not any("20260101" in name or "20260102" in name for name in left)
