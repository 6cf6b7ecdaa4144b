"""The download server as a user of its own in the booth's group (issue 23, fault 9).

Two real processes with the uids, group and umasks the units give them (forked and switched as
systemd would start them) on a real file system laid out as install.sh and systemd lay it out:
the server reads every photo and the index the booth writes, no secret wherever the config puts
it, and the booth reads and honours the deletions the server records."""

from __future__ import annotations

import datetime as dt
import encodings.idna  # noqa: F401 - loaded before a child turns into a user who cannot read it
import grp
import os
import pickle
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
from conftest import make_store
from PIL import Image
from test_units import settings

from kiosk import files
from kiosk.booth.housekeeping import Housekeeping
from kiosk.camera.crop import Crop
from kiosk.camera.frames import Still
from kiosk.config import Config, parse_config
from kiosk.files import write_atomically
from kiosk.journal import Journal
from kiosk.photos.credentials import init_keys
from kiosk.photos.store import new_token
from kiosk.readiness import booth_problems, server_problems
from kiosk.share.on_screen import OnScreenNote
from kiosk.share.server import DownloadServer
from kiosk.share.state import DELETIONS

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="switching users needs root")

# Numbers no account on this machine uses: the test needs no users made for it.
KIOSK_GROUP, BOOTH_UID, SHARE_UID = 64000, 64001, 64002
T = TypeVar("T")


def umask_of(unit: str) -> int:
    return int(settings(unit)["UMask"][0], 8)


