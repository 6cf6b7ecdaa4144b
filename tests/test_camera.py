"""The still-image camera: geometry of the simulated person, streams, bursts, faults."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.camera.crop import Crop
from kiosk.camera.frames import CameraError, rgb_from_xrgb
from kiosk.camera.image_camera import ImageCamera
from kiosk.camera.pictured_person import PicturedPerson

SENSOR = (4608, 2592)


def darkest_column(frame: np.ndarray) -> float:
    """Centre of the columns that differ from the backdrop: where the person stands."""
    grey = frame.astype(float).mean(axis=2)
    backdrop = np.median(np.concatenate([grey[:, 0], grey[:, -1]]))
    columns = np.abs(grey - backdrop).mean(axis=0)
    return float((columns * np.arange(len(columns))).sum() / columns.sum())


def test_streams_have_the_requested_sizes(portrait_file: Path) -> None:
    camera = ImageCamera(portrait_file, SENSOR)
    camera.start((1280, 720), (320, 240))
    assert camera.preview_frame().pixels.shape == (720, 1280, 4)
    assert camera.analysis_frame().shape == (240, 320)
    assert camera.analysis_frame().dtype == np.uint8


def test_image_of_sensor_aspect_is_the_whole_sensor_frame(tmp_path: Path) -> None:
    from PIL import Image

    rng = np.random.default_rng(1)
    scene = rng.integers(0, 255, (648, 1152, 3), dtype=np.uint8)
    path = tmp_path / "scene.png"
    Image.fromarray(scene).save(path)
    camera = ImageCamera(path, SENSOR)
    camera.start((1152, 648), (320, 240))
    assert np.array_equal(rgb_from_xrgb(camera.preview_frame().pixels), scene)


def gradient_scene(tmp_path: Path) -> Path:
    """A picture of the sensor's aspect whose red says how far across, green how far down."""
    from PIL import Image

    x = np.linspace(0, 255, 1152)[None, :].repeat(648, axis=0)
    y = np.linspace(0, 255, 648)[:, None].repeat(1152, axis=1)
    path = tmp_path / "gradient.png"
    Image.fromarray(np.stack([x, y, x * 0], axis=2).round().astype(np.uint8)).save(path)
    return path


def test_the_preview_shows_the_crop_at_the_preview_size_and_analysis_the_whole_field(
    tmp_path: Path,
) -> None:
    camera = ImageCamera(gradient_scene(tmp_path), SENSOR)
    camera.start((576, 720), (320, 180))
    first = camera.preview_frame()
    assert first.crop == Crop(1267, 0, 2074, 2592), "first the centred crop of the preview's shape"
    whole = camera.analysis_frame()
    crop = Crop(3000, 900, 1200, 1500)  # guidance picked a smaller crop, right and low
    camera.set_preview_crop(crop)
    frame = camera.preview_frame()
    assert frame.crop == crop, "a picture has no frames in flight"
    assert frame.pixels.shape == (720, 576, 4)
    rgb = rgb_from_xrgb(frame.pixels).astype(float)
    # Red and green grow linearly across the sensor: the corners say which region is shown.
    assert rgb[0, 0, 0] == pytest.approx(255 * crop.left / SENSOR[0], abs=3)
    assert rgb[0, 0, 1] == pytest.approx(255 * crop.top / SENSOR[1], abs=3)
    assert rgb[-1, -1, 0] == pytest.approx(255 * crop.right / SENSOR[0], abs=3)
    assert rgb[-1, -1, 1] == pytest.approx(255 * crop.bottom / SENSOR[1], abs=3)
    assert np.array_equal(camera.analysis_frame(), whole), "analysis keeps the whole field"


def test_moving_the_subject_moves_the_person_in_the_frame(portrait_file: Path) -> None:
    camera = ImageCamera(portrait_file, SENSOR, person=PicturedPerson())
    camera.start((1152, 648), (320, 240))
    centre = darkest_column(rgb_from_xrgb(camera.preview_frame().pixels))
    camera.person.move(0.1, 0.0)
    moved = darkest_column(rgb_from_xrgb(camera.preview_frame().pixels))
    assert moved - centre == pytest.approx(115, abs=10)  # 10 % of 1152 px


def test_scaling_the_subject_changes_their_size(portrait_file: Path, astronaut) -> None:
    camera = ImageCamera(portrait_file, SENSOR)
    camera.start((1152, 648), (320, 240))
    camera.person.scale(0.5)
    frame = rgb_from_xrgb(camera.preview_frame().pixels)
    grey = frame.astype(int).sum(axis=2)
    # Beside the picture is the wall's flat colour (above and below, the picture's own edge
    # goes on): the square picture's width is its size.
    person = np.argwhere(np.abs(grey - grey[0, 0]) > 30)
    width = person[:, 1].max() - person[:, 1].min() + 1
    assert width == pytest.approx(324, abs=6)


def test_burst_is_full_resolution_and_timestamped(portrait_file: Path) -> None:
    moment = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
    camera = ImageCamera(portrait_file, SENSOR, wallclock=lambda: moment)
    camera.start((1152, 648), (320, 240))
    stills = camera.capture_burst(3)
    assert len(stills) == 3
    assert all(still.pixels.shape == (2592, 4608, 3) for still in stills)
    assert all(still.captured_at == moment for still in stills)
    assert [still.metadata["FrameSequence"] for still in stills] == [1, 2, 3]
    with pytest.raises(ValueError):
        stills[0].pixels[0, 0] = 0  # a captured frame is never altered


def test_missing_image_is_a_camera_fault(tmp_path: Path) -> None:
    camera = ImageCamera(tmp_path / "none.png", SENSOR)
    with pytest.raises(CameraError, match="gone"):
        camera.start((1152, 648), (320, 240))


