"""The children bench/faults.py kills (tests/kills.py): what the booth and the download server
do, in a module of their own so that the fork server imports them once (a child function of
the script itself would re-run the script in every child)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PIL import Image
from skimage import data

from kiosk.camera.crop import Crop
from kiosk.camera.image_camera import ImageCamera
from kiosk.config import parse_config
from kiosk.files import write_atomically
from kiosk.photos.credentials import load_signer
from kiosk.photos.journal import PhotoJournal
from kiosk.photos.repair import open_booth_index, remove_temporary_files
from kiosk.photos.store import Authorship, PhotoStore, new_token
from kiosk.share.state import ShareState
from kiosk.share.uploads import UploadQueue


def booth_config(folder: Path):
    return parse_config({"storage": {"dir": str(folder)}, "event": {"name": "Bench"}})


def open_booth(config):
    """As the booth starts: temporary files gone, the index checked (rebuilt if need be), the
    photos a crash left unsigned signed, the upload queue read back."""
    layout = config.storage.layout
    remote = layout.root / "remote"
    remote.mkdir(parents=True, exist_ok=True)
    journal = PhotoJournal(layout.journal_path)
    layout.photos_dir.mkdir(parents=True, exist_ok=True)
    remove_temporary_files(layout.photos_dir)
    index, problem = open_booth_index(layout, journal)
    if problem is not None:
        raise SystemExit(f"index: {problem}")

    def upload(job) -> None:
        write_atomically(remote / f"{job.token}.jpg", (layout.root / job.file).read_bytes())

    def delete(job) -> None:
        (remote / f"{job.token}.jpg").unlink(missing_ok=True)

    queue = UploadQueue(layout.uploads_path, upload, delete)
    authorship = Authorship("Bench", "Bench", "Bench")
    signer = load_signer(config)
    store = PhotoStore(layout, index, lambda: "http://b:80", 86400.0, authorship, 90, signer,
                       "b7", journal, mirror=queue)  # fmt: skip
    store.sign_unsigned()
    return store, queue


def booth_child(config, report: int) -> None:
    store, queue = open_booth(config)
    camera = ImageCamera(Image.fromarray(data.astronaut()), (1600, 1200))
    camera.start((320, 400), (320, 240))
    crop = Crop(400, 100, 800, 1000)
    taken = 0
    while True:
        still = camera.capture_burst(2)[0]
        photo = store.save(still, crop, new_token())
        os.write(report, f"shown {photo.token}\n".encode())
        store.finish_signing()
        while queue.work_once():
            pass
        taken += 1
        if taken % 3 == 0:  # a retake: the photo may be gone from here on
            os.write(report, f"retake {photo.token}\n".encode())
            store.discard(photo)
            os.write(report, f"gone {photo.token}\n".encode())
            while queue.work_once():
                pass


def deletions_child(folder: Path, report: int) -> None:
    state = ShareState(folder)
    while True:
        token = new_token()
        if state.request_deletion(token, time.time()):
            os.write(report, f"asked {token}\n".encode())
