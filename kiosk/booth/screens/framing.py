"""Framing: the live mirror cut to the photo, the guide oval, one cue with its arrow, and the
hold progress. Drawn every frame: only the preview's pixels move, text comes from caches."""

from __future__ import annotations

import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import Colour, Media, Screen, ScreenKit
from kiosk.booth.screens.preview import PreviewRenderer

# Where the face should sit in the photo (share of the crop's height): the eye line at 36 %, and
# the distance from eyes to chin 23 % (docs/framing.md); the guide oval is drawn around that.
EYE_LINE = 0.36
EYES_TO_CHIN = 0.23
# Arrows per cue: (direction in degrees on screen, 0 = right, 90 = down; shift from the centre).
PICTOGRAMS: dict[str, list[tuple[float, float]]] = {
    "cue_move_left": [(180, 0.0)],
    "cue_move_right": [(0, 0.0)],
    "cue_lower": [(90, 0.0)],
    "cue_higher": [(-90, 0.0)],
    "cue_come_closer": [(180, 0.6), (0, 0.6)],
    "cue_step_back": [(0, -1.1), (180, -1.1)],
    "cue_tilt_left": [(200, 0.0)],
    "cue_tilt_right": [(-20, 0.0)],
    "cue_chin_up": [(-90, 0.0)],
    "cue_chin_down": [(90, 0.0)],
}


class Banner:
    """One line of large type on a plain strip across the bottom, readable over any image."""

    def __init__(self, kit: ScreenKit):
        self.kit = kit
        self._strips: dict[tuple[str, Colour], pygame.Surface] = {}

    def draw(self, text: str, colour: Colour) -> None:
        kit = self.kit
        key = (text, colour)
        if key not in self._strips:
            if len(self._strips) > 64:
                self._strips.clear()
            rendered = kit.fitted_text(text, 7, colour)
            strip = pygame.Surface((kit.width, rendered.get_height() + round(3 * kit.unit)))
            strip.fill(kit.background)
            strip.blit(rendered, rendered.get_rect(center=strip.get_rect().center))
            self._strips[key] = strip.convert(kit.surface)
        strip = self._strips[key]
        kit.surface.blit(strip, strip.get_rect(bottom=kit.height))


class LiveScreen(Screen):
    """A screen over the live preview, with a line of text across the bottom."""

    def __init__(self, kit: ScreenKit, preview: PreviewRenderer, banner: Banner):
        super().__init__(kit)
        self.preview = preview
        self.banner = banner


class FramingScreen(LiveScreen):
    def draw(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        area = self.preview.draw(media.preview, media.crop)
        if area is not None:
            self._guide(area)
        advice = machine.advice
        if machine.framing_timed_out(now):
            line = kit.texts.get("framing_timeout")
        elif advice is not None and advice.cue:
            line = kit.texts.get(advice.cue)
        else:
            line = kit.texts.get("framing_press")
        self.banner.draw(line, kit.accent if advice and advice.cue else kit.foreground)
        if area is not None and advice is not None and advice.cue in PICTOGRAMS:
            self._pictogram(advice.cue, area)
        progress = min(1.0, advice.progress) if advice is not None else 0.0
        bar = pygame.Rect(0, 0, kit.width, round(kit.unit * 2))
        kit.surface.fill(kit.background, bar)
        if progress > 0:
            kit.surface.fill(kit.accent, (0, 0, round(kit.width * progress), bar.height))

    def _guide(self, area: pygame.Rect) -> None:
        kit = self.kit
        face_height = area.height * EYES_TO_CHIN * 2.0
        oval = pygame.Rect(0, 0, round(face_height * 0.74), round(face_height))
        oval.center = (
            area.centerx,
            round(area.top + area.height * (EYE_LINE + EYES_TO_CHIN * 0.2)),
        )
        pygame.draw.ellipse(kit.surface, kit.foreground, oval, max(2, round(kit.unit * 0.4)))

    def _pictogram(self, cue: str, area: pygame.Rect) -> None:
        """A large arrow over the preview saying the cue at a glance. The preview is a mirror,
        so "to your left" points to the screen's left."""
        kit = self.kit
        size = area.width * 0.2
        centre = pygame.Vector2(area.centerx, area.top + area.height * 0.7)
        shaft = max(3, round(size * 0.14))
        for angle, offset in PICTOGRAMS[cue]:
            direction = pygame.Vector2(1, 0).rotate(angle)
            tip = centre + direction * (size * (0.5 + offset))
            tail = tip - direction * size
            side = direction.rotate(90) * size * 0.3
            head = tip - direction * size * 0.45
            # A dark outline first: the arrow reads over any clothes or backdrop.
            for colour, grow in ((kit.background, shaft // 2 + 2), (kit.accent, 0)):
                pygame.draw.line(kit.surface, colour, tail, head, shaft + 2 * grow)
                outline = [tip + direction * grow, head + side * 1.2, head - side * 1.2]
                arrow = outline if grow else [tip, head + side, head - side]
                pygame.draw.polygon(kit.surface, colour, arrow)
