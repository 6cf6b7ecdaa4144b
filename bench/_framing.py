"""The booth's framing screen on a headless display, as the benches draw it.

Not a bench itself: bench/preview.py and bench/share.py import it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import numpy as np
import pygame
from PIL import Image
from skimage import data

from kiosk.booth.events import FramingAdvice, MainButton
from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens import Media, screens_for
from kiosk.camera.crop import Crop, centred_crop
from kiosk.camera.frames import xrgb_from_rgb
from kiosk.camera.image_camera import ImageCamera
from kiosk.config import Config


@dataclass
class FramingScreen:
    surface: pygame.Surface
    whole_field: np.ndarray  # the camera's whole sensor field at the display's size, XRGB
    draw: Callable[..., None]
    draw_late: Callable[[float, Crop], None]


def framing_screen(size: tuple[int, int]) -> FramingScreen:
    """A display of ``size`` showing the framing screen at its busiest: the astronaut as the
    camera, the "perfect, hold it" state with the oval, the hold ring half full and the message
    panel. ``draw(now)`` draws one frame and flips, as the booth loop does: the guidance's crop is
    handed to the camera, whose next frame is drawn. ``draw(now, crop)`` draws another crop
    guidance picked since; ``draw_late(now, crop)`` draws it from a frame the camera still cut
    to the centred crop, as right after guidance moved the crop."""
    pygame.display.init()
    pygame.font.init()
    config = Config()
    surface = pygame.display.set_mode(size)
    camera = ImageCamera(Image.fromarray(data.astronaut()), config.camera.sensor_size)
    screens = screens_for(surface, config, camera.sensor_size)
    crop = centred_crop(camera.sensor_size, config.photo.aspect_ratio)
    camera.start(screens.preview.rect_for((crop.width, crop.height)).size, (320, 240))
    booth = BoothMachine(config.timing, config.photo.burst_count)
    booth.handle(MainButton(), 0.0)
    booth.handle(FramingAdvice(person_present=True, cue=None, progress=0.5), 0.0)
    framing = screens[booth.phase]

    def draw(now: float, shown: Crop | None = None) -> None:
        camera.set_preview_crop(shown or crop)
        framing.draw(booth, now, Media(preview=camera.preview_frame(), crop=shown or crop))
        pygame.display.flip()

    centred = camera.preview_frame()

    def draw_late(now: float, shown: Crop) -> None:
        framing.draw(booth, now, Media(preview=centred, crop=shown))
        pygame.display.flip()

    return FramingScreen(surface, xrgb_from_rgb(camera.scene(size)), draw, draw_late)


def frame_times(frame: Callable[[float], None], seconds: float, fps: int = 30) -> list[float]:
    """Frames paced at ``fps``, as the booth loop runs; returns each frame's work time."""
    times = []
    period = 1 / fps
    next_frame = time.perf_counter()
    end = next_frame + seconds
    while next_frame < end:
        start = time.perf_counter()
        frame(start)
        times.append(time.perf_counter() - start)
        next_frame += period
        pause = next_frame - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    return times
