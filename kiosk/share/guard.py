"""What keeps one hostile device on the event Wi-Fi from locking everyone else out.

Each part is bounded: at most ``max_addresses`` addresses are remembered (the least recently
seen goes first), connections are capped overall and per address (``kiosk.share.capacity``,
which also chooses who gives way when the server is full), a connection that sends no
complete request within the idle timeout is closed, and a malformed request costs one counter
increment and at most one log line per address a minute.

aiohttp's own connection class (``RequestHandler``) is extended here, because its answers to
malformed requests (400) echo request bytes and log a traceback each: the override answers with
a fixed text and the security headers instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from kiosk.share.capacity import LISTEN_BACKLOG, SEND_BUFFER, ConnectionLimits

log = logging.getLogger(__name__)

# The name the server gives in ``Server:``; no version, so scanners learn nothing.
SERVER_NAME = "Echtbild"
MAX_ADDRESSES = 10_000


def _remember(table: OrderedDict, key: str, value: Any, limit: int) -> None:
    """Store ``value`` as the most recently seen; forget the least recently seen past ``limit``."""
    table[key] = value
    table.move_to_end(key)
    while len(table) > limit:
        table.popitem(last=False)


@dataclass
class RateLimiter:
    """Token bucket per client address: ``rate`` requests a second, bursts up to ``burst``."""

    rate: float = 20.0
    burst: float = 60.0
    max_addresses: int = MAX_ADDRESSES
    _buckets: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)

    def allow(self, address: str, now: float) -> bool:
        tokens, last = self._buckets.get(address, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        _remember(
            self._buckets, address, (tokens - 1.0 if allowed else tokens, now), self.max_addresses
        )
        return allowed


@dataclass
class GuessGuard:
    """Slows an address that keeps asking for tokens that do not exist.

    The first ``free`` misses within ``window`` seconds cost nothing (a mistyped link); each
    further miss waits twice as long as the one before, up to ``max_delay`` seconds.
    """

    free: int = 10
    window: float = 600.0
    first_delay: float = 0.25
    max_delay: float = 8.0
    max_addresses: int = MAX_ADDRESSES
    _misses: OrderedDict[str, list[float]] = field(default_factory=OrderedDict)

    def miss(self, address: str, now: float) -> float:
        recent = [t for t in self._misses.get(address, []) if now - t < self.window]
        recent.append(now)
        _remember(self._misses, address, recent[-(self.free + 16) :], self.max_addresses)
        excess = len(recent) - self.free
        if excess <= 0:
            return 0.0
        return min(self.max_delay, self.first_delay * 2 ** (excess - 1))


@dataclass
class MalformedRequests:
    """Counts malformed requests; says whether this one should be logged: once a minute per
    address, and at most ``lines_per_interval`` lines a minute from all addresses together
    (thousands of addresses must not write thousands of lines)."""

    interval: float = 60.0
    max_addresses: int = MAX_ADDRESSES
    lines_per_interval: int = 10
    total: int = 0
    _logged: OrderedDict[str, float] = field(default_factory=OrderedDict)
    _lines: list[float] = field(default_factory=list)

    def seen(self, address: str, now: float) -> bool:
        self.total += 1
        last = self._logged.get(address)
        if last is not None and now - last < self.interval:
            return False
        self._lines = [moment for moment in self._lines if now - moment < self.interval]
        if len(self._lines) >= self.lines_per_interval:
            return False
        self._lines.append(now)
        _remember(self._logged, address, now, self.max_addresses)
        return True


def canned_answer(status: int, text: str, headers: Mapping[str, str]) -> bytes:
    """A whole HTTP/1.1 answer as bytes, for connections refused before any parsing."""
    body = text.encode()
    lines = [
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
        "Content-Type: text/plain; charset=utf-8",
        f"Content-Length: {len(body)}",
        "Connection: close",
        "Retry-After: 2",
        f"Server: {SERVER_NAME}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class ConnectionGuard:
    """The shared state every connection consults; ``headers`` go on every answer."""

    headers: Mapping[str, str]
    limits: ConnectionLimits = field(default_factory=ConnectionLimits)
    malformed: MalformedRequests = field(default_factory=MalformedRequests)
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.busy_answer = canned_answer(503, "busy, please try again in a moment\n", self.headers)

    def finish(self, response: web.StreamResponse) -> None:
        response.headers.update(self.headers)
        response.headers["Server"] = SERVER_NAME


class GuardedConnection(RequestHandler):
    """aiohttp's connection, admitted against the caps, answering errors without echoing."""

    def __init__(self, manager: web.Server, guard: ConnectionGuard, **kwargs: Any):
        super().__init__(manager, **kwargs)
        self.guard = guard
        self.address: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if peer else "unknown"
        if not self.guard.limits.admit(address, self, self.give_way):
            # Answered and closed before any parsing: costs one accept and one write.
            transport.write(self.guard.busy_answer)  # type: ignore[attr-defined]
            transport.close()
            return
        self.address = address
        super().connection_made(transport)

    def give_way(self) -> None:
        """Close this connection at once: a newcomer from an address holding fewer takes its slot.

        A photo send under way is cancelled first, while the socket is still open: asyncio's
        sendfile (Python 3.11) unregisters the socket from the event loop only then. Closed
        first, the closed descriptor stayed registered, and the next connection given the same
        number never had its request read: a phone's page load got no answer at all."""
        handler = self._task_handler
        if handler is not None and not handler.done():
            handler.cancel()  # reaches the send at once; its cleanup runs before the close below
        reset(self.transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self.address is None:
            return  # refused in connection_made; aiohttp never knew it
        self.guard.limits.release(self)
        self.address = None
        super().connection_lost(exc)

    def handle_error(
        self,
        request: Any,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        address = self.address or "unknown"
        if request.writer.output_size > 0:
            # Part of the answer is sent (a download cut short, a client that stopped reading):
            # nothing more can be said. The connection is reset, not closed: a close leaves the
            # kernel holding the rest of the photo (megabytes) for a phone that does not read,
            # and that phone never learns it was dropped. aiohttp ends quietly on this error.
            reset(self.transport)
            raise ConnectionError("answer already under way")
        if status == 500:
            log.error("error answering %s", request.path, exc_info=exc)
        elif status == 504:
            log.info("answer to %s timed out", address)
        elif self.guard.malformed.seen(address, self.guard.clock()):
            log.warning(
                "malformed request from %s (%s); more from there this minute are not logged",
                address,
                type(exc).__name__ if exc else status,
            )
        # A fixed text: never the request's own bytes.
        response = web.Response(status=status, text=f"{HTTPStatus(status).phrase.lower()}\n")
        self.guard.finish(response)
        response.force_close()
        return response


def reset(transport: asyncio.BaseTransport | None) -> None:
    """Close a connection with a TCP reset: what the kernel still holds to send on it (up to
    megabytes of a photo a phone stopped reading) is dropped at once, and the phone learns it
    was dropped. A plain close would keep both until the kernel gives up on the phone."""
    if transport is None:
        return
    # (also when closing already: a close waits for a phone that reads to take what is queued)
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


class GuardedSite(web.BaseSite):
    """A TCP listener whose connections are ``GuardedConnection``s."""

    def __init__(
        self,
        runner: web.AppRunner,
        host: str,
        port: int,
        guard: ConnectionGuard,
        handler_options: dict[str, Any],
        backlog: int = LISTEN_BACKLOG,
    ):
        super().__init__(runner, backlog=backlog)
        self._host = host
        self._port = port
        self._guard = guard
        self._handler_options = handler_options

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self._port}"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        manager = self._runner.server
        assert manager is not None

        def connection() -> GuardedConnection:
            return GuardedConnection(manager, self._guard, loop=loop, **self._handler_options)

        self._server = await loop.create_server(
            connection, self._host, self._port, backlog=self._backlog, reuse_address=True
        )
        for listener in self._server.sockets:  # the connections it accepts inherit the size
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)


def from_elsewhere(request: web.Request) -> bool:
    """A form post that a browser says came from another site (``Sec-Fetch-Site``) or whose
    ``Origin`` is not this server: a page elsewhere must not delete a photo it has the link of."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in ("same-origin", "none")
    # Browsers before Sec-Fetch-Site: their Origin. Our pages' no-referrer policy makes it
    # "null" on our own form; curl sends none. The form token has to match all the same.
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return False
    return origin.split("://", 1)[-1].rstrip("/").lower() != (request.host or "").lower()
