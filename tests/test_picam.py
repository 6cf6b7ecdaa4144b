"""The picamera2 adapter against a recording fake of Picamera2."""

from __future__ import annotations

import numpy as np
import pytest
from fake_picamera2 import fake_api

from kiosk.camera.frames import CameraError
from kiosk.camera.picam import PicameraCamera, open_camera
from kiosk.config import CameraConfig

PREVIEW = (1280, 720)
ANALYSIS = (320, 240)


def started(**settings) -> tuple[PicameraCamera, object]:
    knobs = settings.pop("knobs", {})
    api = fake_api(**knobs)
    camera = PicameraCamera(CameraConfig(**settings), api)
    camera.start(PREVIEW, ANALYSIS)
    return camera, api.Picamera2.instances[-1]


def test_start_configures_preview_and_lores_streams_with_continuous_focus() -> None:
    _, fake = started()
    assert fake.calls[:2] == [("open", 0), ("configure", "preview")]
    assert ("set_controls", {"AfMode": "Continuous"}) in fake.calls
    assert fake.calls[-1] == ("start",)
    assert fake.configured["main"] == {"size": PREVIEW, "format": "XRGB8888"}
    assert fake.configured["lores"] == {"size": ANALYSIS, "format": "YUV420"}
    assert fake.configured["transform"] == ("Transform", 0, 0)


def test_frames_have_the_interface_shapes() -> None:
    camera, _ = started()
    preview = camera.preview_frame()
    assert preview.shape == (720, 1280, 4)
    analysis = camera.analysis_frame()
    assert analysis.shape == (240, 320)
    assert (analysis == 77).all(), "the Y plane of the YUV420 lores stream"


def test_burst_focuses_holds_exposure_switches_mode_and_switches_back() -> None:
    camera, fake = started()
    fake.calls.clear()
    stills = camera.capture_burst(3)
    assert [still.pixels.shape for still in stills] == [(2592, 4608, 3)] * 3
    assert [still.metadata["SensorTimestamp"] for still in stills] == [1, 2, 3]
    assert fake.calls[0] == ("autofocus_cycle",)
    assert fake.calls[1] == (
        "set_controls",
        {
            "AeEnable": False,
            "AwbEnable": False,
            "ExposureTime": 8000,
            "AnalogueGain": 2.0,
            "ColourGains": (1.8, 1.5),
        },
    )
    assert fake.calls[2] == ("switch_mode", "still")
    assert [call for call in fake.calls if call[0] == "release"] == [
        ("release", 1),
        ("release", 2),
        ("release", 3),
    ]
    assert fake.calls[-2] == ("switch_mode", "preview")
    assert fake.calls[-1] == (
        "set_controls",
        {"AeEnable": True, "AwbEnable": True, "AfMode": "Continuous"},
    )


def test_still_configuration_is_full_resolution_rgb_with_two_buffers() -> None:
    camera, fake = started()
    camera.capture_burst(1)
    still, preview = fake.modes
    assert still["main"] == {"size": (4608, 2592), "format": "BGR888"}
    assert still["buffer_count"] == 2
    assert preview["use"] == "preview"


def test_camera_without_autofocus_skips_focus_controls() -> None:
    camera, fake = started(knobs={"has_autofocus": False})
    camera.capture_burst(1)
    assert ("autofocus_cycle",) not in fake.calls
    assert not any(c[0] == "set_controls" and "AfMode" in c[1] for c in fake.calls)


def test_no_camera_at_all_is_a_camera_error() -> None:
    api = fake_api(cameras=[])
    with pytest.raises(CameraError, match="no camera found"):
        PicameraCamera(CameraConfig(), api).start(PREVIEW, ANALYSIS)


def test_a_camera_that_fails_to_open_is_a_camera_error() -> None:
    api = fake_api(fail_open=True)
    with pytest.raises(CameraError, match="failed to start"):
        PicameraCamera(CameraConfig(), api).start(PREVIEW, ANALYSIS)


def test_a_different_sensor_is_named_in_the_error() -> None:
    api = fake_api(pixel_array=(4056, 3040))
    with pytest.raises(CameraError, match=r"camera.sensor_size is 4608x2592 .* 4056x3040"):
        PicameraCamera(CameraConfig(), api).start(PREVIEW, ANALYSIS)
    assert api.Picamera2.instances[-1].calls[-1] == ("close",), "a failed start closes it"


