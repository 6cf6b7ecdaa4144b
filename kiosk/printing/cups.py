"""The CUPS edge: CUPS's own commands for what changes things (``lp`` submits, ``cancel``
cancels, ``lpadmin`` sets up the queue, ``lpstat`` names the default queue) and IPP (``ipp.py``)
for what the booth reads: the queue's state, its jobs, and a driverless printer's own state.

``server`` is CUPS's ``host:port`` (empty: the system's CUPS, ``localhost:631``); the tests give
their private CUPS's.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass, replace
from urllib.parse import quote, urlsplit

from kiosk.printing import ipp
from kiosk.printing.printer_state import PrinterReport

COMMAND_TIMEOUT = 30.0
SYSTEM_SERVER = "localhost:631"
DRIVERLESS_SCHEMES = ("ipp", "ipps")
JOB_ATTRIBUTES = ["job-id", "job-name", "job-state", "job-state-reasons", "time-at-creation"]
_REQUEST_ID = re.compile(r"request id is (\S+)-(\d+)")


class CupsError(Exception):
    """A CUPS command failed or could not run; the message is CUPS's own line."""


@dataclass(frozen=True)
class JobReport:
    job_id: int
    name: str
    state: str  # pending, pending-held, processing, processing-stopped, canceled, aborted,
    # completed
    reasons: tuple[str, ...]
    created: int  # CUPS's time-at-creation (epoch seconds)

    @property
    def finished(self) -> bool:
        return self.state in ("canceled", "aborted", "completed")


