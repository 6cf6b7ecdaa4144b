"""The systemd units: the share server cannot read the keys and writes only its state folder,
has file descriptors to spare above its connection cap, and both units keep their sandboxes
(scored by systemd-analyze itself, offline, as .ci/run verifies them)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.config import Config
from kiosk.config.storage import SHARE_STATE_FOLDER
from kiosk.share.capacity import MAX_CONNECTIONS

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = "/var/lib/echtbild"


def settings(unit: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (ROOT / "systemd" / unit).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values.setdefault(name.strip(), []).append(value.strip())
    return values


def test_share_unit_hides_the_keys_and_writes_only_its_state_folder() -> None:
    share = settings("echtbild-share.service")
    storage = Config().storage.model_copy(update={"dir": Path(DATA_DIR)})
    assert share["InaccessiblePaths"] == [
        f"-{storage.layout.keys_dir}",
        "-/etc/echtbild/cloud.toml",
    ]
    assert share["ReadOnlyPaths"] == [DATA_DIR]
    assert share["ProtectSystem"] == ["strict"]
    assert "ReadWritePaths" not in share, "photos, index and journal stay read-only"
    assert share["StateDirectory"] == [f"echtbild/{SHARE_STATE_FOLDER}"]
    assert Path("/var/lib", share["StateDirectory"][0]) == storage.layout.share_state_dir
    assert int(share["LimitNOFILE"][0]) >= 4 * MAX_CONNECTIONS


def test_share_unit_runs_as_its_own_user_in_the_booths_group() -> None:
    """What tests/test_share_user.py runs with real uids: a user of its own, so it reads no
    secret wherever the config puts it; the booth's group, so it reads the photos; its journals
    readable by that group, so the booth honours the deletions it records."""
    share, booth = settings("echtbild-share.service"), settings("echtbild.service")
    assert share["User"] != booth["User"] and share["User"] != ["root"]
    assert share["Group"] == booth["Group"]
    assert int(booth["UMask"][0], 8) & 0o040 == 0, "the booth's photos are group-readable"
    assert int(share["UMask"][0], 8) & 0o040 == 0 and int(share["UMask"][0], 8) & 0o007 == 7
    assert share["StateDirectoryMode"] == ["0750"]
    install = (ROOT / "install.sh").read_text()
    assert f"SHARE_USER={share['User'][0]}" in install
    assert f"USER_NAME={booth['User'][0]}" in install


def test_booth_unit_gives_only_the_devices_the_booth_uses() -> None:
    booth = settings("echtbild.service")
    assert booth["DevicePolicy"] == ["closed"]
    allowed = {value.split()[0] for value in booth["DeviceAllow"]}
    assert {
        "char-video4linux",
        "char-media",
        "char-dma_heap",
        "char-drm",
        "char-gpiochip",
    } <= allowed
    assert set(booth["SupplementaryGroups"][0].split()) >= {"video", "render", "gpio", "input"}


def exposure(unit: Path) -> float:
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--no-pager", str(unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+)", result.stdout)
    assert match, result.stdout + result.stderr
    return float(match[1])


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_exposure_scores(tmp_path: Path) -> None:
    kiosk = shutil.which("kiosk")
    assert kiosk
    scores = {}
    for name in ("echtbild.service", "echtbild-share.service"):
        text = (ROOT / "systemd" / name).read_text()
        unit = tmp_path / name
        unit.write_text(text.replace("/opt/echtbild/venv/bin/kiosk", kiosk))
        scores[name] = exposure(unit)
    assert scores["echtbild.service"] <= 4.0, scores
    assert scores["echtbild-share.service"] <= 1.4, scores


def test_every_storage_path_the_units_name_is_the_layouts() -> None:
    layout = Config().storage.model_copy(update={"dir": Path(DATA_DIR)}).layout
    named = {
        layout.root,
        layout.keys_dir,
        layout.share_state_dir,
        layout.photos_dir,
        layout.index_path.parent,
    }
    for unit in ("echtbild.service", "echtbild-share.service"):
        text = (ROOT / "systemd" / unit).read_text()
        for path in re.findall(r"/var/lib/echtbild[\w/.-]*", text):
            assert Path(path) in named, f"{unit} names {path}, which StorageLayout does not"
