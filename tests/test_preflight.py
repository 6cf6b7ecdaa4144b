"""`kiosk preflight` on the image camera and mock pins: the staff's answers to its prompts are
played by the test, its waits run on an injected clock, and the share server is the real one
over loopback."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pygame
import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory, MockPWMPin
from helpers import patient

from kiosk.booth.screens import screens_for
from kiosk.camera.image_camera import ImageCamera
from kiosk.config import Config, parse_config
from kiosk.hardware.buttons import open_gpio_buttons
from kiosk.hardware.lights import open_lights
from kiosk.preflight import (
    EventPlan,
    Preflight,
    PreflightParts,
    PreflightScreen,
    frame_rate_check,
    summary,
)
from kiosk.status import Check
from kiosk.vision.analyser import AnalyserProcess
from kiosk.vision.thresholds import thresholds_for

KIOSK = [sys.executable, "-m", "kiosk"]
REAL_TIME = ("frame rate", "face analysis")  # lines measured in real time


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def pause(self, seconds: float) -> None:
        self.now += seconds


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def booth_config(tmp_path: Path, portrait_file: Path, models_dir: Path) -> tuple[Path, Config]:
    path = tmp_path / "kiosk.toml"
    port = free_port()
    path.write_text(
        f'[camera]\nimage = "{portrait_file}"\n[storage]\ndir = "{tmp_path / "data"}"\n'
        f'[share]\nhost = "127.0.0.1"\nport = {port}\nbase_url = "http://127.0.0.1:{port}"\n'
        f'[guidance]\nmodels_dir = "{models_dir}"\n'
        "[lights]\nenabled = true\n[display]\nfullscreen = false\nsize = [1280, 720]\n"
    )
    return path, parse_config(__import__("tomllib").loads(path.read_text()), path)


@pytest.fixture
def share_server(booth_config):
    """`kiosk serve` for the booth's config, as on the booth (its own process)."""
    path, config = booth_config
    environment = {**os.environ, "SDL_VIDEODRIVER": "dummy"}
    server = subprocess.Popen([*KIOSK, "--config", str(path), "serve"], env=environment)
    deadline = time.monotonic() + patient(30)
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", config.share.port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)  # another process starting: real time, not booth time
    yield server
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def pins(monkeypatch: pytest.MonkeyPatch):
    factory = MockFactory(pin_class=MockPWMPin)
    monkeypatch.setattr(Device, "pin_factory", factory)
    yield factory
    factory.close()


def open_parts(config: Config, surface: pygame.Surface, analyse: bool = True) -> PreflightParts:
    from kiosk.assembly import photo_store

    camera = ImageCamera(config.camera.image, config.camera.sensor_size)
    return PreflightParts(
        camera=camera,
        screens=screens_for(surface, config, thresholds_for(config.guidance)),
        store=photo_store(config, link_ttl=3600.0),
        buttons=open_gpio_buttons(config.buttons),
        lights=open_lights(config.lights),
        analyser=AnalyserProcess(config.models_dir) if analyse else None,
    )


def close(parts: PreflightParts) -> None:
    for part in (parts.analyser, parts.buttons, parts.lights, parts.camera, parts.store):
        if part is not None:
            part.close()


def test_a_ready_booth_passes_every_line(booth_config, share_server, pins) -> None:
    _, config = booth_config
    pygame.display.init()
    pygame.font.init()
    surface = pygame.display.set_mode((1280, 720))
    parts = open_parts(config, surface)
    light_levels: list[float] = []
    asked: list[str] = []

    def staff(question: str) -> None:
        """A member of staff at the booth, doing what the screen asks."""
        asked.append(question)
        pin = {"press the big button now": 17, "press the small button now": 27}.get(question)
        if pin is not None:
            pins.pin(pin).drive_low()
            pins.pin(pin).drive_high()

    clock = FakeClock()
    results: list[Check] = []
    screen = PreflightScreen(parts.screens)

    def report(check: Check) -> None:
        results.append(check)
        screen.add(check)
        light_levels.append(parts.lights.light.value if parts.lights else -1)

    preflight = Preflight(
        config,
        parts,
        report,
        staff,
        EventPlan(photos_per_hour=60, hours=12),
        measure_seconds=0.5,
        button_timeout=10,
        clock=clock,
        pause=clock.pause,
        clock_synchronised=lambda: True,
    )
    try:
        preflight.run()
        screen.draw(preflight.test_photo)
        shot = Path(config.storage.dir) / "preflight.png"
        pygame.image.save(surface, shot)
    finally:
        close(parts)
        pygame.display.quit()
    lines = {check.name: check for check in results}
    assert [check.name for check in results] == [
        "clock", "camera", "test photo", "big button", "small button", "lights",
        "frame rate", "face analysis", "disk", "share", "credentials",
    ]  # fmt: skip
    # The frame rate and the analysis rate are measured in real time: their figures are
    # there, their verdicts depend on how busy this machine is (frame_rate_check is tested
    # on its own).
    assert re.fullmatch(
        r"\d+\.\d fps with the live image \(display rate 30\)", lines["frame rate"].text
    )
    failed = {name: c.text for name, c in lines.items() if not c.ok and name not in REAL_TIME}
    assert not failed, failed
    assert lines["big button"].text == "pressed after 0.0 s (pin 17)"
    assert "a face in" in lines["face analysis"].text
    assert "answers: scan the code" in lines["share"].text
    assert asked[:2] == ["press the big button now", "press the small button now"]
    assert Path(preflight.test_photo.path).is_file()
    assert summary(results).startswith("preflight: ")
    assert summary([c for c in results if c.name not in REAL_TIME]).endswith(", 0 failed")
    # The results and the test photo's code are on the booth's screen.
    from helpers import decode_qr

    assert decode_qr(shot) == [preflight.test_photo.url]


