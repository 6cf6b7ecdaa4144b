"""A small stand-in for picamera2's Picamera2: it records calls and returns arrays of the shapes
the real one returns. picamera2 needs libcamera and a camera, so the adapter is tested on this."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from kiosk.camera.picam import Picamera2Api


class FakeRequest:
    def __init__(self, camera: FakePicamera2, number: int):
        self.camera = camera
        self.number = number
        self.released = False

    def make_array(self, stream: str) -> np.ndarray:
        config = self.camera.configured[stream]
        width, height = config["size"]
        if config["format"] == "YUV420":
            return np.full((height * 3 // 2, width), 77, dtype=np.uint8)
        if config["format"] == "XRGB8888":
            frame = np.zeros((height, width, 4), dtype=np.uint8)
            frame[0, 0] = (0, 0, 255, 255)  # B, G, R, X: red at the top left
            return frame
        frame = np.full((height, width, 3), self.number % 256, dtype=np.uint8)
        frame[0, 0] = (255, 0, 0)  # a red top-left pixel shows which way the frame is turned
        return frame

    def get_metadata(self) -> dict[str, Any]:
        return {"SensorTimestamp": self.number, "ExposureTime": 8000}

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
        self.configured: dict[str, Any] = {}
        self.modes: list[dict[str, Any]] = []  # configurations switched to, in order
        self.requests = 0
        self.frames_left: int | None = None  # None: frames for ever; 0: the camera hangs
        self.instances.append(self)

    # knobs a test turns
    pixel_array = (4608, 2592)
    has_autofocus = True
    fail_open = False
    fail_burst_at: int | None = None

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
        self.calls.append(("configure", config["use"]))

    def start(self) -> None:
        self.calls.append(("start",))

    def stop(self) -> None:
        self.calls.append(("stop",))

    def close(self) -> None:
        self.calls.append(("close",))

    def set_controls(self, controls: dict[str, Any]) -> None:
        self.calls.append(("set_controls", controls))

    def capture_metadata(self) -> dict[str, Any]:
        return {"ExposureTime": 8000, "AnalogueGain": 2.0, "ColourGains": (1.8, 1.5), "Lux": 300}

    def autofocus_cycle(self) -> bool:
        self.calls.append(("autofocus_cycle",))
        return True

    def switch_mode(self, config: dict[str, Any]) -> None:
        self.configured = config
        self.modes.append(config)
        self.requests = 0
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
    camera_class = type("FakePicamera2", (FakePicamera2,), {"instances": [], **knobs})
    return Picamera2Api(
        Picamera2=camera_class,
        Transform=lambda hflip=0, vflip=0: ("Transform", hflip, vflip),
        af_continuous="Continuous",
        af_auto="Auto",
    )
