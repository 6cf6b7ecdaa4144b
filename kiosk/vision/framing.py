"""Guided framing: the photographer's judgement as pure functions of faces and time.

``FramingEngine.update(observation)`` takes the faces found on one analysis frame (the whole
sensor field, small) and the time, and returns the crop the photo should have, the one cue to
show (or none), how far the all-good hold has got, and whether to start the countdown. It keeps
the little state a photographer keeps in their head: which rules are currently broken
(hysteresis), which cue is on screen and since when, this person's own baselines, how still
they are. Rules and thresholds: see docs/framing.md and ``FramingThresholds``.

Directions are the person's: a face on the left of the (unmirrored) camera image belongs to a
person standing too far to their right, so the cue is "move to your left".
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from kiosk.camera.crop import Crop
from kiosk.vision.cropping import choose_crop
from kiosk.vision.faces import Face
from kiosk.vision.thresholds import FramingThresholds


@dataclass(frozen=True)
class Observation:
    time: float
    faces: list[Face]
    frame_size: tuple[int, int]  # the analysis frame: the whole sensor field, small


@dataclass(frozen=True)
class FramingVerdict:
    person_present: bool
    cue: str | None
    crop: Crop | None
    progress: float
    ready: bool
    all_good: bool
    measures: dict[str, float] = field(default_factory=dict)


# --- the rules in their order ----------------------------------------------------------------

# After presence and one person (checked first, in ``update``), in the order docs/framing.md
# gives ("How cues behave"):
ORDER = ("distance", "position", "roll", "yaw", "pitch", "stillness")


class FramingEngine:
    def __init__(
        self,
        rules: FramingThresholds,
        sensor_size: tuple[int, int],
        aspect: float,
    ):
        self.rules = rules
        self.sensor_size = sensor_size
        self.aspect = aspect
        self._broken: set[str] = set()
        self._cue: str | None = None
        self._cue_since = 0.0
        self._crop: Crop | None = None
        self._present_since: float | None = None
        self._last_seen: float | None = None
        self._open_samples: list[float] = []
        self._pitch_samples: list[float] = []
        self._open_baseline: float | None = None
        self._pitch_baseline: float | None = None
        self._last_eyes: tuple[float, float] | None = None
        self._moving_at = 0.0
        self._good_since: float | None = None

    @property
    def open_baseline(self) -> float | None:
        """This person's open-eye value, once learnt."""
        return self._open_baseline

    def update(self, observation: Observation) -> FramingVerdict:
        now = observation.time
        faces = [
            face for face in observation.faces if face.eye_distance >= self.rules.min_eye_distance
        ]
        if not faces:
            return self._nobody(now)
        if self._last_seen is None or now - self._last_seen > self.rules.absent_reset_seconds:
            self._new_person(now)
        self._last_seen = now
        if len(faces) > 1:
            self._good_since = None
            cue = self._show("cue_one_person", now)
            return FramingVerdict(True, cue, self._crop, 0.0, False, False)

        face = faces[0]
        scale = self.sensor_size[0] / observation.frame_size[0]
        measures = self._measures(face, scale)
        self._learn_baselines(now, measures)
        choice = choose_crop(
            (measures["eye_x"], measures["eye_y"]),
            measures["eyes_to_chin"],
            self.sensor_size,
            self.aspect,
            self.rules,
        )
        self._crop = self._steady(choice.crop)
        still = self._stillness(now, face)
        failing = self._failing(choice.problems, measures, still)
        all_good = not failing
        eyes_open = self._eyes_open(measures)
        if all_good and eyes_open:
            self._good_since = self._good_since if self._good_since is not None else now
        elif not all_good:
            self._good_since = None
        # A blink pauses the hold without a word; it does not start it again.
        held = now - self._good_since if self._good_since is not None else 0.0
        progress = min(1.0, held / self.rules.ready_seconds)
        baselines_known = self._open_baseline is not None
        ready = progress >= 1.0 and eyes_open and baselines_known
        cue = self._show(failing[0] if failing else None, now)
        return FramingVerdict(True, cue, self._crop, progress, ready, all_good, measures)

    # -- pieces --

    def _nobody(self, now: float) -> FramingVerdict:
        self._good_since = None
        if self._last_seen is not None and now - self._last_seen <= self.rules.absent_reset_seconds:
            # A face missed on one frame is no reason to ask the person to step in.
            return FramingVerdict(True, self._cue, self._crop, 0.0, False, False)
        cue = self._show("cue_step_in", now)
        return FramingVerdict(False, cue, self._crop, 0.0, False, False)

    def _new_person(self, now: float) -> None:
        self._present_since = now
        self._open_samples.clear()
        self._pitch_samples.clear()
        self._open_baseline = self._pitch_baseline = None
        self._broken.clear()
        self._last_eyes = None
        self._moving_at = now

    def _measures(self, face: Face, scale: float) -> dict[str, float]:
        ex, ey = face.eye_centre
        roll = math.radians(face.roll_degrees)
        cos, sin = math.cos(-roll), math.sin(-roll)

        def level(point: tuple[float, float]) -> tuple[float, float]:
            """A point in a frame turned so the eye line is level, relative to the eyes."""
            dx, dy = point[0] - ex, point[1] - ey
            return dx * cos - dy * sin, dx * sin + dy * cos

        nose_x, nose_y = level(face.nose)
        _, mouth_y = level(face.mouth)
        eye_distance = face.eye_distance
        return {
            "eye_x": ex * scale,
            "eye_y": ey * scale,
            "eye_distance": eye_distance * scale,
            "eyes_to_chin": face.eyes_to_chin * scale,
            "roll": face.roll_degrees,
            "yaw": nose_x / eye_distance,
            "pitch": nose_y / mouth_y if mouth_y > 0 else 0.0,
            "openness": min(face.right_eye_openness, face.left_eye_openness),
        }

    def _learn_baselines(self, now: float, measures: dict[str, float]) -> None:
        if self._open_baseline is not None or self._present_since is None:
            return
        self._open_samples.append(measures["openness"])
        self._pitch_samples.append(measures["pitch"])
        if now - self._present_since >= self.rules.baseline_seconds:
            # The open-eye value is the person's usual one: blinks during the first second
            # must not lower it, so the upper half of the samples counts.
            samples = sorted(self._open_samples)
            self._open_baseline = statistics.median(samples[len(samples) // 2 :])
            self._pitch_baseline = statistics.median(self._pitch_samples)

    def _eyes_open(self, measures: dict[str, float]) -> bool:
        if self._open_baseline is None:
            return True
        return measures["openness"] >= self.rules.eyes_open_share * self._open_baseline

    def _stillness(self, now: float, face: Face) -> bool:
        eyes = face.eye_centre
        if self._last_eyes is not None:
            moved = math.dist(eyes, self._last_eyes) / face.eye_distance
            if moved >= self.rules.still_movement:
                self._moving_at = now
        self._last_eyes = eyes
        return now - self._moving_at >= self.rules.still_seconds

    def _failing(
        self, problems: dict[str, float], measures: dict[str, float], still: bool
    ) -> list[str]:
        """The cues of broken rules, in the rules' order."""
        rules = self.rules
        checks: dict[str, tuple[float, float, str]] = {}
        # Rule -> (value outside the limit in units of the limit, limit, cue when broken).
        distance = problems.get("distance", 0.0)
        checks["distance"] = (
            abs(distance),
            0.0,
            "cue_come_closer" if distance > 0 else "cue_step_back",
        )
        position_x = problems.get("position_x", 0.0)
        position_y = problems.get("position_y", 0.0)
        if abs(position_x) >= abs(position_y):
            cue = "cue_move_left" if position_x < 0 else "cue_move_right"
            checks["position"] = (abs(position_x), 0.0, cue)
        else:
            cue = "cue_higher" if position_y > 0 else "cue_lower"
            checks["position"] = (abs(position_y), 0.0, cue)
        roll = measures["roll"]
        checks["roll"] = (
            abs(roll),
            rules.max_roll_degrees,
            "cue_tilt_right" if roll > 0 else "cue_tilt_left",
        )
        checks["yaw"] = (abs(measures["yaw"]), rules.max_yaw, "cue_turn_to_camera")
        if self._pitch_baseline is not None:
            change = measures["pitch"] - self._pitch_baseline
            cue = "cue_chin_up" if change > 0 else "cue_chin_down"
            checks["pitch"] = (abs(change), rules.max_pitch_change, cue)
        failing = []
        for rule in ORDER:
            if rule == "stillness":
                if not still:
                    failing.append("cue_hold_still")
                continue
            if rule not in checks:
                continue
            value, limit, cue = checks[rule]
            if self._broken_now(rule, value, limit):
                failing.append(cue)
        return failing

    def _broken_now(self, rule: str, value: float, limit: float) -> bool:
        """Hysteresis: broken beyond the limit widened by 25 %, whole again within the limit.
        Crop rules have no band of their own; their widening is a share of the crop."""
        widened = limit * (1 + self.rules.hysteresis) if limit else self.rules.hysteresis * 0.1
        if rule in self._broken:
            if value <= limit:
                self._broken.discard(rule)
        elif value > widened:
            self._broken.add(rule)
        return rule in self._broken

    def _show(self, cue: str | None, now: float) -> str | None:
        """One cue at a time, each on screen at least ``min_cue_seconds``."""
        if cue != self._cue and (
            self._cue is None or now - self._cue_since >= self.rules.min_cue_seconds
        ):
            self._cue = cue
            self._cue_since = now
        return self._cue

    def _steady(self, crop: Crop) -> Crop:
        """Keep the crop where it is unless it has to move by more than 1 % of its height:
        the preview must not swim with every breath."""
        current = self._crop
        if current is None:
            return crop
        limit = 0.01 * current.height
        moved = max(
            abs(crop.left - current.left),
            abs(crop.top - current.top),
            abs(crop.height - current.height),
        )
        return crop if moved > limit else current
