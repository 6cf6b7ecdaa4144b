"""A small stand-in for picamera2's Picamera2: it records calls and returns arrays of the shapes
the real one returns. picamera2 needs libcamera and a camera, so the adapter is tested on this.

Like a Pi 5's ISP it crops each stream on its own (``ScalerCrops``: main, lores, in the sensor's
orientation after libcamera's flips), applies new controls ``control_latency`` frames after they
are set, and reports each frame's crops in its metadata; configuring or switching modes puts
picamera2's defaults back (main: the largest centred crop of its aspect; lores: the whole field).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from kiosk.camera.frames import xrgb_from_rgb
from kiosk.camera.picam import Picamera2Api


class FakeRequest:
    def __init__(self, camera: FakePicamera2, number: int):
        self.camera = camera
        self.number = number
        self.released = False

    def make_array(self, stream: str) -> np.ndarray:
        config = self.camera.configured[stream]
        width, height = config["size"]
        if self.camera.scene is not None:
            return self._of_scene(stream, config, width, height)
        if config["format"] == "YUV420":
            return np.full((height * 3 // 2, width), 77, dtype=np.uint8)
        if config["format"] == "XRGB8888":
            frame = np.zeros((height, width, 4), dtype=np.uint8)
            frame[0, 0] = (0, 0, 255, 255)  # B, G, R, X: red at the top left
            return frame
        frame = np.full((height, width, 3), self.number % 256, dtype=np.uint8)
        frame[0, 0] = (255, 0, 0)  # a red top-left pixel shows which way the frame is turned
        return frame

    def _of_scene(self, stream: str, config: dict[str, Any], width: int, height: int) -> np.ndarray:
        """The stream's crop of the scene as the sensor sees it, scaled to the stream's size,
        flipped as the configured transform asks (libcamera flips; it cannot turn), in the
        stream's format."""
        left, top, crop_width, crop_height = self.crops[0 if stream == "main" else 1]
        sensor_width, sensor_height = self.camera.pixel_array
        scale_x, scale_y = width / crop_width, height / crop_height
        left, top = round(left * scale_x), round(top * scale_y)
        field = (
            max(left + width, round(sensor_width * scale_x)),
            max(top + height, round(sensor_height * scale_y)),
        )
        rgb = np.asarray(self.camera.scene(field))
        _, hflip, vflip = self.camera.configured["transform"]
        if hflip:
            rgb = rgb[:, ::-1]
        if vflip:
            rgb = rgb[::-1]
        rgb = rgb[top : top + height, left : left + width]
        if config["format"] == "YUV420":
            luma = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
            chroma = np.full((height // 2, width), 128, np.uint8)
            return np.concatenate([luma.round().astype(np.uint8), chroma])
        if config["format"] == "XRGB8888":
            return xrgb_from_rgb(np.ascontiguousarray(rgb))
        return np.ascontiguousarray(rgb)

    @property
    def crops(self) -> list[tuple[int, int, int, int]]:
        """The crops this frame was cut to: the newest ``ScalerCrops`` applied by now."""
        return self.camera.crops_at(self.number)

    def get_metadata(self) -> dict[str, Any]:
        crops = self.crops
        return {
            "SensorTimestamp": self.number,
            "ExposureTime": 8000,
            "ScalerCrop": crops[0],
            **({"ScalerCrops": crops} if self.camera.isp_crops_each_stream else {}),
        }

    def release(self) -> None:
        self.released = True
        self.camera.calls.append(("release", self.number))


class FakePicamera2:
    """Behaves like a Camera Module 3 unless told to fail."""

    cameras: ClassVar[list[dict[str, Any]]] = [{"Model": "imx708"}]
    instances: ClassVar[list[FakePicamera2]]

    def __init__(self, camera_num: int = 0):
        if self.fail_open:
            raise RuntimeError("Camera __init__ sequence did not complete.")
        self.camera_num = camera_num
        self.calls: list[tuple] = [("open", camera_num)]
        self.camera_properties = {"PixelArraySize": self.pixel_array}
        self.camera_controls = {"AfMode": (0, 2, 0)} if self.has_autofocus else {}
        whole = (0, 0, *self.pixel_array)
        self.camera_controls["ScalerCrop"] = ((0, 0, 64, 64), whole, whole)
        if self.isp_crops_each_stream:
            self.camera_controls["ScalerCrops"] = ((0, 0, 64, 64), whole, whole)
        self.controls_set: list[tuple[int, dict[str, Any]]] = []  # (first frame, controls)
        self.configured: dict[str, Any] = {}
        self.modes: list[dict[str, Any]] = []  # configurations switched to, in order
        self.requests = 0
        self.frames_left: int | None = None  # None: frames for ever; 0: the camera hangs
        self.instances.append(self)

    # knobs a test turns
    pixel_array = (4608, 2592)
    has_autofocus = True
    isp_crops_each_stream = True  # a Pi 5; False: a Pi 4, whose one ScalerCrop cuts every stream
    control_latency = 2  # frames until a control set takes effect
    fail_open = False
    fail_burst_at: int | None = None
    # What the sensor sees: (width, height) -> RGB rows, unflipped; None: plain test frames.
    scene: Callable[[tuple[int, int]], np.ndarray] | None = None

    @property
    def sensor_modes(self) -> list[dict[str, Any]]:
        """Like the Camera Module 3's: a fast cropped mode, a binned and a full one."""
        width, height = self.pixel_array
        return [
            {
                "size": (width // 3, height // 3),
                "bit_depth": 10,
                "crop_limits": (width // 6, height // 6, width * 2 // 3, height * 2 // 3),
            },
            {
                "size": (width // 2, height // 2),
                "bit_depth": 10,
                "crop_limits": (0, 0, width, height),
            },
            {"size": (width, height), "bit_depth": 10, "crop_limits": (0, 0, width, height)},
        ]

    @classmethod
    def global_camera_info(cls) -> list[dict[str, Any]]:
        return cls.cameras

    def create_preview_configuration(self, **kwargs: Any) -> dict[str, Any]:
        return {"use": "preview", **kwargs}

    def create_still_configuration(self, **kwargs: Any) -> dict[str, Any]:
        return {"use": "still", **kwargs}

    def configure(self, config: dict[str, Any]) -> None:
        self.configured = config
        self.requests = 0
        self.controls_set = []
        self.calls.append(("configure", config["use"]))

    def start(self) -> None:
        self.calls.append(("start",))

    def stop(self) -> None:
        self.calls.append(("stop",))

    def close(self) -> None:
        self.calls.append(("close",))

    def set_controls(self, controls: dict[str, Any]) -> None:
        self.calls.append(("set_controls", controls))
        if "ScalerCrops" in controls and not self.isp_crops_each_stream:
            raise RuntimeError("Control ScalerCrops not advertised by the camera")
        self.controls_set.append((self.requests + 1 + self.control_latency, controls))

    def default_crops(self) -> list[tuple[int, int, int, int]]:
        """picamera2's crops after configuring: main's aspect kept, lores the whole field."""
        sensor_width, sensor_height = self.pixel_array
        width, height = self.configured["main"]["size"]
        crop_width = min(sensor_width, round(sensor_height * width / height))
        crop_height = min(sensor_height, round(crop_width * height / width))
        left, top = (sensor_width - crop_width) // 2, (sensor_height - crop_height) // 2
        main = (left, top, crop_width, crop_height)
        if not self.isp_crops_each_stream:
            return [main, main]
        return [main, (0, 0, sensor_width, sensor_height)]

    def crops_at(self, frame: int) -> list[tuple[int, int, int, int]]:
        """The crops of this configuration's ``frame``: the last set that has taken effect."""
        crops = self.default_crops()
        for first_frame, controls in self.controls_set:
            if first_frame <= frame:
                if "ScalerCrops" in controls:
                    crops = [tuple(rect) for rect in controls["ScalerCrops"]]
                elif "ScalerCrop" in controls:
                    crops = [tuple(controls["ScalerCrop"])] * 2
        return crops

    def capture_metadata(self) -> dict[str, Any]:
        return {"ExposureTime": 8000, "AnalogueGain": 2.0, "ColourGains": (1.8, 1.5), "Lux": 300}

    def autofocus_cycle(self) -> bool:
        self.calls.append(("autofocus_cycle",))
        return True

    def switch_mode(self, config: dict[str, Any]) -> None:
        self.configured = config
        self.modes.append(config)
        self.requests = 0
        self.controls_set = []
        self.calls.append(("switch_mode", config["use"]))

    def capture_request(self, wait: bool | None = None) -> tuple[str, int]:
        """Frames are numbered from 1 in each configuration (so a burst's are 1, 2, 3...)."""
        self.requests += 1
        return ("request", self.requests)

    def wait(self, job: tuple, timeout: float | None = None) -> Any:
        if self.frames_left is not None:
            if self.frames_left <= 0:
                raise TimeoutError
            self.frames_left -= 1
        _, number = job
        if self.configured.get("use") == "still" and self.fail_burst_at == number:
            raise RuntimeError("Failed to allocate buffers")
        return FakeRequest(self, number)


def fake_api(**knobs: Any) -> Picamera2Api:
    """An API whose Picamera2 is a fresh fake class with ``knobs`` set (see FakePicamera2)."""
    if knobs.get("scene") is not None:
        knobs["scene"] = staticmethod(knobs["scene"])
    camera_class = type("FakePicamera2", (FakePicamera2,), {"instances": [], **knobs})
    return Picamera2Api(
        Picamera2=camera_class,
        Transform=lambda hflip=0, vflip=0: ("Transform", hflip, vflip),
        af_continuous="Continuous",
        af_auto="Auto",
    )
