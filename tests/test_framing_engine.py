"""Guided framing on real-face frames (the astronaut on an analysis frame of the sensor field)
and, for timing rules, on measured faces moved in code."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from faces import on_canvas, rotated, scaled

from kiosk.camera.crop import Crop
from kiosk.texts import TEXT_KEYS
from kiosk.vision.cropping import choose_crop, frames_well
from kiosk.vision.framing import FramingEngine, Observation
from kiosk.vision.thresholds import FramingThresholds

SENSOR = (4608, 2592)
FRAME = (1152, 648)  # the analysis frame: the whole sensor field, a quarter of its size
ASPECT = 4 / 5


def frame_with(astronaut: np.ndarray, factor: float, eyes_at: tuple[int, int]) -> np.ndarray:
    """The portrait scaled by ``factor`` with its eyes' midpoint at ``eyes_at`` on the frame."""
    face = scaled(astronaut, factor) if factor != 1 else astronaut
    eye_x, eye_y = 225.5 * factor, 102 * factor
    return on_canvas(face, FRAME, (round(eyes_at[0] - eye_x), round(eyes_at[1] - eye_y)))


def verdict_after(engine, analyser, frame: np.ndarray, seconds: float = 2.0, start: float = 0.0):
    """Feed the same frame for ``seconds`` at 10 analyses a second; the last verdict."""
    faces = analyser.analyse(frame)
    verdict = None
    for step in range(round(seconds * 10) + 1):
        verdict = engine.update(Observation(start + step / 10, faces, FRAME))
    return verdict


def engine() -> FramingEngine:
    return FramingEngine(FramingThresholds(), SENSOR, ASPECT)


def test_a_well_placed_face_gets_no_cue_and_the_eye_line_in_band(face_analyser, astronaut):
    verdict = verdict_after(engine(), face_analyser, frame_with(astronaut, 1.3, (576, 240)))
    assert verdict.cue is None
    assert verdict.all_good and verdict.ready and verdict.progress == 1.0
    crop = verdict.crop
    eye_line = (verdict.measures["eye_y"] - crop.top) / crop.height
    assert 0.33 <= eye_line <= 0.40
    assert abs(verdict.measures["eye_x"] - (crop.left + crop.width / 2)) <= 2
    assert crop.height >= 1600 and crop.width / crop.height == pytest.approx(0.8, abs=0.002)


def test_off_centre_within_reach_is_fixed_by_the_crop_alone(face_analyser, astronaut):
    verdict = verdict_after(engine(), face_analyser, frame_with(astronaut, 1.3, (400, 240)))
    assert verdict.cue is None


@pytest.mark.parametrize(
    ("eyes_x", "cue"),
    [(90, "cue_move_left"), (1062, "cue_move_right")],
    ids=["face on the image's left", "face on the image's right"],
)
def test_off_centre_beyond_the_crop_asks_in_the_persons_directions(
    face_analyser, astronaut, eyes_x, cue
):
    verdict = verdict_after(engine(), face_analyser, frame_with(astronaut, 1.3, (eyes_x, 240)))
    assert verdict.cue == cue


def test_too_small_asks_to_come_closer_only_below_the_minimum_output(face_analyser, astronaut):
    far = verdict_after(engine(), face_analyser, frame_with(astronaut, 1.0, (576, 240)))
    assert far.cue == "cue_come_closer"
    near_enough = verdict_after(engine(), face_analyser, frame_with(astronaut, 1.2, (576, 240)))
    assert near_enough.cue is None
    assert near_enough.crop.height >= 1600


def test_too_large_asks_to_step_back(face_analyser, astronaut):
    verdict = verdict_after(engine(), face_analyser, frame_with(astronaut, 2.6, (576, 230)))
    assert verdict.cue == "cue_step_back"


def test_a_tilted_head_gets_the_roll_cue_in_the_right_direction(face_analyser, astronaut):
    tilted = rotated(astronaut, 15)  # the image-right eye rises: the head leans to their right
    verdict = verdict_after(engine(), face_analyser, frame_with(tilted, 1.3, (576, 240)))
    assert verdict.cue == "cue_tilt_left"
    other = rotated(astronaut, -15)
    verdict = verdict_after(engine(), face_analyser, frame_with(other, 1.3, (576, 240)))
    assert verdict.cue == "cue_tilt_right"


