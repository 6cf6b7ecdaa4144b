"""Review: the photo large and the right way round, the main button dominant (keep, with the time
until it keeps itself as a ring), the second button smaller (take it again)."""

from __future__ import annotations

import math

import numpy as np
import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import (
    AMBER,
    BODY_SIZE,
    MIN_SIZE,
    Block,
    Media,
    Screen,
    button_glyph,
    button_row,
    timed_glyph,
)


class ReviewScreen(Screen):
    _column_shown: Block | None = None  # the text column on the display now

    def paint(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        picture_box, text_box = kit.split()
        if self.fresh(("review", machine.photo, media.photo is not None)):
            kit.surface.fill(kit.background)
            if media.photo is not None:
                kit.surface.blit(media.photo, media.photo.get_rect(center=picture_box.center))
            self._column_shown = None
        timeout = machine.timing.review_timeout
        left = max(0.0, timeout - machine.seconds_in_phase(now))
        photo = machine.photo
        suggest = bool(photo is not None and photo.retake_suggested and machine.retakes_left)
        share = round(left / timeout * 60) / 60
        key = ("review", machine.retakes_left, suggest, math.ceil(left), share)

        def paint(block: Block) -> None:
            # Measured on a scratch block first, so the column sits centred beside the photo.
            scratch = Block(kit, block.width, block.height)
            height = self._column(scratch, 0, machine.retakes_left, suggest, math.ceil(left), share)
            top = max(0, (block.height - height) / 2) if kit.landscape else 0
            self._column(block, top, machine.retakes_left, suggest, math.ceil(left), share)

        block = kit.block(key, text_box.width, text_box.height, paint)
        kit.place(block, text_box.topleft, blit=block is not self._column_shown)
        self._column_shown = block

    def _column(
        self,
        block: Block,
        top: float,
        retakes_left: int,
        suggest: bool,
        seconds: int,
        share: float,
    ) -> float:
        """The title, the mirror note, a retake suggestion and the two buttons from ``top`` down;
        returns the y below them."""
        kit, texts = self.kit, self.kit.texts
        unit = kit.unit
        top = block.paragraph(texts.get("review_title"), 7, kit.foreground, top, "semibold")
        # Body size: the note explains why the photo looks turned round; it must be read.
        top = block.paragraph(texts.get("review_mirror"), BODY_SIZE, kit.foreground, top + unit)
        if suggest:
            top = block.paragraph(
                texts.get("review_suggest_retake"), BODY_SIZE, AMBER, top + 2 * unit
            )
        rows = pygame.Rect(0, round(top + 4 * unit), block.width, 0)
        left = round(min(6 * unit, block.width * 0.06)) if kit.landscape else round(12 * unit)
        top = button_row(
            block,
            rows.top,
            timed_glyph(kit, round((17 if kit.landscape else 15) * unit), share),
            texts.get("review_keep"),
            6.5,
            texts.get("review_auto_keep", seconds=seconds),
            left=left,
        )
        top += 3 * unit
        if retakes_left:
            retake = texts.get("review_retake", retakes_left=retakes_left)
            small = button_glyph(kit, False, round(10 * unit))
            return button_row(block, top, small, retake, 4.5, left=left + round(3.5 * unit))
        return block.paragraph(texts.get("review_no_retakes"), MIN_SIZE, kit.muted, top)

    def picture(self, pixels: np.ndarray) -> pygame.Surface:
        """The photo's pixels made to fit this screen (display only; the file is untouched).

        Safe to call off the UI thread: it only builds a new surface.
        """
        picture_box, _ = self.kit.split()
        height, width = pixels.shape[:2]
        scale = min(picture_box.width / width, picture_box.height / height)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        # Skipping rows and columns first (never below the final size) keeps the smooth
        # scaling small.
        step = max(1, int(1 / scale))
        reduced = np.ascontiguousarray(pixels[::step, ::step])
        surface = pygame.image.frombuffer(reduced, reduced.shape[1::-1], "RGB")
        return pygame.transform.smoothscale(surface, size)
