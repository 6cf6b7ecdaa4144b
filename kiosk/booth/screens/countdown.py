"""The countdown: 3-2-1 over the live image, with a calm line."""

from __future__ import annotations

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.framing import LiveScreen
from kiosk.booth.screens.kit import Media


class CountdownScreen(LiveScreen):
    def draw(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        self.preview.draw(media.preview, media.crop)
        number = kit.text(str(machine.countdown_remaining(now)), 40, kit.foreground)
        kit.surface.blit(number, number.get_rect(center=(kit.width // 2, kit.height // 2)))
        self.banner.draw(kit.texts.get("countdown_breathe"), kit.foreground)
