"""What the attendee sees: one drawing function per state, sized for reading at 3 metres.

Sizes derive from the screen's shorter side (``unit`` = 1 % of it), so type has the same size in
landscape and portrait and any resolution works. Rendered text is cached; the framing screen,
drawn every frame, only moves the preview's pixels and draws a few shapes over them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pygame

from kiosk.config import Config
from kiosk.framing import Crop
from kiosk.machine import Booth, Phase
from kiosk.texts import Texts

Colour = tuple[int, int, int]

# Where the face should sit in the photo (share of the crop's height): the eye line at 36 %, and
# the distance from eyes to chin 23 % (see framing rules); the guide oval is drawn around that.
EYE_LINE = 0.36
EYES_TO_CHIN = 0.23
# Arrows per cue: (direction in degrees on screen, 0 = right, 90 = down; shift from the centre).
PICTOGRAMS: dict[str, list[tuple[float, float]]] = {
    "cue_move_left": [(180, 0.0)],
    "cue_move_right": [(0, 0.0)],
    "cue_lower": [(90, 0.0)],
    "cue_higher": [(-90, 0.0)],
    "cue_come_closer": [(180, 0.6), (0, 0.6)],
    "cue_step_back": [(0, -1.1), (180, -1.1)],
    "cue_tilt_left": [(200, 0.0)],
    "cue_tilt_right": [(-20, 0.0)],
    "cue_chin_up": [(-90, 0.0)],
    "cue_chin_down": [(90, 0.0)],
}

# The share link under its QR code, for phones that cannot scan (in % of the screen height).
URL_SIZE = 4.0


def hex_colour(value: str) -> Colour:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def mix(first: Colour, second: Colour, share: float) -> Colour:
    return tuple(round(a + (b - a) * share) for a, b in zip(first, second, strict=True))  # type: ignore[return-value]


@dataclass
class Media:
    """Pictures the screens show besides text, prepared by the booth loop."""

    preview: np.ndarray | None = None
    sensor_size: tuple[int, int] = (4608, 2592)
    crop: Crop | None = None
    photo: pygame.Surface | None = None
    qr: pygame.Surface | None = None
    wifi_qr: pygame.Surface | None = None


class Screens:
    def __init__(self, surface: pygame.Surface, config: Config, texts: Texts):
        self.surface = surface
        self.config = config
        self.texts = texts
        self.width, self.height = surface.get_size()
        self.unit = min(self.width, self.height) / 100
        self.background = hex_colour(config.branding.background)
        self.foreground = hex_colour(config.branding.foreground)
        self.accent = hex_colour(config.branding.accent)
        self.muted = mix(self.background, self.foreground, 0.6)
        self._fonts: dict[int, pygame.font.Font] = {}
        self._rendered: dict[tuple[str, int, Colour], pygame.Surface] = {}
        self._logo = self._load_logo(config.branding.logo)
        self._bands_around: pygame.Rect | None = None
        self._banners: dict[tuple[str, Colour], pygame.Surface] = {}
        self._native_xrgb = surface.get_bitsize() == 32 and surface.get_masks()[:3] == (
            0xFF0000,
            0x00FF00,
            0x0000FF,
        )

    # -- entry point --

    def draw(self, booth: Booth, now: float, media: Media) -> None:
        if booth.phase not in (Phase.FRAMING, Phase.COUNTDOWN):
            self._bands_around = None
        match booth.phase:
            case Phase.ATTRACT:
                self._attract(now)
            case Phase.FRAMING:
                self._framing(booth, now, media)
            case Phase.COUNTDOWN:
                self._countdown(booth, now, media)
            case Phase.CAPTURE:
                self._capture()
            case Phase.REVIEW:
                self._review(booth, now, media)
            case Phase.SHARE:
                self._share(booth, media)
            case Phase.OUT_OF_ORDER:
                self._out_of_order(booth)

    # -- the screens --

    def _attract(self, now: float) -> None:
        self.surface.fill(self.background)
        # On a tall screen the block sits lower, nearer the eyes of a standing person.
        top = self.height * (0.12 if self.width >= self.height else 0.22)
        if self._logo is not None:
            self.surface.blit(self._logo, self._logo.get_rect(midtop=(self.width // 2, top)))
            top += self._logo.get_height() + 4 * self.unit
        top = self._paragraph(self.config.event.name, 12, self.foreground, top)
        top = self._paragraph(
            self.texts.get("attract_tagline"), 5.5, self.muted, top + 3 * self.unit
        )
        pulse = 0.5 + 0.5 * math.sin(now * math.tau / 2.0)
        radius = round((6 + pulse) * self.unit)
        centre = (self.width // 2, round(top + 14 * self.unit))
        pygame.draw.circle(self.surface, self.accent, centre, radius)
        pygame.draw.circle(self.surface, self.foreground, centre, radius + round(self.unit), 3)
        self._paragraph(self.texts.get("attract_press"), 7, self.foreground, top + 24 * self.unit)
        retention_days = max(1, round(self.config.storage.retention / 86400))
        notice = self.texts.get("attract_privacy", retention_days=retention_days)
        self._paragraph(notice, 3.4, self.muted, self.height, anchor_bottom=True)

    def _framing(self, booth: Booth, now: float, media: Media) -> None:
        area = self._preview(media)
        if area is not None:
            self._guide(area)
        guidance = booth.guidance
        if booth.framing_timed_out(now):
            line = self.texts.get("framing_timeout")
        elif guidance is not None and guidance.cue:
            line = self.texts.get(guidance.cue)
        else:
            line = self.texts.get("framing_press")
        self._banner(line, self.accent if guidance and guidance.cue else self.foreground)
        if area is not None and guidance is not None and guidance.cue in PICTOGRAMS:
            self._pictogram(guidance.cue, area)
        progress = min(1.0, guidance.progress) if guidance is not None else 0.0
        bar = pygame.Rect(0, 0, self.width, round(self.unit * 2))
        self.surface.fill(self.background, bar)
        if progress > 0:
            self.surface.fill(self.accent, (0, 0, round(self.width * progress), bar.height))

    def _countdown(self, booth: Booth, now: float, media: Media) -> None:
        self._preview(media)
        number = self._text(str(booth.countdown_remaining(now)), 40, self.foreground)
        self.surface.blit(number, number.get_rect(center=(self.width // 2, self.height // 2)))
        self._banner(self.texts.get("countdown_breathe"), self.foreground)

    def _capture(self) -> None:
        # A white screen lights the face a little and tells the person it is happening.
        self.surface.fill((255, 255, 255))
        self._paragraph(self.texts.get("capture_hold"), 8, (40, 40, 40), 45 * self.unit)

    def _review(self, booth: Booth, now: float, media: Media) -> None:
        self.surface.fill(self.background)
        picture_box, text_box = self._split()
        if media.photo is not None:
            self.surface.blit(media.photo, media.photo.get_rect(center=picture_box.center))
        top = self._paragraph(
            self.texts.get("review_title"), 8, self.foreground, text_box.top, text_box
        )
        top += 3 * self.unit
        photo_state = booth.photo
        if photo_state is not None and photo_state.retake_suggested and booth.retakes_left:
            suggestion = self.texts.get("review_suggest_retake")
            top = self._paragraph(suggestion, 5, self.accent, top, text_box) + 2 * self.unit
        top = self._paragraph(self.texts.get("review_keep"), 6, self.foreground, top, text_box)
        top += 2 * self.unit
        if booth.retakes_left:
            retake = self.texts.get("review_retake", retakes_left=booth.retakes_left)
        else:
            retake = self.texts.get("review_no_retakes")
        self._paragraph(retake, 5, self.muted, top, text_box)
        remaining = max(0, math.ceil(booth.timing.review_timeout - booth.seconds_in_phase(now)))
        auto_keep = self.texts.get("review_auto_keep", seconds=remaining)
        self._paragraph(auto_keep, 4, self.muted, text_box.bottom, text_box, anchor_bottom=True)

    def _share(self, booth: Booth, media: Media) -> None:
        self.surface.fill(self.background)
        photo = booth.photo
        wifi = self.config.share.wifi
        codes: list[tuple[pygame.Surface | None, str | None, str]] = []
        if booth.showing_wifi or (wifi is not None and self.fits_two_codes()):
            assert wifi is not None
            two = not booth.showing_wifi
            caption = self.texts.get("share_wifi_caption") if two else None
            codes.append((media.wifi_qr, caption, wifi.ssid))
        if not booth.showing_wifi and photo is not None:
            caption = self.texts.get("share_link_caption") if codes else None
            codes.append((media.qr, caption, photo.url))

        picture_box, text_box = self._split(len(codes))
        width = picture_box.width // max(1, len(codes))
        for number, (code, caption, under) in enumerate(codes):
            column = pygame.Rect(picture_box.left + number * width, picture_box.top, width, 0)
            column.height = picture_box.height
            self._code(code, caption, under, column)

        top = self._paragraph(
            self.texts.get("share_title"), 8, self.foreground, text_box.top, text_box
        )
        if booth.showing_wifi:
            top = self._paragraph(
                self.texts.get("share_wifi"), 5.5, self.foreground, top + 3 * self.unit, text_box
            )
            done = self.texts.get("share_next")
        else:
            top = self._paragraph(
                self.texts.get("share_scan"), 5.5, self.foreground, top + 3 * self.unit, text_box
            )
            days = max(1, round(self.config.share.link_ttl / 86400))
            expiry = self.texts.get("share_expires", days=days)
            self._paragraph(expiry, 4.5, self.muted, top + 2 * self.unit, text_box)
            done = self.texts.get("share_done")
        self._paragraph(done, 4.5, self.muted, text_box.bottom, text_box, anchor_bottom=True)

    def _code(
        self, code: pygame.Surface | None, caption: str | None, under: str, box: pygame.Rect
    ) -> None:
        """A QR code centred in ``box``, a caption over it and its content as text under it."""
        if code is None:
            return
        label = self._fitted_text(caption, 5, self.accent, box.width) if caption else None
        text = self._fitted_text(under, URL_SIZE, self.foreground, box.width * 0.96)
        label_height = label.get_height() + self.unit if label else 0
        total = label_height + code.get_height() + self.unit + text.get_height()
        top = box.centery - total // 2
        if label is not None:
            self.surface.blit(label, label.get_rect(midtop=(box.centerx, top)))
        code_rect = code.get_rect(midtop=(box.centerx, top + label_height))
        self.surface.blit(code, code_rect)
        self.surface.blit(text, text.get_rect(midtop=(box.centerx, code_rect.bottom + self.unit)))

    def review_picture(self, pixels: np.ndarray) -> pygame.Surface:
        """The photo's pixels made to fit the review screen (display only; the file is untouched).

        Safe to call off the UI thread: it only builds a new surface.
        """
        picture_box, _ = self._split()
        height, width = pixels.shape[:2]
        scale = min(picture_box.width / width, picture_box.height / height)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        # Skipping rows and columns first (never below the final size) keeps the smooth
        # scaling small.
        step = max(1, int(1 / scale))
        reduced = np.ascontiguousarray(pixels[::step, ::step])
        surface = pygame.image.frombuffer(reduced, reduced.shape[1::-1], "RGB")
        return pygame.transform.smoothscale(surface, size)

    def fits_two_codes(self) -> bool:
        """Whether the Wi-Fi and link codes fit side by side, each large enough to scan."""
        return self.width >= self.height * 1.6

    def qr_side(self, count: int = 1) -> int:
        """The largest QR code that fits ``count`` side by side, with text over and under."""
        picture_box, _ = self._split(count)
        text_height = self._font(URL_SIZE).get_linesize() + self.unit
        if count > 1:
            text_height += self._font(5).get_linesize() + self.unit
        width = picture_box.width / count - 2 * self.unit
        return round(min(width, picture_box.height - text_height))

    def _split(self, pictures: int = 1) -> tuple[pygame.Rect, pygame.Rect]:
        """A picture area and a text area: side by side on wide screens, stacked on tall ones.
        Two pictures take two thirds of a wide screen."""
        margin = round(4 * self.unit)
        if self.width >= self.height * 1.2:
            split = self.width * 2 // 3 if pictures > 1 else self.width // 2
            picture = pygame.Rect(margin, margin, split - 2 * margin, self.height - 2 * margin)
            text = pygame.Rect(split, 3 * margin, self.width - split - margin, 0)
            text.height = self.height - 4 * margin
        else:
            picture = pygame.Rect(margin, margin, self.width - 2 * margin, round(self.height * 0.6))
            text = pygame.Rect(margin, picture.bottom + margin, self.width - 2 * margin, 0)
            text.height = self.height - text.top - margin
        return picture, text

    def _out_of_order(self, booth: Booth) -> None:
        self.surface.fill(self.background)
        top = self._paragraph(self.texts.get("out_of_order_title"), 10, self.accent, 25 * self.unit)
        self._paragraph(
            self.texts.get("out_of_order_body"), 5, self.foreground, top + 3 * self.unit
        )
        if booth.fault:
            self._paragraph(booth.fault, 2.5, self.muted, self.height, anchor_bottom=True)

    # -- pieces --

    def preview_rect(self, crop_size: tuple[int, int]) -> pygame.Rect:
        """Where the preview goes: the crop's aspect, as large as fits, centred."""
        scale = min(self.width / crop_size[0], self.height / crop_size[1])
        size = (round(crop_size[0] * scale), round(crop_size[1] * scale))
        return pygame.Rect((0, 0), size).move(
            (self.width - size[0]) // 2, (self.height - size[1]) // 2
        )

    def _preview(self, media: Media) -> pygame.Rect | None:
        """The live image cut to exactly the photo's crop, mirrored; bands around it plain."""
        if media.preview is None or media.crop is None:
            self.surface.fill(self.background)
            self._bands_around = None
            return None
        frame = media.preview
        frame_height, frame_width = frame.shape[:2]
        # The crop is in sensor pixels; the preview stream is the whole sensor field, smaller.
        left, top, width, height = media.crop.scaled(
            frame_width / media.sensor_size[0], frame_height / media.sensor_size[1]
        )
        width = min(width, frame_width - left)
        height = min(height, frame_height - top)
        target = self.preview_rect((width, height))
        if target.size == (width, height) and self._native_xrgb:
            # The usual case: one-to-one pixels in the display's own layout. Copying the crop
            # mirrored straight into the screen costs less than a plain blit of the frame.
            pixels = pygame.surfarray.pixels2d(self.surface)
            crop = frame.view(np.uint32)[top : top + height, left : left + width, 0]
            np.copyto(
                pixels[target.left : target.right, target.top : target.bottom], crop[:, ::-1].T
            )
            del pixels
        else:
            whole = pygame.image.frombuffer(frame, (frame_width, frame_height), "BGRA")
            cut = whole.subsurface((left, top, width, height))
            mirrored = pygame.transform.flip(cut, True, False)
            if mirrored.get_size() != target.size:
                mirrored = pygame.transform.scale(mirrored, target.size)
            self.surface.blit(mirrored, target)
        if target != self._bands_around:
            # The plain bands beside the preview stay as they are from frame to frame.
            for band in _bands(self.surface.get_rect(), target):
                self.surface.fill(self.background, band)
            self._bands_around = target
        return target

    def _guide(self, area: pygame.Rect) -> None:
        face_height = area.height * EYES_TO_CHIN * 2.0
        oval = pygame.Rect(0, 0, round(face_height * 0.74), round(face_height))
        oval.center = (
            area.centerx,
            round(area.top + area.height * (EYE_LINE + EYES_TO_CHIN * 0.2)),
        )
        pygame.draw.ellipse(self.surface, self.foreground, oval, max(2, round(self.unit * 0.4)))

    def _pictogram(self, cue: str, area: pygame.Rect) -> None:
        """A large arrow over the preview saying the cue at a glance. The preview is a mirror,
        so "to your left" points to the screen's left."""
        size = area.width * 0.2
        centre = pygame.Vector2(area.centerx, area.top + area.height * 0.7)
        shaft = max(3, round(size * 0.14))
        for angle, offset in PICTOGRAMS[cue]:
            direction = pygame.Vector2(1, 0).rotate(angle)
            tip = centre + direction * (size * (0.5 + offset))
            tail = tip - direction * size
            side = direction.rotate(90) * size * 0.3
            head = tip - direction * size * 0.45
            # A dark outline first: the arrow reads over any clothes or backdrop.
            for colour, grow in ((self.background, shaft // 2 + 2), (self.accent, 0)):
                pygame.draw.line(self.surface, colour, tail, head, shaft + 2 * grow)
                outline = [tip + direction * grow, head + side * 1.2, head - side * 1.2]
                arrow = outline if grow else [tip, head + side, head - side]
                pygame.draw.polygon(self.surface, colour, arrow)

    def _banner(self, text: str, colour: Colour) -> None:
        """One line of large type on a plain strip across the bottom, readable over any image."""
        key = (text, colour)
        if key not in self._banners:
            if len(self._banners) > 64:
                self._banners.clear()
            rendered = self._fitted_text(text, 7, colour)
            strip = pygame.Surface((self.width, rendered.get_height() + round(3 * self.unit)))
            strip.fill(self.background)
            strip.blit(rendered, rendered.get_rect(center=strip.get_rect().center))
            self._banners[key] = strip.convert(self.surface)
        strip = self._banners[key]
        self.surface.blit(strip, strip.get_rect(bottom=self.height))

    def _paragraph(
        self,
        text: str,
        size: float,
        colour: Colour,
        top: float,
        column: pygame.Rect | None = None,
        anchor_bottom: bool = False,
    ) -> float:
        """Wrapped text centred in ``column`` (the whole screen by default) from ``top`` down;
        returns the y just below it. Anchored at the bottom, ``top`` is where the text ends."""
        column = column or self.surface.get_rect()
        font = self._font(size)
        lines = _wrap(text, font, column.width * 0.92)
        line_height = font.get_linesize()
        if anchor_bottom:
            top -= line_height * len(lines) + self.unit
        for index, line in enumerate(lines):
            rendered = self._text(line, size, colour)
            self.surface.blit(
                rendered,
                rendered.get_rect(midtop=(column.centerx, round(top + index * line_height))),
            )
        return top + line_height * len(lines)

    def _fitted_text(
        self, text: str, size: float, colour: Colour, width: float | None = None
    ) -> pygame.Surface:
        """One line at ``size``, smaller where the screen (or ``width``) is too narrow for it."""
        width = width or self.width * 0.94
        while size > 2 and self._font(size).size(text)[0] > width:
            size -= 0.5
        return self._text(text, size, colour)

    def _text(self, text: str, size: float, colour: Colour) -> pygame.Surface:
        pixels = max(8, round(size * self.unit))
        key = (text, pixels, colour)
        if key not in self._rendered:
            if len(self._rendered) > 256:
                self._rendered.clear()
            self._rendered[key] = self._font(size).render(text, True, colour)
        return self._rendered[key]

    def _font(self, size: float) -> pygame.font.Font:
        pixels = max(8, round(size * self.unit))
        if pixels not in self._fonts:
            self._fonts[pixels] = pygame.font.Font(None, pixels)
        return self._fonts[pixels]

    def _load_logo(self, path: Path | None) -> pygame.Surface | None:
        if path is None:
            return None
        logo = pygame.image.load(str(path))
        return _fit(logo, (round(self.width * 0.5), round(self.height * 0.18)))


def qr_surface(modules: np.ndarray, max_side: int, dark: Colour = (0, 0, 0)) -> pygame.Surface:
    """The QR code with whole-pixel modules (sharp edges scan best), at most ``max_side`` wide."""
    module = max(1, max_side // modules.shape[0])
    light = np.array([255, 255, 255], dtype=np.uint8)
    pixels = np.where(modules[..., None], np.array(dark, dtype=np.uint8), light)
    pixels = pixels.repeat(module, axis=0).repeat(module, axis=1)
    return pygame.surfarray.make_surface(pixels.transpose(1, 0, 2))


def _fit(surface: pygame.Surface, box: tuple[int, int]) -> pygame.Surface:
    scale = min(box[0] / surface.get_width(), box[1] / surface.get_height())
    size = (max(1, round(surface.get_width() * scale)), max(1, round(surface.get_height() * scale)))
    return pygame.transform.smoothscale(
        surface.convert_alpha() if surface.get_alpha() else surface, size
    )


def _bands(screen: pygame.Rect, inner: pygame.Rect) -> list[pygame.Rect]:
    bands = [
        pygame.Rect(0, 0, inner.left, screen.height),
        pygame.Rect(inner.right, 0, screen.width - inner.right, screen.height),
        pygame.Rect(inner.left, 0, inner.width, inner.top),
        pygame.Rect(inner.left, inner.bottom, inner.width, screen.height - inner.bottom),
    ]
    return [band for band in bands if band.width > 0 and band.height > 0]


def _wrap(text: str, font: pygame.font.Font, max_width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and font.size(candidate)[0] > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines
