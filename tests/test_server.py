"""The download server over real loopback HTTP, fed by photos the real booth loop took."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import numpy as np
import pytest
from conftest import FIXED_TIME
from helpers import advance, decode_qr, eventually, full_visit, screenshots
from PIL import Image

from kiosk.cli import main
from kiosk.config import Config
from kiosk.photos.index import PhotoIndex
from kiosk.photos.journal import PhotoJournal
from kiosk.photos.retention import purge
from kiosk.share.guard import GuessGuard, RateLimiter
from kiosk.share.page import choose_language, download_name
from kiosk.share.server import (
    MAX_HEADER_LINE,
    MAX_HEADERS,
    SECURITY_HEADERS,
    DownloadServer,
    start_server,
)
from kiosk.share.state import downloads_since


@dataclass
class RunningServer:
    """The real server on 127.0.0.1 in a thread of its own, with a clock the test moves."""

    config: Config
    now: float = field(default_factory=time.time)
    delays: list[float] = field(default_factory=list)
    port: int = 0
    tune: Callable[[DownloadServer], None] | None = None

    def __post_init__(self) -> None:
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(10), "server did not start"

    async def _record_delay(self, seconds: float) -> None:
        self.delays.append(seconds)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = DownloadServer(self.config, clock=lambda: self.now, sleep=self._record_delay)
        if self.tune is not None:
            self.tune(server)
        self.server = server
        self.runner, self.port = self._loop.run_until_complete(start_server(server, "127.0.0.1", 0))
        self._ready.set()
        self._loop.run_forever()

    def request(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One request with the path sent exactly as written (no client-side normalising)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, response.headers, body

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture
def server(config: Config) -> Iterator[RunningServer]:
    running = RunningServer(config)
    yield running
    running.stop()


@pytest.fixture
def shared(make_app, config: Config, server: RunningServer):
    """A photo taken by a whole visit, its share URL read back from the share screen's QR."""
    server.now = FIXED_TIME.timestamp() + 60  # a minute after the photo was taken
    share = config.share.model_copy(update={"base_url": f"http://127.0.0.1:{server.port}"})
    app = make_app(config.model_copy(update={"share": share}))
    full_visit(app)
    [url] = decode_qr(screenshots(app)["share"])
    photo = app.machine.photo
    assert photo is not None and url == photo.url
    return url.removeprefix(f"http://127.0.0.1:{server.port}"), Path(photo.path), photo.token


def test_qr_link_leads_to_a_page_and_the_original_bytes(server, shared, config) -> None:
    path, file, token = shared
    status, headers, body = server.request(path)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert "Sommerfest 2026" in page and "Fotoclub Müller" in page
    assert f'href="/p/{token}/photo.jpg" download' in page
    assert "Foto herunterladen" in page
    assert "<script" not in page and "http" not in page.split("<body>")[1]

    status, headers, photo = server.request(f"{path}/photo.jpg")
    assert status == 200
    assert photo == file.read_bytes()
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Content-Disposition"].startswith('attachment; filename="sommerfest-2026-2026')
    assert headers["Cache-Control"].startswith("private")
    assert headers["ETag"]
    # Counted once the server has finished sending, which may be just after the client read it.
    assert eventually(lambda: downloads_since(config.storage.layout.share_state_dir, 0) == 1)


def test_head_range_and_etag_work(server, shared) -> None:
    path, file, _ = shared
    original = file.read_bytes()
    status, headers, body = server.request(f"{path}/photo.jpg", method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) == len(original)
    status, headers, body = server.request(f"{path}/photo.jpg", headers={"Range": "bytes=100-199"})
    assert status == 206
    assert body == original[100:200]
    assert headers["Content-Range"] == f"bytes 100-199/{len(original)}"
    etag = server.request(f"{path}/photo.jpg")[1]["ETag"]
    status, _, body = server.request(f"{path}/photo.jpg", headers={"If-None-Match": etag})
    assert status == 304 and body == b""


def test_every_response_carries_the_security_headers(server, shared) -> None:
    path, _, _ = shared
    for target in (path, f"{path}/photo.jpg", "/share.css", "/healthz", "/p/nothing", "/"):
        _, headers, _ = server.request(target)
        for name, value in SECURITY_HEADERS.items():
            assert headers.get(name) == value, (target, name)
    assert "script-src" not in SECURITY_HEADERS["Content-Security-Policy"]  # default 'none'


