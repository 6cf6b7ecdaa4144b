"""Disk helpers every layer uses: writes that a crash cannot leave half done, and free space."""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from pathlib import Path


def write_atomically(path: Path, data: bytes, mode: int = 0o644, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers and crashes see all of it or nothing.

    ``durable=False`` skips the fsyncs, for notes that only matter while the machine runs (a
    crash may then leave the previous version, never a torn one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name no earlier run can have left behind (a power cut mid-write, the same PID after a
    # reboot), which O_EXCL would refuse for good.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            if durable:
                os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if not durable:
        return
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def free_megabytes(path: Path) -> float:
    """Free space for ordinary users on the file system holding ``path``."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free / 1_000_000


def not_private(path: Path, key: str) -> str | None:
    """Why the secret at ``path`` (set by config ``key``) is not its owner's alone, or None. The
    download server runs as a user of its own in the booth's group: a key or password the group
    may read, it may read too."""
    mode = path.stat().st_mode
    if not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return None
    return (
        f"{key}: {path} can be read by others (mode {stat.S_IMODE(mode):o}); "
        f"make it the booth user's alone: chmod 600 {path}"
    )
