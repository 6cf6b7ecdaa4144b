"""Where the booth keeps what it must not lose: ``[storage]`` and the one layout of its folder.

``StorageLayout`` is the only place that names a path under the storage folder; the booth, the
download server, the staff commands and the systemd units (checked by a test) all ask it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, StrictInt

from kiosk.config.values import Duration, Section

# Names the systemd units spell too (tests/test_units.py holds them to these).
PHOTOS_FOLDER = "photos"
KEYS_FOLDER = "keys"
SHARE_STATE_FOLDER = "share-state"
JOURNAL_FILE = "photos-journal.jsonl"


@dataclass(frozen=True)
class StorageLayout:
    """Every file and folder under the storage folder ``root``."""

    root: Path

    @property
    def photos_dir(self) -> Path:
        return self.root / PHOTOS_FOLDER

    @property
    def index_path(self) -> Path:
        # A folder of its own, so that SQLite's WAL files sit apart from the photos.
        return self.root / "index" / "photos.sqlite3"

    @property
    def journal_path(self) -> Path:
        """The photo journal: every link the booth made, fsynced before the index."""
        return self.root / JOURNAL_FILE

    @property
    def keys_dir(self) -> Path:
        return self.root / KEYS_FOLDER

    @property
    def demo_keys_dir(self) -> Path:
        """The key `kiosk demo` signs with while the booth has none of its own: apart from
        ``keys_dir``, so `kiosk keys init` never meets it."""
        return self.root / "keys-demo"

    @property
    def visits_path(self) -> Path:
        return self.root / "visits.jsonl"

    @property
    def uploads_path(self) -> Path:
        """The journal of photos on their way to the object store."""
        return self.root / "cloud" / "uploads.jsonl"

    @property
    def performance_path(self) -> Path:
        """The running booth's frame rate and analysis time, for `kiosk status`."""
        return self.root / "performance.json"

    @property
    def prints_path(self) -> Path:
        """The print journal: every print asked for, sent to CUPS and ended (kiosk/printing)."""
        return self.root / "print" / "prints.jsonl"

    @property
    def print_status_path(self) -> Path:
        """What the running booth last knew of the printer, for `kiosk status`."""
        return self.root / "print" / "status.json"

    @property
    def share_state_dir(self) -> Path:
        """The download server's own folder (download counts, deletion requests): the only
        place it writes."""
        return self.root / SHARE_STATE_FOLDER

    @property
    def on_screen_path(self) -> Path:
        """What the booth's screen shows now: written by the booth, read by the download server
        (kiosk/share/on_screen.py)."""
        return self.root / "on-screen.json"

    @property
    def voice_dir(self) -> Path:
        """Spoken cues, rendered once per text and voice."""
        return self.root / "voice"

    @property
    def models_dir(self) -> Path:
        """The face models, unless guidance.models_dir puts them elsewhere."""
        return self.root / "models"

    def photo_name(self, path: Path) -> str:
        """How the index and the journal name a photo file: relative to the storage folder."""
        return path.relative_to(self.root).as_posix()

    def photo_path(self, name: str) -> Path:
        """The file an index or journal row names (``photo_name``'s inverse)."""
        return self.root / name

    def photo_inside(self, name: str) -> Path | None:
        """The real file a row names, or None where the name (or a link on its way) leads
        outside the photos folder: a damaged or forged row must never reach another file."""
        path = self.photo_path(name).resolve()
        photos = self.photos_dir.resolve()
        return path if path.is_relative_to(photos) and path != photos else None


def _default_storage_dir() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "echtbild"


class StorageConfig(Section):
    dir: Path = Field(default_factory=_default_storage_dir)
    retention: Duration = 30 * 86400.0
    min_free_mb: StrictInt = Field(500, ge=0, le=1_000_000)

    @property
    def layout(self) -> StorageLayout:
        return StorageLayout(self.dir.expanduser())
