"""A damaged, emptied or unwritable photo index, and a full disk, against the real SQLite file,
the real booth loop and the real server over loopback: no link a person saw stops working, no
traceback, every case logged with a clear line."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXED_TIME
from helpers import advance, decode_qr, eventually, full_visit, patient, screenshots
from test_server import RunningServer

from kiosk.booth.events import INDEX
from kiosk.booth.machine import Phase
from kiosk.cli import main
from kiosk.config import Config
from kiosk.photos.index import PhotoIndex
from kiosk.photos.journal import PhotoJournal
from kiosk.photos.repair import check_index, open_booth_index
from kiosk.photos.retention import purge_files


@pytest.fixture
def config(config: Config) -> Config:
    """Photos taken at FIXED_TIME stay within their retention, and their links valid, whatever
    today is."""
    storage = config.storage.model_copy(update={"retention": 3650 * 86400.0})
    share = config.share.model_copy(update={"link_ttl": 3650 * 86400.0})
    return config.model_copy(update={"storage": storage, "share": share})


def take_photos(make_app, config: Config, visits: int = 3) -> list[str]:
    """Tokens of photos taken by whole visits through the real booth loop; the booth is
    closed afterwards, as after a power cut or a stop (no WAL left)."""
    tokens = []
    for _ in range(visits):
        app = make_app(config)
        full_visit(app)
        tokens.append(app.machine.photo.token)
        app.close()
    return tokens


def overwrite_a_page(path: Path) -> None:
    with path.open("r+b") as file:
        file.seek(4096)  # the photos table's first page
        file.write(os.urandom(4096))


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


DAMAGE = [overwrite_a_page, random_bytes, zero_bytes]


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_server_serves_every_link_from_the_journal_while_the_index_is_damaged(
    make_app, config: Config, damage, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk")
    tokens = take_photos(make_app, config)
    damage(config.storage.layout.index_path)
    server = RunningServer(config)
    try:
        server.now = FIXED_TIME.timestamp() + 60
        for token in tokens:
            assert server.request(f"/p/{token}")[0] == 200
            assert server.request(f"/p/{token}/photo.jpg")[0] == 200
        assert server.request(f"/p/{'Q' * 22}")[0] == 404
        status, _, body = server.request("/healthz")
        report = json.loads(body)
        assert status == 503 and report["status"] == "degraded"
        assert any("photo index unusable" in p for p in report["problems"])
    finally:
        server.stop()
    assert any("serving links from the photo journal" in r.getMessage() for r in caplog.records)
    no_tracebacks(caplog)


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_booth_rebuilds_a_damaged_index_at_start_and_goes_on(
    make_app, config: Config, damage, caplog, capsys
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk")
    tokens = take_photos(make_app, config)
    index_path = config.storage.layout.index_path
    damage(index_path)
    journal = PhotoJournal(config.storage.layout.journal_path)

    config_file = index_path.parent.parent / "kiosk.toml"
    config_file.write_text(f'[storage]\ndir = "{config.storage.dir}"\n')
    assert main(["--config", str(config_file), "index", "check"]) == 1
    assert "index damaged" in capsys.readouterr().out
    assert main(["--config", str(config_file), "purge"]) == 1
    assert "kiosk index rebuild" in capsys.readouterr().err

    index, problem = open_booth_index(config.storage.layout, journal)
    assert problem is None
    assert index.tokens() == set(tokens)
    index.close()
    assert list(index_path.parent.glob("photos.sqlite3.damaged-*")), "the old file is kept"
    assert check_index(index_path, journal).ok
    assert main(["--config", str(config_file), "index", "check"]) == 0
    assert any("index rebuilt from the journal: 3 links" in r.getMessage() for r in caplog.records)
    # The booth goes on: the next visit's photo gets its row.
    app = make_app(config)
    full_visit(app)
    assert PhotoIndex(index_path).get(app.machine.photo.token) is not None
    no_tracebacks(caplog)


def test_kiosk_index_rebuild_restores_every_link(make_app, config: Config, capsys) -> None:
    tokens = take_photos(make_app, config, visits=2)
    zero_bytes(config.storage.layout.index_path)
    config_file = config.storage.dir / "kiosk.toml"
    config_file.write_text(f'[storage]\ndir = "{config.storage.dir}"\n')
    assert main(["--config", str(config_file), "index", "rebuild"]) == 0
    assert "2 links" in capsys.readouterr().out
    assert PhotoIndex(config.storage.layout.index_path).tokens() == set(tokens)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real, small file system (tmpfs) that can be filled; skipped where mounting is not
    allowed."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(directory: Path) -> Path:
    """Fill the file system holding ``directory`` to the last byte."""
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as file:
        for size in (65536, 1):
            try:
                while file.write(b"\0" * size):
                    pass
            except OSError:
                pass
    return filler


def test_server_starts_and_serves_on_a_full_disk(make_app, config, small_disk, caplog) -> None:
    caplog.set_level(logging.INFO, logger="kiosk")
    storage = config.storage.model_copy(update={"dir": small_disk / "booth", "min_free_mb": 1})
    config = config.model_copy(update={"storage": storage})
    tokens = take_photos(make_app, config, visits=2)
    assert not Path(f"{storage.layout.index_path}-shm").exists()
    fill(small_disk)
    server = RunningServer(config)
    try:
        server.now = FIXED_TIME.timestamp() + 60
        for token in tokens:
            assert server.request(f"/p/{token}")[0] == 200
            status, _, photo = server.request(f"/p/{token}/photo.jpg")
            assert status == 200
            assert photo in {p.read_bytes() for p in storage.layout.photos_dir.rglob("*.jpg")}
        status, _, body = server.request("/healthz")
        report = json.loads(body)
        assert status == 503 and report["status"] == "degraded"
        assert any("disk almost full" in p for p in report["problems"])
        assert any("cannot" in p for p in report["problems"]), "counts could not be written"
        assert server.server.photos.problem is None, "the index itself is read fine"
    finally:
        server.stop()
    no_tracebacks(caplog)


def test_booth_with_an_index_it_cannot_rebuild_is_out_of_order_until_it_can(
    make_app, config, small_disk, caplog, capsys
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk")
    storage = config.storage.model_copy(update={"dir": small_disk / "booth", "min_free_mb": 0})
    config = config.model_copy(update={"storage": storage})
    tokens = take_photos(make_app, config, visits=1)
    random_bytes(storage.layout.index_path)
    filler = fill(small_disk)
    journal = PhotoJournal(storage.layout.journal_path)
    index, problem = open_booth_index(storage.layout, journal)
    assert index.in_memory and problem is not None and "cannot be rebuilt" in problem

    config_file = small_disk / "kiosk.toml"
    filler.unlink()
    config_file.write_text(f'[storage]\ndir = "{storage.dir}"\n')
    filler = fill(small_disk)
    assert main(["--config", str(config_file), "status"]) == 1
    assert "index damaged" in capsys.readouterr().out

    app = make_app(config, index=index)
    app.start(0.0)
    app.step(0.1)
    assert app.machine.phase is Phase.OUT_OF_ORDER
    assert INDEX in app.machine.faults and "photo index" in app.machine.fault
    filler.unlink()  # room again: the next health check rebuilds the index
    advance(app, 0.1, config.timing.camera_retry + 1)
    assert app.machine.phase is Phase.ATTRACT
    assert PhotoIndex(storage.layout.index_path).tokens() == set(tokens)
    no_tracebacks(caplog)


def test_an_index_write_failing_at_capture_keeps_the_photo_and_its_working_link(
    make_app, config, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk")
    server = RunningServer(config)
    server.now = FIXED_TIME.timestamp() + 60
    share = config.share.model_copy(update={"base_url": f"http://127.0.0.1:{server.port}"})
    config = config.model_copy(update={"share": share})
    app = make_app(config)
    app.store.index._db.execute("PRAGMA busy_timeout = 50")
    blocker = sqlite3.connect(config.storage.layout.index_path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another writer holds the index: every write fails
    try:
        now = full_visit(app)
        assert app.machine.phase is Phase.SHARE, "this person still gets their link"
        [url] = decode_qr(screenshots(app)["share"])
        path = url.removeprefix(f"http://127.0.0.1:{server.port}")
        assert server.request(path)[0] == 200
        status, _, photo = server.request(f"{path}/photo.jpg")
        assert status == 200 and photo == Path(app.machine.photo.path).read_bytes()
        now = advance(app, now, config.timing.share_timeout + 1)
        assert app.machine.phase is Phase.OUT_OF_ORDER, "then the booth stops"
        blocker.execute("ROLLBACK")
        advance(app, now, config.timing.camera_retry + 1)
        assert app.machine.phase is Phase.ATTRACT
        token = url.rsplit("/", 1)[1]
        assert PhotoIndex(config.storage.layout.index_path).get(token) is not None, (
            "indexed at last"
        )
    finally:
        blocker.close()
        server.stop()
    messages = [r.getMessage() for r in caplog.records]
    assert any("cannot write the photo index" in m for m in messages)
    assert any("every link is indexed" in m for m in messages)
    no_tracebacks(caplog)


def test_purge_never_deletes_outside_the_photos_folder(make_app, config) -> None:
    outside = config.storage.dir / "precious.txt"
    take_photos(make_app, config, visits=1)
    outside.write_text("keep me")
    sneaky = config.storage.layout.photos_dir / "2020-01-01"
    sneaky.mkdir(parents=True)
    (sneaky / "link.jpg").symlink_to(outside)
    index = PhotoIndex(config.storage.layout.index_path)
    index.add("T" * 22, "photos/../precious.txt", 0.0, 1.0)
    index.add("U" * 22, "photos/2020-01-01/link.jpg", 0.0, 1.0)
    index.close()
    os.utime(sneaky / "link.jpg", (0, 0), follow_symlinks=False)
    purge_files(config.storage.layout, config.storage.retention)
    assert outside.read_text() == "keep me"


def test_kiosk_serve_works_when_it_cannot_write_a_single_byte(make_app, config) -> None:
    """A file-size limit of 0 (RLIMIT_FSIZE) on the real `kiosk serve`: every write fails as on
    a full disk, on any machine."""
    import resource
    import signal
    import socket
    import sys
    import urllib.error
    import urllib.request

    tokens = take_photos(make_app, config, visits=1)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config_file = config.storage.dir / "kiosk.toml"
    config_file.write_text(
        f'[storage]\ndir = "{config.storage.dir}"\nretention = "3650d"\n'
        f'[share]\nhost = "127.0.0.1"\nport = {port}\nlink_ttl = "3650d"\n'
    )

    def no_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    server = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config_file), "serve"],
        preexec_fn=no_writes,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(base + path, timeout=patient(5)) as reply:
                return reply.status, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            return 0, b""

    try:
        assert eventually(lambda: get("/healthz")[0] != 0, within=15)
        [token] = tokens
        assert get(f"/p/{token}")[0] == 200
        status, photo = get(f"/p/{token}/photo.jpg")
        assert status == 200 and photo[:2] == b"\xff\xd8"
        status, body = get("/healthz")
        report = json.loads(body)
        assert (status, report["status"]) == (503, "degraded")
        assert any("cannot" in problem for problem in report["problems"])
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=patient(10))
    assert "Traceback" not in errors, errors
    assert server.returncode in (0, -15)
