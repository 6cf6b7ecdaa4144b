"""Both languages are complete: every screen text exists, is filled in, and fills its blanks."""

from __future__ import annotations

import re
import string

import pytest

from kiosk.texts import FORMAL_GERMAN, LANGUAGES, TEXT_KEYS, TEXTS, Texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_has_every_text(language: str) -> None:
    assert set(TEXTS[language]) == TEXT_KEYS
    assert all(value.strip() for value in TEXTS[language].values())


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(TEXT_KEYS))
def test_languages_use_the_same_placeholders(key: str) -> None:
    assert placeholders(TEXTS["de"][key]) == placeholders(TEXTS["en"][key])


SAMPLE = dict(
    retention_days=30,
    link_days=7,
    retakes_left=2,
    seconds=5,
    days=7,
    time="1.1.",
    event="E",
    operator="O",
    signer="S",
    ssid="N",
    password="P",
    address="10.42.0.1",
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_renders(language: str) -> None:
    texts = Texts(language)
    for key in TEXT_KEYS:
        text = texts.get(key, **SAMPLE)
        assert "{" not in text and text[0] == text[0].upper()


def test_button_names_fill_in_and_overrides_win() -> None:
    texts = Texts("en", {"button_main": "green button"})
    assert texts.get("attract_press") == "Press the green button to start."
    assert Texts("de").get("attract_press") == "Drück den großen Knopf, um zu starten."


def test_labels_beside_button_glyphs_say_the_action_not_a_button_in_the_accusative() -> None:
    for address in ("du", "Sie"):
        texts = Texts("de", address=address)
        assert texts.get("review_keep") == "Behalten"
        # A no-break space keeps the number with its word: never a lone "2)" on a line.
        assert texts.get("review_retake", retakes_left=2) == "Neu aufnehmen (noch\u00a02)"
        assert texts.get("share_done") == "Fertig"


INFORMAL = re.compile(
    r"\b(du|dich|dir|dein\w*|drück|stell|komm|steh|schau|nimm|gib|prüfe?|tippe|halte?|öffne"
    r"|versuch|versuche|sag|geh|neig|dreh|heb|senk|bleib|scanne|verbinde)\b",
    re.I,
)


def test_formal_german_has_every_text_and_never_says_du() -> None:
    assert set(FORMAL_GERMAN) <= TEXT_KEYS
    formal = Texts("de", address="Sie")
    for key in TEXT_KEYS:
        informal = TEXTS["de"][key]
        if INFORMAL.search(informal):
            assert key in FORMAL_GERMAN, f"{key} speaks to 'du' and has no 'Sie' version"
        text = formal.get(key, **SAMPLE)
        assert not INFORMAL.search(text), f"{key}: {text}"
        assert placeholders(FORMAL_GERMAN.get(key, informal)) == placeholders(informal)


def test_formal_address_is_german_only_and_overrides_still_win() -> None:
    assert Texts("en", address="Sie").get("share_title") == "Your portrait"
    assert Texts("de", address="Sie").get("share_title") == "Ihr Porträt"
    assert Texts("de", {"share_title": "Ihr Bild"}, address="Sie").get("share_title") == "Ihr Bild"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="fr"):
        Texts("fr")


CUE_KEYS = sorted(key for key in TEXT_KEYS if key.startswith("cue_"))
# Instructions as infinitives ("Kinn etwas heben") read like a manual, not like a person.
INFINITIVE_END = re.compile(r"\b\w+(en|ern|eln)$")


@pytest.mark.parametrize("address", ["du", "Sie"])
def test_german_cues_are_imperatives_in_one_address(address: str) -> None:
    texts = Texts("de", address=address)
    for key in CUE_KEYS:
        cue = texts.get(key)
        if key == "cue_one_person":
            continue  # a polite refusal, not an instruction
        first = cue.split()[0]
        if address == "Sie":
            assert " Sie " in f" {cue} ", f"{key}: {cue}"
        else:
            assert not INFINITIVE_END.search(cue) or cue.endswith(("Linse", "Kamera")), cue
            assert first not in ("Bitte", "Kopf", "Kinn", "Gesicht"), f"{key}: {cue}"
        assert not cue.endswith("."), f"{key}: a cue has no full stop"


def test_numbers_stay_with_their_units() -> None:
    for language in LANGUAGES:
        for key, text in TEXTS[language].items():
            assert not re.search(r"\{(seconds|days|retention_days|link_days)\} ", text), (
                language,
                key,
            )


def test_english_uses_the_typographic_apostrophe() -> None:
    for key, text in TEXTS["en"].items():
        assert "'" not in text, (key, text)


def test_the_hold_moment_has_one_phrase_per_address() -> None:
    for language, address in (("de", "du"), ("de", "Sie"), ("en", "du")):
        texts = Texts(language, address=address)
        hold = texts.get("cue_hold_still")
        assert texts.get("framing_hold_press").startswith(hold.split(" – ")[0] + " – ")
        assert texts.get("capture_hold").rstrip("\u00a0…").casefold() in hold.casefold()
