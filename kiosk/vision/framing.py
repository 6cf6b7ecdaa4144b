"""Guided framing: the photographer's judgement as pure functions of faces and time.

``FramingEngine.update(observation)`` takes the faces found on one analysis frame (the whole
sensor field, small) and the time, and returns the crop the photo should have, the one cue to
show (or none), how far the all-good hold has got, and whether to start the countdown. It keeps
the little state a photographer keeps in their head: which rules are currently broken
(hysteresis), which cue is on screen and since when, this person's own baselines, how still
they are. Rules and thresholds: see docs/framing.md and ``FramingThresholds``.

Directions are the person's: a face on the left of the (unmirrored) camera image belongs to a
person standing too far to their right, so the cue is "move to your left".

Position comes before "come closer" (coming closer moves the face outwards in the image);
"step back" before position (stepping back moves the face towards the middle). A face too small
for the face mesh to measure (or cut by the sensor's edge) still counts: the person is asked to
come closer, or to move towards where they are missing.

Nothing is judged on the frames of a blink: the iris model's points jump (the eyes' centre,
the head's roll, the gaze with them), so every rule keeps its state, the cue stays or stays
away, and the hold pauses without a word. Gaze is judged only on frames with open eyes.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass, field

from kiosk.camera.crop import Crop
from kiosk.vision.cropping import CropChoice, choose_crop, frames_well, sideways_when_closer
from kiosk.vision.eyes import OpenEyes
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
    lighting: tuple[str, ...] = ()  # the operator's to fix: "backlight", "clipped", "uneven"


# --- the rules in their order ----------------------------------------------------------------

# After presence and one person (checked first, in ``update``); position before distance, so that
# "come closer" never leads a face out of the picture (docs/framing.md, "How cues behave").
ORDER = ("position", "distance", "roll", "yaw", "pitch", "gaze", "stillness")
# Too close (a face the mesh measured): "step back" first, as stepping back brings the face
# towards the middle anyway.
TOO_CLOSE_ORDER = ("distance", "position", "roll", "yaw", "pitch", "gaze", "stillness")
# The gaze cue names where the lens is, seen from the person (camera.lens_position).
GAZE_CUES = {
    "above": "cue_look_above",
    "below": "cue_look_below",
    "left": "cue_look_left",
    "right": "cue_look_right",
}
# Where the screen is from the lens, as the irises move on the (unmirrored) camera image when
# the eyes go from the lens to the screen: (along the eye line, towards the image's right;
# across it, downwards). A lens on the person's left has the screen on their right, which is
# the image's left. Only this direction is judged (docs/framing.md, "Gaze").
SCREEN_FROM_LENS = {
    "above": (0.0, 1.0),
    "below": (0.0, -1.0),
    "left": (-1.0, 0.0),
    "right": (1.0, 0.0),
}
# Where the irises of eyes looking into the lens sit, in eye widths below the middle of the
# eyes' corners: -0.066 to -0.094 (above it) on the real test faces, both at full resolution
# and on the analysis frame (docs/framing.md, "Gaze").
GAZE_NEUTRAL_Y = -0.08
# Below this many pixels between the eyes on the analysis frame, the iris is too few pixels
# for its offset to mean anything: no gaze cue.
MIN_GAZE_EYE_DISTANCE = 24.0
# Eyes closed for up to this long are a blink (a blink lasts 0.1-0.4 s): nothing is judged on
# its frames. Closed longer, the rules are judged again (all but gaze), so nobody with eyes
# shut on purpose waits without a word.
MAX_BLINK = 0.5
# Stillness is judged per this many seconds, whatever the analysis rate; "hold still" comes
# only for movement within the last QUIET_SECONDS (two analyses).
STILL_FRAME_SECONDS = 0.1
QUIET_SECONDS = 0.2
# A person moving as a position cue asks goes on moving until they notice it has gone: about
# half a second. So, as a photographer says "stop" just before, a position cue ends once the
# eyes, at their speed over the last ``TRACK_SECONDS``, would be inside the band that soon.
REACTION_LEAD = 0.5
TRACK_SECONDS = 0.4
SIZE_NOISE = 0.1  # of the face's size: a bigger change between two analyses is movement


class FramingEngine:
    def __init__(
        self,
        rules: FramingThresholds,
        sensor_size: tuple[int, int],
        aspect: float,
        lens_position: str = "above",
    ):
        self.rules = rules
        self.sensor_size = sensor_size
        self.aspect = aspect
        self.lens_position = lens_position
        self._broken: set[str] = set()
        self._cue: str | None = None
        self._cue_since = 0.0
        self._crop: Crop | None = None
        self._present_since: float | None = None
        self._last_seen: float | None = None
        self._open_eyes = OpenEyes(rules.baseline_seconds, rules.eyes_open_share)
        self._pitch_samples: list[float] = []
        self._pitch_baseline: float | None = None
        self._last_eyes: tuple[float, float] | None = None
        self._last_time: float | None = None
        self._moving_at = 0.0
        self._good_since: float | None = None
        # Since when the eyes have been shut (None: open): a blink is judged by how long the
        # eyes have been shut, so that a blink on the first frame the mesh measures (coming in
        # from the edge, or at the visit's start) is a blink too.
        self._shut_since: float | None = None
        self._failing_before: list[str] = []  # the cues of the rules broken on that frame
        self._rule_of: dict[str, str] = {}  # cue -> the rule it speaks for
        self._track: deque[tuple[float, float, float, float]] = deque()  # t, x, y, size (sensor)
        self._arrived_at = -math.inf  # when a position cue last ended early (``_arriving``)

    @property
    def open_baseline(self) -> float | None:
        """This person's open-eye value, once learnt (for the face's latest size)."""
        return self._open_eyes.baseline

    def reset_hold(self) -> None:
        """Start the all-good hold again (the countdown was stopped): the person's baselines
        and the cue on screen stay."""
        self._good_since = None

    def update(self, observation: Observation) -> FramingVerdict:
        now = observation.time
        faces = observation.faces
        if not faces:
            return self._nobody(now)
        if self._last_seen is None or now - self._last_seen > self.rules.absent_reset_seconds:
            self._new_person(now)
        self._last_seen = now
        # People at a measurable size count; faces too small to measure count only when nobody
        # nearer is there (a group far away is several people, a passer-by behind is nobody).
        near = [face for face in faces if face.eye_distance >= self.rules.min_eye_distance]
        if len(near) > 1 or (not near and len(faces) > 1):
            self._good_since = None
            cue = self._show("cue_one_person", now)
            return FramingVerdict(True, cue, self._crop, 0.0, False, False)

        face = near[0] if near else max(faces, key=lambda f: f.eye_distance)
        scale = self.sensor_size[0] / observation.frame_size[0]
        measures = self._measures(face, scale)
        if face.measured:
            self._learn_baselines(now, measures)
        eyes_open = face.measured and self._eyes_open(measures)
        if face.measured and eyes_open:
            self._shut_since = None
        elif face.measured:
            shut_since = now if self._shut_since is None else self._shut_since
            self._shut_since = shut_since
            if now - shut_since <= MAX_BLINK:
                return self._blinking(now, face, measures)
        size = measures["eyes_to_chin"]
        # A far face's size over 0.4 s: one frame's noisy size, multiplied up, flickered cues.
        recent = statistics.median([*(tracked for *_, tracked in self._track), size])
        # The crop's size from this analysis and the one before: the mesh's size wavers by up to
        # 5 %, by turns up and down, and on a band's edge close up one analysis's size flashed a
        # cue (a larger face needed a crop too tall for low eyes). Two cancel that out and lag a
        # person walking in by half an analysis; a bigger change is movement, taken as it is.
        steady = dict(measures)
        before = self._track[-1] if self._track else (-math.inf, 0.0, 0.0, 0.0)
        recent_enough = now - before[0] <= MAX_BLINK + QUIET_SECONDS  # across a blink too
        if recent_enough and abs(before[3] - size) <= SIZE_NOISE * size:
            steady["eyes_to_chin"] = (before[3] + size) / 2
        choice = self._crop_for((measures["eye_x"], measures["eye_y"]), steady, recent)
        self._crop = self._steady(choice.crop, steady)
        still = self._stillness(now, face, measures)
        problems = dict(choice.problems)
        if self._arriving(now, measures, problems, recent):
            self._arrived_at = now
        if now - self._arrived_at < REACTION_LEAD:
            # Not judged again until the person has had the time to stop: re-judged at once,
            # a far face's noisy speed flickered "a little lower" every 0.1-0.2 s.
            problems.pop("position_x", None)
            problems.pop("position_y", None)
        if measures["eye_distance"] / scale < self.rules.min_eye_distance:
            # Too small to measure is too far, whatever the crop arithmetic says.
            problems["distance"] = max(problems.get("distance", 0.0), 1.0)
        # Too close: "step back" first, as stepping back brings the face in too; a face cut by
        # the sensor's edge (its size only estimated) is brought in first.
        too_close = face.measured and problems.get("distance", 0.0) < 0
        order = TOO_CLOSE_ORDER if too_close else ORDER
        failing = self._failing(problems, measures, still, face.measured, eyes_open, order)
        all_good = not failing
        self._failing_before = failing
        if all_good and eyes_open:
            self._good_since = self._good_since if self._good_since is not None else now
        elif not all_good:
            self._good_since = None
        # A blink pauses the hold without a word; it does not start it again.
        held = now - self._good_since if self._good_since is not None else 0.0
        progress = min(1.0, held / self.rules.ready_seconds)
        baselines_known = self._open_eyes.baseline is not None
        ready = progress >= 1.0 and eyes_open and baselines_known
        first = failing[0] if failing else None
        if first == "cue_hold_still" != self._cue and now - self._moving_at > QUIET_SECONDS:
            first = None  # stopped already: "hold still" would flash for the rest of the 0.5 s
        cue = self._show(first, now, tuple(failing))
        return FramingVerdict(
            True, cue, self._crop, progress, ready, all_good, measures, self._lighting(face)
        )

    def _blinking(self, now: float, face: Face, measures: dict[str, float]) -> FramingVerdict:
        """A blink: the iris model's points jump (and with them the eyes' centre, roll, gaze),
        so nothing is judged; movement is measured afresh after it. Every rule stays as it was,
        the crop and the cue on screen with them (not the first broken rule: a "hold still"
        waited out in silence flashed up); the hold pauses, neither going on nor starting."""
        self._last_eyes = None
        held = now - self._good_since if self._good_since is not None else 0.0
        progress, good = min(1.0, held / self.rules.ready_seconds), not self._failing_before
        lighting = self._lighting(face)
        return FramingVerdict(
            True, self._cue, self._crop, progress, False, good, measures, lighting
        )

    def _crop_for(
        self, eyes: tuple[float, float], measures: dict[str, float], far_size: float | None = None
    ) -> CropChoice:
        """The crop rule for eyes at ``eyes`` (sensor pixels) of this face's size, its broken
        crop rules judged against their narrowed bands; a far face's position judged where
        coming closer will take it (from ``far_size``, default the face's size)."""
        narrowed = frozenset(self._broken & {"distance", "position"})
        size, rules = measures["eyes_to_chin"], (self.sensor_size, self.aspect, self.rules)
        choice = choose_crop(eyes, size, *rules, narrowed=narrowed)
        problems = sideways_when_closer(choice.problems, eyes, far_size or size, *rules, narrowed)
        return CropChoice(choice.crop, problems)

    def _arriving(
        self, now: float, measures: dict[str, float], problems: dict[str, float], recent: float
    ) -> bool:
        """Whether a broken position rule should end now because the eyes, moving as they
        are (and the face growing or shrinking as it is: a person still stepping back), will
        have reached its band by the time the person notices (``REACTION_LEAD``): inside it,
        or already past it."""
        track = self._track
        size = measures["eyes_to_chin"]
        track.append((now, measures["eye_x"], measures["eye_y"], size))
        while track and now - track[0][0] > TRACK_SECONDS:
            track.popleft()
        if "position" not in self._broken or len(track) < 2:
            return False
        then, x, y, size_then = track[0]
        elapsed = now - then
        if elapsed < TRACK_SECONDS / 2:
            return False
        lead = REACTION_LEAD / elapsed
        ahead = (
            measures["eye_x"] + (measures["eye_x"] - x) * lead,
            measures["eye_y"] + (measures["eye_y"] - y) * lead,
        )
        # Steady, the size ``update`` judges by: one frame's noise ended a far face's cue.
        change = size - size_then
        grown = max(size + change * lead, size / 2) if abs(change) > 0.05 * size else recent
        there = self._crop_for(ahead, {**measures, "eyes_to_chin": grown})
        axes = [axis for axis in ("position_x", "position_y") if axis in problems]
        return bool(axes) and all(
            there.problems.get(axis, 0.0) * problems[axis] <= 0 for axis in axes
        )

    def _lighting(self, face: Face) -> tuple[str, ...]:
        if face.light is None or not face.measured:
            return ()
        rules = self.rules
        return face.light.faults(
            rules.max_backlight, rules.max_clipped_share, rules.max_cheek_ratio
        )

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
        self._open_eyes.reset()
        self._pitch_samples.clear()
        self._pitch_baseline = None
        self._broken.clear()
        self._last_eyes = None
        self._last_time = None
        self._moving_at = now
        self._track.clear()
        self._arrived_at = -math.inf
        self._shut_since = None
        self._failing_before = []

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
        gaze_x, gaze_y = face.gaze
        screen_x, screen_y = SCREEN_FROM_LENS[self.lens_position]
        return {
            "eye_x": ex * scale,
            "eye_y": ey * scale,
            "eye_distance": eye_distance * scale,
            "eye_distance_analysed": eye_distance,
            "eyes_to_chin": face.eyes_to_chin * scale,
            "roll": face.roll_degrees,
            "yaw": nose_x / eye_distance,
            "pitch": nose_y / mouth_y if mouth_y > 0 else 0.0,
            "openness": min(face.right_eye_openness, face.left_eye_openness),
            "gaze_x": gaze_x,
            "gaze_y": gaze_y - GAZE_NEUTRAL_Y,
            "gaze_to_screen": gaze_x * screen_x + (gaze_y - GAZE_NEUTRAL_Y) * screen_y,
        }

    def _learn_baselines(self, now: float, measures: dict[str, float]) -> None:
        """The open-eye value for the face's size (kiosk.vision.eyes), and the head's pitch in
        the person's first second."""
        self._open_eyes.observe(now, measures["openness"], measures["eye_distance_analysed"])
        if self._pitch_baseline is not None or self._present_since is None:
            return
        self._pitch_samples.append(measures["pitch"])
        if now - self._present_since >= self.rules.baseline_seconds:
            self._pitch_baseline = statistics.median(self._pitch_samples)

    def _eyes_open(self, measures: dict[str, float]) -> bool:
        return self._open_eyes.open(measures["openness"])

    def _stillness(self, now: float, face: Face, measures: dict[str, float]) -> bool:
        """Still: the eyes' midpoint (smoothed over two analyses, so landmark jitter is not
        movement) moves less than ``still_movement`` eye distances per tenth of a second, for
        ``still_seconds``. A frame with closed eyes says nothing about movement: the iris
        points jump in a blink."""
        if face.measured and not self._eyes_open(measures):
            return now - self._moving_at >= self.rules.still_seconds
        eyes = face.eye_centre
        if self._last_eyes is not None and self._last_time is not None:
            smoothed = (
                (eyes[0] + self._last_eyes[0]) / 2,
                (eyes[1] + self._last_eyes[1]) / 2,
            )
            elapsed = max(now - self._last_time, STILL_FRAME_SECONDS / 3)
            moved = math.dist(smoothed, self._last_eyes) / face.eye_distance
            if moved * STILL_FRAME_SECONDS / elapsed >= self.rules.still_movement:
                self._moving_at = now
            eyes = smoothed
        self._last_eyes = eyes
        self._last_time = now
        return now - self._moving_at >= self.rules.still_seconds

    def _failing(
        self,
        problems: dict[str, float],
        measures: dict[str, float],
        still: bool,
        measured: bool = True,
        eyes_open: bool = True,
        order: tuple[str, ...] = ORDER,
    ) -> list[str]:
        """The cues of broken rules, in the rules' order. Pose and gaze are judged only on a
        face the mesh measured, gaze only with open eyes: in a blink the gaze rule stays as it
        was (a blink neither shows its cue nor takes it away)."""
        rules = self.rules
        checks: dict[str, tuple[float, float, str]] = {}
        # Rule -> (value outside the limit, limit, cue when broken). Crop rules come as how far
        # outside their band; their hysteresis is the narrowed band (kiosk.vision.cropping).
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
        if measured:
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
            gaze_measurable = measures["eye_distance_analysed"] >= MIN_GAZE_EYE_DISTANCE
            if rules.max_gaze > 0 and gaze_measurable:
                cue = GAZE_CUES[self.lens_position]
                if eyes_open:
                    checks["gaze"] = (measures["gaze_to_screen"], rules.max_gaze, cue)
                elif "gaze" in self._broken:
                    checks["gaze"] = (math.inf, rules.max_gaze, cue)
                else:
                    checks["gaze"] = (-math.inf, rules.max_gaze, cue)
        failing = []
        for rule in order:
            if rule == "stillness":
                if not still:
                    failing.append("cue_hold_still")
                    self._rule_of["cue_hold_still"] = rule
                continue
            if rule not in checks:
                continue
            value, limit, cue = checks[rule]
            self._rule_of[cue] = rule
            if self._broken_now(rule, value, limit):
                failing.append(cue)
        return failing

    def _broken_now(self, rule: str, value: float, limit: float) -> bool:
        """Hysteresis: broken beyond the limit widened by 25 %, whole again within the limit.
        Crop rules (limit 0) come already judged against their band, narrowed while broken."""
        widened = limit * (1 + self.rules.hysteresis)
        if rule in self._broken:
            if value <= limit:
                self._broken.discard(rule)
        elif value > widened:
            self._broken.add(rule)
        return rule in self._broken

    def _show(
        self, cue: str | None, now: float, failing: tuple[str, ...] | None = None
    ) -> str | None:
        """One cue at a time, each on screen at least ``min_cue_seconds`` while its rule is
        still broken: a person who has done what it asked must not be led on past the place
        (their rule's hysteresis keeps it from coming back at once). ``failing``: the cues of
        all rules broken now, when known."""
        broken_rules = {self._rule_of.get(name, name) for name in failing or ()}
        done = (
            failing is not None
            and self._cue is not None
            and self._rule_of.get(self._cue, self._cue) not in broken_rules
        )
        if cue != self._cue and (
            self._cue is None or done or now - self._cue_since >= self.rules.min_cue_seconds
        ):
            self._cue = cue
            self._cue_since = now
        return self._cue

    def _steady(self, crop: Crop, measures: dict[str, float]) -> Crop:
        """Keep the crop where it is unless it has to move by more than 1 % of its height or no
        longer frames the eyes within the rules' bands narrowed by the hysteresis (where the
        new crop can do that): the preview must not swim with every breath, and the photo must
        not leave the bands. Kept on the band's very edge, a breath before the burst, or the
        few pixels between the analysis frame's eyes and the photo's, took the photo out of
        them (in the simulated visits, an eye line of 0.3297 against the band's 0.33)."""
        current = self._crop
        if current is None:
            return crop
        limit = 0.01 * current.height
        moved = max(
            abs(crop.left - current.left),
            abs(crop.top - current.top),
            abs(crop.height - current.height),
        )
        eyes = (measures["eye_x"], measures["eye_y"])
        size = measures["eyes_to_chin"]
        if moved > limit or not frames_well(current, eyes, size, self.rules):
            return crop
        if frames_well(current, eyes, size, self.rules, narrowed=True):
            return current
        return crop if frames_well(crop, eyes, size, self.rules, narrowed=True) else current
