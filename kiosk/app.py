"""The booth loop: hardware at the edge around the pure state machine.

Each ``step(now)`` feeds button presses and a tick to the machine, draws the current screen, then
carries out the machine's commands (take a burst, save, log). Drawing comes before the commands so
that a screen is on the display before a slow command (the burst) runs; a command's result comes
back as an event in the next step. Time is an argument, so tests drive the loop with their own
clock and nothing sleeps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pygame

from kiosk.burst import Choice, choose, score_frame
from kiosk.buttons import GpioButtons, key_event
from kiosk.camera import Camera, CameraError, ImageCamera, Still, preview_size_for
from kiosk.config import Config
from kiosk.framing import Crop, centred_crop
from kiosk.guide import Guide
from kiosk.lights import Lights, light_state
from kiosk.machine import (
    CAMERA,
    DISK,
    Booth,
    CaptureBurst,
    CaptureFailed,
    CaptureFinished,
    CheckHealth,
    Command,
    DiscardPhoto,
    Event,
    Fault,
    Guidance,
    Phase,
    RecordVisit,
    Recovered,
    ReportFault,
    Tick,
)
from kiosk.photos import PhotoStore, crop_pixels, new_token
from kiosk.retention import free_megabytes, purge_files
from kiosk.screens import Media, Screens, qr_surface
from kiosk.sdnotify import Notifier
from kiosk.share import qr_modules, wifi_join_code
from kiosk.subject import CooperativeSubject
from kiosk.texts import Texts
from kiosk.visits import VisitLog

log = logging.getLogger(__name__)

# How often the idle booth looks at the free disk space, and deletes photos past retention.
DISK_CHECK_INTERVAL = 30.0
PURGE_INTERVAL = 3600.0
# This many unexpected errors within the window end the process (systemd restarts it).
ERROR_LIMIT = 5
ERROR_WINDOW = 60.0
SUBJECT_STEP = 0.02
SUBJECT_ZOOM = 1.1


class BoothApp:
    def __init__(
        self,
        config: Config,
        camera: Camera,
        surface: pygame.Surface,
        store: PhotoStore,
        visits: VisitLog,
        buttons: GpioButtons | None = None,
        screenshots: Path | None = None,
        wallclock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
        lights: Lights | None = None,
        notifier: Notifier | None = None,
        guide: Guide | None = None,
        follower: CooperativeSubject | None = None,
    ):
        self.config = config
        self.camera = camera
        self.surface = surface
        self.store = store
        self.visits = visits
        self.buttons = buttons
        self.lights = lights
        self.guide = guide
        self.follower = follower
        self.notifier = notifier or Notifier({})
        self.screenshots = screenshots
        self.wallclock = wallclock
        language = config.event.language
        self.screens = Screens(surface, config, Texts(language, config.texts.overrides(language)))
        wifi = config.share.wifi
        two_codes = wifi is not None and self.screens.fits_two_codes()
        self.machine = Booth(
            config.timing,
            config.photo.burst_count,
            auto_capture=config.guidance.auto_capture,
            wifi_first=wifi is not None and not two_codes,
        )
        self._codes_on_share = 2 if two_codes else 1
        self._wifi_code = qr_modules(wifi_join_code(wifi)) if wifi is not None else None
        self._link_code: np.ndarray | None = None
        self._worker = ThreadPoolExecutor(max_workers=2, thread_name_prefix="capture")
        self.crop: Crop = centred_crop(camera.sensor_size, config.photo.aspect_ratio)
        self._guided_visit: object | None = None
        self.media = Media(sensor_size=camera.sensor_size, crop=self.crop)
        self.running = True
        self._events: list[Event] = []
        self._shown_screen: str | None = None
        self._screenshot_count = 0
        self._disk_checked_at = 0.0
        self._purged_at: float | None = None
        self._purging: Future | None = None
        self._watchdog_at: float | None = None
        self._errors: list[float] = []

    # -- inputs --

    def post(self, event: Event) -> None:
        self._events.append(event)

    def handle_key(self, key: int) -> None:
        if key == pygame.K_ESCAPE and not self.config.display.kiosk_mode:
            self.running = False
            return
        event = key_event(key)
        if event is not None:
            self.post(event)
            return
        subject = getattr(self.camera, "subject", None)
        if subject is None or self.config.display.kiosk_mode:
            return
        moves = {
            pygame.K_LEFT: (-SUBJECT_STEP, 0.0),
            pygame.K_RIGHT: (SUBJECT_STEP, 0.0),
            pygame.K_UP: (0.0, -SUBJECT_STEP),
            pygame.K_DOWN: (0.0, SUBJECT_STEP),
        }
        if key in moves:
            subject.move(*moves[key])
        elif key in (pygame.K_PLUS, pygame.K_KP_PLUS, pygame.K_EQUALS):
            subject.scale(SUBJECT_ZOOM)
        elif key in (pygame.K_MINUS, pygame.K_KP_MINUS):
            subject.scale(1 / SUBJECT_ZOOM)

    def pump_window_events(self) -> None:
        for event in pygame.event.get():
            if event.type == pygame.QUIT and not self.config.display.kiosk_mode:
                self.running = False
            elif event.type == pygame.KEYDOWN:
                self.handle_key(event.key)

    # -- the loop --

    def start(self, now: float) -> None:
        self._events.append(self._start_camera())
        self._events.append(self._check_disk())
        self._disk_checked_at = now
        self.step(now)

    def step(self, now: float) -> None:
        """One frame of the booth. An unexpected error ends the visit (its photo, if taken,
        stays saved) and goes back to the start; errors that keep coming end the process, so
        that systemd starts it afresh."""
        try:
            self._step(now)
        except Exception:
            log.exception(
                "unexpected error on the %s screen; back to the start", self.machine.screen
            )
            self._errors = [t for t in self._errors if now - t < ERROR_WINDOW] + [now]
            if len(self._errors) >= ERROR_LIMIT:
                raise
            for command in self.machine.recover(now):
                self._carry_out(command)

    def _step(self, now: float) -> None:
        events = self._events
        self._events = []
        if self.buttons is not None:
            events.extend(self.buttons.drain())
        if (
            self.machine.phase is Phase.ATTRACT
            and now - self._disk_checked_at >= DISK_CHECK_INTERVAL
        ):
            self._disk_checked_at = now
            events.append(self._check_disk())
        if self.machine.phase is Phase.FRAMING and self.guide is not None:
            events.extend(self._look(now))
        commands: list[Command] = []
        for event in [*events, Tick()]:
            commands.extend(self.machine.handle(event, now))
        if self.follower is not None and self.machine.phase is Phase.FRAMING:
            guidance = self.machine.guidance
            self.follower.follow(guidance.cue if guidance else None, now)
        if self.lights is not None:
            self.lights.show(light_state(self.machine, now, self.config.lights))
        self._draw(now)
        self._tell_systemd(now)
        for command in commands:
            self._carry_out(command)
        if self.machine.phase is Phase.ATTRACT:
            self._purge_now_and_then(now)

    def _look(self, now: float) -> list[Event]:
        """Guidance for this frame, if the analyser has a new verdict; the crop follows it."""
        assert self.guide is not None
        if self._guided_visit is not self.machine.visit:
            self._guided_visit = self.machine.visit
            self.guide.start_visit()
            self._set_crop(centred_crop(self.camera.sensor_size, self.config.photo.aspect_ratio))
        if CAMERA in self.machine.faults:
            return []
        try:
            verdict = self.guide.look(self.camera, now)
        except CameraError as error:
            return [Fault(CAMERA, str(error))]
        if verdict is None:
            return []
        if verdict.crop is not None:
            self._set_crop(verdict.crop)
        return [Guidance(verdict.person_present, verdict.cue, verdict.progress, verdict.ready)]

    def _set_crop(self, crop: Crop) -> None:
        self.crop = crop
        self.media.crop = crop

    def _tell_systemd(self, now: float) -> None:
        if self._watchdog_at is None:
            self.notifier.notify("READY=1", f"STATUS={self._status()}")
        interval = self.notifier.watchdog_interval
        if self._watchdog_at is None or (interval and now - self._watchdog_at >= interval / 3):
            self.notifier.notify("WATCHDOG=1")
            self._watchdog_at = now

    def _status(self) -> str:
        fault = self.machine.fault
        return f"{self.machine.screen}: {fault}" if fault else self.machine.screen

    def _purge_now_and_then(self, now: float) -> None:
        """Retention runs while the booth is idle, on a worker thread, once an hour."""
        if self._purging is not None and not self._purging.done():
            return
        if self._purged_at is not None and now - self._purged_at < PURGE_INTERVAL:
            return
        self._purged_at = now
        storage = self.config.storage
        self._purging = self._worker.submit(
            purge_files, storage.index_path, storage.dir.expanduser(), storage.retention
        )

    def stop(self, *_: object) -> None:
        """End the loop after this frame: a photo being saved is still written completely.
        Fits signal.signal, for SIGTERM."""
        self.running = False

    def close(self) -> None:
        self.notifier.notify("STOPPING=1")
        if self.guide is not None:
            self.guide.close()
        self._worker.shutdown()
        self.camera.close()
        if self.lights is not None:
            self.lights.close()
        if self.buttons is not None:
            self.buttons.close()
        self.store.close()

    # -- drawing --

    def _draw(self, now: float) -> None:
        phase = self.machine.phase
        screen = self.machine.screen
        entered = screen != self._shown_screen
        if entered:
            self.notifier.notify(f"STATUS={self._status()}")
            self._prepare(phase)
        if phase in (Phase.FRAMING, Phase.COUNTDOWN) and CAMERA not in self.machine.faults:
            try:
                self.media.preview = self.camera.preview_frame()
            except CameraError as error:
                self.media.preview = None
                self.post(Fault(CAMERA, str(error)))
        self.screens.draw(self.machine, now, self.media)
        pygame.display.flip()
        if entered and self.screenshots is not None:
            self._screenshot_count += 1
            name = f"{self._screenshot_count:03d}-{screen}.png"
            self.screenshots.mkdir(parents=True, exist_ok=True)
            pygame.image.save(self.surface, self.screenshots / name)
        self._shown_screen = screen

    def _prepare(self, phase: Phase) -> None:
        """Build what a screen shows once, when it is entered, not every frame."""
        photo = self.machine.photo
        if phase is Phase.SHARE and photo is not None:
            side = self.screens.qr_side(self._codes_on_share)
            if self._link_code is None:  # a photo kept by another path than keep_photo
                self._link_code = qr_modules(photo.url)
            self.media.qr = qr_surface(self._link_code, side)
            if self._wifi_code is not None:
                self.media.wifi_qr = qr_surface(self._wifi_code, side)
        elif phase is not Phase.REVIEW:
            self.media.qr = self.media.wifi_qr = None
            self._link_code = None
            if phase is not Phase.SHARE:
                self.media.photo = None

    # -- commands --

    def _carry_out(self, command: Command) -> None:
        match command:
            case CaptureBurst(count=count):
                self.post(self._capture(count))
            case DiscardPhoto(photo=photo):
                self.store.discard(photo)
                self.media.photo = None
                log.info("photo discarded for a retake: %s", photo.path)
            case RecordVisit(record=record):
                self.visits.append(record, self.wallclock())
            case CheckHealth(sources=sources):
                # Only a recovery is news; the fault was reported when it began.
                checks = {CAMERA: self._start_camera, DISK: self._check_disk}
                for source in sources:
                    event = checks[source]()
                    if isinstance(event, Recovered):
                        log.info("%s is fine again", source)
                        self.post(event)
            case ReportFault(reason=reason):
                log.error("out of order: %s", reason)

    def _start_camera(self) -> Event:
        try:
            self.camera.close()
            preview = preview_size_for(
                self.camera.sensor_size,
                self.crop.height,
                self.screens.preview_rect((self.crop.width, self.crop.height)).height,
            )
            self.camera.start(preview, self.config.camera.analysis_size)
        except CameraError as error:
            return Fault(CAMERA, str(error))
        return Recovered(CAMERA)

    def _check_disk(self) -> Event:
        storage = self.config.storage
        free = free_megabytes(storage.dir.expanduser())
        if free < storage.min_free_mb:
            return Fault(
                DISK,
                f"disk almost full: {free:.0f} MB free in {storage.dir}, "
                f"{storage.min_free_mb} MB needed (storage.min_free_mb)",
            )
        return Recovered(DISK)

    def _capture(self, count: int) -> Event:
        disk = self._check_disk()
        if isinstance(disk, Fault):
            return CaptureFailed(disk.reason, source=DISK)
        try:
            stills = self.camera.capture_burst(count)
        except CameraError as error:
            return CaptureFailed(str(error))
        return self.keep_photo(stills)

    def keep_photo(self, stills: list[Still]) -> Event:
        """Choose the photo from a burst, save it, and prepare it for the review screen."""
        if not stills:
            return CaptureFailed("the camera returned no frames")
        choice = self._choose(stills)
        chosen = stills[choice.index] if choice else stills[0]
        details: dict = {"burst": len(stills), "chosen": choice.index if choice else 0}
        if choice is not None:
            details["scores"] = [score.as_record() for score in choice.scores]
        token = new_token()
        # The share QR code and the review picture are made on the other cores while the JPEG
        # encoder runs.
        link_code = self._worker.submit(qr_modules, self.store.share_url(token))
        cropped = crop_pixels(chosen.pixels, self.crop)
        review_picture = self._worker.submit(self.screens.review_picture, cropped)
        try:
            photo = self.store.save(chosen, self.crop, token, details)
        except OSError as error:
            log.exception("cannot save the photo")
            return CaptureFailed(f"cannot save the photo: {error}", source=DISK)
        except ValueError as error:  # a frame of another size than the sensor's
            return CaptureFailed(str(error))
        self._link_code = link_code.result()
        self.media.photo = review_picture.result()
        if choice is not None and choice.retake_suggested:
            photo = dataclasses.replace(photo, retake_suggested=True)
        log.info("photo saved: %s", photo.path)
        return CaptureFinished(photo)

    def _choose(self, stills: list[Still]) -> Choice | None:
        """The best real frame of the burst, when the face analysis is there to judge it."""
        guide = self.guide
        if guide is None or not guide.analyser.working or len(stills) < 2:
            return None

        def analyse(frame: np.ndarray) -> list:
            faces = guide.analyser.analyse_now(frame)
            if faces is None:
                raise CameraError("the analyser did not answer")
            return faces

        try:
            scores = [score_frame(i, still, analyse, self.crop) for i, still in enumerate(stills)]
        except CameraError as error:
            log.warning("burst not scored (%s); keeping its first frame", error)
            return None
        rules = guide.rules
        return choose(scores, guide.engine.open_baseline, rules.eyes_open_share)


def demo_camera(config: Config, image: Path | None) -> ImageCamera:
    """The image camera for ``kiosk demo``: the given picture, else scikit-image's astronaut."""
    if image is not None:
        return ImageCamera(image, config.camera.sensor_size)
    if config.camera.image is not None:
        return ImageCamera(config.camera.image, config.camera.sensor_size)
    try:
        from skimage import data
    except ImportError as error:
        raise CameraError(
            "the demo portrait comes with scikit-image: install it (pip install -e '.[dev]') "
            "or pass --image PATH"
        ) from error
    from PIL import Image

    return ImageCamera(Image.fromarray(data.astronaut()), config.camera.sensor_size)
