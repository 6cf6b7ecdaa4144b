"""`kiosk preflight`: staff check the real booth before the doors open, on its own screen and in
the terminal. Each line is ok, a warning or a failure, with the figure it measured.

It uses the booth's own parts (camera, screen, buttons, lights, photo store, face analysis), so
what passes here works during the event. Waiting for a button press uses an injected clock and
pause; the frame rate and the analysis rate are measured in real time, as they must be.
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import pygame

from kiosk.booth.events import FramingAdvice, MainButton
from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens import Media, ScreenTable
from kiosk.booth.screens.kit import hex_colour
from kiosk.booth.screens.qr import qr_surface
from kiosk.camera.crop import centred_crop
from kiosk.camera.frames import Camera, CameraError
from kiosk.config import Config
from kiosk.files import free_megabytes
from kiosk.hardware.buttons import GpioButtons, Press, key_press
from kiosk.hardware.lights import Led, Lights, LightState
from kiosk.photos.store import PhotoStore, SavedPhoto, new_token
from kiosk.share.links import qr_modules
from kiosk.status import Check, credentials_check, hotspot_checks
from kiosk.vision.analyser import AnalyserProcess

# The year this release was made: a clock before it has never been set.
EARLIEST_SANE_YEAR = 2026


@dataclass(frozen=True)
class EventPlan:
    """What the event will ask of the disk."""

    photos_per_hour: int = 60
    hours: float = 12.0


@dataclass
class PreflightParts:
    """The booth's parts as `kiosk preflight` opened them (None: not in use here)."""

    camera: Camera
    screens: ScreenTable
    store: PhotoStore
    buttons: GpioButtons | None = None
    lights: Lights | None = None
    analyser: AnalyserProcess | None = None


