"""The hotspot's pure parts: [hotspot] settings, the NetworkManager profile (read back by
NetworkManager's own nmcli), the dnsmasq snippet, our nftables table (checked by nft itself),
the joins log's first-seen moments and the sign-in sheet's rules on an injected clock."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from kiosk.config import ConfigError, HotspotConfig, parse_config
from kiosk.hotspot.checks import CHECKS, check_for, check_hosts
from kiosk.hotspot.firewall import TABLE, nft_ruleset
from kiosk.hotspot.leases import LONG_AGO, JoinTracker, JoinWatch, parse_joins
from kiosk.hotspot.names import dnsmasq_snippet
from kiosk.hotspot.portal import Portal, Showing
from kiosk.hotspot.profile import CONNECTION_ID, profile_keyfile

ON = {"enabled": True, "country": "de", "ssid": "Sommerfest Fotos", "password": "geheim123"}


def problem(**settings) -> str:
    with pytest.raises(ValidationError) as caught:
        HotspotConfig(**settings)
    return str(caught.value)


def test_settings_refuse_what_a_radio_or_network_manager_cannot_do() -> None:
    assert HotspotConfig(**ON).country == "DE"
    assert "needs the country" in problem(enabled=True)
    assert "not a country code" in problem(country="Germany")
    assert "8 to 63 printable ASCII" in problem(password="short")
    assert "at most 32 bytes" in problem(ssid="Ä" * 17)
    assert "radar detection" in problem(band="5GHz", channel=52)
    assert "radar detection" in problem(channel=14)
    assert "private network" in problem(address="8.8.8.1/24")
    assert "not a host address" in problem(address="10.42.0.0/24")
    assert HotspotConfig(band="5GHz").wifi_channel == 36
    assert HotspotConfig().wifi_channel == 6
    assert HotspotConfig(password="").password == "", "an open network"


def test_check_config_wants_the_server_where_hotspot_phones_reach_it() -> None:
    hotspot = {"enabled": True, "country": "DE"}
    with pytest.raises(ConfigError) as caught:
        parse_config({"hotspot": hotspot, "share": {"host": "127.0.0.1"}})
    assert "share.host: phones on the booth's Wi-Fi reach the server at 10.42.0.1" in str(
        caught.value.problems
    )
    assert parse_config({"hotspot": hotspot}).join_wifi.ssid == "Echtbild"
    assert parse_config({"hotspot": hotspot}).join_wifi.security == "nopass"


def read_back(keyfile: str) -> configparser.ConfigParser:
    """The profile as NetworkManager's own nmcli reads and writes it again."""
    result = subprocess.run(
        ["nmcli", "--offline", "connection", "modify", "connection.id", CONNECTION_ID],
        input=keyfile,
        capture_output=True,
        text=True,
        check=True,
    )
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string(result.stdout)
    return parser


