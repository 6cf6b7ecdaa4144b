"""Printing through a real CUPS: a private cupsd (own ServerRoot, spool and port, started and
stopped here), an IPP Everywhere printer (ippeveprinter) on a permanent ``-m everywhere``
queue, and a test backend that reports the printer's state as a USB printer's driver does."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from cups_server import PrivateCups, cups_installed
from helpers import eventually
from PIL import Image

from kiosk.config import StorageLayout
from kiosk.printing.cups import Cups, CupsError
from kiosk.printing.jobs import job_name
from kiosk.printing.layout import Branding
from kiosk.printing.service import PrintService, PrintSettings

pytestmark = pytest.mark.skipif(
    not cups_installed(), reason="needs root and cups, cups-ipp-utils, dbus (.ci/run installs them)"
)
BRANDING = Branding("Sommerfest 2026", "#14202e", "#f5f1e8")


@pytest.fixture
def cups() -> Iterator[PrivateCups]:
    server = PrivateCups.in_own_folder()
    try:
        yield server.start()
    finally:
        server.remove()


def kept_photos(storage: Path, astronaut: np.ndarray, count: int) -> list[str]:
    """``count`` different real JPEGs under the storage folder, as the booth keeps them."""
    names = []
    for number in range(count):
        picture = Image.fromarray(np.roll(astronaut, number * 40, axis=1)).resize((800, 1000))
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=90)
        name = f"photos/2026-07-04/photo-{number}.jpg"
        (storage / name).parent.mkdir(parents=True, exist_ok=True)
        (storage / name).write_bytes(out.getvalue())
        names.append(name)
    return names


def service_for(
    cups: PrivateCups, storage: Path, queue: str, paper: str = "A4", **settings: object
) -> PrintService:
    values = {"poll_interval": 0.3, "retry_after": 3.0, "per_visit": 1, "per_event": 50}
    values.update(settings)
    return PrintService(
        PrintSettings(
            queue=queue,
            server=cups.server,
            when="always",
            paper=paper,
            branding=BRANDING,
            event="Sommerfest 2026",
            **values,  # type: ignore[arg-type]
        ),
        StorageLayout(storage),
    )


def printed_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.is_file() and path.stat().st_size)


def test_an_ipp_everywhere_queue_prints_one_job_per_kept_photo_with_its_jpeg(
    cups: PrivateCups, tmp_path: Path, astronaut: np.ndarray
) -> None:
    printed = cups.add_ipp_everywhere("booth")
    storage = tmp_path / "booth"
    photos = kept_photos(storage, astronaut, 2)
    service = service_for(cups, storage, "booth").start()
    try:
        assert eventually(lambda: service.offer("visit-0").available, within=10)
        tickets = [service.ask(photo, f"visit-{n}") for n, photo in enumerate(photos)]
        assert all(tickets)
        assert tickets[0]["layout"]["paper"] == "A4"
        # ippeveprinter takes about 12 s a job, one job at a time.
        assert eventually(lambda: len(printed_files(printed)) == 2, within=60), cups.log()[-3000:]
        assert eventually(
            lambda: all(service.progress(t["id"]) == "printed" for t in tickets), within=30
        )
    finally:
        service.stop()
    files = printed_files(printed)
    for photo, ticket in zip(photos, tickets, strict=True):
        job_file = next(path for path in files if job_name(ticket["id"]) in path.name)
        assert (storage / photo).read_bytes() in job_file.read_bytes()
    # The queue is permanent and aborts a failed job rather than stopping.
    report = Cups("booth", cups.server).report()
    assert report.driverless and report.error_policy == "abort-job"
    assert "booth" in cups.command("lpstat", "-v")


def test_a_visit_gets_its_cap_and_never_more(
    cups: PrivateCups, tmp_path: Path, astronaut: np.ndarray
) -> None:
    cups.add_ipp_everywhere("booth")
    storage = tmp_path / "booth"
    first, second = kept_photos(storage, astronaut, 2)
    service = service_for(cups, storage, "booth", per_visit=1).start()
    try:
        assert eventually(lambda: service.offer("v").available, within=10)
        assert service.ask(first, "v") is not None
        assert service.ask(second, "v") is None
        assert "print.per_visit" in service.offer("v").why
    finally:
        service.stop()


def test_paper_out_and_a_paused_queue_stop_the_offer_and_it_comes_back(
    cups: PrivateCups, tmp_path: Path, astronaut: np.ndarray
) -> None:
    folder = cups.add_backend_printer("usb")
    storage = tmp_path / "booth"
    photos = kept_photos(storage, astronaut, 2)
    service = service_for(cups, storage, "usb", per_visit=5).start()
    try:
        assert eventually(lambda: service.offer("v").available, within=10)
        # The printer runs out of paper: its driver says so while the job runs.
        (folder / "state").write_text("media-empty-error")
        ticket = service.ask(photos[0], "v")
        assert ticket is not None
        started = time.monotonic()
        assert eventually(lambda: not service.offer("v").available, within=10)
        assert time.monotonic() - started < 5
        assert "media-empty-error" in service.offer("v").why
        assert eventually(lambda: service.progress(ticket["id"]) == "failed", within=10)
        # Nothing queued behind it: the queue still runs (abort-job), nothing waits.
        assert Cups("usb", cups.server).report().queue_state != "stopped"
        # Paper back in: after retry_after the next print is the test, and it prints.
        (folder / "state").unlink()
        assert eventually(lambda: service.offer("v").available, within=10)
        again = service.ask(photos[1], "v")
        assert again is not None
        assert eventually(lambda: service.progress(again["id"]) == "printed", within=20)
        job_files = list(folder.glob("job-*.prn"))
        assert len(job_files) == 1
        assert (storage / photos[1]).read_bytes() in job_files[0].read_bytes()

        # Staff pause the queue: no offer within seconds; resumed, offered again.
        cups.command("cupsdisable", "usb")
        started = time.monotonic()
        assert eventually(lambda: not service.offer("v").available, within=10)
        assert time.monotonic() - started < 5
        assert "cupsenable usb" in service.offer("v").why
        cups.command("cupsenable", "usb")
        assert eventually(lambda: service.offer("v").available, within=10)
    finally:
        service.stop()


def test_a_job_still_not_printed_after_give_up_after_is_cancelled(
    cups: PrivateCups, tmp_path: Path, astronaut: np.ndarray
) -> None:
    folder = cups.add_backend_printer("usb")
    (folder / "state").write_text("slow")
    storage = tmp_path / "booth"
    (photo,) = kept_photos(storage, astronaut, 1)
    service = service_for(cups, storage, "usb", give_up_after=2.0).start()
    try:
        assert eventually(lambda: service.offer("v").available, within=10)
        ticket = service.ask(photo, "v")
        assert ticket is not None
        assert eventually(lambda: service.progress(ticket["id"]) == "failed", within=15)
        [job] = Cups("usb", cups.server).jobs()
        assert eventually(
            lambda: Cups("usb", cups.server).jobs()[0].state == "canceled", within=10
        ), job
        # Cancelled by the booth: no sign of a broken printer, prints stay offered.
        assert service.offer("w").available
    finally:
        service.stop()


def test_a_driverless_printer_switched_off_is_not_offered(
    cups: PrivateCups, tmp_path: Path, astronaut: np.ndarray
) -> None:
    cups.add_ipp_everywhere("booth")
    storage = tmp_path / "booth"
    service = service_for(cups, storage, "booth").start()
    try:
        assert eventually(lambda: service.offer("v").available, within=10)
        printer = cups.printers[0]
        printer.send_signal(signal.SIGTERM)
        printer.wait(timeout=10)
        assert eventually(lambda: not service.offer("v").available, within=10)
        assert "the printer does not answer" in service.offer("v").why
    finally:
        service.stop()


CHILD = """
import os, signal, sys
from pathlib import Path
sys.path[:0] = [{tests!r}, {root!r}]
from test_printing_cups import service_for
from cups_server import PrivateCups

