"""On a desk there are no arcade buttons: a small note in a corner says which keys play them."""

from __future__ import annotations

import pygame

from kiosk.booth.screens.kit import ScreenKit


class DeskKeysNote:
    def __init__(self, kit: ScreenKit):
        self.kit = kit
        text = kit.texts.get("desk_keys")
        face, pixels = kit.typeface, kit.pixels(2.6)
        padding = round(kit.unit)
        size = (face.width(text, pixels) + 2 * padding, face.line_height(pixels) + padding)
        self._note = pygame.Surface(size)
        self._note.fill(kit.background)
        face.draw(self._note, text, pixels, kit.foreground, padding, padding // 2)

    def draw(self) -> None:
        margin = round(self.kit.unit)
        self.kit.surface.blit(
            self._note, self._note.get_rect(topright=(self.kit.width - margin, margin))
        )
