"""The picamera2 adapter against a recording fake of Picamera2."""

from __future__ import annotations

import numpy as np
import pytest
from fake_picamera2 import fake_api

from kiosk.camera.crop import Crop
from kiosk.camera.frames import CameraError, rgb_from_xrgb
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
    assert fake.configured["sensor"] == {"output_size": (2304, 1296), "bit_depth": 10}, (
        "the smallest mode that sees the whole field, not the cropped fast one"
    )


def test_frames_have_the_interface_shapes() -> None:
    camera, _ = started()
    preview = camera.preview_frame()
    assert preview.pixels.shape == (720, 1280, 4)
    assert preview.crop == Crop(0, 0, 4608, 2592), "a 16:9 preview shows the whole 16:9 field"
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
        {
            "AeEnable": True,
            "AwbEnable": True,
            "AfMode": "Continuous",
            "ScalerCrops": [(0, 0, 4608, 2592), (0, 0, 4608, 2592)],
        },
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
    preview = camera.preview_frame().pixels
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
    assert isinstance(camera.preview_frame().pixels, np.ndarray)


def test_picamera2_backend_without_picamera2_says_how_to_install_it() -> None:
    with pytest.raises(CameraError, match="apt install python3-picamera2"):
        open_camera(CameraConfig(backend="picamera2"))


def test_auto_backend_falls_back_to_the_picture(portrait_file, tmp_path, monkeypatch) -> None:
    import kiosk.camera.picam
    from kiosk.camera.image_camera import ImageCamera

    # On a computer (the tests may run on a Pi too, where a picture is never the camera).
    monkeypatch.setattr(kiosk.camera.picam, "BOARD_MODEL", tmp_path / "no-device-tree")

    camera = open_camera(CameraConfig(backend="auto", image=portrait_file))
    assert isinstance(camera, ImageCamera)
    with pytest.raises(CameraError, match=r"auto.*camera.image is not set"):
        open_camera(CameraConfig(backend="auto"))


def test_a_pi_never_plays_its_camera_with_a_picture(portrait_file, tmp_path, monkeypatch) -> None:
    import kiosk.camera.picam
    from kiosk.config import Config
    from kiosk.readiness import booth_problems

    board = tmp_path / "model"
    board.write_bytes(b"Raspberry Pi 4 Model B Rev 1.5\0")
    monkeypatch.setattr(kiosk.camera.picam, "BOARD_MODEL", board)
    with pytest.raises(CameraError, match="apt install python3-picamera2"):
        open_camera(CameraConfig(backend="auto", image=portrait_file))
    config = Config(camera=CameraConfig(backend="auto", image=portrait_file))
    assert any(p.startswith("camera.backend = 'auto'") for p in booth_problems(config))
    board.write_bytes(b"QEMU Virtual Machine\0")  # any other board: the picture, as configured
    assert not [p for p in booth_problems(config) if p.startswith("camera")]


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


# -- the preview crop: the ISP cuts main to it, lores keeps the whole field --

SENSOR = (4608, 2592)


def gradient_world(size: tuple[int, int]) -> np.ndarray:
    """The upright world before the booth: red says how far across, green how far down."""
    width, height = size
    x = np.linspace(0, 255, width)[None, :].repeat(height, axis=0)
    y = np.linspace(0, 255, height)[:, None].repeat(width, axis=1)
    return np.stack([x, y, x * 0], axis=2).round().astype(np.uint8)


def mounted(rotation: int):
    """The world as a sensor turned by ``rotation`` sees it (libcamera's flips come after)."""

    def scene(size: tuple[int, int]) -> np.ndarray:
        upright = gradient_world(size[::-1] if rotation in (90, 270) else size)
        if rotation == 90:
            return np.rot90(upright, k=1)
        if rotation == 270:
            return np.rot90(upright, k=-1)
        return upright[::-1, ::-1] if rotation == 180 else upright

    return scene


