"""The sections of the booth itself: event, branding, display, camera, photo, timing, buttons,
lights, guidance, sound and the event's own texts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kiosk.config.values import Aspect, Colour, Duration, OptionalFile, Pin, Seconds, Section
from kiosk.texts import TEXT_KEYS, template_problem


class EventConfig(Section):
    name: str = Field("Echtbild", min_length=1, max_length=80)
    operator: str = Field("Echtbild", min_length=1, max_length=120)
    copyright: str = Field("", max_length=200)
    language: Literal["de", "en"] = "de"
    address: Literal["du", "Sie"] = "du"  # German: informal or formal


class BrandingConfig(Section):
    background: Colour = "#14202e"
    foreground: Colour = "#f5f1e8"
    accent: Colour = "#f2aa4c"
    logo: OptionalFile = None
    font: OptionalFile = None  # a TrueType/OpenType file instead of Inter


class DisplayConfig(Section):
    fullscreen: StrictBool = True
    size: tuple[
        Annotated[StrictInt, Field(ge=320, le=7680)], Annotated[StrictInt, Field(ge=240, le=4320)]
    ] = (
        1280,
        720,
    )
    kiosk_mode: StrictBool = True
    fps: StrictInt = Field(30, ge=5, le=120)
    safe_margin: float = Field(0.03, ge=0.0, le=0.2)  # share of each edge kept free of text
    idle_live_view: StrictBool = True  # the idle screen shows the live mirror, dimmed


class CameraConfig(Section):
    backend: Literal["image", "picamera2", "auto"] = "image"
    image: OptionalFile = None
    index: StrictInt = Field(0, ge=0, le=7)
    rotation: Literal[0, 90, 180, 270] = 0
    hflip: StrictBool = False
    vflip: StrictBool = False
    sensor_size: tuple[
        Annotated[StrictInt, Field(ge=320, le=20000)], Annotated[StrictInt, Field(ge=240, le=20000)]
    ] = (4608, 2592)
    # In the sensor's own orientation, with its aspect; None: 512 wide with the sensor's aspect.
    analysis_size: (
        tuple[
            Annotated[StrictInt, Field(ge=64, le=1280)],
            Annotated[StrictInt, Field(ge=48, le=960)],
        ]
        | None
    ) = None
    # Where the lens is, seen from the person: the gaze cue points there.
    lens_position: Literal["above", "below", "left", "right"] = "above"

    @model_validator(mode="after")
    def _analysis_keeps_the_sensor_aspect(self) -> CameraConfig:
        if self.analysis_size is not None:
            (width, height), (sensor_width, sensor_height) = self.analysis_size, self.sensor_size
            if abs(width * sensor_height / (height * sensor_width) - 1) > 0.02:
                suggestion = f"[{width}, {round(width * sensor_height / sensor_width / 2) * 2}]"
                raise ValueError(
                    f"analysis_size {width}x{height} does not have the sensor's aspect "
                    f"({sensor_width}x{sensor_height}): set {suggestion} or leave it out"
                )
        return self

    @property
    def analysis_frame_size(self) -> tuple[int, int]:
        """The analysis frame as the booth sees it: the sensor's aspect, turned as the camera
        is mounted (a camera on its side gives a portrait frame)."""
        sensor_width, sensor_height = self.sensor_size
        width, height = self.analysis_size or (
            512,
            round(512 * sensor_height / sensor_width / 2) * 2,
        )
        return (height, width) if self.rotation in (90, 270) else (width, height)


class PhotoConfig(Section):
    aspect: Aspect = "4:5"
    jpeg_quality: StrictInt = Field(92, ge=50, le=100)
    burst_count: StrictInt = Field(5, ge=1, le=10)

    @property
    def aspect_ratio(self) -> float:
        width, height = self.aspect.split(":")
        return int(width) / int(height)


class TimingConfig(Section):
    countdown: StrictInt = Field(3, ge=1, le=10)
    framing_timeout: Duration = 45.0
    idle_timeout: Duration = 90.0
    review_timeout: Duration = 20.0
    share_timeout: Duration = 60.0
    # While a code to join the booth's Wi-Fi shows: joining, then scanning, takes longer.
    share_wifi_timeout: Duration = 90.0
    # Two scoring budgets of 8 s and the camera's 10 s still timeout fit (a real bound now that
    # the capture runs off the UI loop).
    capture_timeout: Duration = 30.0
    camera_retry: Duration = 10.0
    retakes: StrictInt = Field(2, ge=0, le=10)
    share_guard: float = Field(5.0, ge=0.0, le=60.0)  # presses ignored this long on the QR


class LightsConfig(Section):
    """LEDs in the two buttons and a light for the face (PWM, e.g. through a MOSFET)."""

    enabled: StrictBool = False
    main_led_pin: Pin = 23
    second_led_pin: Pin = 24
    light_pin: Pin = 18
    light_dim: float = Field(0.3, ge=0.0, le=1.0)
    light_full: float = Field(1.0, ge=0.0, le=1.0)


class ButtonsConfig(Section):
    enabled: StrictBool = True
    main_pin: Pin = 17
    second_pin: Pin = 27
    bounce_time: float = Field(0.05, ge=0.0, le=1.0)
    main_colour: Colour = "#2f9e5a"  # the physical buttons' caps, drawn on screen
    second_colour: Colour = "#c9ced6"

    @model_validator(mode="after")
    def _distinct_pins(self) -> ButtonsConfig:
        if self.main_pin == self.second_pin:
            raise ValueError("main_pin and second_pin must be different pins")
        return self


# The photo journal beside the photos folder (kiosk/photos/journal.py); the download server's


class GuidanceConfig(Section):
    """Guided framing (see docs/framing.md); the face models it needs.

    Every threshold left out takes the preset's value (``kiosk.vision.thresholds.PRESETS``).
    """

    enabled: StrictBool = True
    preset: Literal["business", "id"] = "business"
    auto_capture: StrictBool = True
    models_dir: Path | None = None
    # Ranges the rules work with (docs/framing.md); values outside are refused, never clamped.
    eye_line: Annotated[float, Field(ge=0.25, le=0.5)] | None = None
    face_fill: Annotated[float, Field(ge=0.1, le=0.4)] | None = None
    min_output_height: Annotated[StrictInt, Field(ge=240, le=20000)] | None = None
    min_eye_distance: Annotated[float, Field(ge=4.0, le=200.0)] | None = None
    max_roll_degrees: Annotated[float, Field(gt=0.0, le=45.0)] | None = None
    max_yaw: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    max_pitch_change: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    max_gaze: Annotated[float, Field(ge=0.0, le=0.5)] | None = None
    eyes_open_share: Annotated[float, Field(ge=0.3, le=0.95)] | None = None
    still_movement: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    still_seconds: Seconds | None = None
    min_cue_seconds: Seconds | None = None
    ready_seconds: Annotated[float, Field(ge=0.1, le=10.0)] | None = None


class SoundConfig(Section):
    """Soft ticks and a shutter sound; with ``voice`` the cues are spoken (espeak-ng)."""

    enabled: StrictBool = False
    voice: StrictBool = False
    volume: float = Field(0.6, ge=0.0, le=1.0)


def _check_text_overrides(value: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(value) - TEXT_KEYS)
    if unknown:
        raise ValueError(
            f"unknown text {', '.join(unknown)} (texts are: {', '.join(sorted(TEXT_KEYS))})"
        )
    return value


TextOverrides = Annotated[dict[str, str], AfterValidator(_check_text_overrides)]


class TextsConfig(Section):
    de: TextOverrides = Field(default_factory=dict)
    en: TextOverrides = Field(default_factory=dict)

    @field_validator("de", "en")
    @classmethod
    def _templates_fill_in(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        # A text that cannot be filled in would fail on every frame that shows it.
        for key, template in value.items():
            problem = template_problem(str(info.field_name), key, template)
            if problem:
                raise ValueError(f"{key}: {problem}")
        return value

    def overrides(self, language: str) -> dict[str, str]:
        """The event's own texts for ``language``."""
        return getattr(self, language)
