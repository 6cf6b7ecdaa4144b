"""QR codes as pictures on the screen."""

from __future__ import annotations

import numpy as np
import pygame

from kiosk.booth.screens.kit import Colour


def qr_surface(modules: np.ndarray, max_side: int, dark: Colour = (0, 0, 0)) -> pygame.Surface:
    """The QR code with whole-pixel modules (sharp edges scan best), at most ``max_side`` wide."""
    module = max(1, max_side // modules.shape[0])
    light = np.array([255, 255, 255], dtype=np.uint8)
    pixels = np.where(modules[..., None], np.array(dark, dtype=np.uint8), light)
    pixels = pixels.repeat(module, axis=0).repeat(module, axis=1)
    return pygame.surfarray.make_surface(pixels.transpose(1, 0, 2))
