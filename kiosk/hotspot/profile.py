"""The NetworkManager connection profile of the booth's Wi-Fi, as a keyfile.

Raspberry Pi OS Bookworm and Trixie manage Wi-Fi with NetworkManager, so the booth makes its
access point the same way instead of a hostapd or dnsmasq service of its own that would fight
NetworkManager for the radio: Wi-Fi mode ``ap``, ``ipv4.method shared`` (NetworkManager then
hands out addresses and answers names with a dnsmasq of its own, from ``dnsmasq-base``, turns on
forwarding and masquerades toward an uplink; ``kiosk.hotspot.firewall`` takes those last two
back unless ``uplink`` is allowed).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from kiosk.config import HotspotConfig

CONNECTION_ID = "echtbild-hotspot"
PROFILE_PATH = Path("/etc/NetworkManager/system-connections") / f"{CONNECTION_ID}.nmconnection"
BANDS = {"2.4GHz": "bg", "5GHz": "a"}


def connection_uuid() -> str:
    """The same on every install, so writing the profile again changes nothing."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "https://echtbild.invalid/hotspot"))


def _ssid_value(ssid: str) -> str:
    # NetworkManager's keyfile reads a name holding ';' or a backslash as something else; the
    # list of its bytes always reads back exactly.
    if ";" in ssid or "\\" in ssid:
        return "".join(f"{byte};" for byte in ssid.encode())
    return ssid


def _keyfile_string(value: str) -> str:
    """A value as GLib's key files read it back: backslashes doubled, a leading space kept."""
    value = value.replace("\\", "\\\\")
    return "\\s" + value[1:] if value.startswith(" ") else value


def profile_keyfile(hotspot: HotspotConfig, ethernet_twin: str | None = None) -> str:
    """The keyfile text. ``ethernet_twin`` (an interface name) makes the same shared IPv4 setup
    on Ethernet instead of Wi-Fi: for tests on a machine without a radio."""
    lines = [
        "[connection]",
        f"id={CONNECTION_ID}",
        f"uuid={connection_uuid()}",
        f"type={'ethernet' if ethernet_twin else 'wifi'}",
        f"interface-name={ethernet_twin or hotspot.interface}",
        # Above a client profile of the same radio: at an event the booth's Wi-Fi comes first.
        "autoconnect-priority=50",
        "",
    ]
    if ethernet_twin:
        lines += ["[ethernet]", ""]
    else:
        lines += [
            "[wifi]",
            "mode=ap",
            f"ssid={_ssid_value(hotspot.ssid)}",
            f"band={BANDS[hotspot.band]}",
            f"channel={hotspot.wifi_channel}",
            # Phones on the booth's Wi-Fi do not see each other, where the driver can do it.
            "ap-isolation=1",
            # Per-network random addresses are the phones' business; the booth keeps its own.
            "cloned-mac-address=permanent",
            "powersave=2",
            "",
        ]
        if hotspot.password:
            lines += [
                "[wifi-security]",
                "key-mgmt=wpa-psk",
                "proto=rsn;",
                "pairwise=ccmp;",
                "group=ccmp;",
                f"psk={_keyfile_string(hotspot.password)}",
                # Protected management frames off: the Pi's brcmfmac access point fails with it.
                "pmf=1",
                "",
            ]
    lines += [
        "[ipv4]",
        "method=shared",
        f"address1={hotspot.address}",
        "",
        "[ipv6]",
        # No router advertisements: phones must not try IPv6 routes the booth does not answer.
        "method=disabled",
        "",
    ]
    return "\n".join(lines)
