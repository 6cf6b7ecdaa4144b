"""The camera edge: what the booth needs from any camera, and the still-image backend.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image, ImageOps

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


def load_image(path: Path) -> Image.Image:
    """Read an image file as RGB, upright according to its EXIF orientation."""
    try:
        with Image.open(path) as image:
            return ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, ValueError) as error:
        raise CameraError(f"cannot read camera image {path}: {error}") from error


@dataclass
class Subject:
    """Where the pictured person stands: offset from the centre (sensor fractions) and size."""

    offset_x: float = 0.0
    offset_y: float = 0.0
    zoom: float = 1.0

    def move(self, dx: float, dy: float) -> None:
        self.offset_x = min(0.6, max(-0.6, self.offset_x + dx))
        self.offset_y = min(0.6, max(-0.6, self.offset_y + dy))

    def scale(self, factor: float) -> None:
        self.zoom = min(4.0, max(0.2, self.zoom * factor))


class ImageCamera:
    """A camera whose scene is one still image: a person standing in front of a backdrop.

    At zoom 1 the image's height fills the sensor's height, centred; an image with the sensor's
    aspect ratio is the whole sensor frame. The subject can be moved and scaled (``kiosk demo``
    keys) to try framing without a camera. The image file is read again when it changes, and a
    missing or unreadable file is a camera fault, so fault handling can be tried too.
    """

    def __init__(
        self,
        image: Path | Image.Image,
        sensor_size: Size = (4608, 2592),
        subject: Subject | None = None,
        wallclock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
    ):
        self.sensor_size = sensor_size
        self.subject = subject or Subject()
        self._wallclock = wallclock
        self._path = image if isinstance(image, Path) else None
        self._source = image if isinstance(image, Image.Image) else None
        self._source_stamp: float | None = None
        self._preview_size: Size = (sensor_size[0] // 4, sensor_size[1] // 4)
        self._analysis_size: Size = (320, 240)
        self._cache: dict[tuple[Any, ...], np.ndarray] = {}
        self._sequence = 0

    def start(self, preview_size: Size, analysis_size: Size) -> None:
        self._preview_size = preview_size
        self._analysis_size = analysis_size
        self._cache.clear()
        self._reload_if_changed()

    def preview_frame(self) -> np.ndarray:
        key = ("xrgb", self._preview_size, *self._scene_key())
        if key not in self._cache:
            self._cache[key] = xrgb_from_rgb(self._render(self._preview_size))
        return self._cache[key]

    def analysis_frame(self) -> np.ndarray:
        key = ("luma", self._analysis_size, *self._scene_key())
        if key not in self._cache:
            preview = Image.fromarray(self._render(self._preview_size))
            # Analysis sees the whole sensor field squeezed to its stream size, as libcamera's
            # lores stream does.
            self._cache[key] = np.asarray(preview.convert("L").resize(self._analysis_size))
        return self._cache[key]

    def capture_burst(self, count: int) -> list[Still]:
        self._reload_if_changed()
        scene = self._render(self.sensor_size, cache=False)
        stills = []
        for _ in range(count):
            self._sequence += 1
            # Each still is a buffer of its own, as a real camera delivers, so memory use
            # measured with this camera is what the booth needs.
            pixels = scene.copy()
            pixels.setflags(write=False)
            stills.append(
                Still(
                    pixels, self._wallclock(), {"FrameSequence": self._sequence, "Backend": "image"}
                )
            )
        return stills

    def close(self) -> None:
        self._cache.clear()

    # -- the scene --

    def _reload_if_changed(self) -> None:
        if self._path is None:
            return
        try:
            stamp = self._path.stat().st_mtime
        except OSError as error:
            raise CameraError(f"camera image {self._path} is gone: {error}") from error
        if stamp != self._source_stamp:
            self._source = load_image(self._path)
            self._source_stamp = stamp
            self._cache.clear()

    def _scene_key(self) -> tuple[Any, ...]:
        return (self.subject.offset_x, self.subject.offset_y, self.subject.zoom, self._source_stamp)

    def _render(self, size: Size, cache: bool = True) -> np.ndarray:
        key = ("rgb", size, *self._scene_key())
        if cache and key in self._cache:
            return self._cache[key]
        if self._source is None:
            raise CameraError("camera was not started")
        source = self._source
        scale = size[1] / source.height * self.subject.zoom
        person = source.resize(
            (max(1, round(source.width * scale)), max(1, round(source.height * scale))),
            Image.Resampling.BILINEAR,
        )
        canvas = Image.new("RGB", size, _backdrop_colour(source))
        centre_x = size[0] * (0.5 + self.subject.offset_x)
        centre_y = size[1] * (0.5 + self.subject.offset_y)
        canvas.paste(
            person, (round(centre_x - person.width / 2), round(centre_y - person.height / 2))
        )
        frame = np.asarray(canvas)
        if cache:
            # Only the newest scene is worth keeping.
            self._cache = {k: v for k, v in self._cache.items() if k[2:] == key[2:]}
            self._cache[key] = frame
        return frame


def xrgb_from_rgb(rgb: np.ndarray) -> np.ndarray:
    """RGB pixels in the preview stream's XRGB8888 layout (bytes blue, green, red, 255)."""
    height, width = rgb.shape[:2]
    xrgb = np.empty((height, width, 4), dtype=np.uint8)
    xrgb[..., :3] = rgb[..., ::-1]
    xrgb[..., 3] = 255
    return xrgb


def rgb_from_xrgb(xrgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(xrgb[..., 2::-1])


def _backdrop_colour(image: Image.Image) -> tuple[int, int, int]:
    """The median colour of the image's border, so the person seems to stand before a wall."""
    pixels = np.asarray(image)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    red, green, blue = np.median(border, axis=0).astype(int)
    return int(red), int(green), int(blue)
