"""Review: the photo, large, with keep and retake."""

from __future__ import annotations

import math

import numpy as np
import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import Media, Screen


class ReviewScreen(Screen):
    def draw(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        kit.surface.fill(kit.background)
        picture_box, text_box = kit.split()
        if media.photo is not None:
            kit.surface.blit(media.photo, media.photo.get_rect(center=picture_box.center))
        top = kit.paragraph(
            kit.texts.get("review_title"), 8, kit.foreground, text_box.top, text_box
        )
        top += 3 * kit.unit
        photo = machine.photo
        if photo is not None and photo.retake_suggested and machine.retakes_left:
            suggestion = kit.texts.get("review_suggest_retake")
            top = kit.paragraph(suggestion, 5, kit.accent, top, text_box) + 2 * kit.unit
        top = kit.paragraph(kit.texts.get("review_keep"), 6, kit.foreground, top, text_box)
        top += 2 * kit.unit
        if machine.retakes_left:
            retake = kit.texts.get("review_retake", retakes_left=machine.retakes_left)
        else:
            retake = kit.texts.get("review_no_retakes")
        kit.paragraph(retake, 5, kit.muted, top, text_box)
        remaining = max(0, math.ceil(machine.timing.review_timeout - machine.seconds_in_phase(now)))
        auto_keep = kit.texts.get("review_auto_keep", seconds=remaining)
        kit.paragraph(auto_keep, 4, kit.muted, text_box.bottom, text_box, anchor_bottom=True)

    def picture(self, pixels: np.ndarray) -> pygame.Surface:
        """The photo's pixels made to fit this screen (display only; the file is untouched).

        Safe to call off the UI thread: it only builds a new surface.
        """
        picture_box, _ = self.kit.split()
        height, width = pixels.shape[:2]
        scale = min(picture_box.width / width, picture_box.height / height)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        # Skipping rows and columns first (never below the final size) keeps the smooth
        # scaling small.
        step = max(1, int(1 / scale))
        reduced = np.ascontiguousarray(pixels[::step, ::step])
        surface = pygame.image.frombuffer(reduced, reduced.shape[1::-1], "RGB")
        return pygame.transform.smoothscale(surface, size)
