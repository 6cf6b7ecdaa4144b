"""Both languages are complete: every screen text exists, is filled in, and fills its blanks."""

from __future__ import annotations

import string

import pytest

from kiosk.texts import LANGUAGES, TEXT_KEYS, TEXTS, Texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_has_every_text(language: str) -> None:
    assert set(TEXTS[language]) == TEXT_KEYS
    assert all(value.strip() for value in TEXTS[language].values())


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(TEXT_KEYS))
def test_languages_use_the_same_placeholders(key: str) -> None:
    assert placeholders(TEXTS["de"][key]) == placeholders(TEXTS["en"][key])


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_renders(language: str) -> None:
    texts = Texts(language)
    for key in TEXT_KEYS:
        text = texts.get(
            key,
            retention_days=30,
            retakes_left=2,
            seconds=5,
            days=7,
            time="1.1.",
            event="E",
            operator="O",
            signer="S",
        )
        assert "{" not in text and text[0] == text[0].upper()


def test_button_names_fill_in_and_overrides_win() -> None:
    texts = Texts("en", {"button_main": "green button"})
    assert texts.get("attract_press") == "Press the green button to start"
    assert Texts("de").get("review_keep") == "Großen Knopf: behalten"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="fr"):
        Texts("fr")
