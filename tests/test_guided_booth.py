"""The booth with guided framing: the real analyser process watches the image camera's person.

BoothMachine time is the injected clock; after each frame the test waits (bounded) for the analyser
process to finish that frame, so every frame is analysed and the run is repeatable."""

from __future__ import annotations

import json

import numpy as np
import pygame
import pytest
from analyser_targets import five_times_slower
from helpers import pace_without_scoring_budget, patient
from PIL import Image

from kiosk.booth.events import MainButton, SecondButton
from kiosk.booth.machine import Phase
from kiosk.camera.pictured_person import PicturedPerson
from kiosk.vision.analyser import AnalyserProcess
from kiosk.vision.pace import AnalysisPace, PaceRules
from kiosk.vision.session import FramingSession
from kiosk.vision.thresholds import PRESETS


@pytest.fixture
def guided(make_app, config, models_dir):
    def build(pace=None, **kwargs):
        session = FramingSession(
            AnalyserProcess(models_dir, pace=pace or pace_without_scoring_budget()),
            PRESETS["business"],
            config.camera.sensor_size,
            config.photo.aspect_ratio,
        )
        return make_app(session=session, **kwargs)

    return build


def run(app, start: float, seconds: float, until=None) -> float:
    """Frames at 10 per second of booth time, each one analysed before the next."""
    now = start
    for _ in range(round(seconds * 10)):
        now += 0.1
        app.step(now)
        analyser = app.guidance.session.analyser
        waiting = analyser.busy or not analyser.working
        if app.machine.phase is Phase.FRAMING and analyser.running and waiting:
            assert analyser.wait(patient(60)), "the analyser did not answer"
        if until is not None and until(app):
            break
    return now


def test_a_well_placed_person_is_photographed_without_a_button(guided, config) -> None:
    app = guided()
    judged = []
    choose = app.guidance.choose
    app.guidance.choose = lambda stills: judged.append(len(stills)) or choose(stills)
    # The astronaut's eyes sit high in her portrait: a little lower puts them on the eye line.
    app.camera.person.move(0.0, 0.04)
    app.start(0.0)
    app.post(MainButton())
    now = run(app, 0.0, 10.0, until=lambda a: a.machine.phase is not Phase.FRAMING)
    assert app.machine.phase is Phase.COUNTDOWN, "the countdown started by itself"
    assert now < 5.0
    guidance = app.machine.advice
    assert guidance is not None and guidance.cue is None and guidance.ready
    crop = app.guidance.crop
    assert crop.height >= 1600 and crop.width / crop.height == pytest.approx(0.8, abs=0.002)
    now = run(app, now, config.timing.countdown + 0.5)
    assert app.machine.phase is Phase.REVIEW
    with Image.open(app.machine.photo.path) as photo:
        assert photo.size == (crop.width, crop.height)
    details = app.machine.photo.details
    assert len(details["scores"]) == config.photo.burst_count, "every burst frame was scored"
    assert judged == [config.photo.burst_count], "the burst was judged once"
    assert all(score["face"] and score["inside_crop"] for score in details["scores"])
    app.post(MainButton())
    app.step(now + 0.1)
    app.post(MainButton())
    app.step(now + 0.1 + config.timing.share_guard)
    [line] = config.storage.layout.visits_path.read_text().splitlines()
    visit = json.loads(line)
    assert visit["first_good_framing_s"] is not None and visit["capture_s"] > 0
    assert visit["capture"]["scores"] == details["scores"]


@pytest.mark.many_analyses
def test_a_slow_device_keeps_its_cues_and_scores_its_burst(make_app, config, models_dir) -> None:
    """An analyser five times slower than this machine, on a booth whose hang floor is lower
    than that: a fixed limit would kill it on every frame; the measured pace keeps it."""
    floor = 0.02
    analyser = AnalyserProcess(
        models_dir, target=five_times_slower, pace=pace_without_scoring_budget(floor=floor)
    )
    session = FramingSession(
        analyser, PRESETS["business"], config.camera.sensor_size, config.photo.aspect_ratio
    )
    app = make_app(session=session)
    app.camera.person.scale(1.5)
    app.camera.person.move(-0.28, 0.35)  # a person who must be told to move
    app.start(0.0)
    app.post(MainButton())
    now = run(app, 0.0, 3.0)
    assert analyser.problem is None and analyser.working, "never taken for hung"
    assert analyser.pace.median is not None and analyser.pace.answer_limit > floor
    assert app.machine.advice is not None and app.machine.advice.cue is not None, "cues come"
    app.post(MainButton())
    now = run(app, now + 0.1, config.timing.countdown + 0.5)
    assert app.machine.phase is Phase.REVIEW
    details = app.machine.photo.details
    assert details["chosen_by"] == "faces", "the burst was scored on faces"
    assert all(score["face"] for score in details["scores"])


