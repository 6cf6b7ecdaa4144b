"""The idle screen: the event, what happens here, press the button, and the privacy notice."""

from __future__ import annotations

import math

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import MIN_SIZE, Media, Screen, button_glyph


class AttractScreen(Screen):
    def paint(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        safe = kit.safe
        kit.surface.fill(kit.background)
        # On a tall screen the block sits lower, nearer the eyes of a standing person.
        top = safe.top + safe.height * (0.1 if kit.landscape else 0.2)
        if kit.logo is not None:
            kit.surface.blit(kit.logo, kit.logo.get_rect(midtop=(kit.width // 2, round(top))))
            top += kit.logo.get_height() + 4 * kit.unit
        top = kit.paragraph(kit.config.event.name, 11, kit.foreground, top, weight="semibold")
        top = kit.paragraph(kit.texts.get("attract_tagline"), 5, kit.muted, top + 2 * kit.unit)
        # The main button, breathing slowly: the one thing to do here.
        side = round(20 * kit.unit)
        breath = 0.5 - 0.5 * math.cos(now * math.tau / 3.0)
        grown = side + 2 * round(breath * 1.5 * kit.unit)
        glyph = button_glyph(kit, True, grown)
        centre = (kit.width // 2, round(top + 5 * kit.unit + side / 2))
        kit.surface.blit(glyph, glyph.get_rect(center=centre))
        top = centre[1] + side / 2 + 4 * kit.unit
        kit.paragraph(kit.texts.get("attract_press"), 6, kit.foreground, top, weight="semibold")
        retention_days = max(1, round(kit.config.storage.retention / 86400))
        notice = kit.texts.get("attract_privacy", retention_days=retention_days)
        kit.paragraph(notice, MIN_SIZE, kit.muted, safe.bottom, anchor_bottom=True)
