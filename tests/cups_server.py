"""A private CUPS for the tests: its own ServerRoot, spool, logs and port in a temporary folder,
started and stopped by the test, never the machine's own CUPS (whose queues it cannot see).

Printers are ``ippeveprinter`` (CUPS's IPP Everywhere printer, keeping every job's file) set up
as a permanent queue with ``lpadmin -m everywhere`` as on a booth, and queues on a test backend
(``echtbild-test``, in this CUPS's own ServerBin) that reports whatever state a file in the
folder says, as a USB printer's driver would. Needs ``cupsd``, ``ippeveprinter`` and ``ipptool``
(Debian's ``cups`` and ``cups-ipp-utils``; .ci/run installs them).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers import patient
from private_bus import start_private_bus

from kiosk.printing.cups import Cups
from kiosk.processes import stop_process

SYSTEM_SERVER_BIN = Path("/usr/lib/cups")

# A backend as a driver-backed USB printer behaves: it reports the printer's state on stderr
# (``STATE: +media-empty-error``) and fails the job while the state file says the printer is out
# of paper; otherwise it swallows the job's data into the printed folder.
TEST_BACKEND = """#!/bin/sh
if [ $# -eq 0 ]; then
  echo 'direct echtbild-test "Unknown" "Echtbild test backend"'
  exit 0
fi
folder="${DEVICE_URI#echtbild-test:}"
state="$(cat "$folder/state" 2>/dev/null)"
if [ "$state" = "slow" ]; then
  sleep 120  # a printer that takes the job and never finishes it
elif [ -n "$state" ]; then
  echo "STATE: +$state" >&2
  echo "ERROR: the printer says $state" >&2
  exit 1
fi
echo "STATE: -media-empty-error" >&2
if [ -n "$6" ]; then cat "$6"; else cat; fi > "$folder/job-$1.prn"
exit 0
"""


def cups_installed() -> bool:
    """CUPS's daemon and tools are here, and this is root (a private cupsd runs its filters as
    user lp, which needs root to start)."""
    tools = ("cupsd", "ippeveprinter", "lpadmin", "dbus-daemon")
    return all(shutil.which(tool) for tool in tools) and os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + patient(seconds)
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing answers on port {port} after {seconds} s") from None
            time.sleep(0.05)


@dataclass
class PrivateCups:
    """``folder`` must be one that user lp can reach (CUPS runs filters and backends as lp):
    ``PrivateCups.in_own_folder()`` makes one outside pytest's private temporary folder."""

    folder: Path
    port: int = 0
    cupsd: subprocess.Popen | None = None
    bus: subprocess.Popen | None = None
    printers: list[subprocess.Popen] = field(default_factory=list)

    @classmethod
    def in_own_folder(cls) -> PrivateCups:
        # Not under tmp_path: pytest keeps /tmp/pytest-of-USER at mode 0700 (and sets it again
        # whenever any pytest run starts), where lp could not run this CUPS's filters.
        folder = Path(tempfile.mkdtemp(prefix="echtbild-cups-"))
        folder.chmod(0o711)
        return cls(folder)

    @property
    def server(self) -> str:
        """What CUPS's commands take as ``-h`` and what the booth's ``print.server`` names."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> PrivateCups:
        root, bin_, spool = self.folder / "etc", self.folder / "bin", self.folder / "spool"
        for folder in (root, bin_ / "backend", spool / "tmp", self.folder / "log"):
            folder.mkdir(parents=True, exist_ok=True)
        for entry in SYSTEM_SERVER_BIN.iterdir():
            if entry.name != "backend":
                (bin_ / entry.name).symlink_to(entry)
        for backend in (SYSTEM_SERVER_BIN / "backend").iterdir():
            (bin_ / "backend" / backend.name).symlink_to(backend)
        backend = bin_ / "backend" / "echtbild-test"
        backend.write_text(TEST_BACKEND)
        backend.chmod(0o755)
        lp = pwd.getpwnam("lp")
        os.chown(spool, 0, lp.pw_gid)
        spool.chmod(0o710)
        os.chown(spool / "tmp", lp.pw_uid, lp.pw_gid)
        (spool / "tmp").chmod(0o1770)
        self.port = free_port()
        (root / "cups-files.conf").write_text(
            f"ServerRoot {root}\nServerBin {bin_}\nDataDir /usr/share/cups\n"
            f"CacheDir {self.folder / 'cache'}\nStateDir {self.folder / 'state'}\n"
            f"RequestRoot {spool}\nTempDir {spool / 'tmp'}\n"
            f"ErrorLog {self.folder / 'log' / 'error_log'}\n"
            f"AccessLog {self.folder / 'log' / 'access_log'}\n"
            f"PageLog {self.folder / 'log' / 'page_log'}\n"
            f"Printcap {self.folder / 'printcap'}\n"
            "User lp\nGroup lp\nSystemGroup root\nSandboxing Relaxed\nFileDevice No\n"
        )
        (root / "cupsd.conf").write_text(
            f"Listen 127.0.0.1:{self.port}\nLogLevel debug\nWebInterface No\nBrowsing No\n"
            "DefaultAuthType None\nPreserveJobHistory Yes\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
        )
        self.cupsd = subprocess.Popen(
            ["cupsd", "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(self.port, 20)
        except RuntimeError:
            self.stop()
            raise
        return self

    def add_ipp_everywhere(self, name: str) -> Path:
        """An ippeveprinter on a port of its own, as a permanent ``-m everywhere`` queue; returns
        the folder where it keeps each job's file as it received it."""
        port = free_port()
        kept = self.folder / f"printed-{name}"
        kept.mkdir()
        if self.bus is None:
            self._start_bus()
        printer = subprocess.Popen(
            [
                *("ippeveprinter", "-p", str(port), "-r", "off", "-k", "-d", str(kept)),
                *("-f", "application/pdf,image/jpeg,image/pwg-raster", "-s", "600,600"),
                f"Echtbild {name}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "log" / f"ippeveprinter-{name}.log").open("wb"),
            env={**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={self.folder / 'bus'}"},
        )
        self.printers.append(printer)
        wait_for_port(port, 20)
        # As the booth's own setup does it (kiosk print setup).
        Cups(name, self.server).set_up(f"ipp://127.0.0.1:{port}/ipp/print")
        return kept

    def _start_bus(self) -> None:
        """ippeveprinter will not start without a system D-Bus for its DNS-SD client (Avahi):
        a private bus of its own, where no Avahi answers, so it advertises nothing."""
        self.bus = start_private_bus(self.folder / "bus")

    def add_backend_printer(self, name: str) -> Path:
        """A queue on the test backend; returns its folder (write ``state`` there to make the
        printer fail its jobs with that reason, or ``slow`` to make it hang on them; remove it
        to mend the printer)."""
        folder = self.folder / f"printed-{name}"
        folder.mkdir()
        folder.chmod(0o777)
        self.lpadmin("-p", name, "-E", "-v", f"echtbild-test:{folder}", "-m", "raw")
        Cups(name, self.server).abort_failed_jobs()
        return folder

    def lpadmin(self, *arguments: str) -> None:
        subprocess.run(
            ["lpadmin", "-h", self.server, *arguments],
            check=True,
            capture_output=True,
            timeout=patient(60),
        )

    def command(self, *arguments: str) -> str:
        """One of CUPS's commands against this CUPS, e.g. ``command("cupsdisable", "booth")``."""
        done = subprocess.run(
            [arguments[0], "-h", self.server, *arguments[1:]],
            check=True,
            capture_output=True,
            text=True,
            timeout=patient(30),
        )
        return done.stdout

    def log(self) -> str:
        """cupsd's log without its debug lines: for a failing test's message."""
        path = self.folder / "log" / "error_log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(line for line in text.splitlines() if not line.startswith("D "))

    def stop(self) -> None:
        for process in [*self.printers, self.cupsd, self.bus]:
            if process is not None:
                stop_process(process, 10)
        self.printers.clear()

    def remove(self) -> None:
        """Stop everything and delete the folder (for a folder of ``in_own_folder``)."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
