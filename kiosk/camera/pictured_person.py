"""The person a still-image camera pictures: where they stand, and how a cooperative one moves.

``PicturedPerson`` is the scene's state (offset from the centre and size); the demo's arrow keys
move it. ``CooperativePerson`` follows the booth's cues like a real person would: after a moment
to read the cue, they move, steadily, until the cue changes. `kiosk demo --subject guided` starts
them off-centre and too far away, so the whole loop can be watched converging to an automatic
photo. Directions are the person's own, as the cues are: the camera image is not mirrored, so "a
bit to your left" moves them towards the image's right.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PicturedPerson:
    """Where the pictured person stands: offset from the centre (sensor fractions) and size."""

    offset_x: float = 0.0
    offset_y: float = 0.0
    zoom: float = 1.0

    def move(self, dx: float, dy: float) -> None:
        self.offset_x = min(0.6, max(-0.6, self.offset_x + dx))
        self.offset_y = min(0.6, max(-0.6, self.offset_y + dy))

    def scale(self, factor: float) -> None:
        self.zoom = min(4.0, max(0.2, self.zoom * factor))


# How the pictured person moves per second for each cue: (sideways, up/down, zoom factor).
MOVES: dict[str, tuple[float, float, float]] = {
    "cue_move_left": (0.08, 0.0, 1.0),
    "cue_move_right": (-0.08, 0.0, 1.0),
    "cue_lower": (0.0, 0.06, 1.0),
    "cue_higher": (0.0, -0.06, 1.0),
    "cue_come_closer": (0.0, 0.0, 1.12),
    "cue_step_back": (0.0, 0.0, 1 / 1.12),
    "cue_step_in": (0.0, 0.0, 1.0),
}
START = PicturedPerson(offset_x=0.4, offset_y=0.0, zoom=0.8)


@dataclass
class CooperativePerson:
    person: PicturedPerson
    reaction_seconds: float = 0.8
    _cue: str | None = None
    _cue_since: float = 0.0
    _last: float | None = None

    def follow(self, cue: str | None, now: float) -> None:
        if cue != self._cue:
            self._cue, self._cue_since = cue, now
        elapsed = 0.0 if self._last is None else now - self._last
        self._last = now
        if cue is None or now - self._cue_since < self.reaction_seconds:
            return
        sideways, vertical, zoom = MOVES.get(cue, (0.0, 0.0, 1.0))
        self.person.move(sideways * elapsed, vertical * elapsed)
        self.person.scale(zoom**elapsed)


def guided_person(person: PicturedPerson) -> CooperativePerson:
    """Put the person where they start: off to the side and too far away."""
    person.offset_x, person.offset_y, person.zoom = START.offset_x, START.offset_y, START.zoom
    return CooperativePerson(person)
