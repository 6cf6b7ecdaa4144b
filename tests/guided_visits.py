"""Simulated guided visits: the real booth loop, analyser process and framing engine, with the
injected clock, and the honest simulated person (kiosk.camera.pictured_person) starting anywhere
their face is at least partly on the sensor, too far, too close or half out of view.

A visit counts as good when it ends in an automatic photo (nobody pressed a button) within
``LIMIT_SECONDS`` of simulated time, the kept frame has open eyes and is sharp (the burst choice
kept it without suggesting a retake), and the photo's eye line lies within 0.33-0.40 of its height.

Used by tests/test_guided_visits.py (a few visits) and bench/guided_visits.py (all of them).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pygame
from helpers import pace_without_scoring_budget, patient
from PIL import Image
from skimage import data

from kiosk.booth.events import MainButton, SecondButton
from kiosk.booth.loop import BoothLoop
from kiosk.booth.machine import Phase
from kiosk.booth.visit_log import VisitLog
from kiosk.camera.image_camera import ASTRONAUT_EYES, ImageCamera
from kiosk.camera.pictured_person import CooperativePerson, PicturedPerson
from kiosk.config import parse_config
from kiosk.photos.index import PhotoIndex
from kiosk.photos.store import Authorship, PhotoStore
from kiosk.vision.analyser import AnalyserProcess
from kiosk.vision.face_models import FaceAnalyser
from kiosk.vision.session import FramingSession
from kiosk.vision.thresholds import thresholds_for

LIMIT_SECONDS = 20.0
STEP = 0.1  # simulated seconds per booth frame; each frame is analysed before the next
EYE_LINE_BAND = (0.33, 0.40)


@dataclass(frozen=True)
class Start:
    """Where the person starts: eye centre (sensor fractions), size (zoom), head roll."""

    eye_x: float
    eye_y: float
    zoom: float
    roll: float
    seed: int


def random_start(seed: int) -> Start:
    rng = random.Random(seed)
    return Start(
        eye_x=rng.uniform(0.02, 0.98),
        eye_y=rng.uniform(0.1, 0.85),
        zoom=math.exp(rng.uniform(math.log(0.45), math.log(2.6))),
        roll=rng.uniform(-12.0, 12.0),
        seed=seed,
    )


@dataclass(frozen=True)
class Outcome:
    start: Start
    photographed: bool  # an automatic photo was taken
    seconds: float | None  # from the visit's start to the photo
    eyes_open: bool
    sharp: bool
    eye_line: float | None
    cues: tuple[tuple[str, float], ...]  # each cue shown and for how long

    @property
    def good(self) -> bool:
        return (
            self.photographed
            and self.seconds is not None
            and self.seconds <= LIMIT_SECONDS
            and self.eyes_open
            and self.sharp
            and self.eye_line is not None
            and EYE_LINE_BAND[0] <= self.eye_line <= EYE_LINE_BAND[1]
        )


def booth(folder: Path, models_dir: Path, surface: pygame.Surface) -> BoothLoop:
    """A guided booth on the astronaut, its files in ``folder``."""
    config = parse_config(
        {
            "display": {"fullscreen": False, "size": list(surface.get_size()), "kiosk_mode": False},
            "buttons": {"enabled": False},
            "storage": {"dir": str(folder)},
            "share": {"base_url": "http://booth.test:8080"},
        }
    )
    camera = ImageCamera(
        Image.fromarray(data.astronaut()),
        config.camera.sensor_size,
        person=PicturedPerson(eyes=ASTRONAUT_EYES),
        seed=1,
    )
    store = PhotoStore(
        config.storage.layout,
        index=PhotoIndex(config.storage.layout.index_path),
        base_url=lambda: config.share.base_url,
        link_ttl=config.share.link_ttl,
        authorship=Authorship(event="Test", artist="Test", copyright="Test"),
        jpeg_quality=config.photo.jpeg_quality,
        signer=None,
        booth_id="booth-sim",
    )
    session = FramingSession(
        AnalyserProcess(models_dir, pace=pace_without_scoring_budget()),
        thresholds_for(config.guidance),
        camera.sensor_size,
        config.photo.aspect_ratio,
        config.camera.lens_position,
    )
    return BoothLoop(
        config, camera, surface, store, VisitLog(config.storage.layout.visits_path), session=session
    )


def place(person: PicturedPerson, start: Start, sensor: tuple[int, int]) -> None:
    """Put the astronaut's eyes at the start's place on the sensor, at its size and roll."""
    width, height = sensor
    source = 512
    eyes = (
        (ASTRONAUT_EYES[0][0] + ASTRONAUT_EYES[1][0]) / 2,
        (ASTRONAUT_EYES[0][1] + ASTRONAUT_EYES[1][1]) / 2,
    )
    scale = height / source * start.zoom
    person.zoom = start.zoom
    person.roll = start.roll
    person.eyes_closed = False
    person.offset_x = (start.eye_x * width - width / 2 - (eyes[0] - source / 2) * scale) / width
    person.offset_y = (start.eye_y * height - height / 2 - (eyes[1] - source / 2) * scale) / height


def step(app: BoothLoop, now: float) -> None:
    app.step(now)
    analyser = app.guidance.session.analyser
    if (
        app.machine.phase is Phase.FRAMING
        and analyser.running
        and (analyser.busy or not analyser.working)
    ):
        assert analyser.wait(patient(60)), "the analyser did not answer"


def visit(
    app: BoothLoop, start: Start, now: float, face_analyser: FaceAnalyser
) -> tuple[Outcome, float]:
    """One visit from the main button to the end of sharing; the outcome and the clock after."""
    place(app.camera.person, start, app.camera.sensor_size)
    rng = random.Random(start.seed)
    app.follower = CooperativePerson(app.camera.person, rng, speed=rng.uniform(0.6, 1.5))
    app.post(MainButton())
    started = now
    step(app, now)
    machine = app.machine
    current = machine.visit
    while machine.phase in (Phase.FRAMING, Phase.COUNTDOWN, Phase.CAPTURE):
        now += STEP
        step(app, now)
        if machine.phase is Phase.FRAMING and now - started > LIMIT_SECONDS:
            break
    current.show_cue(None, now)
    cues = tuple(current.cues)
    photo = machine.photo
    outcome = Outcome(start, False, None, False, False, None, cues)
    if machine.phase is Phase.REVIEW and photo is not None:
        details = photo.details or {}
        chosen = details.get("chosen")
        scores = details.get("scores") or []
        kept = next((s for s in scores if s.get("frame") == chosen), None)
        # The choice keeps a frame with closed eyes or under 0.7 of the best sharpness only
        # when every frame fails, and then suggests a retake.
        passed = kept is not None and kept["face"] and not photo.retake_suggested
        eyes_open = passed
        sharp = passed and kept["sharpness"] >= 0.7 * max(s["sharpness"] for s in scores)
        outcome = Outcome(
            start,
            True,
            current.captured_at - current.started_at if current.captured_at else None,
            eyes_open,
            sharp,
            eye_line_of(Path(photo.path), face_analyser),
            cues,
        )
    # End the visit: straight to the end if framing never succeeded, else through sharing
    # (whose first seconds ignore presses, so that a stray one cannot take the code away).
    for _ in range(6):
        if machine.phase is Phase.ATTRACT:
            break
        if machine.phase is Phase.SHARE:
            now += app.config.timing.share_guard
        app.post(MainButton() if machine.phase is not Phase.FRAMING else SecondButton())
        now += STEP
        step(app, now)
    assert machine.phase is Phase.ATTRACT, f"the visit did not end ({machine.phase})"
    return outcome, now + 1.0


def eye_line_of(path: Path, face_analyser: FaceAnalyser) -> float | None:
    with Image.open(path) as photo:
        small = np.asarray(photo.convert("RGB").resize((photo.width // 4, photo.height // 4)))
    faces = face_analyser.analyse(small)
    if len(faces) != 1:
        return None
    return faces[0].eye_centre[1] / small.shape[0]


def run_visits(
    starts: list[Start],
    folder: Path,
    models_dir: Path,
    face_analyser: FaceAnalyser,
    report: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    pygame.display.init()
    pygame.font.init()
    surface = pygame.display.set_mode((1280, 720))
    app = booth(folder, models_dir, surface)
    outcomes = []
    try:
        app.start(0.0)
        now = 0.0
        for start in starts:
            outcome, now = visit(app, start, now, face_analyser)
            outcomes.append(outcome)
            report(outcome)
    finally:
        app.close()
    return outcomes


def summary(outcomes: list[Outcome]) -> tuple[float, float | None]:
    """Share of good visits, median seconds to the photo of the good ones."""
    good = [o for o in outcomes if o.good]
    times = sorted(o.seconds for o in good if o.seconds is not None)
    median = times[len(times) // 2] if times else None
    return len(good) / max(len(outcomes), 1), median