def test_expired_link_is_a_kind_410(server, shared, config) -> None:
    path, _, _ = shared
    server.now += config.share.link_ttl + 1
    for target in (path, f"{path}/photo.jpg"):
        status, headers, body = server.request(target)
        assert status == 410
        assert "abgelaufen" in body.decode()
        assert headers["Cache-Control"] == "no-store"


def test_page_speaks_the_phones_language(server, shared) -> None:
    path, _, _ = shared
    _, _, body = server.request(path, headers={"Accept-Language": "en-GB,en;q=0.9,de;q=0.5"})
    assert "Download photo" in body.decode()
    _, _, body = server.request(path, headers={"Accept-Language": "fr-FR, de;q=0.3"})
    assert "Foto herunterladen" in body.decode()


def test_healthz_reports_for_the_operator(server, shared) -> None:
    path, _, _ = shared
    server.request(f"{path}/photo.jpg")
    # Counted once the phone has acknowledged the last byte, just after the client has it.
    assert eventually(lambda: json.loads(server.request("/healthz")[2])["downloads_24h"] == 1)
    status, _, body = server.request("/healthz")
    report = json.loads(body)
    assert status == 200
    assert report["status"] == "ok"
    assert report["photos_24h"] == 1 and report["downloads_24h"] == 1
    assert report["free_mb"] > 0


def attack_paths(token: str, deleted: str) -> list[str]:
    return [
        "/p/../index.sqlite3",
        "/p/../index/photos.sqlite3",
        "/index/photos.sqlite3",
        "/p/%2e%2e/index.sqlite3",
        "/p/%2e%2e%2findex.sqlite3",
        "/p/..%2f..%2f..%2fetc%2fpasswd",
        "/p/%252e%252e%252findex.sqlite3",
        "/p/..%5cindex.sqlite3",
        f"/p/{token}%00",
        f"/p/{token}%00/photo.jpg",
        f"/p/{token}/photo.jpg%00.png",
        f"/p/{token}/photo.jpg/",
        f"/p/{token}/../../index.sqlite3",
        f"/p/{token}/..%2f..%2findex.sqlite3",
        f"/p/{token[:-1]}",
        f"/p/{token}A",
        f"/p/{token * 12}",
        f"/p/%C3%A4{token[1:]}",
        "/p/%EF%BC%8E%EF%BC%8E%EF%BC%8Findex.sqlite3",
        f"/p/{token[:10]}*{token[11:]}",
        f"/P/{token}",
        f"/p/{deleted}",
        f"/p/{deleted}/photo.jpg",
        "/p/",
        "/p//photo.jpg",
        "/photos/",
        "/index.sqlite3",
        "/",
    ]


def test_traversal_and_malformed_tokens_all_get_the_same_404(server, shared, config) -> None:
    path, file, token = shared
    _, _, reference = server.request(f"/p/{'Q' * 22}")
    secrets = [config.storage.layout.index_path.read_bytes()[:64], b"root:", file.read_bytes()[:64]]
    never_issued = "Z" * 22
    for target in attack_paths(token, never_issued):
        status, _, body = server.request(target)
        assert status == 404, target
        assert body == reference, target
        assert not any(secret in body for secret in secrets), target
    # A link deleted (retake, purge) looks exactly like one that never was.
    assert server.request(path)[0] == 200
    PhotoIndex(config.storage.layout.index_path).remove(token)
    PhotoJournal(config.storage.layout.journal_path).remove(token)
    for target in (path, f"{path}/photo.jpg"):
        assert server.request(target)[:3:2] == (404, reference)


def test_repeated_misses_are_slowed_down(server) -> None:
    for _ in range(14):
        assert server.request(f"/p/{'Q' * 22}")[0] == 404
    assert server.delays == [0.25, 0.5, 1.0, 2.0]


def test_floods_are_refused_with_429(server) -> None:
    statuses = [server.request("/share.css")[0] for _ in range(80)]
    assert statuses.count(200) >= 60
    assert 429 in statuses


