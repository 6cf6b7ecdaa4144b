"""The pure parts of printing: whether the printer can print now (on an injected clock), the
print journal's story, the caps per visit and per event."""

from __future__ import annotations

from kiosk.printing.jobs import Caps, PrintBook, cap_left, too_old
from kiosk.printing.printer_state import PrinterReport, PrinterWatch, WatchRules, stopping

RULES = WatchRules(stale_after=10.0, retry_after=60.0)


def watch_with(report: PrinterReport, now: float = 0.0) -> PrinterWatch:
    watch = PrinterWatch(RULES)
    watch.update(report, now)
    return watch


def test_only_stopping_reasons_stop_prints() -> None:
    reasons = (
        "media-low-warning",
        "media-empty-error",
        "toner-low-report",
        "paused",
        "none",
        "cups-waiting-for-job-completed",
        "other-error",
    )
    assert stopping(reasons) == ("media-empty-error", "paused", "other-error")


def test_a_ready_driverless_printer_prints() -> None:
    watch = watch_with(PrinterReport("booth", driverless=True, device_state="idle"))
    assert watch.verdict(1.0).can_print


def test_a_driverless_printer_out_of_paper_while_idle_does_not() -> None:
    report = PrinterReport("booth", driverless=True, device_reasons=("media-empty-error",))
    verdict = watch_with(report).verdict(1.0)
    assert not verdict.can_print
    assert verdict.why == "the printer says media-empty-error"


def test_a_driverless_printer_that_does_not_answer_does_not() -> None:
    report = PrinterReport("booth", driverless=True, device_error="connection refused")
    assert "does not answer" in watch_with(report).verdict(1.0).why


def test_a_paused_or_rejecting_queue_does_not_print_and_says_the_command() -> None:
    paused = watch_with(PrinterReport("booth", queue_state="stopped", message="Paused"))
    assert paused.verdict(1.0).why == "queue booth is paused (Paused): cupsenable booth"
    rejecting = watch_with(PrinterReport("booth", accepting=False))
    assert rejecting.verdict(1.0).why == "queue booth rejects jobs: cupsaccept booth"


def test_no_word_from_cups_for_too_long_counts_as_cannot_print() -> None:
    watch = watch_with(PrinterReport("booth", driverless=True))
    assert watch.verdict(10.0).can_print
    assert watch.verdict(10.5).why == "no word from CUPS for 10 s"
    assert not PrinterWatch(RULES).verdict(0.0).can_print
    assert (
        "CUPS does not answer"
        in watch_with(PrinterReport("b", cups_error="refused")).verdict(1).why
    )


def test_a_driver_backed_printer_is_judged_by_its_last_job() -> None:
    failed = PrinterReport("usb", queue_reasons=("media-empty-error",), reasons_since=1000)
    watch = watch_with(failed, now=100.0)
    verdict = watch.verdict(101.0)
    assert not verdict.can_print
    assert verdict.why.startswith("the last job failed (media-empty-error)")
    # The same report again does not restart the wait ...
    watch.update(failed, 150.0)
    assert not watch.verdict(159.0).can_print
    # ... after retry_after the next print is the test.
    watch.update(failed, 158.0)
    assert watch.verdict(160.5).can_print
    # Failing again (CUPS's change time moves) holds prints back again.
    watch.update(
        PrinterReport("usb", queue_reasons=("media-empty-error",), reasons_since=1090), 170
    )
    assert not watch.verdict(171.0).can_print
    # A job that printed clears the reason in CUPS: prints at once.
    watch.update(PrinterReport("usb", reasons_since=1100), 172.0)
    assert watch.verdict(172.5).can_print


def test_a_job_that_ended_without_printing_holds_prints_back_until_retry() -> None:
    watch = watch_with(PrinterReport("usb"))
    watch.job_failed("job-aborted-by-system", now=5.0)
    assert "job-aborted-by-system" in watch.verdict(6.0).why
    watch.update(PrinterReport("usb"), 64.0)
    assert not watch.verdict(64.5).can_print
    assert watch.verdict(65.5).can_print
    watch.job_failed("aborted", now=70.0)
    watch.job_printed()
    assert watch.verdict(70.5).can_print


