"""Every transition and timeout of the booth's state machine, on an injected clock."""

from __future__ import annotations

import pytest

from kiosk.booth.events import (
    CAMERA,
    DISK,
    CaptureBurst,
    CaptureFailed,
    CaptureFinished,
    CheckHealth,
    DiscardPhoto,
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
from kiosk.booth.machine import DOUBLE_PRESS, BoothMachine, Phase
from kiosk.config import TimingConfig
from kiosk.photos.store import SavedPhoto

TIMING = TimingConfig(
    countdown=3,
    framing_timeout=45,
    idle_timeout=90,
    review_timeout=20,
    share_timeout=60,
    capture_timeout=20,
    camera_retry=10,
    retakes=2,
)


def photo(name: str = "a") -> SavedPhoto:
    return SavedPhoto(path=f"/p/{name}.jpg", token=f"tok-{name}", url="u", width=4, height=5)


def booth_in(phase: Phase, now: float = 100.0) -> BoothMachine:
    """A booth walked by real events into ``phase``, which it entered at ``now``."""
    booth = BoothMachine(TIMING, burst_count=5)
    start = now if phase in (Phase.FRAMING, Phase.COUNTDOWN) else now - TIMING.countdown
    booth.handle(MainButton(), start)
    if phase is Phase.FRAMING:
        return booth
    booth.handle(MainButton(), start)
    if phase is Phase.COUNTDOWN:
        return booth
    booth.handle(Tick(), now)
    if phase is Phase.CAPTURE:
        return booth
    booth.handle(CaptureFinished(photo()), now)
    if phase is Phase.REVIEW:
        return booth
    booth.handle(MainButton(), now)
    assert phase is Phase.SHARE
    return booth


def records(commands: list) -> list[dict]:
    return [command.record for command in commands if isinstance(command, RecordVisit)]


def test_booth_starts_attracting() -> None:
    assert BoothMachine(TIMING, 5).phase is Phase.ATTRACT


@pytest.mark.parametrize("button", [MainButton(), SecondButton()])
def test_any_button_starts_a_visit(button) -> None:
    booth = BoothMachine(TIMING, 5)
    assert booth.handle(button, 10.0) == []
    assert booth.phase is Phase.FRAMING
    assert booth.visit is not None and booth.visit.started_at == 10.0


def test_attract_ignores_ticks_forever() -> None:
    booth = BoothMachine(TIMING, 5)
    assert booth.handle(Tick(), 1e6) == []
    assert booth.phase is Phase.ATTRACT


def test_main_button_in_framing_starts_countdown() -> None:
    booth = booth_in(Phase.FRAMING)
    booth.handle(MainButton(), 105.0)
    assert booth.phase is Phase.COUNTDOWN
    assert booth.countdown_remaining(105.0) == 3
    assert booth.countdown_remaining(106.2) == 2
    assert booth.countdown_remaining(107.9) == 1


def test_second_button_in_framing_cancels_the_visit() -> None:
    booth = booth_in(Phase.FRAMING)
    [record] = records(booth.handle(SecondButton(), 104.0))
    assert booth.phase is Phase.ATTRACT
    assert record["outcome"] == "cancelled"
    assert record["phases"] == [{"phase": "framing", "seconds": 4.0}]


def test_framing_timeout_offers_the_button_but_stays() -> None:
    booth = booth_in(Phase.FRAMING)
    booth.handle(FramingAdvice(person_present=True, cue="cue_step_back"), 140.0)
    assert not booth.framing_timed_out(144.9)
    booth.handle(FramingAdvice(person_present=True, cue="cue_step_back"), 145.0)
    booth.handle(Tick(), 145.0)
    assert booth.framing_timed_out(145.0)
    assert booth.phase is Phase.FRAMING
    booth.handle(MainButton(), 150.0)
    assert booth.phase is Phase.COUNTDOWN


def test_idle_framing_returns_to_attract() -> None:
    booth = booth_in(Phase.FRAMING)
    assert booth.handle(Tick(), 189.9) == []
    [record] = records(booth.handle(Tick(), 190.0))
    assert record["outcome"] == "walked_away"
    assert booth.phase is Phase.ATTRACT


def test_a_present_person_keeps_framing_alive() -> None:
    booth = booth_in(Phase.FRAMING)
    booth.handle(FramingAdvice(person_present=True, cue="cue_step_back"), 180.0)
    booth.handle(Tick(), 260.0)
    assert booth.phase is Phase.FRAMING
    booth.handle(FramingAdvice(person_present=False), 265.0)
    booth.handle(Tick(), 270.1)
    assert booth.phase is Phase.ATTRACT


def test_ready_guidance_starts_countdown_by_itself() -> None:
    booth = booth_in(Phase.FRAMING)
    booth.handle(FramingAdvice(person_present=True, progress=0.5), 101.0)
    assert booth.phase is Phase.FRAMING
    booth.handle(FramingAdvice(person_present=True, progress=1.0, ready=True), 102.0)
    assert booth.phase is Phase.COUNTDOWN


def test_ready_guidance_waits_for_the_button_without_auto_capture() -> None:
    booth = BoothMachine(TIMING, 5, auto_capture=False)
    booth.handle(MainButton(), 0.0)
    booth.handle(FramingAdvice(person_present=True, progress=1.0, ready=True), 1.0)
    assert booth.phase is Phase.FRAMING


def test_countdown_ends_in_a_burst() -> None:
    booth = booth_in(Phase.FRAMING)
    booth.handle(MainButton(), 110.0)
    assert booth.handle(Tick(), 112.99) == []
    assert booth.handle(Tick(), 113.0) == [CaptureBurst(5)]
    assert booth.phase is Phase.CAPTURE


def test_second_button_in_countdown_goes_back_to_framing() -> None:
    booth = booth_in(Phase.COUNTDOWN)
    booth.handle(SecondButton(), 101.0)
    assert booth.phase is Phase.FRAMING


def test_main_button_in_countdown_changes_nothing() -> None:
    booth = booth_in(Phase.COUNTDOWN)
    booth.handle(MainButton(), 101.0)
    assert booth.phase is Phase.COUNTDOWN


def test_finished_capture_shows_review() -> None:
    booth = booth_in(Phase.CAPTURE)
    booth.handle(CaptureFinished(photo("x")), 101.0)
    assert booth.phase is Phase.REVIEW
    assert booth.photo == photo("x")


def test_buttons_during_capture_are_ignored() -> None:
    booth = booth_in(Phase.CAPTURE)
    booth.handle(MainButton(), 100.5)
    booth.handle(SecondButton(), 100.6)
    assert booth.phase is Phase.CAPTURE


def test_failed_capture_puts_the_booth_out_of_order() -> None:
    booth = booth_in(Phase.CAPTURE)
    commands = booth.handle(CaptureFailed("sensor timeout"), 101.0)
    assert booth.phase is Phase.OUT_OF_ORDER
    assert ReportFault("capture failed: sensor timeout") in commands
    [record] = records(commands)
    assert record["outcome"] == "fault"
    assert booth.fault == "capture failed: sensor timeout"


def test_capture_that_never_returns_times_out() -> None:
    booth = booth_in(Phase.CAPTURE)
    assert booth.handle(Tick(), 119.9) == []
    booth.handle(Tick(), 120.0)
    assert booth.phase is Phase.OUT_OF_ORDER


def test_keep_in_review_shares() -> None:
    booth = booth_in(Phase.REVIEW)
    booth.handle(MainButton(), 102.0)
    assert booth.phase is Phase.SHARE


def test_review_timeout_keeps_the_photo() -> None:
    booth = booth_in(Phase.REVIEW)
    booth.handle(Tick(), 119.9)
    assert booth.phase is Phase.REVIEW
    booth.handle(Tick(), 120.0)
    assert booth.phase is Phase.SHARE


def test_retake_discards_the_photo_and_frames_again() -> None:
    booth = booth_in(Phase.REVIEW)
    commands = booth.handle(SecondButton(), 102.0)
    assert commands == [DiscardPhoto(photo())]
    assert booth.phase is Phase.FRAMING
    assert booth.photo is None
    assert booth.retakes_left == 1


def test_retakes_are_limited() -> None:
    booth = booth_in(Phase.REVIEW)
    for retake in range(TIMING.retakes):
        booth.handle(SecondButton(), 200.0 + retake)
        booth.handle(MainButton(), 200.0 + retake)
        booth.handle(Tick(), 210.0 + retake)
        booth.handle(CaptureFinished(photo(f"r{retake}")), 210.0 + retake)
        assert booth.phase is Phase.REVIEW
    assert booth.retakes_left == 0
    assert booth.handle(SecondButton(), 300.0) == []
    assert booth.phase is Phase.REVIEW
    booth.handle(MainButton(), 301.0)
    [record] = records(booth.handle(MainButton(), 301.0 + TIMING.share_guard))
    assert record["retakes"] == 2
    assert record["photo"] == "/p/r1.jpg"


@pytest.mark.parametrize("button", [MainButton(), SecondButton()])
def test_a_button_on_the_share_screen_ends_the_visit(button) -> None:
    booth = booth_in(Phase.SHARE)
    [record] = records(booth.handle(button, 130.0))
    assert booth.phase is Phase.ATTRACT
    assert record["outcome"] == "shared"
    assert record["token"] == "tok-a"


@pytest.mark.parametrize("button", [MainButton(), SecondButton()])
def test_presses_right_after_the_share_screen_opens_are_ignored(button) -> None:
    # The code must not vanish because the person pressed twice, or the next one pressed.
    booth = booth_in(Phase.SHARE)
    assert booth.handle(button, 100.0 + TIMING.share_guard - 0.01) == []
    assert booth.phase is Phase.SHARE
    [record] = records(booth.handle(button, 100.0 + TIMING.share_guard))
    assert record["outcome"] == "shared"


def test_the_wifi_step_and_the_link_step_each_ignore_early_presses() -> None:
    booth = BoothMachine(TIMING, 5, wifi_first=True)
    booth.handle(MainButton(), 0.0)
    booth.handle(MainButton(), 1.0)
    booth.handle(Tick(), 4.0)
    booth.handle(CaptureFinished(photo()), 5.0)
    booth.handle(MainButton(), 6.0)
    assert booth.showing_wifi
    booth.handle(MainButton(), 7.0)
    assert booth.showing_wifi
    booth.handle(MainButton(), 6.0 + TIMING.share_guard)
    assert booth.phase is Phase.SHARE and not booth.showing_wifi
    booth.handle(MainButton(), 7.0 + TIMING.share_guard)
    assert booth.phase is Phase.SHARE


def test_share_timeout_ends_the_visit() -> None:
    booth = booth_in(Phase.SHARE)
    assert booth.handle(Tick(), 159.9) == []
    [record] = records(booth.handle(Tick(), 160.0))
    assert booth.phase is Phase.ATTRACT
    assert record["phases"][-1] == {"phase": "share", "seconds": 60.0}


def share_screen_with(**options: bool) -> BoothMachine:
    booth = BoothMachine(TIMING, 5, **options)
    booth.handle(MainButton(), 0.0)
    booth.handle(MainButton(), 1.0)
    booth.handle(Tick(), 4.0)
    booth.handle(CaptureFinished(photo()), 5.0)
    booth.handle(MainButton(), 10.0)
    assert booth.phase is Phase.SHARE
    return booth


def test_a_wifi_join_code_keeps_the_share_screen_up_longer() -> None:
    assert TIMING.share_wifi_timeout == 90
    # Side by side: the one screen with both codes stays 90 s.
    side_by_side = share_screen_with(join_code=True)
    assert side_by_side.handle(Tick(), 10.0 + 89.9) == [] and side_by_side.phase is Phase.SHARE
    [record] = records(side_by_side.handle(Tick(), 10.0 + 90.0))
    assert record["phases"][-1] == {"phase": "share", "seconds": 90.0}
    # One after the other: the join step 90 s, then the link its own 60 s.
    steps = share_screen_with(wifi_first=True)
    steps.handle(Tick(), 10.0 + 89.9)
    assert steps.showing_wifi
    steps.handle(Tick(), 100.0)
    assert not steps.showing_wifi and steps.share_seconds() == 60
    assert steps.handle(Tick(), 159.9) == []
    assert records(steps.handle(Tick(), 160.0))
    # Never shorter than share_timeout, and without a join code just that.
    longer = TIMING.model_copy(update={"share_timeout": 120.0})
    assert BoothMachine(longer, 5, join_code=True).share_seconds() == 120
    assert share_screen_with().share_seconds() == 60


def test_visit_record_lists_phases_with_durations() -> None:
    booth = BoothMachine(TIMING, 5)
    booth.handle(MainButton(), 0.0)
    booth.handle(MainButton(), 12.0)
    booth.handle(Tick(), 15.0)
    booth.handle(CaptureFinished(photo()), 16.5)
    booth.handle(MainButton(), 20.0)
    [record] = records(booth.handle(MainButton(), 30.0))
    assert [(p["phase"], p["seconds"]) for p in record["phases"]] == [
        ("framing", 12.0),
        ("countdown", 3.0),
        ("capture", 1.5),
        ("review", 3.5),
        ("share", 10.0),
    ]
    assert record["duration_s"] == 30.0
    assert record["retakes"] == 0


@pytest.mark.parametrize("phase", [Phase.ATTRACT, Phase.FRAMING, Phase.COUNTDOWN, Phase.CAPTURE])
def test_camera_fault_puts_the_booth_out_of_order(phase: Phase) -> None:
    booth = booth_in(phase) if phase is not Phase.ATTRACT else BoothMachine(TIMING, 5)
    booth.handle(Fault(CAMERA, "camera unplugged"), 101.0)
    assert booth.phase is Phase.OUT_OF_ORDER
    assert booth.visit is None


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.SHARE])
def test_camera_fault_lets_a_person_with_a_photo_finish(phase: Phase) -> None:
    booth = booth_in(phase)
    booth.handle(Fault(CAMERA, "camera unplugged"), 101.0)
    assert booth.phase is phase
    if phase is Phase.REVIEW:
        booth.handle(MainButton(), 102.0)
    [record] = records(booth.handle(MainButton(), 103.0 + TIMING.share_guard))
    assert record["outcome"] == "shared"
    assert booth.phase is Phase.OUT_OF_ORDER


