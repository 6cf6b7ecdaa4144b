"""The still-image camera: a picture plays the person in front of the camera.

``kiosk demo`` and the tests use it; it delivers the same streams as the Pi camera (see
``kiosk.camera.frames``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from kiosk.camera.frames import CameraError, Size, Still, xrgb_from_rgb
from kiosk.camera.pictured_person import PicturedPerson
from kiosk.config import Config


def load_image(path: Path) -> Image.Image:
    """Read an image file as RGB, upright according to its EXIF orientation."""
    try:
        with Image.open(path) as image:
            return ImageOps.exif_transpose(image).convert("RGB")
    except UnidentifiedImageError as error:
        raise CameraError(f"{path} is not a picture (a JPEG or PNG file is)") from error
    except (OSError, ValueError) as error:
        raise CameraError(f"cannot read camera image {path}: {error}") from error


class ImageCamera:
    """A camera whose scene is one still image: a person standing in front of a backdrop.

    At zoom 1 the image's height fills the sensor's height, centred; an image with the sensor's
    aspect ratio is the whole sensor frame. The person can be moved and scaled (``kiosk demo``
    keys) to try framing without a camera. The image file is read again when it changes, and a
    missing or unreadable file is a camera fault, so fault handling can be tried too.
    """

    def __init__(
        self,
        image: Path | Image.Image,
        sensor_size: Size = (4608, 2592),
        person: PicturedPerson | None = None,
        wallclock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
    ):
        self.sensor_size = sensor_size
        self.person = person or PicturedPerson()
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
        return (self.person.offset_x, self.person.offset_y, self.person.zoom, self._source_stamp)

    def _render(self, size: Size, cache: bool = True) -> np.ndarray:
        key = ("rgb", size, *self._scene_key())
        if cache and key in self._cache:
            return self._cache[key]
        if self._source is None:
            raise CameraError("camera was not started")
        source = self._source
        scale = size[1] / source.height * self.person.zoom
        person = source.resize(
            (max(1, round(source.width * scale)), max(1, round(source.height * scale))),
            Image.Resampling.BILINEAR,
        )
        canvas = Image.new("RGB", size, _backdrop_colour(source))
        centre_x = size[0] * (0.5 + self.person.offset_x)
        centre_y = size[1] * (0.5 + self.person.offset_y)
        canvas.paste(
            person, (round(centre_x - person.width / 2), round(centre_y - person.height / 2))
        )
        frame = np.asarray(canvas)
        if cache:
            # Only the newest scene is worth keeping.
            self._cache = {k: v for k, v in self._cache.items() if k[2:] == key[2:]}
            self._cache[key] = frame
        return frame


def _backdrop_colour(image: Image.Image) -> tuple[int, int, int]:
    """The median colour of the image's border, so the person seems to stand before a wall."""
    pixels = np.asarray(image)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    red, green, blue = np.median(border, axis=0).astype(int)
    return int(red), int(green), int(blue)


def demo_camera(config: Config, image: Path | None) -> ImageCamera:
    """The image camera for ``kiosk demo``: the given picture, else scikit-image's astronaut."""
    if image is not None:
        return ImageCamera(image, config.camera.sensor_size)
    if config.camera.image is not None:
        return ImageCamera(config.camera.image, config.camera.sensor_size)
    try:
        from skimage import data
    except ImportError as error:
        raise CameraError(
            "the demo portrait comes with scikit-image: install it (pip install -e '.[dev]') "
            "or pass --image PATH"
        ) from error
    return ImageCamera(Image.fromarray(data.astronaut()), config.camera.sensor_size)
