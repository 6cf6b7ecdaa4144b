"""Photos to the object store: how long from "photo saved" to "uploaded", and what uploading does
to the booth's preview.

A real S3-compatible store runs on loopback (OpenStack Swift with s3api, as in the tests). Each
photo (a real 12 MP JPEG) goes through the booth's own upload queue: journal, photo, page. The
baseline, in the same run, is bare PUTs of the same two objects (the photo and a page of the
same size) with the same client; what the queue adds is its journal and the presigning. Then the
framing screen runs at 30 frames a second, timed with the upload worker idle and while it
uploads a stream of photos, alternating.

Run: python bench/upload.py   (needs Debian's swift-proxy, swift-object, swift-container,
swift-account and memcached, as .ci/run installs them)
"""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _framing import frame_times, framing_screen
from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from swift_store import ACCESS_KEY, REGION, SECRET_KEY, SwiftStore

from kiosk.config import parse_config
from kiosk.share.publish import open_cloud
from kiosk.share.uploads import UploadWorker

PHOTOS = 8
ROUNDS = 3
SECONDS = 3.0
OVERHEAD_TARGET = 1.3  # the journal and the presigning on top of bare PUTs
SECONDS_PER_MB_TARGET = 0.5  # on loopback; a booth's network is slower, the queue is not
UI_TARGET = 1.10


def jpeg() -> bytes:
    """A 12 MP photo's worth of JPEG: the astronaut, large, with a sensor's grain."""
    picture = np.asarray(Image.fromarray(data.astronaut()).resize((3040, 4000)), dtype=np.int16)
    grain = np.random.default_rng(7).normal(0, 6, picture.shape).astype(np.int16)
    noisy = np.clip(picture + grain, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noisy).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        swift = SwiftStore(root / "swift").start()
        # The store is another machine on a real booth: here it gets a core of its own, and the
        # booth (its UI and its upload thread) the other, as the units place them on the Pi.
        cores = sorted(os.sched_getaffinity(0))
        for process in swift.processes or []:
            os.sched_setaffinity(process.pid, {cores[-1]})
        os.sched_setaffinity(0, {cores[0]})
        try:
            return measure(root, swift)
        finally:
            swift.stop()


def measure(root: Path, swift: SwiftStore) -> int:
    secret = root / "cloud.toml"
    secret.write_text(f'access_key = "{ACCESS_KEY}"\nsecret_key = "{SECRET_KEY}"\n')
    secret.chmod(0o600)
    storage = root / "booth"
    config = parse_config(
        {
            "storage": {"dir": str(storage)},
            "cloud": {
                "enabled": True,
                "endpoint": swift.endpoint,
                "region": REGION,
                "bucket": "bench",
                "addressing": "path",
                "credentials_file": str(secret),
            },
        }
    )
    parts = open_cloud(config, "bench")
    parts.store.make_bucket_if_missing()
    photo = jpeg()
    megabytes = len(photo) / 1e6
    page = parts.publisher.page("token-0", dt.datetime.now(dt.UTC)).encode()
    (storage / "photos").mkdir(parents=True)

    bare, queued = [], []
    for number in range(PHOTOS):
        start = time.perf_counter()
        parts.store.put(f"bare/{number}.jpg", photo, "image/jpeg", "no-store")
        parts.store.put(f"bare/{number}.html", page, "text/html", "no-store")
        bare.append(time.perf_counter() - start)
        name = f"photos/{number}.jpg"
        (storage / name).write_bytes(photo)
        start = time.perf_counter()  # "photo saved"
        parts.queue.add(f"token-{number}", name, time.time())
        while parts.queue.work_once():
            pass
        queued.append(time.perf_counter() - start)
        assert parts.queue.uploaded(f"token-{number}")

    frame = framing_screen((1280, 720)).draw
    frame_times(frame, 1.0)  # warm up
    idle: list[float] = []
    busy: list[float] = []
    worker = UploadWorker(parts.queue).start()
    try:
        next_token = PHOTOS
        for _ in range(ROUNDS):
            idle += frame_times(frame, SECONDS)
            for _ in range(6):  # a stream of photos for the worker, beside the UI
                name = f"photos/{next_token % PHOTOS}.jpg"
                parts.queue.add(f"token-{next_token}", name, time.time())
                next_token += 1
            busy += frame_times(frame, SECONDS)
    finally:
        worker.stop(timeout=60)

    per_mb = statistics.median(queued) / megabytes
    overhead = statistics.median(queued) / statistics.median(bare)
    ui_ratio = statistics.fmean(busy) / statistics.fmean(idle)
    print(f"photo: {megabytes:.1f} MB JPEG, {PHOTOS} photos, store: Swift s3api on loopback")
    print(
        f"saved -> uploaded: {statistics.median(queued) * 1000:.0f} ms median "
        f"(bare PUTs of the photo and its page {statistics.median(bare) * 1000:.0f} ms)"
    )
    print(
        f"UI frame work: {statistics.fmean(idle) * 1000:.2f} ms idle, "
        f"{statistics.fmean(busy) * 1000:.2f} ms while uploading"
    )
    figures = [
        ("upload_seconds_per_mb", per_mb, "<=", SECONDS_PER_MB_TARGET),
        ("upload_overhead_ratio", overhead, "<=", OVERHEAD_TARGET),
        ("ui_frame_ratio_uploading", ui_ratio, "<=", UI_TARGET),
    ]
    for name, value, operator, target in figures:
        met = value <= target
        print(f"figure {name} {value:.2f} target {operator}{target} {'ok' if met else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
