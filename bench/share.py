"""Downloads under load, and what they do to the booth's preview.

The real download server (`kiosk serve`, its own process) serves a 4 MB JPEG to 50 concurrent
clients for 10 s; each client has its own loopback address, like 50 phones. Meanwhile this process
runs the booth's framing screen at 30 frames a second and times each frame's work. The same
screen is timed without load before and after, in the same run.

As on the booth, the server runs at lower CPU priority than the UI (nice 10, see
systemd/echtbild-share.service). The load generator stands in for phones, which do not run on the
Pi, so it runs at the lowest priority (nice 19).

Run: python bench/share.py
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _framing import frame_times, framing_screen
from _server import free_port, wait_until_serving

from kiosk.processes import stop_process

CLIENTS = 50
LOAD_SECONDS = 10.0
QUIET_SECONDS = 5.0
PHOTO_BYTES = 4_000_000
TARGET = 1.10
# Far above what a Pi's Wi-Fi carries; every phone gets its photo within seconds.
THROUGHPUT_TARGET = 50
P50_TARGET_MS = 2000
P99_TARGET_MS = 5000
# As the systemd units place them on the Pi: the UI on its own core, the server on another.
UI_CPUS = {0}
SERVER_CPUS = {(os.cpu_count() or 2) - 1}


# --- the load generator (a child process) -----------------------------------------------------


async def load(url: str, size: int, seconds: float) -> dict:
    import aiohttp

    latencies: list[float] = []
    received = 0
    errors = 0
    deadline = time.monotonic() + seconds

    async def phone(number: int) -> None:
        nonlocal received, errors
        address = f"127.0.0.{2 + number}"
        connector = aiohttp.TCPConnector(local_addr=(address, 0), limit=1)
        async with aiohttp.ClientSession(connector=connector) as session:
            while time.monotonic() < deadline:
                start = time.monotonic()
                try:
                    async with session.get(url) as reply:
                        length = 0
                        async for chunk in reply.content.iter_chunked(1 << 20):
                            length += len(chunk)
                        if reply.status != 200 or length != size:
                            errors += 1
                            continue
                except aiohttp.ClientError:
                    errors += 1
                    continue
                latencies.append(time.monotonic() - start)
                received += length

    started = time.monotonic()
    await asyncio.gather(*(phone(number) for number in range(CLIENTS)))
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "downloads": len(latencies),
        "errors": errors,
        "megabytes_per_second": received / elapsed / 1e6,
        "p50": latencies[len(latencies) // 2] if latencies else None,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        if latencies
        else None,
    }


# --- the booth's side -------------------------------------------------------------------------


def make_photo(storage: Path) -> tuple[str, int]:
    """A real JPEG of about 4 MB, indexed like a booth photo; returns its token and size."""
    import numpy as np
    from PIL import Image

    from kiosk.config import parse_config
    from kiosk.files import write_atomically
    from kiosk.photos.index import PhotoIndex
    from kiosk.photos.store import new_token

    rng = np.random.default_rng(7)
    side = 1200
    while True:
        noise = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(noise).save(buffer, "JPEG", quality=92)
        if buffer.tell() >= PHOTO_BYTES:
            break
        side += 100
    write_atomically(storage / "photos" / "bench.jpg", buffer.getvalue())
    token = new_token()
    index = PhotoIndex(parse_config({"storage": {"dir": str(storage)}}).storage.layout.index_path)
    index.add(token, "photos/bench.jpg", time.time(), time.time() + 3600)
    index.close()
    return token, buffer.tell()


def _server_priority() -> None:
    os.nice(10)
    os.sched_setaffinity(0, SERVER_CPUS)


def main() -> int:
    if sys.argv[1:2] == ["--load"]:
        os.nice(19)
        os.sched_setaffinity(0, SERVER_CPUS)
        url, size = sys.argv[2], int(sys.argv[3])
        print(json.dumps(asyncio.run(load(url, size, LOAD_SECONDS))))
        return 0

    with tempfile.TemporaryDirectory() as folder:
        storage = Path(folder)
        token, size = make_photo(storage)
        port = free_port()
        config = storage / "kiosk.toml"
        config.write_text(
            f'[storage]\ndir = "{storage}"\n[share]\nhost = "127.0.0.1"\nport = {port}\n'
        )
        server = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "--config", str(config), "serve"],
            preexec_fn=_server_priority,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_serving(base)
            os.sched_setaffinity(0, UI_CPUS)
            frame = framing_screen((1280, 720)).draw
            frame_times(frame, 1.0)  # warm up
            quiet = frame_times(frame, QUIET_SECONDS)
            generator = subprocess.Popen(
                [sys.executable, __file__, "--load", f"{base}/p/{token}/photo.jpg", str(size)],
                stdout=subprocess.PIPE,
                text=True,
            )
            loaded = frame_times(frame, LOAD_SECONDS)
            result = json.loads(generator.communicate(timeout=60)[0])
            quiet += frame_times(frame, QUIET_SECONDS)
        finally:
            stop_process(server, 10)

    quiet_mean, loaded_mean = statistics.fmean(quiet), statistics.fmean(loaded)
    quiet_p99 = sorted(quiet)[int(len(quiet) * 0.99)]
    loaded_p99 = sorted(loaded)[int(len(loaded) * 0.99)]
    print(f"photo: {size / 1e6:.1f} MB JPEG, {CLIENTS} clients for {LOAD_SECONDS:.0f} s")
    print(
        f"downloads: {result['downloads']} complete, {result['errors']} failed, "
        f"{result['megabytes_per_second']:.0f} MB/s"
    )
    p50 = (result["p50"] or float("inf")) * 1000
    p99 = (result["p99"] or float("inf")) * 1000
    print(f"latency per download: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    print(
        f"UI frame work: {quiet_mean * 1000:.2f} ms quiet, {loaded_mean * 1000:.2f} ms under load "
        f"(p99 {quiet_p99 * 1000:.2f} / {loaded_p99 * 1000:.2f} ms)"
    )
    throughput = result["megabytes_per_second"] if not result["errors"] else 0.0
    figures = [
        ("share_throughput_mb_s", throughput, ">=", THROUGHPUT_TARGET),
        ("share_latency_p50_ms", p50, "<=", P50_TARGET_MS),
        ("share_latency_p99_ms", p99, "<=", P99_TARGET_MS),
        ("ui_frame_ratio_under_load", loaded_mean / quiet_mean, "<=", TARGET),
    ]
    for name, value, operator, target in figures:
        met = value >= target if operator == ">=" else value <= target
        print(f"figure {name} {value:.2f} target {operator}{target} {'ok' if met else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
