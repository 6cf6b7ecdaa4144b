"""Where the photo sits, and the guidance that moves it: the one owner of the crop.

Without guided framing the crop is the largest of the photo's aspect centred on the sensor. With
it, each visit starts from that crop and follows the framing engine's verdicts; the verdicts
reach the state machine as ``FramingAdvice`` events.
"""

from __future__ import annotations

from kiosk.booth.events import CAMERA, Event, Fault, FramingAdvice
from kiosk.camera.crop import Crop, centred_crop
from kiosk.camera.frames import Camera, CameraError, Still
from kiosk.vision.burst import Choice, choose_sharpest
from kiosk.vision.session import FramingSession


class GuidanceAdapter:
    def __init__(
        self,
        sensor_size: tuple[int, int],
        aspect: float,
        session: FramingSession | None = None,
    ):
        self.session = session
        self._centred = centred_crop(sensor_size, aspect)
        self._crop = self._centred
        self._visit: object | None = None
        self._attempt = 0
        self._analysing = False

    @property
    def crop(self) -> Crop:
        """The crop the photo will have if it is taken now (and the preview shows)."""
        return self._crop

    @property
    def guided(self) -> bool:
        return self.session is not None

    def look(self, camera: Camera, visit: object, now: float) -> list[Event]:
        """Advice for this frame of ``visit``, if the analyser has a new verdict. ``visit``'s
        ``attempt`` counts its returns to framing; each starts the hold afresh."""
        if self.session is None:
            return []
        attempt = getattr(visit, "attempt", 0)
        if self._visit is not visit:
            self._visit, self._attempt = visit, attempt
            self.session.start_visit(now)
            self._crop = self._centred
        elif attempt != self._attempt:
            self._attempt = attempt
            self.session.restart_hold(now)
        try:
            verdict = self.session.look(camera, now)
        except CameraError as error:
            return [Fault(CAMERA, str(error))]
        working = self.session.analyser.working
        if not working:
            # No analysis: the booth frames without cues at once, as without guidance.
            was_analysing, self._analysing = self._analysing, False
            return [FramingAdvice(False)] if was_analysing else []
        self._analysing = True
        if verdict is None:
            return []
        if verdict.crop is not None:
            self._crop = verdict.crop
        return [
            FramingAdvice(
                verdict.person_present,
                verdict.cue,
                verdict.progress,
                verdict.ready,
                verdict.lighting,
            )
        ]

    def forget_visit(self) -> None:
        """The visit is over (or ended by a fault): the next preview stream and photo start
        from the centred crop."""
        self._visit = None
        self._crop = self._centred

    def choose(self, stills: list[Still]) -> Choice | None:
        """The best real frame of a burst (None for a single frame: nothing to choose)."""
        if len(stills) < 2:
            return None
        if self.session is None:
            return choose_sharpest(stills, self._crop)
        return self.session.choose_from(stills, self._crop)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
