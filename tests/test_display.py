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
