"""Opening the screen: fullscreen on the booth (KMS/DRM without a desktop, or a desktop), a
window on a desk. When it cannot be opened, the error names what to check."""

from __future__ import annotations

import glob
import grp
import os
import sys
from collections.abc import Collection, Mapping

import pygame

from kiosk.config import DisplayConfig

# SDL's video drivers that make sense for a booth or a desk.
KNOWN_DRIVERS = {"kmsdrm", "x11", "wayland", "dummy", "offscreen", "evdev"}


# Drivers that draw into memory: SDL falls back to one when it finds no screen at all.
OFFSCREEN_DRIVERS = {"offscreen", "dummy"}


class DisplayError(Exception):
    """The screen cannot be opened; the message says what to check."""


def no_display_problem(
    environ: Mapping[str, str], cards: Collection[str], platform: str = sys.platform
) -> str | None:
    """Why no screen can be shown here, as seen before SDL is asked: no driver asked for by
    name (SDL_VIDEODRIVER, e.g. dummy for offscreen), no desktop session and no console display
    (/dev/dri/card*). None when there may be one."""
    if not platform.startswith("linux"):
        return None  # a Mac's or Windows' desktop needs no variable: SDL is asked instead
    if environ.get("SDL_VIDEODRIVER") or environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    if cards:
        return None
    return (
        "no display: this session has no desktop (DISPLAY and WAYLAND_DISPLAY are not set) and "
        "no console display (/dev/dri/card*); run it on a desktop, or with "
        "SDL_VIDEODRIVER=dummy to draw offscreen"
    )


def video_driver() -> tuple[str | None, str | None]:
    """The video driver SDL really uses here and, when it has no screen to show on, why: what
    `kiosk status` reports."""
    problem = no_display_problem(os.environ, glob.glob("/dev/dri/card*"))
    if problem:
        return None, problem
    opened_here = not pygame.display.get_init()
    try:
        pygame.display.init()
        driver = pygame.display.get_driver()
    except pygame.error as error:
        return None, display_problem(
            str(error), os.environ, glob.glob("/dev/dri/card*"), _my_groups()
        )
    finally:
        if opened_here:  # a display this process already uses stays open
            pygame.display.quit()
    return driver, _offscreen_problem(driver, os.environ)


def _offscreen_problem(driver: str, environ: Mapping[str, str]) -> str | None:
    """SDL fell back to drawing into memory though nobody asked it to: nothing would be seen."""
    if driver in OFFSCREEN_DRIVERS and not environ.get("SDL_VIDEODRIVER"):
        return (
            f"no display: SDL found no screen and would draw {driver} (nothing visible); "
            "check DISPLAY or WAYLAND_DISPLAY on a desktop, the KMS driver on a Pi's console, or "
            "set SDL_VIDEODRIVER=dummy to draw offscreen on purpose"
        )
    return None


def open_display(config: DisplayConfig) -> pygame.Surface:
    problem = no_display_problem(os.environ, glob.glob("/dev/dri/card*"))
    if problem:
        raise DisplayError(problem)
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
    offscreen = _offscreen_problem(pygame.display.get_driver(), os.environ)
    if offscreen:
        pygame.display.quit()
        raise DisplayError(offscreen)
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
