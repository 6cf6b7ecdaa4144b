"""The config file: defaults, the shipped example, and a clear line for every kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import (
    Config,
    ConfigError,
    WifiConfig,
    describe_duration,
    load_config,
    parse_config,
)
from kiosk.texts import TEXT_KEYS

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "kiosk.toml"


def test_every_key_has_a_default() -> None:
    config = load_config(None)
    assert config.event.language == "de"
    assert config.photo.aspect_ratio == pytest.approx(0.8)
    assert config.share.link_ttl == 7 * 86400
    assert config.storage.retention == 30 * 86400


def test_the_example_config_is_valid_and_matches_the_defaults() -> None:
    example = load_config(EXAMPLE)
    defaults = Config()
    assert example.event.name == "Sommerfest 2026"
    assert example.event.language == "de"
    for section in ("display", "camera", "photo", "timing", "buttons", "branding"):
        assert getattr(example, section) == getattr(defaults, section), section


def test_the_example_config_documents_every_key() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for section_name, section in Config.model_fields.items():
        if section_name == "texts":
            continue
        assert f"[{section_name}]" in text
        for key in section.annotation.model_fields:
            documented = (f"\n{key} =", f"# {key} =", f"[{section_name}.{key}]")
            assert any(form in text for form in documented), f"{section_name}.{key}"
    for key in WifiConfig.model_fields:
        assert f"# {key} =" in text, f"share.wifi.{key}"


def test_durations_accept_units(tmp_path: Path) -> None:
    config = parse_config({"timing": {"review_timeout": "2m", "share_timeout": 30.5}})
    assert config.timing.review_timeout == 120
    assert config.timing.share_timeout == 30.5


def test_relative_files_are_next_to_the_config(tmp_path: Path, portrait_file: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[camera]\nimage = "{portrait_file.name}"\n[storage]\ndir = "data"\n')
    config = load_config(path)
    assert config.camera.image == portrait_file
    assert config.storage.dir == tmp_path / "data"


def test_text_overrides_apply_per_language() -> None:
    config = parse_config({"texts": {"en": {"share_title": "Your photo from the gala"}}})
    assert config.texts.en["share_title"] == "Your photo from the gala"
    assert config.texts.de == {}


BAD_CONFIGS = {
    "wrong type": ("[display]\nfullscreen = 'yes'\n", "display.fullscreen", "true or false"),
    "unknown key": ("[event]\nnme = 'x'\n", "event.nme", "allowed here: name"),
    "unknown section": ("[camra]\nimage = 'x'\n", "camra", "allowed here: event"),
    "number out of range": ("[photo]\njpeg_quality = 101\n", "photo.jpeg_quality", "at most 100"),
    "bad pin": ("[buttons]\nmain_pin = 40\n", "buttons.main_pin", "BCM number from 2 to 27"),
    "same pin twice": (
        "[buttons]\nmain_pin = 17\nsecond_pin = 17\n",
        "buttons",
        "must be different",
    ),
    "missing image file": ("[camera]\nimage = 'missing.png'\n", "camera.image", "does not exist"),
    "missing logo file": ("[branding]\nlogo = 'logo.png'\n", "branding.logo", "does not exist"),
    "bad colour": ("[branding]\naccent = 'red'\n", "branding.accent", "#rrggbb"),
    "bad language": ("[event]\nlanguage = 'fr'\n", "event.language", "'de' or 'en'"),
    "bad aspect": ("[photo]\naspect = '4x5'\n", "photo.aspect", "width:height"),
    "bad duration": ("[timing]\nreview_timeout = 'soon'\n", "timing.review_timeout", "'45s'"),
    "zero duration": ("[share]\nlink_ttl = 0\n", "share.link_ttl", "longer than 0"),
    "bad window size": ("[display]\nsize = [1280]\n", "display.size", "two whole numbers"),
    "float for whole number": ("[timing]\nretakes = 1.5\n", "timing.retakes", "whole number"),
    "bad base url": ("[share]\nbase_url = 'booth'\n", "share.base_url", "web address"),
    "bad port": ("[share]\nport = 0\n", "share.port", "at least 1"),
    "unknown text": ("[texts.de]\ntitel = 'x'\n", "texts.de", "unknown text titel"),
    "section is not a table": ("event = 'x'\n", "event", "must be a table"),
    "empty event name": ("[event]\nname = ''\n", "event.name", "must not be empty"),
    "short wifi password": (
        "[share.wifi]\nssid = 'BoothMachine'\npassword = 'abc'\n",
        "share.wifi.password",
        "a WPA password has 8 to 63",
    ),
    "link outlives photo": (
        "[share]\nlink_ttl = '40d'\n",
        "share.link_ttl",
        "longer than storage.retention",
    ),
    "negative disk floor": ("[storage]\nmin_free_mb = -1\n", "storage.min_free_mb", "at least 0"),
    # What only shows when the booth starts: check-config looks for it too.
    "picamera2 not installed": (
        "[camera]\nbackend = 'picamera2'\n",
        "camera.backend = 'picamera2'",
        "apt install python3-picamera2",
    ),
    "auto with neither camera nor picture": (
        "[camera]\nbackend = 'auto'\n",
        "camera.backend = 'auto'",
        "picamera2 is not installed",
    ),
    "camera picture that is no picture": (
        "[camera]\nimage = '/etc/hostname'\n",
        "camera.image",
        "is not a picture",
    ),
    "logo that is no picture": (
        "[branding]\nlogo = '/etc/hostname'\n",
        "branding.logo",
        "not a picture",
    ),
    "storage folder that cannot be made": (
        "[storage]\ndir = '/proc/nope'\n",
        "storage.dir",
        "cannot use /proc/nope",
    ),
    "stray brace in a text": ("[texts.en]\nreview_keep = 'Smile :-}'\n", "texts.en", "Single '}'"),
    "placeholder the text does not have": (
        "[texts.de]\nattract_press = 'Drück {knopf}'\n",
        "texts.de",
        "{knopf} is not filled in here",
    ),
    "share host of another machine": (
        "[share]\nhost = '203.0.113.7'\n",
        "share.host",
        "not an address of this machine",
    ),
    "share host that is no name": (
        "[share]\nhost = 'no-such-host.invalid'\n",
        "share.host",
        "neither an address nor a known host name",
    ),
}


@pytest.mark.parametrize("case", BAD_CONFIGS, ids=list(BAD_CONFIGS))
def test_check_config_names_the_bad_key(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, key, allowed = BAD_CONFIGS[case]
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["check-config", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert any(line.startswith(f"{key}: ") and allowed in line for line in lines), lines


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[photo]\njpeg_quality = 0\nburst_count = 0\n[event]\nlanguage = 'xx'\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    keys = sorted(problem.split(":")[0] for problem in caught.value.problems)
    assert keys == ["event.language", "photo.burst_count", "photo.jpeg_quality"]


def test_toml_syntax_error_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[event\nname = 'x'\n")
    assert main(["check-config", str(path)]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_missing_config_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "none.toml"), "check-config"]) == 2
    assert "no such config file" in capsys.readouterr().err


def test_kiosk_config_variable_selects_the_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    portrait_file: Path,
) -> None:
    path = tmp_path / "env.toml"
    path.write_text("[photo]\nburst_count = 99\n")
    monkeypatch.setenv("KIOSK_CONFIG", str(path))
    assert main(["check-config"]) == 2
    assert "photo.burst_count" in capsys.readouterr().err
    path.write_text(
        f'[photo]\nburst_count = 3\n[storage]\ndir = "{tmp_path}"\n'
        f'[camera]\nimage = "{portrait_file}"\n'
    )
    assert main(["check-config"]) == 0
    assert str(path) in capsys.readouterr().out


def test_every_text_key_can_be_overridden() -> None:
    overrides = {key: f"x {key}" for key in TEXT_KEYS}
    assert parse_config({"texts": {"de": overrides}}).texts.de == overrides


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(1, "1 second"), (45, "45 seconds"), (60, "1 minute"), (90, "90 seconds"),
     (3600, "1 hour"), (36 * 3600, "36 hours"), (7 * 86400, "7 days")],
)  # fmt: skip
def test_durations_read_as_staff_would_say_them(seconds: float, words: str) -> None:
    assert describe_duration(seconds) == words


def test_the_analysis_frame_keeps_the_sensors_aspect_in_the_displayed_orientation() -> None:
    assert parse_config({}).camera.analysis_frame_size == (512, 288)
    hq = {"sensor_size": [4056, 3040]}
    assert parse_config({"camera": hq}).camera.analysis_frame_size == (512, 384)
    turned = parse_config({"camera": {**hq, "rotation": 90}}).camera
    assert turned.analysis_frame_size == (384, 512)
    with pytest.raises(ConfigError, match=r"\[512, 384\]"):
        parse_config({"camera": {**hq, "analysis_size": [512, 288]}})
    given = parse_config({"camera": {**hq, "analysis_size": [640, 480]}}).camera
    assert given.analysis_frame_size == (640, 480)
