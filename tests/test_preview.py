"""The preview renderer draws any crop guidance picks, mirrored, on the real pygame display:
the one-to-one crop and a smaller, off-centre one (scaled)."""

from __future__ import annotations

import numpy as np
import pygame
import pytest
from PIL import Image

from kiosk.booth.screens.preview import PreviewRenderer
from kiosk.camera.crop import Crop
from kiosk.camera.frames import xrgb_from_rgb

SENSOR = (4608, 2592)


def gradient_frame(size: tuple[int, int]) -> np.ndarray:
    """A smooth picture (red across, green down, blue diagonal): a pixel's neighbours differ
    by about one level, so scaling's rounding hardly shows."""
    width, height = size
    x = np.linspace(0, 255, width)[None, :].repeat(height, axis=0)
    y = np.linspace(0, 255, height)[:, None].repeat(width, axis=1)
    rgb = np.stack([x, y, (x + y) / 2], axis=2).astype(np.uint8)
    return rgb


@pytest.mark.parametrize(
    "crop",
    [Crop(1267, 0, 2074, 2592), Crop(300, 200, 1280, 1600), Crop(3000, 900, 1500, 1875)],
    ids=["centred, one to one", "guided, left", "guided, right and low"],
)
def test_the_preview_shows_exactly_the_crop_mirrored(surface, crop) -> None:
    renderer = PreviewRenderer(surface, SENSOR, (0, 0, 0))
    rgb = gradient_frame((1280, 720))
    shown = renderer.draw(xrgb_from_rgb(rgb), crop)
    pixels = pygame.surfarray.array3d(surface).transpose(1, 0, 2)
    screen = pixels[shown.top : shown.bottom, shown.left : shown.right].astype(int)
    left, top, width, height = crop.scaled(1280 / SENSOR[0], 720 / SENSOR[1])
    expected = Image.fromarray(rgb[top : top + height, left : left + width])
    expected = np.asarray(expected.resize(shown.size, Image.BILINEAR))[:, ::-1].astype(int)
    assert np.abs(screen - expected).mean() < 3
    assert shown.height == surface.get_height()
