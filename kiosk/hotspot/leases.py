"""When each phone joined the booth's Wi-Fi: read from the lease file of NetworkManager's dnsmasq.

dnsmasq writes one line per IPv4 lease: ``<expiry> <mac> <address> <hostname|*> <client-id|*>``
(expiry in seconds since the epoch, 0 for an infinite lease). A lease granted at ``t`` expires at
``t + lease time`` (NetworkManager's shared mode: one hour), and every renewal moves the expiry
on, so a phone is "first seen" at the grant of the first lease this booth saw for its hardware
address. Phones keep one (randomised) address per network, so a phone that rejoins a remembered
network later is known, not new: it never counts as the guest who just scanned the code.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# NetworkManager 1.42 to 1.52 give shared connections' clients one-hour leases.
LEASE_SECONDS = 3600.0


def lease_file(interface: str) -> Path:
    """Where NetworkManager's dnsmasq keeps the leases of a shared connection on ``interface``."""
    return Path("/var/lib/NetworkManager") / f"dnsmasq-{interface}.leases"


@dataclass(frozen=True)
class Lease:
    expires: float
    mac: str
    address: str
    hostname: str | None


def parse_leases(text: str) -> list[Lease]:
    """The IPv4 leases in a dnsmasq lease file; lines of other kinds are skipped."""
    leases = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 4:
            continue
        try:
            expires = float(fields[0])
            address = str(ipaddress.IPv4Address(fields[2]))
        except ValueError:
            continue  # the "duid" line and DHCPv6 leases
        hostname = None if fields[3] == "*" else fields[3]
        leases.append(Lease(expires, fields[1].lower(), address, hostname))
    return leases


class JoinTracker:
    """First-seen moments by hardware address, and which address each holds now."""

    def __init__(self, lease_seconds: float = LEASE_SECONDS):
        self.lease_seconds = lease_seconds
        self.first_seen: dict[str, float] = {}
        self._mac_at: dict[str, str] = {}

    def observe(self, leases: list[Lease], now: float) -> None:
        """Take in the current lease list, read at ``now``."""
        holders = {}
        for lease in leases:
            holders[lease.address] = lease.mac
            if lease.mac not in self.first_seen:
                granted = lease.expires - self.lease_seconds if lease.expires else now
                self.first_seen[lease.mac] = min(granted, now)
        self._mac_at = holders

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


class LeaseWatch:
    """A JoinTracker fed from the lease file, read again only when the file changed."""

    def __init__(self, path: Path, tracker: JoinTracker | None = None):
        self.path = path
        self.tracker = tracker or JoinTracker()
        self._seen: tuple[int, int, int] | None = None
        self.problem: str | None = None

    def refresh(self, now: float) -> JoinTracker:
        try:
            status = os.stat(self.path)
            seen = (status.st_ino, status.st_mtime_ns, status.st_size)
            if seen != self._seen:
                self.tracker.observe(parse_leases(self.path.read_text(errors="replace")), now)
                self._seen = seen
            self.problem = None
        except OSError as error:
            if self.problem is None:
                log.warning("cannot read the hotspot's leases in %s: %s", self.path, error)
            self.problem = f"cannot read {self.path}: {error.strerror or error}"
        return self.tracker
