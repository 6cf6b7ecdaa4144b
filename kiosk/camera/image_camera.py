"""The still-image camera: a picture plays the person in front of the camera.

``kiosk demo`` and the tests use it; it delivers the same streams as the Pi camera (see
``kiosk.camera.frames``). The person can roll their head and blink (where the picture's eyes are
known), and the frames of a burst differ as a real camera's do: sensor noise in every frame, a
little motion blur in some, a blink in some, so that choosing the best frame is really tested.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from kiosk.camera.crop import Crop
from kiosk.camera.frames import (
    CameraError,
    PreviewFrame,
    Size,
    Still,
    first_preview_crop,
    xrgb_from_rgb,
)
from kiosk.camera.pictured_person import PicturedPerson
from kiosk.config import Config

# The demo portrait that ships with the package (package data): NASA's public-domain portrait of
# the astronaut Eileen Collins, as scikit-image also ships it (see demo-portrait.md), 512 x 512.
DEMO_PORTRAIT = Path(__file__).with_name("demo-portrait.jpg")
# Where the astronaut's eyes are in that portrait (found by the face models).
ASTRONAUT_EYES = ((204.0, 101.0), (247.0, 103.0))
# Her eyes sit high in her portrait: standing this much lower (a share of the sensor's height)
# puts them on the framing rules' eye line, so the demo's first visit needs no cue at all.
DEMO_PORTRAIT_START_Y = 0.04
NOISE = 3  # sensor noise: up to this many levels either way
BLUR_SHARE = 0.3  # share of burst frames with a little motion blur
BLINK_SHARE = 0.2  # share of burst frames caught mid-blink
# A burst's frames follow each other (about ten a second at full resolution) and a blink lasts
# about a sixth of a second: a blink under way when the burst starts shuts the eyes on its first
# frame or first two, never on all of them.
BLINK_FRAMES = (1, 2)
# Sideways motion blur over two of the picture's pixels.
MOTION_BLUR = ImageFilter.Kernel((3, 3), (0, 0, 0, 0, 1, 1, 0, 0, 0), scale=2)


def load_image(path: Path) -> Image.Image:
    """Read an image file as RGB, upright according to its EXIF orientation."""
    try:
        with Image.open(path) as image:
            return ImageOps.exif_transpose(image).convert("RGB")
    except UnidentifiedImageError as error:
        raise CameraError(f"{path} is not a picture (a JPEG or PNG file is)") from error
    except FileNotFoundError as error:
        raise CameraError(f"{path} does not exist; check the picture's name") from error
    except IsADirectoryError as error:
        raise CameraError(f"{path} is a folder; name a JPEG or PNG file in it") from error
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
        seed: int | None = 0,
    ):
        self.sensor_size = sensor_size
        self.person = person or PicturedPerson()
        self._rng = np.random.default_rng(seed)
        self._noise: np.ndarray | None = None
        self._wallclock = wallclock
        self._path = image if isinstance(image, Path) else None
        self._source = image if isinstance(image, Image.Image) else None
        self._source_stamp: float | None = None
        self._preview_size: Size = (sensor_size[0] // 4, sensor_size[1] // 4)
        self._preview_crop = first_preview_crop(sensor_size, self._preview_size)
        self._analysis_size: Size = (320, 240)
        self._cache: dict[tuple[Any, ...], np.ndarray] = {}
        self._sequence = 0

    def start(self, preview_size: Size, analysis_size: Size) -> None:
        self._preview_size = preview_size
        self._preview_crop = first_preview_crop(self.sensor_size, preview_size)
        self._analysis_size = analysis_size
        self._cache.clear()
        self._reload_if_changed()

    def set_preview_crop(self, crop: Crop) -> None:
        # A picture has no frames in flight: the next frame shows the new crop.
        self._preview_crop = crop

    def preview_frame(self) -> PreviewFrame:
        """The preview crop cut from the scene rendered at the scale that maps the crop onto
        the preview size, as the Pi's ISP scales its crop straight into the stream."""
        crop = self._preview_crop
        key = ("xrgb", (self._preview_size, crop), *self._scene_key())
        if key not in self._cache:
            scale = self._preview_size[1] / crop.height
            window = (round(crop.left * scale), round(crop.top * scale), *self._preview_size)
            rgb = self._render(self._field_size(scale), window=window)
            self._cache[key] = xrgb_from_rgb(rgb)
        return PreviewFrame(self._cache[key], crop)

    def analysis_frame(self) -> np.ndarray:
        key = ("luma", self._analysis_size, *self._scene_key())
        if key not in self._cache:
            # Analysis sees the whole sensor field squeezed to its stream size, as libcamera's
            # lores stream does, rendered at the scale the centred crop's preview has.
            centred = first_preview_crop(self.sensor_size, self._preview_size)
            field = Image.fromarray(
                self._render(self._field_size(self._preview_size[1] / centred.height))
            )
            self._cache[key] = np.asarray(field.convert("L").resize(self._analysis_size))
        return self._cache[key]

    def _field_size(self, scale: float) -> Size:
        """The whole sensor field at ``scale``."""
        return (round(self.sensor_size[0] * scale), round(self.sensor_size[1] * scale))

    def capture_burst(self, count: int) -> list[Still]:
        self._reload_if_changed()
        stills = []
        closed_frames = (
            int(self._rng.integers(BLINK_FRAMES[0], BLINK_FRAMES[1] + 1))
            if self.person.eyes_closed
            else 0
        )
        for index in range(count):
            self._sequence += 1
            blink = self.person.eyes is not None and (
                index < closed_frames or self._rng.random() < BLINK_SHARE
            )
            # Each still is a buffer of its own, as a real camera delivers, so memory use
            # measured with this camera is what the booth needs.
            pixels = self._still(blink, blur=self._rng.random() < BLUR_SHARE)
            pixels.setflags(write=False)
            stills.append(
                Still(
                    pixels, self._wallclock(), {"FrameSequence": self._sequence, "Backend": "image"}
                )
            )
        return stills

    def _still(self, blink: bool, blur: bool) -> np.ndarray:
        """One full-resolution frame of the scene with sensor noise; maybe mid-blink, maybe
        blurred by a little sideways movement."""
        closed = self.person.eyes_closed
        self.person.eyes_closed = blink
        try:
            scene = self._render(self.sensor_size, cache=False, blur=blur)
        finally:
            self.person.eyes_closed = closed
        height, width = scene.shape[:2]
        if self._noise is None or self._noise.shape[:2] != (height + 8, width + 8):
            noise = self._rng.integers(-NOISE, NOISE + 1, (height + 8, width + 8, 3), np.int8)
            self._noise = noise.view(np.uint8)
        # Kept inside [NOISE, 255 - NOISE], adding the noise as bytes cannot wrap around.
        pixels = np.clip(scene, NOISE, 255 - NOISE)
        dy, dx = self._rng.integers(0, 8, 2)
        pixels += self._noise[dy : dy + height, dx : dx + width]
        return pixels

    def close(self) -> None:
        self._cache.clear()

    def eyes_on_sensor(self) -> tuple[tuple[float, float], float] | None:
        """The midpoint between the pictured person's eyes in sensor pixels and the distance
        between them, where the picture's eyes are known (else None)."""
        self._reload_if_changed()
        eyes, source = self.person.eyes, self._source
        if eyes is None or source is None:
            return None
        scale = self.sensor_size[1] / source.height * self.person.zoom
        centre_x = self.sensor_size[0] * (0.5 + self.person.offset_x)
        centre_y = self.sensor_size[1] * (0.5 + self.person.offset_y)
        mid_x = (eyes[0][0] + eyes[1][0]) / 2
        mid_y = (eyes[0][1] + eyes[1][1]) / 2
        point = (
            centre_x + (mid_x - source.width / 2) * scale,
            centre_y + (mid_y - source.height / 2) * scale,
        )
        return point, abs(eyes[1][0] - eyes[0][0]) * scale

    def scene(self, size: Size) -> np.ndarray:
        """The scene (the person before the backdrop) at ``size``, RGB."""
        self._reload_if_changed()
        return self._render(size)

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
        person = self.person
        return (
            person.offset_x,
            person.offset_y,
            person.zoom,
            person.roll,
            person.eyes_closed and person.eyes is not None,
            self._source_stamp,
        )

    def _render(
        self,
        size: Size,
        cache: bool = True,
        blur: bool = False,
        window: tuple[int, int, int, int] | None = None,
    ) -> np.ndarray:
        """The scene with the sensor's field at ``size``; only its ``window`` (left, top, width,
        height at that size) when given."""
        key = ("rgb", (size, window), *self._scene_key())
        if cache and key in self._cache:
            return self._cache[key]
        if self._source is None:
            raise CameraError("camera was not started")
        source = self._posed(self._source)
        if blur:  # the person moved a little while the shutter was open
            source = source.filter(MOTION_BLUR)
        scale = size[1] / source.height * self.person.zoom
        person = source.resize(
            (max(1, round(source.width * scale)), max(1, round(source.height * scale))),
            Image.Resampling.BILINEAR,
        )
        left, top, *canvas_size = window or (0, 0, *size)
        centre_x = size[0] * (0.5 + self.person.offset_x) - left
        centre_y = size[1] * (0.5 + self.person.offset_y) - top
        frame = _backdrop_around(
            np.asarray(person),
            (round(centre_x - person.width / 2), round(centre_y - person.height / 2)),
            (canvas_size[0], canvas_size[1]),
        )
        if cache:
            # Only the newest scene is worth keeping.
            self._cache = {k: v for k, v in self._cache.items() if k[2:] == key[2:]}
            self._cache[key] = frame
        return frame

    def _posed(self, source: Image.Image) -> Image.Image:
        """The picture with the person's head rolled about their eyes, eyes shut mid-blink."""
        person = self.person
        if person.eyes is not None and person.eyes_closed:
            source = _eyes_shut(source, person.eyes)
        if person.roll:
            eyes = person.eyes or ((source.width / 2, source.height / 2),) * 2
            centre = ((eyes[0][0] + eyes[1][0]) / 2, (eyes[0][1] + eyes[1][1]) / 2)
            source = source.rotate(
                person.roll, Image.BILINEAR, center=centre, fillcolor=_backdrop_colour(source)
            )
        return source