def as_service(
    uid: int, unit: str | None, work: Callable[[], T], umask: int = 0o027, gid: int = KIOSK_GROUP
) -> T:
    """``work``'s result, run in a child process with ``uid``, the booth's group and ``unit``'s
    umask: what systemd gives the service (no unit: ``umask`` and ``gid``)."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        os.close(reader)
        try:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            os.umask(umask_of(unit) if unit else umask)
            outcome = ("value", work())
        except BaseException as error:
            outcome = ("error", f"{type(error).__name__}: {error}")
        with os.fdopen(writer, "wb") as pipe:
            pickle.dump(outcome, pipe)
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        kind, value = pickle.load(pipe)
    os.waitpid(pid, 0)
    assert kind == "value", value
    return value


@pytest.fixture
def booth_folder() -> Iterator[Path]:
    """/var/lib/echtbild as install.sh makes it (0750, the booth's) and systemd the server's
    state folder in it (owned by the server's user, mode from its unit)."""
    parent = Path(tempfile.mkdtemp(prefix="echtbild-users-"))
    parent.chmod(0o755)  # like /var/lib
    root = parent / "echtbild"
    root.mkdir(mode=0o750)
    os.chown(root, BOOTH_UID, KIOSK_GROUP)
    state = root / "share-state"
    state.mkdir(mode=int(settings("echtbild-share.service")["StateDirectoryMode"][0], 8))
    os.chown(state, SHARE_UID, KIOSK_GROUP)
    yield root
    shutil.rmtree(parent)


def booth_config(root: Path, cloud_secret: Path) -> Config:
    return parse_config(
        {
            "camera": {"backend": "image"},
            "storage": {"dir": str(root)},
            "share": {"base_url": "http://booth.test:8080"},
            "cloud": {"enabled": True, "bucket": "event", "credentials_file": str(cloud_secret)},
        }
    )


def test_the_server_reads_photos_but_no_secret_and_the_booth_reads_its_deletions(
    booth_folder: Path,
) -> None:
    # Object-store credentials at a path chosen after install, outside every hidden path,
    # written as the README says (the booth user's, mode 600).
    secret = booth_folder / "elsewhere" / "cloud.toml"

    def booth_starts_and_saves() -> tuple[str, bytes, list[str]]:
        secret.parent.mkdir()
        secret.write_text('access_key = "a"\nsecret_key = "b"\n')
        secret.chmod(0o600)
        config = booth_config(booth_folder, secret)
        init_keys(config.storage.layout.keys_dir, "booth-7")
        pixels = np.full((300, 240, 3), 128, np.uint8)
        moment = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)
        photo = make_store(config).save(Still(pixels, moment), Crop(0, 0, 240, 300), new_token())
        OnScreenNote(config.storage.layout.on_screen_path).show("share", photo.token, time.time)
        return photo.token, Path(photo.path).read_bytes(), booth_problems(config, demo=True)

    token, saved, problems = as_service(BOOTH_UID, "echtbild.service", booth_starts_and_saves)
    assert problems == []
    config = booth_config(booth_folder, secret)

    def server_serves_and_records_a_deletion() -> tuple[bytes | None, list[str], bool, str]:
        server = DownloadServer(config, clock=lambda: 1.0e9)
        record = server.photos.find(token)
        path = server.photos.file_of(record) if record else None
        served = path.read_bytes() if path else None
        on_screen = server.on_screen.current()
        asked = server.state.request_deletion(token, 1.0e9)
        # What `kiosk serve` checks before it starts, then what /healthz says.
        problems = server_problems(config) + server.problems()
        server.photos.close()
        return served, problems, asked, on_screen.sharing if on_screen else ""

    served, problems, asked, sharing = as_service(
        SHARE_UID, "echtbild-share.service", server_serves_and_records_a_deletion
    )
    assert served == saved, "the server reads the photo the booth saved"
    assert sharing == token, "and what the booth's screen shows"
    assert problems == [], "it starts (only reading the photos), and /healthz says ok"
    assert asked

    def booth_honours_the_deletion() -> int:
        housekeeping = Housekeeping(config.storage, worker=None)  # type: ignore[arg-type]
        deletions = Journal(config.storage.layout.share_state_dir / DELETIONS)
        with deletions.locked():  # the server's lock file: the booth may take it too
            pass
        return housekeeping.delete_requested()

    deleted = as_service(BOOTH_UID, "echtbild.service", booth_honours_the_deletion)
    assert deleted == 1, "the booth read the server's deletion request and deleted the photo"
    assert not any(booth_folder.joinpath("photos").rglob("*.jpg"))

    # A secret the group may read is one the server may read: check-config refuses it, and
    # the server's /healthz names it.
    secret.chmod(0o640)
    problems = as_service(BOOTH_UID, "echtbild.service", lambda: booth_problems(config, demo=True))
    assert any("chmod 600" in problem and str(secret) in problem for problem in problems)
    problems = as_service(
        SHARE_UID, "echtbild-share.service", lambda: DownloadServer(config).problems()
    )
    assert any(str(secret) in problem and "chmod 600" in problem for problem in problems)


def test_staff_commands_write_what_the_server_may_read_whatever_the_shells_umask(
    booth_folder: Path, tmp_path: Path
) -> None:
    """`sudo -u kiosk kiosk ...` from a shell with umask 077: what it writes (here the index it
    rebuilds) is still readable by the booth's group, as the units' umask makes it."""
    config_file = tmp_path / "kiosk.toml"
    config_file.write_text(f'[storage]\ndir = "{booth_folder}"\n')
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(config_file), "index", "rebuild"],
        capture_output=True,
        text=True,
        umask=0o077,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    written = [path for path in booth_folder.rglob("*") if path.is_file()]
    assert written, "the rebuild wrote nothing"
    assert all(path.stat().st_mode & 0o040 for path in written), [
        f"{path}: {path.stat().st_mode & 0o777:o}" for path in written
    ]


def can_read(*paths: Path) -> bool:
    try:
        for path in paths:
            path.read_bytes()
    except PermissionError:
        return False
    return True


CASES = [
    "as installed",
    "not made yet",
    "stick with umask=077",
    "closed mount",
    "group shut out",
    "logo 600",
    "logo in a closed folder",
    "link into a closed folder",
    "stick forcing group root",
]


