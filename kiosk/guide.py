"""The booth's eyes while framing: analysis frames go to the analyser process, the faces it
finds go to the framing engine, and its verdict comes back to the booth loop."""

from __future__ import annotations

from kiosk.analyser import AnalyserProcess
from kiosk.camera import Camera
from kiosk.guidance import FramingEngine, GuidanceThresholds, Observation, Verdict


class Guide:
    def __init__(
        self,
        analyser: AnalyserProcess,
        rules: GuidanceThresholds,
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

    def look(self, camera: Camera, now: float) -> Verdict | None:
        """Offer the newest analysis frame; the verdict on the latest analysed one, if new.
        Raises CameraError like the camera does."""
        result = self.analyser.poll()
        frame = camera.analysis_frame()
        self.analyser.submit(frame, now)
        if result is None:
            return None
        moment, faces = result
        return self.engine.update(Observation(moment, faces, (frame.shape[1], frame.shape[0])))

    def close(self) -> None:
        self.analyser.close()
