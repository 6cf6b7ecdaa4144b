"""The download server's own small folder, the only place it writes.

- ``downloads.jsonl``: one line per completed download of a photo (statistics, best effort).
- ``deletions.jsonl``: the tokens whose owners asked for deletion (fsynced: a promise). The
  booth's housekeeping deletes file and index row; the server answers 410 for them from then on.
  At each start the server drops the requests carried out more than a link's lifetime ago.
- ``form-secret``: the key that signs the per-photo form token of the delete button.

Nothing here is needed to serve a photo: a full disk or a read-only folder only makes the server
"degraded" (counts are lost, a deletion cannot be recorded and the page says so).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from kiosk.files import write_atomically
from kiosk.journal import Journal

log = logging.getLogger(__name__)

DOWNLOADS = "downloads.jsonl"
DELETIONS = "deletions.jsonl"
SECRET = "form-secret"
# The server runs as a user of its own in the booth's group: the booth deletes what guests asked
# to delete and counts downloads, so it reads the journals; the form's key is the server's alone.
JOURNAL_MODE = 0o640


class ShareState:
    def __init__(self, directory: Path):
        self.directory = directory
        self.problem: str | None = None
        self.deleted: set[str] = set()
        self._let_the_booth_read()
        try:
            self.deleted = set(deletion_requests(directory))
        except OSError as error:
            self._failed(f"cannot read the deletion requests in {directory}: {error}")
        self.secret = self._load_secret()

    def _let_the_booth_read(self) -> None:
        """Journals written before the server had a user of its own are its user's alone (and
        systemd hands them over): open them to the booth's group, or deletions never happen."""
        for name in (DOWNLOADS, DELETIONS):
            path = self.directory / name
            try:
                info = path.stat()
            except OSError:  # none yet, or unreadable: the read below says so
                continue
            if info.st_uid != os.geteuid() or info.st_mode & 0o777 == JOURNAL_MODE:
                continue
            try:
                path.chmod(JOURNAL_MODE)
            except OSError as error:
                log.warning("cannot let the booth read %s: %s", path, error)

    def _load_secret(self) -> bytes:
        path = self.directory / SECRET
        try:
            secret = path.read_bytes()
            if len(secret) >= 32:
                return secret
        except OSError:
            pass
        secret = secrets.token_bytes(32)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(path, secret, mode=0o600)
        except OSError as error:
            # Delete buttons still work until the server restarts.
            self._failed(f"cannot write {path}: {error}")
        return secret

    def form_token(self, token: str) -> str:
        """The proof a delete request came from this photo's own page."""
        digest = hmac.new(self.secret, f"delete:{token}".encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    def form_token_ok(self, token: str, form_token: str) -> bool:
        return hmac.compare_digest(self.form_token(token), form_token)

    def count_download(self, token: str, now: float) -> None:
        try:
            self._append(DOWNLOADS, {"token": token, "at": round(now, 1)}, durable=False)
        except OSError as error:
            self._failed(f"cannot count downloads in {self.directory}: {error}")

    def request_deletion(self, token: str, now: float) -> bool:
        """Record (durably) that the photo's owner wants it gone; False if that failed."""
        try:
            self._append(DELETIONS, {"token": token, "at": round(now, 1)}, durable=True)
        except OSError as error:
            self._failed(f"cannot record a deletion request in {self.directory}: {error}")
            return False
        self.deleted.add(token)
        log.info("deletion requested for a photo (token %s...)", token[:4])
        return True

    def compact_deletions(
        self, still_there: Callable[[str], bool], now: float, keep_for: float
    ) -> None:
        """Drop the deletion requests that are done with: the photo is gone (``still_there``
        says no; it raises OSError when nobody can tell) and the request is older than
        ``keep_for`` (until then its link answers "deleted", a restart included). A request
        whose photo is still there is pending and always kept."""
        journal = Journal(self.directory / DELETIONS, mode=JOURNAL_MODE)  # the booth reads it

        def pending(records: list[dict]) -> list[dict]:
            kept, seen = [], set()
            for entry in records:
                token, at = entry.get("token"), entry.get("at")
                if not isinstance(token, str) or token in seen:
                    continue
                recent = isinstance(at, int | float) and now - at < keep_for
                if recent or still_there(token):
                    kept.append(entry)
                    seen.add(token)
            return kept

        try:
            replay = journal.replay()
            if len(pending(replay.records)) == replay.lines:
                return  # nothing to drop: the file is left as it is
            before, after = journal.compact(pending)
        except OSError as error:
            log.warning("deletion requests not compacted: %s", error)
            return
        log.info("deletion requests compacted: %d lines to %d", before, after)

    def _append(self, name: str, entry: dict, durable: bool) -> None:
        Journal(self.directory / name, mode=JOURNAL_MODE).append(entry, durable)
        if self.problem is not None:
            log.info("the share state folder %s is writable again", self.directory)
            self.problem = None

    def _failed(self, problem: str) -> None:
        if self.problem != problem:
            log.error("%s", problem)
        self.problem = problem


def _tokens(path: Path, since: float | None = None) -> list[str]:
    """The tokens of a state journal (none while there is none); any other failure to read it
    is the caller's to report: a deletion request that cannot be read must not pass in silence."""
    tokens = []
    records = Journal(path).replay().records
    for entry in records:
        try:
            if since is None or float(entry["at"]) >= since:
                tokens.append(str(entry["token"]))
        except (ValueError, KeyError, TypeError):
            continue
    return tokens


def deletion_requests(directory: Path) -> list[str]:
    """Tokens whose photos their owners asked to delete (for the booth's housekeeping)."""
    return _tokens(directory / DELETIONS)


def downloads_since(directory: Path, moment: float) -> int:
    """Completed photo downloads since ``moment`` (for ``kiosk status`` and /healthz)."""
    try:
        return len(_tokens(directory / DOWNLOADS, moment))
    except OSError as error:  # statistics only: a count of 0 is the worst that can happen
        log.warning("cannot count downloads in %s: %s", directory, error)
        return 0
