"""Share links: the booth's address and the QR code that carries a link to a phone."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import re
import shutil
import subprocess
from collections.abc import Callable

import numpy as np
import qrcode
from qrcode.constants import ERROR_CORRECT_M

from kiosk.config import HotspotConfig, ShareConfig, WifiConfig

log = logging.getLogger(__name__)

QR_QUIET_ZONE = 4


def lan_address() -> str:
    """This machine's first non-loopback IPv4 address, or 127.0.0.1 when it has none.

    Read from ``hostname -I`` (present on Raspberry Pi OS and Debian): it lists configured
    addresses without sending a packet.
    """
    command = shutil.which("hostname")
    if command:
        try:
            output = subprocess.run(
                [command, "-I"], capture_output=True, text=True, timeout=2, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            output = ""
        for word in output.split():
            try:
                address = ipaddress.ip_address(word)
            except ValueError:
                continue
            if address.version == 4 and not address.is_loopback and not address.is_link_local:
                return str(address)
    log.warning("no network address found; share links will point at 127.0.0.1")
    return "127.0.0.1"


def base_url(share: ShareConfig, hotspot: HotspotConfig | None = None) -> str:
    """Where phones reach the download server: the configured URL, else the booth's address on
    its own Wi-Fi (port 80 leads to the server there), else this machine's address."""
    if share.base_url:
        return share.base_url
    if hotspot is not None and hotspot.enabled:
        return f"http://{hotspot.booth_address}"
    return f"http://{lan_address()}:{share.port}"


def qr_modules(text: str) -> np.ndarray:
    """The QR code of ``text`` as a boolean array (True = dark), quiet zone included."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QR_QUIET_ZONE)
    code.add_data(text)
    code.make(fit=True)
    return np.array(code.get_matrix(), dtype=bool)


def wifi_join_code(wifi: WifiConfig) -> str:
    """The text of a Wi-Fi QR code, as phone cameras read it: WIFI:T:WPA;S:name;P:secret;;"""

    def escape(text: str) -> str:
        return re.sub(r'([\\;,":])', r"\\\1", text)

    parts = [f"T:{wifi.security}", f"S:{escape(wifi.ssid)}"]
    if wifi.security != "nopass":
        parts.append(f"P:{escape(wifi.password)}")
    if wifi.hidden:
        parts.append("H:true")
    return "WIFI:" + ";".join(parts) + ";;"


class ShareLinks:
    """Which link a photo's QR code carries: the booth's own (phones on the booth's network),
    the object store's (any phone, over mobile data), or the booth's until the photo is in the
    store (``cloud.links``: "booth", "cloud", "cloud-when-uploaded")."""

    def __init__(
        self,
        booth_link: Callable[[str], str],
        mode: str = "booth",
        cloud_link: Callable[[str, dt.datetime], str] | None = None,
        uploaded: Callable[[str], bool] = lambda token: False,
    ):
        self.booth_link = booth_link
        self.mode = mode if cloud_link is not None else "booth"
        self.cloud_link = cloud_link
        self.uploaded = uploaded

    def for_photo(self, token: str, taken: dt.datetime) -> str:
        if self.cloud_link is None or self.mode == "booth":
            return self.booth_link(token)
        if self.mode == "cloud" or self.uploaded(token):
            return self.cloud_link(token, taken)
        return self.booth_link(token)

    @property
    def may_change(self) -> bool:
        """Whether a photo's link changes once it is uploaded."""
        return self.mode == "cloud-when-uploaded"
