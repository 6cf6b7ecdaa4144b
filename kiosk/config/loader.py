"""Reading the config file: where it is, TOML to sections, and every problem as one line
``dotted.key: what is wrong (what is allowed)``."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kiosk.config.whole import Config

ENV_CONFIG = "KIOSK_CONFIG"
SYSTEM_CONFIG = Path("/etc/echtbild/kiosk.toml")


class ConfigError(Exception):
    """Every problem found in one config file, one readable line each."""

    def __init__(self, path: Path | None, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(problems))


def resolve_config_path(cli_path: str | os.PathLike[str] | None) -> Path | None:
    """The file every command reads: --config, else $KIOSK_CONFIG, else /etc if present."""
    if cli_path:
        return Path(cli_path)
    if os.environ.get(ENV_CONFIG):
        return Path(os.environ[ENV_CONFIG])
    if SYSTEM_CONFIG.is_file():
        return SYSTEM_CONFIG
    return None


def load_config(path: Path | None) -> Config:
    """Read and validate ``path``; ``None`` means all defaults."""
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, [f"{path}: no such config file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, [f"{path}: cannot read the file ({error})"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, [f"{path}: not valid TOML: {error}"]) from None
    return parse_config(raw, path)


def parse_config(raw: dict[str, Any], path: Path | None = None) -> Config:
    # Relative file names in the config mean "next to the config file", as staff expect.
    base = path.parent if path is not None else Path.cwd()
    raw = _resolve_relative_files(raw, base)
    try:
        return Config.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(path, [_describe(item) for item in error.errors()]) from None


def _resolve_relative_files(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    resolved = {
        key: dict(value) if isinstance(value, dict) else value for key, value in raw.items()
    }
    for section, key in (
        ("camera", "image"),
        ("branding", "logo"),
        ("branding", "font"),
        ("storage", "dir"),
        ("credentials", "certificate_chain"),
        ("credentials", "private_key"),
        ("guidance", "models_dir"),
        ("cloud", "credentials_file"),
    ):
        table = resolved.get(section)
        if isinstance(table, dict) and isinstance(table.get(key), str) and table[key]:
            candidate = Path(table[key]).expanduser()
            table[key] = candidate if candidate.is_absolute() else base / candidate
    return resolved


_PLAIN_MESSAGES = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text in quotes",
    "string_too_short": "must not be empty",
    "model_type": "must be a table: a [section] with keys under it",
    "dict_type": "must be a table: a [section] with keys under it",
    "tuple_type": "must be a list of two whole numbers, e.g. [1280, 720]",
    "list_type": "must be a list of two whole numbers, e.g. [1280, 720]",
}
_BOUNDS = {
    "greater_than_equal": "at least",
    "greater_than": "more than",
    "less_than_equal": "at most",
    "less_than": "less than",
}


def _describe(error: dict[str, Any]) -> str:
    location = [part for part in error["loc"] if isinstance(part, str)]
    indexes = [part for part in error["loc"] if isinstance(part, int)]
    key = ".".join(location) or "(top level)"
    if indexes:
        key += f"[{indexes[0]}]"
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(location[:-1])
        allowed = ", ".join(parent.model_fields) if parent else ""
        return f"{key}: unknown key (allowed here: {allowed})"
    message = _PLAIN_MESSAGES.get(kind, error["msg"])
    context = error.get("ctx") or {}
    given = error.get("input")
    if kind in _BOUNDS:
        limit = next(iter(context.values()))
        message = f"{given!r} is out of range; must be {_BOUNDS[kind]} {limit}"
    elif kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif kind == "literal_error":
        message = f"{given!r} is not allowed; must be {context.get('expected', '')}"
    elif kind == "missing" and indexes:
        key = key.rsplit("[", 1)[0]
        message = _PLAIN_MESSAGES["tuple_type"]
    elif kind in {"too_short", "too_long"} and isinstance(given, list):
        message = _PLAIN_MESSAGES["tuple_type"]
    elif kind in _PLAIN_MESSAGES and given is not None and not isinstance(given, dict):
        message = f"{given!r}: {message}"
    if not location:
        return message  # whole-file rules name their keys themselves
    return f"{key}: {message}"


def _model_at(location: list[str]) -> type[BaseModel] | None:
    model: type[BaseModel] = Config
    for part in location:
        field = model.model_fields.get(part)
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model