cups = PrivateCups(Path({folder!r}), port={port})
service = service_for(cups, Path({storage!r}), "booth")
record = service._record
def killed_after_lp(entry):
    if entry["op"] == "sent" and {kill_after_lp}:
        os.kill(os.getpid(), signal.SIGKILL)  # lp has handed the job over; the journal has not
    record(entry)
service._record = killed_after_lp
service.work_once()
ticket = service.ask({photo!r}, "visit")
print(ticket["id"], flush=True)
if not {kill_after_lp}:
    os.kill(os.getpid(), signal.SIGKILL)  # asked and journalled, not yet handed to CUPS
service.work_once()
"""


@pytest.mark.parametrize("kill_after_lp", [True, False], ids=["after-lp", "before-lp"])
def test_a_booth_killed_mid_submit_prints_the_photo_once(
    cups: PrivateCups, tmp_path: Path, astronaut: np.ndarray, kill_after_lp: bool
) -> None:
    printed = cups.add_ipp_everywhere("booth")
    storage = tmp_path / "booth"
    (photo,) = kept_photos(storage, astronaut, 1)
    script = CHILD.format(
        root=str(Path(__file__).resolve().parent.parent),
        tests=str(Path(__file__).resolve().parent),
        folder=str(cups.folder),
        port=cups.port,
        storage=str(storage),
        photo=photo,
        kill_after_lp=kill_after_lp,
    )
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    print_id = child.stdout.split()[0]
    named = [job for job in Cups("booth", cups.server).jobs() if job.name == job_name(print_id)]
    assert len(named) == (1 if kill_after_lp else 0)
    # The booth starts again with the same journal.
    service = service_for(cups, storage, "booth").start()
    try:
        assert eventually(lambda: service.progress(print_id) == "printed", within=30)
    finally:
        service.stop()
    named = [job for job in Cups("booth", cups.server).jobs() if job.name == job_name(print_id)]
    assert len(named) == 1
    assert eventually(lambda: len(printed_files(printed)) >= 1, within=10)
    files = printed_files(printed)
    assert len(files) == 1, (list(printed.iterdir()), Cups("booth", cups.server).jobs())
    assert (storage / photo).read_bytes() in files[0].read_bytes()
    assert os.environ.get("CUPS_SERVER") is None  # the machine's CUPS was never asked


class LpTimesOutAfterHandingOver(Cups):
    """The real CUPS, but the first ``lp`` reports a failure after CUPS took the job (as an lp
    that hits its timeout would)."""

    failed = False

    def submit(self, document: bytes, name: str, copies: int, options: dict[str, str]) -> int:
        job = super().submit(document, name, copies, options)
        if not self.failed:
            self.failed = True
            raise CupsError("lp did not finish in 30 s")
        return job


def test_a_print_whose_lp_failed_after_handing_over_is_not_sent_again(
    cups: PrivateCups, tmp_path: Path, astronaut: np.ndarray
) -> None:
    printed = cups.add_ipp_everywhere("booth")
    storage = tmp_path / "booth"
    (photo,) = kept_photos(storage, astronaut, 1)
    service = service_for(cups, storage, "booth")
    service.cups = LpTimesOutAfterHandingOver("booth", cups.server)
    service.start()
    try:
        assert eventually(lambda: service.offer("v").available, within=10)
        ticket = service.ask(photo, "v")
        assert ticket is not None
        assert eventually(lambda: service.progress(ticket["id"]) == "printed", within=60)
    finally:
        service.stop()
    assert service.cups.failed
    named = [job for job in Cups("booth", cups.server).jobs() if job.name == job_name(ticket["id"])]
    assert len(named) == 1
    assert len(printed_files(printed)) == 1
