"""Soak: many visits through the real booth loop while phones download and hostile clients
misbehave, watching memory, file descriptors, crashes and whether every photo comes back whole.

The booth (this process) runs the real BoothLoop with the image camera, signing on, on a clock
that jumps a quarter of a second per frame, so a visit takes a few dozen frames and no waiting.
The real download server (`kiosk serve`) is its own process, as on the Pi. A third process plays
the network: 20 phones downloading the newest photos (each from its own loopback address) and a
few hostile clients holding idle connections, trickling half requests, sending garbage,
guessing tokens and opening more connections than one address may. All on loopback; every
count is bounded.

Figures: peak RSS growth after warm-up (booth and server, the larger), open file descriptors at
the end against the start (both processes), crashes, and photos that do not download byte for
byte identical to the file on disk at the end.

RSS swings by 15-20 MB within a few visits (a burst of frames and its JPEG come and go), so it is
sampled after every visit and growth is peak against peak: the highest RSS in the rest of the
run against the highest in the ``WARM_UP`` visits after warm-up. A leak shows as a rising peak.

Run: python bench/soak.py [--visits N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _server import free_port, wait_until_serving

from kiosk.processes import stop_process

VISITS = 1000
WARM_UP = 100
PHONES = 20
RSS_TARGET_MB = 10.0
FRAME = 0.25  # booth seconds per frame


# --- the network (a child process) --------------------------------------------------------------


async def network(base: str, tokens_file: Path, stop_file: Path) -> dict:
    import aiohttp

    stats = {"downloads": 0, "download_errors": 0, "refused": 0, "malformed": 0, "guesses": 0}
    host, port = "127.0.0.1", int(base.rsplit(":", 1)[1])

    def newest_tokens() -> list[str]:
        try:
            return tokens_file.read_text().split()[-50:]
        except OSError:
            return []

    async def phone(number: int) -> None:
        connector = aiohttp.TCPConnector(local_addr=(f"127.0.5.{number}", 0), limit=2)
        async with aiohttp.ClientSession(connector=connector) as session:
            while not stop_file.exists():
                tokens = newest_tokens()
                if not tokens:
                    await asyncio.sleep(0.2)
                    continue
                token = random.choice(tokens)
                try:
                    async with session.get(f"{base}/p/{token}") as page:
                        await page.read()
                    async with session.get(f"{base}/p/{token}/photo.jpg") as reply:
                        body = await reply.read()
                    whole = body[:2] == b"\xff\xd8" and body[-2:] == b"\xff\xd9"
                    if reply.status == 200 and whole:
                        stats["downloads"] += 1
                    else:
                        stats[f"download_status_{reply.status}"] = (
                            stats.get(f"download_status_{reply.status}", 0) + 1
                        )
                        stats["download_errors"] += 1
                except aiohttp.ClientError:
                    stats["download_errors"] += 1
                await asyncio.sleep(0.2)  # a person looks at the page before the next tap

    async def idle_holder(address: str, count: int) -> None:
        """Connections that never send a byte (closed by the server's idle timeout)."""
        while not stop_file.exists():
            held = []
            for _ in range(count):
                with contextlib.suppress(OSError):
                    held.append(await asyncio.open_connection(host, port, local_addr=(address, 0)))
            await asyncio.sleep(1.0)
            for _, writer in held:
                writer.close()

    async def slow_loris(address: str) -> None:
        while not stop_file.exists():
            try:
                _, writer = await asyncio.open_connection(host, port, local_addr=(address, 0))
                for byte in b"GET /share.css HTTP/1.1\r\nHost: booth\r\nX-Slow: ":
                    writer.write(bytes([byte]))
                    await writer.drain()
                    await asyncio.sleep(0.3)
                    if stop_file.exists():
                        break
                writer.close()
            except OSError:
                await asyncio.sleep(0.2)

    async def garbage(address: str) -> None:
        requests = [b"GE\x01T / HTTP/1.1\r\n\r\n", b"\x16\x03\x01\x00\x00", b"GET / HTTP/7\r\n\r\n"]
        while not stop_file.exists():
            try:
                reader, writer = await asyncio.open_connection(host, port, local_addr=(address, 0))
                writer.write(random.choice(requests))
                await reader.read()
                writer.close()
                stats["malformed"] += 1
            except OSError:
                pass
            await asyncio.sleep(0.05)

    async def guesser(address: str) -> None:
        connector = aiohttp.TCPConnector(local_addr=(address, 0), limit=1)
        async with aiohttp.ClientSession(connector=connector) as session:
            while not stop_file.exists():
                token = "".join(random.choices("ABCDEFabcdef0123456789", k=22))
                try:
                    async with session.get(f"{base}/p/{token}") as reply:
                        await reply.read()
                    stats["guesses"] += 1
                except aiohttp.ClientError:
                    pass

    async def crowd(address: str) -> None:
        """More connections at once than one address may have."""
        while not stop_file.exists():
            opened = []
            for _ in range(40):
                with contextlib.suppress(OSError):
                    opened.append(
                        await asyncio.open_connection(host, port, local_addr=(address, 0))
                    )
            for reader, writer in opened:
                try:
                    if (await asyncio.wait_for(reader.read(12), 0.2)).startswith(b"HTTP/1.1 503"):
                        stats["refused"] += 1
                except (TimeoutError, OSError):
                    pass
                writer.close()
            await asyncio.sleep(1.0)

    await asyncio.gather(
        *(phone(n) for n in range(1, PHONES + 1)),
        idle_holder("127.0.9.1", 20),
        idle_holder("127.0.9.2", 20),
        slow_loris("127.0.9.3"),
        slow_loris("127.0.9.4"),
        garbage("127.0.9.5"),
        guesser("127.0.9.6"),
        crowd("127.0.9.7"),
    )
    return stats


# --- the booth ----------------------------------------------------------------------------------


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_fds(pid: int | str = "self") -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class Crashes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "unexpected error" in record.getMessage():
            self.count += 1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=VISITS)
    parser.add_argument("--network", nargs=3, metavar=("BASE", "TOKENS", "STOP"))
    args = parser.parse_args()
    if args.network:
        base, tokens, stop = args.network
        print(json.dumps(asyncio.run(network(base, Path(tokens), Path(stop)))))
        return 0
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    with tempfile.TemporaryDirectory() as folder:
        return soak(Path(folder), args.visits)


