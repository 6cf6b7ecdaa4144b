"""A whole guided visit with the camera mounted every way (camera.rotation 0, 90, 180, 270) and
with the HQ camera's 4:3 sensor: the picamera2 adapter on the fake picamera2, whose sensor sees
the astronaut standing upright in front of the booth (turned and flipped as the mounting makes
the sensor see her), the real analyser process and engine, the booth loop with its clock."""

from __future__ import annotations

import numpy as np
import pytest
from fake_picamera2 import fake_api
from helpers import pace_without_scoring_budget
from PIL import Image
from test_guided_booth import run

from kiosk.booth.events import MainButton
from kiosk.booth.machine import Phase
from kiosk.camera.image_camera import ImageCamera
from kiosk.camera.picam import PicameraCamera
from kiosk.vision.analyser import AnalyserProcess
from kiosk.vision.session import FramingSession
from kiosk.vision.thresholds import PRESETS


def placed_well(world: ImageCamera, face_analyser, aspect: float) -> None:
    """Move the pictured person so that the largest crop frames her as the rules want."""
    width, height = world.sensor_size
    small = (width // 8, height // 8)
    [face] = face_analyser.analyse(world.scene(small))
    eye_x, eye_y = (value * 8 for value in face.eye_centre)
    tallest = min(height, width / aspect)
    zoom = 0.23 * 0.97 * tallest / (face.eyes_to_chin * 8)
    centre_x, centre_y = width / 2, height / 2
    eye_x, eye_y = centre_x + (eye_x - centre_x) * zoom, centre_y + (eye_y - centre_y) * zoom
    world.person.scale(zoom)
    top = (height - tallest) / 2
    world.person.move((width / 2 - eye_x) / width, (top + 0.36 * tallest - eye_y) / height)


def mounted(world: ImageCamera, rotation: int):
    """What the sensor sees of the upright world when the camera is turned by ``rotation``
    (before libcamera's flips; the adapter turns it back by the same quarter turns)."""

    def scene(size: tuple[int, int]) -> np.ndarray:
        upright_size = size[::-1] if rotation in (90, 270) else size
        upright = world.scene(upright_size)
        if rotation == 90:
            return np.rot90(upright, k=1)
        if rotation == 270:
            return np.rot90(upright, k=-1)
        if rotation == 180:
            return upright[::-1, ::-1]
        return upright

    return scene


@pytest.mark.parametrize(
    ("rotation", "sensor"),
    [
        # One mounting runs in the emulated arm64 check too; the others natively only.
        (0, (4608, 2592)),
        pytest.param(90, (4608, 2592), marks=pytest.mark.many_analyses),
        pytest.param(180, (4608, 2592), marks=pytest.mark.many_analyses),
        pytest.param(270, (4608, 2592), marks=pytest.mark.many_analyses),
        pytest.param(0, (4056, 3040), marks=pytest.mark.many_analyses),
        pytest.param(90, (4056, 3040), marks=pytest.mark.many_analyses),
    ],
    ids=["0", "90", "180", "270", "HQ 4:3", "HQ 4:3 at 90"],
)
def test_a_guided_visit_with_every_mounting(
    make_app, config, models_dir, face_analyser, astronaut, rotation, sensor
) -> None:
    camera_config = config.camera.model_copy(
        update={"backend": "picamera2", "rotation": rotation, "sensor_size": sensor}
    )
    mounted_config = config.model_copy(update={"camera": camera_config})
    upright_size = sensor[::-1] if rotation in (90, 270) else sensor
    world = ImageCamera(Image.fromarray(astronaut), upright_size)
    placed_well(world, face_analyser, config.photo.aspect_ratio)
    camera = PicameraCamera(
        camera_config, fake_api(scene=mounted(world, rotation), pixel_array=sensor)
    )
    assert camera.sensor_size == upright_size
    session = FramingSession(
        AnalyserProcess(models_dir, pace=pace_without_scoring_budget()),
        PRESETS["business"],
        camera.sensor_size,
        config.photo.aspect_ratio,
    )
    app = make_app(config=mounted_config, camera=camera, session=session)
    app.start(0.0)
    assert app.machine.healthy, app.machine.fault
    analysis = camera.analysis_frame()
    assert analysis.flags.c_contiguous and camera.preview_frame().pixels.flags.c_contiguous
    assert analysis.shape[1] / analysis.shape[0] == pytest.approx(
        upright_size[0] / upright_size[1], rel=0.02
    ), "the analysis frame has the displayed image's aspect"
    app.post(MainButton())
    now = run(app, 0.0, 10.0, until=lambda a: a.machine.phase is not Phase.FRAMING)
    assert app.machine.phase is Phase.COUNTDOWN, app.machine.advice
    crop = app.guidance.crop
    now = run(app, now, config.timing.countdown + 0.5)
    assert app.machine.phase is Phase.REVIEW
    with Image.open(app.machine.photo.path) as photo:
        assert photo.size == (crop.width, crop.height)
        small = np.asarray(photo.convert("RGB").resize((crop.width // 4, crop.height // 4)))
    [face] = face_analyser.analyse(small)
    assert abs(face.roll_degrees) < 10, "the photo is upright"
    eye_line = face.eye_centre[1] / small.shape[0]
    assert 0.33 <= eye_line <= 0.40
