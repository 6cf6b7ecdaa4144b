"""The screen as the booth opens it, on SDL's dummy driver."""

from __future__ import annotations

import pygame
import pytest

from kiosk.config import DisplayConfig
from kiosk.hardware.display import open_display


def test_kiosk_window_hides_the_cursor_and_keeps_the_screen_awake() -> None:
    surface = open_display(DisplayConfig(fullscreen=False, size=(800, 480), kiosk_mode=True))
    try:
        assert surface.get_size() == (800, 480)
        assert not pygame.mouse.get_visible()
        assert not pygame.display.get_allow_screensaver()
    finally:
        pygame.display.quit()


def test_desktop_window_keeps_the_cursor() -> None:
    open_display(DisplayConfig(fullscreen=False, size=(640, 480), kiosk_mode=False))
    try:
        assert pygame.mouse.get_visible()
    finally:
        pygame.display.quit()


def test_fullscreen_takes_the_whole_screen() -> None:
    surface = open_display(DisplayConfig(fullscreen=True))
    try:
        assert surface.get_size() == pygame.display.get_desktop_sizes()[0]
    finally:
        pygame.display.quit()


def test_kmsdrm_without_a_display_device_names_what_to_check(monkeypatch) -> None:
    """SDL says only "kmsdrm not available"; the booth says where to look."""
    import pytest

    from kiosk.hardware.display import DisplayError

    monkeypatch.setenv("SDL_VIDEODRIVER", "kmsdrm")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(DisplayError) as caught:
        open_display(DisplayConfig(fullscreen=True))
    pygame.display.quit()
    message = str(caught.value)
    assert message.startswith("cannot open the display (")
    assert "/dev/dri/card*" in message and "libgbm1" in message and "another program" in message


def test_display_hints_follow_what_the_machine_shows() -> None:
    from kiosk.hardware.display import display_problem

    console = {"SDL_VIDEODRIVER": "kmsdrm"}
    no_card = display_problem("kmsdrm not available", console, [], ["video", "render"])
    assert "there is no /dev/dri/card*" in no_card and "group" not in no_card
    not_in_groups = display_problem("x", console, ["/dev/dri/card1"], ["video"])
    assert "not in the render group" in not_in_groups and "no /dev/dri" not in not_in_groups
    typo = display_problem("kmsdrn not available", {"SDL_VIDEODRIVER": "kmsdrn"}, [], [])
    assert "SDL_VIDEODRIVER=kmsdrn is no video driver" in typo
    desktop = display_problem("x", {"DISPLAY": ":0"}, [], [])
    assert "DISPLAY" in desktop and "/dev/dri" not in desktop


def test_no_display_is_told_before_sdl_is_asked_on_linux_only() -> None:
    from kiosk.hardware.display import no_display_problem

    ssh = {"HOME": "/home/me"}
    problem = no_display_problem(ssh, [])
    assert problem is not None and problem.startswith("no display:")
    assert "SDL_VIDEODRIVER=dummy" in problem
    assert no_display_problem({**ssh, "SDL_VIDEODRIVER": "dummy"}, []) is None
    assert no_display_problem({**ssh, "DISPLAY": ":0"}, []) is None
    assert no_display_problem({**ssh, "WAYLAND_DISPLAY": "wayland-0"}, []) is None
    assert no_display_problem(ssh, ["/dev/dri/card0"]) is None, "a Pi's console"
    assert no_display_problem(ssh, [], platform="darwin") is None, "a Mac: SDL is asked"


def test_sdl_falling_back_to_drawing_unseen_is_no_display(monkeypatch) -> None:
    import pygame

    from kiosk.config import DisplayConfig
    from kiosk.hardware.display import DisplayError, open_display

    # SDL's own fallback when it finds no screen, asked for here by name to stand in for it.
    monkeypatch.setenv("SDL_VIDEODRIVER", "offscreen")
    pygame.display.quit()
    surface = open_display(DisplayConfig(fullscreen=False, size=(320, 240)))
    assert surface.get_size() == (320, 240), "asked for by name: drawing offscreen on purpose"
    pygame.display.quit()
    monkeypatch.delenv("SDL_VIDEODRIVER")
    monkeypatch.setenv("DISPLAY", ":4711")  # a desktop that is not there: SDL falls back
    try:
        with pytest.raises(DisplayError, match="no display: SDL found no screen"):
            open_display(DisplayConfig(fullscreen=False, size=(320, 240)))
    finally:
        pygame.display.quit()
