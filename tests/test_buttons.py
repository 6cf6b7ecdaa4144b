"""Buttons on real gpiozero (mock pins) and the keyboard produce the same presses."""

from __future__ import annotations

from collections.abc import Iterator

import pygame
import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from kiosk.config import ButtonsConfig
from kiosk.hardware.buttons import GpioButtons, Press, key_press, open_gpio_buttons


@pytest.fixture
def factory() -> Iterator[MockFactory]:
    factory = MockFactory()
    yield factory
    factory.close()


def test_gpio_presses_come_in_order(factory: MockFactory) -> None:
    buttons = GpioButtons(ButtonsConfig(main_pin=17, second_pin=27, bounce_time=0), factory)
    main, second = factory.pin(17), factory.pin(27)
    # Wired to ground with the pull-up on: pressed is low.
    main.drive_low()
    main.drive_high()
    second.drive_low()
    second.drive_high()
    main.drive_low()
    assert buttons.drain() == [Press.MAIN, Press.SECOND, Press.MAIN]
    assert buttons.drain() == []
    buttons.close()


def test_holding_a_button_counts_once(factory: MockFactory) -> None:
    buttons = GpioButtons(ButtonsConfig(bounce_time=0), factory)
    factory.pin(17).drive_low()
    factory.pin(17).drive_low()
    assert buttons.drain() == [Press.MAIN]
    buttons.close()


def test_disabled_buttons_mean_keyboard_only() -> None:
    assert open_gpio_buttons(ButtonsConfig(enabled=False)) is None


def test_a_pin_in_use_leaves_the_booth_on_keyboard(
    factory: MockFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Device, "pin_factory", factory)
    taken = GpioButtons(ButtonsConfig(main_pin=17, second_pin=27), factory)
    assert open_gpio_buttons(ButtonsConfig(main_pin=22, second_pin=27)) is None
    taken.close()
    # Pin 22 was released when pin 27 failed, so both can be had now.
    buttons = open_gpio_buttons(ButtonsConfig(main_pin=22, second_pin=27))
    assert buttons is not None
    buttons.close()


@pytest.mark.parametrize(
    ("key", "press"),
    [
        (pygame.K_SPACE, Press.MAIN),
        (pygame.K_RETURN, Press.MAIN),
        (pygame.K_KP_ENTER, Press.MAIN),
        (pygame.K_r, Press.SECOND),
        (pygame.K_BACKSPACE, Press.SECOND),
        (pygame.K_a, None),
        (pygame.K_ESCAPE, None),
    ],
)
def test_keyboard_mapping(key: int, press: Press | None) -> None:
    assert key_press(key) == press
