"""The event's photos in the object store, across all its booths, for staff: a round trip that
checks the store works, a presigned gallery page of every photo, and an export to a folder for
the client after the event (resumable: what is there already is not fetched again)."""

from __future__ import annotations

import datetime as dt
import html
import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kiosk.files import write_atomically
from kiosk.share.cloud import CloudError, CloudStore

PROBE = "echtbild-store-check.txt"


def round_trip(store: CloudStore, prefix: str, now: dt.datetime) -> list[str]:
    """Put a small object, fetch it through a presigned link as a phone would, delete it; the
    steps done, in words. Raises CloudError naming the step that failed."""
    key = f"{prefix}{PROBE}"
    data = f"echtbild store check {now.isoformat()}".encode()
    store.put(key, data, "text/plain", "no-store")
    steps = [f"uploaded {key} to {store.bucket} at {store.endpoint}"]
    link = store.presigned(key, now, 300)
    try:
        with urllib.request.urlopen(link, timeout=10) as reply:
            fetched = reply.read()
    except OSError as error:
        raise CloudError(f"the presigned link does not open: {error}") from None
    if fetched != data:
        raise CloudError("the presigned link gave other bytes than were uploaded")
    steps.append("fetched it back through a presigned link, byte for byte")
    store.delete(key)
    steps.append("deleted it")
    return steps


@dataclass(frozen=True)
class EventPhoto:
    key: str
    size: int

    @property
    def booth(self) -> str:
        """The booth's part of the key (the folder above the photo)."""
        parts = self.key.split("/")
        return parts[-2] if len(parts) > 1 else ""


def event_photos(store: CloudStore, prefix: str) -> list[EventPhoto]:
    return sorted(
        (EventPhoto(key, size) for key, size in store.keys(prefix) if key.endswith(".jpg")),
        key=lambda photo: (photo.booth, photo.key),
    )


def gallery(
    store: CloudStore, prefix: str, title: str, now: dt.datetime, valid_for: float
) -> tuple[str, int]:
    """Upload a page with every photo of the event (presigned, valid for ``valid_for``) and
    return its presigned link and the number of photos on it."""
    photos = event_photos(store, prefix)
    sections: dict[str, list[str]] = {}
    for photo in photos:
        link = html.escape(store.presigned(photo.key, now, valid_for))
        download = html.escape(
            store.presigned(photo.key, now, valid_for, download_as=photo.key.rsplit("/", 1)[-1])
        )
        sections.setdefault(photo.booth, []).append(
            f'<a href="{download}"><img src="{link}" loading="lazy" alt=""></a>'
        )
    body = "".join(
        f"<h2>{html.escape(booth)} ({len(items)})</h2><div>{''.join(items)}</div>"
        for booth, items in sections.items()
    )
    page = (
        '<!doctype html>\n<html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src https: http:; style-src 'unsafe-inline'\">"
        "<style>body{font:16px system-ui,sans-serif;margin:1rem}div{display:flex;"
        "flex-wrap:wrap;gap:.5rem}img{height:12rem;border-radius:.3rem}</style>"
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f"<p>{len(photos)} photos; click one to download it.</p>{body}</body></html>\n"
    )
    key = f"{prefix}gallery-{now:%Y%m%d-%H%M%S}.html"
    store.put(key, page.encode(), "text/html; charset=utf-8", "private, no-cache")
    return store.presigned(key, now, valid_for), len(photos)


@dataclass(frozen=True)
class ExportResult:
    fetched: int
    already_there: int
    failed: list[str]


def export(store: CloudStore, prefix: str, folder: Path) -> ExportResult:
    """Every photo of the event into ``folder``/<booth>/, each written atomically; photos
    already there with their full size are skipped, so an interrupted export goes on."""
    fetched = already = 0
    failed = []
    for photo in event_photos(store, prefix):
        target = folder / (photo.booth or "photos") / photo.key.rsplit("/", 1)[-1]
        if target.is_file() and target.stat().st_size == photo.size:
            already += 1
            continue
        try:
            write_atomically(target, store.get(photo.key))
        except (CloudError, OSError) as error:
            failed.append(f"{photo.key}: {error}")
            continue
        fetched += 1
    os.sync()
    return ExportResult(fetched, already, failed)
