"""Button LEDs and the face light on GPIO.

``Lights.show(state)`` drives gpiozero devices and only touches a pin when its state changes;
what each screen asks of them is the booth's (``kiosk.booth.lighting``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum

from gpiozero import PWMLED, PWMOutputDevice

from kiosk.config import LightsConfig
from kiosk.hardware.gpio import GPIO_ERRORS, pin_factory_problem

log = logging.getLogger(__name__)


class Led(Enum):
    OFF = "off"
    ON = "on"  # this button does something now
    PULSE = "pulse"  # press me


@dataclass(frozen=True)
class LightState:
    main_led: Led
    second_led: Led
    light: float


class Lights:
    def __init__(self, config: LightsConfig, pin_factory: object | None = None):
        self.main = PWMLED(config.main_led_pin, pin_factory=pin_factory)
        try:
            self.second = PWMLED(config.second_led_pin, pin_factory=pin_factory)
            self.light = PWMOutputDevice(config.light_pin, pin_factory=pin_factory)
        except BaseException:
            self.close()
            raise
        self._shown: LightState | None = None

    def show(self, state: LightState) -> None:
        shown = self._shown
        if shown is None or state.main_led is not shown.main_led:
            _set_led(self.main, state.main_led)
        if shown is None or state.second_led is not shown.second_led:
            _set_led(self.second, state.second_led)
        if shown is None or abs(state.light - shown.light) >= 0.01 or state.light in (0.0, 1.0):
            self.light.value = state.light
        self._shown = state

    def close(self) -> None:
        for device in (getattr(self, name, None) for name in ("main", "second", "light")):
            if device is not None:
                device.close()


def _set_led(led: PWMLED, mode: Led) -> None:
    if mode is Led.PULSE:
        led.pulse(fade_in_time=1.0, fade_out_time=1.0)
    elif mode is Led.ON:
        led.on()
    else:
        led.off()


def open_lights(config: LightsConfig) -> Lights | None:
    """The lights, or None when disabled or no GPIO is reachable (logged)."""
    if not config.enabled or pin_factory_problem():
        return None
    try:
        return Lights(config)
    except GPIO_ERRORS as error:
        log.error("lights unavailable: %s", error)
        return None
