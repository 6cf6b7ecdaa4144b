"""install.sh as far as it can run off a Pi: its dry run prints the whole plan."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kiosk.config import load_config

ROOT = Path(__file__).resolve().parent.parent


def install_sh(option: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """install.sh run with ``option`` (its dry run changes nothing), its output as text."""
    return subprocess.run(
        ["bash", str(ROOT / "install.sh"), option],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_dry_run_prints_every_step_and_changes_nothing(tmp_path: Path) -> None:
    touched = [Path("/etc/echtbild"), Path("/opt/echtbild"), Path("/var/lib/echtbild")]
    before = [path.exists() for path in touched]
    result = install_sh("--dry-run")
    assert result.returncode == 0, result.stderr
    plan = result.stdout
    for step in (
        "dry run: nothing is changed",
        "pip install",
        "/etc/echtbild/kiosk.toml",
        "check-config",
        "/etc/systemd/system/echtbild.service",
        "/etc/systemd/system/echtbild-share.service",
    ):
        assert step in plan, step
    if subprocess.run(["id", "echtbild-share"], capture_output=True).returncode != 0:
        assert "useradd --system" in plan and "--gid kiosk echtbild-share" in plan
    if not Path("/opt/echtbild/venv").exists():  # where install.sh ran already, it is kept
        assert "python3 -m venv --system-site-packages /opt/echtbild/venv" in plan
    assert [path.exists() for path in touched] == before


def test_unknown_option_is_refused() -> None:
    result = install_sh("--frobnicate")
    assert result.returncode == 1
    assert "unknown option '--frobnicate'" in result.stderr


def test_the_config_install_writes_is_valid(tmp_path: Path) -> None:
    example = (ROOT / "config" / "kiosk.toml").read_text(encoding="utf-8")
    installed = example.replace('\nbackend = "image" ', '\nbackend = "auto"  ', 1)
    assert installed != example, "install.sh's edit of the camera still applies"
    stored = installed.replace('\ndir = "~/.local/share/echtbild"', '\ndir = "/var/lib/echtbild"')
    assert stored != installed, "install.sh's edit of the storage folder still applies"
    path = tmp_path / "kiosk.toml"
    path.write_text(stored, encoding="utf-8")
    config = load_config(path)
    assert config.camera.backend == "auto" and config.camera.image is None
    assert config.storage.dir == Path("/var/lib/echtbild")


def fake_system(tmp_path: Path, arch: str, codename: str) -> dict[str, str]:
    """PATH with a dpkg that reports ``arch``, and an os-release naming ``codename``."""
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    dpkg = tools / "dpkg"
    dpkg.write_text(f"#!/bin/sh\necho {arch}\n")
    dpkg.chmod(0o755)
    release = tmp_path / "os-release"
    release.write_text(f"ID=debian\nVERSION_CODENAME={codename}\n")
    return {"PATH": f"{tools}:/usr/bin:/bin", "ECHTBILD_OS_RELEASE": str(release)}


@pytest.mark.parametrize(
    ("arch", "codename", "said"),
    [
        ("armhf", "bookworm", "32-bit Raspberry Pi OS (armhf) is not supported"),
        ("i386", "bookworm", "the i386 architecture is not supported"),
        ("arm64", "bullseye", "bullseye is too old"),
    ],
)
def test_an_unsupported_system_is_refused_before_anything_changes(
    tmp_path: Path, arch: str, codename: str, said: str
) -> None:
    result = install_sh("--dry-run", fake_system(tmp_path, arch, codename))
    assert result.returncode == 1
    assert said in result.stderr
    assert "would run" not in result.stdout, "nothing was even planned"


def test_a_64_bit_pi_os_is_accepted(tmp_path: Path) -> None:
    result = install_sh("--dry-run", fake_system(tmp_path, "arm64", "trixie"))
    assert result.returncode == 0, result.stderr
    assert "system: trixie (arm64)" in result.stdout


def test_dry_run_lists_the_hotspot_steps_when_the_config_asks_for_it(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[hotspot]\nenabled = true\ncountry = "DE"\nssid = "Fotobox"\n')
    result = install_sh("--dry-run", {**os.environ, "ECHTBILD_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    hotspot = [line for line in result.stdout.splitlines() if "hotspot" in line]
    assert hotspot, result.stdout
    assert any("hotspot up" in line or "would do for the hotspot" in line for line in hotspot)
    without = install_sh(
        "--dry-run", {**os.environ, "ECHTBILD_CONFIG": str(tmp_path / "none.toml")}
    )
    assert "hotspot up" not in without.stdout, "no [hotspot]: no hotspot steps"
    assert "for the hotspot" not in without.stdout
