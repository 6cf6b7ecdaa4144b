"""What goes into the object store for one photo: the photo's original bytes, and a small page
that shows it with a download button, both reached through presigned links.

The page's link (the QR code) and the photo's links inside the page are all signed as of the
moment the photo was taken, so they expire together, ``share.link_ttl`` later; signing happens
here, so the QR code is known before the upload ends.
"""

from __future__ import annotations

import datetime as dt
import html
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.config import Config
from kiosk.share.cloud import CloudStore, key_part, load_credentials, object_prefix
from kiosk.share.uploads import Job, UploadQueue
from kiosk.texts import Texts

PHOTO_CACHE = "private, max-age=604800, immutable"
PAGE_CACHE = "private, no-cache"


class CloudPublisher:
    def __init__(self, config: Config, store: CloudStore, booth_id: str):
        self.config = config
        self.store = store
        self.storage_dir = config.storage.dir.expanduser()
        self.prefix = object_prefix(config.cloud, config.event.name, booth_id)
        self.link_ttl = config.share.link_ttl

    def photo_key(self, token: str) -> str:
        return f"{self.prefix}{token}.jpg"

    def page_key(self, token: str) -> str:
        return f"{self.prefix}{token}.html"

    def page_link(self, token: str, created: dt.datetime) -> str:
        """The link a QR code carries: the photo's page in the store."""
        return self.store.presigned(self.page_key(token), created, self.link_ttl)

    def upload(self, job: Job) -> None:
        """The photo, then its page (so the page never shows a photo that is not there)."""
        data = (self.storage_dir / job.file).read_bytes()
        self.store.put(self.photo_key(job.token), data, "image/jpeg", PHOTO_CACHE)
        created = dt.datetime.fromtimestamp(job.created, dt.UTC)
        page = self.page(job.token, created)
        self.store.put(
            self.page_key(job.token), page.encode(), "text/html; charset=utf-8", PAGE_CACHE
        )

    def delete(self, job: Job) -> None:
        self.store.delete(self.page_key(job.token))
        self.store.delete(self.photo_key(job.token))

    def page(self, token: str, created: dt.datetime) -> str:
        """The phone's page: the photo, a download button, who took it, until when it works."""
        event = self.config.event
        texts = Texts(event.language, self.config.texts.overrides(event.language))
        key = self.photo_key(token)
        shown = self.store.presigned(key, created, self.link_ttl)
        name = f"{key_part(event.name)}-{created.astimezone():%Y%m%d-%H%M%S}.jpg"
        download = self.store.presigned(key, created, self.link_ttl, download_as=name)
        expires = created + dt.timedelta(seconds=self.link_ttl)
        return photo_page(self.config, texts, shown, download, created, expires)


def photo_page(
    config: Config,
    texts: Texts,
    photo_url: str,
    download_url: str,
    taken: dt.datetime,
    expires: dt.datetime,
) -> str:
    """A page with everything inline: no script, no resource from anywhere but the photo."""
    event, branding = config.event, config.branding
    escape = html.escape
    title = texts.get("web_title", event=event.name)
    style = (
        f"body{{margin:0;font:18px/1.45 system-ui,sans-serif;background:{branding.background};"
        f"color:{branding.foreground}}}main{{max-width:34rem;margin:0 auto;padding:1.2rem;"
        "text-align:center}h1{font-size:1.5rem}img{width:100%;height:auto;border-radius:.4rem}"
        f".download{{display:block;margin:1.2rem 0;padding:1rem;border-radius:.6rem;"
        f"background:{branding.accent};color:{branding.background};font-size:1.3rem;"
        "font-weight:700;text-decoration:none}.small{font-size:.9rem;opacity:.8}"
    )
    when = "%d.%m.%Y, %H:%M" if texts.language == "de" else "%d %b %Y, %H:%M"
    body = "".join(
        [
            f"<h1>{escape(title)}</h1>",
            f'<img src="{escape(photo_url)}" alt="{escape(texts.get("web_photo_alt"))}">',
            f'<a class="download" href="{escape(download_url)}">',
            f"{escape(texts.get('web_download'))}</a>",
            f"<p>{escape(texts.get('web_taken_by', operator=event.operator, event=event.name))}",
            "</p>",
            f"<p>{escape(texts.get('web_taken_at', time=taken.astimezone().strftime(when)))}</p>",
            f'<p class="small">'
            f"{escape(texts.get('web_expires', time=expires.astimezone().strftime(when)))}</p>",
            f'<p class="small">{escape(texts.get("web_original"))}</p>',
        ]
    )
    policy = "default-src 'none'; img-src https: http:; style-src 'unsafe-inline'"
    return (
        f'<!doctype html>\n<html lang="{texts.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="referrer" content="no-referrer">'
        f"<style>{style}</style><title>{escape(title)}</title></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


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
    queue = UploadQueue(config.storage.uploads_path, publisher.upload, publisher.delete, clock)
    return CloudParts(store, publisher, queue)