def test_out_of_order_retries_the_camera_on_schedule_and_recovers() -> None:
    booth = BoothMachine(TIMING, 5)
    booth.handle(Fault(CAMERA, "no camera"), 0.0)
    assert booth.handle(Tick(), 9.9) == []
    assert booth.handle(Tick(), 10.0) == [CheckHealth((CAMERA,))]
    assert booth.handle(Tick(), 15.0) == []
    assert booth.handle(Tick(), 20.0) == [CheckHealth((CAMERA,))]
    booth.handle(MainButton(), 21.0)
    assert booth.phase is Phase.OUT_OF_ORDER
    booth.handle(Recovered(CAMERA), 22.0)
    assert booth.phase is Phase.ATTRACT
    assert booth.fault is None


def test_repeated_faults_while_out_of_order_only_report() -> None:
    booth = BoothMachine(TIMING, 5)
    booth.handle(Fault(CAMERA, "no camera"), 0.0)
    assert booth.handle(Fault(CAMERA, "still none"), 5.0) == [ReportFault("still none")]
    assert booth.phase is Phase.OUT_OF_ORDER


def test_every_faulty_part_must_recover_before_the_booth_works_again() -> None:
    booth = BoothMachine(TIMING, 5)
    booth.handle(Fault(DISK, "12 MB free, 500 MB needed"), 0.0)
    booth.handle(Fault(CAMERA, "no camera"), 1.0)
    assert booth.handle(Tick(), 11.0) == [CheckHealth((DISK, CAMERA))]
    booth.handle(Recovered(CAMERA), 12.0)
    assert booth.phase is Phase.OUT_OF_ORDER
    assert booth.fault == "12 MB free, 500 MB needed"
    booth.handle(Recovered(DISK), 13.0)
    assert booth.phase is Phase.ATTRACT


