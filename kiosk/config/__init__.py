"""The booth's one configuration file: TOML, validated, every key with a default.

Problems are reported as ``dotted.key: what is wrong (what is allowed)`` so staff can fix the
file without reading code. ``load_config`` raises ``ConfigError`` carrying every problem at once.
One module per group of sections (``booth``, ``sharing``, ``printing``, ``storage``), the value
types they share (``values``), the whole file with its cross-section rules (``whole``) and the
reading (``loader``).
"""

from kiosk.config.booth import (
    BrandingConfig,
    ButtonsConfig,
    CameraConfig,
    DisplayConfig,
    EventConfig,
    GuidanceConfig,
    LightsConfig,
    PhotoConfig,
    SoundConfig,
    TextsConfig,
    TimingConfig,
)
from kiosk.config.hotspot import HotspotConfig
from kiosk.config.loader import (
    ConfigError,
    load_config,
    parse_config,
    read_what_can_be_read,
    resolve_config_path,
)
from kiosk.config.printing import PrintConfig
from kiosk.config.sharing import (
    PRESIGNED_LIMIT,
    CloudConfig,
    CredentialsConfig,
    ShareConfig,
    WifiConfig,
)
from kiosk.config.storage import StorageConfig, StorageLayout
from kiosk.config.values import describe_duration, parse_duration
from kiosk.config.whole import Config

__all__ = [
    "PRESIGNED_LIMIT",
    "BrandingConfig",
    "ButtonsConfig",
    "CameraConfig",
    "CloudConfig",
    "Config",
    "ConfigError",
    "CredentialsConfig",
    "DisplayConfig",
    "EventConfig",
    "GuidanceConfig",
    "HotspotConfig",
    "LightsConfig",
    "PhotoConfig",
    "PrintConfig",
    "ShareConfig",
    "SoundConfig",
    "StorageConfig",
    "StorageLayout",
    "TextsConfig",
    "TimingConfig",
    "WifiConfig",
    "describe_duration",
    "load_config",
    "parse_config",
    "parse_duration",
    "read_what_can_be_read",
    "resolve_config_path",
]