def test_a_missing_press_and_a_small_disk_fail_with_what_to_check(
    booth_config, pins, tmp_path
) -> None:
    _, config = booth_config
    pygame.display.init()
    pygame.font.init()
    surface = pygame.display.set_mode((1280, 720))
    parts = open_parts(config, surface, analyse=False)
    clock = FakeClock()
    results: list[Check] = []

    def staff(question: str) -> None:
        if question == "press the big button now":
            pins.pin(17).drive_low()
            pins.pin(17).drive_high()
        # The small button's wire came loose: nobody can press it.

    preflight = Preflight(
        config,
        parts,
        results.append,
        staff,
        EventPlan(photos_per_hour=10_000_000, hours=12),
        measure_seconds=0.2,
        button_timeout=15,
        clock=clock,
        pause=clock.pause,
        clock_synchronised=lambda: None,
        fetch=lambda url: (_ for _ in ()).throw(OSError("connection refused")),
    )
    try:
        preflight.run()
    finally:
        close(parts)
        pygame.display.quit()
    lines = {check.name: check for check in results}
    assert not lines["small button"].ok
    assert lines["small button"].text == "no press within 15 s: check its wiring to pin 27"
    assert clock.now >= 15, "the wait ran on the injected clock"
    assert not lines["disk"].ok and "the event needs 120000000" in lines["disk"].text
    assert not lines["share"].ok and "is kiosk serve running?" in lines["share"].text
    assert lines["face analysis"].warning
    steady = [check for check in results if check.name not in REAL_TIME]
    assert summary(steady).endswith("failed (small button, disk, share)")


def test_the_frame_rate_fails_under_60_and_warns_under_90_percent_of_the_display() -> None:
    assert frame_rate_check(29.5, 30).ok and not frame_rate_check(29.5, 30).warning
    assert frame_rate_check(20.0, 30).ok and frame_rate_check(20.0, 30).warning
    assert not frame_rate_check(17.0, 30).ok
    assert frame_rate_check(17.0, 30).text == "17.0 fps with the live image (display rate 30)"


def test_kiosk_preflight_exits_1_and_names_each_failure(booth_config) -> None:
    """The command as staff run it, with gpiozero's mock pins: nobody presses anything."""
    path, _ = booth_config
    environment = {
        **os.environ,
        "SDL_VIDEODRIVER": "dummy",
        "SDL_AUDIODRIVER": "dummy",
        "GPIOZERO_PIN_FACTORY": "mock",
        "GPIOZERO_MOCK_PIN_CLASS": "mockpwmpin",
    }
    result = subprocess.run(
        [*KIOSK, "--config", str(path), "preflight", "--seconds", "0.3",
         "--button-timeout", "0.3", "--show-for", "0", "--photos-per-hour", "100000000"],
        capture_output=True,
        text=True,
        timeout=patient(180),
        env=environment,
        check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert ">>>   press the big button now" in lines
    assert any(line.startswith("FAIL  big button: no press within 0 s") for line in lines)
    assert any(line.startswith("FAIL  disk: room for") for line in lines)
    assert any(line.startswith("ok    camera: 4608x2592 sensor") for line in lines)
    assert lines[-1].startswith("preflight: ") and "big button" in lines[-1]
