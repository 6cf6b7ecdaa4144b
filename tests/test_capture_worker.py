"""The capture off the UI loop, on the loop's real capture thread and the real clock (issue 23,
faults 1, 4 and 5): a press during the burst decides nothing on the review screen, a capture
that hangs ends at ``timing.capture_timeout``, and systemd's watchdog is fed all through it."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import FIXED_TIME
from gpiozero import Device
from gpiozero.pins.mock import MockFactory
from helpers import patient

from kiosk.booth.events import MainButton
from kiosk.booth.loop import BoothLoop
from kiosk.booth.machine import Phase
from kiosk.camera.frames import Still
from kiosk.camera.image_camera import ImageCamera
from kiosk.config import ButtonsConfig
from kiosk.hardware.buttons import GpioButtons
from kiosk.hardware.sdnotify import Notifier


class SlowCamera(ImageCamera):
    """The image camera, with a burst that lasts until the test lets it go (at most ``limit``
    seconds) and calls ``during`` while it lasts, as a person pressing would."""

    def __init__(self, *args, limit: float = 3.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.release = threading.Event()
        self.started = threading.Event()
        self.limit = limit
        self.during: Callable[[], None] = lambda: None

    def capture_burst(self, count: int) -> list[Still]:
        self.started.set()
        self.during()
        self.release.wait(self.limit)
        return super().capture_burst(count)


@pytest.fixture
def slow_app(make_app, config):
    def build(limit: float = 3.0, **timing: float) -> BoothLoop:
        changed = config.model_copy(
            update={"timing": config.timing.model_copy(update={"countdown": 1, **timing})}
        )
        camera = SlowCamera(
            changed.camera.image,
            changed.camera.sensor_size,
            wallclock=lambda: FIXED_TIME,
            limit=limit,
        )
        worker = ThreadPoolExecutor(1, thread_name_prefix="burst")
        return make_app(config=changed, camera=camera, capture_worker=worker, **extra)

    extra: dict = {}
    build.extra = extra  # type: ignore[attr-defined]
    return build


def run_until(app: BoothLoop, done: Callable[[], bool], within: float = 10.0) -> None:
    """Step the loop on the real clock, a frame every 20 ms, until ``done`` (or the bound)."""
    deadline = time.monotonic() + patient(within)
    while not done() and time.monotonic() < deadline:
        app.step(time.monotonic())
        time.sleep(0.02)


def to_capture(app: BoothLoop) -> None:
    app.start(time.monotonic())
    for _ in range(2):  # attract -> framing -> countdown
        app.post(MainButton())
        app.step(time.monotonic())
    assert app.machine.phase is Phase.COUNTDOWN
    run_until(app, lambda: app.machine.phase is not Phase.COUNTDOWN)
    assert app.machine.phase is Phase.CAPTURE


def test_presses_during_the_burst_decide_nothing_on_the_review(slow_app, monkeypatch) -> None:
    factory = MockFactory()
    monkeypatch.setattr(Device, "pin_factory", factory)
    buttons = GpioButtons(ButtonsConfig(main_pin=17, second_pin=27, bounce_time=0), factory)
    slow_app.extra["buttons"] = buttons
    app = slow_app(limit=0.5)
    main, second = factory.pin(17), factory.pin(27)

    def press_both() -> None:  # flash fires, the person presses "again" and "ok"
        for pin in (second, main):
            pin.drive_low()
            pin.drive_high()

    app.camera.during = press_both
    to_capture(app)
    run_until(app, lambda: app.machine.phase is not Phase.CAPTURE)
    run_until(app, lambda: False, within=0.3)  # a few more frames
    assert app.machine.phase is Phase.REVIEW
    assert app.machine.visit is not None and app.machine.visit.retakes == 0
    assert Path(app.machine.photo.path).is_file()
    press_both()  # pressed now, on the review screen: they count
    run_until(app, lambda: app.machine.phase is not Phase.REVIEW, within=1.0)
    assert app.machine.phase is Phase.COUNTDOWN or app.machine.visit.retakes == 1


def test_a_capture_that_hangs_ends_at_the_capture_timeout(slow_app) -> None:
    app = slow_app(limit=4.0, capture_timeout=0.6, camera_retry=0.2)
    to_capture(app)
    entered = time.monotonic()
    run_until(app, lambda: app.machine.phase is not Phase.CAPTURE)
    assert app.machine.phase is Phase.OUT_OF_ORDER
    assert time.monotonic() - entered < patient(2.0)
    assert "capture took too long" in (app.machine.fault or "")
    assert app.capturing  # the camera still holds the burst: it is not restarted under it
    app.camera.release.set()
    run_until(app, lambda: app.machine.phase is Phase.ATTRACT)
    assert app.machine.phase is Phase.ATTRACT
    assert (
        len(list(app.config.storage.layout.photos_dir.rglob("*.jpg"))) == 1
    )  # the late photo kept


def test_the_watchdog_is_fed_and_the_screen_drawn_all_through_a_long_capture(
    slow_app, tmp_path: Path
) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = str(tmp_path / "notify")
    listener.bind(address)
    listener.setblocking(False)
    notifier = Notifier({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "1500000"})
    slow_app.extra["notifier"] = notifier
    app = slow_app(limit=5.0)
    pings: list[float] = []

    def collect() -> None:
        while True:
            try:
                message = listener.recv(4096)
            except BlockingIOError:
                return
            if b"WATCHDOG=1" in message:
                pings.append(time.monotonic())

    steps_in_capture = 0
    try:
        started = time.monotonic()
        app.start(started)
        for _ in range(2):  # attract -> framing -> countdown
            app.post(MainButton())
            app.step(time.monotonic())
        while time.monotonic() - started < patient(1.0) + 3.0:  # countdown 1 s, then 3 s
            app.step(time.monotonic())
            collect()
            steps_in_capture += app.machine.phase is Phase.CAPTURE
            time.sleep(0.02)
        # Pings a third of the interval apart; systemd kills the booth after a whole interval.
        gaps = [b - a for a, b in zip(pings, [*pings[1:], time.monotonic()], strict=True)]
        assert max(gaps) < 1.5, f"no watchdog ping for {max(gaps):.2f} s during the capture"
        assert app.machine.phase is Phase.CAPTURE and app.capturing
        assert steps_in_capture >= 40, "the capture screen kept drawing"
        app.camera.release.set()
        run_until(app, lambda: app.machine.phase is Phase.REVIEW)
        assert app.machine.phase is Phase.REVIEW
        assert app.capture.frozen is not None  # the burst's frame, for the capture screen
    finally:
        app.camera.release.set()
        listener.close()
        notifier.close()
        os.unlink(address)
