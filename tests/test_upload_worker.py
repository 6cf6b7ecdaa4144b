"""The upload worker on its real thread outlives any fault (issue 23, fault 2): an error that is
no CloudError (reading the photo, writing the journal) is logged, backed off and tried again,
and `kiosk status` shows the oldest waiting upload and the last error."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from conftest import FIXED_TIME
from helpers import eventually

from kiosk.share.uploads import Job, UploadQueue, UploadWorker
from kiosk.status import collect


class FlakyStore:
    """Uploads fail with ``errors`` in turn, then succeed."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.uploaded: list[str] = []

    def upload(self, job: Job) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.uploaded.append(job.token)

    def delete(self, job: Job) -> None:
        pass


def leaping_clock() -> float:
    """Each look at the clock is 1000 s later: back-off pauses pass at once, nothing sleeps."""
    return next(_ticks)


_ticks = (float(tick) for tick in itertools.count(step=1000))


def test_the_worker_outlives_a_photo_it_cannot_read(tmp_path: Path) -> None:
    store = FlakyStore(PermissionError(13, "Permission denied", "photos/a.jpg"))
    queue = UploadQueue(tmp_path / "uploads.jsonl", store.upload, store.delete, leaping_clock)
    worker = UploadWorker(queue).start()
    try:
        queue.add("t1", "photos/a.jpg", 1.0)
        assert eventually(lambda: store.uploaded == ["t1"])
        queue.add("t2", "photos/b.jpg", 2.0)
        assert eventually(lambda: store.uploaded == ["t1", "t2"])
    finally:
        worker.stop()
    counts = queue.counts()
    assert counts.failed_tries == 1 and "PermissionError" in (counts.last_error or "")


def test_the_worker_outlives_a_journal_it_cannot_write(tmp_path: Path) -> None:
    store = FlakyStore()
    path = tmp_path / "uploads.jsonl"
    queue = UploadQueue(path, store.upload, store.delete, leaping_clock)
    queue.add("t1", "photos/a.jpg", 1.0)
    blocker = path.with_name(path.name + ".lock")
    blocker.unlink()
    blocker.mkdir()  # every append now fails with an OSError (IsADirectoryError)
    worker = UploadWorker(queue).start()
    try:
        assert eventually(lambda: len(store.uploaded) >= 2)  # tried, and tried again
        assert not queue.uploaded("t1")
        assert "IsADirectoryError" in (queue.counts().last_error or "")
        blocker.rmdir()
        assert eventually(lambda: queue.uploaded("t1"))
    finally:
        worker.stop()
    assert UploadQueue(path, store.upload, store.delete).uploaded("t1")


def test_status_shows_the_oldest_waiting_upload_and_the_last_error(config, tmp_path) -> None:
    config = config.model_copy(
        update={"cloud": config.cloud.model_copy(update={"enabled": True, "bucket": "event"})}
    )
    store = FlakyStore(OSError(28, "No space left on device"))
    queue = UploadQueue(
        config.storage.layout.uploads_path, store.upload, store.delete, leaping_clock
    )
    queue.add("t1", "photos/a.jpg", 1_783_166_400.0)  # 2026-07-04 12:00 UTC
    queue.add("t2", "photos/b.jpg", 1_783_170_000.0)
    assert queue.work_once()
    check = {check.name: check for check in collect(config)}["cloud"]
    assert "2 waiting" in check.text and "oldest waiting taken 2026-07-04" in check.text
    assert "last error: OSError: [Errno 28] No space left on device" in check.text
    assert check.warning


def test_a_retake_goes_on_when_the_upload_journal_cannot_be_written(make_app, config) -> None:
    from conftest import make_store
    from helpers import advance, press

    from kiosk.booth.events import MainButton, SecondButton
    from kiosk.booth.machine import Phase

    store = FlakyStore()
    queue = UploadQueue(
        config.storage.layout.uploads_path, store.upload, store.delete, leaping_clock
    )
    app = make_app(store=make_store(config, mirror=queue))
    app.start(0.0)
    now = press(app, MainButton(), 1.0)
    now = press(app, MainButton(), now + 1.0)
    now = advance(app, now, config.timing.countdown + 0.5)
    assert app.machine.phase is Phase.REVIEW
    rejected = app.machine.photo
    path = config.storage.layout.uploads_path
    path.unlink()
    path.mkdir()  # the upload journal cannot be written (IsADirectoryError)
    now = press(app, SecondButton(), now + 0.5)
    assert app.machine.phase is Phase.FRAMING and app.machine.visit is not None
    assert app.machine.visit.retakes == 1 and not Path(rejected.path).exists()
    assert "delete" in {action for token, action in queue.state.jobs if token == rejected.token}


def test_a_photo_kept_from_the_queue_by_a_crash_is_queued_at_the_next_start(config) -> None:
    """Killed between signing a photo and handing it to the upload queue: the journal has it
    (signed, linked), the queue does not; the next start queues it."""
    from conftest import make_store
    from PIL import Image

    from kiosk.camera.crop import Crop
    from kiosk.camera.frames import Still
    from kiosk.photos.store import new_token

    before = make_store(config)  # as if the hand-over never happened
    pixels = np.asarray(Image.new("RGB", (640, 480), (90, 120, 150)))
    still = Still(pixels, FIXED_TIME)
    photo = before.save(still, Crop(0, 0, 320, 400), new_token())
    before.close()
    store = FlakyStore()
    path = config.storage.layout.uploads_path
    queue = UploadQueue(path, store.upload, store.delete, leaping_clock)
    after = make_store(config, mirror=queue)
    try:
        after.sign_unsigned()  # the booth's start
        assert queue.knows(photo.token)
        while queue.work_once():
            pass
        assert store.uploaded == [photo.token]
        after.sign_unsigned()  # a second start queues nothing twice
        assert not queue.work_once()
    finally:
        after.close()
