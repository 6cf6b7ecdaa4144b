"""The whole config file: every section, and the rules that join two sections."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

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
from kiosk.config.printing import PrintConfig
from kiosk.config.sharing import (
    PRESIGNED_LIMIT,
    CloudConfig,
    CredentialsConfig,
    ShareConfig,
    WifiConfig,
)
from kiosk.config.storage import StorageConfig
from kiosk.config.values import Section
from kiosk.texts import Texts


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
    print: PrintConfig = PrintConfig()
    hotspot: HotspotConfig = HotspotConfig()

    def texts_for(self, language: str | None = None) -> Texts:
        """The attendee's texts in ``language`` (default: the event's), as this event words
        them: its own overrides and, in German, its form of address."""
        language = language or self.event.language
        return Texts(language, self.texts.overrides(language), self.event.address)

    @property
    def join_wifi(self) -> WifiConfig | None:
        """The Wi-Fi the share screen's join code is for: the booth's own ([hotspot], one place
        for its name and password) when it makes one, else [share.wifi]'s, else none."""
        hotspot = self.hotspot
        if hotspot.enabled:
            security = "WPA" if hotspot.password else "nopass"
            return WifiConfig(ssid=hotspot.ssid, password=hotspot.password, security=security)
        return self.share.wifi

    @property
    def models_dir(self) -> Path:
        """Where the face models live: guidance.models_dir, else <storage.dir>/models."""
        if self.guidance.models_dir is not None:
            return self.guidance.models_dir.expanduser()
        return self.storage.layout.models_dir

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
    def _hotspot_phones_reach_the_server(self) -> Config:
        hotspot = self.hotspot
        if hotspot.enabled and self.share.host not in ("0.0.0.0", "::", hotspot.booth_address):
            raise ValueError(
                f"share.host: phones on the booth's Wi-Fi reach the server at "
                f"{hotspot.booth_address}; listen on '0.0.0.0' (or that address)"
            )
        return self

    @model_validator(mode="after")
    def _links_end_before_photos_go(self) -> Config:
        if self.share.link_ttl > self.storage.retention:
            raise ValueError(
                "share.link_ttl: longer than storage.retention; a link would outlive its photo"
            )
        return self
