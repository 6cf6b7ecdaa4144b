"""A hostile device on the event Wi-Fi against the real server over loopback: idle and
half-sent connections, connection floods, malformed requests, errors of every kind. Connection
counts are bounded (a few dozen) and so is time (idle timeouts shortened for the test)."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest
from conftest import FIXED_TIME
from helpers import full_visit
from test_server import RunningServer

from kiosk.config import Config
from kiosk.share.capacity import ConnectionLimits
from kiosk.share.guard import SERVER_NAME, MalformedRequests, RateLimiter
from kiosk.share.server import SECURITY_HEADERS, DownloadServer, is_loopback
from kiosk.share.state import downloads_since

IDLE = 0.5


def shorten(server: DownloadServer) -> None:
    server.idle_timeout = IDLE
    server.guard.limits = ConnectionLimits(total_cap=30, per_address_cap=5)


@pytest.fixture
def guarded(config: Config) -> Iterator[RunningServer]:
    running = RunningServer(config, tune=shorten)
    yield running
    running.stop()


def connect(server: RunningServer, address: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(
        ("127.0.0.1", server.port), timeout=5, source_address=(address, 0)
    )
    return sock


def read_all(sock: socket.socket, within: float = 5.0) -> bytes:
    """Everything the server sends until it closes (or ``within`` seconds pass)."""
    sock.settimeout(within)
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except TimeoutError:
        chunks.append(b"<still open>")
    return b"".join(chunks)


def head_of(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def assert_guarded_answer(answer: bytes, sent: bytes = b"") -> int:
    status, headers, body = head_of(answer)
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == value, (status, name)
    assert headers["server"] == SERVER_NAME, "no version in Server:"
    assert "aiohttp" not in answer.decode("latin-1").lower()
    for piece in (b"<script>", b"\x01", b"evil"):
        if piece in sent:
            assert piece not in body, "no request bytes in the answer"
    return status


def test_a_connection_that_sends_nothing_or_half_a_request_is_closed(guarded) -> None:
    silent = connect(guarded)
    half = connect(guarded)
    half.sendall(b"GET /share.css HTTP/1.1\r\nHost: booth\r\n")
    trickle = connect(guarded)
    started = time.monotonic()
    try:
        for byte in b"GET /share.css HTTP/1.1\r\nHost: booth\r\n":
            trickle.sendall(bytes([byte]))  # a slow-loris: one byte at a time, never finishing
            time.sleep(0.05)
    except (BrokenPipeError, ConnectionResetError):
        pass  # closed while still trickling
    for sock in (silent, half, trickle):
        assert read_all(sock, within=5) == b"", "closed without an answer"
        sock.close()
    assert time.monotonic() - started < 4 * IDLE + 2


def test_an_idle_keep_alive_connection_is_closed_after_its_answer(guarded) -> None:
    sock = connect(guarded)
    sock.sendall(b"GET /share.css HTTP/1.1\r\nHost: booth\r\n\r\n")
    answer = read_all(sock, within=5)
    assert answer.startswith(b"HTTP/1.1 200")
    assert b"<still open>" not in answer, "idle after the answer: closed"
    sock.close()


def test_connections_over_the_caps_are_answered_cheaply_and_others_still_served(guarded) -> None:
    hog = [connect(guarded, "127.0.0.7") for _ in range(5)]
    refused = connect(guarded, "127.0.0.7")
    answer = read_all(refused)
    assert answer.startswith(b"HTTP/1.1 503")
    assert_guarded_answer(answer)
    refused.close()
    # Another phone is not locked out by the first one's connections.
    other = connect(guarded, "127.0.0.8")
    other.sendall(b"GET /share.css HTTP/1.1\r\nHost: booth\r\nConnection: close\r\n\r\n")
    assert read_all(other).startswith(b"HTTP/1.1 200")
    other.close()
    # Many addresses together reach the overall cap: a newcomer is still served, the address
    # holding the most connections gives its oldest up (issue 23: a crowd locked phones out).
    crowd = [connect(guarded, f"127.0.2.{n}") for n in range(1, 26)]
    late = connect(guarded, "127.0.3.1")
    late.sendall(b"GET /share.css HTTP/1.1\r\nHost: booth\r\nConnection: close\r\n\r\n")
    assert read_all(late).startswith(b"HTTP/1.1 200")
    late.close()
    with pytest.raises(ConnectionResetError):  # the hog's oldest connection gave way: reset
        read_all(hog[0])
    for sock in hog + crowd:
        sock.close()
    limits = guarded.server.guard.limits
    assert (limits.refused, limits.evicted) == (1, 1)
    deadline = time.monotonic() + 5
    while guarded.server.guard.limits.open_total and time.monotonic() < deadline:
        time.sleep(0.01)
    again = connect(guarded, "127.0.3.1")
    again.sendall(b"GET /share.css HTTP/1.1\r\nHost: booth\r\nConnection: close\r\n\r\n")
    assert read_all(again).startswith(b"HTTP/1.1 200")
    again.close()


MALFORMED = [
    b"GE\x01T /p/<script> HTTP/1.1\r\nHost: booth\r\n\r\n",
    b"GET /p/<script>evil HTTP/9.9\r\nHost: booth\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost booth evil\r\n\r\n",
    b"GET / HTTP/1.1\r\nContent-Length: -1\r\nHost: evil\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03evil",
]


def test_malformed_requests_get_a_plain_400_and_one_log_line_a_minute(guarded, caplog) -> None:
    caplog.set_level(logging.INFO, logger="kiosk")
    for _ in range(4):
        for request in MALFORMED:
            sock = connect(guarded, "127.0.0.9")
            sock.sendall(request)
            answer = read_all(sock)
            sock.close()
            assert assert_guarded_answer(answer, request) == 400, request
            assert b"evil" not in answer and b"<script>" not in answer
    lines = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert not any(r.exc_info for r in caplog.records), "no tracebacks"
    assert guarded.server.guard.malformed.total == 4 * len(MALFORMED)


def test_every_kind_of_error_answer_carries_the_headers(guarded, shared_token) -> None:
    answers = {}
    big = b"form=" + b"x" * 5000
    for name, request in {
        "405": b"PUT /share.css HTTP/1.1\r\nHost: b\r\nContent-Length: 0\r\n\r\n",
        "413": b"POST /p/%s/delete HTTP/1.1\r\nHost: b\r\nContent-Type: "
        b"application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s"
        % (shared_token.encode(), len(big), big),
        "404": b"GET /p/<script>evil HTTP/1.1\r\nHost: b\r\n\r\n",
    }.items():
        sock = connect(guarded, "127.0.0.10")
        sock.sendall(request)
        answers[name] = read_all(sock, within=3)
        sock.close()
        assert assert_guarded_answer(answers[name], request) == int(name)

    def broken(token: str):
        raise RuntimeError("a bug")

    guarded.server.find = broken
    sock = connect(guarded, "127.0.0.10")
    sock.sendall(f"GET /p/{shared_token} HTTP/1.1\r\nHost: b\r\n\r\n".encode())
    assert assert_guarded_answer(read_all(sock, within=3)) == 500
    sock.close()
    guarded.server.rate_limiter = RateLimiter(rate=0.01, burst=5)  # a flood, however slow the test
    statuses = [guarded.request("/share.css")[0] for _ in range(8)]
    assert statuses.count(429) == 3
    status, headers, _ = guarded.request("/share.css")
    assert status == 429 and headers["Server"] == SERVER_NAME
    assert all(headers[name] == value for name, value in SECURITY_HEADERS.items())


@pytest.fixture
def shared_token(make_app, config: Config, guarded: RunningServer) -> str:
    guarded.now = FIXED_TIME.timestamp() + 60
    app = make_app()
    full_visit(app)
    return app.machine.photo.token


def test_at_the_cap_the_address_or_ipv6_64_holding_most_gives_way() -> None:
    limits = ConnectionLimits(total_cap=6, per_address_cap=4)
    closed: list[str] = []
    # One device with many IPv6 privacy addresses in one /64 counts as one address.
    for n in range(4):
        assert limits.admit(f"2001:db8:1:2::{n + 1}", f"v6-{n}", lambda n=n: closed.append(n))
    assert not limits.admit("2001:db8:1:2:ffff::9", "v6-more"), "its /64 is at its cap"
    assert limits.admit("2001:db8:1:3::1", "other-64") and limits.admit("::ffff:10.0.0.1", "v4")
    assert limits.per_address("10.0.0.1") == 1
    # Full: a newcomer takes the oldest slot of the /64 holding four.
    assert limits.admit("10.0.0.2", "phone") and closed == [0]
    assert limits.open_total == 6 and limits.evicted == 1
    limits.release("v6-0")  # its connection_lost comes later: counted once only
    assert limits.open_total == 6
    # When nobody holds two more than the newcomer, the newcomer is refused.
    crowd = ConnectionLimits(total_cap=3, per_address_cap=4)
    for n in range(3):
        assert crowd.admit(f"10.1.0.{n}", n)
    assert not crowd.admit("10.1.0.9", "late") and crowd.refused == 1


def test_malformed_requests_from_thousands_of_addresses_write_a_bounded_log() -> None:
    malformed = MalformedRequests(lines_per_interval=10)
    logged = sum(malformed.seen(f"10.2.{n // 256}.{n % 256}", n * 0.001) for n in range(3000))
    assert logged == 10 and malformed.total == 3000
    assert malformed.seen("10.3.0.1", 61.0), "a minute later lines are written again"


def test_the_rate_limiter_stays_bounded_and_keeps_limiting() -> None:
    limiter = RateLimiter(rate=0.01, burst=2, max_addresses=100)
    assert [limiter.allow("flood", 0) for _ in range(3)] == [True, True, False]
    for n in range(5000):  # many addresses seen once each
        limiter.allow(f"10.0.{n // 256}.{n % 256}", 0.001 * n)
        limiter.allow("flood", 0.001 * n)  # the flooding address stays recently seen
    assert len(limiter._buckets) == 100
    assert not limiter.allow("flood", 5.0), "still limited after thousands of addresses"
    assert limiter.allow("10.0.0.0", 5.0), "the least recently seen was forgotten"


def test_malformed_requests_are_logged_once_a_minute_per_address() -> None:
    malformed = MalformedRequests(interval=60)
    assert [malformed.seen("a", t) for t in (0, 1, 59, 60, 61)] == [True, False, False, True, False]
    assert malformed.seen("b", 1)
    assert malformed.total == 6


def test_healthz_gives_details_only_to_the_booth_itself(config: Config) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1")
    assert not is_loopback("192.168.4.23") and not is_loopback(None) and not is_loopback("x")

    def from_the_wifi(server: DownloadServer) -> None:
        server.operator = lambda address: False

    outside = RunningServer(config, tune=from_the_wifi)
    try:
        status, _, body = outside.request("/healthz")
        assert body == b'{"status": "ok"}' or body.replace(b" ", b"") == b'{"status":"ok"}'
        assert status == 200
    finally:
        outside.stop()


def test_downloads_are_counted_only_when_whole(guarded, shared_token, config) -> None:
    path = f"/p/{shared_token}"
    state = config.storage.layout.share_state_dir

    def counted() -> int:
        return downloads_since(state, 0)

    guarded.request(path)
    guarded.request(f"{path}/view.jpg")  # the page's own picture
    assert guarded.request(f"{path}/photo.jpg", headers={"Range": "bytes=0-0"})[0] == 206
    etag = guarded.request(f"{path}/photo.jpg", method="HEAD")[1]["ETag"]
    assert guarded.request(f"{path}/photo.jpg", headers={"If-None-Match": etag})[0] == 304
    assert guarded.request(f"{path}/photo.jpg", headers={"Range": "bytes=99999999-"})[0] == 416
    assert guarded.request(f"{path}/photo.jpg", headers={"Range": "bytes=0-"})[0] == 206
    # A download cut short is no download. (A small receive buffer, so that the server cannot
    # hand the whole photo to the kernel before the client hangs up.)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", guarded.port))
    sock.sendall(f"GET {path}/photo.jpg HTTP/1.1\r\nHost: b\r\n\r\n".encode())
    sock.recv(100)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()
    status, _, body = guarded.request(f"{path}/photo.jpg")
    assert status == 200 and len(body) > 1000
    deadline = time.monotonic() + 5
    while counted() < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # let any wrongly counted answer land too
    assert counted() == 1


def test_if_range_with_another_etag_sends_the_whole_photo(guarded, shared_token) -> None:
    url = f"/p/{shared_token}/photo.jpg"
    _, headers, whole = guarded.request(url)
    etag = headers["ETag"]
    status, _, part = guarded.request(url, headers={"Range": "bytes=10-19", "If-Range": etag})
    assert (status, part) == (206, whole[10:20])
    for stale in ('"0-1"', 'W/"0-1"', f"W/{etag}"):
        status, _, body = guarded.request(url, headers={"Range": "bytes=10-19", "If-Range": stale})
        assert (status, body) == (200, whole), stale
