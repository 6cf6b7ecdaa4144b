"""The Raspberry Pi camera through picamera2: a thin adapter to the booth's camera interface.

Streams while framing (one configuration, so no mode switch until the photo):
- main: the preview crop at exactly its size on the display, in XRGB8888, the display's own pixel
  layout, so drawing it is a plain copy;
- lores: the whole sensor field, small, YUV420, whose Y plane is the analysis frame.

Where the ISP crops each stream on its own (the Pi 5's ``ScalerCrops`` control), main is cut to
the preview crop by the ISP at no CPU cost, and a new crop is one control per change; the ISP
applies it a few frames later, so each frame's metadata says which crop it shows. Where it cannot
(the Pi 4's single ``ScalerCrop`` would cut the analysis stream too, and guidance must see the
whole field), main is the whole field at the size that maps the centred crop one-to-one, and the
preview renderer cuts and scales other crops itself.

The burst: autofocus runs continuously while framing; before the burst one focus cycle runs and
the lens stays there, exposure and white balance are read from the live stream and held, then the
camera switches to a full-resolution still configuration with two buffers, takes the frames one
request at a time, and switches back. Two full-resolution buffers instead of one per burst frame
keep the contiguous (CMA) memory a Pi 4 has enough of; holding exposure makes the burst's frames
comparable. A mode switch costs a few hundred milliseconds once, at the end of the countdown.

One camera request per UI frame serves both the preview and the analysis frame. Every
picamera2/libcamera failure becomes a ``CameraError``, and a frame that does not arrive within
``FRAME_TIMEOUT`` seconds is one too (the booth then restarts the camera).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.camera.crop import Crop
from kiosk.camera.frames import Camera, CameraError, PreviewFrame, Size, Still, first_preview_crop
from kiosk.camera.image_camera import ImageCamera, portrait_camera
from kiosk.config import CameraConfig

log = logging.getLogger(__name__)

FRAME_TIMEOUT = 2.0
STILL_TIMEOUT = 10.0
# A preview frame's analysis stream serves analysis only this soon after it: older, it may be
# from a visit before (the idle screen shows no preview), and the next frame is taken instead.
LORES_FRESH_SECONDS = 0.25
# The ISP aligns a crop to a few pixels: a frame's crop this close to the one asked for is it.
CROP_TOLERANCE = 8


@dataclass(frozen=True)
class Picamera2Api:
    """What the adapter uses of picamera2 and libcamera; tests hand in a recording fake."""

    Picamera2: Any
    Transform: Callable[..., Any]
    af_continuous: Any
    af_auto: Any


def load_picamera2_api() -> Picamera2Api:
    try:
        from libcamera import Transform, controls
        from picamera2 import Picamera2
    except ImportError as error:
        raise CameraError(
            "picamera2 is not installed: on Raspberry Pi OS run 'sudo apt install "
            "python3-picamera2', with the venv made with --system-site-packages (install.sh does)"
        ) from error
    return Picamera2Api(
        Picamera2, Transform, controls.AfModeEnum.Continuous, controls.AfModeEnum.Auto
    )


# What the firmware calls the board: "Raspberry Pi 4 Model B Rev 1.5", ...
BOARD_MODEL = Path("/proc/device-tree/model")


def on_a_raspberry_pi() -> bool:
    """Whether this is a Raspberry Pi: there a broken camera stack is a fault, never a reason to
    play the camera with a picture."""
    try:
        return BOARD_MODEL.read_bytes().startswith(b"Raspberry Pi")
    except OSError:
        return False


def camera_present(api: Picamera2Api) -> bool:
    try:
        return bool(api.Picamera2.global_camera_info())
    except Exception:  # libcamera failing to enumerate is "no camera" too
        return False


class PicameraCamera:
    def __init__(
        self,
        config: CameraConfig,
        api: Picamera2Api,
        wallclock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
        clock: Callable[[], float] = time.monotonic,
    ):
        self.config = config
        self.api = api
        self.wallclock = wallclock
        self.clock = clock
        self._native_size: Size = config.sensor_size
        turned = config.rotation in (90, 270)
        self.sensor_size: Size = self._native_size[::-1] if turned else self._native_size
        self._camera: Any = None
        self._preview: Any = None
        self._still: Any = None
        self._analysis_size: Size = config.analysis_frame_size
        self._autofocus = False
        self._lores: np.ndarray | None = None
        self._lores_at = 0.0
        self._whole_field = Crop(0, 0, *self.sensor_size)
        self._crop_per_stream = False  # the ISP crops main alone (ScalerCrops)
        self._lores_rect: tuple[int, ...] = ()
        self._preview_crop: Crop | None = None  # the last crop asked of the ISP
        self._sent: dict[tuple[int, ...], Crop] = {}  # crops asked of the ISP, by rectangle

    # -- the interface --

    def start(self, preview_size: Size, analysis_size: Size) -> None:
        self.close()
        if not camera_present(self.api):
            raise CameraError("no camera found: is the ribbon cable seated and the camera enabled?")
        try:
            camera = self.api.Picamera2(self.config.index)
            self._camera = camera
            native = tuple(camera.camera_properties["PixelArraySize"])
            if native != tuple(self._native_size):
                raise CameraError(
                    f"camera.sensor_size is {self._native_size[0]}x{self._native_size[1]} but "
                    f"this camera's sensor is {native[0]}x{native[1]}: set camera.sensor_size"
                )
            transform = self.api.Transform(
                hflip=int(self.config.hflip ^ (self.config.rotation == 180)),
                vflip=int(self.config.vflip ^ (self.config.rotation == 180)),
            )
            self._analysis_size = analysis_size
            self._crop_per_stream = "ScalerCrops" in camera.camera_controls
            crop = first_preview_crop(self.sensor_size, preview_size)
            if self._crop_per_stream:
                main_size = preview_size
                # The widest crop the sensor mode allows: the whole field, for analysis.
                self._lores_rect = tuple(camera.camera_controls["ScalerCrop"][1])
            else:
                scale = preview_size[1] / crop.height
                main_size = (round(self.sensor_size[0] * scale), round(self.sensor_size[1] * scale))
            sensor = self._whole_field_mode(camera)
            self._preview = camera.create_preview_configuration(
                main={"size": self._unturned(main_size), "format": "XRGB8888"},
                lores={"size": self._unturned(analysis_size), "format": "YUV420"},
                buffer_count=4,
                transform=transform,
                **({"sensor": sensor} if sensor else {}),
            )
            # BGR888 arrays hold pixels in R, G, B order: the stills are RGB as the booth wants.
            self._still = camera.create_still_configuration(
                main={"size": tuple(self._native_size), "format": "BGR888"},
                buffer_count=2,
                transform=transform,
            )
            camera.configure(self._preview)
            self._autofocus = "AfMode" in camera.camera_controls
            if self._autofocus:
                camera.set_controls({"AfMode": self.api.af_continuous})
            self._sent.clear()
            self._preview_crop = None
            self.set_preview_crop(crop)
            camera.start()
        except CameraError:
            self.close()
            raise
        except Exception as error:
            self.close()
            raise CameraError(f"camera failed to start: {error}") from error

    def set_preview_crop(self, crop: Crop) -> None:
        """Ask the ISP to cut main to ``crop`` (one control per change; nothing to do where
        the ISP cannot crop main alone: the renderer cuts the whole field)."""
        camera = self._running()
        if not self._crop_per_stream or crop == self._preview_crop:
            return
        try:
            camera.set_controls(self._crop_controls(crop))
        except Exception as error:
            raise CameraError(f"camera refused the preview crop: {error}") from error
        self._preview_crop = crop

    def _crop_controls(self, crop: Crop) -> dict[str, Any]:
        """The controls that cut main to ``crop`` and keep lores whole; the crop is noted to
        name the frames that show it."""
        rect = self._native_rect(crop)
        if len(self._sent) > 16:  # only the last few can still be in flight
            self._sent.clear()
        self._sent.pop(rect, None)  # the newest last, where frames are matched first
        self._sent[rect] = crop
        return {"ScalerCrops": [rect, self._lores_rect]}

    def preview_frame(self) -> PreviewFrame:
        """The next frame's main stream, named with the crop it shows. Its lores stream is
        kept for ``analysis_frame``: one camera frame serves both, so the UI loop waits for one
        frame, not two."""
        (main, lores), metadata = self._capture(("main", "lores"))
        self._lores, self._lores_at = lores, self.clock()
        return PreviewFrame(self._turn(main), self._shown_crop(metadata))

    def analysis_frame(self) -> np.ndarray:
        """The lores stream of the latest preview frame (the booth loop asks for analysis
        before drawing: it gets the frame before, without waiting); else the next frame's."""
        lores, self._lores = self._lores, None
        if lores is None or self.clock() - self._lores_at > LORES_FRESH_SECONDS:
            (lores,), _ = self._capture(("lores",))
        width, height = self._unturned(self._analysis_size)
        return self._turn(lores[:height, :width])

    def capture_burst(self, count: int) -> list[Still]:
        camera = self._running()
        try:
            if self._autofocus and not camera.autofocus_cycle():
                log.warning("autofocus did not converge; taking the photo anyway")
            live = camera.capture_metadata()
            held = {"AeEnable": False, "AwbEnable": False}
            for control in ("ExposureTime", "AnalogueGain", "ColourGains"):
                if control in live:
                    held[control] = live[control]
            camera.set_controls(held)
            camera.switch_mode(self._still)
            try:
                stills = []
                for _ in range(count):
                    request = camera.wait(camera.capture_request(wait=False), STILL_TIMEOUT)
                    try:
                        pixels = self._turn(request.make_array("main"))
                        metadata = dict(request.get_metadata())
                    finally:
                        request.release()
                    stills.append(Still(pixels, self.wallclock(), metadata))
            finally:
                camera.switch_mode(self._preview)
                resumed = {"AeEnable": True, "AwbEnable": True}
                if self._autofocus:
                    resumed["AfMode"] = self.api.af_continuous
                if self._crop_per_stream and self._preview_crop is not None:
                    # Switching modes put picamera2's default crops back: ours again.
                    resumed.update(self._crop_controls(self._preview_crop))
                camera.set_controls(resumed)
        except TimeoutError as error:
            raise CameraError("the camera delivered no still within 10 s") from error
        except CameraError:
            raise
        except Exception as error:
            raise CameraError(f"burst failed: {error}") from error
        return stills

    def close(self) -> None:
        camera, self._camera = self._camera, None
        if camera is None:
            return
        for step in (camera.stop, camera.close):
            try:
                step()
            except Exception as error:  # closing a broken camera must not stop the retry
                log.warning("closing the camera: %s", error)

    # -- helpers --

    def _running(self) -> Any:
        if self._camera is None:
            raise CameraError("camera was not started")
        return self._camera

    def _capture(self, streams: tuple[str, ...]) -> tuple[list[np.ndarray], dict[str, Any]]:
        """Arrays of the given streams, all from the next camera frame, and its metadata."""
        camera = self._running()
        try:
            request = camera.wait(camera.capture_request(wait=False), FRAME_TIMEOUT)
            try:
                return [request.make_array(stream) for stream in streams], request.get_metadata()
            finally:
                request.release()
        except TimeoutError as error:
            raise CameraError(f"no frame from the camera for {FRAME_TIMEOUT:.0f} s") from error
        except Exception as error:
            raise CameraError(f"camera stopped delivering frames: {error}") from error

    def _whole_field_mode(self, camera: Any) -> dict[str, Any] | None:
        """The smallest sensor mode that reads the whole pixel array. Left to itself, libcamera
        picks a mode near the stream's size, which for a small preview is often a cropped one
        (the Camera Module 3's 1536x864): guidance would lose the field's edges."""
        try:
            modes = camera.sensor_modes
        except Exception as error:  # libcamera's choice is a worse preview, not a fault
            log.warning("cannot list the sensor modes (%s): libcamera picks one", error)
            return None
        native = tuple(self._native_size)
        whole = [mode for mode in modes if tuple(mode["crop_limits"][2:]) == native]
        if not whole:
            return None
        mode = min(whole, key=lambda m: (m["size"][0] * m["size"][1], -m["bit_depth"]))
        return {"output_size": tuple(mode["size"]), "bit_depth": mode["bit_depth"]}

    def _shown_crop(self, metadata: dict[str, Any]) -> Crop:
        """The crop a frame shows, from its metadata: the ISP applies a new crop a few frames
        after it is asked for."""
        if not self._crop_per_stream:
            return self._whole_field
        crops = metadata.get("ScalerCrops")
        rect = tuple(crops[0]) if crops else metadata.get("ScalerCrop")
        if rect is None:  # no word from the ISP: the crop asked for
            return self._preview_crop or self._whole_field
        for sent, crop in reversed(self._sent.items()):
            if max(abs(a - b) for a, b in zip(rect, sent, strict=True)) <= CROP_TOLERANCE:
                return crop
        return self._booth_crop(tuple(rect))

    def _native_rect(self, crop: Crop) -> tuple[int, int, int, int]:
        """``crop`` (on the booth's turned image) in the sensor's own orientation, as the ISP
        takes it: the quarter turn undone (libcamera's flips are the stream's own)."""
        native_width, native_height = self._native_size
        left, top, width, height = crop.left, crop.top, crop.width, crop.height
        if self.config.rotation == 90:
            return (top, native_height - left - width, height, width)
        if self.config.rotation == 270:
            return (native_width - top - height, left, height, width)
        return (left, top, width, height)

    def _booth_crop(self, rect: tuple[int, ...]) -> Crop:
        """A rectangle in the sensor's own orientation as a crop of the booth's turned image."""
        native_width, native_height = self._native_size
        x, y, width, height = rect
        if self.config.rotation == 90:
            return Crop(native_height - y - height, x, height, width)
        if self.config.rotation == 270:
            return Crop(y, native_width - x - width, height, width)
        return Crop(x, y, width, height)

    def _unturned(self, size: Size) -> Size:
        """A size on the booth's (turned) image as the sensor sees it."""
        return (size[1], size[0]) if self.config.rotation in (90, 270) else tuple(size)

    def _turn(self, frame: np.ndarray) -> np.ndarray:
        """Quarter turns for a camera mounted on its side; libcamera flips but cannot turn.
        The turned frame is copied into rows of its own: pygame and the analyser need
        contiguous arrays (a turned view is not)."""
        if self.config.rotation == 90:
            return np.ascontiguousarray(np.rot90(frame, k=-1))
        if self.config.rotation == 270:
            return np.ascontiguousarray(np.rot90(frame, k=1))
        return frame


def open_camera(config: CameraConfig) -> Camera:
    """The camera the config asks for.

    ``image`` plays the camera with ``camera.image``, else with the demo portrait the package
    ships. ``auto`` takes the Pi camera whenever picamera2 is installed (a camera missing at boot
    then shows "out of order" and is looked for again), else, on a computer that is no
    Raspberry Pi, the image camera if ``camera.image`` is set: a Pi never falls back to a
    picture by itself.
    """
    if config.backend == "image":
        if config.image is None:
            return portrait_camera(config.sensor_size)
        return ImageCamera(config.image, config.sensor_size)
    try:
        api = load_picamera2_api()
    except CameraError as error:
        if config.backend == "picamera2" or on_a_raspberry_pi():
            raise
        if config.image is None:
            raise CameraError(
                f"camera.backend = 'auto' found no Pi camera ({error}) and camera.image is not set"
            ) from error
        log.warning("no Pi camera (%s); using camera.image", error)
        return ImageCamera(config.image, config.sensor_size)
    return PicameraCamera(config, api)
