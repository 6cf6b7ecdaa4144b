"""Turning a captured still into the attendee's photo on disk, safely.

The photo is a crop of one real frame, encoded once as JPEG: no scaling, no filtering. It is
written atomically (temporary file, fsync, rename, fsync of the directory), so a power cut leaves
either the whole photo or none, then recorded in the journal (fsynced) and indexed under an
unguessable share token. The journal is what makes the link: an index write that fails is
retried later, and the download server finds the link in the journal meanwhile.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import secrets
import sqlite3
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
from kiosk.config import StorageLayout
from kiosk.exits import counted
from kiosk.files import write_atomically
from kiosk.photos.credentials import (
    CredentialsError,
    PhotoFacts,
    PhotoSigner,
    default_booth_id,
)
from kiosk.photos.index import PhotoIndex, PhotoRecord
from kiosk.photos.journal import JournalState, PhotoJournal

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

    def knows(self, token: str) -> bool:
        """Whether the photo was handed over (waiting, done, or to be deleted)."""
        ...


class PhotoStore:
    """Photos on disk plus their share index, under one storage folder."""

    def __init__(
        self,
        layout: StorageLayout,
        index: PhotoIndex,
        base_url: Callable[[], str],
        link_ttl: float,
        authorship: Authorship,
        jpeg_quality: int,
        signer: PhotoSigner | None = None,
        booth_id: str = "",
        journal: PhotoJournal | None = None,
        mirror: PhotoMirror | None = None,
    ):
        self.layout = layout
        self.index = index
        self.journal = journal or PhotoJournal(layout.journal_path)
        # Links in the journal whose index row could not be written yet.
        self.unindexed: list[PhotoRecord] = []
        self.index_problem: str | None = None
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
        day = self.layout.photos_dir / still.captured_at.strftime("%Y-%m-%d")
        # The name carries no part of the token: a file name may be seen where a link must not.
        path = day / f"echtbild-{stamp}-{secrets.token_hex(3)}.jpg"
        write_atomically(path, data)
        created = still.captured_at.timestamp()
        record = PhotoRecord(
            token, self.layout.photo_name(path), created, created + self.link_ttl, 0
        )
        box = (crop.left, crop.top, crop.width, crop.height)
        self.journal.add(record, box)
        self.unindexed.append(record)
        self.retry_index()
        if self.signer is None:
            self._mirror(token, record.file, created)
        else:
            facts = self._facts(path, still.captured_at, box)
            self._pending = {t: job for t, job in self._pending.items() if not job.done()}
            self._pending[token] = self._signing.submit(
                self._sign_and_mirror, token, path, data, facts, record
            )
        return SavedPhoto(
            path=str(path),
            token=token,
            url=self.share_url(token),
            width=crop.width,
            height=crop.height,
            details=details or {},
        )

    def retry_index(self) -> str | None:
        """Write the index rows still missing; None once all are written, else the problem."""
        if self.index.in_memory:
            self.index_problem = self.index_problem or "the photo index cannot be used"
            return self.index_problem
        while self.unindexed:
            record = self.unindexed[0]
            try:
                if self.index.get(record.token) is None:
                    self.index.add(record.token, record.file, record.created, record.expires)
            except sqlite3.Error as error:
                if self.index_problem is None:
                    log.error(
                        "cannot write the photo index (%s): %d links are in the journal only "
                        "and still work; retrying",
                        error,
                        len(self.unindexed),
                    )
                self.index_problem = f"cannot write the photo index: {error}"
                return self.index_problem
            self.unindexed.pop(0)
        if self.index_problem is not None:
            log.info("photo index writable again; every link is indexed")
        self.index_problem = None
        return None

    def _facts(
        self, path: Path, captured_at: dt.datetime, crop: tuple[int, int, int, int]
    ) -> PhotoFacts:
        return PhotoFacts(
            title=path.name,
            captured_at=captured_at,
            operator=self.authorship.artist,
            event=self.authorship.event,
            booth_id=self.booth_id,
            crop=crop,
        )

    def _sign(self, token: str, path: Path, data: bytes, facts: PhotoFacts) -> bool:
        """Replace the unsigned photo with the same bytes plus their Content Credentials."""
        assert self.signer is not None
        try:
            signed = self.signer.sign(data, facts)
            if not path.is_file():
                return False  # discarded meanwhile
            write_atomically(path, signed)
        except (CredentialsError, OSError) as error:
            log.warning("photo %s stays unsigned: %s", path.name, error)
            return False
        try:
            self.journal.signed(token)
        except OSError as error:  # signed all the same; at worst checked again at start
            log.warning("cannot note in the journal that %s is signed: %s", path.name, error)
        return True

    def _sign_and_mirror(
        self, token: str, path: Path, data: bytes, facts: PhotoFacts, record: PhotoRecord
    ) -> bool:
        """Sign, then hand the photo as it now is (signed or not) to the mirror."""
        signed = self._sign(token, path, data, facts)
        if path.is_file():
            self._mirror(token, record.file, record.created)
        return signed

    def _mirror(self, token: str, file: str, created: float) -> None:
        if self.mirror is not None:
            try:
                self.mirror.add(token, file, created)
            except OSError as error:  # the queue's journal cannot be written: the photo stays
                log.error("photo %s not queued for the object store: %s", file, error)

    def use_index(self, index: PhotoIndex) -> None:
        """Swap in a working index (after a rebuild); the rows still missing follow."""
        self.index.close()
        self.index = index
        self.retry_index()

    def sign_unsigned_later(self) -> None:
        self._signing.submit(self.sign_unsigned)

    def sign_unsigned(self) -> int:
        """At start: sign the photos still unsigned (the journal knows which): taken before the
        signing key existed, or left unsigned by an earlier run that stopped or failed first."""
        from kiosk.photos.credentials import verify

        state = self.journal.replay()
        if self.signer is None:
            self._mirror_the_forgotten(state)
            return 0
        older = later = 0
        for token in sorted(state.unsigned):
            record, crop = state.live.get(token), state.crops.get(token)
            if record is None or crop is None:
                continue
            path = self.layout.photo_path(record.file)
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if verify(data).state != "none":
                self.journal.signed(token)  # signed before the crash; only the note was lost
                continue
            captured_at = dt.datetime.fromtimestamp(record.created).astimezone()
            facts = self._facts(path, captured_at, crop)
            if self._sign_and_mirror(token, path, data, facts, record):
                if record.created < self.signer.made_at:
                    older += 1
                else:
                    later += 1
        if older:
            taken = counted(older, "photo")
            log.info("signed %s taken before the signing key existed", taken)
        if later:
            log.info("signed %s an earlier run had left unsigned", counted(later, "photo"))
        self._mirror_the_forgotten(self.journal.replay())
        return older + later

    def _mirror_the_forgotten(self, state: JournalState) -> None:
        """Photos signed before a crash that came before their hand-over to the mirror: the
        journal has them, the mirror does not; they go now."""
        if self.mirror is None:
            return
        settled = [t for t in state.live if t not in state.unsigned or self.signer is None]
        forgotten = [state.live[t] for t in settled if not self.mirror.knows(t)]
        for record in forgotten:
            self._mirror(record.token, record.file, record.created)
        if forgotten:
            log.info("handed %d photos a crash had kept from the object store", len(forgotten))

    def finish_signing(self) -> None:
        """Wait until every photo saved so far is signed (or known to stay unsigned)."""
        for job in list(self._pending.values()):
            job.result()

    def discard(self, photo: SavedPhoto) -> None:
        """Forget a photo the attendee rejected: its link first, then its file."""
        self.unindexed = [r for r in self.unindexed if r.token != photo.token]
        try:
            self.index.remove(photo.token)
        except sqlite3.Error as error:
            log.error("cannot remove the link of a discarded photo from the index: %s", error)
        try:
            self.journal.remove(photo.token)
        except OSError as error:  # the file goes all the same, and a link without it is a 404
            log.error("cannot note the discarded photo in the journal: %s", error)
        pending = self._pending.pop(photo.token, None)
        if pending is not None:
            pending.result()  # so that signing does not write the file back
        Path(photo.path).unlink(missing_ok=True)
        if self.mirror is not None:
            try:
                self.mirror.remove(photo.token)
            except OSError as error:  # the retake goes on; the queue tries it from memory
                log.error("cannot note the discarded photo for the object store: %s", error)

    def close(self) -> None:
        """Finish signing what was taken, then let go of the index."""
        self._signing.shutdown(wait=True)
        self._pending.clear()
        self.index.close()
