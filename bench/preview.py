"""Framing screen cost per frame against the bare cost of putting the camera frame on screen.

For each display size the booth's framing screen (preview cut to the photo's crop, mirrored,
guide oval, hold ring, message panel) is drawn and flipped many times, interleaved with the
baseline: the same camera frame through pygame.image.frombuffer, one blit and a flip. Medians
of many rounds keep a shared machine's noise out of the ratio.

Run: python bench/preview.py
"""

from __future__ import annotations

import statistics
import sys
import time

import pygame
from _framing import framing_screen

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
ROUNDS = 30
FRAMES_PER_ROUND = 10
TARGET = 1.5


def measure(size: tuple[int, int]) -> tuple[float, float]:
    screen = framing_screen(size)
    frame = screen.frame
    frame_size = (frame.shape[1], frame.shape[0])

    def framing() -> None:
        screen.draw(1.0)

    def bare() -> None:
        screen.surface.blit(pygame.image.frombuffer(frame, frame_size, "BGRA"), (0, 0))
        pygame.display.flip()

    for warm_up in (framing, bare):
        for _ in range(20):
            warm_up()
    framing_times, bare_times = [], []
    for _ in range(ROUNDS):
        for step, times in ((framing, framing_times), (bare, bare_times)):
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
