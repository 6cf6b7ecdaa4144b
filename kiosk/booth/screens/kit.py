"""What every screen draws with: the layout unit, colours, fonts, cached text, wrapped paragraphs.

Sizes derive from the screen's shorter side (``unit`` = 1 % of it), so type has the same size in
landscape and portrait and any resolution works. Rendered text is cached per size and colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.camera.crop import Crop
from kiosk.config import Config
from kiosk.texts import Texts

Colour = tuple[int, int, int]


def hex_colour(value: str) -> Colour:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def mix(first: Colour, second: Colour, share: float) -> Colour:
    return tuple(round(a + (b - a) * share) for a, b in zip(first, second, strict=True))  # type: ignore[return-value]


@dataclass(frozen=True)
class Media:
    """What a frame shows besides text, handed to the screen by the booth loop each frame."""

    preview: np.ndarray | None = None  # the newest preview frame while framing
    crop: Crop | None = None  # where the photo sits in the sensor image
    photo: pygame.Surface | None = None  # the review picture of the visit's photo
    link_code: np.ndarray | None = None  # QR modules of the visit's share link, if made already
    link: str | None = None  # the link that code carries


class Screen:
    """One attendee screen: ``draw`` paints the whole display for the machine's state."""

    def __init__(self, kit: ScreenKit):
        self.kit = kit

    def draw(self, machine: BoothMachine, now: float, media: Media) -> None:
        raise NotImplementedError


class ScreenKit:
    def __init__(self, surface: pygame.Surface, config: Config, texts: Texts):
        self.surface = surface
        self.config = config
        self.texts = texts
        self.width, self.height = surface.get_size()
        self.unit = min(self.width, self.height) / 100
        self.background = hex_colour(config.branding.background)
        self.foreground = hex_colour(config.branding.foreground)
        self.accent = hex_colour(config.branding.accent)
        self.muted = mix(self.background, self.foreground, 0.6)
        self._fonts: dict[int, pygame.font.Font] = {}
        self._rendered: dict[tuple[str, int, Colour], pygame.Surface] = {}
        self.logo = self._load_logo(config.branding.logo)

    def split(self, pictures: int = 1) -> tuple[pygame.Rect, pygame.Rect]:
        """A picture area and a text area: side by side on wide screens, stacked on tall ones.
        Two pictures take two thirds of a wide screen."""
        margin = round(4 * self.unit)
        if self.width >= self.height * 1.2:
            split = self.width * 2 // 3 if pictures > 1 else self.width // 2
            picture = pygame.Rect(margin, margin, split - 2 * margin, self.height - 2 * margin)
            text = pygame.Rect(split, 3 * margin, self.width - split - margin, 0)
            text.height = self.height - 4 * margin
        else:
            picture = pygame.Rect(margin, margin, self.width - 2 * margin, round(self.height * 0.6))
            text = pygame.Rect(margin, picture.bottom + margin, self.width - 2 * margin, 0)
            text.height = self.height - text.top - margin
        return picture, text

    def paragraph(
        self,
        text: str,
        size: float,
        colour: Colour,
        top: float,
        column: pygame.Rect | None = None,
        anchor_bottom: bool = False,
    ) -> float:
        """Wrapped text centred in ``column`` (the whole screen by default) from ``top`` down;
        returns the y just below it. Anchored at the bottom, ``top`` is where the text ends."""
        column = column or self.surface.get_rect()
        font = self.font(size)
        lines = wrap(text, font, column.width * 0.92)
        line_height = font.get_linesize()
        if anchor_bottom:
            top -= line_height * len(lines) + self.unit
        for index, line in enumerate(lines):
            rendered = self.text(line, size, colour)
            self.surface.blit(
                rendered,
                rendered.get_rect(midtop=(column.centerx, round(top + index * line_height))),
            )
        return top + line_height * len(lines)

    def fitted_text(
        self, text: str, size: float, colour: Colour, width: float | None = None
    ) -> pygame.Surface:
        """One line at ``size``, smaller where the screen (or ``width``) is too narrow for it."""
        width = width or self.width * 0.94
        while size > 2 and self.font(size).size(text)[0] > width:
            size -= 0.5
        return self.text(text, size, colour)

    def text(self, text: str, size: float, colour: Colour) -> pygame.Surface:
        pixels = max(8, round(size * self.unit))
        key = (text, pixels, colour)
        if key not in self._rendered:
            if len(self._rendered) > 256:
                self._rendered.clear()
            self._rendered[key] = self.font(size).render(text, True, colour)
        return self._rendered[key]

    def font(self, size: float) -> pygame.font.Font:
        pixels = max(8, round(size * self.unit))
        if pixels not in self._fonts:
            self._fonts[pixels] = pygame.font.Font(None, pixels)
        return self._fonts[pixels]

    def _load_logo(self, path: Path | None) -> pygame.Surface | None:
        if path is None:
            return None
        logo = pygame.image.load(str(path))
        return fit(logo, (round(self.width * 0.5), round(self.height * 0.18)))


def fit(surface: pygame.Surface, box: tuple[int, int]) -> pygame.Surface:
    scale = min(box[0] / surface.get_width(), box[1] / surface.get_height())
    size = (max(1, round(surface.get_width() * scale)), max(1, round(surface.get_height() * scale)))
    return pygame.transform.smoothscale(
        surface.convert_alpha() if surface.get_alpha() else surface, size
    )


def wrap(text: str, font: pygame.font.Font, max_width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and font.size(candidate)[0] > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines
