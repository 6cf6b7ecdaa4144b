"""A private system D-Bus for a test's daemons (ippeveprinter's DNS-SD client, NetworkManager):
its own socket and policy, so nothing reaches the machine's bus and nothing on it answers."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from helpers import patient

POLICY = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""


def start_private_bus(
    socket: Path, popen: Callable[..., subprocess.Popen] | None = None, within: float = 10.0
) -> subprocess.Popen:
    """A dbus-daemon listening on ``socket``, started by ``popen`` (e.g. inside a network
    namespace; default: here), once its socket is there. The caller stops it."""
    config = socket.with_name(f"{socket.name}.conf")
    config.write_text(POLICY.format(socket=socket))
    command = ("dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    bus = popen(*command, **quiet) if popen else subprocess.Popen(command, **quiet)
    deadline = time.monotonic() + patient(within)
    while not socket.exists():
        if time.monotonic() > deadline or bus.poll() is not None:
            bus.kill()
            raise RuntimeError(f"the private D-Bus did not start on {socket}")
        time.sleep(0.02)
    return bus
