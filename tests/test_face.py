"""The face models on the real test face and its variants."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from faces import EYES, eyes_closed, on_canvas, rotated, scaled
from PIL import Image

from kiosk.vision.face_models import everywhere


def one_face(analyser, frame: np.ndarray):
    faces = analyser.analyse(frame)
    assert len(faces) == 1, f"{len(faces)} faces"
    return faces[0]


def test_the_portrait_face_is_found_with_its_parts_in_place(face_analyser, astronaut) -> None:
    face = one_face(face_analyser, astronaut)
    left, top, width, height = face.box
    for x, y in (face.right_eye, face.left_eye, face.nose, face.mouth):
        assert left <= x <= left + width and top <= y <= top + height
    assert face.right_eye == pytest.approx(EYES[0], abs=4)
    assert face.left_eye == pytest.approx(EYES[1], abs=4)
    assert face.right_eye[1] < face.nose[1] < face.mouth[1] < face.chin[1]
    assert face.eye_distance == pytest.approx(43, abs=4)
    assert 0.3 < face.right_eye_openness < 0.5 and 0.3 < face.left_eye_openness < 0.5
    assert abs(face.roll_degrees) < 6


def test_a_warmed_up_analyser_finds_the_same_face(models_dir, face_analyser, astronaut) -> None:
    """The analyser child runs each model once before it says it is ready; that run must
    leave nothing behind that changes a real frame's answer."""
    from kiosk.vision.face_models import FaceAnalyser

    warmed = FaceAnalyser(models_dir)
    warmed.warm_up()
    after, fresh = one_face(warmed, astronaut), one_face(face_analyser, astronaut)
    for part in ("right_eye", "left_eye", "nose", "mouth", "chin", "gaze", "box"):
        assert getattr(after, part) == pytest.approx(getattr(fresh, part), abs=1e-3), part
    assert after.right_eye_openness == pytest.approx(fresh.right_eye_openness, abs=1e-4)


def test_a_shifted_face_is_found_where_it_is(face_analyser, astronaut) -> None:
    frame = on_canvas(astronaut, (1024, 768), (400, 150))
    face = one_face(face_analyser, frame)
    assert face.right_eye == pytest.approx((EYES[0][0] + 400, EYES[0][1] + 150), abs=5)


def test_a_smaller_face_has_a_smaller_eye_distance(face_analyser, astronaut) -> None:
    full = one_face(face_analyser, on_canvas(astronaut, (640, 480), (0, 0))).eye_distance
    half = one_face(face_analyser, on_canvas(scaled(astronaut, 0.5), (640, 480), (100, 100)))
    assert half.eye_distance / full == pytest.approx(0.5, abs=0.06)


def test_a_tilted_head_shows_as_roll(face_analyser, astronaut) -> None:
    level = one_face(face_analyser, astronaut).roll_degrees
    tilted = one_face(face_analyser, rotated(astronaut, 15)).roll_degrees
    assert tilted - level == pytest.approx(-15, abs=4)


def test_a_mirrored_face_is_found_mirrored(face_analyser, astronaut) -> None:
    face = one_face(face_analyser, np.ascontiguousarray(astronaut[:, ::-1]))
    assert face.right_eye[0] == pytest.approx(511 - EYES[1][0], abs=5)
    assert face.right_eye[0] < face.left_eye[0], "the image-left eye is the person's right"


def test_two_faces_and_no_face(face_analyser, astronaut) -> None:
    assert len(face_analyser.analyse(np.concatenate([astronaut, astronaut], axis=1))) == 2
    assert face_analyser.analyse(np.full((480, 640, 3), 118, dtype=np.uint8)) == []


def test_closed_eyes_read_much_less_open(face_analyser, astronaut) -> None:
    open_face = one_face(face_analyser, astronaut)
    shut = one_face(face_analyser, eyes_closed(astronaut))
    for before, after in (
        (open_face.right_eye_openness, shut.right_eye_openness),
        (open_face.left_eye_openness, shut.left_eye_openness),
    ):
        assert after < 0.5 * before
    assert math.dist(open_face.eye_centre, shut.eye_centre) < 6, "the eyes are still located"


def test_lighting_backlight_and_clipped_highlights_are_seen_on_the_face(
    face_analyser, astronaut
) -> None:
    from kiosk.vision.framing import FramingEngine, Observation
    from kiosk.vision.thresholds import FramingThresholds

    [face] = face_analyser.analyse(astronaut)
    assert face.light.backlight < 2 and face.light.clipped_share < 0.02
    left, top, width, height = (int(v) for v in face.box)
    on_face = np.zeros(astronaut.shape[:2], bool)
    on_face[top : top + height, left : left + width] = True
    backlit = astronaut.astype(float)
    backlit[on_face] *= 0.35
    backlit[~on_face] = np.minimum(255, backlit[~on_face] * 1.6 + 60)
    [dark] = face_analyser.analyse(backlit.astype(np.uint8))
    assert dark.light.backlight > 2
    glaring = astronaut.astype(float)
    glaring[on_face] = np.minimum(255, glaring[on_face] * 1.8)
    [bright] = face_analyser.analyse(glaring.astype(np.uint8))
    assert bright.light.clipped_share > 0.02
    engine = FramingEngine(FramingThresholds(), (512, 512), 0.8)
    verdict = engine.update(Observation(0.0, [dark], (512, 512)))
    assert "backlight" in verdict.lighting
    assert not verdict.cue or "light" not in verdict.cue, "the attendee cannot fix the lighting"


def test_an_eyes_openness_and_gaze_come_from_its_outline_and_iris() -> None:
    """The measuring room alone (kiosk.vision.faces): a level eye 40 px wide with lids 12 px
    apart, its iris 4 px right of and 2 px above the corners' middle."""
    from kiosk.vision.faces import eye_shape

    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    outline = np.stack([30 + 20 * np.cos(angles), 32 + 6 * np.sin(angles)], axis=1)
    openness, (gaze_x, gaze_y) = eye_shape(outline, np.array([34.0, 30.0]))
    assert openness == pytest.approx(12 / 40, abs=0.01)
    assert (gaze_x, gaze_y) == pytest.approx((0.1, -0.05), abs=0.01)
    assert eye_shape(np.zeros((16, 2)), np.zeros(2)) == (0.0, (0.0, 0.0))


def test_glasses_are_no_second_face(face_analyser) -> None:
    """A simulated visit's photo of Grace Hopper (tests/portraits/SOURCES.md), a quarter of its
    size: the detector also scores her left lens as a face (0.56, a faint one) inside her own
    face's box. That is part of her face, not a second person."""
    path = Path(__file__).parent / "portraits" / "photos" / "hopper-booth-photo.jpg"
    with Image.open(path) as photo:
        pixels = np.asarray(photo.convert("RGB"))
    detections = face_analyser.detect(Image.fromarray(pixels), everywhere(photo.size))
    assert len(detections) == 1
    [face] = face_analyser.analyse(pixels)
    assert face.eye_distance > 50 and 0.3 < face.eye_centre[1] / pixels.shape[0] < 0.4
