"""The framing rules' numbers: presets (business, id) and the config's overrides of them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from kiosk.config import GuidanceConfig


@dataclass(frozen=True)
class FramingThresholds:
    """The business preset's defaults (docs/framing.md, "Pose" and "How cues behave")."""

    eye_line: float = 0.36
    eye_line_band: tuple[float, float] = (0.33, 0.40)
    face_fill: float = 0.23
    face_fill_band: tuple[float, float] = (0.20, 0.26)
    min_output_height: int = 1600
    # On the 512-pixel-wide analysis frame of a 4608-pixel sensor: 144 sensor pixels, about the
    # smallest face the detector finds, and below the size at which "come closer" speaks.
    min_eye_distance: float = 16.0
    max_roll_degrees: float = 8.0
    max_yaw: float = 0.15
    max_pitch_change: float = 0.12
    # Iris offset from where it sits for eyes looking into the lens, in eye widths, towards
    # where the screen is from the lens (docs/framing.md, "Gaze"); 0 turns the gaze cue off.
    # Tighter than the rules' 0.10: eyes on a screen 20 cm under the lens, seen from 1 m, move
    # about 0.08; real faces looking into the lens sit at most 0.046 off it that way.
    max_gaze: float = 0.07
    eyes_open_share: float = 0.75
    still_movement: float = 0.02
    still_seconds: float = 0.5
    hysteresis: float = 0.25
    min_cue_seconds: float = 1.5
    ready_seconds: float = 1.0
    baseline_seconds: float = 1.0
    absent_reset_seconds: float = 2.0
    # Lighting (the operator's to fix): clipped face pixels, surroundings over face brightness.
    max_clipped_share: float = 0.02
    max_backlight: float = 2.0
    max_cheek_ratio: float = 2.0


PRESETS = {
    "business": FramingThresholds(),
    # ISO/IEC 19794-5 / ICAO: yaw and pitch within about 5 degrees.
    "id": FramingThresholds(max_yaw=0.08, max_pitch_change=0.07),
}


# The accepted band around a configured eye line or face fill keeps the preset's width.
EYE_LINE_BAND = (-0.03, 0.04)
FACE_FILL_BAND = (-0.03, 0.03)


def thresholds_for(config: GuidanceConfig) -> FramingThresholds:
    """The preset's thresholds with the config's own values put in, exactly as given (the
    config's ranges refuse values the rules cannot work with); a configured eye line or face
    fill brings its accepted band along."""
    names = {field.name for field in dataclasses.fields(FramingThresholds)}
    chosen = {
        name: value
        for name, value in config.model_dump().items()
        if name in names and value is not None
    }
    if config.eye_line is not None:
        chosen["eye_line_band"] = tuple(config.eye_line + edge for edge in EYE_LINE_BAND)
    if config.face_fill is not None:
        chosen["face_fill_band"] = tuple(config.face_fill + edge for edge in FACE_FILL_BAND)
    return dataclasses.replace(PRESETS[config.preset], **chosen)
