"""What the attendee sees: one class per screen, each with one ``draw`` entry point, sized for
reading at 3 metres.

``screens_for`` makes the table from the machine's phase to its screen; the booth loop draws
whatever the table names, so a new phase is one new screen here plus the machine's transitions.
"""

from __future__ import annotations

import pygame

from kiosk.booth.machine import Phase
from kiosk.booth.screens.attract import AttractScreen
from kiosk.booth.screens.capture import CaptureScreen
from kiosk.booth.screens.countdown import CountdownScreen
from kiosk.booth.screens.framing import FramingScreen
from kiosk.booth.screens.kit import Media, Screen, ScreenKit
from kiosk.booth.screens.out_of_order import OutOfOrderScreen
from kiosk.booth.screens.preview import PreviewRenderer
from kiosk.booth.screens.review import ReviewScreen
from kiosk.booth.screens.share import ShareScreen
from kiosk.booth.screens.stage import stage_for
from kiosk.config import Config
from kiosk.vision.thresholds import FramingThresholds

__all__ = ["Media", "Screen", "ScreenTable", "screens_for"]


class ScreenTable(dict[Phase, Screen]):
    """Phase -> screen, with the pieces the loop also needs (the preview's layout)."""

    def __init__(self, kit: ScreenKit, preview: PreviewRenderer, screens: dict[Phase, Screen]):
        super().__init__(screens)
        self.kit = kit
        self.preview = preview

    @property
    def review(self) -> ReviewScreen:
        return self[Phase.REVIEW]  # type: ignore[return-value]

    @property
    def share(self) -> ShareScreen:
        return self[Phase.SHARE]  # type: ignore[return-value]


def screens_for(surface: pygame.Surface, config: Config, rules: FramingThresholds) -> ScreenTable:
    """Every screen, drawing on ``surface``, with the oval where ``rules`` want the face."""
    texts = config.texts_for()
    kit = ScreenKit(surface, config, texts, rules)
    preview = PreviewRenderer(
        surface, kit.background, place=lambda size: stage_for(kit, size).preview
    )
    screens: dict[Phase, Screen] = {
        Phase.ATTRACT: AttractScreen(kit, preview),
        Phase.FRAMING: FramingScreen(kit, preview),
        Phase.COUNTDOWN: CountdownScreen(kit, preview),
        Phase.CAPTURE: CaptureScreen(kit, preview),
        Phase.REVIEW: ReviewScreen(kit),
        Phase.SHARE: ShareScreen(kit),
        Phase.OUT_OF_ORDER: OutOfOrderScreen(kit),
    }
    missing = set(Phase) - set(screens)
    assert not missing, f"no screen for {missing}"
    return ScreenTable(kit, preview, screens)
