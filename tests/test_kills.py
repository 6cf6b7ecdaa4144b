"""Power cuts, as far as a test can make them: SIGKILL of a real child process at random moments
while it saves, journals, indexes and signs photos, and while it recovers at start. Every photo
whose link was shown must survive whole, linked and (after the next start) signed."""

from __future__ import annotations

import datetime as dt
import os
import threading

import numpy as np
import pytest
from kills import kill_repeatedly
from PIL import Image

from kiosk.camera.crop import Crop
from kiosk.camera.frames import Still
from kiosk.config import Config
from kiosk.photos.credentials import init_keys, load_signer, verify
from kiosk.photos.index import PhotoIndex
from kiosk.photos.journal import PhotoJournal
from kiosk.photos.repair import open_booth_index, remove_temporary_files
from kiosk.photos.store import Authorship, PhotoStore, new_token

KILLS = 55
AUTHORSHIP = Authorship("Sommerfest 2026", "Fotoclub Müller", "© 2026 Fotoclub Müller")


def open_store(config: Config) -> PhotoStore:
    """What the booth does at start (assembly.run_booth), then the store it works with."""
    storage = config.storage
    journal = PhotoJournal(storage.layout.journal_path)
    storage.layout.photos_dir.mkdir(parents=True, exist_ok=True)
    remove_temporary_files(storage.layout.photos_dir)
    index, problem = open_booth_index(storage.layout, journal)
    assert problem is None, problem
    return PhotoStore(
        storage.layout,
        index,
        lambda: "http://b:80",
        86400.0,
        AUTHORSHIP,
        90,
        load_signer(config),
        "b7",
        journal,
    )


def booth_child(config: Config, still: Still, report: int) -> None:
    """The child: start as the booth does, then save photos until killed; each token goes to
    the parent once ``save`` returned (the moment the booth would show its QR)."""
    store = open_store(config)
    store.sign_unsigned()
    crop = Crop(8, 8, 320, 400)
    while True:
        photo = store.save(still, crop, new_token())
        os.write(report, photo.token.encode() + b"\n")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_during_save_and_sign_loses_no_photo_and_no_link(config: Config) -> None:
    init_keys(config.storage.layout.keys_dir, "booth-7")
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    still = Still(pixels, dt.datetime(2026, 7, 4, 15, 30, tzinfo=dt.UTC))
    # Each kill after 0 to 3 photos (0: while the child starts and recovers), then at a random
    # moment of the next save or signing; the waits count photos, so a busy machine only
    # makes them longer.
    shown = kill_repeatedly(
        booth_child, (config, still), KILLS, lambda chooser: chooser.randint(0, 3), (0.0, 0.1), 12
    )
    assert len(shown) >= KILLS, "the kills landed while photos were being saved"

    store = open_store(config)  # the next start: tidies up, checks the index, signs leftovers
    store.sign_unsigned()
    store.close()
    index = PhotoIndex(config.storage.layout.index_path)
    journal = PhotoJournal(config.storage.layout.journal_path).replay()
    lost_links = [token for token in shown if index.get(token) is None]
    lost_photos = []
    unsigned = []
    for token in shown:
        record = index.get(token) or journal.live.get(token)
        path = config.storage.dir / record.file if record else None
        try:
            with Image.open(path) as image:
                image.load()
                assert image.size == (320, 400)
        except Exception:
            lost_photos.append(token)
            continue
        if verify(path.read_bytes()).state != "Valid":
            unsigned.append(token)
    assert (lost_photos, lost_links, unsigned) == ([], [], [])
    assert not list(config.storage.layout.photos_dir.rglob(".*.tmp")), "no temporary file left"
    for path in config.storage.layout.photos_dir.rglob("*.jpg"):  # nothing half written either
        with Image.open(path) as image:
            image.load()


# Held by a thread of the test while a child starts: a forked copy of the test's process would
# inherit it held and wait for ever, the way the booth child once waited on a lock some earlier
# test's thread held at the moment of the fork.
HELD_BY_A_THREAD = threading.Lock()


def child_taking_the_lock(report: int) -> None:
    with HELD_BY_A_THREAD:
        os.write(report, b"took the lock\n")
    threading.Event().wait()


def test_a_child_starts_clean_whatever_the_test_process_holds() -> None:
    release = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with HELD_BY_A_THREAD:
            holding.set()
            release.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        holding.wait()
        lines = kill_repeatedly(child_taking_the_lock, (), 3, lambda chooser: 1, (0.0, 0.0), 1)
    finally:
        release.set()
        holder.join()
    assert lines == ["took the lock"] * 3
