"""The booth's one configuration file: TOML, validated, every key with a default.

Problems are reported as ``dotted.key: what is wrong (what is allowed)`` so staff can fix the
file without reading code. ``load_config`` raises ``ConfigError`` carrying every problem at once.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kiosk.texts import TEXT_KEYS, Texts, template_problem

ENV_CONFIG = "KIOSK_CONFIG"
SYSTEM_CONFIG = Path("/etc/echtbild/kiosk.toml")

# BCM numbers of the 40-pin header's GPIO lines; 0 and 1 are the HAT EEPROM bus.
BCM_PINS = range(2, 28)

_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def parse_duration(value: Any) -> Any:
    """Accept seconds as a number or a string like "45s", "10m", "2h", "7d"."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like '45s', '10m', '7d'")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _DURATION_RE.match(value)
        if match:
            number, unit = match.groups()
            return float(number) * _DURATION_UNITS[unit or "s"]
    raise ValueError("a duration is a number of seconds or a string like '45s', '10m', '7d'")


def describe_duration(seconds: float) -> str:
    """A duration as staff would say it: "90 seconds", "10 minutes", "7 days"."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if (seconds >= size and seconds % size == 0) or seconds >= 2 * size:
            count = round(seconds / size, 1)
            count = int(count) if count == int(count) else count
            return f"{count} {unit}{'' if count == 1 else 's'}"
    count = int(seconds) if seconds == int(seconds) else round(seconds, 1)
    return f"{count} second{'' if count == 1 else 's'}"


def _positive(value: float) -> float:
    if value <= 0:
        raise ValueError("must be longer than 0 seconds")
    return value


Duration = Annotated[float, BeforeValidator(parse_duration), AfterValidator(_positive)]


def _check_colour(value: str) -> str:
    if not _COLOUR_RE.match(value):
        raise ValueError(f"{value!r} is not a colour; write it as #rrggbb, e.g. '#1e2a38'")
    return value.lower()


Colour = Annotated[str, AfterValidator(_check_colour)]


def _check_pin(value: int) -> int:
    if value not in BCM_PINS:
        raise ValueError(f"{value} is not a usable GPIO pin; use a BCM number from 2 to 27")
    return value


Pin = Annotated[StrictInt, AfterValidator(_check_pin)]


def _existing_file(value: Path | None) -> Path | None:
    if value is not None and not value.expanduser().is_file():
        raise ValueError(f"file {str(value)!r} does not exist")
    return value.expanduser() if value is not None else None


OptionalFile = Annotated[Path | None, AfterValidator(_existing_file)]


def _check_aspect(value: str) -> str:
    match = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", value)
    if not match or 0 in (int(match[1]), int(match[2])):
        raise ValueError(f"{value!r} is not an aspect ratio; write width:height, e.g. '4:5'")
    return f"{int(match[1])}:{int(match[2])}"


def _default_storage_dir() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "echtbild"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    aspect: Annotated[str, AfterValidator(_check_aspect)] = "4:5"
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
    capture_timeout: Duration = 20.0
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
# own state folder (download counts, deletion requests), the only place it writes.
JOURNAL_FILE = "photos-journal.jsonl"
SHARE_STATE_FOLDER = "share-state"


class StorageConfig(Section):
    dir: Path = Field(default_factory=_default_storage_dir)
    retention: Duration = 30 * 86400.0
    min_free_mb: StrictInt = Field(500, ge=0, le=1_000_000)

    @property
    def photos_dir(self) -> Path:
        return self.dir.expanduser() / "photos"

    @property
    def index_path(self) -> Path:
        # A folder of its own, so that SQLite's WAL files sit apart from the photos.
        return self.dir.expanduser() / "index" / "photos.sqlite3"

    @property
    def keys_dir(self) -> Path:
        return self.dir.expanduser() / "keys"

    @property
    def visits_path(self) -> Path:
        return self.dir.expanduser() / "visits.jsonl"

    @property
    def uploads_path(self) -> Path:
        """The journal of photos on their way to the object store."""
        return self.dir.expanduser() / "cloud" / "uploads.jsonl"

    @property
    def performance_path(self) -> Path:
        """The running booth's frame rate and analysis time, for `kiosk status`."""
        return self.dir.expanduser() / "performance.json"

    @property
    def journal_path(self) -> Path:
        return self.dir.expanduser() / JOURNAL_FILE

    @property
    def share_state_dir(self) -> Path:
        return self.dir.expanduser() / SHARE_STATE_FOLDER


def _check_base_url(value: str) -> str:
    if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise ValueError(
            f"{value!r} is not a web address; write e.g. 'http://booth.local:8080' "
            "or leave it empty to use this machine's network address"
        )
    return value.rstrip("/")


