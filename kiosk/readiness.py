"""What `kiosk run`, `kiosk demo` and `kiosk serve` need before they open a window or a port,
checked in one place: `kiosk check-config` runs the same checks, so when it says OK the booth
starts.

Each check returns plain lines naming the config key (or option) and what to do about it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import stat
from collections.abc import Callable
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from kiosk.camera.frames import CameraError
from kiosk.camera.image_camera import DEMO_PORTRAIT, load_image
from kiosk.camera.picam import load_picamera2_api, on_a_raspberry_pi
from kiosk.config import Config, read_what_can_be_read
from kiosk.exits import EXIT_OK, refuse
from kiosk.files import booth_group_id, hidden_from_server, not_private
from kiosk.share.cloud import credentials_problem


def booth_problems(config: Config, demo: bool = False, demo_image: Path | None = None) -> list[str]:
    """What stops the booth (``kiosk run``, or ``kiosk demo`` with ``demo``) from starting."""
    problems = [*_camera_problems(config, demo, demo_image), *_logo_problems(config)]
    problems += _secret_problems(config)
    storage = storage_problem(config)
    return problems + ([storage] if storage else [])


def server_problems(config: Config, host: str | None = None) -> list[str]:
    """What stops the download server (``kiosk serve``) from starting, port aside: the port
    may rightly be taken by the running server while the config is checked."""
    problems = []
    host_problem = share_host_problem(config.share.host if host is None else host)
    if host_problem:
        problems.append(host_problem)
    storage = server_storage_problem(config)
    return problems + ([storage] if storage else [])


def check_config(path: Path | None) -> int:
    """``kiosk check-config``: every problem of the file in one run, those of its keys and what
    `kiosk run` and `kiosk serve` check at start in each section that could be read."""
    config, problems, wrong = read_what_can_be_read(path)
    if config is not None:
        for section, check in _START_CHECKS:
            if section not in wrong:
                problems += [problem for problem in check(config) if problem not in problems]
    if problems:
        return refuse(problems, f"{path or 'the built-in defaults'}: the booth would not start")
    print(f"config OK: {path or 'built-in defaults'}")
    return EXIT_OK


def _single(problem: str | None) -> list[str]:
    return [problem] if problem else []


# The start checks by the section they read: a section with wrong keys is not checked further.
_START_CHECKS: tuple[tuple[str, Callable[[Config], list[str]]], ...] = (
    ("camera", lambda config: _camera_problems(config, False, None)),
    ("branding", lambda config: _logo_problems(config)),
    ("cloud", lambda config: _single(credentials_problem(config.cloud))),
    ("credentials", lambda config: _single(signing_key_problem(config))),
    ("storage", lambda config: _single(storage_problem(config))),
    ("share", lambda config: _single(share_host_problem(config.share.host))),
)


def _secret_problems(config: Config) -> list[str]:
    return _single(credentials_problem(config.cloud)) + _single(signing_key_problem(config))


def signing_key_problem(config: Config) -> str | None:
    """An operator's signing key that others may read (the booth's own is made private)."""
    key = config.credentials.private_key
    if key is None or not config.credentials.sign:
        return None
    try:
        return not_private(key, "credentials.private_key")
    except OSError as error:
        return f"credentials.private_key: cannot read {key}: {error.strerror}"


def storage_problem(config: Config) -> str | None:
    """Whether the booth can make and write the storage folder, and the download server read
    what it writes there where it runs as a user of its own."""
    return _writable_problem(config, config.storage.layout.root, judge_for_server=True)


def server_storage_problem(config: Config) -> str | None:
    """Whether the download server can do its part of the storage folder: write its own state
    folder in it and read the rest, which its unit makes read-only for it."""
    layout = config.storage.layout
    problem = _writable_problem(config, layout.share_state_dir, judge_for_server=False)
    readable = not layout.root.exists() or os.access(layout.root, os.R_OK | os.X_OK)
    if problem is None and not readable:
        problem = f"storage.dir: cannot read {config.storage.dir}: the photos are out of reach"
    return problem


def _writable_problem(config: Config, folder: Path, judge_for_server: bool) -> str | None:
    """Whether ``folder`` can be made and written. Folders made for the check are removed again:
    check-config may run as root (install.sh), and root-owned folders would keep the booth's own
    user out."""
    made: list[Path] = []
    try:
        for missing in reversed([folder, *folder.parents]):
            if not missing.exists():
                missing.mkdir()
                made.append(missing)
        probe = folder / f".write-check-{secrets.token_hex(4)}"
        # Made as the booth makes its files (with this process's umask), so that its mode is
        # the one the booth's photos get, the file system's own included (vfat, exFAT).
        descriptor = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        try:
            if judge_for_server and os.geteuid() == 0:
                _as_the_booths(descriptor, folder)
            written = os.fstat(descriptor)
        finally:
            os.close(descriptor)
            probe.unlink()
        if not judge_for_server:
            return None
        new_files = (written.st_mode, written.st_gid)
        return hidden_from_server("storage.dir", folder, new_files, made)
    except OSError as error:
        return (
            f"storage.dir: cannot use {folder}: {error.strerror or error}; name a folder this "
            "user may create or write"
        )
    finally:
        for created in reversed(made):
            created.rmdir()


def _as_the_booths(descriptor: int, folder: Path) -> None:
    """Root's file gets root's group; the booth's gets the booth's (or a setgid folder's),
    unless the file system forces another (a stick mounted without gid=), which this shows."""
    group = booth_group_id()
    if group is not None and not folder.stat().st_mode & stat.S_ISGID:
        with contextlib.suppress(OSError):
            os.fchown(descriptor, -1, group)


def share_host_problem(host: str) -> str | None:
    """Whether the server can listen on ``host``: a wildcard or an address of this machine."""
    try:
        candidates = socket.getaddrinfo(
            host or None, 0, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as error:
        return (
            f"share.host: {host!r} is neither an address nor a known host name ({error.strerror})"
        )
    for family, kind, protocol, _, address in candidates:
        try:
            with socket.socket(family, kind, protocol) as probe:
                probe.bind(address)
        except OSError:
            continue
        return None
    return (
        f"share.host: {host} is not an address of this machine; "
        "use 0.0.0.0 to listen on all of them"
    )


def _camera_problems(config: Config, demo: bool, demo_image: Path | None) -> list[str]:
    camera = config.camera
    if demo:
        if demo_image is not None:
            return _picture_problems("--image", demo_image)
        if camera.image is not None:
            return _picture_problems("camera.image", camera.image)
        return _picture_problems("the demo portrait", DEMO_PORTRAIT)
    if camera.backend == "image":
        return _picture_problems("camera.image", camera.image or DEMO_PORTRAIT)
    try:
        load_picamera2_api()
    except CameraError as error:
        if camera.backend == "auto" and camera.image is not None and not on_a_raspberry_pi():
            return _picture_problems("camera.image", camera.image)
        return [f"camera.backend = {camera.backend!r}: {error}"]
    return []


def _picture_problems(key: str, path: Path) -> list[str]:
    try:
        load_image(path)
    except CameraError as error:
        return [f"{key}: {error}"]
    return []


def _logo_problems(config: Config) -> list[str]:
    logo = config.branding.logo
    if logo is None:
        return []
    try:
        with Image.open(logo) as picture:
            picture.verify()
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as error:
        return [
            f"branding.logo: {logo} is not a picture the booth can show ({error}); give a PNG "
            "or JPEG file"
        ]
    hidden = hidden_from_server("branding.logo", logo)
    return [hidden] if hidden else []
