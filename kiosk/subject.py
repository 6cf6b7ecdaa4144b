"""A simulated person for the image camera who follows the booth's cues like a real one would:
after a moment to read the cue, they move, steadily, until the cue changes.

`kiosk demo --subject guided` starts them off-centre and too far away, so the whole loop can be
watched converging to an automatic photo. Directions are the person's own, as the cues are: the
camera image is not mirrored, so "a bit to your left" moves them towards the image's right.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.camera import Subject

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
START = Subject(offset_x=0.4, offset_y=0.0, zoom=0.8)


@dataclass
class CooperativeSubject:
    subject: Subject
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
        self.subject.move(sideways * elapsed, vertical * elapsed)
        self.subject.scale(zoom**elapsed)


def guided_subject(subject: Subject) -> CooperativeSubject:
    """Put the person where they start: off to the side and too far away."""
    subject.offset_x, subject.offset_y, subject.zoom = START.offset_x, START.offset_y, START.zoom
    return CooperativeSubject(subject)
