"""The live image, cut to exactly the photo's crop and mirrored: drawn every frame, so fast.

The camera delivers the preview already cut to the crop guidance picked, at the size the screen
shows it (the Pi's ISP scales it there at no CPU cost), so drawing is a mirrored copy straight
into the screen's pixels, whatever the crop. A frame that shows something else is cut and scaled
here: a camera that cannot crop the preview alone (a Pi 4) sends the whole field, and a new crop
reaches the frames a few frames late. A late frame that holds the new crop is cut to it; one that
does not (the crop grew or moved out of it) is shown whole in the crop's place, so the picture
never shows a region that is neither the old crop nor the new one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pygame

from kiosk.camera.crop import Crop
from kiosk.camera.frames import PreviewFrame


class PreviewRenderer:
    def __init__(
        self,
        surface: pygame.Surface,
        background,
        place: Callable[[tuple[int, int]], pygame.Rect] | None = None,
    ):
        """``place``: where a preview of a size goes on the screen (the screens' stage);
        centred when not given."""
        self.surface = surface
        self.background = background
        self._place = place
        self.width, self.height = surface.get_size()
        self._bands_around: pygame.Rect | None = None
        self._native_xrgb = surface.get_bitsize() == 32 and surface.get_masks()[:3] == (
            0xFF0000,
            0x00FF00,
            0x0000FF,
        )

    def rect_for(self, crop_size: tuple[int, int]) -> pygame.Rect:
        """Where the preview goes: the crop's aspect, as large as fits; where the stage puts
        it, else centred."""
        scale = min(self.width / crop_size[0], self.height / crop_size[1])
        size = (round(crop_size[0] * scale), round(crop_size[1] * scale))
        if self._place is not None:
            return self._place(size)
        return pygame.Rect((0, 0), size).move(
            (self.width - size[0]) // 2, (self.height - size[1]) // 2
        )

    def dim(self, area: pygame.Rect, share: float) -> None:
        """Darken the picture in ``area`` by ``share`` (a frozen or idle view, not the live
        one). Multiplying in place is one pass over the pixels; an alpha blit is three."""
        keep = round(255 * (1 - share))
        self.surface.fill((keep, keep, keep), area, special_flags=pygame.BLEND_RGB_MULT)

    def forget(self) -> None:
        """Another screen painted the display: the bands must be painted again."""
        self._bands_around = None

    def draw(self, frame: PreviewFrame | None, crop: Crop | None) -> pygame.Rect | None:
        """The crop of ``frame`` mirrored onto the screen; the bands around it plain. Returns
        where the preview went, or None when there is no frame (the screen is then plain)."""
        if frame is None or crop is None:
            self.surface.fill(self.background)
            self._bands_around = None
            return None
        pixels, shows = frame.pixels, frame.crop
        target = self.rect_for((crop.width, crop.height))
        frame_height, frame_width = pixels.shape[:2]
        if shows.contains(crop):
            # The frame's pixels per sensor pixel: the crop's place in the frame.
            left, top, width, height = Crop(
                crop.left - shows.left, crop.top - shows.top, crop.width, crop.height
            ).scaled(frame_width / shows.width, frame_height / shows.height)
            width = min(width, frame_width - left)
            height = min(height, frame_height - top)
        else:
            left, top, width, height = 0, 0, frame_width, frame_height
        if target.size == (width, height) and self._native_xrgb:
            # The usual case: one-to-one pixels in the display's own layout. Copying the crop
            # mirrored straight into the screen costs less than a plain blit of the frame.
            screen = pygame.surfarray.pixels2d(self.surface)
            cut = pixels.view(np.uint32)[top : top + height, left : left + width, 0]
            np.copyto(
                screen[target.left : target.right, target.top : target.bottom], cut[:, ::-1].T
            )
            del screen
        elif self._native_xrgb:
            # Mirror the small cut, then let SDL scale it straight into the screen: no
            # full-size copy in between.
            whole = pygame.image.frombuffer(pixels, (frame_width, frame_height), "BGRA")
            cut = pygame.transform.flip(whole.subsurface((left, top, width, height)), True, False)
            pygame.transform.scale(cut, target.size, self.surface.subsurface(target))
        else:
            whole = pygame.image.frombuffer(pixels, (frame_width, frame_height), "BGRA")
            cut = whole.subsurface((left, top, width, height))
            mirrored = pygame.transform.flip(cut, True, False)
            if mirrored.get_size() != target.size:
                mirrored = pygame.transform.scale(mirrored, target.size)
            self.surface.blit(mirrored, target)
        if target != self._bands_around:
            # The plain bands beside the preview stay as they are from frame to frame.
            for band in _bands(self.surface.get_rect(), target):
                self.surface.fill(self.background, band)
            self._bands_around = target
        return target


def _bands(screen: pygame.Rect, inner: pygame.Rect) -> list[pygame.Rect]:
    bands = [
        pygame.Rect(0, 0, inner.left, screen.height),
        pygame.Rect(inner.right, 0, screen.width - inner.right, screen.height),
        pygame.Rect(inner.left, 0, inner.width, inner.top),
        pygame.Rect(inner.left, inner.bottom, inner.width, screen.height - inner.bottom),
    ]
    return [band for band in bands if band.width > 0 and band.height > 0]
