"""Which share token names which photo: a small SQLite table both booth and server open.

WAL mode lets the download server read while the booth writes. File names are stored relative to
the storage directory, so a booth's data can be moved as a whole.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS photos (
    token     TEXT PRIMARY KEY,
    file      TEXT NOT NULL UNIQUE,
    created   REAL NOT NULL,
    expires   REAL NOT NULL,
    downloads INTEGER NOT NULL DEFAULT 0  -- no longer written (see kiosk/share/state.py)
)
"""


@dataclass(frozen=True)
class PhotoRecord:
    token: str
    file: str
    created: float
    expires: float
    downloads: int


class PhotoIndex:
    """The booth's connection writes (``durable``: each link survives a power cut); with
    ``read_only`` (the download server's) it never writes the database, so it works on a full
    disk and a read-only file system, and raises ``sqlite3.Error`` for a file that is no index."""

    def __init__(self, path: Path, durable: bool = True, read_only: bool = False):
        self.path = path
        # The booth saves on its capture thread and discards on its UI thread: one connection,
        # one statement at a time.
        self._lock = threading.Lock()
        # A snapshot reads the file as it is, without the WAL (see _open_read_only).
        self.snapshot = False
        if read_only:
            self._db = self._open_read_only(path)
            return
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=5.0, isolation_level=None, check_same_thread=False)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a photo's link survives a power cut. NORMAL (still crash-safe in WAL mode)
            # may lose the last few commits.
            self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._db.execute(_SCHEMA)
        except sqlite3.Error:
            self._db.close()
            raise

    def _open_read_only(self, path: Path) -> sqlite3.Connection:
        if not path.is_file() or path.stat().st_size == 0:
            state = "an empty file" if path.is_file() else "missing"
            raise sqlite3.DatabaseError(f"index {path} is {state}")
        uri = f"{path.resolve().as_uri()}?mode=ro"
        try:
            return _checked(
                sqlite3.connect(
                    uri, uri=True, timeout=5.0, isolation_level=None, check_same_thread=False
                )
            )
        except sqlite3.OperationalError:
            # No room (full disk) or no right to create the WAL's shared-memory file, which a
            # reader needs while no writer has it open: read the file as it stands. Rows still
            # only in a WAL are missing then; the photo journal has them.
            self.snapshot = True
            db = sqlite3.connect(
                f"{uri}&immutable=1", uri=True, isolation_level=None, check_same_thread=False
            )
            return _checked(db)

    def quick_check(self) -> str | None:
        """None if SQLite finds the file sound, else what it found."""
        try:
            rows = self._rows("PRAGMA quick_check")
        except sqlite3.Error as error:
            return str(error)
        problems = [row[0] for row in rows if row[0] != "ok"]
        return "; ".join(problems[:3]) or None

    def tokens(self) -> set[str]:
        return {row[0] for row in self._rows("SELECT token FROM photos")}

    def records(self) -> list[PhotoRecord]:
        rows = self._rows("SELECT token, file, created, expires, downloads FROM photos")
        return [PhotoRecord(*row) for row in rows]

    @property
    def in_memory(self) -> bool:
        """A stand-in while the real index cannot be used (see repair.open_booth_index)."""
        return str(self.path) == ":memory:"

    def add(self, token: str, file: str, created: float, expires: float) -> None:
        self._rows(
            "INSERT INTO photos (token, file, created, expires) VALUES (?, ?, ?, ?)",
            (token, file, created, expires),
        )

    def get(self, token: str) -> PhotoRecord | None:
        rows = self._rows(
            "SELECT token, file, created, expires, downloads FROM photos WHERE token = ?",
            (token,),
        )
        return PhotoRecord(*rows[0]) if rows else None

    def remove(self, token: str) -> None:
        self._rows("DELETE FROM photos WHERE token = ?", (token,))

    def created_before(self, moment: float) -> list[PhotoRecord]:
        rows = self._rows(
            "SELECT token, file, created, expires, downloads FROM photos WHERE created < ?",
            (moment,),
        )
        return [PhotoRecord(*row) for row in rows]

    def files(self) -> set[str]:
        return {row[0] for row in self._rows("SELECT file FROM photos")}

    def count(self) -> int:
        return self._rows("SELECT COUNT(*) FROM photos")[0][0]

    def _rows(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _checked(db: sqlite3.Connection) -> sqlite3.Connection:
    """``db`` if it holds the photos table; closed and raised otherwise."""
    try:
        db.execute("SELECT token FROM photos LIMIT 1").fetchall()
    except sqlite3.Error:
        db.close()
        raise
    return db
