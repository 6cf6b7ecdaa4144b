"""Variants of the real test face (scikit-image's astronaut portrait), made in code."""

from __future__ import annotations

import numpy as np
from PIL import Image

from kiosk.camera.image_camera import ASTRONAUT_EYES

EYES = tuple((round(x), round(y)) for x, y in ASTRONAUT_EYES)


def on_canvas(face: np.ndarray, size: tuple[int, int], at: tuple[int, int]) -> np.ndarray:
    """The portrait placed with its top-left corner ``at`` on a plain grey canvas."""
    width, height = size
    canvas = np.full((height, width, 3), 118, dtype=np.uint8)
    x, y = at
    part = face[max(0, -y) : height - y, max(0, -x) : width - x]
    canvas[max(0, y) : max(0, y) + part.shape[0], max(0, x) : max(0, x) + part.shape[1]] = part
    return canvas


def scaled(face: np.ndarray, factor: float) -> np.ndarray:
    side = round(face.shape[0] * factor)
    return np.asarray(Image.fromarray(face).resize((side, side), Image.BILINEAR))


def rotated(face: np.ndarray, degrees: float) -> np.ndarray:
    """Turned counter-clockwise about the face, as a tilted head."""
    return np.asarray(Image.fromarray(face).rotate(degrees, Image.BILINEAR, center=(226, 120)))


def eyes_closed(face: np.ndarray) -> np.ndarray:
    """Both eyes painted shut: skin over the eye, a dark line for the closed lids."""
    closed = face.copy()
    for x, y in EYES:
        skin = face[y + 12 : y + 15, x - 3 : x + 3].reshape(-1, 3).mean(axis=0)
        closed[y - 7 : y + 6, x - 12 : x + 13] = skin.astype(np.uint8)
        closed[y + 1 : y + 3, x - 11 : x + 12] = (90, 60, 50)
    return closed
