"""Echtbild: kiosk firmware for a guided portrait booth."""

import os

__version__ = "0.1.0"

# pygame greets on import; a kiosk's journal has no use for that line.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
