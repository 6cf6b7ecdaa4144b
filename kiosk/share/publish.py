"""What goes into the object store for one photo: the photo's original bytes, and a small page
that shows it with a download button, both reached through presigned links.

The page's link (the QR code) and the photo's links inside the page are all signed as of the
moment the photo was taken, so they expire together, ``share.link_ttl`` later; signing happens
here, so the QR code is known before the upload ends.
"""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Config
from kiosk.photos.credentials import verify
from kiosk.share.cloud import CloudStore, load_credentials, object_prefix
from kiosk.share.page import download_name, page, photo_body, stylesheet
from kiosk.share.uploads import Job, UploadQueue

PHOTO_CACHE = "private, max-age=604800, immutable"
PAGE_CACHE = "private, no-cache"


class CloudPublisher:
    def __init__(self, config: Config, store: CloudStore, booth_id: str):
        self.config = config
        self.store = store
        self.layout = config.storage.layout
        self.prefix = object_prefix(config.cloud, config.event.name, booth_id)
        self.link_ttl = config.share.link_ttl
        self._logo = logo_data_url(config.branding.logo)

    def photo_key(self, token: str) -> str:
        return f"{self.prefix}{token}.jpg"

    def page_key(self, token: str) -> str:
        return f"{self.prefix}{token}.html"

    def page_link(self, token: str, created: dt.datetime) -> str:
        """The link a QR code carries: the photo's page in the store."""
        return self.store.presigned(self.page_key(token), created, self.link_ttl)

    def upload(self, job: Job) -> None:
        """The photo, then its page (so the page never shows a photo that is not there)."""
        path = self.layout.photo_inside(job.file)
        if path is None:  # a damaged row must never publish another file (keys, the index)
            raise FileNotFoundError(f"{job.file} is not in the photos folder")
        data = path.read_bytes()
        self.store.put(self.photo_key(job.token), data, "image/jpeg", PHOTO_CACHE)
        created = dt.datetime.fromtimestamp(job.created, dt.UTC)
        html_page = self.page(job.token, created, data)
        self.store.put(
            self.page_key(job.token), html_page.encode(), "text/html; charset=utf-8", PAGE_CACHE
        )

    def delete(self, job: Job) -> None:
        self.store.delete(self.page_key(job.token))
        self.store.delete(self.photo_key(job.token))

    def page(self, token: str, created: dt.datetime, photo: bytes | None = None) -> str:
        """The phone's page, as the booth's own server shows it (without the delete button,
        which only the booth can carry out); ``photo`` tells who signed it."""
        event = self.config.event
        texts = self.config.texts_for()
        key = self.photo_key(token)
        taken = created.timestamp()
        body = photo_body(
            self.config,
            texts,
            view_src=self.store.presigned(key, created, self.link_ttl),
            download_href=self.store.presigned(
                key, created, self.link_ttl, download_as=download_name(event.name, taken)
            ),
            created=taken,
            expires=taken + self.link_ttl,
            signer=verify(photo).signer if photo is not None else None,
            logo_src=self._logo,
            same_site_download=False,
        )
        title = texts.get("web_title", event=event.name)
        return page(texts.language, title, body, style=stylesheet(self.config.branding))


def logo_data_url(path: Path | None) -> str | None:
    """The event's logo inside the page itself (a page in the store loads nothing else)."""
    if path is None:
        return None
    kind = mimetypes.guess_type(path.name)[0] or "image/png"
    try:
        return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"
    except OSError:
        return None


@dataclass
class CloudParts:
    store: CloudStore
    publisher: CloudPublisher
    queue: UploadQueue


def open_cloud(
    config: Config, booth_id: str, clock: Callable[[], float] = time.monotonic
) -> CloudParts:
    """The object store as configured, and the queue of photos on their way there. Raises
    CloudError when the credentials file is unusable."""
    assert config.cloud.credentials_file is not None
    store = CloudStore(config.cloud, load_credentials(config.cloud.credentials_file))
    publisher = CloudPublisher(config, store, booth_id)
    queue = UploadQueue(
        config.storage.layout.uploads_path, publisher.upload, publisher.delete, clock
    )
    return CloudParts(store, publisher, queue)
