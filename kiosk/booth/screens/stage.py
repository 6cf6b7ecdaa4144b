"""Where the live screens put things: the preview, the cue column and the band.

Landscape: the preview at full height, a wide cue column on the lens's side (right, or left for a
lens left of the screen) and on the other side a band with the step strip (pose, photo, phone),
the event's branding and the button hint. Where both do not fit (a 1280x720 screen: the band
would be too narrow to read), the band gives way, never the preview's height or the cue.
Portrait: the preview at full width, the cue above it (below it for a lens below the screen) and
the band on the other side, the same way. A screen with the photo's own shape has no room
around the picture: the cue goes over the top of it, as a last resort.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.booth.screens.kit import (
    MIN_SIZE,
    SMALLEST_CUE,
    WRAP,
    Block,
    Colour,
    ScreenKit,
    button_glyph,
    mix,
)
from kiosk.texts import TEXT_KEYS

# Band sizes in % of the shorter side; the band's text needs this many pixels of width at least.
BAND_WIDTH = 26
BAND_HEIGHT = 12
BAND_MIN_PIXELS = 240
# A cue column narrower than this (in % of the shorter side) cannot hold a cue in two lines.
CUE_COLUMN = 48
# The live screens' headlines: the cues and the framing and countdown titles.
HEADLINE_PREFIXES = ("cue_", "framing_hold", "framing_press_title", "framing_timeout_title",
                     "countdown_", "capture_got_it")  # fmt: skip
STEP_KEYS = ("step_pose", "step_photo", "step_phone")
STEP_DISC = 5  # the step number's disc
STEP_SIZE = MIN_SIZE  # the step's name
HINT_SIDE = 8  # the button glyph of the hint


@dataclass(frozen=True)
class Stage:
    preview: pygame.Rect  # where the live picture goes
    cue: pygame.Rect  # the message's box
    band: pygame.Rect | None  # the step strip, branding and button hint; None where it gave way
    beside: bool  # the cue is a column beside the preview (else a band above or below it)


def stage_for(kit: ScreenKit, crop_size: tuple[int, int]) -> Stage:
    """The stage around a preview of ``crop_size``'s shape on ``kit``'s screen."""
    width, height = kit.width, kit.height
    safe, unit = kit.safe, kit.unit
    pad = round(2 * unit)
    scale = min(width / crop_size[0], height / crop_size[1])
    size = (round(crop_size[0] * scale), round(crop_size[1] * scale))
    if kit.landscape:
        band = round(BAND_WIDTH * unit)
        spare = safe.width - size[0] - pad
        if band < BAND_MIN_PIXELS or not _cues_fit(kit, spare - band - pad):
            band = 0
        column = spare - (band + pad if band else 0)
        if column >= CUE_COLUMN * unit:
            left_side = kit.lens == "left"
            if left_side:
                cue = pygame.Rect(safe.left, safe.top, column, safe.height)
                preview = pygame.Rect(cue.right + pad, 0, *size)
                strip = pygame.Rect(preview.right + pad, safe.top, band, safe.height)
            else:
                strip = pygame.Rect(safe.left, safe.top, band, safe.height)
                preview = pygame.Rect(strip.right + pad if band else safe.left, 0, *size)
                cue = pygame.Rect(preview.right + pad, safe.top, column, safe.height)
            preview.top = (height - size[1]) // 2
            return Stage(preview, cue, strip if band else None, True)
    else:
        band = round(BAND_HEIGHT * unit)
        spare = safe.height - size[1] - pad
        if spare - band - pad < 24 * unit:
            band = 0
        room = spare - (band + pad if band else 0)
        if room >= 16 * unit:
            preview = pygame.Rect((width - size[0]) // 2, 0, *size)
            if kit.lens == "below":
                strip = pygame.Rect(safe.left, safe.top, safe.width, band)
                preview.top = strip.bottom + pad if band else safe.top
                cue = pygame.Rect(safe.left, preview.bottom + pad, safe.width, room)
            else:
                cue = pygame.Rect(safe.left, safe.top, safe.width, room)
                preview.top = cue.bottom + pad
                strip = pygame.Rect(safe.left, preview.bottom + pad, safe.width, band)
            return Stage(preview, cue, strip if band else None, False)
    # The photo's own shape: the picture centred, the message over its top.
    preview = pygame.Rect(0, 0, *size).move((width - size[0]) // 2, (height - size[1]) // 2)
    cue = pygame.Rect(safe.left, safe.top, safe.width, round(24 * unit))
    return Stage(preview, cue, None, False)


def _cues_fit(kit: ScreenKit, width: int) -> bool:
    """Whether every headline of the live screens fits a column ``width`` wide in two lines at
    the smallest cue size (measured once per width: texts and typeface stay)."""
    if width < CUE_COLUMN * kit.unit:
        return False
    key = ("cues fit", width)
    if key not in kit.measured:
        pixels = kit.pixels(SMALLEST_CUE)
        headlines = [key for key in TEXT_KEYS if key.startswith(HEADLINE_PREFIXES)]
        kit.measured[key] = all(
            kit.typeface.fit(kit.texts.get(name), [pixels], (width * WRAP, 1e9), "semibold",
                             max_lines=2).fits
            for name in headlines
        )  # fmt: skip
    return kit.measured[key]


def hint_width(kit: ScreenKit) -> int:
    """The hint's width with its words on one line (a footer's, centred under the cue)."""
    text = kit.texts.get("band_button")
    words = kit.typeface.width(text, kit.pixels(MIN_SIZE), "regular") / WRAP
    return round((HINT_SIDE + 1.5) * kit.unit + words + 2)


def paint_band(block: Block, step: int, hint: bool = True) -> None:
    """The band: the event's name (or logo), the three steps with ``step`` (0-2) lit, and the
    main button with what it does here; in a column (landscape) or a row (portrait, where the
    event's name and then the hint give way when the row is too narrow)."""
    kit = block.kit
    texts, unit = kit.texts, kit.unit
    labels = [texts.get(key) for key in STEP_KEYS]
    if block.height > block.width:
        top = 0.0
        if step < 0:
            pass  # the idle screen names the event beside the band already
        elif kit.logo is not None and kit.logo.get_width() <= block.width:
            block.blit(kit.logo, (round((block.width - kit.logo.get_width()) / 2), 0))
            top = kit.logo.get_height() + 2 * unit
        else:
            name = kit.config.event.name
            top = block.paragraph(name, 5, kit.foreground, 0, "semibold", max_lines=2)
        steps_top = max(top + 6 * unit, block.height * 0.3)
        for number, label in enumerate(labels):
            _step(block, number, label, number == step, 0, steps_top + number * 10 * unit)
        if hint:
            paint_hint(block, 0, block.height - round(9 * unit), block.width)
        return
    # A row: the steps spread from the left, the button hint at the right.
    pixels = kit.pixels(STEP_SIZE)
    widths = [
        round(STEP_DISC * unit + 1.5 * unit + kit.typeface.width(label, pixels, "semibold"))
        for label in labels
    ]
    hint_width = round(26 * unit) if hint else 0
    if sum(widths) + 3 * 3 * unit + hint_width > block.width:
        hint_width = 0
    room = block.width - hint_width
    gap = (room - sum(widths)) / len(widths)
    top = (block.height - round(STEP_DISC * unit)) / 2
    left = 0.0
    for number, (label, width) in enumerate(zip(labels, widths, strict=True)):
        _step(block, number, label, number == step, left, top, width + gap / 2)
        left += width + gap
    if hint_width:
        paint_hint(
            block, block.width - hint_width, (block.height - round(8 * unit)) / 2, hint_width
        )


def _step(
    block: Block,
    number: int,
    label: str,
    lit: bool,
    left: float,
    top: float,
    width: float | None = None,
) -> None:
    """One step: its number in a disc (filled where it is the step now) and its name."""
    kit = block.kit
    unit = kit.unit
    side = round(STEP_DISC * unit)
    colour: Colour = kit.accent if lit else mix(kit.background, kit.foreground, 0.3)
    centre = (round(left + side / 2), round(top + side / 2))
    pygame.draw.circle(block.surface, colour, centre, side // 2)
    digit_colour = kit.background if lit else kit.foreground
    pixels = kit.pixels(STEP_SIZE)
    digit = str(number + 1)
    digit_width = kit.typeface.width(digit, pixels, "semibold")
    kit.typeface.draw(
        block.surface,
        digit,
        pixels,
        digit_colour,
        centre[0] - digit_width / 2,
        centre[1] - pixels * 0.62,
        "semibold",
    )
    text_left = left + side + 1.5 * unit
    column = (width if width is not None else block.width - left) - side - 1.5 * unit
    block.paragraph(
        label,
        STEP_SIZE,
        kit.foreground if lit else kit.muted,
        top + (side - kit.pixels(STEP_SIZE) * 1.22) / 2,
        "semibold" if lit else "regular",
        align="left",
        left=text_left,
        width=column,
        max_lines=1,
    )


def paint_hint(block: Block, left: float, top: float, width: float) -> None:
    """The main button and what it does on these screens (the photo now, as things are); in the
    band, or at the foot of the cue column where the band gave way."""
    kit = block.kit
    unit = kit.unit
    side = round(HINT_SIDE * unit)
    block.blit(button_glyph(kit, True, side), (left, top))
    text_left = left + side + 1.5 * unit
    text = kit.texts.get("band_button")
    text_height = block.height_of(text, MIN_SIZE, width - (text_left - left), max_lines=2)
    block.paragraph(
        text,
        MIN_SIZE,
        kit.foreground,
        top + (side - text_height) / 2,
        align="left",
        left=text_left,
        width=width - (text_left - left),
        max_lines=2,
    )
