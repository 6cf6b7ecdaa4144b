"""The person a still-image camera pictures: where they stand, how they hold their head, and how a
cooperative one follows the booth's cues.

``PicturedPerson`` is the scene's state: offset of the picture from the sensor's centre (sensor
fractions), size, head roll, and whether the eyes are shut; the demo's arrow keys move it.
Stepping closer or back zooms about the camera's axis, as a real step does: a person off to the
side moves further off as they come closer.

``CooperativePerson`` follows the booth's cues as a real person does, not as a machine would:
each notices a new cue only after a reaction time of their own, moves at a speed of their own,
keeps moving until they notice the cue has changed (so they overshoot, are corrected, and
correct more carefully than they first moved),
sways and breathes, blinks every few seconds, and lets their head roll drift; asked to step in,
they walk towards the middle of the picture. Turn and chin cannot be shown with a flat picture:
those rules are exercised by the engine's tests on measured faces instead.

Directions are the person's own, as the cues are: the camera image is not mirrored, so "a bit to
your left" moves them towards the image's right.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

OFFSET_LIMIT = 1.0
ZOOM_LIMITS = (0.2, 4.0)


@dataclass
class PicturedPerson:
    """Where the pictured person stands: offset of the picture's centre from the sensor's
    (sensor fractions), size, head roll (degrees, counter-clockwise on the image), eyes shut.
    ``eyes``: the eye centres in the picture's own pixels, when known (blinks need them)."""

    offset_x: float = 0.0
    offset_y: float = 0.0
    zoom: float = 1.0
    roll: float = 0.0
    eyes_closed: bool = False
    eyes: tuple[tuple[float, float], tuple[float, float]] | None = None

    def move(self, dx: float, dy: float) -> None:
        self.offset_x = min(OFFSET_LIMIT, max(-OFFSET_LIMIT, self.offset_x + dx))
        self.offset_y = min(OFFSET_LIMIT, max(-OFFSET_LIMIT, self.offset_y + dy))

    def scale(self, factor: float) -> None:
        """Closer (factor > 1) or further away, about the camera's axis."""
        zoom = min(ZOOM_LIMITS[1], max(ZOOM_LIMITS[0], self.zoom * factor))
        factor = zoom / self.zoom
        self.zoom = zoom
        self.offset_x = min(OFFSET_LIMIT, max(-OFFSET_LIMIT, self.offset_x * factor))
        self.offset_y = min(OFFSET_LIMIT, max(-OFFSET_LIMIT, self.offset_y * factor))


# How the pictured person moves per second for each cue at speed 1: (sideways, up/down, zoom).
# A step sideways or towards the camera takes about a second; standing up straight or bending
# the knees a little, less.
MOVES: dict[str, tuple[float, float, float]] = {
    "cue_move_left": (0.12, 0.0, 1.0),
    "cue_move_right": (-0.12, 0.0, 1.0),
    "cue_lower": (0.0, 0.12, 1.0),
    "cue_higher": (0.0, -0.12, 1.0),
    "cue_come_closer": (0.0, 0.0, 1.3),
    "cue_step_back": (0.0, 0.0, 1 / 1.3),
}
# Cues that undo each other. A person told to go back the way they came has overshot, and
# corrects more carefully than they first moved: each reversal halves their pace on that axis.
OPPOSITE = {
    "cue_move_left": "cue_move_right",
    "cue_move_right": "cue_move_left",
    "cue_lower": "cue_higher",
    "cue_higher": "cue_lower",
    "cue_come_closer": "cue_step_back",
    "cue_step_back": "cue_come_closer",
}
CORRECTION_PACE = 0.5
SLOWEST_PACE = 0.25
STEP_IN_SPEED = 0.12  # sensor fractions a second, walking into the picture
ROLL_SPEED = 6.0  # degrees a second, straightening the head
ROLL_DRIFT = 0.6  # degrees per square root of a second, the head's slow wander
# Sway and breath in the person's own size (sensor fractions at zoom 1): about 8 % and 5 % of
# the distance between their eyes, a person standing as still as they can.
SWAY = 0.0038
BREATH = 0.0024
BLINK_SECONDS = 0.15
START = PicturedPerson(offset_x=0.4, offset_y=0.0, zoom=0.8)


