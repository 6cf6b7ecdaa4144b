"""The photo on disk: an exact crop of the real frame, atomic writes, EXIF, the share index."""

from __future__ import annotations

import datetime as dt
import io
import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PIL import ExifTags, Image

from kiosk.camera.crop import Crop, centred_crop
from kiosk.camera.frames import Still
from kiosk.config import StorageLayout
from kiosk.files import write_atomically
from kiosk.photos.index import PhotoIndex
from kiosk.photos.store import (
    Authorship,
    PhotoStore,
    crop_pixels,
    encode_jpeg,
    exif_ascii,
    new_token,
)

MOMENT = dt.datetime(2026, 11, 29, 14, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
AUTHORSHIP = Authorship("Straßenfest Köln", "Jürgen Groß", "© 2026 Jürgen Groß")


def gradient(height: int = 259, width: int = 460) -> np.ndarray:
    rows, columns = np.mgrid[0:height, 0:width]
    return np.stack([rows % 256, columns % 256, (rows + columns) % 256], axis=2).astype(np.uint8)


def test_centred_crop_is_full_height_4_to_5() -> None:
    assert centred_crop((4608, 2592), 4 / 5) == Crop(1267, 0, 2074, 2592)
    assert centred_crop((1000, 2000), 4 / 5) == Crop(0, 375, 1000, 1250)


def test_crop_is_the_exact_pixels_never_resampled() -> None:
    frame = gradient()
    crop = Crop(10, 20, 80, 100)
    assert np.array_equal(crop_pixels(frame, crop), frame[20:120, 10:90])


def test_crop_outside_the_frame_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        crop_pixels(gradient(), Crop(400, 0, 80, 100))


def test_jpeg_keeps_the_pixels_and_carries_authorship() -> None:
    pixels = gradient()
    data = encode_jpeg(pixels, MOMENT, AUTHORSHIP, quality=100)
    with Image.open(io.BytesIO(data)) as image:
        decoded = np.asarray(image.convert("RGB")).astype(int)
        exif = image.getexif()
    assert decoded.shape == pixels.shape
    assert np.abs(decoded - pixels).mean() < 2.0
    assert exif[ExifTags.Base.ImageDescription] == "Strassenfest Koeln"
    assert exif[ExifTags.Base.Artist] == "Juergen Gross"
    assert exif[ExifTags.Base.Copyright] == "(c) 2026 Juergen Gross"
    assert exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] == "2026:11:29 14:05:09"


def test_exif_text_is_ascii_without_losing_letters() -> None:
    assert exif_ascii("Café Müßig – Éva") == "Cafe Muessig - Eva"


def test_tokens_are_128_bit_and_unique() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(len(token) == 22 and token.isascii() for token in tokens)


def test_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "photo.jpg"
    write_atomically(target, b"abc")
    assert target.read_bytes() == b"abc"
    assert sorted(p.name for p in target.parent.iterdir()) == ["photo.jpg"]


def test_failed_write_keeps_the_old_file_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "photo.jpg"
    target.write_bytes(b"old")

    def broken_fsync(descriptor: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="Input/output"):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["photo.jpg"]


def make_store(tmp_path: Path) -> PhotoStore:
    return PhotoStore(
        StorageLayout(tmp_path),
        PhotoIndex(tmp_path / "index.sqlite3"),
        lambda: "http://b:80/",
        3600.0,
        AUTHORSHIP,
        90,
    )


def test_store_saves_indexes_and_discards(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    token = new_token()
    photo = store.save(Still(gradient(), MOMENT), Crop(0, 0, 200, 250), token, {"chosen": 0})
    assert photo.token == token
    path = Path(photo.path)
    assert path.is_file() and path.name.startswith("echtbild-20261129-140509-")
    assert photo.token not in path.name
    assert photo.url == f"http://b:80/p/{photo.token}"
    assert (photo.width, photo.height) == (200, 250)
    record = store.index.get(photo.token)
    assert record is not None
    assert tmp_path / record.file == path
    assert record.created == MOMENT.timestamp()
    assert record.expires == MOMENT.timestamp() + 3600.0
    assert record.downloads == 0

    store.discard(photo)
    assert not path.exists()
    assert store.index.get(photo.token) is None
    assert store.index.count() == 0


def test_index_is_shared_between_processes_through_wal(tmp_path: Path) -> None:
    writer = PhotoIndex(tmp_path / "index.sqlite3")
    reader = PhotoIndex(tmp_path / "index.sqlite3")
    writer.add("t1", "photos/a.jpg", 1.0, 2.0)
    assert reader.get("t1") is not None
    # WAL is a property of the database file: any new connection sees it.
    with sqlite3.connect(tmp_path / "index.sqlite3") as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_link_address_and_copyright_year_are_those_when_the_photo_is_taken(tmp_path: Path) -> None:
    """A booth that booted before its network had an address, running past New Year's midnight:
    each photo carries the address and the year of the moment it was taken."""
    addresses = iter(["http://127.0.0.1:8080", "http://192.168.4.20:8080"])
    store = PhotoStore(
        StorageLayout(tmp_path),
        PhotoIndex(tmp_path / "index.sqlite3"),
        lambda: next(addresses),
        3600.0,
        Authorship("Silvester", "Fotoclub"),
        90,
    )
    years = []
    for moment in (dt.datetime(2026, 12, 31, 23, 59, 58), dt.datetime(2027, 1, 1, 0, 0, 3)):
        photo = store.save(
            Still(gradient(), moment.astimezone()), Crop(0, 0, 200, 250), new_token()
        )
        with Image.open(photo.path) as image:
            years.append(image.getexif()[ExifTags.Base.Copyright])
        assert photo.url.endswith(f"/p/{photo.token}")
    assert years == ["(c) 2026 Fotoclub", "(c) 2027 Fotoclub"]
    assert photo.url.startswith("http://192.168.4.20:8080/p/")
    store.close()