class Cups:
    def __init__(self, queue: str = "", server: str = ""):
        self.server = server
        self._queue = queue

    @property
    def queue(self) -> str:
        """The configured queue, or CUPS's default one (asked once it is needed)."""
        if not self._queue:
            self._queue = self.default_queue()
        return self._queue

    def queue_uri(self) -> str:
        return f"ipp://{self.server or SYSTEM_SERVER}/printers/{quote(self.queue)}"

    # -- what the booth reads (IPP) --

    def report(self) -> PrinterReport:
        """The queue's state from CUPS and, for a driverless printer, the printer's own."""
        try:
            queue = self.queue
            answer = ipp.request(
                self.queue_uri(),
                ipp.GET_PRINTER_ATTRIBUTES,
                [
                    (
                        ipp.KEYWORD,
                        "requested-attributes",
                        [
                            "printer-state",
                            "printer-state-reasons",
                            "printer-state-message",
                            "printer-state-change-time",
                            "printer-is-accepting-jobs",
                            "device-uri",
                            "printer-error-policy",
                        ],
                    )
                ],
            ).first(ipp.PRINTER_GROUP)
        except (ipp.IppError, CupsError) as error:
            return PrinterReport(self._queue or "(default)", cups_error=str(error))
        device_uri = _one(answer, "device-uri", "")
        report = PrinterReport(
            queue=queue,
            queue_state=ipp.PRINTER_STATES.get(_one(answer, "printer-state", 3), "idle"),
            accepting=bool(_one(answer, "printer-is-accepting-jobs", True)),
            queue_reasons=tuple(r for r in answer.get("printer-state-reasons", []) if r != "none"),
            message=_one(answer, "printer-state-message", ""),
            reasons_since=int(_one(answer, "printer-state-change-time", 0)),
            device_uri=device_uri,
            driverless=urlsplit(device_uri).scheme in DRIVERLESS_SCHEMES,
            error_policy=_one(answer, "printer-error-policy", ""),
        )
        if not report.driverless:
            return report
        try:
            device = ipp.request(
                device_uri,
                ipp.GET_PRINTER_ATTRIBUTES,
                [(ipp.KEYWORD, "requested-attributes", ["printer-state", "printer-state-reasons"])],
            ).first(ipp.PRINTER_GROUP)
        except ipp.IppError as error:
            return replace(report, device_error=str(error))
        return replace(
            report,
            device_state=ipp.PRINTER_STATES.get(_one(device, "printer-state", 3), "idle"),
            device_reasons=tuple(r for r in device.get("printer-state-reasons", []) if r != "none"),
        )

    def job(self, job_id: int) -> JobReport | None:
        """One job's state (None: CUPS no longer knows it)."""
        try:
            answer = ipp.request(
                self.queue_uri(),
                ipp.GET_JOB_ATTRIBUTES,
                [
                    (ipp.INTEGER, "job-id", job_id),
                    (ipp.KEYWORD, "requested-attributes", JOB_ATTRIBUTES),
                ],
            )
        except ipp.IppError as error:
            if "0x0406" in str(error):  # client-error-not-found
                return None
            raise
        found = answer.all(ipp.JOB_GROUP)
        return _job_report(found[0]) if found else None

    def jobs(self, which: str = "all") -> list[JobReport]:
        """The queue's jobs (``all`` keeps CUPS's history of finished ones too)."""
        answer = ipp.request(
            self.queue_uri(),
            ipp.GET_JOBS,
            [
                (ipp.KEYWORD, "which-jobs", which),
                (ipp.KEYWORD, "requested-attributes", JOB_ATTRIBUTES),
            ],
            timeout=10.0,
        )
        return [_job_report(job) for job in answer.all(ipp.JOB_GROUP)]

    # -- what changes things (CUPS's commands) --

    def submit(self, document: bytes, name: str, copies: int, options: dict[str, str]) -> int:
        """Hand the PDF to CUPS (``lp``, from standard input); returns CUPS's job id."""
        arguments = ["lp", *self._host(), "-d", self.queue, "-t", name, "-n", str(copies)]
        for key, value in options.items():
            arguments += ["-o", f"{key}={value}"]
        output = self._run([*arguments, "--", "-"], document)
        match = _REQUEST_ID.search(output)
        if match is None:
            raise CupsError(f"lp said no job id: {output.strip()!r}")
        return int(match.group(2))

    def cancel(self, job_id: int) -> None:
        self._run(["cancel", *self._host(), f"{self.queue}-{job_id}"])

    def default_queue(self) -> str:
        output = self._run(["lpstat", *self._host(), "-d"])
        if ":" not in output or "no system default" in output:
            raise CupsError("no print queue named and CUPS has no default: set print.queue")
        return output.rsplit(":", 1)[1].strip()

    def set_up(self, device_uri: str) -> None:
        """A permanent queue for a driverless printer (``lpadmin -m everywhere``), enabled and
        accepting, that aborts a failed job instead of stopping (no pile-up behind it)."""
        self._run(
            ["lpadmin", *self._host(), "-p", self.queue, "-E", "-v", device_uri, "-m", "everywhere"]
        )
        # A separate call, repeated until it holds: CUPS (2.4) drops the option when it comes
        # with -m everywhere, and sometimes when it comes right after.
        for _ in range(10):
            self.abort_failed_jobs()
            if self.report().error_policy == "abort-job":
                return
            time.sleep(0.5)
        raise CupsError(f"CUPS keeps printer-error-policy of {self.queue} from being abort-job")

    def abort_failed_jobs(self) -> None:
        """``printer-error-policy=abort-job`` on an existing queue (driver-backed ones too)."""
        self._run(
            ["lpadmin", *self._host(), "-p", self.queue, "-o", "printer-error-policy=abort-job"]
        )

    def _host(self) -> list[str]:
        return ["-h", self.server] if self.server else []

    def _run(self, arguments: list[str], stdin: bytes | None = None) -> str:
        try:
            done = subprocess.run(
                arguments,
                input=stdin,
                capture_output=True,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except FileNotFoundError:
            raise CupsError(
                f"{arguments[0]} is missing: install cups-client (sudo apt install cups-client)"
            ) from None
        except subprocess.TimeoutExpired:
            raise CupsError(f"{arguments[0]} did not finish in {COMMAND_TIMEOUT:.0f} s") from None
        if done.returncode != 0:
            said = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()
            raise CupsError(said[-1] if said else f"{arguments[0]} failed ({done.returncode})")
        return done.stdout.decode(errors="replace")


def _job_report(job: dict[str, list[object]]) -> JobReport:
    return JobReport(
        job_id=int(_one(job, "job-id", 0)),
        name=str(_one(job, "job-name", "")),
        state=ipp.JOB_STATES.get(_one(job, "job-state", 0), "unknown"),
        reasons=tuple(job.get("job-state-reasons", [])),
        created=int(_one(job, "time-at-creation", 0)),
    )


def _one(attributes: dict[str, list[object]], name: str, default: object) -> object:
    values = attributes.get(name)
    return values[0] if values else default
