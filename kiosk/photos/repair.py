"""Checking and rebuilding the photo index from the journal, and tidying up after a crash.

The index (SQLite) is what booth, purge and server normally use; the journal is what it can be
rebuilt from. A damaged index is set aside (never deleted: someone may want to look at it) and
a fresh one is written from the journal, plus whatever rows of the old one are still readable.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import StorageLayout
from kiosk.exits import counted
from kiosk.photos.index import PhotoIndex, PhotoRecord
from kiosk.photos.journal import PhotoJournal

log = logging.getLogger(__name__)

_SQLITE_FILES = ("", "-wal", "-shm", "-journal")
# Damaged indexes set aside by rebuilds that are kept (the newest); older ones are deleted.
KEEP_DAMAGED = 3


@dataclass(frozen=True)
class IndexCheck:
    """Whether the index can be trusted; ``problem`` says why not."""

    problem: str | None
    rows: int
    expected: int
    # Links of the journal the (otherwise sound) index lacks: a stop between the two writes.
    missing: tuple[str, ...] = ()
    # Links of the index the journal neither has nor saw removed: the journal is damaged (the
    # booth writes the journal first), and a second fault would lose them.
    unjournalled: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """The index can be used (the journal may still need repair: ``journal_ok``)."""
        return self.problem is None

    @property
    def journal_ok(self) -> bool:
        return not self.unjournalled

    @property
    def agree(self) -> bool:
        return self.ok and self.journal_ok

    def describe(self) -> str:
        if self.problem is not None:
            return f"index damaged: {self.problem}"
        text = f"index sound: {counted(self.rows, 'link')}, the journal expects {self.expected}"
        if self.unjournalled:
            text += f"; journal damaged: it lacks {len(self.unjournalled)} of the index's links"
        return text


def check_index(index_path: Path, journal: PhotoJournal) -> IndexCheck:
    """``PRAGMA quick_check`` and every live link of the journal present; never writes."""
    state = journal.replay()
    expected = len(state.live)
    try:
        index = PhotoIndex(index_path, read_only=True)
    except sqlite3.Error as error:
        new = not index_path.exists() or index_path.stat().st_size == 0
        if new and expected == 0:
            return IndexCheck(None, 0, 0)  # a new booth (perhaps creating its index just now)
        return IndexCheck(str(error), 0, expected)
    try:
        problem = index.quick_check()
        if problem is not None:
            return IndexCheck(f"SQLite finds {problem}", 0, expected)
        tokens = index.tokens()
    except sqlite3.Error as error:
        return IndexCheck(str(error), 0, expected)
    finally:
        index.close()
    missing = tuple(sorted(set(state.live) - tokens))
    unjournalled = tuple(sorted(tokens - set(state.live) - state.removed))
    if missing:
        problem = f"{len(missing)} of the journal's {expected} links are missing"
        return IndexCheck(problem, len(tokens), expected, missing, unjournalled)
    return IndexCheck(None, len(tokens), expected, unjournalled=unjournalled)


def repair_journal(index_path: Path, journal: PhotoJournal, tokens: tuple[str, ...]) -> int:
    """Write the index's links the journal lacks back into the journal (while the index is
    sound), so that a later fault of the index cannot lose them. Returns how many."""
    wanted = set(tokens)
    records = [record for record in _readable_rows(index_path) if record.token in wanted]
    for record in records:
        journal.add(record)
        journal.signed(record.token)  # signed or not, a second signing pass changes nothing
    if records:
        log.warning("journal repaired from the index: %d links written back", len(records))
    return len(records)


def rebuild_index(layout: StorageLayout, journal: PhotoJournal) -> int:
    """Write a new index from the journal (plus readable rows of the old one whose photo is
    still there and the journal does not know); the old files are kept beside it as
    ``*.damaged-<time>``. Returns the rows."""
    index_path = layout.index_path
    state = journal.replay()
    # A save cut short may leave an old row for a photo the journal links under another token:
    # the journal's link is the one that counts (a photo has one link).
    journalled = {record.file for record in state.live.values()}
    kept: dict[str, PhotoRecord] = {}
    salvaged = [*_recovered_rows(index_path), *_rows_one_by_one(index_path)]
    for record in [*salvaged, *_readable_rows(index_path)]:
        if (
            record.token not in state.removed
            and record.file not in journalled
            and layout.photo_path(record.file).is_file()
        ):
            kept[record.token] = record
    kept.update(state.live)
    fresh = index_path.with_name(index_path.name + ".rebuilding")
    for suffix in _SQLITE_FILES:
        Path(f"{fresh}{suffix}").unlink(missing_ok=True)
    index = PhotoIndex(fresh)
    try:
        for record in kept.values():
            index.add(record.token, record.file, record.created, record.expires)
    finally:
        index.close()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for suffix in _SQLITE_FILES:
        old = Path(f"{index_path}{suffix}")
        if old.exists():
            old.replace(f"{index_path}.damaged-{stamp}{suffix}")
    fresh.replace(index_path)
    _forget_old_damaged(index_path)
    log.warning(
        "index rebuilt from the journal: %s (old index kept as %s.damaged-%s)",
        counted(len(kept), "link"),
        index_path.name,
        stamp,
    )
    return len(kept)


def _forget_old_damaged(index_path: Path) -> None:
    """Keep the newest ``KEEP_DAMAGED`` damaged indexes set aside; older ones go."""
    damaged = index_path.parent.glob(f"{index_path.name}.damaged-*")
    stamps = sorted({path.name.split(".damaged-")[1][:15] for path in damaged})
    for stamp in stamps[:-KEEP_DAMAGED]:
        for suffix in _SQLITE_FILES:
            Path(f"{index_path}.damaged-{stamp}{suffix}").unlink(missing_ok=True)


def _recovered_rows(index_path: Path) -> list[PhotoRecord]:
    """Every row the ``sqlite3`` tool's ``.recover`` finds, bad pages or not ([] without the
    tool): a damaged page must not cost the rows on the good ones."""
    tool = shutil.which("sqlite3")
    if tool is None or not index_path.is_file():
        return []
    try:
        dump = subprocess.run(
            [tool, str(index_path), ".recover"],
            capture_output=True,
            timeout=120,
            check=False,
        ).stdout.decode("utf-8", "replace")
        scratch = sqlite3.connect(":memory:")
        try:
            scratch.executescript(dump)
            rows = scratch.execute(
                "SELECT token, file, created, expires, downloads FROM photos"
            ).fetchall()
        finally:
            scratch.close()
    except (OSError, subprocess.SubprocessError, sqlite3.Error) as error:
        log.warning("sqlite3 .recover could not read %s: %s", index_path, error)
        return []
    return [
        PhotoRecord(str(token), str(file), float(created), float(expires), int(downloads or 0))
        for token, file, created, expires, downloads in rows
        if token and file and created is not None and expires is not None
    ]


def _rows_one_by_one(index_path: Path) -> list[PhotoRecord]:
    """The rows read one at a time by rowid: a damaged leaf page costs only its own rows (where
    the ``sqlite3`` tool's ``.recover`` is missing or cannot run, as Debian 12's cannot)."""
    try:
        db = sqlite3.connect(f"{index_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    rows: list[PhotoRecord] = []
    try:
        try:
            last = db.execute("SELECT max(rowid) FROM photos").fetchone()[0] or 0
        except sqlite3.Error:
            return []
        for rowid in range(1, last + 1):
            try:
                row = db.execute(
                    "SELECT token, file, created, expires, downloads FROM photos WHERE rowid = ?",
                    (rowid,),
                ).fetchone()
            except sqlite3.Error:
                continue  # a row on a damaged page
            if row is not None:
                rows.append(PhotoRecord(*row))
    finally:
        db.close()
    return rows


def _readable_rows(index_path: Path) -> list[PhotoRecord]:
    try:
        index = PhotoIndex(index_path, read_only=True)
    except sqlite3.Error:
        return []
    try:
        return index.records()
    except sqlite3.Error:
        return []
    finally:
        index.close()


def seed_journal(index_path: Path, journal: PhotoJournal) -> int:
    """A booth from before the journal: write the index's links into a new journal once."""
    if journal.exists():
        return 0
    records = _readable_rows(index_path)
    for record in records:
        journal.add(record)
        journal.signed(record.token)
    if records:
        log.info("journal started from the index's %s", counted(len(records), "link"))
    return len(records)