def test_two_faces_get_the_one_person_cue(face_analyser, astronaut):
    pair = np.concatenate(
        [
            frame_with(astronaut, 1.0, (288, 240))[:, :576],
            frame_with(astronaut, 1.0, (288, 240))[:, :576],
        ],
        axis=1,
    )
    verdict = verdict_after(engine(), face_analyser, pair)
    assert verdict.cue == "cue_one_person" and not verdict.ready


def test_no_face_gets_the_step_in_cue(face_analyser):
    verdict = verdict_after(engine(), face_analyser, np.full((648, 1152, 3), 118, np.uint8))
    assert verdict.cue == "cue_step_in" and not verdict.person_present


def test_every_cue_has_a_text() -> None:
    import re
    from pathlib import Path

    import kiosk.vision.framing as guidance

    source = Path(guidance.__file__).read_text(encoding="utf-8")
    cues = set(re.findall(r'"(cue_[a-z_]+)"', source))
    assert len(cues) >= 13 and cues <= TEXT_KEYS, cues - TEXT_KEYS


# --- timing rules, on a measured face moved in code ------------------------------------------


@pytest.fixture(scope="module")
def good_face(face_analyser, astronaut):
    [face] = face_analyser.analyse(frame_with(astronaut, 1.3, (576, 240)))
    return face


def moved(face, dx: float = 0.0, openness: float | None = None):
    shift = lambda point: (point[0] + dx, point[1])  # noqa: E731
    changes = {
        "right_eye": shift(face.right_eye),
        "left_eye": shift(face.left_eye),
        "nose": shift(face.nose),
        "mouth": shift(face.mouth),
        "chin": shift(face.chin),
    }
    if openness is not None:
        changes["right_eye_openness"] = changes["left_eye_openness"] = openness
    return dataclasses.replace(face, **changes)


def test_ready_after_one_second_of_all_good_and_still(good_face) -> None:
    framing = engine()
    times = [step / 10 for step in range(25)]
    verdicts = [framing.update(Observation(t, [good_face], FRAME)) for t in times]
    first_ready = next(t for t, v in zip(times, verdicts, strict=True) if v.ready)
    # still for 0.5 s, then held 1.0 s
    assert first_ready == pytest.approx(1.5)
    assert verdicts[10].progress == pytest.approx(0.5)


def test_moving_shows_hold_still_and_resets_the_hold(good_face) -> None:
    framing = engine()
    for step in range(15):
        framing.update(Observation(step / 10, [good_face], FRAME))
    verdict = framing.update(Observation(1.5, [moved(good_face, dx=3)], FRAME))
    assert verdict.cue == "cue_hold_still" and verdict.progress == 0.0


def test_a_blink_pauses_the_hold_silently(good_face) -> None:
    framing = engine()
    for step in range(20):
        framing.update(Observation(step / 10, [good_face], FRAME))
    blink = framing.update(Observation(2.0, [moved(good_face, openness=0.05)], FRAME))
    assert blink.cue is None and not blink.ready
    again = framing.update(Observation(2.1, [good_face], FRAME))
    assert again.ready


def test_a_cue_stays_at_least_one_and_a_half_seconds_while_its_rule_is_broken(good_face) -> None:
    framing = engine()
    far_left = moved(good_face, dx=-560)  # beyond what the crop can follow
    far_right = moved(good_face, dx=560)
    assert framing.update(Observation(0.0, [far_left], FRAME)).cue == "cue_move_left"
    assert framing.update(Observation(0.5, [far_right], FRAME)).cue == "cue_move_left"
    assert framing.update(Observation(1.4, [far_right], FRAME)).cue == "cue_move_left"
    assert framing.update(Observation(1.6, [far_right], FRAME)).cue == "cue_move_right"


def test_a_cue_whose_rule_is_met_goes_at_once(good_face) -> None:
    """Who has done what the cue asked must not be led on past the place."""
    framing = engine()
    far_left = moved(good_face, dx=-560)
    assert framing.update(Observation(0.0, [far_left], FRAME)).cue == "cue_move_left"
    assert framing.update(Observation(0.5, [good_face], FRAME)).cue != "cue_move_left"


