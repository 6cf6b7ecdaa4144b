"""Printing through the real booth loop: a kept photo printed on a private CUPS's IPP Everywhere
printer, the share screen and the phone page (real HTTP on loopback) saying a print is on its
way; "ask" mode's second button; a paused queue and no print offered; status and preflight."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXED_TIME
from cups_server import PrivateCups, cups_installed
from helpers import advance, eventually, full_visit, press
from test_server import RunningServer

from kiosk.booth.events import MainButton, SecondButton
from kiosk.booth.machine import DOUBLE_PRESS, Phase
from kiosk.cli import main
from kiosk.config import Config, PrintConfig
from kiosk.printing.cups import Cups
from kiosk.printing.service import PrintService, settings_from
from kiosk.printing.staff import print_test_page, printer_line

pytestmark = pytest.mark.skipif(
    not cups_installed(), reason="needs root and cups, cups-ipp-utils, dbus (.ci/run installs them)"
)


@pytest.fixture
def cups() -> Iterator[PrivateCups]:
    server = PrivateCups.in_own_folder()
    try:
        yield server.start()
    finally:
        server.remove()


def with_printing(config: Config, cups: PrivateCups, when: str) -> Config:
    wanted = PrintConfig(
        when=when, queue="booth", server=cups.server, paper="A4", poll_interval=0.3
    )
    return config.model_copy(update={"print": wanted})


def service_of(config: Config) -> PrintService:
    return PrintService(settings_from(config, None), config.storage.layout).start()


def printed(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.is_file() and path.stat().st_size)


def test_a_kept_photo_prints_and_screen_and_phone_say_it_is_on_its_way(
    make_app, config: Config, cups: PrivateCups
) -> None:
    kept = cups.add_ipp_everywhere("booth")
    config = with_printing(config, cups, "always")
    service = service_of(config)
    server = RunningServer(config)
    server.now = FIXED_TIME.timestamp() + 60  # the booth's photos are taken at FIXED_TIME
    try:
        assert eventually(lambda: service.offer("").available, within=10)
        app = make_app(config, printing=service)
        now = full_visit(app)
        photo = app.machine.photo
        assert photo is not None
        now = advance(app, now, 0.3)
        assert app.printing is not None and app.printing.note(app.machine) == "on its way"
        on_screen = json.loads(config.storage.layout.on_screen_path.read_text())
        assert on_screen["token"] == photo.token
        assert on_screen["news"] == {"print": "on its way"}
        status, _, body = server.request(f"/p/{photo.token}", headers={"Accept-Language": "en"})
        assert status == 200
        assert "Your print is on its way" in body.decode()
        assert app.machine.visit is not None
        print_id = app.machine.visit.prints[0]["id"]
        # Printed: the printer has the whole file (ippeveprinter writes it as it arrives).
        assert eventually(lambda: service.progress(print_id) == "printed", within=60), cups.log()
        assert len(printed(kept)) == 1
        assert Path(photo.path).read_bytes() in printed(kept)[0].read_bytes()
        press(app, MainButton(), now + 0.1)
        assert app.machine.phase is Phase.ATTRACT
        visit = json.loads(config.storage.layout.visits_path.read_text().splitlines()[-1])
        [ticket] = visit["prints"]
        assert ticket["copies"] == 1 and ticket["layout"]["paper"] == "A4"
        assert ticket["layout"]["strip_mm"] is not None  # 4:5 on A4 leaves room for the strip
        # Another page, for a photo not on the screen, says nothing about prints.
        server.request("/healthz")
        status, _, body = server.request(f"/p/{photo.token}", headers={"Accept-Language": "en"})
        assert "print" not in body.decode().lower().split("</h1>")[1].split("<img")[0]
    finally:
        server.stop()
        service.stop()


def test_ask_mode_prints_on_the_second_button_and_a_paused_queue_offers_nothing(
    make_app, config: Config, cups: PrivateCups
) -> None:
    kept = cups.add_ipp_everywhere("booth")
    config = with_printing(config, cups, "ask")
    service = service_of(config)
    try:
        assert eventually(lambda: service.offer("").available, within=10)
        app = make_app(config, printing=service)
        now = full_visit(app)
        assert app.machine.print_button
        assert app.printing is not None and app.printing.note(app.machine) == "offer"
        now = press(app, SecondButton(), now + 0.1)
        now = advance(app, now, 0.2)
        assert app.machine.phase is Phase.SHARE  # printing does not end the visit
        assert app.printing.note(app.machine) == "on its way"
        assert not app.machine.print_button  # one print a visit (print.per_visit)
        now = press(app, SecondButton(), now + 0.1)
        assert app.machine.phase is Phase.SHARE  # a double press is one press
        now = press(app, SecondButton(), now + DOUBLE_PRESS)
        assert app.machine.phase is Phase.ATTRACT  # now the second button ends it
        assert eventually(lambda: len(printed(kept)) == 1, within=60)

        # Staff pause the queue: the next visit is offered no print.
        cups.command("cupsdisable", "booth")
        assert eventually(lambda: not service.offer("").available, within=5)
        app.start(now)
        now = full_visit(app)
        assert not app.machine.print_button
        assert app.printing.note(app.machine) == "paused"
        on_screen = json.loads(config.storage.layout.on_screen_path.read_text())
        assert on_screen["news"] == {"print": "paused"}
        press(app, SecondButton(), now + 0.1)
        assert app.machine.phase is Phase.ATTRACT
        assert len(printed(kept)) == 1
        visits = config.storage.layout.visits_path.read_text().splitlines()
        first, second = (json.loads(line) for line in visits[-2:])
        assert first["prints"] and first["prints_paused"] is None
        assert not second["prints"] and "cupsenable booth" in second["prints_paused"]
        line, fine = printer_line(config)
        assert not fine and "cupsenable booth" in line
    finally:
        service.stop()


def test_status_reads_cups_without_a_booth_and_a_test_page_prints(
    config: Config, cups: PrivateCups
) -> None:
    kept = cups.add_ipp_everywhere("booth")
    config = with_printing(config, cups, "ask")
    line, fine = printer_line(config)
    assert fine, line
    assert line.startswith("booth: prints offered (booth not running)")
    done, said = print_test_page(config, None, wait=60)
    assert done, said
    assert len(printed(kept)) == 1
    # A queue that stops on errors is named, with the fix.
    cups.lpadmin("-p", "booth", "-o", "printer-error-policy=stop-printer")
    line, fine = printer_line(config)
    assert not fine and "kiosk print setup" in line


def test_kiosk_print_sets_up_a_permanent_queue_and_prints_a_test_page(
    config: Config, cups: PrivateCups, tmp_path: Path, capsys
) -> None:
    kept = cups.add_ipp_everywhere("other")  # an ippeveprinter; the booth's queue is made below
    device = Cups("other", cups.server).report().device_uri
    config_file = tmp_path / "print.toml"
    config_file.write_text(
        f'[storage]\ndir = "{config.storage.dir}"\n'
        f'[print]\nwhen = "ask"\nqueue = "booth"\nserver = "{cups.server}"\npaper = "A4"\n'
    )
    assert main(["--config", str(config_file), "print", "setup", device]) == 0
    assert f"ok    queue booth on {device}" in capsys.readouterr().out
    report = Cups("booth", cups.server).report()
    assert report.driverless and report.error_policy == "abort-job" and report.accepting
    assert "printer-is-temporary=false" in cups.command("lpoptions", "-p", "booth")
    assert main(["--config", str(config_file), "print", "test"]) == 0
    out = capsys.readouterr().out
    assert "ok    printer: booth: prints offered" in out
    assert "test page printed" in out
    assert len(printed(kept)) == 1
    # Without a queue name there is nothing to set up: the key is named.
    config_file.write_text(f'[storage]\ndir = "{config.storage.dir}"\n[print]\nwhen = "ask"\n')
    assert main(["--config", str(config_file), "print", "setup", device]) == 2
    assert "print.queue" in capsys.readouterr().err


def test_preflight_names_the_printer_and_prints_a_test_page_on_request(
    config: Config, cups: PrivateCups
) -> None:
    from kiosk.preflight import Preflight

    kept = cups.add_ipp_everywhere("booth")
    config = with_printing(config, cups, "ask")
    # Only the printer's step runs here: it needs none of the booth's other parts.
    asked = Preflight(
        config, None, print, print, test_page=lambda: print_test_page(config, None, wait=60)
    )  # type: ignore[arg-type]
    check = asked.printer()
    assert check.ok and not check.warning, check.text
    assert "test page printed" in check.text
    assert len(printed(kept)) == 1
    cups.command("cupsdisable", "booth")
    check = Preflight(config, None, print, print).printer()  # type: ignore[arg-type]
    assert check.ok and check.warning and "cupsenable booth" in check.text
    assert len(printed(kept)) == 1  # no test page without --test-page


BOOTH_CHILD = """
import os, signal, sys
sys.path[:0] = [{tests!r}, {root!r}]
os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
from pathlib import Path
import pygame
from conftest import FIXED_TIME, make_store
from helpers import full_visit
from kiosk.booth.loop import BoothLoop, InlineExecutor
from kiosk.booth.visit_log import VisitLog
from kiosk.camera.image_camera import ImageCamera
from kiosk.config import load_config
from kiosk.printing.service import PrintService, settings_from

