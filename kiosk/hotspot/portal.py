"""The sign-in sheet's rules: which phone sees which photo, and when a phone's check passes.

Pure: every decision takes the moment as an argument. The download server feeds it requests
from hotspot clients; ``tests/test_portal.py`` plays the sequences on an injected clock.

Who sees a photo: the visit whose share screen started most recently (``since``) offers its photo
to the first phone that joined the Wi-Fi (a new DHCP lease, ``kiosk.hotspot.leases``) within
``window`` seconds after that moment, and to that phone only ("once per visit"). A phone that
joined earlier, a phone that rejoins a remembered network (its hardware address is known), one
that joins after the window, and any second phone get the booth's generic page.

A phone's sequence: its platform checks are answered "a portal is here" until its guest is done
with the sheet (the sheet's own button), or ``hold`` seconds after the sheet first opened; from
then on "online", so the phone keeps the network and its browser can open the photo's link. A
phone that joins again (a new lease) starts its sequence afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

DEFAULT_WINDOW = 90.0
DEFAULT_HOLD = 600.0
NO_LEASE = "no-lease@"


class Stage(Enum):
    JOINED = "joined"  # no sheet yet: checks get "a portal is here"
    SHEET = "sheet"  # the sheet opened: still "a portal is here", so it stays open
    DONE = "done"  # the guest is done: checks get "online"


@dataclass
class Client:
    key: str  # the phone: hardware address and join (kiosk.hotspot.leases.JoinTracker.key_of)
    joined_at: float | None
    stage: Stage = Stage.JOINED
    sheet_at: float | None = None
    photo: str | None = None
    platform: str | None = None


@dataclass(frozen=True)
class Showing:
    """The booth's share screen: the visit's photo token and when its screen started."""

    token: str
    since: float


class Portal:
    def __init__(self, window: float = DEFAULT_WINDOW, hold: float = DEFAULT_HOLD):
        self.window = window
        self.hold = hold
        self._clients: dict[str, Client] = {}
        self._claimed: dict[str, str] = {}  # photo token -> the client key that got it

    def client(self, address: str, key: str | None, joined_at: float | None) -> Client:
        """The sequence of the phone at ``address``; a new join there starts a new one."""
        client = self._clients.get(address)
        if key is None:
            key = f"{NO_LEASE}{address}"
        elif client is not None and client.key.startswith(NO_LEASE):
            # Its first request came before dnsmasq's hook logged the lease: the same phone.
            client.key, client.joined_at = key, joined_at
        if client is None or client.key != key:
            client = Client(key, joined_at)
            self._clients[address] = client
        return client

    def check(self, client: Client, platform: str, now: float) -> bool:
        """A platform check from ``client``: True to answer "online", False for the sheet."""
        client.platform = platform
        held = client.sheet_at is not None and now - client.sheet_at >= self.hold
        if client.stage is Stage.SHEET and held:
            client.stage = Stage.DONE
        return client.stage is Stage.DONE

    def sheet(self, client: Client, showing: Showing | None, now: float) -> str | None:
        """The sheet opens for ``client``: the photo token it may see, or None (generic)."""
        if client.stage is Stage.JOINED:
            client.stage, client.sheet_at = Stage.SHEET, now
        if client.photo is None and showing is not None and self._may_see(client, showing):
            client.photo = showing.token
            self._claimed[showing.token] = client.key
        return client.photo

    def done(self, client: Client, now: float) -> None:
        """The guest finished with the sheet: from now on the phone's checks pass."""
        client.stage = Stage.DONE
        if client.sheet_at is None:
            client.sheet_at = now

    def _may_see(self, client: Client, showing: Showing) -> bool:
        if client.joined_at is None:
            return False
        if not showing.since <= client.joined_at <= showing.since + self.window:
            return False
        return self._claimed.get(showing.token, client.key) == client.key

    def forget(self, address: str) -> None:
        """The address's lease is gone."""
        self._clients.pop(address, None)

    @property
    def clients(self) -> list[Client]:
        return list(self._clients.values())