def test_oversized_headers_are_refused(server, shared) -> None:
    path, _, _ = shared
    status, _, _ = server.request(path, headers={"X-Fill": "a" * (MAX_HEADER_LINE + 10)})
    assert status in (400, 431)
    status, _, _ = server.request(path, headers={f"X-{n}": "1" for n in range(MAX_HEADERS + 5)})
    assert status in (400, 431)


def test_fifty_concurrent_downloads_are_complete_and_identical(server, shared) -> None:
    path, file, _ = shared
    expected = hashlib.sha256(file.read_bytes()).hexdigest()

    async def download_all() -> list[str]:
        async def one(phone: int) -> str:
            # Each phone from an address of its own, as on the event Wi-Fi (127.0.0.0/8).
            connector = aiohttp.TCPConnector(local_addr=(f"127.0.1.{phone}", 0))
            url = f"http://127.0.0.1:{server.port}{path}/photo.jpg"
            async with (
                aiohttp.ClientSession(connector=connector) as session,
                session.get(url) as reply,
            ):
                assert reply.status == 200
                return hashlib.sha256(await reply.read()).hexdigest()

        return await asyncio.gather(*(one(phone) for phone in range(1, 51)))

    digests = asyncio.run(download_all())
    assert digests == [expected] * 50


def test_purge_deletes_old_photos_with_their_links(make_app, config) -> None:
    app = make_app()
    full_visit(app)
    photo = app.machine.photo
    assert photo is not None
    index = PhotoIndex(config.storage.layout.index_path)
    record = index.get(photo.token)
    assert record is not None
    retention = config.storage.retention

    kept = purge(index, config.storage.layout, record.created + retention - 1, retention)
    assert (kept.records, kept.files) == (0, 0)
    assert Path(photo.path).exists(), "a photo within its retention stays"

    gone = purge(index, config.storage.layout, record.created + retention + 1, retention)
    assert (gone.records, gone.files) == (1, 1)
    assert index.get(photo.token) is None
    assert not Path(photo.path).exists()
    assert not any(config.storage.layout.photos_dir.iterdir()), "empty day folders go too"


def test_kiosk_purge_removes_old_files_no_record_names(config, tmp_path, capsys) -> None:
    orphan = config.storage.layout.photos_dir / "2020-01-01" / "echtbild-orphan.jpg"
    recent = config.storage.layout.photos_dir / "2026-11-29" / "echtbild-being-written.jpg"
    for path in (orphan, recent):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x")
    os.utime(orphan, (0, 0))
    config_file = tmp_path / "purge.toml"
    config_file.write_text(f'[storage]\ndir = "{config.storage.dir}"\n')
    assert main(["--config", str(config_file), "purge"]) == 0
    assert "deleted 0 links and 1 photo file" in capsys.readouterr().out
    assert not orphan.exists() and not orphan.parent.exists()
    assert recent.exists()


def test_language_choice() -> None:
    assert choose_language("en-US,en;q=0.9", "de") == "en"
    assert choose_language("fr, en;q=0.2, de;q=0.8", "en") == "de"
    assert choose_language(None, "de") == "de"
    assert choose_language("de;q=abc, en", "de") == "en"


def test_download_name_is_readable_ascii() -> None:
    name = download_name("Straßenfest Köln!", 1_700_000_000)
    assert name.startswith("strassenfest-koln-") or name.startswith("straenfest-koln-")
    assert name.endswith(".jpg") and name.isascii()


def test_guards_are_pure_functions_of_time() -> None:
    guard = GuessGuard(free=2, window=10, first_delay=1, max_delay=3)
    assert [guard.miss("a", t) for t in (0, 1, 2, 3, 4)] == [0, 0, 1, 2, 3]
    assert guard.miss("a", 100) == 0, "misses expire after the window"
    assert guard.miss("b", 4) == 0, "addresses are counted apart"
    limiter = RateLimiter(rate=1, burst=2)
    assert [limiter.allow("a", 0) for _ in range(3)] == [True, True, False]
    assert limiter.allow("a", 1.0)


CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def phone_browser(tmp_path: Path):
    """Headless Chromium at a phone's size (Debian's chromium and chromium-driver)."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "de-DE,de"})
    options.add_experimental_option(
        "mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2.0}}
    )
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    yield driver
    driver.quit()


def test_share_page_on_a_phone_shows_the_photo_and_the_download_button(
    server, shared, phone_browser, tmp_path
) -> None:
    from selenium.webdriver.common.by import By

    path, _, _ = shared
    phone_browser.get(f"http://127.0.0.1:{server.port}{path}")
    image = phone_browser.find_element(By.TAG_NAME, "img")
    loaded = phone_browser.execute_script(
        "const i = arguments[0]; return [i.complete, i.naturalWidth, i.naturalHeight];", image
    )
    assert loaded == [True, 2074, 2592]
    button = phone_browser.find_element(By.CSS_SELECTOR, "a.download")
    assert button.text == "Foto herunterladen"
    phone_browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    assert button.is_displayed()
    viewport = phone_browser.execute_script("return [window.innerWidth, window.innerHeight]")
    assert viewport == [390, 844]
    box = phone_browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.width, r.height]",
        button,
    )
    assert box[0] >= 0 and box[1] >= 0 and box[0] + box[2] <= 390 and box[1] + box[3] <= 844
    assert box[3] >= 44, "a thumb-sized target"
    screenshot = tmp_path / "share-page.png"
    assert phone_browser.save_screenshot(str(screenshot))
    pixels = np.asarray(Image.open(screenshot).convert("RGB")).astype(int)
    scale = pixels.shape[1] / 390
    middle = pixels[round((box[1] + box[3] / 2) * scale), round((box[0] + 8) * scale)]
    assert np.abs(middle - (0xF2, 0xAA, 0x4C)).sum() < 30, "the button is drawn in the accent"
    messages = phone_browser.get_log("browser") if "browser" in phone_browser.log_types else []
    assert not [m for m in messages if m["level"] == "SEVERE"], messages


def test_share_page_shows_the_content_credentials_of_a_signed_photo(
    make_app, config, server
) -> None:
    from kiosk.photos.credentials import init_keys, load_signer

    init_keys(config.storage.layout.keys_dir, "booth-7")
    server.now = FIXED_TIME.timestamp() + 60
    share = config.share.model_copy(update={"base_url": f"http://127.0.0.1:{server.port}"})
    app = make_app(config.model_copy(update={"share": share}), signer=load_signer(config))
    full_visit(app)
    app.store.finish_signing()
    path = app.machine.photo.url.removeprefix(f"http://127.0.0.1:{server.port}")
    _, _, body = server.request(path, headers={"Accept-Language": "en"})
    page = body.decode()
    assert "Content Credentials: captured by a camera and signed by" in page
    # The operator signs, not the machine: its key's name stays out of the guest's page.
    assert "signed by Fotoclub Müller’s booth" in page and "booth-7" not in page


CONTRAST_SCRIPT = """
const parse = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
const ground = (element) => {
  for (let e = element; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
  }
  return [255, 255, 255];
};
const opacity = (element) => {
  let share = 1;
  for (let e = element; e; e = e.parentElement) share *= Number(getComputedStyle(e).opacity);
  return share;
};
document.querySelectorAll("details").forEach((d) => { d.open = true; });
return [...document.querySelectorAll("h1, p, li, a, button, summary")]
  .filter((e) => e.innerText.trim() && e.getClientRects().length)
  .map((e) => [e.tagName + ": " + e.innerText.trim().slice(0, 40),
               parse(getComputedStyle(e).color).slice(0, 3), ground(e), opacity(e)]);
