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
    # The download server counts a completed download in its own state folder.
    state = ShareState(config.storage.layout.share_state_dir)
    state.count_download(_token(config), FIXED_TIME.timestamp())
    checks = {check.name: check for check in collect(config, today=_visit_day(config))}
    assert checks["visits today"].text == "1 (1 with a photo shared)"
    assert checks["downloads today"].text == "1 of 1 photo taken today"
    assert checks["camera"].ok and str(config.camera.image) in checks["camera"].text
    assert checks["gpio"].text == "not used (keyboard only)"
    assert checks["disk"].ok
    assert checks["credentials"].warning and checks["credentials"].mark == "warn"
    assert "no signing key" in checks["credentials"].text
    from kiosk.photos.credentials import init_keys

    init_keys(config.storage.layout.keys_dir, "booth-7")
    checks = {check.name: check for check in collect(config, today=_visit_day(config))}
    assert checks["credentials"].ok and "photos are signed" in checks["credentials"].text
    assert not checks["credentials"].warning


def test_status_names_what_is_wrong(config, capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(Device, "pin_factory", MockFactory())
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[storage]\ndir = "{tmp_path}"\nmin_free_mb = 1000000\n[camera]\nbackend = "picamera2"\n'
        "[lights]\nenabled = true\n"
    )
    assert main(["--config", str(path), "status"]) == 1
    captured = capsys.readouterr()
    out = captured.out
    lines = {line.split()[1]: line for line in out.splitlines()}
    assert lines["camera"].startswith("FAIL") and "apt install python3-picamera2" in out
    assert lines["disk"].startswith("FAIL") and "floor 1000000 MB" in out
    assert lines["gpio"].startswith("ok") and "MockFactory" in out
    assert captured.err == "needs attention: camera, disk\n"


def _token(config) -> str:
    import sqlite3

    with sqlite3.connect(config.storage.layout.index_path) as db:
        return db.execute("SELECT token FROM photos").fetchone()[0]


def _visit_day(config):
    import datetime as dt
    import json

    line = config.storage.layout.visits_path.read_text().splitlines()[0]
    return dt.datetime.fromisoformat(json.loads(line)["ended"]).date()


def test_status_shows_the_speed_the_running_booth_achieves(make_app, config) -> None:
    from helpers import advance

    before = {check.name: check for check in collect(config)}
    assert "no figures yet" in before["performance"].text
    app = make_app()
    app.start(0.0)
    advance(app, 0.0, 125.0, fps=20)  # booth time: two reports are due, at 60 s and 120 s
    app.close()  # waits for the worker that writes the figures
    checks = {check.name: check for check in collect(config)}
    text = checks["performance"].text
    assert text.startswith("screen 20.0 fps of 30") and "no face analysis" in text
    assert checks["performance"].warning, "20 fps on a 30 fps display is worth a look"


def test_status_tells_the_operator_about_lighting_seen_on_faces(config) -> None:
    import datetime as dt

    from kiosk.booth.visit_log import VisitLog

    log = VisitLog(config.storage.layout.visits_path)
    ended = dt.datetime(2026, 7, 4, 15, 0, tzinfo=dt.UTC)
    log.append({"outcome": "shared", "lighting": ["backlight"]}, ended)
    log.append({"outcome": "shared", "lighting": []}, ended)
    checks = {check.name: check for check in collect(config, today=ended.date())}
    lighting = checks["lighting"]
    assert lighting.warning and "backlight" in lighting.text and "1 of 2 visits" in lighting.text
    quiet = {check.name: check for check in collect(config, today=dt.date(2026, 7, 5))}
    assert quiet["lighting"].ok and not quiet["lighting"].warning
