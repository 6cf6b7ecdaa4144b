"""The phone's page, one renderer for the booth's server and the object store."""

from __future__ import annotations

from kiosk.config import parse_config
from kiosk.share.page import download_name, format_time, page, photo_body, slug, taken_by


def test_who_took_it_is_said_once_where_operator_and_event_share_a_name() -> None:
    same = parse_config({})  # a booth nobody named: "Echtbild" both
    assert taken_by(same.texts_for("en"), same) == "Photographed at Echtbild"
    named = parse_config({"event": {"name": "Gala 2026", "operator": "Studio Nord"}})
    assert taken_by(named.texts_for("de"), named) == "Fotografiert von Studio Nord · Gala 2026"


def test_names_in_files_and_keys_keep_their_letters_readable() -> None:
    assert slug("Straßenfest Köln 2026!") == "strassenfest-koln-2026"
    assert slug("   ") == "echtbild"
    assert download_name("Sommerfest 2026", 1783171812.0).startswith("sommerfest-2026-2026")


def test_a_page_for_the_store_carries_its_style_and_policy_inline() -> None:
    config = parse_config({"branding": {"accent": "#00aa88"}})
    texts = config.texts_for("en")
    body = photo_body(config, texts, "https://s/p.jpg?a=1&b=2", "https://s/d", 0.0, 60.0,
                      same_site_download=False)  # fmt: skip
    inline = page("en", "t", body, style="main{}")
    assert "Content-Security-Policy" in inline and "<style>main{}</style>" in inline
    assert 'href="/share.css"' not in inline and "a=1&amp;b=2" in inline
    assert " download>" not in inline, "a cross-site download link would be ignored"
    served = page("en", "t", photo_body(config, texts, "/v.jpg", "/p.jpg", 0.0, 60.0))
    assert 'href="/share.css"' in served and " download>" in served


def test_times_on_the_page_carry_their_zone(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    import time

    time.tzset()
    try:
        assert format_time(1783171812.0, "de") == "04.07.2026, 15:30 Uhr CEST"
        assert format_time(1767225600.0, "en") == "01 Jan 2026, 01:00 CET"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_the_page_says_once_what_was_done_to_the_photo_and_names_the_operator() -> None:
    config = parse_config({"event": {"name": "Gala", "operator": "Studio Nord"}})
    for language in ("de", "en"):
        body = photo_body(config, config.texts_for(language), "/v", "/d", 0.0, 60.0, "vm-host")
        assert "vm-host" not in body and "Studio Nord" in body
        # Said once what was done to the photo; the proof box does not repeat it.
        assert body.count("zugeschnitten") + body.count("cropped") == 1
        assert "unbearbeitet" not in body and "unedited" not in body
    german = photo_body(config, config.texts_for("de"), "/v", "/d", 0.0, 60.0, "vm-host")
    assert "Inhaltsnachweise" in german and "Content Credentials" not in german
