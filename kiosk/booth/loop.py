"""The booth loop: hardware at the edge around the pure state machine.

Each ``step(now)`` feeds button presses, framing advice and a tick to the machine, draws the
current screen, then carries out the machine's commands (take a burst, save, log). The burst
and the save run on a worker of their own: the capture screen keeps drawing, systemd's watchdog
keeps being fed, ``timing.capture_timeout`` is a real bound, and the result comes back as an
event in the first step after it is ready. Presses carry the moment they happened, so one made
during the burst decides nothing on the review screen. Time is an argument, so tests drive the
loop with their own clock and nothing sleeps.

The loop only wires parts: the guidance adapter owns the crop, the capture pipeline the burst and
the saved photo, the health monitor the camera and disk checks, housekeeping the retention, the
screen table what is drawn.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path

import pygame

from kiosk.booth.capture import CapturePipeline
from kiosk.booth.events import (
    CAMERA,
    INDEX,
    CaptureBurst,
    CaptureFailed,
    CheckHealth,
    Command,
    DiscardPhoto,
    Event,
    Fault,
    PrintPhoto,
    PrintRefused,
    RecordVisit,
    ReportFault,
    Tick,
)
from kiosk.booth.guidance import GuidanceAdapter
from kiosk.booth.health import HealthMonitor
from kiosk.booth.heartbeat import Heartbeat
from kiosk.booth.housekeeping import Housekeeping
from kiosk.booth.keyboard import BUTTON_EVENTS, move_person
from kiosk.booth.lighting import light_state
from kiosk.booth.machine import BoothMachine, Phase
from kiosk.booth.performance import (
    REPORT_INTERVAL,
    FrameRate,
    performance_record,
    write_performance,
)
from kiosk.booth.prints import BoothPrinting
from kiosk.booth.screens import Media, screens_for
from kiosk.booth.screens.desk_keys import DeskKeysNote
from kiosk.booth.sound import Speaker
from kiosk.booth.visit_log import VisitLog
from kiosk.camera.frames import Camera, CameraError, PreviewFrame
from kiosk.camera.pictured_person import CooperativePerson
from kiosk.config import Config
from kiosk.hardware.buttons import GpioButtons, key_press
from kiosk.hardware.lights import Lights
from kiosk.hardware.sdnotify import Notifier
from kiosk.photos.repair import open_booth_index
from kiosk.photos.store import PhotoStore
from kiosk.printing.service import PrintService
from kiosk.share.links import ShareLinks
from kiosk.share.on_screen import OnScreenNote
from kiosk.vision.session import FramingSession
from kiosk.vision.thresholds import FramingThresholds, thresholds_for

log = logging.getLogger(__name__)

# This many unexpected errors within the window end the process (systemd restarts it).
ERROR_LIMIT = 5
ERROR_WINDOW = 60.0


class InlineExecutor(Executor):
    """A capture worker that runs the capture at once, on the caller's thread: for drivers that
    step the loop on a clock of their own, faster than real time (tests, benches), where the
    capture must be done by the next step."""

    def submit(self, fn: Callable, /, *args: object, **kwargs: object) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:
            future.set_exception(error)
        return future


class BoothLoop:
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
        session: FramingSession | None = None,
        follower: CooperativePerson | None = None,
        desk_keys: bool = False,
        links: ShareLinks | None = None,
        rules: FramingThresholds | None = None,
        printing: PrintService | None = None,
        announce: Callable[[str, str], None] | None = None,
        capture_worker: Executor | None = None,
        press_clock: Callable[[], float] = time.monotonic,
    ):
        """``rules``: the framing rules, as the assembly computed them once for this booth and
        its ``session`` (default: the config's). ``announce``: given each photo's share link and
        file as its share screen comes up (the demo prints them; a booth never logs a link).
        ``capture_worker``: where bursts run (default: a thread of their own); ``press_clock``:
        the clock ``step`` is given, to stamp window key presses with."""
        self.config = config
        self.camera = camera
        self.surface = surface
        self.store = store
        self.visits = visits
        self.buttons = buttons
        self.lights = lights
        self.follower = follower
        self.screenshots = screenshots
        self.wallclock = wallclock
        self.heartbeat = Heartbeat(notifier or Notifier({}))
        self.screens = screens_for(surface, config, rules or thresholds_for(config.guidance))
        wifi = config.share.wifi
        self.machine = BoothMachine(
            config.timing,
            config.photo.burst_count,
            auto_capture=config.guidance.auto_capture,
            wifi_first=wifi is not None and not self.screens.share.two_codes,
            printing=config.print.when if printing is not None else "never",
            join_code=config.join_wifi is not None,
        )
        self.printing = BoothPrinting(printing, config.storage.layout) if printing else None
        self.guidance = GuidanceAdapter(camera.sensor_size, config.photo.aspect_ratio, session)
        self._worker = ThreadPoolExecutor(max_workers=2, thread_name_prefix="capture")
        self._capture_worker = capture_worker or ThreadPoolExecutor(1, thread_name_prefix="burst")
        self._capturing: Future[list[Event]] | None = None
        self.press_clock = press_clock
        self.health = HealthMonitor(
            config,
            camera,
            lambda: self.guidance.crop,
            lambda size: self.screens.preview.rect_for(size).size,
            self._index_problem,
        )
        self.capture = CapturePipeline(
            camera,
            store,
            self.guidance,
            self.health.check_disk,
            self.screens.review.picture,
            self._worker,
            links,
        )
        mirror = store.mirror
        self.housekeeping = Housekeeping(
            config.storage, self._worker, mirror.remove if mirror is not None else None
        )
        self.sound = Speaker(config.sound, self.screens.kit.texts, config.storage.layout.voice_dir)
        self.on_screen = OnScreenNote(config.storage.layout.on_screen_path)
        self.running = True
        self.announce = announce
        self._announced: str | None = None  # the token whose link was announced last
        self._events: list[Event] = []
        self._desk_keys = DeskKeysNote(self.screens.kit) if desk_keys else None
        self._last_preview: PreviewFrame | None = None  # for the capture screen
        self._shown_screen: str | None = None
        self._logged_cue: str | None = None
        self._screenshot_count = 0
        self._errors: list[float] = []
        self.frame_rate = FrameRate()
        self._reported_at: float | None = None
        self._now = 0.0

    # -- inputs --

    def post(self, event: Event) -> None:
        self._events.append(event)

    def handle_key(self, key: int, at: float | None = None) -> None:
        """``at``: when the key went down (the loop's clock); None: now."""
        if key == pygame.K_ESCAPE and not self.config.display.kiosk_mode:
            self.running = False
            return
        press = key_press(key)
        if press is not None:
            self.post(BUTTON_EVENTS[press](at))
            return
        person = getattr(self.camera, "person", None)
        if person is not None and not self.config.display.kiosk_mode:
            move_person(person, key)

    def pump_window_events(self) -> None:
        # pygame does not hand on SDL's own event times; the loop pumps every frame, so the
        # moment of pumping is within a frame of the key press.
        at = self.press_clock()
        for event in pygame.event.get():
            if event.type == pygame.QUIT and not self.config.display.kiosk_mode:
                self.running = False
            elif event.type == pygame.KEYDOWN:
                self.handle_key(event.key, at)

    # -- the loop --

    def start(self, now: float) -> None:
        self._events.extend(self.health.start(now))
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
        self._now = now
        machine = self.machine
        events = self._capture_result()
        events += self._events
        self._events = []
        if self.buttons is not None:
            events.extend(BUTTON_EVENTS[press](at) for press, at in self.buttons.drain_stamped())
        if machine.phase is Phase.ATTRACT:
            events.extend(self.health.check_disk_now_and_then(now))
        if machine.phase is Phase.FRAMING and CAMERA not in machine.faults:
            events.extend(self.guidance.look(self.camera, machine.visit, now))
        elif machine.visit is None:
            self.guidance.forget_visit()
        commands: list[Command] = []
        for event in [*events, Tick()]:
            commands.extend(machine.handle(event, now))
        cue = machine.advice.cue if machine.advice else None
        if cue != self._logged_cue:
            log.debug("cue %s", cue or "none")
            self._logged_cue = cue
        if self.follower is not None and machine.phase in (Phase.FRAMING, Phase.COUNTDOWN):
            self.follower.follow(cue if machine.phase is Phase.FRAMING else None, now)
        if self.lights is not None:
            self.lights.show(light_state(machine, now, self.config.lights))
        if self.printing is not None:
            self.printing.follow(machine)
        self._draw(now)
        self._note_on_screen()
        self.sound.follow(machine, now)
        self.frame_rate.frame(now)
        self._report_performance(now)
        self.heartbeat.beat(now, self._status())
        for command in commands:
            self._carry_out(command)
        if machine.phase is Phase.ATTRACT:
            self.housekeeping.now_and_then(now)
        self.housekeeping.deletions_now_and_then(now)

    def _note_on_screen(self) -> None:
        """Tell the download server which visit's share screen is up, and since when."""
        machine = self.machine
        sharing = machine.phase is Phase.SHARE and machine.photo is not None
        token = machine.photo.token if sharing and machine.photo else None
        news = self.printing.news(machine) if self.printing is not None else None
        clock = lambda: self.wallclock().timestamp()  # noqa: E731
        self.on_screen.show(machine.phase.value, token, clock, news)
        if token is not None and token != self._announced and self.announce is not None:
            self._announced = token
            shown = self.capture.shown_for(machine.photo)
            photo = machine.photo
            self.announce((shown.link if shown else None) or photo.url, photo.path)

    @property
    def capturing(self) -> bool:
        """A burst (or its save) is running on the capture worker."""
        return self._capturing is not None and not self._capturing.done()

    def _capture_result(self) -> list[Event]:
        """The events of a finished capture (its error, if it raised, goes to ``step``)."""
        if self._capturing is None or not self._capturing.done():
            return []
        future, self._capturing = self._capturing, None
        return future.result()

    def _capture(self, count: int) -> list[Event]:
        """On the capture worker: the burst, the choice, the save."""
        events = [self.capture.capture(count)]
        if self.store.index_problem is not None:
            # This person's link works from the journal; the booth stops after them.
            events.append(Fault(INDEX, self.store.index_problem))
        return events

    def _index_problem(self) -> str | None:
        """None when new photos get their index rows; else why not. Reopens (rebuilding if need
        be) an index that could not be used at start."""
        store = self.store
        if store.index.in_memory:
            index, problem = open_booth_index(store.layout, store.journal)
            if problem is not None:
                index.close()
                return problem
            store.use_index(index)
        return store.retry_index()

    def _report_performance(self, now: float) -> None:
        """Now and then, on the worker: what `kiosk status` shows of this booth's speed."""
        if self._reported_at is not None and now - self._reported_at < REPORT_INTERVAL:
            return
        if self._reported_at is None:
            self._reported_at = now  # the first figures after a minute of running
            return
        self._reported_at = now
        pace = self.guidance.session.analyser.pace if self.guidance.session else None
        record = performance_record(
            self.frame_rate.fps,
            self.config.display.fps,
            pace.median if pace else None,
            pace.answer_limit if pace else None,
            self.wallclock(),
        )
        self._worker.submit(write_performance, self.config.storage.layout.performance_path, record)

    def _status(self) -> str:
        fault = self.machine.fault
        return f"{self.machine.screen}: {fault}" if fault else self.machine.screen

    def stop(self, *_: object) -> None:
        """End the loop after this frame: a photo being saved is still written completely.
        Fits signal.signal, for SIGTERM."""
        self.running = False

    def close(self) -> None:
        # A visit cut short (SIGTERM, quit) still gets its line in the visit log.
        for command in self.machine.interrupt(self._now):
            self._carry_out(command)
        self.heartbeat.stopping()
        self.guidance.close()
        self._capture_worker.shutdown()  # a photo being saved is written completely
        self._worker.shutdown()
        self.camera.close()
        if self.lights is not None:
            self.lights.close()
        if self.buttons is not None:
            self.buttons.close()
        self.store.close()

    # -- drawing --

    def _draw(self, now: float) -> None:
        machine = self.machine
        screen = machine.screen
        entered = screen != self._shown_screen
        if entered:
            log.debug("screen %s", self._status())
            self.heartbeat.status(self._status())
            self.screens.preview.forget()
        self.screens[machine.phase].draw(machine, now, self._media())
        if self._desk_keys is not None:
            self._desk_keys.draw()
        pygame.display.flip()
        if entered and self.screenshots is not None:
            self._screenshot_count += 1
            name = f"{self._screenshot_count:03d}-{screen}.png"
            self.screenshots.mkdir(parents=True, exist_ok=True)
            pygame.image.save(self.surface, self.screenshots / name)
        self._shown_screen = screen

    def _media(self) -> Media:
        machine = self.machine
        preview = None
        live = [Phase.FRAMING, Phase.COUNTDOWN]
        if self.config.display.idle_live_view:
            live.append(Phase.ATTRACT)  # the idle screen's dimmed mirror
        if machine.phase in live and CAMERA not in machine.faults and not self.capturing:
            try:
                self.camera.set_preview_crop(self.guidance.crop)
                preview = self.camera.preview_frame()
            except CameraError as error:
                self.post(Fault(CAMERA, str(error)))
            self._last_preview = preview
        elif machine.phase is Phase.CAPTURE:
            # The capture screen shows the moment as it was: the last frame before the burst.
            preview = self._last_preview
        shown = self.capture.shown_for(machine.photo)
        picture = shown.picture if shown else None
        if machine.phase is Phase.CAPTURE:
            picture = self.capture.frozen  # the burst's first frame, once it is taken
        return Media(
            preview=preview,
            crop=self.guidance.crop,
            photo=picture,
            link_code=shown.link_code if shown else None,
            link=shown.link if shown else None,
            printing=self.printing.note(machine) if self.printing is not None else None,
        )

    # -- commands --

    def _carry_out(self, command: Command) -> None:
        match command:
            case CaptureBurst(count=count):
                if self.capturing:  # a capture that timed out still holds the camera
                    self.post(CaptureFailed("the camera is still busy with the last capture"))
                    return
                self._capturing = self._capture_worker.submit(self._capture, count)
            case DiscardPhoto(photo=photo):
                self.capture.discard(photo)
            case RecordVisit(record=record):
                self.visits.append(record, self.wallclock())
            case CheckHealth(sources=sources):
                if self.capturing:
                    return  # the camera is restarted once the capture that timed out lets go
                for event in self.health.recheck(sources):
                    self.post(event)
            case ReportFault(reason=reason):
                log.error("out of order: %s", reason)
            case PrintPhoto(photo=photo) if self.printing is not None:
                queued = self.printing.print_photo(photo)
                self.post(queued if queued is not None else PrintRefused())