class Preflight:
    def __init__(
        self,
        config: Config,
        parts: PreflightParts,
        report: Callable[[Check], None],
        prompt: Callable[[str], None],
        plan: EventPlan = EventPlan(),
        measure_seconds: float = 5.0,
        button_timeout: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
        pause: Callable[[float], None] = time.sleep,
        wallclock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
        clock_synchronised: Callable[[], bool | None] | None = None,
        fetch: Callable[[str], int] | None = None,
        test_page: Callable[[], tuple[bool, str]] | None = None,
    ):
        self.config = config
        self.parts = parts
        self.report = report
        self.prompt = prompt
        self.plan = plan
        self.measure_seconds = measure_seconds
        self.button_timeout = button_timeout
        self.clock = clock
        self.pause = pause
        self.wallclock = wallclock
        self.clock_synchronised = clock_synchronised or _ntp_synchronised
        self.fetch = fetch or _http_status
        self.test_page = test_page  # prints a test page (--test-page): (printed?, what happened)
        self.results: list[Check] = []
        self.test_photo: SavedPhoto | None = None
        self._photo_bytes = 0

    def run(self) -> list[Check]:
        steps: list[Callable[[], Check]] = [
            self.system_clock,
            self.camera,
            self.test_photo_taken,
            self.main_button,
            self.second_button,
            self.lights,
            self.frame_rate,
            self.analysis_rate,
            self.disk_for_the_event,
            self.share_server,
            lambda: credentials_check(self.config),
        ]
        if self.config.print.when != "never":
            steps.append(self.printer)
        if self.config.hotspot.enabled:
            # The booth's own Wi-Fi: up, country set, names answered, sign-in sheet answering.
            steps.append(lambda: hotspot_checks(self.config)[0])
        for step in steps:
            try:
                check = step()
            except Exception as error:  # one broken part must not hide the others' lines
                check = Check(getattr(step, "__name__", "check"), f"failed: {error}", False)
            self.results.append(check)
            self.report(check)
        return self.results

    # -- the checks --

    def system_clock(self) -> Check:
        now = self.wallclock()
        if now.year < EARLIEST_SANE_YEAR:
            return Check("clock", f"{now:%Y-%m-%d %H:%M}: never set; photos get wrong dates", False)
        synchronised = self.clock_synchronised()
        text = f"{now:%Y-%m-%d %H:%M %Z}".strip()
        if synchronised is False:
            return Check("clock", f"{text}, not synchronised (no network time)", True, True)
        return Check("clock", text + (", synchronised" if synchronised else ""), True)

    def camera(self) -> Check:
        camera = self.parts.camera
        crop = centred_crop(camera.sensor_size, self.config.photo.aspect_ratio)
        preview_size = self.parts.screens.preview.rect_for((crop.width, crop.height)).size
        started = self.clock()
        try:
            camera.start(preview_size, self.config.camera.analysis_frame_size)
            preview = camera.preview_frame()
            camera.analysis_frame()
        except CameraError as error:
            return Check(
                "camera", f"{error} (stop the booth first: systemctl stop echtbild)", False
            )
        seconds = self.clock() - started
        width, height = camera.sensor_size
        shown = f"{preview.pixels.shape[1]}x{preview.pixels.shape[0]}"
        text = (
            f"{width}x{height} sensor, rotation {self.config.camera.rotation}, "
            f"preview {shown}, first frame after {seconds:.1f} s"
        )
        return Check("camera", text, True)

    def test_photo_taken(self) -> Check:
        camera, store = self.parts.camera, self.parts.store
        crop = centred_crop(camera.sensor_size, self.config.photo.aspect_ratio)
        started = self.clock()
        try:
            [still] = camera.capture_burst(1)
        except (CameraError, ValueError) as error:
            return Check("test photo", f"no photo: {error}", False)
        focused = self.clock() - started
        brightness = float(still.pixels[::16, ::16].mean())
        token = new_token()
        self.test_photo = store.save(still, crop, token, {"preflight": True})
        code = qr_modules(self.test_photo.url)
        screens = self.parts.screens
        qr_surface(code, screens.share.qr_side(code.shape[0], screens.kit.safe.height))
        to_qr = self.clock() - started - focused
        with open(self.test_photo.path, "rb") as file:
            self._photo_bytes = len(file.read())
        text = (
            f"{crop.width}x{crop.height}, {self._photo_bytes / 1e6:.1f} MB; focus and still "
            f"{focused:.1f} s, capture to QR {to_qr:.2f} s"
        )
        if brightness < 20:
            text += f"; very dark (mean {brightness:.0f} of 255): lens covered, or no light?"
            return Check("test photo", text, True, warning=True)
        return Check("test photo", text, True)

    def main_button(self) -> Check:
        return self._button(Press.MAIN, "big", self.config.buttons.main_pin)

    def second_button(self) -> Check:
        return self._button(Press.SECOND, "small", self.config.buttons.second_pin)

    def lights(self) -> Check:
        lights = self.parts.lights
        if lights is None:
            return Check("lights", "not in use", True)
        self.prompt("watch the lights: the face light ramps up and down, the buttons blink")
        config = self.config.lights
        steps = 10
        for step in [*range(steps + 1), *range(steps, -1, -1)]:
            level = config.light_full * step / steps
            led = Led.ON if step % 2 else Led.OFF
            lights.show(LightState(led, led, level))
            self.pause(0.1)
        lights.show(LightState(Led.OFF, Led.OFF, 0.0))
        return Check("lights", "face light ramped up and down, button lights blinked", True)

    def frame_rate(self) -> Check:
        """The framing screen with the live image, as fast as the display allows."""
        screens, camera = self.parts.screens, self.parts.camera
        machine = BoothMachine(self.config.timing, self.config.photo.burst_count)
        machine.handle(MainButton(), 0.0)
        machine.handle(FramingAdvice(True, "cue_hold_still", 0.5), 0.0)
        crop = centred_crop(camera.sensor_size, self.config.photo.aspect_ratio)
        framing = screens[machine.phase]
        pacer = pygame.time.Clock()
        frames, started = 0, time.perf_counter()
        while time.perf_counter() - started < self.measure_seconds:
            framing.draw(machine, 0.1, Media(preview=camera.preview_frame(), crop=crop))
            pygame.display.flip()
            pygame.event.pump()
            pacer.tick(self.config.display.fps)
            frames += 1
        return frame_rate_check(frames / (time.perf_counter() - started), self.config.display.fps)

    def analysis_rate(self) -> Check:
        analyser = self.parts.analyser
        if analyser is None:
            return Check("face analysis", "off or no models: framing without cues", True, True)
        camera = self.parts.camera
        deadline = time.perf_counter() + 60
        while not analyser.working and time.perf_counter() < deadline:
            analyser.poll()
            analyser.wait(0.1)
        if not analyser.working:
            return Check("face analysis", analyser.problem or "did not start within 60 s", False)
        answers, faces_seen = 0, 0
        started = time.perf_counter()
        while time.perf_counter() - started < self.measure_seconds:
            analyser.submit(camera.analysis_frame(), time.perf_counter())
            analyser.wait(max(0.1, analyser.pace.answer_limit))
            result = analyser.poll()
            if result is not None:
                answers += 1
                faces_seen += bool(result[1])
        rate = answers / (time.perf_counter() - started)
        median = analyser.pace.median
        each = f", {median * 1000:.0f} ms each" if median else ""
        text = f"{rate:.1f} analyses per second{each}; a face in {faces_seen} of {answers}"
        if not answers:
            return Check("face analysis", "no answer from the analyser", False)
        return Check("face analysis", text, True, warning=rate < 5)

    def disk_for_the_event(self) -> Check:
        storage = self.config.storage
        free = free_megabytes(storage.layout.root) - storage.min_free_mb
        photo_mb = max(self._photo_bytes, 1) / 1e6
        needed = math.ceil(self.plan.photos_per_hour * self.plan.hours)
        room = max(0, math.floor(free / photo_mb))
        text = (
            f"room for {room} photos of {photo_mb:.1f} MB above the {storage.min_free_mb} MB "
            f"floor; the event needs {needed} ({self.plan.photos_per_hour} per hour for "
            f"{self.plan.hours:g} hours)"
        )
        if room < needed:
            return Check("disk", text, False)
        return Check("disk", text, True, warning=room < 2 * needed)

    def share_server(self) -> Check:
        if self.test_photo is None:
            return Check("share", "no test photo to share", False)
        url = self.test_photo.url
        health = url.split("/p/")[0] + "/healthz"
        try:
            status = self.fetch(health)
        except OSError as error:
            reason = getattr(error, "reason", error)
            return Check(
                "share", f"{health} does not answer ({reason}): is kiosk serve running?", False
            )
        if status != 200:
            return Check("share", f"{health} answers {status}", False)
        page = self.fetch(url)
        if page != 200:
            return Check("share", f"the test photo's page answers {page}", False)
        return Check("share", f"{url} answers: scan the code on the screen with a phone", True)

    def printer(self) -> Check:
        """The printer's state as the booth judges it; with --test-page, a page printed."""
        from kiosk.printing.staff import printer_line

        text, fine = printer_line(self.config)
        if self.test_page is None or not fine:
            return Check("printer", text, True, warning=not fine)
        printed, said = self.test_page()
        return Check("printer", f"{text}; {said}", printed)

    # -- pieces --

    def wait_for_press(self, seconds: float) -> None:
        """Keep the results on screen for ``seconds``, or until either button is pressed."""
        self._wait_for({Press.MAIN, Press.SECOND}, seconds)

    def _button(self, wanted: Press, name: str, pin: int) -> Check:
        buttons = self.parts.buttons
        if buttons is not None:
            buttons.drain()  # presses from before the question do not count
        pygame.event.clear(pygame.KEYDOWN)
        self.prompt(f"press the {name} button now")
        seconds = self._wait_for({wanted}, self.button_timeout)
        if seconds is None:
            where = f"check its wiring to pin {pin}" if buttons is not None else "no GPIO buttons"
            text = f"no press within {self.button_timeout:.0f} s: {where}"
            return Check(f"{name} button", text, False)
        if buttons is None:
            text = f"pressed on the keyboard after {seconds:.1f} s (no GPIO buttons)"
            return Check(f"{name} button", text, True, warning=True)
        return Check(f"{name} button", f"pressed after {seconds:.1f} s (pin {pin})", True)

    def _wait_for(self, wanted: set[Press], timeout: float) -> float | None:
        """Seconds until one of ``wanted`` was pressed (GPIO or keyboard), or None."""
        buttons = self.parts.buttons
        started = self.clock()
        while self.clock() - started < timeout:
            presses = buttons.drain() if buttons is not None else []
            presses += [
                press
                for event in pygame.event.get(pygame.KEYDOWN)
                if (press := key_press(event.key)) is not None
            ]
            if wanted & set(presses):
                return self.clock() - started
            self.pause(0.02)
        return None


