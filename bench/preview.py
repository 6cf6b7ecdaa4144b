"""Framing screen cost per frame against the bare cost of putting the camera frame on screen.

For each display size the booth's framing screen (preview cut to the photo's crop, mirrored,
guide oval, hold ring, message panel) is drawn and flipped many times, interleaved with the
baseline: a camera frame of the whole display through pygame.image.frombuffer, one blit and a
flip. It is measured with the centred crop and with a guided, off-centre crop, each drawn as the
booth loop does (the crop handed to the camera, its next frame drawn), plus a guided frame that
arrives still cut to the centred crop (the ISP applies a new crop a few frames late). Medians of
many rounds keep a shared machine's noise out of the ratios.

The idle screen with the live mirror (``display.idle_live_view``) is measured against the plain
idle screen: its extra milliseconds per frame, and what they cost of one CPU core at the
display's frame rate all day (the camera's own work on the ISP is not in it).

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
# The live idle view may cost at most this share of one core at 30 frames a second (a Pi 4 has
# four cores; the analysis child wants one, the loop one).
IDLE_TARGET = 0.35
DISPLAY_FPS = 30
GUIDED_TARGET = 1.2  # a guided crop against the centred one
GUIDED_CROP = Crop(700, 420, 1380, 1725)  # off-centre, about two thirds of the sensor's height
# Inside the centred crop, so a frame still cut to that is cut and scaled (the dearest case).
LATE_CROP = Crop(1300, 250, 1380, 1725)


def measure(size: tuple[int, int]) -> dict[str, float]:
    """Median seconds per frame of each way of drawing, interleaved round by round."""
    screen = framing_screen(size)
    display_frame = screen.whole_field.pixels

    def centred() -> None:
        screen.draw(1.0)

    def guided() -> None:
        screen.draw(1.0, GUIDED_CROP)

    def late() -> None:
        """A guided crop drawn from a frame the camera still cut to the centred crop: the
        cost of the frames right after guidance moves the crop."""
        screen.draw_frame(1.0, screen.centred, LATE_CROP)

    def whole_field() -> None:
        """A guided crop cut and scaled from the whole field, as on a Pi 4 (whose ISP cannot
        crop the preview alone)."""
        screen.draw_frame(1.0, screen.whole_field, GUIDED_CROP)

    def bare() -> None:
        screen.surface.blit(pygame.image.frombuffer(display_frame, size, "BGRA"), (0, 0))
        pygame.display.flip()

    def idle_live() -> None:
        screen.idle(1.0, True)

    def idle_still() -> None:
        screen.idle(1.0, False)

    steps = {
        "idle live": idle_live,
        "idle still": idle_still,
        "centred": centred,
        "guided": guided,
        "late": late,
        "whole field": whole_field,
        "bare": bare,
    }
    for warm_up in steps.values():
        for _ in range(20):
            warm_up()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(ROUNDS):
        for name, step in steps.items():
            start = time.perf_counter()
            for _ in range(FRAMES_PER_ROUND):
                step()
            times[name].append((time.perf_counter() - start) / FRAMES_PER_ROUND)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    pygame.display.init()
    pygame.font.init()
    print(f"SDL video driver: {pygame.display.get_driver()}")
    results, guided_results, idle_results = {}, {}, {}
    for name, size in SIZES.items():
        ms = {step: seconds * 1000 for step, seconds in measure(size).items()}
        results[name] = ms["centred"] / ms["bare"]
        guided_results[name] = ms["guided"] / ms["centred"]
        extra = ms["idle live"] - ms["idle still"]
        idle_results[name] = ms["idle live"] * DISPLAY_FPS / 1000
        print(
            f"{name}: idle screen {ms['idle live']:.2f} ms/frame with the live mirror, "
            f"{ms['idle still']:.2f} ms/frame without ({extra:+.2f} ms); at {DISPLAY_FPS} fps "
            f"the live idle screen keeps {idle_results[name]:.0%} of one core busy"
        )
        print(
            f"{name}: framing screen {ms['centred']:.2f} ms/frame centred, "
            f"{ms['guided']:.2f} ms/frame guided off-centre; guided cut from a frame still cut "
            f"to the centred crop {ms['late']:.2f} ms/frame, from the whole field (Pi 4) "
            f"{ms['whole field']:.2f} ms/frame ({ms['whole field'] / ms['centred']:.2f}x); bare "
            f"frombuffer+blit+flip of a display-sized frame {ms['bare']:.2f} ms/frame"
        )
    pygame.quit()
    for name, ratio in results.items():
        verdict = "ok" if ratio <= TARGET else "MISS"
        print(f"figure preview_ratio_{name} {ratio:.2f} target <={TARGET} {verdict}")
    for name, share in idle_results.items():
        verdict = "ok" if share <= IDLE_TARGET else "MISS"
        print(f"figure idle_live_core_share_{name} {share:.2f} target <={IDLE_TARGET} {verdict}")
    for name, ratio in guided_results.items():
        verdict = "ok" if ratio <= GUIDED_TARGET else "MISS"
        print(f"figure guided_over_centred_{name} {ratio:.2f} target <={GUIDED_TARGET} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
