"""Real people in the framing situations of issue 11, built in code on a 4608 x 2592 sensor frame.

Each portrait (tests/portraits/SOURCES.md says where it comes from and under which licence) is
first levelled by its own measured head roll, so that "centred" means a level head, then placed
on a grey sensor field at a given eyes-to-chin size and eye position, and squeezed to the
analysis frame as the camera's analysis stream does (whole sensor field, luminance only).

Used by tests/test_real_faces.py (asserts the share of right cues) and bench/real_faces.py
(prints the table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

from kiosk.vision.face_models import FaceAnalyser, FaceTracker
from kiosk.vision.framing import FramingEngine, Observation
from kiosk.vision.thresholds import FramingThresholds

PORTRAITS = Path(__file__).parent / "portraits"
SENSOR = (4608, 2592)
ANALYSIS = (512, 288)
ASPECT = 4 / 5
BACKDROP = 118
GOOD_SIZE = 0.23 * SENSOR[1]  # eyes-to-chin that fills the full-height crop as the rules want
EYE_Y = 0.36 * SENSOR[1]
CENTRE_X = SENSOR[0] / 2
TRACKED_FRAMES = 8


def people() -> dict[str, Image.Image]:
    """The real people the tests use, by name (8 or more)."""
    found = {"collins": Image.fromarray(data.astronaut())}
    for path in sorted(PORTRAITS.glob("*.jpg")):
        with Image.open(path) as image:
            found[path.stem] = image.convert("RGB")
    return found


@dataclass(frozen=True)
class Measured:
    """A portrait levelled by its own roll, and where its eyes and chin then are."""

    image: Image.Image
    eye_centre: tuple[float, float]
    eyes_to_chin: float


def measure(analyser: FaceAnalyser, image: Image.Image) -> Measured:
    [face] = [f for f in analyser.analyse(np.asarray(image)) if f.eye_distance > 20][:1]
    centre = face.eye_centre
    level = image.rotate(
        face.roll_degrees, Image.BILINEAR, center=centre, fillcolor=(BACKDROP,) * 3
    )
    [face] = [f for f in analyser.analyse(np.asarray(level)) if f.eye_distance > 20][:1]
    return Measured(level, face.eye_centre, face.eyes_to_chin)


@dataclass(frozen=True)
class Placement:
    eyes_to_chin: float  # sensor pixels
    eye_x: float
    eye_y: float = EYE_Y
    roll: float = 0.0  # degrees, counter-clockwise on the image
    half_width: float | None = None  # sensor pixels of the portrait kept each side of the eyes


def render(parts: list[tuple[Measured, Placement]]) -> np.ndarray:
    """The analysis frame (RGB from luminance, as the analyser gets it) of people placed on
    the sensor field."""
    scale_down = ANALYSIS[0] / SENSOR[0]
    canvas = Image.new("L", ANALYSIS, BACKDROP)
    for measured, place in parts:
        factor = place.eyes_to_chin / measured.eyes_to_chin * scale_down
        image = measured.image.convert("L")
        if place.roll:
            image = image.rotate(
                place.roll, Image.BILINEAR, center=measured.eye_centre, fillcolor=BACKDROP
            )
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        small = image.resize(size, Image.LANCZOS)
        mask = Image.new("L", image.size, 255)
        if place.roll:
            mask = mask.rotate(place.roll, Image.NEAREST, center=measured.eye_centre)
        if place.half_width is not None:
            keep = place.half_width * scale_down / factor
            x = measured.eye_centre[0]
            cut = Image.new("L", image.size, 0)
            cut.paste(255, (round(x - keep), 0, round(x + keep), image.height))
            mask = Image.fromarray(np.minimum(np.asarray(mask), np.asarray(cut)))
        small_mask = mask.resize(size, Image.BILINEAR)
        left = place.eye_x * scale_down - measured.eye_centre[0] * factor
        top = place.eye_y * scale_down - measured.eye_centre[1] * factor
        canvas.paste(small, (round(left), round(top)), small_mask)
    grey = np.asarray(canvas)
    return np.repeat(grey[..., None], 3, axis=2)


# These people's heads are turned in their photos, well past the yaw the rules accept (0.15 eye
# distances, turning bad at 0.19): Coelho -0.37, Dahlgren +0.23, van Rossum -0.46 (measured on
# the levelled portraits). Where the framing is right, the right cue for them is to turn to the
# camera.
POSE_CUES = {
    "coelho": "cue_turn_to_camera",
    "dahlgren": "cue_turn_to_camera",
    "vanrossum": "cue_turn_to_camera",
}
POSE_SITUATIONS = {"centred"}

# name -> (placements of "this person" and "the next person", the cues that are right)
Situation = Callable[[Measured, Measured], list[tuple[Measured, Placement]]]
SITUATIONS: dict[str, tuple[Situation, set[str | None]]] = {
    "centred": (lambda a, b: [(a, Placement(GOOD_SIZE, CENTRE_X))], {None}),
    "eyes at x=370": (lambda a, b: [(a, Placement(GOOD_SIZE, 370))], {"cue_move_left"}),
    "eyes at x=4238": (lambda a, b: [(a, Placement(GOOD_SIZE, 4238))], {"cue_move_right"}),
    "eyes-to-chin 190": (lambda a, b: [(a, Placement(190, CENTRE_X))], {"cue_come_closer"}),
    "eyes-to-chin 270": (lambda a, b: [(a, Placement(270, CENTRE_X))], {"cue_come_closer"}),
    "eyes-to-chin 800": (lambda a, b: [(a, Placement(800, CENTRE_X))], {"cue_step_back"}),
    "eyes-to-chin 1100": (lambda a, b: [(a, Placement(1100, CENTRE_X))], {"cue_step_back"}),
    # Counter-clockwise on the image: the image-right eye rises, the head leans to the
    # person's right, so they straighten by tilting to their left.
    "roll +15": (
        lambda a, b: [(a, Placement(GOOD_SIZE, CENTRE_X, roll=15))],
        {"cue_tilt_left"},
    ),
    "roll -15": (
        lambda a, b: [(a, Placement(GOOD_SIZE, CENTRE_X, roll=-15))],
        {"cue_tilt_right"},
    ),
    "two people 1600 px apart": (
        lambda a, b: [
            (a, Placement(GOOD_SIZE, CENTRE_X - 800, half_width=780)),
            (b, Placement(GOOD_SIZE, CENTRE_X + 800, half_width=780)),
        ],
        {"cue_one_person"},
    ),
    "nobody": (lambda a, b: [], {"cue_step_in"}),
}


# The harder set (bench/real_faces.py, issue 24): the smallest faces, a group far away, a face
# half out of the picture at the left, the right and the top.
MORE_SITUATIONS: dict[str, tuple[Situation, set[str | None]]] = {
    "eyes-to-chin 150": (lambda a, b: [(a, Placement(150, CENTRE_X))], {"cue_come_closer"}),
    "three people far away": (
        lambda a, b: [
            (a, Placement(220, CENTRE_X - 1000, half_width=450)),
            (b, Placement(220, CENTRE_X, half_width=450)),
            (a, Placement(220, CENTRE_X + 1000, half_width=450)),
        ],
        {"cue_one_person"},
    ),
    "half out on the left (eyes at x=60)": (
        lambda a, b: [(a, Placement(GOOD_SIZE, 60))],
        {"cue_move_left"},
    ),
    "half out on the right (eyes at x=4548)": (
        lambda a, b: [(a, Placement(GOOD_SIZE, SENSOR[0] - 60))],
        {"cue_move_right"},
    ),
    "half out at the top (eyes at y=40)": (
        lambda a, b: [(a, Placement(GOOD_SIZE, CENTRE_X, eye_y=40))],
        {"cue_lower"},
    ),
}


def cue_for(analyser: FaceAnalyser, frame: np.ndarray, rules: FramingThresholds) -> str | None:
    """The cue a fresh engine settles on after 2 s of this frame at 10 analyses a second, each
    analysed as the booth's analyser process does (whole frame, a tile in turn, followed faces)."""
    engine = FramingEngine(rules, SENSOR, ASPECT)
    tracker = FaceTracker(analyser)
    verdict = None
    faces = []
    for step in range(21):
        if step <= TRACKED_FRAMES:  # after a round of the tiles, the same frame gives the same
            faces = tracker.analyse(frame)
        verdict = engine.update(Observation(step / 10, faces, ANALYSIS))
    return verdict.cue


