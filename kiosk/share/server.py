"""The download server: the attendee's phone fetches the photo over the booth's network.

A token from the QR code is looked up in the photo index; only the file the index names is ever
sent, and no path is built from request text. Unknown, malformed and deleted tokens all get the
same 404; expired links a kind 410. Pages load nothing from elsewhere (the phone may be on the
booth's own Wi-Fi without internet) and run no script.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import re
import signal
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from kiosk import __version__
from kiosk.config import Config
from kiosk.files import free_megabytes
from kiosk.photos.credentials import verify
from kiosk.photos.index import PhotoIndex, PhotoRecord
from kiosk.texts import Texts

log = logging.getLogger(__name__)

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")
MAX_HEADER_LINE = 4096
MAX_HEADERS = 48

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}

STYLESHEET = """\
:root { color-scheme: light dark; --accent: #f2aa4c; }
body { margin: 0; font: 18px/1.45 system-ui, sans-serif; background: #14202e; color: #f5f1e8; }
main { max-width: 34rem; margin: 0 auto; padding: 1.2rem; text-align: center; }
h1 { font-size: 1.5rem; margin: 0.4rem 0 1rem; }
img { width: 100%; height: auto; border-radius: 0.4rem; background: #0b121b; }
.download { display: block; margin: 1.2rem 0; padding: 1rem; border-radius: 0.6rem;
  background: var(--accent); color: #14202e; font-size: 1.3rem; font-weight: 700;
  text-decoration: none; }
p { margin: 0.4rem 0; }
.small { font-size: 0.9rem; opacity: 0.8; }
.credentials { margin-top: 1.2rem; padding: 0.6rem; border: 1px solid var(--accent);
  border-radius: 0.4rem; font-size: 0.95rem; }
"""


# --- guarding against guessing and floods ----------------------------------------------------


@dataclass
class RateLimiter:
    """Token bucket per client address: ``rate`` requests a second, bursts up to ``burst``."""

    rate: float = 20.0
    burst: float = 60.0
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, address: str, now: float) -> bool:
        tokens, last = self._buckets.get(address, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[address] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > 10_000:
            # Full buckets carry no state worth keeping.
            self._buckets = {a: b for a, b in self._buckets.items() if b[0] < self.burst - 1}
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
    _misses: dict[str, list[float]] = field(default_factory=dict)

    def miss(self, address: str, now: float) -> float:
        recent = [t for t in self._misses.get(address, []) if now - t < self.window]
        recent.append(now)
        self._misses[address] = recent[-(self.free + 16) :]
        if len(self._misses) > 10_000:
            self._misses = {a: t for a, t in self._misses.items() if now - t[-1] < self.window}
        excess = len(recent) - self.free
        if excess <= 0:
            return 0.0
        return min(self.max_delay, self.first_delay * 2 ** (excess - 1))


# --- pages ------------------------------------------------------------------------------------


def choose_language(accept_language: str | None, default: str) -> str:
    """The phone's preferred language among ours (de, en), else the booth's."""
    best, best_quality = default, 0.0
    for part in (accept_language or "").split(","):
        tag, _, parameters = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        quality = 1.0
        if "q=" in parameters:
            match = re.search(r"q=([01](?:\.[0-9]{0,3})?)\s*$", parameters)
            if not match:
                continue  # a malformed weight counts as no preference
            quality = float(match[1])
        if language in ("de", "en") and quality > best_quality:
            best, best_quality = language, quality
    return best


def format_time(timestamp: float, language: str) -> str:
    moment = dt.datetime.fromtimestamp(timestamp).astimezone()
    if language == "de":
        return moment.strftime("%d.%m.%Y, %H:%M")
    return moment.strftime("%d %b %Y, %H:%M")


def download_name(event: str, created: float) -> str:
    """A readable, ASCII-only file name: 'sommerfest-2026-20260704-1530.jpg'."""
    ascii_event = unicodedata.normalize("NFKD", event).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_event.lower()).strip("-")[:40] or "echtbild"
    stamp = dt.datetime.fromtimestamp(created).astimezone().strftime("%Y%m%d-%H%M%S")
    return f"{slug}-{stamp}.jpg"


def _page(language: str, title: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f'<link rel="stylesheet" href="/share.css"><title>{html.escape(title)}</title></head>'
        f"<body><main>{body}</main></body></html>\n"
    )


# --- the application --------------------------------------------------------------------------


class DownloadServer:
    def __init__(
        self,
        config: Config,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.config = config
        self.clock = clock
        self.sleep = sleep
        self.storage_dir = config.storage.dir.expanduser()
        self.photos_dir = (self.storage_dir / "photos").resolve()
        # Download counts are statistics: without an fsync per request the SD card stays quiet.
        self.index = PhotoIndex(config.storage.index_path, durable=False)
        self.rate_limiter = RateLimiter()
        self._signers: dict[tuple[str, int, int], str | None] = {}
        self.guess_guard = GuessGuard()

    def texts(self, request: web.Request) -> Texts:
        language = choose_language(
            request.headers.get("Accept-Language"), self.config.event.language
        )
        return Texts(language, self.config.texts.overrides(language))

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._guard, self._security_headers])
        app.router.add_get("/p/{token}", self.photo_page)
        app.router.add_get("/p/{token}/photo.jpg", self.photo_file)
        app.router.add_get("/share.css", self.stylesheet)
        app.router.add_get("/healthz", self.health)
        app.router.add_get("/favicon.ico", self.no_icon)
        app.on_cleanup.append(self._stop)
        return app

    # -- middlewares --

    @web.middleware
    async def _security_headers(self, request: web.Request, handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPNotFound:
            response = await self.not_found(request)
        except web.HTTPMethodNotAllowed as error:
            response = web.Response(status=405, text="method not allowed\n")
            response.headers["Allow"] = error.headers.get("Allow", "GET, HEAD")
        response.headers.update(SECURITY_HEADERS)
        return response

    @web.middleware
    async def _guard(self, request: web.Request, handler) -> web.StreamResponse:
        address = request.remote or "unknown"
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
        """A page that only says something: not found, expired."""
        texts = self.texts(request)
        content = f"<h1>{html.escape(texts.get(title))}</h1><p>{html.escape(texts.get(body))}</p>"
        return web.Response(
            status=status,
            text=_page(texts.language, texts.get(title), content),
            content_type="text/html",
            headers={"Cache-Control": "no-store"},
        )

    def _lookup(self, request: web.Request) -> tuple[PhotoRecord, Path]:
        token = request.match_info["token"]
        if not TOKEN_PATTERN.fullmatch(token):
            raise web.HTTPNotFound()
        record = self.index.get(token)
        if record is None:
            raise web.HTTPNotFound()
        path = (self.storage_dir / record.file).resolve()
        # The index is ours, but a file outside the photos folder is never sent.
        if not path.is_relative_to(self.photos_dir) or not path.is_file():
            raise web.HTTPNotFound()
        if self.clock() >= record.expires:
            raise _Expired()
        return record, path

    async def photo_page(self, request: web.Request) -> web.Response:
        try:
            record, path = self._lookup(request)
        except _Expired:
            return self._expired(request)
        texts = self.texts(request)
        event = self.config.event
        title = texts.get("web_title", event=event.name)
        photo_url = f"/p/{record.token}/photo.jpg"
        taken_at = format_time(record.created, texts.language)
        expires = format_time(record.expires, texts.language)
        taken_by = texts.get("web_taken_by", operator=event.operator, event=event.name)
        escape = html.escape
        body = "".join(
            [
                f"<h1>{escape(title)}</h1>",
                f'<img src="{photo_url}" alt="{escape(texts.get("web_photo_alt"))}">',
                f'<a class="download" href="{photo_url}" download>',
                f"{escape(texts.get('web_download'))}</a>",
                f"<p>{escape(taken_by)}</p>",
                f"<p>{escape(texts.get('web_taken_at', time=taken_at))}</p>",
                f'<p class="small">{escape(texts.get("web_expires", time=expires))}</p>',
                f'<p class="small">{escape(texts.get("web_original"))}</p>',
            ]
        )
        signer = self._signer_of(path)
        if signer is not None:
            body += f'<p class="credentials">{escape(texts.get("web_credentials", signer=signer))}'
            body += f'</p><p class="small">{escape(texts.get("web_credentials_how"))}</p>'

        return web.Response(
            text=_page(texts.language, title, body),
            content_type="text/html",
            headers={"Cache-Control": "private, no-cache"},
        )

    async def photo_file(self, request: web.Request) -> web.StreamResponse:
        try:
            record, path = self._lookup(request)
        except _Expired:
            return self._expired(request)
        name = download_name(self.config.event.name, record.created)
        range_header = request.headers.get("Range", "")
        if request.method == "GET" and (not range_header or range_header.startswith("bytes=0-")):
            self.index.count_download(record.token)
        return web.FileResponse(
            path,
            headers={
                "Content-Type": "image/jpeg",
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "private, max-age=3600",
            },
        )

    def _signer_of(self, path: Path) -> str | None:
        """Who signed the photo's Content Credentials, if they check out (cached per file)."""
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in self._signers:
            if len(self._signers) > 256:
                self._signers.clear()
            verdict = verify(path.read_bytes())
            ok = verdict.state in ("Valid", "Trusted") and verdict.captured_by_camera
            self._signers[key] = (verdict.signer or "?") if ok else None
        return self._signers[key]

    def _expired(self, request: web.Request) -> web.Response:
        return self._message(request, 410, "web_expired_title", "web_expired_body")

    async def stylesheet(self, request: web.Request) -> web.Response:
        return web.Response(
            text=STYLESHEET, content_type="text/css", headers={"Cache-Control": "max-age=86400"}
        )

    async def no_icon(self, request: web.Request) -> web.Response:
        # Browsers ask for it on every page; an empty answer keeps their consoles clean.
        return web.Response(status=204, headers={"Cache-Control": "max-age=86400"})

    async def health(self, request: web.Request) -> web.Response:
        since = self.clock() - 86400
        try:
            photos, downloads = self.index.totals_since(since)
        except Exception as error:  # any index failure is what the operator must see here
            return web.json_response({"status": "error", "error": str(error)}, status=503)
        return web.json_response(
            {
                "status": "ok",
                "version": __version__,
                "photos_24h": photos,
                "downloads_24h": downloads,
                "free_mb": round(free_megabytes(self.storage_dir)),
            },
            headers={"Cache-Control": "no-store"},
        )

    # -- housekeeping --

    async def _stop(self, app: web.Application) -> None:
        self.index.close()


class _Expired(Exception):
    pass


async def start_server(server: DownloadServer, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Start serving on ``host:port`` (0: any free port); returns the runner and the port."""
    runner = web.AppRunner(
        server.application(),
        max_line_size=MAX_HEADER_LINE,
        max_field_size=MAX_HEADER_LINE,
        max_headers=MAX_HEADERS,
        access_log=None,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
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
