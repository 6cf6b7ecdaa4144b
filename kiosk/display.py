"""Opening the screen: fullscreen on the booth, a window on a desk."""

from __future__ import annotations

import pygame

from kiosk.config import DisplayConfig


def open_display(config: DisplayConfig) -> pygame.Surface:
    pygame.display.init()
    pygame.font.init()
    pygame.display.set_caption("Echtbild")
    if config.fullscreen:
        surface = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        pygame.mouse.set_visible(False)
    else:
        surface = pygame.display.set_mode(config.size)
    return surface
