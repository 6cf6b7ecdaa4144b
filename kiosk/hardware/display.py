"""Opening the screen: fullscreen on the booth (KMS/DRM without a desktop, or a desktop), a
window on a desk."""

from __future__ import annotations

import pygame

from kiosk.config import DisplayConfig


def open_display(config: DisplayConfig) -> pygame.Surface:
    pygame.display.init()
    pygame.font.init()
    pygame.display.set_caption("Echtbild")
    # A booth screen never blanks while the booth runs (SDL holds off the screensaver and DPMS).
    pygame.display.set_allow_screensaver(False)
    if config.fullscreen:
        surface = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
    else:
        surface = pygame.display.set_mode(config.size)
    if config.fullscreen or config.kiosk_mode:
        pygame.mouse.set_visible(False)
    return surface