def as_written(keyfile: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string(keyfile)
    return parser


@pytest.mark.skipif(not shutil.which("nmcli"), reason="needs NetworkManager's nmcli")
@pytest.mark.parametrize(
    "settings",
    [
        ON,
        {**ON, "ssid": "Booth; Café \\ 2", "password": " pass\\word ", "band": "5GHz"},
        {**ON, "password": "", "uplink": True, "address": "192.168.77.1/26"},
    ],
)
def test_network_manager_reads_back_every_setting_of_the_profile(settings: dict) -> None:
    hotspot = HotspotConfig(**settings)
    keyfile = profile_keyfile(hotspot)
    written, read = as_written(keyfile), read_back(keyfile)
    for section in written.sections():
        for key, value in written[section].items():
            assert read[section][key] == value, f"{section}.{key}: NetworkManager dropped it"
    assert read["wifi"]["mode"] == "ap" and read["ipv4"]["method"] == "shared"
    ssid = read["wifi"]["ssid"]
    if ssid.endswith(";"):
        ssid = bytes(int(b) for b in ssid.rstrip(";").split(";")).decode()
    assert ssid == hotspot.ssid
    if hotspot.password:
        assert read["wifi-security"]["pmf"] == "1", "protected management frames off"
        assert read["wifi-security"]["pairwise"] == "ccmp;"
    else:
        assert "wifi-security" not in read, "an open network"
    # Written again from the same settings, it is the same file (install.sh runs twice).
    assert profile_keyfile(HotspotConfig(**settings)) == keyfile


@pytest.mark.skipif(not shutil.which("nmcli"), reason="needs NetworkManager's nmcli")
def test_the_ethernet_twin_is_a_shared_profile_network_manager_reads_too() -> None:
    twin = read_back(profile_keyfile(HotspotConfig(**ON), ethernet_twin="ebtwin0"))
    assert twin["connection"]["type"] == "ethernet"
    assert twin["connection"]["interface-name"] == "ebtwin0"
    assert twin["ipv4"]["method"] == "shared" and "wifi" not in twin


def test_the_snippet_answers_every_name_without_uplink_and_only_checks_with_it() -> None:
    closed = dnsmasq_snippet(HotspotConfig(**ON))
    assert "address=/#/10.42.0.1\n" in closed and "no-resolv" in closed
    assert "no-ping" in closed
    open_ = dnsmasq_snippet(HotspotConfig(**ON, uplink=True))
    assert "address=/#/" not in open_ and "no-resolv" not in open_
    for host in check_hosts():
        assert f"address=/{host}/10.42.0.1\n" in open_


@pytest.mark.skipif(not shutil.which("nft"), reason="needs nft")
@pytest.mark.parametrize("uplink", [False, True])
def test_nft_itself_accepts_our_table(uplink: bool, tmp_path) -> None:
    ruleset = nft_ruleset(HotspotConfig(**ON, uplink=uplink), 8080)
    assert f"table inet {TABLE}" in ruleset
    assert "tcp dport 80 redirect to :8080" in ruleset
    path = tmp_path / "hotspot.nft"
    path.write_text(ruleset)
    result = subprocess.run(["nft", "-c", "-f", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_platform_check_is_found_by_its_host_and_path() -> None:
    for check in CHECKS:
        for host in check.hosts:
            for path in check.paths:
                found = check_for(f"{host.upper()}:80", path)
                assert found is not None and found.online == check.online
    assert check_for("example.org", "/generate_204") is None
    assert check_for("captive.apple.com", "/hotspot-detect.html").platform == "apple"


def test_first_seen_is_the_first_new_lease_and_survives_renewals_and_rejoins() -> None:
    log = (
        "1000000000 add AA:bb:cc:00:00:01 10.42.0.50\n"
        "1000000005 old aa:bb:cc:00:00:02 10.42.0.51\n"
        "garbage\n"
        "1000000010 add aa:bb:cc:00:00:03 10.42.0.52\n"
    )
    joins = parse_joins(log)
    assert [join.mac for join in joins] == [f"aa:bb:cc:00:00:0{n}" for n in (1, 2, 3)]
    tracker = JoinTracker()
    tracker.observe(joins)
    assert tracker.joined_at("10.42.0.50") == 1_000_000_000
    assert tracker.joined_at("10.42.0.51") == LONG_AGO, "there before the log began"
    assert tracker.joined_at("10.42.0.99") is None
    # A renewal, and a rejoin after the lease ended, keep the first join.
    tracker.observe(
        parse_joins(
            "1000001800 old aa:bb:cc:00:00:01 10.42.0.50\n"
            "1000003600 del aa:bb:cc:00:00:03 10.42.0.52\n"
            "1000009000 add aa:bb:cc:00:00:03 10.42.0.60\n"
        )
    )
    assert tracker.joined_at("10.42.0.50") == 1_000_000_000
    assert tracker.joined_at("10.42.0.52") is None, "its lease ended"
    assert tracker.joined_at("10.42.0.60") == 1_000_000_010
    assert tracker.clients == 3


def test_the_watch_reads_only_what_was_appended_and_starts_over_with_a_new_log(
    tmp_path,
) -> None:
    path = tmp_path / "joins"
    watch = JoinWatch(path)
    assert watch.refresh().clients == 0 and watch.problem is None
    path.write_text("100 add aa:00:00:00:00:01 10.42.0.50\n200 add aa:00:00:00:00:02 10.4")
    assert watch.refresh().clients == 1, "a line being written waits"
    with path.open("a") as file:
        file.write("2.0.51\n")
    assert watch.refresh().joined_at("10.42.0.51") == 200
    path.unlink()
    path.write_text("300 add aa:00:00:00:00:09 10.42.0.70\n")
    tracker = watch.refresh()
    assert tracker.clients == 1 and tracker.joined_at("10.42.0.70") == 300


SHARE = Showing("tok-visit-1", since=500.0)


def test_only_the_first_phone_that_joined_after_the_share_screen_sees_the_photo() -> None:
    portal = Portal(window=90, hold=600)
    guest = portal.client("10.42.0.50", "guest", joined_at=530.0)
    earlier = portal.client("10.42.0.51", "earlier", joined_at=499.0)
    late = portal.client("10.42.0.52", "late", joined_at=591.0)
    second = portal.client("10.42.0.53", "second", joined_at=540.0)
    unknown = portal.client("10.42.0.54", None, joined_at=None)
    assert portal.sheet(guest, SHARE, now=531.0) == "tok-visit-1"
    assert portal.sheet(earlier, SHARE, now=531.0) is None
    assert portal.sheet(late, SHARE, now=592.0) is None
    assert portal.sheet(second, SHARE, now=541.0) is None, "once per visit"
    assert portal.sheet(unknown, SHARE, now=541.0) is None
    # The guest keeps their photo, also once the next visit is on screen.
    assert portal.sheet(guest, Showing("tok-visit-2", 700.0), now=720.0) == "tok-visit-1"
    # A new join at the same address is a new phone with a sequence of its own.
    newcomer = portal.client("10.42.0.50", "newcomer", joined_at=705.0)
    assert portal.sheet(newcomer, Showing("tok-visit-2", 700.0), now=706.0) == "tok-visit-2"


def test_checks_say_portal_until_the_guest_is_done_or_the_hold_is_over() -> None:
    portal = Portal(window=90, hold=600)
    phone = portal.client("10.42.0.50", "a", joined_at=530.0)
    assert not portal.check(phone, "apple", now=531.0), "before the sheet"
    portal.sheet(phone, SHARE, now=532.0)
    assert not portal.check(phone, "apple", now=540.0), "while the sheet is open"
    portal.done(phone, now=560.0)
    assert portal.check(phone, "apple", now=561.0), "after the guest is done"
    idle = portal.client("10.42.0.51", "b", joined_at=530.0)
    portal.sheet(idle, None, now=532.0)
    assert not portal.check(idle, "android", now=1131.0)
    assert portal.check(idle, "android", now=1132.0), "the hold is over"


def test_a_request_before_the_lease_is_logged_stays_in_the_phones_sequence() -> None:
    portal = Portal(window=90, hold=600)
    early = portal.client("10.42.0.50", None, None)
    assert not portal.check(early, "apple", now=531.0)
    phone = portal.client("10.42.0.50", "aa@530", joined_at=530.0)
    assert phone is early and phone.platform == "apple" and phone.joined_at == 530.0
    assert portal.sheet(phone, SHARE, now=532.0) == "tok-visit-1"


def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=60
    )


def test_hotspot_up_writes_its_files_once_and_its_dry_run_then_finds_nothing_to_do(
    tmp_path: Path,
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[hotspot]\nenabled = true\ncountry = "DE"\nssid = "Fotobox"\npassword = "geheim123"\n'
        f'[storage]\ndir = "{tmp_path / "data"}"\n'
    )
    root = tmp_path / "root"
    plan = kiosk("--config", str(config), "hotspot", "up", "--dry-run", "--root", str(root))
    assert plan.returncode == 0, plan.stderr
    assert f"write {root}/etc/NetworkManager/system-connections/echtbild-hotspot.nmconnection" in (
        plan.stdout
    )
    assert not root.exists(), "a dry run changes nothing"
    first = kiosk("--config", str(config), "hotspot", "up", "--root", str(root))
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("wrote ") == 5
    profile = root / "etc/NetworkManager/system-connections/echtbild-hotspot.nmconnection"
    assert profile.stat().st_mode & 0o777 == 0o600, "it holds the Wi-Fi password"
    assert (root / "etc/NetworkManager/dispatcher.d/90-echtbild-hotspot").stat().st_mode & 0o111
    # A second install: nothing to do, nothing written.
    again = kiosk("--config", str(config), "hotspot", "up", "--root", str(root))
    assert again.returncode == 0 and again.stdout == ""
    plan = kiosk("--config", str(config), "hotspot", "up", "--dry-run", "--root", str(root))
    assert plan.returncode == 0 and plan.stdout == ""
    off = tmp_path / "off.toml"
    off.write_text(f'[storage]\ndir = "{tmp_path / "data"}"\n')
    refused = kiosk("--config", str(off), "hotspot", "up", "--dry-run")
    assert refused.returncode == 2 and "hotspot.enabled" in refused.stderr
