"""Pictograms that show the movement a cue asks for, readable without reading.

The preview is a mirror, so "to your left" points to the screen's left. Every shape has a dark
rim (``Sketch``), so it reads on any background.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pygame

from kiosk.booth.screens.shapes import Colour, Sketch


@dataclass(frozen=True)
class Palette:
    arrow: Colour  # the movement
    person: Colour  # the person as they should end up
    ghost: Colour  # where they are now
    rim: Colour  # the outline, the screen's background
    good: Colour  # "perfect"
    button: Colour  # the main button's cap


def _step_in(s: Sketch, p: Palette) -> None:
    s.bust(0.62, 0.34, 0.13, p.ghost)
    s.arrow((0.06, 0.62), (0.36, 0.62), 0.08, p.arrow)


def _one_person(s: Sketch, p: Palette) -> None:
    s.bust(0.68, 0.36, 0.11, p.ghost)
    s.polygon([(0.5, 0.2), (0.56, 0.16), (0.92, 0.8), (0.86, 0.84)], p.arrow)
    s.bust(0.36, 0.3, 0.13, p.person)


def _grow(small_first: bool) -> Callable[[Sketch, Palette], None]:
    def draw(s: Sketch, p: Palette) -> None:
        small, large = (p.ghost, p.person) if small_first else (p.person, p.ghost)
        s.bust(0.2, 0.5, 0.07, small)
        s.bust(0.7, 0.26, 0.15, large)
        tail, tip = (0.3, 0.46) if small_first else (0.46, 0.3)
        s.arrow((tail, 0.44), (tip, 0.44), 0.06, p.arrow)

    return draw


def _sideways(direction: int) -> Callable[[Sketch, Palette], None]:
    def draw(s: Sketch, p: Palette) -> None:
        s.bust(0.5 - 0.14 * direction, 0.34, 0.13, p.person)
        s.arrow((0.5 + 0.08 * direction, 0.34), (0.5 + 0.46 * direction, 0.34), 0.09, p.arrow)

    return draw


def _lower(s: Sketch, p: Palette) -> None:
    s.bust(0.5, 0.46, 0.13, p.person)
    s.arrow((0.5, 0.02), (0.5, 0.3), 0.09, p.arrow)


def _stand_straight(s: Sketch, p: Palette) -> None:
    # A person beside a height mark: a line with a bar at the top, an arrow up to it.
    s.bust(0.4, 0.34, 0.13, p.person)
    s.polygon([(0.7, 0.08), (0.94, 0.08), (0.94, 0.14), (0.7, 0.14)], p.arrow)
    s.arrow((0.82, 0.95), (0.82, 0.18), 0.08, p.arrow)


def _head(s: Sketch, p: Palette, centre: tuple[float, float], radius: float) -> None:
    s.circle(centre, radius, p.person)
    eye = radius * 0.14
    for side in (-1, 1):
        s.circle((centre[0] + side * radius * 0.38, centre[1] - radius * 0.05), eye, p.rim, False)


def _tilt(direction: int) -> Callable[[Sketch, Palette], None]:
    def draw(s: Sketch, p: Palette) -> None:
        _head(s, p, (0.5, 0.6), 0.26)
        start, end = (-30, -150) if direction < 0 else (-150, -30)
        s.curved_arrow((0.5, 0.6), 0.4, start, end, 0.08, p.arrow)

    return draw


def _profile(s: Sketch, p: Palette) -> None:
    """A head seen from the side, facing right: round skull, nose and chin."""
    s.circle((0.42, 0.45), 0.24, p.person)
    s.polygon([(0.6, 0.36), (0.74, 0.5), (0.6, 0.54)], p.person, outlined=False)
    s.polygon([(0.44, 0.62), (0.64, 0.6), (0.6, 0.72), (0.46, 0.74)], p.person, outlined=False)
    s.circle((0.56, 0.4), 0.025, p.rim, False)


def _chin(up: bool) -> Callable[[Sketch, Palette], None]:
    def draw(s: Sketch, p: Palette) -> None:
        _profile(s, p)
        start, end = (60, -20) if up else (-20, 60)
        s.curved_arrow((0.6, 0.62), 0.3, start, end, 0.07, p.arrow)

    return draw


def _turn(s: Sketch, p: Palette) -> None:
    _head(s, p, (0.5, 0.4), 0.24)
    s.curved_arrow((0.5, 0.72), 0.36, 160, 20, 0.07, p.arrow, squash=0.35)


def _hold(s: Sketch, p: Palette) -> None:
    s.circle((0.5, 0.5), 0.42, p.good)
    s.polygon(
        [(0.28, 0.5), (0.34, 0.44), (0.45, 0.55), (0.68, 0.32), (0.74, 0.38), (0.45, 0.67)],
        p.rim,
        outlined=False,
    )


def _lens(toward: str) -> Callable[[Sketch, Palette], None]:
    directions = {"above": (0, -1), "below": (0, 1), "left": (-1, 0), "right": (1, 0)}
    dx, dy = directions.get(toward, (0, -1))

    def draw(s: Sketch, p: Palette) -> None:
        centre = (0.5 - 0.1 * dx, 0.56 - 0.14 * dy)
        s.ellipse((centre[0] - 0.3, centre[1] - 0.16, 0.6, 0.32), p.person)
        s.circle(centre, 0.12, p.rim, False)
        s.circle(centre, 0.05, p.arrow, False)
        tip = (0.5 + 0.44 * dx if dx else centre[0], 0.5 + 0.46 * dy if dy else centre[1])
        tail = (tip[0] - 0.2 * dx, tip[1] - 0.22 * dy)
        s.arrow(tail, tip, 0.07, p.arrow)

    return draw


def _press(s: Sketch, p: Palette) -> None:
    button(s, p.button, p.rim, 0.42)


def button(s: Sketch, cap: Colour, rim: Colour, radius: float, centre=(0.5, 0.5)) -> None:
    """An arcade button from above: a grey bezel round a coloured cap with a soft highlight."""
    s.circle(centre, radius, (70, 74, 80))
    s.circle(centre, radius * 0.78, cap, outlined=False)
    light = tuple(min(255, round(c + (255 - c) * 0.45)) for c in cap)
    s.circle((centre[0] - radius * 0.22, centre[1] - radius * 0.22), radius * 0.2, light, False)


def _drawings(lens: str) -> dict[str, Callable[[Sketch, Palette], None]]:
    return {
        "cue_step_in": _step_in,
        "cue_one_person": _one_person,
        "cue_come_closer": _grow(small_first=True),
        "cue_step_back": _grow(small_first=False),
        "cue_move_left": _sideways(-1),
        "cue_move_right": _sideways(1),
        "cue_lower": _lower,
        "cue_higher": _stand_straight,
        "cue_tilt_left": _tilt(-1),
        "cue_tilt_right": _tilt(1),
        "cue_chin_up": _chin(up=True),
        "cue_chin_down": _chin(up=False),
        "cue_turn_to_camera": _turn,
        **{f"cue_look_{side}": _lens(side) for side in ("above", "below", "left", "right")},
        "hold": _hold,
        "lens": _lens(lens),
        "press": _press,
    }


PICTOGRAM_NAMES = frozenset(_drawings("above"))


def pictogram(name: str, side: int, palette: Palette, lens: str = "above") -> pygame.Surface:
    """The pictogram ``name`` (a cue's text key, or "hold", "lens", "press"), ``side`` pixels
    square."""
    sketch = Sketch(side, palette.rim)
    _drawings(lens)[name](sketch, palette)
    return sketch.surface()
