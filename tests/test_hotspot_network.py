"""The booth's Wi-Fi in network namespaces (no radio here): a real dnsmasq started as
NetworkManager's shared mode starts it, with our snippet, and our nftables table; and
NetworkManager itself, bringing up the profile's Ethernet twin. A phone gets an
address by DHCP, every name it looks up is the booth, HTTPS is refused at once, and nothing but
the booth's web answers is reachable: not the internet behind the booth, not SSH."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import eventually
from hotspot_net import INTERNET_ADDRESS, HotspotNet, in_range, namespaces_usable
from nm_twin import NetworkManagerTwin, network_manager_usable

from kiosk.config import HotspotConfig
from kiosk.hotspot import system
from kiosk.hotspot.checks import check_hosts
from kiosk.hotspot.firewall import TABLE
from kiosk.hotspot.leases import JoinWatch

pytestmark = pytest.mark.skipif(namespaces_usable() is not None, reason=str(namespaces_usable()))

HOTSPOT = HotspotConfig(enabled=True, country="DE", interface="ebhot0", address="10.42.0.1/24")
SERVER_PORT = 8080


@pytest.fixture
def net(tmp_path: Path) -> Iterator[HotspotNet]:
    with HotspotNet(tmp_path, HOTSPOT) as network:
        network.add_phone("phone")
        network.start_dnsmasq()
        network.wait_for_dns()
        network.load_firewall(SERVER_PORT)
        yield network


def test_a_phone_gets_an_address_and_every_name_is_the_booth(net: HotspotNet) -> None:
    before = time.time()
    names = ["captive.apple.com", "connectivitycheck.gstatic.com", "example.org", "foto.de"]
    joined, *answers = net.phone(
        "phone", ["join", "eth0", "02:00:00:00:00:01"], *(["resolve", name] for name in names)
    )
    assert in_range(joined["address"], HOTSPOT), joined
    assert joined["router"] == joined["dns"] == "10.42.0.1"
    assert joined["lease"] == 3600
    assert [answer["addresses"] for answer in answers] == [["10.42.0.1"]] * len(names)
    # The joins log (dnsmasq runs our hook, just after its answer) is where the server learns
    # when this phone joined.
    watch = JoinWatch(net.joins)
    assert eventually(lambda: watch.refresh().joined_at(joined["address"]) is not None)
    joined_at = watch.refresh().joined_at(joined["address"])
    assert joined_at is not None and before - 1 <= joined_at <= time.time() + 1


def test_https_is_refused_at_once_and_only_the_web_port_is_open(net: HotspotNet) -> None:
    joined, https = net.phone("phone", ["join", "eth0", "02:00:00:00:00:02"], ["https", "x.org"])
    assert "error" not in joined, joined
    assert https["outcome"] == "refused" and https["seconds"] < 0.5, https
    script = (
        "import socket\n"
        "for port in (22, 8080):\n"
        "    try:\n"
        "        socket.create_connection(('10.42.0.1', port), timeout=3).close(); print('open')\n"
        "    except ConnectionRefusedError: print('refused')\n"
        "    except TimeoutError: print('timeout')\n"
    )
    # A listener on 22 (SSH) and on the server's port inside the booth: only the latter answers.
    listeners = [
        net.booth_popen(
            "python3",
            "-c",
            f"import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, "
            f"socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', {port})); s.listen(); time.sleep(60)",
        )
        for port in (22, SERVER_PORT)
    ]
    try:
        deadline = time.monotonic() + 10
        # (dnsmasq listens on TCP port 53 too: wait for exactly these two ports)
        while not all(
            f":{port} " in net.booth_run("ss", "-ltnH").stdout for port in (22, SERVER_PORT)
        ):
            assert time.monotonic() < deadline, "the listeners did not start"
            time.sleep(0.05)
        result = subprocess.run(
            ["ip", "netns", "exec", net.phones["phone"], sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        assert result.stdout.split() == ["refused", "open"]
    finally:
        for listener in listeners:
            listener.kill()
            listener.wait()


def test_phones_reach_nothing_behind_the_booth_unless_the_uplink_is_allowed(
    tmp_path: Path,
) -> None:
    for uplink, expected in ((False, "refused"), (True, "reached")):
        hotspot = HOTSPOT.model_copy(update={"uplink": uplink})
        with HotspotNet(tmp_path / str(uplink), hotspot) as network:
            network.add_phone("phone")
            network.add_internet()
            network.start_dnsmasq()
            network.wait_for_dns()
            network.load_firewall(SERVER_PORT)
            joined, page = network.phone(
                "phone",
                ["join", "eth0", "02:00:00:00:00:03"],
                ["get", f"http://{INTERNET_ADDRESS}/", "Mozilla/5.0"],
            )
            assert "error" not in joined, joined
            outcome = "reached" if page.get("status") == 200 else "refused"
            if "error" in page:
                assert "Refused" in page["error"] or "reset" in page["error"], page
            assert outcome == expected, (uplink, page)


def test_with_the_uplink_allowed_only_the_check_names_are_the_booth(tmp_path: Path) -> None:
    hotspot = HOTSPOT.model_copy(update={"uplink": True})
    with HotspotNet(tmp_path, hotspot) as network:
        network.add_phone("phone")
        network.start_dnsmasq()
        network.wait_for_dns()
        joined, apple, android = network.phone(
            "phone",
            ["join", "eth0", "02:00:00:00:00:04"],
            ["resolve", "captive.apple.com"],
            ["resolve", "connectivitycheck.gstatic.com"],
        )
        assert "error" not in joined, joined
        assert apple["addresses"] == android["addresses"] == ["10.42.0.1"]
        assert "captive.apple.com" in check_hosts()
        assert "www.google.com" not in check_hosts(), "a general-purpose name keeps its answer"


@pytest.mark.skipif(network_manager_usable() is not None, reason=str(network_manager_usable()))
def test_network_manager_brings_up_the_twin_and_its_dnsmasq_uses_our_snippet(
    tmp_path: Path,
) -> None:
    hotspot = HOTSPOT.model_copy(update={"interface": "ebtwin0"})
    with HotspotNet(tmp_path, hotspot, bridge=False) as network:
        network.add_phone("phone")
        network.add_internet()
        manager = NetworkManagerTwin(network)
        manager.start()
        command = manager.dnsmasq_command()
        assert "--conf-dir=/etc/NetworkManager/dnsmasq-shared.d" in command, command
        assert "--listen-address=10.42.0.1" in command
        joined, apple, anything, outside = network.phone(
            "phone",
            ["join", "eth0", "02:00:00:00:00:05"],
            ["resolve", "captive.apple.com"],
            ["resolve", "example.org"],
            ["get", f"http://{INTERNET_ADDRESS}/", "Mozilla/5.0"],
        )
        assert in_range(joined["address"], hotspot), joined
        assert joined["router"] == joined["dns"] == "10.42.0.1" and joined["lease"] == 3600
        assert apple["addresses"] == anything["addresses"] == ["10.42.0.1"]
        # Shared mode forwards to the uplink by itself ...
        assert outside.get("status") == 200, outside
        assert "nm-shared-ebtwin0" in network.booth_run("nft", "list", "tables").stdout
        # ... until our table takes that back.
        network.load_firewall(SERVER_PORT)
        [blocked] = network.phone("phone", ["get", f"http://{INTERNET_ADDRESS}/", "Mozilla/5.0"])
        assert "Refused" in blocked.get("error", ""), blocked
        # NetworkManager's dnsmasq ran our hook: the joins log says when this phone joined.
        watch = JoinWatch(manager.joins)
        assert eventually(lambda: watch.refresh().joined_at(joined["address"]) is not None)
        joined_at = watch.refresh().joined_at(joined["address"])
        assert joined_at is not None and abs(joined_at - time.time()) < 60


@pytest.mark.skipif(network_manager_usable() is not None, reason=str(network_manager_usable()))
def test_hotspot_up_writes_the_files_network_manager_uses_and_a_second_run_changes_nothing(
    tmp_path: Path,
) -> None:
    hotspot = HOTSPOT.model_copy(update={"interface": "ebtwin0"})
    root = tmp_path / "root"
    with HotspotNet(tmp_path, hotspot, bridge=False) as network:
        network.add_phone("phone")
        manager = NetworkManagerTwin(network, system_root=root)
        manager.start()
        assert manager.state() == "disconnected", "no profile yet"
        run = manager.run_command
        done = system.up(hotspot, SERVER_PORT, system_root=root, run=run, twin="ebtwin0")
        assert (
            f"wrote {root}/etc/NetworkManager/system-connections/echtbild-hotspot.nmconnection"
            in done
        )
        assert manager.state() == "connected"
        assert TABLE in network.booth_run("nft", "list", "tables").stdout
        [joined, name] = network.phone(
            "phone", ["join", "eth0", "02:00:00:00:00:06"], ["resolve", "foto.de"]
        )
        assert name["addresses"] == ["10.42.0.1"], (joined, name)
        # Again, as a second install.sh would: nothing is left to do, nothing changes.
        files = {
            item.path: item.path.stat().st_mtime_ns
            for item in system.wanted_files(hotspot, SERVER_PORT, root, "ebtwin0")
        }
        assert system.stale_files(system.wanted_files(hotspot, SERVER_PORT, root, "ebtwin0")) == []
        assert system.connection_active(run)
        again = system.up(hotspot, SERVER_PORT, system_root=root, run=run, twin="ebtwin0")
        assert again == []
        assert {path: path.stat().st_mtime_ns for path in files} == files
        assert system.down(run) == ["echtbild-hotspot is down", f"nftables table {TABLE} removed"]
        assert manager.state() != "connected"
