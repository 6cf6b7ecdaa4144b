"""Sound: what plays when (pure), synthesised ticks and shutter, spoken cues from espeak-ng WAVs
on pygame's mixer (SDL's dummy audio driver), and silence when a part is missing."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pygame
import pytest

from kiosk.booth.events import CaptureFinished, FramingAdvice, MainButton, Tick
from kiosk.booth.machine import BoothMachine
from kiosk.booth.sound import Heard, Speaker, shutter, sounds_for, tick
from kiosk.config import SoundConfig, TimingConfig
from kiosk.photos.store import SavedPhoto
from kiosk.texts import Texts


@pytest.fixture(autouse=True)
def mixer_off_afterwards():
    yield
    pygame.mixer.quit()


def walk() -> list[tuple[float, list[str]]]:
    """A visit, frame by frame, and what is heard on each frame that has a sound."""
    booth = BoothMachine(TimingConfig(countdown=3), 5)
    heard, log = Heard(), []

    def frame(now: float) -> None:
        nonlocal heard
        heard, sounds = sounds_for(heard, booth, now)
        if sounds:
            log.append((now, sounds))

    booth.handle(MainButton(), 0.0)
    frame(0.0)
    booth.handle(FramingAdvice(person_present=True, cue="cue_chin_up"), 0.5)
    frame(0.5)
    frame(0.6)
    booth.handle(FramingAdvice(person_present=True, cue=None, progress=0.5), 1.0)
    frame(1.0)
    booth.handle(MainButton(), 2.0)
    for step in range(31):
        now = 2.0 + step / 10
        booth.handle(Tick(), now)
        frame(now)
    booth.handle(CaptureFinished(SavedPhoto("p", "t", "u", 4, 5)), 5.5)
    frame(5.5)
    return log


def test_each_second_ticks_once_and_the_shutter_sounds_once() -> None:
    assert walk() == [
        (0.5, ["say:cue_chin_up"]),
        (2.0, ["tick", "say:3"]),
        (3.0, ["tick", "say:2"]),
        (4.0, ["tick", "say:1", "say:countdown_lens"]),
        (5.0, ["shutter"]),
    ]


def test_synthesised_sounds_are_short_soft_and_end_quietly() -> None:
    for wave, longest in ((tick(), 0.1), (shutter(), 0.2)):
        assert len(wave) / 44100 <= longest
        assert 0.05 < np.abs(wave).max() <= 0.5
        assert np.abs(wave[-100:]).max() < 0.05 * np.abs(wave).max()


def test_sound_off_plays_nothing_and_opens_no_device(tmp_path: Path) -> None:
    speaker = Speaker(SoundConfig(), Texts("de"), tmp_path)
    assert not speaker.working and not pygame.mixer.get_init()


def test_voice_is_rendered_once_with_espeak_and_played(tmp_path: Path) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("needs Debian's espeak-ng (.ci/run installs it; install.sh does when asked)")
    config = SoundConfig(enabled=True, voice=True)
    speaker = Speaker(config, Texts("de", address="Sie"), tmp_path)
    speaker._voice.join(timeout=60)
    assert speaker.working
    files = sorted(tmp_path.glob("*.wav"))
    assert any(path.name.startswith("cue_chin_up-") for path in files)
    assert pygame.mixer.Sound(str(files[0])).get_length() > 0.2
    stamps = {path: path.stat().st_mtime_ns for path in files}
    again = Speaker(config, Texts("de", address="Sie"), tmp_path)
    again._voice.join(timeout=60)
    assert {path: path.stat().st_mtime_ns for path in tmp_path.glob("*.wav")} == stamps
    booth = BoothMachine(TimingConfig(), 5)
    booth.handle(MainButton(), 0.0)
    booth.handle(FramingAdvice(person_present=True, cue="cue_chin_up"), 0.5)
    again.follow(booth, 0.5)
    assert pygame.mixer.get_busy()


def test_without_espeak_the_booth_only_ticks(tmp_path: Path, monkeypatch, caplog) -> None:
    monkeypatch.setattr("kiosk.booth.sound.shutil.which", lambda name: None)
    with caplog.at_level(logging.WARNING):
        speaker = Speaker(SoundConfig(enabled=True, voice=True), Texts("en"), tmp_path)
        speaker._voice.join(timeout=10)
    assert "espeak-ng is not installed" in caplog.text
    assert speaker.working and not list(tmp_path.glob("*.wav"))


def test_without_an_audio_device_the_booth_runs_silent(tmp_path: Path, monkeypatch, caplog) -> None:
    monkeypatch.setenv("SDL_AUDIODRIVER", "disk-that-is-not-there")
    with caplog.at_level(logging.WARNING):
        speaker = Speaker(SoundConfig(enabled=True), Texts("en"), tmp_path)
    assert not speaker.working
    assert "no audio device" in caplog.text
    booth = BoothMachine(TimingConfig(), 5)
    booth.handle(MainButton(), 0.0)
    booth.handle(MainButton(), 0.1)
    speaker.follow(booth, 0.2)  # nothing to play it on, and no error