def soak(folder: Path, visits: int) -> int:
    from kiosk.config import load_config
    from kiosk.photos.credentials import init_keys

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config_file = folder / "kiosk.toml"
    config_file.write_text(
        f'[storage]\ndir = "{folder / "booth"}"\n'
        f'[share]\nhost = "127.0.0.1"\nport = {port}\nbase_url = "{base}"\n'
        "[display]\nfullscreen = false\nkiosk_mode = false\nsize = [640, 480]\n"
        "[camera]\nsensor_size = [1600, 1200]\n[photo]\nburst_count = 2\n"
        "[guidance]\nenabled = false\n[buttons]\nenabled = false\n"
    )
    config = load_config(config_file)
    init_keys(config.storage.layout.keys_dir, "soak")
    booth = Booth(config)  # opens the index first, so the server's connection to it counts
    server = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config_file), "serve"],
        stderr=subprocess.DEVNULL,
    )
    tokens_file, stop_file = folder / "tokens.txt", folder / "stop"
    load = None
    try:
        wait_until_serving(base)
        time.sleep(0.5)  # the check's own connection closes
        server_fds_start = open_fds(server.pid)
        # Its report goes to a file: a pipe would be one more descriptor of this process.
        with (folder / "network.json").open("w") as report:
            load = subprocess.Popen(
                [sys.executable, __file__, "--network", base, str(tokens_file), str(stop_file)],
                stdout=report,
            )
        started = time.monotonic()
        crashed = booth.run(visits, tokens_file, server)
        booth_seconds = time.monotonic() - started
        stop_file.touch()
        load.wait(timeout=60)
        network_stats = json.loads((folder / "network.json").read_text() or "{}")
        booth.settle()
        server_alive = server.poll() is None
        not_downloadable = check_downloads(config, base, booth.tokens)
        # The network's connections end within the server's idle timeout.
        deadline = time.monotonic() + 20
        while open_fds(server.pid) > server_fds_start and time.monotonic() < deadline:
            time.sleep(0.5)
        server_fds_end = open_fds(server.pid)
        booth.settle()
        booth_fds_end = open_fds()
    finally:
        stop_file.touch()
        if load is not None and load.poll() is None:
            load.kill()
        stop_process(server, 10)
        booth.close()

    crash_count = booth.crashes.count + crashed + (not server_alive)
    booth_peak = max((s[0] for s in booth.samples), default=booth.rss_start) - booth.rss_start
    server_start = booth.server_rss_start
    server_peak = max((s[1] for s in booth.samples), default=server_start) - server_start
    print(f"visits: {len(booth.tokens)} photos in {booth_seconds:.0f} s of wall time")
    print(f"network: {json.dumps(network_stats)}")
    print(
        f"peak RSS after warm-up: booth {booth.rss_start:.1f} MB (later +{booth_peak:.1f}), "
        f"server {server_start:.1f} MB (later +{server_peak:.1f})"
    )
    print(
        f"open fds: booth {booth.fds_start} -> {booth_fds_end}, "
        f"server {server_fds_start} -> {server_fds_end}"
    )
    fd_change = (booth_fds_end - booth.fds_start) + (server_fds_end - server_fds_start)
    figures = [
        ("soak_peak_rss_growth_mb", max(booth_peak, server_peak), "<=", RSS_TARGET_MB),
        ("soak_open_fds_change", fd_change, "==", 0),
        ("soak_crashes", crash_count, "==", 0),
        ("soak_photos_not_downloadable", not_downloadable, "==", 0),
    ]
    for name, value, operator, target in figures:
        met = value <= target if operator == "<=" else value == target
        print(f"figure {name} {value:.1f} target {operator}{target} {'ok' if met else 'MISS'}")
    return 0