def remove_temporary_files(photos_dir: Path) -> int:
    """Half-written photos a crash left behind (``write_atomically``'s ``.NAME.PID.tmp``)."""
    removed = 0
    if photos_dir.is_dir():
        for path in photos_dir.rglob(".*.tmp"):
            if path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
                removed += 1
    if removed:
        log.info("removed %s a crash left in %s", counted(removed, "temporary file"), photos_dir)
    return removed


def ensure_index(layout: StorageLayout, journal: PhotoJournal) -> str | None:
    """At the booth's start: check the index, rebuild it if damaged or emptied. Returns None
    when the index can be used, else why not (the booth then shows out of order)."""
    index_path = layout.index_path
    try:
        seed_journal(index_path, journal)
    except OSError as error:
        log.error("cannot start the photo journal %s: %s", journal.path, error)
    verdict = check_index(index_path, journal)
    if verdict.ok and verdict.unjournalled:
        try:
            repair_journal(index_path, journal, verdict.unjournalled)
        except OSError as error:
            log.error("cannot repair the photo journal %s: %s", journal.path, error)
    if verdict.ok:
        return None
    if verdict.rows and verdict.missing and _add_missing(index_path, journal, verdict.missing):
        if verdict.unjournalled:
            repair_journal(index_path, journal, verdict.unjournalled)
        return None
    log.error("%s; rebuilding it from the journal", verdict.describe())
    try:
        rebuild_index(layout, journal)
    except (OSError, sqlite3.Error) as error:
        reason = f"photo index damaged ({verdict.problem}) and cannot be rebuilt: {error}"
        log.error("%s", reason)
        return reason
    again = check_index(index_path, journal)
    if not again.ok:
        reason = f"photo index still damaged after rebuilding: {again.problem}"
        log.error("%s", reason)
        return reason
    return None


