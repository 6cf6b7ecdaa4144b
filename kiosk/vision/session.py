"""One analyser process serving the visits: live analysis frames in, framing verdicts out, and
the burst's best frame judged with this person's baselines.

The framing engine is made new for each person (no baselines or cue history carried over); the
analyser process lives as long as the booth.
"""

from __future__ import annotations

import logging

import numpy as np

from kiosk.camera.crop import Crop
from kiosk.camera.frames import Camera, CameraError, Still
from kiosk.vision.analyser import AnalyserProcess
from kiosk.vision.burst import Choice, choose, choose_sharpest, score_frame
from kiosk.vision.faces import Face
from kiosk.vision.framing import FramingEngine, FramingVerdict, Observation
from kiosk.vision.thresholds import FramingThresholds

log = logging.getLogger(__name__)


class FramingSession:
    def __init__(
        self,
        analyser: AnalyserProcess,
        rules: FramingThresholds,
        sensor_size: tuple[int, int],
        aspect: float,
    ):
        self.analyser = analyser
        self.rules = rules
        self.sensor_size = sensor_size
        self.aspect = aspect
        self.engine = FramingEngine(rules, sensor_size, aspect)

    def start_visit(self) -> None:
        """A new person: no baselines, no cue history."""
        self.engine = FramingEngine(self.rules, self.sensor_size, self.aspect)

    def look(self, camera: Camera, now: float) -> FramingVerdict | None:
        """Offer the newest analysis frame; the verdict on the latest analysed one, if new.
        Raises CameraError like the camera does."""
        result = self.analyser.poll()
        frame = camera.analysis_frame()
        self.analyser.submit(frame, now)
        if result is None:
            return None
        moment, faces = result
        return self.engine.update(Observation(moment, faces, (frame.shape[1], frame.shape[0])))

    def choose_from(self, stills: list[Still], crop: Crop) -> Choice:
        """The best real frame of the burst: by faces when this device can analyse them in
        time, else by the sharpness of the photo's middle."""
        pace = self.analyser.pace
        if not self.analyser.working:
            log.warning(
                "burst chosen by sharpness only: %s", self.analyser.problem or "no analyser"
            )
            return choose_sharpest(stills, crop)
        if not pace.can_score(len(stills)):
            log.warning(
                "burst chosen by sharpness only: analysing %d frames at %.2f s each would take "
                "too long",
                len(stills),
                pace.median or 0.0,
            )
            return choose_sharpest(stills, crop)

        def analyse(frame: np.ndarray) -> list[Face]:
            faces = self.analyser.analyse_now(frame, pace.still_limit())
            if faces is None:
                raise CameraError("the analyser did not answer in time")
            return faces

        try:
            scores = [score_frame(i, still, analyse, crop) for i, still in enumerate(stills)]
        except CameraError as error:
            log.warning("burst chosen by sharpness only: %s", error)
            return choose_sharpest(stills, crop)
        return choose(scores, self.engine.open_baseline, self.rules.eyes_open_share)

    def close(self) -> None:
        self.analyser.close()