def records() -> list[dict]:
    return [
        {
            "op": "ask",
            "id": "a",
            "file": "p/1.jpg",
            "copies": 1,
            "visit": "v1",
            "event": "E",
            "at": 0,
        },
        {"op": "sent", "id": "a", "job": 7},
        {"op": "done", "id": "a", "state": "completed"},
        {
            "op": "ask",
            "id": "b",
            "file": "p/2.jpg",
            "copies": 2,
            "visit": "v2",
            "event": "E",
            "at": 10,
        },
        {"op": "sent", "id": "b", "job": 8},
        {
            "op": "ask",
            "id": "c",
            "file": "p/3.jpg",
            "copies": 1,
            "visit": "v3",
            "event": "E",
            "at": 20,
        },
        {
            "op": "ask",
            "id": "d",
            "file": "p/4.jpg",
            "copies": 1,
            "visit": "v3",
            "event": "E",
            "at": 21,
        },
        {"op": "given_up", "id": "d", "why": "too old"},
        {
            "op": "ask",
            "id": "x",
            "file": "p/0.jpg",
            "copies": 5,
            "visit": "v0",
            "event": "Old",
            "at": 0,
        },
        {"op": "sent", "id": "unknown-id", "job": 9},
        {"op": "mystery"},
    ]


def test_the_journal_tells_what_reached_cups_and_what_waits() -> None:
    book = PrintBook.replay(records())
    assert [entry.print_id for entry in book.waiting()] == ["c", "x"]
    assert [entry.print_id for entry in book.at_cups()] == ["b"]
    assert book.prints["a"].outcome == "completed"
    assert book.damaged == 2
    # Compaction keeps what counts and what is unfinished; the given-up print that never
    # reached CUPS goes.
    again = PrintBook.replay(book.compacted(keep_finished_after=100.0))
    assert set(again.prints) == {"a", "b", "c", "x"}
    assert again.prints["b"].job_id == 8 and again.prints["a"].outcome == "completed"


def test_caps_count_copies_per_visit_and_per_event() -> None:
    book = PrintBook.replay(records())
    # Event E: 1 + 2 + 1 asked (d was given up before CUPS had it: its copy comes back).
    assert book.copies_counted(event="E") == 4
    assert cap_left(book, Caps(per_visit=2, per_event=10), "v3", "E") == (1, "")
    assert cap_left(book, Caps(per_visit=1, per_event=10), "v3", "E") == (
        0,
        "this visit has had its 1 print(s) (print.per_visit)",
    )
    assert cap_left(book, Caps(per_visit=5, per_event=4), "new", "E")[1].startswith(
        "the event's 4 prints are used up"
    )
    assert cap_left(book, Caps(per_visit=1, per_event=4), "new", "Another event") == (1, "")


def test_a_print_nobody_waits_for_is_too_old() -> None:
    entry = PrintBook.replay(records()).prints["c"]
    assert not too_old(entry, now=20 + 600, give_up_after=600)
    assert too_old(entry, now=20 + 601, give_up_after=600)


def test_a_job_cups_accepted_is_not_sent_again_when_the_journal_cannot_say_so(tmp_path) -> None:
    """lp took the job, then the journal's "sent" line could not be written (a full disk): the
    print must count as sent in this run, or the next round would send it again."""
    from kiosk.config import StorageLayout
    from kiosk.printing.jobs import Print, new_print_id
    from kiosk.printing.service import PrintService, PrintSettings

    service = PrintService(PrintSettings(when="always"), StorageLayout(tmp_path))
    entry = Print(new_print_id(), "photos/a.jpg", 1, "visit", "", 0.0)
    service._record(entry.record())
    assert [waiting.print_id for waiting in service.book.waiting()] == [entry.print_id]
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    service.journal.path = blocker / "prints.jsonl"  # every append now fails
    service._record({"op": "sent", "id": entry.print_id, "job": 7})
    assert service.book.waiting() == [], "a print CUPS has is never waiting again"
    assert service.progress(entry.print_id) == "sent"
