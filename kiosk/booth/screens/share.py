"""Share: the photo's QR code beside the person's portrait, the link as text in a face that tells
I, l, 0 and O apart, and how long the screen stays. With the booth's own Wi-Fi: two numbered
steps, each its own code (side by side where they fit with clear space between, else one screen
each), with the network's name and password as text.

Presses in the first ``timing.share_guard`` seconds are ignored by the machine, so a stray press
cannot take the code away.
"""

from __future__ import annotations

import numpy as np
import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import (
    MIN_SIZE,
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


class ShareScreen(Screen):
    def __init__(self, kit: ScreenKit):
        super().__init__(kit)
        wifi = kit.config.share.wifi
        self.wifi = wifi
        self.two_codes = wifi is not None and self.fits_two_codes()
        self._wifi_code = qr_modules(wifi_join_code(wifi)) if wifi is not None else None
        self._surfaces: dict[tuple, pygame.Surface] = {}

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
        timeout = machine.timing.share_timeout
        left = max(0.0, timeout - machine.seconds_in_phase(now))
        if machine.showing_wifi:
            done, when = kit.texts.get("share_next"), "share_next_in"
        else:
            done, when = kit.texts.get("share_done"), "share_closes"
        self._done_row(done, kit.texts.get(when, seconds=round(left)), left / timeout)

    def _still(self, target: Block, machine: BoothMachine, media: Media) -> None:
        """The codes, the portrait and the texts (everything but the timer) on ``target``."""
        kit = self.kit
        photo = machine.photo
        link = (media.link or photo.url) if photo is not None else ""
        codes: list[tuple[str, np.ndarray, str | None]] = []
        wifi_shown = machine.showing_wifi or self.two_codes
        if wifi_shown and self._wifi_code is not None:
            caption = kit.texts.get("share_wifi_step")
            codes.append(("wifi", self._wifi_code, caption))
        if not machine.showing_wifi and photo is not None:
            modules = media.link_code if media.link_code is not None else qr_modules(link)
            caption = kit.texts.get("share_link_step") if self.wifi is not None else None
            codes.append((link, modules, caption))

        unit, safe = kit.unit, kit.safe
        gap = round(4 * unit)
        if kit.landscape and kit.width >= kit.height * 1.2:
            text_width = round(safe.width * (0.3 if len(codes) > 1 else 0.36))
            code_area = pygame.Rect(safe.left, safe.top, safe.width - text_width - gap, 0)
            code_area.height = safe.height
            text = pygame.Rect(code_area.right + gap, safe.top, text_width, safe.height)
            # A print line below the texts takes some of the portrait's room.
            share = 0.36 if media.printing is None else 0.28
            portrait_box = pygame.Rect(text.left, text.top, text.width, round(text.height * share))
            text_top = portrait_box.bottom + 2 * unit
        else:
            head = round(safe.height * 0.2)
            portrait_box = pygame.Rect(safe.left, safe.top, round(head * 0.8), head)
            text = pygame.Rect(portrait_box.right + gap, safe.top, 0, safe.height)
            text.width = safe.right - text.left
            text_top = text.top
            footer = round(18 * unit)
            code_area = pygame.Rect(safe.left, portrait_box.bottom + gap, safe.width, 0)
            code_area.height = safe.bottom - footer - code_area.top

        self._portrait(target, media.photo, portrait_box, photo.token if photo else "")
        column = {"left": text.left, "width": text.width}
        title = kit.texts.get("share_title")
        top = target.paragraph(title, 7, kit.foreground, text_top, "semibold", **column)
        scan = kit.texts.get("share_scan")
        top = target.paragraph(scan, 4.4, kit.foreground, top + unit, **column)
        if not machine.showing_wifi:
            days = max(1, round(kit.config.share.link_ttl / 86400))
            expires = kit.texts.get("share_expires", days=days)
            top = target.paragraph(expires, MIN_SIZE, kit.muted, top, **column)
            if media.printing is not None:
                self._print_note(target, media.printing, text, top)

        width = (code_area.width - gap * (len(codes) - 1)) // max(1, len(codes))
        caption_pixels = kit.pixels(CAPTION_SIZE)
        # Codes side by side start at the same height, whatever their captions' lengths.
        caption_lines = max(
            (
                len(kit.typeface.wrap(c, caption_pixels, width * WRAP, "semibold"))
                for *_, c in codes
                if c
            ),
            default=0,
        )
        unders = [self._under(key, link) for key, *_ in codes]
        under_pixels = kit.pixels(URL_SIZE)
        under_lines = max(
            (len(self._wrapped(under, under_pixels, width)) for under in unders), default=0
        )
        for number, ((key, modules, caption), under) in enumerate(zip(codes, unders, strict=True)):
            column = pygame.Rect(code_area.left + number * (width + gap), code_area.top, width, 0)
            column.height = code_area.height
            self._code(target, key, modules, caption, under, column, caption_lines, under_lines)

    def _under(self, key: str, url: str) -> list[tuple[str, str]]:
        """The text under a code: the network and its password, or the link to type in."""
        texts = self.kit.texts
        if key != "wifi":
            if len(url) > MAX_TYPED_LINK:
                return []
            return [(texts.get("share_link_text"), "regular"), (url, "mono")]
        assert self.wifi is not None
        under = [(texts.get("share_wifi_network", ssid=self.wifi.ssid), "regular")]
        if self.wifi.password:
            under += [(texts.get("share_wifi_password"), "regular"), (self.wifi.password, "mono")]
        return under

    def _wrapped(self, under: list[tuple[str, str]], pixels: int, width: int) -> list[tuple]:
        return [
            (line, weight)
            for text, weight in under
            for line in self._lines(text, pixels, width, weight)
        ]

    def _done_row(self, label: str, closes: str, share: float) -> None:
        """The main button's glyph in a ring of the time left, what it does, and when the
        screen moves on by itself."""
        kit = self.kit
        safe = kit.safe
        side = round(14 * kit.unit)
        if kit.landscape and kit.width >= kit.height * 1.2:
            width = round(safe.width * 0.3)
            left = safe.right - width
        else:
            width, left = round(safe.width * 0.8), safe.left + round(safe.width * 0.2)
        height = round(side * 1.3)
        block = kit.block(
            ("done", label, closes, round(share * 60)),
            width,
            height,
            lambda b: button_row(
                b, height - side, timed_glyph(kit, side, share), label, 5.5, closes
            ),
        )
        kit.place(block, (left, safe.bottom - height))

    def _print_note(self, target: Block, note: str, column: pygame.Rect, top: float) -> None:
        """Under the texts beside the code: the second button's glyph and "print it" ("ask"
        mode), or a line saying a print is on its way, or that prints are paused and the photo
        is on the phone (kiosk/booth/prints.py chooses)."""
        kit = self.kit
        texts = kit.texts
        top += 3 * kit.unit
        if note == "offer":
            glyph = button_glyph(kit, False, round(9 * kit.unit))
            label, sub = texts.get("print_offer"), texts.get("print_offer_sub")
            button_row(target, top, glyph, label, 4.6, sub, left=column.left)
            return
        line = texts.get("print_on_its_way" if note == "on its way" else "print_paused")
        target.paragraph(
            line, 4.0, kit.foreground, top, "semibold", left=column.left, width=column.width
        )

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
        target.blit(picture, picture.get_rect(midtop=box.midtop).topleft)

    def qr_side(self, modules: int, room: int) -> int:
        """The largest whole-pixel module size that fits ``room``; never under MIN_MODULE."""
        module = max(round(MIN_MODULE * self.kit.unit), room // modules)
        return module * modules

    def _code(
        self,
        target: Block,
        key: str,
        modules: np.ndarray,
        caption: str | None,
        under: list[tuple[str, str]],
        column: pygame.Rect,
        caption_room: int,
        under_room: int,
    ) -> None:
        """A caption (in ``caption_room`` lines), the QR code (quiet zone included, white) and
        lines of text under it (in ``under_room`` lines): codes side by side line up."""
        kit = self.kit
        face = kit.typeface
        unit = kit.unit
        caption_pixels, under_pixels = kit.pixels(CAPTION_SIZE), kit.pixels(URL_SIZE)
        caption_lines = (
            face.wrap(caption, caption_pixels, column.width * WRAP, "semibold") if caption else []
        )
        under_lines = self._wrapped(under, under_pixels, column.width)
        caption_height = caption_room * face.line_height(caption_pixels)
        under_room = under_room * face.line_height(under_pixels)
        room = min(column.width, column.height - caption_height - under_room - round(2 * unit))
        side = self.qr_side(modules.shape[0], room)
        surface_key = (key, side)
        if surface_key not in self._surfaces:
            self._forget_some()
            self._surfaces[surface_key] = qr_surface(modules, side)
        code = self._surfaces[surface_key]
        top = column.centery - (caption_height + side + under_room + 2 * unit) / 2
        top += (caption_room - len(caption_lines)) * face.line_height(caption_pixels)
        for line in caption_lines:
            top = self._line(target, line, caption_pixels, kit.foreground, column, top, "semibold")
        rect = code.get_rect(midtop=(column.centerx, round(top + unit)))
        target.blit(code, rect.topleft)
        target.codes.append(CodeMark(rect, side // modules.shape[0], QR_QUIET_ZONE))
        top = rect.bottom + unit
        for line, weight in under_lines:
            colour = kit.foreground if weight == "mono" else kit.muted
            top = self._line(target, line, under_pixels, colour, column, top, weight)

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

    def _lines(self, text: str, pixels: int, width: int, weight: str) -> list[str]:
        """Words wrapped; a link, which has no spaces, is broken between characters."""
        face = self.kit.typeface
        if weight != "mono":
            return face.wrap(text, pixels, width * WRAP, weight)
        lines, current = [], ""
        for character in text:
            if current and face.width(current + character, pixels, weight) > width:
                lines.append(current)
                current = ""
            current += character
        return [*lines, current] if current else lines

    def _forget_some(self) -> None:
        if len(self._surfaces) > 8:
            self._surfaces = {k: v for k, v in self._surfaces.items() if k[0] == "wifi"}