def test_a_device_too_slow_to_score_a_burst_in_time_keeps_its_sharpest_frame(guided, config):
    """Scoring five stills would keep the attendee waiting past the budget: the booth keeps the
    frame with the sharpest middle at once, and says so."""
    app = guided(pace=AnalysisPace(PaceRules(warm_up=0, scoring_budget=1e-6)))
    app.camera.person.move(0.0, 0.04)
    app.start(0.0)
    app.post(MainButton())
    now = run(app, 0.0, 10.0, until=lambda a: a.machine.phase is not Phase.FRAMING)
    assert app.machine.phase is Phase.COUNTDOWN, "cues and the hold work as on any device"
    run(app, now, config.timing.countdown + 0.5)
    assert app.machine.phase is Phase.REVIEW
    details = app.machine.photo.details
    assert details["chosen_by"] == "sharpness"
    sharpness = [score["sharpness"] for score in details["scores"]]
    assert sharpness[details["chosen"]] == max(sharpness)
    assert not any(score["face"] for score in details["scores"]), "no face was analysed"


def test_a_burst_with_every_eye_shut_is_followed_by_another(guided, config, monkeypatch) -> None:
    """No frame with open eyes: like a photographer, the booth takes one more burst at once
    and keeps an open-eyed frame of it, without suggesting a retake."""
    from kiosk.camera import image_camera

    camera = image_camera.ImageCamera(
        config.camera.image,
        config.camera.sensor_size,
        person=PicturedPerson(eyes=image_camera.ASTRONAUT_EYES),
    )
    bursts = []
    take_burst = camera.capture_burst

    def capture_burst(count: int):
        # Every frame of the first burst catches a blink; none of the second does.
        monkeypatch.setattr(image_camera, "BLINK_SHARE", 0.0 if bursts else 1.0)
        bursts.append(count)
        return take_burst(count)

    camera.capture_burst = capture_burst
    app = guided(camera=camera)
    app.camera.person.move(0.0, 0.04)
    app.start(0.0)
    app.post(MainButton())
    run(app, 0.0, 15.0, until=lambda a: a.machine.phase is Phase.REVIEW)
    assert app.machine.phase is Phase.REVIEW
    assert bursts == [config.photo.burst_count, config.photo.burst_count - 1]
    photo = app.machine.photo
    details = photo.details
    assert details["bursts"] == 2 and not photo.retake_suggested
    assert details["chosen"] != 0, "not the first burst's frame, whose eyes were shut"
    assert details["scores"][0]["openness"] < 0.5 * details["scores"][details["chosen"]]["openness"]


def test_a_person_off_to_the_side_is_asked_to_move(guided) -> None:
    app = guided()
    # Close to the camera and on the camera image's left: too far to their right for any crop.
    app.camera.person.scale(1.5)
    app.camera.person.move(-0.28, 0.35)
    app.start(0.0)
    app.post(MainButton())
    run(app, 0.0, 3.0)
    assert app.machine.phase is Phase.FRAMING
    assert app.machine.advice.cue == "cue_move_left"


@pytest.mark.many_analyses
def test_a_cooperative_person_is_guided_to_an_automatic_photo(guided, config) -> None:
    from kiosk.camera.pictured_person import guided_person

    app = guided()
    app.follower = guided_person(app.camera.person)
    app.start(0.0)
    app.post(MainButton())
    now = run(app, 0.0, 60.0, until=lambda a: a.machine.phase is not Phase.FRAMING)
    assert app.machine.phase is Phase.COUNTDOWN, "converged and counted down by itself"
    assert now < 40.0
    run(app, now, config.timing.countdown + 0.5)
    assert app.machine.phase is Phase.REVIEW
    shown = [cue for cue, _ in app.machine.visit.cues]
    # Off to the side and too far: brought in first, then asked closer (position before distance).
    assert shown[0] == "cue_move_right" and "cue_come_closer" in shown


