"""Share: the QR code of the photo's link (and of the booth's Wi-Fi), with the link as text."""

from __future__ import annotations

import numpy as np
import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import Media, Screen, ScreenKit
from kiosk.booth.screens.qr import qr_surface
from kiosk.share.links import qr_modules, wifi_join_code

# The share link under its QR code, for phones that cannot scan (in % of the screen height).
URL_SIZE = 4.0
MAX_TYPED_LINK = 80


class ShareScreen(Screen):
    def __init__(self, kit: ScreenKit):
        super().__init__(kit)
        wifi = kit.config.share.wifi
        self.wifi = wifi
        self.two_codes = wifi is not None and self.fits_two_codes()
        self._wifi_code = qr_modules(wifi_join_code(wifi)) if wifi is not None else None
        self._surfaces: dict[str, pygame.Surface] = {}

    def fits_two_codes(self) -> bool:
        """Whether the Wi-Fi and link codes fit side by side, each large enough to scan."""
        return self.kit.width >= self.kit.height * 1.6

    def draw(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        kit.surface.fill(kit.background)
        photo = machine.photo
        side = self.qr_side(2 if self.two_codes else 1)
        codes: list[tuple[pygame.Surface, str | None, str]] = []
        if (machine.showing_wifi or self.two_codes) and self.wifi is not None:
            assert self._wifi_code is not None
            caption = kit.texts.get("share_wifi_caption") if self.two_codes else None
            codes.append((self._surface("wifi", self._wifi_code, side), caption, self.wifi.ssid))
        if not machine.showing_wifi and photo is not None:
            link = media.link or photo.url
            modules = media.link_code if media.link_code is not None else qr_modules(link)
            caption = kit.texts.get("share_link_caption") if codes else None
            # A store's presigned link is too long to type: the code alone carries it.
            under = link if len(link) <= MAX_TYPED_LINK else ""
            codes.append((self._surface(link, modules, side), caption, under))

        picture_box, text_box = kit.split(len(codes))
        width = picture_box.width // max(1, len(codes))
        for number, (code, caption, under) in enumerate(codes):
            column = pygame.Rect(picture_box.left + number * width, picture_box.top, width, 0)
            column.height = picture_box.height
            self._code(code, caption, under, column)

        top = kit.paragraph(kit.texts.get("share_title"), 8, kit.foreground, text_box.top, text_box)
        if machine.showing_wifi:
            top = kit.paragraph(
                kit.texts.get("share_wifi"), 5.5, kit.foreground, top + 3 * kit.unit, text_box
            )
            done = kit.texts.get("share_next")
        else:
            top = kit.paragraph(
                kit.texts.get("share_scan"), 5.5, kit.foreground, top + 3 * kit.unit, text_box
            )
            days = max(1, round(kit.config.share.link_ttl / 86400))
            expiry = kit.texts.get("share_expires", days=days)
            kit.paragraph(expiry, 4.5, kit.muted, top + 2 * kit.unit, text_box)
            done = kit.texts.get("share_done")
        kit.paragraph(done, 4.5, kit.muted, text_box.bottom, text_box, anchor_bottom=True)

    def qr_side(self, count: int = 1) -> int:
        """The largest QR code that fits ``count`` side by side, with text over and under."""
        kit = self.kit
        picture_box, _ = kit.split(count)
        text_height = kit.font(URL_SIZE).get_linesize() + kit.unit
        if count > 1:
            text_height += kit.font(5).get_linesize() + kit.unit
        width = picture_box.width / count - 2 * kit.unit
        return round(min(width, picture_box.height - text_height))

    def _surface(self, key: str, modules: np.ndarray, side: int) -> pygame.Surface:
        """The code's picture, made once per photo (the Wi-Fi code once per booth)."""
        if key not in self._surfaces:
            if len(self._surfaces) > 4:
                self._surfaces = {k: v for k, v in self._surfaces.items() if k == "wifi"}
            self._surfaces[key] = qr_surface(modules, side)
        return self._surfaces[key]

    def _code(
        self, code: pygame.Surface, caption: str | None, under: str, box: pygame.Rect
    ) -> None:
        """A QR code centred in ``box``, a caption over it and its content as text under it."""
        kit = self.kit
        label = kit.fitted_text(caption, 5, kit.accent, box.width) if caption else None
        text = kit.fitted_text(under, URL_SIZE, kit.foreground, box.width * 0.96)
        label_height = label.get_height() + kit.unit if label else 0
        total = label_height + code.get_height() + kit.unit + text.get_height()
        top = box.centery - total // 2
        if label is not None:
            kit.surface.blit(label, label.get_rect(midtop=(box.centerx, top)))
        code_rect = code.get_rect(midtop=(box.centerx, top + label_height))
        kit.surface.blit(code, code_rect)
        kit.surface.blit(text, text.get_rect(midtop=(box.centerx, code_rect.bottom + kit.unit)))
