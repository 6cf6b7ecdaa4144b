"""Share: the photo's QR code beside the person's portrait, the link as text in a face that tells
I, l, 0 and O apart, and how long the screen stays. Three cases:

- the booth makes its own Wi-Fi (``[hotspot]``): one large code that joins the phone to it (the
  photo then opens by itself, on the sign-in sheet), with the network's name and password as
  text, and the photo's own code smaller beside it as a second way;
- a network the booth does not make (``[share.wifi]``): two numbered steps, each its own code
  (side by side where they fit with clear space between, else one screen each), with the
  network's name and password as text;
- neither: the photo's code.

Presses in the first ``timing.share_guard`` seconds are ignored by the machine, so a stray press
cannot take the code away.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import (
    WRAP,
    Block,
    CodeMark,
    Colour,
    Media,
    Screen,
    ScreenKit,
    button_glyph,
    button_row,
    timed_glyph,
    write,
)
from kiosk.booth.screens.qr import qr_surface
from kiosk.share.links import QR_QUIET_ZONE, qr_modules, wifi_join_code

URL_SIZE = 3.8
CAPTION_SIZE = 4.6
# A module this many pixels per 1 % of the shorter side at least: about 1.5 mm on a 24-inch
# screen, which a phone held at arm's length still resolves.
MIN_MODULE = 0.5
# A longer link (a store's presigned one) is too long to type: the code alone carries it.
MAX_TYPED_LINK = 80
# The main button's glyph in the timer row, in % of the shorter side.
DONE_SIDE = 11
DONE_ROW = 12.5  # its row: the glyph, or the label and the line under it
# The join code's share of the codes' room when the booth makes its own Wi-Fi.
HOTSPOT_SHARE = 0.6
HOTSPOT_SECOND = 0.7  # the photo's own code at most this share of the join code's side


class ShareScreen(Screen):
    def __init__(self, kit: ScreenKit):
        super().__init__(kit)
        wifi = kit.config.join_wifi
        self.wifi = wifi
        self.hotspot = kit.config.hotspot.enabled
        # With the hotspot both codes share one screen, whatever its shape.
        self.two_codes = wifi is not None and (self.hotspot or self.fits_two_codes())
        self._wifi_code = qr_modules(wifi_join_code(wifi)) if wifi is not None else None
        self._surfaces: dict[tuple, pygame.Surface] = {}
        self.hero: pygame.Rect | None = None  # where the portrait is on the screen

    def fits_two_codes(self) -> bool:
        """Whether the Wi-Fi and link codes fit side by side, each large enough to scan."""
        return self.kit.width >= self.kit.height * 1.6

    def paint(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        photo = machine.photo
        # All but the timer stays as it is while the screen is up: drawn once, blitted once.
        key = ("share", machine.showing_wifi, photo.token if photo else "")
        key += (media.photo is not None, media.link_code is not None, media.link, media.printing)
        block = kit.block(key, kit.width, kit.height, lambda b: self._still(b, machine, media))
        kit.place(block, (0, 0), blit=self.fresh(key))
        self.hero = block.figure_at
        timeout = machine.share_seconds()
        left = max(0.0, timeout - machine.seconds_in_phase(now))
        if machine.showing_wifi:
            done, when = kit.texts.get("share_next"), "share_next_in"
        else:
            done, when = kit.texts.get("share_done"), "share_closes"
        self._done_row(done, kit.texts.get(when, seconds=round(left)), left / timeout)

    def _still(self, target: Block, machine: BoothMachine, media: Media) -> None:
        """The portrait (the hero), the codes beside it and the texts; everything but the
        timer, on ``target``."""
        kit = self.kit
        photo = machine.photo
        link = (media.link or photo.url) if photo is not None else ""
        codes: list[tuple[str, np.ndarray, str | None]] = []
        wifi_shown = machine.showing_wifi or self.two_codes
        wifi_caption, link_caption = self._captions()
        if wifi_shown and self._wifi_code is not None:
            codes.append(("wifi", self._wifi_code, wifi_caption))
        if not machine.showing_wifi and photo is not None:
            modules = media.link_code if media.link_code is not None else qr_modules(link)
            codes.append((link, modules, link_caption))

        unit, safe = kit.unit, kit.safe
        gap = round(4 * unit)
        aspect = kit.config.photo.aspect_ratio
        footer = round(DONE_ROW * unit)
        if kit.width >= kit.height * 1.2:
            # The portrait at full height on the left; title, codes and timer beside it.
            portrait_box = pygame.Rect(safe.left, safe.top, round(safe.height * aspect), 0)
            portrait_box.height = safe.height
            text = pygame.Rect(portrait_box.right + gap, safe.top, 0, 0)
            text.width = safe.right - text.left
            head_height = self._head(target, machine, text, measure=True, printing=media.printing)
            self._head(target, machine, text, printing=media.printing)
            code_area = pygame.Rect(text.left, text.top + head_height + gap, text.width, 0)
            code_area.height = safe.bottom - footer - gap - code_area.top
        else:
            # The portrait on top, a third of the screen or more; below it the codes, with
            # the title beside a single code.
            width = min(safe.width, round(safe.width * 0.73))
            portrait_box = pygame.Rect(0, safe.top, width, round(width / aspect))
            portrait_box.centerx = safe.centerx
            below = pygame.Rect(safe.left, portrait_box.bottom + gap, safe.width, 0)
            below.height = safe.bottom - footer - gap - below.top
            if len(codes) == 1 and not codes[0][2]:
                side = min(below.height, round(below.width * 0.5))
                code_area = pygame.Rect(below.left, below.top, side, below.height)
                text = pygame.Rect(code_area.right + gap, below.top, 0, below.height)
                text.width = below.right - text.left
                head_height = self._head(
                    target, machine, text, measure=True, printing=media.printing
                )
                text.top += max(0, (below.height - head_height) // 2)
                self._head(target, machine, text, printing=media.printing)
            else:
                text = pygame.Rect(below.left, below.top, below.width, below.height)
                head_height = self._head(target, machine, text, measure=True, short=True)
                self._head(target, machine, text, short=True)
                code_area = pygame.Rect(below.left, below.top + head_height + unit, 0, 0)
                code_area.size = (below.width, below.bottom - code_area.top)
        self._portrait(target, media.photo, portrait_box, photo.token if photo else "")

        widths = self._column_widths(code_area.width - gap * (len(codes) - 1), len(codes))
        caption_pixels = kit.pixels(CAPTION_SIZE)
        caption_lines = max(
            (
                len(kit.typeface.wrap(c, caption_pixels, self._caption_width(width) * WRAP,
                                      "semibold"))
                for (*_, c), width in zip(codes, widths, strict=True)
                if c
            ),
            default=0,
        )  # fmt: skip
        under_pixels = kit.pixels(URL_SIZE)
        unders = [self._under(key, link) for key, *_ in codes]
        wrapped = [
            self._wrapped(under, under_pixels, width)
            for under, width in zip(unders, widths, strict=True)
        ]
        under_lines = max((len(lines) for lines in wrapped), default=0)
        left, join_side = code_area.left, None
        for (key, modules, caption), lines, width in zip(codes, wrapped, widths, strict=True):
            column = pygame.Rect(left, code_area.top, width, code_area.height)
            left += width + gap
            # Numbered steps only where the phone joins a network the booth does not make.
            numbered = self.wifi is not None and not self.hotspot
            step = (1 if key == "wifi" else 2) if numbered else None
            # With the hotspot the photo's own code is the second way: smaller than the join code.
            second = join_side is not None and self.hotspot
            limit = round(join_side * HOTSPOT_SECOND) if second and join_side else None
            side = self._code(
                target, key, modules, caption, lines, column, caption_lines, under_lines, step,
                limit,
            )  # fmt: skip
            join_side = side if key == "wifi" else join_side

    def _captions(self) -> tuple[str, str | None]:
        """The captions over the Wi-Fi code and over the photo's code, by case."""
        texts = self.kit.texts
        if self.hotspot:
            return texts.get("share_hotspot_title"), texts.get("share_hotspot_other")
        link_step = texts.get("share_link_step") if self.wifi is not None else None
        return texts.get("share_wifi_step"), link_step

    def _column_widths(self, room: int, count: int) -> list[int]:
        """Equal columns; with the hotspot the join code gets the most room, the photo's own
        code (the second way) less."""
        if self.hotspot and count == 2:
            first = round(room * HOTSPOT_SHARE)
            return [first, room - first]
        return [room // max(1, count)] * count

    def _head(
        self,
        target: Block,
        machine: BoothMachine,
        column: pygame.Rect,
        measure: bool = False,
        short: bool = False,
        printing: str | None = None,
    ) -> int:
        """The title, what to do and the print note (``printing``, see ``_print_note``) from the
        column's top; returns their height (``measure``: without drawing)."""
        kit = self.kit
        unit = kit.unit
        two = self.two_codes and self.wifi is not None and not machine.showing_wifi
        parts = [(kit.texts.get("share_title"), 7, kit.foreground, "semibold", unit)]
        scan = kit.texts.get("share_scan_steps" if two or machine.showing_wifi else "share_scan")
        if self.hotspot:
            scan = kit.texts.get("share_hotspot_scan")
        if not short:  # a tall screen's numbered step says what to do instead
            parts.append((scan, 4.4, kit.foreground, "regular", 0))
        printed = printing is not None and not machine.showing_wifi
        if measure:
            height = sum(
                target.height_of(t, size, column.width, weight, max_lines=3) + after
                for t, size, _, weight, after in parts
            )
            if printed:
                height += self._print_note(target, printing, column, 0, measure=True)
            return round(height)
        top = float(column.top)
        for text, size, colour, weight, after in parts:
            top = target.paragraph(
                text, size, colour, top, weight, left=column.left, width=column.width,
                max_lines=3,
            ) + after  # fmt: skip
        if printed:
            top += self._print_note(target, printing, column, top)
        return round(top - column.top)

    def _caption_width(self, width: int) -> int:
        """A caption's width beside its step's disc in a column ``width`` wide."""
        return width - self._disc() - round(1.5 * self.kit.unit)

    def _disc(self) -> int:
        """The side of a step number's disc before a code's caption."""
        return round(7 * self.kit.unit)

    def _under(self, key: str, url: str) -> list[tuple[str, str]]:
        """The text under a code: the network and its password, or the link to type in (its
        intro marked "intro", left out with it) and how long it works."""
        texts = self.kit.texts
        if key != "wifi":
            days = max(1, round(self.kit.config.share.link_ttl / 86400))
            expires = (texts.get("share_expires", days=days), "regular")
            if len(url) > MAX_TYPED_LINK:
                return [expires]
            return [(texts.get("share_link_text"), "intro"), (url, "mono"), expires]
        assert self.wifi is not None
        under = [(texts.get("share_wifi_network", ssid=self.wifi.ssid), "regular")]
        if self.wifi.password:
            under += [(texts.get("share_wifi_password"), "regular"), (self.wifi.password, "mono")]
        return under

    def _wrapped(self, under: list[tuple[str, str]], pixels: int, width: int) -> list[tuple]:
        """The lines under a code; a link that cannot be broken at "/" into lines of the
        column's width is left out with the words that announce it (the code carries it)."""
        lines: list[tuple[str, str]] = []
        for text, weight in under:
            broken = self._lines(text, pixels, width, weight)
            if broken is None:
                lines = [line for line in lines if line[1] != "intro"]
                continue
            lines += [(line, weight) for line in broken]
        return [(line, "regular" if weight == "intro" else weight) for line, weight in lines]

    def _done_row(self, label: str, closes: str, share: float) -> None:
        """The main button's glyph in a ring of the time left, what it does, and when the
        screen moves on by itself."""
        kit = self.kit
        safe = kit.safe
        side = round(DONE_SIDE * kit.unit)
        if kit.width >= kit.height * 1.2:
            width = round(safe.width * 0.3)
            left = safe.right - width
        else:
            width, left = round(safe.width * 0.6), safe.left + round(safe.width * 0.4)
        height = round(DONE_ROW * kit.unit)
        block = kit.block(
            ("done", label, closes, round(share * 60)),
            width,
            height,
            lambda b: button_row(b, 0, timed_glyph(kit, side, share), label, 5.5, closes),
        )
        kit.place(block, (left, safe.bottom - height))

    def _print_note(
        self, target: Block, note: str, column: pygame.Rect, top: float, measure: bool = False
    ) -> float:
        """Under the texts beside the code: the second button's glyph and "print it" ("ask"
        mode), or a line saying a print is on its way, or that prints are paused and the photo
        is on the phone (kiosk/booth/prints.py chooses). Returns its height with the gap above
        (``measure``: without drawing)."""
        kit = self.kit
        texts = kit.texts
        gap = 3 * kit.unit
        if note == "offer":
            side = round(9 * kit.unit)
            if not measure:
                glyph = button_glyph(kit, False, side)
                label, sub = texts.get("print_offer"), texts.get("print_offer_sub")
                end = button_row(target, top + gap, glyph, label, 4.6, sub, left=column.left)
                return end - top
            return gap + side
        line = texts.get("print_on_its_way" if note == "on its way" else "print_paused")
        if measure:
            return gap + target.height_of(line, 4.0, column.width, "semibold", max_lines=3)
        end = target.paragraph(
            line, 4.0, kit.foreground, top + gap, "semibold", left=column.left,
            width=column.width, max_lines=3,
        )  # fmt: skip
        return end - top

    def _portrait(
        self, target: Block, photo: pygame.Surface | None, box: pygame.Rect, token: str
    ) -> None:
        if photo is None:
            return
        scale = min(box.width / photo.get_width(), box.height / photo.get_height())
        size = (round(photo.get_width() * scale), round(photo.get_height() * scale))
        key = ("portrait", token, size)
        if key not in self._surfaces:
            self._forget_some()
            self._surfaces[key] = pygame.transform.smoothscale(photo, size)
        picture = self._surfaces[key]
        target.figure_at = target.blit(picture, picture.get_rect(midtop=box.midtop).topleft)

    def qr_side(self, modules: int, room: int) -> int:
        """The largest whole-pixel module size that fits ``room``; never under MIN_MODULE."""
        module = max(math.ceil(MIN_MODULE * self.kit.unit), room // modules)
        return module * modules

    def _code(
        self,
        target: Block,
        key: str,
        modules: np.ndarray,
        caption: str | None,
        under_lines: list[tuple[str, str]],
        column: pygame.Rect,
        caption_room: int,
        under_room: int,
        step: int | None,
        max_side: int | None = None,
    ) -> int:
        """The step's number in a disc with its caption (in ``caption_room`` lines), the QR code
        (quiet zone included, white, at most ``max_side``) and lines of text under it (in
        ``under_room`` lines): codes side by side line up. Returns the code's side."""
        kit = self.kit
        face = kit.typeface
        unit = kit.unit
        caption_pixels, under_pixels = kit.pixels(CAPTION_SIZE), kit.pixels(URL_SIZE)
        disc = self._disc() if step is not None else 0
        caption_column = pygame.Rect(column.left, column.top, column.width, 0)
        if disc:
            caption_column.width = self._caption_width(column.width)
            caption_column.right = column.right
        else:
            # A caption without a step's disc (the hotspot's) keeps off the column's edge,
            # which may be the safe margin's: a wide face's first glyph overhangs its box.
            caption_column.inflate_ip(-round(kit.unit), 0)
        caption_lines = (
            face.wrap(caption, caption_pixels, caption_column.width * WRAP, "semibold")
            if caption
            else []
        )
        caption_height = max(caption_room * face.line_height(caption_pixels), disc)
        if not caption and not disc:
            caption_height = 0
        under_height = under_room * face.line_height(under_pixels)
        room = min(column.width, column.height - caption_height - under_height - round(2 * unit))
        if max_side is not None:
            room = min(room, max_side)
        side = self.qr_side(modules.shape[0], room)
        surface_key = (key, side)
        if surface_key not in self._surfaces:
            self._forget_some()
            self._surfaces[surface_key] = qr_surface(modules, side)
        code = self._surfaces[surface_key]
        top = column.top + max(0, (column.height - caption_height - side - under_height) / 2)
        if disc:
            centre = (column.left + disc // 2, round(top + disc / 2))
            pygame.draw.circle(target.surface, kit.accent, centre, disc // 2)
            pixels = kit.pixels(5)
            digit = str(step)
            face.draw(
                target.surface, digit, pixels, kit.background,
                centre[0] - face.width(digit, pixels, "semibold") / 2, centre[1] - pixels * 0.62,
                "semibold",
            )  # fmt: skip
        caption_lines_height = len(caption_lines) * face.line_height(caption_pixels)
        line_top = top + (caption_height - caption_lines_height) / 2
        for line in caption_lines:
            line_top = write(
                target.surface, target.labels, face, line, caption_pixels, kit.foreground,
                line_top, caption_column.left, caption_column.width, "semibold", align="left",
            )  # fmt: skip
        rect = code.get_rect(midtop=(column.centerx, round(top + caption_height + unit)))
        target.blit(code, rect.topleft)
        target.codes.append(CodeMark(rect, side // modules.shape[0], QR_QUIET_ZONE))
        top = rect.bottom + unit
        for line, weight in under_lines:
            colour = kit.foreground if weight == "mono" else kit.muted
            top = self._line(target, line, under_pixels, colour, column, top, weight)
        return side

    def _line(
        self,
        target: Block,
        line: str,
        pixels: int,
        colour: Colour,
        column: pygame.Rect,
        top: float,
        weight: str,
    ) -> float:
        return write(
            target.surface,
            target.labels,
            self.kit.typeface,
            line,
            pixels,
            colour,
            top,
            column.left,
            column.width,
            weight,
        )

    def _lines(self, text: str, pixels: int, width: int, weight: str) -> list[str] | None:
        """Words wrapped; a link or password, which has no spaces, on one line, else broken
        only after a "/" (never inside the host, the port or the token); None where even that
        does not fit."""
        face = self.kit.typeface
        if weight != "mono":
            return face.wrap(text, pixels, width * WRAP, "regular")
        pieces = [piece + "/" for piece in text.split("/")]
        pieces[-1] = pieces[-1][:-1]
        lines, current = [], ""
        for piece in (p for p in pieces if p):
            if current and face.width(current + piece, pixels, weight) > width * WRAP:
                lines.append(current)
                current = ""
            current += piece
        lines.append(current)
        if any(face.width(line, pixels, weight) > width * WRAP for line in lines):
            return None
        return lines

    def _forget_some(self) -> None:
        if len(self._surfaces) > 8:
            self._surfaces = {k: v for k, v in self._surfaces.items() if k[0] == "wifi"}