@pytest.mark.parametrize("case", CASES)
def test_check_config_names_what_the_server_could_not_read(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What check-config says agrees with what a process of the server's user really can read.
    The server's user here is nobody (a user with a passwd entry, as install.sh's has), its
    group standing in for the booth's. Under /var/lib: the server's unit hides /tmp."""
    nobody = pwd.getpwnam("nobody")
    group = grp.getgrgid(nobody.pw_gid)
    monkeypatch.setattr(files, "SHARE_USER", nobody.pw_name)
    monkeypatch.setattr(files, "BOOTH_GROUP", group.gr_name)
    parent = Path(tempfile.mkdtemp(prefix="echtbild-access-", dir="/var/lib"))
    try:
        parent.chmod(0o755)
        mount = parent / "media-usb"  # where a staff member's USB stick would be mounted
        mount.mkdir()
        # 705: others may enter, but the server is in the folder's group, which may not.
        mount.chmod({"closed mount": 0o700, "group shut out": 0o705}.get(case, 0o755))
        os.chown(mount, BOOTH_UID, nobody.pw_gid)
        root = mount / "echtbild"
        if case == "link into a closed folder":  # the link's target sits in a closed folder
            closed = parent / "closed"
            closed.mkdir(mode=0o700)
            os.chown(closed, BOOTH_UID, nobody.pw_gid)
            (closed / "echtbild").mkdir(mode=0o750)
            os.chown(closed / "echtbild", BOOTH_UID, nobody.pw_gid)
            root.symlink_to(closed / "echtbild")
        elif case != "not made yet":
            root.mkdir(mode=0o750)
            # A stick mounted without gid= gives every file group root, as a setgid folder
            # of group root does here.
            forced = case == "stick forcing group root"
            os.chown(root, BOOTH_UID, 0 if forced else nobody.pw_gid)
            root.chmod(0o2750 if forced else 0o750)
        logos = parent / "logos"
        logos.mkdir(mode=0o700 if case == "logo in a closed folder" else 0o755)
        logo = logos / "logo.png"
        Image.new("RGB", (8, 8), "white").save(logo)
        logo.chmod(0o600 if case == "logo 600" else 0o644)
        config = parse_config(
            {
                "camera": {"backend": "image"},
                "storage": {"dir": str(root)},
                "branding": {"logo": str(logo)},
            }
        )
        # A vfat or exFAT stick mounted with umask=077 gives every new file mode 600, as this
        # umask does on the test's own file system.
        booth_umask = 0o077 if case == "stick with umask=077" else 0o027
        umask = os.umask(booth_umask)  # check-config writes its probe as the booth would
        try:
            problems = booth_problems(config, demo=True)  # as root, like install.sh's
        finally:
            os.umask(umask)
        photo = root / "photos" / "2026-12-06" / "photo.jpg"
        as_service(
            BOOTH_UID, None, lambda: write_atomically(photo, b"jpeg"), booth_umask, nobody.pw_gid
        )
        readable = as_service(nobody.pw_uid, None, lambda: can_read(photo, logo), gid=nobody.pw_gid)
    finally:
        shutil.rmtree(parent)
    assert readable == (case in ("as installed", "not made yet"))
    expected = {
        "as installed": [],
        "not made yet": [],
        "stick with umask=077": ["storage.dir", "new files there get mode 600", "umask=027"],
        "closed mount": ["storage.dir", f"cannot enter {mount}", "mode 700"],
        "group shut out": ["storage.dir", f"cannot enter {mount}", "mode 705"],
        "logo 600": ["branding.logo", f"cannot read {logo}", "chmod g+r"],
        "logo in a closed folder": ["branding.logo", f"cannot enter {logos}", "mode 700"],
        "link into a closed folder": ["storage.dir", f"cannot enter {parent / 'closed'}"],
        "stick forcing group root": ["storage.dir", "new files there get mode 640, group root"],
    }[case]
    assert len(problems) == (1 if expected else 0), problems
    for words in expected:
        assert words in problems[0], problems[0]


def test_check_config_says_the_server_cannot_see_photos_under_tmp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server's unit hides /home, /root and /tmp from it (ProtectHome, PrivateTmp): no mode
    opens them, so check-config names the place, not a chmod."""
    monkeypatch.setattr(files, "SHARE_USER", "nobody")
    folder = Path(tempfile.mkdtemp(prefix="echtbild-hidden-", dir="/tmp"))
    try:
        folder.chmod(0o755)
        config = parse_config({"camera": {"backend": "image"}, "storage": {"dir": str(folder)}})
        [problem] = booth_problems(config, demo=True)
    finally:
        shutil.rmtree(folder)
    assert "cannot see" in problem and "its unit hides /tmp" in problem, problem
    assert "chmod" not in problem


def test_the_server_starts_before_the_booth_made_the_storage_folder(tmp_path: Path) -> None:
    """`kiosk serve` only reads the storage folder: one not made yet (the booth makes it at its
    first start) is no reason to refuse, and the check leaves nothing behind."""
    config = parse_config({"storage": {"dir": str(tmp_path / "not-yet")}})
    assert server_problems(config) == []
    assert not (tmp_path / "not-yet").exists()