def test_a_position_cue_ends_just_before_a_moving_face_arrives(good_face) -> None:
    """People go on moving until they notice a cue has gone: as a photographer says "stop"
    just before, the cue ends while the face is still short of the band, moving towards it;
    a person who then stops short is asked again."""
    framing = engine()
    for step in range(60):
        now = step / 10
        face = moved(good_face, dx=-560 + 80 * now)  # steadily towards the middle
        verdict = framing.update(Observation(now, [face], FRAME))
        if verdict.cue != "cue_move_left":
            break
    assert now >= 1.0, "the cue was there while the face was far"
    standing = engine()
    assert standing.update(Observation(0.0, [face], FRAME)).cue == "cue_move_left", (
        "where the cue ended, a face standing still still needs it"
    )
    for step in range(1, 20):  # stopped short
        verdict = framing.update(Observation(now + step / 10, [face], FRAME))
    assert verdict.cue == "cue_move_left"


def turned(face, degrees: float):
    """The measured face with its head turned in the image plane about its eyes."""
    cx, cy = face.eye_centre
    angle = math.radians(degrees)

    def turn(point):
        dx, dy = point[0] - cx, point[1] - cy
        return (
            cx + dx * math.cos(angle) - dy * math.sin(angle),
            cy + dx * math.sin(angle) + dy * math.cos(angle),
        )

    parts = ("right_eye", "left_eye", "nose", "mouth", "chin")
    return dataclasses.replace(face, **{part: turn(getattr(face, part)) for part in parts})


def test_hysteresis_keeps_a_cue_from_flickering_at_the_edge(good_face) -> None:
    framing = engine()
    level = good_face.roll_degrees

    def cue_at(t: float, roll: float) -> str | None:
        return framing.update(Observation(t, [turned(good_face, roll - level)], FRAME)).cue

    for step in range(20):  # settled: still, and past the first "hold still"
        cue_at(step / 10, 9.0)
    assert cue_at(2.0, 9.0) is None, "9 degrees is inside the 25 % margin over 8"
    assert cue_at(2.1, 10.5) == "cue_tilt_right"
    assert cue_at(4.0, 9.0) == "cue_tilt_right", "once broken, it stays until within 8"
    assert cue_at(6.0, 7.5) is None


def test_crop_is_all_that_moves_when_cropping_can_frame() -> None:
    choice = choose_crop((1500, 900), 450, SENSOR, ASPECT, FramingThresholds())
    assert choice.problems == {}
    crop = choice.crop
    assert crop.left + crop.width / 2 == pytest.approx(1500, abs=1)
    assert (900 - crop.top) / crop.height == pytest.approx(0.36, abs=0.005)
    assert 450 / crop.height == pytest.approx(0.23, abs=0.005)


def test_thresholds_come_from_the_preset_and_the_config() -> None:
    from kiosk.config import parse_config
    from kiosk.vision.thresholds import PRESETS, thresholds_for

    assert thresholds_for(parse_config({}).guidance) == PRESETS["business"]
    id_photo = thresholds_for(parse_config({"guidance": {"preset": "id"}}).guidance)
    assert id_photo.max_yaw < PRESETS["business"].max_yaw
    tuned = thresholds_for(
        parse_config({"guidance": {"preset": "id", "max_roll_degrees": 5}}).guidance
    )
    assert tuned.max_roll_degrees == 5 and tuned.max_yaw == id_photo.max_yaw


# --- issue 11: order, bands, hold, config ------------------------------------------------------


def test_a_face_at_the_top_edge_is_brought_in_before_it_is_asked_closer(good_face) -> None:
    """Far away and near the top of the sensor: "come closer" first would lead the face out
    of the picture (its eyes rise as it comes closer), so the position cue speaks first."""
    framing = engine()
    small = dataclasses.replace(
        good_face,
        right_eye=(540.0, 12.0),
        left_eye=(560.0, 12.0),
        nose=(550.0, 22.0),
        mouth=(550.0, 32.0),
        chin=(550.0, 48.0),
    )
    verdict = framing.update(Observation(0.0, [small], FRAME))
    assert verdict.cue == "cue_lower"