def test_a_failed_save_is_a_disk_fault() -> None:
    booth = booth_in(Phase.CAPTURE)
    booth.handle(CaptureFailed("No space left on device", source=DISK), 101.0)
    assert booth.phase is Phase.OUT_OF_ORDER
    assert booth.faults == {DISK: "capture failed: No space left on device"}


def test_wifi_step_comes_before_the_link_and_gets_its_own_time() -> None:
    booth = BoothMachine(TIMING, 5, wifi_first=True)
    booth.handle(MainButton(), 0.0)
    booth.handle(MainButton(), 1.0)
    booth.handle(Tick(), 4.0)
    booth.handle(CaptureFinished(photo()), 5.0)
    booth.handle(MainButton(), 6.0)
    assert booth.phase is Phase.SHARE and booth.screen == "share_wifi"
    assert booth.handle(MainButton(), 20.0) == []
    assert booth.screen == "share"
    booth.handle(Tick(), 79.9)
    assert booth.screen == "share"
    [record] = records(booth.handle(Tick(), 80.0))
    assert [(p["phase"], p["seconds"]) for p in record["phases"]][-2:] == [
        ("share_wifi", 14.0),
        ("share", 60.0),
    ]


def test_wifi_step_times_out_into_the_link() -> None:
    booth = BoothMachine(TIMING, 5, wifi_first=True)
    booth.handle(MainButton(), 0.0)
    booth.handle(MainButton(), 0.0)
    booth.handle(Tick(), 3.0)
    booth.handle(CaptureFinished(photo()), 3.0)
    booth.handle(Tick(), 23.0)
    assert booth.screen == "share_wifi"
    booth.handle(Tick(), 83.0)
    assert booth.screen == "share_wifi", "joining the Wi-Fi gets share_wifi_timeout"
    booth.handle(Tick(), 113.0)
    assert booth.screen == "share"


