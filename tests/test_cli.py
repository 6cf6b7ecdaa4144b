"""The kiosk command as a user runs it, in a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_kiosk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    environment.pop("KIOSK_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**environment, **(env or {})},
        check=False,
    )


def test_demo_runs_in_a_window_and_writes_the_first_screen(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[storage]\ndir = "{tmp_path / "data"}"\n')
    shots = tmp_path / "shots"
    result = run_kiosk(
        "--config", str(config), "demo", "--screenshots", str(shots), "--quit-after", "0.5"
    )
    assert result.returncode == 0, result.stderr
    assert [p.name for p in shots.iterdir()] == ["001-attract.png"]
    assert (tmp_path / "data" / "index.sqlite3").is_file()


def test_run_without_a_camera_image_says_what_is_missing(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[storage]\ndir = "{tmp_path}"\n[display]\nfullscreen = false\n')
    result = run_kiosk("--config", str(config), "run", "--quit-after", "0.2")
    assert result.returncode == 2
    assert "camera.image" in result.stderr


def test_demo_with_a_missing_image_is_refused(tmp_path: Path) -> None:
    result = run_kiosk("demo", "--image", str(tmp_path / "nope.jpg"))
    assert result.returncode == 2
    assert "--image" in result.stderr


def test_bad_config_stops_every_command(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("[photo]\nburst_count = 50\n")
    result = run_kiosk("demo", env={"KIOSK_CONFIG": str(config)})
    assert result.returncode == 2
    assert result.stderr.startswith("photo.burst_count: 50 is out of range")
