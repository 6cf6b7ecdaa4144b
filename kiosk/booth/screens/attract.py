"""The idle screen: the event, what happens here, press the button, and the privacy notice."""

from __future__ import annotations

import math

import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import Media, Screen


class AttractScreen(Screen):
    def draw(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        kit.surface.fill(kit.background)
        # On a tall screen the block sits lower, nearer the eyes of a standing person.
        top = kit.height * (0.12 if kit.width >= kit.height else 0.22)
        if kit.logo is not None:
            kit.surface.blit(kit.logo, kit.logo.get_rect(midtop=(kit.width // 2, top)))
            top += kit.logo.get_height() + 4 * kit.unit
        top = kit.paragraph(kit.config.event.name, 12, kit.foreground, top)
        top = kit.paragraph(kit.texts.get("attract_tagline"), 5.5, kit.muted, top + 3 * kit.unit)
        pulse = 0.5 + 0.5 * math.sin(now * math.tau / 2.0)
        radius = round((6 + pulse) * kit.unit)
        centre = (kit.width // 2, round(top + 14 * kit.unit))
        pygame.draw.circle(kit.surface, kit.accent, centre, radius)
        pygame.draw.circle(kit.surface, kit.foreground, centre, radius + round(kit.unit), 3)
        kit.paragraph(kit.texts.get("attract_press"), 7, kit.foreground, top + 24 * kit.unit)
        retention_days = max(1, round(kit.config.storage.retention / 86400))
        notice = kit.texts.get("attract_privacy", retention_days=retention_days)
        kit.paragraph(notice, 3.4, kit.muted, kit.height, anchor_bottom=True)