@cache
def _measured_people(analyser: FaceAnalyser) -> dict[str, Measured]:
    return {name: measure(analyser, image) for name, image in people().items()}


def outcomes(
    analyser: FaceAnalyser,
    rules: FramingThresholds | None = None,
    situations: dict[str, tuple[Situation, set[str | None]]] = SITUATIONS,
    done: Callable[[], None] | None = None,
) -> dict[str, dict[str, tuple[str | None, bool]]]:
    """situation -> person -> (cue given, right?); ``done`` is called after each situation."""
    rules = rules or FramingThresholds()
    measured = _measured_people(analyser)
    names = list(measured)
    table: dict[str, dict[str, tuple[str | None, bool]]] = {}
    for situation, (build, right) in situations.items():
        row = {}
        for index, name in enumerate(names):
            other = measured[names[(index + 1) % len(names)]]
            cue = cue_for(analyser, render(build(measured[name], other)), rules)
            accepted = set(right)
            if situation in POSE_SITUATIONS and name in POSE_CUES:
                accepted = {POSE_CUES[name]}
            row[name] = (cue, cue in accepted)
        table[situation] = row
        if done is not None:
            done()
    return table


def share_right(table: dict[str, dict[str, tuple[str | None, bool]]]) -> float:
    results = [right for row in table.values() for _, right in row.values()]
    return sum(results) / len(results)


def markdown(table: dict[str, dict[str, tuple[str | None, bool]]]) -> str:
    names = list(next(iter(table.values())))
    lines = ["| situation | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for situation, row in table.items():
        cells = [
            ("ok" if right else "WRONG ") + ("" if right else f"({cue or 'none'})")
            for cue, right in row.values()
        ]
        lines.append(f"| {situation} | " + " | ".join(cells) + " |")
    lines.append(f"\nright cue: {share_right(table):.1%}")
    return "\n".join(lines)
