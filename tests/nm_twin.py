"""NetworkManager itself in the booth's network namespace, on a D-Bus system bus of its own:
the hotspot profile's Ethernet twin (same shared IPv4 setup, no radio needed) comes up on a veth,
and NetworkManager starts its dnsmasq with our snippet, as on the booth.

Inside a private mount namespace NetworkManager gets its own /run, /var/lib/NetworkManager and
/etc/NetworkManager/dnsmasq-shared.d, and a read-only /sys: that is how it knows it runs in a
container and takes devices as they are instead of waiting for udev, which does not run here.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from hotspot_net import HotspotNet
from private_bus import start_private_bus

from kiosk.hotspot import system
from kiosk.hotspot.leases import JOINS_PATH
from kiosk.hotspot.profile import CONNECTION_ID

NM_CONFIG = """[main]
plugins=keyfile
auth-polkit=false
no-auto-default=*
dns=none
[keyfile]
path={connections}
unmanaged-devices=except:interface-name:{interface}
"""

START = """set -e
mount --bind {run} /run
mount --bind {lib} /var/lib/NetworkManager
mount --bind {shared} /etc/NetworkManager/dnsmasq-shared.d
mount -o remount,ro,bind /sys
export DBUS_SYSTEM_BUS_ADDRESS=unix:path={socket}
exec NetworkManager --no-daemon --debug --config={config}
"""


def network_manager_usable() -> str | None:
    for tool in ("NetworkManager", "nmcli", "dbus-daemon", "unshare"):
        if not shutil.which(tool):
            return f"needs {tool}"
    if not Path("/etc/NetworkManager/dnsmasq-shared.d").is_dir():
        return "needs NetworkManager's /etc/NetworkManager/dnsmasq-shared.d"
    return None


class NetworkManagerTwin:
    """``system_root``: NetworkManager reads its profiles and the dnsmasq snippets from there
    (as from / on the booth), and the test writes them with ``kiosk.hotspot.system``."""

    def __init__(self, net: HotspotNet, system_root: Path | None = None):
        assert not net.bridge, "NetworkManager configures the veth itself"
        self.net = net
        root = net.directory / "nm"
        self.run, self.lib = root / "run", root / "lib"
        self.system_root = system_root
        self.files_root = system_root or root
        etc = self.files_root / "etc" / "NetworkManager"
        self.connections, self.shared = etc / "system-connections", etc / "dnsmasq-shared.d"
        self.socket = root / "bus"
        for folder in (self.run / "NetworkManager", self.lib, self.connections, self.shared):
            folder.mkdir(parents=True, exist_ok=True)
        self.log = root / "NetworkManager.log"
        self.config = root / "NetworkManager.conf"

    @property
    def joins(self) -> Path:
        """The joins log as NetworkManager's dnsmasq writes it (its /run is ours)."""
        return self.run / JOINS_PATH.relative_to("/run")

    def start(self, within: float = 30.0) -> None:
        hotspot, interface = self.net.hotspot, self.net.hotspot.interface
        # An Ethernet profile waits for a carrier: the phone's end of the veth is up (a radio's
        # access point needs none).
        for namespace in self.net.phones.values():
            subprocess.run(
                ["ip", "netns", "exec", namespace, "ip", "link", "set", "eth0", "up"], check=True
            )
        if self.system_root is None:
            files = system.wanted_files(hotspot, 8080, system_root=self.files_root, twin=interface)
            system.write_files(files)
        self.config.write_text(NM_CONFIG.format(connections=self.connections, interface=interface))
        deadline = time.monotonic() + within
        start_private_bus(self.socket, self.net.booth_popen, within)
        script = START.format(
            run=self.run, lib=self.lib, shared=self.shared, socket=self.socket, config=self.config
        )
        with self.log.open("wb") as log:
            self.net.booth_popen(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                script,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        while self.state() not in ("connected", "disconnected" if self.system_root else ""):
            assert time.monotonic() < deadline, (
                f"NetworkManager did not bring up {CONNECTION_ID}: {self.state()}\n"
                + self.log.read_text(errors="replace")[-3000:]
            )
            time.sleep(0.1)

    def nmcli(self, *args: str) -> str:
        return self.run_command(["nmcli", *args]).stdout

    def run_command(self, command: Sequence[str]) -> subprocess.CompletedProcess:
        """A command in the booth's namespace, talking to this NetworkManager (a Runner of
        kiosk.hotspot.system)."""
        bus = f"DBUS_SYSTEM_BUS_ADDRESS=unix:path={self.socket}"
        return subprocess.run(
            ["ip", "netns", "exec", self.net.booth, "env", bus, *command],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def state(self) -> str:
        """The hotspot device's state, as nmcli says it."""
        for line in self.nmcli("-t", "-f", "DEVICE,STATE,CONNECTION", "device").splitlines():
            device, _, rest = line.partition(":")
            if device == self.net.hotspot.interface:
                state, _, connection = rest.partition(":")
                return state if connection == CONNECTION_ID or state != "connected" else "other"
        return "absent"

    def dnsmasq_command(self) -> list[str]:
        """The command line of the dnsmasq NetworkManager started in the booth's namespace."""
        for pid in self.net.booth_pids():
            try:
                words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if words and words[0].endswith(b"dnsmasq"):
                return [word.decode() for word in words if word]
        return []
