"""The download server: the attendee's phone fetches the photo over the booth's network.

A token from the QR code is looked up in the photo index (read-only), or in the photo journal
when the index lacks it or cannot be read; only the file they name is ever sent, and no path is
built from request text. Unknown, malformed and removed tokens all get the same 404; expired
links a kind 410, and so do photos deleted at their owner's request. Pages load nothing from
elsewhere (the phone may be on the booth's own Wi-Fi without internet) and run no script.

A download never depends on writing: the server writes only its own state folder (download
counts after a completed download, deletion requests), and a failure there makes it "degraded",
not broken. Connections are capped and timed out by ``kiosk.share.guard``.
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import logging
import re
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from kiosk import __version__
from kiosk.config import Config
from kiosk.files import free_megabytes
from kiosk.photos.index import PhotoRecord
from kiosk.share.capacity import ConnectionLimits, connection_cap
from kiosk.share.guard import ConnectionGuard, GuardedSite, GuessGuard, RateLimiter, from_elsewhere
from kiosk.share.lookup import INDEX_RECHECK, PhotoLookup
from kiosk.share.on_screen import OnScreenReader
from kiosk.share.page import choose_language, download_name, page, photo_body, stylesheet
from kiosk.share.portal import PortalRoom
from kiosk.share.secrets import readable_secrets
from kiosk.share.sending import SentFile, hold_to_rate, honour_if_range, received
from kiosk.share.signers import SignerCache
from kiosk.share.state import ShareState, downloads_since
from kiosk.texts import Texts

log = logging.getLogger(__name__)

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")
MAX_HEADER_LINE = 4096
MAX_HEADERS = 48
# A connection idle this long is closed; it is also all the time a request's headers get, from
# the connection's start or the previous answer (aiohttp's keep-alive timer runs from both).
IDLE_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0  # reading the delete form
SEND_TIMEOUT = 300.0  # an 8 MB photo at 250 kB/s; a client that stops reading is dropped
# A phone reading slower than this over a whole window loses its connection (and its slot).
MIN_SEND_RATE = 1024.0
SEND_RATE_WINDOW = 10.0
MAX_BODY = 2048
LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def is_loopback(address: str | None) -> bool:
    """Requests from the booth itself (the operator's curl), which may see /healthz details."""
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


# --- the application --------------------------------------------------------------------------


class DownloadServer:
    def __init__(
        self,
        config: Config,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        operator: Callable[[str | None], bool] = is_loopback,
    ):
        self.config = config
        self.clock = clock
        self.sleep = sleep
        self.operator = operator
        layout = config.storage.layout
        self.storage_dir = layout.root
        self.photos = PhotoLookup(layout)
        self.on_screen = OnScreenReader(layout.on_screen_path)
        self.state = ShareState(layout.share_state_dir)
        self.state.compact_deletions(self.photos.still_there, clock(), config.share.link_ttl)
        self.rate_limiter = RateLimiter()
        self.guess_guard = GuessGuard()
        self.guard = ConnectionGuard(
            SECURITY_HEADERS,
            ConnectionLimits(connection_cap()),
        )
        self.css = stylesheet(config.branding)
        self.idle_timeout = IDLE_TIMEOUT
        self.min_send_rate, self.send_rate_window = MIN_SEND_RATE, SEND_RATE_WINDOW
        self.signers = SignerCache()
        self._looking: asyncio.Task | None = None  # the index looked over now and then
        # The booth's own Wi-Fi: its phones' portal checks and sign-in sheet (docs/hotspot.md).
        self.portal = (
            PortalRoom(
                config.hotspot,
                OnScreenReader(layout.on_screen_path),
                self.photo_content,
                self.texts,
                own_hosts={urlsplit(config.share.base_url).hostname or ""},
                clock=clock,
            )
            if config.hotspot.enabled
            else None
        )

    def texts(self, request: web.Request) -> Texts:
        language = choose_language(
            request.headers.get("Accept-Language"), self.config.event.language
        )
        return self.config.texts_for(language)

    def application(self) -> web.Application:
        middlewares = [self._answer_headers, self._guard]
        if self.portal is not None:
            middlewares.append(self.portal.middleware)
        app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY)
        if self.portal is not None:
            self.portal.add_routes(app.router)
        app.router.add_get("/p/{token}", self.photo_page)
        app.router.add_get("/p/{token}/photo.jpg", self.photo_file)
        app.router.add_get("/p/{token}/view.jpg", self.photo_view)
        app.router.add_post("/p/{token}/delete", self.delete_photo)
        app.router.add_get("/share.css", self.stylesheet)
        app.router.add_get("/logo", self.logo)
        app.router.add_get("/healthz", self.health)
        app.router.add_get("/favicon.ico", self.no_icon)
        app.on_response_prepare.append(self._finish_headers)
        app.on_startup.append(self._start)
        app.on_cleanup.append(self._stop)
        return app

    async def find(self, token: str) -> PhotoRecord | None:
        """From the index (a quick lookup), else from the journal, read off the event loop
        (the whole journal, after each photo the booth adds)."""
        record = self.photos.in_index(token)
        if record is None:
            loop = asyncio.get_running_loop()
            record = await loop.run_in_executor(None, self.photos.in_journal, token)
        return record

    # -- middlewares and the headers of every answer --

    async def _finish_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        self.guard.finish(response)

    @web.middleware
    async def _answer_headers(self, request: web.Request, handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return await self.not_found(request)
        except web.HTTPMethodNotAllowed as error:
            response = web.Response(status=405, text="method not allowed\n")
            response.headers["Allow"] = error.headers.get("Allow", "GET, HEAD")
            return response
        except web.HTTPError as error:
            # 413 and the like: aiohttp's own text may quote the request; ours does not.
            return web.Response(status=error.status, text=f"{error.reason.lower()}\n")

    @web.middleware
    async def _guard(self, request: web.Request, handler) -> web.StreamResponse:
        address = request.remote or "unknown"
        if request.version < (1, 0):  # HTTP/0.9 has no status line and no headers
            response = web.Response(status=400, text="bad request\n")
            response.force_close()
            return response
        if not self.rate_limiter.allow(address, time.monotonic()):
            return web.Response(
                status=429, text="too many requests\n", headers={"Retry-After": "1"}
            )
        return await handler(request)

    # -- handlers --

    async def not_found(self, request: web.Request) -> web.Response:
        delay = self.guess_guard.miss(request.remote or "unknown", time.monotonic())
        if delay:
            await self.sleep(delay)
        return self._message(request, 404, "web_not_found_title", "web_not_found_body")

    def _message(self, request: web.Request, status: int, title: str, body: str) -> web.Response:
        """A page that only says something: not found, expired, deleted."""
        texts = self.texts(request)
        content = f"<h1>{html.escape(texts.get(title))}</h1><p>{html.escape(texts.get(body))}</p>"
        return web.Response(
            status=status,
            text=page(texts.language, texts.get(title), content),
            content_type="text/html",
            headers={"Cache-Control": "no-store"},
        )

    async def _lookup(self, request: web.Request) -> tuple[PhotoRecord, Path]:
        token = request.match_info["token"]
        if not TOKEN_PATTERN.fullmatch(token):
            raise web.HTTPNotFound()
        if token in self.state.deleted:
            raise _Deleted()
        record = await self.find(token)
        path = self.photos.file_of(record) if record is not None else None
        if record is None or path is None:
            raise web.HTTPNotFound()
        if self.clock() >= record.expires:
            raise _Expired()
        return record, path

    def _gone(self, request: web.Request, reason: Exception) -> web.Response:
        if isinstance(reason, _Deleted):
            return self._message(request, 410, "web_deleted_title", "web_deleted_body")
        return self._message(request, 410, "web_expired_title", "web_expired_body")

    def _print_news(self, token: str, texts: Texts) -> str | None:
        """What the booth's share screen says about this photo's print, while it is up."""
        shown = self.on_screen.current()
        if shown is None or shown.sharing != token:
            return None
        news = shown.news.get("print")
        if news == "on its way":
            return texts.get("web_print_on_its_way")
        if news == "paused":
            return texts.get("web_print_paused")
        return None

    async def photo_page(self, request: web.Request) -> web.Response:
        try:
            record, path = await self._lookup(request)
        except (_Expired, _Deleted) as reason:
            return self._gone(request, reason)
        texts = self.texts(request)
        title = texts.get("web_title", event=self.config.event.name)
        signer = await self.signers.signer_of(path)
        return web.Response(
            text=page(texts.language, title, self._content(record, path, texts, signer)),
            content_type="text/html",
            headers={"Cache-Control": "private, no-cache"},
        )

    def photo_content(self, token: str, texts: Texts) -> str | None:
        """The photo page's content for ``token`` (the sign-in sheet shows it), or None when
        the photo is gone, expired or deleted."""
        record = self.photos.find(token) if token not in self.state.deleted else None
        path = self.photos.file_of(record) if record is not None else None
        if record is None or path is None or self.clock() >= record.expires:
            return None
        return self._content(record, path, texts, self.signers.remembered(path))

    def _content(self, record: PhotoRecord, path: Path, texts: Texts, signer: str | None) -> str:
        escape = html.escape
        base = f"/p/{record.token}"
        body = photo_body(
            self.config,
            texts,
            view_src=f"{base}/view.jpg",
            download_href=f"{base}/photo.jpg",
            created=record.created,
            expires=record.expires,
            signer=signer,
            logo_src="/logo" if self.config.branding.logo is not None else None,
            news=self._print_news(record.token, texts),
        )
        # Two steps without script: the summary opens the confirmation, the button posts.
        return body + "".join(
            [
                '<details class="delete">',
                f"<summary>{escape(texts.get('web_delete'))}</summary>",
                f"<p>{escape(texts.get('web_delete_confirm'))}</p>",
                f'<form method="post" action="{base}/delete">',
                f'<input type="hidden" name="form" value="{self.state.form_token(record.token)}">',
                f'<button type="submit">{escape(texts.get("web_delete_yes"))}</button>',
                "</form></details>",
            ]
        )

    async def photo_file(self, request: web.Request) -> web.StreamResponse:
        """The photo as a download; a completed full download is counted."""
        return await self._send_photo(request, download=True)

    async def photo_view(self, request: web.Request) -> web.StreamResponse:
        """The photo as the page shows it (inline; long-press saves it on an iPhone)."""
        return await self._send_photo(request, download=False)

    async def _send_photo(self, request: web.Request, download: bool) -> web.StreamResponse:
        try:
            record, path = await self._lookup(request)
        except (_Expired, _Deleted) as reason:
            return self._gone(request, reason)
        name = download_name(self.config.event.name, record.created)
        disposition = "attachment" if download else "inline"
        response = SentFile(
            path,
            headers={
                "Content-Type": "image/jpeg",
                "Content-Disposition": f'{disposition}; filename="{name}"',
                "Cache-Control": "private, max-age=3600",
            },
        )
        request = honour_if_range(request, path)
        loop = asyncio.get_running_loop()
        # Sent here, not by aiohttp after returning, so that only a whole send is counted.
        async with asyncio.timeout(SEND_TIMEOUT) as deadline:
            # Too slow a reader ends the send as the timeout does (sendfile lets go first).
            watch = hold_to_rate(
                request.transport,
                self.min_send_rate,
                self.send_rate_window,
                lambda: deadline.reschedule(loop.time()),
            )
            slow_reader = asyncio.create_task(watch)
            try:
                await response.prepare(request)
                await response.write_eof()
                whole = download and request.method == "GET" and response.status == 200
                if whole and await received(request.transport):
                    self.state.count_download(record.token, self.clock())
            finally:
                slow_reader.cancel()
        return response

    async def delete_photo(self, request: web.Request) -> web.Response:
        """The owner deletes their photo: recorded here, carried out by the booth."""
        try:
            record, _ = await self._lookup(request)
        except (_Expired, _Deleted) as reason:
            return self._gone(request, reason)
        if from_elsewhere(request):
            return self._message(request, 403, *DELETE_REFUSED)
        async with asyncio.timeout(BODY_TIMEOUT):
            form = await request.post()
        if not self.state.form_token_ok(record.token, str(form.get("form", ""))):
            return self._message(request, 403, *DELETE_REFUSED)
        if not self.state.request_deletion(record.token, self.clock()):
            return self._message(request, 503, *DELETE_FAILED)
        raise web.HTTPSeeOther(f"/p/{record.token}")

    async def stylesheet(self, request: web.Request) -> web.Response:
        return web.Response(
            text=self.css, content_type="text/css", headers={"Cache-Control": "max-age=86400"}
        )

    async def logo(self, request: web.Request) -> web.StreamResponse:
        logo = self.config.branding.logo
        if logo is None or logo.suffix.lower() not in LOGO_TYPES or not logo.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(
            logo,
            headers={
                "Content-Type": LOGO_TYPES[logo.suffix.lower()],
                "Cache-Control": "max-age=86400",
            },
        )

    async def no_icon(self, request: web.Request) -> web.Response:
        # Browsers ask for it on every page; an empty answer keeps their consoles clean.
        return web.Response(status=204, headers={"Cache-Control": "max-age=86400"})

    def problems(self) -> list[str]:
        """What makes the server degraded: it still serves every photo it can find."""
        problems = [p for p in (self.photos.problem, self.state.problem) if p]
        readable = readable_secrets(self.config)
        if readable:
            problems.append(
                f"the download server can read secrets: {', '.join(map(str, readable))} "
                "(make each its owner's alone: chmod 600)"
            )
        storage = self.config.storage
        free = free_megabytes(self.storage_dir)
        if free < storage.min_free_mb:
            problems.append(f"disk almost full: {free:.0f} MB free")
        return problems

    async def health(self, request: web.Request) -> web.Response:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.photos.recheck_if_due)
        problems = self.problems()
        status = "degraded" if problems else "ok"
        code = 503 if problems else 200
        headers = {"Cache-Control": "no-store"}
        if not self.operator(request.remote):
            return web.json_response({"status": status}, status=code, headers=headers)
        since = self.clock() - 86400
        # Both read a whole journal: off the event loop, which serves the phones meanwhile.
        photos = await loop.run_in_executor(None, self.photos.photos_since, since)
        downloads = await loop.run_in_executor(None, downloads_since, self.state.directory, since)
        limits = self.guard.limits
        return web.json_response(
            {
                "status": status,
                "problems": problems,
                "version": __version__,
                "photos_24h": photos,
                "downloads_24h": downloads,
                "free_mb": round(free_megabytes(self.storage_dir)),
                "connections": limits.open_total,
                "connections_refused": limits.refused,
                "connections_evicted": limits.evicted,
                "malformed_requests": self.guard.malformed.total,
            },
            status=code,
            headers=headers,
        )

    # -- housekeeping --

    async def _start(self, app: web.Application) -> None:
        self.photos.recheck_on_find = False  # looked over here instead, off the event loop
        self._looking = asyncio.create_task(self._look_at_the_index())

    async def _look_at_the_index(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(INDEX_RECHECK)
            try:
                await loop.run_in_executor(None, self.photos.recheck_if_due)
            except Exception:  # the next look may succeed; lookups go on meanwhile
                log.exception("cannot look at the photo index")

    async def _stop(self, app: web.Application) -> None:
        if self._looking is not None:
            self._looking.cancel()
        self.photos.close()
        self.signers.close()


DELETE_REFUSED = ("web_delete_refused_title", "web_delete_refused_body")
DELETE_FAILED = ("web_delete_failed_title", "web_delete_failed_body")


class _Expired(Exception):
    pass


class _Deleted(Exception):
    pass


async def start_server(server: DownloadServer, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Start serving on ``host:port`` (0: any free port); returns the runner and the port."""
    runner = web.AppRunner(server.application(), access_log=None)
    await runner.setup()
    site = GuardedSite(
        runner,
        host,
        port,
        server.guard,
        {
            "keepalive_timeout": server.idle_timeout,
            "max_line_size": MAX_HEADER_LINE,
            "max_field_size": MAX_HEADER_LINE,
            "max_headers": MAX_HEADERS,
            "access_log": None,
            "lingering_time": 2.0,
        },
    )
    await site.start()
    return runner, runner.addresses[0][1]


def serve(config: Config) -> None:
    """Run the download server until SIGTERM or Ctrl-C."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signal_number, stop.set)
        runner, _ = await start_server(DownloadServer(config), config.share.host, config.share.port)
        log.info("serving photos on %s:%d", config.share.host, config.share.port)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    asyncio.run(main())
