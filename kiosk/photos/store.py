"""Turning a captured still into the attendee's photo on disk, safely.

The photo is a crop of one real frame, encoded once as JPEG: no scaling, no filtering. It is
written atomically (temporary file, fsync, rename, fsync of the directory), so a power cut leaves
either the whole photo or none, and indexed under an unguessable share token.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import secrets
import unicodedata
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import ExifTags, Image

from kiosk import __version__
from kiosk.camera.crop import Crop
from kiosk.camera.frames import Still
from kiosk.files import write_atomically
from kiosk.photos.credentials import (
    CredentialsError,
    PhotoFacts,
    PhotoSigner,
    default_booth_id,
)
from kiosk.photos.index import PhotoIndex

log = logging.getLogger(__name__)

_EXIF_DATE = "%Y:%m:%d %H:%M:%S"
_ASCII_REPLACEMENTS = str.maketrans({"ß": "ss", "©": "(c)", "–": "-", "—": "-", "€": "EUR"})
_ASCII_REPLACEMENTS.update({ord(c): r for c, r in {"ä": "ae", "ö": "oe", "ü": "ue"}.items()})
_ASCII_REPLACEMENTS.update({ord(c): r for c, r in {"Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}.items()})


@dataclass(frozen=True)
class Authorship:
    """Who made the photo and for what, as written into its EXIF."""

    event: str
    artist: str
    copyright: str = ""  # empty: "© <year the photo was taken> <artist>"

    def copyright_notice(self, year: int) -> str:
        return self.copyright or f"© {year} {self.artist}"


@dataclass(frozen=True)
class SavedPhoto:
    """A photo already written to disk and indexed, ready to show and share."""

    path: str
    token: str
    url: str
    width: int
    height: int
    retake_suggested: bool = False
    details: dict[str, Any] = field(default_factory=dict)


def new_token() -> str:
    """128 random bits, URL-safe: the only key to a photo."""
    return secrets.token_urlsafe(16)


def crop_pixels(pixels: np.ndarray, crop: Crop) -> np.ndarray:
    height, width = pixels.shape[:2]
    if crop.left < 0 or crop.top < 0 or crop.right > width or crop.bottom > height:
        raise ValueError(f"crop {crop} lies outside the {width}x{height} frame")
    return pixels[crop.top : crop.bottom, crop.left : crop.right]


def exif_ascii(text: str) -> str:
    """EXIF text fields are ASCII: transliterate rather than lose letters to '?'."""
    text = text.translate(_ASCII_REPLACEMENTS)
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


def encode_jpeg(
    pixels: np.ndarray, captured_at: dt.datetime, authorship: Authorship, quality: int
) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = exif_ascii(authorship.event)
    exif[ExifTags.Base.Artist] = exif_ascii(authorship.artist)
    exif[ExifTags.Base.Copyright] = exif_ascii(authorship.copyright_notice(captured_at.year))
    exif[ExifTags.Base.Software] = f"Echtbild {__version__}"
    exif[ExifTags.Base.DateTime] = captured_at.strftime(_EXIF_DATE)
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = captured_at.strftime(_EXIF_DATE)
    offset = captured_at.strftime("%z")
    if offset:
        details[ExifTags.Base.OffsetTimeOriginal] = f"{offset[:3]}:{offset[3:]}"
    buffer = io.BytesIO()
    # fromarray copies a strided crop once into Pillow's own layout: no copy beforehand.
    Image.fromarray(pixels).save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    return buffer.getvalue()


class PhotoMirror(Protocol):
    """Somewhere else that keeps a copy of each photo (the object store's upload queue)."""

    def add(self, token: str, file: str, created: float) -> None: ...

    def remove(self, token: str) -> None: ...


class PhotoStore:
    """Photos on disk plus their share index, under one storage directory."""

    def __init__(
        self,
        storage_dir: Path,
        index: PhotoIndex,
        base_url: Callable[[], str],
        link_ttl: float,
        authorship: Authorship,
        jpeg_quality: int,
        signer: PhotoSigner | None = None,
        booth_id: str = "",
        mirror: PhotoMirror | None = None,
    ):
        self.storage_dir = storage_dir
        self.index = index
        # Asked for each photo: a booth that booted before its network had an address links
        # its photos to the address it has when the photo is taken.
        self.base_url = base_url
        self.link_ttl = link_ttl
        self.authorship = authorship
        self.jpeg_quality = jpeg_quality
        self.signer = signer
        self.booth_id = booth_id or default_booth_id()
        self.mirror = mirror
        # Signing runs beside the booth; a photo is on disk, unsigned, before it starts.
        self._signing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sign")
        self._pending: dict[str, Future[bool]] = {}

    def share_url(self, token: str) -> str:
        return f"{self.base_url().rstrip('/')}/p/{token}"

    def save(self, still: Still, crop: Crop, token: str, details: dict | None = None) -> SavedPhoto:
        """Write the crop of ``still`` as the photo behind ``token`` (see ``new_token``)."""
        pixels = crop_pixels(still.pixels, crop)
        data = encode_jpeg(pixels, still.captured_at, self.authorship, self.jpeg_quality)
        stamp = still.captured_at.strftime("%Y%m%d-%H%M%S")
        relative = Path("photos") / still.captured_at.strftime("%Y-%m-%d")
        # The name carries no part of the token: a file name may be seen where a link must not.
        relative /= f"echtbild-{stamp}-{secrets.token_hex(3)}.jpg"
        path = self.storage_dir / relative
        write_atomically(path, data)
        created = still.captured_at.timestamp()
        self.index.add(token, relative.as_posix(), created, created + self.link_ttl)
        stored = (token, relative.as_posix(), created)
        if self.signer is None:
            self._mirror(*stored)
        else:
            facts = PhotoFacts(
                title=path.name,
                captured_at=still.captured_at,
                operator=self.authorship.artist,
                event=self.authorship.event,
                booth_id=self.booth_id,
                crop=(crop.left, crop.top, crop.width, crop.height),
            )
            self._pending = {t: job for t, job in self._pending.items() if not job.done()}
            job = self._signing.submit(self._sign, path, data, facts, stored)
            self._pending[token] = job
        return SavedPhoto(
            path=str(path),
            token=token,
            url=self.share_url(token),
            width=crop.width,
            height=crop.height,
            details=details or {},
        )

    def _sign(
        self, path: Path, data: bytes, facts: PhotoFacts, stored: tuple[str, str, float]
    ) -> bool:
        """Replace the unsigned photo with the same bytes plus their Content Credentials; the
        mirror gets the photo as it then is."""
        assert self.signer is not None
        try:
            signed = self.signer.sign(data, facts)
            write_atomically(path, signed)
        except (CredentialsError, OSError) as error:
            log.warning("photo %s stays unsigned: %s", path.name, error)
            return False
        finally:
            self._mirror(*stored)
        return True

    def _mirror(self, token: str, file: str, created: float) -> None:
        if self.mirror is not None:
            try:
                self.mirror.add(token, file, created)
            except OSError as error:  # the queue's journal cannot be written: the photo stays
                log.error("photo %s not queued for the object store: %s", file, error)

    def finish_signing(self) -> None:
        """Wait until every photo saved so far is signed (or known to stay unsigned)."""
        for job in list(self._pending.values()):
            job.result()

    def discard(self, photo: SavedPhoto) -> None:
        """Forget a photo the attendee rejected: its link first, then its file."""
        self.index.remove(photo.token)
        pending = self._pending.pop(photo.token, None)
        if pending is not None:
            pending.result()  # so that signing does not write the file back
        Path(photo.path).unlink(missing_ok=True)
        if self.mirror is not None:
            self.mirror.remove(photo.token)

    def close(self) -> None:
        """Finish signing what was taken, then let go of the index."""
        self._signing.shutdown(wait=True)
        self._pending.clear()
        self.index.close()
