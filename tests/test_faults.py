"""The unattended booth: stopping, unexpected errors, camera faults, systemd's watchdog."""

from __future__ import annotations

import json
import os
import signal
import socket
from pathlib import Path

import pytest
from fake_picamera2 import fake_api
from helpers import advance, press
from PIL import Image

from kiosk.booth.events import MainButton
from kiosk.booth.machine import Phase
from kiosk.camera.picam import PicameraCamera
from kiosk.hardware.sdnotify import Notifier


def to_capture(app, now: float = 0.0) -> float:
    app.start(now)
    now = press(app, MainButton(), now + 0.1)
    now = press(app, MainButton(), now + 0.1)
    return now + app.config.timing.countdown + 0.1


def test_sigterm_during_a_save_leaves_a_complete_photo(make_app, config, monkeypatch) -> None:
    app = make_app()
    previous = signal.signal(signal.SIGTERM, app.stop)
    real_fsync = os.fsync

    def fsync_with_sigterm(descriptor: int) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while the photo is being written
        real_fsync(descriptor)

    try:
        now = to_capture(app)
        monkeypatch.setattr(os, "fsync", fsync_with_sigterm)
        app.step(now)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert not app.running, "the loop ends after this frame"
    [photo] = config.storage.layout.photos_dir.rglob("*.jpg")
    with Image.open(photo) as image:
        image.load()
        assert image.size == (app.guidance.crop.width, app.guidance.crop.height)
    assert not list(config.storage.layout.photos_dir.rglob(".*.tmp"))


def test_an_unexpected_error_ends_the_visit_and_keeps_the_photo(make_app, config) -> None:
    app = make_app()
    now = to_capture(app)
    app.step(now)
    now += 0.1
    app.step(now)
    assert app.machine.phase is Phase.REVIEW
    photo = app.machine.photo

    def broken_draw(*args: object) -> None:
        raise RuntimeError("a bug in the review screen")

    app.screens[Phase.REVIEW].draw = broken_draw
    app.step(now + 0.1)
    assert app.machine.phase is Phase.ATTRACT
    [line] = config.storage.layout.visits_path.read_text().splitlines()
    assert json.loads(line)["outcome"] == "error"
    assert Path(photo.path).is_file(), "the photo is not lost"


def test_errors_that_keep_coming_end_the_process(make_app) -> None:
    app = make_app()
    app.start(0.0)

    def broken_draw(*args: object) -> None:
        raise RuntimeError("broken for good")

    for screen in app.screens.values():
        screen.draw = broken_draw
    for moment in range(4):
        app.step(1.0 + moment)
    with pytest.raises(RuntimeError, match="broken for good"):
        app.step(5.0)


def test_pi_camera_fault_mid_burst_goes_out_of_order_and_recovers(make_app, config) -> None:
    api = fake_api(fail_burst_at=2)
    camera = PicameraCamera(config.camera, api)
    app = make_app(camera=camera)
    now = to_capture(app)
    app.step(now)  # the burst fails
    app.step(now + 0.1)  # and that is taken in
    assert app.machine.phase is Phase.OUT_OF_ORDER
    assert "Failed to allocate buffers" in app.machine.fault
    api.Picamera2.fail_burst_at = None  # e.g. the CMA pressure is gone after a restart
    now = advance(app, now, config.timing.camera_retry + 0.5)
    assert app.machine.phase is Phase.ATTRACT
    opened = api.Picamera2.instances
    assert len(opened) == 2 and opened[0].calls[-1] == ("close",), "restarted cleanly"


def test_camera_that_stops_delivering_frames_is_restarted(make_app, config) -> None:
    api = fake_api()
    app = make_app(camera=PicameraCamera(config.camera, api))
    app.start(0.0)
    now = press(app, MainButton(), 0.1)
    api.Picamera2.instances[-1].frames_left = 0  # the frame watchdog fires
    now = advance(app, now, 0.3)
    assert app.machine.phase is Phase.OUT_OF_ORDER
    assert "no frame from the camera" in app.machine.fault
    advance(app, now, config.timing.camera_retry + 0.5)
    assert app.machine.phase is Phase.ATTRACT


def test_the_loop_itself_tells_systemd_it_is_alive(make_app, tmp_path) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(tmp_path / "notify"))
    listener.setblocking(False)
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": "3000000"})
    app = make_app(notifier=notifier)
    app.start(0.0)
    advance(app, 0.0, 2.05)  # the watchdog is pinged every third of its interval
    press(app, MainButton(), 2.1)
    app.close()
    messages = []
    while True:
        try:
            messages.append(listener.recv(4096).decode())
        except BlockingIOError:
            break
    listener.close()
    assert messages[0] == "STATUS=attract"
    assert messages[1] == "READY=1\nSTATUS=attract"
    assert messages.count("WATCHDOG=1") == 3  # at 0, 1 and 2 s
    assert "STATUS=framing" in messages
    assert messages[-1] == "STOPPING=1"


def test_pi_camera_missing_at_boot_is_out_of_order_until_it_appears(make_app, config) -> None:
    api = fake_api(cameras=[])
    app = make_app(camera=PicameraCamera(config.camera, api))
    app.start(0.0)
    assert app.machine.phase is Phase.OUT_OF_ORDER
    assert "no camera found" in app.machine.fault
    now = advance(app, 0.0, config.timing.camera_retry + 0.5)
    assert app.machine.phase is Phase.OUT_OF_ORDER
    api.Picamera2.cameras = [{"Model": "imx708"}]  # plugged in
    advance(app, now, config.timing.camera_retry + 0.5)
    assert app.machine.phase is Phase.ATTRACT


def test_a_visit_cut_short_by_a_stop_is_logged_as_interrupted(make_app, config) -> None:
    app = make_app()
    previous = signal.signal(signal.SIGTERM, app.stop)
    try:
        app.start(0.0)
        now = press(app, MainButton(), 0.5)
        assert app.machine.phase is Phase.FRAMING
        os.kill(os.getpid(), signal.SIGTERM)
        app.step(now + 0.1)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert not app.running
    app.close()
    [line] = config.storage.layout.visits_path.read_text().splitlines()
    record = json.loads(line)
    assert record["outcome"] == "interrupted"
    assert record["phases"][0]["phase"] == "framing"
