"""The booth's typeface: Inter, shipped with the package (``kiosk/fonts``, under the SIL Open
Font License), or the event's own file (``branding.font``), drawn with pygame.freetype (kerning,
anti-aliasing). Weights carry the hierarchy: headlines semibold, body regular. DejaVu Sans from
the distribution stands in only if the package's files are missing (the screen tests also draw
every screen with it, to prove the texts fit with a wider face).

The share link is set in DejaVu Sans Mono (shipped too), which tells I, l, 1, 0 and O apart.

Every text is fitted to its box by ``fit``: wrapped, then set a step smaller on the screen's type
scale until it fits; never cut. Lines are balanced so that no line is a lone short word or a lone
number, and a no-break space (U+00A0) keeps "2\u00a0s" or "Schritt\u00a01" together.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pygame
import pygame.freetype

log = logging.getLogger(__name__)

PACKAGE_FONTS = Path(__file__).resolve().parents[2] / "fonts"
FONT_DIRS = (PACKAGE_FONTS, Path("/usr/share/fonts/truetype/dejavu"))
# Per weight, the files to try in order: Inter, then DejaVu Sans.
WEIGHT_FILES = {
    "regular": ("Inter-Regular.otf", "Inter-Regular.ttf", "DejaVuSans.ttf"),
    "semibold": ("Inter-SemiBold.otf", "Inter-SemiBold.ttf", "DejaVuSans-Bold.ttf"),
}
DEJAVU_FILES = {"regular": ("DejaVuSans.ttf",), "semibold": ("DejaVuSans-Bold.ttf",)}
MONO_FILES = ("DejaVuSansMono.ttf",)
# Words break only at ordinary spaces: a no-break space binds a number to its unit.
BREAKS = re.compile(r"[ \t\n]+")


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

    def __init__(self, custom: Path | None = None, files: dict[str, tuple[str, ...]] | None = None):
        """``custom``: the event's own font file for every weight; ``files``: the file names to
        look for per weight (DEJAVU_FILES draws with DejaVu Sans), Inter's by default."""
        if not pygame.freetype.get_init():
            pygame.freetype.init()
        self._fonts: dict[str, pygame.freetype.Font] = {}
        if custom is not None:
            shared = _open(custom)
            self._fonts = dict.fromkeys(WEIGHT_FILES, shared)
        else:
            for weight, names in (files or WEIGHT_FILES).items():
                path = _find(names)
                if path is None:
                    log.warning("no %s font (reinstall the package): pygame's own used", weight)
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
        """``text`` in as few lines as fit ``max_width``, balanced: each line about as long as
        the others, so no line is a lone short word or a lone number where another way exists.
        A word wider than the column stays whole on its own line (``fit`` makes it smaller)."""
        words = [word for word in BREAKS.split(text) if word]
        lines = self._greedy(words, pixels, max_width, weight)
        if len(lines) < 2:
            return lines
        # The narrowest column that still takes the text in as many lines: balanced lines.
        low = max(self.width(word, pixels, weight) for word in words)
        high = max_width
        while high - low > 2:
            middle = (low + high) / 2
            if len(self._greedy(words, pixels, middle, weight)) <= len(lines):
                high = middle
            else:
                low = middle
        balanced = self._greedy(words, pixels, high, weight)
        return balanced if len(balanced) == len(lines) else lines

    def _greedy(self, words: list[str], pixels: int, max_width: float, weight: str) -> list[str]:
        lines: list[str] = []
        current = ""
        for word in words:
            candidate = f"{current} {word}" if current else word
            if current and self.width(candidate, pixels, weight) > max_width:
                lines.append(current)
                current = word
            else:
                current = candidate
        if current:
            lines.append(current)
        return lines

    def fit(
        self,
        text: str,
        sizes: list[int],
        box: tuple[float, float],
        weight: str = "regular",
        leading: float = 1.22,
        max_lines: int | None = None,
    ) -> Fitted:
        """The largest of ``sizes`` (pixels, largest first) at which ``text`` wraps into
        ``box`` (width, height) in at most ``max_lines`` lines with no word wider than the box;
        the smallest size when none does (the caller's box was too small: a test finds it)."""
        width, height = box
        for pixels in sizes:
            lines = self.wrap(text, pixels, width, weight)
            fits = all(self.width(line, pixels, weight) <= width for line in lines)
            fits &= len(lines) * self.line_height(pixels, leading) <= height + 0.5
            fits &= max_lines is None or len(lines) <= max_lines
            if fits:
                return Fitted(lines, pixels, True)
        return Fitted(lines, pixels, False)


@dataclass(frozen=True)
class Fitted:
    """A text wrapped at the size that fits its box; ``fits`` is False where none did."""

    lines: list[str]
    pixels: int
    fits: bool
