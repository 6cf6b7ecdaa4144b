"""``[print]``: prints through CUPS, when the operator wants them (off by default)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, StrictInt

from kiosk.config.values import Duration, Section

# The paper sizes the print layout knows (kiosk/printing/layout.py holds their dimensions).
PAPERS = ("4x6", "5x7", "A6", "A5", "A4", "letter")


class PrintConfig(Section):
    when: Literal["ask", "always", "never"] = "never"
    queue: str = ""  # the CUPS queue; empty: CUPS's default queue
    server: str = ""  # CUPS's host:port; empty: this machine's CUPS
    copies: StrictInt = Field(1, ge=1, le=10)
    per_visit: StrictInt = Field(1, ge=1, le=20)
    per_event: StrictInt = Field(200, ge=1, le=100_000)
    paper: Literal["4x6", "5x7", "A6", "A5", "A4", "letter"] = "4x6"
    margin_mm: float = Field(3.0, ge=0.0, le=30.0)
    event_line: str | None = Field(None, max_length=120)  # None: the event's name
    logo: StrictBool = True  # the event's logo (branding.logo) in the strip, if it has one
    retry_after: Duration = 120.0
    give_up_after: Duration = 600.0
    poll_interval: Duration = 2.0
