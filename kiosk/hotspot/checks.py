"""Each platform's captive-portal check, and what the booth answers it.

A phone that joins a Wi-Fi asks a well-known address over plain HTTP and compares the answer
with what the open internet would give. The booth's dnsmasq answers every such name with the
booth, so the request comes here. While the phone's guest has not finished with the sign-in
sheet, the booth answers with a redirect to the sheet ("a portal is here": the phone opens its
sheet by itself); once they are done, with exactly the answer the platform expects ("online"),
so the phone keeps the network and its browser can open the photo's link. docs/hotspot.md
writes the sequence down per platform; ``tests/test_hotspot_namespaces.py`` plays it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Online:
    """The answer a platform takes for "this network reaches the internet"."""

    status: int
    content_type: str
    body: bytes


APPLE_SUCCESS = Online(
    200, "text/html", b"<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>"
)
NO_CONTENT = Online(204, "text/plain", b"")


@dataclass(frozen=True)
class Check:
    platform: str
    hosts: tuple[str, ...]
    paths: tuple[str, ...]
    online: Online


CHECKS: tuple[Check, ...] = (
    Check(
        "apple",  # iOS, iPadOS, macOS: the Captive Network Assistant (user agent
        # CaptiveNetworkSupport); older releases ask the other hosts
        (
            "captive.apple.com",
            "www.apple.com",
            "www.appleiphonecell.com",
            "www.ibook.info",
            "www.itools.info",
            "www.airport.us",
            "www.thinkdifferent.us",
        ),
        ("/hotspot-detect.html", "/library/test/success.html", "/"),
        APPLE_SUCCESS,
    ),
    Check(
        "android",  # AOSP's NetworkMonitor, Samsung included; its HTTPS check is refused
        (
            "connectivitycheck.gstatic.com",
            "connectivitycheck.android.com",
            "clients1.google.com",
            "clients3.google.com",
            "clients4.google.com",
            "android.clients.google.com",
            "www.google.com",
            "play.googleapis.com",
        ),
        ("/generate_204", "/gen_204"),
        NO_CONTENT,
    ),
    Check("android-xiaomi", ("connect.rom.miui.com",), ("/generate_204",), NO_CONTENT),
    Check(
        "android-huawei",
        ("connectivitycheck.platform.hicloud.com", "connectivitycheck.cbg-app.huawei.com"),
        ("/generate_204",),
        NO_CONTENT,
    ),
    Check("chromeos", ("www.gstatic.com", "clients3.google.com"), ("/generate_204",), NO_CONTENT),
    Check(
        "windows",  # NCSI; it also looks up dns.msftncsi.com, which the booth answers too
        ("www.msftconnecttest.com", "ipv6.msftconnecttest.com"),
        ("/connecttest.txt",),
        Online(200, "text/plain", b"Microsoft Connect Test"),
    ),
    Check(
        "windows-old",
        ("www.msftncsi.com",),
        ("/ncsi.txt",),
        Online(200, "text/plain", b"Microsoft NCSI"),
    ),
    Check(
        "firefox",
        ("detectportal.firefox.com",),
        ("/canonical.html",),
        Online(
            200,
            "text/html",
            b'<meta http-equiv="refresh" '
            b'content="0;url=https://support.mozilla.org/kb/captive-portal"/>',
        ),
    ),
    Check(
        "firefox-success",
        ("detectportal.firefox.com",),
        ("/success.txt",),
        Online(200, "text/plain", b"success\n"),
    ),
    Check(
        "linux",  # NetworkManager on GNOME and Ubuntu desktops
        ("nmcheck.gnome.org",),
        ("/check_network_status.txt",),
        Online(200, "text/plain", b"NetworkManager is online\n"),
    ),
    Check("ubuntu", ("connectivity-check.ubuntu.com",), ("/",), NO_CONTENT),
)

_BY_HOST_AND_PATH = {
    (host, path): check for check in CHECKS for host in check.hosts for path in check.paths
}


def check_for(host: str, path: str) -> Check | None:
    """The platform check a request is, by its Host header (any port) and path; else None."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return _BY_HOST_AND_PATH.get((name.lower().rstrip("."), path))


# Names that serve far more than a check: with an uplink allowed they keep their real answers
# (the platforms then find the portal through their dedicated check names).
GENERAL_PURPOSE = {"www.google.com", "www.apple.com", "www.gstatic.com", "play.googleapis.com"}


def check_hosts() -> list[str]:
    """The names answered with the booth when hotspot clients may reach the internet: the
    platforms' dedicated check names (and Windows' DNS check)."""
    hosts = {host for check in CHECKS for host in check.hosts} - GENERAL_PURPOSE
    return sorted(hosts | {"dns.msftncsi.com"})


def platform_of(check: Check) -> str:
    """The family a check belongs to: the sheet's save hint is written per family."""
    return check.platform.split("-", 1)[0]
