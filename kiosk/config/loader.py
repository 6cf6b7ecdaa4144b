"""Reading the config file: where it is, TOML to sections, and every problem as one line
``dotted.key: what is wrong (what is allowed)``."""

from __future__ import annotations

import os
import tomllib
import typing
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
    return parse_config(_read_toml(path), path)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problem = "no such config file; copy config/kiosk.toml (the example) there or fix the path"
        raise ConfigError(path, [f"{path}: {problem}"]) from None
    except IsADirectoryError:
        problem = f"a folder, not a config file; name the file in it (e.g. {path / 'kiosk.toml'})"
        raise ConfigError(path, [f"{path}: {problem}"]) from None
    except UnicodeDecodeError:
        problem = "not a text file; a config is TOML text (see config/kiosk.toml)"
        raise ConfigError(path, [f"{path}: {problem}"]) from None
    except OSError as error:
        problem = f"cannot read the file ({error.strerror or error}); check its permissions"
        raise ConfigError(path, [f"{path}: {problem}"]) from None
    except tomllib.TOMLDecodeError as error:
        problem = f"not valid TOML: {error}; write key = value under [section] headings"
        raise ConfigError(path, [f"{path}: {problem} (as config/kiosk.toml does)"]) from None


def read_what_can_be_read(path: Path | None) -> tuple[Config | None, list[str], set[str]]:
    """For ``kiosk check-config``: every problem of the file's keys, the config with the sections
    that are right (defaults in place of the others) and the names of the sections that are not;
    None when the file itself cannot be read."""
    try:
        return load_config(path), [], set()
    except ConfigError as error:
        problems = error.problems
    if path is None:
        return None, problems, set(Config.model_fields)
    try:
        raw = _read_toml(path)
    except ConfigError:
        return None, problems, set(Config.model_fields)
    wrong = {_section_of(problem) for problem in problems}
    # A rule joining two sections names one key; leaving that section out satisfies it, and a
    # rule broken only once others are gone leaves its section out too.
    for _ in Config.model_fields:
        try:
            kept = parse_config({name: v for name, v in raw.items() if name not in wrong}, path)
            return kept, problems, wrong
        except ConfigError as error:
            more = {_section_of(problem) for problem in error.problems} - wrong
            if not more:
                break
            wrong |= more
    return Config(), problems, set(Config.model_fields)


def _section_of(problem: str) -> str:
    """The section a problem line names (``share.wifi.password: ...`` is ``share``)."""
    return problem.split(":", 1)[0].split(".", 1)[0].split("[", 1)[0].strip()


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
        # A rule of a whole section that names one of its keys: the line names that key.
        field, _, rest = message.partition(": ")
        model = _model_at(location)
        if rest and model is not None and field in model.model_fields:
            key, message = f"{key}.{field}" if key != "(top level)" else field, rest
    elif kind == "missing" and not indexes:
        section = ".".join(location[:-1])
        message = f"missing; add it under [{section}]" if section else "missing; add it"
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
        # An optional section (``WifiConfig | None``) is its model.
        candidates = [annotation, *typing.get_args(annotation)]
        found = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not found:
            return None
        model = found[0]
    return model
