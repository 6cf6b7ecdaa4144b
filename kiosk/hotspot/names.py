"""Names on the booth's Wi-Fi: the snippet for NetworkManager's dnsmasq.

NetworkManager starts a dnsmasq for each shared connection with
``--conf-dir=/etc/NetworkManager/dnsmasq-shared.d``; the snippet there answers every name with
the booth while hotspot clients have no internet (so any address a guest types, and every
platform's portal check, reaches the booth), and only the platforms' check names when an uplink
is allowed. ``query_a`` asks a name server the way a phone does, for ``kiosk status``, preflight
and the tests.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.config import HotspotConfig
from kiosk.hotspot.checks import check_hosts
from kiosk.hotspot.leases import HOOK_PATH

SNIPPET_PATH = Path("/etc/NetworkManager/dnsmasq-shared.d/echtbild-hotspot.conf")


def dnsmasq_snippet(hotspot: HotspotConfig, hook: Path = HOOK_PATH) -> str:
    """``hook``: the script that logs each lease (kiosk.hotspot.leases.joins_hook)."""
    booth = hotspot.booth_address
    lines = [
        "# Echtbild's hotspot (kiosk hotspot up, install.sh): the booth answers names on its",
        "# own Wi-Fi. Written from [hotspot] in /etc/echtbild/kiosk.toml; edits are replaced.",
    ]
    if hotspot.uplink:
        lines += [
            "# Clients may use the uplink: only the platforms' portal checks come to the booth.",
            *(f"address=/{host}/{booth}" for host in check_hosts()),
        ]
    else:
        lines += [
            "# No internet for clients: every name is the booth, nothing is asked upstream.",
            f"address=/#/{booth}",
            "no-resolv",
        ]
    lines += [
        # No ping of an address before offering it: that check holds every new phone's first
        # offer back by 3 seconds, and on the booth's own network nobody uses fixed addresses.
        "no-ping",
        # Each lease event goes to a log the download server may read (kiosk.hotspot.leases).
        f"dhcp-script={hook}",
        # Names of this network stay here, and the booth's own name answers too.
        "domain-needed",
        "bogus-priv",
        f"address=/echtbild.lan/{booth}",
    ]
    return "\n".join(lines) + "\n"
