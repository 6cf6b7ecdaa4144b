"""The print service: the booth's side (offer a print, ask for one, follow it) and a worker
thread that watches the printer, lays out and submits jobs, follows and cancels them.

The booth's side never waits for CUPS: ``offer`` and ``progress`` read what the worker last
learnt, ``ask`` appends one fsynced journal line and wakes the worker. The worker is a thread
(not a process): laying out a print is copying the JPEG's bytes into a PDF (no decoding; the
strip is drawn once per event), submitting is ``lp`` in a process of its own, and watching is a
small IPP request every few seconds, so it holds the GIL for well under a millisecond at a time
(``bench/print.py`` measures the UI's frames on time while a job is laid out and sent). It runs
at a lower priority than the booth's screen.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kiosk.config import Config, StorageLayout
from kiosk.files import write_atomically
from kiosk.journal import Journal
from kiosk.printing import ipp
from kiosk.printing.cups import Cups, CupsError, JobReport
from kiosk.printing.jobs import Caps, Print, PrintBook, cap_left, job_name, new_print_id, too_old
from kiosk.printing.layout import Branding, media_name, page_layout, print_file, render_strip
from kiosk.printing.pdf import NotAJpeg, RgbImage, jpeg_shape
from kiosk.printing.printer_state import PrinterWatch, Verdict, WatchRules

log = logging.getLogger(__name__)

PRINT_NICENESS = 10
COMPACT_AFTER = 2000  # journal lines; compacted at start
COMPACT_KEEP = 2 * 86400.0
# The status file is rewritten at least this often, so that kiosk status sees a running booth.
STATUS_EVERY = 10.0
SUBMIT_PAUSE = 10.0  # after lp refused a job, the next try
# How much of the photo's file to read for its frame header (where the JPEG's size is).
HEADER_BYTES = 256 * 1024


@dataclass(frozen=True)
class PrintSettings:
    """The ``[print]`` section's values, as the service uses them."""

    queue: str = ""
    server: str = ""
    when: Literal["ask", "always", "never"] = "never"
    copies: int = 1
    per_visit: int = 1
    per_event: int = 200
    paper: str = "4x6"
    margin_mm: float = 3.0
    poll_interval: float = 2.0
    retry_after: float = 120.0
    give_up_after: float = 600.0
    branding: Branding = field(default_factory=lambda: Branding("", "#ffffff", "#000000"))
    event: str = ""


def settings_from(config: Config, font: Path | None) -> PrintSettings:
    """The service's settings from ``[print]``, the event and its branding (``font``: the file
    the strip's event line is set in)."""
    wanted = config.print
    branding = config.branding
    return PrintSettings(
        queue=wanted.queue,
        server=wanted.server,
        when=wanted.when,
        copies=wanted.copies,
        per_visit=wanted.per_visit,
        per_event=wanted.per_event,
        paper=wanted.paper,
        margin_mm=wanted.margin_mm,
        poll_interval=wanted.poll_interval,
        retry_after=wanted.retry_after,
        give_up_after=wanted.give_up_after,
        branding=Branding(
            wanted.event_line if wanted.event_line is not None else config.event.name,
            branding.background,
            branding.foreground,
            branding.logo if wanted.logo else None,
            branding.font or font,
        ),
        event=config.event.name,
    )


def open_print_service(config: Config, font: Path | None) -> PrintService | None:
    """The booth's print service, started; None when ``print.when`` is never."""
    if config.print.when == "never":
        return None
    return PrintService(settings_from(config, font), config.storage.layout).start()


@dataclass(frozen=True)
class Offer:
    available: bool
    why: str  # for staff: "ready", or why not
    copies: int = 0


