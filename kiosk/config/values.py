"""The value types every config section uses: durations, colours, pins, files, and the strict
section base. Each checker's message says what is allowed, so staff can fix the file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

# BCM numbers of the 40-pin header's GPIO lines; 0 and 1 are the HAT EEPROM bus.
BCM_PINS = range(2, 28)

_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def parse_duration(value: Any) -> Any:
    """Accept seconds as a number or a string like "45s", "10m", "2h", "7d"."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like '45s', '10m', '7d'")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _DURATION_RE.match(value)
        if match:
            number, unit = match.groups()
            return float(number) * _DURATION_UNITS[unit or "s"]
    raise ValueError("a duration is a number of seconds or a string like '45s', '10m', '7d'")


def describe_duration(seconds: float) -> str:
    """A duration as staff would say it: "90 seconds", "10 minutes", "7 days"."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if (seconds >= size and seconds % size == 0) or seconds >= 2 * size:
            count = round(seconds / size, 1)
            count = int(count) if count == int(count) else count
            return f"{count} {unit}{'' if count == 1 else 's'}"
    count = int(seconds) if seconds == int(seconds) else round(seconds, 1)
    return f"{count} second{'' if count == 1 else 's'}"


def _positive(value: float) -> float:
    if value <= 0:
        raise ValueError("must be longer than 0 seconds")
    return value


Duration = Annotated[float, BeforeValidator(parse_duration), AfterValidator(_positive)]


def _check_colour(value: str) -> str:
    if not _COLOUR_RE.match(value):
        raise ValueError(f"{value!r} is not a colour; write it as #rrggbb, e.g. '#1e2a38'")
    return value.lower()


Colour = Annotated[str, AfterValidator(_check_colour)]


def _check_pin(value: int) -> int:
    if value not in BCM_PINS:
        raise ValueError(f"{value} is not a usable GPIO pin; use a BCM number from 2 to 27")
    return value


Pin = Annotated[StrictInt, AfterValidator(_check_pin)]


def _existing_file(value: Path | None) -> Path | None:
    if value is not None and value.expanduser().is_dir():
        raise ValueError(f"{str(value)!r} is a folder; name a file in it")
    if value is not None and not value.expanduser().is_file():
        raise ValueError(
            f"file {str(value)!r} does not exist; check the name (a relative one starts at the "
            "config file's folder)"
        )
    return value.expanduser() if value is not None else None


OptionalFile = Annotated[Path | None, AfterValidator(_existing_file)]


def _check_aspect(value: str) -> str:
    match = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", value)
    if not match or 0 in (int(match[1]), int(match[2])):
        raise ValueError(f"{value!r} is not an aspect ratio; write width:height, e.g. '4:5'")
    return f"{int(match[1])}:{int(match[2])}"


Aspect = Annotated[str, AfterValidator(_check_aspect)]
Seconds = Annotated[float, Field(ge=0.0, le=10.0)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
