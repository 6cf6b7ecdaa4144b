"""The moment of the burst."""

from __future__ import annotations

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import Media, Screen


class CaptureScreen(Screen):
    def draw(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        # A white screen lights the face a little and tells the person it is happening.
        kit.surface.fill((255, 255, 255))
        kit.paragraph(kit.texts.get("capture_hold"), 8, (40, 40, 40), 45 * kit.unit)
