"""What goes into the booth's state machine (events) and what comes out of it (commands).

Events are button presses, the clock's tick, framing advice and the results of commands; commands
are what the edge must carry out. All are plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.photos.store import SavedPhoto

# --- events -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MainButton:
    # When it was pressed (the loop's clock), stamped where the press arose (the GPIO callback,
    # the window event); None: as it is handled. A press from before the current screen began
    # (during the burst, say) decides nothing on it.
    at: float | None = None


@dataclass(frozen=True)
class SecondButton:
    at: float | None = None


@dataclass(frozen=True)
class Tick:
    pass


@dataclass(frozen=True)
class FramingAdvice:
    """What framing analysis concluded about the current preview frame."""

    person_present: bool
    cue: str | None = None
    progress: float = 0.0
    ready: bool = False
    lighting: tuple[str, ...] = ()  # lighting problems for the operator (docs/framing.md)


@dataclass(frozen=True)
class CaptureFinished:
    photo: SavedPhoto


@dataclass(frozen=True)
class CaptureFailed:
    reason: str
    source: str = "camera"


CAMERA = "camera"
DISK = "disk"
INDEX = "index"


@dataclass(frozen=True)
class Fault:
    """Part of the booth (``CAMERA``, ``DISK``, ``INDEX``) cannot work: out of order."""

    source: str
    reason: str


@dataclass(frozen=True)
class Recovered:
    source: str


@dataclass(frozen=True)
class PrintQueued:
    """The print service took the photo: what the visit log keeps (its id, copies, layout)."""

    record: dict[str, Any]


@dataclass(frozen=True)
class PrintRefused:
    """The print service did not take the photo (the printer went, the journal failed): the
    offer stays for another press."""


Event = (
    MainButton
    | SecondButton
    | Tick
    | FramingAdvice
    | CaptureFinished
    | CaptureFailed
    | Fault
    | Recovered
    | PrintQueued
    | PrintRefused
)


# --- commands -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptureBurst:
    count: int


@dataclass(frozen=True)
class DiscardPhoto:
    photo: SavedPhoto


@dataclass(frozen=True)
class PrintPhoto:
    """Print the visit's photo (``print.when``: "always" at keep, "ask" on the second button)."""

    photo: SavedPhoto


@dataclass(frozen=True)
class RecordVisit:
    record: dict[str, Any]


@dataclass(frozen=True)
class CheckHealth:
    """Try the faulty parts again: restart the camera, look at the free disk space."""

    sources: tuple[str, ...]


@dataclass(frozen=True)
class ReportFault:
    reason: str


Command = CaptureBurst | DiscardPhoto | RecordVisit | CheckHealth | ReportFault | PrintPhoto
