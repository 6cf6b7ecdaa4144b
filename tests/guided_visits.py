"""Simulated guided visits: the real booth loop, analyser process and framing engine, with the
injected clock, and the honest simulated person (kiosk.camera.pictured_person) starting anywhere
their face is at least partly on the sensor, too far, too close or half out of view. The person
is any of the real people of tests/portraits or the astronaut (``Start.person``); their eyes are
found by the face models, so they blink as the astronaut does.

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
from real_faces import measure, people

from kiosk.booth.events import MainButton, SecondButton
from kiosk.booth.loop import BoothLoop, InlineExecutor
from kiosk.booth.machine import Phase
from kiosk.booth.visit_log import VisitLog
from kiosk.camera.image_camera import ImageCamera
from kiosk.camera.pictured_person import CooperativePerson, PicturedPerson
from kiosk.config import parse_config
from kiosk.photos.index import PhotoIndex
from kiosk.photos.store import Authorship, PhotoStore
from kiosk.vision.analyser import AnalyserProcess
from kiosk.vision.face_models import FaceAnalyser
from kiosk.vision.session import FramingSession
from kiosk.vision.thresholds import FramingThresholds, thresholds_for

LIMIT_SECONDS = 20.0
STEP = 0.1  # simulated seconds per booth frame; each frame is analysed before the next
EYE_LINE_BAND = (0.33, 0.40)


ASTRONAUT = "collins"
# When a cue counts as started in a blink, after the booth frame in which the person closed the
# eyes: the next frame shows the blink, and its answer comes with the frame after that, so a cue
# of the very next frame is the last frame's before the blink; from then on, for the blink's
# frames and the first with the eyes open again (a blink lasts 0.15 s).
BLINK_WINDOW = (1.5 * STEP, 0.45)
# A cue that a blink brought flashes: it goes again within this long.
FLASH_SECONDS = 0.5


@dataclass(frozen=True)
class Start:
    """Where the person starts: eye centre (sensor fractions), size (zoom: the astronaut's
    picture's scale; another person's face is made the same size at the same zoom), head roll,
    and who it is (a name of ``portraits``)."""

    eye_x: float
    eye_y: float
    zoom: float
    roll: float
    seed: int
    person: str = ASTRONAUT


def random_start(seed: int, person: str = ASTRONAUT) -> Start:
    rng = random.Random(seed)
    return Start(
        eye_x=rng.uniform(0.02, 0.98),
        eye_y=rng.uniform(0.1, 0.85),
        zoom=math.exp(rng.uniform(math.log(0.45), math.log(2.6))),
        roll=rng.uniform(-12.0, 12.0),
        seed=seed,
        person=person,
    )


@dataclass(frozen=True)
class Portrait:
    """A real person's picture levelled by their own head roll (so that the simulated person's
    idea of straight is straight), where their eyes are on it, their eyes-to-chin over its
    height (so every person can be shown at the astronaut's face size), and how far their
    head is turned (nose off the eyes' midpoint, in eye distances)."""

    name: str
    image: Image.Image
    eyes: tuple[tuple[float, float], tuple[float, float]]
    face_share: float
    yaw: float


def portraits(face_analyser: FaceAnalyser) -> dict[str, Portrait]:
    """Every real person of tests/portraits and the astronaut, measured by the face models."""
    found = {}
    for name, image in people().items():
        level = measure(face_analyser, image).image
        faces = [f for f in face_analyser.analyse(np.asarray(level)) if f.eye_distance > 20]
        face = max(faces, key=lambda f: f.eye_distance)
        yaw = (face.nose[0] - face.eye_centre[0]) / face.eye_distance
        found[name] = Portrait(
            name,
            level,
            (face.right_eye, face.left_eye),
            face.eyes_to_chin / level.height,
            yaw,
        )
    return found


def turn_allowed(portrait: Portrait) -> float | None:
    """The yaw limit this person's visits need, where their picture is turned past the rules'
    (measured on the levelled portrait: Coelho -0.38, Dahlgren +0.22, van Rossum -0.46, the
    real-faces set's POSE_CUES, and Henner +0.19, whom the booth measures at 0.14-0.18 on the
    analysis frame and rightly asks to turn whenever that passes 0.1875): a picture cannot turn
    to the camera, so that one rule is opened for them (the engine's tests check it on measured
    faces) and every other rule is exercised by them as by everybody. None: the preset's."""
    limit = FramingThresholds().max_yaw
    if abs(portrait.yaw) <= limit:
        return None
    return round(abs(portrait.yaw) + limit, 3)


@dataclass(frozen=True)
class Outcome:
    start: Start
    photographed: bool  # an automatic photo was taken
    seconds: float | None  # from the visit's start to the photo
    eyes_open: bool
    sharp: bool
    eye_line: float | None
    cues: tuple[tuple[str, float], ...]  # each cue shown and for how long
    # Cues that started while the person blinked: every one, and those gone again within
    # FLASH_SECONDS (the signature of a cue a blink brought).
    blink_cues: tuple[str, ...] = ()
    blink_flashes: tuple[str, ...] = ()

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


def booth(folder: Path, models_dir: Path, surface: pygame.Surface, portrait: Portrait) -> BoothLoop:
    """A guided booth on this person's picture, its files in ``folder``."""
    turn = turn_allowed(portrait)
    config = parse_config(
        {
            "display": {"fullscreen": False, "size": list(surface.get_size()), "kiosk_mode": False},
            "buttons": {"enabled": False},
            "storage": {"dir": str(folder)},
            "share": {"base_url": "http://booth.test:8080"},
            "guidance": {"max_yaw": turn} if turn is not None else {},
        }
    )
    camera = ImageCamera(
        portrait.image,
        config.camera.sensor_size,
        person=PicturedPerson(eyes=portrait.eyes),
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
        config,
        camera,
        surface,
        store,
        VisitLog(config.storage.layout.visits_path),
        session=session,
        capture_worker=InlineExecutor(),  # the visit's clock runs ahead of real time
    )


def place(
    person: PicturedPerson,
    start: Start,
    sensor: tuple[int, int],
    portrait: Portrait,
    astronaut: Portrait,
) -> None:
    """Put the person's eyes at the start's place on the sensor, their face the size the
    astronaut's has at the start's zoom, their head rolled by the start's roll."""
    width, height = sensor
    source_width, source_height = portrait.image.size
    (right_x, right_y), (left_x, left_y) = portrait.eyes
    eyes = ((right_x + left_x) / 2, (right_y + left_y) / 2)
    zoom = start.zoom * astronaut.face_share / portrait.face_share
    scale = height / source_height * zoom
    person.zoom = zoom
    person.roll = start.roll
    person.eyes_closed = False
    person.offset_x = (
        start.eye_x * width - width / 2 - (eyes[0] - source_width / 2) * scale
    ) / width
    person.offset_y = (
        start.eye_y * height - height / 2 - (eyes[1] - source_height / 2) * scale
    ) / height


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
    app: BoothLoop,
    start: Start,
    now: float,
    face_analyser: FaceAnalyser,
    people_by_name: dict[str, Portrait],
) -> tuple[Outcome, float]:
    """One visit from the main button to the end of sharing; the outcome and the clock after."""
    person = app.camera.person
    place(
        person,
        start,
        app.camera.sensor_size,
        people_by_name[start.person],
        people_by_name[ASTRONAUT],
    )
    rng = random.Random(start.seed)
    app.follower = CooperativePerson(person, rng, speed=rng.uniform(0.6, 1.5))
    app.post(MainButton())
    started = now
    step(app, now)
    machine = app.machine
    current = machine.visit
    blinked_at = -math.inf
    # (time, cue, in a blink): every cue as it comes on screen, as the visit's record has them.
    onsets: list[tuple[float, str, bool]] = []
    if current.cue is not None:
        onsets.append((now, current.cue, False))
    shown = current.cue
    while machine.phase in (Phase.FRAMING, Phase.COUNTDOWN, Phase.CAPTURE):
        if person.eyes_closed:  # the frame the booth takes next shows the blink
            blinked_at = now if now - blinked_at > BLINK_WINDOW[1] else blinked_at
        now += STEP
        step(app, now)
        if current.cue != shown and current.cue is not None:
            in_blink = BLINK_WINDOW[0] < now - blinked_at <= BLINK_WINDOW[1]
            onsets.append((now, current.cue, in_blink))
        shown = current.cue
        if machine.phase is Phase.FRAMING and now - started > LIMIT_SECONDS:
            break
    current.show_cue(None, now)
    cues = tuple(current.cues)
    blink_cues, blink_flashes = _blink_cues(onsets, cues)
    photo = machine.photo
    outcome = Outcome(start, False, None, False, False, None, cues, blink_cues, blink_flashes)
    if machine.phase is Phase.REVIEW and photo is not None:
        details = photo.details or {}
        chosen = details.get("chosen")
        scores = details.get("scores") or []
        kept = next((s for s in scores if s.get("frame") == chosen), None)
        # The choice keeps a frame with closed eyes or under 0.7 of the best sharpness only
        # when every frame fails, and then suggests a retake.
        passed = kept is not None and kept["face"] and not photo.retake_suggested
        eyes_open = passed
        # Sharp among the frames that could be kept: eyes open (against the burst's most open
        # frame, as the booth's 0.75 of the person's open value), the face in the crop.
        widest = max((s["openness"] for s in scores if s["face"]), default=0.0)
        choosable = [
            s["sharpness"]
            for s in scores
            if s["face"] and s["inside_crop"] and s["openness"] >= 0.75 * widest
        ]
        sharp = passed and kept["sharpness"] >= 0.7 * max(choosable, default=0.0)
        outcome = Outcome(
            start,
            True,
            current.captured_at - current.started_at if current.captured_at else None,
            eyes_open,
            sharp,
            eye_line_of(Path(photo.path), face_analyser),
            cues,
            blink_cues,
            blink_flashes,
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


def _blink_cues(
    onsets: list[tuple[float, str, bool]], cues: tuple[tuple[str, float], ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The cues that started in a blink, and those of them gone within FLASH_SECONDS (the
    visit's cue record lists every cue shown in order, with its duration)."""
    durations = [seconds for _, seconds in cues]
    in_blink, flashes = [], []
    for index, (_, cue, blinking) in enumerate(onsets):
        if not blinking:
            continue
        in_blink.append(cue)
        if index < len(durations) and durations[index] < FLASH_SECONDS:
            flashes.append(cue)
    return tuple(in_blink), tuple(flashes)


# The photo is looked at a quarter of its size, and where no single face is found there, smaller:
# the detector scores some faces that fill much of a portrait-shaped frame (Andersson's sepia
# print, with his white beard) under its bar at one size and over it at the next, while the
# same face, smaller in the sensor's whole field, was found on every analysis frame.
PHOTO_SCALES = (4, 5, 6)


def eye_line_of(path: Path, face_analyser: FaceAnalyser) -> float | None:
    """The photo's eye line as a share of its height: of its one face (specks the detector
    half believes in, a few pixels between the eyes, are no second face on a portrait), at
    the first of ``PHOTO_SCALES`` where there is exactly one."""
    with Image.open(path) as photo:
        rgb = photo.convert("RGB")
    for scale in PHOTO_SCALES:
        small = np.asarray(rgb.resize((rgb.width // scale, rgb.height // scale)))
        faces = [face for face in face_analyser.analyse(small) if face.eye_distance >= 16]
        if len(faces) == 1:
            return faces[0].eye_centre[1] / small.shape[0]
    return None


def run_visits(
    starts: list[Start],
    folder: Path,
    models_dir: Path,
    face_analyser: FaceAnalyser,
    report: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """The visits in turn; one booth for each run of visits by the same person."""
    pygame.display.init()
    pygame.font.init()
    surface = pygame.display.set_mode((1280, 720))
    people_by_name = portraits(face_analyser)
    outcomes = []
    index = 0
    while index < len(starts):
        name = starts[index].person
        app = booth(folder / f"{index}-{name}", models_dir, surface, people_by_name[name])
        try:
            app.start(0.0)
            now = 0.0
            while index < len(starts) and starts[index].person == name:
                outcome, now = visit(app, starts[index], now, face_analyser, people_by_name)
                outcomes.append(outcome)
                report(outcome)
                index += 1
        finally:
            app.close()
    return outcomes


def summary(outcomes: list[Outcome]) -> tuple[float, float | None]:
    """Share of good visits, median seconds to the photo of the good ones."""
    good = [o for o in outcomes if o.good]
    times = sorted(o.seconds for o in good if o.seconds is not None)
    median = times[len(times) // 2] if times else None
    return len(good) / max(len(outcomes), 1), median
