"""Secrets the download server must not see: it talks to every phone on the network, so a flaw
in it must not hand out the booth's signing key or the object store's credentials. Its systemd
unit runs it as a user of its own, in the booth's group (to read the photos), and hides the
default paths besides; a secret anywhere is safe when it is its owner's alone (`kiosk
check-config` insists on it). This finds any the process can still read, wherever the config
puts it, so that /healthz and the log name it."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.config import Config


def readable_secrets(config: Config) -> list[Path]:
    """Signing keys and object-store credentials this process can read: the download server
    talks to every phone on the network and must see none of them."""
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