@dataclass
class CooperativePerson:
    person: PicturedPerson
    rng: random.Random = field(default_factory=random.Random)
    # This person's own pace: reaction time range (s) and speed factor.
    reaction: tuple[float, float] = (0.4, 1.3)
    speed: float = 1.0
    _noticed: str | None = None  # the cue they act on
    _seen: str | None = None  # the cue on screen, maybe not noticed yet
    _notice_at: float = 0.0
    _last: float | None = None
    _base: tuple[float, float] = (0.0, 0.0)
    _sway_phase: float = 0.0
    _sway_period: float = 4.0
    _breath_period: float = 4.0
    _blink_at: float = 0.0
    _roll_goal: float | None = None
    _last_move: dict[int, str] = field(default_factory=dict)  # axis -> the last move cue on it
    _pace: dict[int, float] = field(default_factory=dict)  # axis -> share of full speed

    def __post_init__(self) -> None:
        self._base = (self.person.offset_x, self.person.offset_y)
        self._sway_phase = self.rng.uniform(0, 2 * math.pi)
        self._sway_period = self.rng.uniform(3.0, 6.0)
        self._breath_period = self.rng.uniform(3.0, 5.0)
        self._blink_at = self.rng.uniform(0.5, 4.0)

    def follow(self, cue: str | None, now: float) -> None:
        """One moment of the person in front of the booth, seeing ``cue`` on screen."""
        elapsed = 0.0 if self._last is None else max(0.0, now - self._last)
        self._last = now
        if cue != self._seen:
            self._seen = cue
            self._notice_at = now + self.rng.uniform(*self.reaction)
        if self._seen != self._noticed and now >= self._notice_at:
            self._noticed = self._seen
            self._correct(self._noticed)
        self._act(self._noticed, elapsed)
        self._live(now, elapsed)

    def _correct(self, cue: str | None) -> None:
        """Noticing a move cue: after an overshoot (the opposite cue came last on this axis),
        more slowly."""
        if cue not in MOVES:
            return
        axis = _axis(cue)
        if self._last_move.get(axis) == OPPOSITE[cue]:
            pace = self._pace.get(axis, 1.0) * CORRECTION_PACE
            self._pace[axis] = max(SLOWEST_PACE, pace)
        self._last_move[axis] = cue

    def _act(self, cue: str | None, elapsed: float) -> None:
        person = self.person
        base_x, base_y = self._base
        step = elapsed * self.speed
        if cue in MOVES:
            step *= self._pace.get(_axis(cue), 1.0)
            sideways, vertical, zoom = MOVES[cue]
            base_x += sideways * step
            base_y += vertical * step
            factor = zoom**step
            before = person.zoom
            person.scale(factor)
            factor = person.zoom / before
            base_x, base_y = base_x * factor, base_y * factor
        elif cue == "cue_step_in":
            # Towards the middle of the picture, where the booth can see them.
            distance = math.hypot(base_x, base_y)
            if distance > 0:
                walked = min(distance, STEP_IN_SPEED * step)
                base_x -= base_x / distance * walked
                base_y -= base_y / distance * walked
        elif cue in ("cue_tilt_left", "cue_tilt_right"):
            # People know what straight feels like: they tilt towards it, and stop there,
            # give or take a few degrees. Tilting to their left turns the head clockwise on
            # the (unmirrored) image.
            if self._roll_goal is None:
                self._roll_goal = self.rng.gauss(0.0, 3.0)
            turn = -1.0 if cue == "cue_tilt_left" else 1.0
            wanted = self._roll_goal - person.roll
            if wanted * turn > 0:
                person.roll += turn * min(abs(wanted), ROLL_SPEED * step)
        if cue not in ("cue_tilt_left", "cue_tilt_right"):
            self._roll_goal = None
        limit = OFFSET_LIMIT
        self._base = (min(limit, max(-limit, base_x)), min(limit, max(-limit, base_y)))

    def _live(self, now: float, elapsed: float) -> None:
        """Sway, breath, blinks and a wandering head: a person is never quite still."""
        person = self.person
        person.roll += self.rng.gauss(0.0, ROLL_DRIFT * math.sqrt(elapsed))
        size = person.zoom
        sway = SWAY * size * math.sin(2 * math.pi * now / self._sway_period + self._sway_phase)
        breath = BREATH * size * math.sin(2 * math.pi * now / self._breath_period)
        person.offset_x = self._base[0] + sway
        person.offset_y = self._base[1] + breath
        if now >= self._blink_at + BLINK_SECONDS:
            self._blink_at = now + self.rng.uniform(2.0, 6.0)
        person.eyes_closed = self._blink_at <= now < self._blink_at + BLINK_SECONDS


def _axis(cue: str) -> int:
    """Which of a move's three parts (sideways, up/down, zoom) it changes."""
    return next(index for index, part in enumerate(MOVES[cue]) if part not in (0.0, 1.0))


def guided_person(person: PicturedPerson, rng: random.Random | None = None) -> CooperativePerson:
    """Put the person where they start: off to the side and too far away."""
    person.offset_x, person.offset_y, person.zoom = START.offset_x, START.offset_y, START.zoom
    return CooperativePerson(person, rng or random.Random())
