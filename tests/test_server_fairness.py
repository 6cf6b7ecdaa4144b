"""The download server against a crowd and a hostile page (issue 23, faults 7, 8 and 11), real
server over loopback: a slow reader loses its slot, HTTP/0.9 gets no photo, a delete from
another site is refused, and Content Credentials are checked off the event loop."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXED_TIME
from helpers import eventually, full_visit
from test_server import RunningServer
from test_server_guard import connect, head_of, read_all

from kiosk.config import Config
from kiosk.photos.credentials import Verification
from kiosk.photos.index import PhotoRecord
from kiosk.photos.journal import PhotoJournal
from kiosk.photos.store import new_token
from kiosk.share import lookup
from kiosk.share.server import DownloadServer
from kiosk.share.signers import SignerCache


def quick(server: DownloadServer) -> None:
    server.min_send_rate, server.send_rate_window = 1024.0, 0.5


@pytest.fixture
def running(config: Config) -> Iterator[RunningServer]:
    server = RunningServer(config, tune=quick)
    yield server
    server.stop()


@pytest.fixture
def token(make_app, running: RunningServer) -> str:
    running.now = FIXED_TIME.timestamp() + 60
    app = make_app()
    full_visit(app)
    return app.machine.photo.token


def test_a_reader_slower_than_the_minimum_rate_loses_its_slot(running, token) -> None:
    reader = socket.socket()
    reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a phone that barely reads
    reader.bind(("127.0.0.5", 0))
    reader.connect(("127.0.0.1", running.port))
    try:
        reader.sendall(f"GET /p/{token}/photo.jpg HTTP/1.1\r\nHost: booth\r\n\r\n".encode())
        limits = running.server.guard.limits
        assert eventually(lambda: limits.per_address("127.0.0.5") == 1, within=2)
        # It never reads: within a few windows the server gives its slot up (before: 300 s).
        assert eventually(lambda: limits.per_address("127.0.0.5") == 0, within=10)
        # ... and resets the connection: a close would leave the kernel holding the rest of the
        # photo for a phone that never reads (and the phone would never learn it was dropped).
        assert eventually(lambda: tcp_state(reader) == TCP_CLOSE, within=2)
    finally:
        reader.close()


TCP_CLOSE = 7  # tcp_info.tcpi_state after a reset (linux/tcp_states.h)


def tcp_state(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]


def test_http_0_9_gets_no_photo(running, token) -> None:
    sock = connect(running)
    sock.sendall(f"GET /p/{token}/photo.jpg\r\n\r\n".encode())
    answer = read_all(sock)
    sock.close()
    assert answer.split(b" ")[1] == b"400" and b"\xff\xd8\xff" not in answer


def post_delete(running: RunningServer, token: str, headers: dict[str, str]) -> int:
    form = urllib.parse.urlencode({"form": running.server.state.form_token(token)})
    sock = connect(running)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    sock.sendall(
        (
            f"POST /p/{token}/delete HTTP/1.1\r\nHost: 127.0.0.1:{running.port}\r\n{head}"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(form)}\r\nConnection: close\r\n\r\n{form}"
        ).encode()
    )
    status, _, _ = head_of(read_all(sock))
    sock.close()
    return status


def test_a_delete_posted_from_another_site_is_refused(running, token) -> None:
    assert post_delete(running, token, {"Sec-Fetch-Site": "cross-site"}) == 403
    assert post_delete(running, token, {"Origin": "http://evil.example"}) == 403
    assert token not in running.server.state.deleted
    own = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}  # Chromium, no-referrer page
    assert post_delete(running, token, own) == 303
    assert token in running.server.state.deleted


def test_credentials_are_checked_off_the_event_loop(running, token) -> None:
    signers = running.server.signers
    real_check, release = signers._check, threading.Event()
    checked_on: list[str] = []

    def slow_check(data: bytes) -> Verification:
        checked_on.append(threading.current_thread().name)
        release.wait(10)  # a big photo on a slow Pi
        return real_check(data)

    signers._check = slow_check
    pages: list[int] = []
    viewer = threading.Thread(target=lambda: pages.append(running.request(f"/p/{token}")[0]))
    viewer.start()
    try:
        assert eventually(lambda: checked_on != [], within=5)
        started = time.monotonic()
        status, _, _ = running.request("/share.css")  # another phone, meanwhile
        assert status == 200 and time.monotonic() - started < 2.0
        assert checked_on[0].startswith("credentials")
    finally:
        release.set()
        viewer.join(10)
    assert pages == [200]
    running.request(f"/p/{token}")
    assert len(checked_on) == 1, "checked once, remembered after"


def test_the_signer_cache_forgets_the_least_recently_shown_only(tmp_path: Path) -> None:
    checks: list[int] = []

    def check(data: bytes) -> Verification:
        checks.append(len(data))
        return Verification("Valid", "Booth 7", [], {})

    paths = []
    for n in range(5):
        path = tmp_path / f"{n}.jpg"
        path.write_bytes(b"x" * (n + 1))
        paths.append(path)

    async def views() -> None:
        cache = SignerCache(size=3, check=check)
        for path in paths:
            await cache.signer_of(path)
        await cache.signer_of(paths[4])
        await cache.signer_of(paths[2])
        assert len(cache) == 3 and checks == [1, 2, 3, 4, 5]
        await cache.signer_of(paths[0])  # forgotten: checked again
        assert checks == [1, 2, 3, 4, 5, 1]
        cache.close()

    asyncio.run(views())


def test_secrets_the_server_can_read_make_it_degraded(config: Config, tmp_path: Path) -> None:
    """The object-store credentials at a path set in the config (not hidden by the unit)."""
    secret = tmp_path / "elsewhere" / "cloud.toml"
    secret.parent.mkdir()
    secret.write_text('access_key = "a"\nsecret_key = "b"\n')
    cloud = config.cloud.model_copy(
        update={"enabled": True, "bucket": "event", "credentials_file": secret}
    )
    server = RunningServer(config.model_copy(update={"cloud": cloud}))
    try:
        status, _, body = server.request("/healthz")
        problems = " ".join(json.loads(body)["problems"])
        assert status == 503 and str(secret) in problems and "chmod 600" in problems
    finally:
        server.stop()
    server = RunningServer(config)  # nothing to read: sound
    try:
        assert server.request("/healthz")[0] == 200
    finally:
        server.stop()


def blocked_until(release: threading.Event, calls: list[str], work):
    """``work`` made slow (a Pi reading an event's journal and index): waits for ``release``."""

    def slow(*arguments):
        calls.append(threading.current_thread().name)
        release.wait(10)
        return work(*arguments)

    return slow


def quick_answer(running: RunningServer, path: str) -> float:
    """Seconds another phone waits for ``path`` (at most 3: then the loop is blocked)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=3)
    connection.request("GET", path)
    assert connection.getresponse().status == 200
    connection.close()
    return time.monotonic() - started


def test_the_index_is_looked_over_off_the_event_loop(running, token, monkeypatch) -> None:
    release, calls = threading.Event(), []
    monkeypatch.setattr(lookup, "check_index", blocked_until(release, calls, lookup.check_index))
    photos = running.server.photos
    photos._looked_at, photos._index_identity = -1e9, None  # due, and as if the booth wrote
    health = threading.Thread(target=lambda: running.request("/healthz"))
    health.start()
    try:
        assert eventually(lambda: calls != [], within=5)
        assert quick_answer(running, f"/p/{token}") < 2.0
        assert calls[0] != threading.current_thread().name and "asyncio" in calls[0]
    finally:
        release.set()
        health.join(10)


def test_a_link_only_the_journal_has_is_read_off_the_event_loop(running, token) -> None:
    """The booth between its journal and index writes: the whole journal is read for it."""
    other = PhotoJournal(running.server.config.storage.layout.journal_path).replay().live[token]
    fresh = new_token()
    PhotoJournal(running.server.config.storage.layout.journal_path).add(
        PhotoRecord(fresh, other.file, other.created, other.expires, 0)
    )
    photos, release, calls = running.server.photos, threading.Event(), []
    photos._looked_at = -1e9  # a look at the index is due: it opens the one the visit made
    assert running.request("/healthz")[0] == 200 and photos._index is not None
    photos.journal.replay = blocked_until(release, calls, photos.journal.replay)
    viewer = threading.Thread(target=lambda: running.request(f"/p/{fresh}"))
    viewer.start()
    try:
        assert eventually(lambda: calls != [], within=5)
        assert quick_answer(running, f"/p/{token}") < 2.0
    finally:
        release.set()
        viewer.join(10)
