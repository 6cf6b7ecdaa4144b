"""The live image, cut to exactly the photo's crop and mirrored: drawn every frame, so fast.

Any crop costs about the same: a crop that maps one-to-one onto the screen is copied mirrored
straight into the screen's pixels; any other (guidance picked a smaller or larger crop than the
preview stream was sized for) is mirrored while still small and scaled by SDL straight into the
screen, with no full-size copy in between.
"""

from __future__ import annotations

import numpy as np
import pygame

from kiosk.camera.crop import Crop


class PreviewRenderer:
    def __init__(self, surface: pygame.Surface, sensor_size: tuple[int, int], background):
        self.surface = surface
        self.sensor_size = sensor_size
        self.background = background
        self.width, self.height = surface.get_size()
        self._bands_around: pygame.Rect | None = None
        self._native_xrgb = surface.get_bitsize() == 32 and surface.get_masks()[:3] == (
            0xFF0000,
            0x00FF00,
            0x0000FF,
        )

    def rect_for(self, crop_size: tuple[int, int]) -> pygame.Rect:
        """Where the preview goes: the crop's aspect, as large as fits, centred."""
        scale = min(self.width / crop_size[0], self.height / crop_size[1])
        size = (round(crop_size[0] * scale), round(crop_size[1] * scale))
        return pygame.Rect((0, 0), size).move(
            (self.width - size[0]) // 2, (self.height - size[1]) // 2
        )

    def forget(self) -> None:
        """Another screen painted the display: the bands must be painted again."""
        self._bands_around = None

    def draw(self, frame: np.ndarray | None, crop: Crop | None) -> pygame.Rect | None:
        """The crop of ``frame`` mirrored onto the screen; the bands around it plain. Returns
        where the preview went, or None when there is no frame (the screen is then plain)."""
        if frame is None or crop is None:
            self.surface.fill(self.background)
            self._bands_around = None
            return None
        frame_height, frame_width = frame.shape[:2]
        # The crop is in sensor pixels; the preview stream is the whole sensor field, smaller.
        left, top, width, height = crop.scaled(
            frame_width / self.sensor_size[0], frame_height / self.sensor_size[1]
        )
        width = min(width, frame_width - left)
        height = min(height, frame_height - top)
        target = self.rect_for((width, height))
        if target.size == (width, height) and self._native_xrgb:
            # The usual case: one-to-one pixels in the display's own layout. Copying the crop
            # mirrored straight into the screen costs less than a plain blit of the frame.
            pixels = pygame.surfarray.pixels2d(self.surface)
            cut = frame.view(np.uint32)[top : top + height, left : left + width, 0]
            np.copyto(
                pixels[target.left : target.right, target.top : target.bottom], cut[:, ::-1].T
            )
            del pixels
        elif self._native_xrgb:
            # Mirror the small cut, then let SDL scale it straight into the screen: no
            # full-size copy in between.
            whole = pygame.image.frombuffer(frame, (frame_width, frame_height), "BGRA")
            cut = pygame.transform.flip(whole.subsurface((left, top, width, height)), True, False)
            pygame.transform.scale(cut, target.size, self.surface.subsurface(target))
        else:
            whole = pygame.image.frombuffer(frame, (frame_width, frame_height), "BGRA")
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
