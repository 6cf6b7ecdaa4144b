"""Secrets the download server must not see: it talks to every phone on the network, so a flaw
in it must not hand out the booth's signing key or the object store's credentials. Its systemd
unit hides the default paths; this finds any the process can still read (a path set in the
config after install), so that /healthz and the log name it until the unit hides it too."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.config import Config


def readable_secrets(config: Config) -> list[Path]:
    """Signing keys and object-store credentials this process can read: the download server
    talks to every phone on the network and must see none of them (its unit hides the
    defaults; a path set in the config after install needs a line there too)."""
    candidates = [
        config.storage.layout.keys_dir,
        config.credentials.private_key,
        config.cloud.credentials_file if config.cloud.enabled else None,
    ]
    found = []
    for path in candidates:
        if path is None or not path.exists():
            continue
        inside = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        if any(os.access(file, os.R_OK) for file in inside):
            found.append(path)
    return found
