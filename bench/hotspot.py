"""From joining the booth's Wi-Fi to the photo on the phone, and how heavy the sign-in sheet is.

In network namespaces (no radio here): the real dnsmasq as NetworkManager's shared mode starts
it, with our snippet and its joins hook, our nftables table, and the real download server inside
the booth's namespace. For each of COUNT visits a share screen starts, then a new phone joins by
DHCP and does what a phone's sign-in sheet does: its platform check (a redirect to the sheet),
the sheet, its stylesheet and the photo it shows. Baseline, in the same run: a phone already on
the network loads the same photo's page, stylesheet and photo directly. Also measured: the DHCP
join as NetworkManager's dnsmasq does it without our snippet's ``no-ping``.

Real Wi-Fi adds association and the phone's own pause before its check (a second or two, to
confirm on a Pi); this measures what the booth adds.

Run (as root): python bench/hotspot.py [COUNT]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hotspot_net import HotspotNet, ServerInNamespace, namespaces_usable

from kiosk.config import HotspotConfig, parse_config
from kiosk.hotspot.leases import JoinWatch
from kiosk.share.on_screen import OnScreenNote
from kiosk.share.server import DownloadServer

COUNT = 10
PORT = 8080
JOIN_TO_PHOTO_TARGET = 1.0  # seconds, in namespaces: what the booth adds to a phone's join
OVERHEAD_TARGET = 0.5  # seconds over loading the same page directly
SHEET_KB_TARGET = 20.0  # the sheet's HTML and stylesheet, without the photo
HOTSPOT = HotspotConfig(enabled=True, country="DE", interface="ebhot0")
APPLE = ["http://captive.apple.com/hotspot-detect.html", "CaptiveNetworkSupport-481 wispr"]
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148"


def make_photos(storage: Path, count: int) -> tuple[list[str], int]:
    """``count`` booth-sized JPEGs of a real portrait, indexed; their tokens and one's size."""
    import io

    from PIL import Image
    from skimage import data

    from kiosk.files import write_atomically
    from kiosk.photos.index import PhotoIndex
    from kiosk.photos.store import new_token

    layout = parse_config({"storage": {"dir": str(storage)}}).storage.layout
    buffer = io.BytesIO()
    portrait = Image.fromarray(data.astronaut()).resize((2074, 2592), Image.Resampling.LANCZOS)
    portrait.save(buffer, "JPEG", quality=92)
    index = PhotoIndex(layout.index_path)
    tokens = []
    for number in range(count):
        write_atomically(layout.photos_dir / f"bench-{number}.jpg", buffer.getvalue())
        token = new_token()
        index.add(token, f"photos/bench-{number}.jpg", time.time(), time.time() + 3600)
        tokens.append(token)
    index.close()
    return tokens, buffer.tell()


def page_steps(first: list[str], token: str) -> list[list[str]]:
    return [
        first,
        ["get", "http://10.42.0.1/share.css", BROWSER],
        ["get", f"http://10.42.0.1/p/{token}/view.jpg", BROWSER],
    ]


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else COUNT
    problem = namespaces_usable()
    if problem is not None:
        print(f"bench/hotspot.py {problem}")
        return 1
    os.nice(5)
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        storage = directory / "data"
        tokens, photo_bytes = make_photos(storage, count + 1)
        config = parse_config(
            {"storage": {"dir": str(storage)}, "share": {"port": PORT}, "hotspot": {}}
        ).model_copy(update={"hotspot": HOTSPOT})
        note = OnScreenNote(config.storage.layout.on_screen_path)

        with HotspotNet(directory / "ping", HOTSPOT) as net:
            net.add_phone("phone")
            net.start_dnsmasq(without=("no-ping",))
            net.wait_for_dns()
            with_ping = [
                net.phone("phone", ["join", "eth0", f"02:ee:00:00:01:{n:02x}"])[0] for n in range(2)
            ]

        with HotspotNet(directory / "net", HOTSPOT) as net:
            net.add_phone("phone")
            net.start_dnsmasq()
            net.wait_for_dns()
            net.load_firewall(PORT)

            def make() -> DownloadServer:
                server = DownloadServer(config)
                assert server.portal is not None
                server.portal.joins = JoinWatch(net.joins)
                return server

            running = ServerInNamespace(make, net.booth, PORT)
            try:
                joins, sheets, direct, sheet_bytes = [], [], [], 0
                for number, token in enumerate(tokens[:count]):
                    note.show("attract", None, time.time)
                    note.show("share", token, time.time)
                    steps = [
                        ["join", "eth0", f"02:ee:00:00:00:{number:02x}"],
                        ["get", *APPLE],
                        *page_steps(["get", "http://10.42.0.1/sheet", BROWSER], token),
                    ]
                    results = net.phone("phone", *steps)
                    assert all("error" not in r for r in results), results
                    sheet, css, photo = results[2:]
                    assert f"/p/{token}/view.jpg" in sheet["body"], "the sheet shows no photo"
                    assert photo["bytes"] == photo_bytes
                    joins.append(results[0]["seconds"])
                    sheets.append(sum(r["seconds"] for r in results))
                    sheet_bytes = sheet["bytes"] + css["bytes"]
                    # The baseline: the same page loaded directly by a phone on the network.
                    page = ["get", f"http://10.42.0.1/p/{token}", BROWSER]
                    again = net.phone("phone", *page_steps(page, token))
                    assert all(r.get("status") == 200 for r in again), again
                    direct.append(sum(r["seconds"] for r in again))
            finally:
                running.stop()

    join_to_photo = statistics.median(sheets)
    overhead = join_to_photo - statistics.median(direct)
    sheet_kb = sheet_bytes / 1024
    print(f"{count} visits; photo {photo_bytes / 1024:.0f} KB (the original, as the page shows it)")
    print(
        f"DHCP join: {statistics.median(joins) * 1000:.0f} ms median with our snippet, "
        f"{statistics.median(r['seconds'] for r in with_ping) * 1000:.0f} ms with dnsmasq's "
        "ping check (NetworkManager's default)"
    )
    print(
        f"join to photo on the sheet: {join_to_photo * 1000:.0f} ms median "
        f"(max {max(sheets) * 1000:.0f} ms); the same page loaded directly: "
        f"{statistics.median(direct) * 1000:.0f} ms"
    )
    print(f"sheet page: {sheet_kb:.1f} KB HTML and stylesheet, plus the photo")
    figures = [
        ("hotspot_join_to_photo_s", join_to_photo, JOIN_TO_PHOTO_TARGET),
        ("hotspot_join_overhead_s", overhead, OVERHEAD_TARGET),
        ("hotspot_sheet_kb", sheet_kb, SHEET_KB_TARGET),
    ]
    for name, value, target in figures:
        print(f"figure {name} {value:.2f} target <={target} {'ok' if value <= target else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