class PreflightScreen:
    """The results as they come, on the booth's own screen, with the test photo's QR code."""

    def __init__(self, screens: ScreenTable):
        self.kit = screens.kit
        self.share = screens.share
        self.lines: list[Check] = []
        self.prompt: str | None = None

    def add(self, check: Check) -> None:
        self.lines.append(check)
        self.prompt = None
        self.draw()

    def ask(self, text: str) -> None:
        self.prompt = text
        self.draw()

    def draw(self, photo: SavedPhoto | None = None) -> None:
        kit = self.kit
        kit.surface.fill(kit.background)
        margin = round(3 * kit.unit)
        top = kit.paragraph("Preflight check", 6, kit.foreground, margin) + kit.unit
        colours = {"ok": (120, 220, 150), "warn": kit.accent, "FAIL": hex_colour("#ff8080")}
        width = kit.width * (0.64 if photo is not None else 0.94)
        size = 2.8
        for check in self.lines:
            text = f"{check.mark:<4} {check.name}: {check.text}"
            pixels = kit.pixels(size)
            for number, part in enumerate(kit.typeface.wrap(text, pixels, width)):
                left = margin + 4 * kit.unit * bool(number)
                kit.typeface.draw(kit.surface, part, pixels, colours[check.mark], left, top)
                top += kit.typeface.line_height(pixels)
            top += kit.unit
        if self.prompt:
            kit.paragraph(self.prompt, 7, kit.accent, kit.height * 0.78)
        if photo is not None:
            side = round(min(kit.width * 0.3, kit.height * 0.55))
            code = qr_surface(qr_modules(photo.url), side)
            spot = code.get_rect(topright=(kit.width - margin, 14 * kit.unit))
            kit.surface.blit(code, spot)
            column = pygame.Rect(spot.left, spot.bottom + kit.unit, spot.width, kit.height)
            kit.paragraph("the test photo's page, for a phone", 2.8, kit.foreground,
                          column.top, column)  # fmt: skip
        pygame.display.flip()


def frame_rate_check(fps: float, target: int) -> Check:
    """The framing screen's measured rate against the display's: under 60 % fails (the live
    image stutters), under 90 % warns."""
    text = f"{fps:.1f} fps with the live image (display rate {target})"
    if fps < 0.6 * target:
        return Check("frame rate", text, False)
    return Check("frame rate", text, True, warning=fps < 0.9 * target)


def summary(results: list[Check]) -> str:
    failed = [check.name for check in results if not check.ok]
    warned = [check.name for check in results if check.ok and check.warning]
    fine = len(results) - len(failed) - len(warned)
    text = f"preflight: {fine} ok, {len(warned)} warning(s), {len(failed)} failed"
    if failed:
        text += f" ({', '.join(failed)})"
    return text


def _ntp_synchronised() -> bool | None:
    """What systemd's timedated says of network time; None where it cannot be asked."""
    try:
        output = subprocess.run(
            ["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return {"yes": True, "no": False}.get(output)


def _http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code
