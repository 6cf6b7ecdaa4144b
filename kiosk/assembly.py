"""Assembling a running booth, its preflight and the download server from a config: the one
place where camera, display, buttons, lights, store, share links, object store and guidance are
made and handed to each other. ``kiosk.cli`` parses the command line and calls in here.

Imported lazily by the command line, and importing pygame only inside, so that `kiosk
check-config` and the staff commands work without a display or pygame.
"""

from __future__ import annotations

import errno
import glob
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import Config
from kiosk.exits import EXIT_BAD_CONFIG, EXIT_FAILURE, EXIT_OK, counted, fail, refuse
from kiosk.processes import stop_process

if TYPE_CHECKING:
    from kiosk.booth.loop import BoothLoop
    from kiosk.camera.pictured_person import CooperativePerson
    from kiosk.photos.index import PhotoIndex
    from kiosk.photos.journal import PhotoJournal
    from kiosk.photos.store import PhotoMirror, PhotoStore
    from kiosk.share.publish import CloudParts
    from kiosk.vision.session import FramingSession
    from kiosk.vision.thresholds import FramingThresholds

log = logging.getLogger("kiosk")

SERVER_START_SECONDS = 180.0  # a slow (or emulated) machine imports aiohttp slowly


@dataclass(frozen=True)
class BoothOptions:
    """How this run of the booth differs from production: the demo's still picture, its
    guided subject, screenshots, a time limit."""

    demo: bool = False
    image: Path | None = None
    guided: bool = False
    screenshots: Path | None = None
    quit_after: float | None = None


@dataclass(frozen=True)
class PreflightOptions:
    photos_per_hour: int = 60
    hours: float = 12.0
    seconds: float = 5.0
    button_timeout: float = 15.0
    show_for: float = 60.0
    test_page: bool = False


def serve_downloads(config: Config, host: str | None, port: int | None) -> int:
    """The download server until SIGTERM (``host``, ``port``: instead of the config's)."""
    from kiosk.readiness import server_problems
    from kiosk.share.server import serve

    share = config.share.model_copy(
        update={"host": host or config.share.host, "port": port or config.share.port}
    )
    config = config.model_copy(update={"share": share})
    problems = server_problems(config)
    if problems:
        return refuse(problems, "the download server cannot start")
    try:
        serve(config)
    except sqlite3.Error as error:
        return fail(f"storage.dir: the photo index cannot be opened: {error}")
    except OSError as error:
        if error.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            return fail(
                f"share.port: cannot listen on {share.host}:{share.port}: {error.strerror}; "
                "stop what listens there (a kiosk serve already running?) or choose another port"
            )
        return fail(f"storage.dir: cannot use {config.storage.dir}: {error}")
    return EXIT_OK


def photo_store(
    config: Config,
    link_ttl: float | None = None,
    mirror: PhotoMirror | None = None,
    index: PhotoIndex | None = None,
    journal: PhotoJournal | None = None,
) -> PhotoStore:
    """The booth's photo store as configured (``link_ttl``: another lifetime for its links;
    ``mirror``: where copies go, the object store's queue; ``index``, ``journal``: as the booth
    opened and checked them)."""
    from kiosk.photos.credentials import load_signer
    from kiosk.photos.index import PhotoIndex
    from kiosk.photos.store import Authorship, PhotoStore
    from kiosk.share.links import base_url

    layout = config.storage.layout
    return PhotoStore(
        layout,
        index=index or PhotoIndex(layout.index_path),
        base_url=lambda: base_url(config.share, config.hotspot),
        link_ttl=config.share.link_ttl if link_ttl is None else link_ttl,
        authorship=Authorship(
            event=config.event.name, artist=config.event.operator, copyright=config.event.copyright
        ),
        jpeg_quality=config.photo.jpeg_quality,
        signer=load_signer(config),
        booth_id=config.credentials.booth_id,
        mirror=mirror,
        journal=journal,
    )