def test_visit_record_has_the_guidance_figures() -> None:
    booth = BoothMachine(TIMING, 5)
    booth.handle(MainButton(), 0.0)
    booth.handle(FramingAdvice(person_present=True, cue="cue_come_closer"), 1.0)
    booth.handle(FramingAdvice(person_present=True, cue="cue_hold_still"), 3.5)
    booth.handle(FramingAdvice(person_present=True, cue=None, progress=0.2), 4.0)
    booth.handle(FramingAdvice(person_present=True, cue=None, progress=1.0, ready=True), 5.0)
    booth.handle(Tick(), 8.0)
    booth.handle(CaptureFinished(photo()), 9.0)
    booth.handle(MainButton(), 10.0)
    [record] = records(booth.handle(MainButton(), 10.0 + TIMING.share_guard))
    assert record["first_good_framing_s"] == 4.0
    assert record["capture_s"] == 8.0
    assert record["cues"] == [
        {"cue": "cue_come_closer", "seconds": 2.5},
        {"cue": "cue_hold_still", "seconds": 0.5},
    ]


def share_with_print_offer() -> tuple[BoothMachine, float]:
    """A booth on the share screen offering a print ("ask"), and a moment past its guard."""
    booth = BoothMachine(TIMING, 5, printing="ask")
    booth.print_offered = True
    booth.handle(MainButton(), 97.0)
    booth.handle(MainButton(), 97.0)
    booth.handle(Tick(), 100.0)
    booth.handle(CaptureFinished(photo()), 100.0)
    booth.handle(MainButton(), 100.0)
    assert booth.phase is Phase.SHARE and booth.print_button
    return booth, 100.0 + TIMING.share_guard + 0.1


