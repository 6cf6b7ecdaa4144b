"""Share: the person's portrait and one centred column beside (or under) it: the title, what to
do, the codes, a print's news, and the main button (the print offer beside it). Three cases:

- the booth makes its own Wi-Fi (``[hotspot]``): one large code that joins the phone to it (the
  photo then opens by itself, on the sign-in sheet), with the network's name and password as
  text, and the photo's own code smaller beside it as a second way;
- a network the booth does not make (``[share.wifi]``): two numbered steps, each its own code
  (side by side where they fit with clear space between, else one screen each), with the
  network's name and password as text;
- neither: the photo's code.

The main code never shrinks below CODE_FLOOR of the plain screen's: texts give way first. Presses
in the first ``timing.share_guard`` seconds are ignored by the machine, so a stray press cannot
take the code away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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
    write,
)
from kiosk.booth.screens.qr import qr_surface
from kiosk.booth.screens.share_footer import DONE_ROW, ShareFooter
from kiosk.share.links import QR_QUIET_ZONE, qr_modules, wifi_join_code

URL_SIZE = 3.8
CAPTION_SIZE = 4.6
# A module this many pixels per 1 % of the shorter side at least: about 1.5 mm on a 24-inch
# screen, which a phone held at arm's length still resolves.
MIN_MODULE = 0.5
# A longer link (a store's presigned one) is too long to type: the code alone carries it.
MAX_TYPED_LINK = 80
# The join code's share of the codes' room when the booth makes its own Wi-Fi.
HOTSPOT_SHARE = 0.6
HOTSPOT_SECOND = 0.7  # the photo's own code at most this share of the join code's side


# Wi-Fi steps, print news and the hotspot's second code never make the photo's code smaller than
# this share of the plain screen's (one code, nothing else): the texts give way first.
CODE_FLOOR = 0.8
# A link as long as the booth makes them, to measure the plain screen's code by.
EXAMPLE_LINK = "http://192.168.178.42:8080/p/Il1O0oQ8kW2xZ7mN4rT9vA"


@dataclass(frozen=True)
class Plan:
    """How the share column is filled: the codes' side, the lines under each code, the
    captions' height, the head's height and what to do, and the print news."""

    side: int
    unders: list[list[tuple[str, str]]]
    caption_height: int
    caption_pixels: int
    head: int
    scan: str
    news: str | None = None
    news_height: int = 0


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
        self._sides: dict[str, int] = {}
        _, column = self._areas()
        height = round(DONE_ROW * kit.unit)
        footer = pygame.Rect(column.left, kit.safe.bottom - height, column.width, height)
        self.footer = ShareFooter(kit, footer)
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
        offer = media.printing == "offer" and not machine.showing_wifi
        closes = kit.texts.get(when, seconds=round(left))
        self.footer.done_row(done, closes, left / timeout, offer, machine.showing_wifi)

    def _still(self, target: Block, machine: BoothMachine, media: Media) -> None:
        """The portrait (the hero) and beside (or below) it one centred column: the title, what
        to do, the codes, a print's news, and the footer's print offer; everything but the
        timer, on ``target``."""
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
        portrait_box, column = self._areas()
        self._portrait(target, media.photo, portrait_box, photo.token if photo else "")
        news = None
        if media.printing in ("on its way", "paused") and not machine.showing_wifi:
            news = "print_on_its_way" if media.printing == "on its way" else "print_paused"
        steps = (len(codes) > 1 or machine.showing_wifi) and not self.hotspot
        plan = self._plan(target, codes, column, steps, news, CODE_FLOOR * self.single_side())
        if media.printing == "offer" and not machine.showing_wifi:
            self.footer.print_offer(target)
        self._draw(target, codes, column, plan)

    def _areas(self) -> tuple[pygame.Rect, pygame.Rect]:
        """The portrait's box and the column beside it (below it on a tall screen), above the
        footer."""
        kit = self.kit
        unit, safe = kit.unit, kit.safe
        gap = round(4 * unit)
        aspect = kit.config.photo.aspect_ratio
        footer = round(DONE_ROW * unit)
        if kit.width >= kit.height * 1.2:
            portrait = pygame.Rect(safe.left, safe.top, round(safe.height * aspect), safe.height)
            column = pygame.Rect(portrait.right + gap, safe.top, 0, 0)
            column.width = safe.right - column.left
        else:
            width = round(safe.width * 0.73)
            portrait = pygame.Rect(0, safe.top, width, round(width / aspect))
            portrait.centerx = safe.centerx
            column = pygame.Rect(safe.left, portrait.bottom + gap, safe.width, 0)
        column.height = safe.bottom - footer - gap - column.top
        return portrait, column

    def single_side(self) -> int:
        """The photo's code as the plain screen shows it (one code, no print news): the size
        that Wi-Fi steps and prints may take no more than a fifth from."""
        if "single" not in self._sides:
            scratch = Block(self.kit, 1, 1)
            code = [(EXAMPLE_LINK, qr_modules(EXAMPLE_LINK), None)]
            plan = self._plan(scratch, code, self._areas()[1], False, None, 0)
            self._sides["single"] = plan.side
        return self._sides["single"]

    def _plan(
        self,
        target: Block,
        codes: list[tuple[str, np.ndarray, str | None]],
        column: pygame.Rect,
        steps: bool,
        news: str | None,
        floor: float,
    ) -> Plan:
        """What goes in the column and how large the codes are: the texts give way one by one
        (the typed link, how long it works, what to do, the network's name) until the codes are
        at least ``floor`` pixels; never the codes."""
        kit = self.kit
        face, unit = kit.typeface, kit.unit
        widths = self._widths(column.width, len(codes))
        width = widths[0]
        under_pixels = kit.pixels(URL_SIZE)
        # The captions on one line each, a size smaller where need be: beside their step's
        # numbers, all alike.
        for size in (CAPTION_SIZE, 4.0, MIN_SIZE):
            caption_pixels = kit.pixels(size)
            captions = [
                face.wrap(c, caption_pixels, self._caption_width(w, steps) * WRAP, "semibold")
                for (*_, c), w in zip(codes, widths, strict=True)
                if c
            ]
            caption_lines = max((len(lines) for lines in captions), default=0)
            if caption_lines <= 1:
                break
        caption_height = caption_lines * face.line_height(caption_pixels)
        if steps:
            caption_height = max(caption_height, self._disc())
        # The texts that may give way, first first.
        optional = ["typed", "expires", "scan", "network"]
        plan = Plan(0, [], 0, 0, 0, "")
        for dropped in range(len(optional) + 1):
            leave_out = set(optional[:dropped])
            scan = "" if "scan" in leave_out else self._scan_text(steps, len(codes))
            head = target.height_of(kit.texts.get("share_title"), 7, column.width, "semibold",
                                    max_lines=2) + unit  # fmt: skip
            if scan:
                head += target.height_of(scan, 4.4, column.width, max_lines=2)
            unders = [
                self._wrapped(self._under(key, key, leave_out), under_pixels, width)
                for key, _, _ in codes
            ]
            under_lines = max((len(lines) for lines in unders), default=0)
            under_height = under_lines * face.line_height(under_pixels)
            news_height = 0
            if news:
                news_height = round(2 * unit) + target.height_of(
                    kit.texts.get(news), 4.0, column.width, "semibold", max_lines=3
                )
            used = head + round(3 * unit) + caption_height + round(2 * unit) + under_height
            room = min(width, column.height - used - news_height)
            side = self.qr_side(max(code.shape[0] for _, code, _ in codes), room) if codes else 0
            plan = Plan(side, unders, caption_height, caption_pixels, head, scan, news, news_height)
            if side >= floor:
                break
        return plan

    def _captions(self) -> tuple[str, str | None]:
        """The captions over the Wi-Fi code and over the photo's code, by case."""
        texts = self.kit.texts
        if self.hotspot:
            return texts.get("share_hotspot_title"), texts.get("share_hotspot_other")
        link_step = texts.get("share_link_step") if self.wifi is not None else None
        return texts.get("share_wifi_step"), link_step

    def _widths(self, room: int, count: int) -> list[int]:
        """The codes' columns: equal, or with the hotspot the join code's the larger."""
        room -= round(4 * self.kit.unit) * (count - 1)
        if self.hotspot and count == 2:
            first = round(room * HOTSPOT_SHARE)
            return [first, room - first]
        return [room // max(1, count)] * count

    def _scan_text(self, steps: bool, codes: int) -> str:
        """What to do, over the codes (numbered steps say it in their captions)."""
        texts = self.kit.texts
        if self.hotspot:
            return texts.get("share_hotspot_scan")
        if steps:
            return texts.get("share_scan_steps") if codes > 1 else ""
        return texts.get("share_scan")

    def _draw(
        self,
        target: Block,
        codes: list[tuple[str, np.ndarray, str | None]],
        column: pygame.Rect,
        plan: Plan,
    ) -> None:
        """The column: title, what to do, the codes with their captions and lines, the news;
        centred in the column's height."""
        kit = self.kit
        face, unit = kit.typeface, kit.unit
        under_pixels = kit.pixels(URL_SIZE)
        under_height = max((len(u) for u in plan.unders), default=0) * face.line_height(
            under_pixels
        )
        total = plan.head + round(3 * unit) + plan.caption_height + plan.side + round(2 * unit)
        total += under_height + plan.news_height
        top = column.top + max(0, (column.height - total) / 2)
        area = {"left": column.left, "width": column.width, "max_lines": 2}
        top = target.paragraph(
            kit.texts.get("share_title"), 7, kit.foreground, top, "semibold", **area
        ) + unit  # fmt: skip
        if plan.scan:
            top = target.paragraph(plan.scan, 4.4, kit.foreground, top, **area)
        top += round(3 * unit)
        gap = round(4 * unit)
        widths = self._widths(column.width, len(codes))
        left = column.left
        if len(codes) > 1 and not self.hotspot:
            # The steps' group centred in the column: as wide as it needs, not as the column.
            width = max(plan.side, min(widths[0], plan.side + 2 * self._disc()))
            widths = [width] * len(codes)
            left += (column.width - sum(widths) - gap * (len(codes) - 1)) // 2
        # Numbered steps only where the phone joins a network the booth does not make.
        numbered = self.wifi is not None and not self.hotspot
        side = plan.side
        for (key, modules, caption), lines, width in zip(codes, plan.unders, widths, strict=True):
            step = (1 if key == "wifi" else 2) if numbered else None
            place = pygame.Rect(left, round(top), width, 0)
            left += width + gap
            self._code(target, key, modules, caption, lines, place, plan, step, side)
            if self.hotspot and key == "wifi":
                # The photo's own code is the second way: smaller than the join code.
                side = self.qr_side(modules.shape[0], round(plan.side * HOTSPOT_SECOND))
        top += plan.caption_height + plan.side + round(2 * unit) + under_height
        if plan.news:
            target.paragraph(
                kit.texts.get(plan.news), 4.0, kit.foreground, top + 2 * unit, "semibold",
                left=column.left, width=column.width, max_lines=3,
            )  # fmt: skip

    def _caption_width(self, width: int, disc: bool) -> int:
        """A caption's width in a column ``width`` wide: beside its step's disc, or kept off
        the column's edges (a wide face's first glyph overhangs its box)."""
        unit = self.kit.unit
        return width - (self._disc() + round(1.5 * unit) if disc else round(2 * unit))

    def _disc(self) -> int:
        """The side of a step number's disc before a code's caption."""
        return round(7 * self.kit.unit)

    def _under(self, key: str, url: str, leave_out: set[str]) -> list[tuple[str, str]]:
        """The small grey lines under a code: the network and its password, or the link to type
        in and how long it works; without the ones in ``leave_out``."""
        texts = self.kit.texts
        if key != "wifi":
            under = []
            if "typed" not in leave_out and len(url) <= MAX_TYPED_LINK:
                under.append((url, "mono"))
            if "expires" not in leave_out:
                days = max(1, round(self.kit.config.share.link_ttl / 86400))
                under.append((texts.get("share_expires", days=days), "regular"))
            return under
        assert self.wifi is not None
        if "network" in leave_out:
            return []  # the network's name and password go together, or not at all
        under = [(texts.get("share_wifi_network", ssid=self.wifi.ssid), "regular")]
        if self.wifi.password:
            under += [(texts.get("share_wifi_password"), "regular"), (self.wifi.password, "mono")]
        return under

    def _wrapped(self, under: list[tuple[str, str]], pixels: int, width: int) -> list[tuple]:
        """The lines under a code; a link or password that does not fit on one line is left
        out (the code carries it)."""
        lines: list[tuple[str, str]] = []
        for text, weight in under:
            broken = self._lines(text, pixels, width, weight)
            if broken is not None:
                lines += [(line, weight) for line in broken]
        return lines

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
        module = max(math.ceil(MIN_MODULE * self.kit.unit), int(room) // modules)
        return module * modules

    def _code(
        self,
        target: Block,
        key: str,
        modules: np.ndarray,
        caption: str | None,
        under_lines: list[tuple[str, str]],
        column: pygame.Rect,
        plan: Plan,
        step: int | None,
        side: int,
    ) -> None:
        """The step's number in a disc with its caption beside it (top-aligned, in the plan's
        caption height: codes side by side line up), the QR code (quiet zone included, white)
        and the small grey lines under it."""
        kit = self.kit
        face = kit.typeface
        unit = kit.unit
        caption_pixels, under_pixels = plan.caption_pixels, kit.pixels(URL_SIZE)
        disc = self._disc() if step is not None else 0
        top = column.top
        if caption or disc:
            lines = face.wrap(caption or "", caption_pixels,
                              self._caption_width(column.width, bool(disc)) * WRAP,
                              "semibold")  # fmt: skip
            line_height = face.line_height(caption_pixels)
            # The caption and its disc as one centred heading: the first line on the disc's
            # middle, every step's the same way.
            words = max((face.width(line, caption_pixels, "semibold") for line in lines),
                        default=0)  # fmt: skip
            across = disc + round(1.5 * unit) + round(words / WRAP)
            left = column.left + max(0, (column.width - across) // 2)
            if disc:
                centre = (left + disc // 2, round(top + disc / 2))
                pygame.draw.circle(target.surface, kit.accent, centre, disc // 2)
                pixels = kit.pixels(5)
                digit = str(step)
                face.draw(
                    target.surface, digit, pixels, kit.background,
                    centre[0] - face.width(digit, pixels, "semibold") / 2,
                    centre[1] - pixels * 0.62, "semibold",
                )  # fmt: skip
            line_top = top + max(0, (disc - line_height) / 2) if disc else top
            # A caption without a step's disc (the hotspot's) keeps off the column's edge,
            # which may be the safe margin's: a wide face's first glyph overhangs its box.
            text_left = left + disc + round(1.5 * unit) if disc else column.left + round(unit)
            text_width = column.right - text_left if disc else column.width - round(2 * unit)
            for line in lines:
                line_top = write(
                    target.surface, target.labels, face, line, caption_pixels, kit.foreground,
                    line_top, text_left, text_width, "semibold",
                    align="left" if disc else "centre",
                )  # fmt: skip
        surface_key = (key, side)
        if surface_key not in self._surfaces:
            self._forget_some()
            self._surfaces[surface_key] = qr_surface(modules, side)
        code = self._surfaces[surface_key]
        rect = code.get_rect(midtop=(column.centerx, round(top + plan.caption_height + unit)))
        target.blit(code, rect.topleft)
        target.codes.append(CodeMark(rect, side // modules.shape[0], QR_QUIET_ZONE))
        top = rect.bottom + unit
        for line, weight in under_lines:
            # Small and grey: the code is the way; these are the fallback.
            top = self._line(target, line, under_pixels, kit.muted, column, top, weight)

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
        """Words wrapped; a link or password, which has no spaces, on one line or not at all
        (None): nobody types a link broken over lines."""
        face = self.kit.typeface
        if weight != "mono":
            return face.wrap(text, pixels, width * WRAP, "regular")
        return [text] if face.width(text, pixels, weight) <= width * WRAP else None

    def _forget_some(self) -> None:
        if len(self._surfaces) > 8:
            self._surfaces = {k: v for k, v in self._surfaces.items() if k[0] == "wifi"}