def _add_missing(index_path: Path, journal: PhotoJournal, tokens: tuple[str, ...]) -> bool:
    """Index the few links a stop between journal and index left out; False if that fails."""
    live = journal.replay().live
    try:
        index = PhotoIndex(index_path)
        try:
            for token in tokens:
                record = live[token]
                index.add(record.token, record.file, record.created, record.expires)
        finally:
            index.close()
    except sqlite3.Error as error:
        log.error("cannot add the journal's missing links to the index: %s", error)
        return False
    log.info("indexed %s the journal had and the index lacked", counted(len(tokens), "link"))
    return True


def open_booth_index(layout: StorageLayout, journal: PhotoJournal) -> tuple[PhotoIndex, str | None]:
    """The booth's start (after ``remove_temporary_files``): the index is checked, rebuilt if
    need be, and opened. If it cannot be used, an in-memory stand-in comes back with the
    reason: photos and their journal lines are still written, and the booth shows out of
    order until the index works again."""
    index_path = layout.index_path
    problem = ensure_index(layout, journal)
    if problem is None:
        try:
            return PhotoIndex(index_path), None
        except sqlite3.Error as error:
            problem = f"cannot open the photo index {index_path}: {error}"
            log.error("%s", problem)
    return PhotoIndex(Path(":memory:")), problem
