"""The kiosk command as a user runs it, in a separate process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

KIOSK = [sys.executable, "-m", "kiosk"]


def run_kiosk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    environment.pop("KIOSK_CONFIG", None)
    return subprocess.run(
        [*KIOSK, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**environment, **(env or {})},
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_demo_runs_in_a_window_and_writes_the_first_screen(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    port = free_port()
    config.write_text(
        f'[storage]\ndir = "{tmp_path / "data"}"\n[share]\nhost = "127.0.0.1"\nport = {port}\n'
    )
    shots = tmp_path / "shots"
    environment = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    demo = subprocess.Popen(
        [*KIOSK, "--config", str(config), "demo", "--screenshots", str(shots), "--quit-after", "6"],
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    health = None
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                health = json.load(reply)
                break
        except OSError:
            time.sleep(0.1)  # waiting for another process to come up, not for booth time
    # The demo first writes every screen (tens of PNGs), then runs its 6 seconds.
    _, errors = demo.communicate(timeout=240)
    assert demo.returncode == 0, errors
    assert health is not None and health["status"] == "ok", "demo starts the download server"
    assert sorted(p.name for p in shots.iterdir()) == ["001-attract.png", "every-screen"]
    every = {p.name for p in (shots / "every-screen").iterdir()}
    for size in ("1920x1080", "1080x1920", "1280x720"):
        for screen in ("attract", "framing-chin_up", "countdown-1", "review", "share"):
            assert f"de-{size}-{screen}.png" in every
        assert f"de-wifi-{size}-share.png" in every
    assert (tmp_path / "data" / "index" / "photos.sqlite3").is_file()
    with pytest.raises(OSError):  # and stops it again
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)


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
