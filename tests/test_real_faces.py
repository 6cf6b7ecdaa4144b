"""Real people beyond the astronaut (tests/portraits/SOURCES.md) in every framing situation of
issue 11 on a 4608 x 2592 sensor: the engine names the right fix (bench/real_faces.py prints the
table)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from real_faces import (
    CENTRE_X,
    GOOD_SIZE,
    MORE_SITUATIONS,
    SENSOR,
    SITUATIONS,
    Placement,
    cue_for,
    markdown,
    measure,
    outcomes,
    people,
    render,
    share_right,
)
from skimage import data

from kiosk.vision.thresholds import FramingThresholds


def test_the_portraits_are_real_and_enough_people() -> None:
    assert len(people()) >= 8
    assert len(SITUATIONS) == 11


@pytest.mark.many_analyses
def test_the_right_cue_for_real_people_in_every_situation(face_analyser) -> None:
    table = outcomes(face_analyser)
    assert share_right(table) >= 0.97, markdown(table)


def test_faint_faces_count_once_the_face_mesh_confirms_them(face_analyser) -> None:
    """An old sepia print scores under the detector's sure 0.6: filling the frame with the top of
    the head cut (Andersson, white beard), or at the right size beside somebody (Dahlgren)."""
    portraits = people()
    andersson = measure(face_analyser, portraits["andersson"])
    faces = face_analyser.analyse(render([(andersson, Placement(1100, CENTRE_X))]))
    assert [face.measured for face in faces] == [True]

    dahlgren = measure(face_analyser, portraits["dahlgren"])
    giunchedi = measure(face_analyser, portraits["giunchedi"])
    build, right = SITUATIONS["two people 1600 px apart"]
    frame = render(build(dahlgren, giunchedi))
    assert cue_for(face_analyser, frame, FramingThresholds()) in right


def test_no_faint_faces_where_the_face_mesh_cannot_check(face_analyser) -> None:
    """Galaxies are specks the detector half believes to be tiny faces: too small for the mesh,
    they need the detector's sure score, which they do not have."""
    sky = Image.fromarray(data.hubble_deep_field()).resize((512, 446))
    assert face_analyser.analyse(np.asarray(sky)) == []


@pytest.mark.many_analyses
@pytest.mark.parametrize(
    ("eye_x", "cue"), [(60, "cue_move_left"), (SENSOR[0] - 60, "cue_move_right")]
)
def test_a_face_half_out_at_a_side_is_told_which_way_to_move(face_analyser, eye_x, cue) -> None:
    """Eyes 60 px from the sensor's side: the face is cut in half, yet found (the detector's
    squares on the side edges), and the person is told to move towards the middle, not to step
    in. Every real person."""
    cues = {}
    for name, image in people().items():
        person = measure(face_analyser, image)
        frame = render([(person, Placement(GOOD_SIZE, eye_x))])
        cues[name] = cue_for(face_analyser, frame, FramingThresholds())
    right = [name for name, given in cues.items() if given == cue]
    assert len(right) >= 0.9 * len(cues), cues


@pytest.mark.many_analyses
def test_the_harder_set_is_right_for_nearly_everyone(face_analyser) -> None:
    """Half out at the left, the right and the top, far away alone and in a group."""
    table = outcomes(face_analyser, situations=MORE_SITUATIONS)
    assert share_right(table) >= 0.95, markdown(table)
