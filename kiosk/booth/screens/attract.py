"""The idle screen: the live mirror, dimmed, where the framing screen will show it, with a faint
guide oval that invites a step in; beside it the event, what happens here, the breathing main
button and the privacy notice; the band shows the three steps of a visit.

Without a live frame (``display.idle_live_view = false``, or the camera not delivering) the same
words stand centred on a plain screen.
"""

from __future__ import annotations

import math

import pygame

from kiosk.booth.machine import BoothMachine
from kiosk.booth.screens.framing import LiveScreen
from kiosk.booth.screens.kit import MIN_SIZE, Block, Media, ScreenKit, button_glyph, fit, mix

# The main button breathes: its glyph grows by up to this much of the unit, every few seconds.
BREATH = 1.5
BREATH_SECONDS = 3.0
# The live mirror is darkened this much: a glimpse of oneself, not yet the photo.
DIM = 0.55


class AttractScreen(LiveScreen):
    step = -1  # no step lit: the band shows what a visit is
    hint = False

    def paint(self, machine: BoothMachine, now: float, media: Media) -> None:
        kit = self.kit
        if media.preview is None:
            block = kit.block(("attract",), kit.width, kit.height, self._still)
            kit.place(block, (0, 0), blit=self.fresh("attract"))
            self.preview.forget()
            self._shown = None
            origin = (0, 0)
        else:
            layout = self.live(media)
            self.preview.dim(layout.area, DIM)
            self._ring(layout, "oval", mix(kit.background, kit.foreground, 0.6)).draw(kit.surface)
            if layout.beside:
                panel = layout.panel
                block = kit.block(("attract live",), panel.width, panel.height, self._invitation)
            else:
                # Portrait: the event and the tagline in the band above the picture, the rest
                # on a card over the picture below the chin.
                top = layout.panel
                head = kit.block(("attract head",), top.width, top.height, self._head)
                kit.place(head, top.topleft, blit=self._shown is None)
                # The card starts below the whole oval: never a cut guide.
                oval_bottom = layout.oval_centre[1] + layout.oval_radii[1] + layout.oval_width
                card_top = round(max(layout.face_box.bottom, oval_bottom) + 3 * kit.unit)
                bottom = kit.safe.bottom if layout.band is not None else layout.area.bottom
                panel = pygame.Rect(kit.safe.left, card_top, kit.safe.width, bottom - card_top)
                # The card reaches the screen's edges: no sliver of the picture beside it.
                edges = pygame.Rect(0, card_top, kit.width, layout.area.bottom - card_top)
                kit.surface.fill(kit.background, edges)
                block = kit.block(("attract card",), panel.width, panel.height, self._card)
            # A card over the picture is drawn again each frame: the picture is.
            kit.place(block, panel.topleft, blit=self._shown is not block or not layout.beside)
            self._shown = block
            origin = panel.topleft
        # Only the breathing button changes from frame to frame.
        assert block.figure_at is not None
        place = block.figure_at.move(origin)
        # In eight steps: each size's glyph is drawn once and kept.
        breath = round(4 - 4 * math.cos(now * math.tau / BREATH_SECONDS)) / 8
        grown = place.width - 2 * round((1 - breath) * BREATH * kit.unit)
        kit.surface.fill(kit.background, place)
        glyph = button_glyph(kit, True, grown)
        kit.surface.blit(glyph, glyph.get_rect(center=place.center))

    def name_size(self) -> float:
        """The event's name: one size with and without the live picture (a tall screen's band
        above the picture holds no more)."""
        return 8 if self.kit.landscape else 6

    def _still(self, block: Block) -> None:
        """The whole screen without the live view: the words centred."""
        kit = self.kit
        safe = kit.safe
        # On a tall screen the block sits lower, nearer the eyes of a standing person.
        top = safe.top + safe.height * (0.1 if kit.landscape else 0.2)
        column = pygame.Rect(safe.left, round(top), safe.width, safe.bottom - round(top))
        self._words(block, column, name_size=self.name_size())

    def _invitation(self, block: Block) -> None:
        """The words beside (or above) the live mirror."""
        column = pygame.Rect(0, 0, block.width, block.height)
        self._words(block, column, name_size=self.name_size())

    def _head(self, block: Block) -> None:
        """The event's logo (or name) and the tagline in the band above the picture."""
        kit = self.kit
        name, tagline = kit.config.event.name, kit.texts.get("attract_tagline")
        tagline_height = block.height_of(tagline, 4.6, block.width, max_lines=2)
        if kit.logo is not None:
            room = (block.width, max(1, round(block.height - tagline_height - 2 * kit.unit)))
            logo = fit(kit.logo, room) if kit.logo.get_height() > room[1] else kit.logo
            height = logo.get_height() + kit.unit + tagline_height
            top = max(0, (block.height - height) / 2)
            block.blit(logo, logo.get_rect(midtop=(block.width // 2, round(top))).topleft)
            top += logo.get_height() + kit.unit
        else:
            size = self.name_size()
            height = block.height_of(name, size, block.width, "semibold", max_lines=1)
            height += kit.unit + tagline_height
            top = max(0, (block.height - height) / 2)
            top = block.paragraph(name, size, kit.foreground, top, "semibold", max_lines=1)
            top += kit.unit
        block.paragraph(tagline, 4.6, kit.muted, top, max_lines=2)

    def _card(self, block: Block) -> None:
        """The button, "press to start" and the privacy notice on a card below the chin."""
        kit = self.kit
        unit = kit.unit
        notice = privacy_notice(kit)
        press = kit.texts.get("attract_press")
        notice_height = block.height_of(notice, MIN_SIZE, block.width, max_lines=3)
        press_height = block.height_of(press, 5.5, block.width, "semibold", max_lines=2)
        side = round(min(18 * unit, block.height - notice_height - press_height - 8 * unit))
        top = 2 * unit
        block.figure_at = pygame.Rect(0, 0, side, side)
        block.figure_at.midtop = (block.width // 2, round(top))
        top = block.paragraph(
            press, 5.5, kit.foreground, top + side + 2 * unit, "semibold", max_lines=2
        )
        block.paragraph(notice, MIN_SIZE, kit.muted, block.height - notice_height - unit,
                        max_lines=3)  # fmt: skip

    def _words(self, block: Block, column: pygame.Rect, name_size: float) -> None:
        """Logo or event name, tagline, the breathing button, "press to start", privacy, from
        the column's top down; the privacy notice at its foot."""
        kit = self.kit
        unit = kit.unit
        area = {"left": column.left, "width": column.width}
        notice = privacy_notice(kit)
        notice_height = block.height_of(notice, MIN_SIZE, column.width, max_lines=3)
        tall = column.height > 70 * unit
        side = round((20 if tall else 12) * unit + 2 * BREATH * unit)
        top = float(column.top)
        logo = kit.logo
        if logo is not None and logo.get_width() <= column.width:
            block.blit(logo, logo.get_rect(midtop=(column.centerx, round(top))).topleft)
            top += logo.get_height() + 3 * unit
        else:
            name = kit.config.event.name
            top = block.paragraph(name, name_size, kit.foreground, top, "semibold", **area,
                                  max_lines=2)  # fmt: skip
        tagline = kit.texts.get("attract_tagline")
        top = block.paragraph(tagline, 5, kit.muted, top + 2 * unit, **area, max_lines=3)
        press = kit.texts.get("attract_press")
        press_height = block.height_of(press, 6, column.width, "semibold", max_lines=2)
        room = column.bottom - notice_height - 3 * unit - top
        if not tall and room < side + press_height + 6 * unit:
            side = round(max(8 * unit, room - press_height - 6 * unit))
        block.figure_at = pygame.Rect(0, 0, side, side)
        block.figure_at.midtop = (column.centerx, round(top + 3 * unit))
        top = block.figure_at.bottom + 2 * unit
        block.paragraph(press, 6, kit.foreground, top, "semibold", **area, max_lines=2)
        block.paragraph(
            notice, MIN_SIZE, kit.muted, column.bottom - notice_height, **area, max_lines=3
        )


def privacy_notice(kit: ScreenKit) -> str:
    """When the booth saves, how long the link works and when the photo is deleted, in the
    configured days."""
    retention_days = max(1, round(kit.config.storage.retention / 86400))
    link_days = max(1, round(kit.config.share.link_ttl / 86400))
    return kit.texts.get("attract_privacy", retention_days=retention_days, link_days=link_days)