def assert_shows(pixels: np.ndarray, crop: Crop, field: tuple[int, int]) -> None:
    """The frame's corners are the crop's corners of the upright world."""
    rgb = rgb_from_xrgb(pixels).astype(float)
    assert rgb[0, 0, 0] == pytest.approx(255 * crop.left / field[0], abs=4)
    assert rgb[0, 0, 1] == pytest.approx(255 * crop.top / field[1], abs=4)
    assert rgb[-1, -1, 0] == pytest.approx(255 * crop.right / field[0], abs=4)
    assert rgb[-1, -1, 1] == pytest.approx(255 * crop.bottom / field[1], abs=4)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_the_isp_cuts_the_preview_to_the_crop_and_frames_name_their_crop(rotation) -> None:
    api = fake_api(scene=mounted(rotation))
    camera = PicameraCamera(CameraConfig(rotation=rotation), api)
    field = camera.sensor_size
    portrait = rotation in (90, 270)
    preview = (540, 960) if portrait else (576, 720)
    camera.start(preview, (180, 320) if portrait else (320, 180))
    fake = api.Picamera2.instances[-1]
    assert fake.configured["main"]["size"] == (preview[::-1] if portrait else preview)
    first = camera.preview_frame()
    assert first.pixels.shape == (preview[1], preview[0], 4)
    aspect = preview[0] / preview[1]
    assert first.crop.width / first.crop.height == pytest.approx(aspect, rel=0.01)
    assert_shows(first.pixels, first.crop, field)
    whole = camera.analysis_frame()

    guided = Crop(300, 500, 1000, 1776) if portrait else Crop(2900, 700, 1200, 1500)
    camera.set_preview_crop(guided)
    camera.set_preview_crop(guided)  # the loop hands the crop every frame: one control
    crop_controls = [c for c in fake.calls if c[0] == "set_controls" and "ScalerCrops" in c[1]]
    assert len(crop_controls) == 2, "one at start, one for the new crop"
    assert crop_controls[-1][1]["ScalerCrops"][1] == (0, 0, *fake.pixel_array)
    late = [camera.preview_frame() for _ in range(fake.control_latency)]
    assert all(frame.crop == first.crop for frame in late), "the ISP follows a few frames late"
    frame = camera.preview_frame()
    assert frame.crop == guided
    assert frame.pixels.shape == (preview[1], preview[0], 4), "the preview's size stays"
    assert_shows(frame.pixels, guided, field)
    assert np.abs(camera.analysis_frame().astype(int) - whole).max() <= 1, (
        "analysis keeps the whole field"
    )


def test_the_crop_is_asked_for_again_after_the_burst() -> None:
    camera, fake = started()
    guided = Crop(2900, 700, 1200, 675)
    camera.set_preview_crop(guided)
    camera.capture_burst(2)
    assert fake.calls[-1][0] == "set_controls"
    assert fake.calls[-1][1]["ScalerCrops"][0] == (2900, 700, 1200, 675)
    assert [camera.preview_frame().crop for _ in range(fake.control_latency + 1)][-1] == guided


def test_without_a_crop_per_stream_the_preview_is_the_whole_field() -> None:
    """A Pi 4's one ScalerCrop would cut the analysis stream too: main stays the whole field,
    at the size that maps the centred crop one-to-one, and the renderer cuts the crop."""
    api = fake_api(isp_crops_each_stream=False, scene=mounted(0))
    camera = PicameraCamera(CameraConfig(), api)
    camera.start((576, 720), (320, 180))
    fake = api.Picamera2.instances[-1]
    assert fake.configured["main"]["size"] == (1280, 720)
    camera.set_preview_crop(Crop(2900, 700, 1200, 1500))
    assert not [c for c in fake.calls if c[0] == "set_controls" and "ScalerCrop" in str(c[1])]
    frame = camera.preview_frame()
    assert frame.crop == Crop(0, 0, *SENSOR)
    assert_shows(frame.pixels, frame.crop, SENSOR)