def run_preflight(config: Config, options: PreflightOptions) -> int:
    """The real booth's parts checked one by one before the doors open."""
    from kiosk.booth.screens import screens_for
    from kiosk.camera.frames import CameraError
    from kiosk.camera.picam import open_camera
    from kiosk.hardware.buttons import open_gpio_buttons
    from kiosk.hardware.display import DisplayError, open_display
    from kiosk.hardware.lights import open_lights
    from kiosk.preflight import EventPlan, Preflight, PreflightParts, PreflightScreen, summary
    from kiosk.readiness import booth_problems
    from kiosk.vision.analyser import AnalyserProcess
    from kiosk.vision.model_files import model_problems
    from kiosk.vision.thresholds import thresholds_for

    problems = booth_problems(config)
    if problems:
        return refuse(problems, "the booth cannot start, so preflight cannot run")
    try:
        camera = open_camera(config.camera)
    except CameraError as error:
        return fail(f"camera: {error}")
    try:
        surface = open_display(config.display)
    except DisplayError as error:
        return fail(f"display: {error}")
    screens = screens_for(surface, config, thresholds_for(config.guidance))
    wanted_analysis = config.guidance.enabled and not model_problems(config.models_dir)
    parts = PreflightParts(
        camera=camera,
        screens=screens,
        store=photo_store(config, link_ttl=3600.0),
        buttons=open_gpio_buttons(config.buttons),
        lights=open_lights(config.lights),
        analyser=AnalyserProcess(config.models_dir) if wanted_analysis else None,
    )
    screen = PreflightScreen(screens)

    def report(check) -> None:  # type: ignore[no-untyped-def]
        print(f"{check.mark:<4}  {check.name}: {check.text}", flush=True)
        screen.add(check)

    def prompt(text: str) -> None:
        print(f">>>   {text}", flush=True)
        screen.ask(text)

    preflight = Preflight(
        config,
        parts,
        report,
        prompt,
        EventPlan(options.photos_per_hour, options.hours),
        measure_seconds=options.seconds,
        button_timeout=options.button_timeout,
        test_page=_test_page(config) if options.test_page else None,
    )
    try:
        results = preflight.run()
        print(summary(results))
        screen.draw(preflight.test_photo)
        preflight.wait_for_press(options.show_for)
    finally:
        for part in (parts.analyser, parts.buttons, parts.lights, camera, parts.store):
            if part is not None:
                part.close()
    return EXIT_OK if all(check.ok for check in results) else EXIT_FAILURE


def _test_page(config: Config) -> Callable[[], tuple[bool, str]]:
    from kiosk.booth.screens.typeface import font_file
    from kiosk.printing.staff import print_test_page

    return lambda: print_test_page(config, font_file("semibold"))


def print_command(config: Config, action: str, device_uri: str | None) -> int:
    """``kiosk print setup URI`` and ``kiosk print test``."""
    from kiosk.booth.screens.typeface import font_file
    from kiosk.printing.staff import set_up_queue, test_page_command

    if action == "setup":
        assert device_uri is not None
        return set_up_queue(config, device_uri)
    return test_page_command(config, font_file("semibold"))


