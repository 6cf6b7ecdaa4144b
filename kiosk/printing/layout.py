"""Where the photo goes on the paper, and the strip with the event line and logo.

The photo fills the paper's width inside the margin (or its height, if that is what limits it),
at the top; where the paper's shape differs from the photo's (a 4:5 photo on 2:3 paper) the
room below it becomes a strip in the event's colours with its logo and event line. The page
turns with the photo: a portrait photo on portrait paper, a landscape one on landscape paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from kiosk.printing.pdf import POINTS_PER_MM, JpegShape, Placement, RgbImage, photo_page

# The paper sizes a booth's printer takes: (width, height) in mm, portrait, and the PWG media
# name CUPS passes on (``lp -o media=...``).
PAPER_SIZES: dict[str, tuple[float, float, str]] = {
    "4x6": (101.6, 152.4, "na_index-4x6_4x6in"),
    "5x7": (127.0, 177.8, "na_5x7_5x7in"),
    "A6": (105.0, 148.0, "iso_a6_105x148mm"),
    "A5": (148.0, 210.0, "iso_a5_148x210mm"),
    "A4": (210.0, 297.0, "iso_a4_210x297mm"),
    "letter": (215.9, 279.4, "na_letter_8.5x11in"),
}
STRIP_DPI = 300
# A strip narrower than this is left blank: too little room for a line of type.
MIN_STRIP_MM = 8.0


@dataclass(frozen=True)
class PageLayout:
    paper: str
    page: tuple[float, float]  # points, turned with the photo
    photo: Placement
    strip: Placement | None  # the room below (or beside) the photo, if any

    def record(self) -> dict[str, Any]:
        """What the visit log keeps of the layout."""
        return {
            "paper": self.paper,
            "photo_mm": [
                round(self.photo.width / POINTS_PER_MM, 1),
                round(self.photo.height / POINTS_PER_MM, 1),
            ],
            "strip_mm": None
            if self.strip is None
            else [
                round(self.strip.width / POINTS_PER_MM, 1),
                round(self.strip.height / POINTS_PER_MM, 1),
            ],
        }


def page_layout(paper: str, margin_mm: float, photo: JpegShape) -> PageLayout:
    """The photo as large as the paper allows inside ``margin_mm``, at the top (or on the left
    when the room left is beside it), and the strip in the room that is left."""
    short, long_, _media = PAPER_SIZES[paper]
    portrait = photo.height >= photo.width
    width_mm, height_mm = (short, long_) if portrait else (long_, short)
    page = (width_mm * POINTS_PER_MM, height_mm * POINTS_PER_MM)
    margin = margin_mm * POINTS_PER_MM
    room_w, room_h = page[0] - 2 * margin, page[1] - 2 * margin
    scale = min(room_w / photo.width, room_h / photo.height)
    shown_w, shown_h = photo.width * scale, photo.height * scale
    spare_w, spare_h = room_w - shown_w, room_h - shown_h
    least = MIN_STRIP_MM * POINTS_PER_MM
    if spare_h >= spare_w:  # the photo at the top, the strip below it
        place = Placement(margin + spare_w / 2, margin + spare_h, shown_w, shown_h)
        strip = Placement(margin, margin, room_w, spare_h) if spare_h >= least else None
    else:  # the photo on the left, the strip beside it
        place = Placement(margin, margin + spare_h / 2, shown_w, shown_h)
        strip = Placement(margin + shown_w, margin, spare_w, room_h) if spare_w >= least else None
    return PageLayout(paper, page, place, strip)


def media_name(paper: str) -> str:
    return PAPER_SIZES[paper][2]


def hex_colour(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


@dataclass(frozen=True)
class Branding:
    """What the strip shows: the event line, the logo, the event's colours and typeface."""

    event_line: str
    background: str  # "#rrggbb"
    foreground: str
    logo: Path | None = None
    font: Path | None = None

    @property
    def empty(self) -> bool:
        return not self.event_line and self.logo is None


def render_strip(size: Placement, branding: Branding) -> RgbImage:
    """The strip at 300 dpi: the logo and the event line, centred, in the event's colours.
    Drawn once per event and paper (the worker keeps it), never per photo."""
    width = max(1, round(size.width / 72 * STRIP_DPI))
    height = max(1, round(size.height / 72 * STRIP_DPI))
    strip = Image.new("RGB", (width, height), hex_colour(branding.background))
    draw = ImageDraw.Draw(strip)
    vertical = height > width  # beside a landscape photo: logo above the line
    line_size = round(min(height * (0.28 if not vertical else 0.05), width * 0.06))
    pieces: list[Image.Image] = []
    if branding.logo is not None:
        with Image.open(branding.logo) as opened:
            logo = opened.convert("RGBA")
        box = (round(width * 0.8), round(height * (0.5 if not vertical else 0.3)))
        logo.thumbnail(box)
        pieces.append(logo)
    text_size = (0, 0)
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    if branding.event_line:
        font = _font(branding.font, line_size)
        left, top, right, bottom = draw.textbbox((0, 0), branding.event_line, font=font)
        if right - left > width * 0.9:  # a long line is set smaller, never cut
            line_size = int(line_size * width * 0.9 / (right - left))
            font = _font(branding.font, line_size)
            left, top, right, bottom = draw.textbbox((0, 0), branding.event_line, font=font)
        text_size = (right - left, bottom - top)
    gap = round(line_size * 0.6)
    if pieces and text_size[0] and not vertical and pieces[0].width + gap + text_size[0] <= width:
        # Side by side: the logo, then the line, centred together.
        total = pieces[0].width + gap + text_size[0]
        x = (width - total) // 2
        strip.paste(pieces[0], (x, (height - pieces[0].height) // 2), pieces[0])
        _text(draw, (x + pieces[0].width + gap, height // 2), branding, font, text_size)
        return RgbImage(width, height, strip.tobytes())
    total = sum(piece.height for piece in pieces) + (gap + text_size[1] if text_size[0] else 0)
    y = (height - total) // 2
    for piece in pieces:
        strip.paste(piece, ((width - piece.width) // 2, y), piece)
        y += piece.height + gap
    if text_size[0]:
        _text(draw, ((width - text_size[0]) // 2, y + text_size[1] // 2), branding, font, text_size)
    return RgbImage(width, height, strip.tobytes())


def _font(path: Path | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    size = max(8, size)
    return ImageFont.truetype(str(path), size) if path is not None else ImageFont.load_default(size)


def _text(
    draw: ImageDraw.ImageDraw,
    left_middle: tuple[int, int],
    branding: Branding,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    size: tuple[int, int],
) -> None:
    draw.text(
        left_middle,
        branding.event_line,
        fill=hex_colour(branding.foreground),
        font=font,
        anchor="lm",
    )


def print_file(
    jpeg: bytes, layout: PageLayout, branding: Branding, strip: RgbImage | None
) -> bytes:
    """The PDF for one photo: the page in the event's background colour when there is a strip,
    the photo's own bytes, the strip if drawn."""
    if layout.strip is None or strip is None:
        return photo_page(layout.page, jpeg, layout.photo)
    return photo_page(
        layout.page, jpeg, layout.photo, hex_colour(branding.background), (strip, layout.strip)
    )
