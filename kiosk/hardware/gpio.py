"""What every GPIO device of the booth shares: the errors opening one raises, and one plain
line for the journal when there is no GPIO at all."""

from __future__ import annotations

import logging
import re
import warnings

from gpiozero import Device
from gpiozero.exc import GPIOZeroError, PinFactoryFallback

log = logging.getLogger(__name__)

# What opening a GPIO device raises off a Pi, on a pin in use or without permission.
GPIO_ERRORS = (GPIOZeroError, OSError, RuntimeError, ImportError)

_reported = False


def pin_factory_problem(report: bool = True) -> str | None:
    """Why no GPIO pin library can be used here (one line), or None when one can.

    gpiozero warns once for each library it tries; those warnings become this one line, and the
    journal gets it once per process however many devices ask (``report``: log it at all).
    """
    global _reported
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PinFactoryFallback)
        try:
            Device.ensure_pin_factory()
        except GPIO_ERRORS as error:
            problem = str(error).rstrip("!") or type(error).__name__
        else:
            return None
    tried = [_library(str(warning.message)) for warning in caught]
    if tried:
        problem = f"{problem} (tried {', '.join(tried)})"
    if report and not _reported:
        log.warning("no GPIO: %s; buttons work from the keyboard only, lights stay off", problem)
        _reported = True
    return problem


def _library(message: str) -> str:
    match = re.match(r"Falling back from (\w+)", message)
    return match.group(1) if match else message