"""


def wcag_contrast(first, second) -> float:
    def luminance(colour) -> float:
        c = [v / 255 for v in colour]
        c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    a, b = luminance(first), luminance(second)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def test_every_text_and_control_on_the_phone_page_has_contrast(
    server, shared, phone_browser
) -> None:
    """WCAG AA: 4.5:1 for every text and control, as Chromium draws the page (the delete
    button inside its opened section too)."""
    path, _, _ = shared
    phone_browser.get(f"http://127.0.0.1:{server.port}{path}")
    seen = phone_browser.execute_script(CONTRAST_SCRIPT)
    assert any(name.startswith("BUTTON") for name, *_ in seen), seen
    for name, colour, ground, opacity in seen:
        shown = [c * opacity + g * (1 - opacity) for c, g in zip(colour, ground, strict=True)]
        assert wcag_contrast(shown, ground) >= 4.5, f"{name}: {shown} on {ground}"
    text = phone_browser.find_element("tag name", "main").text
    assert "Uhr" in text, "times carry their zone"
    assert text.count("Fotografiert") + text.count("Aufgenommen") <= 2


def test_share_page_of_an_unsigned_photo_claims_nothing(server, shared) -> None:
    path, _, _ = shared
    _, _, body = server.request(path, headers={"Accept-Language": "en"})
    assert "Content Credentials" not in body.decode()


def test_delete_my_photo_on_a_phone_removes_it_from_disk_and_index(
    make_app, config, phone_browser, tmp_path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.wait import WebDriverWait

    logo = tmp_path / "logo.png"
    Image.new("RGB", (240, 80), (30, 120, 200)).save(logo)
    branding = config.branding.model_copy(
        update={"background": "#ffffff", "foreground": "#102030", "accent": "#2e7d32", "logo": logo}
    )
    config = config.model_copy(update={"branding": branding})
    server = RunningServer(config)
    try:
        server.now = FIXED_TIME.timestamp() + 60
        share = config.share.model_copy(update={"base_url": f"http://127.0.0.1:{server.port}"})
        app = make_app(config.model_copy(update={"share": share}))
        full_visit(app)
        photo = app.machine.photo
        page_url = photo.url
        phone_browser.get(page_url)
        assert "<script" not in phone_browser.page_source
        shown = phone_browser.execute_script(
            "return [...document.images].map(i => [i.className, i.complete, i.naturalWidth])"
        )
        assert shown == [["logo", True, 240], ["", True, 2074]]
        text = phone_browser.find_element(By.TAG_NAME, "main").text
        assert "In Fotos sichern" in text and "Android" in text
        background = phone_browser.execute_script(
            "return getComputedStyle(document.body).backgroundColor"
        )
        assert background == "rgb(255, 255, 255)", "the event's colours"
        confirm = phone_browser.find_element(By.CSS_SELECTOR, "details.delete button")
        assert not confirm.is_displayed(), "a confirmation step first"
        summary = phone_browser.find_element(By.CSS_SELECTOR, "details.delete summary")
        assert summary.text == "Mein Foto jetzt löschen"
        phone_browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
        summary.click()
        assert confirm.is_displayed()
        phone_browser.save_screenshot(str(tmp_path / "delete-confirm.png"))
        confirm.click()
        WebDriverWait(phone_browser, 10).until(staleness_of(confirm))  # the next page loaded
        heading = phone_browser.find_element(By.TAG_NAME, "h1").text
        assert heading == "Foto gelöscht"
        assert phone_browser.current_url == page_url
        messages = phone_browser.get_log("browser") if "browser" in phone_browser.log_types else []
        assert not [m for m in messages if "Content Security Policy" in m["message"]], messages

        path = page_url.removeprefix(f"http://127.0.0.1:{server.port}")
        for target in (path, f"{path}/photo.jpg", f"{path}/view.jpg"):
            status, _, body = server.request(target)
            assert status == 410 and "auf deinen Wunsch gelöscht" in body.decode(), target
        # The booth's housekeeping carries it out within a minute, in whatever phase.
        assert Path(photo.path).exists()
        advance(app, 100.0, 25.0)
        app._worker.submit(lambda: None).result()  # the deletion job ran before this one
        assert eventually(lambda: not Path(photo.path).exists())
        assert PhotoIndex(config.storage.layout.index_path).get(photo.token) is None
        assert photo.token not in PhotoJournal(config.storage.layout.journal_path).replay().live
        assert server.request(path)[0] == 410
    finally:
        server.stop()


def test_a_delete_without_the_pages_form_token_is_refused(server, shared, config) -> None:
    path, file, _ = shared
    for form in ("", "form=0123456789abcdef0123456789abcdef"):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request(
            "POST",
            f"{path}/delete",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        assert response.status == 403
        response.read()
        connection.close()
    assert server.request(path)[0] == 200
    assert file.exists()