def run_demo(config: Config, path: Path | None, host: str, options: BoothOptions) -> int:
    """The booth in a window, a still picture as its camera, its download server beside it."""
    from kiosk.hardware.display import no_display_problem
    from kiosk.readiness import booth_problems, share_host_problem

    # Said at once, in one line: a demo without a window would run unseen.
    no_display = no_display_problem(os.environ, glob.glob("/dev/dri/card*"))
    if no_display:
        print(f"kiosk demo: {no_display}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    # Everything the demo needs is checked before its server starts: a wrong picture is a
    # wrong picture, however slowly the machine starts a server.
    problems = booth_problems(config, demo=True, demo_image=options.image)
    host_problem = share_host_problem(host)
    if host_problem:
        problems.append(host_problem.replace("share.host", "--host"))
    if problems:
        return refuse(problems, "the demo cannot start")
    from kiosk.photos.credentials import with_demo_key

    config = with_demo_key(config)
    port = free_port(host, config.share.port)
    local = host in ("127.0.0.1", "localhost", "::1")
    share = config.share.model_copy(
        update={
            "host": host,
            "port": port,
            "base_url": config.share.base_url or (f"http://127.0.0.1:{port}" if local else ""),
        }
    )
    config = config.model_copy(
        update={
            "display": config.display.model_copy(update={"fullscreen": False, "kiosk_mode": False}),
            "buttons": config.buttons.model_copy(update={"enabled": False}),
            "share": share,
        }
    )
    server = start_server_process(path, host, port)
    try:
        if not wait_for_server(server, host, port):
            return fail(f"the demo's download server did not start on {host}:{port}")
        log.info("the demo's download server answers on %s:%d", host, port)
        return run_booth(config, options)
    finally:
        stop_process(server, 5)


def free_port(host: str, wanted: int) -> int:
    """``wanted`` if nothing listens there, else a free port (and the log says which)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, wanted))
            return wanted
        except OSError:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
    log.warning("port %d is taken; the demo's download server uses port %d", wanted, port)
    return port


def start_server_process(path: Path | None, host: str, port: int) -> subprocess.Popen:
    """The download server beside the demo, in its own process as on the booth."""
    command = [sys.executable, "-m", "kiosk"]
    if path is not None:
        command += ["--config", str(path)]
    parent = os.getpid()
    return subprocess.Popen(
        [*command, "serve", "--host", host, "--port", str(port)],
        preexec_fn=lambda: _end_with(parent),  # only prctl and getppid: safe before exec
    )


def _end_with(parent: int) -> None:
    """In the demo's server child, before exec: SIGTERM when the demo's process dies however it
    dies (SIGKILL included; Linux's parent-death signal). Elsewhere the demo ends it itself."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the demo died before the signal was asked for
        os._exit(0)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def wait_for_server(server: subprocess.Popen, host: str, port: int) -> bool:
    """Until the server accepts connections (True) or ends (False): while it is alive and
    starting, however slow the machine, up to ``SERVER_START_SECONDS``."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)  # another process is starting: real time, not booth time
    return False


def run_booth(config: Config, options: BoothOptions) -> int:
    """Open every part, hand them to the booth loop, run it until stopped."""
    from kiosk.booth.events import MainButton
    from kiosk.booth.loop import BoothLoop
    from kiosk.booth.screens.typeface import font_file
    from kiosk.booth.visit_log import VisitLog
    from kiosk.camera.frames import CameraError
    from kiosk.camera.image_camera import demo_camera
    from kiosk.camera.picam import open_camera
    from kiosk.hardware.buttons import open_gpio_buttons
    from kiosk.hardware.display import DisplayError, open_display
    from kiosk.hardware.lights import open_lights
    from kiosk.hardware.sdnotify import Notifier
    from kiosk.photos.journal import PhotoJournal
    from kiosk.photos.repair import open_booth_index, remove_temporary_files
    from kiosk.printing.service import open_print_service
    from kiosk.readiness import booth_problems
    from kiosk.share.cloud import CloudError
    from kiosk.share.links import ShareLinks
    from kiosk.share.uploads import UploadWorker
    from kiosk.vision.thresholds import thresholds_for

    demo = options.demo
    problems = booth_problems(config, demo=demo, demo_image=options.image)
    if problems:
        return refuse(problems, "the booth cannot start")
    try:
        camera = demo_camera(config, options.image) if demo else open_camera(config.camera)
    except CameraError as error:
        return fail(f"camera: {error}")
    layout = config.storage.layout
    journal = PhotoJournal(layout.journal_path)
    try:
        cloud = open_cloud(config)
    except CloudError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_CONFIG
    try:
        layout.photos_dir.mkdir(parents=True, exist_ok=True)
        remove_temporary_files(layout.photos_dir)
        # A damaged index is rebuilt here; one that cannot be gives an out-of-order booth.
        index, _ = open_booth_index(layout, journal)
    except OSError as error:
        return fail(f"storage.dir: cannot use {config.storage.dir}: {error}")
    store = photo_store(config, mirror=cloud.queue if cloud else None, index=index, journal=journal)
    store.sign_unsigned_later()
    links = ShareLinks(
        store.share_url,
        config.cloud.links,
        cloud.publisher.page_link if cloud else None,
        cloud.queue.uploaded if cloud else lambda token: False,
    )
    uploads = UploadWorker(cloud.queue).start() if cloud else None
    printing = open_print_service(config, font_file("semibold"))
    rules = thresholds_for(config.guidance)
    session = open_framing_session(config, rules, camera.sensor_size, demo)
    try:
        surface = open_display(config.display)
    except DisplayError as error:
        store.close()
        if session is not None:
            session.close()
        return fail(f"display: {error}")
    if demo and options.screenshots is not None:
        from kiosk.booth.screens.gallery import write_gallery

        # The set the screen tests check: German "du" and "Sie" and English, every state.
        every = options.screenshots / "every-screen"
        shots = write_gallery(config, every, camera, every_language=True, show=True)
        log.info("%s written to %s", counted(len(shots), "screen"), every)
    guided = demo and options.guided
    app = BoothLoop(
        config,
        camera,
        surface,
        store,
        VisitLog(layout.visits_path),
        buttons=open_gpio_buttons(config.buttons),
        screenshots=options.screenshots,
        lights=open_lights(config.lights),
        notifier=Notifier(),
        session=session,
        follower=follower(camera) if guided else None,
        desk_keys=demo,
        links=links,
        rules=rules,
        printing=printing,
        announce=_print_link if demo else None,
    )
    if guided:
        app.post(MainButton())  # the person walks in: the demo presses the button for them
    signal.signal(signal.SIGTERM, app.stop)
    log.info("%s starting; photos in %s", "demo booth" if demo else "booth", config.storage.dir)
    try:
        return loop(app, config.display.fps, options.quit_after)
    finally:
        if uploads is not None:
            uploads.stop()  # what is not uploaded yet waits in the journal for the next start
        if printing is not None:
            printing.stop()  # a print not yet sent waits in the print journal


def _print_link(link: str, file: str) -> None:
    """The demo's photos are the user's own: each one's link, to try the phone page, and its
    file, to try `kiosk verify`."""
    print(f"photo: {link} (saved as {file})", flush=True)


def open_cloud(config: Config) -> CloudParts | None:
    """The object store and its upload queue, when ``[cloud]`` is enabled."""
    if not config.cloud.enabled:
        return None
    from kiosk.photos.credentials import default_booth_id
    from kiosk.share.publish import open_cloud

    return open_cloud(config, config.credentials.booth_id or default_booth_id())


def follower(camera: object) -> CooperativePerson | None:
    """The demo's pictured person, following the cues (``--subject guided``)."""
    from kiosk.camera.pictured_person import guided_person

    person = getattr(camera, "person", None)
    return guided_person(person) if person is not None else None


def open_framing_session(
    config: Config, rules: FramingThresholds, sensor_size: tuple[int, int], demo: bool
) -> FramingSession | None:
    """Guided framing, or None (the booth then frames without cues; the log says why)."""
    from kiosk.vision.analyser import AnalyserProcess
    from kiosk.vision.model_files import ModelsError, install_models, model_problems
    from kiosk.vision.session import FramingSession

    if not config.guidance.enabled:
        return None
    problems = model_problems(config.models_dir)
    if problems and demo:
        log.info("fetching the face models (once) into %s", config.models_dir)
        try:
            install_models(config.models_dir, progress=True)
            problems = []
        except (ModelsError, OSError) as error:
            problems = [str(error)]
    if problems:
        log.warning("framing without cues: %s; run 'kiosk models install'", "; ".join(problems))
        return None
    return FramingSession(
        AnalyserProcess(config.models_dir),
        rules,
        sensor_size,
        config.photo.aspect_ratio,
        config.camera.lens_position,
    )


def loop(app: BoothLoop, fps: int, quit_after: float | None) -> int:
    """The UI loop: events, one step, one frame, at ``fps``."""
    import pygame

    clock = pygame.time.Clock()
    started = time.monotonic()
    app.start(started)
    try:
        while app.running:
            app.pump_window_events()
            now = time.monotonic()
            app.step(now)
            if quit_after is not None and now - started >= quit_after:
                break
            clock.tick(fps)
    except KeyboardInterrupt:
        pass
    finally:
        app.close()
        pygame.quit()
    return EXIT_OK
