"""Back in a moment: shown while a part of the booth is faulty. Branded and calm; the technical
reason goes to the journal and ``kiosk status``, never to the attendee."""

from __future__ import annotations

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import Media, Screen


class OutOfOrderScreen(Screen):
    def paint(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        kit.surface.fill(kit.background)
        top = kit.safe.top + kit.safe.height * (0.22 if kit.landscape else 0.3)
        if kit.logo is not None:
            kit.surface.blit(kit.logo, kit.logo.get_rect(midtop=(kit.width // 2, round(top))))
            top += kit.logo.get_height() + 4 * kit.unit
        else:
            top = kit.paragraph(kit.config.event.name, 5, kit.muted, top) + 4 * kit.unit
        top = kit.paragraph(
            kit.texts.get("out_of_order_title"), 10, kit.accent, top, weight="semibold"
        )
        kit.paragraph(kit.texts.get("out_of_order_body"), 5, kit.foreground, top + 3 * kit.unit)
