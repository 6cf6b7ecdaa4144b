"""``kiosk hotspot up|down|status``: the booth's own Wi-Fi for staff. Each returns an exit code
of ``kiosk.exits``; ``up`` and ``down`` need root (NetworkManager's profiles, nftables)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kiosk.config import Config
from kiosk.exits import EXIT_BAD_CONFIG, EXIT_FAILURE, EXIT_OK, fail
from kiosk.hotspot import system

ROOT = Path("/")


def _switched_on(config: Config) -> bool:
    if not config.hotspot.enabled:
        print(
            "hotspot.enabled: the booth's own Wi-Fi is not switched on in this config "
            "(set enabled = true in [hotspot])",
            file=sys.stderr,
        )
    return config.hotspot.enabled


def _as_root(command: str, system_root: Path) -> bool:
    if system_root == ROOT and os.geteuid() != 0:
        print(
            f"kiosk hotspot {command} changes the network: run it as root (sudo)", file=sys.stderr
        )
        return False
    return True


def hotspot_up(config: Config, dry_run: bool = False, system_root: Path = ROOT) -> int:
    """Make the hotspot as configured and bring it up; ``dry_run`` prints what is left to do
    (nothing when all is in place) and changes nothing."""
    if not _switched_on(config):
        return EXIT_BAD_CONFIG
    hotspot, port = config.hotspot, config.share.port
    if dry_run:
        live = system_root == ROOT
        for step in system.plan(hotspot, port, system_root, live=live):
            print(step)
        return EXIT_OK
    if system_root != ROOT:
        # A system being prepared (an image, a chroot): its files only, nothing to bring up.
        wanted = system.wanted_files(hotspot, port, system_root)
        for path in system.write_files(wanted):
            print(f"wrote {path}")
        return EXIT_OK
    if not _as_root("up", system_root):
        return EXIT_FAILURE
    try:
        for line in system.up(hotspot, port):
            print(line)
    except (RuntimeError, OSError) as error:
        return fail(f"the hotspot did not come up: {error}")
    where = f"{hotspot.interface}, the booth at {hotspot.booth_address}"
    print(f"hotspot {hotspot.ssid!r} is up on {where}")
    return EXIT_OK


def hotspot_down(config: Config) -> int:
    if not _as_root("down", ROOT):
        return EXIT_FAILURE
    try:
        for line in system.down() or ["the hotspot was not up"]:
            print(line)
    except RuntimeError as error:
        return fail(str(error))
    return EXIT_OK


def hotspot_status(config: Config) -> int:
    """Exit 0 when the hotspot is up and answering, 1 when not."""
    if not _switched_on(config):
        return EXIT_BAD_CONFIG
    state = system.status(config.hotspot)
    for line in state.lines(config.hotspot):
        print(line)
    return EXIT_OK if state.up and state.names_answered and state.portal_answering else EXIT_FAILURE


def run_hotspot(config: Config, action: str, dry_run: bool, system_root: Path) -> int:
    """``kiosk hotspot ACTION``."""
    if action == "up":
        return hotspot_up(config, dry_run, system_root)
    return hotspot_down(config) if action == "down" else hotspot_status(config)
