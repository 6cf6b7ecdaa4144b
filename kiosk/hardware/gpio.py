"""What every GPIO device of the booth shares."""

from __future__ import annotations

from gpiozero.exc import GPIOZeroError

# What opening a GPIO device raises off a Pi, on a pin in use or without permission.
GPIO_ERRORS = (GPIOZeroError, OSError, RuntimeError, ImportError)
