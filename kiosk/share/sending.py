"""Sending a photo file to a phone, and knowing whether it arrived: what aiohttp's file answer
does not do by itself (count only a whole download, honour an ``If-Range`` naming a version)."""

from __future__ import annotations

import asyncio
import fcntl
import os
import socket
import sys
import termios
from collections.abc import Callable
from pathlib import Path

from aiohttp import hdrs, web
from multidict import CIMultiDict


class SentFile(web.FileResponse):
    """A file the handler sends itself (to know the send completed); aiohttp's own call to
    ``prepare`` after the handler returns then has nothing left to do."""

    async def prepare(self, request: web.BaseRequest):  # type: ignore[override]
        if self.prepared:
            return None
        return await super().prepare(request)


async def received(transport: asyncio.BaseTransport | None) -> bool:
    """Whether the phone acknowledged every byte sent: a photo handed to the kernel may still
    be lost when the phone goes away. On Linux the socket says how many bytes await
    acknowledgement, and whether the phone reset the connection (which drops them unsent);
    elsewhere a send handed to the kernel counts."""
    sock = transport.get_extra_info("socket") if transport is not None else None
    if transport is None or transport.is_closing() or sock is None:
        return False
    if not hasattr(termios, "TIOCOUTQ") or not hasattr(socket, "TCP_INFO"):
        return True
    # A socket of our own on the same connection: it stays readable if aiohttp closes its own.
    own = socket.socket(fileno=os.dup(sock.fileno()))
    try:
        while True:
            state = own.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]
            if state == _TCP_CLOSE:
                return False  # reset by the phone: what was still queued is lost
            pending = fcntl.ioctl(own.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
            if int.from_bytes(pending, sys.byteorder) == 0:
                return True
            await asyncio.sleep(0.02)
    except OSError:
        return False
    finally:
        own.close()


_TCP_CLOSE = 7  # tcp_info.tcpi_state of a connection that is gone (linux/tcp_states.h)
_BYTES_ACKED = slice(120, 128)  # struct tcp_info's tcpi_bytes_acked (Linux 4.1 and later)


def bytes_acknowledged(transport: asyncio.BaseTransport | None) -> int | None:
    """How many bytes the phone has acknowledged on this connection (None: not known here)."""
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None or not hasattr(socket, "TCP_INFO"):
        return None
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    except OSError:
        return None
    if len(info) < _BYTES_ACKED.stop:
        return None
    return int.from_bytes(info[_BYTES_ACKED], sys.byteorder)


async def hold_to_rate(
    transport: asyncio.BaseTransport | None,
    min_rate: float,
    window: float,
    too_slow: Callable[[], None],
) -> bool:
    """Watch a send: call ``too_slow`` (which ends the send) when the phone acknowledged less
    than ``min_rate`` bytes a second over a whole ``window``: a slow reader must not keep its
    slot for minutes. Returns True when it called; cancel it when the send is over."""
    last = bytes_acknowledged(transport)
    if transport is None or last is None:
        return False
    while not transport.is_closing():
        await asyncio.sleep(window)
        acked = bytes_acknowledged(transport)
        if acked is None:
            return False
        if acked - last < min_rate * window:
            too_slow()
            return True
        last = acked
    return False


def honour_if_range(request: web.Request, path: Path) -> web.Request:
    """A range whose ``If-Range`` names another version of the file is ignored: the whole
    photo is sent (aiohttp checks only the date form of If-Range)."""
    condition = request.headers.get(hdrs.IF_RANGE)
    if condition is None or hdrs.RANGE not in request.headers:
        return request
    condition = condition.strip()
    if not (condition.startswith('"') or condition.startswith("W/")):
        return request  # a date: aiohttp compares it
    stat = path.stat()
    if condition == f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"':
        return request
    headers = CIMultiDict(request.headers)
    del headers[hdrs.RANGE]
    return request.clone(headers=headers)
