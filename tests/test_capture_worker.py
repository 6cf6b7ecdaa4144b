"""The capture off the UI loop, on the loop's real capture thread (issue 23, faults 1, 4 and 5):
a press during the burst decides nothing on the review screen, a capture that hangs ends at
``timing.capture_timeout``, and systemd's watchdog is fed all through it. The loop, the buttons'
stamps and the watchdog run on a clock the test moves; only the burst's thread is real, and the
test waits for it (never for time to pass)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import FIXED_TIME
from gpiozero import Device
from gpiozero.pins.mock import MockFactory
from helpers import eventually

from kiosk.booth.events import MainButton
from kiosk.booth.loop import BoothLoop
from kiosk.booth.machine import Phase
from kiosk.camera.frames import Still
from kiosk.camera.image_camera import ImageCamera
from kiosk.config import ButtonsConfig
from kiosk.hardware.buttons import GpioButtons
from kiosk.hardware.sdnotify import Notifier

FRAME = 0.02  # the loop's frame time on the test's clock


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class SlowCamera(ImageCamera):
    """The image camera, with a burst that lasts until the test lets it go (``limit`` seconds
    of real time bound it, should a test fail) and calls ``during`` while it lasts, as a person
    pressing would."""

    def __init__(self, *args, limit: float = 60.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.release = threading.Event()
        self.started = threading.Event()
        self.limit = limit
        self.during: Callable[[], None] = lambda: None
        self.thread: threading.Thread | None = None

    def capture_burst(self, count: int) -> list[Still]:
        self.thread = threading.current_thread()
        self.started.set()
        self.during()
        self.release.wait(self.limit)
        return super().capture_burst(count)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def slow_app(make_app, config, clock: Clock):
    def build(**timing: float) -> BoothLoop:
        changed = config.model_copy(
            update={"timing": config.timing.model_copy(update={"countdown": 1, **timing})}
        )
        camera = SlowCamera(
            changed.camera.image, changed.camera.sensor_size, wallclock=lambda: FIXED_TIME
        )
        worker = ThreadPoolExecutor(1, thread_name_prefix="burst")
        app = make_app(
            config=changed, camera=camera, capture_worker=worker, press_clock=clock, **extra
        )
        apps.append(app)
        return app

    extra: dict = {}
    apps: list[BoothLoop] = []
    build.extra = extra  # type: ignore[attr-defined]
    yield build
    for app in apps:
        app.camera.release.set()  # a failed test leaves no burst thread waiting


def run_until(app: BoothLoop, clock: Clock, done: Callable[[], bool], seconds: float) -> None:
    """Step the loop frame by frame on the test's clock until ``done``, for at most
    ``seconds`` of that clock."""
    end = clock.now + seconds
    while not done() and clock.now < end:
        clock.now += FRAME
        app.step(clock.now)


def burst_finished(app: BoothLoop) -> None:
    """Wait (real time: the burst's thread) for the burst to be done, then take its result."""
    assert eventually(lambda: not app.capturing, within=10), "the burst never finished"


def to_capture(app: BoothLoop, clock: Clock) -> None:
    app.start(clock.now)
    for _ in range(2):  # attract -> framing -> countdown
        app.post(MainButton())
        app.step(clock.now)
    assert app.machine.phase is Phase.COUNTDOWN
    run_until(app, clock, lambda: app.machine.phase is not Phase.COUNTDOWN, 2.0)
    assert app.machine.phase is Phase.CAPTURE


def test_presses_during_the_burst_decide_nothing_on_the_review(
    slow_app, clock: Clock, monkeypatch
) -> None:
    factory = MockFactory()
    monkeypatch.setattr(Device, "pin_factory", factory)
    buttons = GpioButtons(
        ButtonsConfig(main_pin=17, second_pin=27, bounce_time=0), factory, clock=clock
    )
    slow_app.extra["buttons"] = buttons
    app = slow_app()
    main, second = factory.pin(17), factory.pin(27)

    def press_both() -> None:  # flash fires, the person presses "again" and "ok"
        for pin in (second, main):
            pin.drive_low()
            pin.drive_high()

    def pressed_during_the_burst() -> None:
        press_both()
        app.camera.release.set()

    app.camera.during = pressed_during_the_burst
    to_capture(app, clock)
    burst_finished(app)
    run_until(app, clock, lambda: app.machine.phase is not Phase.CAPTURE, 1.0)
    run_until(app, clock, lambda: False, 0.3)  # a few more frames
    assert app.machine.phase is Phase.REVIEW
    assert app.machine.visit is not None and app.machine.visit.retakes == 0
    assert Path(app.machine.photo.path).is_file()
    press_both()  # pressed now, on the review screen: they count
    run_until(app, clock, lambda: app.machine.phase is not Phase.REVIEW, 1.0)
    assert app.machine.phase is Phase.COUNTDOWN or app.machine.visit.retakes == 1


def test_a_capture_that_hangs_ends_at_the_capture_timeout(slow_app, clock: Clock) -> None:
    app = slow_app(capture_timeout=0.6, camera_retry=0.2)
    to_capture(app, clock)
    entered = clock.now
    run_until(app, clock, lambda: app.machine.phase is not Phase.CAPTURE, 5.0)
    assert app.machine.phase is Phase.OUT_OF_ORDER
    assert 0.6 <= clock.now - entered <= 0.6 + 2 * FRAME
    assert "capture took too long" in (app.machine.fault or "")
    assert app.capturing  # the camera still holds the burst: it is not restarted under it
    run_until(app, clock, lambda: False, 1.0)
    assert app.machine.phase is Phase.OUT_OF_ORDER and app.capturing
    app.camera.release.set()
    burst_finished(app)
    run_until(app, clock, lambda: app.machine.phase is Phase.ATTRACT, 2.0)
    assert app.machine.phase is Phase.ATTRACT
    assert (
        len(list(app.config.storage.layout.photos_dir.rglob("*.jpg"))) == 1
    )  # the late photo kept


def test_the_watchdog_is_fed_and_the_screen_drawn_all_through_a_long_capture(
    slow_app, clock: Clock, tmp_path: Path
) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = str(tmp_path / "notify")
    listener.bind(address)
    listener.setblocking(False)
    notifier = Notifier({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "1500000"})
    slow_app.extra["notifier"] = notifier
    app = slow_app()
    pings: list[float] = []

    def collect() -> None:
        while True:
            try:
                message = listener.recv(4096)
            except BlockingIOError:
                return
            if b"WATCHDOG=1" in message:
                pings.append(clock.now)

    drawn: list[Phase] = []
    draw = app._draw

    def counted_draw(now: float) -> None:
        drawn.append(app.machine.phase)
        draw(now)

    app._draw = counted_draw
    try:
        to_capture(app, clock)
        assert app.camera.started.wait(10)
        # The burst holds the camera on a thread of its own: the loop goes on (run on the
        # loop's thread, the first step below would wait for the burst's end).
        assert app.camera.thread is not threading.current_thread()
        collect()
        drawn.clear()
        for _ in range(150):  # 3 s of the test's clock, the burst held all along
            clock.now += FRAME
            app.step(clock.now)
            collect()
        # Pings a third of the interval apart; systemd kills the booth after a whole interval.
        gaps = [b - a for a, b in zip(pings, [*pings[1:], clock.now], strict=True)]
        assert max(gaps) < 1.5, f"no watchdog ping for {max(gaps):.2f} s during the capture"
        assert app.machine.phase is Phase.CAPTURE and app.capturing
        assert drawn == [Phase.CAPTURE] * 150, "the capture screen was drawn every frame"
        app.camera.release.set()
        burst_finished(app)
        run_until(app, clock, lambda: app.machine.phase is Phase.REVIEW, 1.0)
        assert app.machine.phase is Phase.REVIEW
        assert app.capture.frozen is not None  # the burst's frame, for the capture screen
    finally:
        app.camera.release.set()
        listener.close()
        notifier.close()
        os.unlink(address)
