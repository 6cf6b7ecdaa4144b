"""What the booth needs from any camera, whatever backend delivers it.

A camera delivers three things, each a numpy array, rows first, exactly as the sensor saw it
(not mirrored):
- preview frames, each the preview crop (the photo's crop, set by ``set_preview_crop``) at exactly
  the size the screen shows it, (height, width, 4) bytes in the order blue, green, red, unused:
  libcamera's XRGB8888, which is also the display's own pixel layout, so the preview reaches the
  screen one-to-one without a conversion, whatever crop guidance picks. A frame names the crop
  it shows: a camera applies a new crop a few frames late;
- small luminance frames for analysis of the whole sensor field, whatever the preview crop,
  (height, width);
- bursts of full-resolution stills, (height, width, 3) RGB.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from kiosk.camera.crop import Crop, centred_crop

Size = tuple[int, int]


class CameraError(Exception):
    """The camera cannot deliver: absent, unplugged, busy or broken."""


@dataclass(frozen=True)
class Still:
    pixels: np.ndarray
    captured_at: dt.datetime
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PreviewFrame:
    """XRGB8888 pixels showing the ``crop`` of the sensor image (sensor pixels), scaled to the
    pixels' size."""

    pixels: np.ndarray
    crop: Crop


class Camera(Protocol):
    sensor_size: Size

    def start(self, preview_size: Size, analysis_size: Size) -> None:
        """Start streaming: preview frames of ``preview_size`` showing the preview crop (at
        first the largest crop of the preview's aspect centred on the sensor, see
        ``first_preview_crop``), analysis frames of ``analysis_size``."""

    def set_preview_crop(self, crop: Crop) -> None:
        """Preview frames show ``crop`` from now on (a camera may take a few frames to follow;
        each frame names the crop it shows). ``crop`` has the preview's aspect ratio."""

    def preview_frame(self) -> PreviewFrame: ...

    def analysis_frame(self) -> np.ndarray: ...

    def capture_burst(self, count: int) -> list[Still]: ...

    def close(self) -> None: ...


def first_preview_crop(sensor_size: Size, preview_size: Size) -> Crop:
    """What the preview shows after ``start``, until a crop is set: the largest crop of the
    preview's aspect centred on the sensor (the photo's centred crop)."""
    return centred_crop(sensor_size, preview_size[0] / preview_size[1])


def xrgb_from_rgb(rgb: np.ndarray) -> np.ndarray:
    """RGB pixels in the preview stream's XRGB8888 layout (bytes blue, green, red, 255)."""
    height, width = rgb.shape[:2]
    xrgb = np.empty((height, width, 4), dtype=np.uint8)
    xrgb[..., :3] = rgb[..., ::-1]
    xrgb[..., 3] = 255
    return xrgb


def rgb_from_xrgb(xrgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(xrgb[..., 2::-1])
