"""What the booth's screen shows now: the one channel from the booth to the download server.

The booth writes a small JSON record whenever its screen changes (``OnScreenNote.show``); the
download server reads it when it needs to know (``OnScreenReader.current``): the hotspot's
sign-in sheet offers the photo of the visit whose share screen started most recently, and only
to a phone that joined after that moment. The record has room for more news about the visit
(a print on its way, issue 26): readers ignore keys they do not know, and a writer that adds one
sets it through ``OnScreen``'s ``news``.

Why a file: the two run as separate systemd units under the same user. The booth may write the
storage folder (``ReadWritePaths``); the server sees it read-only (``ReadOnlyPaths``, and
``PrivateUsers=yes`` maps the service's own user, so the booth's files keep their owner and the
mode the booth's ``UMask=0027`` gives them is enough). No socket, no extra permission: the
exposure scores of both units stay as they are. The file is replaced atomically but not
fsynced: it only means something while the booth runs, and after a power cut the stale record's
moment lies in the past, which the readers' time windows already treat as over.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.files import write_atomically

log = logging.getLogger(__name__)

SHARE_SCREEN = "share"


@dataclass(frozen=True)
class OnScreen:
    """The screen on display since ``since`` (wall-clock seconds since the epoch); ``token`` is
    the visit's photo while its share screen is up, ``news`` what else the phone page may say
    about that visit (e.g. ``{"print": "on its way"}``)."""

    screen: str
    since: float
    token: str | None = None
    news: dict[str, str] = field(default_factory=dict)

    @property
    def sharing(self) -> str | None:
        """The photo token whose share screen is up, or None."""
        return self.token if self.screen == SHARE_SCREEN else None

    def to_json(self) -> bytes:
        record: dict[str, Any] = {"screen": self.screen, "since": round(self.since, 3)}
        if self.token is not None:
            record["token"] = self.token
        if self.news:
            record["news"] = dict(self.news)
        return json.dumps(record, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> OnScreen:
        """Raises ValueError for anything but a record this module wrote."""
        try:
            record = json.loads(raw)
            screen, since = record["screen"], float(record["since"])
            token, news = record.get("token"), record.get("news", {})
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not an on-screen record: {error}") from None
        if not isinstance(screen, str) or not (token is None or isinstance(token, str)):
            raise ValueError("not an on-screen record: screen and token must be text")
        if not isinstance(news, dict):
            raise ValueError("not an on-screen record: news must be a table")
        return cls(screen, since, token, {str(k): str(v) for k, v in news.items()})


class OnScreenNote:
    """The booth's side: writes the record when the screen (or its photo, or its news)
    changes, never on every frame. A failed write is logged once and tried again at the next
    change; the booth never stops for it."""

    def __init__(self, path: Path):
        self.path = path
        self._written: tuple[str, str | None, tuple] | None = None
        self._since = 0.0
        self._problem: str | None = None

    def show(
        self,
        screen: str,
        token: str | None,
        clock: Callable[[], float],
        news: dict[str, str] | None = None,
    ) -> bool:
        """The booth is showing ``screen`` (with ``token``'s photo, if any); ``clock`` gives
        wall-clock seconds and is asked only on a change. True when the record was written."""
        news = news or {}
        key = (screen, token, tuple(sorted(news.items())))
        if key == self._written:
            return False
        # When only the news changed, the screen's start stays what it was.
        same_screen = self._written is not None and key[:2] == self._written[:2]
        now = self._since if same_screen else clock()
        try:
            write_atomically(self.path, OnScreen(screen, now, token, news).to_json(), durable=False)
        except OSError as error:
            problem = f"cannot note what is on screen in {self.path}: {error}"
            if problem != self._problem:
                log.error("%s", problem)
            self._problem = problem
            return False
        self._written, self._since, self._problem = key, now, None
        return True


class OnScreenReader:
    """The server's side: the latest record, read again only when the file changed."""

    def __init__(self, path: Path):
        self.path = path
        self._seen: tuple[int, int, int] | None = None
        self._record: OnScreen | None = None

    def current(self) -> OnScreen | None:
        """What the booth shows, or None (no booth running yet, or an unreadable record)."""
        try:
            status = os.stat(self.path)
        except OSError:
            self._seen, self._record = None, None
            return None
        seen = (status.st_ino, status.st_mtime_ns, status.st_size)
        if seen != self._seen:
            self._seen = seen
            try:
                self._record = OnScreen.from_json(self.path.read_bytes())
            except (OSError, ValueError) as error:
                log.warning("ignoring %s: %s", self.path, error)
                self._record = None
        return self._record
