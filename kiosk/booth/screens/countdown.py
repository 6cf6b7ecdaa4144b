"""The countdown: a large digit in the cue's place (toward the lens), never on the face, and one
ring that empties: the green line along the guide oval shrinks from full to nothing over the
whole countdown, so 3 and 1 look clearly different. In the last second: "look into the lens"."""

from __future__ import annotations

import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.framing import LiveScreen, Message
from kiosk.booth.screens.kit import GREEN, Label, Media

# The digit's ink is at least this share of the screen's shorter side (readable while looking
# at the lens, from the corner of the eye).
DIGIT_SHARE = 0.21
# Steps per second in which the ring empties: smooth enough, and few rings to keep.
STEPS = 30


class CountdownScreen(LiveScreen):
    step = 1
    hint = False

    def paint(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        layout = self.live(media)
        total = machine.timing.countdown
        elapsed = machine.seconds_in_phase(now)
        left = max(0.0, min(1.0, 1 - elapsed / total)) if total else 0.0
        # The oval itself is the track (grey), the green line on it what is left.
        share = round(left * total * STEPS) / (total * STEPS) if total else 0
        self.oval(layout, kit.palette.ghost, share)
        remaining = machine.countdown_remaining(now)
        if remaining <= 1:
            message = Message(kit.texts.get("countdown_lens"), GREEN, "", "counter")
        else:
            message = Message(kit.texts.get("countdown_breathe"), kit.foreground, "", "counter")
        place = self.message(layout, message)
        if place is None:
            return
        digit = kit.picture(("digit", remaining, place.size), lambda: self._digit(remaining, place))
        kit.surface.blit(digit, place)
        ink = self._ink(remaining, place)
        kit.labels.append(
            Label(ink.move(place.topleft), str(remaining), kit.foreground, self._pixels(), "digit")
        )

    def _pixels(self) -> int:
        """The digit's size: its ink (a lining figure, about 0.73 of the size) is DIGIT_SHARE
        of the shorter side."""
        return round(DIGIT_SHARE * min(self.kit.width, self.kit.height) / 0.72)

    def _ink(self, remaining: int, place: pygame.Rect) -> pygame.Rect:
        """Where the digit's ink sits in its square: centred."""
        ink = self.kit.typeface.font("semibold").get_rect(str(remaining), size=self._pixels())
        return pygame.Rect(
            (place.width - ink.width) // 2, (place.height - ink.height) // 2, ink.width, ink.height
        )

    def _digit(self, remaining: int, place: pygame.Rect) -> pygame.Surface:
        kit = self.kit
        surface = pygame.Surface(place.size)
        surface.fill(kit.background)
        pixels = self._pixels()
        font = kit.typeface.font("semibold")
        ink = self._ink(remaining, place)
        bounds = font.get_rect(str(remaining), size=pixels)
        # The font draws from the baseline's start (origin mode): bounds.y is the ink's
        # height above the baseline, bounds.x its left bearing.
        font.render_to(
            surface,
            (ink.left - bounds.x, ink.top + bounds.y),
            str(remaining),
            kit.foreground,
            size=pixels,
        )
        return surface
