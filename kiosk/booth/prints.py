"""The booth's side of printing: whether the share screen offers a print, asking for one, and
what the share screen and the phone page say about it. The print service (kiosk/printing) does
the work on its own thread; everything here only reads what it last learnt."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from kiosk.booth.events import PrintQueued
from kiosk.booth.machine import BoothMachine, Phase
from kiosk.config import StorageLayout
from kiosk.photos.store import SavedPhoto
from kiosk.printing.service import PrintService

log = logging.getLogger(__name__)

# What the share screen says about printing (texts.py: print_offer, print_on_its_way,
# print_paused) and the phone page's news (on-screen record: {"print": ...}).
OFFER, ON_ITS_WAY, PAUSED = "offer", "on its way", "paused"


def visit_key(photo: SavedPhoto | None) -> str:
    """The visit's name in the print journal (for its cap): from its photo, not the token
    itself, which is the photo's only key."""
    if photo is None:
        return ""
    return hashlib.sha256(photo.token.encode()).hexdigest()[:16]


class BoothPrinting:
    def __init__(self, service: PrintService, layout: StorageLayout):
        self.service = service
        self.layout = layout
        self._paused_said: str | None = None

    def follow(self, machine: BoothMachine) -> None:
        """Each frame: may the visit's photo be printed now? (no waiting on CUPS)"""
        offer = self.service.offer(visit_key(machine.photo))
        machine.print_offered = offer.available
        visit = machine.visit
        if offer.available or visit is None:
            self._paused_said = None
            return
        if offer.why != self._paused_said:
            log.info("prints not offered: %s", offer.why)
            self._paused_said = offer.why
        if machine.phase is Phase.SHARE and not visit.prints:
            visit.prints_paused = offer.why  # the visit log says why this guest got no print

    def print_photo(self, photo: SavedPhoto) -> PrintQueued | None:
        ticket = self.service.ask(self.layout.photo_name(Path(photo.path)), visit_key(photo))
        return PrintQueued(ticket) if ticket is not None else None

    def note(self, machine: BoothMachine) -> str | None:
        """What the share screen says about printing: the print button's offer, a print on its
        way, prints paused, or nothing (a visit that did not ask, in "ask" mode)."""
        visit = machine.visit
        if machine.phase is not Phase.SHARE or visit is None:
            return None
        if visit.prints:
            progress = self.service.progress(visit.prints[-1]["id"])
            return PAUSED if progress in ("failed", "given-up") else ON_ITS_WAY
        if machine.print_button:
            return OFFER
        if not machine.print_offered:
            return PAUSED
        return None

    def news(self, machine: BoothMachine) -> dict[str, str]:
        """The phone page's news about the visit on screen (the on-screen record's ``news``)."""
        note = self.note(machine)
        return {"print": note} if note in (ON_ITS_WAY, PAUSED) else {}
