"""The booth's state machine: pure, clock-injected, no hardware.

``BoothMachine.handle(event, now)`` takes one event and the current monotonic time and returns the
commands the edge must carry out (take a burst, discard a photo, record a visit, check a part).
Results of those commands come back as events. Nothing here sleeps, reads a clock or touches I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from kiosk.booth.events import (
    CAMERA,
    CaptureBurst,
    CaptureFailed,
    CaptureFinished,
    CheckHealth,
    Command,
    DiscardPhoto,
    Event,
    Fault,
    FramingAdvice,
    MainButton,
    PrintPhoto,
    PrintQueued,
    PrintRefused,
    RecordVisit,
    Recovered,
    ReportFault,
    SecondButton,
    Tick,
)
from kiosk.config import TimingConfig
from kiosk.photos.store import SavedPhoto

# Presses this soon after the print button are the same press (people press twice, or harder).
DOUBLE_PRESS = 2.0


class Phase(Enum):
    ATTRACT = "attract"
    FRAMING = "framing"
    COUNTDOWN = "countdown"
    CAPTURE = "capture"
    REVIEW = "review"
    SHARE = "share"
    OUT_OF_ORDER = "out_of_order"


# --- the visit ----------------------------------------------------------------------------------


@dataclass
class Visit:
    started_at: float
    phases: list[tuple[str, float]] = field(default_factory=list)
    retakes: int = 0
    photo: SavedPhoto | None = None
    first_good_at: float | None = None
    captured_at: float | None = None
    cues: list[tuple[str, float]] = field(default_factory=list)
    cue: str | None = None
    cue_since: float = 0.0
    # Counts the returns to framing (a stopped countdown, a retake): each starts a new hold.
    attempt: int = 0
    lighting: set[str] = field(default_factory=set)
    prints: list[dict[str, Any]] = field(default_factory=list)  # what the print service took
    # A print asked for and not yet answered (the service answers a frame later): a second
    # press meanwhile must not ask again. Refused, the offer stays.
    print_waiting: bool = False
    # When the print button was pressed: a double press is one press, and does not end the visit.
    print_pressed_at: float | None = None
    prints_paused: str | None = None  # why no print was offered on the share screen (staff)

    def show_cue(self, cue: str | None, now: float) -> None:
        """Remember which cue was on screen for how long (thresholds get tuned from this)."""
        if cue == self.cue:
            return
        if self.cue is not None:
            self.cues.append((self.cue, now - self.cue_since))
        self.cue, self.cue_since = cue, now

    def record(self, outcome: str, now: float) -> dict[str, Any]:
        self.show_cue(None, now)

        def since_start(moment: float | None) -> float | None:
            return round(moment - self.started_at, 3) if moment is not None else None

        return {
            "duration_s": round(now - self.started_at, 3),
            "first_good_framing_s": since_start(self.first_good_at),
            "capture_s": since_start(self.captured_at),
            "cues": [{"cue": cue, "seconds": round(sec, 3)} for cue, sec in self.cues],
            "phases": [{"phase": name, "seconds": round(sec, 3)} for name, sec in self.phases],
            "retakes": self.retakes,
            "outcome": outcome,
            "photo": self.photo.path if self.photo else None,
            "token": self.photo.token if self.photo else None,
            "capture": self.photo.details if self.photo else None,
            "lighting": sorted(self.lighting),
            "prints": list(self.prints),
            "prints_paused": self.prints_paused,
        }


class BoothMachine:
    """One booth's visible state and the rules that move it."""

    def __init__(
        self,
        timing: TimingConfig,
        burst_count: int,
        auto_capture: bool = True,
        wifi_first: bool = False,
        printing: str = "never",
        join_code: bool = False,
    ):
        self.timing = timing
        self.burst_count = burst_count
        self.auto_capture = auto_capture
        # Show the Wi-Fi join code on a screen of its own before the photo's link.
        self.wifi_first = wifi_first
        self.showing_wifi = False
        # A code to join the booth's Wi-Fi shows on the share screen (first, or beside the
        # link's): the screen stays ``share_wifi_timeout`` while it does.
        self.join_code = join_code or wifi_first
        # print.when: "always" prints at keep, "ask" offers the second button on the share
        # screen while ``print_offered`` (the loop sets it from the printer's state each frame).
        self.printing = printing
        self.print_offered = False
        self.phase = Phase.ATTRACT
        self.entered_at = 0.0
        self.visit: Visit | None = None
        self.advice: FramingAdvice | None = None
        self.last_activity = 0.0
        self.faults: dict[str, str] = {}
        self._last_retry = 0.0

    # -- read-only views for the screens --

    @property
    def screen(self) -> str:
        """The screen on display: the phase, or the Wi-Fi step of sharing."""
        return "share_wifi" if self.showing_wifi else self.phase.value

    def seconds_in_phase(self, now: float) -> float:
        return max(0.0, now - self.entered_at)

    def countdown_remaining(self, now: float) -> int:
        return max(1, self.timing.countdown - int(self.seconds_in_phase(now)))

    def framing_timed_out(self, now: float) -> bool:
        return (
            self.phase is Phase.FRAMING
            and self.seconds_in_phase(now) >= self.timing.framing_timeout
        )

    @property
    def retakes_left(self) -> int:
        used = self.visit.retakes if self.visit else 0
        return max(0, self.timing.retakes - used)

    @property
    def healthy(self) -> bool:
        return not self.faults

    @property
    def fault(self) -> str | None:
        return "; ".join(self.faults.values()) or None

    @property
    def photo(self) -> SavedPhoto | None:
        return self.visit.photo if self.visit else None

    # -- the rules --

    def handle(self, event: Event, now: float) -> list[Command]:
        match event:
            case Fault(source=source, reason=reason):
                return self._fault(source, reason, now)
            case Recovered(source=source):
                return self._recovered(source, now)
            case PrintQueued(record=record):
                if self.visit is not None:
                    self.visit.prints.append(record)
                    self.visit.print_waiting = False
                return []
            case PrintRefused():
                if self.visit is not None:
                    self.visit.print_waiting = False
                return []
            case MainButton(at=at) | SecondButton(at=at):
                if at is not None and at < self.entered_at:
                    return []  # pressed before this screen began: it decides nothing here
                self.last_activity = now
        handler = getattr(self, f"_on_{self.phase.value}")
        return handler(event, now)

    def _on_attract(self, event: Event, now: float) -> list[Command]:
        if isinstance(event, MainButton | SecondButton):
            self.visit = Visit(started_at=now)
            self._enter(Phase.FRAMING, now)
        return []

    def _on_framing(self, event: Event, now: float) -> list[Command]:
        match event:
            case MainButton():
                self._enter(Phase.COUNTDOWN, now)
            case SecondButton():
                return self._end_visit("cancelled", now)
            case FramingAdvice() as advice:
                self.advice = advice
                assert self.visit is not None
                self.visit.show_cue(advice.cue, now)
                self.visit.lighting.update(advice.lighting)
                if advice.person_present:
                    self.last_activity = now
                    if advice.cue is None and self.visit.first_good_at is None:
                        self.visit.first_good_at = now
                if advice.ready and self.auto_capture:
                    self._enter(Phase.COUNTDOWN, now)
            case Tick() if now - self.last_activity >= self.timing.idle_timeout:
                return self._end_visit("walked_away", now)
        return []

    def _on_countdown(self, event: Event, now: float) -> list[Command]:
        match event:
            case SecondButton():
                # Back to framing with the hold started afresh: the guidance sees a new attempt,
                # and the advice that started this countdown is gone.
                assert self.visit is not None
                self.visit.attempt += 1
                self.advice = None
                self._enter(Phase.FRAMING, now)
            case Tick() if self.seconds_in_phase(now) >= self.timing.countdown:
                self._enter(Phase.CAPTURE, now)
                assert self.visit is not None
                if self.visit.captured_at is None:
                    self.visit.captured_at = now
                return [CaptureBurst(self.burst_count)]
        return []

    def _on_capture(self, event: Event, now: float) -> list[Command]:
        match event:
            case CaptureFinished(photo=photo):
                assert self.visit is not None
                self.visit.photo = photo
                self._enter(Phase.REVIEW, now)
            case CaptureFailed(reason=reason, source=source):
                return self._fault(source, f"capture failed: {reason}", now)
            case Tick() if self.seconds_in_phase(now) >= self.timing.capture_timeout:
                return self._fault(CAMERA, "capture took too long", now)
        return []

    def _on_review(self, event: Event, now: float) -> list[Command]:
        match event:
            case MainButton():
                return self._enter_share(now)
            case SecondButton() if self.retakes_left > 0:
                assert self.visit is not None and self.visit.photo is not None
                rejected = self.visit.photo
                self.visit.photo = None
                self.visit.retakes += 1
                self.visit.attempt += 1
                self.advice = None
                self._enter(Phase.FRAMING, now)
                return [DiscardPhoto(rejected)]
            case Tick() if self.seconds_in_phase(now) >= self.timing.review_timeout:
                return self._enter_share(now)
        return []

    def _enter_share(self, now: float) -> list[Command]:
        self._enter(Phase.SHARE, now)
        self.showing_wifi = self.wifi_first
        photo = self.photo
        if self.printing == "always" and self.print_offered and photo is not None:
            assert self.visit is not None
            self.visit.print_waiting = True
            return [PrintPhoto(photo)]
        return []

    @property
    def print_button(self) -> bool:
        """Whether the share screen's second button prints now ("ask", one print a visit)."""
        visit = self.visit
        return (
            self.printing == "ask"
            and self.print_offered
            and self.phase is Phase.SHARE
            and not self.showing_wifi
            and visit is not None
            and visit.photo is not None
            and not visit.prints
            and not visit.print_waiting
        )

    def share_seconds(self) -> float:
        """How long the share screen stays as it is now: longer while a Wi-Fi join code shows
        (never shorter than ``share_timeout``)."""
        timing = self.timing
        wifi_shown = self.showing_wifi or (self.join_code and not self.wifi_first)
        if wifi_shown:
            return max(timing.share_timeout, timing.share_wifi_timeout)
        return timing.share_timeout

    def _on_share(self, event: Event, now: float) -> list[Command]:
        timed_out = self.seconds_in_phase(now) >= self.share_seconds()
        # A stray press (someone pressing "back", the next person) must not take the code
        # away before it could be scanned.
        guarded = self.seconds_in_phase(now) < self.timing.share_guard
        visit = self.visit
        if visit is not None and visit.print_pressed_at is not None:
            guarded = guarded or now - visit.print_pressed_at < DOUBLE_PRESS
        if isinstance(event, SecondButton) and not guarded and self.print_button:
            assert visit is not None and visit.photo is not None
            visit.print_waiting, visit.print_pressed_at = True, now
            return [PrintPhoto(visit.photo)]
        pressed = isinstance(event, MainButton | SecondButton) and not guarded
        if pressed or (isinstance(event, Tick) and timed_out):
            if self.showing_wifi:
                # The link gets its full time after the Wi-Fi step.
                self._enter(Phase.SHARE, now)
                self.showing_wifi = False
                return []
            return self._end_visit("shared", now)
        return []

    def _on_out_of_order(self, event: Event, now: float) -> list[Command]:
        if isinstance(event, Tick) and now - self._last_retry >= self.timing.camera_retry:
            self._last_retry = now
            return [CheckHealth(tuple(self.faults))]
        return []

    def recover(self, now: float) -> list[Command]:
        """After an unexpected error: end the visit (a saved photo stays) and start over."""
        if self.visit is not None:
            return self._end_visit("error", now)
        self._enter(Phase.ATTRACT if self.healthy else Phase.OUT_OF_ORDER, now)
        return []

    def interrupt(self, now: float) -> list[Command]:
        """The booth stops (SIGTERM, quit) in the middle of a visit: record it as interrupted."""
        if self.visit is None:
            return []
        return self._end_visit("interrupted", now)

    # -- shared moves --

    def _fault(self, source: str, reason: str, now: float) -> list[Command]:
        self.faults[source] = reason
        commands: list[Command] = [ReportFault(reason)]
        if self.phase in (Phase.REVIEW, Phase.SHARE):
            # The photo is safe on disk; let this person finish, then show the fault.
            return commands
        if self.phase is Phase.OUT_OF_ORDER:
            return commands
        if self.visit is not None:
            commands += self._end_visit("fault", now)
        self._enter(Phase.OUT_OF_ORDER, now)
        self._last_retry = now
        return commands

    def _recovered(self, source: str, now: float) -> list[Command]:
        self.faults.pop(source, None)
        if self.phase is Phase.OUT_OF_ORDER and self.healthy:
            self._enter(Phase.ATTRACT, now)
        return []

    def _end_visit(self, outcome: str, now: float) -> list[Command]:
        assert self.visit is not None
        self._close_phase(now)
        record = self.visit.record(outcome, now)
        self.visit = None
        self.advice = None
        self._enter(Phase.ATTRACT if self.healthy else Phase.OUT_OF_ORDER, now, record=False)
        self._last_retry = now
        return [RecordVisit(record)]

    def _enter(self, phase: Phase, now: float, record: bool = True) -> None:
        if record:
            self._close_phase(now)
        self.phase = phase
        self.showing_wifi = False
        self.entered_at = now
        self.last_activity = now

    def _close_phase(self, now: float) -> None:
        if self.visit is not None and self.phase is not Phase.ATTRACT:
            self.visit.phases.append((self.screen, now - self.entered_at))