class Booth:
    """The real booth loop with the image camera, driven frame by frame on a fast clock."""

    def __init__(self, config) -> None:
        import pygame

        from kiosk.booth.loop import BoothLoop, InlineExecutor
        from kiosk.booth.visit_log import VisitLog
        from kiosk.camera.image_camera import demo_camera
        from kiosk.photos.credentials import load_signer
        from kiosk.photos.journal import PhotoJournal
        from kiosk.photos.repair import open_booth_index
        from kiosk.photos.store import Authorship, PhotoStore

        storage = config.storage
        self.config = config
        self.crashes = Crashes()
        logging.getLogger("kiosk").addHandler(self.crashes)
        journal = PhotoJournal(storage.layout.journal_path)
        storage.layout.photos_dir.mkdir(parents=True, exist_ok=True)
        index, _ = open_booth_index(storage.layout, journal)
        store = PhotoStore(
            storage.layout,
            index,
            lambda: config.share.base_url,
            config.share.link_ttl,
            Authorship("Soak", "Echtbild", "© Echtbild"),
            config.photo.jpeg_quality,
            load_signer(config),
            "soak",
            journal,
        )
        pygame.display.init()
        pygame.font.init()
        surface = pygame.display.set_mode(config.display.size)
        camera = demo_camera(config, None)
        self.app = BoothLoop(
            config,
            camera,
            surface,
            store,
            VisitLog(storage.layout.visits_path),
            capture_worker=InlineExecutor(),  # the soak's clock runs ahead of real time
        )
        self.now = 0.0
        self.tokens: list[str] = []
        self.samples: list[tuple[float, float]] = []
        self.fds_start = 0
        self.rss_start = self.server_rss_start = 0.0

    def frames(self, count: int) -> None:
        for _ in range(count):
            self.now += FRAME
            self.app.step(self.now)

    def press(self) -> None:
        from kiosk.booth.events import MainButton

        self.app.post(MainButton())
        self.frames(1)

    def visit(self, tokens_file: Path) -> None:
        from kiosk.booth.machine import Phase

        self.frames(2)
        self.press()  # framing
        self.frames(2)
        self.press()  # countdown
        self.frames(round((self.config.timing.countdown + 0.5) / FRAME))
        if self.app.machine.phase is not Phase.REVIEW:
            self.frames(4)
        self.press()  # share
        photo = self.app.machine.photo
        if photo is not None:
            self.tokens.append(photo.token)
            with tokens_file.open("a") as file:
                file.write(photo.token + "\n")
        # The share screen ignores presses for its first seconds.
        self.frames(round((self.config.timing.share_guard + 0.2) / FRAME))
        self.press()  # done
        self.frames(2)

    def run(self, visits: int, tokens_file: Path, server: subprocess.Popen) -> bool:
        """The visits; True if the loop crashed."""
        from kiosk.progress import Progress

        self.app.start(self.now)
        progress = Progress("soak", visits, "visits")
        try:
            for number in range(1, visits + 1):
                self.visit(tokens_file)
                progress.advance()
                if number == WARM_UP:
                    self.settle()
                    self.fds_start = open_fds()
                sample = (rss_mb(), rss_mb(server.pid))
                if WARM_UP < number <= 2 * WARM_UP:
                    self.rss_start = max(self.rss_start, sample[0])
                    self.server_rss_start = max(self.server_rss_start, sample[1])
                elif number > 2 * WARM_UP:
                    self.samples.append(sample)
                if server.poll() is not None:
                    return False
        except Exception:
            logging.exception("the booth loop crashed")
            return True
        return False

    def settle(self) -> None:
        """Let signing and the worker's housekeeping finish, so no file is open in passing."""
        self.app.store.finish_signing()
        for _ in range(2):
            self.app._worker.submit(lambda: None).result()

    def close(self) -> None:
        import pygame

        self.app.close()
        pygame.quit()


def check_downloads(config, base: str, tokens: list[str]) -> int:
    """Photos that do not download byte for byte as on disk, from many addresses (the limiter
    allows each 20 requests a second)."""
    from kiosk.photos.index import PhotoIndex

    storage = config.storage
    failed = 0
    index = PhotoIndex(storage.layout.index_path, read_only=True)
    for number, token in enumerate(tokens):
        record = index.get(token)
        expected = (storage.dir / record.file).read_bytes() if record else b"<no record>"
        opener = urllib.request.build_opener(_SourceHandler(f"127.0.7.{number % 200 + 1}"))
        try:
            with opener.open(f"{base}/p/{token}/photo.jpg", timeout=10) as reply:
                body = reply.read()
        except OSError:
            body = b""
        failed += body != expected
    index.close()
    return failed


class _SourceHandler(urllib.request.HTTPHandler):
    """Connects from a given loopback address, as one of many phones."""

    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, request):
        import http.client

        address = self.address

        class Connection(http.client.HTTPConnection):
            def __init__(self, *args, **kwargs):
                kwargs["source_address"] = (address, 0)
                super().__init__(*args, **kwargs)

        return self.do_open(Connection, request)


if __name__ == "__main__":
    sys.exit(main())
