"""The screen as the booth opens it, on SDL's dummy driver."""

from __future__ import annotations

import pygame

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