def test_a_face_too_small_to_measure_is_asked_closer_not_told_to_step_in(good_face) -> None:
    tiny = dataclasses.replace(
        good_face,
        right_eye=(570.0, 240.0),
        left_eye=(580.0, 240.0),
        nose=(575.0, 246.0),
        mouth=(575.0, 251.0),
        chin=(575.0, 258.0),
        measured=False,
    )
    verdict = engine().update(Observation(0.0, [tiny], FRAME))
    assert verdict.person_present and verdict.cue == "cue_come_closer"
    group = [tiny, moved(tiny, dx=80), moved(tiny, dx=160)]
    assert engine().update(Observation(0.0, group, FRAME)).cue == "cue_one_person"


@pytest.mark.parametrize("eye_y", [0.30, 0.31, 0.32, 0.325, 0.33, 0.35, 0.40, 0.41, 0.43])
def test_every_crop_called_good_keeps_the_eye_line_in_the_rules_band(eye_y) -> None:
    """Eyes near the top of the sensor: whatever the hysteresis state, a crop without a
    position problem has its eye line within 0.33-0.40."""
    rules = FramingThresholds()
    eyes = (2304.0, eye_y * 1600)
    for narrowed in (frozenset(), frozenset({"position", "distance"})):
        choice = choose_crop(eyes, 0.23 * 1600, SENSOR, ASPECT, rules, narrowed)
        if "position_y" not in choice.problems:
            line = (eyes[1] - choice.crop.top) / choice.crop.height
            assert 0.33 <= line <= 0.40, (narrowed, line)


def test_the_hold_starts_again_after_reset(good_face) -> None:
    framing = engine()
    for step in range(20):
        verdict = framing.update(Observation(step / 10, [good_face], FRAME))
    assert verdict.ready
    framing.reset_hold()
    assert not framing.update(Observation(2.0, [good_face], FRAME)).ready
    assert framing.update(Observation(3.0, [good_face], FRAME)).ready


def test_the_config_refuses_thresholds_the_rules_cannot_use_and_uses_the_rest() -> None:
    from kiosk.config import ConfigError, parse_config
    from kiosk.vision.thresholds import thresholds_for

    for bad in ({"face_fill": 0}, {"ready_seconds": 0}, {"eye_line": 0.9}, {"max_yaw": 0}):
        with pytest.raises(ConfigError):
            parse_config({"guidance": bad})
    rules = thresholds_for(parse_config({"guidance": {"eye_line": 0.45}}).guidance)
    assert rules.eye_line == 0.45 and rules.eye_line_band == pytest.approx((0.42, 0.49))
    choice = choose_crop((2304, 1200), 0.23 * 2200, SENSOR, ASPECT, rules)
    assert (1200 - choice.crop.top) / choice.crop.height == pytest.approx(0.45, abs=0.005)


def looking(face, dx: float = 0.0, dy: float = 0.0):
    """The measured face with both irises moved by (dx, dy) eye widths on the image."""
    return dataclasses.replace(
        face,
        right_gaze=(face.right_gaze[0] + dx, face.right_gaze[1] + dy),
        left_gaze=(face.left_gaze[0] + dx, face.left_gaze[1] + dy),
    )


@pytest.mark.parametrize(
    ("lens", "towards_screen", "cue"),
    [
        ("above", (0.0, 0.12), "cue_look_above"),
        ("below", (0.0, -0.12), "cue_look_below"),
        # The lens on the person's left: the screen is on their right, the image's left.
        ("left", (-0.12, 0.0), "cue_look_left"),
        ("right", (0.12, 0.0), "cue_look_right"),
    ],
)
def test_eyes_off_the_lens_are_asked_to_look_into_it_where_it_is(
    good_face, lens, towards_screen, cue
) -> None:
    """The real face looks into the lens: no cue. Irises moved by 0.12 eye widths towards the
    screen: the cue names where the lens is; hysteresis as for the pose. Irises moved the other
    way by as much are not eyes on the screen: no cue."""
    framing = FramingEngine(FramingThresholds(), SENSOR, ASPECT, lens_position=lens)
    on_screen = looking(good_face, *towards_screen)
    away = looking(good_face, -towards_screen[0], -towards_screen[1])
    verdicts = [framing.update(Observation(step / 10, [good_face], FRAME)) for step in range(20)]
    assert verdicts[-1].cue is None
    assert framing.update(Observation(2.0, [away], FRAME)).cue is None
    assert framing.update(Observation(2.1, [on_screen], FRAME)).cue == cue
    assert framing.update(Observation(4.0, [good_face], FRAME)).cue is None


