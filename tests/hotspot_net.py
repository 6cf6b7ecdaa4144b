"""The booth's Wi-Fi without a radio: network namespaces the test makes, joined by veth pairs.

The booth's namespace has a bridge named like the hotspot's Wi-Fi interface, with the booth's
address; each phone is a namespace of its own whose ``eth0`` is plugged into that bridge. The
booth runs dnsmasq with the options NetworkManager 1.42 gives a shared connection (and our
snippet through ``--conf-dir``), our nftables table, and optionally an "internet" namespace
behind it with forwarding and masquerading turned on, as NetworkManager's shared mode does.
Everything is removed on ``close``, also when a test fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ipaddress
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.config import HotspotConfig
from kiosk.hotspot.firewall import nft_ruleset
from kiosk.hotspot.leases import joins_hook
from kiosk.hotspot.names import dnsmasq_snippet
from kiosk.processes import stop_process
from kiosk.share.server import DownloadServer, start_server

PHONE = Path(__file__).resolve().parent / "hotspot_phone.py"
INTERNET_ADDRESS = "198.51.100.1"
_serial = itertools.count()


def namespaces_usable() -> str | None:
    """None when this machine can run the namespace tests; else why not."""
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    for tool in ("ip", "dnsmasq", "nft"):
        if not shutil.which(tool):
            return f"needs {tool}"
    probe = f"ebprobe{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, check=False)
    subprocess.run(["ip", "netns", "del", probe], capture_output=True, check=False)
    return None if made.returncode == 0 else "cannot make network namespaces here"


def nm_dhcp_range(hotspot: HotspotConfig) -> tuple[str, str]:
    """The range NetworkManager's shared mode hands out: from the tenth host to the last."""
    network = hotspot.network
    return str(network.network_address + 10), str(network.broadcast_address - 1)


