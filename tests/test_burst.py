"""Choosing the photo from a burst: real faces, eyes painted shut, a shaken frame."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from faces import eyes_closed, on_canvas, scaled
from PIL import Image, ImageFilter

from kiosk.camera.crop import Crop
from kiosk.camera.frames import Still
from kiosk.vision.burst import Choice, FrameScore, choose, score_frame

SENSOR = (2304, 1296)
CROP = Crop(634, 0, 1037, 1296)
MOMENT = dt.datetime(2026, 7, 4, 15, 30, tzinfo=dt.UTC)


def still_of(face: np.ndarray) -> Still:
    """The portrait, twice its size, in the middle of a sensor-sized frame."""
    big = scaled(face, 2.0)
    return Still(on_canvas(big, SENSOR, (640, 40)), MOMENT)


def shaken(face: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(face).filter(ImageFilter.GaussianBlur(2.5)))


def test_a_closed_eye_frame_is_never_chosen(face_analyser, astronaut) -> None:
    burst = [
        still_of(eyes_closed(astronaut)),
        still_of(astronaut),
        still_of(eyes_closed(astronaut)),
        still_of(shaken(astronaut)),
        still_of(eyes_closed(astronaut)),
    ]
    scores = [score_frame(i, s, face_analyser.analyse, CROP) for i, s in enumerate(burst)]
    assert all(score.face_found and score.inside_crop for score in scores)
    open_value = scores[1].openness
    assert all(scores[i].openness < 0.5 * open_value for i in (0, 2, 4))
    assert scores[3].sharpness < 0.7 * scores[1].sharpness, "the shaken frame is less sharp"
    choice = choose(scores, open_baseline=None, open_share=0.75)
    assert choice.index == 1 and not choice.retake_suggested


def test_sharpness_does_not_favour_a_bigger_face(face_analyser, astronaut) -> None:
    small = Still(on_canvas(scaled(astronaut, 1.5), SENSOR, (700, 300)), MOMENT)
    big = still_of(astronaut)
    small_score = score_frame(0, small, face_analyser.analyse, CROP).sharpness
    big_score = score_frame(1, big, face_analyser.analyse, CROP).sharpness
    assert small_score == pytest.approx(big_score, rel=0.35)


def score(index: int, openness: float = 0.4, sharpness: float = 100.0, inside: bool = True):
    return FrameScore(index, True, openness, sharpness, inside)


def test_every_frame_failing_keeps_the_sharpest_and_suggests_a_retake() -> None:
    scores = [score(0, openness=0.1, sharpness=80), score(1, openness=0.1, sharpness=120)]
    assert choose(scores, open_baseline=0.4, open_share=0.75) == Choice(1, True, scores)


def test_blurred_and_outside_frames_drop_out() -> None:
    scores = [
        score(0, sharpness=200, inside=False),
        score(1, sharpness=60),
        score(2, sharpness=150),
        score(3, sharpness=140),
    ]
    choice = choose(scores, open_baseline=0.4, open_share=0.75)
    assert choice.index == 2 and not choice.retake_suggested


def test_the_persons_baseline_decides_what_open_means() -> None:
    squinting = [score(0, openness=0.25, sharpness=100), score(1, openness=0.24, sharpness=90)]
    assert choose(squinting, open_baseline=0.26, open_share=0.75).index == 0
    assert choose(squinting, open_baseline=0.40, open_share=0.75).retake_suggested


def test_without_faces_the_frame_with_the_sharpest_middle_is_kept(astronaut) -> None:
    from PIL import ImageFilter

    from kiosk.vision.burst import choose_sharpest

    sharp = Image.fromarray(astronaut).resize((400, 500))
    frames = [np.asarray(sharp.filter(ImageFilter.GaussianBlur(radius))) for radius in (3, 0, 1.5)]
    stills = [Still(pixels, MOMENT) for pixels in frames]
    choice = choose_sharpest(stills, Crop(0, 0, 400, 500))
    assert choice.index == 1 and choice.method == "sharpness" and not choice.retake_suggested
    sharpness = [score.sharpness for score in choice.scores]
    assert sharpness[1] > sharpness[2] > sharpness[0]


def test_a_burst_whose_blink_frame_is_the_sharpest_still_keeps_an_open_eye_frame(
    face_analyser, astronaut
) -> None:
    """The sharpness bar comes from the frames that could be chosen: a blink frame measuring
    sharper than every open-eye frame (here the open ones moved a little) fails none of them."""

    def moved(face: np.ndarray, radius: float) -> np.ndarray:
        return np.asarray(Image.fromarray(face).filter(ImageFilter.GaussianBlur(radius)))

    burst = [
        still_of(eyes_closed(astronaut)),
        still_of(moved(astronaut, 1.6)),
        still_of(moved(astronaut, 1.3)),
        still_of(moved(astronaut, 1.8)),
    ]
    scores = [score_frame(i, s, face_analyser.analyse, CROP) for i, s in enumerate(burst)]
    blink, *open_frames = scores
    assert all(score.face_found and score.inside_crop for score in scores)
    assert all(blink.openness < 0.5 * score.openness for score in open_frames)
    assert all(score.sharpness < 0.7 * blink.sharpness for score in open_frames), [
        round(score.sharpness) for score in scores
    ]
    choice = choose(scores, open_baseline=None, open_share=0.75)
    assert choice.index == 2 and not choice.retake_suggested
