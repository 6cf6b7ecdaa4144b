"""The idle screen: the event, what happens here, press the button, and the privacy notice."""

from __future__ import annotations

import math

import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import MIN_SIZE, Block, Media, Screen, button_glyph

# The main button breathes: its glyph grows by up to this much of the unit, every few seconds.
BREATH = 1.5
BREATH_SECONDS = 3.0


class AttractScreen(Screen):
    def paint(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        block = kit.block(("attract",), kit.width, kit.height, self._still)
        kit.place(block, (0, 0), blit=self.fresh("attract"))
        # Only the breathing button changes from frame to frame.
        assert block.figure_at is not None
        place = block.figure_at
        # In eight steps: each size's glyph is drawn once and kept.
        breath = round(4 - 4 * math.cos(now * math.tau / BREATH_SECONDS)) / 8
        grown = place.width - 2 * round((1 - breath) * BREATH * kit.unit)
        kit.surface.fill(kit.background, place)
        glyph = button_glyph(kit, True, grown)
        kit.surface.blit(glyph, glyph.get_rect(center=place.center))

    def _still(self, block: Block) -> None:
        kit = self.kit
        safe = kit.safe
        column = {"left": safe.left, "width": safe.width}
        # On a tall screen the block sits lower, nearer the eyes of a standing person.
        top = safe.top + safe.height * (0.1 if kit.landscape else 0.2)
        top = block.logo(top) or top
        name = kit.config.event.name
        top = block.paragraph(name, 11, kit.foreground, top, "semibold", **column)
        tagline = kit.texts.get("attract_tagline")
        top = block.paragraph(tagline, 5, kit.muted, top + 2 * kit.unit, **column)
        side = round((20 + 2 * BREATH) * kit.unit)
        block.figure_at = pygame.Rect(0, 0, side, side)
        block.figure_at.midtop = (kit.width // 2, round(top + 4 * kit.unit))
        top = block.figure_at.bottom + 3 * kit.unit
        press = kit.texts.get("attract_press")
        block.paragraph(press, 6, kit.foreground, top, "semibold", **column)
        retention_days = max(1, round(kit.config.storage.retention / 86400))
        notice = kit.texts.get("attract_privacy", retention_days=retention_days)
        height = block.height_of(notice, MIN_SIZE, safe.width)
        block.paragraph(notice, MIN_SIZE, kit.muted, safe.bottom - height, **column)
