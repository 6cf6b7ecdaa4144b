"""The moment of the burst: a white flash while the stills are taken, then the frozen frame,
dimmed, under a soft "got it" while the best frame is chosen and saved.

The frame is the one handed in ``Media.preview`` (the last preview frame before the burst,
kept by the booth loop); without one the screen is plain with the same words.
"""

from __future__ import annotations

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.framing import LiveScreen, Message
from kiosk.booth.screens.kit import Media

# The flash lasts this long at least (the first frame of the phase is drawn before the burst).
FLASH_SECONDS = 0.3
# The frozen frame is darkened this much, so it reads as "done", not as live.
DIM = 0.45


class CaptureScreen(LiveScreen):
    step = 1
    hint = False

    def paint(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        if machine.seconds_in_phase(now) < FLASH_SECONDS:
            # A white screen lights the face a little and says "now".
            kit.surface.fill((255, 255, 255))
            self.preview.forget()
            self._shown = None
            kit.paragraph(
                kit.texts.get("capture_hold"), 9, (34, 34, 34), 44 * kit.unit, weight="semibold"
            )
            return
        layout = self.live(media)
        if media.preview is not None:
            self.preview.dim(layout.area, DIM)
        # A tick with the words: "got it" fills its panel like the cues before it.
        message = Message(
            kit.texts.get("capture_got_it"),
            kit.foreground,
            kit.texts.get("capture_choosing"),
            "hold",
        )
        self.message(layout, message)