class PrintService:
    def __init__(
        self,
        settings: PrintSettings,
        layout: StorageLayout,
        cups: Cups | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ):
        self.settings = settings
        self.layout = layout
        self.journal = Journal(layout.prints_path)
        self.status_path = layout.print_status_path
        self.cups = cups or Cups(settings.queue, settings.server)
        self.clock = clock
        self.wall = wall
        self.watch = PrinterWatch(WatchRules(3 * settings.poll_interval + 5, settings.retry_after))
        replay = self.journal.replay()
        self.book = PrintBook.replay(replay.records)
        if replay.lines > COMPACT_AFTER:
            # Finished prints that never reached CUPS count for nothing: dropped after a while.
            keep_after = wall() - COMPACT_KEEP
            try:
                self.journal.compact(lambda _records: self.book.compacted(keep_after))
            except OSError as error:  # a full disk must not keep the booth from starting
                log.error("cannot compact the print journal %s: %s", self.journal.path, error)
        # Prints CUPS may have without the journal knowing: asked for before this start, or
        # whose lp failed (perhaps after handing the job over).
        self._recovered = {entry.print_id for entry in self.book.waiting()}
        if self._recovered:
            log.info("%d print(s) waiting from before the restart", len(self._recovered))
        self._lock = threading.Lock()
        self.changed = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_poll = 0.0
        self._submit_after = 0.0
        self._last_status = ""
        self._status_written = -1e18
        self._strips: dict[tuple[str, bool], RgbImage | None] = {}
        self.last_error: str | None = None

    # -- the booth's side (UI thread: no waiting on CUPS) --

    def offer(self, visit: str) -> Offer:
        if self.settings.when == "never":
            return Offer(False, "print.when is never")
        with self._lock:
            verdict = self.watch.verdict(self.clock())
            left, why = cap_left(self.book, self._caps(), visit, self.settings.event)
        if not verdict.can_print:
            return Offer(False, verdict.why)
        if left <= 0:
            return Offer(False, why)
        return Offer(True, verdict.why, min(left, self.settings.copies))

    def ask(self, file: str, visit: str) -> dict[str, Any] | None:
        """Print this photo (``file`` relative to the storage folder) for this visit, if the
        printer can and the caps allow; returns what the visit log keeps, or None."""
        offer = self.offer(visit)
        if not offer.available:
            log.info("no print for %s: %s", file, offer.why)
            return None
        try:
            with self._photo(file).open("rb") as photo:
                layout = page_layout(
                    self.settings.paper,
                    self.settings.margin_mm,
                    jpeg_shape(photo.read(HEADER_BYTES)),
                )
        except (OSError, NotAJpeg) as error:
            log.warning("no print for %s: %s", file, error)
            return None
        entry = Print(new_print_id(), file, offer.copies, visit, self.settings.event, self.wall())
        try:
            self.journal.append(entry.record())  # on the storage before anything else happens
        except OSError as error:
            # No print rather than one a restart could send twice; the guest keeps the share
            # screen and its code.
            log.error("no print for %s: the print journal cannot be written: %s", file, error)
            return None
        with self._lock:
            self.book.apply(entry.record())
        self.changed.set()
        return {"id": entry.print_id, "copies": entry.copies, "layout": layout.record()}

    def progress(self, print_id: str) -> str:
        """waiting, sent, printed, failed or given-up."""
        with self._lock:
            entry = self.book.prints.get(print_id)
            if entry is None:
                return "unknown"
            if entry.outcome == "completed":
                return "printed"
            if entry.outcome in ("aborted", "canceled"):
                return "failed"
            return entry.outcome or ("sent" if entry.reached_cups else "waiting")

    def verdict(self) -> Verdict:
        with self._lock:
            return self.watch.verdict(self.clock())

    # -- the worker --

    def start(self) -> PrintService:
        self._thread = threading.Thread(target=self._run, name="printing", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self.changed.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PRINT_NICENESS)
        while not self._stopping.is_set():
            try:
                self.work_once()
            except Exception:  # the booth goes on without prints, never without its screen
                log.exception("print worker")
            wait = max(0.05, self._next_poll - self.clock())
            self.changed.wait(min(wait, self.settings.poll_interval))
            self.changed.clear()

    def work_once(self) -> None:
        """One round: watch the printer, follow our jobs, give up old prints, submit."""
        now = self.clock()
        if now >= self._next_poll:
            report = self.cups.report()
            with self._lock:
                self.watch.update(report, now)
            self._next_poll = now + self.settings.poll_interval
        if self._at_cups() or self._recovered:
            self._follow_jobs()
        self._give_up_old()
        for entry in self._waiting():
            # A print from before a restart waits until CUPS's history has been searched for it.
            if entry.print_id in self._recovered:
                continue
            if now < self._submit_after or not self.verdict().can_print:
                break
            self._submit(entry)
        self._write_status()

    def _waiting(self) -> list[Print]:
        with self._lock:  # the booth's thread adds prints meanwhile
            return self.book.waiting()

    def _at_cups(self) -> list[Print]:
        with self._lock:
            return self.book.at_cups()

    def _follow_jobs(self) -> None:
        """How our jobs at CUPS are doing (one small request each); once after a start, CUPS's
        history searched by job name for prints the journal had not seen reach it."""
        try:
            if self._recovered:
                by_name = {job.name: job for job in self.cups.jobs("all")}
                for print_id in sorted(self._recovered):
                    entry = self.book.prints[print_id]
                    found = by_name.get(job_name(print_id))
                    if found is not None and not entry.reached_cups:
                        log.info(
                            "print %s reached CUPS before the restart (job %d)",
                            print_id,
                            found.job_id,
                        )
                        self._record({"op": "sent", "id": print_id, "job": found.job_id})
                self._recovered.clear()
            for entry in self._at_cups():
                job = self.cups.job(entry.job_id or 0)
                if job is None:
                    self._record({"op": "done", "id": entry.print_id, "state": "unknown"})
                elif job.finished:
                    self._finished(entry, job)
        except (ipp.IppError, CupsError) as error:  # CUPS restarting: again next round
            self.last_error = str(error)

    def _finished(self, entry: Print, job: JobReport) -> None:
        why = ",".join(r for r in job.reasons if r != "none")
        self._record({"op": "done", "id": entry.print_id, "state": job.state, "why": why})
        with self._lock:
            if job.state == "completed":
                self.watch.job_printed()
            elif "job-canceled-by-user" not in job.reasons:
                self.watch.job_failed(why or job.state, self.clock())
        level = logging.INFO if job.state == "completed" else logging.WARNING
        log.log(level, "print %s (job %d): %s %s", entry.file, job.job_id, job.state, why)

    def _give_up_old(self) -> None:
        now = self.wall()
        for entry in self._waiting():
            if too_old(entry, now, self.settings.give_up_after):
                log.warning("print of %s given up: not printable for too long", entry.file)
                self._record({"op": "given_up", "id": entry.print_id, "why": "too old"})
        for entry in self._at_cups():
            if too_old(entry, now, self.settings.give_up_after):
                with contextlib.suppress(CupsError):
                    self.cups.cancel(entry.job_id or 0)
                log.warning("print job %s cancelled: still not printed", entry.job_id)
                self._record(
                    {"op": "done", "id": entry.print_id, "state": "canceled", "why": "too old"}
                )

    def _submit(self, entry: Print) -> None:
        try:
            jpeg = self._photo(entry.file).read_bytes()
            layout = page_layout(self.settings.paper, self.settings.margin_mm, jpeg_shape(jpeg))
            document = print_file(jpeg, layout, self.settings.branding, self._strip(layout))
        except (OSError, NotAJpeg) as error:
            log.warning("print of %s given up: %s", entry.file, error)
            self._record({"op": "given_up", "id": entry.print_id, "why": str(error)})
            return
        options = {"media": media_name(self.settings.paper), "print-scaling": "none"}
        try:
            job_id = self.cups.submit(document, job_name(entry.print_id), entry.copies, options)
        except CupsError as error:
            self.last_error = str(error)
            # Not again at once: lp failing now (CUPS restarting, lp missing) fails next round too.
            self._submit_after = self.clock() + SUBMIT_PAUSE
            # lp may have handed the job over before it failed (a timeout): search CUPS's
            # history for it before sending it again, as after a restart.
            self._recovered.add(entry.print_id)
            log.warning("print of %s not accepted by CUPS: %s", entry.file, error)
            with self._lock:
                self.watch.job_failed(str(error), self.clock())
            return
        self._record({"op": "sent", "id": entry.print_id, "job": job_id})
        log.info("print of %s sent (job %d, %d copies)", entry.file, job_id, entry.copies)

    def _photo(self, file: str) -> Path:
        """The photo a journal line names; never a file outside the photos folder."""
        path = self.layout.photo_inside(file)
        if path is None:
            raise FileNotFoundError(f"{file} is not a photo of this booth")
        return path

    def _strip(self, layout: Any) -> RgbImage | None:
        if layout.strip is None or self.settings.branding.empty:
            return None
        key = (layout.paper, layout.page[0] < layout.page[1])
        if key not in self._strips:
            self._strips[key] = render_strip(layout.strip, self.settings.branding)
        return self._strips[key]

    def _record(self, record: dict[str, Any]) -> None:
        # The book first: what CUPS has done (a job it accepted above all) must count in this
        # run even when the journal cannot say so, or the print would be sent again. The fsync
        # outside the lock: the booth's thread asks for offers every frame meanwhile.
        with self._lock:
            self.book.apply(record)
        try:
            self.journal.append(record)
        except OSError as error:
            log.error("cannot note a print in the print journal %s: %s", self.journal.path, error)

    def _caps(self) -> Caps:
        return Caps(self.settings.per_visit, self.settings.per_event)

    def status(self) -> dict[str, Any]:
        """What ``kiosk status`` shows of the printer and the prints."""
        with self._lock:
            verdict = self.watch.verdict(self.clock())
            report = self.watch.report
            prints = list(self.book.prints.values())
        return {
            "can_print": verdict.can_print,
            "why": verdict.why,
            "report": report.record() if report else None,
            "waiting": sum(1 for e in prints if not e.finished and not e.reached_cups),
            "at_cups": sum(1 for e in prints if not e.finished and e.reached_cups),
            "printed": sum(e.copies for e in prints if e.outcome == "completed"),
            "failed": sum(1 for e in prints if e.outcome in ("aborted", "canceled", "unknown")),
            "event_copies": sum(e.copies for e in prints if e.event == self.settings.event),
            "last_error": self.last_error,
            "at": self.wall(),
        }

    def _write_status(self) -> None:
        status = self.status()
        text = json.dumps({**status, "at": 0})
        now = self.clock()
        if text == self._last_status and now - self._status_written < STATUS_EVERY:
            return
        self._last_status, self._status_written = text, now
        try:
            write_atomically(self.status_path, json.dumps(status).encode())
        except OSError as error:
            log.warning("print status not written: %s", error)
