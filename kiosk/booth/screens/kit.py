"""What every screen draws with: the layout unit, the safe area, colours, the typeface, text blocks.

Sizes derive from the screen's shorter side (``unit`` = 1 % of it), so type has the same size in
landscape and portrait and any resolution works. Nothing is drawn inside ``display.safe_margin``
of an edge (kiosk bezels cover it). Every text and QR code drawn is noted on the kit
(``labels``, ``codes``) for the frame, so tests can check each one on the screen's pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.pictograms import Palette, button, pictogram
from kiosk.booth.screens.shapes import Sketch, dial
from kiosk.booth.screens.typeface import Typeface
from kiosk.camera.crop import Crop
from kiosk.camera.frames import PreviewFrame
from kiosk.config import Config
from kiosk.texts import Texts
from kiosk.vision.thresholds import FramingThresholds

Colour = tuple[int, int, int]

# Feedback colours keep their meaning whatever the event's branding: amber asks for a change,
# green says "just like that".
AMBER = (255, 183, 43)
GREEN = (64, 214, 118)
# Smallest type (in % of the shorter side): cues, and everything else the attendee reads.
CUE_SIZE = 6.5
MIN_SIZE = 3.6
BODY_SIZE = 4.2  # running text a person must read: notes, suggestions
# Cues are never smaller than this (in % of the shorter side), even in a low band.
SMALLEST_CUE = 6.0
# Cached blocks and pictures are dropped (and made again when asked for) beyond this many pixels
# each: about 32 MB, little for a Pi's memory, many frames' worth of reuse.
CACHE_PIXELS = 8_000_000


def hex_colour(value: str) -> Colour:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def mix(first: Colour, second: Colour, share: float) -> Colour:
    return tuple(round(a + (b - a) * share) for a, b in zip(first, second, strict=True))  # type: ignore[return-value]


# Lines wrap a little short of their column: a glyph's ink may reach past its advance width.
WRAP = 0.96
# Each step down the type scale is this much smaller than the one before.
SCALE_STEP = 0.92


def type_scale(largest: int, smallest: int) -> list[int]:
    """Pixel sizes from ``largest`` down to ``smallest`` in steps of the type scale."""
    sizes = [largest]
    while sizes[-1] > smallest:
        sizes.append(max(smallest, min(sizes[-1] - 1, round(sizes[-1] * SCALE_STEP))))
    return sizes


def write(
    surface: pygame.Surface,
    labels: list[Label],
    face: Typeface,
    text: str,
    pixels: int,
    colour: Colour,
    top: float,
    left: float,
    width: float,
    weight: str = "regular",
    role: str = "text",
    align: str = "centre",
    leading: float = 1.22,
    height: float | None = None,
    smallest: int | None = None,
    max_lines: int | None = None,
) -> float:
    """``text`` wrapped into the column [left, left + width] from ``top`` down, each line noted
    in ``labels``; returns the y just below it. With a ``height`` (or ``max_lines``) the text is
    fitted: set a step smaller on the type scale, down to ``smallest`` pixels, until it fits."""
    box = None
    if height is not None or max_lines is not None:
        room = height if height is not None else float("inf")
        sizes = type_scale(pixels, smallest or pixels)
        fitted = face.fit(text, sizes, (width * WRAP, room), weight, leading, max_lines)
        lines, pixels = fitted.lines, fitted.pixels
        if height is not None:
            box = pygame.Rect(round(left), round(top), round(width), round(height))
    else:
        lines = face.wrap(text, pixels, width * WRAP, weight)
    for line in lines:
        line_width = face.width(line, pixels, weight)
        x = left + (width - line_width) / 2 if align == "centre" else left
        rect = face.draw(surface, line, pixels, colour, x, top, weight, leading)
        labels.append(Label(rect, line, colour, pixels, role, box, len(lines)))
        top += face.line_height(pixels, leading)
    return top


@dataclass(frozen=True)
class Media:
    """What a frame shows besides text, handed to the screen by the booth loop each frame."""

    preview: PreviewFrame | None = None  # the newest preview frame while framing
    crop: Crop | None = None  # where the photo sits in the sensor image
    photo: pygame.Surface | None = None  # the review picture of the visit's photo
    link_code: np.ndarray | None = None  # QR modules of the visit's share link, if made already
    link: str | None = None  # the link that code carries
    printing: str | None = None  # the share screen's print line (kiosk/booth/prints.py)


@dataclass(frozen=True)
class Label:
    """One line of text as drawn: its box on the screen, colour, pixel size and role."""

    rect: pygame.Rect
    text: str
    colour: Colour
    pixels: int
    role: str  # "cue" (framing/countdown headline), "digit" (the countdown's) or "text"
    box: pygame.Rect | None = None  # the box the text was fitted to, if it was
    lines: int = 1  # how many lines the text it belongs to took

    def moved(self, left: int, top: int) -> Label:
        box = self.box.move(left, top) if self.box is not None else None
        return Label(
            self.rect.move(left, top),
            self.text,
            self.colour,
            self.pixels,
            self.role,
            box,
            self.lines,
        )


@dataclass(frozen=True)
class CodeMark:
    """A QR code as drawn: the code with its quiet zone, and the module size in pixels."""

    rect: pygame.Rect
    module: int
    quiet: int  # modules of quiet zone inside ``rect``


class Block:
    """A cached piece of screen (a panel of text and pictures on the background), drawn once and
    blitted every frame; it remembers where its texts are."""

    def __init__(self, kit: ScreenKit, width: int, height: int):
        self.kit = kit
        self.surface = pygame.Surface((max(1, width), max(1, height)))
        self.surface.fill(kit.background)
        self.labels: list[Label] = []
        self.codes: list[CodeMark] = []
        self.figure_at: pygame.Rect | None = None  # where a message's picture is

    @property
    def width(self) -> int:
        return self.surface.get_width()

    @property
    def height(self) -> int:
        return self.surface.get_height()

    def paragraph(
        self,
        text: str,
        size: float,
        colour: Colour,
        top: float,
        weight: str = "regular",
        role: str = "text",
        align: str = "centre",
        left: float = 0,
        width: float | None = None,
        leading: float = 1.22,
        height: float | None = None,
        smallest: float | None = None,
        max_lines: int | None = None,
    ) -> float:
        """Wrapped text from ``top`` down in the column [left, left + width]; returns the y just
        below it. Given a ``height`` or ``max_lines``, fitted down to ``smallest`` (a size in
        % of the shorter side; MIN_SIZE unless told)."""
        width = self.width - left if width is None else width
        if height is None and max_lines is not None:
            height = self.height - top
        return write(
            self.surface,
            self.labels,
            self.kit.typeface,
            text,
            self.kit.pixels(size),
            colour,
            top,
            left,
            width,
            weight,
            role,
            align,
            leading,
            height,
            self.kit.pixels(smallest if smallest is not None else min(size, MIN_SIZE)),
            max_lines,
        )

    def height_of(
        self,
        text: str,
        size: float,
        width: float,
        weight: str = "regular",
        leading: float = 1.22,
        room: float | None = None,
        smallest: float | None = None,
        max_lines: int | None = None,
    ) -> int:
        """How tall ``text`` is in a column ``width`` wide; with ``room`` (a height) or
        ``max_lines``, as fitted there (see ``paragraph``)."""
        kit = self.kit
        pixels = kit.pixels(size)
        if room is None and max_lines is None:
            lines = kit.typeface.wrap(text, pixels, width * WRAP, weight)
        else:
            sizes = type_scale(pixels, kit.pixels(smallest if smallest is not None else MIN_SIZE))
            fitted = kit.typeface.fit(
                text, sizes, (width * WRAP, room or float("inf")), weight, leading, max_lines
            )
            lines, pixels = fitted.lines, fitted.pixels
        return len(lines) * kit.typeface.line_height(pixels, leading)

    def blit(self, picture: pygame.Surface, position: tuple[float, float]) -> pygame.Rect:
        return self.surface.blit(picture, (round(position[0]), round(position[1])))

    def logo(self, top: float) -> float | None:
        """The event's logo centred from ``top`` down; the y below it and its gap, or None
        when the event has no logo."""
        logo = self.kit.logo
        if logo is None:
            return None
        self.blit(logo, logo.get_rect(midtop=(self.kit.width // 2, round(top))).topleft)
        return top + logo.get_height() + 4 * self.kit.unit


class Screen:
    """One attendee screen: ``draw`` paints the whole display for the machine's state."""

    def __init__(self, kit: ScreenKit):
        self.kit = kit
        self.entered = True  # this frame is the first since another screen drew
        self._still_key: object = None

    def draw(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        kit.labels.clear()
        kit.codes.clear()
        # Another screen drew last: whatever this one left on the display is gone.
        self.entered = kit.drawn_by is not self
        kit.drawn_by = self
        self.paint(machine, now, media)

    def paint(self, machine: BoothMachine, now: float, media: Media) -> None:
        raise NotImplementedError

    def fresh(self, key: object) -> bool:
        """Whether what stays still on this screen (named by ``key``) must be blitted now: on the
        first frame since another screen drew, or when it changed."""
        changed = self.entered or key != self._still_key
        self._still_key = key
        return changed


class ScreenKit:
    def __init__(
        self, surface: pygame.Surface, config: Config, texts: Texts, rules: FramingThresholds
    ):
        self.surface = surface
        self.config = config
        self.texts = texts
        self.rules = rules  # where the oval goes: the framing rules the booth guides by
        self.width, self.height = surface.get_size()
        self.unit = min(self.width, self.height) / 100
        self.landscape = self.width >= self.height
        margin = config.display.safe_margin
        self.safe = pygame.Rect(
            round(self.width * margin),
            round(self.height * margin),
            round(self.width * (1 - 2 * margin)),
            round(self.height * (1 - 2 * margin)),
        )
        self.background = hex_colour(config.branding.background)
        self.foreground = hex_colour(config.branding.foreground)
        self.accent = hex_colour(config.branding.accent)
        self.muted = mix(self.background, self.foreground, 0.68)
        self.main_button = hex_colour(config.buttons.main_colour)
        self.second_button = hex_colour(config.buttons.second_colour)
        self.palette = Palette(
            arrow=AMBER,
            person=self.foreground,
            ghost=mix(self.background, self.foreground, 0.42),
            rim=self.background,
            good=GREEN,
            button=self.main_button,
        )
        self.lens = getattr(config.camera, "lens_position", "above")
        self.typeface = Typeface(config.branding.font)
        self.labels: list[Label] = []
        self.codes: list[CodeMark] = []
        self.drawn_by: Screen | None = None
        self._blocks: dict[tuple, Block] = {}
        self._pictures: dict[tuple, pygame.Surface] = {}
        self.measured: dict[tuple, bool] = {}  # layout decisions that measured texts
        self.logo = self._load_logo(config.branding.logo)

    def pixels(self, size: float) -> int:
        return max(8, round(size * self.unit))

    # -- caches --

    def block(self, key: tuple, width: int, height: int, paint) -> Block:
        """The block for ``key``, painted by ``paint(block)`` the first time it is asked for."""
        key = (*key, width, height)
        if key not in self._blocks:
            if _pixels(block.surface for block in self._blocks.values()) > CACHE_PIXELS:
                self._blocks.clear()
            block = Block(self, width, height)
            paint(block)
            self._blocks[key] = block
        return self._blocks[key]

    def picture(self, key: tuple, make) -> pygame.Surface:
        """A drawn picture (pictogram, ring, glyph) made once by ``make()`` and kept."""
        if key not in self._pictures:
            if _pixels(self._pictures.values()) > CACHE_PIXELS:
                self._pictures.clear()
            self._pictures[key] = make()
        return self._pictures[key]

    def pictogram(self, name: str, side: int) -> pygame.Surface:
        return self.picture(
            ("pictogram", name, side), lambda: pictogram(name, side, self.palette, self.lens)
        )

    def place(self, block: Block, topleft: tuple[float, float], blit: bool = True) -> pygame.Rect:
        """Blit a block (unless it is on the display already: ``blit=False``) and note its texts
        and codes where they now are on the screen."""
        left, top = round(topleft[0]), round(topleft[1])
        if blit:
            self.surface.blit(block.surface, (left, top))
        self.labels.extend(label.moved(left, top) for label in block.labels)
        for code in block.codes:
            self.codes.append(CodeMark(code.rect.move(left, top), code.module, code.quiet))
        return block.surface.get_rect(topleft=(left, top))

    # -- whole-screen text (screens that are not redrawn per frame from blocks) --

    def paragraph(
        self,
        text: str,
        size: float,
        colour: Colour,
        top: float,
        column: pygame.Rect | None = None,
        weight: str = "regular",
        anchor_bottom: bool = False,
        height: float | None = None,
        max_lines: int | None = None,
    ) -> float:
        """Wrapped text centred in ``column`` (the safe area by default) from ``top`` down;
        returns the y just below it. Anchored at the bottom, ``top`` is where the text ends.
        Given a ``height`` or ``max_lines``, the text is fitted (down to MIN_SIZE)."""
        column = column or self.safe
        pixels = self.pixels(size)
        if anchor_bottom:
            lines = self.typeface.wrap(text, pixels, column.width * WRAP, weight)
            top -= self.typeface.line_height(pixels) * len(lines)
        if height is None and max_lines is not None:
            height = column.bottom - top
        smallest = self.pixels(min(size, MIN_SIZE))
        where = (top, column.left, column.width, weight)
        return write(self.surface, self.labels, self.typeface, text, pixels, colour, *where,
                     height=height, smallest=smallest, max_lines=max_lines)  # fmt: skip

    def split(self, pictures: int = 1) -> tuple[pygame.Rect, pygame.Rect]:
        """A picture area and a text area inside the safe area: side by side on wide screens,
        stacked on tall ones. Two pictures take two thirds of a wide screen."""
        safe = self.safe
        gap = round(3 * self.unit)
        if self.width >= self.height * 1.2:
            share = 2 / 3 if pictures > 1 else 0.55
            split = safe.left + round(safe.width * share)
            picture = pygame.Rect(safe.left, safe.top, split - safe.left - gap, safe.height)
            text = pygame.Rect(split, safe.top, safe.right - split, safe.height)
        else:
            # About 60 % of the screen's height: the photo no smaller than the live picture was.
            picture = pygame.Rect(safe.left, safe.top, safe.width, round(safe.height * 0.6))
            text = pygame.Rect(safe.left, picture.bottom + gap, safe.width, 0)
            text.height = safe.bottom - text.top
        return picture, text

    def _load_logo(self, path: Path | None) -> pygame.Surface | None:
        if path is None:
            return None
        logo = pygame.image.load(str(path))
        return fit(logo, (round(self.safe.width * 0.5), round(self.safe.height * 0.16)))


def _pixels(surfaces) -> int:
    return sum(surface.get_width() * surface.get_height() for surface in surfaces)


def fit(surface: pygame.Surface, box: tuple[int, int]) -> pygame.Surface:
    scale = min(box[0] / surface.get_width(), box[1] / surface.get_height())
    size = (max(1, round(surface.get_width() * scale)), max(1, round(surface.get_height() * scale)))
    return pygame.transform.smoothscale(
        surface.convert_alpha() if surface.get_alpha() else surface, size
    )


@dataclass
class Frame:
    """For tests and screenshots: one screen as drawn, with what was noted while drawing."""

    name: str
    surface: pygame.Surface
    labels: list[Label] = field(default_factory=list)
    codes: list[CodeMark] = field(default_factory=list)
    live: object | None = None  # the live screens' layout (oval, ring, face box)
    hero: pygame.Rect | None = None  # the share screen's portrait
    preview: pygame.Surface | None = None  # the bare live preview, as under the drawing


def button_glyph(kit: ScreenKit, main: bool, side: int) -> pygame.Surface:
    """The physical button as seen from above, in its cap's colour; the main one larger."""
    colour = kit.main_button if main else kit.second_button

    def make() -> pygame.Surface:
        sketch = Sketch(side, kit.background)
        button(sketch, colour, kit.background, 0.46)
        return sketch.surface()

    return kit.picture(("button", colour, side), make)


def timed_glyph(kit: ScreenKit, side: int, share: float) -> pygame.Surface:
    """The main button's glyph inside a ring showing the time left (``share`` of it)."""
    step = math.ceil(min(1.0, max(0.0, share)) * 60)

    def make() -> pygame.Surface:
        ring = dial(side, step / 60, kit.foreground, kit.palette.ghost)
        ring.blit(button_glyph(kit, True, round(side * 0.7)), (round(side * 0.15),) * 2)
        return ring

    return kit.picture(("timed", side, step), make)


def button_row(
    block: Block,
    top: float,
    glyph: pygame.Surface,
    label: str,
    size: float,
    sub: str = "",
    left: float = 0,
) -> float:
    """A button's glyph with what it does beside it (and a smaller line under that); returns
    the y below the row."""
    kit = block.kit
    side = glyph.get_width()
    text_left = left + side + 2.5 * kit.unit
    width = block.width - text_left
    # Labels on one line (stepped down the type scale where need be), the sub-line too.
    height = block.height_of(label, size, width, "semibold", max_lines=1)
    if sub:
        height += block.height_of(sub, MIN_SIZE, width, max_lines=1)
    text_top = top + max(0, (side - height) / 2)
    block.blit(glyph, (left, top + max(0, (height - side) / 2)))
    end = block.paragraph(
        label, size, kit.foreground, text_top, "semibold", align="left", left=text_left,
        max_lines=1,
    )  # fmt: skip
    if sub:
        end = block.paragraph(
            sub, MIN_SIZE, kit.muted, end, align="left", left=text_left, max_lines=1
        )
    return max(top + side, end)
