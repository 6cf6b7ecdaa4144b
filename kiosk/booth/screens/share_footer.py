"""The share screen's footer: the main button's row (its glyph in a ring of the time left, what
it does, when the screen moves on) centred under the column, and the print offer as a second,
smaller button beside it."""

from __future__ import annotations

import pygame

from kiosk.booth.screens.kit import (
    MIN_SIZE,
    WRAP,
    Block,
    ScreenKit,
    button_glyph,
    button_row,
    timed_glyph,
)

# The main button's glyph in the timer row, in % of the shorter side.
DONE_SIDE = 11
DONE_ROW = 12.5  # its row: the glyph, or the label and the line under it
OFFER_SIZE = 4.6  # the print offer's label: the second, smaller button beside the main one


class ShareFooter:
    """The footer in ``area`` (under the share screen's column)."""

    def __init__(self, kit: ScreenKit, area: pygame.Rect):
        self.kit = kit
        self.area = area

    def _row_width(self, side: int, label: str, size: float, sub: str) -> int:
        """How wide a button row is: its glyph, the gap and the longer of its two lines."""
        kit = self.kit
        words = max(
            kit.typeface.width(label, kit.pixels(size), "semibold"),
            kit.typeface.width(sub, kit.pixels(MIN_SIZE), "regular") if sub else 0,
        )
        return round(side + 3.5 * kit.unit + words / WRAP)

    def _offer_row(self) -> tuple[int, int]:
        """The print offer's glyph side and width in the footer: a button with its action, like
        the main one beside it."""
        side = round(9 * self.kit.unit)
        return side, self._row_width(side, self.kit.texts.get("print_offer"), OFFER_SIZE, "")

    def _footer_places(self, done_width: int, offer: bool) -> tuple[int, int]:
        """Where the print offer and the main button's row start: side by side, centred."""
        footer = self.area
        gap = round(3 * self.kit.unit)
        offer_width = self._offer_row()[1] if offer else 0
        both = done_width + (offer_width + gap if offer else 0)
        left = footer.left + max(0, (footer.width - both) // 2)
        done_left = left + (offer_width + gap if offer else 0)
        return left, min(done_left, footer.right - done_width)

    def print_offer(self, target: Block) -> None:
        """The second button's glyph and "print it", a button in the footer beside the main
        one."""
        kit = self.kit
        side, width = self._offer_row()
        left, _ = self._footer_places(self._done_width(False), True)
        footer = self.area
        row = Block(kit, width, footer.height)
        label = kit.texts.get("print_offer")
        glyph = button_glyph(kit, False, side)
        button_row(row, (footer.height - side) / 2, glyph, label, OFFER_SIZE)
        target.blit(row.surface, (left, footer.top))
        target.labels += [note.moved(left, footer.top) for note in row.labels]

    def _done_width(self, wifi_step: bool) -> int:
        """The main button's row: as wide as its words with two-digit seconds."""
        kit = self.kit
        texts = kit.texts
        label = texts.get("share_next" if wifi_step else "share_done")
        closes = texts.get("share_next_in" if wifi_step else "share_closes", seconds=88)
        side = round(DONE_SIDE * kit.unit)
        return min(self.area.width, self._row_width(side, label, 5.5, closes))

    def done_row(self, label: str, closes: str, share: float, offer: bool, wifi_step: bool) -> None:
        """The main button's glyph in a ring of the time left, what it does, and when the
        screen moves on by itself; centred under the column (beside the print offer)."""
        kit = self.kit
        side = round(DONE_SIDE * kit.unit)
        width = self._done_width(wifi_step)
        footer = self.area
        _, left = self._footer_places(width, offer)
        block = kit.block(
            ("done", label, closes, round(share * 60)),
            width,
            footer.height,
            lambda b: button_row(b, (footer.height - side) / 2, timed_glyph(kit, side, share),
                                 label, 5.5, closes),
        )  # fmt: skip
        kit.place(block, (left, footer.top))
