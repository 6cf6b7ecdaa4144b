"""The moment of the burst: a white flash while the stills are taken, then "got it" with a short
progress while the best frame is chosen and saved."""

from __future__ import annotations

import math

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import GREEN, MIN_SIZE, Media, Screen
from kiosk.booth.screens.shapes import dial

# The flash lasts this long at least (the first frame of the phase is drawn before the burst).
FLASH_SECONDS = 0.3
# Choosing and saving usually takes about this long; the progress nears full by then.
CHOOSING_SECONDS = 1.5


class CaptureScreen(Screen):
    def paint(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        elapsed = machine.seconds_in_phase(now)
        if elapsed < FLASH_SECONDS:
            # A white screen lights the face a little and says "now".
            kit.surface.fill((255, 255, 255))
            kit.paragraph(
                kit.texts.get("capture_hold"), 9, (34, 34, 34), 44 * kit.unit, weight="semibold"
            )
            return
        kit.surface.fill(kit.background)
        side = round(18 * kit.unit)
        top = kit.safe.top + kit.safe.height * 0.24
        centre = (kit.width // 2, round(top + side / 2))
        kit.surface.blit(
            kit.pictogram("hold", round(side * 0.7)), _centred(round(side * 0.7), centre)
        )
        done = 1 - math.exp(-(elapsed - FLASH_SECONDS) / (CHOOSING_SECONDS / 2.5))
        step = min(49, math.floor(done * 50))
        ring = kit.picture(
            ("choosing", side, step), lambda: dial(side, step / 50, GREEN, kit.palette.ghost)
        )
        kit.surface.blit(ring, _centred(side, centre))
        top = kit.paragraph(
            kit.texts.get("capture_got_it"),
            8,
            kit.foreground,
            top + side + 4 * kit.unit,
            weight="semibold",
        )
        kit.paragraph(kit.texts.get("capture_choosing"), MIN_SIZE + 0.8, kit.muted, top + kit.unit)


def _centred(side: int, centre: tuple[int, int]) -> tuple[int, int]:
    return centre[0] - side // 2, centre[1] - side // 2