def test_two_print_presses_in_one_frame_ask_for_one_print() -> None:
    """The print service's answer (PrintQueued) comes a frame later; a guest pressing twice
    meanwhile gets one print, whatever print.per_visit allows, and keeps the share screen."""
    booth, later = share_with_print_offer()
    first = booth.handle(SecondButton(at=later), later)
    second = booth.handle(SecondButton(at=later), later)
    assert first == [PrintPhoto(photo())] and second == []
    assert not booth.print_button and booth.phase is Phase.SHARE
    booth.handle(PrintQueued({"id": "p1"}), later + 0.05)
    assert not booth.print_button  # one print a visit
    booth.handle(SecondButton(at=later + 0.3), later + 0.3)  # still the same double press
    assert booth.phase is Phase.SHARE
    done = later + DOUBLE_PRESS
    booth.handle(SecondButton(at=done), done)  # a press of its own: the visit ends
    assert booth.phase is Phase.ATTRACT


def test_a_print_the_service_refused_is_offered_again() -> None:
    booth, later = share_with_print_offer()
    assert booth.handle(SecondButton(at=later), later) == [PrintPhoto(photo())]
    booth.handle(PrintRefused(), later + 0.05)
    assert booth.print_button and booth.phase is Phase.SHARE
    again = later + DOUBLE_PRESS
    assert booth.handle(SecondButton(at=again), again) == [PrintPhoto(photo())]
