"""The preview renderer draws any crop guidance picks, mirrored, on the real pygame display:
from a frame the camera cut to the crop (one to one), from a frame of the whole field (a Pi 4:
cut and scaled), and from a frame that arrives still cut to the crop before."""

from __future__ import annotations

import numpy as np
import pygame
import pytest
from PIL import Image

from kiosk.booth.screens.preview import PreviewRenderer
from kiosk.camera.crop import Crop
from kiosk.camera.frames import PreviewFrame, rgb_from_xrgb, xrgb_from_rgb

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
    [Crop(1267, 0, 2074, 2592), Crop(300, 200, 1280, 1600), Crop(3000, 700, 1500, 1875)],
    ids=["centred, one to one", "guided, left", "guided, right and low"],
)
def test_a_whole_field_frame_shows_exactly_the_crop_mirrored(surface, crop) -> None:
    renderer = PreviewRenderer(surface, (0, 0, 0))
    rgb = gradient_frame((1280, 720))
    shown = renderer.draw(PreviewFrame(xrgb_from_rgb(rgb), Crop(0, 0, *SENSOR)), crop)
    pixels = pygame.surfarray.array3d(surface).transpose(1, 0, 2)
    screen = pixels[shown.top : shown.bottom, shown.left : shown.right].astype(int)
    left, top, width, height = crop.scaled(1280 / SENSOR[0], 720 / SENSOR[1])
    expected = Image.fromarray(rgb[top : top + height, left : left + width])
    expected = np.asarray(expected.resize(shown.size, Image.BILINEAR))[:, ::-1].astype(int)
    assert np.abs(screen - expected).mean() < 3
    assert shown.height == surface.get_height()


def screen_pixels(surface: pygame.Surface, area: pygame.Rect) -> np.ndarray:
    pixels = pygame.surfarray.array3d(surface).transpose(1, 0, 2)
    return pixels[area.top : area.bottom, area.left : area.right].astype(int)


def test_a_frame_cut_to_the_crop_is_copied_one_to_one_mirrored(surface) -> None:
    renderer = PreviewRenderer(surface, (0, 0, 0))
    crop = Crop(3000, 900, 1200, 1500)
    area = renderer.rect_for((crop.width, crop.height))
    rgb = np.random.default_rng(3).integers(0, 256, (area.height, area.width, 3), np.uint8)
    assert renderer.draw(PreviewFrame(xrgb_from_rgb(rgb), crop), crop) == area
    assert np.array_equal(screen_pixels(surface, area), rgb[:, ::-1])


def test_a_late_frame_holding_the_new_crop_is_cut_to_it(surface) -> None:
    """The ISP applies a new crop a few frames late: a frame of the old crop that holds the new
    one shows the new one already, not the old region squeezed into the new place."""
    renderer = PreviewRenderer(surface, (0, 0, 0))
    old = Crop(1267, 0, 2074, 2592)
    new = Crop(1500, 400, 1400, 1750)
    area = renderer.rect_for((old.width, old.height))
    rgb = gradient_frame(area.size)
    shown = renderer.draw(PreviewFrame(xrgb_from_rgb(rgb), old), new)
    assert shown == renderer.rect_for((new.width, new.height))
    left, top, width, height = Crop(
        new.left - old.left, new.top - old.top, new.width, new.height
    ).scaled(area.width / old.width, area.height / old.height)
    expected = Image.fromarray(rgb[top : top + height, left : left + width])
    expected = np.asarray(expected.resize(shown.size, Image.BILINEAR))[:, ::-1].astype(int)
    assert np.abs(screen_pixels(surface, shown) - expected).mean() < 3


def test_a_late_frame_without_the_new_crop_is_shown_whole_in_its_place(surface) -> None:
    """The crop moved out of the old one: the old picture stays a frame or two longer instead
    of a region that is neither."""
    renderer = PreviewRenderer(surface, (0, 0, 0))
    old = Crop(1267, 0, 2074, 2592)
    new = Crop(300, 200, 1280, 1600)
    area = renderer.rect_for((old.width, old.height))
    frame = PreviewFrame(xrgb_from_rgb(gradient_frame(area.size)), old)
    shown = renderer.draw(frame, new)
    expected = rgb_from_xrgb(frame.pixels)[:, ::-1].astype(int)
    assert shown == area
    assert np.abs(screen_pixels(surface, shown) - expected).max() == 0
