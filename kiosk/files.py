"""Disk helpers every layer uses: writes that a crash cannot leave half done, free space, and
who may read a file (a secret its owner's alone; what the download server's user can reach)."""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import shutil
import stat
from collections.abc import Collection
from pathlib import Path

# The download server's own user (systemd/echtbild-share.service), in the booth's group; install.sh
# makes both. Where that user does not exist, one user runs booth and server (development, demo).
SHARE_USER, BOOTH_GROUP = "echtbild-share", "kiosk"
# Its unit hides these from it (ProtectHome=yes, PrivateTmp=yes): no file mode opens them.
HIDDEN_FROM_SERVER = tuple(map(Path, ("/home", "/root", "/run/user", "/tmp", "/var/tmp")))
_READ = (stat.S_IRUSR, stat.S_IRGRP, stat.S_IROTH)
_ENTER = (stat.S_IXUSR, stat.S_IXGRP, stat.S_IXOTH)


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


def booth_group_id() -> int | None:
    """The booth's group, where install.sh made it."""
    try:
        return grp.getgrnam(BOOTH_GROUP).gr_gid
    except KeyError:
        return None


def hidden_from_server(
    key: str, path: Path, new_files: tuple[int, int] | None = None, made: Collection[Path] = ()
) -> str | None:
    """Why the download server could not read ``path`` (set by config ``key``): a file, or with
    ``new_files`` (the mode and group the booth's new files get there) a folder of photos. None
    where it does not run as a user of its own. Access is judged as the kernel does, ACLs
    aside, along the path as written and as its links resolve; folders in ``made`` exist only
    for the check and are not judged."""
    try:
        server = pwd.getpwnam(SHARE_USER)
    except KeyError:
        return None
    # Its unit's Group= (the booth's) and the groups that list it, as systemd gives them.
    listed = {g.gr_gid for g in grp.getgrall() if SHARE_USER in g.gr_mem}
    booth_group = booth_group_id()
    groups = {server.pw_gid if booth_group is None else booth_group} | listed

    def may(mode: int, uid: int, gid: int, bits: tuple[int, int, int]) -> bool:
        owner, group, other = bits
        if uid == server.pw_uid:
            return bool(mode & owner)
        return bool(mode & (group if gid in groups else other))

    path = Path(os.path.abspath(path))
    real = path.resolve()
    server_is = f"the download server ({SHARE_USER}, in the {BOOTH_GROUP} group)"
    for hidden in HIDDEN_FROM_SERVER:
        if path.is_relative_to(hidden) or real.is_relative_to(hidden):
            return (
                f"{key}: {server_is} cannot see {path} at all: its unit hides {hidden}; keep "
                "the photos under /var/lib/echtbild and the logo in /etc/echtbild"
            )
    stick = (
        "a vfat or exFAT stick: mount it at /var/lib/echtbild with "
        f"uid=kiosk,gid={BOOTH_GROUP},umask=027"
    )
    if new_files is not None:
        mode, gid = new_files
        if not may(mode, -1, gid, _READ):
            return (
                f"{key}: {server_is} could not read the photos in {path}: new files there get "
                f"mode {stat.S_IMODE(mode):o}, group {_group_name(gid)}; for {stick}"
            )
        folders = [path, *path.parents, real, *real.parents]
    else:
        info = path.stat()
        if not may(info.st_mode, info.st_uid, info.st_gid, _READ):
            return (
                f"{key}: {server_is} cannot read {path} (mode {stat.S_IMODE(info.st_mode):o}, "
                f"group {_group_name(info.st_gid)}); chgrp {BOOTH_GROUP} {path} && chmod g+r {path}"
            )
        folders = [*path.parents, *real.parents]
    for folder in dict.fromkeys(folders):
        info = folder.stat()
        if folder in made or may(info.st_mode, info.st_uid, info.st_gid, _ENTER):
            continue
        return (
            f"{key}: {server_is} cannot enter {folder} (mode {stat.S_IMODE(info.st_mode):o}, "
            f"group {_group_name(info.st_gid)}); chgrp {BOOTH_GROUP} {folder} && chmod g+rx "
            f"{folder}, or, for {stick}"
        )
    return None


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