def test_no_frame_for_two_seconds_is_a_camera_error() -> None:
    camera, fake = started()
    fake.frames_left = 0
    with pytest.raises(CameraError, match="no frame from the camera for 2 s"):
        camera.preview_frame()


def test_fault_mid_burst_switches_back_to_preview_and_raises() -> None:
    camera, fake = started(knobs={"fail_burst_at": 2})
    with pytest.raises(CameraError, match="Failed to allocate buffers"):
        camera.capture_burst(3)
    assert [c for c in fake.calls if c[0] == "switch_mode"][-1] == ("switch_mode", "preview")
    assert ("release", 1) in fake.calls


def test_camera_on_its_side_turns_frames_and_swaps_sizes() -> None:
    camera, fake = started(rotation=90)
    assert camera.sensor_size == (2592, 4608)
    assert fake.configured["main"]["size"] == (720, 1280), "the sensor sees the unturned size"
    preview = camera.preview_frame()
    assert preview.shape == (720, 1280, 4), "the booth gets the size it asked for"
    # Turned a quarter clockwise: the sensor's top-left pixel is now at the top right.
    assert tuple(preview[0, -1, :3]) == (0, 0, 255)
    [still] = camera.capture_burst(1)
    assert still.pixels.shape == (4608, 2592, 3)
    assert tuple(still.pixels[0, -1]) == (255, 0, 0)


def test_upside_down_camera_is_flipped_by_libcamera() -> None:
    _, fake = started(rotation=180)
    assert fake.configured["transform"] == ("Transform", 1, 1)
    _, fake = started(rotation=180, hflip=True)
    assert fake.configured["transform"] == ("Transform", 0, 1)


def test_close_stops_and_closes_once() -> None:
    camera, fake = started()
    camera.close()
    camera.close()
    assert fake.calls[-2:] == [("stop",), ("close",)]
    with pytest.raises(CameraError, match="not started"):
        camera.preview_frame()


def test_restart_after_a_fault_opens_a_fresh_camera() -> None:
    camera, fake = started()
    fake.frames_left = 0
    with pytest.raises(CameraError):
        camera.preview_frame()
    camera.start(PREVIEW, ANALYSIS)
    assert fake.calls[-1] == ("close",)
    assert isinstance(camera.preview_frame(), np.ndarray)


def test_picamera2_backend_without_picamera2_says_how_to_install_it() -> None:
    with pytest.raises(CameraError, match="apt install python3-picamera2"):
        open_camera(CameraConfig(backend="picamera2"))


def test_auto_backend_falls_back_to_the_picture(portrait_file) -> None:
    from kiosk.camera.image_camera import ImageCamera

    camera = open_camera(CameraConfig(backend="auto", image=portrait_file))
    assert isinstance(camera, ImageCamera)
    with pytest.raises(CameraError, match=r"auto.*camera.image is not set"):
        open_camera(CameraConfig(backend="auto"))


def test_one_camera_frame_serves_preview_and_analysis() -> None:
    camera, fake = started()
    camera.preview_frame()
    camera.analysis_frame()
    assert fake.requests == 1, "the UI loop waits for one frame, not two"
    camera.analysis_frame()
    assert fake.requests == 2, "without a fresh preview, analysis takes the next frame"
    assert [call for call in fake.calls if call[0] == "release"] == [("release", 1), ("release", 2)]


def test_an_old_preview_frame_is_not_analysed_in_a_new_visit() -> None:
    """The idle screen draws no preview: the analysis stream kept from the last visit's last
    frame is stale when the next visit begins, and the next camera frame is taken instead."""
    now = [100.0]
    api = fake_api()
    camera = PicameraCamera(CameraConfig(), api, clock=lambda: now[0])
    camera.start(PREVIEW, ANALYSIS)
    fake = api.Picamera2.instances[-1]
    camera.preview_frame()
    now[0] += 30.0  # the visit ended; the next begins half a minute later
    camera.analysis_frame()
    assert fake.requests == 2, "a fresh frame, not the one from the visit before"