class HotspotNet:
    def __init__(self, directory: Path, hotspot: HotspotConfig, bridge: bool = True):
        """``bridge=False``: no bridge and no address; the first phone's veth peer in the booth
        takes the hotspot's interface name (for NetworkManager's Ethernet twin to configure)."""
        self.bridge = bridge
        self.directory = directory
        self.hotspot = hotspot
        tag = f"{os.getpid() % 100000}x{next(_serial)}"
        self.booth = f"eb-booth-{tag}"
        self.internet: str | None = None
        self.phones: dict[str, str] = {}
        self._tag = tag
        self._processes: list[subprocess.Popen] = []
        self.leases = directory / f"dnsmasq-{hotspot.interface}.leases"
        self.joins = directory / "joins"
        self.snippets = directory / "dnsmasq-shared.d"
        self._made: list[str] = []

    # -- making it --

    def booth_run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["ip", "netns", "exec", self.booth, *command],
            capture_output=True,
            text=True,
            check=check,
        )

    def booth_popen(self, *command: str, **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(["ip", "netns", "exec", self.booth, *command], **kwargs)
        self._processes.append(process)
        return process

    def open(self) -> HotspotNet:
        self._netns(self.booth)
        wifi = self.hotspot.interface
        self.booth_run("ip", "link", "set", "lo", "up")
        if not self.bridge:
            return self
        self.booth_run("ip", "link", "add", wifi, "type", "bridge")
        self.booth_run("ip", "addr", "add", self.hotspot.address, "dev", wifi)
        self.booth_run("ip", "link", "set", wifi, "up")
        return self

    def _netns(self, name: str) -> None:
        subprocess.run(["ip", "netns", "add", name], check=True)
        self._made.append(name)

    def add_phone(self, name: str) -> str:
        namespace = f"eb-{name}-{self._tag}"
        self._netns(namespace)
        port = f"ebp{len(self.phones)}{self._tag}"[:15] if self.bridge else self.hotspot.interface
        subprocess.run(
            [
                "ip",
                "link",
                "add",
                port,
                "netns",
                self.booth,
                "type",
                "veth",
                "peer",
                "eth0",
                "netns",
                namespace,
            ],
            check=True,
        )
        if self.bridge:
            self.booth_run("ip", "link", "set", port, "master", self.hotspot.interface)
            self.booth_run("ip", "link", "set", port, "up")
        subprocess.run(
            ["ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up"], check=True
        )
        self.phones[name] = namespace
        return namespace

    def add_internet(self) -> None:
        """An uplink: a namespace with an address 'on the internet' and a web port open,
        forwarding on and masquerading, as NetworkManager's shared mode sets them up."""
        self.internet = f"eb-net-{self._tag}"
        self._netns(self.internet)
        subprocess.run(
            [
                "ip",
                "link",
                "add",
                "uplink",
                "netns",
                self.booth,
                "type",
                "veth",
                "peer",
                "wan",
                "netns",
                self.internet,
            ],
            check=True,
        )
        run_net = ["ip", "netns", "exec", self.internet]
        subprocess.run(
            [*run_net, "ip", "addr", "add", f"{INTERNET_ADDRESS}/24", "dev", "wan"], check=True
        )
        subprocess.run([*run_net, "ip", "link", "set", "wan", "up"], check=True)
        subprocess.run([*run_net, "ip", "link", "set", "lo", "up"], check=True)
        self.booth_run("ip", "addr", "add", "198.51.100.2/24", "dev", "uplink")
        self.booth_run("ip", "link", "set", "uplink", "up")
        self.booth_run("sysctl", "-qw", "net.ipv4.ip_forward=1")
        nat = (
            "table ip nm-shared-twin {\n chain postrouting {\n"
            "  type nat hook postrouting priority srcnat; policy accept;\n"
            f'  ip saddr {self.hotspot.network} oifname "uplink" masquerade\n }}\n}}\n'
        )
        self._nft(nat)
        # A web server on the internet: anything that reaches it has left the booth's network.
        process = subprocess.Popen(
            [*run_net, sys.executable, "-m", "http.server", "80", "--bind", INTERNET_ADDRESS],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._processes.append(process)

    def _nft(self, ruleset: str) -> None:
        subprocess.run(
            ["ip", "netns", "exec", self.booth, "nft", "-f", "-"],
            input=ruleset,
            text=True,
            check=True,
        )

    def start_dnsmasq(self, without: tuple[str, ...] = ()) -> subprocess.Popen:
        """dnsmasq as NetworkManager 1.42 starts it for a shared connection, with our snippet
        (less its lines in ``without``: the bench measures what they save)."""
        self.snippets.mkdir(parents=True, exist_ok=True)
        hook = self.directory / "hotspot-joined"
        hook.write_text(joins_hook(self.joins))
        hook.chmod(0o755)
        snippet = dnsmasq_snippet(self.hotspot, hook).splitlines(keepends=True)
        snippet = [line for line in snippet if line.strip() not in without]
        (self.snippets / "echtbild-hotspot.conf").write_text("".join(snippet))
        first, last = nm_dhcp_range(self.hotspot)
        return self.booth_popen(
            "dnsmasq",
            "--conf-file=/dev/null",
            "--no-hosts",
            "--keep-in-foreground",
            "--bind-interfaces",
            "--except-interface=lo",
            "--clear-on-reload",
            "--strict-order",
            f"--listen-address={self.hotspot.booth_address}",
            f"--dhcp-range={first},{last},60m",
            f"--dhcp-option=option:router,{self.hotspot.booth_address}",
            "--dhcp-lease-max=50",
            f"--dhcp-leasefile={self.leases}",
            f"--pid-file={self.directory / 'dnsmasq.pid'}",
            f"--conf-dir={self.snippets}",
            f"--log-facility={self.directory / 'dnsmasq.log'}",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def load_firewall(self, server_port: int) -> None:
        self._nft(nft_ruleset(self.hotspot, server_port))

    def wait_for_dns(self, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while True:
            result = self.booth_run(
                sys.executable,
                "-c",
                "import sys; from kiosk.hotspot.dns import query_a; "
                f"print(query_a('{self.hotspot.booth_address}', 'probe.invalid', 0.5))",
                check=False,
            )
            if result.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"dnsmasq does not answer: {result.stderr}")
            time.sleep(0.1)

    # -- using it --

    def phone(self, name: str, *steps: list) -> list[dict]:
        """Run ``steps`` (see tests/hotspot_phone.py) on the phone ``name``."""
        result = subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                self.phones[name],
                sys.executable,
                str(PHONE),
                json.dumps(steps),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def close(self) -> None:
        # Whatever still runs in the booth's namespace is ours (NetworkManager's dnsmasq too).
        for pid in self.booth_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while self.booth_pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in self.booth_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for process in reversed(self._processes):
            stop_process(process, 5)
        for namespace in reversed(self._made):
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, check=False)

    def booth_pids(self) -> list[int]:
        if self.booth not in self._made:
            return []
        listed = subprocess.run(
            ["ip", "netns", "pids", self.booth], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in listed.stdout.split()]

    def __enter__(self) -> HotspotNet:
        try:
            return self.open()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *_: object) -> None:
        self.close()


def in_range(address: str, hotspot: HotspotConfig) -> bool:
    first, last = nm_dhcp_range(hotspot)
    value = ipaddress.IPv4Address(address)
    return ipaddress.IPv4Address(first) <= value <= ipaddress.IPv4Address(last)


CLONE_NEWNET = 0x40000000


class ServerInNamespace:
    """The real download server in a thread of its own that has entered the booth's network
    namespace (setns changes only the calling thread's): it listens there on ``port``, and the
    test keeps its clock and can reach into it."""

    def __init__(self, make: Callable[[], DownloadServer], namespace: str, port: int):
        """``make`` builds the server in its own thread (its index is SQLite's, per thread)."""
        self._make = make
        self._namespace = namespace
        self._port = port
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(20), "the server did not start"
        if self._failure is not None:
            raise self._failure

    def _run(self) -> None:
        try:
            descriptor = os.open(f"/run/netns/{self._namespace}", os.O_RDONLY)
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                if libc.setns(descriptor, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns into the booth's namespace")
            finally:
                os.close(descriptor)
            asyncio.set_event_loop(self._loop)
            self.server = self._make()
            self.runner, _ = self._loop.run_until_complete(
                start_server(self.server, "0.0.0.0", self._port)
            )
        except BaseException as error:  # reported to the test by __init__
            self._failure = error
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
