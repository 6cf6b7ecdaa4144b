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

    @property
    def crop(self) -> Crop:
        """The crop the photo will have if it is taken now (and the preview shows)."""
        return self._crop

    @property
    def guided(self) -> bool:
        return self.session is not None

    def look(self, camera: Camera, visit: object, now: float) -> list[Event]:
        """Advice for this frame of ``visit``, if the analyser has a new verdict."""
        if self.session is None:
            return []
        if self._visit is not visit:
            self._visit = visit
            self.session.start_visit()
            self._crop = self._centred
        try:
            verdict = self.session.look(camera, now)
        except CameraError as error:
            return [Fault(CAMERA, str(error))]
        if verdict is None:
            return []
        if verdict.crop is not None:
            self._crop = verdict.crop
        return [FramingAdvice(verdict.person_present, verdict.cue, verdict.progress, verdict.ready)]

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
