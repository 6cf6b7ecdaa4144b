"""Back in a moment: shown while a part of the booth is faulty."""

from __future__ import annotations

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import Media, Screen


class OutOfOrderScreen(Screen):
    def draw(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        kit.surface.fill(kit.background)
        top = kit.paragraph(kit.texts.get("out_of_order_title"), 10, kit.accent, 25 * kit.unit)
        kit.paragraph(kit.texts.get("out_of_order_body"), 5, kit.foreground, top + 3 * kit.unit)
        if machine.fault:
            kit.paragraph(machine.fault, 2.5, kit.muted, kit.height, anchor_bottom=True)