def test_a_blink_mid_hold_keeps_the_hold_and_shows_no_cue(good_face) -> None:
    """In a blink the iris model's points jump: on real people the gaze measure reads 0.09-0.21
    eye widths off for a frame or two, and the eye line (roll) and the eyes' centre jump with
    it. The blink pauses the hold without a word: no cue, and the photo comes as soon as it
    would have without the blink."""
    blink = turned(looking(moved(good_face, dx=4, openness=0.05), dy=0.18), 12)
    times = [step / 10 for step in range(25)]
    plain, blinking = engine(), engine()
    plain_ready = next(t for t in times if plain.update(Observation(t, [good_face], FRAME)).ready)
    verdicts = []
    for t in times:
        face = blink if 0.9 <= t < 1.15 else good_face  # mid-hold
        verdicts.append(blinking.update(Observation(t, [face], FRAME)))
    settled = [v.cue for t, v in zip(times, verdicts, strict=True) if t >= 0.6]  # still since 0.5
    assert settled == [None] * len(settled), settled
    during = [v for t, v in zip(times, verdicts, strict=True) if 0.9 <= t < 1.15]
    assert all(not v.ready and v.progress > 0 for v in during), "the hold went on, paused"
    ready = next(t for t, v in zip(times, verdicts, strict=True) if v.ready)
    assert ready == pytest.approx(plain_ready)


def test_a_blink_in_the_first_second_shows_no_gaze_cue(good_face) -> None:
    """Before this person's open-eye value is learnt, a blink is judged against the samples
    so far: its jumping irises ask for nothing, and the cue on screen stays as it was."""
    framing = engine()
    blink = looking(moved(good_face, openness=0.05), dy=0.18)
    cues = []
    for step in range(10):
        face = blink if step in (4, 5) else good_face
        cues.append(framing.update(Observation(step / 10, [face], FRAME)).cue)
    assert cues[4] == cues[5] == cues[3], cues
    assert not any(cue and cue.startswith("cue_look") for cue in cues), cues


def placed(face, eyes_at: tuple[float, float], eyes_to_chin: float):
    """The measured face scaled about its eyes to ``eyes_to_chin`` and moved so that they sit
    at ``eyes_at`` (analysis frame pixels)."""
    factor = eyes_to_chin / face.eyes_to_chin
    cx, cy = face.eye_centre

    def place(point):
        return (eyes_at[0] + (point[0] - cx) * factor, eyes_at[1] + (point[1] - cy) * factor)

    parts = ("right_eye", "left_eye", "nose", "mouth", "chin")
    return dataclasses.replace(face, **{part: place(getattr(face, part)) for part in parts})


def test_a_near_face_whose_size_wavers_on_the_eye_lines_edge_gets_no_cue(good_face) -> None:
    """The mesh's size of a face is off by up to 5 %, by turns up and down. In a simulated visit
    (Dahlgren's, seed 6214) a person close to the camera with the eyes low had a size that
    alternated by 6 % between analyses: the larger needed a crop too tall to keep the eyes on
    the eye line within the sensor, and "a little higher" flashed every other tenth of a
    second. Judged by its size over this analysis and the one before, the face is simply well
    placed."""
    size, eyes = 610 / 4, (576, 1170 / 4)  # sensor pixels / 4: the analysis frame
    rules, sensor_eyes = FramingThresholds(), (eyes[0] * 4, eyes[1] * 4)
    assert choose_crop(sensor_eyes, 4 * size * 1.03, SENSOR, ASPECT, rules).problems
    assert not choose_crop(sensor_eyes, 4 * size * 0.97, SENSOR, ASPECT, rules).problems
    for blink in ((), (15, 16)):  # and across a blink of two analyses
        framing = engine()
        verdicts = []
        for step, w in enumerate([0.97, 1.03] * 15):
            face = placed(good_face, eyes, size * w)
            face = moved(face, openness=0.05) if step in blink else face
            verdicts.append(framing.update(Observation(step / 10, [face], FRAME)))
        cues = [v.cue for v in verdicts]
        assert not {"cue_higher", "cue_lower"} & set(cues), (blink, cues)
        assert cues[5:] == [None] * 25, cues  # "hold still" only as it starts, as for any face
    assert verdicts[-1].ready


