"""Back in a moment: shown while a part of the booth is faulty. Branded and calm; the technical
reason goes to the journal and ``kiosk status``, never to the attendee."""

from __future__ import annotations

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import Block, Media, Screen


class OutOfOrderScreen(Screen):
    def paint(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        # The booth may show this for long: drawn once, blitted once per showing.
        block = kit.block(("out_of_order",), kit.width, kit.height, self._still)
        kit.place(block, (0, 0), blit=self.fresh("out_of_order"))

    def _still(self, block: Block) -> None:
        kit = self.kit
        safe = kit.safe
        column = {"left": safe.left, "width": safe.width}
        top = safe.top + safe.height * (0.22 if kit.landscape else 0.3)
        below_logo = block.logo(top)
        if below_logo is not None:
            top = below_logo
        else:
            top = block.paragraph(kit.config.event.name, 5, kit.muted, top, **column)
            top += 4 * kit.unit
        title = kit.texts.get("out_of_order_title")
        top = block.paragraph(title, 10, kit.accent, top, "semibold", **column)
        body = kit.texts.get("out_of_order_body")
        block.paragraph(body, 5, kit.foreground, top + 3 * kit.unit, **column)