config = load_config(Path({config!r}))
pygame.display.init()
surface = pygame.display.set_mode(config.display.size)
camera = ImageCamera(config.camera.image, config.camera.sensor_size, wallclock=lambda: FIXED_TIME)
service = PrintService(settings_from(config, None), config.storage.layout)
record = service._record
def killed_after_lp(entry):
    if entry["op"] == "sent":
        os.kill(os.getpid(), signal.SIGKILL)  # CUPS has the job; the journal does not know
    record(entry)
service._record = killed_after_lp
app = BoothLoop(
    config, camera, surface, make_store(config), VisitLog(config.storage.layout.visits_path),
    wallclock=lambda: FIXED_TIME, printing=service, capture_worker=InlineExecutor(),
)
service.work_once()  # the printer's state, before the visit
full_visit(app)  # keep: the photo is asked for and journalled
print(app.machine.visit.prints[0]["id"], app.machine.photo.path, flush=True)
service.work_once()  # laid out and handed to lp, then killed
"""


def test_a_booth_killed_between_lp_and_its_journal_prints_the_photo_once(
    make_app, tmp_path: Path, portrait_file: Path, cups: PrivateCups
) -> None:
    import subprocess
    import sys

    from kiosk.config import load_config

    kept = cups.add_ipp_everywhere("booth")
    path = tmp_path / "booth.toml"
    path.write_text(
        f'[camera]\nimage = "{portrait_file}"\n[storage]\ndir = "{tmp_path / "data"}"\n'
        "[display]\nfullscreen = false\nsize = [1280, 720]\nkiosk_mode = false\n"
        '[buttons]\nenabled = false\n[share]\nbase_url = "http://booth.test:8080"\n'
        f'[print]\nwhen = "always"\nqueue = "booth"\nserver = "{cups.server}"\npaper = "A4"\n'
        'poll_interval = "0.3s"\n'
    )
    here = Path(__file__).resolve().parent
    script = BOOTH_CHILD.format(tests=str(here), root=str(here.parent), config=str(path))
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert child.returncode == -9, child.stderr[-3000:]
    print_id, photo = child.stdout.split()
    assert len([j for j in Cups("booth", cups.server).jobs() if j.name.endswith(print_id)]) == 1
    # The booth starts again on the same storage: the print is found at CUPS, not sent again.
    config = load_config(path)
    service = service_of(config)
    try:
        make_app(config, printing=service)
        assert eventually(lambda: service.progress(print_id) == "printed", within=60)
    finally:
        service.stop()
    assert len([j for j in Cups("booth", cups.server).jobs() if j.name.endswith(print_id)]) == 1
    [job_file] = printed(kept)
    assert Path(photo).read_bytes() in job_file.read_bytes()
