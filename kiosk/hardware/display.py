"""Opening the screen: fullscreen on the booth (KMS/DRM without a desktop, or a desktop), a
window on a desk. When it cannot be opened, the error names what to check."""

from __future__ import annotations

import glob
import grp
import os
from collections.abc import Collection, Mapping

import pygame

from kiosk.config import DisplayConfig

# SDL's video drivers that make sense for a booth or a desk.
KNOWN_DRIVERS = {"kmsdrm", "x11", "wayland", "dummy", "offscreen", "evdev"}


class DisplayError(Exception):
    """The screen cannot be opened; the message says what to check."""


def open_display(config: DisplayConfig) -> pygame.Surface:
    try:
        pygame.display.init()
        pygame.font.init()
        pygame.display.set_caption("Echtbild")
        # A booth screen never blanks while the booth runs (SDL holds off screensaver and DPMS).
        pygame.display.set_allow_screensaver(False)
        if config.fullscreen:
            surface = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        else:
            surface = pygame.display.set_mode(config.size)
    except pygame.error as error:
        raise DisplayError(
            display_problem(str(error), os.environ, glob.glob("/dev/dri/card*"), _my_groups())
        ) from error
    if config.fullscreen or config.kiosk_mode:
        pygame.mouse.set_visible(False)
    return surface


def display_problem(
    error: str, environ: Mapping[str, str], cards: Collection[str], groups: Collection[str]
) -> str:
    """What to check when SDL could not open the screen, from what this machine shows."""
    driver = environ.get("SDL_VIDEODRIVER", "")
    hints = []
    if driver and driver not in KNOWN_DRIVERS:
        hints.append(
            f"SDL_VIDEODRIVER={driver} is no video driver the booth knows: kmsdrm on the "
            "console, x11 or wayland on a desktop"
        )
    elif not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        if not cards:
            hints.append(
                "there is no /dev/dri/card*: the KMS display driver is off "
                "(dtoverlay=vc4-kms-v3d in /boot/firmware/config.txt) or no screen is attached"
            )
        missing = sorted({"video", "render"} - set(groups))
        if missing:
            hints.append(
                f"this user is not in the {' and '.join(missing)} group: "
                f"sudo usermod -aG {','.join(missing)} $USER (install.sh does this for kiosk)"
            )
        hints.append("libdrm2 and libgbm1 must be installed (install.sh installs them)")
        hints.append(
            "another program may hold the display: a desktop session or a second booth "
            "(sudo fuser -v /dev/dri/card*)"
        )
    else:
        hints.append("the desktop session refused the window: is DISPLAY or WAYLAND_DISPLAY right?")
    return f"cannot open the display ({error}); check: " + "; ".join(hints)


def _my_groups() -> set[str]:
    names = set()
    for gid in os.getgroups():
        try:
            names.add(grp.getgrgid(gid).gr_name)
        except KeyError:
            continue
    return names
