"""What the booth needs from any camera, whatever backend delivers it.

A camera delivers three things, each a numpy array, rows first, exactly as the sensor saw it
(not mirrored):
- preview frames of the whole sensor field at display size, (height, width, 4) bytes in the order
  blue, green, red, unused: libcamera's XRGB8888, which is also the display's own pixel layout,
  so the preview reaches the screen without a conversion;
- small luminance frames for analysis, (height, width);
- bursts of full-resolution stills, (height, width, 3) RGB.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

Size = tuple[int, int]


class CameraError(Exception):
    """The camera cannot deliver: absent, unplugged, busy or broken."""


@dataclass(frozen=True)
class Still:
    pixels: np.ndarray
    captured_at: dt.datetime
    metadata: dict[str, Any] = field(default_factory=dict)


class Camera(Protocol):
    sensor_size: Size

    def start(self, preview_size: Size, analysis_size: Size) -> None: ...

    def preview_frame(self) -> np.ndarray: ...

    def analysis_frame(self) -> np.ndarray: ...

    def capture_burst(self, count: int) -> list[Still]: ...

    def close(self) -> None: ...


def preview_size_for(sensor_size: Size, crop_height: int, display_height: int) -> Size:
    """Preview stream size at which the photo's crop maps one-to-one onto ``display_height``."""
    scale = display_height / crop_height
    return (round(sensor_size[0] * scale), round(sensor_size[1] * scale))


def xrgb_from_rgb(rgb: np.ndarray) -> np.ndarray:
    """RGB pixels in the preview stream's XRGB8888 layout (bytes blue, green, red, 255)."""
    height, width = rgb.shape[:2]
    xrgb = np.empty((height, width, 4), dtype=np.uint8)
    xrgb[..., :3] = rgb[..., ::-1]
    xrgb[..., 3] = 255
    return xrgb


def rgb_from_xrgb(xrgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(xrgb[..., 2::-1])
