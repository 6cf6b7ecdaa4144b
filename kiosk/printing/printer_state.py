"""Can the printer print now? A decision on what CUPS and the printer last said, and when.

CUPS itself learns "out of paper" or "jam" only while a job runs (from the backend), and keeps
the reason on the queue until the next job clears it. So:

- a **driverless** printer (IPP Everywhere / AirPrint: the queue's device is ``ipp://`` or
  ``ipps://``) is asked directly, every few seconds while idle, for ``printer-state`` and
  ``printer-state-reasons``: what it says now is what counts;
- a printer that cannot be asked (USB behind a driver) is **judged by its last job**: a reason
  its backend reported (``media-empty-error``) holds prints back for ``retry_after``; after that
  the next print is the test (a fixed printer clears the reason, a broken one sets it again);
- a queue stopped with ``cupsdisable`` (or stopped by CUPS), or rejecting jobs, never prints;
- no answer from CUPS for ``stale_after`` counts as "cannot print".

``PrinterWatch`` is fed reports and asked for a verdict, both with the caller's clock; nothing
here talks to CUPS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# printer-state-reasons (RFC 8011, PWG 5100.x) that stop a printer from printing; each may carry
# the suffix "-error" (it does stop), "-warning" or "-report" (it does not).
STOPPING_REASONS = frozenset(
    {
        "media-empty",
        "media-needed",
        "media-jam",
        "media-path-failure",
        "paused",
        "stopped",
        "shutdown",
        "offline",
        "door-open",
        "cover-open",
        "interlock-open",
        "input-tray-missing",
        "output-area-full",
        "output-tray-missing",
        "marker-supply-empty",
        "marker-waste-full",
        "toner-empty",
        "spool-area-full",
        "printer-fan-failure",
        "fuser-over-temp",
    }
)


def stopping(reasons: tuple[str, ...]) -> tuple[str, ...]:
    """The reasons among ``reasons`` that mean the printer cannot print now."""
    found = []
    for reason in reasons:
        if reason.endswith(("-warning", "-report")) or reason == "none":
            continue
        base = reason.removesuffix("-error")
        if reason.endswith("-error") or base in STOPPING_REASONS:
            found.append(reason)
    return tuple(found)


@dataclass(frozen=True)
class PrinterReport:
    """What CUPS (and a driverless printer) said about the queue at one moment."""

    queue: str
    cups_error: str | None = None  # CUPS did not answer: why
    queue_state: str = "idle"  # idle, processing, stopped
    accepting: bool = True
    queue_reasons: tuple[str, ...] = ()
    message: str = ""
    reasons_since: int = 0  # printer-state-change-time (CUPS's clock): a new failure, a new value
    device_uri: str = ""
    driverless: bool = False
    device_error: str | None = None  # the driverless printer did not answer: why
    device_state: str = ""
    device_reasons: tuple[str, ...] = ()
    error_policy: str = ""

    def record(self) -> dict[str, object]:
        """The report as the status file and the visit log keep it."""
        return {
            "queue": self.queue,
            "cups_error": self.cups_error,
            "queue_state": self.queue_state,
            "accepting": self.accepting,
            "queue_reasons": list(self.queue_reasons),
            "message": self.message,
            "driverless": self.driverless,
            "device_error": self.device_error,
            "device_state": self.device_state,
            "device_reasons": list(self.device_reasons),
            "error_policy": self.error_policy,
        }


@dataclass(frozen=True)
class Verdict:
    can_print: bool
    why: str  # one line for staff: what is wrong and what to do, or "ready"


@dataclass
class WatchRules:
    stale_after: float = 15.0  # no report for this long: cannot print
    retry_after: float = 120.0  # a driver-backed printer's failure holds prints back this long


@dataclass
class PrinterWatch:
    rules: WatchRules = field(default_factory=WatchRules)
    report: PrinterReport | None = None
    reported_at: float = -1e18
    _failure_key: tuple[object, ...] = ()  # the stopping reasons CUPS keeps, and since when
    _failure_seen: float = 0.0
    _job_failure: tuple[str, float] | None = None  # a job of ours that ended without printing

    def update(self, report: PrinterReport, now: float) -> None:
        self.report = report
        self.reported_at = now
        failed = stopping(report.queue_reasons)
        key = (failed, report.reasons_since) if failed else ()
        if key != self._failure_key:
            self._failure_key = key
            self._failure_seen = now

    def job_failed(self, why: str, now: float) -> None:
        """A job of ours ended without printing (aborted): judged like a reported failure."""
        self._job_failure = (why, now)

    def job_printed(self) -> None:
        self._job_failure = None

    def verdict(self, now: float) -> Verdict:
        report = self.report
        if report is None:
            return Verdict(False, "no word from CUPS yet")
        if now - self.reported_at > self.rules.stale_after:
            return Verdict(False, f"no word from CUPS for {now - self.reported_at:.0f} s")
        if report.cups_error:
            return Verdict(False, f"CUPS does not answer: {report.cups_error}")
        if report.queue_state == "stopped":
            detail = f" ({report.message})" if report.message else ""
            return Verdict(
                False, f"queue {report.queue} is paused{detail}: cupsenable {report.queue}"
            )
        if not report.accepting:
            return Verdict(False, f"queue {report.queue} rejects jobs: cupsaccept {report.queue}")
        if report.driverless:
            if report.device_error:
                return Verdict(False, f"the printer does not answer: {report.device_error}")
            live = stopping(report.device_reasons)
            if live or report.device_state == "stopped":
                return Verdict(False, f"the printer says {', '.join(live) or 'stopped'}")
            return Verdict(True, "ready")
        failures = []
        if self._failure_key:
            failures.append((", ".join(stopping(report.queue_reasons)), self._failure_seen))
        if self._job_failure is not None:
            failures.append(self._job_failure)
        if not failures:
            return Verdict(True, "ready")
        # What the printer said, when it said anything, is what staff need to read.
        said = failures[0][0]
        since = max(failure[1] for failure in failures)
        waited = now - since
        if waited < self.rules.retry_after:
            return Verdict(
                False,
                f"the last job failed ({said}); the next print tries again in "
                f"{self.rules.retry_after - waited:.0f} s",
            )
        return Verdict(True, "ready (the last job failed; this print tries again)")