def _eyes_shut(image: Image.Image, eyes) -> Image.Image:
    """Both eyes painted shut: skin from just below each eye over it, a dark line for the lids."""
    pixels = np.asarray(image).copy()
    eye_distance = max(1.0, abs(eyes[1][0] - eyes[0][0]))
    half_width, half_height = round(eye_distance * 0.29), round(eye_distance * 0.16)
    for x, y in eyes:
        x, y = round(x), round(y)
        below = pixels[y + 2 * half_height : y + 2 * half_height + 3, x - 3 : x + 3]
        skin = below.reshape(-1, 3).mean(axis=0) if below.size else pixels[y, x]
        pixels[y - half_height : y + half_height, x - half_width : x + half_width + 1] = skin
        lid = max(1, half_height // 4)
        pixels[y + 1 : y + 1 + lid, x - half_width + 1 : x + half_width] = (90, 60, 50)
    return Image.fromarray(pixels)


def _backdrop_around(picture: np.ndarray, at: tuple[int, int], size: Size) -> np.ndarray:
    """A ``size`` frame with ``picture`` placed at ``at`` (its top-left, maybe outside). Above
    and below, the picture's edge row goes on, fading into a softened copy of itself: the wall
    behind the person continues, with no band of another colour across a photo's top, no
    streaks and no seam. Beside it, the picture's border colour."""
    height, width = picture.shape[:2]
    columns = np.clip(np.arange(size[0]) - at[0], 0, width - 1)
    rows = np.arange(size[1]) - at[1]
    frame = picture[np.clip(rows, 0, height - 1)[:, None], columns[None, :]]
    fade = max(1.0, height * 0.1)
    for outside, edge in ((rows < 0, 0), (rows >= height, height - 1)):
        if not outside.any():
            continue
        distance = np.where(rows < 0, -rows, rows - height + 1)[outside].astype(np.float64)
        share = np.minimum(1.0, distance / fade)[:, None, None]
        row = picture[edge][columns].astype(np.float64)
        soft = _soften(picture[edge])[columns].astype(np.float64)
        frame[outside] = (row * (1 - share) + soft * share).round().astype(picture.dtype)
    # Beside the picture, its border's median colour, as a wall seen past the person.
    beside = (np.arange(size[0]) < at[0]) | (np.arange(size[0]) >= at[0] + width)
    if beside.any():
        border = np.concatenate([picture[0], picture[-1], picture[:, 0], picture[:, -1]])
        frame[:, beside] = np.median(border, axis=0).astype(picture.dtype)
    return np.ascontiguousarray(frame)


def _soften(row: np.ndarray) -> np.ndarray:
    """A row of pixels averaged over a sixth of its width (edges held)."""
    width = max(1, row.shape[0] // 6)
    padded = np.pad(row.astype(np.float64), ((width, width), (0, 0)), mode="edge")
    sums = np.cumsum(padded, axis=0)
    means = (sums[2 * width :] - sums[: -2 * width]) / (2 * width)
    return means[: row.shape[0]].round().astype(row.dtype)


def _backdrop_colour(image: Image.Image) -> tuple[int, int, int]:
    """The median colour of the image's border, so the person seems to stand before a wall."""
    pixels = np.asarray(image)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    red, green, blue = np.median(border, axis=0).astype(int)
    return int(red), int(green), int(blue)


def portrait_camera(sensor_size: Size) -> ImageCamera:
    """The demo portrait as the camera, the astronaut standing where the framing rules want her."""
    person = PicturedPerson(offset_y=DEMO_PORTRAIT_START_Y, eyes=ASTRONAUT_EYES)
    return ImageCamera(DEMO_PORTRAIT, sensor_size, person=person)


def demo_camera(config: Config, image: Path | None) -> ImageCamera:
    """The image camera for ``kiosk demo``: the given picture, else camera.image, else the demo
    portrait."""
    picture = image or config.camera.image
    if picture is not None:
        return ImageCamera(picture, config.camera.sensor_size)
    return portrait_camera(config.camera.sensor_size)
