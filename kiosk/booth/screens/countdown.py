"""The countdown: a ring counter beside the face (toward the lens in portrait), never on it; the
oval stays green. In the last second: "look into the lens"."""

from __future__ import annotations

import math

import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.framing import LiveScreen, Message
from kiosk.booth.screens.kit import GREEN, Label, Media
from kiosk.booth.screens.shapes import dial

# Steps per second in which the counter's ring empties: smooth enough, and few pictures to keep.
STEPS = 20


class CountdownScreen(LiveScreen):
    def paint(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        layout = self.live(media)
        self.oval(layout, GREEN, 1.0)
        remaining = machine.countdown_remaining(now)
        if remaining <= 1:
            message = Message(kit.texts.get("countdown_lens"), GREEN, "", "counter")
        else:
            message = Message(kit.texts.get("countdown_breathe"), kit.foreground, "", "counter")
        place = self.message(layout, message)
        if place is None:
            return
        elapsed = machine.seconds_in_phase(now)
        share = 1.0 - (elapsed - math.floor(elapsed))
        step = max(1, math.ceil(share * STEPS))
        counter = kit.picture(
            ("counter", remaining, step, place.width), lambda: self._counter(remaining, step, place)
        )
        kit.surface.blit(counter, place)
        pixels = round(place.width * 0.5)
        digit = pygame.Rect(0, 0, round(pixels * 0.62), pixels).move(
            place.centerx - round(pixels * 0.31), place.centery - pixels // 2
        )
        kit.labels.append(Label(digit, str(remaining), kit.foreground, pixels, "cue"))

    def _counter(self, remaining: int, step: int, place: pygame.Rect) -> pygame.Surface:
        """The digit in a ring that empties over the second."""
        kit = self.kit
        surface = pygame.Surface(place.size)
        surface.fill(kit.background)
        ring = dial(place.width, step / STEPS, GREEN, kit.palette.ghost)
        surface.blit(ring, (0, 0))
        pixels = round(place.width * 0.5)
        text = str(remaining)
        width = kit.typeface.width(text, pixels, "semibold")
        top = place.height / 2 - pixels * 0.62
        kit.typeface.draw(
            surface, text, pixels, kit.foreground, (place.width - width) / 2, top, "semibold"
        )
        return surface
