"""The booth's sounds (``[sound]``, off by default): a soft tick per countdown second and a
shutter, synthesised here; with ``sound.voice`` each cue and the countdown spoken in the event's
language from WAV files that espeak-ng renders once into the storage folder.

``sounds_for`` is the pure part: what to play for a change of the machine's state. ``Speaker``
plays it with pygame.mixer. No audio device, or no espeak-ng: one log line, the booth runs silent.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pygame

from kiosk.booth.machine import BoothMachine, Phase
from kiosk.config import SoundConfig
from kiosk.exits import counted
from kiosk.texts import TEXT_KEYS, Texts

log = logging.getLogger(__name__)

RATE = 44100
# What the voice says: every cue, the countdown's numbers and its last line.
SPOKEN = [*sorted(key for key in TEXT_KEYS if key.startswith("cue_")), "countdown_lens"]
ESPEAK_VOICES = {"de": "de", "en": "en-gb"}


@dataclass(frozen=True)
class Heard:
    """What the attendee last heard about, to play each sound once."""

    phase: Phase | None = None
    second: int | None = None
    cue: str | None = None


def sounds_for(before: Heard, machine: BoothMachine, now: float) -> tuple[Heard, list[str]]:
    """The sounds for the machine's state, given what was heard before: "tick", "shutter",
    "say:<text key or digit>"."""
    phase = machine.phase
    sounds: list[str] = []
    second, cue = None, None
    if phase is Phase.COUNTDOWN:
        second = machine.countdown_remaining(now)
        if second != before.second or before.phase is not Phase.COUNTDOWN:
            sounds += ["tick", f"say:{second}"]
            if second == 1:
                sounds.append("say:countdown_lens")
    elif phase is Phase.CAPTURE and before.phase is not Phase.CAPTURE:
        sounds.append("shutter")
    elif phase is Phase.FRAMING and machine.advice is not None:
        cue = machine.advice.cue
        if cue is not None and cue != before.cue:
            sounds.append(f"say:{cue}")
    return Heard(phase, second, cue), sounds


def tick() -> np.ndarray:
    """A soft wooden tick: a low sine with a fast decay, 60 ms."""
    t = np.arange(int(RATE * 0.06)) / RATE
    wave = np.sin(2 * np.pi * 880 * t) * np.exp(-t * 70) * 0.35
    return wave


def shutter() -> np.ndarray:
    """A camera shutter: two short bursts of softened noise, the second quieter."""
    rng = np.random.default_rng(7)
    length = int(RATE * 0.16)
    noise = rng.standard_normal(length)
    # A moving average takes the hiss out.
    noise = np.convolve(noise, np.ones(6) / 6, mode="same")
    t = np.arange(length) / RATE
    envelope = np.exp(-t * 90) + 0.6 * np.exp(-np.maximum(0, t - 0.08) * 90) * (t >= 0.08)
    return noise * envelope * 0.4


def _sound(wave: np.ndarray, volume: float) -> pygame.mixer.Sound:
    samples = np.clip(wave * volume * 32767, -32768, 32767).astype(np.int16)
    channels = pygame.mixer.get_init()[2]
    return pygame.sndarray.make_sound(np.repeat(samples[:, None], channels, axis=1).copy())


class Speaker:
    """Plays the booth's sounds, or nothing when sound is off or cannot work here."""

    def __init__(self, config: SoundConfig, texts: Texts, folder: Path):
        self.config = config
        self.texts = texts
        self.folder = folder
        self.heard = Heard()
        self._sounds: dict[str, pygame.mixer.Sound] = {}
        self.working = False
        if not config.enabled:
            return
        try:
            if not pygame.mixer.get_init():
                pygame.mixer.init(frequency=RATE, size=-16, channels=2)
        except pygame.error as error:
            log.warning("sound: no audio device (%s); the booth runs silent", error)
            return
        self.working = True
        self._sounds["tick"] = _sound(tick(), config.volume)
        self._sounds["shutter"] = _sound(shutter(), config.volume)
        if config.voice:
            self._voice = threading.Thread(target=self.load_voice, name="voice", daemon=True)
            self._voice.start()

    def follow(self, machine: BoothMachine, now: float) -> None:
        """Play what the machine's state calls for (call once per frame)."""
        self.heard, sounds = sounds_for(self.heard, machine, now)
        if self.working:
            for name in sounds:
                sound = self._sounds.get(name)
                if sound is not None:
                    sound.play()

    def load_voice(self) -> None:
        """Render the spoken texts with espeak-ng (once: files are kept per text) and load them."""
        espeak = shutil.which("espeak-ng")
        if espeak is None:
            log.warning("sound.voice: espeak-ng is not installed; cues are not spoken")
            return
        voice = ESPEAK_VOICES[self.texts.language]
        self.folder.mkdir(parents=True, exist_ok=True)
        spoken = {key: self.texts.get(key) for key in SPOKEN}
        spoken |= {str(n): str(n) for n in range(1, 11)}
        for key, text in spoken.items():
            digest = hashlib.sha256(f"{voice}:{text}".encode()).hexdigest()[:12]
            path = self.folder / f"{key}-{digest}.wav"
            if not path.exists():
                partial = path.with_suffix(".tmp")
                result = subprocess.run(
                    [espeak, "-v", voice, "-s", "150", "-w", str(partial), text],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if result.returncode != 0:
                    log.warning("sound.voice: espeak-ng failed: %s", result.stderr.strip())
                    return
                partial.replace(path)
            sound = pygame.mixer.Sound(str(path))
            sound.set_volume(self.config.volume)
            self._sounds[f"say:{key}"] = sound
        log.info("sound.voice: %s ready in %s", counted(len(spoken), "spoken text"), self.folder)