def test_the_crop_follows_a_face_that_changes_size_without_swinging_back(good_face) -> None:
    """Smoothing the size must not make the crop lag or swing: a face that steps closer at once
    (15 %), then walks in at 4 % an analysis, then stands still gets a crop that only ever grows,
    and standing still, the crop a face of that size gets from the start."""
    eyes, size = (576, 240), 100.0  # eyes where every crop size of the visit fits the sensor
    sizes = [size] * 10 + [size * 1.15] * 10 + [size * 1.15 * 1.04**n for n in range(1, 6)]
    sizes += [sizes[-1]] * 10
    framing = engine()
    heights = [
        framing.update(Observation(step / 10, [placed(good_face, eyes, s)], FRAME)).crop.height
        for step, s in enumerate(sizes)
    ]
    assert all(b >= a for a, b in itertools.pairwise(heights)), heights
    alone = engine()
    for step in range(10):
        settled = alone.update(Observation(step / 10, [placed(good_face, eyes, sizes[-1])], FRAME))
    assert heights[-1] == settled.crop.height


def test_a_face_far_too_close_with_low_eyes_is_asked_to_step_back_first(face_analyser, astronaut):
    """No crop can hold the face, and its eyes sit low: stepping back moves the face towards
    the middle too, so "step back" comes first, not "a little higher"."""
    verdict = verdict_after(engine(), face_analyser, frame_with(astronaut, 2.6, (576, 430)))
    assert verdict.measures["eye_y"] / SENSOR[1] > 0.6
    assert verdict.cue == "cue_step_back"


def test_a_blink_after_coming_closer_is_a_blink(face_analyser, astronaut, good_face) -> None:
    """The open-eye value follows the face's size: in a simulated visit Hopper's eyes read 0.25
    open while she stood far away at the sensor's edge and 0.34 once close, and a blink close
    up read 0.195, over 0.75 of the far value. Judged against the far value, that blink counted
    as open eyes and its jumping irises brought "look into the lens" for a tenth of a second.
    Learnt again at the new size, the blink pauses the hold without a word."""
    [far] = face_analyser.analyse(frame_with(astronaut, 0.4, (576, 240)))
    far = moved(far, openness=0.25)
    near = moved(good_face, openness=0.34)
    blink = looking(moved(good_face, openness=0.195), dy=0.18)
    times = [step / 10 for step in range(30)]

    def visit(blinking_at: set[float]) -> list:
        framing = engine()
        verdicts = []
        for t in times:
            face = far if t < 1.2 else blink if round(t, 1) in blinking_at else near
            verdicts.append(framing.update(Observation(t, [face], FRAME)))
        return verdicts

    plain, blinked = visit(set()), visit({1.7, 1.8})
    plain_ready = next(t for t, v in zip(times, plain, strict=True) if v.ready)
    assert plain_ready > 1.9, "the blink falls mid-hold"
    cues = [v.cue for t, v in zip(times, blinked, strict=True) if t >= 1.2]
    assert cues == [None] * len(cues), cues
    assert not blinked[17].ready and not blinked[18].ready
    assert next(t for t, v in zip(times, blinked, strict=True) if v.ready) == plain_ready


def test_a_blink_on_the_first_measured_frame_after_a_gap_is_a_blink(good_face) -> None:
    """A blink is judged by how long the eyes have been shut, not by how long ago they were
    last seen open: a face the mesh could not measure for a while (at the sensor's edge) that
    comes back mid-blink, its eye line and irises jumping, brings no cue."""
    framing = engine()
    unmeasured = dataclasses.replace(good_face, measured=False)
    blink = turned(looking(moved(good_face, openness=0.05), dy=0.18), 12)
    cues = []
    for step in range(30):
        face = good_face if step < 12 else unmeasured if step < 25 else blink
        cues.append(framing.update(Observation(step / 10, [face], FRAME)).cue)
    assert cues[24] is None and cues[25:27] == [None, None], cues
    assert framing.update(Observation(3.0, [blink], FRAME)).cue is None


