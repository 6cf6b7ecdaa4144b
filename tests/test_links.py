"""Share links and their QR codes, decoded by a real barcode reader."""

from __future__ import annotations

import numpy as np
import pygame
import pytest
import zxingcpp

from kiosk.booth.screens.qr import qr_surface
from kiosk.config import HotspotConfig, ShareConfig
from kiosk.share.links import QR_QUIET_ZONE, base_url, lan_address, qr_modules


def decode(surface: pygame.Surface) -> list[str]:
    pixels = pygame.surfarray.array3d(surface).transpose(1, 0, 2)
    return [result.text for result in zxingcpp.read_barcodes(np.ascontiguousarray(pixels))]


@pytest.mark.parametrize(
    "text",
    ["http://192.168.4.1:8080/p/AAAAAAAAAAAAAAAAAAAAAA", "https://fotos.example.org/p/x-_9"],
)
def test_qr_surface_decodes_to_the_text(text: str) -> None:
    surface = qr_surface(qr_modules(text), 400)
    assert decode(surface) == [text]


def test_qr_modules_are_whole_pixels_with_a_quiet_zone() -> None:
    modules = qr_modules("http://booth.local:8080/p/abc")
    surface = qr_surface(modules, 333)
    module = 333 // modules.shape[0]
    assert surface.get_size() == (modules.shape[0] * module,) * 2
    assert not modules[:QR_QUIET_ZONE].any() and not modules[:, -QR_QUIET_ZONE:].any()


def test_configured_base_url_wins() -> None:
    assert base_url(ShareConfig(base_url="https://fotos.example.org/booth")) == (
        "https://fotos.example.org/booth"
    )


def test_without_base_url_the_lan_address_and_port_are_used() -> None:
    url = base_url(ShareConfig(port=8123))
    assert url == f"http://{lan_address()}:8123"


def test_with_the_hotspot_links_lead_to_the_booth_on_its_own_wifi() -> None:
    hotspot = HotspotConfig(enabled=True, country="DE", address="10.42.0.1/24")
    assert base_url(ShareConfig(port=8123), hotspot) == "http://10.42.0.1"
    assert base_url(ShareConfig(base_url="http://fotos.lan"), hotspot) == "http://fotos.lan"
    assert base_url(ShareConfig(port=8123), HotspotConfig()).endswith(":8123")
