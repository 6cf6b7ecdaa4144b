"""The booth's typeface: Inter from the distribution (Debian's ``fonts-inter``), DejaVu Sans where
Inter is missing, or the event's own file (``branding.font``), drawn with pygame.freetype
(kerning, anti-aliasing). Weights carry the hierarchy: headlines semibold, body regular.

The share link is set in DejaVu Sans Mono, which tells I, l, 1, 0 and O apart.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pygame
import pygame.freetype

log = logging.getLogger(__name__)

FONT_DIRS = (
    Path("/usr/share/fonts/opentype/inter"),
    Path("/usr/share/fonts/truetype/inter"),
    Path("/usr/share/fonts/truetype/dejavu"),
)
# Per weight, the files to try in order: Inter, then DejaVu Sans.
WEIGHT_FILES = {
    "regular": ("Inter-Regular.otf", "Inter-Regular.ttf", "DejaVuSans.ttf"),
    "medium": ("Inter-Medium.otf", "Inter-Medium.ttf", "DejaVuSans.ttf"),
    "semibold": ("Inter-SemiBold.otf", "Inter-SemiBold.ttf", "DejaVuSans-Bold.ttf"),
    "bold": ("Inter-Bold.otf", "Inter-Bold.ttf", "DejaVuSans-Bold.ttf"),
}
MONO_FILES = ("DejaVuSansMono.ttf",)


def _find(names: tuple[str, ...]) -> Path | None:
    for name in names:
        for directory in FONT_DIRS:
            if (directory / name).is_file():
                return directory / name
    return None


def font_file(weight: str) -> Path | None:
    """The distribution's file for ``weight`` (Inter, else DejaVu Sans), e.g. for a print."""
    return _find(WEIGHT_FILES[weight])


def _open(path: Path | None) -> pygame.freetype.Font:
    # None is pygame's own font: the last resort when the distribution has no fonts at all.
    font = pygame.freetype.Font(str(path) if path else None)
    font.kerning = True
    font.antialiased = True
    font.pad = False
    # Drawing positions name the baseline's start, so lines of any text share their baseline.
    font.origin = True
    return font


class Typeface:
    """The fonts of every weight, measured and drawn by pixel size."""

    def __init__(self, custom: Path | None = None):
        if not pygame.freetype.get_init():
            pygame.freetype.init()
        self._fonts: dict[str, pygame.freetype.Font] = {}
        if custom is not None:
            shared = _open(custom)
            self._fonts = dict.fromkeys(WEIGHT_FILES, shared)
        else:
            for weight, names in WEIGHT_FILES.items():
                path = _find(names)
                if path is None:
                    log.warning("no %s font found (install fonts-inter); pygame's own used", weight)
                self._fonts[weight] = _open(path)
        self._fonts["mono"] = _open(_find(MONO_FILES))
        self.name = self._fonts["regular"].name

    def font(self, weight: str) -> pygame.freetype.Font:
        return self._fonts[weight]

    def width(self, text: str, pixels: int, weight: str = "regular") -> int:
        return self._fonts[weight].get_rect(text, size=pixels).width

    def line_height(self, pixels: int, leading: float = 1.22) -> int:
        """Distance between baselines of wrapped lines: a little more than the size."""
        return round(pixels * leading)

    def draw(
        self,
        surface: pygame.Surface,
        text: str,
        pixels: int,
        colour: tuple[int, int, int],
        left: float,
        line_top: float,
        weight: str = "regular",
        leading: float = 1.22,
    ) -> pygame.Rect:
        """``text`` on ``surface`` with its line box's top-left at (left, line_top); returns the
        line box (where the text's pixels are, with the line's full height)."""
        baseline = line_top + round(pixels * (0.98 + (leading - 1.22) / 2))
        ink = self._fonts[weight].render_to(
            surface, (round(left), round(baseline)), text, colour, size=pixels
        )
        line = pygame.Rect(
            round(left), round(line_top), ink.width, self.line_height(pixels, leading)
        )
        return line.union(ink)

    def wrap(self, text: str, pixels: int, max_width: float, weight: str = "regular") -> list[str]:
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}".strip()
            if current and self.width(candidate, pixels, weight) > max_width:
                lines.append(current)
                current = word
            else:
                current = candidate
        if current:
            lines.append(current)
        return lines