@pytest.mark.many_analyses
def test_an_uncooperative_person_reaches_the_timeout_and_the_button_still_works(
    guided, config
) -> None:
    quick = config.model_copy(
        update={"timing": config.timing.model_copy(update={"framing_timeout": 5.0})}
    )
    app = guided(config=quick)
    app.camera.person.zoom = 0.8  # too far, and stays there
    app.start(0.0)
    app.post(MainButton())
    now = run(app, 0.0, 6.0)
    assert app.machine.phase is Phase.FRAMING
    assert app.machine.framing_timed_out(now)
    assert app.machine.advice.cue == "cue_come_closer"
    app.post(MainButton())
    app.step(now + 0.1)
    assert app.machine.phase is Phase.COUNTDOWN


@pytest.mark.many_analyses
def test_the_second_button_stops_the_countdown_and_the_hold_starts_again(guided) -> None:
    app = guided()
    app.camera.person.move(0.0, 0.04)
    app.start(0.0)
    app.post(MainButton())
    now = run(app, 0.0, 10.0, until=lambda a: a.machine.phase is Phase.COUNTDOWN)
    assert app.machine.phase is Phase.COUNTDOWN
    app.post(SecondButton())
    now = run(app, now, 0.1)
    assert app.machine.phase is Phase.FRAMING
    assert app.machine.advice is None or not app.machine.advice.ready
    now = run(app, now, 0.6)
    assert app.machine.phase is Phase.FRAMING, "the hold starts again: no countdown at once"
    run(app, now, 3.0, until=lambda a: a.machine.phase is Phase.COUNTDOWN)
    assert app.machine.phase is Phase.COUNTDOWN, "a full hold later it counts down again"


def test_a_failed_analyser_clears_cue_and_progress_at_once(guided) -> None:
    app = guided()
    app.camera.person.scale(0.5)  # far away: "come closer"
    app.start(0.0)
    app.post(MainButton())
    now = run(app, 0.0, 2.0)
    assert app.machine.advice.cue == "cue_come_closer"
    analyser = app.guidance.session.analyser
    analyser._process.kill()
    analyser._process.join()
    app.step(now + 0.1)
    app.step(now + 0.2)
    assert not analyser.working
    advice = app.machine.advice
    assert advice.cue is None and advice.progress == 0.0 and not advice.ready
    assert app.machine.phase is Phase.FRAMING, "the booth frames on without cues"


def test_a_new_visit_starts_without_the_last_visits_analysis(guided) -> None:
    app = guided()
    app.camera.person.scale(1.5)
    app.camera.person.move(-0.28, 0.35)  # beyond any crop: "move to your left"
    app.start(0.0)
    app.post(MainButton())
    now = run(app, 0.0, 2.0)
    assert app.machine.advice.cue == "cue_move_left"
    app.post(SecondButton())  # the visit is cancelled with an analysis still on its way
    app.step(now + 0.1)
    assert app.machine.phase is Phase.ATTRACT
    app.step(now + 0.2)
    assert app.guidance.crop.height == 2592, "after the visit the crop is the centred one again"
    app.camera.person.offset_x = app.camera.person.offset_y = 0.0
    app.camera.person.zoom = 0.5
    app.post(MainButton())
    run(app, now + 0.2, 3.0, until=lambda a: a.machine.advice is not None)
    assert app.machine.advice.cue != "cue_move_left"


def test_the_preview_shows_the_crop_guidance_picked(guided) -> None:
    """The loop hands guidance's crop to the camera each frame: the screen shows exactly that
    region of the scene, mirrored, at the centred crop's place and size."""
    app = guided()
    app.camera.person.move(0.0, 0.04)
    app.start(0.0)
    app.post(MainButton())
    now = run(app, 0.0, 10.0, until=lambda a: a.guidance.crop.height < 2592)
    crop = app.guidance.crop
    assert crop.height < 2592, "guidance picked a smaller crop than the centred one"
    app.step(now + 0.05)
    assert app.camera.preview_frame().crop == crop, "the camera cuts it: drawing is a copy"
    area = app.screens.preview.rect_for((crop.width, crop.height))
    screen = pygame.surfarray.array3d(app.surface).transpose(1, 0, 2).astype(float)
    shown = screen[area.top : area.bottom, area.left : area.right]
    scale = area.height / crop.height
    sensor_width, sensor_height = app.camera.sensor_size
    field = app.camera.scene((round(sensor_width * scale), round(sensor_height * scale)))
    left, top = round(crop.left * scale), round(crop.top * scale)
    seen = field[top : top + area.height, left : left + area.width].astype(float)
    rows = slice(0, round(area.height * 0.75))  # above the message, only the thin oval
    assert np.abs(shown[rows] - seen[rows, ::-1]).mean() < 8
    assert np.abs(shown[rows] - seen[rows]).mean() > 20, "mirrored"
