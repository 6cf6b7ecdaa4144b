"""What staff do with the printer: set up the permanent queue (``kiosk print setup``), print a
test page (``kiosk print test``, and ``kiosk preflight --test-page``), and the one line
``kiosk status`` shows."""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

from kiosk.config import Config
from kiosk.exits import EXIT_BAD_CONFIG, EXIT_FAILURE, EXIT_OK, fail
from kiosk.printing import ipp
from kiosk.printing.cups import Cups, CupsError
from kiosk.printing.layout import media_name, page_layout, print_file, render_strip
from kiosk.printing.pdf import jpeg_shape
from kiosk.printing.printer_state import PrinterWatch, WatchRules
from kiosk.printing.service import settings_from

# The running booth's status file counts while it is this fresh; otherwise CUPS is asked.
STATUS_FRESH = 30.0
TEST_PAGE_WAIT = 180.0


def printer_line(config: Config, now: float | None = None) -> tuple[str, bool]:
    """``kiosk status``'s line on printing and whether it is fine (False: a warning; the booth
    still works, without prints)."""
    wanted = config.print
    if wanted.when == "never":
        return "not used (print.when = never)", True
    now = time.time() if now is None else now
    status = _booth_status(config.storage.layout.print_status_path, now)
    if status is not None:
        can, why, report = status["can_print"], status["why"], status.get("report") or {}
        counts = (
            f"{status['printed']} printed, {status['waiting'] + status['at_cups']} on their way, "
            f"{status['failed']} failed; {status['event_copies']} of {wanted.per_event} for "
            "this event"
        )
        policy = report.get("error_policy", "")
    else:
        cups = Cups(wanted.queue, wanted.server)
        report_now = cups.report()
        watch = PrinterWatch(WatchRules(retry_after=wanted.retry_after))
        watch.update(report_now, 0.0)
        verdict = watch.verdict(0.0)
        can, why, counts, policy = verdict.can_print, verdict.why, "booth not running", ""
        policy = report_now.error_policy
    queue = wanted.queue or "CUPS's default queue"
    text = f"{queue}: {'prints offered' if can else 'prints paused: ' + why} ({counts})"
    if policy and policy != "abort-job":
        text += f"; printer-error-policy is {policy}, not abort-job: run kiosk print setup"
        return text, False
    return text, bool(can)


def _booth_status(path: Path, now: float) -> dict | None:
    try:
        status = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(status, dict) or now - float(status.get("at", 0)) > STATUS_FRESH:
        return None
    return status


def set_up_queue(config: Config, device_uri: str) -> int:
    """``kiosk print setup URI``: the permanent driverless queue, aborting failed jobs."""
    queue = config.print.queue
    if not queue:
        print('print.queue: name the queue to set up (e.g. queue = "booth")', file=sys.stderr)
        return EXIT_BAD_CONFIG
    cups = Cups(queue, config.print.server)
    try:
        cups.set_up(device_uri)
    except CupsError as error:
        return fail(f"lpadmin: {error} (run as root, or as a member of group lpadmin)")
    report = cups.report()
    print(f"ok    queue {queue} on {device_uri}: {report.queue_state}, error policy abort-job")
    if report.driverless and report.device_error:
        print(f"warn  the printer does not answer yet: {report.device_error}")
    return EXIT_OK


def test_page(config: Config, font: Path | None) -> bytes:
    """A page laid out as the booth lays out a photo: a picture of colour bars and grey steps
    as the photo (a real JPEG, placed unchanged), the event's strip."""
    settings = settings_from(config, font)
    width, height = 1200, 1500  # the default photo's 4:5
    picture = Image.new("RGB", (width, height), (240, 240, 240))
    draw = ImageDraw.Draw(picture)
    bars = [(255, 255, 255), (255, 255, 0), (0, 255, 255), (0, 255, 0)]
    bars += [(255, 0, 255), (255, 0, 0), (0, 0, 255), (0, 0, 0)]
    for number, colour in enumerate(bars):
        draw.rectangle([number * width // 8, 0, (number + 1) * width // 8, height // 2], colour)
    for step in range(11):
        grey = round(step * 25.5)
        left = step * width // 11
        draw.rectangle([left, height // 2, left + width // 11, height * 3 // 4], (grey,) * 3)
    draw.text((40, height * 3 // 4 + 60), "Echtbild test print", fill=(0, 0, 0), font_size=90)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92)
    jpeg = out.getvalue()
    layout = page_layout(settings.paper, settings.margin_mm, jpeg_shape(jpeg))
    strip = None
    if layout.strip is not None and not settings.branding.empty:
        strip = render_strip(layout.strip, settings.branding)
    return print_file(jpeg, layout, settings.branding, strip)


def print_test_page(
    config: Config,
    font: Path | None,
    wait: float = TEST_PAGE_WAIT,
    pause: Callable[[float], None] = time.sleep,
) -> tuple[bool, str]:
    """Send the test page and follow it until the printer has it; (printed?, what happened)."""
    wanted = config.print
    cups = Cups(wanted.queue, wanted.server)
    try:
        job = cups.submit(
            test_page(config, font),
            "echtbild-test-page",
            1,
            {"media": media_name(wanted.paper), "print-scaling": "none"},
        )
    except CupsError as error:
        return False, f"not accepted by CUPS: {error}"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            state = next((j for j in cups.jobs() if j.job_id == job), None)
        except (CupsError, ipp.IppError) as error:
            return False, f"job {job} sent, then CUPS stopped answering: {error}"
        if state is not None and state.finished:
            if state.state == "completed":
                return True, f"test page printed (job {job}, {wanted.paper}): look at it"
            reasons = ", ".join(state.reasons)
            return False, f"test page {state.state} (job {job}: {reasons})"
        pause(0.5)
    return False, f"test page (job {job}) not printed after {wait:.0f} s: look at the printer"


def test_page_command(config: Config, font: Path | None) -> int:
    """``kiosk print test``."""
    if config.print.when == "never":
        print("print.when: printing is switched off in this config (never)", file=sys.stderr)
        return EXIT_BAD_CONFIG
    line, fine = printer_line(config)
    print(f"{'ok' if fine else 'warn':<4}  printer: {line}")
    printed, text = print_test_page(config, font)
    print(f"{'ok' if printed else 'FAIL':<4}  {text}")
    return EXIT_OK if printed else EXIT_FAILURE
