"""Applying the hotspot to the machine: files for NetworkManager and nftables, then nmcli, nft
and the regulatory country. Used by ``kiosk hotspot up|down|status`` and install.sh (as root).

Idempotent: a file is written only when its text differs, NetworkManager reloads only what
changed, a connection already up is left up. ``plan`` lists what ``up`` would do without doing
it (install.sh's ``--dry-run``, and its test for "a second install changes nothing").
"""

from __future__ import annotations

import http.client
import logging
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import HotspotConfig
from kiosk.files import write_atomically
from kiosk.hotspot.dns import query_a
from kiosk.hotspot.firewall import RULESET_PATH, TABLE, nft_ruleset
from kiosk.hotspot.leases import HOOK_PATH, JOINS_PATH, JoinWatch, joins_hook
from kiosk.hotspot.names import SNIPPET_PATH, dnsmasq_snippet
from kiosk.hotspot.profile import CONNECTION_ID, PROFILE_PATH, profile_keyfile

log = logging.getLogger(__name__)

DISPATCHER_PATH = Path("/etc/NetworkManager/dispatcher.d/90-echtbild-hotspot")

# NetworkManager runs its dispatcher scripts at every connection change: our table comes and goes
# with the hotspot, also after a reboot, without a service of our own.
DISPATCHER = f"""#!/bin/sh
# Echtbild's hotspot (kiosk hotspot up, install.sh): our nftables table follows the connection.
[ "$CONNECTION_ID" = "{CONNECTION_ID}" ] || exit 0
case "$2" in
  up) exec nft -f {RULESET_PATH} ;;
  down) nft delete table inet {TABLE} 2>/dev/null; exit 0 ;;
esac
exit 0
"""

Runner = Callable[[Sequence[str]], subprocess.CompletedProcess]


def run_command(command: Sequence[str]) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), capture_output=True, text=True, timeout=60, check=False)


@dataclass(frozen=True)
class Wanted:
    path: Path
    text: str
    mode: int


def wanted_files(
    hotspot: HotspotConfig, server_port: int, system_root: Path = Path("/"), twin: str | None = None
) -> list[Wanted]:
    """The files the hotspot needs, under ``system_root`` (where they also name each other);
    ``twin`` makes the profile's Ethernet twin."""

    def under(path: Path) -> Path:
        return system_root / path.relative_to("/")

    return [
        # The profile holds the Wi-Fi password: root only, as NetworkManager wants it.
        Wanted(under(PROFILE_PATH), profile_keyfile(hotspot, twin), 0o600),
        Wanted(under(SNIPPET_PATH), dnsmasq_snippet(hotspot, under(HOOK_PATH)), 0o644),
        Wanted(under(HOOK_PATH), joins_hook(), 0o755),
        Wanted(under(RULESET_PATH), nft_ruleset(hotspot, server_port), 0o644),
        Wanted(under(DISPATCHER_PATH), DISPATCHER, 0o755),
    ]


def stale_files(wanted: list[Wanted]) -> list[Wanted]:
    """Those of ``wanted`` whose file is missing, different or of another mode."""
    stale = []
    for item in wanted:
        try:
            same = item.path.read_text() == item.text and item.path.stat().st_mode & 0o777 == (
                item.mode
            )
        except OSError:
            same = False
        if not same:
            stale.append(item)
    return stale


def write_files(wanted: list[Wanted]) -> list[Path]:
    """Write what is stale; returns the paths written."""
    written = []
    for item in stale_files(wanted):
        write_atomically(item.path, item.text.encode())
        item.path.chmod(item.mode)
        written.append(item.path)
    return written


def connection_active(run: Runner = run_command) -> bool:
    result = run(["nmcli", "-t", "-f", "GENERAL.STATE", "connection", "show", CONNECTION_ID])
    return result.returncode == 0 and "activated" in result.stdout


def country_now(run: Runner = run_command) -> str | None:
    """The regulatory domain the Wi-Fi driver uses now (``iw reg get``), None for unset (00)."""
    if not shutil.which("iw"):
        return None
    match = re.search(r"country ([A-Z0-9]{2}):", run(["iw", "reg", "get"]).stdout)
    return match[1] if match and match[1] != "00" else None


def plan(
    hotspot: HotspotConfig,
    server_port: int,
    system_root: Path = Path("/"),
    run: Runner = run_command,
    live: bool = True,
) -> list[str]:
    """Each step ``up`` would take now, as a line; empty when everything is in place.
    ``live=False`` looks only at the files (no NetworkManager to ask, e.g. a chroot)."""
    steps = [
        f"write {item.path}"
        for item in stale_files(wanted_files(hotspot, server_port, system_root))
    ]
    if not live:
        return steps
    if country_now(run) != hotspot.country:
        steps.append(f"set the Wi-Fi country to {hotspot.country}")
    if steps:
        steps.append("nmcli connection reload")
    if steps or not connection_active(run):
        steps.append(f"nmcli connection up {CONNECTION_ID}")
        steps.append(f"nft -f {system_root / RULESET_PATH.relative_to('/')}")
    return steps


