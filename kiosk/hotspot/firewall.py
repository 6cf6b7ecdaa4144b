"""Our own nftables table: hotspot clients reach the booth's web answers and nothing else.

NetworkManager's shared mode turns on forwarding and masquerading toward any uplink by itself;
a ``drop`` in any base chain is final in nftables, so this table takes forwarding back without
touching NetworkManager's rules. Also here, because the download server runs sandboxed with
``PrivateUsers=yes`` and cannot bind port 80 itself: port 80 of the hotspot address is
redirected to the server's port (a socket unit would do that too, but would make the server a
socket-activated service with a second way to start). HTTPS to the booth is answered with a TCP
reset, so a phone gives up at once instead of waiting out a timeout.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.config import HotspotConfig

TABLE = "echtbild_hotspot"
RULESET_PATH = Path("/etc/echtbild/hotspot.nft")


def nft_ruleset(hotspot: HotspotConfig, server_port: int) -> str:
    """A ruleset for ``nft -f``: replaces our table as a whole, so loading it again is a no-op."""
    wlan, booth = f'"{hotspot.interface}"', hotspot.booth_address
    if hotspot.uplink:
        forward = [
            f"    iifname {wlan} ip daddr {{ 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 }} "
            "reject with icmpx admin-prohibited",
            f"    iifname {wlan} accept",
        ]
    else:
        forward = [
            f"    iifname {wlan} meta l4proto tcp reject with tcp reset",
            f"    iifname {wlan} reject with icmpx admin-prohibited",
        ]
    return "\n".join(
        [
            "# Echtbild's hotspot (kiosk hotspot up): written from [hotspot]; edits are replaced.",
            f"table inet {TABLE}",
            f"delete table inet {TABLE}",
            f"table inet {TABLE} {{",
            "  chain prerouting {",
            "    type nat hook prerouting priority dstnat; policy accept;",
            f"    iifname {wlan} ip daddr {booth} tcp dport 80 redirect to :{server_port}",
            "  }",
            # The same address from the booth itself (preflight's test photo, staff's curl).
            "  chain output {",
            "    type nat hook output priority -100; policy accept;",
            f"    ip daddr {booth} tcp dport 80 redirect to :{server_port}",
            "  }",
            "  chain input {",
            "    type filter hook input priority filter - 5; policy accept;",
            f"    iifname != {wlan} accept",
            "    ct state established,related accept",
            "    meta l4proto { icmp, ipv6-icmp } accept",
            "    udp dport { 53, 67 } accept",
            "    tcp dport 53 accept",
            f"    ip daddr {booth} tcp dport {server_port} accept",
            "    meta l4proto tcp reject with tcp reset",
            "    reject with icmpx admin-prohibited",
            "  }",
            "  chain forward {",
            "    type filter hook forward priority filter - 5; policy accept;",
            *forward,
            f"    oifname {wlan} ct state established,related accept",
            f"    oifname {wlan} drop",
            "  }",
            "}",
            "",
        ]
    )