def test_a_far_face_off_to_the_side_is_brought_in_as_far_as_coming_closer_needs(
    face_analyser, astronaut
) -> None:
    """Eyes 1600 sensor pixels from the left edge fit a crop of the far face's size, but coming
    closer moves them outwards, about the lens's axis, past where any crop can hold them: the
    person is brought in first, far enough, instead of twice. Centred, they come closer."""
    off_side = verdict_after(engine(), face_analyser, frame_with(astronaut, 0.35, (400, 240)))
    assert off_side.measures["eye_x"] == pytest.approx(1600, abs=10)
    assert off_side.cue == "cue_move_left"
    centred = verdict_after(engine(), face_analyser, frame_with(astronaut, 0.35, (576, 240)))
    assert centred.cue == "cue_come_closer"


def test_a_crop_with_the_eyes_on_the_bands_edge_frames_well_only_without_the_margin() -> None:
    """The crop the engine keeps must hold the eyes inside the bands narrowed by the hysteresis
    (0.3375-0.39 for the eye line): on the band's very edge, a breath or the few pixels between
    the analysis frame's eyes and the photo's took the photo out (an eye line of 0.3297)."""
    rules = FramingThresholds()
    crop = Crop(1267, 0, 2074, 2592)
    centre_x = crop.left + crop.width / 2
    size = 0.23 * crop.height
    for eye_line, plain, narrowed in [
        (0.36, True, True),
        (0.335, True, False),
        (0.32, False, False),
    ]:
        eyes = (centre_x, eye_line * crop.height)
        assert frames_well(crop, eyes, size, rules) is plain
        assert frames_well(crop, eyes, size, rules, narrowed=True) is narrowed


def test_a_person_who_has_stopped_is_not_told_to_hold_still(good_face) -> None:
    """Still moving a little after the cue before (here: while tilting their head straight),
    the person stops; when the tilt cue goes, the hold waits out the rest of its 0.5 s of
    stillness without a word (in the simulated visits "hold still" flashed for 0.3 s there)."""
    framing = engine()
    cues = []
    for step in range(30):
        dx = 3.0 * min(step, 11)  # moving until 1.1 s, then still
        face = moved(good_face, dx=dx)
        cues.append(
            framing.update(
                Observation(step / 10, [turned(face, 12) if step < 15 else face], FRAME)
            ).cue
        )
    assert cues[14] == "cue_tilt_left" or cues[14] == "cue_tilt_right", cues
    assert cues[15:] == [None] * 15, cues


def test_a_blink_while_the_stillness_is_waited_out_shows_nothing(good_face) -> None:
    """As above, the tilt cue goes while the hold waits out its stillness without a word; a
    blink then keeps the screen as it was. It showed the first broken rule instead, "hold
    still", for the blink's tenth of a second (Obama's visit 6180 in the simulated visits)."""
    framing = engine()
    cues = []
    for step in range(30):
        face = moved(good_face, dx=3.0 * min(step, 11))
        face = turned(face, 12) if step < 15 else face
        face = moved(face, openness=0.05) if step == 17 else face
        cues.append(framing.update(Observation(step / 10, [face], FRAME)).cue)
    assert cues[14] in ("cue_tilt_left", "cue_tilt_right"), cues
    assert cues[15:] == [None] * 15, cues


def test_a_move_made_during_a_blink_asks_nothing_after_it(good_face) -> None:
    """A frame with shut eyes says nothing about movement, so neither does the step from the
    last open frame before a blink to the first after it: a person who settled a little
    while blinking, still again since, is not told to hold still (in the simulated visits
    "hold still" flashed for 0.1-0.3 s there, the last cue a blink brought)."""
    framing = engine()
    settled = moved(good_face, dx=6.0)
    shut = moved(good_face, dx=3.0, openness=0.05)
    cues = []
    for step in range(30):
        face = good_face if step < 10 else shut if step < 12 else settled
        cues.append(framing.update(Observation(step / 10, [face], FRAME)).cue)
    assert cues[8:] == [None] * 22, cues
