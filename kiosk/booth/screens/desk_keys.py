"""On a desk there are no arcade buttons: a small note in a corner names every key the demo
knows (the two buttons, the pictured person's steps, quitting), in as many lines as the screen's
width needs (the entries, separated by " · ", are never broken)."""

from __future__ import annotations

import pygame

from kiosk.booth.screens.kit import ScreenKit

SEPARATOR = " · "


class DeskKeysNote:
    def __init__(self, kit: ScreenKit):
        self.kit = kit
        face, pixels = kit.typeface, kit.pixels(2.6)
        padding = round(kit.unit)
        room = kit.width - 4 * padding
        lines: list[str] = []
        for entry in kit.texts.get("desk_keys").split(SEPARATOR):
            joined = f"{lines[-1]}{SEPARATOR}{entry}" if lines else entry
            if lines and face.width(joined, pixels) <= room:
                lines[-1] = joined
            else:
                lines.append(entry)
        height = face.line_height(pixels)
        width = max(face.width(line, pixels) for line in lines)
        self._note = pygame.Surface((width + 2 * padding, height * len(lines) + padding))
        self._note.fill(kit.background)
        for number, line in enumerate(lines):
            left = width - face.width(line, pixels) + padding  # right-aligned, as in its corner
            top = padding // 2 + number * height
            face.draw(self._note, line, pixels, kit.foreground, left, top)

    def draw(self) -> None:
        margin = round(self.kit.unit)
        self.kit.surface.blit(
            self._note, self._note.get_rect(topright=(self.kit.width - margin, margin))
        )
