"""The booth's note of what is on screen, read by the download server (kiosk/share/on_screen.py):
written at screen changes only, read again only when it changed, readable where the share unit's
sandbox lets it look, and open to news about the visit that later parts add."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from conftest import FIXED_TIME
from helpers import full_visit, press
from test_units import DATA_DIR, settings

from kiosk.booth.events import MainButton
from kiosk.booth.machine import Phase
from kiosk.config import StorageLayout
from kiosk.share.on_screen import OnScreen, OnScreenNote, OnScreenReader


def test_a_record_reads_back_and_ignores_keys_it_does_not_know(tmp_path: Path) -> None:
    record = OnScreen("share", 1_750_000_000.25, "tok", {"print": "on its way"})
    assert OnScreen.from_json(record.to_json()) == record
    assert record.sharing == "tok"
    assert OnScreen("review", 5.0, "tok").sharing is None
    later = json.loads(record.to_json()) | {"printer": {"queue": 2}}
    assert OnScreen.from_json(json.dumps(later).encode()) == record
    damaged = (b"", b'{"screen":"share"', b'{"since":3}', b'["share",1]', b'{"screen":1,"since":2}')
    for torn in damaged:
        try:
            OnScreen.from_json(torn)
        except ValueError as error:
            assert str(error).startswith("not an on-screen record")
        else:
            raise AssertionError(torn)


def test_the_note_is_written_at_changes_only_and_keeps_its_start_when_news_come(
    tmp_path: Path,
) -> None:
    path = tmp_path / "on-screen.json"
    note, reader = OnScreenNote(path), OnScreenReader(path)
    asked: list[float] = []

    def clock(moment: float):
        return lambda: asked.append(moment) or moment

    assert reader.current() is None
    assert note.show("attract", None, clock(10.0))
    assert not note.show("attract", None, clock(11.0)), "an unchanged screen is not rewritten"
    assert asked == [10.0], "the clock is asked only at a change"
    assert note.show("share", "tok", clock(20.0))
    assert reader.current() == OnScreen("share", 20.0, "tok")
    assert note.show("share", "tok", clock(25.0), {"print": "on its way"})
    assert reader.current() == OnScreen("share", 20.0, "tok", {"print": "on its way"})
    assert note.show("attract", None, clock(30.0))
    assert reader.current() == OnScreen("attract", 30.0)
    path.write_bytes(b'{"screen": "sha')
    assert reader.current() is None, "a damaged record means: nothing known"
    path.unlink()
    assert reader.current() is None


def test_a_failed_write_is_logged_once_and_tried_again_at_the_next_change(
    tmp_path: Path, caplog
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    note = OnScreenNote(blocked / "on-screen.json")
    with caplog.at_level(logging.ERROR):
        assert not note.show("share", "a", lambda: 1.0)
        assert not note.show("attract", None, lambda: 2.0)
    assert len([r for r in caplog.records if "cannot note what is on screen" in r.message]) == 1
    blocked.unlink()
    assert note.show("attract", None, lambda: 3.0)
    assert OnScreenReader(note.path).current() == OnScreen("attract", 3.0)


def test_the_booth_notes_its_share_screen_with_the_visits_photo(make_app, config) -> None:
    app = make_app()
    reader = OnScreenReader(config.storage.layout.on_screen_path)
    app.start(0.0)
    assert reader.current() == OnScreen("attract", FIXED_TIME.timestamp())
    now = full_visit(app)
    photo = app.machine.photo
    assert photo is not None
    shown = reader.current()
    assert shown is not None and shown.sharing == photo.token
    assert shown.since == FIXED_TIME.timestamp()
    press(app, MainButton(), now + 0.1)
    assert app.machine.phase is Phase.ATTRACT
    after = reader.current()
    assert after is not None and after.screen == "attract" and after.sharing is None


def test_another_process_in_the_booths_group_reads_what_the_booth_unit_writes(
    tmp_path: Path,
) -> None:
    # The units: the booth writes the storage folder, the server sees it read-only, runs in the
    # booth's group, and the note is not hidden from the server with the keys. (Read by another
    # user of that group: tests/test_share_user.py.)
    booth, share = settings("echtbild.service"), settings("echtbild-share.service")
    assert booth["Group"] == share["Group"] and share["PrivateUsers"] == ["yes"]
    assert booth["ReadWritePaths"] == share["ReadOnlyPaths"] == [DATA_DIR]
    installed = StorageLayout(Path(DATA_DIR)).on_screen_path
    assert installed.parent == Path(DATA_DIR)
    assert not any(str(installed).startswith(p.lstrip("-")) for p in share["InaccessiblePaths"])
    # Under the booth unit's umask, a reader process (the server's side) gets the record.
    umask = int(booth["UMask"][0], 8)
    path = tmp_path / "on-screen.json"
    previous = os.umask(umask)
    try:
        OnScreenNote(path).show("share", "tok", lambda: 7.0)
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o640
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from kiosk.share.on_screen import "
            "OnScreenReader; print(OnScreenReader(Path(sys.argv[1])).current().sharing)",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout.strip() == "tok"