def test_unreadable_image_is_a_camera_fault(tmp_path: Path) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8 not really a jpeg")
    with pytest.raises(CameraError, match="is not a picture"):
        ImageCamera(path, SENSOR).start((1152, 648), (320, 240))


def test_image_swapped_while_running_is_picked_up(portrait_file: Path) -> None:
    import os

    from PIL import Image

    camera = ImageCamera(portrait_file, SENSOR)
    camera.start((1152, 648), (320, 240))
    Image.new("RGB", (512, 512), (10, 200, 10)).save(portrait_file)
    os.utime(portrait_file, (1, 1))
    [still] = camera.capture_burst(1)
    pixel = still.pixels[1296, 2304].astype(int)
    assert np.abs(pixel - (10, 200, 10)).max() <= 3, "the new picture, with sensor noise"


def test_burst_frames_differ_as_a_real_cameras_do(astronaut) -> None:
    """Noise in every frame, a blink and a little blur in some: the burst choice has something
    to choose from."""
    from PIL import Image

    from kiosk.camera.image_camera import ASTRONAUT_EYES
    from kiosk.vision.burst import laplacian_variance

    camera = ImageCamera(
        Image.fromarray(astronaut), SENSOR, PicturedPerson(eyes=ASTRONAUT_EYES), seed=3
    )
    camera.start((1152, 648), (320, 240))
    stills = camera.capture_burst(10)
    faces = [still.pixels[380:1100, 1800:2500].astype(np.float32) for still in stills]
    assert all(np.any(a != b) for a, b in itertools.pairwise(faces))
    # Sharpness as the burst choice measures it: at about 64 px between the eyes.
    sharpness = [laplacian_variance(face.mean(axis=2)[::3, ::3]) for face in faces]
    assert max(sharpness) > 1.3 * min(sharpness), "some frames are blurred"
    eyes = [face[100:160, 180:520].mean() for face in faces]  # the band of the eyes
    assert max(eyes) - min(eyes) > 3, "some frames caught a blink"


def test_a_blink_under_way_when_the_burst_starts_shuts_only_its_first_frames(astronaut) -> None:
    """A burst takes about half a second and a blink a sixth: a person caught mid-blink has
    their eyes open again a frame or two later."""
    from PIL import Image

    from kiosk.camera.image_camera import ASTRONAUT_EYES

    person = PicturedPerson(eyes=ASTRONAUT_EYES)
    for seed in range(4):
        camera = ImageCamera(Image.fromarray(astronaut), SENSOR, person, seed=seed)
        camera.start((1152, 648), (320, 240))
        band = (slice(480, 540), slice(1980, 2320))  # the eyes, on the sensor
        open_eyes = camera.scene(SENSOR)[band].astype(np.float32)
        person.eyes_closed = True
        shut_eyes = camera.scene(SENSOR)[band].astype(np.float32)
        stills = camera.capture_burst(5)
        person.eyes_closed = False
        shut = [
            np.abs(still.pixels[band] - shut_eyes).mean()
            < np.abs(still.pixels[band] - open_eyes).mean()
            for still in stills
        ]
        assert shut[0], "the first frame caught the blink"
        assert not all(shut), "the eyes opened again during the burst"


def test_a_person_told_back_the_way_they_came_corrects_more_slowly() -> None:
    """Overshoot and correction: each reversal on an axis halves the person's pace there."""
    import random

    from kiosk.camera.pictured_person import CooperativePerson

    person = PicturedPerson()
    follower = CooperativePerson(person, random.Random(1), reaction=(0.0, 0.0))
    now = 0.0
    travelled = []
    for cue in ("cue_lower", "cue_higher", "cue_lower"):
        start = person.offset_y
        for _ in range(20):
            follower.follow(cue, now)
            now += 0.1
        travelled.append(abs(person.offset_y - start))
    assert travelled[0] > 1.7 * travelled[1] > 1.7**2 * travelled[2] > 0
    sideways = person.offset_x
    for _ in range(10):
        follower.follow("cue_move_left", now)
        now += 0.1
    assert person.offset_x - sideways > 0.8 * travelled[0] / 2, "the other axis at full pace"


def test_camera_on_a_missing_file_refuses_frames_until_started() -> None:
    with pytest.raises(CameraError, match="not started"):
        ImageCamera(Path("/nonexistent.png"), SENSOR).preview_frame()


def test_a_picture_in_memory_is_ready_at_once(astronaut) -> None:
    from PIL import Image

    camera = ImageCamera(Image.fromarray(astronaut), SENSOR)
    assert camera.preview_frame().pixels.shape == (648, 1152, 4)


def test_a_frame_reaching_past_the_pictures_top_continues_its_wall(astronaut) -> None:
    """A person moved down (or the demo's crop above their head) shows the wall going on: no
    band of another colour across the top of the photo, no seam where the picture starts."""
    camera = ImageCamera(Image.fromarray(astronaut), SENSOR, person=PicturedPerson())
    camera.person.move(0.0, 0.1)  # the picture's top edge 10 % down the sensor
    scene = camera.scene(SENSOR).astype(int)
    edge = round(SENSOR[1] * 0.1)
    columns = slice(SENSOR[0] // 2 - 400, SENSOR[0] // 2 + 400)
    seam = np.abs(scene[edge - 1, columns] - scene[edge, columns]).mean()
    assert seam < 4, f"a seam of {seam:.1f} levels where the picture starts"
    wall = scene[edge : edge + 20, columns].mean(axis=(0, 1))
    above = scene[: edge // 2, columns].mean(axis=(0, 1))
    assert np.abs(above - wall).max() < 25, f"a band of {above} over a wall of {wall}"
