"""The sign-in sheet on the booth's Wi-Fi: the download server's room for hotspot phones.

Every name a hotspot phone looks up is the booth (kiosk.hotspot.names), so its platform's
captive-portal check and any page it opens arrive here. This room answers them before the
server's own routes: a check gets "a portal is here" (a redirect to the sheet) or "online" by the
phone's sequence (kiosk.hotspot.portal, written down in docs/hotspot.md); any other address a
hotspot phone opens leads to the sheet. None of it reaches the server's not-found answer, so a
portal request never counts as a token guess. The sheet itself shows the photo of the visit on
screen to the phone that joined just after its share screen started, else the booth's generic
page.
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from kiosk.config import HotspotConfig
from kiosk.hotspot.checks import check_for, platform_of
from kiosk.hotspot.leases import JOINS_PATH, JoinWatch
from kiosk.hotspot.portal import Client, Portal, Showing
from kiosk.share.on_screen import OnScreenReader
from kiosk.share.page import page
from kiosk.texts import Texts

SHEET = "/sheet"
SHEET_DONE = "/sheet/done"
# The booth's own name on its Wi-Fi (kiosk.hotspot.names answers it).
BOOTH_NAME = "echtbild.lan"
NO_STORE = {"Cache-Control": "no-store"}
HINTS = {"apple": "sheet_hint_apple", "android": "sheet_hint_android"}
LEASE_WAIT_STEP, LEASE_WAIT_STEPS = 0.05, 20

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# The server's photo page content for a token (None: gone), and the texts for a request.
PhotoContent = Callable[[str, Texts], str | None]
TextsFor = Callable[[web.Request], Texts]


def host_name(host: str | None) -> str:
    """The Host header without its port, lowercase."""
    name = (host or "").strip().lower()
    if name.startswith("["):
        return name.split("]", 1)[0] + "]"
    return name.rsplit(":", 1)[0] if name.count(":") == 1 else name


class PortalRoom:
    def __init__(
        self,
        hotspot: HotspotConfig,
        on_screen: OnScreenReader,
        photo_content: PhotoContent,
        texts: TextsFor,
        own_hosts: set[str] = frozenset(),  # type: ignore[assignment]
        joins: JoinWatch | None = None,
        portal: Portal | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.hotspot = hotspot
        self.photo_content = photo_content
        self.texts = texts
        self.booth = hotspot.booth_address
        self.network = hotspot.network
        self.on_screen = on_screen
        self.own_hosts = {self.booth, BOOTH_NAME, *(host_name(h) for h in own_hosts)}
        self.joins = joins or JoinWatch(JOINS_PATH)
        self.portal = portal or Portal(window=hotspot.portal_window)
        self.clock = clock
        self.sheet_url = f"http://{self.booth}{SHEET}"

    # -- who is asking --

    def is_hotspot_phone(self, address: str | None) -> bool:
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return ip in self.network and str(ip) != self.booth

    def client(self, request: web.Request) -> Client:
        address = request.remote or "unknown"
        tracker = self.joins.refresh()
        return self.portal.client(address, tracker.key_of(address), tracker.joined_at(address))

    # -- before the server's routes --

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        check = check_for(request.host, request.path)
        if check is not None:
            client = self.client(request)
            if self.portal.check(client, platform_of(check), self.clock()):
                online = check.online
                return web.Response(
                    status=online.status,
                    body=online.body,
                    headers={"Content-Type": online.content_type, **NO_STORE},
                )
            return self.to_sheet()
        if self.is_hotspot_phone(request.remote):
            if host_name(request.host) not in self.own_hosts:
                return self.to_sheet()
            if request.path == "/":
                return self.to_sheet()
        return await handler(request)

    def to_sheet(self) -> web.Response:
        return web.Response(status=302, headers={"Location": self.sheet_url, **NO_STORE})

    # -- the sheet --

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get(SHEET, self.sheet)
        router.add_get(SHEET_DONE, self.sheet_done)

    async def sheet(self, request: web.Request) -> web.Response:
        texts = self.texts(request)
        await self._lease_logged(request)
        client, token = self.sheet_photo(request)
        content = self.photo_content(token, texts) if token is not None else None
        if token is None or content is None:
            title, body = texts.get("sheet_generic_title"), self.generic_body(texts)
        else:
            title = texts.get("share_title")
            link = html.escape(self.photo_address(token))
            body = (
                self.hint(client, texts)
                + content
                + f'<p class="small">{link}</p>'
                + self.done_button(texts)
            )
        return self._page(texts, title, body)

    async def sheet_done(self, request: web.Request) -> web.Response:
        texts = self.texts(request)
        client = self.done(request)
        return self._page(texts, texts.get("sheet_done_title"), self.done_body(texts, client.photo))

    def _page(self, texts: Texts, title: str, body: str) -> web.Response:
        return web.Response(
            text=page(texts.language, title, body), content_type="text/html", headers=NO_STORE
        )

    def sheet_photo(self, request: web.Request) -> tuple[Client, str | None]:
        """The phone asking, and the photo token its sheet shows (None: the generic page)."""
        client = self.client(request)
        shown = self.on_screen.current()
        token = shown.sharing if shown is not None else None
        showing = Showing(token, shown.since) if shown is not None and token else None
        return client, self.portal.sheet(client, showing, self.clock())

    async def _lease_logged(self, request: web.Request) -> None:
        """dnsmasq runs our hook just after its answer, so a quick phone's first request may come
        before its join is in the log: wait for it a moment rather than show the wrong page."""
        if not self.is_hotspot_phone(request.remote):
            return
        for _ in range(LEASE_WAIT_STEPS):
            if self.joins.refresh().joined_at(request.remote or "") is not None:
                return
            await asyncio.sleep(LEASE_WAIT_STEP)

    def done(self, request: web.Request) -> Client:
        client = self.client(request)
        self.portal.done(client, self.clock())
        return client

    def photo_address(self, token: str) -> str:
        return f"http://{self.booth}/p/{token}"

    def hint(self, client: Client, texts: Texts) -> str:
        """One line on saving, for the sheets that cannot (or close once the check passes)."""
        key = HINTS.get(client.platform or "")
        if key is None:
            return ""
        # The booth's bare address is short enough to type; it leads back to this sheet, which
        # keeps showing this phone its photo.
        line = texts.get(key, address=self.booth)
        return f'<p class="hint">{html.escape(line)}</p>'

    def done_button(self, texts: Texts) -> str:
        # A link, a full navigation: iOS's sheet checks again after one, and shows "Done".
        return f'<a class="download" href="{SHEET_DONE}">{html.escape(texts.get("sheet_done"))}</a>'

    def generic_body(self, texts: Texts) -> str:
        escape = html.escape
        return (
            f"<h1>{escape(texts.get('sheet_generic_title'))}</h1>"
            f"<p>{escape(texts.get('sheet_generic_body'))}</p>{self.done_button(texts)}"
        )

    def done_body(self, texts: Texts, token: str | None) -> str:
        escape = html.escape
        body = f"<h1>{escape(texts.get('sheet_done_title'))}</h1>"
        if token is not None:
            address = self.photo_address(token)
            line = escape(texts.get("sheet_done_body", address=address))
            body += f'<p>{line}</p><a class="download" href="/p/{token}">{escape(address)}</a>'
        return body
