"""systemd's notify protocol: a few datagrams on a Unix socket, no library needed.

The booth says READY=1 once its first screen is up, STATUS= with the screen it shows, and
WATCHDOG=1 from its UI loop, so systemd kills and restarts a booth whose loop hangs.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, environ: dict[str, str] | None = None):
        environ = dict(os.environ if environ is None else environ)
        address = environ.get("NOTIFY_SOCKET", "")
        # An address starting with '@' lives in the abstract namespace.
        self._address = "\0" + address[1:] if address.startswith("@") else address
        self._socket: socket.socket | None = None
        if self._address:
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        microseconds = environ.get("WATCHDOG_USEC", "")
        watchdog_pid = environ.get("WATCHDOG_PID", "")
        applies = not watchdog_pid or watchdog_pid == str(os.getpid())
        self.watchdog_interval = (
            int(microseconds) / 1e6 if microseconds.isdigit() and applies else None
        )

    @property
    def enabled(self) -> bool:
        return self._socket is not None

    def notify(self, *fields: str) -> None:
        if self._socket is None:
            return
        try:
            self._socket.sendto("\n".join(fields).encode(), self._address)
        except OSError as error:
            log.debug("sd_notify failed: %s", error)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
