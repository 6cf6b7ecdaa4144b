"""When each phone joined the booth's Wi-Fi: a log that NetworkManager's dnsmasq writes for us.

The lease file of NetworkManager's dnsmasq lies in /var/lib/NetworkManager, which only root may
enter; the download server runs as the booth's user. So our dnsmasq snippet names a small script
(``dhcp-script``) that dnsmasq runs for every lease event, and it appends a line to a log in
/run that everyone may read: ``<seconds since the epoch> <add|old|del> <mac> <address>``.
``add`` is a new lease (a phone that just joined), ``old`` a renewal or a lease dnsmasq knew
from before it started, ``del`` a lease that ended.

A phone is "first seen" at its first ``add`` in the log; a phone whose first line is ``old`` was
there before, and phones keep one (randomised) hardware address per network, so a phone that
rejoins a remembered network later is known, not new: it never counts as the guest who just
scanned the code.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

JOINS_PATH = Path("/run/echtbild-hotspot/joins")
HOOK_PATH = Path("/etc/echtbild/hotspot-joined")
# Known from before the log began: never new.
LONG_AGO = 0.0


def joins_hook(joins: Path = JOINS_PATH) -> str:
    """The script dnsmasq runs for each lease event (as root, before our log exists)."""
    return f"""#!/bin/sh
# Echtbild's hotspot (kiosk hotspot up): dnsmasq runs this for every lease (dhcp-script). The
# download server reads the log to know when each phone first joined the booth's Wi-Fi.
case "$1" in add | old | del) ;; *) exit 0 ;; esac
mkdir -p {joins.parent} && chmod 755 {joins.parent}
printf '%s %s %s %s\\n' "$(date +%s.%N)" "$1" "$2" "$3" >>{joins}
chmod 644 {joins}
"""


@dataclass(frozen=True)
class Join:
    at: float
    action: str
    mac: str
    address: str


def parse_joins(text: str) -> list[Join]:
    joins = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 4 or fields[1] not in ("add", "old", "del"):
            continue  # a torn last line
        try:
            joins.append(Join(float(fields[0]), fields[1], fields[2].lower(), fields[3]))
        except ValueError:
            continue
    return joins


class JoinTracker:
    """First-seen moments by hardware address, and which address each holds now."""

    def __init__(self) -> None:
        self.first_seen: dict[str, float] = {}
        self._mac_at: dict[str, str] = {}

    def observe(self, joins: list[Join]) -> None:
        """Take in log lines, in order."""
        for join in joins:
            if join.action == "del":
                if self._mac_at.get(join.address) == join.mac:
                    del self._mac_at[join.address]
                continue
            self.first_seen.setdefault(join.mac, join.at if join.action == "add" else LONG_AGO)
            self._mac_at[join.address] = join.mac

    def joined_at(self, address: str) -> float | None:
        """When the phone now holding ``address`` first joined; None for an address without a
        lease (not a hotspot client)."""
        mac = self._mac_at.get(address)
        return self.first_seen.get(mac) if mac is not None else None

    def key_of(self, address: str) -> str | None:
        """One phone's identity while it holds ``address``: its hardware address and join."""
        mac = self._mac_at.get(address)
        return f"{mac}@{self.first_seen[mac]:.0f}" if mac is not None else None

    @property
    def clients(self) -> int:
        return len(self._mac_at)


class JoinWatch:
    """A JoinTracker fed from the log, reading only what was appended since the last look."""

    def __init__(self, path: Path = JOINS_PATH):
        self.path = path
        self.tracker = JoinTracker()
        self._identity: tuple[int, int] | None = None
        self._offset = 0
        self.problem: str | None = None

    def refresh(self) -> JoinTracker:
        try:
            status = os.stat(self.path)
            identity = (status.st_dev, status.st_ino)
            if identity != self._identity or status.st_size < self._offset:
                # A new log (the machine restarted): start over.
                self.tracker, self._identity, self._offset = JoinTracker(), identity, 0
            if status.st_size > self._offset:
                with self.path.open("rb") as file:
                    file.seek(self._offset)
                    chunk = file.read(status.st_size - self._offset)
                complete = chunk[: chunk.rfind(b"\n") + 1]
                self._offset += len(complete)
                self.tracker.observe(parse_joins(complete.decode(errors="replace")))
            self.problem = None
        except FileNotFoundError:
            self.problem = None  # no phone has joined since the machine started
        except OSError as error:
            if self.problem is None:
                log.warning("cannot read the hotspot's joins in %s: %s", self.path, error)
            self.problem = f"cannot read {self.path}: {error.strerror or error}"
        return self.tracker
