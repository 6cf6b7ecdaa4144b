"""The two buttons: arcade buttons on GPIO and the keyboard give the same presses."""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable
from enum import Enum

import pygame
from gpiozero import Button

from kiosk.config import ButtonsConfig
from kiosk.hardware.gpio import GPIO_ERRORS, pin_factory_problem

log = logging.getLogger(__name__)


class Press(Enum):
    MAIN = "main"
    SECOND = "second"


MAIN_KEYS = frozenset({pygame.K_SPACE, pygame.K_RETURN, pygame.K_KP_ENTER})
SECOND_KEYS = frozenset({pygame.K_r, pygame.K_BACKSPACE})


def key_press(key: int) -> Press | None:
    if key in MAIN_KEYS:
        return Press.MAIN
    if key in SECOND_KEYS:
        return Press.SECOND
    return None


class GpioButtons:
    """Arcade buttons wired from a BCM pin to ground (internal pull-up).

    gpiozero calls back on its own thread; presses wait in a queue until the UI loop drains them,
    each with the moment it happened (``clock``, the UI loop's clock), taken in the callback: a
    press during a long frame (the burst) is known to be from before the next screen.
    """

    def __init__(
        self,
        config: ButtonsConfig,
        pin_factory: object | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._presses: queue.SimpleQueue[tuple[Press, float]] = queue.SimpleQueue()
        self._clock = clock
        bounce = config.bounce_time or None
        self.main = Button(config.main_pin, bounce_time=bounce, pin_factory=pin_factory)
        try:
            self.second = Button(config.second_pin, bounce_time=bounce, pin_factory=pin_factory)
        except BaseException:
            self.main.close()
            raise
        self.main.when_pressed = lambda: self._presses.put((Press.MAIN, self._clock()))
        self.second.when_pressed = lambda: self._presses.put((Press.SECOND, self._clock()))

    def drain(self) -> list[Press]:
        return [press for press, _ in self.drain_stamped()]

    def drain_stamped(self) -> list[tuple[Press, float]]:
        """The presses since the last drain, each with when it happened."""
        presses = []
        while True:
            try:
                presses.append(self._presses.get_nowait())
            except queue.Empty:
                return presses

    def close(self) -> None:
        self.main.close()
        self.second.close()


def open_gpio_buttons(config: ButtonsConfig) -> GpioButtons | None:
    """The GPIO buttons, or None (keyboard only) when disabled or no GPIO is reachable."""
    if not config.enabled or pin_factory_problem():
        return None
    try:
        return GpioButtons(config)
    except GPIO_ERRORS as error:
        log.error("GPIO buttons unavailable, keyboard only: %s", error)
        return None
