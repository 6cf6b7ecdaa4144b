"""The booth's framing screen on a headless display, as the benches draw it.

Not a bench itself: bench/preview.py and bench/share.py import it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import numpy as np
import pygame
from PIL import Image
from skimage import data

from kiosk.camera import ImageCamera, preview_size_for
from kiosk.config import Config
from kiosk.framing import centred_crop
from kiosk.machine import Booth, Guidance, MainButton
from kiosk.screens import Media, Screens
from kiosk.texts import Texts


@dataclass
class FramingScreen:
    surface: pygame.Surface
    frame: np.ndarray
    draw: Callable[[float], None]


def framing_screen(size: tuple[int, int]) -> FramingScreen:
    """A display of ``size`` showing the framing screen: the astronaut as the camera, a cue, a
    half-full progress bar. ``draw(now)`` draws one frame and flips."""
    pygame.display.init()
    pygame.font.init()
    config = Config()
    surface = pygame.display.set_mode(size)
    screens = Screens(surface, config, Texts("de"))
    camera = ImageCamera(Image.fromarray(data.astronaut()), config.camera.sensor_size)
    crop = centred_crop(camera.sensor_size, config.photo.aspect_ratio)
    height = screens.preview_rect((crop.width, crop.height)).height
    camera.start(preview_size_for(camera.sensor_size, crop.height, height), (320, 240))
    media = Media(preview=camera.preview_frame(), sensor_size=camera.sensor_size, crop=crop)
    booth = Booth(config.timing, config.photo.burst_count)
    booth.handle(MainButton(), 0.0)
    booth.handle(Guidance(person_present=True, cue="framing_hint", progress=0.5), 0.0)

    def draw(now: float) -> None:
        media.preview = camera.preview_frame()
        screens.draw(booth, now, media)
        pygame.display.flip()

    return FramingScreen(surface, media.preview, draw)
