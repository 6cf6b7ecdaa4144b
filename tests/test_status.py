"""`kiosk status` on a booth that has had visits."""

from __future__ import annotations

from conftest import FIXED_TIME
from gpiozero import Device
from gpiozero.pins.mock import MockFactory
from helpers import full_visit, press

from kiosk.booth.events import MainButton
from kiosk.cli import main
from kiosk.share.state import ShareState
from kiosk.status import collect


def test_status_counts_todays_visits_and_downloads(make_app, config, monkeypatch) -> None:
    app = make_app()
    now = full_visit(app)
    press(app, MainButton(), now + 0.1)
    state = ShareState(config.storage.share_state_dir)
    state.count_download(_token(config), FIXED_TIME.timestamp())
    checks = {check.name: check for check in collect(config, today=_visit_day(config))}
    assert checks["visits today"].text == "1 (1 with a photo shared)"
    assert checks["downloads today"].text == "1 of 1 photos taken today"
    assert checks["camera"].ok and str(config.camera.image) in checks["camera"].text
    assert checks["gpio"].text == "not used (keyboard only)"
    assert checks["disk"].ok
    assert not checks["credentials"].ok
    assert "no signing key" in checks["credentials"].text
    from kiosk.photos.credentials import init_keys

    init_keys(config.storage.keys_dir, "booth-7")
    checks = {check.name: check for check in collect(config, today=_visit_day(config))}
    assert checks["credentials"].ok and "photos are signed" in checks["credentials"].text


def test_status_names_what_is_wrong(config, capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(Device, "pin_factory", MockFactory())
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[storage]\ndir = "{tmp_path}"\nmin_free_mb = 1000000\n[camera]\nbackend = "picamera2"\n'
        "[lights]\nenabled = true\n"
    )
    assert main(["--config", str(path), "status"]) == 1
    out = capsys.readouterr().out
    assert "!! camera" in out and "apt install python3-picamera2" in out
    assert "!! disk" in out and "floor 1000000 MB" in out
    assert "ok gpio" in out and "MockFactory" in out


def _token(config) -> str:
    import sqlite3

    with sqlite3.connect(config.storage.index_path) as db:
        return db.execute("SELECT token FROM photos").fetchone()[0]


def _visit_day(config):
    import datetime as dt
    import json

    line = config.storage.visits_path.read_text().splitlines()[0]
    return dt.datetime.fromisoformat(json.loads(line)["ended"]).date()
