"""The sign-in sheet over the booth's Wi-Fi, end to end in network namespaces: the real dnsmasq
(with our snippet and its joins hook), our nftables table (port 80 to the server), and the real
download server inside the booth's namespace. Phones join by DHCP and ask as each platform asks:
each gets the written sequence (docs/hotspot.md), the phone that joins just after the share
screen starts gets that photo, a phone that joined before, joins after the window, or comes
second gets the generic page."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXED_TIME
from helpers import eventually, full_visit
from hotspot_net import HotspotNet, ServerInNamespace, namespaces_usable

from kiosk.config import Config, HotspotConfig
from kiosk.hotspot.checks import CHECKS
from kiosk.hotspot.leases import JoinWatch
from kiosk.hotspot.system import HotspotStatus
from kiosk.photos.store import SavedPhoto
from kiosk.share.on_screen import OnScreenNote
from kiosk.share.server import DownloadServer
from kiosk.status import hotspot_checks

pytestmark = pytest.mark.skipif(namespaces_usable() is not None, reason=str(namespaces_usable()))

PORT = 8080
HOTSPOT = HotspotConfig(enabled=True, country="DE", interface="ebhot0", portal_window=90)
APPLE = ["http://captive.apple.com/hotspot-detect.html", "CaptiveNetworkSupport-481 wispr"]
SHEET = "http://10.42.0.1/sheet"


class Booth:
    def __init__(self, net: HotspotNet, config: Config, photo: SavedPhoto, server: DownloadServer):
        self.net, self.config, self.server = net, config, server
        self.token, self.photo_size = photo.token, Path(photo.path).stat().st_size
        self.note = OnScreenNote(config.storage.layout.on_screen_path)
        self._mac = 0

    def share_screen_started(self, at: float) -> None:
        self.note.show("attract", None, lambda: at - 1)
        self.note.show("share", self.token, lambda: at)

    def mac(self) -> str:
        self._mac += 1
        return f"02:eb:00:00:00:{self._mac:02x}"


@pytest.fixture
def booth(tmp_path: Path, make_app, config: Config) -> Iterator[Booth]:
    config = config.model_copy(
        update={"hotspot": HOTSPOT, "share": config.share.model_copy(update={"port": PORT})}
    )
    app = make_app(config)
    full_visit(app)
    photo = app.machine.photo
    assert photo is not None
    with HotspotNet(tmp_path / "net", HOTSPOT) as net:
        for phone in ("guest", "early", "late", "second", "phone"):
            net.add_phone(phone)
        net.start_dnsmasq()
        net.wait_for_dns()
        net.load_firewall(PORT)

        def make() -> DownloadServer:
            # The links were made on the booth's fixed clock: the server's is a minute later.
            server = DownloadServer(config, clock=lambda: FIXED_TIME.timestamp() + 60)
            assert server.portal is not None
            server.portal.joins = JoinWatch(net.joins)
            return server

        running = ServerInNamespace(make, net.booth, PORT)
        try:
            yield Booth(net, config, photo, running.server)
        finally:
            running.stop()


def shows_photo(page: dict, token: str) -> bool:
    return page["status"] == 200 and f"/p/{token}/view.jpg" in page["body"]


def test_a_phone_joining_after_the_share_screen_gets_that_photo_and_no_one_else(
    booth: Booth,
) -> None:
    net, token = booth.net, booth.token
    # An earlier share screen whose window is over: a phone joining now is too late for it.
    booth.share_screen_started(time.time() - 200)
    _, late_check, late_sheet = net.phone(
        "late", ["join", "eth0", booth.mac()], ["get", *APPLE], ["get", SHEET, APPLE[1]]
    )
    assert late_check["status"] == 302 and late_check["location"] == SHEET
    assert late_sheet["status"] == 200 and not shows_photo(late_sheet, token)
    assert "Fotobox" in late_sheet["body"], "the generic page"
    [early] = net.phone("early", ["join", "eth0", booth.mac()])
    assert "error" not in early, early
    # This visit's share screen starts; the guest scans the code and joins.
    booth.share_screen_started(time.time())
    guest_join, check, sheet, again = net.phone(
        "guest",
        ["join", "eth0", booth.mac()],
        ["get", *APPLE],
        ["get", SHEET, "Mozilla/5.0 (iPhone) Mobile"],
        ["get", *APPLE],
    )
    assert "error" not in guest_join, guest_join
    assert check["status"] == 302 and check["location"] == SHEET, check
    assert shows_photo(sheet, token), sheet["body"][:500]
    assert f"http://10.42.0.1/p/{token}" in sheet["body"], "its own link"
    assert "/delete" in sheet["body"] and "/sheet/done" in sheet["body"]
    assert "Safari" in sheet["body"], "iOS's sheet cannot save: the one-line hint"
    assert again["status"] == 302, "the sheet stays open while the guest saves"
    # The phone that joined before, and a second phone within the window: the generic page.
    [early_sheet] = net.phone("early", ["get", SHEET, "Mozilla/5.0"])
    [_, second_sheet] = net.phone(
        "second", ["join", "eth0", booth.mac()], ["get", SHEET, "Mozilla/5.0"]
    )
    assert early_sheet["status"] == second_sheet["status"] == 200
    assert not shows_photo(early_sheet, token) and not shows_photo(second_sheet, token)
    # The guest is done: the check passes, and the booth's bare address still shows the photo.
    done, passed, bare, photo = net.phone(
        "guest",
        ["get", "http://10.42.0.1/sheet/done", "Mozilla/5.0"],
        ["get", *APPLE],
        ["get", "http://10.42.0.1/", "Mozilla/5.0"],
        ["get", SHEET, "Mozilla/5.0"],
    )
    assert done["status"] == 200 and f"/p/{token}" in done["body"]
    assert passed["status"] == 200 and "<TITLE>Success</TITLE>" in passed["body"]
    assert bare["status"] == 302 and bare["location"] == SHEET
    assert shows_photo(photo, token)
    # The photo itself comes over the hotspot, byte for byte, and no request was a guess.
    [original] = net.phone("guest", ["get", f"http://10.42.0.1/p/{token}/photo.jpg", "x"])
    assert original["status"] == 200 and original["bytes"] == booth.photo_size
    assert not booth.server.guess_guard._misses, "no portal request counted as a token guess"


@pytest.mark.parametrize("check", CHECKS, ids=[check.platform for check in CHECKS])
def test_each_platform_gets_its_written_sequence(booth: Booth, check) -> None:
    url = f"http://{check.hosts[0]}{check.paths[0]}"
    joined, before, sheet, during, done, after = booth.net.phone(
        "phone",
        ["join", "eth0", booth.mac()],  # a new lease: a sequence of its own
        ["get", url, "probe"],
        ["get", SHEET, "probe"],
        ["get", url, "probe"],
        ["get", "http://10.42.0.1/sheet/done", "probe"],
        ["get", url, "probe"],
    )
    assert "error" not in joined, joined
    for answer in (before, during):
        assert (answer["status"], answer["location"]) == (302, SHEET), answer
    assert sheet["status"] == 200 and done["status"] == 200
    assert after["status"] == check.online.status, after
    assert after["body"] == check.online.body.decode(), after
    assert (after["type"] or "").startswith(check.online.content_type)


def test_status_sees_names_answered_the_sheet_answering_and_the_phones(booth: Booth) -> None:
    net = booth.net
    for phone in ("guest", "early"):
        [joined] = net.phone(phone, ["join", "eth0", booth.mac()])
        assert "error" not in joined, joined
    # dnsmasq runs our hook just after its answer: both joins are in the log.
    assert eventually(lambda: JoinWatch(net.joins).refresh().clients == 2)
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from kiosk.config import HotspotConfig\n"
        "from kiosk.hotspot.system import status\n"
        "hotspot = HotspotConfig.model_validate_json(sys.argv[1])\n"
        "state = status(hotspot, joins=Path(sys.argv[2]))\n"
        "print(json.dumps([state.names_answered, state.portal_answering, state.clients,"
        " state.summary(hotspot)]))\n"
    )
    result = net.booth_run(sys.executable, "-c", script, HOTSPOT.model_dump_json(), str(net.joins))
    names, portal, clients, summary = json.loads(result.stdout)
    assert names and portal, summary
    assert clients == 2
    assert "names answered" in summary and "sign-in sheet answering" in summary


def test_status_and_preflight_lines_say_what_is_wrong() -> None:
    config = Config(hotspot=HOTSPOT)
    down = HotspotStatus(False, None, 0, True, False, ("no name server",))
    [line] = hotspot_checks(config, down)
    assert line.mark == "FAIL" and "DOWN" in line.text and "country NOT SET" in line.text
    assert "sheet NOT answering" in line.text
    fine = HotspotStatus(True, "DE", 3, True, True, ())
    [line] = hotspot_checks(config, fine)
    assert line.mark == "ok" and "3 phone(s) joined" in line.text
    assert hotspot_checks(Config()) == [], "no hotspot, no line"
