"""Framing: the live mirror cut to the photo, the guide oval that is the feedback, and one cue.

The oval is drawn where the face belongs in the photo (the framing rules' eye line and face size):
neutral while the booth looks for a face, amber while a cue is up, green while everything holds,
with the hold progress as a ring around it. The cue (a headline, a sub-line and a pictogram of the
movement) sits beside the face in landscape and near the top edge, toward the lens, in portrait:
never over the photo. Drawn every frame: the preview's pixels move, the rest is blitted from
caches made once per screen size.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.kit import (
    AMBER,
    CUE_SIZE,
    GREEN,
    MIN_SIZE,
    SMALLEST_CUE,
    Block,
    Colour,
    Media,
    Screen,
    ScreenKit,
)
from kiosk.booth.screens.pictograms import PICTOGRAM_NAMES
from kiosk.booth.screens.preview import PreviewRenderer
from kiosk.booth.screens.shapes import Ring
from kiosk.booth.screens.stage import HINT_SIDE, hint_width, paint_band, paint_hint, stage_for

SUB_SIZE = 4.2


@dataclass(frozen=True)
class Message:
    """What the panel beside the face says: a headline, an optional sub-line, a pictogram."""

    headline: str
    colour: Colour
    sub: str = ""
    pictogram: str | None = None


class LiveLayout:
    """Where the oval, its progress and the message go around one preview rectangle."""

    def __init__(self, kit: ScreenKit, area: pygame.Rect):
        self.area = area
        rules = kit.rules
        unit = kit.unit
        eye_y = area.top + rules.eye_line * area.height
        eyes_to_chin = rules.face_fill * area.height
        # A head is about twice as tall as from the eyes to the chin, and three quarters as wide.
        height = eyes_to_chin * 2.25
        self.oval_centre = (area.centerx, eye_y + eyes_to_chin * 0.1)
        self.oval_radii = (height * 0.38, height / 2)
        # The progress runs along the oval itself, a thicker line over it: one ring, not two.
        self.ring_radii = self.oval_radii
        self.oval_width = max(2.0, 0.55 * unit)
        self.ring_width = max(3.0, 1.3 * unit)
        # The face itself, eyes to chin, widened: nothing but the oval and ring is drawn here.
        half = self.oval_radii[0] * 0.85
        self.face_box = pygame.Rect(
            round(area.centerx - half),
            round(eye_y - eyes_to_chin * 0.15),
            round(2 * half),
            round(eyes_to_chin * 1.15),
        )
        self.eye_y = eye_y
        stage = stage_for(kit, area.size)
        self.panel, self.beside, self.band = stage.cue, stage.beside, stage.band


class LiveScreen(Screen):
    """A screen over the live preview: the oval with its progress, a message panel and the
    band (the step strip, branding, button hint) where the stage has one."""

    step = 0  # the step of the visit lit in the band: 0 pose, 1 photo, 2 phone
    hint = True  # the band names what the main button does here

    def __init__(self, kit: ScreenKit, preview: PreviewRenderer):
        super().__init__(kit)
        self.preview = preview
        self._layouts: dict[tuple[int, int, int, int], LiveLayout] = {}
        self._rings: dict[tuple, Ring] = {}
        self.layout: LiveLayout | None = None  # the last frame's
        self._shown: Block | None = None  # the message panel on the display now

    def live(self, media: Media) -> LiveLayout:
        """Draw the preview; returns the layout around it (plain screen when no frame yet)."""
        area = self.preview.draw(media.preview, media.crop)
        fresh = area is None or self.entered
        if area is None:
            # The preview painted the whole screen plain.
            self._shown = None
            crop = media.crop
            size = (crop.width, crop.height) if crop else self._photo_size()
            area = self.preview.rect_for(size)
        key = (area.left, area.top, area.width, area.height)
        if key not in self._layouts:
            self._layouts[key] = LiveLayout(self.kit, area)
        layout = self._layouts[key]
        if fresh or layout is not self.layout or layout.panel.colliderect(area):
            # The bands beside the preview were painted afresh (or the panel is over the
            # preview, which is painted every frame): the message must be drawn again.
            self._shown = None
        self.layout = layout
        # The idle screen on a tall display gives the band's room to its invitation.
        if layout.band is not None and (layout.beside or self.step >= 0):
            band = layout.band
            block = self.kit.block(
                ("band", self.step, self.hint), band.width, band.height,
                lambda b: paint_band(b, self.step, self.hint),
            )  # fmt: skip
            self.kit.place(block, band.topleft, blit=self._shown is None)
        return layout

    def _photo_size(self) -> tuple[int, int]:
        ratio = self.kit.config.photo.aspect_ratio
        return (round(1000 * ratio), 1000)

    def oval(self, layout: LiveLayout, colour: Colour, progress: float = 0.0) -> None:
        """The guide oval in ``colour``; ``progress`` of it (from the top, clockwise) drawn
        thicker in green: the hold that fills, or the countdown that empties."""
        self._ring(layout, "oval", colour).draw(self.kit.surface)
        if progress > 0:
            self._ring(layout, "ring", GREEN).draw(self.kit.surface, progress)

    def _ring(self, layout: LiveLayout, kind: str, colour: Colour) -> Ring:
        key = (kind, colour, layout.area.topleft, layout.area.size)
        if key not in self._rings:
            if kind == "oval":
                ring = Ring(layout.oval_centre, layout.oval_radii, layout.oval_width, colour, 64)
            else:
                ring = Ring(layout.oval_centre, layout.ring_radii, layout.ring_width, colour, 120)
            self._rings[key] = ring
        return self._rings[key]

    def message(self, layout: LiveLayout, message: Message) -> pygame.Rect | None:
        """The message panel, made once per message and screen size. Returns where its picture
        goes on the screen (for a counter that its screen draws)."""
        kit = self.kit
        panel = layout.panel
        block = kit.block(
            ("message", message, panel.topleft),
            panel.width,
            panel.height,
            lambda b: self.paint_message(b, layout, message),
        )
        # The panel stays on the display from frame to frame: blitting it again is most of a
        # frame's drawing, so it is blitted only when it changed.
        kit.place(block, panel.topleft, blit=self._shown is not block)
        self._shown = block
        figure = block.figure_at
        return figure.move(panel.topleft) if figure is not None else None

    def paint_message(self, block: Block, layout: LiveLayout, message: Message) -> None:
        if not layout.beside:
            self._paint_band(block, message, self.figure(layout, message))
            return
        kit = self.kit
        figure = self.figure(layout, message)
        width = block.width
        side = figure.get_width() if figure else 0
        cue = {"size": CUE_SIZE, "width": width, "max_lines": 2, "smallest": SMALLEST_CUE}
        text_height = block.height_of(message.headline, weight="semibold", **cue)
        sub = {"size": SUB_SIZE, "width": width, "max_lines": 3}
        if message.sub:
            text_height += round(2 * kit.unit) + block.height_of(message.sub, **sub)
        total = side + (round(3 * kit.unit) if figure else 0) + text_height
        room = block.height
        if layout.band is None and self.hint:
            # The band gave way: what the main button does here stays, as the column's foot.
            foot = round(HINT_SIDE * kit.unit)
            across = min(width, hint_width(kit))
            paint_hint(block, (width - across) / 2, block.height - foot, across)
            room -= foot + round(3 * kit.unit)
        # The message group centred in the column: no empty half below it.
        top = max(0, (room - total) / 2)
        if figure:
            block.figure_at = figure.get_rect(topleft=(round((width - side) / 2), round(top)))
            if message.pictogram != "counter":
                block.blit(figure, block.figure_at.topleft)
            top += side + 3 * kit.unit
        del cue["size"], sub["size"]
        top = block.paragraph(
            message.headline, CUE_SIZE, message.colour, top, "semibold", "cue", **cue
        )
        if message.sub:
            block.paragraph(message.sub, SUB_SIZE, kit.foreground, top + 2 * kit.unit, **sub)

    def _paint_band(self, block: Block, message: Message, figure: pygame.Surface | None) -> None:
        """The message in a band above (or below) the preview: the picture at the left, the text
        beside it. Where a band is too low for all of it, the text gets smaller, then the
        pictogram gives its room to the text (never the countdown's counter)."""
        kit = self.kit
        height = block.height
        optional = figure is not None and message.pictogram != "counter"
        candidates = [(figure, CUE_SIZE, SUB_SIZE), (figure, SMALLEST_CUE, MIN_SIZE)]
        if optional:
            candidates += [(None, CUE_SIZE, SUB_SIZE), (None, SMALLEST_CUE, MIN_SIZE)]
        for picture, cue_size, sub_size in candidates:
            side = picture.get_width() if picture else 0
            left = side + round(3 * kit.unit) if picture else 0
            width = block.width - left
            text_height = block.height_of(
                message.headline, cue_size, width, "semibold", 1.12, max_lines=2,
                smallest=SMALLEST_CUE,
            )  # fmt: skip
            if message.sub:
                text_height += round(kit.unit) + block.height_of(
                    message.sub, sub_size, width, max_lines=2
                )
            if text_height <= height:
                break
        if picture:
            block.figure_at = picture.get_rect(topleft=(0, round((height - side) / 2)))
            if message.pictogram != "counter":
                block.blit(picture, block.figure_at.topleft)
        top = max(0, (height - text_height) / 2)
        top = block.paragraph(
            message.headline, cue_size, message.colour, top, "semibold", "cue", "left", left,
            leading=1.12, max_lines=2, smallest=SMALLEST_CUE,
        )  # fmt: skip
        if message.sub:
            block.paragraph(
                message.sub, sub_size, kit.foreground, top + kit.unit, align="left", left=left,
                max_lines=2,
            )  # fmt: skip

    def figure(self, layout: LiveLayout, message: Message) -> pygame.Surface | None:
        """The picture of the message: its pictogram, sized to the panel. A "counter" is left
        blank here (its place noted on the block) and drawn every frame by its screen."""
        if message.pictogram is None:
            return None
        if message.pictogram == "counter":
            side = self.counter_side(layout)
            return pygame.Surface((side, side))
        return self.kit.pictogram(message.pictogram, self.figure_side(layout))

    def figure_side(self, layout: LiveLayout) -> int:
        kit = self.kit
        if layout.beside:
            return round(min(layout.panel.width * 0.62, 24 * kit.unit))
        return round(min(layout.panel.height * 0.9, 22 * kit.unit))

    def counter_side(self, layout: LiveLayout) -> int:
        """The countdown digit's square: a digit a quarter of the shorter side tall fits."""
        kit = self.kit
        if layout.beside:
            return round(min(layout.panel.width, 30 * kit.unit))
        return round(min(layout.panel.height, 30 * kit.unit))


class FramingScreen(LiveScreen):
    def paint(self, machine: BoothMachine, now: float, media: Media) -> None:
        layout = self.live(media)
        message, colour, progress = self.state(machine, now)
        self.oval(layout, colour, progress)
        self.message(layout, message)

    def state(self, machine: BoothMachine, now: float) -> tuple[Message, Colour, float]:
        """What the screen says, the oval's colour and the hold ring's share."""
        kit, texts = self.kit, self.kit.texts
        advice = machine.advice
        if machine.framing_timed_out(now):
            # Guidance could not settle it: pressing is the next step now.
            sub = texts.get("framing_timeout")
            return (
                Message(texts.get("framing_timeout_title"), kit.foreground, sub, "press"),
                (kit.foreground),
                0.0,
            )
        if advice is None:
            # Guidance off, or the face analysis not running yet: the person presses.
            press = Message(
                texts.get("framing_press_title"),
                kit.foreground,
                texts.get("framing_press"),
                "press",
            )
            return press, kit.foreground, 0.0
        if advice.person_present and advice.cue in (None, "cue_hold_still"):
            if machine.auto_capture:
                # One thing asked at a time: hold still, the booth takes the photo.
                headline, sub = texts.get("cue_hold_still"), texts.get("framing_hold_auto")
                progress, pictogram = min(1.0, advice.progress), "hold"
            else:
                # Pressing is the one thing asked: the button's picture says which.
                headline, sub, progress = texts.get("framing_hold_press"), "", 0.0
                pictogram = "press"
            return Message(headline, GREEN, sub, pictogram), GREEN, progress
        cue = advice.cue or "cue_step_in"
        pictogram = cue if cue in PICTOGRAM_NAMES else None
        return Message(texts.get(cue), AMBER, "", pictogram), AMBER, 0.0