class WifiConfig(Section):
    """The booth's own Wi-Fi, offered as a join QR code before the photo's link."""

    ssid: str = Field(min_length=1, max_length=32)
    password: str = Field("", max_length=63)
    security: Literal["WPA", "WEP", "nopass"] = "WPA"
    hidden: StrictBool = False

    @model_validator(mode="after")
    def _password_fits_security(self) -> WifiConfig:
        if self.security == "nopass" and self.password:
            raise ValueError("an open network (security = 'nopass') has no password")
        if self.security == "WPA" and not 8 <= len(self.password) <= 63:
            raise ValueError("a WPA password has 8 to 63 characters")
        if self.security == "WEP" and not self.password:
            raise ValueError("a WEP network needs its password")
        return self


class ShareConfig(Section):
    base_url: Annotated[str, AfterValidator(_check_base_url)] = ""
    host: str = "0.0.0.0"
    port: StrictInt = Field(8080, ge=1, le=65535)
    link_ttl: Duration = 7 * 86400.0
    wifi: WifiConfig | None = None


Seconds = Annotated[float, Field(ge=0.0, le=10.0)]


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


class CredentialsConfig(Section):
    """Content Credentials: how photos are signed (see kiosk/photos/credentials.py)."""

    sign: StrictBool = True
    certificate_chain: OptionalFile = None
    private_key: OptionalFile = None
    booth_id: str = Field("", max_length=64)

    @model_validator(mode="after")
    def _chain_and_key_together(self) -> CredentialsConfig:
        if (self.certificate_chain is None) != (self.private_key is None):
            raise ValueError("set both certificate_chain and private_key, or neither")
        return self


_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# SigV4 presigned URLs are valid for a week at most.
PRESIGNED_LIMIT = 7 * 86400.0


def _check_bucket(value: str) -> str:
    if not _BUCKET_RE.match(value) or ".." in value:
        raise ValueError(
            f"{value!r} is not a bucket name: 3 to 63 lowercase letters, digits, dots and "
            "hyphens, starting and ending with a letter or digit"
        )
    return value


def _check_endpoint(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/?#]+/?", value):
        raise ValueError(
            f"{value!r} is not an object store's address; write e.g. "
            "'https://s3.eu-central-1.amazonaws.com' (no bucket, no path)"
        )
    return value.rstrip("/")


def _check_prefix(value: str) -> str:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as error:
        raise ValueError(f"{value!r}: {error}") from None
    unknown = names - {"event", "booth_id"}
    if unknown:
        raise ValueError(
            f"{{{sorted(unknown)[0]}}} is not known here (use {{event}}, {{booth_id}})"
        )
    if value.startswith("/") or "//" in value:
        raise ValueError(f"{value!r}: no leading or double slash in an object key")
    return value


class CloudConfig(Section):
    """Photos also go to S3-compatible object storage (several booths, links over mobile data)."""

    enabled: StrictBool = False
    endpoint: Annotated[str, AfterValidator(_check_endpoint)] = "https://s3.amazonaws.com"
    region: str = Field("us-east-1", min_length=1, max_length=40)
    bucket: Annotated[str, AfterValidator(_check_bucket)] = "echtbild"
    prefix: Annotated[str, AfterValidator(_check_prefix)] = "{event}/{booth_id}/"
    addressing: Literal["auto", "path", "virtual"] = "auto"
    # "booth": QR codes lead to the booth; "cloud": to the store at once; "cloud-when-uploaded":
    # to the booth until the photo is in the store, then to the store.
    links: Literal["booth", "cloud", "cloud-when-uploaded"] = "cloud-when-uploaded"
    credentials_file: Path | None = None

    @model_validator(mode="after")
    def _credentials_when_enabled(self) -> CloudConfig:
        if self.enabled and self.credentials_file is None:
            raise ValueError(
                "credentials_file: needed when cloud.enabled; a file readable only by the booth's "
                "user with access_key and secret_key"
            )
        return self


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


class Config(Section):
    event: EventConfig = EventConfig()
    branding: BrandingConfig = BrandingConfig()
    display: DisplayConfig = DisplayConfig()
    camera: CameraConfig = CameraConfig()
    photo: PhotoConfig = PhotoConfig()
    timing: TimingConfig = TimingConfig()
    buttons: ButtonsConfig = ButtonsConfig()
    lights: LightsConfig = LightsConfig()
    storage: StorageConfig = Field(default_factory=StorageConfig)
    share: ShareConfig = ShareConfig()
    credentials: CredentialsConfig = CredentialsConfig()
    guidance: GuidanceConfig = GuidanceConfig()
    sound: SoundConfig = SoundConfig()
    texts: TextsConfig = TextsConfig()
    cloud: CloudConfig = CloudConfig()

    def texts_for(self, language: str | None = None) -> Texts:
        """The attendee's texts in ``language`` (default: the event's), as this event words
        them: its own overrides and, in German, its form of address."""
        language = language or self.event.language
        return Texts(language, self.texts.overrides(language), self.event.address)

    @property
    def models_dir(self) -> Path:
        """Where the face models live: guidance.models_dir, else <storage.dir>/models."""
        return (self.guidance.models_dir or self.storage.dir / "models").expanduser()

    @model_validator(mode="after")
    def _pins_used_once(self) -> Config:
        pins = [("buttons.main_pin", self.buttons.main_pin)]
        pins.append(("buttons.second_pin", self.buttons.second_pin))
        if self.lights.enabled:
            pins += [
                ("lights.main_led_pin", self.lights.main_led_pin),
                ("lights.second_led_pin", self.lights.second_led_pin),
                ("lights.light_pin", self.lights.light_pin),
            ]
        seen: dict[int, str] = {}
        for key, pin in pins:
            if pin in seen:
                raise ValueError(f"{key}: pin {pin} is already {seen[pin]}")
            seen[pin] = key
        return self

    @model_validator(mode="after")
    def _cloud_links_within_sigv4(self) -> Config:
        cloud = self.cloud
        if cloud.enabled and cloud.links != "booth" and self.share.link_ttl > PRESIGNED_LIMIT:
            raise ValueError(
                "share.link_ttl: at most 7 days with cloud links (cloud.links = "
                f"{cloud.links!r}): a presigned S3 link cannot be valid longer"
            )
        return self

    @model_validator(mode="after")
    def _links_end_before_photos_go(self) -> Config:
        if self.share.link_ttl > self.storage.retention:
            raise ValueError(
                "share.link_ttl: longer than storage.retention; a link would outlive its photo"
            )
        return self


class ConfigError(Exception):
    """Every problem found in one config file, one readable line each."""

    def __init__(self, path: Path | None, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(problems))


def resolve_config_path(cli_path: str | os.PathLike[str] | None) -> Path | None:
    """The file every command reads: --config, else $KIOSK_CONFIG, else /etc if present."""
    if cli_path:
        return Path(cli_path)
    if os.environ.get(ENV_CONFIG):
        return Path(os.environ[ENV_CONFIG])
    if SYSTEM_CONFIG.is_file():
        return SYSTEM_CONFIG
    return None


def load_config(path: Path | None) -> Config:
    """Read and validate ``path``; ``None`` means all defaults."""
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, [f"{path}: no such config file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, [f"{path}: cannot read the file ({error})"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, [f"{path}: not valid TOML: {error}"]) from None
    return parse_config(raw, path)


def parse_config(raw: dict[str, Any], path: Path | None = None) -> Config:
    # Relative file names in the config mean "next to the config file", as staff expect.
    base = path.parent if path is not None else Path.cwd()
    raw = _resolve_relative_files(raw, base)
    try:
        return Config.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(path, [_describe(item) for item in error.errors()]) from None


def _resolve_relative_files(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    resolved = {
        key: dict(value) if isinstance(value, dict) else value for key, value in raw.items()
    }
    for section, key in (
        ("camera", "image"),
        ("branding", "logo"),
        ("branding", "font"),
        ("storage", "dir"),
        ("credentials", "certificate_chain"),
        ("credentials", "private_key"),
        ("guidance", "models_dir"),
        ("cloud", "credentials_file"),
    ):
        table = resolved.get(section)
        if isinstance(table, dict) and isinstance(table.get(key), str) and table[key]:
            candidate = Path(table[key]).expanduser()
            table[key] = candidate if candidate.is_absolute() else base / candidate
    return resolved


_PLAIN_MESSAGES = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text in quotes",
    "string_too_short": "must not be empty",
    "model_type": "must be a table: a [section] with keys under it",
    "dict_type": "must be a table: a [section] with keys under it",
    "tuple_type": "must be a list of two whole numbers, e.g. [1280, 720]",
    "list_type": "must be a list of two whole numbers, e.g. [1280, 720]",
}
_BOUNDS = {
    "greater_than_equal": "at least",
    "greater_than": "more than",
    "less_than_equal": "at most",
    "less_than": "less than",
}


def _describe(error: dict[str, Any]) -> str:
    location = [part for part in error["loc"] if isinstance(part, str)]
    indexes = [part for part in error["loc"] if isinstance(part, int)]
    key = ".".join(location) or "(top level)"
    if indexes:
        key += f"[{indexes[0]}]"
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(location[:-1])
        allowed = ", ".join(parent.model_fields) if parent else ""
        return f"{key}: unknown key (allowed here: {allowed})"
    message = _PLAIN_MESSAGES.get(kind, error["msg"])
    context = error.get("ctx") or {}
    given = error.get("input")
    if kind in _BOUNDS:
        limit = next(iter(context.values()))
        message = f"{given!r} is out of range; must be {_BOUNDS[kind]} {limit}"
    elif kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif kind == "literal_error":
        message = f"{given!r} is not allowed; must be {context.get('expected', '')}"
    elif kind == "missing" and indexes:
        key = key.rsplit("[", 1)[0]
        message = _PLAIN_MESSAGES["tuple_type"]
    elif kind in {"too_short", "too_long"} and isinstance(given, list):
        message = _PLAIN_MESSAGES["tuple_type"]
    elif kind in _PLAIN_MESSAGES and given is not None and not isinstance(given, dict):
        message = f"{given!r}: {message}"
    if not location:
        return message  # whole-file rules name their keys themselves
    return f"{key}: {message}"


def _model_at(location: list[str]) -> type[BaseModel] | None:
    model: type[BaseModel] = Config
    for part in location:
        field = model.model_fields.get(part)
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model
