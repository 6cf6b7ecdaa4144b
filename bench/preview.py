"""Framing screen cost per frame against the bare cost of putting the camera frame on screen.

For each display size the booth's framing screen (preview cut to the photo's crop, mirrored,
guide oval, hold ring, message panel) is drawn and flipped many times, interleaved with the
baseline: the same camera frame through pygame.image.frombuffer, one blit and a flip. It is
measured with the centred crop (the preview stream maps it one-to-one) and with a guided,
off-centre crop guidance picks later (smaller: scaled onto the screen). Medians of many rounds
keep a shared machine's noise out of the ratios.

Run: python bench/preview.py
"""

from __future__ import annotations

import statistics
import sys
import time

import pygame
from _framing import framing_screen

from kiosk.camera.crop import Crop

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
ROUNDS = 30
FRAMES_PER_ROUND = 10
TARGET = 1.5
GUIDED_TARGET = 1.2  # a guided crop against the centred one
GUIDED_CROP = Crop(700, 420, 1380, 1725)  # off-centre, about two thirds of the sensor's height


def measure(size: tuple[int, int]) -> tuple[float, float, float]:
    """Median seconds per frame: framing screen with the centred crop, with the guided crop,
    and the bare baseline, interleaved round by round."""
    screen = framing_screen(size)
    frame = screen.frame
    frame_size = (frame.shape[1], frame.shape[0])

    def centred() -> None:
        screen.draw(1.0)

    def guided() -> None:
        screen.draw(1.0, GUIDED_CROP)

    def bare() -> None:
        screen.surface.blit(pygame.image.frombuffer(frame, frame_size, "BGRA"), (0, 0))
        pygame.display.flip()

    steps = (centred, guided, bare)
    for warm_up in steps:
        for _ in range(20):
            warm_up()
    times: dict = {step: [] for step in steps}
    for _ in range(ROUNDS):
        for step in steps:
            start = time.perf_counter()
            for _ in range(FRAMES_PER_ROUND):
                step()
            times[step].append((time.perf_counter() - start) / FRAMES_PER_ROUND)
    return tuple(statistics.median(times[step]) for step in steps)


def main() -> int:
    pygame.display.init()
    pygame.font.init()
    print(f"SDL video driver: {pygame.display.get_driver()}")
    results, guided_results = {}, {}
    for name, size in SIZES.items():
        framing, guided, bare = measure(size)
        results[name] = framing / bare
        guided_results[name] = guided / framing
        print(
            f"{name}: framing screen {framing * 1000:.2f} ms/frame centred, "
            f"{guided * 1000:.2f} ms/frame guided off-centre; bare frombuffer+blit+flip "
            f"{bare * 1000:.2f} ms/frame"
        )
    pygame.quit()
    for name, ratio in results.items():
        verdict = "ok" if ratio <= TARGET else "MISS"
        print(f"figure preview_ratio_{name} {ratio:.2f} target <={TARGET} {verdict}")
    for name, ratio in guided_results.items():
        verdict = "ok" if ratio <= GUIDED_TARGET else "MISS"
        print(f"figure guided_over_centred_{name} {ratio:.2f} target <={GUIDED_TARGET} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
