"""What each screen asks of the button LEDs and the face light: pure, the machine's state and
the time in, a ``LightState`` out."""

from __future__ import annotations

from kiosk.booth.machine import BoothMachine, Phase
from kiosk.config import LightsConfig
from kiosk.hardware.lights import Led, LightState


def light_state(booth: BoothMachine, now: float, config: LightsConfig) -> LightState:
    dim, full = config.light_dim, config.light_full
    match booth.phase:
        case Phase.ATTRACT:
            return LightState(Led.PULSE, Led.OFF, 0.0)
        case Phase.FRAMING:
            return LightState(Led.ON, Led.ON, dim)
        case Phase.COUNTDOWN:
            share = min(1.0, booth.seconds_in_phase(now) / booth.timing.countdown)
            return LightState(Led.OFF, Led.ON, dim + (full - dim) * share)
        case Phase.CAPTURE:
            return LightState(Led.OFF, Led.OFF, full)
        case Phase.REVIEW:
            return LightState(Led.ON, Led.ON if booth.retakes_left else Led.OFF, dim)
        case Phase.SHARE:
            return LightState(Led.ON, Led.ON, dim)
    return LightState(Led.OFF, Led.OFF, 0.0)