def up(
    hotspot: HotspotConfig,
    server_port: int,
    system_root: Path = Path("/"),
    run: Runner = run_command,
    twin: str | None = None,
) -> list[str]:
    """Make the hotspot as ``[hotspot]`` says and bring it up; returns what was done. Raises
    RuntimeError naming the step that failed and its message."""
    done = [
        f"wrote {path}"
        for path in write_files(wanted_files(hotspot, server_port, system_root, twin))
    ]
    if twin is None and country_now(run) != hotspot.country:
        done += _set_country(hotspot.country, run)
    if done:
        _check(run(["nmcli", "connection", "reload"]), "nmcli connection reload")
    if done or not connection_active(run):
        _check(run(["nmcli", "connection", "up", CONNECTION_ID]), "nmcli connection up")
        done.append(f"{CONNECTION_ID} is up")
    ruleset = system_root / RULESET_PATH.relative_to("/")
    _check(run(["nft", "-f", str(ruleset)]), f"nft -f {ruleset}")
    return done


def down(run: Runner = run_command) -> list[str]:
    done = []
    if connection_active(run):
        _check(run(["nmcli", "connection", "down", CONNECTION_ID]), "nmcli connection down")
        done.append(f"{CONNECTION_ID} is down")
    if run(["nft", "delete", "table", "inet", TABLE]).returncode == 0:
        done.append(f"nftables table {TABLE} removed")
    return done


def _set_country(country: str, run: Runner) -> list[str]:
    """As Raspberry Pi OS sets it (raspi-config: the kernel's regulatory domain, kept across
    reboots, and Wi-Fi unblocked in rfkill); elsewhere for now with iw and rfkill."""
    if shutil.which("raspi-config"):
        _check(run(["raspi-config", "nonint", "do_wifi_country", country]), "raspi-config")
        return [f"Wi-Fi country {country} (raspi-config)"]
    done = []
    if shutil.which("iw"):
        _check(run(["iw", "reg", "set", country]), f"iw reg set {country}")
        done.append(f"Wi-Fi country {country} until the next reboot (iw)")
    if shutil.which("rfkill"):
        run(["rfkill", "unblock", "wifi"])
    return done


def _check(result: subprocess.CompletedProcess, step: str) -> None:
    if result.returncode != 0:
        message = (result.stderr or result.stdout or "").strip().splitlines()
        raise RuntimeError(f"{step} failed: {message[-1] if message else result.returncode}")


@dataclass(frozen=True)
class HotspotStatus:
    up: bool
    country: str | None
    clients: int | None
    names_answered: bool
    portal_answering: bool
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.up and self.names_answered and self.portal_answering

    def summary(self, hotspot: HotspotConfig) -> str:
        """One line: what works, and what does not in capitals."""
        parts = [f"{hotspot.ssid!r} {'up' if self.up else 'DOWN'} on {hotspot.interface}"]
        parts.append(f"country {self.country}" if self.country else "country NOT SET")
        if self.clients is not None:
            parts.append(f"{self.clients} phone(s) joined")
        parts.append("names answered" if self.names_answered else "names NOT answered")
        parts.append("sign-in sheet answering" if self.portal_answering else "sheet NOT answering")
        return ", ".join(parts + list(self.problems))

    def lines(self, hotspot: HotspotConfig) -> list[str]:
        def yes(flag: bool) -> str:
            return "yes" if flag else "NO"

        clients = "unknown" if self.clients is None else str(self.clients)
        return [
            f"hotspot {hotspot.ssid!r} on {hotspot.interface}: {'up' if self.up else 'DOWN'}",
            f"  country: {self.country or 'NOT SET (Wi-Fi stays blocked)'}",
            f"  phones joined: {clients}",
            f"  names answered with {hotspot.booth_address}: {yes(self.names_answered)}",
            f"  sign-in sheet answering: {yes(self.portal_answering)}",
            *(f"  problem: {problem}" for problem in self.problems),
        ]


def status(
    hotspot: HotspotConfig,
    run: Runner = run_command,
    joins: Path = JOINS_PATH,
) -> HotspotStatus:
    """What a booth's staff need to know before doors open; every check bounded in time."""
    problems = []
    active = shutil.which("nmcli") is not None and connection_active(run)
    watch = JoinWatch(joins)
    clients = watch.refresh().clients if watch.problem is None else None
    booth = hotspot.booth_address
    try:
        names = query_a(booth, "captive.apple.com", timeout=1.0) == [booth]
    except OSError as error:
        names = False
        problems.append(f"no name server on {booth}:53 ({error})")
    # Port 80, as phones ask: through our table's redirect to the server.
    portal = portal_answers(booth, 80)
    if portal is not None:
        problems.append(portal)
    return HotspotStatus(active, country_now(run), clients, names, portal is None, tuple(problems))


def portal_answers(address: str, port: int, timeout: float = 2.0) -> str | None:
    """None when the download server answers Apple's portal check as a portal or as online;
    else what went wrong."""
    connection = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        connection.request("GET", "/hotspot-detect.html", headers={"Host": "captive.apple.com"})
        response = connection.getresponse()
        response.read()
    except OSError as error:
        return f"the download server does not answer on {address}:{port} ({error})"
    finally:
        connection.close()
    if response.status in (200, 302):
        return None
    return f"the download server answers the portal check with {response.status}"
