"""The booth's framing screen on a headless display, as the benches draw it.

Not a bench itself: the benches that draw the booth's screen import it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame
from PIL import Image
from skimage import data

from kiosk.booth.events import FramingAdvice, MainButton
from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens import Media, screens_for
from kiosk.camera.crop import Crop, centred_crop
from kiosk.camera.frames import PreviewFrame, xrgb_from_rgb
from kiosk.camera.image_camera import ImageCamera
from kiosk.config import Config
from kiosk.vision.thresholds import thresholds_for


@dataclass
class FramingScreen:
    surface: pygame.Surface
    whole_field: PreviewFrame  # the camera's whole sensor field at the display's size
    centred: PreviewFrame  # a camera frame of the centred crop
    draw: Callable[..., None]
    draw_frame: Callable[[float, PreviewFrame, Crop], None]
    idle: Callable[[float, bool], None]  # the idle screen, with the live mirror or without


def framing_screen(size: tuple[int, int]) -> FramingScreen:
    """A display of ``size`` showing the framing screen at its busiest: the astronaut as the
    camera, the "perfect, hold it" state with the oval, the hold ring half full and the message
    panel. ``draw(now)`` draws one frame and flips, as the booth loop does: the guidance's crop is
    handed to the camera, whose next frame is drawn. ``draw(now, crop)`` draws another crop
    guidance picked since; ``draw_frame(now, frame, crop)`` draws ``crop`` from a given camera
    frame (one still cut to the centred crop, as right after guidance moved the crop; the whole
    field, as a Pi 4 streams it)."""
    pygame.display.init()
    pygame.font.init()
    config = Config()
    surface = pygame.display.set_mode(size)
    camera = ImageCamera(Image.fromarray(data.astronaut()), config.camera.sensor_size)
    screens = screens_for(surface, config, thresholds_for(config.guidance))
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

    def draw_frame(now: float, frame: PreviewFrame, shown: Crop) -> None:
        framing.draw(booth, now, Media(preview=frame, crop=shown))
        pygame.display.flip()

    idle_booth = BoothMachine(config.timing, config.photo.burst_count)
    idle_screen = screens[idle_booth.phase]

    def idle(now: float, live: bool) -> None:
        """The idle screen as the loop draws it: a camera frame each time when live."""
        if live:
            camera.set_preview_crop(crop)
            media = Media(preview=camera.preview_frame(), crop=crop)
        else:
            media = Media()
        idle_screen.draw(idle_booth, now, media)
        pygame.display.flip()

    whole_field = PreviewFrame(xrgb_from_rgb(camera.scene(size)), Crop(0, 0, *camera.sensor_size))
    return FramingScreen(surface, whole_field, camera.preview_frame(), draw, draw_frame, idle)


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


def frames_on_time(frame: Callable[[float], None], seconds: float, fps: int = 30) -> float:
    """Frames paced at ``fps`` for ``seconds``: the share done within their 1/fps slot (a late
    frame does not make the next ones late too). ``frame(now)`` is one frame's whole work."""
    slot = 1 / fps
    frames = on_time = 0
    start = time.perf_counter()
    while frames < seconds * fps:
        deadline = start + (frames + 1) * slot
        frame(time.perf_counter())
        frames += 1
        done = time.perf_counter()
        on_time += done <= deadline
        if done < deadline:
            time.sleep(deadline - done)
        else:
            start += done - deadline
    return on_time / frames
