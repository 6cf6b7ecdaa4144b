"""The phone's page of a photo, as the booth's download server serves it and as it is put into
the object store: one renderer, so both say the same. Plain HTML and CSS, no script, nothing
loaded from elsewhere."""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata

from kiosk.config import BrandingConfig, Config
from kiosk.texts import Texts

STYLESHEET = """\
:root { color-scheme: light dark; --accent: %(accent)s; --ground: %(background)s; }
body { margin: 0; font: 18px/1.45 system-ui, sans-serif; background: %(background)s;
  color: %(foreground)s; }
main { max-width: 34rem; margin: 0 auto; padding: 1.2rem; text-align: center; }
h1 { font-size: 1.5rem; margin: 0.4rem 0 1rem; }
img { width: 100%%; height: auto; border-radius: 0.4rem; background: #0b121b; }
img.logo { width: auto; max-width: 60%%; max-height: 4rem; background: none; }
.download { display: block; margin: 1.2rem 0; padding: 1rem; border-radius: 0.6rem;
  background: var(--accent); color: var(--ground); font-size: 1.3rem; font-weight: 700;
  text-decoration: none; }
p { margin: 0.4rem 0; }
ul.save { text-align: left; margin: 0.4rem 0 1rem; padding-left: 1.2rem; }
.small { font-size: 0.9rem; opacity: 0.85; }
.news { font-weight: 600; }
.credentials { margin-top: 1.2rem; padding: 0.6rem; border: 1px solid var(--accent);
  border-radius: 0.4rem; font-size: 0.95rem; }
details.delete { margin-top: 2rem; padding-top: 1rem; border-top: 1px solid var(--accent); }
details.delete summary { cursor: pointer; padding: 0.6rem; text-decoration: underline; }
button { font: inherit; margin-top: 0.6rem; padding: 0.8rem 1.2rem; border-radius: 0.6rem;
  border: 2px solid #b52d29; background: #b52d29; color: #fff; font-weight: 700;
  min-height: 44px; }
"""


def stylesheet(branding: BrandingConfig) -> str:
    """The page's style in the event's colours (``[branding]``)."""
    return STYLESHEET % {
        "background": branding.background,
        "foreground": branding.foreground,
        "accent": branding.accent,
    }


def slug(text: str, limit: int = 40) -> str:
    """A name as it may stand in a file name or an object key: lowercase ASCII words joined by
    hyphens, e.g. 'Straßenfest Köln' -> 'strassenfest-koln'."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.decode().lower()).strip("-")
    return words[:limit].strip("-") or "echtbild"


def format_time(timestamp: float, language: str) -> str:
    """The booth's local time with its zone ("06.12.2026, 14:03 Uhr CET"): a guest from
    elsewhere reads it right."""
    moment = dt.datetime.fromtimestamp(timestamp).astimezone()
    zone = moment.strftime("%Z") or moment.strftime("UTC%z")
    if language == "de":
        return moment.strftime("%d.%m.%Y, %H:%M Uhr ") + zone
    return moment.strftime("%d %b %Y, %H:%M ") + zone


def download_name(event: str, created: float) -> str:
    """A readable, ASCII-only file name: 'sommerfest-2026-20260704-153012.jpg'."""
    stamp = dt.datetime.fromtimestamp(created).astimezone().strftime("%Y%m%d-%H%M%S")
    return f"{slug(event)}-{stamp}.jpg"


def taken_by(texts: Texts, config: Config) -> str:
    """Who took the photo at which event; said once where the two are one name."""
    event = config.event
    if event.operator.strip().casefold() == event.name.strip().casefold():
        return texts.get("web_taken_at_event", event=event.name)
    return texts.get("web_taken_by", operator=event.operator, event=event.name)


def photo_body(
    config: Config,
    texts: Texts,
    view_src: str,
    download_href: str,
    created: float,
    expires: float,
    signer: str | None = None,
    logo_src: str | None = None,
    same_site_download: bool = True,
    news: str | None = None,
) -> str:
    """The page's content: logo, title, news from the booth (a print on its way), the photo,
    the download button, how to save it, who took it when, until when the link works, and its
    Content Credentials."""
    escape = html.escape
    event = config.event
    title = texts.get("web_title", event=event.name)
    parts = []
    if logo_src is not None:
        parts.append(f'<img class="logo" src="{escape(logo_src)}" alt="{escape(event.operator)}">')
    # ``download`` only works for a file from the page's own site; the store sends its
    # download variant as an attachment instead.
    download = " download" if same_site_download else ""
    parts.append(f"<h1>{escape(title)}</h1>")
    if news is not None:
        parts.append(f'<p class="news">{escape(news)}</p>')
    parts += [
        f'<img src="{escape(view_src)}" alt="{escape(texts.get("web_photo_alt"))}">',
        f'<a class="download" href="{escape(download_href)}"{download}>',
        f"{escape(texts.get('web_download'))}</a>",
        f'<ul class="save"><li>{escape(texts.get("web_save_iphone"))}</li>',
        f"<li>{escape(texts.get('web_save_android'))}</li></ul>",
        f"<p>{escape(taken_by(texts, config))}</p>",
        f"<p>{escape(texts.get('web_taken_at', time=format_time(created, texts.language)))}</p>",
        f'<p class="small">'
        f"{escape(texts.get('web_expires', time=format_time(expires, texts.language)))}</p>",
        f'<p class="small">{escape(texts.get("web_original"))}</p>',
    ]
    if signer is not None:
        # The proof names whose booth signed it: the operator, not the machine's key name.
        owner = event.operator
        parts.append(
            f'<p class="credentials">{escape(texts.get("web_credentials", signer=owner))}'
            f'</p><p class="small">{escape(texts.get("web_credentials_how"))}</p>'
        )
    return "".join(parts)


def page(language: str, title: str, body: str, style: str | None = None) -> str:
    """A whole page around ``body``: with the server's stylesheet, or ``style`` inline (the
    store serves a single object, with a policy of its own in the page)."""
    if style is None:
        head = '<link rel="stylesheet" href="/share.css">'
    else:
        policy = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'"
        head = (
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
            f'<meta name="referrer" content="no-referrer"><style>{style}</style>'
        )
    return (
        f'<!doctype html>\n<html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"{head}<title>{html.escape(title)}</title></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def choose_language(accept_language: str | None, default: str) -> str:
    """The phone's preferred language among ours (de, en), else the booth's."""
    best, best_quality = default, 0.0
    for part in (accept_language or "").split(","):
        tag, _, parameters = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        quality = 1.0
        if "q=" in parameters:
            match = re.search(r"q=([01](?:\.[0-9]{0,3})?)\s*$", parameters)
            if not match:
                continue  # a malformed weight counts as no preference
            quality = float(match[1])
        if language in ("de", "en") and quality > best_quality:
            best, best_quality = language, quality
    return best
