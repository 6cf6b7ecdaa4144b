"""Button LEDs and the face light per screen, on gpiozero's mock PWM pins."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from kiosk.booth.events import CaptureFinished, Fault, MainButton, Tick
from kiosk.booth.lighting import light_state
from kiosk.booth.machine import BoothMachine
from kiosk.config import LightsConfig, TimingConfig
from kiosk.hardware.lights import Led, Lights, LightState
from kiosk.photos.store import SavedPhoto

CONFIG = LightsConfig(enabled=True, light_dim=0.3, light_full=1.0)
PHOTO = SavedPhoto(path="/p.jpg", token="t", url="u", width=4, height=5)


@pytest.fixture
def factory() -> Iterator[MockFactory]:
    factory = MockFactory(pin_class=MockPWMPin)
    yield factory
    factory.close()


def walk() -> Iterator[tuple[str, BoothMachine, float]]:
    """A booth through a visit: (screen, booth, time) at each step."""
    booth = BoothMachine(TimingConfig(retakes=1), burst_count=5)
    yield "attract", booth, 0.0
    booth.handle(MainButton(), 1.0)
    yield "framing", booth, 1.0
    booth.handle(MainButton(), 2.0)
    yield "countdown start", booth, 2.0
    yield "countdown middle", booth, 3.5
    booth.handle(Tick(), 5.0)
    yield "capture", booth, 5.0
    booth.handle(CaptureFinished(PHOTO), 6.0)
    yield "review", booth, 6.0
    booth.handle(MainButton(), 7.0)
    yield "share", booth, 7.0
    done = 7.0 + booth.timing.share_guard
    booth.handle(MainButton(), done)
    booth.handle(Fault("camera", "unplugged"), done + 1)
    yield "out of order", booth, done + 1


EXPECTED = {
    "attract": LightState(Led.PULSE, Led.OFF, 0.0),
    "framing": LightState(Led.ON, Led.ON, 0.3),
    "countdown start": LightState(Led.OFF, Led.ON, 0.3),
    "countdown middle": LightState(Led.OFF, Led.ON, 0.65),
    "capture": LightState(Led.OFF, Led.OFF, 1.0),
    "review": LightState(Led.ON, Led.ON, 0.3),
    "share": LightState(Led.ON, Led.ON, 0.3),
    "out of order": LightState(Led.OFF, Led.OFF, 0.0),
}


def test_each_screen_has_its_light_sequence() -> None:
    seen = {screen: light_state(booth, now, CONFIG) for screen, booth, now in walk()}
    assert seen.keys() == EXPECTED.keys()
    for screen, state in seen.items():
        assert state.main_led == EXPECTED[screen].main_led, screen
        assert state.second_led == EXPECTED[screen].second_led, screen
        assert state.light == pytest.approx(EXPECTED[screen].light), screen


def test_retake_led_goes_dark_when_no_retake_is_left() -> None:
    booth = BoothMachine(TimingConfig(retakes=0), burst_count=5)
    booth.handle(MainButton(), 0.0)
    booth.handle(MainButton(), 0.0)
    booth.handle(Tick(), 3.0)
    booth.handle(CaptureFinished(PHOTO), 3.0)
    assert light_state(booth, 3.0, CONFIG).second_led is Led.OFF


def test_pins_follow_the_screens(factory: MockFactory) -> None:
    lights = Lights(CONFIG, pin_factory=factory)
    main, second, light = (factory.pin(n) for n in (23, 24, 18))
    for screen, booth, now in walk():
        lights.show(light_state(booth, now, CONFIG))
        expected = EXPECTED[screen]
        assert light.state == pytest.approx(expected.light, abs=0.01), screen
        if expected.second_led is not Led.PULSE:
            assert second.state == (1 if expected.second_led is Led.ON else 0), screen
        if expected.main_led is not Led.PULSE:
            assert main.state == (1 if expected.main_led is Led.ON else 0), screen
    lights.close()


def test_attract_pulses_the_main_button(factory: MockFactory) -> None:
    lights = Lights(CONFIG, pin_factory=factory)
    lights.show(LightState(Led.PULSE, Led.OFF, 0.0))
    pin = factory.pin(23)
    # gpiozero fades the LED on a thread of its own: wait (bounded) until it is part-way lit.
    deadline = time.monotonic() + 3
    while not 0.05 < pin.state < 0.95 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert 0.05 < pin.state < 0.95
    lights.show(LightState(Led.ON, Led.OFF, 0.0))
    assert pin.state == 1
    lights.close()


def test_unchanged_state_touches_no_pin(factory: MockFactory) -> None:
    lights = Lights(CONFIG, pin_factory=factory)
    lights.show(LightState(Led.ON, Led.OFF, 0.3))
    pin = factory.pin(18)
    changes = len(pin.states)
    lights.show(LightState(Led.ON, Led.OFF, 0.3))
    assert len(pin.states) == changes
    lights.close()
