"""How many connections the download server holds, and who gives way when it is full.

Connections are capped overall (sized from the file-descriptor budget) and per address (an IPv6
/64 counts as one device). When the overall cap is reached, the address holding the most
connections gives one up to a newcomer holding fewer: a crowd of slow devices cannot lock a
phone out. Plain bookkeeping: the connection itself says how it is closed.
"""

from __future__ import annotations

import ipaddress
import resource
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_CONNECTIONS = 400
MAX_CONNECTIONS_PER_ADDRESS = 24
# Each connection may hold a socket and an open photo; this many descriptors stay for the rest.
RESERVED_FILES = 64
# The kernel's send buffer per connection. Left to itself it grows to 4 MB for a phone that
# stops reading: 400 such phones held 1.4 GB of kernel memory. 256 KB still fills a Wi-Fi link
# (about 8 MB/s at a 30 ms round trip), and 400 connections hold at most about 200 MB.
SEND_BUFFER = 256 * 1024
# Connections the kernel queues before the server accepts them: a crowd reconnecting at once
# overflowed 128 (a phone whose connection is dropped there waits a second for its retry).
LISTEN_BACKLOG = 1024


def group_of(address: str) -> str:
    """The unit that one device may hold many addresses of: an IPv6 /64 (privacy addresses,
    one device on Wi-Fi can take any number), else the address itself."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return address


@dataclass
class ConnectionLimits:
    """Open connections, overall and per address (an IPv6 /64 counts as one), against their
    caps. When the overall cap is reached, the oldest connection of the address holding the most
    gives way to an address holding fewer: a crowd of slow devices cannot lock a phone out."""

    total_cap: int = MAX_CONNECTIONS
    per_address_cap: int = MAX_CONNECTIONS_PER_ADDRESS
    open_total: int = 0
    refused: int = 0
    evicted: int = 0
    # group -> its connections, oldest first (each value: what to call to close it)
    _groups: dict[str, OrderedDict[object, Callable[[], None]]] = field(default_factory=dict)
    _group_of: dict[object, str] = field(default_factory=dict)

    def admit(
        self, address: str, connection: object = None, close: Callable[[], None] = lambda: None
    ) -> bool:
        """Whether ``connection`` from ``address`` may open; ``close`` ends it if it must give
        way to another later."""
        group = group_of(address)
        held = self._groups.get(group, {})
        if len(held) >= self.per_address_cap:
            self.refused += 1
            return False
        if self.open_total >= self.total_cap and not self._evict_for(len(held)):
            self.refused += 1
            return False
        key = connection if connection is not None else object()
        self._groups.setdefault(group, OrderedDict())[key] = close
        self._group_of[key] = group
        self.open_total += 1
        return True

    def _evict_for(self, newcomer_holds: int) -> bool:
        """Close the oldest connection of the group holding the most, if it holds at least two
        more than the newcomer's; True when one was closed."""
        if not self._groups:
            return False
        held = max(self._groups.values(), key=len)
        if len(held) < newcomer_holds + 2:
            return False
        oldest, close = next(iter(held.items()))
        self.release(oldest)
        self.evicted += 1
        close()
        return True

    def release(self, connection: object) -> None:
        group = self._group_of.pop(connection, None)
        if group is None:
            return  # evicted before: counted out already
        held = self._groups[group]
        held.pop(connection, None)
        if not held:
            del self._groups[group]
        self.open_total -= 1

    def per_address(self, address: str) -> int:
        return len(self._groups.get(group_of(address), ()))


def connection_cap(most: int = MAX_CONNECTIONS) -> int:
    """Connections the server can hold: ``most``, fewer when the file-descriptor
    limit allows fewer (a socket and an open photo each, some kept for the rest)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return most
    return max(16, min(most, (soft - RESERVED_FILES) // 2))
