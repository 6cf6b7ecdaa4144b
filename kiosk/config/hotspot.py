"""``[hotspot]``: the booth's own Wi-Fi (off by default; README, "At an event")."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, StrictBool, StrictInt, field_validator, model_validator

from kiosk.config.values import Duration, Section

# Channels an access point may use without radar detection (DFS) in every region: the whole
# 2.4 GHz band's 1-13, and 5 GHz's U-NII-1 (36-48). Channel 14 and U-NII-3 (149-165) are allowed
# in some countries only, U-NII-2 needs radar detection, which a Pi's access point does not do.
CHANNELS = {"2.4GHz": tuple(range(1, 14)), "5GHz": (36, 40, 44, 48)}
DEFAULT_CHANNEL = {"2.4GHz": 6, "5GHz": 36}
# ISO 3166-1 alpha-2, as `iw reg set` and raspi-config take it.
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


class HotspotConfig(Section):
    """The access point the booth makes with NetworkManager; see README, "At an event"."""

    enabled: StrictBool = False
    ssid: str = Field("Echtbild", min_length=1)
    # WPA2-PSK (CCMP) with 8 to 63 characters; empty for an open network.
    password: str = ""
    band: Literal["2.4GHz", "5GHz"] = "2.4GHz"
    channel: StrictInt | None = None
    country: str = ""
    interface: str = Field("wlan0", pattern=r"^[A-Za-z0-9_.-]{1,15}$")
    # The booth's address on its Wi-Fi and the size of the network it hands out.
    address: str = "10.42.0.1/24"
    # Hotspot clients may reach the internet through the booth's uplink (Ethernet, a second
    # Wi-Fi adapter). Off: they reach the booth's web answers and nothing else.
    uplink: StrictBool = False
    # A phone that joins this long after the share screen started sees that visit's photo.
    portal_window: Duration = 90.0

    @field_validator("ssid")
    @classmethod
    def _ssid_fits(cls, value: str) -> str:
        if len(value.encode()) > 32:
            raise ValueError("a Wi-Fi name has at most 32 bytes (UTF-8)")
        if value != value.strip() or any(ord(c) < 32 for c in value):
            raise ValueError("a Wi-Fi name has no control characters, nor spaces at its ends")
        return value

    @field_validator("password")
    @classmethod
    def _password_fits(cls, value: str) -> str:
        if value and not (8 <= len(value) <= 63 and all(32 <= ord(c) < 127 for c in value)):
            raise ValueError(
                "a WPA2 password has 8 to 63 printable ASCII characters; "
                "leave it empty for an open network"
            )
        return value

    @field_validator("country")
    @classmethod
    def _country_code(cls, value: str) -> str:
        value = value.strip().upper()
        if value and not _COUNTRY_RE.match(value):
            raise ValueError(f"{value!r} is not a country code; write two letters, e.g. 'DE'")
        return value

    @field_validator("address")
    @classmethod
    def _private_network(cls, value: str) -> str:
        try:
            interface = ipaddress.IPv4Interface(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not an address with its network size; write e.g. '10.42.0.1/24'"
            ) from None
        network = interface.network
        if not network.is_private or not 16 <= network.prefixlen <= 28:
            raise ValueError("use a private network of /16 to /28, e.g. '10.42.0.1/24'")
        if interface.ip in (network.network_address, network.broadcast_address):
            raise ValueError(f"{interface.ip} is not a host address of {network}")
        return str(interface)

    @model_validator(mode="after")
    def _usable(self) -> HotspotConfig:
        allowed = CHANNELS[self.band]
        if self.channel is not None and self.channel not in allowed:
            raise ValueError(
                f"channel {self.channel} is not usable on {self.band} without radar detection; "
                f"choose one of {', '.join(map(str, allowed))}"
            )
        if self.enabled and not self.country:
            raise ValueError(
                "a hotspot needs the country it runs in (Wi-Fi stays off until it is set): "
                "add country = 'DE' (or yours) to [hotspot]"
            )
        return self

    @property
    def wifi_channel(self) -> int:
        return self.channel if self.channel is not None else DEFAULT_CHANNEL[self.band]

    @property
    def booth_address(self) -> str:
        return str(ipaddress.IPv4Interface(self.address).ip)

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Interface(self.address).network
