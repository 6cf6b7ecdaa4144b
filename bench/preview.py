"""Framing screen cost per frame against the bare cost of putting the camera frame on screen.

For each display size the booth's framing screen (preview cut to the photo's crop, mirrored,
guide oval, cue banner, progress bar) is drawn and flipped many times, interleaved with the
baseline: the same camera frame through pygame.image.frombuffer, one blit and a flip. Medians
of many rounds keep a shared machine's noise out of the ratio.

Run: python bench/preview.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame
from PIL import Image
from skimage import data

from kiosk.camera import ImageCamera, preview_size_for
from kiosk.config import Config
from kiosk.framing import centred_crop
from kiosk.machine import Booth, Guidance, MainButton
from kiosk.screens import Media, Screens
from kiosk.texts import Texts

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
ROUNDS = 30
FRAMES_PER_ROUND = 10
TARGET = 1.5


def measure(size: tuple[int, int]) -> tuple[float, float]:
    config = Config()
    surface = pygame.display.set_mode(size)
    screens = Screens(surface, config, Texts("de"))
    camera = ImageCamera(Image.fromarray(data.astronaut()), config.camera.sensor_size)
    crop = centred_crop(camera.sensor_size, config.photo.aspect_ratio)
    preview_height = screens.preview_rect((crop.width, crop.height)).height
    camera.start(preview_size_for(camera.sensor_size, crop.height, preview_height), (320, 240))
    frame = camera.preview_frame()
    media = Media(preview=frame, sensor_size=camera.sensor_size, crop=crop)
    booth = Booth(config.timing, config.photo.burst_count)
    booth.handle(MainButton(), 0.0)
    booth.handle(Guidance(person_present=True, cue="framing_hint", progress=0.6), 0.1)
    frame_size = (frame.shape[1], frame.shape[0])

    def framing_screen() -> None:
        screens.draw(booth, 1.0, media)
        pygame.display.flip()

    def bare() -> None:
        surface.blit(pygame.image.frombuffer(frame, frame_size, "BGRA"), (0, 0))
        pygame.display.flip()

    for warm_up in (framing_screen, bare):
        for _ in range(20):
            warm_up()
    framing_times, bare_times = [], []
    for _ in range(ROUNDS):
        for step, times in ((framing_screen, framing_times), (bare, bare_times)):
            start = time.perf_counter()
            for _ in range(FRAMES_PER_ROUND):
                step()
            times.append((time.perf_counter() - start) / FRAMES_PER_ROUND)
    return statistics.median(framing_times), statistics.median(bare_times)


def main() -> int:
    pygame.display.init()
    pygame.font.init()
    print(f"SDL video driver: {pygame.display.get_driver()}")
    results = {}
    for name, size in SIZES.items():
        framing, bare = measure(size)
        results[name] = framing / bare
        print(
            f"{name}: framing screen {framing * 1000:.2f} ms/frame, "
            f"bare frombuffer+blit+flip {bare * 1000:.2f} ms/frame"
        )
    pygame.quit()
    for name, ratio in results.items():
        verdict = "ok" if ratio <= TARGET else "MISS"
        print(f"figure preview_ratio_{name} {ratio:.2f} target <={TARGET} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
