"""The download server when connections must give way to others (issue 23, fault 7), real server
over loopback: a connection closed in the middle of sending a photo must leave the server able
to read the next connection's request, and must log no traceback."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import socket
import struct
import subprocess
import termios
import time
from collections.abc import Iterator

import numpy as np
import pytest
from conftest import FIXED_TIME, make_store
from helpers import eventually
from test_server import RunningServer
from test_server_fairness import TCP_CLOSE, tcp_state
from test_server_guard import head_of, read_all

from kiosk.camera.crop import Crop
from kiosk.camera.frames import Still
from kiosk.config import Config
from kiosk.photos.store import new_token
from kiosk.share.capacity import SEND_BUFFER
from kiosk.share.server import DownloadServer

CAP = 2  # connections the server holds in these tests


@pytest.fixture
def big_photo(config: Config) -> str:
    """A photo far bigger than the socket buffers hold: its send waits on the phone."""
    pixels = np.random.default_rng(5).integers(0, 256, (1600, 1200, 3), dtype=np.uint8)
    store = make_store(config)
    photo = store.save(Still(pixels, FIXED_TIME), Crop(0, 0, 1200, 1600), new_token())
    store.close()
    assert (config.storage.dir / photo.path).stat().st_size > 4 * SEND_BUFFER
    return photo.token


@pytest.fixture
def crowded(config: Config) -> Iterator[RunningServer]:
    def small(server: DownloadServer) -> None:
        server.guard.limits.total_cap = CAP

    server = RunningServer(config, tune=small)
    server.now = FIXED_TIME.timestamp() + 60
    yield server
    server.stop()


def slow_reader(server: RunningServer, token: str, address: str) -> socket.socket:
    """A phone asking for the photo and never reading it."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.bind((address, 0))
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(f"GET /p/{token}/photo.jpg HTTP/1.1\r\nHost: booth\r\n\r\n".encode())
    return sock


def waiting_bytes(sock: socket.socket) -> int:
    """Bytes received and not yet read: the server's send has begun once there are any."""
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]


def phone(address: str) -> socket.socket:
    sock = socket.socket()
    sock.bind((address, 0))
    return sock


def page_load(server: RunningServer, token: str, sock: socket.socket) -> tuple[int | None, float]:
    started = time.monotonic()
    sock.settimeout(5)
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(f"GET /p/{token} HTTP/1.1\r\nHost: booth\r\nConnection: close\r\n\r\n".encode())
    try:
        answer = read_all(sock, within=4)
    except OSError:  # reset
        answer = b""
    sock.close()
    status = head_of(answer)[0] if answer.startswith(b"HTTP/") else None
    return status, time.monotonic() - started


def requests_being_answered(server: RunningServer) -> int:
    async def count() -> int:
        coroutines = [task.get_coro() for task in asyncio.all_tasks()]
        return sum(coroutine.__qualname__.endswith("_handle_request") for coroutine in coroutines)

    return asyncio.run_coroutine_threadsafe(count(), server._loop).result(5)


def evict_mid_send(server: RunningServer, token: str) -> list[tuple[int | None, float]]:
    """Fill the server with photo sends a phone never reads, then load pages from other
    addresses: the first makes one send give way, those after it get the descriptor the evicted
    connection had (this process's sockets are all made first, as a phone's are in a process of
    its own). The page loads' statuses and times."""
    limits = server.server.guard.limits
    readers = [slow_reader(server, token, "127.0.0.5") for _ in range(CAP)]
    try:
        # Both sends under way (bytes arrived) and stuck on the phone that does not read.
        assert eventually(lambda: all(waiting_bytes(reader) > 0 for reader in readers), 5)
        assert limits.open_total == CAP
        phones = [phone(f"127.0.0.{6 + n}") for n in range(4)]
        loads = [page_load(server, token, sock) for sock in phones]
        assert limits.evicted >= 1
        # The evicted one is reset: the kernel drops what it held for it, the phone knows.
        assert eventually(lambda: TCP_CLOSE in [tcp_state(reader) for reader in readers], 2)
    finally:
        for reader in readers:
            reader.close()
    return loads


def test_a_connection_evicted_mid_send_leaves_the_next_requests_answered(
    crowded: RunningServer, big_photo: str
) -> None:
    loads = evict_mid_send(crowded, big_photo)
    assert [status for status, _ in loads] == [200] * 4
    assert max(seconds for _, seconds in loads) < 2.0


def test_an_eviction_mid_send_logs_no_traceback_and_ends_the_send(
    crowded: RunningServer, big_photo: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    evict_mid_send(crowded, big_photo)
    limits = crowded.server.guard.limits
    assert eventually(lambda: limits.open_total == 0, 5)
    # The evicted send's handler is over too (before: it waited out the 300 s send timeout).
    assert eventually(lambda: requests_being_answered(crowded) == 0, 5)
    tracebacks = [record for record in caplog.records if record.exc_info or record.exc_text]
    assert tracebacks == [], [record.getMessage() for record in tracebacks]


def send_queue(server: RunningServer) -> list[int]:
    """Bytes the kernel holds to send on each of the server's connections (``ss``)."""
    lines = subprocess.run(
        ["ss", "-tnH", "state", "established", f"sport = :{server.port}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [int(line.split()[1]) for line in lines]


def test_a_phone_that_stops_reading_holds_a_bounded_send_buffer(
    crowded: RunningServer, big_photo: str
) -> None:
    """Left to the kernel, it grew to megabytes per connection (1.4 GB for a crowd of 400)."""
    reader = slow_reader(crowded, big_photo, "127.0.0.5")
    try:
        assert eventually(lambda: waiting_bytes(reader) > 0, 5)
        queued: list[list[int]] = []  # until two looks in a row find the same: filled
        assert eventually(
            lambda: queued.append(send_queue(crowded)) or queued[-2:-1] == [queued[-1]], 5
        )
        assert len(queued[-1]) == 1 and 0 < queued[-1][0] <= 2 * SEND_BUFFER
    finally:
        reader.close()
