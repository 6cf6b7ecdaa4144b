"""On a desk there are no arcade buttons: a small note in a corner says which keys play them."""

from __future__ import annotations

import pygame

from kiosk.booth.screens.kit import ScreenKit


class DeskKeysNote:
    def __init__(self, kit: ScreenKit):
        self.kit = kit
        text = kit.text(kit.texts.get("desk_keys"), 2.6, kit.foreground)
        padding = round(kit.unit)
        self._note = pygame.Surface((text.get_width() + 2 * padding, text.get_height() + padding))
        self._note.fill(kit.background)
        self._note.blit(text, (padding, padding // 2))

    def draw(self) -> None:
        margin = round(self.kit.unit)
        self.kit.surface.blit(
            self._note, self._note.get_rect(topright=(self.kit.width - margin, margin))
        )
